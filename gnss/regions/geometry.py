"""Lon/lat polygon repairs: keep the polygonal parts, undo ring jumps, split at ±180°.

Polygons crossing the antimeridian must be split there, as Natural Earth does (Russia and
Fiji are multipolygons with parts ending on ±180°); the boxes and the region files use
:func:`unwrap_rings` and :func:`wrap_to_globe` to do the split for the user.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .region import BOUNDS_TOL_DEG, RegionError

__all__ = ["polygonal", "unwrap_rings", "wrap_to_globe"]


def polygonal(geom) -> BaseGeometry:
    """Keep the polygonal parts of ``geom`` (drops the lines/points of a clip result).

    Parameters
    ----------
    geom : shapely geometry
        Any geometry, e.g. the result of a clip or of :func:`shapely.make_valid`.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The union of the polygonal parts; an empty polygon when there are none.

    Examples
    --------
    >>> import shapely
    >>> mixed = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.Point(5, 5)])
    >>> polygonal(mixed).geom_type
    'Polygon'
    """
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return geom
    parts = [
        p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon | shapely.MultiPolygon)
    ]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _shift_lon(geom, offset_deg: float):
    return shapely.transform(geom, lambda c: c + np.array([offset_deg, 0.0]))


def wrap_to_globe(geom) -> BaseGeometry:
    """Cut ``geom`` at the antimeridian and bring every part into lon [-180, 180].

    Longitudes in 0..360 or continuing past ±180 (e.g. 170..190) are wrapped; the
    latitude is clipped to [-90, 90].

    Parameters
    ----------
    geom : shapely geometry
        Polygon(s) in lon/lat degrees, longitudes possibly beyond ±180.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The same area with longitudes in [-180, 180].

    Examples
    --------
    >>> import shapely
    >>> wrap_to_globe(shapely.box(170.0, 50.0, 190.0, 70.0)).bounds
    (-180.0, 50.0, 180.0, 70.0)
    """
    x0, _, x1, _ = geom.bounds
    if x0 >= -180 - BOUNDS_TOL_DEG and x1 <= 180 + BOUNDS_TOL_DEG:
        return polygonal(shapely.clip_by_rect(geom, -180.0, -90.0, 180.0, 90.0))
    pieces = []
    k_lo, k_hi = int(np.floor((x0 + 180.0) / 360.0)), int(np.floor((x1 + 180.0) / 360.0))
    for k in range(k_lo, k_hi + 1):
        lo = -180.0 + 360.0 * k
        part = polygonal(shapely.clip_by_rect(geom, lo, -90.0, lo + 360.0, 90.0))
        if not part.is_empty:
            pieces.append(_shift_lon(part, -360.0 * k))
    if not pieces:
        return shapely.Polygon()
    return polygonal(shapely.union_all(pieces))


def _unwrap_polygon(poly: shapely.Polygon, what: str) -> shapely.Polygon:
    """One polygon with its ring longitudes made continuous, holes next to their shell."""
    out = []
    ref = None
    for ring in [poly.exterior, *poly.interiors]:
        c = np.asarray(ring.coords)
        lon = np.degrees(np.unwrap(np.radians(c[:, 0])))
        if abs(lon[-1] - lon[0]) > 1e-6:
            raise RegionError(
                f"{what}: a ring encircles a pole (its longitudes wind once round the "
                "globe); give polar caps as polygons closed along the ±180° meridians "
                "and the pole latitude, as Natural Earth does, or use gnss.box"
            )
        if ref is None:
            ref = lon.mean()
        else:  # put holes next to their shell
            lon = lon - 360.0 * np.round((lon.mean() - ref) / 360.0)
        out.append(np.column_stack([lon, c[:, 1]]))
    return shapely.Polygon(out[0], out[1:])


def _jumps(poly: shapely.Polygon) -> bool:
    """Whether a ring of ``poly`` jumps by more than 180° of longitude between two vertices."""
    rings = [poly.exterior, *poly.interiors]
    return any(np.any(np.abs(np.diff(np.asarray(r.coords)[:, 0])) > 180.0) for r in rings)


def unwrap_rings(geom, what: str) -> BaseGeometry:
    """Undo longitude jumps of more than 180° along rings (an antimeridian crossing).

    A ring that goes 179° -> -179° is taken to cross the antimeridian (the short way),
    not to run round the globe. Rings that encircle a pole are refused.

    Parameters
    ----------
    geom : shapely geometry
        Polygon(s) in lon/lat degrees.
    what : str
        Where the geometry comes from, for the error message.

    Returns
    -------
    shapely geometry
        ``geom`` itself when no ring jumps, else polygons whose longitudes may run past
        ±180 (give them to :func:`wrap_to_globe`).

    Raises
    ------
    RegionError
        A ring encircles a pole.

    Examples
    --------
    >>> import shapely
    >>> ring = [(170, 60), (-170, 60), (-170, 65), (170, 65)]
    >>> unwrap_rings(shapely.Polygon(ring), "example").bounds
    (170.0, 60.0, 190.0, 65.0)
    """
    polys = []
    changed = False
    for poly in shapely.get_parts(geom):
        if isinstance(poly, shapely.Polygon) and _jumps(poly):
            changed = True
            poly = _unwrap_polygon(poly, what)
        polys.append(poly)
    if not changed:
        return geom
    return shapely.union_all(polys) if len(polys) > 1 else polys[0]
