"""What a global map accepts: the check of a latitude/longitude field, and its cell edges.

:func:`validated_field` refuses what :func:`gnss.outputs.maps.plot_field` cannot draw (not a
DataArray, other dims, empty, non-numeric, coordinates missing, out of range or not
monotonic), each with the fix, and returns the field as ``(lat, lon)`` with ascending
coordinates; :func:`cell_edges_deg` gives the cell edges ``pcolormesh`` draws;
:func:`without_antimeridian_cuts` drops the cuts along ±180° from a border line.
"""

from __future__ import annotations

import numpy as np
import xarray

from ..errors import ParameterError

__all__ = ["cell_edges_deg", "validated_field", "without_antimeridian_cuts"]


def cell_edges_deg(centres_deg: np.ndarray, lo_deg: float, hi_deg: float) -> np.ndarray:
    """Cell edges from ascending cell centres, clipped to ``[lo_deg, hi_deg]``.

    Inner edges are the midpoints between neighbours; the outer edges lie half a spacing
    beyond the first and last centre. A single centre spans the whole range.
    """
    if centres_deg.size == 1:
        return np.array([lo_deg, hi_deg])
    mid = 0.5 * (centres_deg[1:] + centres_deg[:-1])
    first = centres_deg[0] - (mid[0] - centres_deg[0])
    last = centres_deg[-1] + (centres_deg[-1] - mid[-1])
    return np.clip(np.concatenate(([first], mid, [last])), lo_deg, hi_deg)


def without_antimeridian_cuts(coords: np.ndarray) -> list[np.ndarray]:
    """Split a ``(n, 2)`` lon/lat line where it runs along the ±180° meridian; drop those parts.

    A polygon split at the antimeridian has edges along lon = ±180° that are no border (nor
    coast, nor region edge); a run of such edges is removed, the line kept as pieces.
    """
    on_cut = np.abs(coords[:, 0]) >= 180.0 - 1e-6
    cut = on_cut[:-1] & on_cut[1:] & (np.abs(coords[:-1, 0] - coords[1:, 0]) < 1e-6)
    lines, start = [], 0
    for k in np.flatnonzero(cut):
        if k + 1 - start >= 2:
            lines.append(coords[start : k + 1])
        start = k + 1
    if len(coords) - start >= 2:
        lines.append(coords[start:])
    return lines


def validated_field(field: xarray.DataArray) -> xarray.DataArray:
    """Check ``field`` and return it as ``(lat, lon)`` with ascending coordinates."""
    if not isinstance(field, xarray.DataArray):
        raise ParameterError(
            f"field must be an xarray.DataArray with dims ('lat', 'lon'), got "
            f"{type(field).__name__}; wrap a NumPy array with "
            "xarray.DataArray(values, coords={'lat': lat_deg, 'lon': lon_deg}, dims=('lat', 'lon'))"
        )
    if set(field.dims) != {"lat", "lon"} or field.ndim != 2:
        raise ParameterError(
            f"field must have dims ('lat', 'lon'), got {field.dims}; select one map first, "
            "e.g. field.isel(time=0) or field.mean('time'), or rename the dimensions with "
            "field.rename({'latitude': 'lat', 'longitude': 'lon'})"
        )
    if field.size == 0:
        raise ParameterError(
            f"field is empty (shape {dict(field.sizes)}); expected at least one lat and one "
            "lon value: check the grid or the selection that produced it"
        )
    if not (
        np.issubdtype(field.dtype, np.floating)
        or np.issubdtype(field.dtype, np.integer)
        or np.issubdtype(field.dtype, np.bool_)
    ):
        raise ParameterError(f"field must hold numbers, got dtype {field.dtype}")
    field = field.transpose("lat", "lon")
    for dim, limit in (("lat", 90.0), ("lon", 180.0)):
        if dim not in field.coords:
            raise ParameterError(
                f"field has no '{dim}' coordinate values; expected cell-centre {dim} in "
                f"degrees, e.g. field.assign_coords({dim}=...)"
            )
        values = np.asarray(field[dim].values)
        if not np.issubdtype(values.dtype, np.number) or not np.all(np.isfinite(values)):
            raise ParameterError(f"'{dim}' coordinate must be finite degrees, got {values!r}")
        if np.any(np.abs(values) > limit + 1e-9):
            raise ParameterError(
                f"'{dim}' coordinate must lie within [-{limit:g}, {limit:g}] degrees, got "
                f"[{values.min():g}, {values.max():g}]; convert 0..360 longitudes with "
                "((lon + 180) % 360) - 180 and sort"
            )
        if values.size > 1:
            steps = np.diff(values)
            if np.all(steps < 0):
                field = field.isel({dim: slice(None, None, -1)})
            elif not np.all(steps > 0):
                raise ParameterError(
                    f"'{dim}' coordinate must be strictly monotonic (no repeats), got "
                    f"{values!r}; sort with field.sortby('{dim}')"
                )
    return field
