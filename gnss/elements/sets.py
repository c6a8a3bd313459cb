"""Receiver configurations ("sets") and what-if scenarios.

Grammar of one set (sets are separated by commas)::

    [NAME=]SYSTEMS[@LABEL][[MODIFIER;MODIFIER...]]

* ``SYSTEMS``: system letters joined by ``+``: ``R``, ``R+C``, ``G+R+E+C``.
* ``@LABEL``: take the satellites from the element files given with that label
  (``-e 2019=old.tle``); ``@nominal`` is the shipped nominal constellations. Without it,
  the unlabelled element files (or the nominal sets when no file is given).
* Modifiers, separated by ``;`` or ``,`` inside the brackets:
  ``-SELECTOR`` removes satellites (``R+C[-C:GEO]``: without the BeiDou GEOs;
  ``R+C[-R:plane=2]``: without a GLONASS plane); ``+nominal:SELECTOR`` adds the nominal slots
  it selects that no satellite of the set flies in (after its removals; "near" is defined in
  :mod:`.slots`), so ``R[-R:plane=2;+nominal:R:plane=2]`` replaces a plane by its nominal
  slots; ``+allnominal:SELECTOR`` adds the selected slots whether occupied or not. Nominal slots
  are placed at the set's start epoch. Selectors: :mod:`gnss.elements.select`.
* ``NAME=`` names the set in outputs (default: the expression itself).

A modifier that changes nothing is an error, not a no-op: a selector that matches no satellite
of the set's systems, or a ``+nominal:`` whose slots are all occupied.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..errors import ParameterError
from .read import Constellation, Satellite
from .select import Selector, no_match_error
from .slots import nominal_additions, short_names

SET_LETTERS = ("G", "R", "E", "C", "J", "I")
NOMINAL_LABEL = "nominal"
#: Modifier prefixes: (prefix, kind); ``+allnominal:`` rather than ``+nominal!:`` because an
#: exclamation mark starts a history expansion in bash, even inside double quotes.
_MODIFIERS = (("-", "remove"), ("+nominal:", "fill"), ("+allnominal:", "all"))


@dataclass(frozen=True)
class SetSpec:
    """A receiver configuration: the systems it tracks, from which elements, with what changes.

    Attributes
    ----------
    name : str
        Name in outputs, e.g. ``"R+C"``.
    systems : tuple of str
        System letters in canonical order.
    label : str or None
        Element-file label (``None``: the unlabelled files).
    remove : tuple of Selector
        Satellites taken out.
    add_nominal : tuple of Selector
        Nominal slots added where no satellite of the set flies (``+nominal:``).
    add_all_nominal : tuple of Selector
        Nominal slots added whether occupied or not (``+allnominal:``).
    """

    name: str
    systems: tuple[str, ...]
    label: str | None = None
    remove: tuple[Selector, ...] = field(default=())
    add_nominal: tuple[Selector, ...] = field(default=())
    add_all_nominal: tuple[Selector, ...] = field(default=())

    @property
    def is_plain(self) -> bool:
        """No label and no modifiers: the systems as given."""
        return self.label is None and not (self.remove or self.add_nominal or self.add_all_nominal)


def _split_top_level(text: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if depth < 0:
            raise ParameterError(f"unbalanced ']' in sets {text!r}")
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth:
        raise ParameterError(f"unbalanced '[' in sets {text!r}")
    parts.append("".join(cur))
    return parts


_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")


def _split_set(item: str) -> tuple[str | None, str, str | None, str | None]:
    """``NAME=SYSTEMS@LABEL[MODS]`` -> (name, systems, label, mods); None where not understood.

    Split by hand, in linear time: a regular expression with optional parts around free spaces
    backtracked for minutes on a long run of spaces.
    """
    name, rest = None, item
    if (m := _NAME_RE.match(item)) and item[m.end() : m.end() + 1] == "=":
        name, rest = m[0], item[m.end() + 1 :]
    head, bracket, tail = rest.partition("[")
    mods = None
    if bracket:
        if not tail.endswith("]") or "[" in tail or "]" in tail[:-1]:
            return None
        mods = tail[:-1]
    head, at, label = head.partition("@")
    head, label = head.strip(), label.strip()
    if at and not _NAME_RE.fullmatch(label):
        return None
    if not re.fullmatch(r"[A-Za-z+ ]+", head):
        return None
    return name, head, label if at else None, mods


def _parse_modifier(mod: str, item: str) -> tuple[str, Selector]:
    """One modifier -> (kind, selector); errors quote the set and the modifier."""
    for prefix, kind in _MODIFIERS:
        if mod.lower().startswith(prefix):
            try:
                return kind, Selector.parse(mod[len(prefix) :])
            except ParameterError as exc:
                raise ParameterError(f"in set {item!r}, modifier {mod!r}: {exc}") from None
    raise ParameterError(
        f"modifier {mod!r} in set {item!r} is not understood; use -SELECTOR to remove "
        "satellites, +nominal:SELECTOR to add the nominal slots no satellite flies in, or "
        "+allnominal:SELECTOR to add them all; separate modifiers with ';' (or ','), "
        "e.g. R+C[-C:GEO;-R:plane=2]"
    )


def _parse_one(raw: str) -> SetSpec:
    item = raw.strip()
    parts = _split_set(item)
    if parts is None:
        raise ParameterError(
            f"set {item!r} is not understood; write SYSTEMS[@LABEL][[-SELECTOR;+nominal:SELECTOR]]"
            ", e.g. R+C, R+C@2019, R+C[-C:GEO]"
        )
    set_name, sys_text, label, mod_text = parts
    letters = [x.strip().upper() for x in sys_text.split("+")]
    for x in letters:
        if x not in SET_LETTERS:
            raise ParameterError(
                f"unknown system letter {x!r} in set {item!r}; use G (GPS), R (GLONASS), "
                "E (Galileo), C (BeiDou), J (QZSS) or I (NavIC), joined with '+', e.g. R+C"
            )
    if len(set(letters)) != len(letters):
        raise ParameterError(f"set {item!r} names a system twice")
    systems = tuple(s for s in SET_LETTERS if s in letters)
    mods: dict[str, list[Selector]] = {"remove": [], "fill": [], "all": []}
    written = []
    for mod in re.split(r"[;,]", mod_text or ""):  # ',' too: a selector never holds one
        if mod := mod.strip():
            kind, sel = _parse_modifier(mod, item)
            mods[kind].append(sel)
            written.append(mod)
    default_name = "+".join(systems) + (f"@{label}" if label else "")
    if written:
        default_name += "[" + ";".join(written) + "]"
    return SetSpec(
        set_name or default_name, systems, label,
        tuple(mods["remove"]), tuple(mods["fill"]), tuple(mods["all"]),
    )  # fmt: skip


def parse_sets(text: str | Sequence[str]) -> list[SetSpec]:
    """Parse ``"R,C,R+C"`` (or a list of such items) into set specifications.

    See the module docstring for the grammar (labels, removals, nominal additions).

    Raises
    ------
    ParameterError
        Quoting the set (and the modifier) that is not understood, with the accepted forms.

    Examples
    --------
    >>> [(s.name, s.systems, s.label) for s in parse_sets("R,C,R+C,old=R+C@2019")]
    [('R', ('R',), None), ('C', ('C',), None), ('R+C', ('R', 'C'), None),
     ('old', ('R', 'C'), '2019')]
    >>> parse_sets("R+C[-C:GEO,-R:plane=2]")[0].name
    'R+C[-C:GEO;-R:plane=2]'
    """
    if isinstance(text, str):
        items = _split_top_level(text)
    elif isinstance(text, Sequence) and all(isinstance(x, str) for x in text):
        items = list(text)
    else:
        raise ParameterError(f"sets must be text such as 'R,C,R+C' or a list of it, got {text!r}")
    out: list[SetSpec] = []
    for raw in items:
        if not raw.strip():
            raise ParameterError(f"empty set in {text!r}; write sets like R,C,R+C")
        spec = _parse_one(raw)
        if any(s.name == spec.name for s in out):
            raise ParameterError(f"set {spec.name!r} is given twice in {text!r}")
        out.append(spec)
    return out


@dataclass(frozen=True)
class ResolvedSet:
    """A set with its satellites, the start epoch of its span and what its modifiers did.

    Attributes
    ----------
    spec : SetSpec
    satellites : tuple of Satellite
    start : datetime
    removed : tuple of Satellite
        Taken out by ``-SELECTOR``.
    added : tuple of Satellite
        Nominal slots added.
    occupied : tuple of (Satellite, Satellite)
        Nominal slots of ``+nominal:`` not added, each with the satellite that flies in it.
    description : str
        One line: satellites per system, what was removed and added (:func:`describe`).
    """

    spec: SetSpec
    satellites: tuple[Satellite, ...]
    start: datetime
    removed: tuple[Satellite, ...] = ()
    added: tuple[Satellite, ...] = ()
    occupied: tuple[tuple[Satellite, Satellite], ...] = ()
    description: str = ""


def set_starts(
    constellations: Mapping[str | None, Constellation],
    start: datetime,
    label_starts: Mapping[str, datetime] | None = None,
) -> dict[str | None, datetime]:
    """Return the start epoch of each label's span.

    ``start`` for the unlabelled and nominal elements, a labelled snapshot's own median epoch
    (so snapshots of different dates compare in one run), unless ``label_starts`` says otherwise.
    """
    starts: dict[str | None, datetime] = {None: start, NOMINAL_LABEL: start}
    cons = constellations.items()
    starts |= {k: c.median_epoch() for k, c in cons if k is not None and c.satellites}
    return starts | dict(label_starts or {})


def describe(rs: ResolvedSet) -> str:
    """Say in one line what a resolved set holds and what its modifiers changed.

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["C"]))
    >>> rs = resolve_sets(parse_sets("C[-C:GEO]"), {None: con}, {None: con.median_epoch()})
    >>> rs[0].description
    '27 satellites (C 27); removed 3 by -C:GEO: C GEO1, C GEO2, C GEO3'
    """
    counts = Counter(s.system for s in rs.satellites)
    text = f"{len(rs.satellites)} satellites (" + ", ".join(
        f"{s} {counts[s]}" for s in rs.spec.systems
    ) + ")"  # fmt: skip
    if rs.spec.label is not None:
        text += f" from the elements labelled {rs.spec.label!r}"
    if rs.removed:
        by = " ".join(f"-{s.text}" for s in rs.spec.remove)
        gone = sorted(rs.removed, key=lambda s: (SET_LETTERS.index(s.system), s.label))
        text += f"; removed {len(rs.removed)} by {by}: {short_names(gone)}"
    adders = [f"+nominal:{s.text}" for s in rs.spec.add_nominal]
    adders += [f"+allnominal:{s.text}" for s in rs.spec.add_all_nominal]
    if adders:
        added = short_names(rs.added)
        n = len(rs.added)
        text += f"; added {n} nominal slot{'s' * (n != 1)} by {' '.join(adders)}: {added}"
    if rs.occupied:
        taken = short_names(rs.occupied)
        n = len(rs.occupied)
        text += f"; {n} slot{'s' * (n != 1)} skipped, already occupied: {taken}"
    return text


def _resolve_one(spec: SetSpec, con: Constellation, start: datetime) -> ResolvedSet:
    base = [s for s in con.satellites if s.system in spec.systems]
    for sel in spec.remove:
        if not any(sel.matches(s) for s in base):
            where = f"in -{sel.text} of set {spec.name!r} (among its systems' satellites)"
            raise no_match_error(sel, base, where)
    removed = [s for s in base if any(sel.matches(s) for sel in spec.remove)]
    gone = {id(s) for s in removed}
    sats = [s for s in base if id(s) not in gone]
    added, taken = [], []
    if spec.add_nominal or spec.add_all_nominal:
        added, taken = nominal_additions(
            spec.name, spec.systems, spec.add_nominal, spec.add_all_nominal, sats, start
        )
    sats += added
    for sys in spec.systems:
        if not any(s.system == sys for s in sats):
            label = spec.label
            sick = [k.name for k in con.skipped if k.kind == "unhealthy" and k.name[:1] == sys]
            why = (f"; {len(sick)} were left out as unhealthy ({', '.join(sick[:5])}"
                   f"{', ...' if len(sick) > 5 else ''}): --include-unhealthy keeps them"
                   if sick else "")  # fmt: skip
            raise ParameterError(
                f"set {spec.name!r} has no satellite of system {sys} "
                f"(the elements{'' if label is None else ' labelled ' + repr(label)} have "
                f"{con.counts()}){why}; add element files for it, or change the set"
            )
    rs = ResolvedSet(spec, tuple(sats), start, tuple(removed), tuple(added), tuple(taken))
    return replace(rs, description=describe(rs))


def resolve_sets(
    specs: Sequence[SetSpec],
    constellations: Mapping[str | None, Constellation],
    starts: Mapping[str | None, datetime],
) -> list[ResolvedSet]:
    """Give each set its satellites, apply its modifiers and describe the result.

    Parameters
    ----------
    specs : sequence of SetSpec
    constellations : mapping
        Label -> constellation (``None``: unlabelled files). The ``nominal`` label, and nominal
        additions, are built at the label's start epoch when not given.
    starts : mapping
        Label -> start epoch of that label's span (:func:`set_starts`).

    Raises
    ------
    ParameterError
        For an unknown label, a system with no satellite left in a set, or a modifier that
        changes nothing (a selector matching no satellite of the set's systems, or a
        ``+nominal:`` whose slots are all occupied).
    """
    from .nominal_files import nominal_constellation

    out = []
    for spec in specs:
        label = spec.label
        start = starts.get(label, starts.get(None))
        if start is None:
            raise ParameterError(f"set {spec.name!r}: no start epoch for label {label!r}")
        if label == NOMINAL_LABEL and label not in constellations:
            con = nominal_constellation(spec.systems, start)
        elif label not in constellations:
            known = ", ".join(repr(k) for k in constellations if k is not None) or "none"
            raise ParameterError(
                f"set {spec.name!r} asks for element label {label!r}, but the labels given are "
                f"{known}; add -e {label}=FILE or use @nominal"
            )
        else:
            con = constellations[label]
        out.append(_resolve_one(spec, con, start))
    return out
