"""Tests of gnss.elements.classify against every shared TLE snapshot and hand-picked names."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from conftest import TLE_DIR, requires_shared
from sgp4.api import Satrec

from gnss.elements.classify import SYSTEM_NAMES, SYSTEMS, Identity, classify, orbit_class

# shared/data/PROVENANCE.md, section 1a: counts in the order G / R / E / C / J / I / S, then the
# BeiDou GEO / IGSO / MEO split (None where the file holds no BeiDou).
EXPECTED = {
    "gnss_2026-10-06.tle": ((32, 27, 32, 54, 5, 7, 13), (9, 12, 33)),
    "gnss_2026-02-11.tle": ((32, 28, 29, 54, 5, 9, 13), (9, 12, 33)),
    "gnss_2025-08-20.tle": ((31, 27, 31, 54, 4, 10, 13), (9, 12, 33)),
    "2025-04-30_per-constellation/gps-ops.tle": ((31, 0, 0, 0, 0, 0, 0), None),
    "2025-04-30_per-constellation/glo-ops.tle": ((0, 27, 0, 0, 0, 0, 0), None),
    "2025-04-30_per-constellation/galileo.tle": ((0, 0, 31, 0, 0, 0, 0), None),
    "2025-04-30_per-constellation/beidou.tle": ((0, 0, 0, 54, 0, 0, 0), (9, 12, 33)),
    "gnss_2024-06-09.txt": ((31, 26, 29, 52, 4, 9, 13), (9, 12, 31)),
    "gnss_2023-07-12.tle": ((31, 26, 28, 50, 5, 9, 13), (9, 12, 29)),
    "gnss_2023-03-15.tle": ((31, 26, 28, 49, 5, 8, 13), (8, 12, 29)),
    "gnss_2021-12-08.tle": ((31, 27, 26, 50, 4, 8, 12), (9, 12, 29)),
    "2019-03-09_per-constellation/gps-ops.txt": ((31, 0, 0, 0, 0, 0, 0), None),
    "2019-03-09_per-constellation/glo-ops.txt": ((0, 24, 0, 0, 0, 0, 0), None),
    "2019-03-09_per-constellation/galileo.txt": ((0, 0, 26, 0, 0, 0, 0), None),
    "2019-03-09_per-constellation/beidou.txt": ((0, 0, 0, 40, 0, 0, 0), (7, 9, 24)),
}

# Files whose GPS/Galileo/BeiDou names carry no PRN at all (bare SATCAT names in 2023-07-12,
# "(GALILEO nn)" in 2025, "BEIDOU-3 M1" style in 2019).
NO_PRN_FILES = {
    "gnss_2023-07-12.tle",
    "2025-04-30_per-constellation/galileo.tle",
    "2019-03-09_per-constellation/beidou.txt",
}

needs_data = requires_shared("tle")


def _read(relpath: str) -> list[tuple[str, Identity]]:
    """Classify every 3-line element set of a shared file: (name line, identity)."""
    lines = (TLE_DIR / relpath).read_text().replace("\r", "").splitlines()
    assert len(lines) % 3 == 0, f"{relpath}: {len(lines)} lines is not a multiple of 3"
    out = []
    for k in range(0, len(lines), 3):
        sat = Satrec.twoline2rv(lines[k + 1], lines[k + 2])
        rev_per_day = sat.no_kozai * 1440.0 / (2.0 * math.pi)
        out.append((lines[k], classify(lines[k], sat.satnum, rev_per_day, math.degrees(sat.inclo))))
    return out


@needs_data
@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_counts_match_provenance(relpath):
    counts, bds_split = EXPECTED[relpath]
    idents = _read(relpath)
    assert len(idents) == sum(counts)
    unknown = [(name, ident.reason) for name, ident in idents if ident.system is None]
    assert not unknown
    got = Counter(ident.system for _, ident in idents)
    assert tuple(got[s] for s in SYSTEMS) == counts
    if bds_split is not None:
        split = Counter(ident.orbit_class for _, ident in idents if ident.system == "C")
        assert (split["GEO"], split["IGSO"], split["MEO"]) == bds_split


@needs_data
@pytest.mark.parametrize("relpath", sorted(EXPECTED))
def test_printed_prn_is_taken(relpath):
    # Independent of the module's regexes: the digits inside the last parenthesis, when that
    # parenthesis is "(PRN nn)", "(PRN Enn)" or "(Cnn)".
    checked = 0
    for name, ident in _read(relpath):
        if ident.system not in ("G", "E", "C"):
            continue
        groups = re.findall(r"\(([^()]*)\)", name)
        last = groups[-1].strip() if groups else ""
        if re.fullmatch(r"PRN [GE]?\d+|C\d+", last):
            assert ident.prn == int("".join(ch for ch in last if ch.isdigit())), name
            checked += 1
        else:
            assert ident.prn is None, name
    counts = EXPECTED[relpath][0]
    has_gec = counts[0] + counts[2] + counts[3] > 0
    assert (checked > 0) == (has_gec and relpath not in NO_PRN_FILES)


@needs_data
def test_every_file_is_covered():
    found = {p.relative_to(TLE_DIR).as_posix() for p in TLE_DIR.rglob("*") if p.is_file()}
    assert found == set(EXPECTED)


@pytest.mark.parametrize(
    ("name", "system", "prn", "generation"),
    [
        ("GPS BIII-7  (PRN 01)", "G", 1, "GPS III"),
        ("GPS BIIRM-3 (PRN 12)", "G", 12, "GPS IIR-M"),
        ("GPS BIIR-2  (PRN 13)", "G", 13, "GPS IIR"),
        ("GPS BIIF-2  (PRN 01)", "G", 1, "GPS IIF"),
        ("NAVSTAR 82 (USA 343)", "G", None, None),
        ("GSAT0226 (GALILEO 31)", "E", None, "Galileo FOC"),
        ("GSAT0227 (PRN E06)", "E", 6, "Galileo FOC"),
        ("GSAT0101 (GALILEO-PFM)", "E", None, "Galileo IOV"),
        ("BEIDOU-3 M27 (C49)", "C", 49, "BDS-3"),
        ("BEIDOU-2 IGSO-1 (C06)", "C", 6, "BDS-2"),
        ("BEIDOU-3S M1S (C57)", "C", 57, "BDS-3S"),
        ("BEIDOU IGSO 1", "C", None, "BDS-2"),
        ("BEIDOU 10 (C10)", "C", 10, "BDS-2"),
        ("COSMOS 2569 (703K)", "R", None, "GLONASS-K"),
        ("COSMOS 2564 (761)", "R", None, "GLONASS-M"),
        ("COSMOS 2564", "R", None, None),
        ("GSAT-8 (GAGAN/PRN 127)", "S", 127, None),
        ("GSAT-8", "S", None, None),
        ("SES-5 (EGNOS/PRN 136)", "S", 136, None),
        ("CRE (WAAS/PRN 138)", "S", 138, None),
        ("INMARSAT 4-F2 (SOUTHPA*)", "S", None, None),
        ("EUTELSAT 5 WEST B (EGN*)", "S", None, None),
        ("QZS-2 (QZSS/PRN 194)", "J", 2, "QZSS Block II"),
        ("QZS-2 (QZSS/PRN 184)", "J", 2, "QZSS Block II"),
        ("QZS-1 (PRN 193/183)", "J", 1, "QZSS Block I"),
        ("IRNSS-1A (I01)", "I", 1, "IRNSS-1"),
        ("IRNSS-1B", "I", None, "IRNSS-1"),
        ("NVS-01 (IRNSS-1J)", "I", None, "NVS"),
        ("GPS NOMINAL A1", "G", None, None),
        ("GLONASS NOMINAL SLOT 01", "R", 1, None),
        ("GALILEO NOMINAL A01", "E", None, None),
        ("BEIDOU-3 NOMINAL M01", "C", None, "BDS-3"),
        ("BEIDOU-3 NOMINAL IGSO1", "C", None, "BDS-3"),
        ("BEIDOU-3 NOMINAL GEO1", "C", None, "BDS-3"),
        ("0 GPS BIII-7  (PRN 01)   ", "G", 1, "GPS III"),
        ("gps biii-7  (prn 01)", "G", 1, "GPS III"),
        ("some navic satellite", "I", None, None),
    ],
)
def test_spot_checks(name, system, prn, generation):
    ident = classify(name, 99999, 2.0, 55.0)
    assert (ident.system, ident.prn, ident.generation) == (system, prn, generation)
    assert SYSTEM_NAMES[system] in ident.reason
    assert isinstance(ident.prn, int | None)


def test_bds3_test_satellites_by_norad_id():
    # The 2019 set names BDS-3S M1-S (NORAD 40748) "BEIDOU-3 M1", like the real BDS-3 M1.
    assert classify("BEIDOU-3 M1", 40748, 1.86, 55.8).generation == "BDS-3S"
    assert classify("BEIDOU-3 M1", 43001, 1.86, 55.1).generation == "BDS-3"


@pytest.mark.parametrize("name", ["FOO", "", "   ", "0 ", "STARLINK-1007", "GSAT"])
def test_unknown_name_gives_none_with_reason(name):
    ident = classify(name, 1, 15.0, 53.0)
    assert ident.system is None and ident.prn is None and ident.generation is None
    assert "matches no known GNSS naming pattern" in ident.reason
    assert ident.orbit_class == "LEO"


@pytest.mark.parametrize(
    ("n", "inc", "expected"),
    [
        (1.0027, 0.0, "GEO"),
        (1.0027, 14.999, "GEO"),
        (1.0027, 15.0, "IGSO"),
        (1.4999, 55.0, "IGSO"),
        (1.5, 0.0, "MEO"),
        (5.999, 55.0, "MEO"),
        (6.0, 55.0, "OTHER"),
        (11.0, 98.0, "LEO"),
        (15.5, 51.6, "LEO"),
        (0.0, 0.0, "OTHER"),
        (float("nan"), 0.0, "OTHER"),
    ],
)
def test_orbit_class_boundaries(n, inc, expected):
    assert orbit_class(n, inc) == expected
    assert classify("GPS BIII-7  (PRN 01)", 1, n, inc).orbit_class == expected


def test_identity_is_frozen():
    ident = classify("GPS BIII-7  (PRN 01)", 48859, 2.0, 55.0)
    with pytest.raises(AttributeError):
        ident.prn = 2  # type: ignore[misc]
