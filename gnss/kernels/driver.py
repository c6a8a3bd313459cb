"""Numba kernels: visibility and DOP over points x epochs, folded into statistics.

Plain numeric code on arrays; no validation, no objects, no printing. The
Python side (:mod:`gnss.coverage.run`) prepares the arrays and explains errors.
With :mod:`gnss.kernels.steps` (the steps per point), :mod:`gnss.kernels.sets` (per-set
DOPs and statistics), :mod:`gnss.kernels.vector` (the vector block sums) and
:mod:`gnss.kernels.jit` (the compile policy), the only modules that import numba.

Geometry (GUIDE section 3): for each point and epoch, satellites above the mask
are summed per *group* (satellites of one system with the same set membership,
stored contiguously): count, sum of unit line-of-sight vectors and sum of their
outer products. A *set* (e.g. ``R+C``) is a list of groups, each mapped to one
receiver clock of that set. With ``n_c`` satellites and mean line of sight
``m_c`` per clock, ``N = sum e e^T - sum_c n_c m_c m_c^T`` and ``Q = N^-1``;
``PDOP^2 = tr Q``, ``VDOP^2 = u^T Q u``, ``HDOP^2 = PDOP^2 - VDOP^2``,
``TDOP_c^2 = 1/n_c + m_c^T Q m_c``, ``GDOP^2 = PDOP^2 + sum_c TDOP_c^2``.
A fix needs at least ``3 + k`` satellites for ``k`` clocks in view.

Visibility is strict: a satellite counts when its elevation above the
geodetic horizon is greater than the mask (``sin(el) > sin(mask)``).
Positions must be finite; the caller puts failed satellites at the Earth's
centre, which is below every horizon.

Speed (measured by ``python -m benchmarks``; the reasons are in the code):

- Epochs are the vector dimension: tiles of ``TILE`` epochs, blocks of ``BLOCK``
  (one vector). For each group and block, the satellites that may be above the mask
  are listed and summed by :func:`gnss.kernels.vector.sum_block`, which keeps the ten
  sums in vector registers over the list and stores them once (with epochs innermost,
  re-loading and re-storing them per satellite bound the loop on the store port).
- The list comes from a bound computed once per satellite and block
  (:func:`block_bounds`): satellites it rules out are below the mask at every epoch
  of the block and would add exactly 0, so results do not change. Typically 40-45 %
  of satellite-epochs are then computed.
- Per-set DOPs are compiled per clock count (the clock loops unroll, the epoch
  loop vectorises); minima/maxima are integer reductions; ``fastmath`` allows
  only re-association, contraction and reciprocals (no NaN/inf assumptions);
  ``error_model="numpy"`` removes division-by-zero branches.
- DOP histograms are log-linear (128 bins per octave, bin from the float's
  exponent and top mantissa bits, no logarithm) and live in per-thread scratch
  arrays of which only the touched bins are scanned and cleared.

Horizon masks: with ``sin_mask`` a skyline tuple, :func:`accumulate` runs the horizon variant
(:func:`kernel_for` with ``horizon=True``, compiled only for runs with a horizon): the block
bounds use the skyline's lowest elevation and the exact test is
:func:`gnss.kernels.skyline.above_skyline` (:mod:`gnss.kernels.horizon_steps` says how most
satellite-epochs are decided without it, with the same result). Runs without a horizon run the
flat variant, unchanged.

Threads: :func:`accumulate` runs the compiled kernel (``nogil``) on
``numba.get_num_threads()`` Python threads, each on a contiguous range of the parts of the
points with its own scratch; each part has its own zone sums, so results never depend on
the threads.

Compile cost (what a run needs only; the policy is in :mod:`gnss.kernels.jit`):
:func:`accumulate` picks a variant compiled for the run's largest clock count rounded up to
:data:`CLOCK_TIERS` (2, 4 or 7), which calls only the per-set DOP functions up to that
count (R,C,R+C compiles 2 of the 7). The per-point work is in named steps
(:mod:`gnss.kernels.steps`), plain functions compiled once each. numba's ``parallel=True``
is not used: its ``prange`` transforms and the extra function it compiles for the loop body
cost a quarter of the compile time. ``cache=True`` stores the machine code next to the
source files (or in ``NUMBA_CACHE_DIR``) so later processes load it in about 0.3 s
(``python -m benchmarks`` measures both; the first-run figures are in the README).
:func:`compile_needed` tells the caller beforehand, so the run can say "compiling kernels
(first run only)".
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

from . import jit
from .horizon_steps import horizon_scratch, sky_low, tile_sums_horizon
from .jit import THREADED, any_compiled, stamp_all_sources
from .sets import (  # noqa: F401  (hist_bin*, HIST_N_BINS, DOP_CEILING: used elsewhere)
    DOP_CEILING,
    HIST_N_BINS,
    N_METRICS,
    SD1,
    SD2,
    SD3,
    SD4,
    SD5,
    SD6,
    SD7,
    TILE,
    clear_visible,
    clock_sources,
    hist_bin,
    hist_bin_lower,
    hist_quantiles,
    set_statistics,
    zero_dops,
)
from .steps import (  # noqa: F401  (BLOCK, block_bounds: used by the tests)
    BLOCK,
    block_bounds,
    clock_offsets,
    finish_point,
    flat_positions,
    point_scratch,
    reset_point,
    skip_threshold,
    tile_sums,
)


def _make_accumulate(nc_max: int, horizon: bool = False):
    """Build the kernel for sets of at most ``nc_max`` clocks (a compile-time constant).

    ``horizon`` (constant too): ``sin_mask`` is a skyline tuple (:mod:`.horizon_steps`); numba
    prunes the branches on it before typing, so the flat variant compiles as before.
    ``cache=True`` works for this closure: numba's cache key includes the closure's values
    (numbers: a closure over functions would miss the cache in every new process).
    """

    @njit(**THREADED)
    def accumulate_nc(
        px, py, pz, group_start, points, up, zone_w, sin_mask, set_clock, set_nclock, set_slot,
        pdop_max, scratch_hist, scratch_vis,
        n_fix, n_avail, n_sing, vis_sum, vis_min, vis_max, sys_sum, sys_min, sys_max, tdop_sum,
        tdop_n, dop_sum, dop_min, dop_max, dop_q,
        zone_dop_hist, zone_dop_sum, zone_vis_hist, group_w, hist_shift, part0, part1, tid,
    ):  # fmt: skip  # pragma: no cover - compiled
        """:func:`accumulate` over parts ``part0:part1`` with the scratch of thread ``tid``."""
        hshift = np.int64(hist_shift) << np.int64(52)  # j octaves in the IEEE exponent
        (n_s, n_t), n_p, (n_sets, n_groups) = px.shape, points.shape[0], set_clock.shape
        n_tp = (n_t + BLOCK - 1) // BLOCK * BLOCK
        sin_low = sky_low(sin_mask) if horizon else sin_mask  # the bound's mask
        fx, fy, fz, bound = flat_positions(px, py, pz, points, sin_low, horizon)
        work = horizon_scratch(bound if horizon else bound[:, :0], n_s if horizon else 0)
        (src, virt), n_parts = clock_sources(set_clock, set_nclock), zone_dop_sum.shape[0]
        for part in range(part0, part1):
            for p in range(part * n_p // n_parts, (part + 1) * n_p // n_parts):
                hist, vhist = scratch_hist[tid], scratch_vis[tid]
                ux, uy, uz = up[p, 0], up[p, 1], up[p, 2]
                thr = skip_threshold(points[p], up[p], sin_low)
                idx, live, grp, so, bins, cnt, nt_i, mm, hlo, hhi = point_scratch(
                    n_s, n_groups + virt.shape[0], n_sets)  # fmt: skip
                so_bits = so.view(np.int64)  # IEEE bits of the DOPs: histogram bins, extremes
                mm_bits = mm.view(np.int64)
                reset_point(p, n_fix, n_avail, n_sing, vis_sum, vis_min, vis_max, sys_sum,
                            sys_min, sys_max, tdop_sum, tdop_n, dop_sum, dop_min, dop_max)
                for t0 in range(0, n_t, TILE):
                    n = min(TILE, n_t - t0)
                    if horizon:
                        tile_sums_horizon(t0, n, group_start, bound, work, virt, fx, fy, fz,
                                          n_tp, points[p], up[p], sin_mask, thr, idx, live,
                                          grp, group_w)  # fmt: skip
                    else:
                        tile_sums(t0, n, group_start, bound, virt, fx, fy, fz, n_tp, points[p],
                                  up[p], sin_mask, thr, idx, live, grp, group_w)  # fmt: skip
                    for k in range(n_sets):
                        nc = set_nclock[k]
                        a0, a1, a2, a3, a4, a5, a6 = clock_offsets(src[k])
                        # Only the clock counts up to nc_max are compiled: numba removes the
                        # branches on the constant nc_max before typing, so the others are
                        # never compiled (this is what makes a first run compile less).
                        if nc == 0:
                            zero_dops(n, so)
                        elif nc == 1:
                            SD1(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 2 and nc == 2:
                            SD2(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 3 and nc == 3:
                            SD3(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 4 and nc == 4:
                            SD4(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 5 and nc == 5:
                            SD5(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 6 and nc == 6:
                            SD6(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 7 and nc == 7:
                            SD7(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if group_w.shape[0] > 0:
                            clear_visible(n, so)  # weighted pass: counts are sums of weights
                        set_statistics(
                            p, k, n, grp, so, so_bits, bins, cnt, nt_i, mm, mm_bits, hist[k],
                            vhist[k], set_slot, nc, pdop_max, hlo, hhi, n_fix, n_avail, n_sing,
                            vis_sum, vis_min, vis_max, sys_sum, sys_min, sys_max, tdop_sum,
                            tdop_n, dop_sum, dop_min, dop_max, hshift,
                        )  # fmt: skip
                finish_point(p, part, zone_w, hist, vhist, hlo, hhi, n_fix, vis_min, vis_max,
                             dop_sum, dop_min, dop_max, dop_q, zone_dop_hist, zone_dop_sum,
                             zone_vis_hist, hist_shift)  # fmt: skip

    return stamp_all_sources(accumulate_nc)  # stale when a helper's file changes


#: Kernel variants: the largest clock count of a run is rounded up to one of these, so at
#: most three variants are ever compiled (R,C,R+C: 2; four systems: 4; any: 7).
CLOCK_TIERS = (2, 4, 7)
_KERNELS: dict[tuple[int, bool], object] = {}


def kernel_for(n_clock_max: int, horizon: bool = False):
    """Return the compiled kernel (numba dispatcher) for sets of <= ``n_clock_max`` clocks.

    ``horizon``: the skyline variant (built, and compiled, only when a run has a horizon).
    """
    tier = next(t for t in CLOCK_TIERS if t >= n_clock_max)
    key = (tier, bool(horizon))
    if key not in _KERNELS:
        _KERNELS[key] = _make_accumulate(tier, bool(horizon))
    return _KERNELS[key]


def accumulate(
    px, py, pz, group_start, points, up, zone_w, sin_mask, set_clock, set_nclock, set_slot,
    pdop_max, scratch_hist, scratch_vis, *outputs,
):  # fmt: skip
    """Statistics of every point of a block over all epochs (outputs written in place).

    Parameters
    ----------
    px, py, pz : float64[n_s, n_t]
        Satellite ITRS coordinates (m), satellite-major, sorted by group; finite.
    group_start : int64[n_groups + 1]
        Satellites of group ``g`` are ``group_start[g]:group_start[g + 1]``.
    points, up : float64[n_p, 3]
        Receiver ITRS positions (m) and geodetic up unit vectors.
    zone_w : float64[n_zones, n_p]
        Weight (area, m^2) of each point in each zone (zone 0: the globe).
    sin_mask : float or tuple
        Sine of the elevation mask; or a skyline (the horizon variant of the kernel):
        ``(sin_lo, sin_hi, table_az_deg, table_el_deg, bins, wide)`` from
        :func:`gnss.coverage.skyline.kernel_skyline`.
    set_clock, set_slot : int64[n_sets, n_groups]
        Clock and system slot of each group in each set, -1 when not in it.
    set_nclock : int64[n_sets]
        Number of clocks of each set (at most ``MAX_CLOCKS``).
    pdop_max : float
        Availability threshold (inclusive).
    scratch_hist : int32[n_threads, n_sets, 4, HIST_N_BINS]
        Zeroed scratch; left zeroed.
    scratch_vis : int32[n_threads, n_sets, n_s + 1]
        Zeroed scratch; left zeroed.
    n_fix, n_avail, n_sing, vis_sum, vis_min, vis_max : int64[n_p, n_sets]
        Epochs with a usable fix; with a usable fix and PDOP <= pdop_max; near-singular
        epochs (enough satellites, GDOP > ``DOP_CEILING``: no usable fix); visible count
        sum, min, max.
    sys_sum, sys_min, sys_max : int64[n_p, n_sets, n_slot]
        Visible satellites per system of each set.
    tdop_sum : float64[n_p, n_sets, n_clock]
        Sum of TDOP per clock over epochs with a fix and that clock in view.
    tdop_n : int64[n_p, n_sets, n_clock]
        Number of those epochs.
    dop_sum, dop_min, dop_max : float64[n_p, n_sets, 4]
        PDOP, HDOP, VDOP, GDOP over epochs with a fix (min/max +inf/-inf if none).
    dop_q : float64[n_p, n_sets, 4, 2]
        Median and 95th percentile over epochs with a fix (NaN if none).
    zone_dop_hist : float64[n_parts, n_zones, n_sets, 4, HIST_N_BINS]
        Added: weight x epochs per DOP bin.
    zone_dop_sum : float64[n_parts, n_zones, n_sets, 4]
        Added: weight x sum of DOP.
    zone_vis_hist : float64[n_parts, n_zones, n_sets, n_s + 1]
        Added: weight x epochs per visible count.
    group_w, hist_shift : float64[n_groups] or float64[0], int
        The last two of ``outputs``: range weight of each group (its sums times it, see
        :func:`gnss.kernels.steps.tile_sums`; empty: the plain DOPs) and the DOP histograms'
        shift (they count ``DOP * 2**hist_shift``, :mod:`gnss.coverage.uere`; 0: plain).

    The points are cut into ``n_parts`` contiguous parts, each summed in order into its own
    zone sums, whatever thread runs it (``numba.set_num_threads`` Python threads, the GIL
    released): the results depend on ``n_parts`` only, not on the number of threads.
    """
    import numba

    kernel = kernel_for(int(np.max(set_nclock)), isinstance(sin_mask, tuple))
    args = (px, py, pz, group_start, points, up, zone_w, sin_mask, set_clock, set_nclock,
            set_slot, pdop_max, scratch_hist, scratch_vis, *outputs)  # fmt: skip
    n_parts = outputs[-4].shape[0]  # zone_dop_sum (outputs end: zone sums, group_w, shift)
    n_th = max(1, min(numba.get_num_threads(), n_parts))
    if n_th == 1:
        kernel(*args, 0, n_parts, 0)
        return
    # Thread w runs parts w * n_parts // n_th ... with scratch w; the kernel releases the GIL.
    with ThreadPoolExecutor(n_th, thread_name_prefix="gnss-kernel") as pool:
        runs = [pool.submit(kernel, *args, w * n_parts // n_th, (w + 1) * n_parts // n_th, w)
                for w in range(n_th)]  # fmt: skip
        for r in runs:
            r.result()


#: The kernel's trailing arguments (first part, end part, scratch slot) in the calls that
#: :func:`compile_needed` and :func:`compile_kernel` look up: only their types matter.
PART_ARGS = (0, 1, 0)


def compile_needed(kernel, args) -> bool:
    """Whether :func:`accumulate` with ``args`` compiles ``kernel`` (from :func:`kernel_for`).

    See :func:`gnss.kernels.jit.compile_needed`.
    """
    return jit.compile_needed(kernel, (*args, *PART_ARGS))


def compile_kernel(kernel, args) -> None:
    """Compile (or load from the cache) ``kernel`` for :func:`accumulate` with ``args``."""
    jit.compile_kernel(kernel, (*args, *PART_ARGS))


def compiled_in_this_process() -> bool:
    """Whether a kernel variant was compiled here (not loaded from numba's cache).

    Measured on numba 0.68 / znver3: freshly compiled machine code and the same kernel
    loaded from the cache round HDOP, VDOP and TDOP differently in the last bit (about 1
    value in 3, relative 2e-16 to 6e-16); PDOP, GDOP and every count are identical. So the
    first run of a fresh install can differ from later runs by one unit in the last place.
    """
    return any_compiled(_KERNELS.values())


def n_threads() -> int:
    """Return the most numba threads a kernel can use (size of the per-thread scratch arrays)."""
    from numba import config

    return int(config.NUMBA_NUM_THREADS)
