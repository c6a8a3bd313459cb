"""Nominal GLONASS, BeiDou-3, GPS and Galileo constellations from their interface documents.

Every number below comes from the constellation facts table, ``shared/GUIDE.md`` §4, which quotes
the documents (GLONASS ICD ed. 5.1, BDS-OS-PS-3.0, GPS SPS PS 5th ed., Galileo OS SDD 1.1).
Slots are written as SGP4 mean elements (3-line TLE) at one common element epoch,
:data:`NOMINAL_EPOCH`.

How a slot is placed at an epoch
--------------------------------
Each document gives the geometry at its own reference epoch (1983 for GLONASS, 2016 for GPS and
Galileo). The nominal geometry is a pattern fixed to the rotating Earth that repeats after a
whole number of revolutions ``n_rev`` in ``n_sidereal_days`` (GLONASS 17 in 8, Galileo 17 in 10,
GPS 2 in 1, BeiDou MEO 13 in 7, GEO and IGSO 1 in 1). So a slot is described by its Earth-fixed
node longitude ``λ_Ω = RAAN − GMST`` and its argument of latitude ``u``, and only the elapsed time
modulo the repeat period ``P`` matters::

    Δt' = (epoch − reference) mod P
    λ_Ω(epoch) = λ_Ω(reference) − 2π n_sidereal_days Δt' / P     (dλ_Ω/dt = Ω̇ − ω)
    u(epoch)   = u(reference)   + 2π n_rev Δt' / P               (du/dt  = Ṁ + ω̇)
    RAAN(epoch) = λ_Ω(epoch) + GMST(epoch)                        (TEME → Earth-fixed is GMST)

SGP4 is never run over the decades between reference and epoch.

Conventions chosen here (read these before relying on the phases)
-----------------------------------------------------------------
* **Earth rate.** ``ω`` is the rate of GMST, :data:`GMST_RATE_RAD_PER_S` (IAU 1982 GMST,
  7.2921158553e-5 rad/s), not the WGS84 inertial rate 7.2921151467e-5 rad/s. TEME → ITRS (SGP4's
  own convention, skyfield's ``TEME`` frame) rotates by GMST, whose x-axis follows the precessing
  equinox, so the Earth-fixed ground track repeats exactly only with the GMST rate; the WGS84 rate
  would leave about 0.1 km of drift per GLONASS repeat and shifts the GPS mean motion by
  2e-7 rev/day (visible in the TLE's 8 decimals).
* **Pattern clock.** The repeat period ``P`` that advances the pattern from the reference epoch is
  the same for every slot of a system, so the constellation stays a rigid pattern: SGP4's zonal
  (J2, J4) secular rates plus the SDP4 lunisolar secular rates averaged over the node and over
  one 18.6-year lunar-node cycle (see ``_pattern_period_s``). Without the lunisolar part the real
  GPS and Galileo satellites of 2026 run about 20 min ahead of their nominal slots; with it the
  Galileo satellites sit within 0.8° of node and 4° of argument of latitude of their slots.
  Mind how sensitive the phase is over decades: GLONASS is about 1 970 repeat periods after 1983,
  so 1 s of difference in ``P`` moves every slot along its ground track by about half an hour
  (u by about 16°); nothing in the ICD fixes ``P`` that well (the real GLONASS satellites are
  about 14 min behind this clock). The ground tracks themselves do not depend on ``P``.
* **Mean motion of each slot.** Each slot's Kozai mean motion is then solved so that its ground
  track repeats exactly in SGP4/SDP4's secular theory *from the epoch on*: zonal rates
  (``mdot``, ``argpdot``, ``nodedot`` from ``sgp4init``) plus the SDP4 lunisolar secular rates
  (``dmdt``, ``domdt``, ``dnodt``, which depend on the epoch and on the plane's RAAN). The
  compiled :class:`sgp4.api.Satrec` does not expose the lunisolar rates; the pure-Python port
  :class:`sgp4.model.Satrec` runs the same code and does. So planes of one system differ in mean
  motion by up to 2e-5 rev/day; without the lunisolar terms the ground track would drift along
  track by up to 12 km per GLONASS repeat (27 km per Galileo repeat). The solved value is rounded
  to the TLE's 1e-8 rev/day, and all angles to the TLE's 1e-4 degree, so each record equals what
  a TLE reader gets back.
* **Semi-major axis.** The resulting SGP4 (Brouwer mean, WGS72) semi-major axis is what the
  repeat condition implies, not the quoted value; each record carries both
  (``semi_major_axis_km``, ``nominal_semi_major_axis_km``). GPS, Galileo, BeiDou MEO and GEO/IGSO
  come out within 2 km of the quoted values; GLONASS comes out about 29.5 km above
  6 378.136 + 19 100 km, because the ICD's 19 100 km is a rounded figure: 17 revolutions in
  8 sidereal days (the ICD's draconic period 11 h 15 min 44 s) need a ≈ 25 508 km, i.e. the
  19 130 km altitude usually quoted for GLONASS.
* **Elements.** Circular (e = 0 works in SGP4), argument of perigee 0, mean anomaly = argument of
  latitude, BSTAR 0, ndot 0, WGS72 constants (as every TLE), catalogue numbers in a private block
  (:data:`CATALOGUE_NUMBER_BASE`): GLONASS 90001–90024, BeiDou 90101–90130, GPS 90201–90224,
  Galileo 90301–90324.
* **GLONASS node longitude.** GUIDE §4 calls 251°15′00″ + 120°(i − 1) a *Greenwich* longitude;
  the ICD's term is the *absolute* longitude of the node, which in Russian usage is measured in
  the inertial frame. Read as inertial (right ascension at 1983-01-01 00:00 MSK, so Greenwich
  longitude = that − GMST, GMST = 54.96°), the nominal slots reproduce the real constellation: on
  the CelesTrak set of 2026-02-11 the nearest nominal slot of each GLONASS satellite is its
  published slot (e.g. COSMOS 2456 / GLONASS-M 730 → slot 1, 2485 / 747 → 2, 2476 / 744 → 3), the
  planes agree within 7° of node longitude, and the satellites' equator crossings scatter
  around the nominal ground track (median 0.5° off; the same on the set of 2026-10-06). Read as
  Greenwich, the planes come out 52° off, the slot numbers are permuted and the ground track is
  8° off. So the inertial reading is the default;
  ``glonass_slots(..., icd_node_is_greenwich=True)`` gives the literal GUIDE reading.
* **Walker convention** (Galileo, BeiDou MEO, GLONASS by its own formula): planes 120° apart in
  RAAN, 8 slots 45° apart in argument of latitude, and for phasing f = 1 the slot of plane p + 1
  (RAAN 120° further east) is 15° ahead of the slot of plane p. The real BeiDou-3 MEO satellites
  (CelesTrak, 2026-10-05) follow exactly this sign: planes at +120° and +240° sit at
  u ≡ +15° and +30° (mod 45°) from the first.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sgp4.api import Satrec
from sgp4.exporter import export_tle
from sgp4.model import Satrec as _PythonSatrec

from gnss.constants import (
    CGCS2000_A_KM,
    GMST_RATE_RAD_PER_S,
    PZ90_A_KM,
    SGP4_GRAVITY_MODEL,
    WGS84_EARTH_ROTATION_RATE_RAD_PER_S,
)
from gnss.errors import OutputError, ParameterError, TimeInputError
from gnss.io import atomic_write

__all__ = [
    "BEIDOU3_IGSO_ANCHOR",
    "BEIDOU3_MEO_ANCHOR",
    "CATALOGUE_NUMBER_BASE",
    "GMST_RATE_RAD_PER_S",
    "NOMINAL_EPOCH",
    "NOMINAL_SYSTEMS",
    "WGS84_EARTH_ROTATION_RATE_RAD_PER_S",
    "ElementAnchor",
    "NominalSlot",
    "advance_along_repeat_deg",
    "beidou3_slots",
    "galileo_slots",
    "glonass_slots",
    "gmst_deg",
    "gps_slots",
    "repeat_mean_motion_rad_per_min",
    "repeat_period_s",
    "secular_rates_rad_per_min",
    "slot_satrec",
    "tle_lines",
    "write_nominal_tle_files",
    "write_tle",
]

#: Element epoch of every shipped nominal set, and the fixed default analysis start for nominal
#: constellations: 2026-01-01T00:00:00Z.
NOMINAL_EPOCH = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)

# GMST_RATE_RAD_PER_S (IAU 1982 GMST, the model of SGP4's TEME → PEF rotation) and
# WGS84_EARTH_ROTATION_RATE_RAD_PER_S (kept for reference and comparison only; see the module
# notes for why the GMST rate is used for ground-track repeats) come from gnss.constants.

#: First catalogue number of the private block; system k uses BASE + 100 k + 1 ...
CATALOGUE_NUMBER_BASE = 90000

# SGP4 conversions, written exactly as sgp4's twoline2rv does them so that a record and the
# satellite read back from its TLE are the same bits.
_DEG2RAD = math.pi / 180.0
_XPDOTP = 1440.0 / (2.0 * math.pi)  # (rev/day) / (rad/min)
_SGP4_EPOCH_ORIGIN = datetime(1949, 12, 31, 0, 0, 0, tzinfo=UTC)  # sgp4init "epoch" origin
_TLE_ANGLE_DECIMALS = 4  # TLE line 2 angles, degrees
_TLE_MEAN_MOTION_DECIMALS = 8  # TLE line 2 mean motion, rev/day
_GMST_RATE_RAD_PER_MIN = GMST_RATE_RAD_PER_S * 60.0

# --- Document values (GUIDE §4) ---------------------------------------------------------------

# GLONASS ICD ed. 5.1 (2008): 3 planes x 8 slots, altitude 19 100 km over the PZ-90 equatorial
# radius 6 378.136 km, inclination 64.8°, 17 revolutions in 8 sidereal days (draconic period
# 11 h 15 min 44 s). Plane i node at (absolute, see the module notes) longitude
# 251°15'00" + 120°(i - 1); slot j at argument of latitude
# 145°26'37" + 15°(27 - 3j + 25 floor((j - 1)/8)); both at 1983-01-01 00:00 Moscow time (UTC+3).
_GLONASS_SOURCE = "GLONASS ICD ed. 5.1 (2008), reference 1983-01-01 00:00 MSK"
_GLONASS_REFERENCE = datetime(1982, 12, 31, 21, 0, 0, tzinfo=UTC)
_GLONASS_INCLINATION_DEG = 64.8
_GLONASS_SEMI_MAJOR_AXIS_KM = PZ90_A_KM + 19100.0  # PZ-90 radius + altitude
_GLONASS_NODE_DEG = 251.0 + 15.0 / 60.0  # 251°15'00"
_GLONASS_U_DEG = 145.0 + 26.0 / 60.0 + 37.0 / 3600.0  # 145°26'37"
_GLONASS_REPEAT = (17, 8)

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
        (same for all slots of a system; see the module notes), seconds; None for GEO.
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


# --- Time helpers -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _timescale():
    """Skyfield's built-in timescale (offline, no IERS download)."""
    from skyfield.api import load

    return load.timescale(builtin=True)


def _require_aware(when: object, what: str = "epoch") -> datetime:
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


def _tle_epoch(epoch: datetime) -> datetime:
    """Round a UTC epoch to the TLE epoch field's resolution (1e-8 day, 0.864 ms)."""
    year_start = datetime(epoch.year, 1, 1, tzinfo=UTC)
    day_fraction = (epoch - year_start).total_seconds() / 86400.0
    return year_start + timedelta(days=round(day_fraction, 8))


def _time(when: datetime):
    """Skyfield ``Time`` of an aware datetime."""
    return _timescale().from_datetime(when)


def _time_of_tle_epoch(field: str):
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
    when = _require_aware(when, "when")
    return float(_time(when).gmst * 15.0) % 360.0


def _elapsed_s(later, earlier) -> float:
    """SI seconds between two skyfield Times (TT difference, so leap seconds count)."""
    return (later - earlier) * 86400.0


# --- SGP4 secular theory ------------------------------------------------------------------------


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


def _sgp4_epoch_days(epoch: datetime) -> float:
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
        epoch_days = _sgp4_epoch_days(NOMINAL_EPOCH)
    else:
        satrec = _PythonSatrec()
        epoch_days = _sgp4_epoch_days(_require_aware(epoch))
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
        inclination_deg * _DEG2RAD,
        0.0,
        mean_motion_rad_per_min,
        (raan_deg % 360.0) * _DEG2RAD,
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
        epoch = _require_aware(epoch)
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


def advance_along_repeat_deg(
    node_longitude_deg: float,
    argument_of_latitude_deg: float,
    elapsed_s: float,
    n_rev: int,
    n_sidereal_days: int,
    period_s: float,
) -> tuple[float, float]:
    """Move an Earth-fixed slot along its repeating ground track.

    Only ``elapsed_s mod period_s`` is used, so decades cost nothing and lose no precision.

    Parameters
    ----------
    node_longitude_deg, argument_of_latitude_deg : float
        Earth-fixed node longitude ``λ_Ω`` and argument of latitude ``u`` at the start, degrees.
    elapsed_s : float
        Time to advance, seconds (negative goes back).
    n_rev, n_sidereal_days : int
        Revolutions and sidereal days per repeat.
    period_s : float
        Repeat period, seconds (e.g. from :func:`repeat_period_s`).

    Returns
    -------
    tuple of float
        ``(node_longitude_deg, argument_of_latitude_deg)`` after ``elapsed_s``, in [0, 360).

    Examples
    --------
    >>> advance_along_repeat_deg(10.0, 20.0, 0.25 * 86400.0, 1, 1, 86400.0)
    (280.0, 110.0)
    """
    fraction = math.fmod(elapsed_s, period_s) / period_s
    if fraction < 0.0:
        fraction += 1.0
    node = (node_longitude_deg - 360.0 * n_sidereal_days * fraction) % 360.0
    u = (argument_of_latitude_deg + 360.0 * n_rev * fraction) % 360.0
    return node, u


# --- Slot records ---------------------------------------------------------------------------


def _round_angle_deg(value_deg: float) -> float:
    """Angle in [0, 360) rounded to the TLE's 1e-4 degree (360.0000 becomes 0)."""
    return round(value_deg % 360.0, _TLE_ANGLE_DECIMALS) % 360.0


def _make_slot(
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
    n_rev_per_day = round(n_rad * _XPDOTP, _TLE_MEAN_MOTION_DECIMALS)
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
            mean_motion_rad_per_min=n_rev_per_day / _XPDOTP,
        ),
        reference_epoch=reference_epoch,
        pattern_period_s=pattern_period_s,
        source=source,
    )
    satrec = slot_satrec(slot)
    return replace(slot, semi_major_axis_km=satrec.a * satrec.radiusearthkm)


# Lunisolar rates of the pattern clock are averaged over these RAANs (degrees) and over the
# 1 January of 2000 … 2018, one 18.6-year cycle of the lunar node, so the clock does not depend on
# the analysis epoch.
_PATTERN_RAANS_DEG = tuple(float(r) for r in range(0, 360, 30))
_PATTERN_EPOCHS = tuple(datetime(year, 1, 1, tzinfo=UTC) for year in range(2000, 2019))


@lru_cache(maxsize=32)
def _pattern_period_s(n_rev: int, n_sidereal_days: int, inclination_deg: float) -> float:
    """Repeat period that advances a system's pattern from its reference epoch, seconds.

    SGP4's zonal secular rates plus the SDP4 lunisolar secular rates averaged over node
    (:data:`_PATTERN_RAANS_DEG`) and over a lunar-node cycle (:data:`_PATTERN_EPOCHS`). The
    lunisolar node regression shortens the period by about 0.33 s per sidereal day for GPS,
    3.6 s per Galileo repeat and 1.8 s per GLONASS repeat; with it, the real GPS and Galileo
    satellites of 2026 sit on their nominal slots, without it they are about 20 min ahead.
    """
    periods = [
        repeat_period_s(n_rev, n_sidereal_days, inclination_deg, epoch=epoch, raan_deg=raan)
        for epoch in _PATTERN_EPOCHS
        for raan in _PATTERN_RAANS_DEG
    ]
    return math.fsum(periods) / len(periods)


def _pattern_advance(
    node_longitude_deg: float,
    argument_of_latitude_deg: float,
    reference_time,
    epoch_time,
    repeat: tuple[int, int],
    inclination_deg: float,
) -> tuple[float, float]:
    """Advance a reference slot to the epoch with the system's pattern repeat period."""
    period = _pattern_period_s(repeat[0], repeat[1], inclination_deg)
    return advance_along_repeat_deg(
        node_longitude_deg,
        argument_of_latitude_deg,
        _elapsed_s(epoch_time, reference_time),
        repeat[0],
        repeat[1],
        period,
    )


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
        as GUIDE §4 words it. The module notes give the evidence for the default.

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
    epoch = _tle_epoch(_require_aware(epoch))
    t_epoch = _time(epoch)
    gmst_epoch = gmst_deg(epoch)
    t_ref = _time(_GLONASS_REFERENCE)
    gmst_ref = 0.0 if icd_node_is_greenwich else gmst_deg(_GLONASS_REFERENCE)
    slots = []
    for j in range(1, 25):
        plane = (j - 1) // 8  # 0, 1, 2
        node_ref = _GLONASS_NODE_DEG + 120.0 * plane - gmst_ref
        u_ref = _GLONASS_U_DEG + 15.0 * (27 - 3 * j + 25 * plane)
        node, u = _pattern_advance(
            node_ref, u_ref, t_ref, t_epoch, _GLONASS_REPEAT, _GLONASS_INCLINATION_DEG
        )
        slots.append(
            _make_slot(
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
                pattern_period_s=_pattern_period_s(*_GLONASS_REPEAT, _GLONASS_INCLINATION_DEG),
            )
        )
    return slots


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
    epoch = _tle_epoch(_require_aware(epoch))
    t_epoch = _time(epoch)
    gmst_epoch = gmst_deg(epoch)
    t_ref = _time(_GPS_REFERENCE)
    slots = []
    for k, (slot_name, raan_j2000_deg, u_ref) in enumerate(_GPS_SLOTS):
        node, u = _pattern_advance(
            raan_j2000_deg - _GPS_GHA_DEG,
            u_ref,
            t_ref,
            t_epoch,
            _GPS_REPEAT,
            _GPS_INCLINATION_DEG,
        )
        slots.append(
            _make_slot(
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
                pattern_period_s=_pattern_period_s(*_GPS_REPEAT, _GPS_INCLINATION_DEG),
            )
        )
    return slots


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
    epoch = _tle_epoch(_require_aware(epoch))
    t_epoch = _time(epoch)
    gmst_epoch = gmst_deg(epoch)
    t_ref = _time(_GALILEO_REFERENCE)
    gmst_ref = gmst_deg(_GALILEO_REFERENCE)
    slots = []
    for plane, letter in enumerate("ABC"):
        for s in range(1, 9):
            node, u = _pattern_advance(
                _GALILEO_RAAN_A_DEG + 120.0 * plane - gmst_ref,
                _GALILEO_MEAN_ANOMALY_A1_DEG + 45.0 * (s - 1) + 15.0 * plane,
                t_ref,
                t_epoch,
                _GALILEO_REPEAT,
                _GALILEO_INCLINATION_DEG,
            )
            slots.append(
                _make_slot(
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
                    pattern_period_s=_pattern_period_s(*_GALILEO_REPEAT, _GALILEO_INCLINATION_DEG),
                )
            )
    return slots


def _anchor_node_and_u(anchor: ElementAnchor):
    """Skyfield time, Earth-fixed node longitude and argument of latitude of an anchor."""
    t = _time_of_tle_epoch(anchor.tle_epoch)
    node = (anchor.raan_deg - float(t.gmst) * 15.0) % 360.0
    u = (anchor.argument_of_perigee_deg + anchor.mean_anomaly_deg) % 360.0
    return t, node, u


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
    epoch = _tle_epoch(_require_aware(epoch))
    t_epoch = _time(epoch)
    gmst_epoch = gmst_deg(epoch)
    satnum = CATALOGUE_NUMBER_BASE + 100
    slots = []

    t_meo, node_a, u_a1 = _anchor_node_and_u(BEIDOU3_MEO_ANCHOR)
    meo_source = (
        f"{_BEIDOU_SOURCE}; MEO phase from {BEIDOU3_MEO_ANCHOR.satellite} "
        f"NORAD {BEIDOU3_MEO_ANCHOR.norad_id} TLE epoch {BEIDOU3_MEO_ANCHOR.tle_epoch}"
    )
    for plane in range(3):
        for s in range(1, 9):
            node, u = _pattern_advance(
                node_a + 120.0 * plane,
                u_a1 + 45.0 * (s - 1) + 15.0 * plane,
                t_meo,
                t_epoch,
                _BEIDOU_MEO_REPEAT,
                _BEIDOU_MEO_INCLINATION_DEG,
            )
            satnum += 1
            slots.append(
                _make_slot(
                    epoch=epoch,
                    gmst_epoch_deg=gmst_epoch,
                    system="BEIDOU",
                    name=f"BEIDOU-3 NOMINAL M{8 * plane + s:02d}",
                    satnum=satnum,
                    orbit_class="MEO",
                    inclination_deg=_BEIDOU_MEO_INCLINATION_DEG,
                    node_longitude_deg=node,
                    argument_of_latitude_deg=u,
                    repeat=_BEIDOU_MEO_REPEAT,
                    nominal_semi_major_axis_km=_BEIDOU_MEO_SEMI_MAJOR_AXIS_KM,
                    source=meo_source,
                    reference_epoch=t_meo.utc_datetime(),
                    pattern_period_s=_pattern_period_s(
                        *_BEIDOU_MEO_REPEAT, _BEIDOU_MEO_INCLINATION_DEG
                    ),
                )
            )

    for k, longitude_deg in enumerate(_BEIDOU_GEO_LONGITUDES_DEG):
        # i = 0: the node is undefined, so RAAN = 0 and the mean anomaly carries the longitude.
        satnum += 1
        slots.append(
            _make_slot(
                epoch=epoch,
                gmst_epoch_deg=gmst_epoch,
                system="BEIDOU",
                name=f"BEIDOU-3 NOMINAL GEO{k + 1}",
                satnum=satnum,
                orbit_class="GEO",
                inclination_deg=_BEIDOU_GEO_INCLINATION_DEG,
                node_longitude_deg=-gmst_epoch,
                argument_of_latitude_deg=longitude_deg + gmst_epoch,
                repeat=_BEIDOU_GEOSYNC_REPEAT,
                nominal_semi_major_axis_km=_BEIDOU_GEOSYNC_SEMI_MAJOR_AXIS_KM,
                source=f"{_BEIDOU_SOURCE}; GEO over {longitude_deg:g} deg E",
            )
        )

    t_igso, _, u_igso = _anchor_node_and_u(BEIDOU3_IGSO_ANCHOR)
    # For a 1:1 repeat λ_Ω + u is the Earth-fixed longitude of the ascending-node crossing;
    # keep the anchor's u (its time since the node) and put the crossing at 118° E.
    node_igso = _BEIDOU_IGSO_CROSSING_LONGITUDE_DEG - u_igso
    igso_source = (
        f"{_BEIDOU_SOURCE}; IGSO crossing 118 deg E, phase from "
        f"{BEIDOU3_IGSO_ANCHOR.satellite} NORAD {BEIDOU3_IGSO_ANCHOR.norad_id} "
        f"TLE epoch {BEIDOU3_IGSO_ANCHOR.tle_epoch}"
    )
    for k in range(3):
        node, u = _pattern_advance(
            node_igso + 120.0 * k,
            u_igso - 120.0 * k,
            t_igso,
            t_epoch,
            _BEIDOU_GEOSYNC_REPEAT,
            _BEIDOU_IGSO_INCLINATION_DEG,
        )
        satnum += 1
        slots.append(
            _make_slot(
                epoch=epoch,
                gmst_epoch_deg=gmst_epoch,
                system="BEIDOU",
                name=f"BEIDOU-3 NOMINAL IGSO{k + 1}",
                satnum=satnum,
                orbit_class="IGSO",
                inclination_deg=_BEIDOU_IGSO_INCLINATION_DEG,
                node_longitude_deg=node,
                argument_of_latitude_deg=u,
                repeat=_BEIDOU_GEOSYNC_REPEAT,
                nominal_semi_major_axis_km=_BEIDOU_GEOSYNC_SEMI_MAJOR_AXIS_KM,
                source=igso_source,
                reference_epoch=t_igso.utc_datetime(),
                pattern_period_s=_pattern_period_s(
                    *_BEIDOU_GEOSYNC_REPEAT, _BEIDOU_IGSO_INCLINATION_DEG
                ),
            )
        )
    return slots


#: Nominal set builders by file stem: ``tle/nominal_<key>.tle``.
NOMINAL_SYSTEMS: dict[str, Callable[[datetime], list[NominalSlot]]] = {
    "glonass": glonass_slots,
    "beidou": beidou3_slots,
    "gps": gps_slots,
    "galileo": galileo_slots,
}


# --- TLE output ---------------------------------------------------------------------------------


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
    >>> sat = slot_satrec(gps_slots()[0])
    >>> sat.error, round(sat.a * sat.radiusearthkm)
    (0, 26560)
    """
    epoch = _require_aware(slot.epoch, f"{slot.name}: epoch")
    satrec = Satrec()
    satrec.sgp4init(
        SGP4_GRAVITY_MODEL,
        "i",
        slot.satnum,
        _sgp4_epoch_days(epoch),
        0.0,  # BSTAR
        0.0,  # ndot
        0.0,  # nddot
        slot.eccentricity,
        0.0,  # argument of perigee
        slot.inclination_deg * _DEG2RAD,
        slot.argument_of_latitude_deg * _DEG2RAD,  # mean anomaly
        slot.mean_motion_rev_per_day / _XPDOTP,
        slot.raan_deg * _DEG2RAD,
    )
    if satrec.error:
        raise ParameterError(
            f"{slot.name}: sgp4init failed with SGP4 error {satrec.error}; expected 0; "
            "fix: check the slot's elements"
        )
    return satrec


def tle_lines(slot: NominalSlot) -> tuple[str, str]:
    """Line 1 and line 2 of a slot's TLE (checksums included).

    Parameters
    ----------
    slot : NominalSlot
        Record from one of the ``*_slots`` functions.

    Returns
    -------
    tuple of str
        The two 69-character element lines.

    Examples
    --------
    >>> line1, line2 = tle_lines(gps_slots()[0])
    >>> line1[:32]
    '1 90201U          26001.00000000'
    """
    line1, line2 = export_tle(slot_satrec(slot))
    return line1, line2


def write_tle(slots: Sequence[NominalSlot], path: str | os.PathLike) -> Path:
    """Write slots as a plain 3-line TLE file (name, line 1, line 2; LF line ends; no comments).

    The file is written to a temporary name in the same folder and renamed, so a failure never
    leaves a half-written file.

    Parameters
    ----------
    slots : sequence of NominalSlot
        Records to write, in order.
    path : str or PathLike
        Output file; its folder must exist. An existing file is replaced.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    OutputError
        If the folder does not exist or cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_tle(gps_slots(), pathlib.Path(d) / "gps.tle")
    ...     len(p.read_text().splitlines())
    72
    """
    path = Path(path)
    text = "".join(f"{s.name}\n{l1}\n{l2}\n" for s in slots for l1, l2 in [tle_lines(s)])
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(
            f"{path}: expected an existing folder {folder}, found none; fix: create it first"
        )
    try:
        atomic_write(path, lambda tmp: Path(tmp).write_text(text, "ascii", newline="\n"))
    except OSError as exc:
        raise OutputError(f"{path}: could not write ({exc}); fix: check permissions") from exc
    return path


def write_nominal_tle_files(
    out_dir: str | os.PathLike, epoch: datetime = NOMINAL_EPOCH
) -> dict[str, tuple[Path, list[NominalSlot]]]:
    """Write the four files ``nominal_<system>.tle`` (glonass, beidou, gps, galileo).

    Parameters
    ----------
    out_dir : str or PathLike
        Existing output folder.
    epoch : datetime
        Timezone-aware element epoch; default :data:`NOMINAL_EPOCH`.

    Returns
    -------
    dict
        ``{key: (path, slots)}`` for keys ``glonass``, ``beidou``, ``gps``, ``galileo``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(write_nominal_tle_files(d))
    ['beidou', 'galileo', 'glonass', 'gps']
    """
    epoch = _require_aware(epoch)
    written = {}
    for key, build in NOMINAL_SYSTEMS.items():
        slots = build(epoch)
        written[key] = (write_tle(slots, Path(out_dir) / f"nominal_{key}.tle"), slots)
    return written
