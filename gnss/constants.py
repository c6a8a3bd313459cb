"""Physical and geodetic constants: the one place each value is written, with its source.

Every module takes its constants from here (``tests/test_constants.py`` fails when a value
below is written out again elsewhere in the package). Values are in SI units unless the name
says otherwise (``_KM``, ``_KM3_S2``); kilometre forms are derived here, not retyped.

Which ellipsoid where:

* **WGS84** for the receiver grid, cell areas and the orbit bands of the classifier.
* **WGS72** for everything SGP4 touches: TLE/OMM mean elements are fitted with WGS72, so the
  semi-major axis implied by a TLE's mean motion uses WGS72's GM and radius.
* Each system's own constants (GM and rotation rate of its interface document) for the
  broadcast orbit algorithms of :mod:`gnss.orbits.broadcast`.

Examples
--------
>>> from gnss.constants import WGS84_A_M, WGS84_F
>>> round(WGS84_A_M * (1.0 - WGS84_F), 4)  # semi-minor axis, m
6356752.3142
"""

from __future__ import annotations

import math

from sgp4.api import WGS72 as _SGP4_WGS72

__all__ = [
    "BDS_EARTH_ROTATION_RATE_RAD_PER_S",
    "BDS_GM_M3_S2",
    "CGCS2000_A_KM",
    "CGCS2000_A_M",
    "GALILEO_GM_M3_S2",
    "GMST_RATE_RAD_PER_S",
    "GPS_GM_M3_S2",
    "PZ90_A_KM",
    "PZ90_A_M",
    "PZ90_EARTH_ROTATION_RATE_RAD_PER_S",
    "PZ90_GM_M3_S2",
    "PZ90_J2",
    "SGP4_GRAVITY_MODEL",
    "SPEED_OF_LIGHT_M_S",
    "WGS72_A_KM",
    "WGS72_GM_KM3_S2",
    "WGS84_A_KM",
    "WGS84_A_M",
    "WGS84_EARTH_ROTATION_RATE_RAD_PER_S",
    "WGS84_F",
    "WGS84_GM_KM3_S2",
    "WGS84_GM_M3_S2",
]

# --- WGS84 (NIMA TR8350.2, 3rd ed. amendment 1 (2000), Tables 3.1 and 3.3) -----------------
#: Semi-major axis (equatorial radius) of the WGS84 ellipsoid, m (defining parameter).
WGS84_A_M = 6378137.0
#: Flattening of the WGS84 ellipsoid (defining parameter 1/f = 298.257223563).
WGS84_F = 1.0 / 298.257223563
#: Earth's gravitational constant GM (atmosphere included), m^3/s^2 (defining parameter).
WGS84_GM_M3_S2 = 3.986004418e14
#: Nominal mean angular velocity of the Earth, rad/s (defining parameter; also the IERS
#: Conventions (2010) value, IS-GPS-200, the Galileo OS SIS ICD and PZ-90.11).
WGS84_EARTH_ROTATION_RATE_RAD_PER_S = 7.2921151467e-5
WGS84_A_KM = WGS84_A_M / 1000.0
WGS84_GM_KM3_S2 = WGS84_GM_M3_S2 / 1e9

# --- WGS72: the constants of SGP4 and of every TLE/OMM (Hoots & Roehrich 1980, Spacetrack
# Report No. 3; Vallado et al. 2006, AIAA 2006-6753; sgp4.earth_gravity.wgs72) --------------
#: Gravity model selector passed to ``Satrec.twoline2rv`` / ``sgp4init`` (WGS72, as every TLE).
SGP4_GRAVITY_MODEL = _SGP4_WGS72
#: WGS72 gravitational parameter, km^3/s^2 (the ``mu`` of sgp4's ``wgs72``).
WGS72_GM_KM3_S2 = 398600.8
#: WGS72 equatorial radius, km (the ``radiusearthkm`` of sgp4's ``wgs72``).
WGS72_A_KM = 6378.135

# --- Earth rotation in SGP4's frame --------------------------------------------------------
#: Rate of Greenwich mean sidereal time, rad per SI second: IAU 1982 GMST (Aoki et al. 1982,
#: the model of SGP4's TEME -> PEF rotation), 1.002737909350795 turns per UT1 day.
GMST_RATE_RAD_PER_S = 2.0 * math.pi * 1.002737909350795 / 86400.0

# --- Constants of the systems' interface documents ------------------------------------------
#: GM of the GPS broadcast algorithm, m^3/s^2 (IS-GPS-200, 20.3.3.4.3; also IS-QZSS-PNT).
GPS_GM_M3_S2 = 3.986005e14
#: GM of the Galileo broadcast algorithm, m^3/s^2 (Galileo OS SIS ICD issue 2.0, 5.1.1).
GALILEO_GM_M3_S2 = 3.986004418e14
#: CGCS2000 GM, m^3/s^2 (BDS-SIS-ICD-B1I 3.0, 5.2.4).
BDS_GM_M3_S2 = 3.986004418e14
#: CGCS2000 Earth rotation rate, rad/s (BDS-SIS-ICD-B1I 3.0, 5.2.4).
BDS_EARTH_ROTATION_RATE_RAD_PER_S = 7.2921150e-5
#: CGCS2000 semi-major axis, m (BDS-OS-PS-3.0 (2021); the same value as WGS84's).
CGCS2000_A_M = 6378137.0
CGCS2000_A_KM = CGCS2000_A_M / 1000.0
#: PZ-90.11 GM, m^3/s^2 (GLONASS ICD ed. 5.1 (2008), A.3.1.2).
PZ90_GM_M3_S2 = 398600.4418e9
#: PZ-90.11 semi-major axis, m (GLONASS ICD ed. 5.1 (2008), A.3.1.2).
PZ90_A_M = 6378136.0
PZ90_A_KM = PZ90_A_M / 1000.0
#: PZ-90.11 second zonal harmonic J2 = -C20 (GLONASS ICD ed. 5.1 (2008), A.3.1.2).
PZ90_J2 = 1082625.75e-9
#: PZ-90.11 Earth rotation rate, rad/s (GLONASS ICD ed. 5.1 (2008), A.3.1.2).
PZ90_EARTH_ROTATION_RATE_RAD_PER_S = 7.2921151467e-5

# --- Other ----------------------------------------------------------------------------------
#: Speed of light in vacuum, m/s (SI definition, exact); for SP3 clocks and navigation data.
SPEED_OF_LIGHT_M_S = 299792458.0
