"""Latitude/longitude boxes as regions, and the ``box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX`` code.

A box's edges follow parallels and meridians (straight lines in longitude/latitude); a box
with ``lon_min > lon_max`` crosses the antimeridian and is split there into two parts.
"""

from __future__ import annotations

import numpy as np
import shapely

from .region import Region, RegionError

__all__ = ["box", "box_from_code", "box_geometry"]


def box_geometry(lat_min: float, lat_max: float, lon_min: float, lon_max: float):
    """Return the polygon of a box, in two parts across the antimeridian (``lon_min > lon_max``).

    Parameters
    ----------
    lat_min, lat_max, lon_min, lon_max : float
        Edges in degrees (not checked; :func:`box` checks them).

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon

    Examples
    --------
    >>> box_geometry(50.0, 70.0, 170.0, -170.0).bounds
    (-180.0, 50.0, 180.0, 70.0)
    """
    if lon_min < lon_max:
        return shapely.box(lon_min, lat_min, lon_max, lat_max)
    return shapely.MultiPolygon(
        [
            shapely.box(lon_min, lat_min, 180.0, lat_max),
            shapely.box(-180.0, lat_min, lon_max, lat_max),
        ]
    )


def _fmt_lat(v: float) -> str:
    return f"{abs(v):g}°{'N' if v > 0 else 'S' if v < 0 else ''}"


def _fmt_lon(v: float) -> str:
    return f"{abs(v):g}°{'E' if 0 < v < 180 else 'W' if v < 0 else ''}"


def box(
    lat_min_deg: float,
    lat_max_deg: float,
    lon_min_deg: float,
    lon_max_deg: float,
    name: str | None = None,
    *,
    code: str | None = None,
) -> Region:
    """Return a latitude/longitude box region (edges along parallels and meridians).

    Parameters
    ----------
    lat_min_deg, lat_max_deg : float
        Southern and northern edges, -90 <= lat_min < lat_max <= 90.
    lon_min_deg, lon_max_deg : float
        Western and eastern edges in [-180, 180]. ``lon_min > lon_max`` means the box
        crosses the antimeridian (e.g. 170 to -170 is 20° wide); -180 to 180 is all
        longitudes.
    name : str, optional
        Name; by default the bounds in words.
    code : str, optional
        Code; by default ``box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX`` (what :func:`get_regions`
        parses back).

    Returns
    -------
    Region

    Examples
    --------
    >>> r = box(50.0, 70.0, 170.0, -170.0)
    >>> r.code, len(r.geometry.geoms)
    ('box:50:70:170:-170', 2)
    """
    vals = [lat_min_deg, lat_max_deg, lon_min_deg, lon_max_deg]
    try:
        lat_min, lat_max, lon_min, lon_max = (float(v) for v in vals)
    except (TypeError, ValueError):
        raise RegionError(f"box bounds must be numbers in degrees, got {vals!r}") from None
    if not all(np.isfinite([lat_min, lat_max, lon_min, lon_max])):
        raise RegionError(f"box bounds must be finite degrees, got {vals!r}")
    if not -90.0 <= lat_min < lat_max <= 90.0:
        raise RegionError(
            f"box latitudes must satisfy -90 <= lat_min < lat_max <= 90, got lat_min={lat_min:g}, "
            f"lat_max={lat_max:g}; a box needs some height to cover an area"
        )
    if not (-180.0 <= lon_min <= 180.0 and -180.0 <= lon_max <= 180.0) or lon_min == lon_max:
        raise RegionError(
            f"box longitudes must lie in [-180, 180] and differ, got lon_min={lon_min:g}, "
            f"lon_max={lon_max:g}; use -180, 180 for all longitudes and lon_min > lon_max for a "
            "box across the antimeridian"
        )
    code = code or f"box:{lat_min:g}:{lat_max:g}:{lon_min:g}:{lon_max:g}"
    definition = (
        f"box {_fmt_lat(lat_min)}..{_fmt_lat(lat_max)}, {_fmt_lon(lon_min)}..{_fmt_lon(lon_max)}"
        + (" (across the antimeridian)" if lon_min > lon_max else "")
    )
    return Region(
        name=name or definition,
        code=code,
        geometry=box_geometry(lat_min, lat_max, lon_min, lon_max),
        source=f"latitude/longitude {definition}, edges along parallels and meridians",
    )


def box_from_code(key: str) -> Region:
    """Return the box of a ``box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX`` code (degrees).

    Parameters
    ----------
    key : str
        The code, starting with ``box:`` (any case).

    Returns
    -------
    Region

    Raises
    ------
    RegionError
        Not four bounds, a bound that is no number, or bounds :func:`box` refuses.

    Examples
    --------
    >>> box_from_code("box:-10:10:170:-170").name
    'box 10°S..10°N, 170°E..170°W (across the antimeridian)'
    """
    parts = key.split(":")[1:]
    if len(parts) != 4:
        raise RegionError(
            f"bad box {key!r}: expected box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX in degrees, "
            "e.g. box:50:70:170:-170"
        )
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise RegionError(
            f"bad box {key!r}: the four bounds must be numbers in degrees, e.g. box:50:70:170:-170"
        ) from None
    return box(*nums)
