"""Look angles: azimuth and elevation of satellites seen from a place on the WGS84 ellipsoid.

The local frame is the site's geodetic east-north-up frame (up: the ellipsoid normal, as the
kernels' visibility test uses it); azimuth counts clockwise from north (east = 90 deg), as
skyfield's ``altaz`` and every sky plot do.
"""

from __future__ import annotations

import numpy as np

from .grid import geodetic_points


def enu_rows(lat_deg, lon_deg) -> np.ndarray:
    """Rows east, north, up of the geodetic local frame at a place, shape (..., 3, 3).

    ``lat_deg``/``lon_deg`` scalars give one (3, 3) frame, arrays of shape (n,) one per place.
    """
    la, lo = np.radians(np.asarray(lat_deg, float)), np.radians(np.asarray(lon_deg, float))
    sl, cl, so, co = np.sin(la), np.cos(la), np.sin(lo), np.cos(lo)
    rows = ((-so, co, np.zeros_like(so)), (-sl * co, -sl * so, cl), (cl * co, cl * so, sl))
    return np.stack([np.stack(r, axis=-1) for r in rows], axis=-2)


def enu_angles_deg(enu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth in [0, 360) clockwise from north and elevation (deg) of ENU vectors (..., 3)."""
    east, north, up = enu[..., 0], enu[..., 1], enu[..., 2]
    el_deg = np.degrees(np.arctan2(up, np.hypot(east, north)))
    az_deg = np.degrees(np.arctan2(east, north)) % 360.0
    az_deg[az_deg >= 360.0] = 0.0  # -1e-17 % 360 rounds to 360
    return az_deg, el_deg


def look_angles_deg(
    positions_itrs_m: np.ndarray, lat_deg: float, lon_deg: float, height_m: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth and elevation of satellites from a site, in degrees.

    Parameters
    ----------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        Satellite ITRS positions in metres (NaN where not available).
    lat_deg, lon_deg : float
        Geodetic latitude and longitude of the site in degrees.
    height_m : float
        Height above the WGS84 ellipsoid in metres.

    Returns
    -------
    az_deg : ndarray, shape (n_times, n_sats)
        Azimuth in [0, 360), clockwise from north; NaN where the position is NaN.
    el_deg : ndarray, shape (n_times, n_sats)
        Elevation above the geodetic horizon in [-90, 90]; NaN where the position is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from gnss.receivers.grid import geodetic_points
    >>> p, u = geodetic_points([0.0], [0.0])
    >>> overhead = (p[0] + 2.0e7 * u[0]).reshape(1, 1, 3)
    >>> az, el = look_angles_deg(overhead, 0.0, 0.0)
    >>> round(float(el[0, 0]), 9)
    90.0
    """
    pos = np.asarray(positions_itrs_m, dtype=np.float64)
    point, _ = geodetic_points([lat_deg], [lon_deg], height_m)
    enu = (pos - point[0]) @ enu_rows(lat_deg, lon_deg).T  # (n_times, n_sats, 3)
    return enu_angles_deg(enu)
