"""Satellites of an orbit file, with an SGP4 classification proxy so selectors apply.

An SP3 or navigation file gives positions, not elements. Each satellite gets a *classification
proxy*: an SGP4 :class:`~sgp4.api.Satrec` initialised (``sgp4init``, WGS72) from the osculating
Keplerian elements of the file's state at the middle of its span, so orbit class (MEO/IGSO/GEO),
orbital plane (``R:plane=1``), ``+nominal`` slot occupancy and the plausibility bands work as
for a TLE. The proxy is never used for positions: the satellite's ``orbit``
(:class:`~gnss.orbits.source.FileOrbit`) is. Osculating elements differ from SGP4 mean
elements by the J2 short-period terms (a few km in the semi-major axis, hundredths of a degree
in the angles), far inside the 20 degree plane tolerance and the orbit bands.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from sgp4.api import Satrec

from ..constants import SGP4_GRAVITY_MODEL, WGS72_GM_KM3_S2
from ..elements.classify import SYSTEMS, orbit_class, orbit_problem
from ..elements.constellation import Satellite, Skipped
from ..timeutil import timescale
from .propagate import teme_to_itrs_matrices
from .reference import DAY_S, ReferenceOrbits
from .source import FileOrbit, reference_positions, source_kind

#: Half the time base of the finite-difference velocity, seconds (Lagrange-interpolated).
_DT_S = 30.0
_LABEL = {"sp3": "SP3", "broadcast": "BRDC", "almanac": "ALM"}


def file_satellites(ref: ReferenceOrbits) -> tuple[list[Satellite], list[Skipped]]:
    """Satellites of one orbit file (identity from the file), and the PRNs left out with why.

    Examples
    --------
    >>> ref = gnss.load_reference("COD0MGXFIN_20231890000_01D_05M_ORB.SP3")  # doctest: +SKIP
    >>> sats, _ = file_satellites(ref)  # doctest: +SKIP
    >>> sats[0].name, sats[0].norad_id, sats[0].orbit.kind  # doctest: +SKIP
    ('G01 (SP3)', None, 'sp3')
    """
    kind = source_kind(ref)
    sats, skipped = [], []
    for prn in ref.prns:
        where = f"{ref.source.path}:{prn}"
        name = f"{prn} ({_LABEL[kind]})"
        if prn[0] not in SYSTEMS or not prn[1:].isdigit():
            skipped.append(Skipped(name, where, f"system {prn[0]!r} is not a GNSS", "unknown name"))
            continue
        state = _middle_state(ref, prn)
        if state is None:
            skipped.append(Skipped(name, where, "no position in the file", "bad element"))
            continue
        epoch, satrec = state
        rev_per_day = satrec.no_kozai * 1440.0 / (2.0 * math.pi)
        inc_deg = math.degrees(satrec.inclo)
        if problem := orbit_problem(prn[0], rev_per_day, satrec.ecco, inc_deg):
            reason = f"{problem}; the file's orbit does not fit the system"
            skipped.append(Skipped(name, where, reason, "implausible orbit"))
            continue
        number = int(prn[1:])
        sats.append(Satellite(
            name=name, norad_id=None, system=prn[0], prn=number,
            orbit_class=orbit_class(rev_per_day, inc_deg),
            generation=generation_of(prn[0], number), epoch=epoch, source=where,
            satrec=satrec, orbit=FileOrbit(ref, prn, kind),
        ))  # fmt: skip
    return sats, skipped


def generation_of(system: str, prn: int) -> str | None:
    """Return the generation the PRN fixes: BeiDou C01-C18 BDS-2, C19 and above BDS-3; else None."""
    if system == "C":
        return "BDS-2" if prn <= 18 else "BDS-3"
    return None


def _middle_state(ref: ReferenceOrbits, prn: str) -> tuple[datetime, Satrec] | None:
    """Return the UTC epoch nearest the file's middle with a position, and the proxy there."""
    j = ref.index(prn)
    ok = np.flatnonzero(np.isfinite(ref.positions_itrs_m[:, j]).all(axis=-1))
    if ok.size == 0:
        return None
    middle = 0.5 * (ref.t_s[0] + ref.t_s[-1])
    order = ok[np.argsort(np.abs(ref.t_s[ok] - middle))]
    ts = timescale()
    for k in order[:20]:  # a sample whose neighbours are also covered
        t_s = ref.t_s[k] + np.array([-_DT_S, 0.0, _DT_S])
        times = ts.tai_jd(ref.tai_jd0, t_s / DAY_S)
        pos = reference_positions(ref, times, [prn])[:, 0]
        if np.isfinite(pos).all():
            r_teme = np.einsum("tji,tj->ti", teme_to_itrs_matrices(times), pos) / 1000.0
            v_km_s = (r_teme[2] - r_teme[0]) / (2.0 * _DT_S)
            epoch = times[1].utc_datetime()
            return epoch, proxy_satrec(r_teme[1], v_km_s, epoch)
    return None


def proxy_satrec(r_km: np.ndarray, v_km_s: np.ndarray, epoch: datetime) -> Satrec:
    """Return an SGP4 satrec from an inertial (TEME) state: osculating elements, WGS72, no drag."""
    a_km, ecc, inc, raan, argp, mean_anom = keplerian_elements(r_km, v_km_s)
    n_rad_min = math.sqrt(WGS72_GM_KM3_S2 / a_km**3) * 60.0
    jd = epoch.timestamp() / DAY_S + 2440587.5
    rec = Satrec()
    rec.sgp4init(SGP4_GRAVITY_MODEL, "i", 0, jd - 2433281.5, 0.0, 0.0, 0.0,
                 ecc, argp, inc, mean_anom, n_rad_min, raan)  # fmt: skip
    return rec


def keplerian_elements(r_km: np.ndarray, v_km_s: np.ndarray) -> tuple[float, ...]:
    """Osculating (a km, e, i, RAAN, argument of perigee, mean anomaly) from r, v (radians).

    Near-circular and near-equatorial orbits (GNSS GEOs) keep their along-track position:
    the node falls back to the x axis and the perigee to the node, so the mean anomaly
    carries the argument of latitude (or the true longitude).

    Examples
    --------
    >>> a, e, i, *_ = keplerian_elements(np.array([26560.0, 0, 0]), np.array([0, 2.8, 2.8]))
    >>> round(math.degrees(i), 6)
    45.0
    """
    mu = WGS72_GM_KM3_S2
    r, v = np.asarray(r_km, float), np.asarray(v_km_s, float)
    rn, h = np.linalg.norm(r), np.cross(r, v)
    e_vec = np.cross(v, h) / mu - r / rn
    ecc = float(np.linalg.norm(e_vec))
    a_km = 1.0 / (2.0 / rn - float(v @ v) / mu)
    inc = math.acos(max(-1.0, min(1.0, h[2] / np.linalg.norm(h))))
    node = np.array([-h[1], h[0], 0.0])
    raan = math.atan2(node[1], node[0]) if np.linalg.norm(node) > 1e-9 * np.linalg.norm(h) else 0.0
    x_axis = np.array([math.cos(raan), math.sin(raan), 0.0])
    y_axis = np.cross(h / np.linalg.norm(h), x_axis)
    u = math.atan2(float(r @ y_axis), float(r @ x_axis))  # argument of latitude
    argp = math.atan2(float(e_vec @ y_axis), float(e_vec @ x_axis)) if ecc > 1e-9 else 0.0
    nu = u - argp
    half = nu / 2.0
    ecc_anom = 2.0 * math.atan2(math.sqrt(1 - ecc) * math.sin(half),
                                math.sqrt(1 + ecc) * math.cos(half))  # fmt: skip
    mean_anom = (ecc_anom - ecc * math.sin(ecc_anom)) % (2.0 * math.pi)
    return a_km, ecc, inc, raan % (2.0 * math.pi), argp % (2.0 * math.pi), mean_anom
