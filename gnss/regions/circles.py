"""The latitude circles that named regions use: polar circles and tropics from the obliquity.

The Arctic and Antarctic Circles lie at 90° minus the mean obliquity of the ecliptic, the
tropics at the obliquity itself, both evaluated at :data:`CIRCLES_EPOCH` (they drift by
about 15 m a year).
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["ARCTIC_CIRCLE_LAT_DEG", "CIRCLES_EPOCH", "TROPIC_LAT_DEG", "mean_obliquity_deg"]

#: Epoch at which the polar circles and tropics are evaluated (they drift by ~15 m a year).
CIRCLES_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def mean_obliquity_deg(when: datetime = CIRCLES_EPOCH) -> float:
    """Mean obliquity of the ecliptic, IAU 2006 precession (Capitaine et al. 2003).

    ``eps_A = 84381.406" - 46.836769" T - 0.0001831" T^2 + 0.00200340" T^3
    - 5.76e-7" T^4 - 4.34e-8" T^5`` with ``T`` in Julian centuries of TT from J2000.0
    (IERS Conventions 2010, eq. 5.40). UTC is used for TT: the 69 s difference changes
    the result by 1e-11 degree. Nutation (up to ±9.2", ~0.0026°) is not included.

    Examples
    --------
    >>> round(mean_obliquity_deg(), 4)
    23.4359
    """
    j2000 = datetime(2000, 1, 1, 12, tzinfo=UTC)
    t = (when - j2000).total_seconds() / 86400.0 / 36525.0
    arcsec = 84381.406 + t * (
        -46.836769 + t * (-0.0001831 + t * (0.00200340 + t * (-5.76e-7 + t * -4.34e-8)))
    )
    return arcsec / 3600.0


#: Latitude of the Arctic Circle, 90° minus the mean obliquity at :data:`CIRCLES_EPOCH`
#: (66.56410° N for 2026.0; it moves north by about 15 m a year).
ARCTIC_CIRCLE_LAT_DEG = 90.0 - mean_obliquity_deg()
#: Latitude of the Tropic of Cancer (the mean obliquity) at :data:`CIRCLES_EPOCH`.
TROPIC_LAT_DEG = mean_obliquity_deg()
