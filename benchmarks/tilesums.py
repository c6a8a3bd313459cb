"""Case 13's tile sums alone: the horizon kernel's visibility work against the flat kernel's.

The kernel stage of a run also holds the per-epoch DOPs and the statistics, whose cost follows
the results (the per-cell quantiles and zone histograms scan the bins a cell's DOPs span: a
street canyon's ~1000 of 1280, a flat 5 deg mask's ~300). The horizon's own cost, the
visibility tests and the line-of-sight sums, is timed here: the tile sums of every point of
the grid over the span, one group per system (as the sets R,C,R+C have: R+C's two clocks take
the groups' own sums), with the flat kernel's :func:`gnss.kernels.steps.tile_sums` and the
horizon kernel's :func:`gnss.kernels.horizon_steps.tile_sums_horizon`, in one thread.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from gnss.kernels.horizon_steps import horizon_scratch, sky_low, tile_sums_horizon
from gnss.kernels.jit import stamp_all_sources
from gnss.kernels.sets import TILE
from gnss.kernels.steps import G_LEN, flat_positions, skip_threshold, tile_sums


@njit(cache=True)
def _flat(px, py, pz, points, ups, sin_mask, group_start, virt):  # pragma: no cover - compiled
    n_s, n_t = px.shape
    n_tp = (n_t + 7) // 8 * 8
    fx, fy, fz, bound = flat_positions(px, py, pz, points, sin_mask)
    idx, live = np.empty(n_s, np.int64), np.empty(n_s, np.uint8)
    grp, group_w = np.empty((group_start.shape[0] + virt.shape[0] - 1) * G_LEN), np.empty(0)
    check = 0.0
    for p in range(points.shape[0]):
        thr = skip_threshold(points[p], ups[p], sin_mask)
        for t0 in range(0, n_t, TILE):
            tile_sums(t0, min(TILE, n_t - t0), group_start, bound, virt, fx, fy, fz, n_tp,
                      points[p], ups[p], sin_mask, thr, idx, live, grp, group_w)  # fmt: skip
            check += grp[0]
    return check


@njit(cache=True)
def _horizon(px, py, pz, points, ups, sky, group_start, virt):  # pragma: no cover - compiled
    n_s, n_t = px.shape
    n_tp = (n_t + 7) // 8 * 8
    fx, fy, fz, bound = flat_positions(px, py, pz, points, sky_low(sky), True)
    work = horizon_scratch(bound, n_s)
    idx, live = np.empty(n_s, np.int64), np.empty(n_s, np.uint8)
    grp, group_w = np.empty((group_start.shape[0] + virt.shape[0] - 1) * G_LEN), np.empty(0)
    check = 0.0
    for p in range(points.shape[0]):
        thr = skip_threshold(points[p], ups[p], sky_low(sky))
        for t0 in range(0, n_t, TILE):
            tile_sums_horizon(t0, min(TILE, n_t - t0), group_start, bound, work, virt, fx, fy,
                              fz, n_tp, points[p], ups[p], sky, thr, idx, live, grp,
                              group_w)  # fmt: skip
            check += grp[0]
    return check


stamp_all_sources(_flat)  # stale when the kernels' files change (numba checks this one's only)
stamp_all_sources(_horizon)


def tile_sum_ratios(con, systems: str, span, grid, skies: dict, sin_mask: float, repeats: int):
    """Seconds of the flat tile sums and each skyline's ratios to them, interleaved repeats.

    ``skies``: name -> kernel skyline (:func:`gnss.coverage.skyline.kernel_skyline`).
    Returns ``(flat_seconds, {name: ratios})`` (float64[repeats] each).
    """
    import gnss

    sats = sorted((s for s in con.satellites if s.system in systems), key=lambda s: s.system)
    counts = [sum(s.system == k for s in sats) for k in systems]
    group_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    # No virtual group: R+C has a clock per system, each on one group's own sums (a virtual
    # group, the sum of several groups, is made only for a clock they share).
    virt = np.zeros((0, len(counts)), np.bool_)
    pos, _ = gnss.propagate_itrs_m(sats, span)
    px, py, pz = (np.ascontiguousarray(np.nan_to_num(pos[..., i]).T) for i in range(3))
    points, ups = grid.points()
    args = (points, ups)
    _flat(px, py, pz, *args, sin_mask, group_start, virt)  # compile or load, untimed
    for sky in skies.values():
        _horizon(px, py, pz, *args, sky, group_start, virt)
    flat, ratios = [], {k: [] for k in skies}
    for _ in range(repeats):
        t0 = time.perf_counter()
        _flat(px, py, pz, *args, sin_mask, group_start, virt)
        flat.append(time.perf_counter() - t0)
        for k, sky in skies.items():
            t0 = time.perf_counter()
            _horizon(px, py, pz, *args, sky, group_start, virt)
            ratios[k].append((time.perf_counter() - t0) / flat[-1])
    return np.array(flat), {k: np.array(v) for k, v in ratios.items()}
