"""The equal-area projection under every region area and cell weight.

Polygons in longitude/latitude degrees are mapped to the ellipsoidal cylindrical equal-area
projection (Lambert, true scale at the equator, the projection PROJ calls
``+proj=cea +ellps=WGS84``): parallels and meridians become straight lines, grid cells exact
rectangles and the planar area of any shape its ellipsoidal area.

Edge convention: a polygon edge is a straight line in longitude/latitude (as in GeoJSON,
RFC 7946 §3.1.1, and as the maps draw it), so edges are densified every :data:`DENSIFY_DEG`
before projection and the projected polygon follows the longitude/latitude straight line.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ..constants import WGS84_A_M
from ..receivers.grid import zone_area_m2

__all__ = ["DENSIFY_DEG", "to_cea"]

#: Longitude/latitude edges are cut into pieces of at most this length (degrees) before
#: the equal-area projection, so the projected edge follows the lon/lat straight line.
#: The remaining deviation is below 1e-7 of the area for the shipped countries
#: (measured against 0.01-degree densification).
DENSIFY_DEG = 0.1


def to_cea(geom) -> BaseGeometry:
    """Lon/lat degrees -> WGS84 cylindrical equal-area metres (``+proj=cea +ellps=WGS84``).

    ``x = a * lon``, ``y = A(lat) / a`` with ``A(lat)`` the ellipsoid area between the
    equator and ``lat`` per radian of longitude (:func:`gnss.receivers.grid.zone_area_m2`), so
    planar area equals ellipsoidal area. Edges are densified first (:data:`DENSIFY_DEG`).

    Parameters
    ----------
    geom : shapely geometry
        Longitude/latitude in degrees.

    Returns
    -------
    shapely geometry
        The same geometry in projected metres.

    Examples
    --------
    >>> import shapely
    >>> round(shapely.area(to_cea(shapely.box(0.0, 0.0, 1.0, 1.0))) / 1e6)
    12308
    """

    def project(c: np.ndarray) -> np.ndarray:
        x = WGS84_A_M * np.radians(c[:, 0])
        y = zone_area_m2(np.radians(c[:, 1])) / WGS84_A_M
        return np.column_stack([x, y])

    return shapely.transform(shapely.segmentize(geom, DENSIFY_DEG), project)
