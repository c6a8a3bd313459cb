"""Kernel layout of a run: satellites grouped by system and set membership, clocks and slots.

A group is the satellites that share a system and the same membership in the sets; the kernel
sees each group as a contiguous range of satellites, and each set as the clock and system slot
of every group in it (:mod:`gnss.kernels.driver`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from ..elements.classify import SYSTEMS
from ..elements.sets import ResolvedSet


@dataclass(frozen=True)
class SetLayout:
    """Satellites of all sets, their kernel groups, and each set's clocks and system slots.

    A group is the satellites that share a system and the same membership in the sets, so
    every satellite is propagated and its line of sight computed once, whatever the number
    of sets it belongs to.
    """

    satellites: list  # distinct satellite instances (a satellite used with two starts twice)
    starts: list  # start epoch of each instance
    systems: list[str]  # systems of the sets, canonical order
    sat_group: np.ndarray  # int64[n_sats], non-decreasing
    group_start: np.ndarray  # int64[n_groups + 1]
    set_clock: np.ndarray  # int64[n_sets, n_groups], -1 = group not in the set
    set_nclock: np.ndarray  # int64[n_sets]
    set_slot: np.ndarray  # int64[n_sets, n_groups]
    n_clock_max: int
    n_slot_max: int

    @classmethod
    def build(cls, resolved: Sequence[ResolvedSet], clock: str) -> SetLayout:
        """Lay out the satellites of resolved sets for ``clock`` ("per-system" or "common")."""
        systems = [s for s in SYSTEMS if any(s in r.spec.systems for r in resolved)]
        index: dict[tuple[int, datetime], int] = {}
        sats, starts, member = [], [], []
        for k, r in enumerate(resolved):
            for sat in r.satellites:
                key = (id(sat), r.start)
                if key not in index:
                    index[key] = len(sats)
                    sats.append(sat)
                    starts.append(r.start)
                    member.append(set())
                member[index[key]].add(k)
        signatures = [(sat.system, tuple(sorted(m))) for sat, m in zip(sats, member, strict=True)]
        groups = sorted(set(signatures), key=lambda g: (systems.index(g[0]), g[1]))
        sat_group = np.array([groups.index(sig) for sig in signatures], dtype=np.int64)
        # Satellites stored group by group, so each group is a contiguous range for the kernel.
        order = np.argsort(sat_group, kind="stable")
        sats, starts = [sats[i] for i in order], [starts[i] for i in order]
        sat_group = sat_group[order]
        group_start = np.searchsorted(sat_group, np.arange(len(groups) + 1)).astype(np.int64)
        set_clock = np.full((len(resolved), len(groups)), -1, dtype=np.int64)
        set_slot = np.full((len(resolved), len(groups)), -1, dtype=np.int64)
        for g, (sys, sets_of_group) in enumerate(groups):
            for k in sets_of_group:
                j = resolved[k].spec.systems.index(sys)
                set_slot[k, g] = j
                set_clock[k, g] = j if clock == "per-system" else 0
        set_nclock = (set_clock.max(axis=1) + 1).astype(np.int64)
        n_slot_max = max(len(r.spec.systems) for r in resolved)
        return cls(
            sats, starts, systems, sat_group, group_start, set_clock, set_nclock, set_slot,
            int(set_nclock.max()), n_slot_max,
        )  # fmt: skip

    def subset(self, sets: np.ndarray) -> SetLayout:
        """Return the layout of the sets ``sets`` only (same satellites and groups)."""
        set_clock, set_slot = self.set_clock[sets], self.set_slot[sets]
        set_nclock = self.set_nclock[sets]
        return replace(
            self, set_clock=set_clock, set_nclock=set_nclock, set_slot=set_slot,
            n_clock_max=int(max(1, set_nclock.max())), n_slot_max=int(set_slot.max()) + 1,
        )  # fmt: skip


def layout_for_systems(
    systems: Sequence[str], sets: Sequence[Sequence[str]], clock: str
) -> tuple[np.ndarray, SetLayout]:
    """Kernel layout for satellites given by system letter (one group per system).

    Returns the order that sorts the satellites by group, and the layout.
    """
    systems = list(systems)
    groups = [s for s in SYSTEMS if s in systems]
    order = np.argsort([groups.index(s) for s in systems], kind="stable")
    group_of = np.array([groups.index(systems[i]) for i in order], dtype=np.int64)
    set_clock = np.full((len(sets), len(groups)), -1, np.int64)
    set_slot = np.full((len(sets), len(groups)), -1, np.int64)
    for k, set_systems in enumerate(sets):
        for j, sys in enumerate(set_systems):
            if sys in groups:
                set_slot[k, groups.index(sys)] = j
                set_clock[k, groups.index(sys)] = j if clock == "per-system" else 0
    set_nclock = (set_clock.max(axis=1) + 1).astype(np.int64)
    layout = SetLayout(
        satellites=[], starts=[], systems=groups, sat_group=group_of,
        group_start=np.searchsorted(group_of, np.arange(len(groups) + 1)).astype(np.int64),
        set_clock=set_clock, set_nclock=set_nclock, set_slot=set_slot,
        n_clock_max=int(max(1, set_nclock.max())), n_slot_max=max(len(s) for s in sets),
    )  # fmt: skip
    return order, layout
