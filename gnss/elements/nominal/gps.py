"""The 24 GPS baseline slots of the SPS Performance Standard (5th ed., 2020), Tables 3.2-1/3.2-3.

The slot table (RAAN referred to J2000, argument of latitude) is quoted as published at
2016-12-31 23:59:43 UTC and placed at the element epoch along the 2-revolution / 1-sidereal-day
repeat.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .epochs import NOMINAL_EPOCH, gmst_deg, require_aware, round_to_tle_epoch, skyfield_time
from .pattern import pattern_advance, pattern_period_s
from .slot import CATALOGUE_NUMBER_BASE, NominalSlot, make_slot

# GPS SPS Performance Standard 5th ed. (2020), Tables 3.2-1 and 3.2-3: 24 slots, i = 55°,
# a = 26 559.8 km, circular; (slot, RAAN° referred to J2000, argument of latitude°) at
# 2016-12-31 23:59:43 UTC, where the Greenwich hour angle is 100.765°. 2 revolutions per
# sidereal day.
_GPS_SOURCE = (
    "GPS SPS Performance Standard 5th ed. (2020), Tables 3.2-1/3.2-3, 2016-12-31 23:59:43 UTC"
)
_GPS_REFERENCE = datetime(2016, 12, 31, 23, 59, 43, tzinfo=UTC)
_GPS_GHA_DEG = 100.765
_GPS_INCLINATION_DEG = 55.0
_GPS_SEMI_MAJOR_AXIS_KM = 26559.8
_GPS_REPEAT = (2, 1)
_GPS_SLOTS: tuple[tuple[str, float, float], ...] = (
    ("A1", 288.85, 239.54),
    ("A2", 288.85, 133.20),
    ("A3", 288.85, 343.09),
    ("A4", 288.85, 13.22),
    ("B1", 348.85, 52.37),
    ("B2", 348.85, 144.75),
    ("B3", 348.85, 281.39),
    ("B4", 348.85, 175.79),
    ("C1", 48.85, 83.29),
    ("C2", 48.85, 343.21),
    ("C3", 48.85, 311.08),
    ("C4", 48.85, 212.97),
    ("D1", 108.85, 106.64),
    ("D2", 108.85, 236.86),
    ("D3", 108.85, 6.57),
    ("D4", 108.85, 138.77),
    ("E1", 168.85, 168.46),
    ("E2", 168.85, 274.01),
    ("E3", 168.85, 37.48),
    ("E4", 168.85, 305.10),
    ("F1", 228.85, 210.30),
    ("F2", 228.85, 316.64),
    ("F3", 228.85, 76.62),
    ("F4", 228.85, 106.76),
)


def gps_slots(epoch: datetime = NOMINAL_EPOCH) -> list[NominalSlot]:
    """Return the 24 GPS baseline slots of the SPS Performance Standard (5th ed.) at ``epoch``.

    The table's RAAN (referred to J2000) minus the Greenwich hour angle 100.765° gives the
    Earth-fixed node longitude at 2016-12-31 23:59:43 UTC, advanced along the 2-revolution /
    1-sidereal-day repeat.

    Parameters
    ----------
    epoch : datetime
        Timezone-aware element epoch; default :data:`NOMINAL_EPOCH`.

    Returns
    -------
    list of NominalSlot
        Slots A1 … F4, names ``GPS NOMINAL A1`` …, catalogue numbers 90201–90224.

    Raises
    ------
    TimeInputError
        If ``epoch`` is naive.

    Examples
    --------
    >>> [s.name for s in gps_slots()][:2]
    ['GPS NOMINAL A1', 'GPS NOMINAL A2']
    """
    epoch = round_to_tle_epoch(require_aware(epoch))
    t_epoch = skyfield_time(epoch)
    gmst_epoch = gmst_deg(epoch)
    t_ref = skyfield_time(_GPS_REFERENCE)
    slots = []
    for k, (slot_name, raan_j2000_deg, u_ref) in enumerate(_GPS_SLOTS):
        node, u = pattern_advance(
            raan_j2000_deg - _GPS_GHA_DEG,
            u_ref,
            t_ref,
            t_epoch,
            _GPS_REPEAT,
            _GPS_INCLINATION_DEG,
        )
        slots.append(
            make_slot(
                epoch=epoch,
                gmst_epoch_deg=gmst_epoch,
                system="GPS",
                name=f"GPS NOMINAL {slot_name}",
                satnum=CATALOGUE_NUMBER_BASE + 201 + k,
                orbit_class="MEO",
                inclination_deg=_GPS_INCLINATION_DEG,
                node_longitude_deg=node,
                argument_of_latitude_deg=u,
                repeat=_GPS_REPEAT,
                nominal_semi_major_axis_km=_GPS_SEMI_MAJOR_AXIS_KM,
                source=_GPS_SOURCE,
                reference_epoch=_GPS_REFERENCE,
                pattern_period_s=pattern_period_s(*_GPS_REPEAT, _GPS_INCLINATION_DEG),
            )
        )
    return slots
