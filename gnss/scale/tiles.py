"""Tiles of a Dask run: whole groups of points (:mod:`gnss.coverage.groups`), one task each.

A tile is groups ``g0:g1``; its points are ``start:stop``. Because tiles never cut a group,
the zone sums of a group are added in the same order as in one process, and the merge
(:mod:`gnss.scale.merge`) adds the groups in group order: the same bits.

Only cells are tiled, never time: a cell's median and 95th percentile come from its own DOP
histogram over all epochs, which a time chunk would have to ship whole (4 x 1280 counts per
cell and set, ~40 times the cell's statistics), and its means would be sums in another order.
A 0.1-degree globe already has 1583 groups of 4096 cells, so cells alone keep 1000 workers
busy (see README "Scale-out").
"""

from __future__ import annotations

from dataclasses import dataclass

from ..coverage.groups import group_points, n_groups

#: Tiles per worker the split aims at (so a slow or lost worker delays the end little).
TILES_PER_WORKER = 4
#: Most points in a tile: bounds the statistics a task returns (~10 MB for three sets).
MAX_TILE_POINTS = 65536
#: Least work of a task (satellite x point x epochs) when there are groups enough: ~4 s of one
#: core at 5e8/s, 20 times the 0.24 s overhead per task measured on a loaded 2-core machine
#: (python -m benchmarks --cases scaleout).
MIN_TASK_WORK = 2e9


@dataclass(frozen=True)
class Tile:
    """Groups ``g0:g1`` of the run, points ``start:stop``."""

    index: int
    g0: int
    g1: int
    start: int
    stop: int


def tiles(n_points: int, n_workers: int, groups_per_tile: int | None = None,
          work_per_point: float = 0.0) -> list[Tile]:  # fmt: skip
    """Cut a run of ``n_points`` into tiles of whole groups.

    ``groups_per_tile`` None: tiles of at least :data:`MIN_TASK_WORK` (``work_per_point``:
    satellites x epochs) while every worker still gets one, at most
    :data:`TILES_PER_WORKER` per worker, at most :data:`MAX_TILE_POINTS` points, at least
    one group.

    Examples
    --------
    >>> [(t.start, t.stop) for t in tiles(648, 2)]
    [(0, 512), (512, 648)]
    >>> len(tiles(6_480_000, 1000, work_per_point=120 * 11489))  # 0.1 deg, 8 days at 60 s
    1583
    """
    size, n_g = group_points(n_points), n_groups(n_points)
    if groups_per_tile is None:
        workers = max(1, n_workers)
        spread = -(-n_g // (TILES_PER_WORKER * workers))
        amortise = min(int(-(-MIN_TASK_WORK // max(work_per_point * size, 1.0))),
                       -(-n_g // workers))  # fmt: skip
        groups_per_tile = max(1, min(max(spread, amortise), MAX_TILE_POINTS // size))
    out = []
    for i, g0 in enumerate(range(0, n_g, groups_per_tile)):
        g1 = min(n_g, g0 + groups_per_tile)
        out.append(Tile(i, g0, g1, g0 * size, min(n_points, g1 * size)))
    return out
