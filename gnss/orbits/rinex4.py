"""RINEX 4 navigation files (4.00-4.02) read into :class:`ReferenceOrbits`.

georinex reads RINEX 2 and 3 only, so :func:`load_nav4` parses RINEX 4 itself
(:mod:`gnss.orbits.rinex4_records`) into the record dictionaries that
:mod:`gnss.orbits.rinexnav` builds from georinex, and reuses its reference
times, health rule, validity windows and tabulation. Evaluated: GPS and QZSS
LNAV/CNAV/CNV2, Galileo I/NAV and F/NAV, BeiDou D1/D2/CNV1/CNV2/CNV3, GLONASS FDMA.
One message family per satellite (:data:`PREFERENCE`: the legacy message first;
``messages=`` chooses another); the other records, ``STO``/``EOP``/``ION`` records,
SBAS and NavIC are counted in the result's ``notes``. CNAV-type records are
evaluated with their A-dot and delta-n-dot terms (:func:`cnav_position`).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..timeutil import timescale
from . import rinex4_records as rr
from .reference import ReferenceOrbitError, ReferenceOrbits, ReferenceSource
from .refread import check_radii
from .reftime import origin_tai
from .rinex4_eval import Nav4Evaluator
from .rinexnav import (
    FRAMES,
    healthy,
    left_out_notes,
    record_reference_tai_s,
    sorted_records,
    tabulate,
)

#: Message families per system, preferred first; a satellite uses its first family present.
PREFERENCE: dict[str, tuple[tuple[str, ...], ...]] = {
    "G": (("LNAV",), ("CNAV",), ("CNV2",)),
    "J": (("LNAV",), ("CNAV",), ("CNV2",)),
    "E": (("INAV", "FNAV"),),  # the same orbit on two signals: both used
    "C": (("D1", "D2"), ("CNV1",), ("CNV2",), ("CNV3",)),
    "R": (("FDMA",),),
}
_NAMES = {"G": "GPS", "R": "GLONASS", "E": "Galileo", "C": "BeiDou", "J": "QZSS"}
_HEALTH_FIELD = {"C": "SatH1"}


def load_nav4(
    path: str | os.PathLike,
    *,
    systems: str | None = None,
    messages: Mapping[str, Sequence[str]] | None = None,
    include_unhealthy: bool = False,
) -> ReferenceOrbits:
    """Read a RINEX 4 navigation file (plain or gzip).

    Parameters
    ----------
    path : path
        The file (RINEX 4.00, 4.01 or 4.02, type N).
    systems : str, optional
        System letters to read, e.g. ``"RC"``; a requested system left without a usable
        record (all unhealthy, or not GNSS orbits) is refused. Default: every evaluated
        system present; one without a usable record is then left out with a note (the
        file is refused only when no system has one).
    messages : mapping of str to sequence of str, optional
        Message types to use per system instead of :data:`PREFERENCE`, e.g.
        ``{"C": ["CNV1"]}``.
    include_unhealthy : bool
        Keep records flagged unhealthy (default: left out, listed in ``notes``).

    Returns
    -------
    ReferenceOrbits
        Tabulated every 300 s; evaluated from the broadcast records at any time.

    Raises
    ------
    ReferenceOrbitError
        Not RINEX 4 navigation (an observation file, RINEX 3, junk), truncated
        records, a requested system whose every record is unhealthy (or a file with
        no usable record); the message gives file:line, what was expected and the fix.
    """
    p = Path(path)
    lines = rr.read_text_lines(p)
    version, first = _header(p, lines)
    wanted = _wanted_systems(p, systems)  # None: every evaluated system present
    prefs = _preferences(messages)
    blocks = rr.read_blocks(p, lines, first)
    chosen, notes = _choose(blocks, wanted or "GRECJ", prefs)
    if not chosen:
        raise ReferenceOrbitError(
            f"{p}: no {'/'.join(_NAMES[s] for s in wanted or 'GRECJ')} ephemeris records "
            "('> EPH ...'); expected broadcast records of GPS, GLONASS, Galileo, BeiDou or "
            "QZSS, give a navigation file with them"
        )
    records, tai_jd0, health_notes = _records(p, chosen, wanted, include_unhealthy)
    sats = sorted_records(records)
    evaluator = Nav4Evaluator(list(sats.values()))
    prns = tuple(sats)
    grid, pos = tabulate(p, sats, evaluator)
    check_radii(p, prns, pos)
    present = sorted({x[0] for x in prns}, key="GRECJ".index)
    frame = ", ".join(f"{s}:{FRAMES[s]}" for s in present)
    source = ReferenceSource(str(p), "rinex-nav", f"{version:.2f}", frame, "mixed")
    return ReferenceOrbits(prns, tai_jd0, grid, pos, source, tuple(notes + health_notes), evaluator)


def _header(p: Path, lines: list[str]) -> tuple[float, int]:
    """Check the header: RINEX 4 navigation; return the version and the first record index."""
    head = lines[0] if lines else ""
    if "RINEX VERSION / TYPE" not in head:
        raise ReferenceOrbitError(
            f"{p}:1: expected a RINEX header line 'RINEX VERSION / TYPE', got {head[:60]!r}; "
            "give a RINEX 4 navigation file (e.g. BRDC00IGS_R_..._MN.rnx.gz)"
        )
    try:
        version = float(head[:9])
    except ValueError:
        version = float("nan")
    kind = head[20:21]
    if kind != "N":
        what = {"O": "an observation", "M": "a meteorological", "C": "a clock"}.get(kind, "a")
        raise ReferenceOrbitError(
            f"{p}:1: {what} RINEX file (type {kind!r}), expected navigation data (type 'N'); "
            "give the station's or the merged navigation file (..._MN.rnx / ...n / ...p)"
        )
    if not 4.0 <= version < 5.0:
        raise ReferenceOrbitError(
            f"{p}:1: RINEX version {head[:9].strip()}, expected 4.xx; read RINEX 2/3 "
            "navigation with gnss.load_reference"
        )
    for i, ln in enumerate(lines):
        if "END OF HEADER" in ln[60:]:
            return version, i + 1
    raise ReferenceOrbitError(
        f"{p}:{len(lines)}: no 'END OF HEADER' line; the file is truncated, download it again"
    )


def _wanted_systems(p: Path, systems: str | None) -> str | None:
    if systems is None:
        return None
    bad = sorted(set(systems) - set("GRECJ"))
    if bad or not systems:
        raise ReferenceOrbitError(
            f"systems={systems!r}: expected letters of G, R, E, C, J (the evaluated systems), "
            f"got {''.join(bad) or 'none'}; e.g. systems='RC'"
        )
    return systems


def _preferences(messages) -> dict[str, tuple[tuple[str, ...], ...]]:
    prefs = dict(PREFERENCE)
    for sysl, types in (messages or {}).items():
        known = {m for fam in PREFERENCE.get(sysl, ()) for m in fam}
        bad = [m for m in types if m not in known]
        if sysl not in PREFERENCE or bad or not types:
            raise ReferenceOrbitError(
                f"messages[{sysl!r}] = {list(types)!r}: expected message types of "
                f"{sorted(known) or 'an evaluated system (G, R, E, C, J)'}, "
                "e.g. messages={'C': ['CNV1']}"
            )
        prefs[sysl] = (tuple(types),)
    return prefs


def _choose(blocks, wanted: str, prefs) -> tuple[list[rr.Block], list[str]]:
    """Pick the EPH records to evaluate (per satellite its first family present); note the rest."""
    by_sat: dict[str, list[rr.Block]] = defaultdict(list)
    other: Counter = Counter()
    unknown: Counter = Counter()
    skipped_systems: dict[str, list[str]] = {}
    for b in blocks:
        if b.kind != "EPH":
            other[b.kind] += 1
            continue
        known = rr.check_length(b)
        sysl = b.sv[:1]
        if not known:
            unknown[f"{b.sv[:1]} {b.msg}"] += 1
        elif sysl not in "GRECJ":
            skipped_systems.setdefault(sysl, []).append(b.sv)
        elif sysl in wanted:
            by_sat[b.sv].append(b)
    chosen: list[rr.Block] = []
    unused: Counter = Counter()
    for sv, recs in by_sat.items():
        fams = [f for f in prefs[sv[0]] if any(b.msg in f for b in recs)]
        use = fams[0] if fams else ()
        chosen += [b for b in recs if b.msg in use]
        unused.update(f"{_NAMES[sv[0]]} {b.msg}" for b in recs if b.msg not in use)
    notes = left_out_notes(skipped_systems, set(), {})
    if unused:
        notes.append(
            "records of other message types not used (one family per satellite, "
            f"{_preferred_text(prefs)}; choose with messages=): "
            + ", ".join(f"{k} {n}" for k, n in sorted(unused.items()))
        )
    if unknown:
        notes.append(
            "EPH records of unknown types skipped: "
            + ", ".join(f"{k} {n}" for k, n in sorted(unknown.items()))
        )
    if other:
        notes.append(
            "records not used for orbits: "
            + ", ".join(f"{k} {n}" for k, n in sorted(other.items()))
        )
    return chosen, notes


def _preferred_text(prefs) -> str:
    return "; ".join(f"{s}: " + " > ".join("+".join(f) for f in fams) for s, fams in prefs.items())


def _records(p: Path, chosen: list[rr.Block], wanted: str | None, include_unhealthy: bool):
    """Read the chosen records' reference times and fields; leave unhealthy/implausible ones out."""
    epochs = [rr.record_epoch(b) for b in chosen]
    origin = min(epochs).astype("datetime64[D]").astype("datetime64[ns]")  # GPST midnight
    tai_jd0, _ = origin_tai(origin, "GPS")
    ts = timescale()
    records: dict = {}
    unhealthy: dict[str, list[rr.Block]] = defaultdict(list)
    implausible: list[rr.Block] = []
    for b, toc in zip(chosen, epochs, strict=True):
        vals = rr.record_fields(b, toc)
        sysl = b.sv[0]
        ref = record_reference_tai_s(sysl, toc, vals, origin, tai_jd0, ts)
        if ref is None or not rr.plausible(sysl, vals, rr.seconds_of_week(toc)):
            implausible.append(b)
        elif not include_unhealthy and not healthy(sysl, vals):
            unhealthy[b.sv].append(b)
        else:
            records.setdefault(b.sv, []).append((ref, vals))
    _refuse_empty_systems(p, unhealthy, implausible, records, wanted)
    notes = left_out_notes({}, set(unhealthy), records)
    if implausible:
        per = Counter(_NAMES[b.sv[0]] for b in implausible)
        eg = ", ".join(f"{b.sv} {b.msg} at line {b.line}" for b in implausible[:3])
        notes.append(
            f"{len(implausible)} records left out ("
            + ", ".join(f"{k} {n}" for k, n in sorted(per.items()))
            + f"): fields missing or not a GNSS orbit (e.g. {eg}); the file's writer may be faulty"
        )
    return records, tai_jd0, notes


def _refuse_empty_systems(p: Path, unhealthy, implausible, records, wanted: str | None) -> None:
    """Refuse a requested system (or, with none requested, a file) left without usable records."""
    bad = [b for bs in unhealthy.values() for b in bs] + implausible
    check = wanted if wanted is not None else ("" if records else "GRECJ")
    for sysl in check:
        mine = sorted((b for b in bad if b.sv[0] == sysl), key=lambda b: b.line)
        if any(sv[0] == sysl for sv in records):
            continue
        name = _NAMES[sysl]
        if not mine:
            if wanted is None:
                continue
            raise ReferenceOrbitError(
                f"{p}: no {name} ephemeris record ('> EPH {sysl}nn ...'), but systems={wanted!r} "
                f"asks for {name}; leave {sysl} out or use a navigation file with {name} records"
            )
        first = mine[0]
        n_sick = sum(b.sv in unhealthy for b in mine)
        n_sats = len({b.sv for b in mine})
        others = "".join(s for s in (wanted or "GRECJ") if s != sysl)
        leave = f"Leave {name} out (systems={others!r})" if others else "Ask for other systems"
        if n_sick == 0:
            raise ReferenceOrbitError(
                f"{first.where}: no {name} record ({len(mine)} records, first {first.sv} "
                f"{first.msg}) describes a GNSS orbit (fields missing, or a position or "
                f"semi-major axis outside {name}'s orbits: the file's writer is faulty); "
                f"expected at least one. {leave}, or use a navigation file of another source"
            )
        why = (
            f"is flagged unhealthy ({_HEALTH_FIELD.get(sysl, 'health')} not 0)"
            if n_sick == len(mine)
            else f"is unhealthy ({n_sick}) or not a GNSS orbit ({len(mine) - n_sick})"
        )
        raise ReferenceOrbitError(
            f"{first.where}: every {name} record ({len(mine)} records of "
            f"{n_sats} satellite{'s' if n_sats > 1 else ''}, first {first.sv} {first.msg}) {why}; "
            f"expected at least one healthy {name} satellite. {leave}, keep unhealthy "
            "records with include_unhealthy=True "
            "(CLI --include-unhealthy), or use a file with healthy records"
        )
