"""Groups of points: the fixed order in which the zone sums of a run are added.

The zone sums (area-weighted histograms of the globe and of each region) are float sums over
the points, so their last bits depend on the order of the additions. A run cuts its points
into *groups* of :func:`group_points` consecutive points (a function of the grid size only),
each group into :data:`N_PARTS` parts (:func:`gnss.kernels.driver.accumulate`: one sum per
part, whatever thread runs it), adds a group's parts in order into the group's sums and the
groups' sums in group order into the run's. Neither the number of threads, nor the machine,
nor how the groups are spread over processes (:mod:`gnss.scale`: a task is a run of whole
groups) changes an addition, so a single-process run and a Dask run give the same bits.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

#: Parts per group: the most kernel threads one group (one kernel call) can use.
N_PARTS = 16
#: Group sizes: at least this many points (16 per part) ...
MIN_GROUP_POINTS = 256
#: ... at most this many (1583 groups for a 0.1-degree globe: enough tasks for 1000 Dask
#: workers; one kernel call each, whose fixed cost, a copy of the positions, stays ~1e-4 of it)
MAX_GROUP_POINTS = 4096
#: ... else about this many groups in a run.
TARGET_GROUPS = 64


def group_points(n_points: int) -> int:
    """Points per group for a grid of ``n_points``: a multiple of 256 from 256 to 4096.

    About :data:`TARGET_GROUPS` groups (one kernel call and one progress step each), within
    the bounds. Depends on the grid size only, never on the machine.

    Examples
    --------
    >>> group_points(648), group_points(64800), group_points(6_480_000)
    (256, 1024, 4096)
    """
    want = -(-n_points // TARGET_GROUPS)
    size = -(-want // MIN_GROUP_POINTS) * MIN_GROUP_POINTS
    return int(min(MAX_GROUP_POINTS, max(MIN_GROUP_POINTS, size)))


def group_ranges(n_points: int, first: int = 0, last: int | None = None) -> Iterator[tuple]:
    """``(start, stop)`` of groups ``first`` to ``last - 1`` (all groups by default)."""
    size = group_points(n_points)
    n_groups = -(-n_points // size)
    for g in range(first, n_groups if last is None else min(last, n_groups)):
        yield g * size, min(n_points, (g + 1) * size)


def n_groups(n_points: int) -> int:
    """Return the number of groups of a grid of ``n_points``."""
    return -(-n_points // group_points(n_points))


class ZoneTotals:
    """Zone sums of a run, added group by group in group order."""

    def __init__(self):
        self.sums: dict[str, np.ndarray] | None = None
        self.n_added = 0

    def add(self, group_sums: dict[str, np.ndarray]) -> None:
        """Add the sums of the next group (groups must come in order)."""
        if self.sums is None:
            self.sums = {k: np.zeros_like(v) for k, v in group_sums.items()}
        for k, v in group_sums.items():
            self.sums[k] += v
        self.n_added += 1


def add_parts(parts: np.ndarray) -> np.ndarray:
    """Sum of ``parts[0], parts[1], ...`` added in that order (one group's sums)."""
    total = parts[0].copy()
    for i in range(1, parts.shape[0]):
        total += parts[i]
    return total
