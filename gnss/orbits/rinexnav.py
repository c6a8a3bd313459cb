"""RINEX 2/3 navigation files: broadcast records read, filtered and evaluated as orbits.

Each broadcast ephemeris is used within its validity window around its
reference time (:data:`NAV_VALIDITY_S`); at each time the record whose window
the time is deepest in is evaluated by :mod:`gnss.validation.broadcast`
(Keplerian records of GPS, Galileo, BeiDou and QZSS; GLONASS state vectors).
Unhealthy records are left out, SBAS and NavIC records are not evaluated; both
are said in the result's ``notes``. The orbits are tabulated every 300 s over the
records' validity windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from ..timeutil import timescale
from .broadcast import glonass_position, kepler_position
from .reference import DAY_S, ReferenceOrbitError, ReferenceOrbits, ReferenceSource
from .refread import check_radii, georinex_load
from .reftime import TAI_MINUS_S, calendar_seconds, origin_tai

#: Time system of the records of each system in RINEX 3 navigation files.
_NAV_TIME_SYSTEM = {"G": "GPS", "E": "GAL", "J": "QZS", "C": "BDT", "R": "UTC"}

#: Use window of a broadcast record, seconds (before, after) its reference time.
#: GPS: 4-hour fit interval centred on t_oe (IS-GPS-200 20.3.4.4); QZSS: 2-hour fit
#: (IS-QZSS-PNT); Galileo: valid 4 h from t_0e (OS SIS ICD), its error grows fast
#: before t_0e and near the end (measured on SEPT1890.23P against CODE's SP3: 3 m at
#: -1 h, 40 m at -3 h, 2 m at +3 h, 7 m at +4 h), so -1 h to +3 h is used; BeiDou:
#: hourly updates; GLONASS: records every 30 min, used within +-15 min of t_b
#: (ICD ed. 5.1 A.3.1.2).
NAV_VALIDITY_S = {
    "G": (7200.0, 7200.0),
    "J": (3600.0, 3600.0),
    "E": (3600.0, 10800.0),
    "C": (3600.0, 3600.0),
    "R": (900.0, 900.0),
}

#: Tabulation step of the evaluated records, seconds.
_GRID_STEP_S = 300.0
#: Frame of each system's broadcast orbits.
_FRAMES = {"G": "WGS84", "R": "PZ-90.11", "E": "GTRF", "C": "CGCS2000", "J": "JGS"}


@dataclass
class _NavRecords:
    """One satellite's usable broadcast records, sorted by reference time."""

    prn: str
    ref_tai_s: np.ndarray  # (n,) t_oe (Keplerian) or t_b (GLONASS), TAI s since origin
    fields: dict[str, np.ndarray]  # (n,) each


#: Records of one satellite as read: (reference time TAI s, fields), unsorted.
_Raw = dict[str, list[tuple[float, dict[str, float]]]]


def load_nav(p: Path, version: float) -> ReferenceOrbits:
    """Read a RINEX 2/3 navigation file (see :func:`gnss.validation.refs.load_reference`).

    Parameters
    ----------
    p : Path
        The file, known to be RINEX navigation of a version below 4.
    version : float
        Its RINEX version.

    Returns
    -------
    ReferenceOrbits
        Tabulated every 300 s; evaluated from the broadcast records at any time.
    """
    ds = georinex_load(p)
    if ds.sizes.get("time", 0) == 0 or ds.sizes.get("sv", 0) == 0:
        raise ReferenceOrbitError(f"{p}: no navigation records found")
    times = ds["time"].values.astype("datetime64[ns]")
    origin = times.min().astype("datetime64[D]").astype("datetime64[ns]")  # GPST midnight
    tai_jd0, _ = origin_tai(origin, "GPS")  # the GPST midnight; TAI s = GPST s + 19
    records, notes = _read_records(ds, times, origin, tai_jd0)
    if not records:
        raise ReferenceOrbitError(
            f"{p}: no usable (healthy GPS/GLONASS/Galileo/BeiDou/QZSS) navigation records"
        )
    sats = _sorted_records(records)
    evaluator = _NavEvaluator(list(sats.values()))
    prns = tuple(sats)
    grid, pos = _tabulate(p, sats, evaluator)
    check_radii(p, prns, pos)
    systems = sorted({x[0] for x in prns}, key="GRECJ".index)
    frame = ", ".join(f"{s}:{_FRAMES[s]}" for s in systems)
    source = ReferenceSource(str(p), "rinex-nav", f"{version:.2f}", frame, "mixed")
    return ReferenceOrbits(prns, tai_jd0, grid, pos, source, tuple(notes), evaluator)


def _read_records(ds, times, origin, tai_jd0) -> tuple[_Raw, list[str]]:
    """Usable records per PRN, and notes on the systems and satellites left out."""
    ts = timescale()
    skipped_systems: dict[str, list[str]] = {}
    unhealthy: set[str] = set()
    records: _Raw = {}
    for sv in ds["sv"].values:
        sv = str(sv)
        prn = sv.split("_")[0]  # georinex names extra records at the same time E03_1
        sysl = prn[0]
        if sysl not in _NAV_TIME_SYSTEM:
            skipped_systems.setdefault(sysl, []).append(prn)
            continue
        sub = ds.sel(sv=sv)
        valid = np.isfinite(sub["SVclockBias"].values)
        for ti in np.flatnonzero(valid):
            toc = times[ti]
            vals = {
                k: float(sub[k].values[ti])
                for k in sub.data_vars
                if sub[k].ndim == 1 and np.isfinite(sub[k].values[ti])
            }
            ref = _record_reference_tai_s(sysl, toc, vals, origin, tai_jd0, ts)
            if ref is None:
                continue
            if not _healthy(sysl, vals):
                unhealthy.add(prn)
                continue
            records.setdefault(prn, []).append((ref, vals))
    return records, _left_out_notes(skipped_systems, unhealthy, records)


def _left_out_notes(skipped_systems: dict[str, list[str]], unhealthy: set[str], records: _Raw):
    """Say which systems are not evaluated and which satellites are unhealthy throughout."""
    notes: list[str] = []
    for sysl, prns in sorted(skipped_systems.items()):
        name = {"S": "SBAS", "I": "NavIC"}.get(sysl, sysl)
        notes.append(
            f"{name} records ({', '.join(sorted(set(prns)))}) are not evaluated "
            "(only GPS, GLONASS, Galileo, BeiDou and QZSS)"
        )
    dropped = sorted(unhealthy - set(records), key=_prn_sort_key)
    if dropped:
        notes.append(
            f"{', '.join(dropped)}: every record is flagged unhealthy; left out "
            "(health/SatH1 field not 0)"
        )
    return notes


def _sorted_records(records: _Raw) -> dict[str, _NavRecords]:
    """Sort the records of each PRN by time (PRNs in system order); keep the common fields."""
    sats: dict[str, _NavRecords] = {}
    for prn in sorted(records, key=_prn_sort_key):
        recs = sorted(records[prn], key=lambda r: r[0])
        ref = np.array([r[0] for r in recs])
        keys = set.intersection(*(set(r[1]) for r in recs))
        fields = {k: np.array([r[1][k] for r in recs]) for k in keys}
        sats[prn] = _NavRecords(prn, ref, fields)
    return sats


def _tabulate(p: Path, sats: dict[str, _NavRecords], evaluator) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate on a 300 s grid over the records' validity windows; drop epochs with no data."""
    lo = min(s.ref_tai_s[0] - NAV_VALIDITY_S[s.prn[0]][0] for s in sats.values())
    hi = max(s.ref_tai_s[-1] + NAV_VALIDITY_S[s.prn[0]][1] for s in sats.values())
    grid = np.arange(math.ceil(lo / _GRID_STEP_S) * _GRID_STEP_S, hi + 1e-6, _GRID_STEP_S)
    pos = evaluator(grid, np.arange(len(sats)))
    keep = np.isfinite(pos).all(axis=-1).any(axis=1)
    grid, pos = grid[keep], pos[keep]
    if grid.size < 2:
        raise ReferenceOrbitError(f"{p}: the navigation records cover less than two epochs")
    return grid, pos


def _prn_sort_key(prn: str) -> tuple[int, str]:
    order = "GRECJIS"
    return (order.index(prn[0]) if prn[0] in order else 99, prn)


def _healthy(sysl: str, vals: dict[str, float]) -> bool:
    key = "SatH1" if sysl == "C" else "health"
    return vals.get(key, 0.0) == 0.0


def _record_reference_tai_s(sysl, toc, vals, origin, tai_jd0, ts) -> float | None:
    """Return a record's reference time in TAI seconds since the origin (``tai_jd0``)."""
    if sysl == "R":
        if not all(k in vals for k in ("X", "dX", "dX2", "Y", "dY", "dY2", "Z", "dZ", "dZ2")):
            return None
        d = toc.astype("datetime64[us]").astype(datetime)
        t = ts.utc(d.year, d.month, d.day, d.hour, d.minute, d.second + d.microsecond * 1e-6)
        return ((float(t.whole) - tai_jd0) + float(t.tai_fraction)) * DAY_S
    need = ("sqrtA", "Toe", "M0", "Eccentricity", "Omega0", "Io", "omega")
    if not all(k in vals for k in need):
        return None
    # t_oe from the record's seconds of week, placed in the week of t_oc (no week field:
    # the week-number conventions differ between systems and RINEX versions).
    offset = TAI_MINUS_S[_NAV_TIME_SYSTEM[sysl]] - TAI_MINUS_S["GPS"]  # system -> GPST
    toc_s = calendar_seconds(np.array([toc]), origin)[0] + offset  # GPST s since origin
    day = toc.astype("datetime64[D]")
    dow = (day.astype(np.int64) - np.datetime64("1980-01-06", "D").astype(np.int64)) % 7
    sow = float(dow) * DAY_S + calendar_seconds(np.array([toc]), day.astype("datetime64[ns]"))[0]
    toe_s = toc_s - sow + vals["Toe"]
    if toe_s - toc_s > 302400.0:
        toe_s -= 604800.0
    elif toc_s - toe_s > 302400.0:
        toe_s += 604800.0
    return toe_s + TAI_MINUS_S["GPS"]  # GPST s since the GPST midnight -> TAI s since tai_jd0


class _NavEvaluator:
    """Evaluate broadcast ephemerides: per time, the record whose window it is deepest in."""

    def __init__(self, sats: list[_NavRecords]):
        self.sats = sats

    def __call__(self, tq: np.ndarray, cols: np.ndarray) -> np.ndarray:
        tq = np.atleast_1d(np.asarray(tq, dtype=np.float64))
        out = np.full((tq.size, cols.size, 3), np.nan)
        for j, c in enumerate(cols):
            sat = self.sats[int(c)]
            before, after = NAV_VALIDITY_S[sat.prn[0]]
            dt_all = tq[:, None] - sat.ref_tai_s[None, :]  # (n_q, n_rec)
            # Cost 1 at the edge of a record's window; take the record with the least cost.
            cost = np.where(dt_all >= 0.0, dt_all / after, -dt_all / before)
            near = np.argmin(cost, axis=1)
            ok = cost[np.arange(tq.size), near] <= 1.0
            if not ok.any():
                continue
            dt = dt_all[np.arange(tq.size), near][ok]
            rec = {k: v[near[ok]] for k, v in sat.fields.items()}
            if sat.prn[0] == "R":
                out[ok, j] = glonass_position(rec, dt)
            else:
                out[ok, j] = kepler_position(sat.prn[0], rec, dt)
        return out
