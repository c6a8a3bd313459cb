"""Tiles of a Dask run: whole groups of points (:mod:`gnss.coverage.groups`), one task each.

A tile is groups ``g0:g1``; its points are ``start:stop``. Because tiles never cut a group,
the zone sums of a group are added in the same order as in one process, and the merge
(:mod:`gnss.scale.merge`) adds the groups in group order: the same bits.

Only cells are tiled, never time: a cell's median and 95th percentile come from its own DOP
histogram over all epochs, which a time chunk would have to ship whole (4 x 1280 counts per
cell and set, ~40 times the cell's statistics), and its means would be sums in another order.
A 0.1-degree globe already has 1582 groups of 4096 cells, so cells alone keep 1000 workers
busy (see README "Scale-out").
"""

from __future__ import annotations

from dataclasses import dataclass

from ..coverage.groups import group_points, n_groups

#: Tiles per worker the split aims at (so a slow or lost worker delays the end little).
TILES_PER_WORKER = 4
#: Most points in a tile: bounds the statistics a task returns (~10 MB for three sets).
MAX_TILE_POINTS = 65536


@dataclass(frozen=True)
class Tile:
    """Groups ``g0:g1`` of the run, points ``start:stop``."""

    index: int
    g0: int
    g1: int
    start: int
    stop: int


def tiles(n_points: int, n_workers: int, groups_per_tile: int | None = None) -> list[Tile]:
    """Cut a run of ``n_points`` into tiles of whole groups.

    ``groups_per_tile`` None: about :data:`TILES_PER_WORKER` tiles per worker, at most
    :data:`MAX_TILE_POINTS` points each, at least one group.

    Examples
    --------
    >>> [(t.start, t.stop) for t in tiles(648, 2)]
    [(0, 256), (256, 512), (512, 648)]
    """
    size, n_g = group_points(n_points), n_groups(n_points)
    if groups_per_tile is None:
        want = -(-n_g // (TILES_PER_WORKER * max(1, n_workers)))
        groups_per_tile = max(1, min(want, MAX_TILE_POINTS // size))
    out = []
    for i, g0 in enumerate(range(0, n_g, groups_per_tile)):
        g1 = min(n_g, g0 + groups_per_tile)
        out.append(Tile(i, g0, g1, g0 * size, min(n_points, g1 * size)))
    return out
