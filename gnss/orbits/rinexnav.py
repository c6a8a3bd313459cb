"""RINEX 2/3 navigation files: broadcast records read, filtered and evaluated as orbits.

Each broadcast ephemeris is used within its validity window (:data:`NAV_VALIDITY_S`);
at each time the record with the nearest reference time among those whose window holds
it (the earlier one on a tie) is evaluated by the ``broadcast`` module, all
satellites and times of one system in one vectorised call. Galileo I/NAV and F/NAV
records of one t0e carry the same orbit (same IODnav): the I/NAV one is kept. Unhealthy
records are left out (unless ``include_unhealthy``), SBAS and NavIC records are not
evaluated; both are said in the result's ``notes``. The orbits are tabulated every 300 s
over the records' validity windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from ..timeutil import timescale
from .broadcast import GLONASS_FIELDS, KEPLER_FIELDS, glonass_position, kepler_position
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
FRAMES = {"G": "WGS84", "R": "PZ-90.11", "E": "GTRF", "C": "CGCS2000", "J": "JGS"}


@dataclass
class _NavRecords:
    """One satellite's usable broadcast records, sorted by reference time."""

    prn: str
    ref_tai_s: np.ndarray  # (n,) t_oe (Keplerian) or t_b (GLONASS), TAI s since origin
    fields: dict[str, np.ndarray]  # (n,) each


#: Records of one satellite as read: (reference time TAI s, fields), unsorted.
_Raw = dict[str, list[tuple[float, dict[str, float]]]]


def load_nav(p: Path, version: float, include_unhealthy: bool = False) -> ReferenceOrbits:
    """Read a RINEX 2/3 navigation file (see :func:`gnss.orbits.load.load_reference`).

    Parameters
    ----------
    p : Path
        The file, known to be RINEX navigation of a version below 4.
    version : float
        Its RINEX version.
    include_unhealthy : bool, default False
        Keep records flagged unhealthy (GPS/QZSS/Galileo/GLONASS ``health``, BeiDou
        ``SatH1`` not 0); by default they are left out. Either way ``notes`` lists the
        satellites concerned.

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
    records, notes = _read_records(ds, times, origin, tai_jd0, include_unhealthy)
    if not records:
        raise ReferenceOrbitError(
            f"{p}: no usable (healthy GPS/GLONASS/Galileo/BeiDou/QZSS) navigation records"
        )
    sats = sorted_records(records)
    evaluator = NavEvaluator(list(sats.values()))
    prns = tuple(sats)
    grid, pos = tabulate(p, sats, evaluator)
    check_radii(p, prns, pos)
    systems = sorted({x[0] for x in prns}, key="GRECJ".index)
    frame = ", ".join(f"{s}:{FRAMES[s]}" for s in systems)
    source = ReferenceSource(str(p), "rinex-nav", f"{version:.2f}", frame, "mixed")
    return ReferenceOrbits(prns, tai_jd0, grid, pos, source, tuple(notes), evaluator)


def _read_records(ds, times, origin, tai_jd0, include_unhealthy) -> tuple[_Raw, list[str]]:
    """Usable records per PRN, and notes on the systems and satellites left out."""
    ts = timescale()
    skipped_systems: dict[str, list[str]] = {}
    unhealthy: set[str] = set()  # PRNs with an unhealthy record
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
            ref = record_reference_tai_s(sysl, toc, vals, origin, tai_jd0, ts)
            if ref is None:
                continue
            if not healthy(sysl, vals):
                unhealthy.add(prn)
                if not include_unhealthy:
                    continue
            records.setdefault(prn, []).append((ref, vals))
    notes = left_out_notes(skipped_systems, unhealthy, records, include_unhealthy)
    return records, notes


def left_out_notes(skipped_systems, unhealthy: set[str], records: _Raw, kept: bool = False):
    """Say which systems are not evaluated and which satellites have unhealthy records."""
    notes: list[str] = []
    for sysl, prns in sorted(skipped_systems.items()):
        name = {"S": "SBAS", "I": "NavIC"}.get(sysl, sysl)
        notes.append(
            f"{name} records ({', '.join(sorted(set(prns)))}) are not evaluated "
            "(only GPS, GLONASS, Galileo, BeiDou and QZSS)"
        )
    flag = "(health/SatH1 field not 0)"
    if kept and unhealthy:
        some = ", ".join(sorted(unhealthy, key=_prn_sort_key))
        notes.append(f"{some}: records flagged unhealthy {flag} kept (include_unhealthy)")
        return notes
    dropped = sorted(unhealthy - set(records), key=_prn_sort_key)
    if dropped:
        notes.append(f"{', '.join(dropped)}: every record is flagged unhealthy; left out {flag}")
    partly = sorted(unhealthy & set(records), key=_prn_sort_key)
    if partly:
        notes.append(f"{', '.join(partly)}: some records flagged unhealthy {flag} left out")
    return notes


def sorted_records(records: _Raw) -> dict[str, _NavRecords]:
    """Sort the records of each PRN by time (PRNs in system order); keep the common fields."""
    sats: dict[str, _NavRecords] = {}
    for prn in sorted(records, key=_prn_sort_key):
        recs = sorted(records[prn], key=lambda r: (r[0], _source_rank(prn[0], r[1])))
        recs = [r for i, r in enumerate(recs) if i == 0 or r[0] != recs[i - 1][0]]
        ref = np.array([r[0] for r in recs])
        keys = set.intersection(*(set(r[1]) for r in recs))
        fields = {k: np.array([r[1][k] for r in recs]) for k in keys}
        sats[prn] = _NavRecords(prn, ref, fields)
    return sats


def tabulate(p: Path, sats: dict[str, _NavRecords], evaluator) -> tuple[np.ndarray, np.ndarray]:
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


def _source_rank(sysl: str, vals: dict[str, float]) -> int:
    """Rank among records of one time: Galileo I/NAV (DataSrc bit 0 or 2) 0, F/NAV (bit 1) 1."""
    return 1 if sysl == "E" and not int(vals.get("DataSrc", 0)) & 0b101 else 0


def healthy(sysl: str, vals: dict[str, float]) -> bool:
    """Return whether a record's health field (``SatH1`` for BeiDou, else ``health``) is 0."""
    key = "SatH1" if sysl == "C" else "health"
    return vals.get(key, 0.0) == 0.0


def record_reference_tai_s(sysl, toc, vals, origin, tai_jd0, ts) -> float | None:
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


class NavEvaluator:
    """Evaluate broadcast ephemerides: per time, the nearest record whose window holds it.

    Satellite ``i`` owns rows ``first[i]:first[i+1]`` of the record table (sorted by time),
    row ``local[row]`` of its system's fields; each system's pairs are evaluated at once.
    """

    def __init__(self, sats: list[_NavRecords]):
        self.sats = sats
        counts = [s.ref_tai_s.size for s in sats]
        self.first = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.ref = np.concatenate([s.ref_tai_s for s in sats])
        self.system = np.array([s.prn[0] for s in sats])
        self.window = np.array([NAV_VALIDITY_S[s.prn[0]] for s in sats])  # (before, after)
        sat_of_row = np.repeat(np.arange(len(sats)), counts)
        self.local = np.zeros(self.ref.size, dtype=np.int64)
        self.tables: dict[str, dict[str, np.ndarray]] = {}
        for sysl in dict.fromkeys(self.system.tolist()):
            mine = [s for s in sats if s.prn[0] == sysl]
            in_sys = self.system[sat_of_row] == sysl
            self.local[in_sys] = np.arange(int(in_sys.sum()))
            keys = GLONASS_FIELDS if sysl == "R" else KEPLER_FIELDS
            self.tables[sysl] = {
                k: np.concatenate([s.fields.get(k, np.zeros(s.ref_tai_s.size)) for s in mine])
                for k in keys
                if any(k in s.fields for s in mine)
            }

    def select(self, tq: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row of the record used (-1: none) and seconds from its reference time, (n_q, n_c)."""
        rec = np.full((tq.size, cols.size), -1, dtype=np.int64)
        dt = np.zeros((tq.size, cols.size))
        for j, c in enumerate(cols):
            lo, hi = self.first[c], self.first[c + 1]
            ref = self.ref[lo:hi]
            before, after = self.window[c]
            i = np.searchsorted(ref, tq, side="right")  # ref[i-1] <= t < ref[i]
            prev, nxt = np.maximum(i - 1, 0), np.minimum(i, ref.size - 1)
            d_prev, d_next = tq - ref[prev], ref[nxt] - tq
            ok_prev = (i > 0) & (d_prev <= after)
            ok_next = (i < ref.size) & (d_next <= before)
            use = np.where(ok_next & ~(ok_prev & (d_prev <= d_next)), nxt, prev)
            ok = ok_prev | ok_next
            rec[:, j] = np.where(ok, lo + use, -1)
            dt[:, j] = np.where(ok, tq - ref[use], 0.0)
        return rec, dt

    def __call__(self, tq: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Positions (n_times, n_cols, 3) at TAI seconds ``tq`` of the satellites ``cols``."""
        tq = np.atleast_1d(np.asarray(tq, dtype=np.float64))
        cols = np.atleast_1d(np.asarray(cols, dtype=np.int64))
        out = np.full((tq.size, cols.size, 3), np.nan)
        rec, dt = self.select(tq, cols)
        systems = self.system[cols]
        for sysl in dict.fromkeys(systems.tolist()):
            js = np.flatnonzero(systems == sysl)
            ok = rec[:, js] >= 0
            every = bool(ok.all())  # then no compaction (the usual case over a file's span)
            rows = self.local[rec[:, js] if every else rec[:, js][ok]].ravel()
            d = (dt[:, js] if every else dt[:, js][ok]).ravel()
            if sysl == "R":
                xyz = glonass_position(self.tables[sysl], d, rows)
            else:
                xyz = kepler_position(sysl, self.tables[sysl], d, rows)
            if every:
                out[:, js] = xyz.reshape(tq.size, js.size, 3)
            else:
                block = np.full((tq.size, js.size, 3), np.nan)
                block[ok] = xyz
                out[:, js] = block
        return out
