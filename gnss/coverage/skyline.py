"""A skyline as the horizon kernel takes it: sines of its extremes and per-direction bounds.

A *skyline* passed between functions is the pair ``(az_deg, el_deg)`` of
:meth:`gnss.Horizon.kernel_table` (the flat mask folded in; None: the flat mask only).
:func:`kernel_skyline` turns it into the tuple of :mod:`gnss.kernels.horizon_steps`.
"""

from __future__ import annotations

import functools

import numpy as np

from ..kernels.horizon_cull import N_CLEAR_PLANES, N_HIDDEN_PLANES
from .skyplanes import clear_planes, hidden_planes, normals_enu

#: Direction bins of the per-direction bounds (a pseudo-angle, ~0.02 deg of azimuth each,
#: 256 KiB of bounds): the exact skyline test is then needed for few satellite-epochs. With
#: 1024 bins the lanes of the blocks the planes leave (near a wall's edge, where a street
#: canyon's skyline rises 2 deg per deg) fell to the exact test so often that it took a third
#: of the canyon's tile sums (``python -m benchmarks --cases horizon``: 1.5x the flat mask
#: with 1024 bins; see the README for the figures with these).
N_BINS = 16384
#: Widening of the bins (deg of azimuth) and of their elevation bounds (deg): far above the
#: rounding of the pseudo-angle and of :func:`gnss.kernels.skyline.above_skyline` (~1e-14
#: deg; the kernel bins no line of sight within ~0.00006 deg of the zenith, where the
#: direction's rounding grows as 1 / cos(elevation): there ~1e-8 deg at most), so a bound
#: decides a satellite only where the exact test gives the same answer.
AZ_MARGIN_DEG = 1e-7
EL_MARGIN_DEG = 1e-9
#: A skyline whose band (between its lowest and highest sine) is more than this fraction of
#: the sines above its lowest is *wide*: the kernel's first pass then sums nothing and lists
#: every satellite above the lowest point for the direction pass
#: (:mod:`gnss.kernels.horizon_steps`).
WIDE_BAND = 0.5


def bin_azimuths_deg(n_bins: int = N_BINS) -> np.ndarray:
    """Azimuths (deg) of the bin edges of :func:`gnss.kernels.horizon_steps.direction_bin`.

    Examples
    --------
    >>> bin_azimuths_deg(8).round(6).tolist()
    [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0, 360.0]
    """
    p = np.arange(n_bins + 1) * (4.0 / n_bins)
    q = np.minimum(np.floor(p), 3.0)
    f = p - q
    return 90.0 * q + np.degrees(np.arctan2(f, 1.0 - f))


def kernel_skyline(skyline: tuple[np.ndarray, np.ndarray], n_bins: int = N_BINS) -> tuple:
    """Return the kernel skyline ``(sin_lo, sin_hi, az_deg, el_deg, bins, wide, hidden, clear)``.

    ``sin_lo``/``sin_hi``: sines of the lowest and highest skyline elevation (numpy's, as the
    flat kernel's ``sin(mask)``: a flat skyline at the mask gives the same bits);
    ``bins[k] = (lo, hi)`` (float64[n_bins, 2], one 16-byte load in the kernel): sines of the
    lowest and highest skyline elevation over direction bin ``k`` (widened by the margins
    above); ``wide``: the band between ``sin_lo`` and ``sin_hi`` is more than
    :data:`WIDE_BAND` of the sines above ``sin_lo`` (the kernel's passes then differ, not
    its results: :mod:`gnss.kernels.horizon_steps`); ``hidden``, ``clear``: unit normals
    (k, 3; local east, north, up) of the planes under and over the skyline of
    :mod:`gnss.coverage.skyplanes` (the whole-block decisions of
    :mod:`gnss.kernels.horizon_cull`; none for a flat skyline).

    Examples
    --------
    >>> import gnss
    >>> sky = kernel_skyline(gnss.horizon_preset("street_canyon_ns").kernel_table(5.0))
    >>> round(float(np.degrees(np.arcsin(sky[1]))), 2), sky[4].shape, sky[5]
    (63.43, (16384, 2), True)
    """
    az = np.ascontiguousarray(skyline[0], dtype=np.float64)
    el = np.ascontiguousarray(skyline[1], dtype=np.float64)
    edges = bin_azimuths_deg(n_bins)
    lo_az, hi_az = edges[:-1] - AZ_MARGIN_DEG, edges[1:] + AZ_MARGIN_DEG
    ends = np.stack([np.interp(np.mod(a, 360.0), az, el) for a in (lo_az, hi_az)])
    lo, hi = ends.min(axis=0), ends.max(axis=0)
    # Table vertices inside a bin are its other candidates for the extremes (linear between).
    k = np.clip(np.searchsorted(edges, az, side="right") - 1, 0, n_bins - 1)
    for kk in (k - 1, k, k + 1):
        kk = np.mod(kk, n_bins)
        inside = (az >= lo_az[kk]) & (az <= hi_az[kk])
        np.minimum.at(lo, kk[inside], el[inside])
        np.maximum.at(hi, kk[inside], el[inside])
    sin_lo, sin_hi = (float(np.sin(np.radians(x))) for x in (el.min(), el.max()))
    b_lo = np.sin(np.radians(lo - EL_MARGIN_DEG))
    b_hi = np.sin(np.radians(hi + EL_MARGIN_DEG))
    wide = bool(sin_hi - sin_lo > WIDE_BAND * (1.0 - sin_lo))
    bins = np.ascontiguousarray(np.stack([b_lo, b_hi], axis=1))
    return (sin_lo, sin_hi, az, el, bins, wide, *_planes((az, el), sin_hi > sin_lo))


def _planes(table, varied: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return the unit normals of the planes under and over the skyline, padded.

    ``N_HIDDEN_PLANES`` and ``N_CLEAR_PLANES`` rows (the kernel's test has that many): the
    planes, then repeats of the first; NaN rows where there is none (a flat skyline: none).
    """
    if not varied:
        return np.full((N_HIDDEN_PLANES, 3), np.nan), np.full((N_CLEAR_PLANES, 3), np.nan)
    hidden, clear = _fitted_planes(table[0].tobytes(), table[1].tobytes())
    return (_padded(normals_enu(hidden), N_HIDDEN_PLANES),
            _padded(normals_enu(clear), N_CLEAR_PLANES))  # fmt: skip


@functools.lru_cache(maxsize=16)
def _fitted_planes(az: bytes, el: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Fit the planes of a skyline table (given as float64 bytes), once per process."""
    table = (np.frombuffer(az), np.frombuffer(el))
    return hidden_planes(table), clear_planes(table)


def _padded(normals: np.ndarray, n: int) -> np.ndarray:
    if normals.shape[0] == 0:
        return np.full((n, 3), np.nan)
    rows = np.concatenate([normals, np.repeat(normals[:1], n - normals.shape[0], axis=0)])
    return np.ascontiguousarray(rows)
