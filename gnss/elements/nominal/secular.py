"""SGP4/SDP4 secular theory of a repeating ground track: rates, repeat mean motion, period.

The rates are those ``sgp4init`` computes (WGS72), with the SDP4 lunisolar secular rates read
from the pure-Python port :class:`sgp4.model.Satrec` when an epoch is given; the Earth rate is
:data:`gnss.constants.GMST_RATE_RAD_PER_S` (see the notes of :mod:`gnss.elements.nominal`).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sgp4.api import Satrec
from sgp4.model import Satrec as _PythonSatrec

from gnss.constants import GMST_RATE_RAD_PER_S, SGP4_GRAVITY_MODEL
from gnss.errors import ParameterError

from .epochs import NOMINAL_EPOCH, require_aware

# SGP4 conversions, written exactly as sgp4's twoline2rv does them so that a record and the
# satellite read back from its TLE are the same bits.
DEG2RAD = math.pi / 180.0
XPDOTP = 1440.0 / (2.0 * math.pi)  # (rev/day) / (rad/min)
_SGP4_EPOCH_ORIGIN = datetime(1949, 12, 31, 0, 0, 0, tzinfo=UTC)  # sgp4init "epoch" origin
_GMST_RATE_RAD_PER_MIN = GMST_RATE_RAD_PER_S * 60.0


def _validate_repeat(n_rev: int, n_sidereal_days: int, inclination_deg: float) -> None:
    if int(n_rev) != n_rev or int(n_sidereal_days) != n_sidereal_days:
        raise ParameterError(
            f"repeat: expected whole numbers of revolutions and days, got {n_rev!r} revolutions "
            f"in {n_sidereal_days!r} days; fix: pass integers such as 17 and 8"
        )
    if n_rev < 1 or n_sidereal_days < 1:
        raise ParameterError(
            f"repeat: expected at least 1 revolution in at least 1 day, got {n_rev} in "
            f"{n_sidereal_days}; fix: pass positive integers"
        )
    if not 0.0 <= inclination_deg <= 180.0:
        raise ParameterError(
            f"inclination_deg: expected 0 to 180, got {inclination_deg!r}; fix: degrees, not rad"
        )


def sgp4_epoch_days(epoch: datetime) -> float:
    """Days since 1949-12-31 00:00 UTC, the ``epoch`` argument of ``sgp4init``."""
    return (epoch - _SGP4_EPOCH_ORIGIN).total_seconds() / 86400.0


def secular_rates_rad_per_min(
    mean_motion_rad_per_min: float,
    inclination_deg: float,
    *,
    epoch: datetime | None = None,
    raan_deg: float = 0.0,
    eccentricity: float = 0.0,
) -> tuple[float, float, float]:
    """SGP4/SDP4 secular rates of mean anomaly, argument of perigee and node.

    Parameters
    ----------
    mean_motion_rad_per_min : float
        Kozai mean motion as read from a TLE, rad/min.
    inclination_deg : float
        Inclination, degrees.
    epoch : datetime, optional
        Element epoch. Given: the SDP4 lunisolar secular rates (``dmdt``, ``domdt``, ``dnodt``,
        which depend on the Sun and Moon at the epoch and on the RAAN) are added, as SDP4 applies
        them to every orbit with a period over 225 min. Omitted: zonal (J2, J4) rates only.
    raan_deg : float
        TEME RAAN at ``epoch`` (only used with ``epoch``), degrees.
    eccentricity : float
        Eccentricity, default 0.

    Returns
    -------
    tuple of float
        ``(mean_anomaly_rate, argument_of_perigee_rate, node_rate)``, rad/min, WGS72 constants.

    Examples
    --------
    >>> import math
    >>> mdot, argpdot, nodedot = secular_rates_rad_per_min(2.0 / 1440 * 2 * math.pi, 55.0)
    >>> round(math.degrees(nodedot) * 1440, 4)  # GPS node regression, degrees/day
    -0.0385
    """
    if epoch is None:
        satrec = Satrec()
        epoch_days = sgp4_epoch_days(NOMINAL_EPOCH)
    else:
        satrec = _PythonSatrec()
        epoch_days = sgp4_epoch_days(require_aware(epoch))
    satrec.sgp4init(
        SGP4_GRAVITY_MODEL,
        "i",
        1,
        epoch_days,
        0.0,
        0.0,
        0.0,
        eccentricity,
        0.0,
        inclination_deg * DEG2RAD,
        0.0,
        mean_motion_rad_per_min,
        (raan_deg % 360.0) * DEG2RAD,
    )
    if satrec.error:
        raise ParameterError(
            f"sgp4init refused n = {mean_motion_rad_per_min!r} rad/min, i = {inclination_deg}°, "
            f"e = {eccentricity} (SGP4 error {satrec.error}); fix: check the orbit parameters"
        )
    mdot, argpdot, nodedot = satrec.mdot, satrec.argpdot, satrec.nodedot
    if epoch is not None and satrec.method == "d":
        mdot += satrec.dmdt
        argpdot += satrec.domdt
        nodedot += satrec.dnodt
    return mdot, argpdot, nodedot


def _repeat_residual(n_rad_per_min, n_rev, n_days, inclination_deg, epoch, raan_deg, ecc):
    """``n_days (Ṁ + ω̇) − n_rev (ω − Ω̇)``, rad/min; zero for an exact repeat."""
    mdot, argpdot, nodedot = secular_rates_rad_per_min(
        n_rad_per_min, inclination_deg, epoch=epoch, raan_deg=raan_deg, eccentricity=ecc
    )
    return n_days * (mdot + argpdot) - n_rev * (_GMST_RATE_RAD_PER_MIN - nodedot)


def repeat_mean_motion_rad_per_min(
    n_rev: int,
    n_sidereal_days: int,
    inclination_deg: float,
    *,
    epoch: datetime | None = None,
    raan_deg: float = 0.0,
    eccentricity: float = 0.0,
) -> float:
    """Kozai mean motion whose ground track repeats exactly in SGP4's secular theory.

    Solves ``(Ṁ + ω̇) P = 2π n_rev`` and ``(ω − Ω̇) P = 2π n_sidereal_days`` (``P`` eliminated)
    by the secant method on the TLE (Kozai) mean motion, with the rates that ``sgp4init``
    computes (WGS72) and ``ω`` = :data:`GMST_RATE_RAD_PER_S`.

    Parameters
    ----------
    n_rev, n_sidereal_days : int
        Revolutions per repeat and sidereal (strictly: nodal) days per repeat.
    inclination_deg : float
        Inclination, degrees.
    epoch : datetime, optional
        With an epoch the SDP4 lunisolar secular rates at that epoch are included (see
        :func:`secular_rates_rad_per_min`); without, zonal rates only.
    raan_deg : float
        TEME RAAN at ``epoch``, degrees (the lunisolar rates depend on it).
    eccentricity : float
        Eccentricity, default 0.

    Returns
    -------
    float
        Kozai mean motion, rad/min (times ``1440 / 2π`` gives the TLE's rev/day).

    Raises
    ------
    ParameterError
        For non-integer or non-positive repeat numbers, an inclination outside [0, 180], or no
        convergence.

    Examples
    --------
    >>> import math
    >>> n = repeat_mean_motion_rad_per_min(17, 8, 64.8)  # GLONASS
    >>> round(n * 1440 / (2 * math.pi), 5)
    2.13102
    """
    _validate_repeat(n_rev, n_sidereal_days, inclination_deg)
    if epoch is not None:
        epoch = require_aware(epoch)
    args = (n_rev, n_sidereal_days, inclination_deg, epoch, raan_deg, eccentricity)
    x0 = _GMST_RATE_RAD_PER_MIN * n_rev / n_sidereal_days  # Keplerian first guess
    x1 = x0 * (1.0 + 1e-4)
    f0 = _repeat_residual(x0, *args)
    f1 = _repeat_residual(x1, *args)
    for _ in range(50):
        if f1 == f0:
            break
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        x0, f0 = x1, f1
        x1, f1 = x2, _repeat_residual(x2, *args)
        if abs(x1 - x0) <= 1e-15 * abs(x1):
            break
    if abs(f1) > 1e-12 * abs(x1):
        raise ParameterError(
            f"repeat {n_rev} revolutions in {n_sidereal_days} days at i = {inclination_deg}°: "
            f"no convergence (residual {f1!r} rad/min); fix: check the repeat numbers"
        )
    return x1


def repeat_period_s(
    n_rev: int,
    n_sidereal_days: int,
    inclination_deg: float,
    *,
    epoch: datetime | None = None,
    raan_deg: float = 0.0,
    mean_motion_rad_per_min: float | None = None,
) -> float:
    """Ground-track repeat period ``P = 2π n_sidereal_days / (ω − Ω̇)``, seconds.

    Parameters
    ----------
    n_rev, n_sidereal_days : int
        Revolutions per repeat and sidereal days per repeat.
    inclination_deg : float
        Inclination, degrees.
    epoch : datetime, optional
        Include the SDP4 lunisolar secular rates at this epoch (see
        :func:`secular_rates_rad_per_min`).
    raan_deg : float
        TEME RAAN at ``epoch``, degrees.
    mean_motion_rad_per_min : float, optional
        Kozai mean motion to evaluate at; default the exact repeat solution of
        :func:`repeat_mean_motion_rad_per_min`.

    Returns
    -------
    float
        Repeat period in SI seconds.

    Examples
    --------
    >>> round(repeat_period_s(17, 8, 64.8) / 17)  # GLONASS draconic period: 11 h 15 min 44 s
    40544
    """
    if mean_motion_rad_per_min is None:
        mean_motion_rad_per_min = repeat_mean_motion_rad_per_min(
            n_rev, n_sidereal_days, inclination_deg, epoch=epoch, raan_deg=raan_deg
        )
    else:
        _validate_repeat(n_rev, n_sidereal_days, inclination_deg)
    _, _, nodedot = secular_rates_rad_per_min(
        mean_motion_rad_per_min, inclination_deg, epoch=epoch, raan_deg=raan_deg
    )
    return 2.0 * math.pi * n_sidereal_days / (_GMST_RATE_RAD_PER_MIN - nodedot) * 60.0
