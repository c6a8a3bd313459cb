"""Choosing satellites: selectors and include/exclude filters.

A *selector* is a short text that names a group of satellites, used by
``--select``/``--exclude`` and by what-if sets (``R+C[-C:GEO]``):

==================  ==========================================================
``C``               a system (G, R, E, C, J, I, S)
``C19``, ``E06``    a system and PRN (GLONASS: slot number, when known)
``C:GEO``           a system and orbit class (MEO, IGSO, GEO)
``C:BDS-2``         a system and generation (``BDS-2``, ``BDS-3``, ``GLONASS-K``, ``G:IIR-M``
                    ...; the known ones are in :func:`known_generations`)
``R:plane=2``       a system and orbital plane (MEO; numbered as in the nominal set)
``norad=43001``     a catalogue number (a bare number works too)
``name=BEIDOU-3*``  a name pattern (shell wildcards, any case)
``class=GEO``       an orbit class, any system; ``gen=BDS-3`` a generation
==================  ==========================================================

A word after ``SYSTEM:`` that is no class and no known generation is refused when parsed;
a selector that matches no satellite is refused where it is applied
(:func:`filter_constellations`, :func:`gnss.elements.sets.resolve_sets`), with what the elements
hold.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..errors import ParameterError
from .classify import SYSTEM_NAMES, SYSTEMS
from .planes import orbital_plane
from .read import Constellation, Satellite, Skipped

_CLASSES = ("MEO", "IGSO", "GEO")
_HELP = (
    "use e.g. C, C19, C:GEO, C:BDS-2, R:plane=2, norad=43001, name='BEIDOU-3*', class=GEO, "
    "gen=BDS-3"
)
_KEYED = re.compile(r"(NORAD|NAME|CLASS|GEN|PLANE)\s*=\s*(.*)", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1)
def known_generations() -> dict[str, tuple[str, ...]]:
    """Return the generations the classifier can tell, per system letter (:mod:`.classify`).

    Examples
    --------
    >>> known_generations()["C"]
    ('BDS-2', 'BDS-3', 'BDS-3S')
    """
    from .classify import GENERATION_RULES

    return {s: tuple(sorted({g for _, g in rules})) for s, rules in GENERATION_RULES.items()}


def _canonical_generation(system: str | None, word: str) -> str | None:
    """Upper-case generation for ``word`` (``GPS IIR-M`` or just ``IIR-M``), else None."""
    word = " ".join(word.upper().split())
    for sys, gens in known_generations().items():
        if system is not None and sys != system:
            continue
        for gen in (g.upper() for g in gens):
            if word in (gen, gen.split(" ", 1)[-1]):
                return gen
    return None


def _unknown_word(raw: str, system: str | None, word: str) -> ParameterError:
    if system is None:
        gens = "; ".join(f"{s}: {', '.join(g)}" for s, g in known_generations().items())
        where = f"generation {word!r} is not known (known generations: {gens})"
    else:
        gens = ", ".join(known_generations().get(system, ())) or "none known"
        where = (
            f"{word!r} after '{system}:' is no orbit class ({', '.join(_CLASSES)}) and no "
            f"generation of {SYSTEM_NAMES[system]} ({gens}); after '{system}:' write a class, "
            "a generation, plane=N, name=PATTERN or norad=N"
        )
    return ParameterError(f"selector {raw!r} is not understood: {where}; {_HELP}")


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
        if not isinstance(text, str):
            raise ParameterError(f"a selector is text such as 'C:GEO', got {text!r}; {_HELP}")
        raw = text.strip()
        t = raw.upper()
        if m := re.fullmatch(r"([GRECJIS])([0-9]{1,3})", t):
            return cls(raw, system=m[1], prn=int(m[2]))
        if t in SYSTEMS:
            return cls(raw, system=t)
        if re.fullmatch(r"[0-9]{1,9}", t):
            return cls(raw, norad_id=int(t))
        if re.fullmatch(r"[GRECJIS]:.+", t, re.DOTALL):
            system, word = t[0], raw.split(":", 1)[1].strip()
            if (keyed := cls._keyed(raw, word, system)) is not None:
                return replace(keyed, system=system)
            if word.upper() in _CLASSES:
                return cls(raw, system=system, orbit_class=word.upper())
            if gen := _canonical_generation(system, word):
                return cls(raw, system=system, generation=gen)
            raise _unknown_word(raw, system, word)
        if (keyed := cls._keyed(raw, raw, None)) is not None:
            return keyed
        raise ParameterError(f"selector {raw!r} is not understood; {_HELP}")

    @classmethod
    def _keyed(cls, raw: str, body: str, system: str | None) -> Selector | None:
        """``KEY=VALUE`` forms (norad, name, class, gen, plane); None when not one of them."""
        if not (m := _KEYED.fullmatch(body)):
            return None
        key, value = m[1].upper(), m[2].strip().strip("'\"").strip()
        if key == "NORAD" and re.fullmatch(r"[0-9]{1,9}", value):
            return cls(raw, norad_id=int(value))
        if key == "NAME" and value:
            return cls(raw, name=value.upper())
        if key == "CLASS" and value.upper() in _CLASSES:
            return cls(raw, orbit_class=value.upper())
        if key == "GEN" and value:
            if gen := _canonical_generation(system, value):
                return cls(raw, generation=gen)
            raise _unknown_word(raw, None, value)
        if key == "PLANE" and re.fullmatch(r"[0-9]{1,2}", value):
            return cls(raw, plane=int(value))
        return None

    def matches(self, sat: Satellite) -> bool:
        """Whether ``sat`` is selected (planes need :func:`gnss.elements.planes.orbital_plane`)."""
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


# --- What the elements hold (for the messages of selectors that match nothing) ----------------


def _tally(values: Iterable) -> str:
    counts = Counter(values)
    return ", ".join(f"{k}={n}" for k, n in sorted(counts.items(), key=lambda kv: str(kv[0])))


def _prn_ranges(system: str, prns: Iterable[int]) -> str:
    runs: list[list[int]] = []
    for p in sorted(set(prns)):
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    name = f"{system}{{:02d}}".format
    return ", ".join(name(r[0]) + (f"-{name(r[-1])}" if len(r) > 1 else "") for r in runs)


def available(satellites: Sequence[Satellite], system: str | None = None) -> str:
    """Say what ``satellites`` hold for selectors: classes, generations, planes, PRNs per system.

    Examples
    --------
    >>> import gnss
    >>> available(gnss.read_elements(gnss.nominal_element_files(["R"])).satellites, "R")
    'R (GLONASS) has 24 satellites: classes MEO=24; generations unknown=24; planes 1=8, 2=8, 3=8; PRNs R01-R24'
    """  # noqa: E501
    present = [s for s in SYSTEMS if any(x.system == s for x in satellites)]
    if system is not None and system not in present:
        have = ", ".join(f"{s}={sum(x.system == s for x in satellites)}" for s in present)
        name = f"{SYSTEM_NAMES[system]} ({system})"
        return f"there is no {name} satellite among them ({have or 'none'})"
    parts = []
    for sys in [system] if system else present:
        sats = [s for s in satellites if s.system == sys]
        planes = _tally(p for p in map(orbital_plane, sats) if p is not None) or "none"
        prns = _prn_ranges(sys, (s.prn for s in sats if s.prn is not None)) or "none in the names"
        parts.append(
            f"{sys} ({SYSTEM_NAMES[sys]}) has {len(sats)} satellites: classes "
            f"{_tally(s.orbit_class for s in sats)}; generations "
            f"{_tally(s.generation or 'unknown' for s in sats)}; planes {planes}; PRNs {prns}"
        )
    return " | ".join(parts) or "the elements have no satellite"


def no_match_error(sel: Selector, satellites: Sequence[Satellite], where: str) -> ParameterError:
    """Return the error for a selector, used ``where``, that matches none of ``satellites``."""
    return ParameterError(
        f"selector {sel.text!r} {where} matches no satellite; "
        f"{available(satellites, sel.system)}. Check the spelling (`gnss elements list -e FILE` "
        "shows every satellite with its class, generation and plane)"
    )


def filter_constellations(
    cons: Mapping[str | None, Constellation],
    select: Sequence[str] | str = (),
    exclude: Sequence[str] | str = (),
) -> dict[str | None, Constellation]:
    """:func:`filter_constellation` on several labelled constellations at once.

    Each selector must act somewhere: a ``select`` selector that matches no satellite of any
    constellation, or an ``exclude`` selector that removes none (of those ``select`` keeps), is
    an error, since it would change nothing.

    Raises
    ------
    ParameterError
        Naming the selector and listing what the elements hold for its system.
    """
    sel, exc = parse_selectors(select), parse_selectors(exclude)
    out, hit_sel, hit_exc = {}, set(), set()
    for label, con in cons.items():
        keep, dropped = [], []
        for sat in con.satellites:
            chosen = {i for i, s in enumerate(sel) if s.matches(sat)}
            hit_sel |= chosen
            hits = [i for i, s in enumerate(exc) if s.matches(sat)]
            if sel and not chosen:
                dropped.append(Skipped(sat.name, sat.source, "not selected by --select"))
            elif hits:
                hit_exc.update(hits)
                reason = f"excluded by {exc[hits[0]].text!r}"
                dropped.append(Skipped(sat.name, sat.source, reason))
            else:
                keep.append(sat)
        out[label] = replace(con, satellites=tuple(keep), skipped=con.skipped + tuple(dropped))
    pool = [s for c in cons.values() for s in c.satellites]
    for i, s in enumerate(sel):
        if i not in hit_sel:
            raise no_match_error(s, pool, "in --select")
    for i, s in enumerate(exc):
        if i not in hit_exc:
            if any(s.matches(x) for x in pool):
                raise ParameterError(
                    f"selector {s.text!r} in --exclude removes nothing: every satellite it "
                    f"matches is already left out by --select {', '.join(x.text for x in sel)}; "
                    "drop the --exclude or widen --select"
                )
            raise no_match_error(s, pool, "in --exclude")
    return out


def filter_constellation(
    con: Constellation,
    select: Sequence[str] | str = (),
    exclude: Sequence[str] | str = (),
) -> Constellation:
    """Keep satellites matching any ``select`` selector (all if none) and no ``exclude`` one.

    Satellites left out are added to ``skipped`` with the selector that removed them.

    Raises
    ------
    ParameterError
        For a selector that matches (``select``) or removes (``exclude``) no satellite.

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["C"]))
    >>> filter_constellation(con, exclude="C:GEO").counts()
    {'C': 27}
    """
    return filter_constellations({None: con}, select, exclude)[None]

