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


#: Initial guess of 1/sqrt(x) from the bits of x (the float64 form of the "fast inverse square
#: root"; relative error < 3.5 %); four Newton steps take it to full float64 precision
#: (3e-16, tested). On the machines measured this is ~5x faster than 1 / sqrt(x), whose
#: vector division and square root are the bottleneck of the satellite loop.
_RSQRT_MAGIC = np.int64(0x5FE6EB50C7B537A9)


@njit(inline="always", fastmath=_FASTMATH)
def _add_satellites(
    px, py, pz, s0, s1, t0, n, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, r2, r2_bits, y, y_bits
):  # pragma: no cover
    """Add satellites s0..s1-1 over epochs t0..t0+n-1 to ``acc[10, TILE]`` (branch-free).

    ``acc`` rows: count, sum of e (3), sum of e e^T (xx, xy, xz, yy, yz, zz). ``r2``/``y``
    are float64[TILE] scratch with int64 views ``r2_bits``/``y_bits`` of the same memory.
    """
    for s in range(s0, s1):
        # Slice first, index from 0: with px[s, t0 + i] numba's negative-index wrap-around
        # turns every load into a gather and the loop runs ~2x slower.
        xs = px[s, t0 : t0 + n]
        ys = py[s, t0 : t0 + n]
        zs = pz[s, t0 : t0 + n]
        for i in range(n):
            dx = xs[i] - ptx
            dy = ys[i] - pty
            dz = zs[i] - ptz
            r2[i] = dx * dx + dy * dy + dz * dz
        for i in range(n):
            y_bits[i] = _RSQRT_MAGIC - (r2_bits[i] >> 1)
        for i in range(n):
            h = 0.5 * r2[i]
            inv = y[i]
            inv = inv * (1.5 - h * inv * inv)
            inv = inv * (1.5 - h * inv * inv)
            inv = inv * (1.5 - h * inv * inv)
            inv = inv * (1.5 - h * inv * inv)
            ex = (xs[i] - ptx) * inv
            ey = (ys[i] - pty) * inv
            ez = (zs[i] - ptz) * inv
            v = 1.0 if ex * ux + ey * uy + ez * uz > sin_mask else 0.0
            ex *= v
            ey *= v
            ez *= v
            acc[0, i] += v
            acc[1, i] += ex
            acc[2, i] += ey
            acc[3, i] += ez
            acc[4, i] += ex * ex
            acc[5, i] += ex * ey
            acc[6, i] += ex * ez
            acc[7, i] += ey * ey
            acc[8, i] += ey * ez
            acc[9, i] += ez * ez


@njit(inline="always", fastmath=_FASTMATH)
def _set_dops(
    grp, k, set_clock, set_nclock, n, ux, uy, uz, nmat, clk, out, tdop, ntot, kview, winv
):  # noqa: E501  # pragma: no cover
    """DOPs of set ``k`` for the ``n`` epochs of a tile, element-wise (vectorised).

    Writes ``out[4, TILE]`` (PDOP, HDOP, VDOP, GDOP; 0 where no fix), ``tdop[c, TILE]``,
    ``ntot[TILE]`` (satellites in view) and ``kview[TILE]`` (clocks in view).
    """
    n_groups = set_clock.shape[1]
    nc_k = set_nclock[k]
    nmat[:, :n] = 0.0
    clk[:nc_k, :, :n] = 0.0
    for g in range(n_groups):
        c = set_clock[k, g]
        if c < 0:
            continue
        for j in range(6):
            for i in range(n):
                nmat[j, i] += grp[g, 4 + j, i]
        for j in range(4):
            for i in range(n):
                clk[c, j, i] += grp[g, j, i]
    for i in range(n):
        ntot[i] = 0.0
        kview[i] = 0.0
    for c in range(nc_k):
        for i in range(n):
            nc = clk[c, 0, i]
            w = 1.0 / nc if nc > 0.0 else 0.0
            winv[c, i] = w
            mx, my, mz = clk[c, 1, i], clk[c, 2, i], clk[c, 3, i]
            nmat[0, i] -= w * mx * mx
            nmat[1, i] -= w * mx * my
            nmat[2, i] -= w * mx * mz
            nmat[3, i] -= w * my * my
            nmat[4, i] -= w * my * mz
            nmat[5, i] -= w * mz * mz
            ntot[i] += nc
            kview[i] += 1.0 if nc > 0.0 else 0.0
    for i in range(n):
        sxx, sxy, sxz = nmat[0, i], nmat[1, i], nmat[2, i]
        syy, syz, szz = nmat[3, i], nmat[4, i], nmat[5, i]
        # Inverse of the symmetric 3x3 N by cofactors.
        c00 = syy * szz - syz * syz
        c01 = sxz * syz - sxy * szz
        c02 = sxy * syz - sxz * syy
        det = sxx * c00 + sxy * c01 + sxz * c02
        ok = ntot[i] >= 3.0 + kview[i] and det > 0.0
        inv_det = 1.0 / det if ok else 0.0
        q00 = c00 * inv_det
        q01 = c01 * inv_det
        q02 = c02 * inv_det
        q11 = (sxx * szz - sxz * sxz) * inv_det
        q12 = (sxy * sxz - sxx * syz) * inv_det
        q22 = (sxx * syy - sxy * sxy) * inv_det
        trace = q00 + q11 + q22
        vdop2 = (
            ux * (q00 * ux + q01 * uy + q02 * uz)
            + uy * (q01 * ux + q11 * uy + q12 * uz)
            + uz * (q02 * ux + q12 * uy + q22 * uz)
        )
        gdop2 = trace
        for c in range(nc_k):
            nc = clk[c, 0, i]
            w = winv[c, i]
            mx, my, mz = clk[c, 1, i] * w, clk[c, 2, i] * w, clk[c, 3, i] * w
            t2 = w + (
                mx * (q00 * mx + q01 * my + q02 * mz)
                + my * (q01 * mx + q11 * my + q12 * mz)
                + mz * (q02 * mx + q12 * my + q22 * mz)
            )
            t2 = t2 if ok and nc > 0.0 else 0.0
            tdop[c, i] = math.sqrt(t2)
            gdop2 += t2
        out[0, i] = math.sqrt(trace)
        out[1, i] = math.sqrt(max(trace - vdop2, 0.0))
        out[2, i] = math.sqrt(max(vdop2, 0.0))
        out[3, i] = math.sqrt(gdop2)


@njit(cache=True, parallel=True, fastmath=_FASTMATH)
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
        Number of clocks of each set.
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
    n_sets = set_clock.shape[0]
    n_groups = set_clock.shape[1]
    n_clock_max = tdop_sum.shape[2]
    n_slot_max = sys_sum.shape[2]
    n_zones = zone_w.shape[0]
    big = np.iinfo(np.int64).max
    for p in prange(n_p):
        tid = get_thread_id()
        hist = scratch_hist[tid]
        vhist = scratch_vis[tid]
        px0, py0, pz0 = points[p, 0], points[p, 1], points[p, 2]
        ux, uy, uz = up[p, 0], up[p, 1], up[p, 2]
        grp = np.empty((n_groups, 10, TILE + 8))  # rows not 4 KiB apart (cache aliasing)
        nmat = np.empty((6, TILE))
        clk = np.empty((max(n_clock_max, 1), 4, TILE))
        dops = np.empty((N_METRICS, TILE))
        dbits = dops.view(np.int64)  # IEEE bits of the DOPs, for the histogram bins
        tdop = np.empty((max(n_clock_max, 1), TILE))
        winv = np.empty((max(n_clock_max, 1), TILE))
        ntot = np.empty(TILE)
        kview = np.empty(TILE)
        r2 = np.empty(TILE)
        r2_bits = r2.view(np.int64)
        yv = np.empty(TILE)
        y_bits = yv.view(np.int64)
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
            grp[:, :, :n] = 0.0
            for g in range(n_groups):
                _add_satellites(px, py, pz, group_start[g], group_start[g + 1], t0, n,
                                px0, py0, pz0, ux, uy, uz, sin_mask, grp[g],
                                r2, r2_bits, yv, y_bits)  # fmt: skip
            for k in range(n_sets):
                _set_dops(grp, k, set_clock, set_nclock, n, ux, uy, uz, nmat, clk, dops, tdop,
                          ntot, kview, winv)  # fmt: skip
                # Per-system counts (slot of each group in this set).
                for j in range(n_slot_max):
                    lo_n, hi_n, sum_n = big, 0, 0
                    for i in range(n):
                        cnt = 0
                        for g in range(n_groups):
                            if set_slot[k, g] == j:
                                cnt += int(grp[g, 0, i])
                        sum_n += cnt
                        lo_n = min(lo_n, cnt)
                        hi_n = max(hi_n, cnt)
                    sys_sum[p, k, j] += sum_n
                    sys_min[p, k, j] = min(sys_min[p, k, j], lo_n)
                    sys_max[p, k, j] = max(sys_max[p, k, j], hi_n)
                lo_n, hi_n, sum_n = big, 0, 0
                for i in range(n):
                    nt_i = int(ntot[i])
                    sum_n += nt_i
                    lo_n = min(lo_n, nt_i)
                    hi_n = max(hi_n, nt_i)
                    vhist[k, nt_i] += 1
                vis_sum[p, k] += sum_n
                vis_min[p, k] = min(vis_min[p, k], lo_n)
                vis_max[p, k] = max(vis_max[p, k], hi_n)
                # A fix has PDOP > 0; epochs without one hold 0 in every DOP (see _set_dops).
                n_ok, n_av = 0, 0
                for i in range(n):
                    ok = dops[0, i] > 0.0
                    n_ok += 1 if ok else 0
                    n_av += 1 if ok and dops[0, i] <= pdop_max else 0
                n_fix[p, k] += n_ok
                n_avail[p, k] += n_av
                if n_ok == 0:
                    continue
                for c in range(set_nclock[k]):
                    t_sum, t_n = 0.0, 0
                    for i in range(n):
                        t_sum += tdop[c, i]
                        t_n += 1 if tdop[c, i] > 0.0 else 0
                    tdop_sum[p, k, c] += t_sum
                    tdop_n[p, k, c] += t_n
                for m in range(N_METRICS):
                    d_sum, d_min, d_max = 0.0, np.inf, -np.inf
                    b_lo, b_hi = HIST_N_BINS, -1
                    for i in range(n):
                        x = dops[m, i]
                        ok = dops[0, i] > 0.0
                        d_sum += x
                        d_min = min(d_min, x if ok else np.inf)
                        d_max = max(d_max, x if ok else -np.inf)
                    for i in range(n):
                        if dops[0, i] > 0.0:
                            bb = hist_bin(dbits[m, i])
                            hist[k, m, bb] += 1
                            b_lo = min(b_lo, bb)
                            b_hi = max(b_hi, bb)
                    dop_sum[p, k, m] += d_sum
                    dop_min[p, k, m] = min(dop_min[p, k, m], d_min)
                    dop_max[p, k, m] = max(dop_max[p, k, m], d_max)
                    hlo[k, m] = min(hlo[k, m], b_lo)
                    hhi[k, m] = max(hhi[k, m], b_hi)
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


def n_threads() -> int:
    """Return the most numba threads a kernel can use (size of the per-thread scratch arrays)."""
    from numba import config

    return int(config.NUMBA_NUM_THREADS)
