"""Numba kernels: visibility and DOP over points x epochs, folded into statistics.

Plain numeric code on arrays; no validation, no objects, no printing. The
Python side (:mod:`gnss.coverage`) prepares the arrays and explains errors.
This is the only module that imports numba.

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

Speed: the satellite loop of a group is branch-free (visibility is a 0/1
weight), so LLVM vectorises it (AVX2/AVX-512); ``fastmath`` allows only
re-association and contraction (no NaN/inf assumptions). DOP histograms are
log-linear (128 bins per octave, bin from the float's exponent and top
mantissa bits, no logarithm) and live in per-thread scratch arrays of which
only the touched bins are scanned and cleared.

Compile cost: the first call in a fresh environment compiles for 15-20 s on
the 2-core reference machine; ``cache=True`` stores the machine code next to
this file (or in ``NUMBA_CACHE_DIR``) so later processes load it in about 1 s
(``python -m benchmarks`` measures both).
"""

from __future__ import annotations

import math

import numpy as np
from numba import get_thread_id, njit, prange

# Index of each DOP in the metric axis of the accumulators.
PDOP, HDOP, VDOP, GDOP = 0, 1, 2, 3
N_METRICS = 4

#: Histogram layout: octaves 2**-2 .. 2**8 (DOP 0.25 to 256), 128 bins per octave,
#: linear inside the octave: bin b covers [2**(lo + b // 128) * (1 + (b % 128) / 128), ...).
#: A bin is at most 1/128 = 0.78 % wide relative to its lower edge.
HIST_OCTAVE_LO = -2
HIST_SUB = 128
HIST_N_BINS = 10 * HIST_SUB

_FASTMATH = {"reassoc", "contract", "nsz", "arcp"}


@njit(inline="always")
def hist_bin(bits):  # pragma: no cover - compiled
    """Histogram bin of a positive float64 given its IEEE-754 bits (int64)."""
    e = ((bits >> 52) & 0x7FF) - 1023
    b = (e - HIST_OCTAVE_LO) * HIST_SUB + ((bits >> 45) & (HIST_SUB - 1))
    return min(max(b, 0), HIST_N_BINS - 1)


@njit(inline="always")
def hist_bin_lower(b):  # pragma: no cover - compiled
    """Lower edge of histogram bin ``b``."""
    return 2.0 ** (HIST_OCTAVE_LO + b // HIST_SUB) * (1.0 + (b % HIST_SUB) / HIST_SUB)


@njit(inline="always")
def hist_quantile(hist, lo, hi, total, q, vmin, vmax):  # pragma: no cover - compiled
    """Quantile ``q`` of ``total`` values counted in ``hist[lo:hi + 1]``.

    The rank is ``q (total - 1)`` as in ``numpy.percentile``'s linear method; the value is
    placed linearly inside its bin and clamped to the exact extremes ``[vmin, vmax]``. The
    exact value lies between the order statistics ``floor(rank)`` and ``floor(rank) + 1``,
    so the error is below two bin widths (1.6 %).
    """
    rank = q * (total - 1)
    cum = 0.0
    for b in range(lo, hi + 1):
        c = hist[b]
        if c > 0 and cum + c > rank:
            low = hist_bin_lower(b)
            width = hist_bin_lower(b + 1) - low
            val = low + width * (rank - cum + 0.5) / c
            return min(max(val, vmin), vmax)
        cum += c
    return vmax


TILE = 256  # epochs processed together per point (the vector dimension)
ROW = TILE + 8  # row length of the flat scratch arrays (rows not 4 KiB apart: cache aliasing)
BLOCK = 8  # epochs per satellite visibility bound (see block_bounds)
MAX_CLOCKS = 7  # one per system (G, R, E, C, J, I, S)

# Rows of the per-group accumulators (each ROW long): count, sum of e, sum of e e^T.
N_ACC = 10
# Rows of the per-set DOP scratch: PDOP, HDOP, VDOP, GDOP, TDOP per clock, satellites in view.
_R_TDOP = 4
_R_NTOT = _R_TDOP + MAX_CLOCKS
N_SO = _R_NTOT + 1

_OPTS = {"fastmath": _FASTMATH, "error_model": "numpy"}  # numpy: no ZeroDivisionError branches


@njit(cache=True, **_OPTS)
def block_bounds(px, py, pz, sin_mask, r_min, r_max, bound):  # pragma: no cover - compiled
    """Visibility bounds of each satellite over each block of ``BLOCK`` epochs.

    Satellite ``s`` stays inside a ball (centre ``M``, radius ``rho``) over block ``b``.
    For a point ``P`` with up vector ``u`` and ``|P|`` in ``[r_min, r_max]``, and a mask
    ``sin_mask >= 0``, the satellite is below the mask at every epoch of the block when
    ``M.u + bound[3, j] < P.u - sin_mask |P|`` (``j = s * n_blocks + b``), because
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
            j = s * nb + b
            bound[0, j] = cx
            bound[1, j] = cy
            bound[2, j] = cz
            bound[3, j] = extra


@njit(inline="always", **_OPTS)
def _add_run(xs, ys, zs, i0, i1, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0):  # pragma: no cover
    """Add one satellite over epochs ``i0 .. i1 - 1`` of a tile to the group rows at ``a0``.

    Branch-free (visibility is a 0/1 weight) so LLVM vectorises over epochs. Indices are
    unsigned (no negative-index wrap-around, which would turn the loads into gathers) and
    the accumulator rows sit at constant distances in one flat array, so LLVM needs no
    run-time alias checks between them.
    """
    for i in range(np.uint64(i0), np.uint64(i1)):
        dx = xs[i] - ptx
        dy = ys[i] - pty
        dz = zs[i] - ptz
        # Hardware sqrt and division: they run on the divider, beside the multiply pipes
        # that the rest of the loop keeps busy (faster here than a Newton iteration).
        inv = 1.0 / math.sqrt(dx * dx + dy * dy + dz * dz)
        ex = dx * inv
        ey = dy * inv
        ez = dz * inv
        vis = ex * ux + ey * uy + ez * uz > sin_mask
        v = 1.0 if vis else 0.0
        ex = ex if vis else 0.0
        ey = ey if vis else 0.0
        ez = ez if vis else 0.0
        acc[a0 + i] += v
        acc[a0 + np.uint64(ROW) + i] += ex
        acc[a0 + np.uint64(2 * ROW) + i] += ey
        acc[a0 + np.uint64(3 * ROW) + i] += ez
        acc[a0 + np.uint64(4 * ROW) + i] += ex * ex
        acc[a0 + np.uint64(5 * ROW) + i] += ex * ey
        acc[a0 + np.uint64(6 * ROW) + i] += ex * ez
        acc[a0 + np.uint64(7 * ROW) + i] += ey * ey
        acc[a0 + np.uint64(8 * ROW) + i] += ey * ez
        acc[a0 + np.uint64(9 * ROW) + i] += ez * ez


@njit(inline="always", **_OPTS)
def _add_group(
    px, py, pz, live, s0, s1, t0, n, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0
):  # pragma: no cover - compiled
    """Add satellites ``s0 .. s1 - 1`` over epochs ``t0 .. t0 + n - 1`` to the rows at ``a0``.

    Only runs of blocks flagged in ``live`` (see :func:`block_bounds`) are computed: in the
    other blocks the satellite is below the mask and adds exactly 0.
    """
    nbt = live.shape[0] // px.shape[0]
    b0 = t0 // BLOCK
    nb = (n + BLOCK - 1) // BLOCK
    for s in range(s0, s1):
        xs = px[s, t0 : t0 + n]
        ys = py[s, t0 : t0 + n]
        zs = pz[s, t0 : t0 + n]
        fl = live[s * nbt + b0 : s * nbt + b0 + nb]
        b = 0
        while b < nb:
            if not fl[b]:
                b += 1
                continue
            e = b + 1
            while e < nb and fl[e]:
                e += 1
            _add_run(xs, ys, zs, b * BLOCK, min(n, e * BLOCK), ptx, pty, ptz, ux, uy, uz,
                     sin_mask, acc, a0)  # fmt: skip
            b = e


def _pick(c, a0, a1, a2, a3, a4, a5, a6):  # pragma: no cover - inlined by numba
    return a0 if c == 0 else a1 if c == 1 else a2 if c == 2 else a3 if c == 3 else (
        a4 if c == 4 else a5 if c == 5 else a6)  # fmt: skip


_pick_jit = njit(inline="always", **_OPTS)(_pick)


def _make_set_dops(nc):
    """Per-set DOPs for ``nc`` clocks, a compile-time constant.

    The clock loops unroll, so each epoch loop is innermost and LLVM vectorises it (a
    run-time clock loop inside the epoch loop leaves the whole loop scalar).
    """

    @njit(**_OPTS)
    def set_dops(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so):  # pragma: no cover
        """DOPs of one set over ``n`` epochs from the clock sums at ``grp[a_c:]``.

        Writes the rows of ``so`` (flat, ``N_SO`` rows of ``ROW``): PDOP, HDOP, VDOP, GDOP
        (0 without a fix), TDOP per clock (0 without a fix or when that clock has no
        satellite in view) and the number of satellites in view.
        """
        for i in range(np.uint64(n)):
            sxx, sxy, sxz, syy, syz, szz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
            nt, kv = 0.0, 0.0
            w0 = w1 = w2 = w3 = w4 = w5 = w6 = 0.0
            for c in range(nc):
                a = _pick_jit(c, a0, a1, a2, a3, a4, a5, a6) + i
                n_c = grp[a]
                mx = grp[a + np.uint64(ROW)]
                my = grp[a + np.uint64(2 * ROW)]
                mz = grp[a + np.uint64(3 * ROW)]
                w = 1.0 / n_c if n_c > 0.0 else 0.0
                if c == 0:
                    w0 = w
                elif c == 1:
                    w1 = w
                elif c == 2:
                    w2 = w
                elif c == 3:
                    w3 = w
                elif c == 4:
                    w4 = w
                elif c == 5:
                    w5 = w
                else:
                    w6 = w
                sxx += grp[a + np.uint64(4 * ROW)] - w * mx * mx
                sxy += grp[a + np.uint64(5 * ROW)] - w * mx * my
                sxz += grp[a + np.uint64(6 * ROW)] - w * mx * mz
                syy += grp[a + np.uint64(7 * ROW)] - w * my * my
                syz += grp[a + np.uint64(8 * ROW)] - w * my * mz
                szz += grp[a + np.uint64(9 * ROW)] - w * mz * mz
                nt += n_c
                kv += 1.0 if n_c > 0.0 else 0.0
            # Inverse of the symmetric 3x3 N by cofactors.
            c00 = syy * szz - syz * syz
            c01 = sxz * syz - sxy * szz
            c02 = sxy * syz - sxz * syy
            det = sxx * c00 + sxy * c01 + sxz * c02
            ok = (nt >= 3.0 + kv) & (det > 0.0)
            inv_det = 1.0 / det if ok else 0.0
            q00 = c00 * inv_det
            q01 = c01 * inv_det
            q02 = c02 * inv_det
            q11 = (sxx * szz - sxz * sxz) * inv_det
            q12 = (sxy * sxz - sxx * syz) * inv_det
            q22 = (sxx * syy - sxy * sxy) * inv_det
            trace = q00 + q11 + q22
            vdop2 = max(
                ux * (q00 * ux + q01 * uy + q02 * uz)
                + uy * (q01 * ux + q11 * uy + q12 * uz)
                + uz * (q02 * ux + q12 * uy + q22 * uz),
                0.0,
            )
            gdop2 = trace
            for c in range(nc):
                a = _pick_jit(c, a0, a1, a2, a3, a4, a5, a6) + i
                w = _pick_jit(c, w0, w1, w2, w3, w4, w5, w6)
                mx = grp[a + np.uint64(ROW)] * w
                my = grp[a + np.uint64(2 * ROW)] * w
                mz = grp[a + np.uint64(3 * ROW)] * w
                t2 = w + (
                    mx * (q00 * mx + q01 * my + q02 * mz)
                    + my * (q01 * mx + q11 * my + q12 * mz)
                    + mz * (q02 * mx + q12 * my + q22 * mz)
                )
                t2 = t2 if ok & (w > 0.0) else 0.0
                so[np.uint64((_R_TDOP + c) * ROW) + i] = math.sqrt(t2)
                gdop2 += t2
            so[i] = math.sqrt(trace)
            so[np.uint64(ROW) + i] = math.sqrt(max(trace - vdop2, 0.0))
            so[np.uint64(2 * ROW) + i] = math.sqrt(vdop2)
            so[np.uint64(3 * ROW) + i] = math.sqrt(gdop2)
            so[np.uint64(_R_NTOT * ROW) + i] = nt

    return set_dops


_SD1, _SD2, _SD3, _SD4, _SD5, _SD6, _SD7 = (_make_set_dops(nc) for nc in range(1, 8))


@njit(inline="always", **_OPTS)
def _set_dops(nc, grp, src, n, ux, uy, uz, so):  # pragma: no cover - compiled
    """DOPs of a set whose ``nc`` clocks have their sums at ``grp[src[c]:]`` (see set_dops)."""
    a0, a1, a2, a3 = np.uint64(src[0]), np.uint64(src[1]), np.uint64(src[2]), np.uint64(src[3])
    a4, a5, a6 = np.uint64(src[4]), np.uint64(src[5]), np.uint64(src[6])
    if nc == 0:
        for r in range(N_SO):
            for i in range(n):
                so[r * ROW + i] = 0.0
    elif nc == 1:
        _SD1(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
    elif nc == 2:
        _SD2(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
    elif nc == 3:
        _SD3(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
    elif nc == 4:
        _SD4(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
    elif nc == 5:
        _SD5(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
    elif nc == 6:
        _SD6(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)
    else:
        _SD7(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so)


@njit(cache=True, **_OPTS)
def clock_sources(set_clock, set_nclock):  # pragma: no cover - compiled
    """Where each clock's sums are: a group's rows, or a *virtual* group's.

    Returns ``src[n_sets, MAX_CLOCKS]`` (offset of the clock's first accumulator row in
    the flat group array) and ``virt[n_virtual, n_groups]`` (member groups of each virtual
    group; virtual groups follow the real ones and are summed per tile). A virtual group
    is needed when a clock gathers several groups (e.g. a common clock).
    """
    n_sets, n_groups = set_clock.shape
    src = np.zeros((n_sets, MAX_CLOCKS), np.int64)
    virt = np.zeros((n_sets * MAX_CLOCKS, n_groups), np.bool_)
    n_virt = 0
    for k in range(n_sets):
        for c in range(set_nclock[k]):
            n_in, last = 0, -1
            for g in range(n_groups):
                if set_clock[k, g] == c:
                    n_in += 1
                    last = g
            if n_in == 1:
                src[k, c] = last * N_ACC * ROW
            else:
                for g in range(n_groups):
                    virt[n_virt, g] = set_clock[k, g] == c
                src[k, c] = (n_groups + n_virt) * N_ACC * ROW
                n_virt += 1
    return src, virt[:n_virt].copy()


@njit(cache=True, parallel=True, **_OPTS)
def accumulate(
    px, py, pz, group_start, points, up, zone_w, sin_mask, set_clock, set_nclock, set_slot,
    pdop_max, scratch_hist, scratch_vis,
    n_fix, n_avail, vis_sum, vis_min, vis_max, sys_sum, sys_min, sys_max, tdop_sum, tdop_n,
    dop_sum, dop_min, dop_max, dop_q,
    zone_dop_hist, zone_dop_sum, zone_vis_hist,
):  # fmt: skip  # pragma: no cover - compiled
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
    n_fix, n_avail, vis_sum, vis_min, vis_max : int64[n_p, n_sets]
        Epochs with a fix; with a fix and PDOP <= pdop_max; visible count sum, min, max.
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
    zone_dop_hist : float64[n_threads, n_zones, n_sets, 4, HIST_N_BINS]
        Added: weight x epochs per DOP bin.
    zone_dop_sum : float64[n_threads, n_zones, n_sets, 4]
        Added: weight x sum of DOP.
    zone_vis_hist : float64[n_threads, n_zones, n_sets, n_s + 1]
        Added: weight x epochs per visible count.
    """
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
    n_bound = px.shape[0] * ((n_t + BLOCK - 1) // BLOCK)
    bound = np.empty((4, n_bound))
    block_bounds(px, py, pz, max(sin_mask, 0.0), r_min, r_max, bound)
    src, virt = clock_sources(set_clock, set_nclock)
    n_virt = virt.shape[0]
    g_len = N_ACC * ROW  # length of one group's rows in the flat accumulator array
    for p in prange(n_p):
        tid = get_thread_id()
        hist = scratch_hist[tid]
        vhist = scratch_vis[tid]
        px0, py0, pz0 = points[p, 0], points[p, 1], points[p, 2]
        ux, uy, uz = up[p, 0], up[p, 1], up[p, 2]
        # Blocks where a satellite may be above the mask (block_bounds; the 1 m margin is
        # far above the rounding of these sums, ~1e-8 m). No skipping for negative masks.
        sm = max(sin_mask, 0.0)
        thr = px0 * ux + py0 * uy + pz0 * uz - sm * math.sqrt(px0**2 + py0**2 + pz0**2) - 1.0
        thr = thr if sin_mask >= 0.0 else -np.inf
        live = np.empty(n_bound, np.bool_)
        for j in range(n_bound):
            live[j] = bound[0, j] * ux + bound[1, j] * uy + bound[2, j] * uz + bound[3, j] >= thr
        grp = np.empty((n_groups + n_virt) * g_len)
        so = np.empty(N_SO * ROW)
        so_bits = so.view(np.int64)  # IEEE bits of the DOPs, for histogram bins and extremes
        bins = np.empty(N_METRICS * ROW, np.int64)
        cnt = np.empty(ROW)
        nt_i = np.empty(ROW, np.int64)
        mm = np.empty(2)
        mm_bits = mm.view(np.int64)
        hlo = np.full((n_sets, N_METRICS), HIST_N_BINS, np.int64)
        hhi = np.full((n_sets, N_METRICS), -1, np.int64)
        for k in range(n_sets):
            n_fix[p, k] = n_avail[p, k] = vis_sum[p, k] = vis_max[p, k] = 0
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
            grp[: n_groups * g_len] = 0.0
            for g in range(n_groups):
                _add_group(px, py, pz, live, group_start[g], group_start[g + 1], t0, n,
                           px0, py0, pz0, ux, uy, uz, sin_mask, grp,
                           np.uint64(g * g_len))  # fmt: skip
            for v in range(n_virt):
                vb = (n_groups + v) * g_len
                grp[vb : vb + g_len] = 0.0
                for g in range(n_groups):
                    if virt[v, g]:
                        for j in range(vb, vb + g_len):
                            grp[j] += grp[j - vb + g * g_len]
            for k in range(n_sets):
                _set_dops(set_nclock[k], grp, src[k], n, ux, uy, uz, so)
                _set_statistics(
                    p, k, n, grp, so, so_bits, bins, cnt, nt_i, mm, mm_bits, hist[k], vhist[k],
                    set_slot, set_nclock[k], pdop_max, hlo, hhi, n_fix, n_avail, vis_sum,
                    vis_min, vis_max, sys_sum, sys_min, sys_max, tdop_sum, tdop_n, dop_sum,
                    dop_min, dop_max,
                )  # fmt: skip
        # Per-cell quantiles, zone histograms, then clear the touched scratch bins.
        for k in range(n_sets):
            for m in range(N_METRICS):
                lo, hi, total = hlo[k, m], hhi[k, m], n_fix[p, k]
                if total == 0:
                    dop_q[p, k, m, 0] = dop_q[p, k, m, 1] = np.nan
                    continue
                vmin, vmax = dop_min[p, k, m], dop_max[p, k, m]
                dop_q[p, k, m, 0] = hist_quantile(hist[k, m], lo, hi, total, 0.5, vmin, vmax)
                dop_q[p, k, m, 1] = hist_quantile(hist[k, m], lo, hi, total, 0.95, vmin, vmax)
            for z in range(n_zones):
                w = zone_w[z, p]
                if w == 0.0:
                    continue
                for m in range(N_METRICS):
                    zone_dop_sum[tid, z, k, m] += w * dop_sum[p, k, m]
                    for b in range(hlo[k, m], hhi[k, m] + 1):
                        zone_dop_hist[tid, z, k, m, b] += w * hist[k, m, b]
                for c in range(vis_min[p, k], vis_max[p, k] + 1):
                    zone_vis_hist[tid, z, k, c] += w * vhist[k, c]
            for m in range(N_METRICS):
                for b in range(hlo[k, m], hhi[k, m] + 1):
                    hist[k, m, b] = 0
            for c in range(vis_min[p, k], vis_max[p, k] + 1):
                vhist[k, c] = 0


@njit(**_OPTS)
def _set_statistics(
    p, k, n, grp, so, so_bits, bins, cnt, nt_i, mm, mm_bits, hist, vhist, set_slot, nc,
    pdop_max, hlo, hhi, n_fix, n_avail, vis_sum, vis_min, vis_max, sys_sum, sys_min, sys_max,
    tdop_sum, tdop_n, dop_sum, dop_min, dop_max,
):  # fmt: skip  # pragma: no cover - compiled
    """Fold one tile of set ``k``'s DOPs (rows of ``so``) into the per-point statistics.

    Minima and maxima are taken on integers: LLVM vectorises integer min/max reductions
    but not float ones (those need the no-NaN flag, which this module does not grant).
    """
    big = np.iinfo(np.int64).max
    un = np.uint64(n)
    g_len = N_ACC * ROW
    # Visible satellites per system (slot of each group in this set).
    for j in range(sys_sum.shape[2]):
        cnt[:n] = 0.0
        for g in range(set_slot.shape[1]):
            if set_slot[k, g] == j:
                gb = np.uint64(g * g_len)
                for i in range(un):
                    cnt[i] += grp[gb + i]
        lo_n, hi_n, sum_n = big, 0, 0
        for i in range(un):
            c_i = np.int64(cnt[i])
            sum_n += c_i
            lo_n = min(lo_n, c_i)
            hi_n = max(hi_n, c_i)
        sys_sum[p, k, j] += sum_n
        sys_min[p, k, j] = min(sys_min[p, k, j], lo_n)
        sys_max[p, k, j] = max(sys_max[p, k, j], hi_n)
    # Satellites in view, fix (PDOP > 0: epochs without a fix hold 0), availability.
    lo_n, hi_n, sum_n, n_ok, n_av = big, 0, 0, 0, 0
    r_nt = np.uint64(_R_NTOT * ROW)
    for i in range(un):
        t_i = np.int64(so[r_nt + i])
        nt_i[i] = t_i
        sum_n += t_i
        lo_n = min(lo_n, t_i)
        hi_n = max(hi_n, t_i)
        ok = so[i] > 0.0
        n_ok += 1 if ok else 0
        n_av += 1 if ok & (so[i] <= pdop_max) else 0
    vis_sum[p, k] += sum_n
    vis_min[p, k] = min(vis_min[p, k], lo_n)
    vis_max[p, k] = max(vis_max[p, k], hi_n)
    # Counts change slowly from epoch to epoch, so a scatter would serialise on one bin;
    # instead count each value of the (narrow) range lo_n..hi_n in a vectorised pass.
    for c in range(lo_n, hi_n + 1):
        n_c = 0
        for i in range(un):
            n_c += 1 if nt_i[i] == c else 0
        vhist[c] += n_c
    n_fix[p, k] += n_ok
    n_avail[p, k] += n_av
    if n_ok == 0:
        return
    for c in range(nc):
        r_c = np.uint64((_R_TDOP + c) * ROW)
        t_sum, t_n = 0.0, 0
        for i in range(un):
            t = so[r_c + i]
            t_sum += t
            t_n += 1 if t > 0.0 else 0
        tdop_sum[p, k, c] += t_sum
        tdop_n[p, k, c] += t_n
    for m in range(N_METRICS):
        # DOPs are positive where there is a fix, and the IEEE bits of positive floats
        # sort like the values: min/max on the bits are exact.
        r_m = np.uint64(m * ROW)
        d_sum, lo_b, hi_b = 0.0, big, -1
        for i in range(un):
            ok = so[i] > 0.0
            d_sum += so[r_m + i]
            bits = so_bits[r_m + i]
            lo_b = min(lo_b, bits if ok else big)
            hi_b = max(hi_b, bits if ok else -1)
            bins[r_m + i] = hist_bin(bits)
        mm_bits[0], mm_bits[1] = lo_b, hi_b
        dop_sum[p, k, m] += d_sum
        dop_min[p, k, m] = min(dop_min[p, k, m], mm[0])
        dop_max[p, k, m] = max(dop_max[p, k, m], mm[1])
        hlo[k, m] = min(hlo[k, m], hist_bin(lo_b))
        hhi[k, m] = max(hhi[k, m], hist_bin(hi_b))
    # Four independent increments per epoch (one per metric): consecutive epochs in the
    # same bin do not serialise on one memory location.
    h0, h1, h2, h3 = hist[0], hist[1], hist[2], hist[3]
    for i in range(n):
        w = np.int32(1) if so[i] > 0.0 else np.int32(0)
        h0[bins[i]] += w
        h1[bins[ROW + i]] += w
        h2[bins[2 * ROW + i]] += w
        h3[bins[3 * ROW + i]] += w


def n_threads() -> int:
    """Return the most numba threads a kernel can use (size of the per-thread scratch arrays)."""
    from numba import config

    return int(config.NUMBA_NUM_THREADS)
