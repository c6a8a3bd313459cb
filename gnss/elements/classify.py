"""Classify one satellite of a CelesTrak-style GNSS element set.

The system comes from the name line, the orbit class from two elements (mean motion and
inclination). Name conventions changed over the years (see ``shared/data/PROVENANCE.md``,
section 1c), so every rule below was checked against all snapshots in ``shared/data/tle``:

* GPS ``GPS BIII-7  (PRN 01)`` or SATCAT ``NAVSTAR 82 (USA 343)`` (the USA number is no PRN);
* GLONASS ``COSMOS 2569 (703K)`` or ``COSMOS 2564`` (names never carry the slot);
* Galileo ``GSAT0227 (PRN E06)`` or ``GSAT0226 (GALILEO 31)`` (the Galileo number is no PRN);
* BeiDou ``BEIDOU-3 M27 (C49)``, ``BEIDOU 17 (C31)`` (2021), ``BEIDOU IGSO 1`` (2019);
* QZSS ``QZS-2 (QZSS/PRN 194)``, ``QZS-1 (PRN 193/183)``, ``QZS-1 (MICHIBIKI-1)``;
* NavIC ``IRNSS-1B``, ``IRNSS-1A (I01)``, ``NVS-01 (IRNSS-1J)``;
* SBAS ``SES-5 (EGNOS/PRN 136)``, ``CRE (WAAS/PRN 138)``, untagged ``INMARSAT 4-F2 (SOUTHPA*)``.

:func:`orbit_problem` checks that an orbit fits the system its name says (:data:`ORBIT_BANDS`:
semi-major axis, inclination and eccentricity bands around the interface documents' geometry,
wide enough for every real satellite in the snapshots).

QZSS PRNs are returned as J numbers: navigation PRN 193-202 is J01-J10 (``prn = n - 192``);
the L1S (SAIF/SLAS) PRN 183-191 printed in older names is the navigation PRN minus 10
(IS-QZSS-L1S), so ``prn = n - 182``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..constants import WGS84_A_KM, WGS84_GM_KM3_S2

SYSTEMS = ("G", "R", "E", "C", "J", "I", "S")
SYSTEM_NAMES = {
    "G": "GPS",
    "R": "GLONASS",
    "E": "Galileo",
    "C": "BeiDou",
    "J": "QZSS",
    "I": "NavIC/IRNSS",
    "S": "SBAS",
}

# Orbit-class thresholds. GEO/IGSO: about 1 rev/day (geosynchronous); MEO GNSS: 1.7-2.2 rev/day.
_SYNC_MAX_REV_PER_DAY = 1.5
_GEO_MAX_INCLINATION_DEG = 15.0
_MEO_MAX_REV_PER_DAY = 6.0
_LEO_MIN_REV_PER_DAY = 11.0

# System rules, tried in order on the normalised (upper-case) name; the first match wins.
_SYSTEM_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # GPS: CelesTrak "GPS BIIRM-3 (PRN 12)", SATCAT "NAVSTAR 82 (USA 343)", "GPS NOMINAL A1"
    ("G", re.compile(r"^(?:GPS|NAVSTAR)\b"), "'GPS ...'/'NAVSTAR ...'"),
    # GLONASS: "COSMOS 2569 (703K)", "COSMOS 2564"
    ("R", re.compile(r"^[CK]OSMOS\b"), "'COSMOS ...'"),
    # Galileo: "GSAT0101 (GALILEO-PFM)", "GSAT0227 (PRN E06)"; a zero, unlike ISRO's "GSAT-8"
    ("E", re.compile(r"^GSAT0\d"), "'GSAT0...'"),
    # BeiDou: "BEIDOU-3 M27 (C49)", "BEIDOU-3S M1S", "BEIDOU 17 (C31)", "BEIDOU G1"
    ("C", re.compile(r"^BEIDOU"), "'BEIDOU...'"),
    # QZSS: "QZS-1R (QZSS/PRN 196)", "QZS-1 (MICHIBIKI-1)"
    ("J", re.compile(r"^QZS"), "'QZS...'"),
    # NavIC: "IRNSS-1B", "IRNSS-1J (NVS-01)", "NVS-02 (IRNSS-1K)"
    ("I", re.compile(r"^(?:IRNSS|NVS-)"), "'IRNSS...'/'NVS-...'"),
    # SBAS service tag: "(WAAS/PRN 138)", "(EGNOS/PRN 136)", "(GAGAN/...", "(SDCM/..."
    ("S", re.compile(r"\((?:WAAS|EGNOS|GAGAN|SDCM|MSAS|BDSBAS|KASS|SOUTHPAN|SPAN)\b"), "SBAS tag"),
    # SBAS PRN 120-158 after a slash: "(XYZ/PRN 1nn)"
    ("S", re.compile(r"/PRN\s*1(?:[2-4]\d|5[0-8])\)"), "'/PRN 120-158)'"),
    # Hosts of SBAS payloads named without a tag (2023-07-12 SATCAT names, truncated tags):
    # "LUCH-5A", "INMARSAT 4-F2", "EUTELSAT 5 WEST B", "ANIK F1R", "ASTRA 5B", "GALAXY 30",
    # "SES-15", ISRO "GSAT-8"/"GSAT-10"/"GSAT-15" (hyphen, no zero)
    (
        "S",
        re.compile(
            r"^(?:LUCH|INMARSAT|EUTELSAT|ANIK|ASTRA|GALAXY|INTELSAT|YAMAL|MTSAT|HIMAWARI)\b"
            r"|^(?:SES|GSAT)-\d"
        ),
        "SBAS host satellite name",
    ),
    # CelesTrak's short SBAS names: "IOR-W", "AOR-E", "CRE", "CRW", "E 117 W B"
    ("S", re.compile(r"^(?:[AIP]OR-[EW]|CR[EW]|E \d+ W [A-Z])\b"), "SBAS short name"),
    # Generic system words anywhere: the project's nominal sets and hand-written names
    ("R", re.compile(r"\bGLONASS\b"), "'GLONASS'"),
    ("E", re.compile(r"\bGALILEO\b"), "'GALILEO'"),
    ("C", re.compile(r"\b(?:BEIDOU|COMPASS)\b"), "'BEIDOU'/'COMPASS'"),
    ("G", re.compile(r"\b(?:NAVSTAR|GPS)\b"), "'NAVSTAR'/'GPS'"),
    ("J", re.compile(r"\b(?:QZSS|MICHIBIKI)\b"), "'QZSS'/'MICHIBIKI'"),
    ("I", re.compile(r"\b(?:NAVIC|IRNSS)\b"), "'NAVIC'/'IRNSS'"),
)

# PRN (GLONASS: slot) printed in the name, per system; group 1 is the number.
_PRN_RULES: dict[str, re.Pattern[str]] = {
    "G": re.compile(r"\(PRN\s*G?(\d{1,2})\)"),  # "(PRN 01)"
    "R": re.compile(r"\bSLOT\s*(\d{1,2})\b"),  # nominal "GLONASS NOMINAL SLOT 01"
    "E": re.compile(r"\((?:PRN\s*)?E(\d{1,2})\)"),  # "(PRN E06)"; not "(GALILEO 31)"
    "C": re.compile(r"\((?:PRN\s*)?C(\d{1,2})\)"),  # "(C49)"
    "J": re.compile(r"PRN\s*(\d{3})\b"),  # "(QZSS/PRN 196)", "(PRN 193/183)"
    "I": re.compile(r"\((?:PRN\s*)?I(\d{1,2})\)"),  # "(I01)"
    "S": re.compile(r"/PRN\s*(\d{3})\)"),  # "(EGNOS/PRN 136)"
}
# Valid PRN (slot) range per system, after the QZSS J-number conversion.
_PRN_RANGE = {"G": (1, 63), "R": (1, 24), "E": (1, 50), "C": (1, 63), "J": (1, 10), "I": (1, 14)}
_PRN_RANGE["S"] = (120, 158)

# Generation tokens, per system: (pattern, generation), first match wins.
GENERATION_RULES: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "G": tuple(  # "GPS BIIRM-3": block token B + IIA/IIR/IIRM/IIF/III/IIIF
        (re.compile(rf"\bB{tok}(?=[-\s\d]|$)"), gen)
        for tok, gen in (
            ("IIIF", "GPS IIIF"),
            ("III", "GPS III"),
            ("IIR-?M", "GPS IIR-M"),
            ("IIR", "GPS IIR"),
            ("IIF", "GPS IIF"),
            ("IIA", "GPS IIA"),
        )
    ),
    "R": (  # serial in parentheses: "(7xxK)" GLONASS-K (K1 or K2: the name does not say), "(7xx)" M
        (re.compile(r"\(7\d\dK\)"), "GLONASS-K"),
        (re.compile(r"\(7\d\d\)"), "GLONASS-M"),
    ),
    "E": (  # GSAT01xx in-orbit validation, GSAT02xx full operational capability
        (re.compile(r"^GSAT01\d\d"), "Galileo IOV"),
        (re.compile(r"^GSAT02\d\d"), "Galileo FOC"),
    ),
    "C": (
        (re.compile(r"^BEIDOU-3S\b|\b[GIM]\d-S\b"), "BDS-3S"),  # "BEIDOU-3S M1S", "BEIDOU I1-S"
        (re.compile(r"^BEIDOU-3\b"), "BDS-3"),  # "BEIDOU-3 M27 (C49)", "BEIDOU-3 NOMINAL GEO1"
        (re.compile(r"^BEIDOU-2\b"), "BDS-2"),  # "BEIDOU-2 IGSO-1 (C06)"
        (re.compile(r"^BEIDOU (?:G|IGSO|M)[ -]?\d"), "BDS-2"),  # 2019 "BEIDOU G1", "BEIDOU IGSO 6"
    ),
    "J": (
        (re.compile(r"^QZS-1\b"), "QZSS Block I"),  # QZS-1 (MICHIBIKI-1), 2010
        (re.compile(r"^QZS-(?:1R|2|3|4)\b"), "QZSS Block II"),  # 2017-2021
    ),
    "I": (
        (re.compile(r"\bNVS-\d"), "NVS"),  # "NVS-01 (IRNSS-1J)", "IRNSS-1J (NVS-01)"
        (re.compile(r"^IRNSS-1"), "IRNSS-1"),
    ),
}
# BDS-3 test satellites by NORAD id: the 2019 set calls 40748/40749 "BEIDOU-3 M1/M2" and the
# 2021 set "BEIDOU 18/19", so the name alone gives the wrong generation (I1-S, M1-S, M2-S,
# I2-S, M3-S).
_BDS3S_NORAD_IDS = frozenset({40549, 40748, 40749, 40938, 41315})
# BeiDou generation from a "(Cnn)" PRN when the name has no generation token ("BEIDOU 10 (C10)").
_BDS3S_PRNS = frozenset({18, 31, 56, 57, 58})


@dataclass(frozen=True)
class Identity:
    """What a name line and a few elements tell about one satellite.

    Attributes
    ----------
    system : str or None
        One of :data:`SYSTEMS`, or None when the name matches no known system.
    prn : int or None
        PRN (G, E, C, J as J number, I, S) or GLONASS slot, only when the name carries it.
    orbit_class : str
        "GEO", "IGSO" or "MEO" (see :func:`orbit_class`); "LEO" or "OTHER" outside those.
    generation : str or None
        Satellite generation when the name (or the NORAD id) tells it, e.g. "GPS IIR-M".
    reason : str
        Short text: how the satellite was classified, or why ``system`` is None.
    """

    system: str | None
    prn: int | None
    orbit_class: str
    generation: str | None
    reason: str


def orbit_class(mean_motion_rev_per_day: float, inclination_deg: float) -> str:
    """Return the orbit class from the mean motion and the inclination.

    Parameters
    ----------
    mean_motion_rev_per_day : float
        Mean motion (revolutions per day).
    inclination_deg : float
        Inclination (degrees).

    Returns
    -------
    str
        "GEO" if n < 1.5 rev/day and i < 15 deg, "IGSO" if n < 1.5 rev/day and i >= 15 deg,
        "MEO" if 1.5 <= n < 6, "LEO" if n >= 11, "OTHER" otherwise (6 <= n < 11, n <= 0 or
        a value that is not a finite number).
    """
    try:
        n, i = float(mean_motion_rev_per_day), float(inclination_deg)
    except (TypeError, ValueError):
        return "OTHER"
    if not (math.isfinite(n) and math.isfinite(i)) or n <= 0.0:
        return "OTHER"
    if n < _SYNC_MAX_REV_PER_DAY:
        return "GEO" if i < _GEO_MAX_INCLINATION_DEG else "IGSO"
    if n < _MEO_MAX_REV_PER_DAY:
        return "MEO"
    return "LEO" if n >= _LEO_MIN_REV_PER_DAY else "OTHER"


def _normalise(name: str) -> str:
    """Strip a 3LE "0 " prefix, CR, padding and truncation stars; upper-case; one space."""
    text = " ".join(str(name).upper().split())
    text = re.sub(r"^0 ", "", text)
    return text.rstrip("*").strip()


def _prn(system: str, text: str) -> tuple[int | None, str]:
    """Return the PRN (or slot) printed in the name and a note on where it came from."""
    match = _PRN_RULES[system].search(text)
    if match is None:
        return None, "no PRN in the name" if system != "R" else "no slot in the name"
    number = int(match.group(1))
    if system == "J":  # navigation PRN 193-202 -> J01-J10; L1S PRN 183-191 -> same satellite
        number -= 192 if number >= 193 else 182
    low, high = _PRN_RANGE[system]
    if not low <= number <= high:
        return None, f"number '{match.group(0)}' outside PRN range {low}-{high}, ignored"
    return number, f"{'slot' if system == 'R' else 'PRN'} {number} from '{match.group(0)}'"


def _generation(system: str, text: str, norad_id: int, prn: int | None) -> str | None:
    """Return the generation that the name, NORAD id or BeiDou PRN tells, else None."""
    if system == "C" and norad_id in _BDS3S_NORAD_IDS:
        return "BDS-3S"
    for pattern, generation in GENERATION_RULES.get(system, ()):
        if pattern.search(text):
            return generation
    if system == "C" and text.startswith("BEIDOU ") and prn is not None:
        if prn in _BDS3S_PRNS:
            return "BDS-3S"
        return "BDS-2" if prn <= 16 else "BDS-3" if 19 <= prn <= 63 else None
    return None


def classify(
    name: str, norad_id: int, mean_motion_rev_per_day: float, inclination_deg: float
) -> Identity:
    """Classify one satellite from its name line and a few elements.

    Parameters
    ----------
    name : str
        Name line (line 0) of the element set; padding, a 3LE "0 " prefix, a truncation
        star and any letter case are accepted.
    norad_id : int
        NORAD catalogue number (used only for the BDS-3 test satellites).
    mean_motion_rev_per_day : float
        Mean motion (revolutions per day).
    inclination_deg : float
        Inclination (degrees).

    Returns
    -------
    Identity
        System, PRN, orbit class, generation and a reason. An unknown name gives
        ``system=None`` with the reason; this function never raises on a name.
    """
    orbit = orbit_class(mean_motion_rev_per_day, inclination_deg)
    text = _normalise(name)
    matched = next(((s, r) for s, pat, r in _SYSTEM_RULES if pat.search(text)), None)
    if matched is None:
        reason = f"name {text!r} matches no known GNSS naming pattern (orbit {orbit})"
        return Identity(None, None, orbit, None, reason)
    system, rule = matched
    prn, prn_note = _prn(system, text)
    try:
        norad = int(norad_id)
    except (TypeError, ValueError):
        norad = -1
    generation = _generation(system, text, norad, prn)
    reason = f"{SYSTEM_NAMES[system]}: name {text!r} matches {rule}; {prn_note}; " + (
        f"generation {generation}" if generation else "generation unknown"
    )
    return Identity(system, prn, orbit, generation, f"{reason}; orbit {orbit}")


# --- Plausible orbits per system ---------------------------------------------------------------
#
# A record is used only when its orbit fits its system: a GLONASS name on a LEO orbit, or a
# NaN/infinite element, is a broken record, not a satellite. The bands below are wide around
# the nominal geometry; every satellite of every snapshot in shared/data/tle fits them
# (tests/test_plausibility.py checks that), and the widened ones say which real satellite needs
# the margin.

# Geosynchronous semi-major axis: (GM (T / 2 pi)^2)^(1/3), T = sidereal day 86 164.0905 s (IERS).
GEOSYNC_A_KM = 42164.17
_SYNC_HALF_WIDTH_KM = 1000.0  # IRNSS-1D (2025) sits 660 km above GEO; drifting GEOs stay closer


@dataclass(frozen=True)
class OrbitBand:
    """A plausible orbit of a system: ranges of radius, inclination and eccentricity.

    ``radius`` says which radius ``radius_km`` bounds: the semi-major axis (``"a"``) or,
    for a transfer orbit, the apogee radius ``a (1 + e)`` (``"apogee"``).
    """

    name: str
    radius_km: tuple[float, float]
    inclination_deg: tuple[float, float]
    eccentricity_max: float
    source: str
    radius: str = "a"


def _around(a_km: float, half_km: float = 1000.0) -> tuple[float, float]:
    return (a_km - half_km, a_km + half_km)


_SYNC = _around(GEOSYNC_A_KM, _SYNC_HALF_WIDTH_KM)
# GEO: classify's own GEO/IGSO boundary (15 deg); old GEOs drift up to ~7 deg (IRNSS-1C 2026).
_GEO = (0.0, _GEO_MAX_INCLINATION_DEG)
# Geosynchronous transfer orbit: BeiDou, QZSS and NavIC satellites are launched into one
# (CZ-3B, H-IIA, GSLV); NVS-02 (IRNSS-1K) has been stranded in it since its apogee engine
# failed in Feb 2025 (a 25 150 km, e 0.74, i 21 deg, apogee ~1 500 km above GEO), and the
# 2025-08-20 and later snapshots carry it.
_GTO = OrbitBand(
    "geosynchronous transfer orbit", _around(GEOSYNC_A_KM, 2000.0), (0.0, 30.0), 0.8,
    "apogee at GEO altitude; NVS-02 in the 2025/2026 snapshots", radius="apogee",
)  # fmt: skip

ORBIT_BANDS: dict[str, tuple[OrbitBand, ...]] = {
    # GUIDE §4, GLONASS ICD ed. 5.1: circular, altitude 19 100 km, inclination 64.8 deg.
    # Snapshots: a 25 507-25 511 km, i 63.6-66.1 deg, e <= 0.003.
    "R": (
        OrbitBand("MEO", _around(WGS84_A_KM + 19100.0), (59.8, 69.8), 0.05,
                  "GLONASS ICD 5.1: altitude 19 100 km, i 64.8 deg"),
    ),
    # GUIDE §4, GPS SPS PS 5th ed.: a 26 559.8 km, inclination 55 deg, circular.
    # Snapshots: a 26 556-26 566 km, i 52.1 (GPS BIIR-3, 2019)-57.1 deg, e <= 0.025.
    "G": (
        OrbitBand("MEO", _around(26559.8), (49.0, 61.0), 0.05,
                  "GPS SPS PS 5th ed.: a 26 559.8 km, i 55 deg"),
    ),
    # GUIDE §4, Galileo OS SDD 1.1: a 29 599.801 km, inclination 56 deg. Widened for GSAT0201
    # and GSAT0202, left in an eccentric orbit by their 2014 launch: a 27 977 km, e 0.16-0.17,
    # i 48.8 deg in 2026 and falling ~0.25 deg/year.
    "E": (
        OrbitBand("MEO", (27000.0, 30600.0), (46.0, 66.0), 0.2,
                  "Galileo OS SDD 1.1: a 29 599.8 km, i 56 deg; GSAT0201/0202 eccentric"),
    ),
    # GUIDE §4, BDS-OS-PS-3.0 §4.1: MEO altitude 21 528 km, i 55 deg; GEO; IGSO at 35 786 km,
    # i 55 deg. Snapshots: MEO a 27 904-27 912 km, i 53.8-56.8; IGSO i 47.4 (BEIDOU-2 IGSO-2,
    # 2026, falling)-62.6 deg; GEO i <= 4.7 deg; e <= 0.017 (BDS-3S test satellites included).
    "C": (
        OrbitBand("MEO", _around(WGS84_A_KM + 21528.0), (47.0, 63.0), 0.05,
                  "BDS-OS-PS-3.0: MEO altitude 21 528 km, i 55 deg"),
        OrbitBand("IGSO", _SYNC, (40.0, 70.0), 0.05, "BDS-OS-PS-3.0: IGSO 35 786 km, i 55 deg"),
        OrbitBand("GEO", _SYNC, _GEO, 0.05, "BDS-OS-PS-3.0: GEO"),
        _GTO,
    ),
    # QZSS and NavIC are not in GUIDE §4: the bands are geosynchronous (above) with the
    # inclinations and eccentricities of the snapshots plus a margin. QZSS: quasi-zenith
    # orbits i 35.0-42.8 deg, e <= 0.077 (QZS-1R), GEO QZS-3/6 i <= 0.1 deg.
    "J": (
        OrbitBand("IGSO", _SYNC, (25.0, 55.0), 0.12, "QZSS quasi-zenith orbit (snapshots)"),
        OrbitBand("GEO", _SYNC, _GEO, 0.05, "QZSS GEO (snapshots)"),
        _GTO,
    ),
    # NavIC: IGSO i 20.2 (IRNSS-1D, 2025)-36.0 deg, GEO i <= 6.8 deg, e <= 0.003.
    "I": (
        OrbitBand("IGSO", _SYNC, (10.0, 45.0), 0.05, "NavIC IGSO (snapshots)"),
        OrbitBand("GEO", _SYNC, _GEO, 0.05, "NavIC GEO (snapshots)"),
        _GTO,
    ),
    # SBAS payloads fly on geostationary satellites; hosts drift up to ~11 deg (snapshots).
    "S": (OrbitBand("GEO", _SYNC, (0.0, 20.0), 0.05, "SBAS geostationary hosts (snapshots)"),),
}  # fmt: skip


def semi_major_axis_km(mean_motion_rev_per_day: float) -> float:
    """Semi-major axis (km) from the mean motion (rev/day), Kepler's third law with WGS84 GM.

    Examples
    --------
    >>> round(semi_major_axis_km(1.00273791))
    42164
    """
    n_rad_s = mean_motion_rev_per_day * 2.0 * math.pi / 86400.0
    # GM^(1/3) n^(-2/3): no overflow for absurd mean motions (n**2 would overflow at 1e154)
    return WGS84_GM_KM3_S2 ** (1.0 / 3.0) * n_rad_s ** (-2.0 / 3.0)


def _fits(band: OrbitBand, a_km: float, ecc: float, inc_deg: float) -> bool:
    r_km = a_km * (1.0 + ecc) if band.radius == "apogee" else a_km
    return (
        band.radius_km[0] <= r_km <= band.radius_km[1]
        and band.inclination_deg[0] <= inc_deg <= band.inclination_deg[1]
        and ecc <= band.eccentricity_max
    )


def _band_text(band: OrbitBand) -> str:
    radius = "apogee radius" if band.radius == "apogee" else "a"
    lo, hi = band.radius_km
    ilo, ihi = band.inclination_deg
    return (
        f"{band.name}: {radius} {lo:.0f}-{hi:.0f} km, i {ilo:g}-{ihi:g} deg, "
        f"e <= {band.eccentricity_max:g} ({band.source})"
    )


def orbit_problem(
    system: str, mean_motion_rev_per_day: float, eccentricity: float, inclination_deg: float
) -> str | None:
    """Why an orbit does not fit its system's :data:`ORBIT_BANDS`, or None when it fits.

    Parameters
    ----------
    system : str
        System letter (G, R, E, C, J, I, S); other letters are not checked.
    mean_motion_rev_per_day, eccentricity, inclination_deg : float
        Finite elements (the caller checks finiteness).

    Returns
    -------
    str or None
        The orbit (semi-major axis, altitude, inclination, eccentricity) and the bands
        expected, or None.

    Examples
    --------
    >>> orbit_problem("R", 2.13, 0.001, 64.8) is None
    True
    >>> orbit_problem("R", 15.5, 0.0005, 51.6)
    'orbit a 6795 km (altitude 417 km), i 51.6 deg, e 0.0005 does not fit GLONASS; expected ...'
    """
    bands = ORBIT_BANDS.get(system)
    if not bands:
        return None
    if not mean_motion_rev_per_day > 0:
        return f"mean motion {mean_motion_rev_per_day:g} rev/day is not positive"
    a_km = semi_major_axis_km(mean_motion_rev_per_day)
    if any(_fits(b, a_km, eccentricity, inclination_deg) for b in bands):
        return None
    return (
        f"orbit a {a_km:.0f} km (altitude {a_km - WGS84_A_KM:.0f} km), "
        f"i {inclination_deg:.1f} deg, e {eccentricity:.4g} does not fit {SYSTEM_NAMES[system]}; "
        f"expected {' or '.join(_band_text(b) for b in bands)}"
    )
