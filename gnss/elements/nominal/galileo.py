"""The 24 Galileo slots (Walker 24/3/1) of the OS SDD (issue 1.1), Tables 1 and 23.

Plane A's node and first slot's mean anomaly are quoted at 2016-11-21 00:00 UTC; the other
slots follow the Walker phasing f = 1 and the set advances along the 17-revolution /
10-sidereal-day repeat.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .epochs import NOMINAL_EPOCH, gmst_deg, require_aware, round_to_tle_epoch, skyfield_time
from .pattern import pattern_advance, pattern_period_s
from .slot import CATALOGUE_NUMBER_BASE, NominalSlot, make_slot

# Galileo OS SDD issue 1.1, Tables 1 and 23: Walker 24/3/1, a = 29 599.801 km, i = 56°, plane A
# node 317.632° and first slot mean anomaly 180.153° at 2016-11-21 00:00 UTC; 17 revolutions in
# 10 sidereal days. The node is read as an inertial (TEME-like) RAAN at that epoch and turned
# into an Earth-fixed longitude with the GMST of that epoch.
_GALILEO_SOURCE = "Galileo OS SDD issue 1.1, Tables 1 and 23, reference 2016-11-21 00:00 UTC"
_GALILEO_REFERENCE = datetime(2016, 11, 21, 0, 0, 0, tzinfo=UTC)
_GALILEO_INCLINATION_DEG = 56.0
_GALILEO_SEMI_MAJOR_AXIS_KM = 29599.801
_GALILEO_RAAN_A_DEG = 317.632
_GALILEO_MEAN_ANOMALY_A1_DEG = 180.153
_GALILEO_REPEAT = (17, 10)


def galileo_slots(epoch: datetime = NOMINAL_EPOCH) -> list[NominalSlot]:
    """Return the 24 Galileo nominal slots (Walker 24/3/1 of the OS SDD) at ``epoch``.

    Plane p = 0, 1, 2 (A, B, C) has RAAN 317.632° + 120° p and slot s = 1 … 8 mean anomaly
    180.153° + 45° (s − 1) + 15° p at 2016-11-21 00:00 UTC (Walker phasing f = 1: each plane
    15° ahead of the previous one); the RAAN becomes an Earth-fixed longitude with the GMST of
    that epoch, then advances along the 17-revolution / 10-sidereal-day repeat.

    Parameters
    ----------
    epoch : datetime
        Timezone-aware element epoch; default :data:`NOMINAL_EPOCH`.

    Returns
    -------
    list of NominalSlot
        Slots A01 … C08, names ``GALILEO NOMINAL A01`` …, catalogue numbers 90301–90324.

    Raises
    ------
    TimeInputError
        If ``epoch`` is naive.

    Examples
    --------
    >>> slots = galileo_slots()
    >>> slots[8].name, round((slots[8].raan_deg - slots[0].raan_deg) % 360, 4)
    ('GALILEO NOMINAL B01', 120.0)
    """
    epoch = round_to_tle_epoch(require_aware(epoch))
    t_epoch = skyfield_time(epoch)
    gmst_epoch = gmst_deg(epoch)
    t_ref = skyfield_time(_GALILEO_REFERENCE)
    gmst_ref = gmst_deg(_GALILEO_REFERENCE)
    slots = []
    for plane, letter in enumerate("ABC"):
        for s in range(1, 9):
            node, u = pattern_advance(
                _GALILEO_RAAN_A_DEG + 120.0 * plane - gmst_ref,
                _GALILEO_MEAN_ANOMALY_A1_DEG + 45.0 * (s - 1) + 15.0 * plane,
                t_ref,
                t_epoch,
                _GALILEO_REPEAT,
                _GALILEO_INCLINATION_DEG,
            )
            slots.append(
                make_slot(
                    epoch=epoch,
                    gmst_epoch_deg=gmst_epoch,
                    system="GALILEO",
                    name=f"GALILEO NOMINAL {letter}{s:02d}",
                    satnum=CATALOGUE_NUMBER_BASE + 301 + 8 * plane + (s - 1),
                    orbit_class="MEO",
                    inclination_deg=_GALILEO_INCLINATION_DEG,
                    node_longitude_deg=node,
                    argument_of_latitude_deg=u,
                    repeat=_GALILEO_REPEAT,
                    nominal_semi_major_axis_km=_GALILEO_SEMI_MAJOR_AXIS_KM,
                    source=_GALILEO_SOURCE,
                    reference_epoch=_GALILEO_REFERENCE,
                    pattern_period_s=pattern_period_s(*_GALILEO_REPEAT, _GALILEO_INCLINATION_DEG),
                )
            )
    return slots
