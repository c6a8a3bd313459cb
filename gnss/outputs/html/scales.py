"""Colour scales of the report: one data-fitted scale per statistic, shared by every set.

A :class:`Scale` turns values into indices 0..254 of a 255-colour table (255: no value, drawn
grey), the same in the static pictures (Python) and in the time control (JavaScript), so a
colour means the same value in every panel of a statistic.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

#: Index of "no value" (no fix, NaN) in the colour tables; drawn in :data:`NAN_RGBA`.
NAN_INDEX = 255
NAN_RGBA = (200, 200, 200, 255)
#: A range wider than this ratio (max / min, both > 0) is drawn on a log scale.
LOG_RATIO = 8.0


@dataclass(frozen=True)
class Scale:
    """Colour limits, log or linear, and the colour map of one statistic.

    Attributes
    ----------
    lo, hi : float
        Values at the two ends of the colour bar (values beyond are clipped to the ends).
    log : bool
        Logarithmic between ``lo`` and ``hi`` (both > 0).
    cmap : str
        Matplotlib colour map name.
    label : str
        Colour bar label (name and unit).
    """

    lo: float
    hi: float
    log: bool
    cmap: str
    label: str

    def fraction(self, values: np.ndarray) -> np.ndarray:
        """Position 0..1 of each value along the bar (NaN stays NaN)."""
        v = np.asarray(values, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.log:
                f = (np.log(v) - math.log(self.lo)) / (math.log(self.hi) - math.log(self.lo))
            else:
                f = (v - self.lo) / (self.hi - self.lo)
        return np.clip(f, 0.0, 1.0)

    def indices(self, values: np.ndarray) -> np.ndarray:
        """Colour-table index (uint8) of each value; :data:`NAN_INDEX` where not finite."""
        v = np.asarray(values, dtype=np.float64)
        f = self.fraction(np.where(np.isfinite(v), v, self.lo))
        idx = np.rint(f * 254.0).astype(np.uint8)
        return np.where(np.isfinite(v), idx, np.uint8(NAN_INDEX)).astype(np.uint8)

    def lut(self) -> np.ndarray:
        """Return the 256 RGBA colours (uint8, shape (256, 4)); the last one is "no value"."""
        return _lut(self.cmap)


@functools.lru_cache(maxsize=16)
def _lut(cmap: str) -> np.ndarray:
    from matplotlib import colormaps

    rgba = (colormaps[cmap](np.linspace(0.0, 1.0, 255)) * 255).round()
    out = np.vstack([rgba.astype(np.uint8), np.array(NAN_RGBA, np.uint8)])
    out.setflags(write=False)
    return out


def _finite(arrays: Iterable) -> np.ndarray:
    parts = [np.asarray(a, dtype=np.float64).ravel() for a in arrays]
    v = np.concatenate(parts) if parts else np.empty(0)
    return v[np.isfinite(v)]


def fit_scale(
    arrays: Iterable, cmap: str, label: str, *, dop: bool = False, fraction: bool = False
) -> Scale:
    """Return a scale fitted to the finite values of ``arrays`` (every set of a statistic).

    The ends are the smallest and largest values; for DOP (``dop=True``) a tail beyond 1.5x
    the 0.5th or 99.5th percentile is clipped, so one extreme cell does not flatten every
    other, and ranges wider than :data:`LOG_RATIO` are logarithmic. A constant field gets a
    small range around its value (below it for a fraction at 1, ``fraction=True``).

    Examples
    --------
    >>> s = fit_scale([np.array([1.2, 1.5]), np.array([2.0, np.nan])], "plasma", "PDOP", dop=True)
    >>> round(s.lo, 2), round(s.hi, 2), s.log
    (1.2, 2.0, False)
    >>> fit_scale([np.geomspace(1, 200, 50)], "plasma", "PDOP", dop=True).log
    True
    >>> s = fit_scale([np.ones(4)], "viridis", "availability", fraction=True)
    >>> round(s.lo, 2), s.hi
    (0.95, 1.0)
    """
    v = _finite(arrays)
    if v.size == 0:
        return Scale(0.0, 1.0, False, cmap, label)
    lo, hi = float(v.min()), float(v.max())
    if dop:
        # DOP has long tails (a few near-singular cells): clip them when they would
        # flatten everything else, so one extreme cell does not take the whole bar.
        p_lo, p_hi = (float(x) for x in np.percentile(v, [0.5, 99.5]))
        lo, hi = (p_lo if p_lo > 1.5 * lo else lo), (p_hi if hi > 1.5 * p_hi else hi)
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        pad = 0.05 * abs(hi) if hi else 0.5
        lo, hi = (lo - pad, hi) if fraction and hi >= 1.0 else (lo - pad, hi + pad)
    use_log = dop and lo > 0 and hi / lo > LOG_RATIO
    return Scale(lo, hi, use_log, cmap, label)


def diverging_scale(arrays: Iterable, label: str) -> Scale:
    """Return a scale centred at 0 for gains (positive = the combination is better).

    Examples
    --------
    >>> s = diverging_scale([np.array([-0.2, 0.5])], "gain")
    >>> round(s.lo, 2), round(s.hi, 2), s.cmap
    (-0.5, 0.5, 'RdBu')
    """
    v = _finite(arrays)
    m = float(np.percentile(np.abs(v), 99.5)) if v.size else 0.0
    m = m if m > 0 else 1.0
    return Scale(-m, m, False, "RdBu", label)
