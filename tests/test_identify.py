"""Reference orbits (SP3, RINEX nav), NORAD <-> PRN identification and TLE validation.

Data: ``shared/data`` (see its PROVENANCE.md): the CODE MGEX final SP3 and the
Septentrio RINEX 3.04 navigation file of 2023-07-08, the CelesTrak snapshot of
2023-07-12 (names without PRNs) and of 2023-03-15 (names with PRNs, used as an
independent check of the matching), and two RINEX 4 files that must be refused.

Values measured when these tests were written (step 900 s over the SP3 day):

* matches: GPS 31/32 SP3 PRNs (G22 has no element set in the file), GLONASS 22/22,
  Galileo 24/24, BeiDou 36/37 (C16's element set is 2.6 days older than the others
  and 410 km off), QZSS 3/3; no BeiDou GEO in the SP3.
* match RMS: median 1.2 km, maximum 7.6 km (QZS-2); GPS 0.4-3.5, GLONASS 0.4-1.5,
  Galileo 0.5-6.2, BeiDou 0.3-4.7 km; runners-up at least 410 km away.
* per-system RMS of the element sets: GPS 1.74, GLONASS 1.05, Galileo 1.97, BeiDou 1.58,
  QZSS 4.9 km, mostly along-track.
* DOP: max |dPDOP| 0.015 (GLONASS alone at Sydney, PDOP 3.7), otherwise < 0.003;
  mean |dPDOP| < 3e-4.
* SP3 read as if its epochs were UTC (GPST->UTC shift left out): RMS 49-62 km.
* broadcast (SEPT1890.23P) minus SP3: GPS max 3.0 m, Galileo 3.9 m, GLONASS 4.6 m,
  BeiDou MEO/IGSO 8.9 m (C07; others < 2.2 m), QZSS 3.7 m.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SHARED_DATA, shared_file

import gnss
from gnss.cli.refs import identify_command, validate_command
from gnss.orbits.load import ReferenceOrbitError, lagrange_interpolate, load_reference
from gnss.validation.identify import (
    DEFAULT_SITES,
    format_matches,
    format_validation,
    identify,
    unmatched_prns,
    validate,
)

DATA = SHARED_DATA
SP3 = DATA / "sp3" / "COD0MGXFIN_20231890000_01D_05M_ORB.SP3"
NAV3 = DATA / "rinex_nav" / "SEPT1890.23P"
NAV4_ALBY = DATA / "rinex_nav" / "alby233h_rnx.nav"
NAV4_BRD = DATA / "rinex_nav" / "BRD400DLR_S_20230710000_01D_MN.rnx.gz"
TLE_JUL = DATA / "tle" / "gnss_2023-07-12.tle"
TLE_MAR = DATA / "tle" / "gnss_2023-03-15.tle"


def need(*paths: Path) -> None:
    for p in paths:
        shared_file(p)


@pytest.fixture(scope="module")
def sp3():
    need(SP3)
    return load_reference(SP3)


@pytest.fixture(scope="module")
def nav():
    need(NAV3)
    return load_reference(NAV3)


@pytest.fixture(scope="module")
def con_jul():
    need(TLE_JUL)
    return gnss.read_elements(TLE_JUL)


@pytest.fixture(scope="module")
def matches_sp3(con_jul, sp3):
    return identify(con_jul, sp3)


def by_system(matches, system, status="matched"):
    return [m for m in matches if m.system == system and m.status == status]


# ---------------------------------------------------------------------------- SP3


def test_sp3_epochs_are_gps_time_converted_to_utc(sp3):
    assert sp3.source.kind == "sp3" and sp3.source.frame == "IGS20"
    assert sp3.source.time_system == "GPS"
    assert len(sp3.prns) == 118 and sp3.positions_itrs_m.shape == (289, 118, 3)
    # 2023-07-08 00:00:00 GPST = 2023-07-07 23:59:42 UTC (GPST - UTC = 18 s since 2017).
    assert sp3.start_utc == datetime(2023, 7, 7, 23, 59, 42, tzinfo=UTC)
    assert sp3.end_utc == datetime(2023, 7, 8, 23, 59, 42, tzinfo=UTC)
    assert sp3.times_utc[1] == datetime(2023, 7, 8, 0, 4, 42, tzinfo=UTC)
    assert np.diff(sp3.t_s) == pytest.approx(300.0)


def test_sp3_positions_have_the_physical_orbit_radii(sp3):
    r_km = np.linalg.norm(sp3.positions_itrs_m, axis=-1) / 1000.0
    med = dict(zip(sp3.prns, np.nanmedian(r_km, axis=0), strict=True))
    glonass = [v for p, v in med.items() if p[0] == "R"]
    assert len(glonass) == 22
    assert all(25_490 < v < 25_530 for v in glonass)  # 19 100 km altitude
    gps = [v for p, v in med.items() if p[0] == "G"]
    assert all(26_540 < v < 26_600 for v in gps)  # a = 26 560 km
    # Galileo: a = 29 600 km; E14 and E18 are on the eccentric injection orbit.
    gal = {p: v for p, v in med.items() if p[0] == "E"}
    assert all(29_590 < v < 29_610 for p, v in gal.items() if p not in ("E14", "E18"))
    bds_meo = [med[f"C{n}"] for n in (11, 12, 14, *range(19, 31), *range(32, 38), *range(41, 47))]
    assert all(27_850 < v < 27_960 for v in bds_meo)  # 21 528 km altitude
    bds_igso = [med[f"C{n:02d}"] for n in (6, 7, 8, 9, 10, 13, 16, 38, 39, 40)]
    assert all(41_900 < v < 42_450 for v in bds_igso)  # geosynchronous, 42 164 km
    assert np.isfinite(sp3.positions_itrs_m).all()


def test_lagrange_interpolation_reproduces_skipped_epochs(sp3):
    t, p = sp3.t_s, sp3.positions_itrs_m
    # Every other epoch (10-min nodes) predicts the ones in between.
    est = lagrange_interpolate(t[::2], p[::2], t[1::2])
    err = np.linalg.norm(est - p[1::2], axis=-1)
    assert np.percentile(err, 99) < 0.005  # measured 2 mm
    assert err.max() < 0.1  # measured 6 cm: E14/E18 near perigee of their eccentric orbits
    # Exact at the nodes, NaN outside (no extrapolation).
    at_nodes = sp3.positions_at(sp3.times[:5])
    np.testing.assert_allclose(at_nodes, p[:5], rtol=0, atol=1e-6)
    assert np.isnan(lagrange_interpolate(t, p[:, :1], np.array([t[-1] + 60.0]))).all()
    x = np.arange(20.0)
    assert lagrange_interpolate(x, x**3, np.array([4.5]))[0] == pytest.approx(4.5**3)


def test_positions_at_accepts_datetimes_and_refuses_naive(sp3):
    when = datetime(2023, 7, 8, 12, 0, tzinfo=UTC)
    a = sp3.positions_at(when, ["R01"])
    b = sp3.positions_at([when], ["R01"])
    assert a.shape == (1, 1, 3) and np.allclose(a, b)
    with pytest.raises(ReferenceOrbitError, match="naive"):
        sp3.positions_at(datetime(2023, 7, 8, 12, 0), ["R01"])


# ---------------------------------------------------------------------------- identify


def test_identify_glonass_and_beidou_from_names_without_prns(matches_sp3, sp3):
    glo = by_system(matches_sp3, "R")
    bds = by_system(matches_sp3, "C")
    # All 22 GLONASS PRNs of the SP3; BeiDou 36 of 37 (C16 has a stale, 410 km element set).
    assert len(glo) >= 20 and len(bds) >= 30
    assert len(glo) == sum(p[0] == "R" for p in sp3.prns)
    matched = [m for m in matches_sp3 if m.status == "matched"]
    assert len(matched) >= 110  # measured 116 (G 31, R 22, E 24, C 36, J 3)
    prns = [m.reference_prn for m in matched]
    assert len(prns) == len(set(prns)), "a PRN was matched twice"
    assert all(m.reference_prn[0] == m.system for m in matched)
    rms = np.array([m.rms_km for m in matched])
    assert rms.max() < 20.0  # measured max 7.6 km (QZS-2); median 1.2 km
    assert 0.5 < np.median(rms) < 3.0
    assert all(m.second_best_km > 5 * m.rms_km for m in matched)
    assert all(m.max_km >= m.rms_km and m.n_epochs == 97 for m in matched)
    # GLONASS slots that are certain from the catalogue: COSMOS 2564 (NORAD 54377) is R16 ...
    ident = {m.norad_id: m.reference_prn for m in matched}
    assert ident[54377] == "R16" and ident[43001] == "C19"
    # Unmatched BeiDou: GEOs and BDS-3S test satellites are not in the SP3.
    not_matched = {m.name: m for m in matches_sp3 if m.system == "C" and m.status != "matched"}
    assert "BEIDOU-3 G1" in not_matched and "BEIDOU-3S M1S" in not_matched
    assert "nearest C16 at" in not_matched["BEIDOU-2 IGSO-7"].reason
    assert unmatched_prns(matches_sp3, sp3) == ["G22", "C16"]
    navic = [m for m in matches_sp3 if m.system == "I"]
    assert navic and all("no NavIC/IRNSS satellites in the reference" in m.reason for m in navic)


def test_matching_agrees_with_prns_in_the_march_names(matches_sp3):
    """Independent check: the 2023-03-15 snapshot names carry PRNs for GPS/Galileo/BeiDou."""
    need(TLE_MAR)
    march = {s.norad_id: s.label for s in gnss.read_elements(TLE_MAR).satellites if s.prn}
    checked = [
        (m, march[m.norad_id]) for m in matches_sp3 if m.status == "matched" and m.norad_id in march
    ]
    wrong = [
        (m.norad_id, m.name, label, m.reference_prn)
        for m, label in checked
        if label != m.reference_prn
    ]
    assert not wrong
    systems = {m.system for m, _ in checked}
    assert {"G", "E", "C"} <= systems
    assert len(checked) >= 90  # measured 94: GPS 31, Galileo 24, BeiDou 36, QZSS 3
    # e.g. NAVSTAR 82 (USA 343) is "GPS BIII-6 (PRN 28)"; GSAT0224 (GALILEO 28) is E10.
    ident = {m.norad_id: m.reference_prn for m, _ in checked}
    assert ident[55268] == "G28" and ident[49810] == "E10"


def test_name_prn_that_disagrees_is_flagged(con_jul, sp3):
    sats = list(con_jul.select("C").satellites)
    k = next(i for i, s in enumerate(sats) if s.norad_id == 43001)  # BEIDOU-3 M1 = C19
    sats[k] = dataclasses.replace(sats[k], prn=20)
    m = {x.norad_id: x for x in identify(dataclasses.replace(con_jul, satellites=tuple(sats)), sp3)}
    assert m[43001].status == "matched" and m[43001].reference_prn == "C19"
    assert m[43001].name_disagrees and "the name says C20" in m[43001].reason
    assert not any(x.name_disagrees for n, x in m.items() if n != 43001)
    assert "(name disagrees)" in format_matches(list(m.values()))


def test_duplicate_elements_are_ambiguous_not_a_wrong_match(con_jul, sp3):
    sats = list(con_jul.select("R").satellites)
    original = next(s for s in sats if s.norad_id == 54377)  # COSMOS 2564 = R16
    sats.append(dataclasses.replace(original, norad_id=99999, name="COPY OF COSMOS 2564"))
    con = dataclasses.replace(con_jul, satellites=tuple(sats))
    m = {x.norad_id: x for x in identify(con, sp3)}
    for n in (54377, 99999):
        assert m[n].status == "ambiguous", m[n]
        assert m[n].reference_prn == "R16" and "ambiguous" in m[n].reason
    assert "NORAD 99999" in m[54377].reason and "NORAD 54377" in m[99999].reason
    # The others are still matched, R16 to nobody.
    assert sum(x.status == "matched" for x in m.values()) == 21
    assert "R16" not in {x.reference_prn for x in m.values() if x.status == "matched"}
    # A demanding ratio makes every match ambiguous rather than guessing.
    strict = identify(con_jul.select("R"), sp3, ambiguity_ratio=1e5)
    assert not any(x.status == "matched" for x in strict)
    close = [x for x in strict if x.rms_km < 100.0]
    assert len(close) == 22 and all(x.status == "ambiguous" and " vs R" in x.reason for x in close)


def test_stale_names_with_prns_not_in_the_reference(sp3):
    need(TLE_MAR)
    con = gnss.read_elements(TLE_MAR).select("C")
    # The March elements are ~115 days from the July SP3: beyond the default 60-day limit,
    # allowed here on purpose (names of March, PRNs of July).
    m = {x.name_prn: x for x in identify(con, sp3, max_gap_days=200)}
    assert m["C59"].status == "unmatched"
    assert "PRN C59 (from the name) is not in the reference" in m["C59"].reason


def test_identify_parameters_are_checked(con_jul, sp3):
    with pytest.raises(gnss.ParameterError, match="ambiguity_ratio"):
        identify(con_jul, sp3, ambiguity_ratio=1.0)
    with pytest.raises(gnss.ParameterError, match="max_rms_km"):
        identify(con_jul, sp3, max_rms_km=-3)


# ---------------------------------------------------------------------------- validate


@pytest.fixture(scope="module")
def report(con_jul, sp3, matches_sp3):
    return validate(con_jul, sp3, matches_sp3, step_s=900)


def test_validate_errors_are_kilometres_mostly_along_track(report):
    systems = {r.system: r for r in report.systems}
    assert set(systems) == {"G", "R", "E", "C", "J"}
    for s in "GREC":
        # measured RMS: GPS 1.74, GLONASS 1.05, Galileo 1.97, BeiDou 1.58 km
        assert 0.5 < systems[s].rms_km < 5.0, systems[s]
        assert systems[s].max_km < 15.0  # measured max 11.3 km (GSAT0211 = E02)
        assert systems[s].along_rms_km > 2 * max(systems[s].radial_rms_km, systems[s].cross_rms_km)
        assert systems[s].median_km <= systems[s].max_km
    assert systems["R"].n_satellites == 22 and systems["C"].n_satellites == 36
    for r in report.satellites:
        total = np.sqrt(r.radial_rms_km**2 + r.along_rms_km**2 + r.cross_rms_km**2)
        assert total == pytest.approx(r.rms_km, rel=1e-6)  # the components are orthogonal


def test_validate_dop_effect_is_small(report):
    names = {d.set_name for d in report.dop}
    assert {"G", "R", "E", "C", "R+C"} <= names
    assert {d.site for d in report.dop} == {s[0] for s in DEFAULT_SITES}
    rc = [d for d in report.dop if d.set_name == "R+C"]
    assert all(d.n_epochs == report.n_epochs == 97 for d in rc)
    # Kilometre errors at 20 000+ km range move lines of sight by ~1e-4 rad, so DOP
    # changes in the 4th decimal (measured max 0.015, GLONASS alone at Sydney where
    # PDOP is 3.7 and geometry is weakest). 0.05 leaves room for other element sets.
    assert max(d.max_abs_dpdop for d in report.dop) < 0.05
    assert max(d.mean_abs_dpdop for d in report.dop) < 0.005  # measured 3e-4
    assert max(d.max_abs_dpdop for d in rc) < 0.005  # measured 1e-4
    assert all(0.5 < d.pdop_mean < 6 for d in report.dop)
    assert sum(d.n_fix_differs for d in report.dop) == 0
    text = format_validation(report)
    assert "GLONASS" in text and "R+C" in text and "max|dPDOP|" in text
    doc = report.to_dict()
    json.dumps(doc, allow_nan=False)
    assert doc["reference"]["kind"] == "sp3"


def test_dop_effect_runs_the_kernel_on_one_thread_with_the_same_numbers(monkeypatch):
    """One point per kernel call: one numba thread, restored after (issue 11, validate speed).

    The parallel launch of every call was 95 % of ``gnss elements validate`` on two busy cores
    (36 ms against 1 ms per call); the thread count must not change a number.
    """
    numba = pytest.importorskip("numba")
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba has a single thread on this machine: nothing to compare")
    from gnss.coverage.epochs import epoch_dops
    from gnss.validation import dopeffect

    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=7200, step_s=1800)
    pos_tle, _ = gnss.propagate_itrs_m(con.satellites, span)
    pos_ref = pos_tle + 1000.0  # 1.7 km off for every satellite: DOP differences to compare
    systems = [s.system for s in con.satellites]
    sets = [("R",), ("C",), ("R", "C")]
    seen = []

    def spy(*args, **kwargs):
        seen.append(numba.get_num_threads())
        return epoch_dops(*args, **kwargs)

    monkeypatch.setattr(dopeffect, "epoch_dops", spy)
    saved = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        rows = dopeffect.dop_effects(DEFAULT_SITES[:2], sets, systems, pos_tle, pos_ref, 5.0)
        assert seen == [1] * 4  # 2 sites x (elements, reference)
        assert numba.get_num_threads() == 2  # restored after the loop
        # The same numbers as the kernel on two threads (Beijing, R+C: row 1 * 3 + 2).
        _, lat, lon = DEFAULT_SITES[1]
        p, u = gnss.geodetic_points([lat], [lon], 0.0)
        a = epoch_dops(pos_tle, systems, p[0], u[0], sets)["pdop"][2]
        b = epoch_dops(pos_ref, systems, p[0], u[0], sets)["pdop"][2]
    finally:
        numba.set_num_threads(saved)
    row = rows[5]
    assert (row.site, row.set_name, row.n_epochs) == ("Beijing", "R+C", 5)
    assert row.max_abs_dpdop == float(np.abs(a - b).max()) > 0.0
    assert row.pdop_mean == float(b.mean())


def test_gpst_to_utc_shift_is_applied(con_jul, sp3, report):
    """Reading the SP3 epochs as UTC (no 18 s shift) makes the errors tens of km."""
    wrong = load_reference(SP3, time_system="UTC")
    assert (wrong.start_utc - sp3.start_utc).total_seconds() == pytest.approx(18.0)
    matches = identify(con_jul.select("RC"), wrong)
    bad = validate(con_jul.select("RC"), wrong, matches, step_s=1800, sites=DEFAULT_SITES[:1])
    good = {r.system: r.rms_km for r in report.systems}
    for r in bad.systems:
        # measured 50-62 km, along-track: ~3 km/s of Earth-fixed velocity times 18 s
        assert r.rms_km > 30.0 and r.rms_km > 10 * good[r.system]
        assert r.along_rms_km > 30.0


# ---------------------------------------------------------------------------- RINEX nav


def test_rinex3_nav_agrees_with_sp3_within_metres(nav, sp3):
    assert nav.source.kind == "rinex-nav" and nav.source.version == "3.04"
    assert any("SBAS" in n for n in nav.notes)
    assert any("C62" in n and "unhealthy" in n for n in nav.notes)
    common = [p for p in nav.prns if p in sp3.prns]
    a = nav.positions_at(nav.times, common)
    b = sp3.positions_at(nav.times, common)
    d = np.linalg.norm(a - b, axis=-1)
    worst = {p: np.nanmax(d[:, j]) for j, p in enumerate(common) if np.isfinite(d[:, j]).any()}
    # Broadcast orbits are good to ~1-2 m (and GPS's refer to the antenna phase centre,
    # SP3 to the centre of mass): GPS max 3.0 m, Galileo 3.9 m measured.
    for system, tol_m in (("G", 5.0), ("E", 5.0), ("R", 10.0), ("J", 10.0), ("C", 15.0)):
        got = {p: v for p, v in worst.items() if p[0] == system}
        assert got, system
        assert max(got.values()) < tol_m, (system, got)
    assert sum(p[0] == "R" for p in worst) >= 4  # R07, R08, R21, R22 (RK4 integration)
    # Outside every record's validity window: NaN, never extrapolated.
    late = nav.seconds_of(nav.times[-1:]) + 3 * 3600
    assert np.isnan(nav._evaluate(late, np.arange(len(nav.prns)))).all()


def test_rinex3_nav_identify_including_beidou_geo(con_jul, nav, matches_sp3):
    matches = identify(con_jul, nav)
    matched = {m.norad_id: m for m in matches if m.status == "matched"}
    assert len({m.reference_prn for m in matched.values()}) == len(matched)
    counts = {s: len(by_system(matches, s)) for s in "GRECJ"}
    assert counts["G"] >= 15 and counts["E"] >= 8 and counts["R"] >= 4 and counts["C"] >= 20
    sp3_ident = {m.norad_id: m.reference_prn for m in matches_sp3 if m.status == "matched"}
    for n, m in matched.items():
        if n in sp3_ident:
            assert sp3_ident[n] == m.reference_prn
    # BeiDou GEOs (not in the SP3) come from the GEO algorithm of the BDS ICD: within a
    # few km of their element sets (without the -5 deg rotation it would be ~3700 km).
    geo = {
        m.reference_prn: m.rms_km
        for m in matched.values()
        if m.reference_prn in ("C01", "C02", "C03", "C04", "C60")
    }
    assert len(geo) == 5 and max(geo.values()) < 10.0  # measured 0.7-3.9 km
    assert all(m.rms_km < 40.0 for m in matched.values())  # measured max 33.5 km: C59


def test_rinex4_navigation_files_are_read_by_load_reference():
    """georinex reads RINEX 2/3 only; load_reference hands RINEX 4 to gnss.orbits.rinex4."""
    need(NAV4_BRD)
    ref = load_reference(NAV4_BRD)
    assert ref.source.kind == "rinex-nav" and ref.source.version.startswith("4")
    assert {"G", "R", "E", "C"} <= set(ref.systems())
    with pytest.raises(ReferenceOrbitError, match="SP3 files only"):
        load_reference(NAV4_BRD, time_system="GPS")


def test_unreadable_and_wrong_files_give_clear_errors(tmp_path):
    with pytest.raises(ReferenceOrbitError, match="does not exist"):
        load_reference(tmp_path / "missing.sp3")
    need(TLE_JUL, SP3, NAV3)
    with pytest.raises(ReferenceOrbitError, match="not an SP3 or RINEX navigation file"):
        load_reference(TLE_JUL)
    with pytest.raises(ReferenceOrbitError, match="--nav"):
        load_reference(NAV3, kind="sp3")
    lines = SP3.read_text().splitlines(keepends=True)
    # A damaged position record.
    k = next(i for i, ln in enumerate(lines) if ln.startswith("PR01"))
    bad = tmp_path / "bad.sp3"
    bad.write_text(
        "".join(lines[:k] + ["PR01 -13318.6978XX   8985.725273  garbage\n"] + lines[k + 1 :])
    )
    with pytest.raises(ReferenceOrbitError, match="bad.sp3.*cannot parse"):
        load_reference(bad)
    # A position that parses but is physically impossible (a digit shifted: 10x radius).
    ln = lines[k]
    scaled = ln[:4] + f"{float(ln[4:18]) * 10:14.6f}" + ln[18:]
    odd = tmp_path / "odd.sp3"
    odd.write_text("".join(lines[:k] + [scaled] + lines[k + 1 :]))
    with pytest.raises(ReferenceOrbitError, match="R01 has orbit radii"):
        load_reference(odd)


# ---------------------------------------------------------------------------- CLI


def run(command, args):
    return CliRunner().invoke(command, args, catch_exceptions=False)


def _no_nan(name):
    raise ValueError(f"{name} is not JSON: the --json files are strict (NaN/inf become null)")


def test_cli_identify_prints_table_and_writes_json(tmp_path):
    need(SP3, TLE_JUL)
    out = tmp_path / "m.json"
    res = run(identify_command, ["-e", str(TLE_JUL), "--sp3", str(SP3), "--json-file", str(out)])
    assert res.exit_code == 0, res.output
    assert "matched: 116 of 162" in res.stdout
    assert "COSMOS 2564" in res.stdout and "R16" in res.stdout
    assert "not matched:" in res.stdout and "BEIDOU-3 G1" in res.stdout
    doc = json.loads(out.read_text(), parse_constant=_no_nan)
    assert doc["reference"]["time_system"] == "GPS"
    by_norad = {m["norad_id"]: m for m in doc["matches"]}
    assert by_norad[54377]["reference_prn"] == "R16" and by_norad[54377]["status"] == "matched"
    assert doc["reference_prns_unmatched"] == ["G22", "C16"]
    # Refuses to replace the JSON without --overwrite.
    res = CliRunner().invoke(
        identify_command, ["-e", str(TLE_JUL), "--sp3", str(SP3), "--json-file", str(out)]
    )
    assert res.exit_code == 1 and "--overwrite" in res.output


def test_cli_identify_through_a_group_with_nav_and_bad_values(tmp_path):
    import click

    group = click.Group("elements", commands=[identify_command, validate_command])
    need(NAV3, TLE_JUL, NAV4_ALBY, SP3)
    res = CliRunner().invoke(group, ["identify", "-e", str(TLE_JUL), "--nav", str(NAV3)])
    assert res.exit_code == 0, res.output
    assert "Warning: SBAS records" in res.stderr
    res = CliRunner().invoke(
        group, ["identify", "-e", str(TLE_JUL), "--max-rms-km", "-1", "--sp3", str(SP3)]
    )
    assert res.exit_code == 2 and "'-1'" in res.output
    res = CliRunner().invoke(group, ["identify", "-e", str(TLE_JUL)])
    assert res.exit_code == 2 and "--sp3 FILE or --nav FILE" in res.output
    res = CliRunner().invoke(
        group, ["identify", "-e", str(TLE_JUL), "--sp3", str(SP3), "--nav", str(NAV3)]
    )
    assert res.exit_code == 2
    res = CliRunner().invoke(group, ["identify", "-e", str(TLE_JUL), "--nav", str(NAV4_ALBY)])
    # RINEX 4 is read now; its day (2025-08-21) is two years from the elements: refused.
    assert res.exit_code == 1 and "days" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(group, ["identify", "-e", str(TLE_JUL), "--sp3", str(NAV3)])
    assert res.exit_code == 1 and "use --nav" in res.output
    # Nothing matches (one satellite, an impossible distance limit): exit status 1.
    one = tmp_path / "one.tle"
    text = TLE_JUL.read_text().splitlines()
    k = next(i for i, ln in enumerate(text) if ln.startswith("COSMOS"))
    one.write_text("\n".join(text[k : k + 3]) + "\n")
    res = CliRunner().invoke(
        group, ["identify", "-e", str(one), "--sp3", str(SP3), "--max-rms-km", "0.001"]
    )
    assert res.exit_code == 1 and "no satellite matched" in res.output


def _records_3le(path: Path) -> list[list[str]]:
    lines = path.read_text().replace("\r", "").splitlines()
    return [lines[k : k + 3] for k in range(0, len(lines), 3)]


def test_cli_validate_warns_on_stale_elements_and_reports(tmp_path):
    need(SP3, TLE_MAR, TLE_JUL)
    # July elements with March GLONASS records: the median epoch stays in July (near the
    # SP3), the 26 GLONASS sets are ~115 days old.
    mixed = [r for r in _records_3le(TLE_JUL) if not r[0].startswith("COSMOS")]
    mixed += [r for r in _records_3le(TLE_MAR) if r[0].startswith("COSMOS")]
    stale = tmp_path / "stale_glonass.tle"
    stale.write_text("".join(line + "\n" for rec in mixed for line in rec))
    out = tmp_path / "v.json"
    res = run(
        validate_command,
        ["-e", str(stale), "--sp3", str(SP3), "--step-s", "3600", "--site", "Moscow,55.75,37.62",
         "--json-file", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Warning:" in res.stderr and "more than 14 days" in res.stderr
    assert "GLONASS" in res.stdout and "DOP effect" in res.stdout and "Moscow" in res.stdout
    doc = json.loads(out.read_text(), parse_constant=_no_nan)
    assert {r["system"] for r in doc["systems"]} >= {"R", "C"}
    assert [d["site"] for d in doc["dop"]] == ["Moscow"] * len(doc["dop"])
    res = CliRunner().invoke(
        validate_command, ["-e", str(TLE_MAR), "--sp3", str(SP3), "--site", "Nowhere,95,0"]
    )
    assert res.exit_code == 2 and "'Nowhere,95,0'" in res.output
    res = CliRunner().invoke(
        validate_command, ["-e", str(TLE_MAR), "--sp3", str(SP3), "--step-s", "0"]
    )
    assert res.exit_code == 2 and "'0'" in res.output


def test_cli_identify_as_a_real_subprocess(tmp_path):
    import subprocess
    import sys

    need(SP3, TLE_JUL)
    code = "from gnss.cli.refs import identify_command; identify_command()"
    args = [sys.executable, "-c", code, "-e", str(TLE_JUL), "--sp3", str(SP3), "--step-s", "3600"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "matched: 116 of 162" in proc.stdout and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [*args[:3], "-e", str(TLE_JUL), "--nav", str(NAV4_BRD)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if NAV4_BRD.is_file():  # read (RINEX 4.00), but 2023-03-12 is 120 days from the elements
        assert proc.returncode == 1 and "days" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------------------- far references

TLE_2026 = DATA / "tle" / "gnss_2026-10-06.tle"


def test_identify_refuses_a_reference_years_from_the_elements(sp3):
    need(TLE_2026)
    con = gnss.read_elements(TLE_2026)
    with pytest.raises(gnss.ParameterError) as info:
        identify(con, sp3)
    msg = str(info.value)
    # Both dates, the gap (2023-07-08 vs median 2026-10-05: 1185-1186 days) and the fix.
    assert "2023-07-07 23:59 .. 2023-07-08 23:59 UTC" in msg
    assert "median epoch 2026-10-05 14:50 UTC" in msg and "2026-09-13 .. 2026-10-06" in msg
    assert re.search(r"118[56] days", msg) and "more than 60 days" in msg
    assert str(SP3) in msg and "Use a reference" in msg
    # `elements validate` identifies first, so it refuses too (exit 1, the same message).
    res = CliRunner().invoke(validate_command, ["-e", str(TLE_2026), "--sp3", str(SP3)])
    assert res.exit_code == 1 and "more than 60 days" in res.output


def test_cli_identify_far_reference_exits_1_as_a_real_subprocess(tmp_path):
    import subprocess
    import sys

    need(SP3, TLE_2026)
    args = [sys.executable, "-m", "gnss.cli", "elements", "identify", "-e", str(TLE_2026),
            "--sp3", str(SP3)]  # fmt: skip
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "matched:" not in proc.stdout
    assert "2023-07-08" in proc.stderr and "2026-10-05" in proc.stderr
