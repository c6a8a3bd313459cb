"""Evaluation of RINEX 4 records: the RINEX 3 evaluator plus the CNAV-type Keplerian terms.

GPS/QZSS CNAV and CNV2 and BeiDou CNV1/CNV2/CNV3 records carry the rate of the
semi-major axis (A-dot) and of the mean-motion difference (delta-n-dot), used as
IS-GPS-200 Table 30-II and BDS-SIS-ICD-B1C 3.0 section 7.8 prescribe:
``A_k = A_0 + A-dot t_k``, ``n_A = n_0 + delta-n_0 + delta-n-dot t_k / 2`` with
``n_0 = sqrt(GM / A_0^3)``, ``M_k = M_0 + n_A t_k``; the rest is the legacy
algorithm (:func:`gnss.orbits.broadcast.kepler_position`).
"""

from __future__ import annotations

import numpy as np

from ..constants import BDS_GM_M3_S2, GPS_GM_M3_S2
from .broadcast import kepler_position
from .rinexnav import NAV_VALIDITY_S, NavEvaluator

#: GM (m^3/s^2) of the systems with CNAV-type records (IS-GPS-200, IS-QZSS-PNT, BDS ICD).
_GM = {"G": GPS_GM_M3_S2, "J": GPS_GM_M3_S2, "C": BDS_GM_M3_S2}


def cnav_position(system: str, rec: dict[str, np.ndarray], tk: np.ndarray) -> np.ndarray:
    """Earth-fixed position from a CNAV-type record (A-dot and delta-n-dot terms included).

    Parameters
    ----------
    system : {"G", "J", "C"}
        GPS, QZSS or BeiDou.
    rec : dict of ndarray, shape (n,)
        Fields as :mod:`gnss.orbits.rinex4_records` names them: ``sqrtA`` (of A_0),
        ``Adot`` (m/s), ``DeltaN`` (delta-n_0, rad/s), ``DeltaNdot`` (rad/s^2), and the
        legacy Keplerian fields.
    tk : ndarray, shape (n,)
        Seconds since t_oe.

    Returns
    -------
    ndarray, shape (n, 3)
        Metres in the system's Earth-fixed frame.

    Examples
    --------
    With A-dot the radius of a circular orbit grows by A-dot t_k:

    >>> rec = {k: np.array([v]) for k, v in dict(sqrtA=26_560e3**0.5, M0=0.0, Eccentricity=0.0,
    ...        omega=0.0, Omega0=0.0, Io=0.96, Toe=0.0, Adot=0.01, DeltaN=0.0,
    ...        DeltaNdot=0.0).items()}
    >>> r = cnav_position("G", rec, np.array([3600.0]))
    >>> round(float(np.linalg.norm(r)) - 26_560e3, 6)
    36.0
    """
    gm = _GM[system]
    a0 = rec["sqrtA"] ** 2
    ak = a0 + rec["Adot"] * tk
    n_a = np.sqrt(gm / a0**3) + rec["DeltaN"] + 0.5 * rec.get("DeltaNdot", 0.0) * tk
    # kepler_position takes n = sqrt(GM / a^3) + DeltaN with a = sqrtA^2: give it A_k and
    # the DeltaN that makes its n equal n_A.
    eff = dict(rec)
    eff["sqrtA"] = np.sqrt(ak)
    eff["DeltaN"] = n_a - np.sqrt(gm / ak**3)
    return kepler_position(system, eff, tk)


class Nav4Evaluator(NavEvaluator):
    """The RINEX 3 evaluator; satellites with CNAV-type records go through :func:`cnav_position`."""

    def __call__(self, tq: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Positions (n_times, n_cols, 3) at TAI seconds ``tq`` of the satellites ``cols``."""
        tq = np.atleast_1d(np.asarray(tq, dtype=np.float64))
        cols = np.asarray(cols, dtype=np.int64)
        cnav = np.array([_is_cnav(self.sats[int(c)]) for c in cols], dtype=bool)
        out = np.full((tq.size, cols.size, 3), np.nan)
        if (~cnav).any():
            out[:, ~cnav] = super().__call__(tq, cols[~cnav])
        for j in np.flatnonzero(cnav):
            out[:, j] = _cnav_column(self.sats[int(cols[j])], tq)
        return out


def _is_cnav(sat) -> bool:
    return "Adot" in sat.fields


def _cnav_column(sat, tq: np.ndarray) -> np.ndarray:
    """One satellite's positions: the record whose window each time is deepest in (as RINEX 3)."""
    out = np.full((tq.size, 3), np.nan)
    before, after = NAV_VALIDITY_S[sat.prn[0]]
    dt_all = tq[:, None] - sat.ref_tai_s[None, :]
    cost = np.where(dt_all >= 0.0, dt_all / after, -dt_all / before)
    near = np.argmin(cost, axis=1)
    ok = cost[np.arange(tq.size), near] <= 1.0
    if ok.any():
        dt = dt_all[np.arange(tq.size), near][ok]
        rec = {k: v[near[ok]] for k, v in sat.fields.items()}
        out[ok] = cnav_position(sat.prn[0], rec, dt)
    return out
