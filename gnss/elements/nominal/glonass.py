"""The 24 GLONASS slots of the ICD (ed. 5.1, 2008): document values and the slot table.

The ICD's node longitude is read as inertial by default (the evidence is in the notes of
:mod:`gnss.elements.nominal`); ``icd_node_is_greenwich=True`` gives the literal GUIDE reading.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gnss.constants import PZ90_A_KM

from .epochs import NOMINAL_EPOCH, gmst_deg, require_aware, round_to_tle_epoch, skyfield_time
from .pattern import pattern_advance, pattern_period_s
from .slot import CATALOGUE_NUMBER_BASE, NominalSlot, make_slot

# GLONASS ICD ed. 5.1 (2008): 3 planes x 8 slots, altitude 19 100 km over the PZ-90 equatorial
# radius 6 378.136 km, inclination 64.8°, 17 revolutions in 8 sidereal days (draconic period
# 11 h 15 min 44 s). Plane i node at (absolute, see the package notes) longitude
# 251°15'00" + 120°(i - 1); slot j at argument of latitude
# 145°26'37" + 15°(27 - 3j + 25 floor((j - 1)/8)); both at 1983-01-01 00:00 Moscow time (UTC+3).
_GLONASS_SOURCE = "GLONASS ICD ed. 5.1 (2008), reference 1983-01-01 00:00 MSK"
_GLONASS_REFERENCE = datetime(1982, 12, 31, 21, 0, 0, tzinfo=UTC)
_GLONASS_INCLINATION_DEG = 64.8
_GLONASS_SEMI_MAJOR_AXIS_KM = PZ90_A_KM + 19100.0  # PZ-90 radius + altitude
_GLONASS_NODE_DEG = 251.0 + 15.0 / 60.0  # 251°15'00"
_GLONASS_U_DEG = 145.0 + 26.0 / 60.0 + 37.0 / 3600.0  # 145°26'37"
_GLONASS_REPEAT = (17, 8)


def glonass_slots(
    epoch: datetime = NOMINAL_EPOCH, *, icd_node_is_greenwich: bool = False
) -> list[NominalSlot]:
    """Return the 24 GLONASS slots of ICD ed. 5.1 at ``epoch``.

    Plane i (1–3) node at absolute longitude 251°15′00″ + 120°(i − 1), slot j (1–24) at argument
    of latitude 145°26′37″ + 15°(27 − 3j + 25⌊(j − 1)/8⌋), both at 1983-01-01 00:00 Moscow time
    (1982-12-31 21:00 UTC), advanced along the 17-revolution / 8-sidereal-day repeat.

    Parameters
    ----------
    epoch : datetime
        Timezone-aware element epoch; default :data:`NOMINAL_EPOCH`.
    icd_node_is_greenwich : bool
        False (default): the ICD's absolute node longitude is inertial (right ascension at the
        reference epoch; Greenwich longitude = it − GMST). True: read it as a Greenwich longitude,
        as GUIDE §4 words it. The notes of :mod:`gnss.elements.nominal` give the evidence for
        the default.

    Returns
    -------
    list of NominalSlot
        Slots 1–24 (plane 1: 1–8, plane 2: 9–16, plane 3: 17–24), names
        ``GLONASS NOMINAL SLOT 01`` … ``SLOT 24``, catalogue numbers 90001–90024.

    Raises
    ------
    TimeInputError
        If ``epoch`` is naive.

    Examples
    --------
    >>> slots = glonass_slots()
    >>> len(slots), slots[0].name, slots[0].inclination_deg
    (24, 'GLONASS NOMINAL SLOT 01', 64.8)
    """
    epoch = round_to_tle_epoch(require_aware(epoch))
    t_epoch = skyfield_time(epoch)
    gmst_epoch = gmst_deg(epoch)
    t_ref = skyfield_time(_GLONASS_REFERENCE)
    gmst_ref = 0.0 if icd_node_is_greenwich else gmst_deg(_GLONASS_REFERENCE)
    slots = []
    for j in range(1, 25):
        plane = (j - 1) // 8  # 0, 1, 2
        node_ref = _GLONASS_NODE_DEG + 120.0 * plane - gmst_ref
        u_ref = _GLONASS_U_DEG + 15.0 * (27 - 3 * j + 25 * plane)
        node, u = pattern_advance(
            node_ref, u_ref, t_ref, t_epoch, _GLONASS_REPEAT, _GLONASS_INCLINATION_DEG
        )
        slots.append(
            make_slot(
                epoch=epoch,
                gmst_epoch_deg=gmst_epoch,
                system="GLONASS",
                name=f"GLONASS NOMINAL SLOT {j:02d}",
                satnum=CATALOGUE_NUMBER_BASE + j,
                orbit_class="MEO",
                inclination_deg=_GLONASS_INCLINATION_DEG,
                node_longitude_deg=node,
                argument_of_latitude_deg=u,
                repeat=_GLONASS_REPEAT,
                nominal_semi_major_axis_km=_GLONASS_SEMI_MAJOR_AXIS_KM,
                source=_GLONASS_SOURCE,
                reference_epoch=_GLONASS_REFERENCE,
                pattern_period_s=pattern_period_s(*_GLONASS_REPEAT, _GLONASS_INCLINATION_DEG),
            )
        )
    return slots
