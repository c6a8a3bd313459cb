"""Cell weights: the true area of each grid cell that lies inside a region.

:func:`cell_weights_m2` gives, for a :class:`gnss.Grid`, the area on the WGS84 ellipsoid of
the part of each grid cell inside a region. The polygon is mapped to the equal-area projection
of :mod:`gnss.regions.projection`, where grid cells are exact rectangles: cells fully inside
get ``grid.cell_area_m2`` exactly; cells cut by the border get the area of their intersection
with the polygon (GEOS through shapely 2). Because the cells partition the projected plane
exactly, the sum of the weights equals the polygon's area at every grid resolution.
"""

from __future__ import annotations

import functools

import numpy as np
import shapely
import shapely.validation
from shapely.geometry.base import BaseGeometry

from ..constants import WGS84_A_M
from ..receivers.grid import Grid, zone_area_m2
from .geometry import polygonal, wrap_to_globe
from .projection import to_cea
from .region import Region, RegionError

__all__ = ["cell_weights_m2"]

_BLOCK = 32  # cells per block in the first pass of cell_weights_m2


def cell_weights_m2(region: Region | BaseGeometry, grid: Grid) -> np.ndarray:
    """Area of each grid cell that lies inside a region, on the WGS84 ellipsoid.

    Parameters
    ----------
    region : Region or shapely geometry
        Polygon(s) in longitude/latitude degrees (see :class:`Region`).
    grid : gnss.Grid
        The global grid (cells ``resolution_deg`` wide, rows from the south, columns from
        -180° eastwards).

    Returns
    -------
    numpy.ndarray, shape (n_lat, n_lon)
        Square metres; ``grid.cell_area_m2`` exactly for cells fully inside, the area of
        the intersection for cells cut by the border, 0 outside. The sum is the region's
        area (:attr:`Region.area_m2`) at any resolution.

    Raises
    ------
    RegionError
        If the region covers no area of the grid (empty geometry, or outside the globe).

    Examples
    --------
    >>> import gnss
    >>> from gnss.regions.boxes import box
    >>> from gnss.regions.lookup import get_region
    >>> grid = gnss.Grid(10.0)
    >>> w = cell_weights_m2(get_region("global"), grid)
    >>> bool(abs(w.sum() / gnss.ellipsoid_area_m2() - 1) < 1e-12)
    True
    >>> half = cell_weights_m2(box(0.0, 90.0, -180.0, 180.0), grid)
    >>> float(round(half.sum() / w.sum(), 12))
    0.5
    """
    geom = region.geometry if isinstance(region, Region) else region
    if not isinstance(geom, BaseGeometry):
        raise RegionError(f"expected a Region or a shapely geometry, got {type(geom).__name__}")
    what = f"region {region.code!r}" if isinstance(region, Region) else "geometry"
    if not geom.is_empty and not geom.is_valid:
        raise RegionError(
            f"{what}: invalid geometry ({shapely.validation.explain_validity(geom)}); repair it "
            "with shapely.make_valid(geometry) and keep the polygons"
        )
    if not isinstance(grid, Grid):
        raise RegionError(f"expected a gnss.Grid, got {type(grid).__name__}")
    weights = _cell_weights_cached(geom, grid.resolution_deg).copy()
    if not weights.sum() > 0:
        x0, y0, x1, y1 = geom.bounds if not geom.is_empty else (np.nan,) * 4
        raise RegionError(
            f"{what} covers no area of the grid (bounds lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g}); "
            "a region must be a polygon with some area inside lon -180..180, lat -90..90"
        )
    return weights


def _on_globe(geom: BaseGeometry) -> BaseGeometry:
    """Return the polygonal part of ``geom`` inside lon -180..180, lat -90..90 (may be empty)."""
    poly = polygonal(geom)
    if poly.is_empty:
        return poly
    return polygonal(shapely.clip_by_rect(wrap_to_globe(poly), -180.0, -90.0, 180.0, 90.0))


@functools.lru_cache(maxsize=64)
def _cell_weights_cached(geom: BaseGeometry, resolution_deg: float) -> np.ndarray:
    grid = Grid(resolution_deg)
    w = np.zeros((grid.n_lat, grid.n_lon))
    poly = _on_globe(geom)
    if poly.is_empty or not shapely.area(poly) > 0:
        w.setflags(write=False)
        return w
    cea = to_cea(poly)
    x_edges = WGS84_A_M * np.radians(np.linspace(-180.0, 180.0, grid.n_lon + 1))
    y_edges = zone_area_m2(np.radians(np.linspace(-90.0, 90.0, grid.n_lat + 1))) / WGS84_A_M
    full = grid.cell_area_m2[:, 0]
    _, y_lo, _, y_hi = cea.bounds
    i0 = max(0, int(np.searchsorted(y_edges, y_lo, side="right")) - 1)
    i1 = min(grid.n_lat, int(np.searchsorted(y_edges, y_hi, side="left")))
    for i in range(i0, i1):  # one row (a horizontal strip of the projection) at a time
        _fill_row(w[i], cea, x_edges, y_edges[i], y_edges[i + 1], full[i])
    w.setflags(write=False)
    return w


def _fill_row(
    row: np.ndarray,
    cea: BaseGeometry,
    x_edges: np.ndarray,
    y_lo: float,
    y_hi: float,
    full_m2: float,
) -> None:
    """Write the weights of one grid row (projected strip ``y_lo..y_hi``) into ``row``."""
    strip = polygonal(shapely.intersection(cea, shapely.box(x_edges[0], y_lo, x_edges[-1], y_hi)))
    if strip.is_empty:
        return
    sx0, _, sx1, _ = strip.bounds
    j0 = max(0, int(np.searchsorted(x_edges, sx0, side="right")) - 1)
    j1 = min(row.size, int(np.searchsorted(x_edges, sx1, side="left")))
    shapely.prepare(strip)
    # Blocks of cells first: whole blocks inside or outside skip the per-cell work.
    starts = np.arange(j0, j1, _BLOCK)
    stops = np.minimum(starts + _BLOCK, j1)
    blocks = shapely.box(x_edges[starts], y_lo, x_edges[stops], y_hi)
    block_in = shapely.contains(strip, blocks)
    block_cut = ~block_in & shapely.intersects(strip, blocks)
    for a, b in zip(starts[block_in], stops[block_in], strict=True):
        row[a:b] = full_m2
    if not block_cut.any():
        return
    cols = np.concatenate(
        [np.arange(a, b) for a, b in zip(starts[block_cut], stops[block_cut], strict=True)]
    )
    cells = shapely.box(x_edges[cols], y_lo, x_edges[cols + 1], y_hi)
    inside = shapely.contains(strip, cells)
    cut = ~inside & shapely.intersects(strip, cells)
    row[cols[inside]] = full_m2
    row[cols[cut]] = shapely.area(shapely.intersection(cells[cut], strip))
