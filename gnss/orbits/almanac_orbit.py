"""Almanac orbits: the Keplerian almanac model of IS-GPS-200 evaluated at any epoch.

The almanac is the ephemeris model of IS-GPS-200 Table 20-IV with the terms the
almanac does not carry set to zero (20.3.3.5.2.1): no mean-motion correction
(delta-n), no rate of inclination (IDOT), no harmonic corrections (Cuc, Cus, Crc,
Crs, Cic, Cis); ``t_oe`` becomes ``t_oa``. The clock terms af0/af1 do not enter the
positions. Constants: GM = 3.986005e14 m^3/s^2 and the WGS84 Earth rotation rate
(IS-GPS-200 20.3.3.4.3), also used by QZSS (IS-QZSS-PNT).

**Week rollover.** YUMA and SEM give the GPS week modulo 1024. The full week is the
one whose ``t_oa`` lies nearest a reference date: the caller's ``reference_utc``, else
the file's modification time (right while the file is younger than about 9.8 years,
half a rollover period); the choice is written in the result's ``notes``.

**Validity.** Positions are given within :data:`ALMANAC_VALIDITY_S` (14 days) of each
record's t_oa, NaN outside. An almanac's error grows with its age: measured for a GPS
almanac written from the broadcast records of 2023-07-08 (tests/test_almanac.py),
0.5-0.8 km RMS against CODE's SP3 over that day, 3-6 km against the TLEs of 2023-07-12
near their epochs (2-4 days later; the TLEs' own error is ~2 km), about 1 km a day. At
14 days that is ~15 km, 0.04 deg seen from the ground at the 20 000+ km range of a GNSS
satellite: still nothing for visibility and DOP, which is what almanacs are used for
here (planning the weeks ahead). Beyond two weeks the error keeps growing; a newer
almanac or TLE is the fix.

Times: the almanac is in GPS time; :class:`ReferenceOrbits` works in TAI (GPST + 19 s)
and converts UTC epochs with skyfield's leap-second table, so the 18 s GPST-UTC offset
of 2017+ is applied.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from ..constants import GPS_GM_M3_S2, WGS84_EARTH_ROTATION_RATE_RAD_PER_S
from .almanac import Almanac, AlmanacRecord, almanac_error, read_lines, read_yuma
from .almanac_sem import read_sem
from .reference import ReferenceOrbitError, ReferenceOrbits, ReferenceSource

#: Half-width of the window around each record's t_oa where positions are given, s.
ALMANAC_VALIDITY_S = 14 * 86400.0
#: Tabulation step of ``ReferenceOrbits.positions_itrs_m`` (the evaluator works at any time), s.
TABULATION_STEP_S = 3600.0
#: GPS time - TAI = -19 s (IS-GPS-200 3.3.4); TAI seconds = GPST seconds + 19.
GPST_TO_TAI_S = 19.0
#: Start of GPS week 0, 1980-01-06 00:00 GPST, as a (TAI-scale) Julian date of that midnight.
GPS_WEEK0_JD = 2444244.5
GPS_EPOCH = datetime(1980, 1, 6, tzinfo=UTC)
WEEK_S = 604800.0
_FIELDS = (
    "eccentricity",
    "inclination_rad",
    "omega_dot_rad_s",
    "sqrt_a_m05",
    "omega0_rad",
    "arg_perigee_rad",
    "mean_anomaly_rad",
)


def full_week(week: int, toa_s: float, reference_utc: datetime) -> int:
    """Return the full GPS week of a week number (modulo 1024 when below 1024) nearest a date.

    Parameters
    ----------
    week : int
        The week as the file gives it; values of 1024 and above are taken as full weeks.
    toa_s : float
        Time of applicability, seconds of that week.
    reference_utc : datetime
        Timezone-aware date the almanac is meant for.

    Examples
    --------
    >>> full_week(221, 0.0, datetime(2023, 7, 8, tzinfo=UTC))
    2269
    >>> full_week(221, 0.0, datetime(2004, 1, 1, tzinfo=UTC))
    1245
    >>> full_week(2269, 0.0, datetime(2004, 1, 1, tzinfo=UTC))  # a full week is kept
    2269
    """
    if week >= 1024:
        return int(week)
    ref_weeks = ((reference_utc - GPS_EPOCH).total_seconds() - toa_s) / WEEK_S
    k = max(0, round((ref_weeks - week) / 1024.0))
    return int(week + 1024 * k)


def almanac_positions_m(el: dict[str, np.ndarray], tk_s: np.ndarray, toa_s: np.ndarray):
    """Earth-fixed positions from almanac elements (IS-GPS-200 Table 20-IV, almanac terms).

    Parameters
    ----------
    el : dict of ndarray
        :class:`~gnss.orbits.almanac.AlmanacRecord` fields (radians, m^0.5), each
        broadcastable against ``tk_s``.
    tk_s : ndarray
        Time from t_oa, seconds (any shape).
    toa_s : ndarray
        t_oa, seconds of the week (enters the node as -OmegaE_dot * t_oa).

    Returns
    -------
    ndarray, shape ``tk_s.shape + (3,)``
        Metres, WGS84 (ITRS).
    """
    a = el["sqrt_a_m05"] ** 2
    n0 = np.sqrt(GPS_GM_M3_S2 / a**3)  # no delta-n in the almanac
    m = el["mean_anomaly_rad"] + n0 * tk_s
    e = el["eccentricity"]
    ek = m + e * np.sin(m)
    for _ in range(8):  # Newton; |error| < 1e-15 rad after 4 steps for e < 0.1
        ek = ek - (ek - e * np.sin(ek) - m) / (1.0 - e * np.cos(ek))
    nu = np.arctan2(np.sqrt(1.0 - e**2) * np.sin(ek), np.cos(ek) - e)
    u = nu + el["arg_perigee_rad"]
    r = a * (1.0 - e * np.cos(ek))
    inc = el["inclination_rad"]
    we = WGS84_EARTH_ROTATION_RATE_RAD_PER_S
    node = el["omega0_rad"] + (el["omega_dot_rad_s"] - we) * tk_s - we * toa_s
    xp, yp = r * np.cos(u), r * np.sin(u)
    co, so, ci, si = np.cos(node), np.sin(node), np.cos(inc), np.sin(inc)
    return np.stack([xp * co - yp * ci * so, xp * so + yp * ci * co, yp * si], axis=-1)


class AlmanacEvaluator:
    """Evaluate almanac records at TAI seconds since a GPS week start (``ReferenceOrbits``).

    Parameters
    ----------
    records : sequence of AlmanacRecord
        One per satellite (columns in this order).
    weeks : sequence of int
        The full GPS week of each record.
    week0 : int
        The full GPS week whose start (00:00 GPST) is the time origin.
    """

    def __init__(self, records: Sequence[AlmanacRecord], weeks: Sequence[int], week0: int):
        self.el = {k: np.array([getattr(r, k) for r in records]) for k in _FIELDS}
        self.toa_s = np.array([r.toa_s for r in records])  # seconds of their own week
        # t_oa as GPST seconds since the start of week0
        self.toa_origin_s = (np.asarray(weeks) - week0) * WEEK_S + self.toa_s

    def __call__(self, t_s: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Positions (n_times, n_cols, 3), metres; NaN beyond the validity window."""
        t_s = np.atleast_1d(np.asarray(t_s, dtype=np.float64))
        cols = np.asarray(cols, dtype=np.int64)
        tk = (t_s[:, None] - GPST_TO_TAI_S) - self.toa_origin_s[cols][None, :]
        el = {k: v[cols][None, :] for k, v in self.el.items()}
        pos = almanac_positions_m(el, tk, self.toa_s[cols][None, :])
        pos[np.abs(tk) > ALMANAC_VALIDITY_S] = np.nan
        return pos


def read_almanac(path: str | os.PathLike) -> Almanac:
    """Read a YUMA or a SEM almanac, told apart by the first non-blank line.

    YUMA starts with ``****``; SEM with ``<count> <name>``. Anything else is refused.
    """
    p, lines = read_lines(path)
    first = next(((n + 1, s.strip()) for n, s in enumerate(lines) if s.strip()), (1, ""))
    if first[1].startswith("*"):
        return read_yuma(p)
    tokens = first[1].split()
    if tokens and tokens[0].isdigit() and len(tokens) <= 2:
        return read_sem(p)
    raise almanac_error(
        f"{p}:{first[0]}",
        "a YUMA ('******** Week ...') or SEM ('<n> <name>') almanac",
        first[1][:60],
        "give a YUMA or SEM almanac file",
    )


def load_almanac(
    path: str | os.PathLike,
    *,
    reference_utc: datetime | None = None,
    include_unhealthy: bool = False,
) -> ReferenceOrbits:
    """Read a YUMA or SEM almanac and return its orbits, evaluable at any epoch.

    Parameters
    ----------
    path : path
        The almanac (plain text, YUMA or SEM, told apart by content).
    reference_utc : datetime, optional
        Timezone-aware date near the almanac's, to resolve the 1024-week rollover.
        Default: the file's modification time (said in ``notes``).
    include_unhealthy : bool
        Keep satellites whose health is not 0 (GPS). QZSS health words flag signals
        that are not broadcast, so QZSS records are kept whatever their health.

    Returns
    -------
    ReferenceOrbits
        ``source.kind == "almanac"``; tabulated hourly over the validity windows
        (:data:`ALMANAC_VALIDITY_S` around each t_oa), evaluated at any epoch inside them.

    Raises
    ------
    ReferenceOrbitError
        Malformed files (file:line, expected, got, fix), a naive ``reference_utc``, or an
        almanac with no satellite left.

    Examples
    --------
    >>> alm = load_almanac("current.alm", reference_utc=datetime(2023, 7, 8, tzinfo=UTC))
    ... # doctest: +SKIP
    >>> alm.positions_at(datetime(2023, 7, 8, 12, tzinfo=UTC), ["G01"]).shape  # doctest: +SKIP
    (1, 1, 3)
    """
    alm = read_almanac(path)
    p = Path(alm.path)
    ref, ref_text = _reference_date(p, reference_utc)
    notes: list[str] = []
    kept = [r for r in alm.records if include_unhealthy or r.health == 0 or r.prn[0] == "J"]
    dropped = sorted({r.prn for r in alm.records} - {r.prn for r in kept})
    if dropped:
        notes.append(
            f"{', '.join(dropped)}: health not 0 in the almanac; left out "
            "(include_unhealthy=True keeps them)"
        )
    if not kept:
        raise ReferenceOrbitError(
            f"{p}: every almanac record is unhealthy; pass "
            "include_unhealthy=True to use them anyway"
        )
    by_prn = {r.prn: r for r in kept}  # a repeated PRN: the last record wins, and is said
    for prn in sorted({r.prn for r in kept if sum(x.prn == r.prn for x in kept) > 1}):
        notes.append(f"{prn}: several records; the last one (line {by_prn[prn].line}) is used")
    kept = list(by_prn.values())
    weeks = [full_week(r.week, r.toa_s, ref) for r in kept]
    for w in sorted(set(weeks)):
        file_weeks = sorted({r.week for r, x in zip(kept, weeks, strict=True) if x == w})
        start = GPS_EPOCH + timedelta(weeks=w)
        notes.append(
            f"GPS week {'/'.join(map(str, file_weeks))} of the file taken as full week "
            f"{w} (starting {start:%Y-%m-%d}), the nearest to {ref_text}"
        )
    week0 = min(weeks)
    evaluator = AlmanacEvaluator(kept, weeks, week0)
    lo = float(evaluator.toa_origin_s.min()) - ALMANAC_VALIDITY_S + GPST_TO_TAI_S
    hi = float(evaluator.toa_origin_s.max()) + ALMANAC_VALIDITY_S + GPST_TO_TAI_S
    grid = np.arange(math.ceil(lo / TABULATION_STEP_S) * TABULATION_STEP_S, hi, TABULATION_STEP_S)
    prns = tuple(r.prn for r in kept)
    positions = evaluator(grid, np.arange(len(prns)))
    source = ReferenceSource(str(p), "almanac", alm.format, "WGS84", "GPS")
    tai_jd0 = GPS_WEEK0_JD + 7.0 * week0
    return ReferenceOrbits(prns, tai_jd0, grid, positions, source, tuple(notes), evaluator)


def _reference_date(p: Path, reference_utc: datetime | None) -> tuple[datetime, str]:
    if reference_utc is not None:
        if reference_utc.tzinfo is None or reference_utc.utcoffset() is None:
            raise ReferenceOrbitError(
                f"reference_utc: expected a timezone-aware datetime, got the naive "
                f"{reference_utc.isoformat()}; use reference_utc.replace(tzinfo=timezone.utc)"
            )
        return reference_utc, f"the reference date {reference_utc:%Y-%m-%d}"
    mtime = datetime.fromtimestamp(p.stat().st_mtime, tz=UTC)
    return mtime, (
        f"the file's modification time {mtime:%Y-%m-%d} (pass reference_utc= to choose another)"
    )
