"""What a worker runs for one tile: the existing kernels over the tile's groups.

:func:`run_tile` imports nothing of dask: it is a plain function of arrays, run by the
workers (which need this package installed, at the client's version) or, in tests, here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..coverage.blocks import BlockOutputs
from ..coverage.config import CoverageConfig
from ..coverage.grouprun import GroupWork
from ..coverage.groups import group_points, group_ranges
from ..coverage.layout import SetLayout
from ..kernels.threads import ThreadPolicy


@dataclass
class TileResult:
    """Per-point statistics of points ``start:stop`` and the zone sums of each group."""

    index: int
    start: int
    stop: int
    outputs: BlockOutputs
    group_sums: list[dict[str, np.ndarray]]
    seconds: float


def run_tile(
    pos: np.ndarray, layout: SetLayout, config: CoverageConfig, points: np.ndarray,
    up: np.ndarray, zone_w: np.ndarray, index: int, start: int, stop: int, n_points: int,
    g0: int, g1: int, threads: int | None = 1, group_w=None,
) -> TileResult:  # fmt: skip
    """Run groups ``g0:g1`` (points ``start:stop`` of a run of ``n_points``).

    ``points``, ``up`` (n, 3) and ``zone_w`` (n_zones, n) hold the tile's points only.
    ``threads``: kernel threads (1: one per Dask worker thread). ``group_w``: the
    accuracy's weighted pass (:class:`gnss.coverage.grouprun.GroupWork`); None: plain DOPs.
    """
    import time

    t0 = time.perf_counter()
    work = GroupWork(pos, layout, config, zone_w.shape[0], group_points(n_points),
                     group_w=group_w)
    out = work.outputs(stop - start)
    sums = []
    with ThreadPolicy(threads) as policy:
        for a, b in group_ranges(n_points, g0, g1):
            policy.apply()
            sums.append(work.group(points, up, zone_w, out, a, b, offset=start))
    return TileResult(index, start, stop, out, sums, time.perf_counter() - t0)
