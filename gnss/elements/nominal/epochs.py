"""Time base of the nominal constellations: the common element epoch, skyfield times, GMST.

Every time here goes through skyfield's built-in, offline timescale (UT1 from its shipped
tables; no IERS download). Epochs are refused when naive or outside the TLE two-digit year
range, and rounded to the TLE epoch field's resolution before any slot is placed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from gnss.errors import TimeInputError

#: Element epoch of every shipped nominal set, and the fixed default analysis start for nominal
#: constellations: 2026-01-01T00:00:00Z.
NOMINAL_EPOCH = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)


@lru_cache(maxsize=1)
def _timescale():
    """Skyfield's built-in timescale (offline, no IERS download)."""
    from skyfield.api import load

    return load.timescale(builtin=True)


def require_aware(when: object, what: str = "epoch") -> datetime:
    """Return ``when`` as a UTC datetime, refusing naive or non-datetime values."""
    if hasattr(when, "utc_datetime") and not isinstance(when, datetime):  # a skyfield Time
        when = when.utc_datetime()
    if not isinstance(when, datetime):
        raise TimeInputError(
            f"{what}: expected a timezone-aware datetime, got {type(when).__name__} {when!r}; "
            "fix: pass e.g. datetime(2026, 1, 1, tzinfo=datetime.UTC)"
        )
    if when.tzinfo is None or when.tzinfo.utcoffset(when) is None:
        raise TimeInputError(
            f"{what}: expected a timezone-aware datetime, got the naive {when.isoformat()}; "
            f"fix: {when!r}.replace(tzinfo=datetime.UTC) or an ISO string ending in 'Z'"
        )
    utc = when.astimezone(UTC)
    if not 1957 <= utc.year <= 2056:
        raise TimeInputError(
            f"{what}: expected a date in 1957–2056 (the TLE two-digit year range), got "
            f"{utc.isoformat()}; fix: choose an epoch inside that range"
        )
    return utc


def round_to_tle_epoch(epoch: datetime) -> datetime:
    """Round a UTC epoch to the TLE epoch field's resolution (1e-8 day, 0.864 ms)."""
    year_start = datetime(epoch.year, 1, 1, tzinfo=UTC)
    day_fraction = (epoch - year_start).total_seconds() / 86400.0
    return year_start + timedelta(days=round(day_fraction, 8))


def skyfield_time(when: datetime):
    """Skyfield ``Time`` of an aware datetime."""
    return _timescale().from_datetime(when)


def time_of_tle_epoch(field: str):
    """Skyfield ``Time`` of a TLE epoch field ``YYDDD.DDDDDDDD`` (UTC)."""
    year = int(field[:2])
    year += 1900 if year >= 57 else 2000
    day_of_year = float(field[2:])
    return _timescale().utc(year, 1, 1, 0, 0, (day_of_year - 1.0) * 86400.0)


def gmst_deg(when: datetime) -> float:
    """Greenwich mean sidereal time, degrees in [0, 360).

    Uses skyfield's built-in, offline timescale (UT1 from its shipped tables).

    Parameters
    ----------
    when : datetime
        Timezone-aware instant.

    Returns
    -------
    float
        GMST in degrees; TEME right ascension minus this is the Earth-fixed longitude.

    Raises
    ------
    TimeInputError
        If ``when`` is naive.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> round(gmst_deg(datetime(2026, 1, 1, tzinfo=UTC)), 2)
    100.66
    """
    when = require_aware(when, "when")
    return float(skyfield_time(when).gmst * 15.0) % 360.0


def seconds_between(later, earlier) -> float:
    """SI seconds between two skyfield Times (TT difference, so leap seconds count)."""
    return (later - earlier) * 86400.0
