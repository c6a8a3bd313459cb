"""Satellite passes over a site: rise, set and culmination found as roots, not by sampling.

The elevation above the site's geodetic (WGS84) horizon is sampled every :data:`COARSE_STEP_S`
seconds for all satellites at once (:func:`~gnss.orbits.propagate.propagate_itrs_m`: TLE/OMM
and orbit-file satellites alike). Each sampled extremum is refined by golden section, and each
mask crossing between consecutive samples and extrema (where the elevation is monotonic) by
bisection, all brackets in step, as skyfield's ``EarthSatellite.find_events`` does it.

Why 60 s is safe: a GNSS MEO pass lasts hours (GPS about 5 h, GLONASS 4-5 h, BeiDou MEO 5-7 h
at a 5 degree mask), IGSO longer, a GEO satellite never sets; the elevation changes by under a
degree a minute. A pass (or gap) shorter than a step is found when its extremum lies between
two samples; only one inside the first or last step of the span could be missed.

"Above the mask" is inclusive: ``elevation >= elevation_mask_deg`` (as the kernels' test).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from ..elements.read import Satellite
from ..errors import GnssTypeError, ParameterError
from ..orbits.propagate import propagate_itrs_m
from ..timeutil import EpochSpan, to_utc
from .grid import geodetic_points

log = logging.getLogger(__name__)

#: Coarse sampling step, seconds (see the module docstring for why it finds every pass).
COARSE_STEP_S = 60.0
#: Width, seconds, to which rise/set brackets and extremum searches are narrowed.
TIME_TOLERANCE_S = 0.01
#: Longest span accepted (the coarse samples of ~100 satellites over 31 days take ~100 MB).
MAX_SPAN_S = 31 * 86400.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_GROUP_SATS = 16  # satellites per propagation call in the refinement (measured: 8-32 alike)


@dataclass(frozen=True)
class Pass:
    """One pass of a satellite above the elevation mask, within the requested span.

    Attributes
    ----------
    satellite : str
        Short label (``G05``, ``R#2569``: :attr:`gnss.Satellite.label`).
    name : str
        The satellite's name as in its element or orbit file.
    system : str
        GNSS letter (G, R, E, C, ...).
    rise_utc, set_utc : datetime
        Crossings of the mask upwards and downwards (UTC); the span's start or end where
        the pass is clipped.
    max_elevation_deg : float
        Highest elevation in the pass (at the span's edge when that is highest).
    max_utc : datetime
        When it is reached.
    duration_s : float
        ``set_utc - rise_utc`` in seconds.
    clipped_start, clipped_end : bool
        True when the satellite is already up at the span's start / still up at its end.
    """

    satellite: str
    name: str
    system: str
    rise_utc: datetime
    set_utc: datetime
    max_elevation_deg: float
    max_utc: datetime
    duration_s: float
    clipped_start: bool
    clipped_end: bool


@dataclass(frozen=True)
class _Instants(EpochSpan):
    """Arbitrary epochs ``start + offsets[k]`` (the epoch protocol of :class:`EpochSpan`)."""

    offsets: np.ndarray = field(default=None, compare=False)

    def offsets_s(self, first: int = 0, stop: int | None = None) -> np.ndarray:
        """Seconds since ``start`` of the epochs ``first`` up to ``stop``."""
        return np.asarray(self.offsets, dtype=np.float64)[first:stop]


def _elevations_deg(satellites, start, offsets_s, site) -> np.ndarray:
    """Elevations of all ``satellites`` at ``start + offsets_s``, shape (n_times, n_sats)."""
    offsets_s = np.asarray(offsets_s, dtype=np.float64)
    span = _Instants(start, math.nan, len(offsets_s), offsets_s)
    pos, _ = propagate_itrs_m(satellites, span)
    point, up = site
    d = pos - point
    sin_el = (d @ up) / np.linalg.norm(d, axis=-1)
    return np.degrees(np.arcsin(np.clip(sin_el, -1.0, 1.0)))


def _elevation_pairs(satellites, start, offsets_s, cols, site) -> np.ndarray:
    """Elevation of satellite ``cols[k]`` at ``offsets_s[k]``, shape (n,).

    A propagation call gives every satellite at every epoch; in groups of ``_GROUP_SATS``
    satellites it costs ``n * 16`` SGP4 calls, not ``n * n_sats`` (113 satellites: 2.2 s, not 3.7).
    """
    out = np.empty(len(cols))
    used, inverse = np.unique(cols, return_inverse=True)
    for g in range(0, len(used), _GROUP_SATS):
        pick = (inverse >= g) & (inverse < g + _GROUP_SATS)
        sats = [satellites[c] for c in used[g : g + _GROUP_SATS]]
        el = _elevations_deg(sats, start, offsets_s[pick], site)
        out[pick] = el[np.arange(int(pick.sum())), inverse[pick] - g]
    return out


def _refine_extrema(f_of, lo, hi, sign):
    """Golden-section search of the extremum of ``sign * f`` in each ``[lo, hi]`` (vectorised)."""
    a, b = lo.astype(np.float64), hi.astype(np.float64)
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = sign * f_of(c), sign * f_of(d)
    while np.any(b - a > TIME_TOLERANCE_S):
        left = fc >= fd  # the extremum lies in [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        new = np.where(left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        f_new = sign * f_of(new)
        c, d, fc, fd = (np.where(left, new, d), np.where(left, c, new),
                        np.where(left, f_new, fd), np.where(left, fc, f_new))  # fmt: skip
    t = 0.5 * (a + b)
    return t, f_of(t)


def _bisect_roots(f_of, lo, hi, f_lo, f_hi):
    """Find where ``f`` crosses 0 in each bracket (``f_lo >= 0`` differs from ``f_hi >= 0``)."""
    lo, hi, f_lo, f_hi = (np.array(x, dtype=np.float64) for x in (lo, hi, f_lo, f_hi))
    while np.any(hi - lo > TIME_TOLERANCE_S):
        mid = 0.5 * (lo + hi)
        f_mid = f_of(mid)
        same = (f_mid >= 0) == (f_lo >= 0)
        lo, f_lo = np.where(same, mid, lo), np.where(same, f_mid, f_lo)
        hi, f_hi = np.where(same, hi, mid), np.where(same, f_hi, f_mid)
    # Linear interpolation in the last bracket (a hundredth of a second wide).
    w = np.clip(np.divide(f_lo, f_lo - f_hi, out=np.full_like(f_lo, 0.5), where=f_lo != f_hi), 0, 1)
    return lo + w * (hi - lo)


def _sampled_extrema(f):
    """Interior samples that are local maxima (sign +1) or minima (-1): (i, sat, sign)."""
    left, right = f[1:-1] - f[:-2], f[2:] - f[1:-1]
    is_max = (left > 0) & (right <= 0)
    is_min = (left < 0) & (right >= 0)
    i, s = np.nonzero(is_max | is_min)
    return i + 1, s, np.where(is_max[i, s], 1.0, -1.0)


def _merged_samples(satellites, start, offs, f, site, mask_deg):
    """Merge the samples and refined extrema of ``f``, sorted by (satellite, time): (sat, t, f)."""
    i, s, sign = _sampled_extrema(f)

    def f_of(t):
        return _elevation_pairs(satellites, start, t, s, site) - mask_deg

    t_ext, f_ext = (_refine_extrema(f_of, offs[i - 1], offs[i + 1], sign) if len(i)
                    else (np.empty(0), np.empty(0)))  # fmt: skip
    n_t, n_s = f.shape
    sat = np.concatenate([np.repeat(np.arange(n_s)[None], n_t, axis=0).ravel(), s])
    t = np.concatenate([np.repeat(offs, n_s), t_ext])
    val = np.concatenate([f.ravel(), f_ext])
    order = np.lexsort((t, sat))
    return sat[order], t[order], val[order]


def _crossings(satellites, start, merged, site, mask_deg):
    """Mask crossings: (sat, t, rising) for every bracket of the merged samples."""
    sat, t, val = merged
    above = val >= 0
    k = np.flatnonzero((sat[1:] == sat[:-1]) & (above[1:] != above[:-1]))
    cols = sat[k]

    def f_of(x):
        return _elevation_pairs(satellites, start, x, cols, site) - mask_deg

    roots = _bisect_roots(f_of, t[k], t[k + 1], val[k], val[k + 1]) if len(k) else np.empty(0)
    return cols, roots, above[k + 1]


def _assemble(satellites, start, dur_s, merged, crossings, mask_deg) -> list[Pass]:
    """Build the passes from the crossings of each satellite, clipped to ``[0, dur_s]``."""
    sat, t, val = merged
    cols, roots, rising = crossings
    out = []
    for j, s in enumerate(satellites):
        mine = sat == j
        ts, vs = t[mine], val[mine]
        events = sorted(zip(roots[cols == j], rising[cols == j], strict=True))
        opened, clipped = (0.0, True) if vs[0] >= 0 else (None, False)
        for when, up in [*events, (dur_s, None)]:  # None: the span's end
            if up:
                opened = when
            elif opened is not None:
                inside = (ts >= opened) & (ts <= when)
                k = int(np.argmax(np.where(inside, vs, -np.inf)))
                out.append(_make_pass(s, start, opened, when, ts[k], vs[k] + mask_deg,
                                      clipped, up is None))  # fmt: skip
                opened, clipped = None, False
    return sorted(out, key=lambda p: (p.rise_utc, p.satellite))


def _make_pass(sat, start, rise_s, set_s, max_s, max_el, clip_start, clip_end) -> Pass:
    rise, set_, top = (start + timedelta(seconds=float(x)) for x in (rise_s, set_s, max_s))
    return Pass(sat.label, sat.name, sat.system, rise, set_, float(max_el), top,
                float(set_s - rise_s), bool(clip_start), bool(clip_end))  # fmt: skip


def _number(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise GnssTypeError(f"find_passes {name}: expected a number, got {type(value).__name__}"
                            f" {value!r}; pass it as a float")  # fmt: skip
    if not (np.isfinite(value) and low <= value <= high):
        raise ParameterError(f"find_passes {name}: expected a value in [{low:g}, {high:g}], "
                             f"got {value!r}; pass {name} within that range",
                             parameter=name)  # fmt: skip
    return float(value)


def _checked_span(start, end) -> tuple[datetime, float]:
    t0, t1 = to_utc(start, what="find_passes start"), to_utc(end, what="find_passes end")
    dur = (t1 - t0).total_seconds()
    if not 0 < dur <= MAX_SPAN_S:
        raise ParameterError(
            f"find_passes: expected an end after the start and at most {MAX_SPAN_S / 86400:g} "
            f"days later, got start {t0.isoformat()} and end {t1.isoformat()}; "
            "swap them or split the span into shorter ones", parameter="end")
    return t0, dur


def find_passes(satellites, site_lat_deg, site_lon_deg, height_m, start, end,
                elevation_mask_deg=5.0) -> list[Pass]:  # fmt: skip
    """Find the passes of ``satellites`` above ``elevation_mask_deg`` at a site, start to end.

    Parameters
    ----------
    satellites : sequence of Satellite
        TLE/OMM, nominal or orbit-file satellites (e.g. a :class:`gnss.Constellation`'s).
    site_lat_deg, site_lon_deg : float
        Geodetic (WGS84) latitude in [-90, 90] and longitude in [-180, 360] degrees.
    height_m : float
        Height above the ellipsoid, metres.
    start, end : datetime or str
        Timezone-aware span (ISO 8601 text with a zone is accepted), ``end`` after ``start``.
    elevation_mask_deg : float
        Mask above the geodetic horizon, degrees; above means ``>=``.

    Returns
    -------
    list of Pass
        Sorted by rise time. A satellite that could not be propagated somewhere in the
        span is left out, with a warning in the log naming it and the reason.

    Raises
    ------
    ParameterError, TimeInputError, GnssTypeError
        For a latitude outside [-90, 90], an end not after the start, a naive datetime, ...

    Examples
    --------
    >>> import gnss
    >>> sats = gnss.nominal_constellation(["G"]).satellites[:2]
    >>> passes = gnss.find_passes(sats, 55.75, 37.62, 150.0, "2026-10-06T00:00Z",
    ...                           "2026-10-07T00:00Z", elevation_mask_deg=10.0)
    >>> all(10.0 <= p.max_elevation_deg <= 90.0 for p in passes)
    True
    """
    sats = list(satellites) if not isinstance(satellites, (str, bytes)) else None
    if not sats or not all(isinstance(s, Satellite) for s in sats):
        raise GnssTypeError("find_passes satellites: expected a non-empty sequence of "
                            f"gnss.Satellite, got {satellites!r:.80}; pass "
                            "gnss.read_elements(path).satellites")  # fmt: skip
    lat = _number("site_lat_deg", site_lat_deg, -90.0, 90.0)
    lon = _number("site_lon_deg", site_lon_deg, -180.0, 360.0)
    height = _number("height_m", height_m, -1.0e4, 1.0e6)
    mask = _number("elevation_mask_deg", elevation_mask_deg, -90.0, 90.0)
    t0, dur = _checked_span(start, end)
    points, ups = geodetic_points([lat], [lon], height)
    site = (points[0], ups[0])
    offs = np.append(np.arange(0.0, dur, COARSE_STEP_S), dur)
    f = _elevations_deg(sats, t0, offs, site) - mask
    good = np.isfinite(f).all(axis=0)
    for k in np.flatnonzero(~good):
        log.warning("find_passes: %s (%s) left out: no position at %d of %d sampled epochs",
                    sats[k].label, sats[k].source, int((~np.isfinite(f[:, k])).sum()), len(offs))
    sats, f = [s for s, g in zip(sats, good, strict=True) if g], f[:, good]
    if not sats:
        return []
    merged = _merged_samples(sats, t0, offs, f, site, mask)
    crossings = _crossings(sats, t0, merged, site, mask)
    return _assemble(sats, t0, dur, merged, crossings, mask)
