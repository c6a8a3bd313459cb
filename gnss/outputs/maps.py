"""Coverage maps as PNG files, drawn with matplotlib only (no cartopy, no download).

Fields on a latitude/longitude grid are drawn in plate carrée (longitude and latitude in
degrees as x and y) with ``pcolormesh``; coastlines and country borders come from the
Natural Earth 1:110m polygons shipped in ``gnss/data/borders_110m.geojson`` (public domain,
see ``gnss/data/README.md`` and ``builders/build_borders.py``).

Rendering uses the Agg backend through :class:`matplotlib.figure.Figure` and
:class:`matplotlib.backends.backend_agg.FigureCanvasAgg`; pyplot and its global state are
never touched, so the module is safe in scripts, servers and threads.
"""

from __future__ import annotations

import functools
import math
import os
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.patheffects
import numpy as np
import shapely
import xarray
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..errors import OutputError, ParameterError
from ..io import atomic_write
from ..regions.borders import borders, read_borders

__all__ = ["borders", "plot_field"]

NAN_COLOR = "#d9d9d9"  # light grey: cells without a finite value
BORDER_COLOR = "#262626"
BORDER_WIDTH_PT = 0.45
BORDER_HALO = {"linewidth": 1.1, "foreground": "white", "alpha": 0.3}  # legible on dark cells
GRATICULE_STEP_DEG = 30
DEFAULT_CMAP = "viridis"
DEFAULT_DIVERGING_CMAP = "RdBu_r"

# Figure layout in inches (the map keeps a 2:1 plate carrée aspect).
_MAP_W_IN = 8.4
_MAP_H_IN = _MAP_W_IN / 2.0
_LEFT_IN = 0.6
_GAP_CBAR_IN = 0.2
_CBAR_W_IN = 0.18
_RIGHT_IN = 1.0
_TOP_IN = 0.55
_BOTTOM_IN = 0.45  # tick labels
_LEGEND_IN = 0.25  # the no-data legend under the map, when some cells are NaN
_NOTE_LINE_IN = 0.16
_NOTE_WRAP_CHARS = 150


@functools.lru_cache(maxsize=1)
def _border_segments() -> tuple[np.ndarray, ...]:
    """Polygon boundaries as ``(n_vertices, 2)`` lon/lat arrays in degrees, cached."""
    boundaries = shapely.get_parts(shapely.boundary(read_borders().geometry.values))
    rings = shapely.get_parts(boundaries)  # MultiLineString -> LineString
    segments = tuple(shapely.get_coordinates(ring) for ring in rings)
    for seg in segments:
        seg.setflags(write=False)
    return segments


def _cell_edges_deg(centres_deg: np.ndarray, lo_deg: float, hi_deg: float) -> np.ndarray:
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


def _validated_field(field: xarray.DataArray) -> xarray.DataArray:
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


def _degree_label(value_deg: float, positive: str, negative: str) -> str:
    """Tick label such as ``30°E``, ``60°S`` or ``0°``."""
    v = round(float(value_deg))
    if v == 0:
        return "0°"
    return f"{abs(v)}°{positive if v > 0 else negative}"


def _color_range(
    values: np.ndarray, vmin: float | None, vmax: float | None, diverging: bool
) -> tuple[float, float]:
    """Colour limits from the finite values and the caller's ``vmin``/``vmax``."""
    finite = values[np.isfinite(values)]
    if diverging:
        given = [abs(v) for v in (vmin, vmax) if v is not None]
        half = max(given) if given else (float(np.max(np.abs(finite))) if finite.size else 1.0)
        if not half > 0:
            half = 1.0
        return -half, half
    lo = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if hi < lo:
        raise ParameterError(f"vmin must not exceed vmax, got vmin={vmin!r}, vmax={vmax!r}")
    if hi == lo:  # a constant field still gets a usable colour bar
        pad = abs(lo) * 0.05 or 0.5
        lo, hi = lo - pad, hi + pad
    return lo, hi


def plot_field(
    field: xarray.DataArray,
    path: str | os.PathLike,
    *,
    title: str,
    units: str | None = None,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    diverging: bool = False,
    note: str | None = None,
    dpi: int = 110,
) -> Path:
    """Draw a global latitude/longitude field as a PNG map with country borders.

    The field is drawn in plate carrée (equirectangular) axes covering longitude −180°..180°
    and latitude −90°..90°, one ``pcolormesh`` cell per grid cell (edges halfway between the
    centres, outer edges half a spacing beyond the outermost centres, clipped to the globe),
    with country borders (Natural Earth 1:110m, shipped with the package) as thin dark lines
    on top, a graticule every 30°, a colour bar labelled with the units and the title.
    Cells whose value is NaN (or ±inf) are drawn in light grey and a legend entry says so.
    Nothing is downloaded and cartopy is not used.

    The PNG is rendered into a temporary file next to ``path`` and moved onto ``path``
    with :func:`os.replace` only when complete, so a failure never leaves a partial file
    (an existing file at ``path`` is replaced on success and kept on failure).

    Parameters
    ----------
    field : xarray.DataArray
        Values of shape ``(n_lat, n_lon)`` with dims ``("lat", "lon")`` (the order
        ``("lon", "lat")`` is accepted too) and coordinates holding cell-centre latitudes
        (−90..90) and longitudes (−180..180) in degrees, strictly monotonic (descending
        coordinates are flipped). Any float values; NaN marks cells without a value.
    path : str or os.PathLike
        Output PNG file; its directory must exist. Always written in PNG format.
    title : str
        Title above the map.
    units : str, optional
        Colour bar label; defaults to ``field.attrs["units"]`` when present.
    cmap : str, optional
        Matplotlib colormap name; defaults to ``"viridis"``, or ``"RdBu_r"`` when
        ``diverging`` is true.
    vmin, vmax : float, optional
        Colour range limits in the field's units; default: the finite data range. Values
        outside the range saturate and the colour bar shows an arrow on that side.
    diverging : bool, default False
        Use a colour range symmetric around 0 (``-a..a`` with ``a`` the largest of
        ``|vmin|``, ``|vmax|`` when given, else the largest ``|value|``) and a diverging
        colormap: for difference maps such as combined minus best single system.
    note : str, optional
        Small text under the map, e.g. provenance (element file, epoch range, elevation
        mask, clock model). Wrapped to the figure width; newlines are kept.
    dpi : int, default 110
        Resolution of the PNG in dots per inch (the figure is about 10.4 × 5.5 inches plus
        the note lines).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ParameterError
        If ``field`` is not a DataArray with dims ``("lat", "lon")``, is empty, its
        coordinates are missing, out of range or not monotonic, or if ``cmap``, ``dpi``,
        ``vmin``/``vmax`` are invalid.
    OutputError
        If the directory of ``path`` does not exist or ``path`` is a directory.

    Examples
    --------
    >>> import numpy as np, xarray
    >>> from gnss.outputs.maps import plot_field
    >>> lat = np.arange(-89.0, 90.0, 2.0)
    >>> lon = np.arange(-179.0, 180.0, 2.0)
    >>> values = np.cos(np.radians(lat))[:, None] * np.ones(lon.size)
    >>> field = xarray.DataArray(values, coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))
    >>> import tempfile, pathlib
    >>> out = plot_field(field, pathlib.Path(tempfile.mkdtemp()) / "cos.png",
    ...                  title="cos(latitude)", units="1", note="synthetic example")
    >>> out.suffix
    '.png'
    """
    field = _validated_field(field)
    path = Path(os.fspath(path))
    if not path.parent.is_dir():
        raise OutputError(
            f"cannot write {path}: directory {path.parent} does not exist; create it first"
        )
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory; give a file name like map.png")
    if isinstance(dpi, bool) or not isinstance(dpi, int | np.integer) or not 10 <= dpi <= 1200:
        raise ParameterError(f"dpi must be an integer between 10 and 1200, got {dpi!r}")
    for name, value in (("vmin", vmin), ("vmax", vmax)):
        if value is not None and not math.isfinite(value):
            raise ParameterError(f"{name} must be a finite number or None, got {value!r}")
    cmap_name = cmap or (DEFAULT_DIVERGING_CMAP if diverging else DEFAULT_CMAP)
    try:
        colormap = matplotlib.colormaps[cmap_name]
    except KeyError:
        raise ParameterError(
            f"unknown colormap {cmap_name!r}; use a matplotlib name such as 'viridis', "
            "'magma' or, for differences, 'RdBu_r'"
        ) from None
    colormap = colormap.with_extremes(bad=NAN_COLOR)

    values = np.asarray(field.values, dtype=np.float64)
    lo, hi = _color_range(values, vmin, vmax, diverging)
    data = np.ma.masked_invalid(values)
    finite = values[np.isfinite(values)]
    n_missing = values.size - finite.size
    below = bool(finite.size and finite.min() < lo)
    above = bool(finite.size and finite.max() > hi)
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )
    if units is None:
        units = field.attrs.get("units")

    lat_edges = _cell_edges_deg(np.asarray(field["lat"].values, dtype=np.float64), -90.0, 90.0)
    lon_edges = _cell_edges_deg(np.asarray(field["lon"].values, dtype=np.float64), -180.0, 180.0)

    note_lines: list[str] = []
    if note:
        for paragraph in str(note).splitlines():
            note_lines.extend(textwrap.wrap(paragraph, _NOTE_WRAP_CHARS) or [""])
    note_h_in = _NOTE_LINE_IN * len(note_lines) + (0.2 if note_lines else 0.0)
    fig_w_in = _LEFT_IN + _MAP_W_IN + _GAP_CBAR_IN + _CBAR_W_IN + _RIGHT_IN
    bottom_in = _BOTTOM_IN + (_LEGEND_IN if n_missing else 0.0) + note_h_in
    fig_h_in = _TOP_IN + _MAP_H_IN + bottom_in

    fig = Figure(figsize=(fig_w_in, fig_h_in), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes(
        (_LEFT_IN / fig_w_in, bottom_in / fig_h_in, _MAP_W_IN / fig_w_in, _MAP_H_IN / fig_h_in)
    )
    cax = fig.add_axes(
        (
            (_LEFT_IN + _MAP_W_IN + _GAP_CBAR_IN) / fig_w_in,
            bottom_in / fig_h_in,
            _CBAR_W_IN / fig_w_in,
            _MAP_H_IN / fig_h_in,
        )
    )

    mesh = ax.pcolormesh(
        lon_edges,
        lat_edges,
        data,
        cmap=colormap,
        norm=Normalize(vmin=lo, vmax=hi),
        shading="flat",
        rasterized=True,
        zorder=1,
    )
    ax.add_collection(
        LineCollection(
            _border_segments(),
            colors=BORDER_COLOR,
            linewidths=BORDER_WIDTH_PT,
            zorder=3,
            capstyle="round",
            joinstyle="round",
            path_effects=[matplotlib.patheffects.withStroke(**BORDER_HALO)],
        ),
        autolim=False,
    )
    ax.set_xlim(-180.0, 180.0)
    ax.set_ylim(-90.0, 90.0)
    ax.set_aspect("equal", adjustable="box")
    lon_ticks = np.arange(-180, 181, GRATICULE_STEP_DEG)
    lat_ticks = np.arange(-90, 91, GRATICULE_STEP_DEG)
    ax.set_xticks(lon_ticks, [_degree_label(v, "E", "W") for v in lon_ticks], fontsize=8)
    ax.set_yticks(lat_ticks, [_degree_label(v, "N", "S") for v in lat_ticks], fontsize=8)
    ax.grid(True, color="0.45", linewidth=0.4, linestyle=(0, (2, 3)), alpha=0.8, zorder=2)
    ax.set_axisbelow(False)
    ax.set_title(title, fontsize=12, pad=8)

    cbar = fig.colorbar(mesh, cax=cax, extend=extend)
    cbar.ax.tick_params(labelsize=8)
    if units:
        cbar.set_label(str(units), fontsize=9)

    if n_missing:
        ax.legend(
            handles=[
                Patch(
                    facecolor=NAN_COLOR,
                    edgecolor="0.5",
                    linewidth=0.5,
                    label=f"no data (NaN): {n_missing} of {values.size} cells",
                )
            ],
            loc="lower right",
            bbox_to_anchor=((_LEFT_IN + _MAP_W_IN) / fig_w_in, (note_h_in + 0.08) / fig_h_in),
            bbox_transform=fig.transFigure,
            fontsize=7.5,
            frameon=False,
            borderaxespad=0.0,
            handlelength=1.4,
        )
    if note_lines:
        fig.text(
            _LEFT_IN / fig_w_in,
            0.12 / fig_h_in,
            "\n".join(note_lines),
            fontsize=7,
            color="0.25",
            ha="left",
            va="bottom",
            linespacing=1.25,
        )

    return atomic_write(
        path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, facecolor="white")
    )
