"""Site time series (issue 13): gnss.site_timeseries and ``gnss site`` against skyfield + NumPy.

The reference is built here from skyfield alone (EarthSatellite from the same TLE lines,
topocentric altitude/azimuth from ``(satellite - wgs84.latlon(...)).at(t).altaz()``) and a
plain NumPy DOP (explicit design matrix, one clock column per system in view, inv(GᵀG)); the
package's geometry is not used. Only the set membership (which NORAD ids are in a set) comes
from the package's plan.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, timedelta
from pathlib import Path

import numpy as np
import pytest
from skyfield.api import load, wgs84

import gnss
from gnss.receivers.sites import SiteError, read_sites_csv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SNAPSHOT = DATA / "tle" / "gnss_2026-10-06.tle"
SITES = [("Moscow", 55.7558, 37.6173, 150.0), ("Beijing", 39.9042, 116.4074, 44.0)]
#: Epochs with a satellite this close to the mask are left out of the exact count (degrees):
#: the package and skyfield agree on elevations to far better than this.
MASK_EDGE_DEG = 1e-6
#: DOP agreement: the geometry is the same skyfield frames and SGP4, so only rounding differs.
DOP_TOL = 1e-9
TS = load.timescale()


def _skyfield_sats(paths) -> dict[int, object]:
    """EarthSatellite by NORAD id from the TLE files (skyfield's own reader)."""
    out = {}
    for path in paths:
        for sat in load.tle_file(str(path), ts=TS):
            out[sat.model.satnum] = sat
    return out


def _reference(sats, systems, site, times, mask_deg, clock):
    """Visible counts, per-system counts and DOPs at one site, epoch by epoch (NumPy)."""
    _, lat, lon, height = site
    topos = wgs84.latlon(lat, lon, elevation_m=height)
    t = TS.from_datetimes(times)
    alt = np.empty((len(sats), len(times)))
    az = np.empty_like(alt)
    for i, sat in enumerate(sats):
        a, z, _ = (sat - topos).at(t).altaz()
        alt[i], az[i] = a.radians, z.radians
    el_deg = np.degrees(alt)
    edge = (np.abs(el_deg - mask_deg) < MASK_EDGE_DEG).any(axis=0)
    vis = el_deg > mask_deg
    names = sorted(set(systems))
    sys_arr = np.array(systems)
    out = {"visible": vis.sum(axis=0), "edge": edge}
    for s in names:
        out[f"visible_{s}"] = vis[sys_arr == s].sum(axis=0)
    dops = {k: np.full(len(times), np.nan) for k in ("pdop", "hdop", "vdop", "gdop")}
    tdops = {s: np.full(len(times), np.nan) for s in (names if clock == "per-system" else [""])}
    for k in range(len(times)):
        m = vis[:, k]
        e = np.cos(alt[m, k]) * np.sin(az[m, k])
        n = np.cos(alt[m, k]) * np.cos(az[m, k])
        u = np.sin(alt[m, k])
        in_view = [s for s in names if (sys_arr[m] == s).any()]
        clocks = in_view if clock == "per-system" else [""]
        if clock == "per-system":
            cols = [(sys_arr[m] == s).astype(float) for s in clocks]
        else:
            cols = [np.ones(m.sum())]
        g = np.column_stack([-e, -n, -u, *cols])
        if g.shape[0] < g.shape[1]:
            continue
        q = np.linalg.inv(g.T @ g)
        d = np.diag(q)
        if not np.sqrt(d.sum()) <= gnss.DOP_CEILING:
            continue
        dops["pdop"][k], dops["hdop"][k] = np.sqrt(d[:3].sum()), np.sqrt(d[:2].sum())
        dops["vdop"][k], dops["gdop"][k] = np.sqrt(d[2]), np.sqrt(d.sum())
        for j, s in enumerate(clocks):
            tdops[s][k] = np.sqrt(d[3 + j])
    return out | dops | {f"tdop_{s}" if s else "tdop": v for s, v in tdops.items()}


def _check_against_reference(study, element_paths, sites=SITES):
    """site_timeseries equals the skyfield + NumPy reference for every site and set."""
    ds = gnss.site_timeseries(study, sites)
    plan = gnss.plan_comparison(study)
    sky = _skyfield_sats(element_paths)
    times = [t.astype("datetime64[us]").item().replace(tzinfo=UTC)
             for t in ds.time.values]  # fmt: skip
    n_checked = 0
    for rs in plan.resolved:
        sats = [sky[s.norad_id] for s in rs.satellites]
        systems = [s.system for s in rs.satellites]
        for site in sites:
            ref = _reference(sats, systems, site, times, study.elevation_mask_deg, study.clock)
            got = ds.sel(site=site[0], set=rs.spec.name)
            keep = ~ref["edge"]
            for name in ("visible", *(f"visible_{s}" for s in rs.spec.systems)):
                np.testing.assert_array_equal(got[name].values[keep], ref[name][keep], name)
            for name in [k for k in ref if "dop" in k]:
                want = ref[name][keep]
                have = got[name].values[keep]
                np.testing.assert_array_equal(np.isnan(have), np.isnan(want), name)
                np.testing.assert_allclose(have, want, rtol=0, atol=DOP_TOL, err_msg=name)
            n_checked += int(keep.sum())
    assert n_checked > 0
    return ds


def test_nominal_sets_equal_skyfield_reference():
    study = gnss.Study("R,C,R+C", duration_s=6 * 3600, step_s=1800)
    ds = _check_against_reference(study, gnss.nominal_element_files(["R", "C"]))
    assert dict(ds.sizes) == {"time": 13, "site": 2, "set": 3}
    assert set(ds.data_vars) >= {"visible_R", "visible_C", "tdop_R", "tdop_C", "gdop"}


@pytest.mark.skipif(not SNAPSHOT.exists(), reason="needs ../shared/data")
def test_what_if_set_equals_reference():
    # A what-if set: the kernel sees only the set's satellites (the GEOs taken out).
    study = gnss.Study("C,C[-C:GEO],R+C[-C:GEO]", elements=[SNAPSHOT], duration_s=3 * 3600,
                       step_s=1800, max_age_days=30)  # fmt: skip
    ds = _check_against_reference(study, [SNAPSHOT])
    fewer = ds.visible.sel(set="C[-C:GEO]") < ds.visible.sel(set="C")
    assert bool(fewer.sel(site="Beijing").all())  # BeiDou GEOs are always in view there


def test_common_clock_equals_reference():
    study = gnss.Study("R+C", duration_s=3 * 3600, step_s=1800, clock="common",
                       elevation_mask_deg=10.0)  # fmt: skip
    ds = _check_against_reference(study, gnss.nominal_element_files(["R", "C"]))
    assert "tdop" in ds and "tdop_R" not in ds


@pytest.mark.skipif(not SNAPSHOT.exists(), reason="needs ../shared/data")
def test_real_snapshot_moscow_beijing_equal_reference():
    study = gnss.Study("R,C,R+C", elements=[SNAPSHOT], duration_s=6 * 3600, step_s=1200,
                       max_age_days=30)  # fmt: skip
    ds = _check_against_reference(study, [SNAPSHOT])
    # The combined set sees what both single systems see, epoch by epoch.
    both = ds.visible.sel(set="R").values + ds.visible.sel(set="C").values
    np.testing.assert_array_equal(ds.visible.sel(set="R+C").values, both)


@pytest.mark.parametrize("bad", [
    ("Moscow", 95.0, 37.6), ("Moscow", -91.0, 0.0), ("X", 10.0, 360.0), ("X", 10.0, -180.5),
    ("X", float("nan"), 0.0), ("X", 0.0, 0.0, float("inf")), ("", 0.0, 0.0),
])  # fmt: skip
def test_bad_sites_are_refused(bad):
    with pytest.raises(SiteError) as err:
        gnss.site_timeseries(gnss.Study("R", duration_s=1800, step_s=1800), [bad])
    assert err.value.parameter == "sites"


def test_duplicate_site_names_are_refused():
    with pytest.raises(SiteError, match="given twice"):
        gnss.site_timeseries(gnss.Study("R", duration_s=1800, step_s=1800),
                             [("A", 0.0, 0.0), ("A", 1.0, 1.0)])  # fmt: skip


def test_sites_csv_bad_row_names_file_and_line(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("name,lat_deg,lon_deg,height_m\nMoscow,55.75,37.62,150\nBad,95,10,0\n")
    with pytest.raises(SiteError, match=r"sites\.csv:3: .*latitude"):
        read_sites_csv(path)
    path.write_text("name,lat_deg,lon_deg\nMoscow,55.75,north\n")
    with pytest.raises(SiteError, match=r"sites\.csv:2: lon_deg must be a number"):
        read_sites_csv(path)


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "gnss.cli", "site", *args], cwd=cwd,
                          capture_output=True, text=True, env=_env(), timeout=300)  # fmt: skip


def _env():
    import os

    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_cli_writes_timeseries_and_summary(tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lat_deg,lon_deg,height_m\nBeijing,39.9042,116.4074,44\n")
    out = tmp_path / "out"
    r = _cli("--lat", "55.7558", "--lon", "37.6173", "--name", "Moscow", "--sites", str(sites),
             "--sets", "R,C,R+C", "--hours", "1", "--step-s", "1800", "-o", str(out),
             "--no-plots", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert {p.name for p in out.iterdir()} == {"timeseries.csv", "timeseries.nc",
                                               "passes.csv", "gnss-manifest.json",
                                               "report.html"}  # fmt: skip
    import pandas as pd
    import xarray as xr

    # passes.csv: find_passes at each site for the sets' satellites, a site column first.
    passes = pd.read_csv(out / "passes.csv")
    sats = gnss.read_elements(gnss.nominal_element_files(["C", "R"])).satellites
    start = gnss.to_utc("2026-01-01T00:00Z")
    ref_passes = gnss.find_passes(sats, 39.9042, 116.4074, 44.0, start,
                                  start + timedelta(hours=1))  # fmt: skip
    beijing = passes[passes.site == "Beijing"]
    assert sorted(beijing.satellite) == sorted(p.satellite for p in ref_passes)
    assert set(passes.site) == {"Moscow", "Beijing"}

    frame = pd.read_csv(out / "timeseries.csv")
    assert list(frame.columns) == ["time_utc", "site", "set", "visible", "visible_R",
                                   "visible_C", "pdop", "hdop", "vdop", "gdop", "tdop_R",
                                   "tdop_C"]  # fmt: skip
    assert len(frame) == 3 * 2 * 3 and frame.time_utc.iloc[0] == "2026-01-01T00:00:00Z"
    with xr.open_dataset(out / "timeseries.nc") as ds:
        ref = gnss.site_timeseries(gnss.Study("R,C,R+C", duration_s=3600, step_s=1800),
                                   [SITES[0][:3] + (0.0,), ("Beijing", 39.9042, 116.4074, 44.0)])
        assert list(ds.site.values) == ["Moscow", "Beijing"]
        np.testing.assert_allclose(ds.pdop.sel(site="Beijing").values,
                                   ref.pdop.sel(site="Beijing").values, rtol=0, atol=1e-12)
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["site", "set", "visible_min", "visible_mean", "pdop_mean",
                                "pdop_max", "availability"]  # fmt: skip
    assert len(lines) == 1 + 2 * 3


@pytest.mark.parametrize("args,needle", [
    (["--lat", "95", "--lon", "37.6"], "latitude must lie in [-90, 90]"),
    (["--sites", "SITES"], "sites.csv:3:"),
    (["--lat", "10"], "give them in pairs"),
])  # fmt: skip
def test_cli_bad_input_exit_2_nothing_written(tmp_path, args, needle):
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lat_deg,lon_deg\nA,10,20\nB,10,oops\n")
    out = tmp_path / "out"
    args = [str(sites) if a == "SITES" else a for a in args]
    r = _cli(*args, "--hours", "1", "--step-s", "1800", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr.replace("\n", " ")
    assert not out.exists()


@pytest.mark.skipif(not (DATA / "sp3").exists(), reason="needs ../shared/data")
def test_sp3_driven_site_run():
    sp3 = next((DATA / "sp3").glob("*.SP3"))
    study = gnss.Study("R,C,R+C", elements=[sp3], duration_s=2 * 3600, step_s=900)
    ds = gnss.site_timeseries(study, SITES)
    assert dict(ds.sizes) == {"time": 9, "site": 2, "set": 3}
    # SP3 precise orbits: every epoch has a fix for the combined set at both sites, and the
    # combined set never does worse than a single system.
    assert np.isfinite(ds.pdop.sel(set="R+C")).all()
    assert (ds.pdop.sel(set="R+C") <= ds.pdop.sel(set="R").fillna(np.inf) + 1e-12).all()
    np.testing.assert_array_equal(ds.visible.sel(set="R+C"),
                                  ds.visible_R.sel(set="R+C") + ds.visible_C.sel(set="R+C"))


def test_summary_of_a_set_without_a_fix_warns_nothing_and_says_why():
    """BeiDou in a north-south street canyon at 78 deg N never gets four satellites: its DOP
    and accuracy summary is NaN, without numpy's All-NaN warning, and a note says why (on
    stderr after the CLI's table, and in report.html)."""
    import warnings

    from gnss.analysis.sites import no_fix_notes, site_summary

    study = gnss.Study("C,R+C", duration_s=7200, step_s=1800, horizon="street_canyon_ns",
                       uere_m="default")  # fmt: skip
    ds = gnss.site_timeseries(study, [("Longyearbyen", 78.2, 15.6)])
    assert int(ds.visible.sel(set="C").max()) < 4  # the case: no fix for C at any epoch
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = site_summary(ds)
    c = table[table.set == "C"].iloc[0]
    assert np.isnan(c.pdop_mean) and np.isnan(c.hacc95_m_p95) and c.availability == 0.0
    notes = no_fix_notes(table)
    assert len(notes) == 1 and "set C at Longyearbyen had no epoch with a fix" in notes[0]
    assert f"{c.visible_mean:.1f} in view on average" in notes[0]
    # report.html says the same in its lead, beside the best set's line
    from gnss.outputs.html.site import site_report

    page = site_report(ds, table)
    assert "Set C at Longyearbyen had no epoch with a fix" in page
    assert "R+C has the lowest mean PDOP" in page
