"""Phase anchors: mean elements of real satellites that fix phases the standards leave open.

BDS-OS-PS-3.0 gives neither the BeiDou-3 MEO phase nor the IGSO nodes; these records hold the
numbers read once, by hand, from a CelesTrak element set, and :func:`anchor_node_and_u` turns
one into the Earth-fixed node longitude and argument of latitude at its TLE epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

from .epochs import time_of_tle_epoch


@dataclass(frozen=True)
class ElementAnchor:
    """Mean elements of one real satellite, used to fix a phase the standards leave open.

    Attributes
    ----------
    satellite, norad_id, source : str, int, str
        Name line, catalogue number and file the numbers were read from (once, by hand).
    tle_epoch : str
        The TLE epoch field ``YYDDD.DDDDDDDD`` (UTC).
    raan_deg, argument_of_perigee_deg, mean_anomaly_deg : float
        Line-2 values, degrees (TEME).
    """

    satellite: str
    norad_id: int
    source: str
    tle_epoch: str
    raan_deg: float
    argument_of_perigee_deg: float
    mean_anomaly_deg: float


_ANCHOR_SOURCE = (
    "shared/data/tle/gnss_2026-10-06.tle (CelesTrak GROUP=gnss, mirrored by "
    "Onslaught-wave/navigation-almanac; see shared/data/PROVENANCE.md)"
)

#: BeiDou-3 MEO phase: plane A slot M01 takes the Earth-fixed node longitude and the argument of
#: latitude of BEIDOU-3 M1 (C19), NORAD 43001, at its TLE epoch 2026-10-05 17:53:59 UTC
#: (line 2: ``2 43001  56.7938  59.4504 0007253 317.9935  41.9518  1.86230783 60663``). That gives
#: λ_Ω ≈ 136.53° and u ≈ 359.95°. The other real MEO planes lie at +119° and +237° with
#: u ≡ +15° and +30° (mod 45°), i.e. the Walker 24/3/1 pattern used here.
BEIDOU3_MEO_ANCHOR = ElementAnchor(
    satellite="BEIDOU-3 M1 (C19)",
    norad_id=43001,
    source=_ANCHOR_SOURCE,
    tle_epoch="26278.74582242",
    raan_deg=59.4504,
    argument_of_perigee_deg=317.9935,
    mean_anomaly_deg=41.9518,
)

#: BeiDou-3 IGSO phase: IGSO1 crosses its ascending node (at 118° E) at the same times as
#: BEIDOU-3 IGSO-1 (C38), NORAD 44204, TLE epoch 2026-10-05 16:09:49 UTC (line 2:
#: ``2 44204  58.8520  36.5213 0028416 224.6549 113.3564  1.00259131  8314``), whose own crossing
#: is at about 117.7° E; C39 and C40 follow at RAAN +120°, u −120°, crossing near 119.5° and
#: 117.8° E, the single figure-8 track used here.
BEIDOU3_IGSO_ANCHOR = ElementAnchor(
    satellite="BEIDOU-3 IGSO-1 (C38)",
    norad_id=44204,
    source=_ANCHOR_SOURCE,
    tle_epoch="26278.67349380",
    raan_deg=36.5213,
    argument_of_perigee_deg=224.6549,
    mean_anomaly_deg=113.3564,
)


def anchor_node_and_u(anchor: ElementAnchor):
    """Skyfield time, Earth-fixed node longitude and argument of latitude of an anchor.

    Parameters
    ----------
    anchor : ElementAnchor
        Mean elements of a real satellite.

    Returns
    -------
    tuple
        ``(time, node_longitude_deg, argument_of_latitude_deg)``: the skyfield ``Time`` of the
        TLE epoch, ``RAAN − GMST`` and ``ω + M``, both degrees in [0, 360).

    Examples
    --------
    >>> t, node, u = anchor_node_and_u(BEIDOU3_MEO_ANCHOR)
    >>> round(node, 2), round(u, 2)
    (136.53, 359.95)
    """
    t = time_of_tle_epoch(anchor.tle_epoch)
    node = (anchor.raan_deg - float(t.gmst) * 15.0) % 360.0
    u = (anchor.argument_of_perigee_deg + anchor.mean_anomaly_deg) % 360.0
    return t, node, u
