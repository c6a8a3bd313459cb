"""One nominal slot as SGP4 mean elements: the record, its builder and its SGP4 satellite.

:func:`make_slot` is the common elements builder every system's slot table goes through: it
solves the slot's repeat mean motion at the epoch and rounds every element to the TLE's
resolution, so a record equals what a TLE reader gets back from its lines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sgp4.api import Satrec

from gnss.constants import SGP4_GRAVITY_MODEL
from gnss.errors import ParameterError

from .epochs import require_aware
from .secular import (
    DEG2RAD,
    XPDOTP,
    repeat_mean_motion_rad_per_min,
    repeat_period_s,
    sgp4_epoch_days,
)

#: First catalogue number of the private block; system k uses BASE + 100 k + 1 ...
CATALOGUE_NUMBER_BASE = 90000

_TLE_ANGLE_DECIMALS = 4  # TLE line 2 angles, degrees
_TLE_MEAN_MOTION_DECIMALS = 8  # TLE line 2 mean motion, rev/day


@dataclass(frozen=True)
class NominalSlot:
    """One nominal slot as SGP4 mean elements at ``epoch``.

    Angles and the mean motion are already rounded to the TLE's resolution, so the record is what
    a TLE reader gets back from :func:`tle_lines`.

    Attributes
    ----------
    name : str
        TLE name line, e.g. ``"GLONASS NOMINAL SLOT 01"``.
    system : str
        ``"GLONASS"``, ``"BEIDOU"``, ``"GPS"`` or ``"GALILEO"``.
    orbit_class : str
        ``"MEO"``, ``"GEO"`` or ``"IGSO"``.
    satnum : int
        Private catalogue number.
    epoch : datetime
        Element epoch (UTC, timezone-aware), rounded to the TLE's 1e-8 day.
    inclination_deg, raan_deg : float
        Inclination and TEME right ascension of the ascending node at ``epoch``.
    node_longitude_deg : float
        Earth-fixed node longitude ``RAAN − GMST(epoch)``, in [0, 360).
    argument_of_latitude_deg : float
        Mean argument of latitude (written as the mean anomaly, argument of perigee 0).
    eccentricity : float
        0.
    mean_motion_rev_per_day : float
        Kozai mean motion as written on line 2.
    semi_major_axis_km : float
        SGP4 (Brouwer) mean semi-major axis implied by the mean motion, WGS72 radius.
    nominal_semi_major_axis_km : float
        Value quoted by (or derived from the altitude in) the document.
    repeat_revolutions, repeat_sidereal_days : int
        Ground-track repeat: revolutions per number of sidereal (nodal) days.
    repeat_period_s : float
        This slot's exact repeat period in SGP4's secular theory (zonal + lunisolar), seconds.
    reference_epoch : datetime or None
        Epoch of the document's (or anchor's) geometry the slot was advanced from; None for GEO.
    pattern_period_s : float or None
        Repeat period of the system's pattern used to advance from ``reference_epoch``
        (same for all slots of a system; see the package notes), seconds; None for GEO.
    source : str
        Document and reference epoch (or the real element set that fixed a phase).
    """

    name: str
    system: str
    orbit_class: str
    satnum: int
    epoch: datetime
    inclination_deg: float
    raan_deg: float
    node_longitude_deg: float
    argument_of_latitude_deg: float
    eccentricity: float
    mean_motion_rev_per_day: float
    semi_major_axis_km: float
    nominal_semi_major_axis_km: float
    repeat_revolutions: int
    repeat_sidereal_days: int
    repeat_period_s: float
    reference_epoch: datetime | None
    pattern_period_s: float | None
    source: str


def _round_angle_deg(value_deg: float) -> float:
    """Angle in [0, 360) rounded to the TLE's 1e-4 degree (360.0000 becomes 0)."""
    return round(value_deg % 360.0, _TLE_ANGLE_DECIMALS) % 360.0


def make_slot(
    *,
    epoch: datetime,
    gmst_epoch_deg: float,
    system: str,
    name: str,
    satnum: int,
    orbit_class: str,
    inclination_deg: float,
    node_longitude_deg: float,
    argument_of_latitude_deg: float,
    repeat: tuple[int, int],
    nominal_semi_major_axis_km: float,
    source: str,
    reference_epoch: datetime | None = None,
    pattern_period_s: float | None = None,
) -> NominalSlot:
    """Solve the mean motion for one slot at ``epoch`` and round everything to TLE resolution."""
    n_rev, n_days = repeat
    raan_deg = _round_angle_deg(node_longitude_deg + gmst_epoch_deg)
    u_deg = _round_angle_deg(argument_of_latitude_deg)
    n_rad = repeat_mean_motion_rad_per_min(
        n_rev, n_days, inclination_deg, epoch=epoch, raan_deg=raan_deg
    )
    n_rev_per_day = round(n_rad * XPDOTP, _TLE_MEAN_MOTION_DECIMALS)
    slot = NominalSlot(
        name=name,
        system=system,
        orbit_class=orbit_class,
        satnum=satnum,
        epoch=epoch,
        inclination_deg=round(inclination_deg, _TLE_ANGLE_DECIMALS),
        raan_deg=raan_deg,
        node_longitude_deg=(raan_deg - gmst_epoch_deg) % 360.0,
        argument_of_latitude_deg=u_deg,
        eccentricity=0.0,
        mean_motion_rev_per_day=n_rev_per_day,
        semi_major_axis_km=0.0,
        nominal_semi_major_axis_km=nominal_semi_major_axis_km,
        repeat_revolutions=n_rev,
        repeat_sidereal_days=n_days,
        repeat_period_s=repeat_period_s(
            n_rev,
            n_days,
            inclination_deg,
            epoch=epoch,
            raan_deg=raan_deg,
            mean_motion_rad_per_min=n_rev_per_day / XPDOTP,
        ),
        reference_epoch=reference_epoch,
        pattern_period_s=pattern_period_s,
        source=source,
    )
    satrec = slot_satrec(slot)
    return replace(slot, semi_major_axis_km=satrec.a * satrec.radiusearthkm)


def slot_satrec(slot: NominalSlot) -> Satrec:
    """Initialise an SGP4 satellite from a slot record (WGS72, as a TLE reader would).

    Parameters
    ----------
    slot : NominalSlot
        Record from one of the ``*_slots`` functions.

    Returns
    -------
    sgp4.api.Satrec
        Ready to propagate; identical to ``Satrec.twoline2rv(*tle_lines(slot))``.

    Examples
    --------
    >>> from gnss.elements.nominal import gps_slots
    >>> sat = slot_satrec(gps_slots()[0])
    >>> sat.error, round(sat.a * sat.radiusearthkm)
    (0, 26560)
    """
    epoch = require_aware(slot.epoch, f"{slot.name}: epoch")
    satrec = Satrec()
    satrec.sgp4init(
        SGP4_GRAVITY_MODEL,
        "i",
        slot.satnum,
        sgp4_epoch_days(epoch),
        0.0,  # BSTAR
        0.0,  # ndot
        0.0,  # nddot
        slot.eccentricity,
        0.0,  # argument of perigee
        slot.inclination_deg * DEG2RAD,
        slot.argument_of_latitude_deg * DEG2RAD,  # mean anomaly
        slot.mean_motion_rev_per_day / XPDOTP,
        slot.raan_deg * DEG2RAD,
    )
    if satrec.error:
        raise ParameterError(
            f"{slot.name}: sgp4init failed with SGP4 error {satrec.error}; expected 0; "
            "fix: check the slot's elements"
        )
    return satrec
