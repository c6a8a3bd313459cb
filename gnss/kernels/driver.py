"""Numba kernels: visibility and DOP over points x epochs, folded into statistics.

Plain numeric code on arrays; no validation, no objects, no printing. The
Python side (:mod:`gnss.coverage.run`) prepares the arrays and explains errors.
This module, :mod:`gnss.kernels.sets` (per-set DOPs and statistics) and
:mod:`gnss.kernels.vector` (the vector block sums) are the only modules that import numba.

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

Compile cost (what a run needs only): :func:`accumulate` picks a variant compiled for the
run's largest clock count rounded up to :data:`CLOCK_TIERS` (2, 4 or 7), which calls only
the per-set DOP functions up to that count (R,C,R+C compiles 2 of the 7), and numba's
parallel transforms are limited to the ``prange`` loop (:func:`_prange_only`). The first
call in a fresh environment (R,C,R+C) then compiles for about 21-24 s instead of 29-31 s on
the shared 2-core reference machine (CPU time 23.5 s instead of 29.3 s); ``cache=True``
stores the machine code next to this file (or in ``NUMBA_CACHE_DIR``) so later processes
load it in about 0.3 s (``python -m benchmarks`` measures both). :func:`compile_needed`
tells the caller beforehand, so the run can say "compiling kernels (first run only)".
"""

from __future__ import annotations

import math

import numpy as np
from numba import get_thread_id, njit, prange

from .sets import (  # noqa: F401  (hist_bin*, HIST_N_BINS, DOP_CEILING: used elsewhere)
    DOP_CEILING,
    HIST_N_BINS,
    JIT_OPTS,
    N_ACC,
    N_METRICS,
    N_SO,
    ROW,
    SD1,
    SD2,
    SD3,
    SD4,
    SD5,
    SD6,
    SD7,
    TILE,
    clock_sources,
    hist_bin,
    hist_bin_lower,
    hist_quantiles,
    set_statistics,
    zero_dops,
)
from .vector import LANES, sum_block

BLOCK = LANES  # epochs per satellite visibility bound (see block_bounds): one vector


@njit(cache=True, **JIT_OPTS)
def block_bounds(px, py, pz, sin_mask, r_min, r_max, bound):  # pragma: no cover - compiled
    """Visibility bounds of each satellite over each block of ``BLOCK`` epochs.

    Satellite ``s`` stays inside a ball (centre ``M``, radius ``rho``) over block ``b``.
    For a point ``P`` with up vector ``u`` and ``|P|`` in ``[r_min, r_max]``, and a mask
    ``sin_mask >= 0``, the satellite is below the mask at every epoch of the block when
    ``M.u + bound[3, j] < P.u - sin_mask |P|`` (``j = b * n_s + s``: block-major, so the
    satellites of a group are contiguous for each block), because
    ``(S - P).u <= M.u + rho - P.u`` and, when ``|M| - rho >= r_max``,
    ``|S - P| >= |M| - rho - |P|``; otherwise only the horizon plane is used.
    ``bound[0:3, j]`` is ``M`` (m).
    """
    n_s, n_t = px.shape
    nb = (n_t + BLOCK - 1) // BLOCK
    for s in range(n_s):
        for b in range(nb):
            t0 = b * BLOCK
            t1 = min(n_t, t0 + BLOCK)
            cx, cy, cz = 0.0, 0.0, 0.0
            for t in range(t0, t1):
                cx += px[s, t]
                cy += py[s, t]
                cz += pz[s, t]
            cx /= t1 - t0
            cy /= t1 - t0
            cz /= t1 - t0
            r2 = 0.0
            for t in range(t0, t1):
                r2 = max(r2, (px[s, t] - cx) ** 2 + (py[s, t] - cy) ** 2 + (pz[s, t] - cz) ** 2)
            rho = math.sqrt(r2) * (1.0 + 1e-12) + 1.0  # rounded up by 1 m
            m_norm = math.sqrt(cx * cx + cy * cy + cz * cz)
            if m_norm - rho >= r_max:
                extra = rho - sin_mask * (m_norm - rho)
            else:
                extra = rho - sin_mask * r_min
            j = b * n_s + s
            bound[0, j] = cx
            bound[1, j] = cy
            bound[2, j] = cz
            bound[3, j] = extra


def _prange_only() -> dict:
    """Return numba parallel options with only ``prange`` on (a new dict: numba empties it).

    With all of them on, numba also turns every array expression outside the ``prange``
    loop (``np.zeros``, slice assignments) into a parallel loop of its own, each compiled
    as a separate function: seven in all, a third of the compile time, for loops over a few
    kilobytes. The ``prange`` loop over parts of the points is the only parallel work.
    """
    return {
        "comprehension": False, "reduction": False, "inplace_binop": False, "setitem": False,
        "numpy": False, "stencil": False, "fusion": False, "prange": True,
    }  # fmt: skip


def _make_accumulate(nc_max: int):
    """Build the kernel for sets of at most ``nc_max`` clocks (a compile-time constant).

    ``cache=True`` works for this closure: numba's cache key includes the closure's
    values, so each ``nc_max`` has its own entry in the cache index.
    """

    @njit(cache=True, parallel=_prange_only(), **JIT_OPTS)
    def accumulate_nc(
        px, py, pz, group_start, points, up, zone_w, sin_mask, set_clock, set_nclock, set_slot,
        pdop_max, scratch_hist, scratch_vis,
        n_fix, n_avail, n_sing, vis_sum, vis_min, vis_max, sys_sum, sys_min, sys_max, tdop_sum,
        tdop_n, dop_sum, dop_min, dop_max, dop_q,
        zone_dop_hist, zone_dop_sum, zone_vis_hist,
    ):  # fmt: skip  # pragma: no cover - compiled
        """:func:`accumulate` for sets of at most ``nc_max`` clocks (one compile each)."""
        n_t = px.shape[1]
        n_p = points.shape[0]
        n_sets, n_groups = set_clock.shape
        n_clock_max = tdop_sum.shape[2]
        n_slot_max = sys_sum.shape[2]
        n_zones = zone_w.shape[0]
        big = np.iinfo(np.int64).max
        r_min, r_max = np.inf, 0.0
        for p in range(n_p):
            r = math.sqrt(points[p, 0] ** 2 + points[p, 1] ** 2 + points[p, 2] ** 2)
            r_min = min(r_min, r)
            r_max = max(r_max, r)
        # Positions as flat rows padded to whole blocks (the padding, at the Earth's centre, is
        # never visible and never read by the statistics).
        n_s = px.shape[0]
        n_blocks = (n_t + BLOCK - 1) // BLOCK
        n_tp = n_blocks * BLOCK
        fx, fy, fz = np.zeros(n_s * n_tp), np.zeros(n_s * n_tp), np.zeros(n_s * n_tp)
        for s in range(n_s):
            fx[s * n_tp : s * n_tp + n_t] = px[s]
            fy[s * n_tp : s * n_tp + n_t] = py[s]
            fz[s * n_tp : s * n_tp + n_t] = pz[s]
        bound = np.empty((4, n_s * n_blocks))
        block_bounds(px, py, pz, max(sin_mask, 0.0), r_min, r_max, bound)
        src, virt = clock_sources(set_clock, set_nclock)
        n_virt = virt.shape[0]
        g_len = N_ACC * ROW  # length of one group's rows in the flat accumulator array
        n_parts = zone_dop_sum.shape[0]
        for part in prange(n_parts):
            for p in range(part * n_p // n_parts, (part + 1) * n_p // n_parts):
                tid = get_thread_id()
                hist = scratch_hist[tid]
                vhist = scratch_vis[tid]
                px0, py0, pz0 = points[p, 0], points[p, 1], points[p, 2]
                ux, uy, uz = up[p, 0], up[p, 1], up[p, 2]
                # Blocks where a satellite may be above the mask (block_bounds; the 1 m margin is
                # far above the rounding of these sums, ~1e-8 m). No skipping for negative masks.
                sm = max(sin_mask, 0.0)
                r_p = math.sqrt(px0**2 + py0**2 + pz0**2)
                thr = px0 * ux + py0 * uy + pz0 * uz - sm * r_p - 1.0
                thr = thr if sin_mask >= 0.0 else -np.inf
                idx = np.empty(n_s, np.int64)  # offsets of the satellites in view of a block
                live = np.empty(n_s, np.uint8)  # 1 where the bound cannot rule the satellite out
                bx, by, bz, be = bound[0], bound[1], bound[2], bound[3]
                grp = np.empty((n_groups + n_virt) * g_len)
                so = np.empty(N_SO * ROW)
                so_bits = so.view(np.int64)  # IEEE bits of the DOPs: histogram bins, extremes
                bins = np.empty(N_METRICS * ROW, np.int64)
                cnt = np.empty(ROW)
                nt_i = np.empty(ROW, np.int64)
                mm = np.empty(2)
                mm_bits = mm.view(np.int64)
                hlo = np.full((n_sets, N_METRICS), HIST_N_BINS, np.int64)
                hhi = np.full((n_sets, N_METRICS), -1, np.int64)
                for k in range(n_sets):
                    n_fix[p, k] = n_avail[p, k] = n_sing[p, k] = vis_sum[p, k] = vis_max[p, k] = 0
                    vis_min[p, k] = big
                    for j in range(n_slot_max):
                        sys_sum[p, k, j] = sys_max[p, k, j] = 0
                        sys_min[p, k, j] = big
                    for c in range(n_clock_max):
                        tdop_sum[p, k, c] = 0.0
                        tdop_n[p, k, c] = 0
                    for m in range(N_METRICS):
                        dop_sum[p, k, m] = 0.0
                        dop_min[p, k, m] = np.inf
                        dop_max[p, k, m] = -np.inf
                for t0 in range(0, n_t, TILE):
                    n = min(TILE, n_t - t0)
                    # Per group and block: the satellites the bound cannot rule out, summed in
                    # vector registers (sum_block stores every row of the tile: no zeroing).
                    for g in range(n_groups):
                        s0, s1 = group_start[g], group_start[g + 1]
                        for bt in range((n + BLOCK - 1) // BLOCK):
                            b = t0 // BLOCK + bt
                            # Bound tests in a vectorised pass, then the list (unsigned indices: no
                            # negative-index wrap-around code).
                            jb, ob = np.uint64(b * n_s), np.uint64(b * BLOCK)
                            for s in range(np.uint64(s0), np.uint64(s1)):
                                j = jb + s
                                live[s] = bx[j] * ux + by[j] * uy + bz[j] * uz + be[j] >= thr
                            m = np.uint64(0)
                            for s in range(np.uint64(s0), np.uint64(s1)):
                                idx[m] = s * np.uint64(n_tp) + ob
                                m += np.uint64(live[s])
                            sum_block(fx, fy, fz, idx, m, px0, py0, pz0, ux, uy, uz, sin_mask, grp,
                                      np.uint64(g * g_len + bt * BLOCK))  # fmt: skip
                    for v in range(n_virt):
                        vb = (n_groups + v) * g_len
                        grp[vb : vb + g_len] = 0.0
                        for g in range(n_groups):
                            if virt[v, g]:
                                for j in range(vb, vb + g_len):
                                    grp[j] += grp[j - vb + g * g_len]
                    for k in range(n_sets):
                        nc, sk = set_nclock[k], src[k]
                        a0, a1, a2 = np.uint64(sk[0]), np.uint64(sk[1]), np.uint64(sk[2])
                        a3, a4 = np.uint64(sk[3]), np.uint64(sk[4])
                        a5, a6 = np.uint64(sk[5]), np.uint64(sk[6])
                        # Only the clock counts up to nc_max are compiled: numba removes the
                        # branches on the constant nc_max before typing, so the others are
                        # never compiled (this is what makes a first run compile less).
                        if nc == 0:
                            zero_dops(n, so)
                        elif nc == 1:
                            SD1(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 2:
                            if nc == 2:
                                SD2(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 3:
                            if nc == 3:
                                SD3(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 4:
                            if nc == 4:
                                SD4(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 5:
                            if nc == 5:
                                SD5(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 6:
                            if nc == 6:
                                SD6(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        if nc_max >= 7:
                            if nc == 7:
                                SD7(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
                        set_statistics(
                            p, k, n, grp, so, so_bits, bins, cnt, nt_i, mm, mm_bits, hist[k],
                            vhist[k], set_slot, set_nclock[k], pdop_max, hlo, hhi, n_fix,
                            n_avail, n_sing, vis_sum, vis_min, vis_max, sys_sum, sys_min,
                            sys_max, tdop_sum, tdop_n, dop_sum, dop_min, dop_max,
                        )  # fmt: skip
                # Per-cell quantiles, zone histograms, then clear the touched scratch bins (in the
                # same pass as the last zone's histogram).
                last_z = -1
                for z in range(n_zones):
                    if zone_w[z, p] != 0.0:
                        last_z = z
                for k in range(n_sets):
                    for m in range(N_METRICS):
                        lo, hi, hkm = hlo[k, m], hhi[k, m], hist[k, m]
                        if n_fix[p, k] == 0:
                            dop_q[p, k, m, 0] = dop_q[p, k, m, 1] = np.nan
                        else:
                            hist_quantiles(hkm, lo, hi, n_fix[p, k], dop_min[p, k, m],
                                           dop_max[p, k, m], dop_q[p, k, m])  # fmt: skip
                        for z in range(last_z + 1):
                            w = zone_w[z, p]
                            if w == 0.0:
                                continue
                            zone_dop_sum[part, z, k, m] += w * dop_sum[p, k, m]
                            zh = zone_dop_hist[part, z, k, m]
                            if z == last_z:
                                for b in range(lo, hi + 1):
                                    zh[b] += w * hkm[b]
                                    hkm[b] = 0
                            else:
                                for b in range(lo, hi + 1):
                                    zh[b] += w * hkm[b]
                        if last_z < 0:
                            for b in range(lo, hi + 1):
                                hkm[b] = 0
                    for z in range(last_z + 1):
                        w = zone_w[z, p]
                        if w != 0.0:
                            for c in range(vis_min[p, k], vis_max[p, k] + 1):
                                zone_vis_hist[part, z, k, c] += w * vhist[k, c]
                    for c in range(vis_min[p, k], vis_max[p, k] + 1):
                        vhist[k, c] = 0

    return accumulate_nc


#: Kernel variants: the largest clock count of a run is rounded up to one of these, so at
#: most three variants are ever compiled (R,C,R+C: 2; four systems: 4; any: 7).
CLOCK_TIERS = (2, 4, 7)
_KERNELS: dict[int, object] = {}


def kernel_for(n_clock_max: int):
    """Return the compiled kernel (numba dispatcher) for sets of <= ``n_clock_max`` clocks."""
    tier = next(t for t in CLOCK_TIERS if t >= n_clock_max)
    if tier not in _KERNELS:
        _KERNELS[tier] = _make_accumulate(tier)
    return _KERNELS[tier]


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
    sin_mask : float
        Sine of the elevation mask.
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

    The points are cut into ``n_parts`` contiguous parts, each summed in order into its own
    zone sums, whatever thread runs it: the float sums, and so the results, do not depend on
    the number of threads (``numba.set_num_threads``), only on ``n_parts``.
    """
    kernel = kernel_for(int(np.max(set_nclock)))
    kernel(px, py, pz, group_start, points, up, zone_w, sin_mask, set_clock, set_nclock,
           set_slot, pdop_max, scratch_hist, scratch_vis, *outputs)  # fmt: skip


def compile_needed(kernel, args) -> bool:
    """Whether calling ``kernel`` (from :func:`kernel_for`) with ``args`` will compile first.

    False when this process has the machine code already or numba's on-disk cache has an
    entry for these argument types (the lookup numba itself does: its cache index, checked
    against the source file's time stamp). Uses numba internals (``Dispatcher._cache``),
    so with another numba where they differ it answers False (no message, no harm).
    """
    sig = tuple(kernel.typeof_pyval(a) for a in args)
    if sig in kernel.overloads:
        return False
    try:
        cache = kernel._cache
        key = cache._index_key(sig, kernel.targetctx.codegen())
        return key not in cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - another numba or caching disabled: cannot tell
        return False


def compiled_in_this_process() -> bool:
    """Whether a kernel variant was compiled here (not loaded from numba's cache).

    Measured on numba 0.68 / znver3: freshly compiled machine code and the same kernel
    loaded from the cache round HDOP, VDOP and TDOP differently in the last bit (about 1
    value in 3, relative 2e-16 to 6e-16); PDOP, GDOP and every count are identical. So the
    first run of a fresh install can differ from later runs by one unit in the last place.
    """
    return any(k.stats.cache_misses for k in _KERNELS.values())


def compile_kernel(kernel, args) -> None:
    """Compile (or load from the cache) ``kernel`` for the types of ``args``."""
    kernel.compile(tuple(kernel.typeof_pyval(a) for a in args))


def n_threads() -> int:
    """Return the most numba threads a kernel can use (size of the per-thread scratch arrays)."""
    from numba import config

    return int(config.NUMBA_NUM_THREADS)
