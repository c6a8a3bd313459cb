"""Numba kernel steps per point: set-up, tile sums of the groups, quantiles and zone sums.

The named steps of :func:`gnss.kernels.driver.accumulate` (see there for the geometry and the
speed notes), each a plain ``@njit`` function called once per point (or per tile of
epochs) from the kernel's loop over the points, compiled once and optimised by LLVM as a
function of its own. Plain numeric code on arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .jit import CACHED, JIT_OPTS, stamp_all_sources
from .sets import HIST_N_BINS, N_ACC, N_METRICS, N_SO, ROW, hist_quantiles
from .vector import LANES, sum_block

BLOCK = LANES  # epochs per satellite visibility bound (see block_bounds): one vector
G_LEN = N_ACC * ROW  # length of one group's rows in the flat accumulator array


@njit(**CACHED)
def block_bounds(px, py, pz, sin_mask, r_min, r_max, bound):  # pragma: no cover - compiled
    """Visibility bounds of each satellite over each block of ``BLOCK`` epochs.

    Satellite ``s`` stays inside a ball (centre ``M``, radius ``rho``) over block ``b``.
    For a point ``P`` with up vector ``u`` and ``|P|`` in ``[r_min, r_max]``, and a mask
    ``sin_mask >= 0``, the satellite is below the mask at every epoch of the block when
    ``M.u + bound[3, j] < P.u - sin_mask |P|`` (``j = b * n_s + s``: block-major, so the
    satellites of a group are contiguous for each block), because
    ``(S - P).u <= M.u + rho - P.u`` and, when ``|M| - rho >= r_max``,
    ``|S - P| >= |M| - rho - |P|``; otherwise only the horizon plane is used.
    ``bound[0:3, j]`` is ``M`` (m), ``bound[4, j]`` is ``rho`` (m). With
    :data:`N_BOUND_ROWS` rows, ``bound[5:12, j]`` also holds the block's *capsule* for the
    horizon kernel's plane tests (:mod:`gnss.kernels.horizon_cull`): the positions ``A``
    and ``B`` of its first and last epoch and the largest distance ``r`` of its positions
    from the segment ``AB`` (:func:`capsule`).
    """
    n_s, n_t = px.shape
    nb = (n_t + BLOCK - 1) // BLOCK
    for s in range(n_s):
        for b in range(nb):
            t0 = b * BLOCK
            t1 = min(n_t, t0 + BLOCK)
            if bound.shape[0] >= N_BOUND_ROWS:
                capsule(px[s], py[s], pz[s], t0, t1, bound[5:, b * n_s + s])
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
            bound[4, j] = rho


@njit(**JIT_OPTS)
def capsule(x, y, z, t0, t1, out):  # pragma: no cover - compiled
    """Write ``A`` (epoch ``t0``), ``B`` (epoch ``t1 - 1``) and ``r`` to ``out[0:7]``.

    ``r`` (m) is the largest distance of the positions ``t0:t1`` from the segment ``AB``,
    rounded up as ``rho`` is: every position lies within ``r`` of the segment, so a signed
    distance to a plane (linear along the segment) is within ``r`` of its value at ``A`` or
    ``B``. Over a block of 8 epochs at 300 s a MEO satellite's ball has a radius of ~4000
    km; its capsule, the bend of the arc, ~300 km.
    """
    ax, ay, az, t_b = x[t0], y[t0], z[t0], t1 - 1
    dx, dy, dz = x[t_b] - ax, y[t_b] - ay, z[t_b] - az
    d2 = dx * dx + dy * dy + dz * dz
    r2 = 0.0
    for t in range(t0, t1):
        vx, vy, vz = x[t] - ax, y[t] - ay, z[t] - az
        f = min(max((vx * dx + vy * dy + vz * dz) / d2, 0.0), 1.0) if d2 > 0.0 else 0.0
        r2 = max(r2, (vx - f * dx) ** 2 + (vy - f * dy) ** 2 + (vz - f * dz) ** 2)
    out[0], out[1], out[2], out[3], out[4], out[5] = ax, ay, az, x[t_b], y[t_b], z[t_b]
    out[6] = math.sqrt(r2) * (1.0 + 1e-12) + 1.0


#: Rows of the block bounds with the capsules of the horizon kernel (:func:`block_bounds`).
N_BOUND_ROWS = 12


@njit(**JIT_OPTS)
def flat_positions(px, py, pz, points, sin_mask, capsules=False):  # pragma: no cover - compiled
    """Positions as flat rows padded to whole blocks, and their visibility bounds.

    Returns ``fx, fy, fz`` (satellite ``s`` at ``s * n_tp``, ``n_tp`` epochs rounded up to
    whole blocks; the padding, at the Earth's centre, is never visible and never read by the
    statistics) and ``bound[5, n_s * n_blocks]`` (:func:`block_bounds`), or with
    ``capsules`` (the horizon kernel) ``bound[N_BOUND_ROWS, n_s * n_blocks]``.
    """
    n_p = points.shape[0]
    r_min, r_max = np.inf, 0.0
    for p in range(n_p):
        r = math.sqrt(points[p, 0] ** 2 + points[p, 1] ** 2 + points[p, 2] ** 2)
        r_min = min(r_min, r)
        r_max = max(r_max, r)
    n_s, n_t = px.shape
    n_blocks = (n_t + BLOCK - 1) // BLOCK
    n_tp = n_blocks * BLOCK
    fx, fy, fz = np.zeros(n_s * n_tp), np.zeros(n_s * n_tp), np.zeros(n_s * n_tp)
    for s in range(n_s):
        fx[s * n_tp : s * n_tp + n_t] = px[s]
        fy[s * n_tp : s * n_tp + n_t] = py[s]
        fz[s * n_tp : s * n_tp + n_t] = pz[s]
    bound = np.empty((N_BOUND_ROWS if capsules else 5, n_s * n_blocks))
    block_bounds(px, py, pz, max(sin_mask, 0.0), r_min, r_max, bound)
    return fx, fy, fz, bound


@njit(**JIT_OPTS)
def skip_threshold(point, up, sin_mask):  # pragma: no cover - compiled
    """Threshold of :func:`block_bounds` for one point (``-inf``: no skipping).

    A satellite whose bound is below it is below the mask over the whole block (the 1 m
    margin is far above the rounding of these sums, ~1e-8 m). No skipping for negative masks.
    """
    sm = max(sin_mask, 0.0)
    r_p = math.sqrt(point[0] ** 2 + point[1] ** 2 + point[2] ** 2)
    thr = point[0] * up[0] + point[1] * up[1] + point[2] * up[2] - sm * r_p - 1.0
    return thr if sin_mask >= 0.0 else -np.inf


@njit(**JIT_OPTS)
def point_scratch(n_s, n_groups, n_sets):  # pragma: no cover - compiled
    """Scratch arrays of one point: ``idx, live, grp, so, bins, cnt, nt_i, mm, hlo, hhi``.

    ``idx``/``live``: satellites in view of a block; ``grp``: the accumulators of
    ``n_groups`` groups (real and virtual); ``so``: the DOP rows of one set; ``bins``,
    ``cnt``, ``nt_i``, ``mm``: per-tile scratch of :func:`gnss.kernels.sets.set_statistics`;
    ``hlo``/``hhi``: the lowest and highest histogram bin touched per set and metric.
    """
    idx = np.empty(n_s, np.int64)  # offsets of the satellites in view of a block
    live = np.empty(n_s, np.uint8)  # 1 where the bound cannot rule the satellite out
    grp = np.empty(n_groups * G_LEN)
    so = np.empty(N_SO * ROW)
    bins = np.empty(N_METRICS * ROW, np.int64)
    cnt = np.empty(ROW)
    nt_i = np.empty(ROW, np.int64)
    mm = np.empty(2)
    hlo = np.full((n_sets, N_METRICS), HIST_N_BINS, np.int64)
    hhi = np.full((n_sets, N_METRICS), -1, np.int64)
    return idx, live, grp, so, bins, cnt, nt_i, mm, hlo, hhi


@njit(**JIT_OPTS)
def reset_point(
    p, n_fix, n_avail, n_sing, vis_sum, vis_min, vis_max, sys_sum, sys_min, sys_max, tdop_sum,
    tdop_n, dop_sum, dop_min, dop_max,
):  # fmt: skip  # pragma: no cover - compiled
    """Start the statistics of point ``p``: counts and sums 0, minima high, maxima low."""
    big = np.iinfo(np.int64).max
    for k in range(n_fix.shape[1]):
        n_fix[p, k] = n_avail[p, k] = n_sing[p, k] = vis_sum[p, k] = vis_max[p, k] = 0
        vis_min[p, k] = big
        for j in range(sys_sum.shape[2]):
            sys_sum[p, k, j] = sys_max[p, k, j] = 0
            sys_min[p, k, j] = big
        for c in range(tdop_sum.shape[2]):
            tdop_sum[p, k, c] = 0.0
            tdop_n[p, k, c] = 0
        for m in range(N_METRICS):
            dop_sum[p, k, m] = 0.0
            dop_min[p, k, m] = np.inf
            dop_max[p, k, m] = -np.inf


@njit(**JIT_OPTS)
def tile_sums(
    t0, n, group_start, bound, virt, fx, fy, fz, n_tp, point, up, sin_mask, thr, idx, live,
    grp, group_w,
):  # fmt: skip  # pragma: no cover - compiled
    """Accumulators of every group over the ``n`` epochs from ``t0`` (rows of ``grp``).

    Per group and block, the satellites the bound cannot rule out, summed in vector registers
    (:func:`gnss.kernels.vector.sum_block` stores every row of the tile: no zeroing); then,
    when ``group_w`` (float64[n_groups], range weights) is not empty, every row of group
    ``g`` times ``group_w[g]`` (weighted sums: :mod:`gnss.coverage.uere`); then each virtual
    group (``virt[v]``: its member groups) as the sum of its members, so a clock shared by
    groups of different weights gets the weighted sums. An empty ``group_w`` leaves the sums
    as they were, bit for bit.
    """
    n_groups = group_start.shape[0] - 1
    n_s = idx.shape[0]
    px0, py0, pz0 = point[0], point[1], point[2]
    ux, uy, uz = up[0], up[1], up[2]
    for g in range(n_groups):
        s0, s1 = group_start[g], group_start[g + 1]
        for bt in range((n + BLOCK - 1) // BLOCK):
            b = t0 // BLOCK + bt
            m = live_offsets(bound, b, s0, s1, n_s, n_tp, ux, uy, uz, thr, live, idx)
            sum_block(fx, fy, fz, idx, m, px0, py0, pz0, ux, uy, uz, sin_mask, grp,
                      np.uint64(g * G_LEN + bt * BLOCK))  # fmt: skip
    finish_groups(n, grp, group_w, virt, n_groups)


@njit(inline="always", **JIT_OPTS)
def live_offsets(bound, b, s0, s1, n_s, n_tp, ux, uy, uz, thr, live, idx):  # pragma: no cover
    """Offsets (into ``idx``) of the satellites ``s0:s1`` the bound of block ``b`` keeps; count.

    Bound tests in a vectorised pass, then the list (unsigned indices: no negative-index
    wrap-around code).
    """
    bx, by, bz, be = bound[0], bound[1], bound[2], bound[3]
    jb, ob = np.uint64(b * n_s), np.uint64(b * BLOCK)
    for s in range(np.uint64(s0), np.uint64(s1)):
        j = jb + s
        live[s] = bx[j] * ux + by[j] * uy + bz[j] * uz + be[j] >= thr
    m = np.uint64(0)
    for s in range(np.uint64(s0), np.uint64(s1)):
        idx[m] = s * np.uint64(n_tp) + ob
        m += np.uint64(live[s])
    return m


@njit(**JIT_OPTS)
def finish_groups(n, grp, group_w, virt, n_groups):  # pragma: no cover - compiled
    """Weight the real groups (:func:`weight_groups`), then sum each virtual group's members."""
    weight_groups(n, grp, group_w)
    for v in range(virt.shape[0]):
        vb = np.uint64((n_groups + v) * G_LEN)
        first = True
        for g in range(n_groups):
            if virt[v, g]:
                add_rows(grp, vb, np.uint64(g * G_LEN), n, first)
                first = False


@njit(inline="always", **JIT_OPTS)
def add_rows(grp, vb, gb, n, first):  # pragma: no cover - compiled
    """Copy (``first``) or add the ``n`` epochs of group rows ``gb`` to virtual rows ``vb``.

    Only the epochs of the tile, in vectorised loops (unsigned indices); the whole rows bin
    by bin took a third of the flat kernel's tile sums (R,C,R+C).
    """
    for r in range(np.uint64(N_ACC)):
        o, i0 = vb + r * np.uint64(ROW), gb + r * np.uint64(ROW)
        if first:
            for i in range(np.uint64(n)):
                grp[o + i] = grp[i0 + i]
        else:
            for i in range(np.uint64(n)):
                grp[o + i] += grp[i0 + i]


@njit(**JIT_OPTS)
def weight_groups(n, grp, group_w):  # pragma: no cover - compiled
    """Multiply the ``n`` epochs of every row of group ``g`` by ``group_w[g]`` (none: no-op)."""
    for g in range(group_w.shape[0]):
        w = group_w[g]
        for r in range(N_ACC):
            base = g * G_LEN + r * ROW
            for i in range(n):
                grp[base + i] *= w


@njit(**JIT_OPTS)
def clock_offsets(src_k):  # pragma: no cover - compiled
    """Return the ``MAX_CLOCKS`` (7) offsets of a set's clock sums (``src[k]``), unsigned."""
    return (np.uint64(src_k[0]), np.uint64(src_k[1]), np.uint64(src_k[2]), np.uint64(src_k[3]),
            np.uint64(src_k[4]), np.uint64(src_k[5]), np.uint64(src_k[6]))  # fmt: skip


@njit(inline="always", **JIT_OPTS)
def add_bins(zh, hkm, lo, hi, w):  # pragma: no cover - compiled
    """``zh[lo:hi + 1] += w * hkm[lo:hi + 1]`` (nothing when ``hi < lo``).

    Unsigned indices from ``lo``: numba then emits no negative-index wrap-around, and LLVM
    vectorises the loop (with signed ``range(lo, hi + 1)`` it stayed scalar: a street
    canyon's DOPs span ~1000 bins, and this loop took a sixth of its kernel stage).
    """
    if hi >= lo:
        b0 = np.uint64(lo)
        for i in range(np.uint64(hi - lo + 1)):
            zh[b0 + i] += w * hkm[b0 + i]


@njit(inline="always", **JIT_OPTS)
def clear_bins(hkm, lo, hi):  # pragma: no cover - compiled
    """``hkm[lo:hi + 1] = 0`` (nothing when ``hi < lo``), vectorised as :func:`add_bins`."""
    if hi >= lo:
        b0 = np.uint64(lo)
        for i in range(np.uint64(hi - lo + 1)):
            hkm[b0 + i] = 0


@njit(**JIT_OPTS)
def finish_point(
    p, part, zone_w, hist, vhist, hlo, hhi, n_fix, vis_min, vis_max, dop_sum, dop_min, dop_max,
    dop_q, zone_dop_hist, zone_dop_sum, zone_vis_hist, hist_shift,
):  # fmt: skip  # pragma: no cover - compiled
    """Per-cell quantiles and zone sums of point ``p``; clears the scratch bins it touched.

    The bins are cleared after the zones' histograms are added. ``hist``/``vhist``
    are this thread's scratch histograms; the zone sums go to part ``part``. With
    ``hist_shift`` ``j`` the histograms hold ``DOP * 2**j``
    (:func:`gnss.kernels.sets.set_statistics`): the quantiles are taken there and scaled back
    exactly (``j = 0``: unchanged).
    """
    up_s = math.ldexp(1.0, hist_shift)
    down_s = math.ldexp(1.0, -hist_shift)
    last_z = -1
    for z in range(zone_w.shape[0]):
        if zone_w[z, p] != 0.0:
            last_z = z
    for k in range(n_fix.shape[1]):
        for m in range(N_METRICS):
            lo, hi, hkm = hlo[k, m], hhi[k, m], hist[k, m]
            if n_fix[p, k] == 0:
                dop_q[p, k, m, 0] = dop_q[p, k, m, 1] = np.nan
            else:
                hist_quantiles(hkm, lo, hi, n_fix[p, k], dop_min[p, k, m] * up_s,
                               dop_max[p, k, m] * up_s, dop_q[p, k, m])  # fmt: skip
                dop_q[p, k, m, 0] *= down_s
                dop_q[p, k, m, 1] *= down_s
            for z in range(last_z + 1):
                w = zone_w[z, p]
                if w == 0.0:
                    continue
                zone_dop_sum[part, z, k, m] += w * dop_sum[p, k, m]
                add_bins(zone_dop_hist[part, z, k, m], hkm, lo, hi, w)
            clear_bins(hkm, lo, hi)
        for z in range(last_z + 1):
            w = zone_w[z, p]
            if w != 0.0:
                for c in range(vis_min[p, k], vis_max[p, k] + 1):
                    zone_vis_hist[part, z, k, c] += w * vhist[k, c]
        for c in range(vis_min[p, k], vis_max[p, k] + 1):
            vhist[k, c] = 0


stamp_all_sources(block_bounds)  # stale when any kernel file changes
