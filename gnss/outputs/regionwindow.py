"""The window of a regional map: its box, its grid cells, the lines drawn and the labels.

:func:`map_window` puts one longitude range around a region, continuous across the
antimeridian (Russia, Fiji: longitudes beyond 180° are kept as such and labelled as the
longitude they stand for, :func:`lon_label`); :class:`WindowCells` takes the window's grid
cells from two copies of the globe side by side; :func:`border_lines` and
:func:`region_outline` are the country borders and the region's outline as lines.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely

from .mapfield import without_antimeridian_cuts

__all__ = [
    "WindowCells", "border_lines", "lat_label", "lon_label", "map_window", "region_outline",
    "without_antimeridian_cuts",
]  # fmt: skip


def map_window(w: np.ndarray, lat: np.ndarray, lon: np.ndarray, res: float):
    """Lon/lat window around the cells with weight: (lon0, lon1, lat0, lat1), lon1 <= lon0+360.

    The longitude window is the complement of the largest run of empty columns (circular),
    so a region across the antimeridian (Russia, Fiji) gets one compact window.
    """
    rows = np.flatnonzero(w.any(axis=1))
    cols = w.any(axis=0)
    margin = max(2.0 * res, 2.0)
    lat0 = max(-90.0, lat[rows[0]] - res / 2 - margin)
    lat1 = min(90.0, lat[rows[-1]] + res / 2 + margin)
    if cols.all():
        return -180.0, 180.0, lat0, lat1
    n = cols.size
    # Longest circular run of empty columns.
    best_len, best_start, run, start = 0, 0, 0, 0
    for k in range(2 * n):
        if not cols[k % n]:
            if run == 0:
                start = k
            run += 1
            if run > best_len:
                best_len, best_start = min(run, n), start
        else:
            run = 0
    first = (best_start + best_len) % n  # first occupied column after the gap
    width = (n - best_len) * res
    lon0 = lon[first] - res / 2 - margin
    lon1 = lon0 + width + 2 * margin
    if lon1 - lon0 >= 360.0 - 1e-9:
        return -180.0, 180.0, lat0, lat1
    if lon0 < -180.0:
        lon0, lon1 = lon0 + 360.0, lon1 + 360.0
    return lon0, lon1, lat0, lat1


@functools.lru_cache(maxsize=1)
def border_lines() -> tuple[np.ndarray, ...]:
    """Country borders (Natural Earth 1:110m, shipped) as ``(n, 2)`` lon/lat lines, cached.

    Without the cuts along ±180° of the polygons split at the antimeridian (Russia, Fiji):
    drawn in a window across it they were a seam along the 180° meridian.
    """
    from ..regions.borders import borders

    rings = shapely.get_parts(shapely.get_parts(shapely.boundary(borders().geometry.values)))
    return tuple(s for r in rings for s in without_antimeridian_cuts(shapely.get_coordinates(r)))


def region_outline(geometry) -> list[np.ndarray]:
    """Region boundary as lines, without the cuts along the ±180° meridian."""
    rings = shapely.get_parts(shapely.get_parts(shapely.boundary(geometry)))
    return [s for r in rings for s in without_antimeridian_cuts(shapely.get_coordinates(r))]


def lon_label(x: float) -> str:
    """Tick label of a longitude, also beyond ±180° (``190`` -> ``170°W``)."""
    v = (x + 180.0) % 360.0 - 180.0
    if abs(v) < 1e-9 or abs(abs(v) - 180.0) < 1e-9:
        return f"{abs(v):g}°"
    return f"{abs(v):g}°{'E' if v > 0 else 'W'}"


def lat_label(y: float) -> str:
    """Tick label of a latitude (``-30`` -> ``30°S``)."""
    return f"{abs(y):g}°{'N' if y > 0 else 'S' if y < 0 else ''}"


@dataclass(frozen=True)
class WindowCells:
    """The grid cells inside a map window, from two copies of the globe side by side."""

    rows: np.ndarray
    cols: np.ndarray
    x_edges: np.ndarray
    y_edges: np.ndarray

    @classmethod
    def of(cls, lat: np.ndarray, lon: np.ndarray, box: tuple) -> WindowCells:
        """Take the cells of a grid (centres ``lat``, ``lon``) inside ``box`` (map_window)."""
        lon0, lon1, lat0, lat1 = box
        lon_edges = np.concatenate(
            [np.linspace(-180.0, 180.0, lon.size + 1), np.linspace(180.0, 540.0, lon.size + 1)[1:]]
        )
        lat_edges = np.linspace(-90.0, 90.0, lat.size + 1)
        rows = np.flatnonzero((lat_edges[1:] > lat0) & (lat_edges[:-1] < lat1))
        cols = np.flatnonzero((lon_edges[1:] > lon0) & (lon_edges[:-1] < lon1))
        return cls(rows, cols, lon_edges[cols[0] : cols[-1] + 2], lat_edges[rows[0] : rows[-1] + 2])

    def take(self, values: np.ndarray) -> np.ndarray:
        """Return the window's part of a (lat, lon) field (wrapped windows included)."""
        return np.tile(values, 2)[np.ix_(self.rows, self.cols)]
