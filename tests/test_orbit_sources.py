"""SP3 and RINEX navigation files as element sources of `gnss compare` (issue 12).

Real files from ../shared/data: CODE's MGEX final SP3 of 2023-07-08 (day 189), Septentrio's
RINEX 3.04 navigation file of the same day, and the CelesTrak TLEs of 2023-07-12.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import gnss
from gnss.cli import main
from gnss.errors import ElementError, ParameterError
from gnss.orbits.load import load_reference

SP3 = "sp3/COD0MGXFIN_20231890000_01D_05M_ORB.SP3"
NAV3 = "rinex_nav/SEPT1890.23P"
TLE = "tle/gnss_2023-07-12.tle"
MASK_DEG = 5.0
QUICK = dict(resolution_deg=10, step_s=1800, elevation_mask_deg=MASK_DEG)


def _study(sets, elements, **kw):
    return gnss.Study(sets, elements=elements, **(QUICK | dict(duration_s=6 * 3600) | kw))


def _wgs84_points(lat_deg, lon_deg):
    """ECEF points (height 0) and geodetic up vectors (WGS84: a 6378137 m, 1/f 298.257223563)."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    lat, lon = np.meshgrid(np.radians(lat_deg), np.radians(lon_deg), indexing="ij")
    n = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)
    pts = np.stack([n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon),
                    n * (1 - e2) * np.sin(lat)], -1)  # fmt: skip
    return pts.reshape(-1, 3), up.reshape(-1, 3)


def _plain_reference(pos, systems, pts, up, set_systems):
    """Per cell: visible min/max/mean, mean PDOP over fixes, and min |elevation - mask| (deg).

    Plain DOP: G = [-e, one-hot clock per system in view], PDOP = sqrt(trace of the position
    block of (G^T G)^-1) (the trace does not depend on the ENU rotation).
    """
    cols = [k for k, s in enumerate(systems) if s in set_systems]
    n_p = pts.shape[0]
    vis_all, pdop_all, edge = [], [], np.full(n_p, np.inf)
    for t in range(pos.shape[0]):
        d = pos[t, cols][None] - pts[:, None]  # (n_p, n_s, 3)
        e = d / np.linalg.norm(d, axis=-1, keepdims=True)
        el = np.degrees(np.arcsin(np.einsum("psk,pk->ps", e, up)))
        edge = np.minimum(edge, np.nanmin(np.abs(el - MASK_DEG), axis=1))
        vis = el > MASK_DEG
        vis_all.append(vis.sum(axis=1))
        pd = np.full(n_p, np.nan)
        for p in range(n_p):
            idx = np.flatnonzero(vis[p])
            sys_in = sorted({systems[cols[i]] for i in idx})
            if len(idx) < 3 + len(sys_in):
                continue
            onehot = np.array([[systems[cols[i]] == s for s in sys_in] for i in idx], float)
            g = np.hstack([-e[p, idx], onehot])
            q = np.linalg.inv(g.T @ g)
            if np.sqrt(np.trace(q)) <= 256.0:  # the project's DOP ceiling (dop_ceiling attr)
                pd[p] = np.sqrt(np.trace(q[:3, :3]))
        pdop_all.append(pd)
    vis_all, pdop_all = np.array(vis_all), np.array(pdop_all)
    return vis_all.min(0), vis_all.max(0), vis_all.mean(0), np.nanmean(pdop_all, 0), edge


def test_sp3_coverage_matches_a_plain_reference_per_cell(shared_data):
    path = shared_data / SP3
    result = gnss.run_comparison(_study("R,C,R+C", [path]))
    ds = result.dataset
    ref = load_reference(path)
    # The run starts at the SP3's first epoch; at 1800 s it lands on every 6th sample (300 s).
    assert ds.attrs["propagation_failures"] == "none"
    assert result.plan.span.start == ref.start_utc
    n_t = result.plan.span.n_epochs
    pos = ref.positions_itrs_m[: 6 * (n_t - 1) + 1 : 6]
    systems = [p[0] for p in ref.prns]
    pts, up = _wgs84_points(ds.lat.values, ds.lon.values)
    shape = (ds.lat.size, ds.lon.size)
    for name, set_systems in (("R", "R"), ("C", "C"), ("R+C", "RC")):
        vmin, vmax, vmean, pdop, edge = _plain_reference(pos, systems, pts, up, set_systems)
        away = edge.reshape(shape) > 1e-3  # no satellite within 0.001 deg of the mask
        assert away.mean() > 0.8
        cell = ds.sel(set=name)
        assert np.array_equal(cell.visible_min.values[away], vmin.reshape(shape)[away])
        assert np.array_equal(cell.visible_max.values[away], vmax.reshape(shape)[away])
        # float32 storage: 1e-6 relative is its resolution (2^-23 = 1.2e-7) with margin.
        np.testing.assert_allclose(cell.visible_mean.values[away], vmean.reshape(shape)[away],
                                   rtol=1e-6)  # fmt: skip
        np.testing.assert_allclose(cell.pdop_mean.values[away], pdop.reshape(shape)[away],
                                   rtol=1e-6)  # fmt: skip


def test_sp3_satellites_carry_identity_and_classification(shared_data):
    plan = gnss.plan_comparison(_study("R,C,J", [shared_data / SP3]))
    sats = plan.constellations[None].satellites
    assert all(s.norad_id is None and s.orbit.kind == "sp3" for s in sats)
    by = {s.label: s for s in sats}
    assert by["C19"].generation == "BDS-3" and by["C11"].generation == "BDS-2"
    assert by["C19"].orbit_class == "MEO" and by["C38"].orbit_class == "IGSO"
    assert by["R01"].name == "R01 (SP3)" and by["R01"].source.endswith(":R01")


def test_rinex3_nav_compare_r_c_rc(shared_data, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [
        "compare", "-e", str(shared_data / NAV3), "--sets", "R,C,R+C", "--resolution-deg", "10",
        "--hours", "6", "--step-s", "1800", "--maps", "none", "-o", str(out),
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (out / "coverage.nc").exists()
    ds = xr.open_dataset(out / "coverage.nc")
    # A station's file (Septentrio, 00:00-08:00 GPST): the satellites it tracked, all used.
    prns = load_reference(shared_data / NAV3).prns
    counts = dict(zip(ds.set.values, ds.set_n_satellites.values, strict=True))
    assert counts["R"] == sum(p[0] == "R" for p in prns) == 5
    assert counts["C"] == sum(p[0] == "C" for p in prns) >= 10
    assert counts["R+C"] == counts["R"] + counts["C"]
    failures = ds.attrs["propagation_failures"]
    assert failures == "none" or "no valid broadcast record" in failures


def test_tle_and_sp3_of_the_same_day_sp3_wins_and_is_reported(shared_data, caplog):
    caplog.set_level(logging.WARNING, logger="gnss")
    study = _study("R,C", [shared_data / TLE, shared_data / SP3], duration_s=3600)
    con = gnss.plan_comparison(study).constellations[None]
    sp3_labels = {p for p in load_reference(shared_data / SP3).prns if p[0] in "RC"}
    kinds = {s.label: (s.orbit.kind if s.orbit else "tle") for s in con.satellites}
    assert {k for k, v in kinds.items() if v == "sp3" and k[0] in "RC"} == sp3_labels
    others = [s for s in con.skipped if s.kind == "other source"]
    assert len(others) >= 100  # the TLEs of the SP3's satellites (G, R, E, C, J)
    assert all("sp3 orbit is used" in s.reason for s in others)
    # The BeiDou GEOs are not in CODE's SP3: they stay TLE satellites.
    assert sum(s.orbit is None and s.orbit_class == "GEO" for s in con.satellites) >= 3
    assert any("other source" in r.getMessage() for r in caplog.records)
    assert len({s.label for s in con.satellites if s.prn is not None}) == sum(
        s.prn is not None for s in con.satellites
    )  # one satellite, one source


def test_selectors_and_what_if_sets_on_sp3_satellites(shared_data):
    sp3 = shared_data / SP3
    plan = gnss.plan_comparison(_study("R", [sp3], select=["R:plane=1"], duration_s=3600))
    assert {s.label for s in plan.constellations[None].satellites} == {
        "R01", "R02", "R03", "R04", "R05", "R07", "R08"}  # fmt: skip
    plan = gnss.plan_comparison(_study("R,R[-R:plane=1]", [sp3], duration_s=3600))
    assert plan.set_descriptions["R[-R:plane=1]"].startswith("15 satellites")
    # C:GEO selects the TLE GEOs when mixed; the SP3 alone has none: a clear refusal.
    mixed = _study("C", [shared_data / TLE, sp3], select=["C:GEO"], duration_s=3600)
    geo = gnss.plan_comparison(mixed).constellations[None].satellites
    assert geo and all(s.orbit_class == "GEO" and s.orbit is None for s in geo)
    with pytest.raises(ParameterError) as err:
        gnss.plan_comparison(_study("C", [sp3], select=["C:GEO"], duration_s=3600))
    assert err.value.parameter == "select"
    with pytest.raises(ParameterError):  # SP3 satellites have no NORAD number
        gnss.plan_comparison(_study("R", [sp3], select=["norad=32276"], duration_s=3600))


def test_labelled_sp3_runs_from_its_own_first_epoch(shared_data):
    """A labelled SP3 starts at its first epoch, not its median (noon): 24 h fit in the day."""
    elements = {None: [shared_data / TLE], "d189": [shared_data / SP3]}
    study = gnss.Study("R,R@d189", elements=elements, **(QUICK | dict(duration_s=86400)))
    plan = gnss.plan_comparison(study)
    labelled = next(r for r in plan.resolved if r.spec.label == "d189")
    assert all(s.orbit.kind == "sp3" for s in labelled.satellites)
    assert plan.span.start.date().isoformat() != "2023-07-08"  # the TLEs' own median epoch


def _compare(args, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(gnss.__file__).parents[1])}
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "gnss.cli", "compare", *args, "--resolution-deg", "10",
         "--step-s", "1800", "--maps", "none", "-o", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert not out.exists(), "nothing may be written"
    return proc


def test_truncated_sp3_is_refused(shared_data, tmp_path):
    lines = (shared_data / SP3).read_text().splitlines(keepends=True)
    bad = tmp_path / "cut.SP3"
    bad.write_text("".join(lines[: len(lines) // 2]))
    proc = _compare(["-e", str(bad), "--sets", "R"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "truncated" in proc.stderr and "Download it again" in proc.stderr


def test_span_not_covered_is_refused_with_the_files_span(shared_data, tmp_path):
    args = ["-e", str(shared_data / SP3), "--sets", "R", "--start", "2023-07-08T12:00Z"]
    proc = _compare([*args, "--hours", "24"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "not covered by" in proc.stderr and "2023-07-07T23:54:42" in proc.stderr
    assert "--start" in proc.stderr


def test_rinex_observation_file_is_refused(tmp_path):
    obs = tmp_path / "site1890.23o"
    obs.write_text(
        "     3.04           OBSERVATION DATA    M                   RINEX VERSION / TYPE\n"
        "                                                            END OF HEADER\n"
    )
    proc = _compare(["-e", str(obs), "--sets", "R", "--hours", "1"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "observation file, not orbits" in proc.stderr and "navigation" in proc.stderr
    with pytest.raises(ElementError):
        gnss.plan_comparison(_study("R", [obs]))


def test_validate_broadcast_elements_against_the_sp3(shared_data, tmp_path):
    """`validate -e NAV --sp3 SP3`: broadcast against precise, each PRN matched to itself."""
    out = tmp_path / "v.json"
    res = CliRunner().invoke(main, [
        "elements", "validate", "-e", str(shared_data / NAV3), "--sp3", str(shared_data / SP3),
        "--step-s", "900", "--site", "Moscow,55.75,37.62", "--json-file", str(out),
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    matched = [m for m in doc["matches"] if m["status"] == "matched"]
    assert len(matched) >= 45
    assert all(m["name"].startswith(m["reference_prn"]) for m in matched)
    for row in doc["systems"]:
        # Broadcast vs precise: metres (antenna phase centre vs centre of mass, clock-fit
        # orbits), far from the km of TLEs; 10 m bounds every system of this day.
        assert 0.1e-3 < row["rms_km"] < 10e-3, row


def test_rinex4_navigation_has_one_dispatch_point(shared_data):
    """RINEX 4 is told apart by content and read by gnss.orbits.rinex4 (georinex: 2/3 only)."""
    from gnss.study import sources

    path = shared_data / "rinex_nav/BRD400DLR_S_20230710000_01D_MN.rnx.gz"
    assert sources.file_kind(path) == "rinex-nav4"
    con = sources.read_sources([path])
    assert {"R", "C"} <= {s.system for s in con.satellites}


def test_classification_proxy_agrees_with_the_tle_of_the_same_satellite(shared_data):
    """Orbit class and plane of an SP3 satellite (SGP4 proxy) equal those of its TLE."""
    from gnss.elements.planes import orbital_plane
    from gnss.study.sources import read_sources

    con = read_sources([shared_data / TLE, shared_data / SP3])
    tle = {s.name: s for s in gnss.read_elements(shared_data / TLE).satellites}
    sp3 = {s.name: s for s in con.satellites if s.orbit is not None}
    pairs = [
        (tle[s.name], sp3[s.reason.split("same satellite as ")[1].split(" of ")[0]])
        for s in con.skipped if s.kind == "other source"
    ]  # fmt: skip
    assert len(pairs) >= 100
    for t, f in pairs:
        assert (t.system, t.orbit_class) == (f.system, f.orbit_class), (t.name, f.name)
        assert orbital_plane(t) == orbital_plane(f), (t.name, f.name)


def test_rinex4_daily_file_drives_a_coverage_run_for_r_c_rc(shared_data, tmp_path):
    """BRD400DLR (RINEX 4.00, the merged broadcast file of 2023-03-12): R, C, R+C over its day."""
    nav = shared_data / "rinex_nav/BRD400DLR_S_20230710000_01D_MN.rnx.gz"
    # Its first records (of the evening before) are valid from 22:04 UTC, when most satellites
    # have none yet: the day is asked for with --start.
    day = datetime(2023, 3, 12, tzinfo=UTC)
    study = _study("R,C,R+C", nav, start=day, duration_s=24 * 3600, resolution_deg=15, step_s=3600)
    result = gnss.run_comparison(study, tmp_path / "out", maps="none")
    plan, ds = result.plan, result.dataset
    assert plan.span.start == day
    con = plan.constellations[None]
    assert len([s for s in con.satellites if s.system == "R"]) >= 20
    assert all(s.orbit is not None and s.orbit.kind == "broadcast" for s in con.satellites)
    avail = ds.availability
    assert float(avail.sel(set="R+C").min()) == 1.0  # 20+ GLONASS and 40+ BeiDou: always a fix
    assert bool((avail.sel(set="R+C") >= avail.sel(set="R")).all())
    # Gaps only where records were flagged unhealthy for part of the day (BeiDou), none in R.
    failed = [x.split(":")[0] for x in ds.attrs["propagation_failures"].split("; ")]
    assert not [name for name in failed if name.startswith("R")], failed


def test_an_almanac_is_an_element_source(shared_data, tmp_path):
    """A YUMA almanac written from the day's broadcast records drives a GPS run (km accuracy)."""
    from gnss.orbits.almanac_write import almanac_from_broadcast, write_yuma
    from gnss.orbits.refread import georinex_load
    from gnss.study.sources import file_kind

    recs = almanac_from_broadcast(georinex_load(shared_data / NAV3), 2269, 130 * 4096.0)
    alm = write_yuma(recs, tmp_path / "week2269.alm")
    assert file_kind(alm) == "almanac"
    study = _study("G", alm, start="2023-07-08T06:00Z", duration_s=6 * 3600)
    plan = gnss.plan_comparison(study)
    sats = plan.constellations[None].satellites
    assert sats and all(s.orbit.kind == "almanac" and s.system in "GJ" for s in sats)
    ds = gnss.run_plan(plan).dataset
    assert float(ds.visible_mean.sel(set="G").mean()) > 3.0  # 17 GPS satellites in the file


def test_include_unhealthy_keeps_flagged_satellites(shared_data):
    """BRD400DLR flags G22, R25, R26, E14, E18 unhealthy all day: left out, kept on request."""
    nav = shared_data / "rinex_nav/BRD400DLR_S_20230710000_01D_MN.rnx.gz"
    names = {}
    for keep in (False, True):
        study = _study("R", nav, start="2023-03-12T00:00Z", duration_s=3600,
                       include_unhealthy=keep)  # fmt: skip
        plan = gnss.plan_comparison(study)
        names[keep] = {s.label for s in plan.constellations[None].satellites}
    assert {"R25", "R26"} <= names[True] - names[False]
    res = CliRunner().invoke(main, ["compare", "--help"])
    assert "--include-unhealthy" in res.output


def test_elements_list_reads_orbit_files(shared_data):
    """`gnss elements list -e FILE.SP3` lists the file's satellites with their classification."""
    res = CliRunner().invoke(main, ["elements", "list", "-e", str(shared_data / SP3),
                                    "--select", "R:plane=1", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["satellites"]
    assert {r["name"] for r in rows} >= {"R01 (SP3)", "R02 (SP3)"}
    assert all(r["norad"] is None and r["plane"] == 1 for r in rows)


def test_the_sp3_interpolation_order_is_chosen_by_measurement(shared_data):
    """Every other 5-min sample of CODE's SP3 as nodes (10 min), the others as truth.

    Measured (m, median / p99 / max): 5 points 2.3 / 5.5 / 17; 7 points 7e-3 / 0.054 / 0.67;
    9 points 6.3e-4 / 2.1e-3 / 0.060; 11 points 6.3e-4 / 3.4e-3 / 0.011. Nine (the IGS
    practice) is where the error stops falling: at the file's own 5-min spacing it is smaller
    still, far below the centimetres of the orbit itself.
    """
    from gnss.orbits.sp3 import LAGRANGE_POINTS, lagrange_interpolate

    ref = load_reference(shared_data / SP3)
    t, pos = ref.t_s, ref.positions_itrs_m
    p99 = {}
    for n in (7, 9, 11):
        est = lagrange_interpolate(t[::2], pos[::2], t[1::2], n_points=n)
        err = np.linalg.norm(est - pos[1::2], axis=-1)
        p99[n] = float(np.nanpercentile(err, 99))
    assert LAGRANGE_POINTS == 9
    assert p99[9] < 5e-3 and p99[9] < p99[7] / 10  # metres
    assert p99[9] <= p99[11] * 1.5  # more points gain nothing


def test_a_system_with_only_unhealthy_records_is_refused_with_the_fix(shared_data, tmp_path):
    """alby233h_rnx.nav (RINEX 4.02): every QZSS record flagged unhealthy; a J set says so."""
    nav = shared_data / "rinex_nav/alby233h_rnx.nav"
    with pytest.raises(ParameterError, match="left out as unhealthy .*--include-unhealthy") as e:
        gnss.plan_comparison(_study("J", nav, duration_s=3600), tmp_path / "out")
    assert e.value.parameter == "sets" and "J02" in str(e.value)
    assert not (tmp_path / "out").exists()


def test_the_dataset_names_its_orbit_sources(shared_data):
    study = _study("R", shared_data / SP3, duration_s=3600)
    ds = gnss.run_plan(gnss.plan_comparison(study)).dataset
    assert ds.attrs["source"] == "gnss-coverage (orbits: SP3 precise; numba kernels)"
