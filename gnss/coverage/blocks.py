"""Block-by-block kernel calls: shared inputs, per-block accumulators, the folded statistics.

:class:`KernelRun` holds the kernel inputs common to every block of points (satellite
positions, the layout, per-thread scratch and the zone sums); :class:`Accumulators` is one
block's kernel outputs and :class:`BlockOutputs` the per-point statistics folded from them.
"""

from __future__ import annotations

import numpy as np

from ..kernels import driver as kernels
from .config import CoverageConfig, ProgressCallback
from .groups import add_parts
from .layout import SetLayout
from .skyline import kernel_skyline

#: DOP histograms (see :mod:`gnss.kernels.driver`): DOP 0.25 to 256, 128 log-linear bins per
#: octave, each at most 0.78 % wide. Per-cell percentiles are within two bins (1.6 %) of
#: numpy.percentile on the same values (tested), time-and-area ones within one (0.8 %).
HIST_N_BINS = kernels.HIST_N_BINS


def block_points(n_points: int, n_sets: int, n_clock: int, budget_bytes: int) -> int:
    """Points per kernel call: outputs (~ 8 B x 60 per set) within the budget, ~50 calls a run.

    About fifty calls give the progress bar something to show; fewer than 1024 points a
    call would leave the threads' start-up cost visible.
    """
    per_point = 8 * n_sets * (30 + 4 * n_clock)
    return int(max(1024, min(n_points, budget_bytes // per_point, -(-n_points // 50))))


class KernelRun:
    """Kernel inputs shared by all blocks, and the per-thread scratch and zone sums."""

    def __init__(
        self, pos: np.ndarray, layout: SetLayout, config: CoverageConfig, n_zones: int,
        n_parts: int | None = None, skyline: tuple[np.ndarray, np.ndarray] | None = None,
        group_w: np.ndarray | None = None, hist_shift: int = 0,
    ):  # fmt: skip
        """Prepare the inputs; ``skyline`` as :meth:`CoverageConfig.skyline` (default: its).

        ``n_parts``: zone sums kept per part (default: one per thread). ``skyline`` is
        ``(az_deg, el_deg)`` with the mask folded in; None and no horizon in ``config``: the
        flat mask. ``group_w``/``hist_shift``: range weights per group and the histogram
        shift of the accuracy's weighted pass (:mod:`gnss.coverage.uere`); None: plain DOPs.
        """
        # Failed epochs (NaN) go to the Earth's centre: below every horizon, never visible.
        # Satellite-major (n_sats, n_times): the kernel vectorises over epochs.
        self.xyz = [np.ascontiguousarray(np.nan_to_num(pos[..., i].T, nan=0.0)) for i in range(3)]
        self.layout = layout
        self.sin_mask = float(np.sin(np.radians(config.elevation_mask_deg)))
        skyline = config.skyline() if skyline is None else skyline
        if skyline is not None:  # the horizon variant of the kernel takes the skyline tuple
            self.sin_mask = kernel_skyline(skyline)
        self.pdop_max = float(config.pdop_max)
        n_th, n_sets, n_s = kernels.n_threads(), layout.set_clock.shape[0], pos.shape[1]
        self.scratch_hist = np.zeros((n_th, n_sets, kernels.N_METRICS, HIST_N_BINS), np.int32)
        self.scratch_vis = np.zeros((n_th, n_sets, n_s + 1), np.int32)
        # One zone sum per part of the points (kernels.accumulate), not per thread: the same
        # sums whatever the number of threads in use (a run: groups.N_PARTS per call).
        n_parts = n_th if n_parts is None else n_parts
        self.zone_dop_hist = np.zeros((n_parts, n_zones, n_sets, kernels.N_METRICS, HIST_N_BINS))
        self.zone_dop_sum = np.zeros((n_parts, n_zones, n_sets, kernels.N_METRICS))
        self.zone_vis_hist = np.zeros((n_parts, n_zones, n_sets, n_s + 1))
        # Range weights per group (gnss.coverage.uere); empty: the plain DOPs, bit for bit.
        self.group_w = np.ascontiguousarray(np.empty(0) if group_w is None else group_w,
                                            dtype=np.float64)  # fmt: skip
        self.hist_shift = int(hist_shift)  # histograms of DOP * 2**hist_shift (weighted pass)

    def _args(self, points, up, zone_w, outputs, epochs: slice = slice(None)) -> tuple:
        lay = self.layout
        # Contiguous inputs keep one compiled signature (a copy only for epoch sub-ranges).
        xyz = [np.ascontiguousarray(a[:, epochs]) for a in self.xyz]
        return (
            *xyz, lay.group_start, points, up, np.ascontiguousarray(zone_w), self.sin_mask,
            lay.set_clock, lay.set_nclock, lay.set_slot, self.pdop_max,
            self.scratch_hist, self.scratch_vis, *outputs,
            self.zone_dop_hist, self.zone_dop_sum, self.zone_vis_hist, self.group_w,
            self.hist_shift,
        )  # fmt: skip

    def __call__(self, points, up, zone_w, outputs, epochs: slice = slice(None)) -> None:
        """Run the kernel on one block of points, filling ``outputs`` (Accumulators.view)."""
        kernels.accumulate(*self._args(points, up, zone_w, outputs, epochs))

    def compile(self, points, up, zone_w, outputs, report: ProgressCallback) -> None:
        """Compile the kernel this run needs before its first call, if the cache lacks it.

        Reported as ``report("compile", 0, 1)`` before and ``report("compile", 1, 1)``
        after (the CLI says "compiling kernels (first run only)"); nothing when the machine
        code is loaded from numba's cache.
        """
        kernel = kernels.kernel_for(self.layout.n_clock_max, isinstance(self.sin_mask, tuple))
        args = self._args(points, up, zone_w, outputs)
        if kernels.compile_needed(kernel, args):
            report("compile", 0, 1)
            kernels.compile_kernel(kernel, args)
            report("compile", 1, 1)

    def zone_totals(self) -> dict[str, np.ndarray]:
        """Zone sums (over the parts): dop_hist[zone, set, dop, bin], dop_sum, vis_hist."""
        return {
            "dop_hist": self.zone_dop_hist.sum(axis=0),
            "dop_sum": self.zone_dop_sum.sum(axis=0),
            "vis_hist": self.zone_vis_hist.sum(axis=0),
        }

    def take_group_sums(self) -> dict[str, np.ndarray]:
        """Zone sums of the calls since the last take, parts added in order; then zeroed."""
        sums = {}
        for key, arr in (("dop_hist", self.zone_dop_hist), ("dop_sum", self.zone_dop_sum),
                         ("vis_hist", self.zone_vis_hist)):  # fmt: skip
            sums[key] = add_parts(arr)
            arr[...] = 0.0
        return sums


class Accumulators:
    """Per-block kernel outputs (argument order of :func:`kernels.accumulate`)."""

    NAMES = (
        "n_fix", "n_avail", "n_singular", "vis_sum", "vis_min", "vis_max", "sys_sum", "sys_min",
        "sys_max", "tdop_sum", "tdop_n", "dop_sum", "dop_min", "dop_max", "dop_q",
    )  # fmt: skip

    def __init__(self, block, n_sets, n_clock, n_slot):
        i64, f64, m = np.int64, np.float64, kernels.N_METRICS
        shapes = {
            "n_fix": ((n_sets,), i64), "n_avail": ((n_sets,), i64),
            "n_singular": ((n_sets,), i64), "vis_sum": ((n_sets,), i64),
            "vis_min": ((n_sets,), i64), "vis_max": ((n_sets,), i64),
            "sys_sum": ((n_sets, n_slot), i64), "sys_min": ((n_sets, n_slot), i64),
            "sys_max": ((n_sets, n_slot), i64), "tdop_sum": ((n_sets, n_clock), f64),
            "tdop_n": ((n_sets, n_clock), i64), "dop_sum": ((n_sets, m), f64),
            "dop_min": ((n_sets, m), f64), "dop_max": ((n_sets, m), f64),
            "dop_q": ((n_sets, m, 2), f64),
        }  # fmt: skip
        for name in self.NAMES:
            shape, dtype = shapes[name]
            setattr(self, name, np.empty((block, *shape), dtype))

    def view(self, n: int) -> list[np.ndarray]:
        """Return the first ``n`` rows of each output, in kernel order (the kernel fills them)."""
        return [getattr(self, name)[:n] for name in self.NAMES]


class BlockOutputs:
    """Final per-point statistics."""

    def __init__(self, n_p, n_sets, n_clock, n_slot):
        m = kernels.N_METRICS
        self.fix_fraction = np.full((n_p, n_sets), np.nan)
        self.availability = np.full((n_p, n_sets), np.nan)
        self.singular_fraction = np.full((n_p, n_sets), np.nan)
        self.vis = np.full((3, n_p, n_sets), np.nan)  # mean, min, max
        self.sys = np.full((3, n_p, n_sets, n_slot), np.nan)  # mean, min, max
        self.tdop_mean = np.full((n_p, n_sets, n_clock), np.nan)
        self.dop = np.full((4, n_p, n_sets, m), np.nan)  # mean, median, p95, max
        self.dop_min_global = np.full((n_sets, m), np.inf)
        self.dop_max_global = np.full((n_sets, m), -np.inf)

    def fold(self, sl: slice, acc: Accumulators, n: int, n_t: int) -> None:
        """Turn one block's kernel outputs into statistics (rows ``sl``)."""
        n_fix = acc.n_fix[:n, :, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.fix_fraction[sl] = acc.n_fix[:n] / n_t
            self.availability[sl] = acc.n_avail[:n] / n_t
            self.singular_fraction[sl] = acc.n_singular[:n] / n_t
            self.vis[:, sl] = acc.vis_sum[:n] / n_t, acc.vis_min[:n], acc.vis_max[:n]
            self.sys[:, sl] = acc.sys_sum[:n] / n_t, acc.sys_min[:n], acc.sys_max[:n]
            # TDOP of a clock: mean over the epochs with a fix and that clock in view.
            self.tdop_mean[sl] = acc.tdop_sum[:n] / acc.tdop_n[:n]
            self.dop[0, sl] = np.where(n_fix > 0, acc.dop_sum[:n] / n_fix, np.nan)
        vmax = np.where(np.isfinite(acc.dop_max[:n]), acc.dop_max[:n], np.nan)
        self.dop[1, sl] = acc.dop_q[:n, ..., 0]
        self.dop[2, sl] = acc.dop_q[:n, ..., 1]
        self.dop[3, sl] = vmax
        # Empty cells hold +inf / -inf, which leave these untouched.
        self.dop_min_global = np.minimum(self.dop_min_global, acc.dop_min[:n].min(axis=0))
        self.dop_max_global = np.maximum(self.dop_max_global, acc.dop_max[:n].max(axis=0))


#: Axis of the points in each per-point field of BlockOutputs (the others: axis 0).
POINT_AXIS = {"vis": 1, "sys": 1, "dop": 1}


def place_rows(full, part, sl: slice) -> None:
    """Copy the per-point fields of ``part`` into rows ``sl`` of ``full`` (BlockOutputs)."""
    for name, value in vars(part).items():
        if isinstance(value, np.ndarray) and not name.endswith("_global"):
            index = (slice(None),) * POINT_AXIS.get(name, 0) + (sl,)
            getattr(full, name)[index] = value


class GlobalExtremes:
    """What the client keeps of a run whose cells go to a sink: the run-wide DOP extremes.

    ``dop`` is None (no per-cell arrays): :func:`gnss.coverage.dataset.build_dataset` then
    adds no per-cell variable.
    """

    dop = None

    def __init__(self, n_sets: int, n_metrics: int):
        self.dop_min_global = np.full((n_sets, n_metrics), np.inf)
        self.dop_max_global = np.full((n_sets, n_metrics), -np.inf)
