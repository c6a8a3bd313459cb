"""Choosing satellites: selectors, include/exclude filters, orbital planes, epoch hygiene.

A *selector* is a short text that names a group of satellites, used by
``--select``/``--exclude`` and by what-if sets (``R+C[-C:GEO]``):

==================  ==========================================================
``C``               a system (G, R, E, C, J, I, S)
``C19``, ``E06``    a system and PRN (GLONASS: slot number, when known)
``C:GEO``           a system and orbit class (MEO, IGSO, GEO)
``C:BDS-2``         a system and generation (``BDS-2``, ``BDS-3``, ``GLONASS-K`` ...)
``R:plane=2``       a system and orbital plane (MEO; numbered as in the nominal set)
``norad=43001``     a catalogue number (a bare number works too)
``name=BEIDOU-3*``  a name pattern (shell wildcards, any case)
``class=GEO``       an orbit class, any system; ``gen=BDS-3`` a generation
==================  ==========================================================
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from .classify import SYSTEMS
from .elements import Constellation, Satellite, Skipped, skipped_lines
from .errors import ParameterError

_CLASSES = ("MEO", "IGSO", "GEO")
_HELP = (
    "use e.g. C, C19, C:GEO, C:BDS-2, R:plane=2, norad=43001, name='BEIDOU-3*', class=GEO, "
    "gen=BDS-3"
)


@dataclass(frozen=True)
class Selector:
    """A parsed selector; see the module docstring for the syntax.

    Examples
    --------
    >>> Selector.parse("C:GEO")
    Selector(text='C:GEO', system='C', prn=None, orbit_class='GEO', generation=None, plane=None, norad_id=None, name=None)
    """  # noqa: E501

    text: str
    system: str | None = None
    prn: int | None = None
    orbit_class: str | None = None
    generation: str | None = None
    plane: int | None = None
    norad_id: int | None = None
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> Selector:
        """Parse one selector, raising :class:`ParameterError` with the accepted forms."""
        raw = text.strip()
        t = raw.upper()
        if m := re.fullmatch(r"([GRECJIS])(\d{1,3})", t):
            return cls(raw, system=m[1], prn=int(m[2]))
        if t in SYSTEMS:
            return cls(raw, system=t)
        if re.fullmatch(r"\d{1,9}", t):
            return cls(raw, norad_id=int(t))
        if m := re.fullmatch(r"([GRECJIS]):(.+)", t):
            inner = cls.parse(m[2]) if "=" in m[2] else None
            if inner is not None and inner.system is None:
                return replace(inner, text=raw, system=m[1])
            if m[2] in _CLASSES:
                return cls(raw, system=m[1], orbit_class=m[2])
            return cls(raw, system=m[1], generation=m[2])
        if m := re.fullmatch(r"(NORAD|NAME|CLASS|GEN|PLANE)=(.+)", t):
            key, value = m[1], raw.split("=", 1)[1].strip().strip("'\"")
            if key == "NORAD" and value.isdigit():
                return cls(raw, norad_id=int(value))
            if key == "NAME":
                return cls(raw, name=value.upper())
            if key == "CLASS" and value.upper() in _CLASSES:
                return cls(raw, orbit_class=value.upper())
            if key == "GEN":
                return cls(raw, generation=value.upper())
            if key == "PLANE" and value.isdigit():
                return cls(raw, plane=int(value))
        raise ParameterError(f"selector {raw!r} is not understood; {_HELP}")

    def matches(self, sat: Satellite) -> bool:
        """Whether ``sat`` is selected (planes need :func:`orbital_plane`)."""
        if self.system is not None and sat.system != self.system:
            return False
        if self.prn is not None and sat.prn != self.prn:
            return False
        if self.orbit_class is not None and sat.orbit_class != self.orbit_class:
            return False
        if self.generation is not None and (sat.generation or "").upper() != self.generation:
            return False
        if self.norad_id is not None and sat.norad_id != self.norad_id:
            return False
        if self.name is not None and not fnmatch.fnmatchcase(sat.name.upper(), self.name):
            return False
        return self.plane is None or orbital_plane(sat) == self.plane


def parse_selectors(items: Sequence[str] | str) -> list[Selector]:
    """Parse comma-separated or listed selectors."""
    if isinstance(items, str):
        items = [items]
    return [Selector.parse(p) for item in items for p in item.split(",") if p.strip()]


def filter_constellation(
    con: Constellation,
    select: Sequence[str] | str = (),
    exclude: Sequence[str] | str = (),
) -> Constellation:
    """Keep satellites matching any ``select`` selector (all if none) and no ``exclude`` one.

    Satellites left out are added to ``skipped`` with the selector that removed them.

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["C"]))
    >>> filter_constellation(con, exclude="C:GEO").counts()
    {'C': 27}
    """
    sel, exc = parse_selectors(select), parse_selectors(exclude)
    keep, dropped = [], []
    for sat in con.satellites:
        if sel and not any(s.matches(sat) for s in sel):
            dropped.append(Skipped(sat.name, sat.source, "not selected by --select"))
        elif hit := next((s for s in exc if s.matches(sat)), None):
            dropped.append(Skipped(sat.name, sat.source, f"excluded by {hit.text!r}"))
        else:
            keep.append(sat)
    return replace(con, satellites=tuple(keep), skipped=con.skipped + tuple(dropped))


# --- Orbital planes ---------------------------------------------------------------------------

_PLANE_TOLERANCE_DEG = 20.0  # nominal planes are 60 (GPS) or 120 degrees apart


def _nominal_plane_of(name: str) -> int | None:
    """Plane number from a nominal slot name (GLONASS slot, GPS/Galileo letter, BeiDou Mnn)."""
    if m := re.search(r"SLOT (\d+)", name):
        return (int(m[1]) - 1) // 8 + 1
    if m := re.search(r"NOMINAL ([A-F])\d", name):
        return "ABCDEF".index(m[1]) + 1
    if m := re.search(r"NOMINAL M(\d+)", name):
        return (int(m[1]) - 1) // 8 + 1
    return None


@lru_cache(maxsize=1)
def _nominal_planes() -> dict[str, list[tuple[int, float, float]]]:
    """Per system: (plane, RAAN in rad at the nominal epoch, epoch JD) of each nominal MEO plane."""
    from .elements import read_elements
    from .nominal_files import nominal_element_files

    out: dict[str, list[tuple[int, float, float]]] = {}
    for sat in read_elements(nominal_element_files()).satellites:
        plane = _nominal_plane_of(sat.name)
        if plane is not None and sat.orbit_class == "MEO":
            rec = sat.satrec
            entry = (plane, rec.nodeo, rec.jdsatepoch + rec.jdsatepochF)
            if entry[0] not in [p for p, _, _ in out.get(sat.system, [])]:
                out.setdefault(sat.system, []).append(entry)
    return out


def orbital_plane(sat: Satellite) -> int | None:
    """Orbital plane of a MEO satellite, numbered as in the nominal constellation (else None).

    The satellite's node is carried to the nominal epoch with its SGP4 secular node rate and
    compared with the nominal planes; it gets the nearest plane within 20 degrees.
    """
    planes = _nominal_planes().get(sat.system)
    if not planes or sat.orbit_class != "MEO":
        return None
    rec = sat.satrec
    best, best_deg = None, _PLANE_TOLERANCE_DEG
    for plane, nodeo, jd in planes:
        dt_min = (jd - rec.jdsatepoch - rec.jdsatepochF) * 1440.0
        node = rec.nodeo + rec.nodedot * dt_min
        diff = abs((math.degrees(node - nodeo) + 180.0) % 360.0 - 180.0)
        if diff < best_deg:
            best, best_deg = plane, diff
    return best


# --- Epoch hygiene ----------------------------------------------------------------------------


def stale_satellites(
    con: Constellation, start: datetime, end: datetime, max_age_days: float = 14.0
) -> list[tuple[Satellite, float]]:
    """Satellites whose element epoch is more than ``max_age_days`` from the span [start, end].

    Returns
    -------
    list of (Satellite, float)
        Each with its distance in days from the nearest end of the span, the worst (farthest)
        first; ties keep the constellation's order.
    """
    out = []
    for sat in con.satellites:
        if sat.epoch < start:
            days = (start - sat.epoch).total_seconds() / 86400.0
        elif sat.epoch > end:
            days = (sat.epoch - end).total_seconds() / 86400.0
        else:
            days = 0.0
        if days > max_age_days:
            out.append((sat, days))
    return sorted(out, key=lambda item: -item[1])


def check_span_near_elements(
    con: Constellation, start: datetime, end: datetime, max_days: float = 60.0, force: bool = False
) -> None:
    """Refuse an analysis span far from the element epochs (unless ``force``).

    Raises
    ------
    ParameterError
        When the span starts or ends more than ``max_days`` from the median element epoch.
    """
    if force or not con.satellites:
        return
    median = con.median_epoch()
    worst = max(abs((start - median).total_seconds()), abs((end - median).total_seconds()))
    if worst / 86400.0 > max_days:
        raise ParameterError(
            f"the analysis span {start.isoformat()} .. {end.isoformat()} is {worst / 86400:.0f} "
            f"days from the elements' median epoch {median.isoformat()}; TLE predictions that "
            f"far out are meaningless. Use element sets of that date, move --start, or pass "
            f"--force to run anyway"
        )


def summarize_skipped(con: Constellation, max_lines: int = 10) -> list[str]:
    """Skipped records as short lines, grouped by kind or by a repeated reason.

    Kinds are e.g. duplicate NORAD, duplicate PRN, implausible orbit, bad element.

    Examples
    --------
    >>> import gnss
    >>> con = filter_constellation(gnss.read_elements(gnss.nominal_element_files(["C"])), "C:GEO")
    >>> summarize_skipped(con)[0]
    '27 records not selected by --select (e.g. BEIDOU-3 NOMINAL M01, BEIDOU-3 NOMINAL M02, ...)'
    """
    return skipped_lines(con.skipped, max_lines)
