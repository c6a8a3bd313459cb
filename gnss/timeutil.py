"""Times at the edges of the package: parsing, checking and epoch spans.

Times are timezone-aware :class:`datetime.datetime` objects or skyfield
:class:`~skyfield.timelib.Time` objects; naive datetimes are refused. Times
never enter a kernel: kernels see positions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
from sgp4.api import jday
from skyfield.api import load

from .errors import GnssTypeError, ParameterError, TimeInputError


@lru_cache(maxsize=1)
def timescale():
    """Skyfield's built-in timescale (offline: it never downloads IERS files)."""
    return load.timescale(builtin=True)


def to_utc(value: datetime | str, *, what: str = "time") -> datetime:
    """Return a timezone-aware UTC datetime from an aware datetime or an ISO 8601 string.

    Parameters
    ----------
    value : datetime or str
        An aware datetime, or an ISO 8601 text with a zone, e.g.
        ``"2026-10-05T12:00:00Z"`` or ``"2026-10-05T15:00+03:00"``.
    what : str
        Name used in error messages.

    Raises
    ------
    TimeInputError
        For naive datetimes, text without a time zone, or malformed text.

    Examples
    --------
    >>> to_utc("2026-10-05T12:00Z").isoformat()
    '2026-10-05T12:00:00+00:00'
    """
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError as exc:
            raise TimeInputError(
                f"{what}: expected an ISO 8601 UTC time such as 2026-10-05T12:00:00Z, got {value!r}"
            ) from exc
        if parsed.tzinfo is None:
            example = f"{text}Z"
            try:
                datetime.fromisoformat(example)
            except ValueError:  # a date alone: "2026-10-05Z" is no valid ISO 8601 time
                example = f"{parsed.isoformat()}Z"
            raise TimeInputError(
                f"{what}: {value!r} has no time zone. Add 'Z' for UTC, e.g. {example}"
            )
        value = parsed
    if not isinstance(value, datetime):
        raise TimeInputError(
            f"{what}: expected a timezone-aware datetime, got {type(value).__name__}"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise TimeInputError(
            f"{what}: got the naive datetime {value.isoformat()}; times must carry a time zone. "
            f"Use datetime(..., tzinfo=datetime.timezone.utc) or value.replace(tzinfo=timezone.utc)"
        )
    return value.astimezone(UTC)


@dataclass(frozen=True)
class EpochSpan:
    """Evenly spaced analysis epochs.

    Attributes
    ----------
    start : datetime
        First epoch, UTC.
    step_s : float
        Spacing in seconds.
    n_epochs : int
        Number of epochs (the span is ``[start, start + (n_epochs - 1) * step_s]``).
    """

    start: datetime
    step_s: float
    n_epochs: int

    @property
    def end(self) -> datetime:
        """Last epoch, UTC."""
        return self.start + timedelta(seconds=self.step_s * (self.n_epochs - 1))

    def offsets_s(self, first: int = 0, stop: int | None = None) -> np.ndarray:
        """Seconds since ``start`` of epochs ``first`` up to ``stop``, shape ``(n,)``."""
        stop = self.n_epochs if stop is None else stop
        return np.arange(first, stop, dtype=np.float64) * self.step_s

    def sgp4_jd(self, first: int = 0, stop: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """UTC Julian date split (whole, fraction), as SGP4 expects (TLE epochs are UTC)."""
        s = self.start
        jd, fr = jday(s.year, s.month, s.day, s.hour, s.minute, s.second + s.microsecond * 1e-6)
        fr = fr + self.offsets_s(first, stop) / 86400.0
        whole = np.floor(fr)
        return jd + whole, fr - whole

    def times(self, first: int = 0, stop: int | None = None):
        """Skyfield ``Time`` array of epochs ``first`` up to ``stop``."""
        s = self.start
        secs = s.hour * 3600 + s.minute * 60 + s.second + s.microsecond * 1e-6
        secs = secs + self.offsets_s(first, stop)
        # Whole days go into ``day`` so that skyfield looks up the leap seconds for each
        # epoch's own UTC date (as datetime and sgp4_jd do), not just for the start's date.
        days = np.floor(secs / 86400.0)
        day = s.day + days.astype(np.int64)
        return timescale().utc(s.year, s.month, day, 0, 0, secs - days * 86400.0)


def epoch_span(start: datetime | str, duration_s: float, step_s: float) -> EpochSpan:
    """Build the epochs ``start, start + step_s, ...`` up to ``start + duration_s`` inclusive.

    Parameters
    ----------
    start : datetime or str
        Timezone-aware start (ISO 8601 text with a zone is accepted).
    duration_s : float
        Length of the span in seconds, >= 0.
    step_s : float
        Step in seconds, > 0.

    Examples
    --------
    >>> span = epoch_span("2026-01-01T00:00Z", duration_s=3600, step_s=300)
    >>> span.n_epochs
    13
    """
    start = to_utc(start, what="start")
    n = n_epochs(duration_s, step_s)
    try:
        start + timedelta(seconds=float(duration_s))
    except OverflowError:
        raise ParameterError(
            f"the span from {start.isoformat()} for {float(duration_s):g} s ends after the last "
            "date Python can represent (year 9999); use a shorter duration"
        ) from None
    return EpochSpan(start, float(step_s), n)


#: Most epochs in a span: far above any run that fits in memory (each epoch holds every
#: satellite's position; the memory plan refuses such runs), low enough that the count is
#: exact in a float64 ratio and every size derived from it is finite.
MAX_EPOCHS = 10**12


def n_epochs(duration_s: float, step_s: float) -> int:
    """Return the number of epochs of a span ``[0, duration_s]`` at ``step_s``, checked.

    Raises
    ------
    GnssTypeError
        When a value is not a number.
    ParameterError
        When a value is not finite, negative (duration) or not positive (step), or when
        the span would have more than ``MAX_EPOCHS`` epochs.

    Examples
    --------
    >>> n_epochs(86400, 300)
    289
    """
    for name, value in (("step_s", step_s), ("duration_s", duration_s)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise GnssTypeError(
                f"{name}: expected a number of seconds, got {type(value).__name__} {value!r}"
            )
    if not np.isfinite(step_s) or step_s <= 0:
        raise ParameterError(f"step_s must be a positive number of seconds, got {step_s!r}")
    if not np.isfinite(duration_s) or duration_s < 0:
        raise ParameterError(f"duration must be zero or more seconds, got {duration_s!r}")
    ratio = duration_s / step_s
    if not ratio < MAX_EPOCHS:
        raise ParameterError(
            f"a span of {duration_s:g} s at steps of {step_s:g} s has {ratio:.3g} epochs; the "
            f"most is {MAX_EPOCHS:.0e}. Use a larger step or a shorter span"
        )
    # Relative tolerance too: the ratio's rounding error grows with it (1e7 epochs and up).
    return int(np.floor(ratio * (1.0 + 1e-12) + 1e-9)) + 1
