"""Numba kernel: visible satellites and DOPs of one receiver, epoch by epoch, in one call.

The time-series twin of :func:`gnss.kernels.driver.accumulate`: instead of statistics over
many points, every epoch of one receiver is kept. The receiver may move: its position and up
vector are given per epoch (a fixed site passes one row, which every epoch uses). Plain
numeric code on arrays, called once for all epochs and sets (no per-epoch Python call).

Geometry and DOP maths are those of the grid kernel (GUIDE section 3, see
:mod:`gnss.kernels.driver`): per group of satellites the count, the sum of unit lines of sight
``e`` and of ``e e^T``; per set and clock ``N = sum e e^T - sum_c n_c m_c m_c^T``, inverted by
:func:`gnss.kernels.sets.inverse3`; a fix needs ``3 + k`` satellites for ``k`` clocks in view,
and an epoch whose GDOP exceeds :data:`gnss.kernels.sets.DOP_CEILING` is near-singular (no
usable fix: NaN). The line of sight is normalised as in :mod:`gnss.kernels.vector` (float32
reciprocal square root refined by one float64 Newton step), so the group sums equal the grid
kernel's bit for bit; the DOPs agree to ~1e-15 relative (measured: about half bit for bit), as
LLVM rounds the grid kernel's unrolled per-clock code in another order.

Weighted DOP: each satellite's row of the design matrix is weighted by ``sat_weight[s]``
(e.g. ``1 / UERE^2`` of its system): ``Q = (G^T W G)^-1``. The clock-eliminated form is the
same with the count ``n_c`` replaced by the clock's weight sum ``W_c`` and the sums by weighted
sums (``m_c = sum w e / W_c``, ``TDOP_c^2 = 1 / W_c + m_c^T Q m_c``); the fix test still
counts satellites. With all weights 1 every product by a weight is exact: the numbers are the
unweighted ones bit for bit.

Speed and compile: one Python call per receiver; 7 days at 30 s for G,R,E,C,G+R+E+C (102
satellites) take about 0.1 s (``python -m benchmarks --cases site``). The first call of a fresh
install compiles :func:`series` in about 6.5 s of CPU (imports included; measured with an empty
``NUMBA_CACHE_DIR``); later processes load it from numba's cache in about 0.6 s of CPU.

Visibility: strict, ``e.u > sin(mask)``; with a skyline table (non-empty ``table_az_deg``)
also :func:`gnss.kernels.skyline.above_skyline`. Positions that are NaN are never visible.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .jit import CACHED, JIT_EXACT_DIV, JIT_OPTS, stamp_all_sources
from .sets import DOP_CEILING, MAX_CLOCKS, inverse3, quad
from .skyline import above_skyline

#: Accumulators per group and epoch: weight sum, weighted sum of e (3), of e e^T (6).
N_SUMS = 10


@njit(**JIT_EXACT_DIV)
def unit_vector(dx, dy, dz):  # pragma: no cover - compiled
    """Return the unit vector of ``(dx, dy, dz)``, normalised as in :mod:`gnss.kernels.vector`.

    The float32 division is correctly rounded (:data:`gnss.kernels.jit.JIT_EXACT_DIV`): with
    an approximate reciprocal the unit vectors, and so the DOPs, would differ from the grid
    kernel's by ~1e-14 relative instead of ~1e-15.
    """
    r2 = dx * dx + dy * dy + dz * dz
    y = np.float64(np.float32(1.0) / np.sqrt(np.float32(r2)))
    y = y * (1.5 - r2 * 0.5 * (y * y))  # one Newton step: relative error ~1e-14
    return dx * y, dy * y, dz * y


@njit(**JIT_OPTS)
def group_sums(
    pos, t, g0, g1, sat_weight, p, u, east, north, sin_mask, table_az, table_el, sin_lo,
    sin_hi, sums,
):  # fmt: skip  # pragma: no cover - compiled
    """Sum the satellites ``g0:g1`` in view at epoch ``t`` into ``sums[0:10]``; their count.

    ``p``, ``u``, ``east``, ``north``: receiver position (m) and local unit vectors.
    """
    sky = table_az.shape[0] > 0
    n = 0
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = s8 = s9 = 0.0
    for s in range(g0, g1):
        ex, ey, ez = unit_vector(pos[t, s, 0] - p[0], pos[t, s, 1] - p[1], pos[t, s, 2] - p[2])
        e_up = ex * u[0] + ey * u[1] + ez * u[2]
        if not e_up > sin_mask:  # NaN positions fail here too
            continue
        if sky:
            e_east = ex * east[0] + ey * east[1] + ez * east[2]
            e_north = ex * north[0] + ey * north[1] + ez * north[2]
            if not above_skyline(e_up, e_east, e_north, table_az, table_el, sin_lo, sin_hi):
                continue
        w = sat_weight[s]
        wx, wy, wz = w * ex, w * ey, w * ez
        n += 1
        s0 += w
        s1 += wx
        s2 += wy
        s3 += wz
        s4 += wx * ex
        s5 += wx * ey
        s6 += wx * ez
        s7 += wy * ey
        s8 += wy * ez
        s9 += wz * ez
    sums[0], sums[1], sums[2], sums[3], sums[4] = s0, s1, s2, s3, s4
    sums[5], sums[6], sums[7], sums[8], sums[9] = s5, s6, s7, s8, s9
    return n


@njit(**JIT_OPTS)
def set_epoch(k, t, set_clock, set_slot, nc, acc, cnt, u, csum, visible, visible_system,
              dops, tdop):  # fmt: skip  # pragma: no cover - compiled
    """Write the counts and DOPs of set ``k`` at epoch ``t`` from the group sums ``acc``/``cnt``.

    The same operations in the same order as :func:`gnss.kernels.sets._make_set_dops`.
    ``csum[c, 0:11]`` is scratch: the sums of clock ``c`` (and its count in column 10).
    """
    n_groups = set_clock.shape[1]
    csum[:nc] = 0.0
    for j in range(visible_system.shape[1]):
        visible_system[k, j, t] = 0
    for g in range(n_groups):
        c = set_clock[k, g]
        if c >= 0:
            for r in range(N_SUMS):
                csum[c, r] += acc[g, r]
            csum[c, N_SUMS] += cnt[g]
            visible_system[k, set_slot[k, g], t] += cnt[g]
    sxx, sxy, sxz, syy, syz, szz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    nt, kv = 0.0, 0.0
    for c in range(nc):  # N = sum w e e^T - sum_c W_c m_c m_c^T
        n_c, mx, my, mz = csum[c, 0], csum[c, 1], csum[c, 2], csum[c, 3]
        w = 1.0 / n_c if n_c > 0.0 else 0.0
        sxx += csum[c, 4] - w * mx * mx
        sxy += csum[c, 5] - w * mx * my
        sxz += csum[c, 6] - w * mx * mz
        syy += csum[c, 7] - w * my * my
        syz += csum[c, 8] - w * my * mz
        szz += csum[c, 9] - w * mz * mz
        nt += csum[c, N_SUMS]
        kv += 1.0 if csum[c, N_SUMS] > 0.0 else 0.0
    visible[k, t] = np.int64(nt)
    ok, q00, q01, q02, q11, q12, q22 = inverse3(sxx, sxy, sxz, syy, syz, szz, nt >= 3.0 + kv)
    trace = q00 + q11 + q22
    vdop2 = max(quad(q00, q01, q02, q11, q12, q22, u[0], u[1], u[2]), 0.0)
    gdop2 = trace
    for c in range(nc):
        n_c = csum[c, 0]
        w = 1.0 / n_c if n_c > 0.0 else 0.0
        mx, my, mz = csum[c, 1] * w, csum[c, 2] * w, csum[c, 3] * w
        t2 = w + quad(q00, q01, q02, q11, q12, q22, mx, my, mz)
        t2 = t2 if ok & (w > 0.0) else 0.0
        csum[c, 0] = math.sqrt(t2)  # the TDOP, kept until the fix is decided
        gdop2 += t2
    pdop = math.sqrt(trace)
    gdop = math.sqrt(gdop2)
    # A usable fix: enough satellites, a positive determinant and GDOP <= DOP_CEILING (the
    # grid kernel zeroes the near-singular epochs, then counts PDOP > 0 as a fix).
    fix = ok & (pdop > 0.0) & (not gdop > DOP_CEILING)
    nan = np.nan
    dops[0, k, t] = pdop if fix else nan
    dops[1, k, t] = math.sqrt(max(trace - vdop2, 0.0)) if fix else nan
    dops[2, k, t] = math.sqrt(vdop2) if fix else nan
    dops[3, k, t] = gdop if fix else nan
    for c in range(nc):
        tdop[k, c, t] = csum[c, 0] if fix & (csum[c, 0] > 0.0) else nan


@njit(**CACHED)
def series(
    pos, group_start, sat_weight, points, up, east, north, sin_mask, table_az, table_el,
    set_clock, set_nclock, set_slot, visible, visible_system, dops, tdop,
):  # fmt: skip  # pragma: no cover - compiled
    """Visible counts and DOPs of every set at every epoch (outputs written in place).

    Parameters
    ----------
    pos : float64[n_t, n_s, 3]
        Satellite ITRS positions (m), sorted by group; NaN: not available (never visible).
    group_start : int64[n_groups + 1]
        Satellites of group ``g`` are ``group_start[g]:group_start[g + 1]``.
    sat_weight : float64[n_s]
        Weight of each satellite's row in the normal matrix (all 1: unweighted DOP).
    points, up, east, north : float64[n_r, 3]
        Receiver ITRS position (m) and local unit vectors per epoch (``n_r == n_t``), or one
        row used at every epoch (``n_r == 1``).
    sin_mask : float
        Sine of the elevation mask (strict test ``e.u > sin_mask``).
    table_az, table_el : float64[n_table]
        Skyline table (:func:`gnss.kernels.skyline.above_skyline`); empty: flat mask only.
    set_clock, set_slot : int64[n_sets, n_groups]
        Clock and system slot of each group in each set, -1 when not in it.
    set_nclock : int64[n_sets]
        Number of clocks of each set (at most ``MAX_CLOCKS``).
    visible : int64[n_sets, n_t]
        Satellites of the set in view.
    visible_system : int64[n_sets, n_slot, n_t]
        Satellites in view per system slot of the set.
    dops : float64[4, n_sets, n_t]
        PDOP, HDOP, VDOP, GDOP; NaN without a usable fix.
    tdop : float64[n_sets, n_clock, n_t]
        TDOP per clock; NaN without a usable fix or with that clock not in view.
    """
    n_t = pos.shape[0]
    n_groups = group_start.shape[0] - 1
    moving = points.shape[0] > 1
    sin_lo, sin_hi = sin_mask, sin_mask
    if table_az.shape[0] > 0:
        sin_lo = math.sin(math.radians(table_el.min()))
        sin_hi = math.sin(math.radians(table_el.max()))
    acc = np.zeros((max(n_groups, 1), N_SUMS))
    cnt = np.zeros(max(n_groups, 1))
    csum = np.zeros((MAX_CLOCKS, N_SUMS + 1))
    for t in range(n_t):
        r = t if moving else 0
        p, u, e, n = points[r], up[r], east[r], north[r]
        for g in range(n_groups):
            cnt[g] = group_sums(pos, t, group_start[g], group_start[g + 1], sat_weight, p, u, e,
                                n, sin_mask, table_az, table_el, sin_lo, sin_hi, acc[g])
        for k in range(set_clock.shape[0]):
            set_epoch(k, t, set_clock, set_slot, set_nclock[k], acc, cnt, u, csum, visible,
                      visible_system, dops, tdop)  # fmt: skip


stamp_all_sources(series)  # stale when the helpers' files change too
