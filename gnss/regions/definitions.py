"""Regions of interest: countries, named areas, boxes and polygon files, and their cell weights.

A :class:`Region` is a (multi)polygon in WGS84 longitude/latitude degrees (EPSG:4326)
with a code, a name and a text saying where it comes from. Countries come from the
Natural Earth 1:110m polygons shipped with the package (:func:`gnss.regions.borders.borders`);
named regions (``arctic``, ``asia-pacific``, ``northern-sea-route`` ...) are defined once,
with their source, in :data:`NAMED_REGIONS`; :func:`box` and :func:`region_from_file`
make others.

:func:`cell_weights_m2` gives, for a :class:`gnss.Grid`, the true area on the WGS84
ellipsoid of the part of each grid cell that lies inside a region. The polygon is
mapped to the ellipsoidal cylindrical equal-area projection (Lambert, true scale at the
equator, the projection PROJ calls ``+proj=cea +ellps=WGS84``): parallels and meridians
become straight lines, grid cells exact rectangles and the planar area of any shape its
ellipsoidal area. Cells fully inside get ``grid.cell_area_m2`` exactly; cells cut by the
border get the area of their intersection with the polygon (GEOS through shapely 2).

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

import difflib
import functools
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import shapely.validation
from shapely.geometry.base import BaseGeometry

from ..constants import WGS84_A_M
from ..errors import ParameterError
from ..inputfile import MAX_REGION_FILE_BYTES, check_input_file
from ..receivers.grid import Grid, zone_area_m2

__all__ = [
    "NAMED_REGIONS",
    "Region",
    "RegionError",
    "available_regions",
    "box",
    "cell_weights_m2",
    "country",
    "get_region",
    "get_regions",
    "region_from_file",
]

log = logging.getLogger(__name__)

#: Longitude/latitude edges are cut into pieces of at most this length (degrees) before
#: the equal-area projection, so the projected edge follows the lon/lat straight line.
#: The remaining deviation is below 1e-7 of the area for the shipped countries
#: (measured against 0.01-degree densification).
DENSIFY_DEG = 0.1

_TOL_DEG = 1e-9
_BLOCK = 32  # cells per block in the first pass of cell_weights_m2


class RegionError(ParameterError):
    """A region could not be found, read or used (unknown code, bad file, empty area)."""


# --------------------------------------------------------------------------------------
# Astronomical constants of the named latitude circles
# --------------------------------------------------------------------------------------

#: Epoch at which the polar circles and tropics are evaluated (they drift by ~15 m a year).
CIRCLES_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def mean_obliquity_deg(when: datetime = CIRCLES_EPOCH) -> float:
    """Mean obliquity of the ecliptic, IAU 2006 precession (Capitaine et al. 2003).

    ``eps_A = 84381.406" - 46.836769" T - 0.0001831" T^2 + 0.00200340" T^3
    - 5.76e-7" T^4 - 4.34e-8" T^5`` with ``T`` in Julian centuries of TT from J2000.0
    (IERS Conventions 2010, eq. 5.40). UTC is used for TT: the 69 s difference changes
    the result by 1e-11 degree. Nutation (up to ±9.2", ~0.0026°) is not included.

    Examples
    --------
    >>> round(mean_obliquity_deg(), 4)
    23.4359
    """
    j2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)
    t = (when - j2000).total_seconds() / 86400.0 / 36525.0
    arcsec = 84381.406 + t * (
        -46.836769 + t * (-0.0001831 + t * (0.00200340 + t * (-5.76e-7 + t * -4.34e-8)))
    )
    return arcsec / 3600.0


#: Latitude of the Arctic Circle, 90° minus the mean obliquity at :data:`CIRCLES_EPOCH`
#: (66.56410° N for 2026.0; it moves north by about 15 m a year).
ARCTIC_CIRCLE_LAT_DEG = 90.0 - mean_obliquity_deg()
#: Latitude of the Tropic of Cancer (the mean obliquity) at :data:`CIRCLES_EPOCH`.
TROPIC_LAT_DEG = mean_obliquity_deg()


# --------------------------------------------------------------------------------------
# Region
# --------------------------------------------------------------------------------------


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
        return float(shapely.area(_to_cea(self.geometry)))

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
    if x0 < -180 - _TOL_DEG or x1 > 180 + _TOL_DEG or y0 < -90 - _TOL_DEG or y1 > 90 + _TOL_DEG:
        raise RegionError(
            f"{what}: coordinates must be longitude in [-180, 180] and latitude in [-90, 90] "
            f"degrees, got bounds lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g}; projected data must "
            "be reprojected to EPSG:4326 first (region_from_file does), and polygons that "
            "cross the antimeridian must be split there (see gnss.regions.definitions.box)"
        )
    if not shapely.area(geom) > 0:
        raise RegionError(f"{what}: the polygon has zero area")


# --------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------


def _polygonal(geom) -> BaseGeometry:
    """Keep the polygonal parts of ``geom`` (drops the lines/points of a clip result)."""
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return geom
    parts = [
        p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon | shapely.MultiPolygon)
    ]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _as_multipolygon(geom) -> shapely.MultiPolygon:
    geom = _polygonal(geom)
    if isinstance(geom, shapely.Polygon):
        return shapely.MultiPolygon([geom]) if not geom.is_empty else shapely.MultiPolygon()
    return geom


def _shift_lon(geom, offset_deg: float):
    return shapely.transform(geom, lambda c: c + np.array([offset_deg, 0.0]))


def _wrap_to_globe(geom) -> BaseGeometry:
    """Cut ``geom`` at the antimeridian and bring every part into lon [-180, 180].

    Longitudes in 0..360 or continuing past ±180 (e.g. 170..190) are wrapped; the
    latitude is clipped to [-90, 90].
    """
    x0, _, x1, _ = geom.bounds
    if x0 >= -180 - _TOL_DEG and x1 <= 180 + _TOL_DEG:
        return _polygonal(shapely.clip_by_rect(geom, -180.0, -90.0, 180.0, 90.0))
    pieces = []
    k_lo, k_hi = int(np.floor((x0 + 180.0) / 360.0)), int(np.floor((x1 + 180.0) / 360.0))
    for k in range(k_lo, k_hi + 1):
        lo = -180.0 + 360.0 * k
        part = _polygonal(shapely.clip_by_rect(geom, lo, -90.0, lo + 360.0, 90.0))
        if not part.is_empty:
            pieces.append(_shift_lon(part, -360.0 * k))
    if not pieces:
        return shapely.Polygon()
    return _polygonal(shapely.union_all(pieces))


def _unwrap_rings(geom, what: str) -> BaseGeometry:
    """Undo longitude jumps of more than 180° along rings (an antimeridian crossing).

    A ring that goes 179° -> -179° is taken to cross the antimeridian (the short way),
    not to run round the globe. Rings that encircle a pole are refused.
    """
    polys = []
    changed = False
    for poly in shapely.get_parts(geom):
        if not isinstance(poly, shapely.Polygon):
            polys.append(poly)
            continue
        rings = [poly.exterior, *poly.interiors]
        coords = [np.asarray(r.coords) for r in rings]
        if not any(np.any(np.abs(np.diff(c[:, 0])) > 180.0) for c in coords):
            polys.append(poly)
            continue
        changed = True
        out = []
        ref = None
        for c in coords:
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
        polys.append(shapely.Polygon(out[0], out[1:]))
    if not changed:
        return geom
    return shapely.union_all(polys) if len(polys) > 1 else polys[0]


def _to_cea(geom) -> BaseGeometry:
    """Lon/lat degrees -> WGS84 cylindrical equal-area metres (``+proj=cea +ellps=WGS84``).

    ``x = a * lon``, ``y = A(lat) / a`` with ``A(lat)`` the ellipsoid area between the
    equator and ``lat`` per radian of longitude (:func:`gnss.receivers.grid.zone_area_m2`), so
    planar area equals ellipsoidal area. Edges are densified first (:data:`DENSIFY_DEG`).
    """

    def project(c: np.ndarray) -> np.ndarray:
        x = WGS84_A_M * np.radians(c[:, 0])
        y = zone_area_m2(np.radians(c[:, 1])) / WGS84_A_M
        return np.column_stack([x, y])

    return shapely.transform(shapely.segmentize(geom, DENSIFY_DEG), project)


# --------------------------------------------------------------------------------------
# Cell weights
# --------------------------------------------------------------------------------------


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


@functools.lru_cache(maxsize=64)
def _cell_weights_cached(geom: BaseGeometry, resolution_deg: float) -> np.ndarray:
    grid = Grid(resolution_deg)
    w = np.zeros((grid.n_lat, grid.n_lon))
    w.setflags(write=False)
    poly = _polygonal(geom)
    if poly.is_empty:
        return w
    poly = _polygonal(shapely.clip_by_rect(_wrap_to_globe(poly), -180.0, -90.0, 180.0, 90.0))
    if poly.is_empty or not shapely.area(poly) > 0:
        return w
    w = np.zeros((grid.n_lat, grid.n_lon))
    cea = _to_cea(poly)
    x_edges = WGS84_A_M * np.radians(np.linspace(-180.0, 180.0, grid.n_lon + 1))
    y_edges = zone_area_m2(np.radians(np.linspace(-90.0, 90.0, grid.n_lat + 1))) / WGS84_A_M
    full = grid.cell_area_m2[:, 0]
    _, y_lo, _, y_hi = cea.bounds
    i0 = max(0, int(np.searchsorted(y_edges, y_lo, side="right")) - 1)
    i1 = min(grid.n_lat, int(np.searchsorted(y_edges, y_hi, side="left")))
    for i in range(i0, i1):  # one row (a horizontal strip of the projection) at a time
        strip = _polygonal(
            shapely.intersection(
                cea, shapely.box(x_edges[0], y_edges[i], x_edges[-1], y_edges[i + 1])
            )
        )
        if strip.is_empty:
            continue
        sx0, _, sx1, _ = strip.bounds
        j0 = max(0, int(np.searchsorted(x_edges, sx0, side="right")) - 1)
        j1 = min(grid.n_lon, int(np.searchsorted(x_edges, sx1, side="left")))
        shapely.prepare(strip)
        # Blocks of cells first: whole blocks inside or outside skip the per-cell work.
        starts = np.arange(j0, j1, _BLOCK)
        stops = np.minimum(starts + _BLOCK, j1)
        blocks = shapely.box(x_edges[starts], y_edges[i], x_edges[stops], y_edges[i + 1])
        block_in = shapely.contains(strip, blocks)
        block_cut = ~block_in & shapely.intersects(strip, blocks)
        for a, b in zip(starts[block_in], stops[block_in], strict=True):
            w[i, a:b] = full[i]
        if not block_cut.any():
            continue
        cols = np.concatenate(
            [np.arange(a, b) for a, b in zip(starts[block_cut], stops[block_cut], strict=True)]
        )
        cells = shapely.box(x_edges[cols], y_edges[i], x_edges[cols + 1], y_edges[i + 1])
        inside = shapely.contains(strip, cells)
        cut = ~inside & shapely.intersects(strip, cells)
        w[i, cols[inside]] = full[i]
        w[i, cols[cut]] = shapely.area(shapely.intersection(cells[cut], strip))
    w.setflags(write=False)
    return w


# --------------------------------------------------------------------------------------
# Countries (Natural Earth)
# --------------------------------------------------------------------------------------

_NE_SOURCE = (
    "Natural Earth 1:110m Admin 0 - Countries (public domain), shipped as "
    "gnss/data/borders_110m.geojson (see gnss/data/README.md)"
)


@functools.lru_cache(maxsize=1)
def _countries() -> pd.DataFrame:
    from .borders import borders

    b = borders()
    return b.assign(_key=b["iso_a3"].str.upper(), _name=b["name"].str.casefold())


def country(code_or_name: str) -> Region:
    """Return a country of the shipped Natural Earth 1:110m polygons, by ISO A3 code or name.

    Parameters
    ----------
    code_or_name : str
        ISO 3166-1 alpha-3 code (``"RUS"``) or Natural Earth name (``"Russia"``), any case.

    Returns
    -------
    Region
        Code = the ISO A3 code (Natural Earth's own code for the few without one, e.g.
        ``KOS``), name = the Natural Earth name.

    Raises
    ------
    RegionError
        Unknown country; the message lists close matches.

    Examples
    --------
    >>> country("chn").name
    'China'
    >>> country("Russia").code
    'RUS'
    """
    key = str(code_or_name).strip()
    df = _countries()
    hit = df[(df["_key"] == key.upper()) | (df["_name"] == key.casefold())]
    if hit.empty:
        raise RegionError(_unknown_message(key, countries_only=True))
    row = hit.iloc[0]
    return Region(
        name=str(row["name"]),
        code=str(row["iso_a3"]),
        geometry=row.geometry,
        source=f"{_NE_SOURCE}, feature {row['name']!r} ({row['continent']})",
    )


def _union_countries(codes: Iterable[str] = (), continent: str | None = None) -> BaseGeometry:
    df = _countries()
    mask = df["_key"].isin([c.upper() for c in codes])
    if continent is not None:
        mask |= df["continent"] == continent
    return shapely.union_all(df.loc[mask].geometry.values)


@functools.lru_cache(maxsize=1)
def _land() -> BaseGeometry:
    return shapely.union_all(_countries().geometry.values)


# --------------------------------------------------------------------------------------
# Boxes
# --------------------------------------------------------------------------------------


def _box_geometry(lat_min: float, lat_max: float, lon_min: float, lon_max: float):
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
        geometry=_box_geometry(lat_min, lat_max, lon_min, lon_max),
        source=f"latitude/longitude {definition}, edges along parallels and meridians",
    )


# --------------------------------------------------------------------------------------
# Named regions: each defined once, with its source
# --------------------------------------------------------------------------------------


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
    return shapely.intersection(_union_countries(continent="Europe"), shapely.box(-25, 34, 60, 82))


def _nsr() -> BaseGeometry:
    return shapely.difference(_box_geometry(66.0, 82.0, 58.0, -170.0), _land())


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
        f"union of the Natural Earth polygons RUS and CHN ({_NE_SOURCE})",
        lambda: _union_countries(["RUS", "CHN"]),
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
        lambda: _union_countries(continent="North America"),
    ),
    NamedRegion(
        "south-america",
        "South America",
        "Natural Earth countries of continent 'South America'",
        lambda: _union_countries(continent="South America"),
    ),
    NamedRegion(
        "africa",
        "Africa",
        "Natural Earth countries of continent 'Africa'",
        lambda: _union_countries(continent="Africa"),
    ),
    NamedRegion(
        "oceania",
        "Oceania",
        "Natural Earth countries of continent 'Oceania' (Australia, New Zealand, Papua New "
        "Guinea, Pacific islands; Fiji is split at the antimeridian)",
        lambda: _union_countries(continent="Oceania"),
    ),
)

#: The named regions by code, each with its definition/source.
NAMED_REGIONS: dict[str, NamedRegion] = {n.code: n for n in _NAMED}


@functools.cache
def _named_geometry(code: str) -> BaseGeometry:
    geom = NAMED_REGIONS[code].build()
    geom = _polygonal(shapely.make_valid(geom)) if not geom.is_valid else _polygonal(geom)
    return geom


# --------------------------------------------------------------------------------------
# Lookup
# --------------------------------------------------------------------------------------


def _unknown_message(key: str, countries_only: bool = False) -> str:
    df = _countries()
    named = [] if countries_only else list(NAMED_REGIONS)
    codes = named + df["iso_a3"].tolist()
    names = df["name"].tolist()
    folded = {c.casefold(): c for c in codes} | {n.casefold(): n for n in names}
    k = key.casefold()
    close = difflib.get_close_matches(k, list(folded), n=6, cutoff=0.6)
    close += [f for f in folded if len(k) >= 3 and k in f and f not in close]
    by_name = dict(zip(df["name"], df["iso_a3"], strict=True))
    shown = []
    for f in close[:8]:
        orig = folded[f]
        shown.append(f"{by_name[orig]} ({orig})" if orig in by_name else orig)
    what = "country" if countries_only else "region"
    others = (
        "" if countries_only else ", a named region, box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX or a file"
    )
    hint = f"; did you mean {', '.join(dict.fromkeys(shown))}?" if shown else ""
    return (
        f"unknown {what} {key!r}: expected an ISO 3166-1 alpha-3 code or Natural Earth country "
        f"name{others}"
        f"{hint} (`gnss regions --search TEXT` lists what is available)"
    )


_FILE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".kml", ".gml", ".zip")


def get_region(text: str) -> Region:
    """One region from its code: a named region, a country, a box or a polygon file.

    Parameters
    ----------
    text : str
        A named region code (``arctic``, see :data:`NAMED_REGIONS`), an ISO A3 code or
        country name (case-insensitive), ``box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX`` in degrees,
        or the path of a polygon file (its features dissolved into one region).

    Returns
    -------
    Region

    Raises
    ------
    RegionError
        Unknown code (with close matches) or a bad box/file.

    Examples
    --------
    >>> get_region("Arctic").code
    'arctic'
    >>> get_region("box:-10:10:170:-170").name
    'box 10°S..10°N, 170°E..170°W (across the antimeridian)'
    """
    key = str(text).strip()
    if not key:
        raise RegionError("empty region code; give e.g. RUS, arctic or box:60:90:-180:180")
    if key.casefold() in NAMED_REGIONS:
        return NAMED_REGIONS[key.casefold()].region()
    if key.casefold().startswith("box:"):
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
                f"bad box {key!r}: the four bounds must be numbers in degrees, "
                "e.g. box:50:70:170:-170"
            ) from None
        return box(*nums)
    if key.lower().endswith(_FILE_SUFFIXES):
        return region_from_file(key, dissolve=True)[0]
    df = _countries()
    if ((df["_key"] == key.upper()) | (df["_name"] == key.casefold())).any():
        return country(key)
    if Path(key).is_file():
        return region_from_file(key, dissolve=True)[0]
    raise RegionError(_unknown_message(key))


def get_regions(text: str | Iterable[str | Region]) -> list[Region]:
    """Regions from a comma-separated list such as ``"RUS,CHN,arctic,asia-pacific"``.

    Parameters
    ----------
    text : str or iterable
        Comma-separated codes (see :func:`get_region`), or an iterable of codes and
        :class:`Region` objects.

    Returns
    -------
    list of Region
        In the order given.

    Raises
    ------
    RegionError
        An unknown code, an empty list, or the same region twice.

    Examples
    --------
    >>> [r.code for r in get_regions("rus, China ,arctic")]
    ['RUS', 'CHN', 'arctic']
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    regions = [it if isinstance(it, Region) else get_region(it) for it in items if str(it).strip()]
    if not regions:
        raise RegionError(f"no regions in {text!r}; give e.g. global,RUS,CHN,arctic")
    seen: dict[str, int] = {}
    for r in regions:
        seen[r.code] = seen.get(r.code, 0) + 1
    twice = [c for c, n in seen.items() if n > 1]
    if twice:
        raise RegionError(f"region(s) {', '.join(twice)} listed more than once in {text!r}")
    return regions


def available_regions(search: str | None = None) -> pd.DataFrame:
    """Named regions and countries that :func:`get_regions` knows.

    Parameters
    ----------
    search : str, optional
        Keep the rows whose code, name, continent or definition contains this text
        (case-insensitive).

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (``named`` or ``country``), ``code``, ``name``, ``continent``,
        ``definition``; named regions first, then countries by name.

    Examples
    --------
    >>> df = available_regions("china")
    >>> df[["kind", "code"]].values.tolist()
    [['named', 'asia-pacific'], ['named', 'russia-china'], ['country', 'CHN']]
    """
    rows = [
        {
            "kind": "named",
            "code": n.code,
            "name": n.name,
            "continent": "",
            "definition": n.definition,
        }
        for n in _NAMED
    ]
    df = _countries().sort_values("name")
    rows += [
        {
            "kind": "country",
            "code": r.iso_a3,
            "name": r.name,
            "continent": r.continent,
            "definition": "Natural Earth 1:110m admin-0 polygon",
        }
        for r in df.itertuples()
    ]
    out = pd.DataFrame(rows, columns=["kind", "code", "name", "continent", "definition"])
    if search:
        s = search.casefold()
        hay = out[["code", "name", "continent", "definition"]].apply(
            lambda col: col.str.casefold().str.contains(s, regex=False)
        )
        out = out[hay.any(axis=1)]
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def _declared_geojson_crs(path: Path):
    """Return the legacy ``crs`` member of a GeoJSON file (GDAL silently ignores bad ones)."""
    if path.suffix.lower() not in (".geojson", ".json") or path.stat().st_size > 256 * 2**20:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # GDAL will say what is wrong
    crs = doc.get("crs") if isinstance(doc, dict) else None
    if crs is None:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    props = crs.get("properties", {}) if isinstance(crs, dict) else {}
    name = props.get("name") if isinstance(props, dict) else None
    try:
        if not isinstance(name, str):
            raise CRSError(f"no CRS name in {crs!r}")
        return CRS.from_user_input(name)
    except CRSError as exc:
        raise RegionError(
            f"{path}: unknown CRS {json.dumps(crs)} in the GeoJSON 'crs' member ({exc}). "
            "GeoJSON (RFC 7946) is longitude/latitude WGS84: remove the 'crs' member if the "
            "coordinates are lon/lat degrees, or name a real CRS such as "
            "'urn:ogc:def:crs:EPSG::3857'"
        ) from None


def region_from_file(
    path: str | Path,
    name_field: str | None = None,
    *,
    dissolve: bool = False,
    layer: str | None = None,
    assume_crs: str | None = None,
    make_valid: bool = False,
) -> list[Region]:
    """Regions from a polygon file (GeoJSON, GeoPackage, Shapefile, anything GDAL reads).

    Parameters
    ----------
    path : path
        The file.
    name_field : str, optional
        Attribute that names each feature; by default a ``name`` field (any case) when
        there is one, else ``<file stem> #<feature number>``.
    dissolve : bool
        Return one region, the union of all features (code and name = file stem).
    layer : str, optional
        Layer of a multi-layer file (GeoPackage); required when there are several.
    assume_crs : str, optional
        CRS to assume when the file declares none (e.g. ``"EPSG:4326"`` for a shapefile
        without ``.prj`` whose coordinates are lon/lat degrees).
    make_valid : bool
        Repair invalid polygons with :func:`shapely.make_valid` instead of refusing them.

    Returns
    -------
    list of Region
        One per feature (or one when ``dissolve``), reprojected to EPSG:4326 and split at
        the antimeridian.

    Raises
    ------
    RegionError
        Unreadable or empty file, missing or unknown CRS, a feature that is not a valid
        polygon (the message names it and explains why), or unknown ``name_field``.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "zones.geojson"
    >>> ring = [[170, 60], [-170, 60], [-170, 65], [170, 65], [170, 60]]
    >>> feature = {"type": "Feature", "properties": {"name": "Bering"},
    ...            "geometry": {"type": "Polygon", "coordinates": [ring]}}
    >>> _ = p.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    >>> (r,) = region_from_file(p)
    >>> r.code, r.geometry.bounds
    ('Bering', (-180.0, 60.0, 180.0, 65.0))
    """
    import geopandas
    import pyogrio
    from pyproj.exceptions import CRSError, ProjError

    path = Path(path)
    if not path.exists():
        raise RegionError(f"region file {path} does not exist")
    # A FIFO or device would block GDAL; a folder of shapefiles is fine.
    check_input_file(
        path, what="region file", max_bytes=MAX_REGION_FILE_BYTES, error=RegionError,
        allow_dir=True,
    )  # fmt: skip
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError (a RuntimeError)
        raise RegionError(
            f"cannot read region file {path}: {exc}. Expected a vector file GDAL reads "
            "(GeoJSON, GeoPackage, Shapefile ...)"
        ) from None
    if layer is None and len(layers) > 1:
        raise RegionError(
            f"{path} holds {len(layers)} layers ({', '.join(str(x) for x in layers[:, 0])}); "
            "choose one with layer="
        )
    declared = _declared_geojson_crs(path)
    try:
        gdf = geopandas.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:
        raise RegionError(f"cannot read region file {path}: {exc}") from None
    if len(gdf) == 0:
        raise RegionError(f"region file {path} holds no features; expected polygons")
    if declared is not None:
        gdf = gdf.set_crs(declared, allow_override=True)
    if gdf.crs is None:
        if assume_crs is None:
            raise RegionError(
                f"region file {path} has no coordinate reference system (CRS)"
                + (" - its .prj file is missing" if path.suffix.lower() == ".shp" else "")
                + "; add one (e.g. write the .prj, or gdf.set_crs('EPSG:4326').to_file(...)), "
                "or pass assume_crs='EPSG:4326' if the coordinates are lon/lat degrees"
            )
        gdf = gdf.set_crs(assume_crs)

    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if name_field is not None and name_field not in columns:
        raise RegionError(
            f"{path}: no field {name_field!r}; the fields are {', '.join(columns) or '(none)'}"
        )
    if name_field is None:
        name_field = next((c for c in columns if c.casefold() == "name"), None)

    def label(i: int) -> str:
        if name_field is not None and pd.notna(gdf[name_field].iloc[i]):
            return f"feature {i} ({name_field}={gdf[name_field].iloc[i]!r})"
        return f"feature {i}"

    geoms = list(gdf.geometry.values)
    for i, g in enumerate(geoms):
        where = f"{path}, {label(i)}"
        if g is None or g.is_empty:
            raise RegionError(f"{where}: empty geometry; remove the feature or give it a polygon")
        if not isinstance(g, shapely.Polygon | shapely.MultiPolygon):
            raise RegionError(
                f"{where}: a {g.geom_type} has no area; region files must hold polygons"
            )
        if not g.is_valid:
            if make_valid:
                geoms[i] = _polygonal(shapely.make_valid(g))
                if geoms[i].is_empty:
                    raise RegionError(f"{where}: nothing polygonal is left after make_valid")
                continue
            raise RegionError(
                f"{where}: invalid polygon: {shapely.validation.explain_validity(g)}. Repair it "
                "(shapely.make_valid, GeoSeries.make_valid(), QGIS 'Fix geometries') or pass "
                "make_valid=True"
            )
    gdf = gdf.set_geometry(geopandas.GeoSeries(geoms, crs=gdf.crs))
    if not gdf.crs.equals("EPSG:4326"):
        try:
            gdf = gdf.to_crs("EPSG:4326")
        except (CRSError, ProjError, ValueError) as exc:
            raise RegionError(
                f"{path}: cannot transform from its CRS {gdf.crs.to_string()!r} to "
                f"EPSG:4326 lon/lat: {exc}"
            ) from None
        if not np.all(np.isfinite(gdf.total_bounds)):
            raise RegionError(
                f"{path}: transforming from {gdf.crs.to_string()!r} to EPSG:4326 gave "
                "non-finite coordinates; check the file's CRS"
            )
    x0, y0, x1, y1 = gdf.total_bounds
    if y0 < -90 - 1e-6 or y1 > 90 + 1e-6 or x0 < -180 - 1e-6 or x1 > 360 + 1e-6:
        raise RegionError(
            f"{path}: coordinates lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g} are not degrees although "
            f"the CRS says {gdf.crs.to_string()}; the file's CRS is probably wrong (projected "
            "metres labelled as lon/lat?)"
        )

    stem = re.sub(r"[^\w.+-]+", "_", path.stem).strip("_")
    if not re.match(r"[A-Za-z0-9]", stem):
        stem = f"file-{stem}".rstrip("-")
    source = f"file {path}" + (f", layer {layer}" if layer else "")
    fixed = []
    for i, g in enumerate(gdf.geometry.values):
        g = _wrap_to_globe(_unwrap_rings(g, f"{path}, {label(i)}"))
        if not g.is_valid:
            g = _polygonal(shapely.make_valid(g))
        fixed.append(g)
    if dissolve:
        geom = _polygonal(shapely.union_all(fixed))
        return [Region(stem, stem, geom, f"{source} ({len(fixed)} features dissolved)")]
    regions, used = [], set()
    for i, g in enumerate(fixed):
        named = name_field is not None and pd.notna(gdf[name_field].iloc[i])
        name = str(gdf[name_field].iloc[i]) if named else f"{stem} #{i}"
        code = re.sub(r"[^\w.+-]+", "_", name).strip("_") or f"{stem}-{i}"
        if code in used or not re.match(r"[A-Za-z0-9]", code):
            code = f"{stem}-{i}"
        used.add(code)
        regions.append(Region(name, code, g, f"{source}, {label(i)}"))
    return regions
