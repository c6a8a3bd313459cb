"""Which nominal slots the satellites of a set already fly in (for ``+nominal:`` what-ifs).

A nominal slot counts as **occupied** when, at the set's start epoch, a satellite of the same
system and orbit class is in the same orbital plane (orbit normals within
:data:`SAME_PLANE_DEG`) and near the slot along the orbit (geocentric angle between the two
positions within :data:`NEAR_SLOT_DEG`). Both are compared in the TEME frame, where SGP4 gives
them, at one instant: only relative geometry matters.

Why these limits (measured on the CelesTrak snapshot of 2026-10-06 with the nominal slots placed
at its median epoch by :func:`gnss.nominal_constellation`; ``tests/test_sets_whatif.py``):

* Along the orbit, every slot of the four systems has a real satellite within 13.6 degrees
  (GLONASS satellites sit up to 11.2 degrees from the placed slots, the GPS pairs that share an
  expanded slot 13-14 degrees), while the closest two slots of one plane are 30 degrees apart
  (GPS A3/A4; 45 degrees for GLONASS, Galileo and BeiDou MEO, 29.5 for the BeiDou GEOs). Half
  of that, 15 degrees, catches every real occupant and lets one satellite occupy one slot only.
* Across planes, satellites in a slot's plane have normals within 8.3 degrees of it; the nearest
  other plane is 44 degrees away (GPS: nodes 60 degrees apart at 55 degrees inclination). Without
  this test a satellite of another plane passing the crossing of two planes would look near
  (seen: a GLONASS satellite 1.7 degrees from a slot of another plane).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sgp4.api import jday

from ..errors import ParameterError
from .read import Satellite
from .select import Selector, no_match_error

#: Largest angle between the orbit normals of a slot and of a satellite in its plane (degrees).
SAME_PLANE_DEG = 15.0
#: Largest geocentric angle between a slot and a satellite that occupies it (degrees).
NEAR_SLOT_DEG = 15.0
#: Names listed in a set description before "... (+N more)".
MAX_NAMES = 8


def _states(sats: Sequence[Satellite], epoch: datetime) -> tuple[np.ndarray, np.ndarray]:
    """Return unit positions and unit orbit normals (TEME) at ``epoch``; NaN if SGP4 fails."""
    jd, fr = jday(
        epoch.year, epoch.month, epoch.day, epoch.hour, epoch.minute,
        epoch.second + epoch.microsecond * 1e-6,
    )  # fmt: skip
    pos, normal = np.full((len(sats), 3), np.nan), np.full((len(sats), 3), np.nan)
    for i, sat in enumerate(sats):
        err, r_km, v_km_s = sat.satrec.sgp4(jd, fr)
        if err == 0:
            r, h = np.array(r_km), np.cross(r_km, v_km_s)
            pos[i], normal[i] = r / np.linalg.norm(r), h / np.linalg.norm(h)
    return pos, normal


def occupants(
    slots: Sequence[Satellite], satellites: Sequence[Satellite], epoch: datetime
) -> list[Satellite | None]:
    """For each nominal slot, the nearest satellite that occupies it (see the module), or None.

    Parameters
    ----------
    slots : sequence of Satellite
        Nominal slots, with elements at (or near) ``epoch``.
    satellites : sequence of Satellite
        The satellites that may occupy them (any system; only the slot's system counts).
    epoch : datetime
        Timezone-aware instant of the comparison (the set's start).

    Returns
    -------
    list of Satellite or None
        One entry per slot.
    """
    if not slots or not satellites:
        return [None] * len(slots)
    slot_pos, slot_normal = _states(slots, epoch)
    sat_pos, sat_normal = _states(satellites, epoch)
    cos_near, cos_plane = np.cos(np.radians(NEAR_SLOT_DEG)), np.cos(np.radians(SAME_PLANE_DEG))
    out: list[Satellite | None] = []
    for k, slot in enumerate(slots):
        along = sat_pos @ slot_pos[k]  # cosines; NaN (failed SGP4) compares False
        ok = (along >= cos_near) & (sat_normal @ slot_normal[k] >= cos_plane)
        ok &= np.array([(s.system, s.orbit_class) == (slot.system, slot.orbit_class)
                        for s in satellites])  # fmt: skip
        out.append(satellites[int(np.argmax(np.where(ok, along, -2.0)))] if ok.any() else None)
    return out


def short_name(sat: Satellite) -> str:
    """``R SLOT 03``, ``G A1``, ``C GEO1`` for a nominal slot; the PRN label or name otherwise."""
    short = re.sub(r"^.*NOMINAL\s+", "", sat.name)
    return f"{sat.system} {short}" if short != sat.name else sat.label


def short_names(items: Sequence[Satellite | tuple[Satellite, Satellite]]) -> str:
    """Comma-separated short names (``slot (occupant)`` for pairs), cut after MAX_NAMES."""
    names = [
        f"{short_name(x[0])} ({short_name(x[1])})" if isinstance(x, tuple) else short_name(x)
        for x in items
    ]
    more = len(names) - MAX_NAMES
    return ", ".join(names[:MAX_NAMES]) + (f", ... (+{more} more)" if more > 0 else "")


def nominal_additions(
    set_name: str,
    systems: Sequence[str],
    fill: Sequence[Selector],
    every: Sequence[Selector],
    satellites: Sequence[Satellite],
    start: datetime,
) -> tuple[list[Satellite], list[tuple[Satellite, Satellite]]]:
    """Nominal slots that ``+nominal:`` (``fill``) and ``+allnominal:`` (``every``) add to a set.

    Parameters
    ----------
    set_name : str
        For messages.
    systems : sequence of str
        The set's systems: their nominal slots, placed at ``start``, are the candidates.
    fill, every : sequence of Selector
        Slots added where no satellite flies (:func:`occupants`), and slots added regardless.
    satellites : sequence of Satellite
        The set's satellites after its removals.
    start : datetime
        The set's start epoch.

    Returns
    -------
    added : list of Satellite
        The nominal slots to add.
    occupied : list of (Satellite, Satellite)
        Slots ``fill`` selected but left out, each with the satellite that occupies it.

    Raises
    ------
    ParameterError
        When a selector matches no nominal slot of ``systems``, or ``fill`` finds every slot
        occupied (the set would not change; the message names ``+allnominal:``).
    """
    from .nominal_files import nominal_constellation

    nominal = nominal_constellation(systems, start).satellites
    for sel, how in [(s, "+nominal:") for s in fill] + [(s, "+allnominal:") for s in every]:
        if not any(sel.matches(s) for s in nominal):
            where = (
                f"in {how}{sel.text} of set {set_name!r} (among the nominal slots of its "
                f"systems {'+'.join(systems)}; nominal constellations exist for G, R, E, C)"
            )
            raise no_match_error(sel, nominal, where)
    always = [s for s in nominal if any(sel.matches(s) for sel in every)]
    wanted = [s for s in nominal if s not in always and any(x.matches(s) for x in fill)]
    owners = occupants(wanted, satellites, start)
    free = [slot for slot, owner in zip(wanted, owners, strict=True) if owner is None]
    taken = [(slot, o) for slot, o in zip(wanted, owners, strict=True) if o is not None]
    if fill and not free:
        written = ";".join(f"+nominal:{s.text}" for s in fill)
        raise ParameterError(
            f"{written} in set {set_name!r} adds nothing: each of the {len(wanted)} selected "
            f"nominal slots already has a satellite of the set near it: {short_names(taken)} "
            f"(same plane within {SAME_PLANE_DEG:g} deg, within {NEAR_SLOT_DEG:g} deg along the "
            "orbit). Use +allnominal:SELECTOR to add them anyway, or remove the occupants "
            "first, e.g. R[-R:plane=2;+nominal:R:plane=2]"
        )
    return always + free, taken
