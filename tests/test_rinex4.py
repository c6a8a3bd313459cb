"""RINEX 4 navigation files (gnss.orbits.rinex4): parsing, time systems, orbits, bad input.

Data: ``../shared/data/rinex_nav``: ``BRD400DLR_S_20230710000_01D_MN.rnx.gz`` (DLR's merged
daily broadcast file of 2023-03-12, RINEX 4.00) and ``alby233h_rnx.nav`` (a one-hour station
file of 2025-08-21 07 h written by cssrlib, RINEX 4.02), checked against the CelesTrak
snapshots of 2023-03-15 and 2025-08-20.

Measured when these tests were written:

* BRD400: 127 satellites (G 31, R 24, E 24, C 44, J 4); G22, R25, R26, E14, E18 unhealthy
  all day; C14 and C35 flagged unhealthy for part of it.
* CNAV-type records against the legacy ones of the same satellites (4 h from the file's ends):
  BeiDou CNV1/CNV2 vs D1 max 0.28 m, QZSS CNAV vs LNAV 0.14 m, GPS CNAV vs LNAV 3.6 m
  (median 1.0 m: other uploads); without the A-dot/delta-n-dot terms 120 m and 367 m.
* TLEs of 2023-03-15 against BRD400 (validate, step 900 s): RMS G 2.30, R 1.89, E 2.71,
  C 3.73, J 3.96 km; max 16.2 km (BeiDou). alby against 2025-08-20: G 2.1, E 2.0 km.
* alby: its GLONASS records repeat X in the Y and Z slots and its BeiDou records have
  semi-major axes of 1 700-60 000 km and t_oe beyond a week (writer faults): all 51 left out.
"""

from __future__ import annotations

import gzip
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED_DATA, shared_file

import gnss
from gnss.coverage.epochs import epoch_dops
from gnss.orbits import rinex4_records as rr
from gnss.orbits.broadcast import kepler_position
from gnss.orbits.reference import ReferenceOrbitError
from gnss.orbits.rinex4 import load_nav4
from gnss.orbits.rinex4_eval import cnav_position
from gnss.timeutil import timescale
from gnss.validation.identify import identify, validate

NAV = SHARED_DATA / "rinex_nav"
BRD = NAV / "BRD400DLR_S_20230710000_01D_MN.rnx.gz"
ALBY = NAV / "alby233h_rnx.nav"
NAV3 = NAV / "SEPT1890.23P"
TLE_MAR = SHARED_DATA / "tle" / "gnss_2023-03-15.tle"


@pytest.fixture(scope="module")
def brd():
    return load_nav4(shared_file(BRD))


@pytest.fixture(scope="module")
def brd_lines() -> list[str]:
    return rr.read_text_lines(shared_file(BRD))


def _counts(path: Path) -> Counter:
    lines = rr.read_text_lines(path)
    first = next(i for i, ln in enumerate(lines) if "END OF HEADER" in ln) + 1
    return Counter((b.kind, b.sv[0], b.msg) for b in rr.read_blocks(path, lines, first))


def _sats(ref) -> dict:
    return {s.prn: s for s in ref._evaluate.sats}


# ------------------------------------------------------------------ counts and records


def test_brd400_record_counts_per_system_and_type(brd):
    c = _counts(BRD)
    eph = {(s, m): n for (k, s, m), n in c.items() if k == "EPH"}
    assert eph == {
        ("G", "LNAV"): 428, ("G", "CNAV"): 334, ("R", "FDMA"): 1240,
        ("E", "INAV"): 2943, ("E", "FNAV"): 2897,
        ("C", "D1"): 893, ("C", "D2"): 168, ("C", "CNV1"): 634, ("C", "CNV2"): 926,
        ("J", "LNAV"): 96, ("J", "CNAV"): 98, ("J", "CNV2"): 98,
        ("I", "LNAV"): 283, ("S", "SBAS"): 9072,
    }  # fmt: skip
    other = Counter()
    for (k, _, _), n in c.items():
        other[k] += n
    assert (other["STO"], other["EOP"], other["ION"]) == (126, 32, 130)
    assert brd.source.version == "4.00" and brd.source.kind == "rinex-nav"
    assert Counter(p[0] for p in brd.prns) == {"G": 31, "R": 24, "E": 24, "C": 44, "J": 4}
    notes = " | ".join(brd.notes)
    assert "EOP 32, ION 130, STO 126" in notes
    assert "GPS CNAV 334" in notes and "BeiDou CNV1 634" in notes  # one family per satellite
    assert "SBAS records" in notes and "NavIC records" in notes
    assert "G22, R25, R26, E14, E18: every record is flagged unhealthy" in notes


def test_alby_402_is_read_and_its_faulty_records_are_left_out():
    ref = load_nav4(shared_file(ALBY))
    eph = {(s, m): n for (k, s, m), n in _counts(ALBY).items() if k == "EPH"}
    assert eph == {
        ("G", "LNAV"): 13, ("R", "FDMA"): 21, ("E", "INAV"): 36, ("E", "FNAV"): 38,
        ("C", "D1"): 22, ("C", "D2"): 8, ("J", "LNAV"): 5,
    }  # fmt: skip
    assert ref.source.version == "4.02"
    assert Counter(p[0] for p in ref.prns) == {"G": 13, "E": 9}
    notes = " | ".join(ref.notes)
    assert "51 records left out (BeiDou 30, GLONASS 21)" in notes
    assert "J02, J03, J04, J07: every record is flagged unhealthy" in notes
    # Asked for explicitly, a system without one usable record is refused with the reason.
    with pytest.raises(ReferenceOrbitError, match=r"alby233h_rnx.nav:14: no GLONASS record"):
        load_nav4(ALBY, systems="R")


def test_a_parsed_record_equals_the_values_read_by_hand(brd):
    sats = _sats(brd)
    g01 = {k: v[0] for k, v in sats["G01"].fields.items()}  # G01 LNAV 2023-03-12 00:00:00
    assert g01["SVclockBias"] == 2.037500962615e-04 and g01["IODE"] == 59.0
    assert g01["sqrtA"] == 5.153656053543e03 and g01["Eccentricity"] == 1.249682181515e-02
    assert g01["M0"] == 2.337063183399 and g01["Io"] == 9.898042779154e-01
    assert g01["Toe"] == 0.0 and g01["GPSWeek"] == 2253.0 and g01["health"] == 0.0
    assert g01["TGD"] == 4.656612873077e-09 and g01["FitIntvl"] == 4.0
    r01 = {k: v[0] for k, v in sats["R01"].fields.items()}  # R01 FDMA 2023-03-12 00:15:00
    assert r01["X"] == pytest.approx(1.422012255859e07, abs=1e-6)  # km -> m
    assert r01["dX"] == pytest.approx(-4.938831329346e02, abs=1e-9)
    assert r01["Z"] == pytest.approx(5.539755371094e06, abs=1e-6)
    assert r01["FreqNum"] == 1.0 and r01["health"] == 0.0 and r01["HealthFlags"] == 3.0
    c19 = load_nav4(BRD, systems="C", messages={"C": ["CNV1"]})
    f = {k: v[0] for k, v in _sats(c19)["C19"].fields.items()}  # C19 CNV1 00:00:00 BDT
    assert f["Adot"] == -2.287387847900e-03 and f["DeltaNdot"] == 3.232818114092e-14
    assert f["sqrtA"] == 5.282620728736e03 and f["SatType"] == 3.0 and f["SatH1"] == 0.0
    assert f["ISC_B1Cd"] == -8.731149137020e-10 and "ISC_B2ad" not in f


def test_time_systems_bdt_is_gpst_minus_14s_and_glonass_is_utc(brd):
    sats = _sats(brd)
    g01, e01 = sats["G01"].ref_tai_s[0], sats["E01"].ref_tai_s[0]  # 00:00:00 GPST, GST
    c06, r01 = sats["C06"].ref_tai_s[0], sats["R01"].ref_tai_s[0]  # 00:00:00 BDT, 00:15 UTC
    assert e01 == g01  # Galileo system time is steered to GPST
    assert c06 - g01 == 14.0  # BDT = GPST - 14 s
    # UTC + 37 s = TAI = GPST + 19 s (2023); 1 us: the UTC Julian-date split of skyfield
    assert r01 - g01 == pytest.approx(900.0 + 37.0 - 19.0, abs=1e-6)
    ts = timescale()
    utc = ts.tai_jd(brd.tai_jd0, g01 / 86400.0).utc_datetime()
    assert abs(utc - datetime(2023, 3, 11, 23, 59, 42, tzinfo=UTC)).total_seconds() < 1e-3


def test_positions_are_at_the_orbit_radii(brd):
    med = dict(
        zip(brd.prns, np.nanmedian(np.linalg.norm(brd.positions_itrs_m, axis=-1), 0), strict=True)
    )
    km = {p: v / 1000.0 for p, v in med.items()}
    assert all(26_400 < v < 26_700 for p, v in km.items() if p[0] == "G")  # a = 26 560 km
    assert all(25_490 < v < 25_530 for p, v in km.items() if p[0] == "R")  # 25 510 km
    assert all(29_590 < v < 29_610 for p, v in km.items() if p[0] == "E")  # 29 600 km
    bds = [v for p, v in km.items() if p[0] == "C"]
    assert all(27_850 < v < 27_960 or 42_100 < v < 42_250 for v in bds)  # MEO / IGSO+GEO
    assert all(42_100 < v < 42_700 for p, v in km.items() if p[0] == "J")  # QZSS e ~0.075


def test_cnav_terms_bring_cnav_records_onto_the_legacy_orbit(brd):
    t = brd.times[(brd.t_s > brd.t_s[0] + 4 * 3600) & (brd.t_s < brd.t_s[-1] - 4 * 3600)]
    for sysl, msg, tol_m in (("C", "CNV1", 1.0), ("C", "CNV2", 1.0), ("J", "CNAV", 1.0)):
        cn = load_nav4(BRD, systems=sysl, messages={sysl: [msg]})
        prns = [p for p in cn.prns if p in brd.prns]
        assert len(prns) >= 4, (sysl, msg)
        d = np.linalg.norm(cn.positions_at(t, prns) - brd.positions_at(t, prns), axis=-1)
        assert np.nanmax(d) < tol_m, (msg, np.nanmax(d))  # measured 0.28 m (C), 0.14 m (J)
        # Without A-dot and delta-n-dot the same records are tens to hundreds of m off.
        sat = _sats(cn)[prns[0]]
        dt = np.full(sat.ref_tai_s.size, 3600.0)
        off = cnav_position(sysl, sat.fields, dt) - kepler_position(sysl, sat.fields, dt)
        assert np.linalg.norm(off, axis=-1).max() > 5.0
    # GPS CNAV records are all flagged unhealthy here (health bits 1: L5); kept on request.
    with pytest.raises(ReferenceOrbitError, match="every GPS record"):
        load_nav4(BRD, systems="G", messages={"G": ["CNAV"]})
    g = load_nav4(BRD, systems="G", messages={"G": ["CNAV"]}, include_unhealthy=True)
    prns = [p for p in g.prns if p in brd.prns]
    d = np.linalg.norm(g.positions_at(t, prns) - brd.positions_at(t, prns), axis=-1)
    assert np.nanmedian(np.nanmax(d, axis=0)) < 3.0  # measured 1.0 m (max 3.6 m)


# ------------------------------------------------------------------ against TLEs, coverage


def test_tles_of_2023_03_15_are_within_tle_accuracy_of_brd400(brd):
    con = gnss.read_elements(shared_file(TLE_MAR))
    matches = identify(con, brd)
    n = Counter(m.system for m in matches if m.status == "matched")
    assert n["G"] == 31 and n["R"] == 24 and n["E"] == 24 and n["J"] == 4 and n["C"] >= 40
    rep = validate(con, brd, matches, step_s=1800)
    for s in rep.systems:
        # TLEs are good to a few km (measured RMS 1.9-4.0 km, max 16 km: BeiDou).
        assert 0.5 < s.rms_km < 6.0 and s.max_km < 25.0, s


def test_positions_over_the_day_and_dops_for_r_c_and_rc(brd):
    span = gnss.epoch_span(datetime(2023, 3, 12, tzinfo=UTC), duration_s=86100, step_s=300)
    ref = load_nav4(BRD, systems="RC")
    pos = ref.positions_at(span)
    gaps = {p for j, p in enumerate(ref.prns) if not np.isfinite(pos[:, j]).all()}
    # C14 and C35 are flagged unhealthy for part of the day (SatH1 = 1): absent then.
    assert gaps == {"C14", "C35"}
    keep = load_nav4(BRD, systems="C", include_unhealthy=True)
    both = keep.positions_at(span, ["C14", "C35"])
    assert np.isfinite(both).all()
    systems = [p[0] for p in ref.prns]
    pts, ups = gnss.geodetic_points([0.0, 55.75, -33.9, 70.0, -80.0], [0.0, 37.6, 151.2, -150, 0])
    for i in range(len(pts)):
        d = epoch_dops(pos, systems, pts[i], ups[i], [("R",), ("C",), ("R", "C")])
        assert np.isfinite(d["pdop"]).all()  # a fix at every epoch for R, C and R+C
        assert (d["visible"][2] == d["visible"][0] + d["visible"][1]).all()
        assert (d["visible"][0] >= 5).all() and (d["visible"][1] >= 8).all()  # measured
        assert np.nanmax(d["pdop"][2]) < 2.0  # measured max 1.53 (R+C)


# ------------------------------------------------------------------ bad input


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _header_and_records(lines: list[str], sv: str, msg: str, n: int) -> list[str]:
    end = next(i for i, ln in enumerate(lines) if "END OF HEADER" in ln) + 1
    out = lines[:end]
    size = rr.expected_lines(sv[0], msg)
    for i in range(end, len(lines)):
        if lines[i].startswith(f"> EPH {sv}") and lines[i][10:15].strip() == msg and n:
            out += lines[i : i + 1 + size]
            n -= 1
    return out


def test_a_truncated_record_is_refused_with_its_line(tmp_path, brd_lines):
    lines = _header_and_records(brd_lines, "G01", "LNAV", 3)
    cut = _write(tmp_path / "cut.rnx", lines[:-3])  # the third record loses 3 of its 8 lines
    with pytest.raises(ReferenceOrbitError) as exc:
        load_nav4(cut)
    msg = str(exc.value)
    assert f"{cut}:{len(lines) - 8}:" in msg and "G01 LNAV record has 5 of its 8 lines" in msg
    assert "truncated" in msg and "download it again" in msg
    mid = _write(tmp_path / "mid.rnx", [*lines[:-1], lines[-1][:30]])  # cut inside a number
    with pytest.raises(ReferenceOrbitError) as exc:
        load_nav4(mid)
    assert f"{mid}:{len(lines)}: G01 LNAV line ends at column 30" in str(exc.value)
    assert "the line is cut" in str(exc.value)
    gz = tmp_path / "cut.rnx.gz"
    gz.write_bytes(gzip.compress("\n".join(lines).encode())[:-40])
    with pytest.raises(ReferenceOrbitError, match="gzip stream is truncated or corrupt"):
        load_nav4(gz)


def test_an_observation_file_and_rinex3_are_refused(tmp_path):
    obs = _write(
        tmp_path / "ALBY00AUS_R_20252330700_01H_30S_MO.rnx",
        [
            "     4.02           OBSERVATION DATA    M                   RINEX VERSION / TYPE",
            "G    4 C1C L1C D1C S1C                                      SYS / # / OBS TYPES",
            "                                                            END OF HEADER",
        ],
    )
    with pytest.raises(ReferenceOrbitError) as exc:
        load_nav4(obs)
    assert f"{obs}:1: an observation RINEX file" in str(exc.value)
    assert "expected navigation data (type 'N')" in str(exc.value)
    with pytest.raises(ReferenceOrbitError, match=r"SEPT1890.23P:1: RINEX version 3.04.*"):
        load_nav4(shared_file(NAV3))
    with pytest.raises(ReferenceOrbitError, match="missing.rnx: does not exist"):
        load_nav4(tmp_path / "missing.rnx")
    junk = _write(tmp_path / "junk.nav", ["hello"])
    with pytest.raises(ReferenceOrbitError, match="junk.nav:1: expected a RINEX header"):
        load_nav4(junk)


def _unhealthy(lines: list[str]) -> list[str]:
    """Set the GLONASS health flag (first orbit line, 4th field) of every R record to 1."""
    out = list(lines)
    for i, ln in enumerate(out):
        if ln.startswith("> EPH R"):
            orbit = out[i + 2]
            out[i + 2] = orbit[:61] + " 1.000000000000e+00"
    return out


def test_unhealthy_satellites_are_kept_on_request(brd):
    ref = load_nav4(BRD, include_unhealthy=True)
    assert {"G22", "R25", "R26", "E14", "E18"} <= set(ref.prns) and set(brd.prns) < set(ref.prns)
    assert not any("unhealthy" in n for n in ref.notes)


def test_a_system_with_only_unhealthy_records_is_refused(tmp_path, brd_lines):
    glo = _unhealthy(_header_and_records(brd_lines, "R0", "FDMA", 40))
    only = _write(tmp_path / "glonass.rnx", glo)
    with pytest.raises(ReferenceOrbitError) as exc:
        load_nav4(only)
    msg = str(exc.value)
    assert f"{only}:10: every GLONASS record (40 records of" in msg
    assert "flagged unhealthy (health not 0)" in msg and "include_unhealthy=True" in msg
    gps = _header_and_records(brd_lines, "G0", "LNAV", 20)
    end = next(i for i, ln in enumerate(glo) if "END OF HEADER" in ln) + 1
    mixed = _write(tmp_path / "mixed.rnx", gps + glo[end:])
    ref = load_nav4(mixed)  # all systems: GLONASS left out, said in the notes
    assert {p[0] for p in ref.prns} == {"G"}
    assert any("R01" in n and "unhealthy" in n for n in ref.notes)
    with pytest.raises(ReferenceOrbitError, match=r"every GLONASS record.*systems='G'"):
        load_nav4(mixed, systems="GR")
    with pytest.raises(ReferenceOrbitError, match=r"no Galileo ephemeris record.*systems='GE'"):
        load_nav4(mixed, systems="GE")
    kept = load_nav4(mixed, systems="GR", include_unhealthy=True)
    assert {p[0] for p in kept.prns} == {"G", "R"}
