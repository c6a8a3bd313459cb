"""The 30 BeiDou-3 slots of BDS-OS-PS-3.0 (2021) §4.1: 24 MEO, 3 GEO, 3 IGSO.

The standard gives no MEO phase and no IGSO nodes: they come from the phase anchors of
:mod:`gnss.elements.nominal.anchors` (real satellites of a CelesTrak set). Each orbit class is
one step: :func:`beidou3_slots` places the epoch once and joins the three.
"""

from __future__ import annotations

from datetime import datetime

from gnss.constants import CGCS2000_A_KM

from .anchors import BEIDOU3_IGSO_ANCHOR, BEIDOU3_MEO_ANCHOR, anchor_node_and_u
from .epochs import NOMINAL_EPOCH, gmst_deg, require_aware, round_to_tle_epoch, skyfield_time
from .pattern import pattern_advance, pattern_period_s
from .slot import CATALOGUE_NUMBER_BASE, NominalSlot, make_slot

# BeiDou-3, BDS-OS-PS-3.0 (2021) §4.1: 24 MEO in Walker 24/3/1 at altitude 21 528 km, i = 55°;
# 3 GEO over 80° E, 110.5° E, 140° E; 3 IGSO at 35 786 km, i = 55°. Altitudes are taken over the
# CGCS2000 equatorial radius 6 378.137 km. Repeats: MEO 13 revolutions in 7 sidereal days,
# GEO/IGSO 1 in 1.
_BEIDOU_SOURCE = "BDS-OS-PS-3.0 (2021) sec. 4.1"
_CGCS2000_RADIUS_KM = CGCS2000_A_KM
_BEIDOU_MEO_INCLINATION_DEG = 55.0
_BEIDOU_MEO_SEMI_MAJOR_AXIS_KM = _CGCS2000_RADIUS_KM + 21528.0
_BEIDOU_MEO_REPEAT = (13, 7)
_BEIDOU_GEO_LONGITUDES_DEG = (80.0, 110.5, 140.0)
_BEIDOU_GEO_INCLINATION_DEG = 0.0  # SGP4/SDP4 handle i = 0 exactly (Lyddane branch, no 1/sin i)
_BEIDOU_IGSO_INCLINATION_DEG = 55.0
_BEIDOU_IGSO_CROSSING_LONGITUDE_DEG = 118.0  # not in the standard: BDS IGSO practice (GUIDE §4)
_BEIDOU_GEOSYNC_SEMI_MAJOR_AXIS_KM = _CGCS2000_RADIUS_KM + 35786.0
_BEIDOU_GEOSYNC_REPEAT = (1, 1)


def beidou3_slots(epoch: datetime = NOMINAL_EPOCH) -> list[NominalSlot]:
    """Return the 30 BeiDou-3 slots (24 MEO, 3 GEO, 3 IGSO) of BDS-OS-PS-3.0 at ``epoch``.

    * MEO: Walker 24/3/1 at 21 528 km, i = 55°, 13 revolutions in 7 sidereal days. The standard
      gives no phase: plane A slot M01 takes the node longitude and argument of latitude of
      :data:`BEIDOU3_MEO_ANCHOR`; plane p has node + 120° p, slot s argument of latitude
      + 45° (s − 1) + 15° p.
    * GEO: i = 0 over 80° E, 110.5° E, 140° E (RAAN 0, mean anomaly = longitude + GMST).
    * IGSO: geosynchronous, i = 55°, one figure-8 track crossing the equator at 118° E: IGSO k
      (k = 0, 1, 2) at node longitude + 120° k and argument of latitude − 120° k, phased by
      :data:`BEIDOU3_IGSO_ANCHOR`.

    Parameters
    ----------
    epoch : datetime
        Timezone-aware element epoch; default :data:`NOMINAL_EPOCH`.

    Returns
    -------
    list of NominalSlot
        ``BEIDOU-3 NOMINAL M01`` … ``M24`` (catalogue 90101–90124), ``GEO1`` … ``GEO3``
        (90125–90127), ``IGSO1`` … ``IGSO3`` (90128–90130).

    Raises
    ------
    TimeInputError
        If ``epoch`` is naive.

    Examples
    --------
    >>> slots = beidou3_slots()
    >>> len(slots), slots[24].name, slots[24].inclination_deg
    (30, 'BEIDOU-3 NOMINAL GEO1', 0.0)
    """
    epoch = round_to_tle_epoch(require_aware(epoch))
    t_epoch = skyfield_time(epoch)
    gmst_epoch = gmst_deg(epoch)
    first = CATALOGUE_NUMBER_BASE + 101
    meo = _meo_slots(epoch, t_epoch, gmst_epoch, first)
    geo = _geo_slots(epoch, gmst_epoch, first + len(meo))
    igso = _igso_slots(epoch, t_epoch, gmst_epoch, first + len(meo) + len(geo))
    return meo + geo + igso


def _meo_slots(epoch: datetime, t_epoch, gmst_epoch: float, first_satnum: int) -> list[NominalSlot]:
    """Build the 24 MEO slots M01 … M24, Walker 24/3/1 phased by the MEO anchor."""
    t_meo, node_a, u_a1 = anchor_node_and_u(BEIDOU3_MEO_ANCHOR)
    meo_source = (
        f"{_BEIDOU_SOURCE}; MEO phase from {BEIDOU3_MEO_ANCHOR.satellite} "
        f"NORAD {BEIDOU3_MEO_ANCHOR.norad_id} TLE epoch {BEIDOU3_MEO_ANCHOR.tle_epoch}"
    )
    slots = []
    for plane in range(3):
        for s in range(1, 9):
            node, u = pattern_advance(
                node_a + 120.0 * plane,
                u_a1 + 45.0 * (s - 1) + 15.0 * plane,
                t_meo,
                t_epoch,
                _BEIDOU_MEO_REPEAT,
                _BEIDOU_MEO_INCLINATION_DEG,
            )
            slots.append(
                make_slot(
                    epoch=epoch,
                    gmst_epoch_deg=gmst_epoch,
                    system="BEIDOU",
                    name=f"BEIDOU-3 NOMINAL M{8 * plane + s:02d}",
                    satnum=first_satnum + len(slots),
                    orbit_class="MEO",
                    inclination_deg=_BEIDOU_MEO_INCLINATION_DEG,
                    node_longitude_deg=node,
                    argument_of_latitude_deg=u,
                    repeat=_BEIDOU_MEO_REPEAT,
                    nominal_semi_major_axis_km=_BEIDOU_MEO_SEMI_MAJOR_AXIS_KM,
                    source=meo_source,
                    reference_epoch=t_meo.utc_datetime(),
                    pattern_period_s=pattern_period_s(
                        *_BEIDOU_MEO_REPEAT, _BEIDOU_MEO_INCLINATION_DEG
                    ),
                )
            )
    return slots


def _geo_slots(epoch: datetime, gmst_epoch: float, first_satnum: int) -> list[NominalSlot]:
    """Build the 3 GEO slots GEO1 … GEO3 over 80° E, 110.5° E and 140° E."""
    slots = []
    for k, longitude_deg in enumerate(_BEIDOU_GEO_LONGITUDES_DEG):
        # i = 0: the node is undefined, so RAAN = 0 and the mean anomaly carries the longitude.
        slots.append(
            make_slot(
                epoch=epoch,
                gmst_epoch_deg=gmst_epoch,
                system="BEIDOU",
                name=f"BEIDOU-3 NOMINAL GEO{k + 1}",
                satnum=first_satnum + k,
                orbit_class="GEO",
                inclination_deg=_BEIDOU_GEO_INCLINATION_DEG,
                node_longitude_deg=-gmst_epoch,
                argument_of_latitude_deg=longitude_deg + gmst_epoch,
                repeat=_BEIDOU_GEOSYNC_REPEAT,
                nominal_semi_major_axis_km=_BEIDOU_GEOSYNC_SEMI_MAJOR_AXIS_KM,
                source=f"{_BEIDOU_SOURCE}; GEO over {longitude_deg:g} deg E",
            )
        )
    return slots


def _igso_slots(
    epoch: datetime, t_epoch, gmst_epoch: float, first_satnum: int
) -> list[NominalSlot]:
    """Build the 3 IGSO slots IGSO1 … IGSO3 on one figure-8 track phased by the IGSO anchor."""
    t_igso, _, u_igso = anchor_node_and_u(BEIDOU3_IGSO_ANCHOR)
    # For a 1:1 repeat λ_Ω + u is the Earth-fixed longitude of the ascending-node crossing;
    # keep the anchor's u (its time since the node) and put the crossing at 118° E.
    node_igso = _BEIDOU_IGSO_CROSSING_LONGITUDE_DEG - u_igso
    igso_source = (
        f"{_BEIDOU_SOURCE}; IGSO crossing 118 deg E, phase from "
        f"{BEIDOU3_IGSO_ANCHOR.satellite} NORAD {BEIDOU3_IGSO_ANCHOR.norad_id} "
        f"TLE epoch {BEIDOU3_IGSO_ANCHOR.tle_epoch}"
    )
    slots = []
    for k in range(3):
        node, u = pattern_advance(
            node_igso + 120.0 * k,
            u_igso - 120.0 * k,
            t_igso,
            t_epoch,
            _BEIDOU_GEOSYNC_REPEAT,
            _BEIDOU_IGSO_INCLINATION_DEG,
        )
        slots.append(
            make_slot(
                epoch=epoch,
                gmst_epoch_deg=gmst_epoch,
                system="BEIDOU",
                name=f"BEIDOU-3 NOMINAL IGSO{k + 1}",
                satnum=first_satnum + k,
                orbit_class="IGSO",
                inclination_deg=_BEIDOU_IGSO_INCLINATION_DEG,
                node_longitude_deg=node,
                argument_of_latitude_deg=u,
                repeat=_BEIDOU_GEOSYNC_REPEAT,
                nominal_semi_major_axis_km=_BEIDOU_GEOSYNC_SEMI_MAJOR_AXIS_KM,
                source=igso_source,
                reference_epoch=t_igso.utc_datetime(),
                pattern_period_s=pattern_period_s(
                    *_BEIDOU_GEOSYNC_REPEAT, _BEIDOU_IGSO_INCLINATION_DEG
                ),
            )
        )
    return slots
