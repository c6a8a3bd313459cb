"""Route runs (issue 13): gnss.route_timeseries and ``gnss site --route`` against skyfield + NumPy.

The reference is built here: the receiver's position at each epoch from a great-circle
interpolation written below (Rodrigues rotation about the leg's axis, not the package's slerp
weights), skyfield's ``wgs84.latlon`` at those positions, altitude/azimuth of each satellite
from its TLE lines through skyfield's EarthSatellite (``(satellite - place).at(t).altaz()``,
one place per epoch), and a plain NumPy DOP (explicit design matrix, one clock column per
system in view, inv(GᵀG)). Only the set membership (which NORAD ids are in a set) comes from
the package's plan.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from skyfield.api import EarthSatellite, load, wgs84

import gnss
import gnss.outputs.siteplots
from gnss.study.route import RouteSpanError, route_study

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SNAPSHOT = DATA / "tle" / "gnss_2026-10-06.tle"
NSR_FILE = ROOT / "examples" / "northern_sea_route.csv"
#: Epochs with a satellite this close to the mask are left out of the exact count (degrees):
#: the package and skyfield agree on elevations to far better than this.
MASK_EDGE_DEG = 1e-6
#: DOP agreement: the same skyfield frames and SGP4, so only rounding differs.
DOP_TOL = 1e-9
#: Receiver position agreement (deg; 1e-9 deg is 0.1 mm on the ground).
POS_TOL_DEG = 1e-9
TS = load.timescale()
NOMINAL_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def ship_csv(tmp_path, t0, name="ship.csv") -> Path:
    """A ship from 170E 72N to 170W 71N in 6 h (across the antimeridian), 20 m antenna."""
    p = tmp_path / name
    p.write_text(
        "time_utc,lat_deg,lon_deg,height_m\n"
        f"{t0.isoformat()},72.0,170.0,20\n{(t0 + timedelta(hours=6)).isoformat()},71.0,-170.0,20\n"
    )
    return p


def great_circle(route: gnss.Route, times) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver lat/lon/height at ``times``: constant-rate rotation along each leg (NumPy)."""
    t_w = np.array([(t - route.times[0]).total_seconds() for t in route.times])
    t = np.array([(x - route.times[0]).total_seconds() for x in times])
    la, lo = np.radians(route.lat_deg), np.radians(route.lon_deg)
    n = np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))
    lat, lon, h = (np.empty(t.size) for _ in range(3))
    for k, tk in enumerate(t):
        i = min(int(np.searchsorted(t_w, tk, side="right")) - 1, t_w.size - 2)
        f = (tk - t_w[i]) / (t_w[i + 1] - t_w[i])
        a, b = n[i], n[i + 1]
        axis = np.cross(a, b)
        omega = np.arctan2(np.linalg.norm(axis), a @ b)
        axis /= np.linalg.norm(axis)
        v = a * np.cos(f * omega) + np.cross(axis, a) * np.sin(f * omega)  # Rodrigues, axis ⟂ a
        lat[k] = np.degrees(np.arcsin(v[2]))
        lon[k] = np.degrees(np.arctan2(v[1], v[0]))
        h[k] = route.height_m[i] + f * (route.height_m[i + 1] - route.height_m[i])
    return lat, lon, h


def _skyfield_sats(paths) -> dict[int, object]:
    """EarthSatellite by NORAD id from the TLE files (skyfield's own reader)."""
    return {s.model.satnum: s for p in paths for s in load.tle_file(str(p), ts=TS)}


def _reference(sats, systems, where, times, mask_deg, clock):
    """Visible counts, per-system counts and DOPs along the route, epoch by epoch."""
    lat, lon, h = where
    places = wgs84.latlon(lat, lon, elevation_m=h)  # one place per epoch
    t = TS.from_datetimes(times)
    alt = np.empty((len(sats), len(times)))
    az = np.empty_like(alt)
    for i, sat in enumerate(sats):
        a, z, _ = (sat - places).at(t).altaz()
        alt[i], az[i] = a.radians, z.radians
    el_deg = np.degrees(alt)
    vis = el_deg > mask_deg
    names = sorted(set(systems))
    sys_arr = np.array(systems)
    out = {"visible": vis.sum(axis=0), "edge": (np.abs(el_deg - mask_deg) < MASK_EDGE_DEG).any(0)}
    out |= {f"visible_{s}": vis[sys_arr == s].sum(axis=0) for s in names}
    dops = {k: np.full(len(times), np.nan) for k in ("pdop", "hdop", "vdop", "gdop")}
    tdops = {s: np.full(len(times), np.nan) for s in (names if clock == "per-system" else [""])}
    for k in range(len(times)):
        m = vis[:, k]
        e, n, u = (np.cos(alt[m, k]) * np.sin(az[m, k]), np.cos(alt[m, k]) * np.cos(az[m, k]),
                   np.sin(alt[m, k]))  # fmt: skip
        clocks = [s for s in names if (sys_arr[m] == s).any()] if clock == "per-system" else [""]
        cols = [(sys_arr[m] == s).astype(float) if s else np.ones(m.sum()) for s in clocks]
        g = np.column_stack([-e, -n, -u, *cols])
        if g.shape[0] < g.shape[1]:
            continue
        d = np.diag(np.linalg.inv(g.T @ g))
        if not np.sqrt(d.sum()) <= gnss.DOP_CEILING:
            continue
        dops["pdop"][k], dops["hdop"][k] = np.sqrt(d[:3].sum()), np.sqrt(d[:2].sum())
        dops["vdop"][k], dops["gdop"][k] = np.sqrt(d[2]), np.sqrt(d.sum())
        for j, s in enumerate(clocks):
            tdops[s][k] = np.sqrt(d[3 + j])
    return out | dops | {f"tdop_{s}" if s else "tdop": v for s, v in tdops.items()}


def _check_against_reference(study, route, element_paths=None):
    """route_timeseries equals the skyfield + NumPy reference for every set and epoch.

    ``element_paths`` None: skyfield propagates the elements the plan holds (the nominal slots
    placed at a start other than their file epoch are new elements, not the file's).
    """
    ds = gnss.route_timeseries(study, route, "ship")
    plan = gnss.plan_comparison(study if study.start else route_study(study, route))
    times = [t.astype("datetime64[us]").item().replace(tzinfo=UTC) for t in ds.time.values]
    where = great_circle(route, times)
    for key, want in zip(("lat_deg", "lon_deg"), where[:2], strict=True):
        got = ds[key].values
        if key == "lon_deg":  # the same meridian, whichever side of +-180 it is written
            got, want = np.mod(got + 180.0, 360.0), np.mod(want + 180.0, 360.0)
        np.testing.assert_allclose(got, want, rtol=0, atol=POS_TOL_DEG, err_msg=key)
    np.testing.assert_allclose(ds.height_m.values, where[2], rtol=0, atol=1e-9)  # m
    sky = _skyfield_sats(element_paths) if element_paths else {}
    n_checked = 0
    for rs in plan.resolved:
        sats = [sky.get(s.norad_id) or EarthSatellite.from_satrec(s.satrec, TS)
                for s in rs.satellites]  # fmt: skip
        ref = _reference(sats, [s.system for s in rs.satellites], where, times,
                         study.elevation_mask_deg, study.clock)  # fmt: skip
        got = ds.sel(site="ship", set=rs.spec.name)
        keep = ~ref["edge"]
        for name in ("visible", *(f"visible_{s}" for s in rs.spec.systems)):
            np.testing.assert_array_equal(got[name].values[keep], ref[name][keep], name)
        for name in [k for k in ref if "dop" in k]:
            have, want = got[name].values[keep], ref[name][keep]
            np.testing.assert_array_equal(np.isnan(have), np.isnan(want), name)
            np.testing.assert_allclose(have, want, rtol=0, atol=DOP_TOL, err_msg=name)
        n_checked += int(keep.sum())
    assert n_checked >= 0.9 * ds.sizes["time"] * ds.sizes["set"]
    return ds


def test_antimeridian_ship_nominal_sets_equal_reference(tmp_path):
    route = gnss.read_route(ship_csv(tmp_path, NOMINAL_T0))
    study = gnss.Study("R,C,R+C", duration_s=6 * 3600, step_s=600)
    ds = _check_against_reference(study, route, gnss.nominal_element_files(["R", "C"]))
    assert dict(ds.sizes) == {"time": 37, "site": 1, "set": 3}
    lon = ds.lon_deg.values
    assert (lon[:18] >= 170.0 - 1e-9).all() and (lon[18:] <= -170.0 + 1e-9).all()  # the short way
    assert ds.time.values[0] == np.datetime64("2026-01-01T00:00")  # the route's start


def test_antimeridian_ship_common_clock_equals_reference(tmp_path):
    route = gnss.read_route(ship_csv(tmp_path, NOMINAL_T0))
    # A start inside the route: the nominal slots are placed at it (so no file to read them from).
    study = gnss.Study("R+C", duration_s=3 * 3600, step_s=1800, clock="common",
                       elevation_mask_deg=10.0, start=NOMINAL_T0 + timedelta(hours=2))  # fmt: skip
    ds = _check_against_reference(study, route)
    assert "tdop" in ds and "tdop_R" not in ds


@pytest.mark.skipif(not SNAPSHOT.exists(), reason="needs ../shared/data/tle/gnss_2026-10-06.tle")
def test_antimeridian_ship_real_snapshot_equals_reference(tmp_path):
    route = gnss.read_route(ship_csv(tmp_path, datetime(2026, 10, 6, tzinfo=UTC)))
    study = gnss.Study("R,C,R+C", elements=[SNAPSHOT], duration_s=6 * 3600, step_s=900)
    _check_against_reference(study, route, [SNAPSHOT])


@pytest.mark.skipif(not SNAPSHOT.exists(), reason="needs ../shared/data/tle/gnss_2026-10-06.tle")
def test_northern_sea_route_real_snapshot_equals_reference():
    # Murmansk to the Bering Strait (examples/), 11 days at 30 min: 539 epochs, across 180.
    route = gnss.read_route(NSR_FILE)
    study = route_study(gnss.Study("R,C,R+C", elements=[SNAPSHOT], step_s=1800,
                                   max_age_days=30), route)  # fmt: skip
    ds = _check_against_reference(study, route, [SNAPSHOT])
    assert ds.sizes["time"] == 539 and (ds.lon_deg < -170).any() and (ds.lon_deg > 175).any()
    both = ds.visible.sel(set="R").values + ds.visible.sel(set="C").values
    np.testing.assert_array_equal(ds.visible.sel(set="R+C").values, both)


def test_span_outside_the_route_is_refused_before_any_file_is_read(tmp_path):
    route = gnss.read_route(ship_csv(tmp_path, NOMINAL_T0))
    missing = tmp_path / "no-such-elements.tle"  # never opened: the span is refused first
    for study in (gnss.Study("R", elements=[missing], duration_s=7 * 3600, step_s=3600),
                  gnss.Study("R", elements=[missing], start=NOMINAL_T0 - timedelta(hours=1),
                             duration_s=3600, step_s=3600)):  # fmt: skip
        with pytest.raises(RouteSpanError, match=r"ship\.csv:\d: .*route's span") as err:
            gnss.route_timeseries(study, route)
        assert err.value.parameter == "start" and isinstance(err.value, gnss.RouteError)
    fitted = route_study(gnss.Study("R", step_s=3600, start=NOMINAL_T0 + timedelta(hours=1)),
                         route)  # fmt: skip
    assert fitted.duration_s == 5 * 3600 and fitted.n_epochs() == 6


def _cli(*args, cwd):
    env = {**__import__("os").environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gnss.cli", "site", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_cli_route_writes_timeseries_and_report_without_passes(tmp_path):
    out = tmp_path / "out"
    r = _cli("--route", str(ship_csv(tmp_path, NOMINAL_T0)), "--name", "Arctic ship", "--sets",
             "R,C,R+C", "--step-s", "3600", "-o", str(out), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    pictures = gnss.outputs.siteplots.site_plot_files(["Arctic ship"], ["R", "C", "R+C"])
    assert {p.name for p in out.iterdir()} == {"timeseries.csv", "timeseries.nc", "report.html",
                                               "gnss-manifest.json", *pictures}  # fmt: skip
    _check_route_report(out, pictures)
    frame = pd.read_csv(out / "timeseries.csv")
    assert list(frame.columns[:9]) == ["time_utc", "site", "set", "lat_deg", "lon_deg",
                                       "height_m", "visible", "visible_R", "visible_C"]
    assert len(frame) == 7 * 3 and set(frame.site) == {"Arctic ship"}  # no --hours: the route
    with xr.open_dataset(out / "timeseries.nc") as ds:
        lib = gnss.route_timeseries(gnss.Study("R,C,R+C", duration_s=6 * 3600, step_s=3600),
                                    gnss.read_route(ship_csv(tmp_path, NOMINAL_T0)), "ship")
        np.testing.assert_allclose(ds.pdop.values, lib.pdop.values, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ds.lon_deg.values, lib.lon_deg.values, rtol=0, atol=1e-12)
        # Every row carries the receiver's position at its epoch.
        for key in ("lat_deg", "lon_deg", "height_m"):
            per_row = np.repeat(ds[key].values, 3)
            np.testing.assert_allclose(frame[key].values, per_row, rtol=0, atol=1e-9)
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["site", "set"] and len(lines) == 1 + 3
    r = _cli("--route", str(ship_csv(tmp_path, NOMINAL_T0)), "--sets", "R,C", "--step-s",
             "3600", "--no-report", "--no-plots", "-o", str(tmp_path / "bare"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert {p.name for p in (tmp_path / "bare").iterdir()} == {
        "timeseries.csv", "timeseries.nc", "gnss-manifest.json"}


def _check_route_report(out, pictures):
    """report.html of the ship: the route's ends, the summary per set, every picture embedded."""
    import base64

    html = (out / "report.html").read_text()
    assert "GNSS along the route Arctic ship" in html and "<h3>Route</h3>" in html
    with xr.open_dataset(out / "timeseries.nc") as ds:
        lat, lon = ds.lat_deg.values, ds.lon_deg.values
    for i in (0, -1, int(np.argmax(lat))):  # from, to, northernmost: the interpolated epochs
        assert f"{lat[i]:.4f}° lat, {lon[i]:.4f}° lon" in html
    assert "Summary per set" in html and "Along the route Arctic ship, " in html
    for name in pictures:
        png = base64.b64encode((out / name).read_bytes()).decode()
        assert f"data:image/png;base64,{png}" in html
    assert "report.html" in (out / "gnss-manifest.json").read_text()


GPX_NO_TIME = """<?xml version="1.0"?>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
<trkpt lat="72" lon="170"><time>2026-01-01T00:00:00Z</time></trkpt>
<trkpt lat="71" lon="-170"></trkpt>
</trkseg></trk></gpx>
"""
HEADER = "time_utc,lat_deg,lon_deg\n"


@pytest.mark.parametrize("route,args,needles", [
    (HEADER + "2026-01-01T00:00Z,72,170\n2026-01-01T06:00Z,97,-170\n", [],
     ["r.csv:3:", "latitude in [-90, 90]", "column order"]),
    (HEADER + "2026-01-01T06:00Z,72,170\n2026-01-01T00:00Z,71,-170\n", [],
     ["r.csv:3:", "strictly increasing", "Sort the waypoints"]),
    (HEADER + "2026-01-01T00:00Z,72,170\n2026-01-01T00:00Z,71,-170\n", [],
     ["r.csv:3:", "repeated time"]),
    (GPX_NO_TIME, [], ["r.gpx: trkpt 2", "expected a <time>", "export a recorded track"]),
    (HEADER + "2026-01-01T00:00Z,72,170\n2026-01-01T06:00Z,71,-170\n", ["--hours", "7"],
     ["r.csv:3:", "route's span", "2026-01-01T07:00:00+00:00", "extend the route"]),
    (HEADER + "2026-01-01T00:00Z,72,170\n2026-01-01T06:00Z,71,-170\n",
     ["--start", "2025-12-31T23:00Z"], ["r.csv:2:", "route's span"]),
    (HEADER + "2026-01-01T00:00Z,72,170\n2026-01-01T06:00Z,71,-170\n", ["--lat", "10"],
     ["--route and --lat are mutually exclusive", "--lat/--lon/--sites"]),
    (HEADER + "2026-01-01T00:00Z,72,170\n2026-01-01T06:00Z,71,-170\n", ["--height-m", "10"],
     ["--route and --height-m are mutually exclusive"]),
    (None, ["--lat", "95", "--lon", "0"], ["latitude must lie in [-90, 90]", "got 95.0"]),
])  # fmt: skip
def test_cli_bad_route_input_exit_2_nothing_written(tmp_path, route, args, needles):
    # In-process (click's runner; an exception would propagate); the real subprocess below.
    from click.testing import CliRunner

    from gnss.cli.commands import main

    out = tmp_path / "out"
    if route is not None:
        path = tmp_path / ("r.gpx" if route.startswith("<?xml") else "r.csv")
        path.write_text(route)
        args = ["--route", str(path), *args]
    argv = ["site", *args, "--sets", "R", "--step-s", "1800", "-o", str(out)]
    r = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert r.exit_code == 2, r.output
    text = " ".join(r.stderr.split())
    assert text.startswith("Usage:") and "Error: " in text
    for needle in needles:
        assert needle in text, text
    assert not out.exists()


def test_cli_route_span_refused_as_a_real_process(tmp_path):
    out = tmp_path / "out"
    r = _cli("--route", str(ship_csv(tmp_path, NOMINAL_T0)), "--start", "2026-01-01T01:00Z",
             "--hours", "6", "--step-s", "1800", "-o", str(out), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "ship.csv:3: expected the run's epochs within the route's span" in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def test_gpx_and_geojson_routes_give_the_csv_route_series(tmp_path):
    # The same two waypoints in the three layouts: the same receiver, the same series.
    gpx = tmp_path / "ship.gpx"
    gpx.write_text(
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        '<trk><trkseg><trkpt lat="72" lon="170"><ele>20</ele><time>2026-01-01T00:00:00Z</time>'
        '</trkpt><trkpt lat="71" lon="-170"><ele>20</ele><time>2026-01-01T06:00:00Z</time>'
        "</trkpt></trkseg></trk></gpx>"
    )
    geojson = tmp_path / "ship.geojson"
    geojson.write_text(
        '{"type": "Feature", "geometry": {"type": "LineString", "coordinates": '
        '[[170, 72, 20], [-170, 71, 20]]}, "properties": {"times": '
        '["2026-01-01T00:00:00Z", "2026-01-01T06:00:00Z"]}}'
    )
    study = gnss.Study("R+C", duration_s=6 * 3600, step_s=3600)
    want = gnss.route_timeseries(study, gnss.read_route(ship_csv(tmp_path, NOMINAL_T0)))
    for path in (gpx, geojson):
        got = gnss.route_timeseries(study, gnss.read_route(path))
        assert list(got.site.values) == ["ship"]  # named after the file
        xr.testing.assert_allclose(got.drop_attrs(), want.drop_attrs(), rtol=0, atol=1e-12)



def test_route_accuracy_equals_the_site_accuracy_at_a_standing_receiver(tmp_path):
    """uere_m on a route: a receiver that stands still gets the site run's 95 % accuracy."""
    path = tmp_path / "still.csv"
    path.write_text("time_utc,lat_deg,lon_deg\n2026-01-01T00:00:00Z,69.0,33.0\n"
                    "2026-01-01T02:00:00Z,69.0,33.0\n")  # fmt: skip
    study = gnss.Study("R,C,R+C", duration_s=7200, step_s=600, uere_m={"R": 1.5})
    on_route = gnss.route_timeseries(study, gnss.read_route(path))
    at_site = gnss.site_timeseries(dataclasses.replace(study, start=on_route.time.values[0]
                                                       .astype("datetime64[s]").item()
                                                       .replace(tzinfo=UTC)),
                                   [("still", 69.0, 33.0)])  # fmt: skip
    for name in ("hacc95_m", "vacc95_m"):
        assert on_route[name].attrs["units"] == "m"
        got, want = on_route[name].values, at_site[name].values
        assert np.isfinite(got).all()
        # The same satellites and receiver: equal to rounding (1e-12 relative).
        np.testing.assert_allclose(got, want, rtol=1e-12)
