"""Read element sets (TLE/3LE, OMM CSV, OMM JSON) into a :class:`Constellation`.

Parsing of the element values is done by the ``sgp4`` package
(:meth:`sgp4.api.Satrec.twoline2rv` for TLEs, :mod:`sgp4.omm` for OMM). This
module only finds where each record starts, checks what ``sgp4`` does not
(line lengths, checksums, matching catalogue numbers) and turns every problem
into an :class:`~gnss.errors.ElementError` that names the file, the line, what
was wrong and how to fix it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sgp4 import omm
from sgp4.api import Satrec
from sgp4.exporter import compute_checksum

from ..constants import SGP4_GRAVITY_MODEL
from ..errors import ElementError
from ..inputfile import MAX_ELEMENT_FILE_BYTES, read_input_file
from .classify import SYSTEMS, classify, orbit_problem

_TLE_LINE_LENGTH = 69  # columns 1-69, column 69 is the checksum (CelesTrak/NORAD TLE format)


@dataclass(frozen=True)
class Satellite:
    """One satellite: its identity and its SGP4 element set.

    Attributes
    ----------
    name : str
        Name line as given (stripped), or the OMM ``OBJECT_NAME``.
    norad_id : int
        Catalogue number.
    system : str
        GNSS letter: G, R, E, C, J, I or S.
    prn : int or None
        PRN (or GLONASS slot) when the name carries it.
    orbit_class : str
        ``"MEO"``, ``"IGSO"`` or ``"GEO"`` from the elements.
    generation : str or None
        e.g. ``"BDS-3"`` where the name tells it.
    epoch : datetime
        Element epoch, timezone-aware UTC.
    source : str
        ``file:line`` of the record.
    satrec : sgp4.api.Satrec
        Initialised SGP4 model.
    """

    name: str
    norad_id: int
    system: str
    prn: int | None
    orbit_class: str
    generation: str | None
    epoch: datetime
    source: str
    satrec: Satrec = field(repr=False, compare=False)

    @property
    def label(self) -> str:
        """Short label such as ``C19`` or ``R#2569`` (system + PRN, else the name)."""
        return f"{self.system}{self.prn:02d}" if self.prn is not None else self.name


@dataclass(frozen=True)
class Skipped:
    """A record that was read but left out of the analysis, and why.

    ``kind`` groups the reasons for summaries (e.g. ``"duplicate NORAD"``, ``"implausible
    orbit"``, ``"unknown name"``); empty when the reason stands alone.
    """

    name: str
    source: str
    reason: str
    kind: str = ""


@dataclass(frozen=True)
class ElementSource:
    """A file that element sets came from, with its sha256 for provenance."""

    path: str
    sha256: str
    n_records: int


@dataclass(frozen=True)
class Constellation:
    """Satellites from one or more element files, plus what was skipped.

    Attributes
    ----------
    satellites : tuple of Satellite
        In file order.
    skipped : tuple of Skipped
        Records not used, each with its reason (never dropped silently).
    sources : tuple of ElementSource
        The files read.
    """

    satellites: tuple[Satellite, ...]
    skipped: tuple[Skipped, ...] = ()
    sources: tuple[ElementSource, ...] = ()

    def __len__(self) -> int:
        return len(self.satellites)

    def systems(self) -> list[str]:
        """Systems present, in the canonical order G, R, E, C, J, I, S."""
        present = {s.system for s in self.satellites}
        return [s for s in SYSTEMS if s in present]

    def counts(self) -> dict[str, int]:
        """Return the number of satellites per system letter."""
        out = {s: 0 for s in self.systems()}
        for sat in self.satellites:
            out[sat.system] += 1
        return out

    def select(self, systems: str | list[str]) -> Constellation:
        """Keep only the satellites of the given system letters."""
        wanted = set(systems)
        return replace(self, satellites=tuple(s for s in self.satellites if s.system in wanted))

    def median_epoch(self) -> datetime:
        """Median element epoch (UTC), the default analysis start.

        Raises
        ------
        ElementError
            When there is no satellite; the message says which records were skipped, why,
            and what to do.
        """
        if not self.satellites:
            raise ElementError(_empty_message(self))
        stamps = sorted(s.epoch.timestamp() for s in self.satellites)
        mid = len(stamps) // 2
        ts = stamps[mid] if len(stamps) % 2 else 0.5 * (stamps[mid - 1] + stamps[mid])
        return datetime.fromtimestamp(round(ts), tz=UTC)


def skipped_lines(skipped: tuple[Skipped, ...] | list[Skipped], max_lines: int = 10) -> list[str]:
    """Skipped records as short lines, grouped by kind (or reason) when it repeats."""
    groups: dict[str, list[Skipped]] = {}
    for s in skipped:
        groups.setdefault(s.kind or s.reason, []).append(s)
    lines = []
    for key, items in groups.items():
        if len(items) <= 2:
            lines += [f"{s.name} ({s.source}): {s.reason}" for s in items]
        elif all(s.reason == key for s in items):
            names = ", ".join(s.name for s in items[:2])
            lines.append(f"{len(items)} records {key} (e.g. {names}, ...)")
        else:
            first = items[0]
            lines.append(
                f"{len(items)} records: {key} (e.g. {first.name} ({first.source}): "
                f"{first.reason}; ...)"
            )
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... and {len(lines) - max_lines} more"]
    return lines


# Fixes for an empty constellation, by the kind of skip that emptied it.
_EMPTY_FIXES = {
    "selection": "Check --select/--exclude (or the what-if selectors) against "
    "`gnss elements list -e FILE`",
    "unknown name": "Give a GNSS element file (e.g. CelesTrak's gnss group: "
    "`gnss elements fetch gnss`)",
    "duplicate NORAD": "",
    "duplicate PRN": "",
}


def _kind_of(s: Skipped) -> str:
    if s.kind:
        return s.kind
    if s.reason.startswith(("not selected", "excluded by")):  # see select.filter_constellation
        return "selection"
    return "other"


def _empty_message(con: Constellation) -> str:
    files = ", ".join(s.path for s in con.sources) or "no element files"
    n_read = sum(s.n_records for s in con.sources)
    others = n_read - len(con.skipped)
    if not con.skipped:
        return (
            f"the constellation is empty: no median epoch ({files}: no satellite of the "
            "requested systems). Give element files with satellites of those systems, or "
            "choose --sets of the systems the files hold"
        )
    kinds = {_kind_of(s) for s in con.skipped}
    fixes = [f for k, f in _EMPTY_FIXES.items() if k in kinds and f]
    if kinds - set(_EMPTY_FIXES):
        fixes.append("Fix or remove the records named above, or download the element set again")
    if others > 0:
        fixes.append(f"The other {others} records are of systems not asked for: check --sets")
    return (
        f"the constellation is empty: no median epoch; {len(con.skipped)} of the {n_read} "
        f"records of {files} were skipped: "
        + "; ".join(skipped_lines(con.skipped, 5))
        + ". "
        + ". ".join(fixes)
    )


def _err(path: str, line: int | None, what: str, fix: str) -> ElementError:
    where = f"{path}:{line}" if line is not None else path
    return ElementError(f"{where}: {what}. {fix}")


def _epoch_from_satrec(sat: Satrec) -> datetime:
    jd = sat.jdsatepoch + sat.jdsatepochF
    # JD 2440587.5 is 1970-01-01T00:00 UTC; microsecond rounding is far below
    # the element accuracy.
    return datetime.fromtimestamp(round((jd - 2440587.5) * 86400.0, 6), tz=UTC)


def _check_tle_line(path: str, lineno: int, text: str, which: str) -> None:
    if len(text) != _TLE_LINE_LENGTH:
        raise _err(
            path,
            lineno,
            f"TLE line {which} has {len(text)} characters, expected {_TLE_LINE_LENGTH}: {text!r}",
            "The file may be truncated or re-wrapped; download it again or fix the line.",
        )
    if not text[68].isdigit():
        raise _err(
            path,
            lineno,
            f"TLE line {which} column 69 should be the checksum digit, found {text[68]!r}",
            "Download the element set again.",
        )
    want = compute_checksum(text)
    if want != int(text[68]):
        raise _err(
            path,
            lineno,
            f"TLE line {which} checksum is {text[68]}, but the line's digits give {want}",
            "The line is corrupt (a changed digit); download the element set again.",
        )


def _read_tle(path: str, text: str) -> list[tuple[str, int, Satrec]]:
    """Return (name, first line number, satrec) for each record of a TLE/3LE text."""
    lines = text.splitlines()
    out: list[tuple[str, int, Satrec]] = []
    i = 0
    pending_name: tuple[str, int] | None = None
    while i < len(lines):
        raw = lines[i].rstrip()
        lineno = i + 1
        if not raw.strip():
            i += 1
            continue
        if raw.startswith("1 "):
            if i + 1 >= len(lines) or not lines[i + 1].startswith("2 "):
                got = lines[i + 1].rstrip() if i + 1 < len(lines) else "end of file"
                raise _err(
                    path,
                    lineno + 1,
                    f"expected TLE line 2 (starting '2 ') after line 1, found {got!r}",
                    "Each element set needs line 1 followed by line 2; the file may be truncated.",
                )
            l1, l2 = raw, lines[i + 1].rstrip()
            _check_tle_line(path, lineno, l1, "1")
            _check_tle_line(path, lineno + 1, l2, "2")
            if l1[2:7] != l2[2:7]:
                raise _err(
                    path,
                    lineno,
                    f"catalogue numbers differ between line 1 ({l1[2:7]!r}) and line 2 "
                    f"({l2[2:7]!r})",
                    "The two lines belong to different satellites; fix the file.",
                )
            try:
                sat = Satrec.twoline2rv(l1, l2, SGP4_GRAVITY_MODEL)
            except Exception as exc:  # sgp4 raises ValueError with its own text
                raise _err(
                    path, lineno, f"sgp4 cannot read this element set ({exc})", "Fix or remove it."
                ) from exc
            if name_info := pending_name:
                name, first = name_info
            else:
                name, first = f"NORAD {sat.satnum}", lineno
            out.append((name, first, sat))
            pending_name = None
            i += 2
            continue
        if raw.startswith("2 "):
            raise _err(
                path,
                lineno,
                "found TLE line 2 without a line 1 before it",
                "The file may be truncated or two lines swapped; download it again.",
            )
        if pending_name is not None:
            raise _err(
                path,
                pending_name[1] + 1,
                f"expected TLE line 1 (starting '1 ') after the name {pending_name[0]!r}, "
                f"found {raw!r}",
                "Each 3LE record is a name line, line 1 and line 2; the file may be truncated.",
            )
        name = raw[2:] if raw.startswith("0 ") else raw
        pending_name = (name.strip(), lineno)
        i += 1
    if pending_name is not None:
        raise _err(
            path,
            pending_name[1],
            f"the name {pending_name[0]!r} has no element lines after it",
            "The file is truncated; download it again.",
        )
    return out


def _omm_satrec(path: str, where: int, fields: dict) -> Satrec:
    sat = Satrec()
    try:
        omm.initialize(sat, fields)
    except KeyError as exc:
        raise _err(
            path,
            where,
            f"OMM record is missing the field {exc.args[0]!r}",
            "Use CelesTrak's OMM CSV/JSON (FORMAT=csv or FORMAT=json) with all mean elements.",
        ) from exc
    except (ValueError, TypeError, OverflowError) as exc:
        raise _err(
            path, where, f"OMM record has an invalid value ({exc})", "Fix the record."
        ) from exc
    return sat


def _read_omm_csv(path: str, text: str) -> list[tuple[str, int, Satrec]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _omm_csv_rows(path, reader)
    except csv.Error as exc:  # e.g. a field over csv's size limit
        raise _err(
            path, reader.line_num, f"unreadable CSV ({exc})", "Give a CelesTrak OMM CSV file."
        ) from exc


def _omm_csv_rows(path: str, reader: csv.DictReader) -> list[tuple[str, int, Satrec]]:
    out = []
    if not reader.fieldnames or "MEAN_MOTION" not in reader.fieldnames:
        raise _err(
            path,
            1,
            f"expected an OMM CSV header with MEAN_MOTION, found {reader.fieldnames!r}",
            "Give a CelesTrak OMM CSV file, or a TLE/3LE or OMM JSON file.",
        )
    for row in reader:
        lineno = reader.line_num  # physical line: DictReader skips blank lines
        if None in row or any(v is None for v in row.values()):
            raise _err(
                path,
                lineno,
                "the row has a different number of columns than the header",
                "The file may be truncated.",
            )
        out.append((row.get("OBJECT_NAME", "").strip(), lineno, _omm_satrec(path, lineno, row)))
    return out


def _read_omm_json(path: str, text: str) -> list[tuple[str, int, Satrec]]:
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _err(
            path,
            exc.lineno,
            f"invalid JSON ({exc.msg})",
            "The file may be truncated; download it again.",
        ) from exc
    except RecursionError as exc:
        raise _err(
            path, None, "JSON nested too deeply", "Use CelesTrak's FORMAT=json output."
        ) from exc
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        found = f"a JSON {type(records).__name__}"
    else:
        bad = next((k for k, r in enumerate(records) if not isinstance(r, dict)), None)
        found = None if bad is None else f"item {bad + 1} is a {type(records[bad]).__name__}"
    if found is not None:
        raise _err(
            path,
            None,
            f"expected a JSON list of OMM objects, but {found}",
            "Use CelesTrak's FORMAT=json output.",
        )
    out = []
    for k, rec in enumerate(records):
        fields = {key: str(value) for key, value in rec.items()}
        # The record number stands in for a line number in JSON files.
        out.append((fields.get("OBJECT_NAME", "").strip(), k + 1, _omm_satrec(path, k + 1, fields)))
    return out


def _sniff(path: str, text: str) -> str:
    head = text.lstrip()[:200]
    if head.startswith(("[", "{")):
        return "json"
    if head.startswith(("CCSDS_OMM_VERS", "OBJECT_NAME")) or "MEAN_MOTION" in head.splitlines()[0]:
        return "csv"
    try:  # a JSON scalar (42, "x", true, null) is no TLE name line
        value = json.loads(text)
    except (ValueError, RecursionError):
        return "tle"
    raise _err(
        path,
        None,
        f"the file is a JSON {type(value).__name__} ({_short(text.strip())}), "
        "expected a JSON list of OMM objects, an OMM CSV table or TLE/3LE lines",
        "Use CelesTrak's FORMAT=json (or csv, tle) output.",
    )


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def read_elements(paths: str | os.PathLike | list[str | os.PathLike]) -> Constellation:
    """Read element files (TLE/3LE, OMM CSV or OMM JSON; detected from the content).

    Parameters
    ----------
    paths : path or list of paths
        Element files. CelesTrak's ``FORMAT=tle``, ``csv`` and ``json`` are all
        accepted; the format is detected from the content, not the suffix.

    Returns
    -------
    Constellation
        Classified satellites. Listed in ``skipped`` with ``file:line`` and the
        reason instead: records with a non-finite or out-of-range element (or an
        sgp4 initialisation error), names that match no GNSS, orbits that do not
        fit their system (:data:`gnss.elements.classify.ORBIT_BANDS`), and duplicates (the
        same catalogue number, or the same system + PRN from another catalogue
        number: the older epoch).

    Raises
    ------
    ElementError
        For an unreadable, empty or malformed file, a FIFO, device or folder, a
        file over :data:`gnss.inputfile.MAX_ELEMENT_FILE_BYTES`, or a JSON
        document that is no list of OMM objects; the message names the file and
        line and says how to fix it.

    Examples
    --------
    >>> from gnss import read_elements, nominal_element_files
    >>> con = read_elements(nominal_element_files(["R"]))
    >>> con.counts()
    {'R': 24}
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not paths:
        raise ElementError("no element files given. Pass at least one TLE/3LE or OMM file.")
    sats: list[Satellite] = []
    skipped: list[Skipped] = []
    sources: list[ElementSource] = []
    for p in paths:
        path = str(p)
        text, data = _read_text(path)
        kind = _sniff(path, text)
        reader = {"tle": _read_tle, "csv": _read_omm_csv, "json": _read_omm_json}[kind]
        records = reader(path, text)
        if not records:
            raise _err(
                path,
                None,
                f"no element sets found (read as {kind.upper()})",
                "Check the file format.",
            )
        sources.append(ElementSource(path, hashlib.sha256(data).hexdigest(), len(records)))
        for name, lineno, satrec in records:
            sat = _satellite(name, f"{path}:{lineno}", satrec)
            (sats if isinstance(sat, Satellite) else skipped).append(sat)
    sats, dups = _drop_duplicates(sats)
    sats, prn_dups = _drop_duplicate_prns(sats)
    return Constellation(tuple(sats), tuple(skipped + dups + prn_dups), tuple(sources))


def _read_text(path: str) -> tuple[str, bytes]:
    """Text and bytes of an element file: a regular file, capped, UTF-8, not empty."""
    data = read_input_file(
        path, what="element file", max_bytes=MAX_ELEMENT_FILE_BYTES, error=ElementError
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _err(
            path,
            None,
            f"not a text file (byte {exc.start} is not UTF-8)",
            "Give a TLE/3LE or OMM file.",
        ) from exc
    if not text.strip():
        raise _err(
            path,
            None,
            "the file is empty",
            "Download the element set again or give another file.",
        )
    return text, data


_DEG = math.degrees
_REV_PER_DAY = 1440.0 / (2.0 * math.pi)  # from SGP4's rad/min
# Satrec attribute -> field name as in OMM files (and CelesTrak's TLE documentation).
_ELEMENT_FIELDS = (
    ("no_kozai", "MEAN_MOTION"),
    ("ecco", "ECCENTRICITY"),
    ("inclo", "INCLINATION"),
    ("nodeo", "RA_OF_ASC_NODE"),
    ("argpo", "ARG_OF_PERICENTER"),
    ("mo", "MEAN_ANOMALY"),
    ("bstar", "BSTAR"),
    ("ndot", "MEAN_MOTION_DOT"),
    ("nddot", "MEAN_MOTION_DDOT"),
    ("jdsatepoch", "EPOCH"),
    ("jdsatepochF", "EPOCH"),
)
# sgp4's initialisation error codes (sgp4/wrapper and Vallado's sgp4unit.cpp).
_SGP4_ERRORS = {
    1: "mean eccentricity outside 0 <= e < 1, or semi-major axis below 0.95 Earth radii",
    2: "mean motion below zero",
    3: "perturbed eccentricity outside 0-1",
    4: "semi-latus rectum below zero",
    5: "epoch elements are sub-orbital",
    6: "the satellite has decayed",
}


def _element_problem(satrec: Satrec) -> str | None:
    """Why the elements are unusable (non-finite, out of range, sgp4 error), or None."""
    for attr, field_name in _ELEMENT_FIELDS:
        value = getattr(satrec, attr)
        if not math.isfinite(value):
            return f"{field_name} is {value!r}, expected a finite number"
    n = satrec.no_kozai * _REV_PER_DAY
    if not n > 0:
        return f"MEAN_MOTION is {n:g} rev/day, expected > 0"
    if not 0.0 <= satrec.ecco < 1.0:
        return f"ECCENTRICITY is {satrec.ecco:g}, expected 0 <= e < 1"
    inc = _DEG(satrec.inclo)
    if not 0.0 <= inc <= 180.0:
        return f"INCLINATION is {inc:g} deg, expected 0-180 deg"
    if satrec.error:
        what = _SGP4_ERRORS.get(satrec.error, "unknown error")
        return f"sgp4 initialisation error code {satrec.error} ({what})"
    return None


def _satellite(name: str, where: str, satrec: Satrec) -> Satellite | Skipped:
    """Check and classify one record: a Satellite, or a Skipped with the reason."""
    if problem := _element_problem(satrec):
        return Skipped(name, where, f"{problem}; fix or remove the record", "bad element")
    rev_per_day = satrec.no_kozai * _REV_PER_DAY
    inc_deg = _DEG(satrec.inclo)
    ident = classify(name, satrec.satnum, rev_per_day, inc_deg)
    if ident.system is None:
        return Skipped(name, where, ident.reason, "unknown name")
    if problem := orbit_problem(ident.system, rev_per_day, satrec.ecco, inc_deg):
        return Skipped(
            name, where, f"{problem}; the name and the elements disagree", "implausible orbit"
        )
    try:
        epoch = _epoch_from_satrec(satrec)
    except (ValueError, OverflowError, OSError) as exc:
        return Skipped(name, where, f"EPOCH out of range ({exc})", "bad element")
    return Satellite(
        name=name,
        norad_id=int(satrec.satnum),
        system=ident.system,
        prn=ident.prn,
        orbit_class=ident.orbit_class,
        generation=ident.generation,
        epoch=epoch,
        source=where,
        satrec=satrec,
    )


def _drop_duplicates(sats: list[Satellite]) -> tuple[list[Satellite], list[Skipped]]:
    """Keep the newest epoch of each catalogue number; report the others."""
    newest: dict[int, Satellite] = {}
    for s in sats:
        if s.norad_id not in newest or s.epoch > newest[s.norad_id].epoch:
            newest[s.norad_id] = s
    keep, dropped = [], []
    for s in sats:
        if newest[s.norad_id] is s:
            keep.append(s)
        else:
            kept = newest[s.norad_id]
            dropped.append(
                Skipped(
                    s.name,
                    s.source,
                    f"duplicate NORAD {s.norad_id}: kept the newer epoch at {kept.source}",
                    "duplicate NORAD",
                )
            )
    return keep, dropped


def _drop_duplicate_prns(sats: list[Satellite]) -> tuple[list[Satellite], list[Skipped]]:
    """Keep the newest epoch of each system + PRN held by different catalogue numbers.

    Two catalogue numbers with one PRN happen when snapshots of different dates are mixed
    (a PRN moved to a new satellite); only one can transmit it at a time.
    """
    newest: dict[tuple[str, int], Satellite] = {}
    for s in sats:
        key = (s.system, s.prn)
        if s.prn is not None and (key not in newest or s.epoch > newest[key].epoch):
            newest[key] = s
    keep, dropped = [], []
    for s in sats:
        kept = newest.get((s.system, s.prn)) if s.prn is not None else None
        if kept is None or kept is s:
            keep.append(s)
            continue
        reason = (
            f"duplicate PRN {s.label}: NORAD {s.norad_id} (epoch {s.epoch:%Y-%m-%d %H:%M}) "
            f"and NORAD {kept.norad_id} {kept.name!r} (epoch {kept.epoch:%Y-%m-%d %H:%M}) "
            f"both claim it; kept the newer epoch at {kept.source}"
        )
        dropped.append(Skipped(s.name, s.source, reason, "duplicate PRN"))
    return keep, dropped
