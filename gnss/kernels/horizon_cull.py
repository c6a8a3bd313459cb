"""Numba kernel step with a horizon mask: whole blocks decided by planes about the skyline.

The horizon kernel (:mod:`gnss.kernels.horizon_steps`) tests lines of sight lane by lane only
for the satellite-blocks this step cannot decide as a whole. Over a block of epochs a
satellite stays in a ball (centre ``M``, radius ``rho``) and in a *capsule*, the points within
``r`` of the segment from its first position ``A`` to its last ``B``
(:func:`gnss.kernels.steps.block_bounds`). With the planes through the point ``P`` of
:mod:`gnss.coverage.skyplanes` (unit normals ``n``), the block is

- *hidden* when its capsule lies below one plane under the skyline:
  ``max((A - P).n, (B - P).n) + r < 0``;
- *clear* when its ball lies above every plane over the skyline: ``(M - P).n - rho > 0``;
- *mixed* otherwise: the lane-by-lane passes decide its epochs.

The capsule follows the arc (over 8 epochs at 300 s a MEO satellite's ``r`` is ~300 km, its
``rho`` ~4000 km): with it a street canyon's walls hide a quarter more of the blocks
(``street_canyon_ns``, R,C, 24 h at 300 s: 473 000 mixed satellite-blocks instead of
630 000). It costs a second dot product per plane; for the clear planes, near the horizon in
gentle terrain, where satellites rise and set through the band whatever the bound, it did
not pay (863 000 mixed instead of 948 000, for twice the dot products), so they keep the ball.

A hidden block is not summed; a clear one is summed by the flat kernel's code (every epoch
above the skyline; the mask test still drops the padding epochs), with no direction test.
:func:`block_codes` decides every satellite-block of a tile in vectorised loops: the flat
bound in float64, then the planes in float32 (twice the lanes of float64), the hidden ones
only where there are some; no square root, no division. The planes keep
:data:`gnss.coverage.skyplanes.MARGIN_DEG` of elevation from the skyline and the tests
:data:`F32_MARGIN_M` from their planes, so a block decided here gets, epoch by epoch, the
answer of the exact test :func:`gnss.kernels.skyline.above_skyline`.

In the ``street_canyon_ns`` preset (R,C, 24 h at 300 s, a 5 deg grid) about two thirds of
the satellite-blocks the flat bound keeps are hidden behind the walls and an eighth are clear;
with a gentle terrain skyline (0-8 deg) most are clear.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .jit import JIT_OPTS

#: Planes the kernel tests (the skyline's tuple is padded to these: :func:`plane_codes`).
N_HIDDEN_PLANES = 2
N_CLEAR_PLANES = 4
#: Margin (m) of the float32 tests of :func:`block_codes`, twice their worst rounding: the
#: coordinates (to 4.3e7 m, a GEO satellite) round by up to 2.5 m each, each of the four
#: operations of a dot product by up to 2.5 m, the radius and the threshold by under 1 m.
F32_MARGIN_M = 32.0


@njit(**JIT_OPTS)
def point_planes(normals_enu, point, frame, up, out):  # pragma: no cover - compiled
    """Write the planes' Earth-fixed normals at ``point`` and their thresholds ``P.n``.

    ``normals_enu`` (k, 3): local east, north, up; ``frame``: the point's east and north
    unit vectors ``(e0, e1, n0, n1, n2)``; ``up`` its up vector. ``out`` (4, k) receives the
    rows ``nx, ny, nz, thr``.
    """
    e0, e1, n0, n1, n2 = frame
    for i in range(normals_enu.shape[0]):
        a, b, c = normals_enu[i, 0], normals_enu[i, 1], normals_enu[i, 2]
        nx, ny, nz = a * e0 + b * n0 + c * up[0], a * e1 + b * n1 + c * up[1], b * n2 + c * up[2]
        out[0, i], out[1, i], out[2, i] = nx, ny, nz
        out[3, i] = point[0] * nx + point[1] * ny + point[2] * nz


@njit(**JIT_OPTS)
def bounds_f32(bound):  # pragma: no cover - compiled
    """Return the rows of the block bounds that the plane tests read, as float32.

    ``Mx, My, Mz, rho`` (the ball) and ``Ax, Ay, Az, Bx, By, Bz, r`` (the capsule,
    :func:`gnss.kernels.steps.capsule`): every row of :func:`gnss.kernels.steps.block_bounds`
    but the flat bound's.
    """
    rows = np.empty((bound.shape[0] - 1, bound.shape[1]), np.float32)
    rows[:3] = bound[:3]
    rows[3:] = bound[4:]
    return rows


@njit(**JIT_OPTS)
def block_codes(
    bound, bound32, j0, j1, ux, uy, uz, thr, planes, code
):  # fmt: skip  # pragma: no cover - compiled
    """Decide the satellite-blocks ``j0:j1`` (block-major, as :func:`.steps.block_bounds`).

    ``code[j - j0]``: 0 when the flat bound with the skyline's lowest sine rules the block
    out or the capsule is below a hidden plane, 2 when the ball is above every clear plane, 1
    (mixed) otherwise. The bound is the flat kernel's test, in float64
    (:func:`gnss.kernels.steps.live_offsets`: the same satellites, so a flat skyline sums
    as the flat kernel does, bit for bit); the planes (``planes``: the two arrays of
    :func:`point_planes`, the ``N_HIDDEN_PLANES`` hidden and ``N_CLEAR_PLANES`` clear ones,
    padded by repeats, NaN rows: none)
    are tested in float32 on ``bound32`` (:func:`bounds_f32`; twice the lanes of float64),
    each test widened by :data:`F32_MARGIN_M`, so a block is hidden or clear only where the
    float64 test would say so too. Vectorised loops (:func:`plane_codes`).
    """
    bx, by, bz, be = bound[0], bound[1], bound[2], bound[3]
    for j in range(np.uint64(j0), np.uint64(j1)):
        code[j - np.uint64(j0)] = bx[j] * ux + by[j] * uy + bz[j] * uz + be[j] >= thr
    plane_codes(bound32, j0, j1, planes, code)


@njit(inline="always", **JIT_OPTS)
def capsule_rows(bound32):  # pragma: no cover - compiled
    """Return the capsule rows of :func:`bounds_f32`: ``Ax, Ay, Az, Bx, By, Bz, r``."""
    return bound32[4], bound32[5], bound32[6], bound32[7], bound32[8], bound32[9], bound32[10]


@njit(inline="always", **JIT_OPTS)
def plane_codes(bound32, j0, j1, planes, code):  # pragma: no cover - compiled
    """Apply the plane tests of :func:`block_codes`: ``code`` 1 (kept) becomes 0, 1 or 2.

    Without a hidden plane (NaN rows: the fits found none under the skyline, as in gentle
    terrain) only the clear planes are tested (:func:`clear_codes`).
    """
    hp, cp = planes
    if not np.isnan(hp[0, 0]):
        hidden_codes(bound32, j0, j1, hp, code)
    clear_codes(bound32, j0, j1, cp, code)


@njit(inline="always", **JIT_OPTS)
def hidden_codes(bound32, j0, j1, hp, code):  # pragma: no cover - compiled
    """Test the hidden planes of :func:`plane_codes`: ``code`` 1 becomes 0 below one of them.

    On the block's capsule (:func:`gnss.kernels.steps.capsule`): the larger of the signed
    distances of ``A`` and ``B``, plus ``r``.
    """
    ax, ay, az, bx, by, bz, br = capsule_rows(bound32)
    f, mg = np.float32, F32_MARGIN_M
    h0x, h0y, h0z, h0t = f(hp[0, 0]), f(hp[1, 0]), f(hp[2, 0]), f(hp[3, 0] - mg)
    h1x, h1y, h1z, h1t = f(hp[0, 1]), f(hp[1, 1]), f(hp[2, 1]), f(hp[3, 1] - mg)
    for j in range(np.uint64(j0), np.uint64(j1)):
        x, y, z, x2, y2, z2, r = ax[j], ay[j], az[j], bx[j], by[j], bz[j], br[j]
        hidden = ((max(x * h0x + y * h0y + z * h0z, x2 * h0x + y2 * h0y + z2 * h0z) + r < h0t)
                  | (max(x * h1x + y * h1y + z * h1z, x2 * h1x + y2 * h1y + z2 * h1z) + r < h1t))
        k = j - np.uint64(j0)
        code[k] = code[k] * np.uint8(not hidden)


@njit(inline="always", **JIT_OPTS)
def clear_codes(bound32, j0, j1, cp, code):  # pragma: no cover - compiled
    """Test the clear planes of :func:`plane_codes`: ``code`` 1 becomes 2 above all of them.

    On the block's ball (centre ``M``, radius ``rho``): one dot product per plane.
    """
    mx, my, mz, rho = bound32[0], bound32[1], bound32[2], bound32[3]
    f, mg = np.float32, F32_MARGIN_M
    c0x, c0y, c0z, c0t = f(cp[0, 0]), f(cp[1, 0]), f(cp[2, 0]), f(cp[3, 0] + mg)
    c1x, c1y, c1z, c1t = f(cp[0, 1]), f(cp[1, 1]), f(cp[2, 1]), f(cp[3, 1] + mg)
    c2x, c2y, c2z, c2t = f(cp[0, 2]), f(cp[1, 2]), f(cp[2, 2]), f(cp[3, 2] + mg)
    c3x, c3y, c3z, c3t = f(cp[0, 3]), f(cp[1, 3]), f(cp[2, 3]), f(cp[3, 3] + mg)
    one = np.uint8(1)
    for j in range(np.uint64(j0), np.uint64(j1)):
        x, y, z, r = mx[j], my[j], mz[j], rho[j]
        clear = ((x * c0x + y * c0y + z * c0z - r > c0t) & (x * c1x + y * c1y + z * c1z - r > c1t)
                 & (x * c2x + y * c2y + z * c2z - r > c2t)
                 & (x * c3x + y * c3y + z * c3z - r > c3t))  # fmt: skip
        k = j - np.uint64(j0)
        code[k] = code[k] * (one + np.uint8(clear))


@njit(inline="always", **JIT_OPTS)
def sort_blocks(code, jc, s0, s1, n_tp, ob, idx, idx_c):  # pragma: no cover - compiled
    """Offsets of the mixed and of the clear satellites ``s0:s1`` of one block; counts.

    ``code[jc + s]``: the satellite's :func:`block_codes`; ``ob``: the block's first epoch.
    ``idx[:m]`` the mixed, ``idx_c[:m_c]`` the clear. Returns ``(m, m_c)``.
    """
    m, m_c = np.uint64(0), np.uint64(0)
    for s in range(np.uint64(s0), np.uint64(s1)):
        c = code[jc + s]
        off = s * np.uint64(n_tp) + ob
        idx[m] = off
        idx_c[m_c] = off
        m += np.uint64(c == 1)
        m_c += np.uint64(c == 2)
    return m, m_c
