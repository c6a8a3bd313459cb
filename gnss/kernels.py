"""Numba kernels: visibility and DOP over points x epochs, folded into statistics.

Plain numeric code on arrays; no validation, no objects, no printing. The
Python side (:mod:`gnss.coverage`) prepares the arrays and explains errors.
This is the only module that imports numba.

Geometry (GUIDE section 3): for each point and epoch, satellites above the mask
are summed per *group* (a disjoint set of satellites, e.g. one system):
count, sum of unit line-of-sight vectors and sum of their outer products.
A *set* (e.g. ``R+C``) is a list of groups, each mapped to one receiver
clock of that set. With ``n_c`` satellites and mean line of sight ``m_c`` per
clock, ``N = sum e e^T - sum_c n_c m_c m_c^T`` and ``Q_pos = N^-1``; then
``PDOP^2 = tr Q``, ``VDOP^2 = u^T Q u``, ``HDOP^2 = PDOP^2 - VDOP^2``,
``TDOP_c^2 = 1/n_c + m_c^T Q m_c``, ``GDOP^2 = PDOP^2 + sum_c TDOP_c^2``.
A fix needs at least ``3 + k`` satellites for ``k`` clocks in view.

Visibility is strict: a satellite counts when its elevation above the
geodetic horizon is greater than the mask (``sin(el) > sin(mask)``).

Compile cost: the first call of :func:`accumulate` in a fresh environment
compiles for a few seconds; ``cache=True`` stores the machine code next to
this file so later processes load it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

# Index of each DOP in the metric axis of the accumulators.
PDOP, HDOP, VDOP, GDOP = 0, 1, 2, 3
N_METRICS = 4


@njit(cache=True, parallel=True)
def accumulate(
    pos,
    sat_group,
    points,
    up,
    sin_mask,
    set_clock,
    set_nclock,
    set_slot,
    pdop_max,
    hist_lo_log2,
    hist_bins_per_log2,
    n_fix,
    n_avail,
    vis_sum,
    vis_min,
    vis_max,
    vis_hist,
    sys_sum,
    sys_min,
    sys_max,
    tdop_sum,
    tdop_n,
    dop_sum,
    dop_min,
    dop_max,
    dop_hist,
):  # pragma: no cover - compiled
    """Fold the epochs of ``pos`` into the per-point accumulators (in place).

    Parameters
    ----------
    pos : float64[n_t, n_s, 3]
        Satellite ITRS positions (m); NaN rows are never visible.
    sat_group : int64[n_s]
        Group of each satellite, or -1 to ignore it.
    points, up : float64[n_p, 3]
        Receiver ITRS positions (m) and geodetic up unit vectors.
    sin_mask : float
        Sine of the elevation mask.
    set_clock : int64[n_sets, n_groups]
        Clock index of each group in each set, -1 when the group is not in it.
    set_nclock : int64[n_sets]
        Number of clocks of each set.
    set_slot : int64[n_sets, n_groups]
        Index of the group's system within each set (for the per-system
        counts, whatever the clock model), -1 when not in the set.
    pdop_max : float
        Availability threshold.
    hist_lo_log2, hist_bins_per_log2 : float
        DOP histogram: bin ``b`` holds ``log2(x)`` in
        ``[lo + b/bins_per_log2, lo + (b+1)/bins_per_log2)``; outside values
        go to the first or last bin.
    n_fix, n_avail : int64[n_p, n_sets]
        Epochs with a defined fix, and with a fix and ``PDOP <= pdop_max``.
    vis_sum, vis_min, vis_max : [n_p, n_sets]
        Visible satellites of the set (sum over epochs, min, max).
    vis_hist : int32[n_p, n_sets, n_s + 1]
        Histogram of the visible count of the set.
    sys_sum, sys_min, sys_max : [n_p, n_sets, n_slot_max]
        Visible satellites per system of each set.
    tdop_sum : float64[n_p, n_sets, n_clock_max]
        Sum of TDOP of each clock over the epochs with a fix and that clock in view.
    tdop_n : int64[n_p, n_sets, n_clock_max]
        Number of those epochs.
    dop_sum, dop_min, dop_max : float64[n_p, n_sets, 4]
        PDOP, HDOP, VDOP, GDOP over epochs with a fix.
    dop_hist : int32[n_p, n_sets, 4, n_bins]
        Log-spaced histograms of the DOPs.
    """
    n_t = pos.shape[0]
    n_s = pos.shape[1]
    n_p = points.shape[0]
    n_sets = set_clock.shape[0]
    n_groups = set_clock.shape[1]
    n_clock_max = tdop_sum.shape[2]
    n_slot_max = sys_sum.shape[2]
    n_bins = dop_hist.shape[3]
    for p in prange(n_p):
        px, py, pz = points[p, 0], points[p, 1], points[p, 2]
        ux, uy, uz = up[p, 0], up[p, 1], up[p, 2]
        grp = np.zeros((n_groups, 10))
        clk = np.zeros((n_clock_max, 4))
        slot_n = np.zeros(n_slot_max, np.int64)
        dops = np.zeros(N_METRICS)
        for t in range(n_t):
            grp[:, :] = 0.0
            for s in range(n_s):
                g = sat_group[s]
                if g < 0:
                    continue
                dx = pos[t, s, 0] - px
                dy = pos[t, s, 1] - py
                dz = pos[t, s, 2] - pz
                inv = 1.0 / math.sqrt(dx * dx + dy * dy + dz * dz)
                ex, ey, ez = dx * inv, dy * inv, dz * inv
                if ex * ux + ey * uy + ez * uz > sin_mask:
                    grp[g, 0] += 1.0
                    grp[g, 1] += ex
                    grp[g, 2] += ey
                    grp[g, 3] += ez
                    grp[g, 4] += ex * ex
                    grp[g, 5] += ex * ey
                    grp[g, 6] += ex * ez
                    grp[g, 7] += ey * ey
                    grp[g, 8] += ey * ez
                    grp[g, 9] += ez * ez
            for k in range(n_sets):
                clk[:, :] = 0.0
                slot_n[:] = 0
                sxx = sxy = sxz = syy = syz = szz = 0.0
                for g in range(n_groups):
                    c = set_clock[k, g]
                    if c < 0:
                        continue
                    for j in range(4):
                        clk[c, j] += grp[g, j]
                    slot_n[set_slot[k, g]] += int(grp[g, 0])
                    sxx += grp[g, 4]
                    sxy += grp[g, 5]
                    sxz += grp[g, 6]
                    syy += grp[g, 7]
                    syz += grp[g, 8]
                    szz += grp[g, 9]
                n_tot = 0
                k_in_view = 0
                for c in range(set_nclock[k]):
                    nc = int(clk[c, 0])
                    n_tot += nc
                    if nc > 0:
                        k_in_view += 1
                        w = 1.0 / nc
                        mx, my, mz = clk[c, 1], clk[c, 2], clk[c, 3]
                        sxx -= w * mx * mx
                        sxy -= w * mx * my
                        sxz -= w * mx * mz
                        syy -= w * my * my
                        syz -= w * my * mz
                        szz -= w * mz * mz
                # Slots beyond the set's own systems stay 0 and are never read.
                for j in range(n_slot_max):
                    sys_sum[p, k, j] += slot_n[j]
                    if slot_n[j] < sys_min[p, k, j]:
                        sys_min[p, k, j] = slot_n[j]
                    if slot_n[j] > sys_max[p, k, j]:
                        sys_max[p, k, j] = slot_n[j]
                vis_sum[p, k] += n_tot
                if n_tot < vis_min[p, k]:
                    vis_min[p, k] = n_tot
                if n_tot > vis_max[p, k]:
                    vis_max[p, k] = n_tot
                vis_hist[p, k, n_tot] += 1
                if n_tot < 3 + k_in_view:
                    continue
                # Inverse of the symmetric 3x3 N by cofactors.
                c00 = syy * szz - syz * syz
                c01 = sxz * syz - sxy * szz
                c02 = sxy * syz - sxz * syy
                det = sxx * c00 + sxy * c01 + sxz * c02
                if not det > 0.0:
                    continue
                inv_det = 1.0 / det
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
                for c in range(set_nclock[k]):
                    nc = clk[c, 0]
                    if nc > 0.0:
                        mx, my, mz = clk[c, 1] / nc, clk[c, 2] / nc, clk[c, 3] / nc
                        tdop2 = 1.0 / nc + (
                            mx * (q00 * mx + q01 * my + q02 * mz)
                            + my * (q01 * mx + q11 * my + q12 * mz)
                            + mz * (q02 * mx + q12 * my + q22 * mz)
                        )
                        gdop2 += tdop2
                        tdop_sum[p, k, c] += math.sqrt(tdop2)
                        tdop_n[p, k, c] += 1
                dops[PDOP] = math.sqrt(trace)
                dops[HDOP] = math.sqrt(max(trace - vdop2, 0.0))
                dops[VDOP] = math.sqrt(max(vdop2, 0.0))
                dops[GDOP] = math.sqrt(gdop2)
                n_fix[p, k] += 1
                if dops[PDOP] <= pdop_max:
                    n_avail[p, k] += 1
                for m in range(N_METRICS):
                    x = dops[m]
                    dop_sum[p, k, m] += x
                    if x < dop_min[p, k, m]:
                        dop_min[p, k, m] = x
                    if x > dop_max[p, k, m]:
                        dop_max[p, k, m] = x
                    b = int(math.floor((math.log2(x) - hist_lo_log2) * hist_bins_per_log2))
                    if b < 0:
                        b = 0
                    elif b >= n_bins:
                        b = n_bins - 1
                    dop_hist[p, k, m, b] += 1


@njit(cache=True, parallel=True)
def hist_quantiles(hist, lo_log2, bins_per_log2, vmin, vmax, q, out):  # pragma: no cover
    """Quantiles from log-spaced histograms (in place into ``out``).

    Parameters
    ----------
    hist : int32[n, n_bins]
        Counts; row ``i`` is one distribution.
    lo_log2, bins_per_log2 : float
        Bin layout as in :func:`accumulate`.
    vmin, vmax : float64[n]
        Exact smallest and largest value of each row (the result is clamped to them).
    q : float64[n_q]
        Quantiles in [0, 1].
    out : float64[n, n_q]
        Result; NaN for an empty row.

    Notes
    -----
    The rank is ``q (n - 1)`` as in ``numpy.percentile``'s linear method. The
    value is placed inside its bin assuming the bin's values are spread
    evenly in ``log2``. The estimate lies in the bin of order statistic
    ``floor(rank)`` while the exact value lies between that order statistic and
    the next, so the error is at most two bin widths in ``log2`` (clamped to
    the exact extremes).
    """
    n, n_bins = hist.shape
    for i in prange(n):
        total = 0
        for b in range(n_bins):
            total += hist[i, b]
        for j in range(q.shape[0]):
            if total == 0:
                out[i, j] = np.nan
                continue
            rank = q[j] * (total - 1)
            cum = 0
            val = vmax[i]
            for b in range(n_bins):
                c = hist[i, b]
                if c > 0 and cum + c > rank:
                    frac = (rank - cum + 0.5) / c
                    val = 2.0 ** (lo_log2 + (b + frac) / bins_per_log2)
                    break
                cum += c
            out[i, j] = min(max(val, vmin[i]), vmax[i])
