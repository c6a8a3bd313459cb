"""Regions of interest: countries, named areas, boxes and polygon files, and their cell weights.

The one import path for the region names the rest of the package uses; each lives in a
module about one thing:

- :mod:`gnss.regions.region`: the :class:`Region` type and :class:`RegionError`;
- :mod:`gnss.regions.countries`: countries of the shipped Natural Earth 1:110m polygons
  (:func:`gnss.regions.borders.borders`), :func:`country`;
- :mod:`gnss.regions.named`: the named regions (``arctic``, ``asia-pacific``,
  ``northern-sea-route`` ...), each defined once, with its source, in :data:`NAMED_REGIONS`;
  their latitude circles come from :mod:`gnss.regions.circles`;
- :mod:`gnss.regions.boxes`: latitude/longitude boxes, :func:`box`;
- :mod:`gnss.regions.files`: polygon files, :func:`region_from_file` (their CRS:
  :mod:`gnss.regions.filecrs`);
- :mod:`gnss.regions.lookup`: regions from codes, :func:`get_region`, :func:`get_regions`,
  :func:`available_regions`;
- :mod:`gnss.regions.weights`: :func:`cell_weights_m2`, the true area on the WGS84 ellipsoid
  of the part of each grid cell inside a region, computed in the equal-area projection of
  :mod:`gnss.regions.projection`; :mod:`gnss.regions.geometry` repairs polygons and splits
  them at the antimeridian.

Edge convention: a polygon edge is a straight line in longitude/latitude (as in GeoJSON,
RFC 7946 §3.1.1, and as the maps draw it), so a box edge follows its parallel. Edges are
densified every :data:`DENSIFY_DEG` before projection so the projected polygon follows the
longitude/latitude straight line. Because the cells partition the projected plane exactly,
the sum of the weights equals the polygon's area at every grid resolution. Geodesic edges
(pyproj ``Geod.geometry_area_perimeter``) enclose a slightly different area: for Natural
Earth 1:110m countries the difference is ~1e-4 relative (measured: Russia +8.6e-5,
China -2.8e-5, USA -1.0e-4; see ``tests/test_regions.py``).

Polygons crossing the antimeridian must be split there, as Natural Earth does (Russia and
Fiji are multipolygons with parts ending on ±180°); :func:`box` and
:func:`region_from_file` do the split for you.
"""

from __future__ import annotations

from .boxes import box
from .circles import ARCTIC_CIRCLE_LAT_DEG, CIRCLES_EPOCH, TROPIC_LAT_DEG, mean_obliquity_deg
from .countries import country
from .files import region_from_file
from .lookup import available_regions, get_region, get_regions
from .named import NAMED_REGIONS, NamedRegion
from .projection import DENSIFY_DEG
from .region import Region, RegionError
from .weights import cell_weights_m2

__all__ = [
    "ARCTIC_CIRCLE_LAT_DEG",
    "CIRCLES_EPOCH",
    "DENSIFY_DEG",
    "NAMED_REGIONS",
    "TROPIC_LAT_DEG",
    "NamedRegion",
    "Region",
    "RegionError",
    "available_regions",
    "box",
    "cell_weights_m2",
    "country",
    "get_region",
    "get_regions",
    "mean_obliquity_deg",
    "region_from_file",
]
