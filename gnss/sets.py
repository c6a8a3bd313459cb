"""Receiver configurations ("sets") and what-if scenarios.

Grammar of one set (sets are separated by commas)::

    [NAME=]SYSTEMS[@LABEL][[MODIFIER;MODIFIER...]]

* ``SYSTEMS``: system letters joined by ``+``: ``R``, ``R+C``, ``G+R+E+C``.
* ``@LABEL``: take the satellites from the element files given with that label
  (``-e 2019=old.tle``); ``@nominal`` is the shipped nominal constellations. Without it,
  the unlabelled element files (or the nominal sets when no file is given).
* ``-SELECTOR`` removes satellites (``R+C[-C:GEO]``: without the BeiDou GEOs;
  ``R+C[-R:plane=2]``: without a GLONASS plane); ``+nominal:SELECTOR`` adds nominal slots
  (``R[+nominal:R:plane=1]``), placed at the set's start epoch. Selectors: :mod:`gnss.select`.
* ``NAME=`` names the set in outputs (default: the expression itself).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .elements import Constellation, Satellite
from .errors import ParameterError
from .select import Selector

SET_LETTERS = ("G", "R", "E", "C", "J", "I")
NOMINAL_LABEL = "nominal"


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
        Nominal slots added.
    """

    name: str
    systems: tuple[str, ...]
    label: str | None = None
    remove: tuple[Selector, ...] = field(default=())
    add_nominal: tuple[Selector, ...] = field(default=())

    @property
    def is_plain(self) -> bool:
        """No label and no modifiers: the systems as given."""
        return self.label is None and not self.remove and not self.add_nominal


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


_SET_RE = re.compile(
    r"^(?:(?P<name>[A-Za-z0-9_.-]+)=)?(?P<sys>[A-Za-z+ ]+?)\s*(?:@(?P<label>[A-Za-z0-9_.-]+))?"
    r"\s*(?:\[(?P<mods>[^\]]*)\])?$"
)


def _parse_one(raw: str) -> SetSpec:
    item = raw.strip()
    m = _SET_RE.match(item)
    if not m:
        raise ParameterError(
            f"set {item!r} is not understood; write SYSTEMS[@LABEL][[-SELECTOR;+nominal:SELECTOR]]"
            ", e.g. R+C, R+C@2019, R+C[-C:GEO]"
        )
    letters = [x.strip().upper() for x in m["sys"].split("+")]
    for x in letters:
        if x not in SET_LETTERS:
            raise ParameterError(
                f"unknown system letter {x!r} in set {item!r}; use G (GPS), R (GLONASS), "
                "E (Galileo), C (BeiDou), J (QZSS) or I (NavIC), joined with '+', e.g. R+C"
            )
    if len(set(letters)) != len(letters):
        raise ParameterError(f"set {item!r} names a system twice")
    systems = tuple(s for s in SET_LETTERS if s in letters)
    remove, add, written = [], [], []
    for mod in (m["mods"] or "").split(";"):
        mod = mod.strip()
        if not mod:
            continue
        written.append(mod)
        if mod.startswith("-"):
            remove.append(Selector.parse(mod[1:]))
        elif mod.lower().startswith("+nominal:"):
            add.append(Selector.parse(mod[len("+nominal:") :]))
        else:
            raise ParameterError(
                f"modifier {mod!r} in set {item!r} is not understood; use -SELECTOR to remove "
                "satellites or +nominal:SELECTOR to add nominal slots"
            )
    label = m["label"]
    default_name = "+".join(systems) + (f"@{label}" if label else "")
    if written:
        default_name += "[" + ";".join(written) + "]"
    return SetSpec(m["name"] or default_name, systems, label, tuple(remove), tuple(add))


def parse_sets(text: str | Sequence[str]) -> list[SetSpec]:
    """Parse ``"R,C,R+C"`` (or a list of such items) into set specifications.

    See the module docstring for the grammar (labels, removals, nominal additions).

    Examples
    --------
    >>> [(s.name, s.systems, s.label) for s in parse_sets("R,C,R+C,old=R+C@2019")]
    [('R', ('R',), None), ('C', ('C',), None), ('R+C', ('R', 'C'), None),
     ('old', ('R', 'C'), '2019')]
    >>> parse_sets("R+C[-C:GEO]")[0].remove[0].text
    'C:GEO'
    """
    items = _split_top_level(text) if isinstance(text, str) else list(text)
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
    """A set with its satellites and the start epoch of its span."""

    spec: SetSpec
    satellites: tuple[Satellite, ...]
    start: datetime


def resolve_sets(
    specs: Sequence[SetSpec],
    constellations: Mapping[str | None, Constellation],
    starts: Mapping[str | None, datetime],
) -> list[ResolvedSet]:
    """Give each set its satellites.

    Parameters
    ----------
    specs : sequence of SetSpec
    constellations : mapping
        Label -> constellation (``None``: unlabelled files). The ``nominal`` label, and nominal
        additions, are built at the label's start epoch when not given.
    starts : mapping
        Label -> start epoch of that label's span.

    Raises
    ------
    ParameterError
        For an unknown label or a system with no satellite left in a set.
    """
    from .nominal_files import nominal_constellation

    out = []
    for spec in specs:
        label = spec.label
        if label == NOMINAL_LABEL and label not in constellations:
            con = nominal_constellation(spec.systems, starts[label])
        elif label not in constellations:
            known = ", ".join(repr(k) for k in constellations if k is not None) or "none"
            raise ParameterError(
                f"set {spec.name!r} asks for element label {label!r}, but the labels given are "
                f"{known}; add -e {label}=FILE or use @nominal"
            )
        else:
            con = constellations[label]
        sats = [s for s in con.satellites if s.system in spec.systems]
        sats = [s for s in sats if not any(sel.matches(s) for sel in spec.remove)]
        if spec.add_nominal:
            nominal = nominal_constellation(spec.systems, starts[label])
            sats += [
                s for s in nominal.satellites if any(sel.matches(s) for sel in spec.add_nominal)
            ]
        for sys in spec.systems:
            if not any(s.system == sys for s in sats):
                raise ParameterError(
                    f"set {spec.name!r} has no satellite of system {sys} "
                    f"(the elements{'' if label is None else ' labelled ' + repr(label)} have "
                    f"{con.counts()}); add element files for it, or change the set"
                )
        out.append(ResolvedSet(spec, tuple(sats), starts[label]))
    return out
