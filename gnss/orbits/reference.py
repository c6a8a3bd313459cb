"""The reference-orbit type every reader returns, its source record and its error.

:class:`ReferenceOrbits` holds satellite positions tabulated on one continuous
time scale (TAI seconds since a TAI midnight) and evaluates them at any time
through the interpolator or broadcast evaluator its reader attaches.

Frames: IGS20 (SP3), WGS84 (GPS), GTRF (Galileo), CGCS2000 (BeiDou),
PZ-90.11 (GLONASS) and JGS (QZSS) agree with the ITRF to a few centimetres,
far below what TLE comparisons can resolve; all are treated as ITRS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from ..errors import GnssError
from ..timeutil import EpochSpan, timescale


class ReferenceOrbitError(GnssError, ValueError):
    """A reference orbit file (SP3 or RINEX navigation) could not be read or used."""


#: Seconds per day (the unit of the TAI Julian dates of the time origin).
DAY_S = 86400.0


@dataclass(frozen=True)
class ReferenceSource:
    """Where reference orbits came from.

    Attributes
    ----------
    path : str
        The file.
    kind : str
        ``"sp3"`` or ``"rinex-nav"``.
    version : str
        SP3 version letter or RINEX version.
    frame : str
        Reference frame as stated by the file (SP3) or the systems' frames (nav).
    time_system : str
        Time system of the file's epochs, e.g. ``"GPS"``; ``"mixed"`` for nav.
    """

    path: str
    kind: str
    version: str
    frame: str
    time_system: str


@dataclass(frozen=True, eq=False)
class ReferenceOrbits:
    """Reference satellite positions, tabulated and evaluable at any time.

    Attributes
    ----------
    prns : tuple of str
        Satellites as ``"R01"``, ``"C19"``, ...
    tai_jd0 : float
        TAI Julian date (a midnight, ``*.5``) of the time origin of ``t_s``.
    t_s : ndarray, shape (n_times,)
        Tabulated epochs, TAI seconds since ``tai_jd0``.
    positions_itrs_m : ndarray, shape (n_times, n_prns, 3)
        Positions in metres (ITRS); NaN where missing.
    source : ReferenceSource
        The file, its kind, frame and time system.
    notes : tuple of str
        What was left out and why (e.g. unsupported record types).
    """

    prns: tuple[str, ...]
    tai_jd0: float
    t_s: np.ndarray
    positions_itrs_m: np.ndarray
    source: ReferenceSource
    notes: tuple[str, ...] = ()
    _evaluate: object = field(default=None, repr=False)

    @property
    def times(self):
        """Tabulated epochs as a skyfield ``Time`` array."""
        return timescale().tai_jd(self.tai_jd0, self.t_s / DAY_S)

    @property
    def times_utc(self) -> list[datetime]:
        """Tabulated epochs as timezone-aware UTC datetimes."""
        return list(self.times.utc_datetime())

    @property
    def start_utc(self) -> datetime:
        """First tabulated epoch (UTC)."""
        return timescale().tai_jd(self.tai_jd0, self.t_s[0] / DAY_S).utc_datetime()

    @property
    def end_utc(self) -> datetime:
        """Last tabulated epoch (UTC)."""
        return timescale().tai_jd(self.tai_jd0, self.t_s[-1] / DAY_S).utc_datetime()

    def systems(self) -> list[str]:
        """System letters present, in first-appearance order."""
        return list(dict.fromkeys(p[0] for p in self.prns))

    def index(self, prn: str) -> int:
        """Column of ``prn`` in ``positions_itrs_m``."""
        return self.prns.index(prn)

    def seconds_of(self, times) -> np.ndarray:
        """TAI seconds since ``tai_jd0`` of skyfield times, aware datetimes or an EpochSpan."""
        t = _as_time(times)
        whole = np.atleast_1d(np.asarray(t.whole, dtype=np.float64))
        frac = np.atleast_1d(np.asarray(t.tai_fraction, dtype=np.float64))
        return ((whole - self.tai_jd0) + frac) * DAY_S

    def positions_at(self, times, prns: Sequence[str] | None = None) -> np.ndarray:
        """Positions at arbitrary times.

        Parameters
        ----------
        times : skyfield Time, aware datetime(s) or EpochSpan
            When to evaluate.
        prns : sequence of str, optional
            Which satellites (default: all, in ``prns`` order).

        Returns
        -------
        ndarray, shape (n_times, n_prns, 3)
            ITRS metres; NaN outside the reference's coverage (no extrapolation).
        """
        t_s = self.seconds_of(times)
        cols = list(range(len(self.prns))) if prns is None else [self.index(p) for p in prns]
        return self._evaluate(t_s, np.asarray(cols, dtype=np.int64))


def _as_time(times):
    ts = timescale()
    if isinstance(times, EpochSpan):
        return times.times()
    if isinstance(times, datetime):
        if times.tzinfo is None:
            raise ReferenceOrbitError(
                f"naive datetime {times.isoformat()}: add a time zone, e.g. "
                "value.replace(tzinfo=datetime.timezone.utc)"
            )
        return ts.from_datetime(times)
    if isinstance(times, list | tuple) and times and isinstance(times[0], datetime):
        if any(t.tzinfo is None for t in times):
            raise ReferenceOrbitError(
                "naive datetimes: add a time zone, e.g. value.replace(tzinfo=datetime.timezone.utc)"
            )
        return ts.from_datetimes(list(times))
    if hasattr(times, "tai_fraction"):
        return times
    raise ReferenceOrbitError(
        f"expected a skyfield Time, aware datetime(s) or an EpochSpan, got {type(times).__name__}"
    )
