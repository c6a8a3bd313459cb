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
from pathlib import Path

from sgp4 import omm
from sgp4.api import WGS72, Satrec
from sgp4.exporter import compute_checksum

from .classify import SYSTEMS, classify
from .errors import ElementError

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
    """A record that was read but left out of the analysis, and why."""

    name: str
    source: str
    reason: str


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
        """Median element epoch (UTC), the default analysis start."""
        if not self.satellites:
            raise ElementError("the constellation is empty: no median epoch")
        stamps = sorted(s.epoch.timestamp() for s in self.satellites)
        mid = len(stamps) // 2
        ts = stamps[mid] if len(stamps) % 2 else 0.5 * (stamps[mid - 1] + stamps[mid])
        return datetime.fromtimestamp(round(ts), tz=UTC)


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
                sat = Satrec.twoline2rv(l1, l2, WGS72)
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
    except (ValueError, TypeError) as exc:
        raise _err(
            path, where, f"OMM record has an invalid value ({exc})", "Fix the record."
        ) from exc
    return sat


def _read_omm_csv(path: str, text: str) -> list[tuple[str, int, Satrec]]:
    out = []
    reader = csv.DictReader(io.StringIO(text))
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
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise _err(
            path, None, "expected a JSON list of OMM objects", "Use CelesTrak's FORMAT=json output."
        )
    out = []
    for k, rec in enumerate(records):
        fields = {key: str(value) for key, value in rec.items()}
        # The record number stands in for a line number in JSON files.
        out.append((fields.get("OBJECT_NAME", "").strip(), k + 1, _omm_satrec(path, k + 1, fields)))
    return out


def _sniff(text: str) -> str:
    head = text.lstrip()[:200]
    if head.startswith(("[", "{")):
        return "json"
    if head.startswith(("CCSDS_OMM_VERS", "OBJECT_NAME")) or "MEAN_MOTION" in head.splitlines()[0]:
        return "csv"
    return "tle"


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
        Classified satellites. Records whose name matches no GNSS, and
        duplicate catalogue numbers (the older epoch), are listed in
        ``skipped`` with the reason.

    Raises
    ------
    ElementError
        For an unreadable, empty or malformed file; the message names the
        file and line and says how to fix it.

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
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ElementError(
                f"{path}: cannot read the element file ({exc.strerror}). Check the path."
            ) from exc
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
        kind = _sniff(text)
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
            where = f"{path}:{lineno}"
            if satrec.error:
                skipped.append(
                    Skipped(name, where, f"sgp4 initialisation error code {satrec.error}")
                )
                continue
            rev_per_day = satrec.no_kozai * 1440.0 / (2.0 * math.pi)
            ident = classify(name, satrec.satnum, rev_per_day, math.degrees(satrec.inclo))
            if ident.system is None:
                skipped.append(Skipped(name, where, ident.reason))
                continue
            sats.append(
                Satellite(
                    name=name,
                    norad_id=int(satrec.satnum),
                    system=ident.system,
                    prn=ident.prn,
                    orbit_class=ident.orbit_class,
                    generation=ident.generation,
                    epoch=_epoch_from_satrec(satrec),
                    source=where,
                    satrec=satrec,
                )
            )
    sats, dups = _drop_duplicates(sats)
    return Constellation(tuple(sats), tuple(skipped + dups), tuple(sources))


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
                )
            )
    return keep, dropped
