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
  one 18.6-year lunar-node cycle (see :func:`.pattern.pattern_period_s`). Without the lunisolar
  part the real GPS and Galileo satellites of 2026 run about 20 min ahead of their nominal slots;
  with it the Galileo satellites sit within 0.8° of node and 4° of argument of latitude of their
  slots.
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

Modules
-------
``epochs`` (the common element epoch, skyfield times, GMST), ``secular`` (SGP4/SDP4 secular
rates, repeat mean motion and period), ``pattern`` (the pattern clock along the repeat),
``slot`` (the slot record and the common elements builder), one slot table per system
(``glonass``, ``gps``, ``galileo``, ``beidou`` with the phase ``anchors``), ``tle`` (TLE lines and
files) and ``systems`` (the builder of each system, :func:`write_nominal_tle_files`). This
package re-exports their public names; the shipped files are read by
:mod:`gnss.elements.nominal_files`.
"""

from __future__ import annotations

from gnss.constants import GMST_RATE_RAD_PER_S, WGS84_EARTH_ROTATION_RATE_RAD_PER_S

from .anchors import BEIDOU3_IGSO_ANCHOR, BEIDOU3_MEO_ANCHOR, ElementAnchor
from .beidou import beidou3_slots
from .epochs import NOMINAL_EPOCH, gmst_deg
from .galileo import galileo_slots
from .glonass import glonass_slots
from .gps import gps_slots
from .pattern import advance_along_repeat_deg
from .secular import (
    repeat_mean_motion_rad_per_min,
    repeat_period_s,
    secular_rates_rad_per_min,
)
from .slot import CATALOGUE_NUMBER_BASE, NominalSlot, slot_satrec
from .systems import NOMINAL_SYSTEMS, write_nominal_tle_files
from .tle import tle_lines, write_tle

# GMST_RATE_RAD_PER_S (IAU 1982 GMST, the model of SGP4's TEME → PEF rotation) and
# WGS84_EARTH_ROTATION_RATE_RAD_PER_S (kept for reference and comparison only; see the notes
# above for why the GMST rate is used for ground-track repeats) come from gnss.constants.

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
