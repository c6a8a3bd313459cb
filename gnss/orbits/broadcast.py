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

#: Record fields the algorithms read (georinex names): GLONASS state vectors, Keplerian
#: elements (the harmonic and rate terms count as 0 where a record lacks them).
GLONASS_FIELDS = ("X", "Y", "Z", "dX", "dY", "dZ", "dX2", "dY2", "dZ2")
KEPLER_FIELDS = (
    "sqrtA", "DeltaN", "M0", "Eccentricity", "omega", "Cus", "Cuc", "Crs", "Crc", "Cis", "Cic",
    "Io", "IDOT", "Omega0", "OmegaDot", "Toe",
)  # fmt: skip

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
#: Newton iterations on Kepler's equation: at most this many, stopped once a step is below
#: the tolerance; the error left is then below e/(2(1-e)) tol^2 < 1e-18 rad (quadratic
#: convergence), far below a micrometre along any GNSS orbit.
_KEPLER_MAX_ITER = 30
_KEPLER_TOL_RAD = 1e-9
#: Angles below this (rad) are added by a Taylor rotation (cos: 1 - x^2/2, error x^4/24 <
#: 5e-18; sin: x - x^3/6, error < 1e-22) instead of new sines and cosines: the harmonic
#: corrections and IDOT * t_k are ~1e-5 rad or less; larger ones take np.cos/np.sin.
_SMALL_ANGLE_RAD = 1e-4


def kepler_position(
    system: str, rec: dict[str, np.ndarray], tk: np.ndarray, record: np.ndarray | None = None
) -> np.ndarray:
    """Earth-fixed position from Keplerian broadcast elements (IS-GPS-200 Table 20-IV).

    The algorithm of the ICD, arranged to take few sines and cosines per time (numpy
    sines cost ~30 ns an element, the rest ~1 ns): the Newton iteration of Kepler's
    equation carries sin E and cos E along, the true anomaly and the argument of
    latitude come from them algebraically, and the small harmonic corrections of the
    argument of latitude and the inclination are added as rotations. Positions agree
    with the textbook evaluation to well below a millimetre (tested).

    Parameters
    ----------
    system : {"G", "E", "C", "J"}
        Selects the constants; BeiDou records with inclination < 15 deg use the
        GEO rotation of BDS-SIS-ICD-B1I 3.0 section 5.2.4.12.
    rec : dict of ndarray, shape (n_rec,)
        Record fields as georinex names them (``sqrtA``, ``DeltaN``, ``M0``, ...,
        ``Toe`` in seconds of the week); missing harmonic/rate fields count as 0.
    tk : ndarray, shape (n,)
        Time since ``t_oe`` in seconds.
    record : ndarray of int, shape (n,), optional
        Row of ``rec`` of each time; default: row i for time i (``n_rec == n``).

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
    tk = np.asarray(tk, dtype=np.float64)
    row = np.arange(tk.size) if record is None else np.asarray(record)

    shape = np.shape(rec["sqrtA"])

    def at(per_record) -> np.ndarray:  # per-record values -> per time
        return np.broadcast_to(np.asarray(per_record, dtype=np.float64), shape)[row]

    def get(key: str) -> np.ndarray:
        return at(rec.get(key, 0.0))

    a_rec = np.asarray(rec["sqrtA"], dtype=np.float64) ** 2
    e = get("Eccentricity")
    m = get("M0") + (at(np.sqrt(gm / a_rec**3)) + get("DeltaN")) * tk
    sin_e, cos_e = _solve_kepler(m, e)
    den = 1.0 - e * cos_e
    sin_nu, cos_nu = np.sqrt(1.0 - e * e) * sin_e / den, (cos_e - e) / den
    cw, sw = at(np.cos(rec["omega"])), at(np.sin(rec["omega"]))
    sin_phi, cos_phi = sin_nu * cw + cos_nu * sw, cos_nu * cw - sin_nu * sw  # phi = nu + omega
    s2, c2 = 2.0 * sin_phi * cos_phi, cos_phi * cos_phi - sin_phi * sin_phi
    cos_u, sin_u = _rotated(cos_phi, sin_phi, get("Cus") * s2 + get("Cuc") * c2)
    r = at(a_rec) * den + get("Crs") * s2 + get("Crc") * c2
    di = get("Cis") * s2 + get("Cic") * c2 + get("IDOT") * tk
    io = np.asarray(rec["Io"], dtype=np.float64)
    ci, si = _rotated(at(np.cos(io)), at(np.sin(io)), di)
    xp, yp = r * cos_u, r * sin_u
    geo = np.broadcast_to((system == "C") & (io < _BDS_GEO_MAX_INCLINATION_RAD), shape)[row]
    # MEO/IGSO: node in the Earth-fixed frame; GEO: in the ICD's inertial-like frame.
    big_omega = at(rec["Omega0"] - omega_e * np.asarray(rec["Toe"]))
    big_omega = big_omega + (get("OmegaDot") - np.where(geo, 0.0, omega_e)) * tk
    co, so = np.cos(big_omega), np.sin(big_omega)
    xyz = np.stack([xp * co - yp * ci * so, xp * so + yp * ci * co, yp * si], axis=-1)
    if geo.any():
        xyz[geo] = _bds_geo_rotation(xyz[geo], omega_e * tk[geo])
    return xyz


def _solve_kepler(m: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return sin E and cos E of the eccentric anomaly E - e sin E = M (Newton from E = M)."""
    ek = m.copy()
    for _ in range(_KEPLER_MAX_ITER):  # < 5 steps for e < 0.2
        sin_e, cos_e = np.sin(ek), np.cos(ek)
        step = (ek - e * sin_e - m) / (1.0 - e * cos_e)
        ek -= step
        if np.max(np.abs(step), initial=0.0) < _KEPLER_TOL_RAD:
            break
    cos_e, sin_e = _rotated(cos_e, sin_e, -step)  # the sines of the last update of E
    return sin_e, cos_e


def _rotated(c: np.ndarray, s: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return cos and sin of (x + d) from c = cos x, s = sin x; Taylor for small |d|."""
    if np.max(np.abs(d), initial=0.0) < _SMALL_ANGLE_RAD:
        d2 = d * d
        cd, sd = 1.0 - 0.5 * d2, d * (1.0 - d2 / 6.0)
    else:
        cd, sd = np.cos(d), np.sin(d)
    return c * cd - s * sd, s * cd + c * sd


def _bds_geo_rotation(xyz_g: np.ndarray, angle_rad: np.ndarray) -> np.ndarray:
    """[X Y Z] = R_Z(omega_e tk) R_X(-5 deg) [XG YG ZG] (BDS-SIS-ICD-B1I 3.0, 5.2.4.12).

    R_X(f) = [[1,0,0],[0,c,s],[0,-s,c]], R_Z(f) = [[c,s,0],[-s,c,0],[0,0,1]].
    """
    x, y, z = xyz_g[:, 0], xyz_g[:, 1], xyz_g[:, 2]
    f = math.radians(-5.0)
    y1 = y * math.cos(f) + z * math.sin(f)
    z1 = -y * math.sin(f) + z * math.cos(f)
    cz, sz = np.cos(angle_rad), np.sin(angle_rad)
    return np.stack([x * cz + y1 * sz, -x * sz + y1 * cz, z1], axis=-1)


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


def _rk4_step(r, v, acc, h):
    """One RK4 step of the GLONASS equations of motion; ``h`` scalar or shape (n, 1)."""
    k1v = _glonass_derivative(r, v, acc)
    k2r, k2v = v + 0.5 * h * k1v, _glonass_derivative(r + 0.5 * h * v, v + 0.5 * h * k1v, acc)
    k3r, k3v = v + 0.5 * h * k2v, _glonass_derivative(r + 0.5 * h * k2r, v + 0.5 * h * k2v, acc)
    k4r, k4v = v + h * k3v, _glonass_derivative(r + h * k3r, v + h * k3v, acc)
    r_next = r + h / 6.0 * (v + 2 * k2r + 2 * k3r + k4r)
    return r_next, v + h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)


def glonass_position(
    rec: dict[str, np.ndarray], dt: np.ndarray, record: np.ndarray | None = None
) -> np.ndarray:
    """Integrate GLONASS broadcast state vectors by ``dt`` seconds (RK4, steps <= 60 s).

    Each record used is integrated once, in 60 s steps, to the nodes ``t_b + k 60 s``
    that the times need (both directions); each time then takes one RK4 step of less
    than 60 s from the node nearest to it on the side of ``t_b``. The work so grows with
    the records and the times, not with their product. (RK4 at 60 s steps: the
    truncation error is about 1e-5 m per step on a GLONASS orbit.)

    Parameters
    ----------
    rec : dict of ndarray, shape (n_rec,)
        ``X, Y, Z`` (m), ``dX, dY, dZ`` (m/s), ``dX2, dY2, dZ2`` (m/s^2, luni-solar
        accelerations, held constant as the ICD prescribes), PZ-90 at ``t_b``.
    dt : ndarray, shape (n,)
        Seconds from ``t_b`` (either sign).
    record : ndarray of int, shape (n,), optional
        Row of ``rec`` of each time; default: row i for time i (``n_rec == n``).

    Returns
    -------
    ndarray, shape (n, 3)
        PZ-90 positions in metres.

    Examples
    --------
    >>> rec = {k: np.array([v]) for k, v in dict(
    ...     X=-15786536.6, Y=15640804.2, Z=12606403.8, dX=984.3, dY=-1415.6, dZ=2993.9,
    ...     dX2=0.0, dY2=0.0, dZ2=0.0).items()}
    >>> r = glonass_position(rec, np.array([0.0, 900.0]), np.array([0, 0]))
    >>> r[0].tolist() == [-15786536.6, 15640804.2, 12606403.8]
    True
    >>> 25_400e3 < float(np.linalg.norm(r[1])) < 25_600e3
    True
    """
    dt = np.asarray(dt, dtype=np.float64)
    record = np.arange(dt.size) if record is None else np.asarray(record)
    used, row = np.unique(record, return_inverse=True)
    r0 = np.stack([rec["X"][used], rec["Y"][used], rec["Z"][used]], axis=1).astype(np.float64)
    v0 = np.stack([rec["dX"][used], rec["dY"][used], rec["dZ"][used]], axis=1).astype(np.float64)
    acc = np.stack([rec["dX2"][used], rec["dY2"][used], rec["dZ2"][used]], axis=1)
    acc = acc.astype(np.float64)
    node = np.trunc(dt / _GLO_MAX_STEP_S).astype(np.int64)  # toward t_b
    k_lo, k_hi = min(0, int(node.min(initial=0))), max(0, int(node.max(initial=0)))
    r_nodes = np.empty((k_hi - k_lo + 1, *r0.shape))
    v_nodes = np.empty_like(r_nodes)
    r_nodes[-k_lo], v_nodes[-k_lo] = r0, v0
    for sign, stop in ((1, k_hi), (-1, k_lo)):
        r, v = r0, v0
        for k in range(sign, stop + sign, sign):
            r, v = _rk4_step(r, v, acc, sign * _GLO_MAX_STEP_S)
            r_nodes[k - k_lo], v_nodes[k - k_lo] = r, v
    h = (dt - node * _GLO_MAX_STEP_S)[:, None]
    at = (node - k_lo, row)
    return _rk4_step(r_nodes[at], v_nodes[at], acc[row], h)[0]
