"""Named regions (``arctic``, ``asia-pacific``, ``northern-sea-route`` ...), each with its source.

Every named region is defined once here, in :data:`NAMED_REGIONS`: a code, a name, the text
of its definition (with the document it comes from) and a function that builds its polygon
from boxes, latitude circles (:mod:`gnss.regions.circles`) and Natural Earth countries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from .boxes import box_geometry
from .circles import ARCTIC_CIRCLE_LAT_DEG, CIRCLES_EPOCH, TROPIC_LAT_DEG
from .countries import NE_SOURCE, land, union_countries
from .geometry import polygonal
from .region import Region

__all__ = ["NAMED_REGIONS", "NamedRegion"]


@dataclass(frozen=True)
class NamedRegion:
    """Definition of a named region: code, name, definition text and geometry builder."""

    code: str
    name: str
    definition: str
    build: Callable[[], BaseGeometry]

    def region(self) -> Region:
        """Return the :class:`Region` (the geometry is built once and cached)."""
        return Region(self.name, self.code, _named_geometry(self.code), self.definition)


def _europe() -> BaseGeometry:
    return shapely.intersection(union_countries(continent="Europe"), shapely.box(-25, 34, 60, 82))


def _nsr() -> BaseGeometry:
    return shapely.difference(box_geometry(66.0, 82.0, 58.0, -170.0), land())


_ARCTIC = ARCTIC_CIRCLE_LAT_DEG
_OBL = (
    f"mean obliquity of the ecliptic at {CIRCLES_EPOCH:%Y-%m-%d}, {TROPIC_LAT_DEG:.4f}° "
    "(IAU 2006 precession, Capitaine et al. 2003; IERS Conventions 2010 eq. 5.40)"
)

_NAMED = (
    NamedRegion(
        "global",
        "Whole Earth",
        "the whole WGS84 ellipsoid",
        lambda: shapely.box(-180, -90, 180, 90),
    ),
    NamedRegion(
        "arctic",
        "Arctic (north of the Arctic Circle)",
        f"latitude >= {_ARCTIC:.4f}° N, the Arctic Circle: 90° minus the {_OBL}",
        lambda: shapely.box(-180, _ARCTIC, 180, 90),
    ),
    NamedRegion(
        "antarctic",
        "Antarctic (south of the Antarctic Circle)",
        f"latitude <= {_ARCTIC:.4f}° S, the Antarctic Circle: 90° minus the {_OBL}",
        lambda: shapely.box(-180, -90, 180, -_ARCTIC),
    ),
    NamedRegion(
        "tropics",
        "Tropics",
        f"|latitude| <= {TROPIC_LAT_DEG:.4f}°, the Tropics of Cancer and Capricorn: the {_OBL}",
        lambda: shapely.box(-180, -TROPIC_LAT_DEG, 180, TROPIC_LAT_DEG),
    ),
    NamedRegion(
        "middle-latitudes-north",
        "Northern middle latitudes",
        "latitude 30° N..60° N, all longitudes (a conventional band, no official source)",
        lambda: shapely.box(-180, 30, 180, 60),
    ),
    NamedRegion(
        "middle-latitudes-south",
        "Southern middle latitudes",
        "latitude 60° S..30° S, all longitudes (a conventional band, no official source)",
        lambda: shapely.box(-180, -60, 180, -30),
    ),
    NamedRegion(
        "asia-pacific",
        "Asia-Pacific (BDS-2 service area)",
        "box 55° S..55° N, 55° E..180° E: the BeiDou-2 regional open-service area as stated "
        "in China's white paper 'China's BeiDou Navigation Satellite System' (State Council "
        "Information Office, June 2016)",
        lambda: shapely.box(55, -55, 180, 55),
    ),
    NamedRegion(
        "northern-sea-route",
        "Northern Sea Route (approximate)",
        "sea area of the box 66° N..82° N, 58° E (Kara Gate) eastwards across the "
        "antimeridian to 170° W (Bering Strait), minus land (Natural Earth 1:110m). An "
        "approximation of the water area of the Northern Sea Route defined in Russian law "
        "(Merchant Shipping Code art. 5.1, Federal Law 132-FZ of 2012), which runs from the "
        "Novaya Zemlya straits and the meridian of Cape Zhelaniya to the Bering Strait",
        _nsr,
    ),
    NamedRegion(
        "russia-china",
        "Russia and China",
        f"union of the Natural Earth polygons RUS and CHN ({NE_SOURCE})",
        lambda: union_countries(["RUS", "CHN"]),
    ),
    NamedRegion(
        "europe",
        "Europe",
        "Natural Earth countries of continent 'Europe' clipped to 25° W..60° E, 34° N..82° N "
        "(drops French Guiana and Russia east of the 60° E meridian, a stand-in for the "
        "Urals)",
        _europe,
    ),
    NamedRegion(
        "north-america",
        "North America",
        "Natural Earth countries of continent 'North America' (includes Greenland, Central "
        "America and the Caribbean)",
        lambda: union_countries(continent="North America"),
    ),
    NamedRegion(
        "south-america",
        "South America",
        "Natural Earth countries of continent 'South America'",
        lambda: union_countries(continent="South America"),
    ),
    NamedRegion(
        "africa",
        "Africa",
        "Natural Earth countries of continent 'Africa'",
        lambda: union_countries(continent="Africa"),
    ),
    NamedRegion(
        "oceania",
        "Oceania",
        "Natural Earth countries of continent 'Oceania' (Australia, New Zealand, Papua New "
        "Guinea, Pacific islands; Fiji is split at the antimeridian)",
        lambda: union_countries(continent="Oceania"),
    ),
)

#: The named regions by code, each with its definition/source.
NAMED_REGIONS: dict[str, NamedRegion] = {n.code: n for n in _NAMED}


@functools.cache
def _named_geometry(code: str) -> BaseGeometry:
    geom = NAMED_REGIONS[code].build()
    geom = polygonal(shapely.make_valid(geom)) if not geom.is_valid else polygonal(geom)
    return geom
