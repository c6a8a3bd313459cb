"""Numba kernel step with a horizon mask: tile sums of the groups above a skyline.

The horizon variant of :func:`gnss.kernels.steps.tile_sums` (the kernel
:func:`gnss.kernels.driver.accumulate` built with ``horizon=True``). ``sky`` is the tuple
``(sin_lo, sin_hi, table_az_deg, table_el_deg, bins, wide, hidden, clear)`` of
:func:`gnss.coverage.skyline.kernel_skyline`: the sines of the skyline's lowest and highest
elevation, the skyline table (:meth:`gnss.Horizon.kernel_table`), per-direction bounds
(``bins[k] = (lo, hi)``: sines), whether the band between ``sin_lo`` and ``sin_hi`` is most
of the sky (a street canyon), and the planes under and over the skyline
(:mod:`gnss.coverage.skyplanes`).

Per tile of epochs, then per group and block of epochs:

1. :func:`gnss.kernels.horizon_cull.block_codes` decides every satellite-block of the tile
   as a whole where it can: ruled out by the flat kernel's bound with the *lowest* skyline
   elevation (``sin_lo``), hidden below a plane under the skyline, or clear above all the
   planes over it; the rest are *mixed*;
2. the clear satellites of a block are summed by the flat kernel's code
   (:func:`gnss.kernels.vector.sum_block`, or :func:`~gnss.kernels.vector.sum_block_add`
   after the mixed ones);
3. the mixed ones go through two passes (:mod:`gnss.kernels.vector_sky`), the line of sight
   computed once: :func:`gnss.kernels.vector_sky.sum_block_band` sums, in vector registers,
   the lanes with ``e.u > sin_hi`` (above the highest skyline point) and writes each half
   block of each satellite (4 epochs: ``e`` and ``e.u``) to a buffer, keeping those with a
   lane in the band ``sin_lo < e.u <= sin_hi`` (no branch). For a *wide* skyline
   :func:`gnss.kernels.vector_sky.sum_block_keep` instead sums nothing and keeps every half
   with a lane above ``sin_lo``;
4. :func:`gnss.kernels.vector_sky.sum_band_bins` adds the kept band lanes whose direction bin
   (a pseudo-angle, no trigonometry: :func:`direction_bin`) puts them above the skyline's
   highest sine over that bin (and, for a wide skyline, the lanes above ``sin_hi``); a lane
   at or below the bin's lowest sine is out. It flags the few lanes left undecided;
5. those go to :func:`gnss.kernels.skyline.above_skyline`, the exact test, one by one.

The bin bounds are widened (1e-7 deg in azimuth, 1e-9 deg in elevation, far above the
rounding of both computations; lines of sight within ~0.00006 deg of the zenith get no bin),
and the planes keep their margins (:mod:`gnss.kernels.horizon_cull`), so a lane they decide
gets the answer ``above_skyline`` would give: the result is that of ``above_skyline`` for
every lane (``tests/test_horizon_bins.py`` checks lanes beside bin edges on steep walls,
``tests/test_horizon_planes.py`` blocks beside the planes).

With a flat skyline (``sin_lo == sin_hi``, never wide, no planes) steps 2, 4 and 5 have
nothing to do and the sums are those of the flat kernel with that mask, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .horizon_cull import (
    N_CLEAR_PLANES,
    N_HIDDEN_PLANES,
    block_codes,
    bounds_f32,
    point_planes,
    sort_blocks,
)
from .jit import JIT_OPTS
from .sets import ROW, TILE
from .skyline import above_skyline
from .steps import BLOCK, G_LEN, N_BOUND_ROWS, finish_groups
from .vector import sum_block, sum_block_add
from .vector_sky import HALF, HSLOT, SLOT, sum_band_bins, sum_block_band, sum_block_keep


@njit(**JIT_OPTS)
def sky_low(sky):  # pragma: no cover - compiled
    """Sine of the skyline's lowest elevation: the flat mask of the block bounds."""
    return sky[0]


@njit(**JIT_OPTS)
def local_east_north(ux, uy, uz):  # pragma: no cover - compiled
    """East and north unit vectors of the local frame with up ``u`` (at a pole: longitude 0)."""
    h = math.sqrt(ux * ux + uy * uy)
    if h == 0.0:
        return 0.0, 1.0, -uz, 0.0, 0.0
    return -uy / h, ux / h, -uz * ux / h, -uz * uy / h, h


@njit(**JIT_OPTS)
def direction_bin(x, y, n_bins):  # pragma: no cover - compiled
    """Bin of the horizontal direction (east ``x``, north ``y``): pseudo-angle, -1 at zenith.

    The pseudo-angle ``p`` in [0, 4) grows with the azimuth (0 north, 1 east, 2 south, 3
    west; ``x / (|x| + |y|)`` in the first quadrant); bin ``k`` holds ``p`` in
    ``[4k / n_bins, 4(k + 1) / n_bins]`` (:func:`gnss.coverage.skyline.bin_azimuths_deg`).
    """
    ax, ay = abs(x), abs(y)
    s = ax + ay
    if s == 0.0:
        return -1
    if x >= 0.0:
        p = x / s if y >= 0.0 else 1.0 + ay / s
    else:
        p = 2.0 + ax / s if y < 0.0 else 3.0 + ay / s
    return min(int(p * (n_bins / 4.0)), n_bins - 1)


@njit(**JIT_OPTS)
def band_pass(band, m, n0, n1, east, north, sky, grp, a0):  # pragma: no cover - compiled
    """Add the undecided lanes of :func:`sum_band_bins` that are above the skyline to ``grp``.

    ``m``, ``n0``, ``n1`` as there. Each is decided by
    :func:`gnss.kernels.skyline.above_skyline`, the exact test.
    """
    sin_lo, sin_hi, t_az, t_el = sky[0], sky[1], sky[2], sky[3]
    ex_, ey_, nx, ny, nz = east[0], east[1], north[0], north[1], north[2]
    for h in range(2):
        for i in range(n1 if h else n0):
            o = (h * m + i) * HSLOT
            for lane in range(HALF):
                if band[o + 4 * HALF + lane] == 0.0:
                    continue
                ex, ey, ez = band[o + lane], band[o + HALF + lane], band[o + 2 * HALF + lane]
                x = ex * ex_ + ey * ey_
                y = ex * nx + ey * ny + ez * nz
                if above_skyline(band[o + 3 * HALF + lane], x, y, t_az, t_el, sin_lo, sin_hi):
                    add_lane(grp, a0 + h * HALF + lane, ex, ey, ez)


@njit(inline="always", **JIT_OPTS)
def add_lane(grp, r, ex, ey, ez):  # pragma: no cover - compiled
    """Add the line of sight ``e`` to the ten sums of accumulator row offset ``r``."""
    grp[r] += 1.0
    grp[r + ROW] += ex
    grp[r + 2 * ROW] += ey
    grp[r + 3 * ROW] += ez
    grp[r + 4 * ROW] += ex * ex
    grp[r + 5 * ROW] += ex * ey
    grp[r + 6 * ROW] += ex * ez
    grp[r + 7 * ROW] += ey * ey
    grp[r + 8 * ROW] += ey * ez
    grp[r + 9 * ROW] += ez * ez


@njit(**JIT_OPTS)
def horizon_scratch(bound, n_s):  # pragma: no cover - compiled
    """Scratch of :func:`tile_sums_horizon`, made once per kernel call and thread.

    ``(bound32, band, idx_c, code, planes)``: the float32 block bounds
    (:func:`gnss.kernels.horizon_cull.bounds_f32`), the band buffer, the clear satellites'
    offsets, a tile's block codes and the point's planes (hidden, clear). An empty
    ``bound`` and ``n_s = 0`` (the flat kernel) give empty arrays. Otherwise ``bound`` must
    hold the capsules (``flat_positions(..., capsules=True)``).
    """
    if n_s > 0 and bound.shape[0] < N_BOUND_ROWS:
        raise ValueError("the horizon kernel needs the block bounds with their capsules")
    planes = np.empty((4, N_HIDDEN_PLANES)), np.empty((4, N_CLEAR_PLANES))
    code = np.empty(TILE // BLOCK * n_s, np.uint8)
    return bounds_f32(bound), np.empty(SLOT * n_s), np.empty(n_s, np.int64), code, planes


@njit(**JIT_OPTS)
def tile_sums_horizon(
    t0, n, group_start, bound, work, virt, fx, fy, fz, n_tp, point, up, sky, thr, idx, live, grp,
    group_w,
):  # fmt: skip  # pragma: no cover - compiled
    """:func:`gnss.kernels.steps.tile_sums` with the skyline ``sky`` instead of a flat mask.

    ``thr`` is the block-bound threshold of the skyline's lowest elevation; ``group_w`` the
    range weights of the groups as there (empty: none); ``work`` the scratch of
    :func:`horizon_scratch`.
    """
    n_groups = group_start.shape[0] - 1
    n_s = idx.shape[0]
    px0, py0, pz0 = point[0], point[1], point[2]
    ux, uy, uz = up[0], up[1], up[2]
    e0, e1, n0_, n1_, n2 = local_east_north(ux, uy, uz)
    east, north, frame = (e0, e1), (n0_, n1_, n2), (e0, e1, n0_, n1_, n2)
    sin_lo, sin_hi, bins, wide = sky[0], sky[1], sky[4], sky[5]
    sin_add = sin_hi if wide else np.inf  # lanes above sin_hi: summed by the second pass
    scale, k_max = bins.shape[0] / 4.0, np.int64(bins.shape[0] - 1)
    bound32, band, idx_c, code, planes = work
    point_planes(sky[6], point, frame, up, planes[0])
    point_planes(sky[7], point, frame, up, planes[1])
    b0, n_bt = t0 // BLOCK, (n + BLOCK - 1) // BLOCK
    block_codes(bound, bound32, b0 * n_s, (b0 + n_bt) * n_s, ux, uy, uz, thr, planes, code)
    for g in range(n_groups):
        s0, s1 = group_start[g], group_start[g + 1]
        for bt in range(n_bt):
            m, m_c = sort_blocks(code, np.uint64(bt * n_s), s0, s1, n_tp,
                                 np.uint64((b0 + bt) * BLOCK), idx, idx_c)  # fmt: skip
            a0 = np.uint64(g * G_LEN + bt * BLOCK)
            if m == 0:  # above the skyline over the whole block, or none: the flat code
                sum_block(fx, fy, fz, idx_c, m_c, px0, py0, pz0, ux, uy, uz, sin_lo, grp, a0)
                continue
            if wide:
                n_b = sum_block_keep(fx, fy, fz, idx, m, px0, py0, pz0, ux, uy, uz, sin_hi, grp,
                                     a0, band, sin_lo)  # fmt: skip
            else:
                n_b = sum_block_band(fx, fy, fz, idx, m, px0, py0, pz0, ux, uy, uz, sin_hi, grp,
                                     a0, band, sin_lo)  # fmt: skip
            if m_c > 0:
                sum_block_add(fx, fy, fz, idx_c, m_c, px0, py0, pz0, ux, uy, uz, sin_lo, grp, a0)
            if n_b == 0:
                continue
            n0, n1 = n_b & 0xFFFFFFFF, n_b >> 32
            if sum_band_bins(band, m, n0, n1, grp, a0, sin_lo, sin_hi, e0, e1, n0_, n1_, n2,
                             bins, scale, k_max, sin_add):  # fmt: skip
                band_pass(band, np.int64(m), n0, n1, east, north, sky, grp, a0)
    finish_groups(n, grp, group_w, virt, n_groups)
