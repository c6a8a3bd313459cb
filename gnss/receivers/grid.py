"""Global latitude/longitude grids on the WGS84 ellipsoid.

Cell centres become receiver points (WGS84 geodetic -> ITRS through skyfield's
``wgs84``); each cell carries its true area on the ellipsoid, used as the
weight of every area statistic.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from skyfield.toposlib import wgs84

from ..constants import WGS84_A_M, WGS84_F
from ..errors import GnssTypeError, ParameterError

WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
WGS84_E = np.sqrt(WGS84_F * (2.0 - WGS84_F))  # first eccentricity


def zone_area_m2(lat_rad: np.ndarray) -> np.ndarray:
    """Area of the ellipsoid between the equator and ``lat_rad`` per radian of longitude.

    Closed form of the integral of b^2 cos(phi) / (1 - e^2 sin^2 phi)^2 dphi
    (the ellipsoidal surface element integrated over latitude).
    """
    s = np.sin(lat_rad)
    e = WGS84_E
    return 0.5 * WGS84_B_M**2 * (s / (1.0 - e**2 * s**2) + np.arctanh(e * s) / e)


def ellipsoid_area_m2() -> float:
    """Total surface area of the WGS84 ellipsoid in square metres."""
    return float(2.0 * np.pi * (zone_area_m2(np.pi / 2) - zone_area_m2(-np.pi / 2)))


#: Finest grid accepted (about 110 m): finer global grids could not be counted in memory;
#: the memory plan (:func:`gnss.coverage.memory.plan_memory_bytes`) refuses far coarser ones.
MIN_RESOLUTION_DEG = 1e-3


@dataclass(frozen=True)
class Grid:
    """A global grid of ``resolution_deg`` cells; points at the cell centres.

    Attributes
    ----------
    resolution_deg : float
        Cell size in latitude and longitude.
    height_m : float
        Receiver height above the ellipsoid.
    """

    resolution_deg: float
    height_m: float = 0.0

    def __post_init__(self):
        r, h = self.resolution_deg, self.height_m
        for name, value in (("resolution_deg", r), ("height_m", h)):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise GnssTypeError(
                    f"Grid {name}: expected a number, got {type(value).__name__} {value!r}"
                )
        if not np.isfinite(r) or r < MIN_RESOLUTION_DEG or r > 90:
            raise ParameterError(
                f"resolution_deg must be in [{MIN_RESOLUTION_DEG:g}, 90] degrees, got {r!r}"
                f" (a {MIN_RESOLUTION_DEG:g} degree global grid already has 6.5e10 cells)"
            )
        n = 180.0 / r
        if abs(n - round(n)) > 1e-9 or abs(360.0 / r - round(360.0 / r)) > 1e-9:
            raise ParameterError(
                f"resolution_deg must divide 180 exactly (e.g. 5, 2, 1, 0.5, 0.25), got {r!r}"
            )
        if not np.isfinite(self.height_m) or not -1.0e4 < self.height_m < 1.0e6:
            raise ParameterError(
                f"height_m must be between -10 km and 1000 km, got {self.height_m!r}"
            )

    @property
    def n_lat(self) -> int:
        """Number of latitude rows."""
        return round(180.0 / self.resolution_deg)

    @property
    def n_lon(self) -> int:
        """Number of longitude columns."""
        return round(360.0 / self.resolution_deg)

    @property
    def n_points(self) -> int:
        """Number of cells (points)."""
        return self.n_lat * self.n_lon

    @cached_property
    def lat_deg(self) -> np.ndarray:
        """Cell-centre latitudes, ascending from the south, shape ``(n_lat,)``."""
        return -90.0 + (np.arange(self.n_lat) + 0.5) * self.resolution_deg

    @cached_property
    def lon_deg(self) -> np.ndarray:
        """Cell-centre longitudes from -180 eastwards, shape ``(n_lon,)``."""
        return -180.0 + (np.arange(self.n_lon) + 0.5) * self.resolution_deg

    @cached_property
    def cell_area_m2(self) -> np.ndarray:
        """True area of each cell on the WGS84 ellipsoid, shape ``(n_lat, n_lon)``."""
        edges = np.radians(np.linspace(-90.0, 90.0, self.n_lat + 1))
        per_rad = np.diff(zone_area_m2(edges))
        row = per_rad * np.radians(self.resolution_deg)
        return np.repeat(row[:, None], self.n_lon, axis=1)

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Receiver points and their geodetic up vectors (row-major lat, lon order).

        Returns
        -------
        points_itrs_m : ndarray, shape (n_points, 3)
            ITRS positions of the cell centres at ``height_m``.
        up : ndarray, shape (n_points, 3)
            Unit normals to the ellipsoid (geodetic up).
        """
        lat, lon = np.meshgrid(self.lat_deg, self.lon_deg, indexing="ij")
        return geodetic_points(lat.ravel(), lon.ravel(), self.height_m)


def geodetic_points(
    lat_deg: np.ndarray, lon_deg: np.ndarray, height_m: float | np.ndarray = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """ITRS positions and geodetic up vectors of WGS84 points.

    Parameters
    ----------
    lat_deg, lon_deg : array_like, shape (n,)
        Geodetic latitude and longitude in degrees.
    height_m : float or array_like
        Height above the ellipsoid in metres.

    Returns
    -------
    points_itrs_m : ndarray, shape (n, 3)
    up : ndarray, shape (n, 3)
    """
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=np.float64))
    height = np.broadcast_to(np.asarray(height_m, dtype=np.float64), lat.shape)
    pos = wgs84.latlon(lat, lon, elevation_m=height).itrs_xyz.m  # (3, n)
    la, lo = np.radians(lat), np.radians(lon)
    up = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)
    return np.ascontiguousarray(pos.T), up
