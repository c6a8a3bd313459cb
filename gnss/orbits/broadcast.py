"""Broadcast-ephemeris algorithms: Keplerian records (GPS, Galileo, BeiDou, QZSS) and GLONASS.

* GPS, Galileo, QZSS and BeiDou MEO/IGSO: the Keplerian algorithm of
  IS-GPS-200 (Table 20-IV) with each system's constants; BeiDou GEO
  (inclination < 15 deg) adds the rotation of BDS-SIS-ICD-B1I 3.0 section
  5.2.4.12 (R_Z(omega_e t_k) R_X(-5 deg)). ``georinex.keplerian.keplerian2ecef``
  is not used: it makes a single fixed-point step of Kepler's equation
  (kilometre errors at GPS eccentricities of ~0.01), takes the Galileo week
  as GPS week + 1024 (RINEX 3 gives the GPS-aligned week, so it is off by
  1024 weeks) and rejects BeiDou.
* GLONASS: the PZ-90 state vector (position, velocity, luni-solar
  acceleration) is integrated with fourth-order Runge-Kutta under the
  equations of motion of the GLONASS ICD ed. 5.1, section A.3.1.2 (central
  field, J2, rotating-frame terms), steps of at most 60 s.

Both work on arrays of record fields as georinex names them; no file is read here.
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import (
    BDS_EARTH_ROTATION_RATE_RAD_PER_S,
    BDS_GM_M3_S2,
    GALILEO_GM_M3_S2,
    GPS_GM_M3_S2,
    PZ90_A_M,
    PZ90_EARTH_ROTATION_RATE_RAD_PER_S,
    PZ90_GM_M3_S2,
    PZ90_J2,
    WGS84_EARTH_ROTATION_RATE_RAD_PER_S,
)

# Keplerian constants: (GM m^3/s^2, Earth rotation rad/s).
_KEPLER_CONSTANTS = {
    "G": (GPS_GM_M3_S2, WGS84_EARTH_ROTATION_RATE_RAD_PER_S),  # IS-GPS-200 20.3.3.4.3 (WGS84)
    "J": (GPS_GM_M3_S2, WGS84_EARTH_ROTATION_RATE_RAD_PER_S),  # IS-QZSS-PNT (as GPS)
    "E": (GALILEO_GM_M3_S2, WGS84_EARTH_ROTATION_RATE_RAD_PER_S),  # Galileo OS SIS ICD 5.1.1
    "C": (BDS_GM_M3_S2, BDS_EARTH_ROTATION_RATE_RAD_PER_S),  # BDS-SIS-ICD-B1I 3.0 (CGCS2000)
}
#: BeiDou GEO: inclination below this (rad) selects the GEO algorithm (GEO ~0-5 deg,
#: IGSO/MEO 55 deg).
_BDS_GEO_MAX_INCLINATION_RAD = math.radians(15.0)

# GLONASS ICD ed. 5.1 (2008) A.3.1.2 / PZ-90.11 constants.
_GLO_GM = PZ90_GM_M3_S2  # m^3/s^2
_GLO_AE = PZ90_A_M  # m
_GLO_J2 = PZ90_J2  # second zonal harmonic (-C20)
_GLO_OMEGA = PZ90_EARTH_ROTATION_RATE_RAD_PER_S  # rad/s
_GLO_MAX_STEP_S = 60.0


def kepler_position(system: str, rec: dict[str, np.ndarray], tk: np.ndarray) -> np.ndarray:
    """Earth-fixed position from Keplerian broadcast elements (IS-GPS-200 Table 20-IV).

    Parameters
    ----------
    system : {"G", "E", "C", "J"}
        Selects the constants; BeiDou records with inclination < 15 deg use the
        GEO rotation of BDS-SIS-ICD-B1I 3.0 section 5.2.4.12.
    rec : dict of ndarray, shape (n,)
        Record fields as georinex names them (``sqrtA``, ``DeltaN``, ``M0``, ...,
        ``Toe`` in seconds of the week).
    tk : ndarray, shape (n,)
        Time since ``t_oe`` in seconds.

    Returns
    -------
    ndarray, shape (n, 3)
        Metres in the system's Earth-fixed frame.

    Examples
    --------
    A circular orbit of radius a stays at radius a:

    >>> a = 26_560e3
    >>> rec = {"sqrtA": np.array([a**0.5]), "M0": np.array([0.3]), "Eccentricity": np.array([0.0]),
    ...        "omega": np.array([0.0]), "Omega0": np.array([1.0]), "Io": np.array([0.96]),
    ...        "Toe": np.array([0.0])}
    >>> r = kepler_position("G", rec, np.array([3600.0]))
    >>> round(float(np.linalg.norm(r)) / a, 12)
    1.0
    """
    gm, omega_e = _KEPLER_CONSTANTS[system]
    a = rec["sqrtA"] ** 2
    n = np.sqrt(gm / a**3) + rec.get("DeltaN", 0.0)
    m = rec["M0"] + n * tk
    e = rec["Eccentricity"]
    ek = m.copy()
    for _ in range(30):  # Newton on E - e sin E = M; converges in < 5 steps for e < 0.1
        ek = ek - (ek - e * np.sin(ek) - m) / (1.0 - e * np.cos(ek))
    nu = np.arctan2(np.sqrt(1.0 - e**2) * np.sin(ek), np.cos(ek) - e)
    phi = nu + rec["omega"]
    s2, c2 = np.sin(2 * phi), np.cos(2 * phi)
    u = phi + rec.get("Cus", 0.0) * s2 + rec.get("Cuc", 0.0) * c2
    r = a * (1.0 - e * np.cos(ek)) + rec.get("Crs", 0.0) * s2 + rec.get("Crc", 0.0) * c2
    inc = rec["Io"] + rec.get("Cis", 0.0) * s2 + rec.get("Cic", 0.0) * c2
    inc = inc + rec.get("IDOT", 0.0) * tk
    xp, yp = r * np.cos(u), r * np.sin(u)
    omega_dot = rec.get("OmegaDot", 0.0)
    geo = system == "C" and np.asarray(rec["Io"]) < _BDS_GEO_MAX_INCLINATION_RAD
    geo = np.broadcast_to(geo, tk.shape)
    # MEO/IGSO: node in the Earth-fixed frame; GEO: in the ICD's inertial-like frame.
    big_omega = rec["Omega0"] + omega_dot * tk - omega_e * rec["Toe"]
    big_omega = np.where(geo, big_omega, big_omega - omega_e * tk)
    co, so, ci, si = np.cos(big_omega), np.sin(big_omega), np.cos(inc), np.sin(inc)
    x = xp * co - yp * ci * so
    y = xp * so + yp * ci * co
    z = yp * si
    if geo.any():
        # [X Y Z] = R_Z(omega_e tk) R_X(-5 deg) [XG YG ZG]; R_X(f) = [[1,0,0],[0,c,s],[0,-s,c]],
        # R_Z(f) = [[c,s,0],[-s,c,0],[0,0,1]] (BDS-SIS-ICD-B1I 3.0, 5.2.4.12).
        f = math.radians(-5.0)
        y1 = y * math.cos(f) + z * math.sin(f)
        z1 = -y * math.sin(f) + z * math.cos(f)
        cz, sz = np.cos(omega_e * tk), np.sin(omega_e * tk)
        xg = x * cz + y1 * sz
        yg = -x * sz + y1 * cz
        x, y, z = np.where(geo, xg, x), np.where(geo, yg, y), np.where(geo, z1, z)
    return np.stack([x, y, z], axis=-1)


def _glonass_derivative(r: np.ndarray, v: np.ndarray, acc_ls: np.ndarray) -> np.ndarray:
    """Acceleration in PZ-90 (rotating), GLONASS ICD ed. 5.1 A.3.1.2; arrays (n, 3)."""
    x, y, z = r[:, 0], r[:, 1], r[:, 2]
    rr2 = x * x + y * y + z * z
    rr = np.sqrt(rr2)
    mu = _GLO_GM / (rr2 * rr)
    c = 1.5 * _GLO_J2 * _GLO_GM * _GLO_AE**2 / rr2**2 / rr
    z5 = 5.0 * z * z / rr2
    w2 = _GLO_OMEGA**2
    ax = -mu * x - c * x * (1.0 - z5) + w2 * x + 2.0 * _GLO_OMEGA * v[:, 1] + acc_ls[:, 0]
    ay = -mu * y - c * y * (1.0 - z5) + w2 * y - 2.0 * _GLO_OMEGA * v[:, 0] + acc_ls[:, 1]
    az = -mu * z - c * z * (3.0 - z5) + acc_ls[:, 2]
    return np.stack([ax, ay, az], axis=1)


def glonass_position(rec: dict[str, np.ndarray], dt: np.ndarray) -> np.ndarray:
    """Integrate GLONASS broadcast state vectors by ``dt`` seconds (RK4, steps <= 60 s).

    Parameters
    ----------
    rec : dict of ndarray, shape (n,)
        ``X, Y, Z`` (m), ``dX, dY, dZ`` (m/s), ``dX2, dY2, dZ2`` (m/s^2, luni-solar
        accelerations, held constant as the ICD prescribes), PZ-90 at ``t_b``.
    dt : ndarray, shape (n,)
        Seconds from ``t_b`` (either sign).

    Returns
    -------
    ndarray, shape (n, 3)
        PZ-90 positions in metres.

    Examples
    --------
    >>> rec = {k: np.array([v]) for k, v in dict(
    ...     X=-15786536.6, Y=15640804.2, Z=12606403.8, dX=984.3, dY=-1415.6, dZ=2993.9,
    ...     dX2=0.0, dY2=0.0, dZ2=0.0).items()}
    >>> r = glonass_position(rec, np.array([0.0, 900.0]))
    >>> r[0].tolist() == [-15786536.6, 15640804.2, 12606403.8]
    True
    >>> 25_400e3 < float(np.linalg.norm(r[1])) < 25_600e3
    True
    """
    r = np.stack([rec["X"], rec["Y"], rec["Z"]], axis=1).astype(np.float64)
    v = np.stack([rec["dX"], rec["dY"], rec["dZ"]], axis=1).astype(np.float64)
    acc = np.stack([rec["dX2"], rec["dY2"], rec["dZ2"]], axis=1).astype(np.float64)
    dt = np.asarray(dt, dtype=np.float64)
    n_steps = max(1, math.ceil(float(np.max(np.abs(dt), initial=0.0)) / _GLO_MAX_STEP_S))
    h = (dt / n_steps)[:, None]
    for _ in range(n_steps):
        k1r, k1v = v, _glonass_derivative(r, v, acc)
        k2r, k2v = v + 0.5 * h * k1v, _glonass_derivative(r + 0.5 * h * k1r, v + 0.5 * h * k1v, acc)
        k3r, k3v = v + 0.5 * h * k2v, _glonass_derivative(r + 0.5 * h * k2r, v + 0.5 * h * k2v, acc)
        k4r, k4v = v + h * k3v, _glonass_derivative(r + h * k3r, v + h * k3v, acc)
        r = r + h / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r)
        v = v + h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return r
