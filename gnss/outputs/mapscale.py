"""Colour scales of the maps, fitted to the data they show.

One rule for the global maps (:mod:`gnss.outputs.maps`) and the regional maps
(:mod:`gnss.outputs.regionmaps`):

- a statistic's colour range runs from the smallest to the largest finite value shown (a
  PDOP map starts at its smallest PDOP, never at 0; a 0–60 % availability map spans 0–60 %);
- a DOP range wider than :data:`LOG_RATIO` (a QZSS PDOP reaching the ceiling 256) is drawn on
  a logarithmic scale;
- a difference is drawn on a diverging scale centred at 0, symmetric, as wide as the largest
  ``|difference|``; when every difference is 0 the scale says so (:attr:`ColourScale.note`).

No matplotlib import at module level: :meth:`ColourScale.norm` imports it when called.

Examples
--------
>>> import numpy as np
>>> from gnss.outputs.mapscale import fitted_scale
>>> s = fitted_scale(np.array([1.3, 2.0, np.nan, 4.1]))
>>> (s.lo, s.hi, s.log)
(1.3, 4.1, False)
>>> fitted_scale(np.array([1.2, 256.0]), log_when_wide=True).log
True
>>> d = fitted_scale(np.array([-0.2, 0.5]), diverging=True)
>>> (d.lo, d.hi)
(-0.5, 0.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

__all__ = ["LOG_RATIO", "ColourScale", "fitted_scale"]

#: A DOP range whose largest value exceeds this many times its smallest is drawn in log.
LOG_RATIO = 10.0

#: The note of a difference map where every cell is 0.
NO_DIFFERENCE_NOTE = "no difference anywhere: the combination equals its best single system"


@dataclass(frozen=True)
class ColourScale:
    """Ends and kind of one colour bar.

    Attributes
    ----------
    lo, hi : float
        Colour range in the field's units (``lo < hi``).
    log : bool
        Logarithmic (only with ``lo > 0``).
    diverging : bool
        Symmetric around 0 (``lo == -hi``).
    note : str or None
        What a reader must know about a blank map (every difference 0, no value at all).
    """

    lo: float
    hi: float
    log: bool = False
    diverging: bool = False
    note: str | None = None

    def norm(self):
        """Return the matplotlib norm of this scale (``LogNorm`` or ``Normalize``)."""
        from matplotlib.colors import LogNorm, Normalize

        return (LogNorm if self.log else Normalize)(vmin=self.lo, vmax=self.hi)


def _finite(values) -> np.ndarray:
    if isinstance(values, list | tuple):
        values = np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in values])
    values = np.ravel(np.asarray(values, dtype=np.float64))
    return values[np.isfinite(values)]


def _checked_ends(vmin, vmax) -> None:
    for name, value in (("vmin", vmin), ("vmax", vmax)):
        if value is not None and not math.isfinite(value):
            raise ParameterError(f"{name} must be a finite number or None, got {value!r}")
    if vmin is not None and vmax is not None and vmax < vmin:
        raise ParameterError(f"vmin must not exceed vmax, got vmin={vmin!r}, vmax={vmax!r}")


def _diverging(finite: np.ndarray, vmin, vmax) -> ColourScale:
    given = [abs(v) for v in (vmin, vmax) if v is not None]
    half = max(given) if given else (float(np.max(np.abs(finite))) if finite.size else 0.0)
    note = None
    if not finite.size:
        note = "no value anywhere"
    elif not np.any(finite):
        note = NO_DIFFERENCE_NOTE
    return ColourScale(-half if half > 0 else -1.0, half if half > 0 else 1.0, False, True, note)


def fitted_scale(
    values,
    *,
    diverging: bool = False,
    log_when_wide: bool = False,
    upper_bound: float | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> ColourScale:
    """Colour scale fitted to the finite values (one array or a list of arrays sharing it).

    Parameters
    ----------
    values : array_like or list of array_like
        The values shown (NaN and ±inf are ignored).
    diverging : bool
        A difference: symmetric around 0, half-width the largest ``|value|`` (or ``|vmin|``,
        ``|vmax|`` when given).
    log_when_wide : bool
        Use a log scale when every value is > 0 and ``hi / lo > LOG_RATIO`` (DOP).
    upper_bound : float, optional
        The largest value the statistic can take (1 for fractions): the padding of a
        constant field stays below it.
    vmin, vmax : float, optional
        Fixed ends instead of the data's.

    Returns
    -------
    ColourScale

    Raises
    ------
    gnss.ParameterError
        If ``vmin``/``vmax`` is not finite or ``vmin > vmax``.
    """
    _checked_ends(vmin, vmax)
    finite = _finite(values)
    if diverging:
        return _diverging(finite, vmin, vmax)
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    note = None if finite.size else "no value anywhere"
    if hi == lo:  # a constant field still gets a usable colour bar, inside the bounds
        pad = abs(lo) * 0.05 or 0.5
        lo, hi = lo - pad, hi + pad
        if upper_bound is not None and hi > upper_bound:
            lo, hi = lo - (hi - upper_bound), upper_bound
    log = bool(log_when_wide and lo > 0 and hi / lo > LOG_RATIO)
    return ColourScale(lo, hi, log, False, note)
