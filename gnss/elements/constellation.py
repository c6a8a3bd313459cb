"""The result of reading element files: satellites, what was skipped and why, the sources.

:class:`Constellation` holds the :class:`Satellite` records kept (in file order), the
:class:`Skipped` records with their reasons (never dropped silently) and the
:class:`ElementSource` files with their sha256 for provenance. :func:`skipped_lines` turns the
skips into short lines for messages and logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sgp4.api import Satrec

from ..errors import ElementError
from .classify import SYSTEMS


@dataclass(frozen=True)
class Satellite:
    """One satellite: its identity, its SGP4 element set and, for orbit files, its orbit.

    Attributes
    ----------
    name : str
        Name line as given (stripped), or the OMM ``OBJECT_NAME``.
    norad_id : int or None
        Catalogue number; None for satellites from SP3 or RINEX navigation files, which
        carry none (a ``norad=`` selector never matches them).
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
        ``file:line`` of the record (``file:PRN`` for orbit files).
    satrec : sgp4.api.Satrec
        Initialised SGP4 model. For a satellite with an ``orbit`` it is a classification
        proxy (osculating elements at the middle of the file, :mod:`gnss.orbits.proxy`): it
        gives the orbit class, plane and slot, never positions.
    orbit : object or None
        The orbit provider (:class:`gnss.orbits.source.FileOrbit`: ``kind`` and
        ``positions_itrs_m(times)``) of a satellite from an SP3 or navigation file; None for
        TLE/OMM and nominal satellites (positions from SGP4).
    """

    name: str
    norad_id: int | None
    system: str
    prn: int | None
    orbit_class: str
    generation: str | None
    epoch: datetime
    source: str
    satrec: Satrec = field(repr=False, compare=False)
    orbit: object | None = field(default=None, repr=False, compare=False)

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
