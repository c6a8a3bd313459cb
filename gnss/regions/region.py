"""The :class:`Region` type and :class:`RegionError`: a checked polygon in lon/lat degrees.

A :class:`Region` is a (multi)polygon in WGS84 longitude/latitude degrees (EPSG:4326) with a
code, a name and a text saying where it comes from; building one checks the geometry (a valid
polygon with some area, inside the globe, split at the antimeridian).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import shapely
import shapely.validation
from shapely.geometry.base import BaseGeometry

from ..errors import ParameterError
from .projection import to_cea

__all__ = ["BOUNDS_TOL_DEG", "Region", "RegionError"]

#: Slack (degrees) allowed beyond ±180° longitude and ±90° latitude (rounding of the input).
BOUNDS_TOL_DEG = 1e-9


class RegionError(ParameterError):
    """A region could not be found, read or used (unknown code, bad file, empty area)."""


@dataclass(frozen=True)
class Region:
    """A region of interest: a (multi)polygon in WGS84 longitude/latitude degrees.

    Attributes
    ----------
    name : str
        Human-readable name, e.g. ``"Russia"``.
    code : str
        Short unique code used as a table key and in file names, e.g. ``"RUS"``,
        ``"arctic"``.
    geometry : shapely.Polygon or shapely.MultiPolygon
        Longitude in [-180, 180] and latitude in [-90, 90] degrees (EPSG:4326); parts that
        cross the antimeridian are split there. Edges are straight in longitude/latitude.
    source : str
        Where the polygon comes from, or its definition.

    Examples
    --------
    >>> import shapely
    >>> r = Region("Test", "test", shapely.box(0.0, 0.0, 1.0, 1.0), "a 1-degree square")
    >>> round(r.area_m2 / 1e6)
    12308
    """

    name: str
    code: str
    geometry: BaseGeometry
    source: str

    def __post_init__(self):
        if not isinstance(self.code, str) or not re.fullmatch(r"[A-Za-z0-9][\w.+:-]*", self.code):
            raise RegionError(
                f"region code must be letters, digits, '-', '_', '.', '+' or ':' (starting "
                f"with a letter or digit), got {self.code!r}"
            )
        _check_polygonal(self.geometry, f"region {self.code!r}")

    @property
    def area_m2(self) -> float:
        """Area on the WGS84 ellipsoid (edges straight in lon/lat), square metres."""
        return float(shapely.area(to_cea(self.geometry)))

    @property
    def geodesic_area_m2(self) -> float:
        """Area with geodesic edges (pyproj ``Geod(ellps="WGS84")``), square metres."""
        from pyproj import Geod

        return float(abs(Geod(ellps="WGS84").geometry_area_perimeter(self.geometry)[0]))


def _check_polygonal(geom, what: str) -> None:
    if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        raise RegionError(
            f"{what}: expected a shapely Polygon or MultiPolygon in lon/lat degrees, got "
            f"{type(geom).__name__}; points and lines have no area"
        )
    if geom.is_empty:
        raise RegionError(f"{what}: the geometry is empty, so the region covers no area")
    if not geom.is_valid:
        raise RegionError(
            f"{what}: invalid geometry ({shapely.validation.explain_validity(geom)}); repair it "
            "with shapely.make_valid(geometry) (or GeoSeries.make_valid()) and keep the polygons"
        )
    x0, y0, x1, y1 = geom.bounds
    tol = BOUNDS_TOL_DEG
    if x0 < -180 - tol or x1 > 180 + tol or y0 < -90 - tol or y1 > 90 + tol:
        raise RegionError(
            f"{what}: coordinates must be longitude in [-180, 180] and latitude in [-90, 90] "
            f"degrees, got bounds lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g}; projected data must "
            "be reprojected to EPSG:4326 first (region_from_file does), and polygons that "
            "cross the antimeridian must be split there (see gnss.regions.definitions.box)"
        )
    if not shapely.area(geom) > 0:
        raise RegionError(f"{what}: the polygon has zero area")
