"""Tilted planes under and over a skyline: the horizon kernel's whole-block decisions.

A plane through the receiver tilted by ``g`` towards azimuth ``a0`` rises to elevation
``atan(tan(g) cos(a - a0))`` at azimuth ``a``; its unit normal in the local (east, north, up)
frame is ``(-sin g sin a0, -sin g cos a0, cos g)``, and a line of sight ``v`` is below it
exactly when ``v.n < 0``. Seen from the receiver ``P``, a satellite that stays in a ball
(centre ``M``, radius ``rho``) over a block of epochs is below the plane at every epoch when
``(M - P).n + rho < 0``, and above it when ``(M - P).n - rho > 0``: one dot product per
satellite-block, no square root, no division (:mod:`gnss.kernels.horizon_cull`).

- :func:`hidden_planes`: planes *under* the skyline at every azimuth (so below one of them is
  below the skyline);
- :func:`clear_planes`: planes each *over* the skyline across an arc of azimuths, the arcs
  covering the circle (so above all of them is above the skyline).

The kernel tests up to two and four (:mod:`gnss.kernels.horizon_cull`; the street canyon
preset needs that many: the walls, and the walls with the ends of the street).

The skyline is linear in azimuth between its table points, and a plane's elevation is
largest where ``cos(a - a0)`` is, so over a short stretch of azimuth both have exact bounds:
the planes are fitted over stretches of at most :data:`STEP_DEG` against those bounds and
kept :data:`MARGIN_DEG` of elevation clear of the skyline (far above the ~1e-12 deg by which
the kernel's line of sight can differ from the exact one). A satellite-block they decide
thus gets, epoch by epoch, the answer of the exact test
(:func:`gnss.kernels.skyline.above_skyline`). The fits take ~0.1 s and are kept for the
process (:func:`gnss.coverage.skyline.kernel_skyline`).
"""

from __future__ import annotations

import numpy as np

from ..kernels.horizon_cull import N_CLEAR_PLANES, N_HIDDEN_PLANES

#: Longest stretch of azimuth (deg) over which the fits bound the skyline and the planes.
STEP_DEG = 0.05
#: Elevation (deg) between a plane and the skyline, at least.
MARGIN_DEG = 1e-6
#: Azimuths the candidate planes face (the kernel tests at most N_HIDDEN_PLANES under the
#: skyline and N_CLEAR_PLANES over it: :mod:`gnss.kernels.horizon_cull`).
N_DIRS = 16
#: A plane under the skyline is kept when it rises this much (deg) above its lowest point
#: somewhere (otherwise the kernel's mask bound already rules out what it would).
MIN_GAIN_DEG = 0.5
#: Half-widths (deg) of the arcs the candidate clear planes are fitted over.
HALF_ARCS_DEG = (2.5, 5.0, 11.25, 22.5, 45.0, 60.0, 85.0, 90.0)
#: Clear planes steeper than this (deg) are not used (a skyline that high leaves no clear
#: blocks worth the test).
MAX_CLEAR_DEG = 85.0


def _stretches(az_deg: np.ndarray, extra_deg: np.ndarray | None = None) -> np.ndarray:
    """Azimuths (deg, 0 to 360) cutting the circle into stretches within one table segment.

    A grid of :data:`STEP_DEG` and the cuts given: more cuts refine the stretches.
    """
    grid = np.arange(0.0, 360.0, STEP_DEG)
    extra = [] if extra_deg is None else np.mod(extra_deg, 360.0)
    return np.unique(np.concatenate([grid, np.mod(az_deg, 360.0), extra, [360.0]]))


def _skyline_at(table, a_deg: np.ndarray) -> np.ndarray:
    return np.interp(np.mod(a_deg, 360.0), table[0], table[1], period=360.0)


def _stretch_bounds(table, extra_deg: np.ndarray | None = None):
    """Stretches ``lo, hi`` (:func:`_stretches`) and the skyline's lowest and highest there."""
    cuts = _stretches(table[0], extra_deg)
    lo, hi = cuts[:-1], cuts[1:]
    at_lo, at_hi = _skyline_at(table, lo), _skyline_at(table, hi)
    return lo, hi, np.minimum(at_lo, at_hi), np.maximum(at_lo, at_hi)


def _cos_range(a0_deg, lo_deg: np.ndarray, hi_deg: np.ndarray):
    """Lowest and highest ``cos(a - a0)`` over each stretch ``[lo, hi]`` (shorter than 180).

    ``a0_deg`` a number or a column (k, 1) against rows of stretches: (k, n) arrays.
    """
    a0 = np.radians(np.asarray(a0_deg, dtype=np.float64))
    ca, sa = np.cos(a0), np.sin(a0)
    lo_r, hi_r = np.radians(lo_deg), np.radians(hi_deg)
    c_lo = np.cos(lo_r) * ca + np.sin(lo_r) * sa  # cos(lo - a0)
    c_hi = np.cos(hi_r) * ca + np.sin(hi_r) * sa
    s_lo = np.sin(lo_r) * ca - np.cos(lo_r) * sa  # sin(lo - a0)
    s_hi = np.sin(hi_r) * ca - np.cos(hi_r) * sa
    # A stretch holds a0 (cos 1) where sin(a - a0) rises through 0 with cos > 0, and the
    # opposite azimuth (cos -1) where it falls through 0 with cos < 0.
    inside = (s_lo <= 0.0) & (s_hi >= 0.0) & (c_lo + c_hi > 0.0)
    across = (s_lo >= 0.0) & (s_hi <= 0.0) & (c_lo + c_hi < 0.0)
    c_max = np.where(inside, 1.0, np.maximum(c_lo, c_hi))
    c_min = np.where(across, -1.0, np.minimum(c_lo, c_hi))
    return c_min, c_max


def normals_enu(planes_deg: np.ndarray) -> np.ndarray:
    """Return the unit normals (k, 3; local east, north, up) of planes ``(a0_deg, tilt_deg)``."""
    a0, g = np.radians(planes_deg[:, 0]), np.radians(planes_deg[:, 1])
    return np.stack([-np.sin(g) * np.sin(a0), -np.sin(g) * np.cos(a0), np.cos(g)], axis=1)


def hidden_planes(table, n_dirs: int = N_DIRS, max_planes: int = N_HIDDEN_PLANES) -> np.ndarray:
    """Planes ``(a0_deg, tilt_deg)`` below the skyline ``table`` at every azimuth, (k, 2).

    For each of ``n_dirs`` azimuths the steepest such plane, kept when it rises
    :data:`MIN_GAIN_DEG` above the skyline's lowest elevation and at least half as much as
    the steepest one (the ``max_planes`` steepest of those); none when that lowest
    elevation is not above the margin (a plane dips below the horizon behind it).

    Examples
    --------
    >>> import gnss
    >>> t = gnss.horizon_preset("street_canyon_ns").kernel_table(5.0)
    >>> p = hidden_planes(t)
    >>> sorted((float(a), round(float(g), 1)) for a, g in p)  # the walls: 63.4 deg high
    [(90.0, 62.8), (270.0, 62.8)]
    """
    el_min = float(np.min(table[1]))
    if el_min <= MARGIN_DEG:
        return np.empty((0, 2))
    lo, hi, sky_min, _ = _stretch_bounds(table)
    tan_sky = np.tan(np.radians(sky_min - MARGIN_DEG))
    out = []
    for a0 in np.arange(n_dirs) * (360.0 / n_dirs):
        _, c_max = _cos_range(a0, lo, hi)
        front = c_max > 0.0
        out.append((a0, float(np.degrees(np.arctan(np.min(tan_sky[front] / c_max[front]))))))
    planes = np.array(out, dtype=np.float64).reshape(-1, 2)
    gain = planes[:, 1] - el_min
    keep = planes[(gain > MIN_GAIN_DEG) & (gain >= 0.5 * gain.max())]
    return keep[np.argsort(-keep[:, 1], kind="stable")[:max_planes]]


def _cover_tilts(table, centres: np.ndarray, half_deg: float):
    """Tilts (deg) of the planes facing ``centres`` over the skyline across +- ``half_deg``."""
    ends = np.concatenate([centres - half_deg, centres + half_deg])
    lo, hi, _, sky_max = _stretch_bounds(table, ends)
    tan_sky = np.tan(np.radians(np.minimum(sky_max + MARGIN_DEG, 89.999)))
    a0 = centres[:, None]
    arc = np.abs(np.mod(0.5 * (lo + hi) - a0 + 180.0, 360.0) - 180.0) < half_deg
    c_min, _ = _cos_range(a0, lo[None, :], hi[None, :])
    ratio = np.where(arc, tan_sky / np.maximum(c_min, 1e-300), -np.inf)
    return np.degrees(np.arctan(ratio.max(axis=1)))


def _plane_el_deg(planes_deg: np.ndarray, a_deg: np.ndarray) -> np.ndarray:
    """Elevation (deg) of each plane at azimuths ``a_deg``: (k, n)."""
    c = np.cos(np.radians(a_deg[None, :] - planes_deg[:, :1]))
    return np.degrees(np.arctan(np.tan(np.radians(planes_deg[:, 1:])) * c))


def covers(table, planes_deg: np.ndarray, cuts_deg: np.ndarray | None = None) -> bool:
    """Whether the planes' highest elevation is over the skyline at every azimuth (exact).

    Checked over stretches of at most :data:`STEP_DEG` within the table's segments, also
    cut at ``cuts_deg`` (the ends of the arcs the planes were fitted over): the highest of
    the planes' lowest elevations there against the skyline's highest, with half of
    :data:`MARGIN_DEG` between them.
    """
    if planes_deg.shape[0] == 0:
        return False
    lo, hi, _, sky_max = _stretch_bounds(table, cuts_deg)
    # Half the margin: the fits' stretches are cut at their arcs' ends too (tighter bounds).
    sky_max = sky_max + 0.5 * MARGIN_DEG
    c_min, _ = _cos_range(planes_deg[:, :1], lo[None, :], hi[None, :])
    lowest = np.degrees(np.arctan(np.tan(np.radians(planes_deg[:, 1:])) * c_min))
    return bool(np.all(lowest.max(axis=0) >= sky_max))


def clear_planes(table, n_dirs: int = N_DIRS, max_planes: int = N_CLEAR_PLANES) -> np.ndarray:
    """Planes ``(a0_deg, tilt_deg)`` whose highest elevation is over the skyline, (k, 2).

    Above every one of them is above the skyline (:func:`covers`). The candidates face
    ``n_dirs`` azimuths, each just over the skyline across an arc of
    :data:`HALF_ARCS_DEG` about its azimuth; of the sets of at most ``max_planes`` that
    cover the circle (picked greedily, most azimuths newly covered per degree of excess, or
    arcs evenly around), the one least above the skyline on average. Empty when none
    covers the circle with planes under :data:`MAX_CLEAR_DEG`.

    Examples
    --------
    >>> import gnss
    >>> t = gnss.horizon_preset("street_canyon_ns").kernel_table(5.0)
    >>> [(float(a), round(float(g), 1)) for a, g in clear_planes(t)]
    [(90.0, 63.7), (270.0, 63.7), (0.0, 9.9), (180.0, 9.9)]
    """
    centres = np.arange(n_dirs) * (360.0 / n_dirs)
    cands, ends = [], []
    for half in HALF_ARCS_DEG:
        tilts = _cover_tilts(table, centres, half)
        cands += [(a0, g, half) for a0, g in zip(centres, tilts, strict=True)
                  if g <= MAX_CLEAR_DEG]  # fmt: skip
        ends.append(np.concatenate([centres - half, centres + half]))
    grid = np.arange(0.0, 360.0, 0.25)
    sky = _skyline_at(table, grid)
    cand = np.array([c[:2] for c in cands]).reshape(-1, 2)
    el = _plane_el_deg(cand, grid)
    within = np.array([np.abs(np.mod(grid - a0 + 180.0, 360.0) - 180.0) <= h
                       for a0, _, h in cands])  # fmt: skip
    best = None
    for picks in (_greedy(el, within, sky, max_planes), *_even_sets(cands, max_planes)):
        if not picks or not within[picks].any(axis=0).all():
            continue
        excess = float(np.mean(el[picks].max(axis=0) - sky))
        if best is None or excess < best[0]:
            best = (excess, picks)
    planes = np.empty((0, 2)) if best is None else cand[best[1]]
    return planes if covers(table, planes, np.concatenate(ends)) else np.empty((0, 2))


def _greedy(el, within, sky, max_planes: int) -> list[int]:
    """Candidates picked one by one: most azimuths newly covered per degree of excess."""
    chosen, env, covered = [], np.full(sky.size, -90.0), np.zeros(sky.size, bool)
    while not covered.all() and len(chosen) < max_planes:
        gain = (within & ~covered).sum(axis=1)
        cost = np.maximum(el, env).clip(min=sky) - env.clip(min=sky)
        k = int(np.argmax(gain / (1.0 + cost.mean(axis=1))))
        if gain[k] == 0:
            break
        chosen.append(k)
        env, covered = np.maximum(env, el[k]), covered | within[k]
    return chosen


def _even_sets(cands, max_planes: int) -> list[list[int]]:
    """Candidate sets of ``n <= max_planes`` arcs of 360 / (2 n) deg evenly around the circle."""
    sets = []
    for n in range(2, max_planes + 1):
        half = 180.0 / n
        for first in {a0 for a0, _, h in cands if h == half}:
            want = {float(np.mod(first + k * 2 * half, 360.0)) for k in range(n)}
            picks = [i for i, (a0, _, h) in enumerate(cands) if h == half and float(a0) in want]
            if len(picks) == n:
                sets.append(picks)
    return sets
