"""Kernel calls group by group (:mod:`gnss.coverage.groups`): one process's share of a run.

:class:`GroupWork` is what a single-process run (:func:`gnss.coverage.run.compute_resolved`)
and a Dask task (:mod:`gnss.scale.tasks`) both do: for each group of points, one kernel call,
its statistics folded into per-point outputs and its zone sums returned, parts added in order.
"""

from __future__ import annotations

import numpy as np

from .blocks import Accumulators, BlockOutputs, KernelRun
from .config import CoverageConfig, ProgressCallback
from .groups import N_PARTS
from .layout import SetLayout


class GroupWork:
    """Kernel inputs and scratch for groups of at most ``group_size`` points.

    Parameters
    ----------
    pos : float64[n_times, n_sats, 3]
        Satellite ITRS positions (m), NaN where propagation failed.
    layout : SetLayout
    config : CoverageConfig
    n_zones : int
        Zones of the zone sums (1 + regions).
    group_size : int
        Points of the largest group (:func:`gnss.coverage.groups.group_points`).
    group_w : (ndarray, int), optional
        Range weights per group and histogram shift of the accuracy's weighted pass
        (:func:`gnss.coverage.uere.group_weights`); None: the plain DOPs.
    """

    def __init__(self, pos: np.ndarray, layout: SetLayout, config: CoverageConfig,
                 n_zones: int, group_size: int, group_w=None):  # fmt: skip
        self.n_t = pos.shape[0]
        self.layout = layout
        weights, shift = group_w if group_w is not None else (None, 0)
        self.kern = KernelRun(pos, layout, config, n_zones=n_zones, n_parts=N_PARTS,
                              group_w=weights, hist_shift=shift)  # fmt: skip
        self.acc = Accumulators(group_size, *self._sizes())

    def _sizes(self) -> tuple[int, int, int]:
        lay = self.layout
        return lay.set_clock.shape[0], lay.n_clock_max, lay.n_slot_max

    def outputs(self, n_points: int) -> BlockOutputs:
        """Empty per-point outputs for ``n_points`` points."""
        return self.outputs_for(self.layout, n_points)

    @staticmethod
    def outputs_for(layout: SetLayout, n_points: int) -> BlockOutputs:
        """Empty per-point outputs of ``layout``'s sets for ``n_points`` points."""
        return BlockOutputs(n_points, layout.set_clock.shape[0], layout.n_clock_max,
                            layout.n_slot_max)  # fmt: skip

    def compile(self, points, up, zone_w, report: ProgressCallback) -> None:
        """Compile the kernel before the first group if numba's cache lacks it."""
        n = min(points.shape[0], self.acc.n_fix.shape[0])
        self.kern.compile(points[:n], up[:n], zone_w[:, :n], self.acc.view(n), report)

    def group(self, points, up, zone_w, out: BlockOutputs, start: int, stop: int,
              offset: int = 0) -> dict[str, np.ndarray]:  # fmt: skip
        """Run points ``start:stop``; fold into ``out`` rows ``start - offset ...``.

        ``points``, ``up`` and ``zone_w`` (points on the last axis) hold the points from
        ``offset``. Returns the group's zone sums (``dop_hist``, ``dop_sum``, ``vis_hist``).
        """
        a, b, n = start - offset, stop - offset, stop - start
        self.kern(points[a:b], up[a:b], zone_w[:, a:b], self.acc.view(n))
        out.fold(slice(a, b), self.acc, n, self.n_t)
        return self.kern.take_group_sums()
