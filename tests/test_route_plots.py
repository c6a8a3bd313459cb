"""Sky plots along a route (issue 13): look angles from a moving receiver, ``gnss site --route``.

The reference is skyfield's: the receiver at each epoch where an independent great-circle
interpolation puts it (:func:`test_route_runs.great_circle`, Rodrigues rotation), as
``wgs84.latlon(lat, lon, elevation_m=h)`` with one place per epoch, and each satellite's
``(satellite - place).at(t).altaz()`` from the same TLE lines (or the same satrec for the
nominal slots). What the sky plot draws is checked on the arrays handed to
:func:`gnss.outputs.siteplots.sky_figure` (recorded by a spy that calls the real function).
"""

from __future__ import annotations

from datetime import UTC

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner
from conftest import SNAPSHOT_2026, requires_shared
from skyfield.api import EarthSatellite, load, wgs84
from test_route_runs import NOMINAL_T0, NSR_FILE, great_circle, ship_csv
from test_siteplots import _png_ok, count_propagations

import gnss
from gnss.cli.commands import main
from gnss.coverage.layout import SetLayout
from gnss.outputs import siteplots as sp
from gnss.study.plan import plan_comparison
from gnss.study.route import route_study
from gnss.study.route_tracks import moving_look_angles_deg, route_tracks

#: Look-angle agreement with skyfield (degrees): the same SGP4 and frames, only rounding
#: differs; 1e-6 deg is 0.4 m at GEO range.
ANGLE_TOL_DEG = 1e-6
#: Receiver position agreement with the independent interpolation (deg; 0.1 mm on the ground).
POS_TOL_DEG = 1e-9
TS = load.timescale()


def _check_tracks_against_skyfield(tracks, route, plan, pick, by_norad=None):
    """Look angles of the satellites labelled ``pick`` equal skyfield's from the moving place."""
    times = [t.astype("datetime64[us]").item().replace(tzinfo=UTC) for t in tracks.time.values]
    lat, lon, h = great_circle(route, times)
    np.testing.assert_allclose(tracks.lat_deg.values, lat, rtol=0, atol=POS_TOL_DEG)
    d_lon = (tracks.lon_deg.values - lon + 180.0) % 360.0 - 180.0
    assert np.abs(d_lon).max() < POS_TOL_DEG
    places = wgs84.latlon(lat, lon, elevation_m=h)  # one place per epoch
    t = TS.from_datetimes(times)
    sats = SetLayout.build(plan.resolved, plan.study.clock).satellites  # the order of ``sat``
    tr = tracks.isel(site=0)
    labels = list(tr.label.values)
    for name in pick:
        k = labels.index(name)
        sat = sats[k]
        sky = (by_norad or {}).get(sat.norad_id) or EarthSatellite.from_satrec(sat.satrec, TS)
        alt, az, _ = (sky - places).at(t).altaz()
        np.testing.assert_allclose(tr.el_deg.values[:, k], alt.degrees, rtol=0,
                                   atol=ANGLE_TOL_DEG, err_msg=name)  # fmt: skip
        d_az = (tr.az_deg.values[:, k] - az.degrees + 180.0) % 360.0 - 180.0
        assert np.abs(d_az).max() < ANGLE_TOL_DEG, name
    return tr


@requires_shared("tle/gnss_2026-10-06.tle")
def test_northern_sea_route_look_angles_equal_skyfield():
    route = gnss.read_route(NSR_FILE)
    study = route_study(gnss.Study("R,C", elements=[SNAPSHOT_2026], step_s=1800,
                                   max_age_days=30), route)  # fmt: skip
    plan = plan_comparison(study)
    tracks = route_tracks(plan, route, "nsr")
    assert tracks.sizes["time"] == 539 and tracks.el_deg.dims == ("time", "site", "sat")
    by_norad = {s.model.satnum: s for s in load.tle_file(str(SNAPSHOT_2026), ts=TS)}
    labels = list(tracks.label.values)
    # Two GLONASS, a BeiDou GEO, an IGSO and a MEO; the route crosses 180 deg east of Pevek.
    pick = [x for x in labels if x.startswith("R")][:2] + ["C01", "C06", "C19"]
    tr = _check_tracks_against_skyfield(tracks, route, plan, pick, by_norad)
    assert (tr.lon_deg < -170).any() and (tr.lon_deg > 175).any()
    # The GEO C01 (140 E) climbs as the ship sails east: it is not a fixed site's sky.
    el = tr.el_deg.values[:, list(tr.label.values).index("C01")]
    assert el[-1] - el[0] > 5.0


def test_antimeridian_ship_nominal_look_angles_equal_skyfield(tmp_path):
    route = gnss.read_route(ship_csv(tmp_path, NOMINAL_T0))
    plan = plan_comparison(gnss.Study("R+C", start=NOMINAL_T0, duration_s=6 * 3600,
                                      step_s=600))  # fmt: skip
    tracks = route_tracks(plan, route, "ship")
    labels = list(tracks.label.values)
    assert len(labels) == 24 + 30  # the nominal GLONASS and BeiDou slots
    _check_tracks_against_skyfield(tracks, route, plan, labels[::9])


def test_moving_look_angles_are_the_fixed_ones_at_each_epoch():
    rng = np.random.default_rng(13)
    lat, lon, h = rng.uniform(-89, 89, 5), rng.uniform(-180, 180, 5), rng.uniform(0, 900, 5)
    pos = rng.normal(size=(5, 4, 3)) * 2.6e7
    az, el = moving_look_angles_deg(pos, lat, lon, h)
    for i in range(5):
        want_az, want_el = gnss.look_angles_deg(pos[i : i + 1], lat[i], lon[i], h[i])
        np.testing.assert_allclose(el[i], want_el[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(az[i], want_az[0], rtol=0, atol=1e-9)


class SkySpy:
    """Records what each sky plot was asked to draw, and draws it (the real function)."""

    def __init__(self, monkeypatch):
        self.calls, self._real = [], sp.sky_figure
        monkeypatch.setattr(sp, "sky_figure", self)

    def __call__(self, az_deg, el_deg, labels, systems, **kw):
        self.calls.append({"az": az_deg, "el": el_deg, "labels": labels, "systems": systems, **kw})
        return self._real(az_deg, el_deg, labels, systems, **kw)


def test_cli_route_draws_sky_plots_along_the_route(tmp_path, monkeypatch):
    spy, calls = SkySpy(monkeypatch), count_propagations(monkeypatch)
    path, out = ship_csv(tmp_path, NOMINAL_T0), tmp_path / "out"
    argv = ["site", "--route", str(path), "--name", "Arctic ship", "--sets", "R,C,R+C",
            "--step-s", "600", "--horizon", "street_canyon_ns", "-q", "-o", str(out)]  # fmt: skip
    r = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert len(calls) == 1  # the series and the sky plots share one propagation
    pictures = sp.site_plot_files(["Arctic ship"], ["R", "C", "R+C"])
    assert pictures[0] == "skyplot_Arctic_ship_R.png" and len(pictures) == 5
    assert set(pictures) <= {p.name for p in out.iterdir()}
    for name in pictures:
        _png_ok(out / name)
    # What was drawn: the tracks from the moving receiver, per set, with the horizon.
    plan = plan_comparison(gnss.Study("R,C,R+C", start=NOMINAL_T0, duration_s=6 * 3600,
                                      step_s=600))  # fmt: skip
    route = gnss.read_route(path)
    tracks = route_tracks(plan, route, "Arctic ship")
    sky = gnss.horizon_preset("street_canyon_ns").kernel_table(5.0)
    assert len(spy.calls) == 3
    for call, set_name in zip(spy.calls, ["R", "C", "R+C"], strict=True):
        where = "along the route Arctic ship (72.00°N, 170.00°E to 71.00°N, 170.00°W)"
        assert where in call["title"] and f"set {set_name}:" in call["title"]
        pick = np.flatnonzero(tracks.in_set.sel(set=set_name).values)
        np.testing.assert_array_equal(call["el"], tracks.el_deg.values[:, 0, pick])
        np.testing.assert_array_equal(call["az"], tracks.az_deg.values[:, 0, pick])
        assert set(call["systems"]) == set(set_name.split("+"))
        np.testing.assert_array_equal(call["skyline"][1], sky[1])
    r = CliRunner().invoke(main, [*argv[:-1], str(tmp_path / "bare"), "--no-plots"])
    assert r.exit_code == 0, r.output
    assert not any(p.suffix == ".png" for p in (tmp_path / "bare").iterdir())


def test_cli_route_refuses_to_replace_a_picture_before_any_work(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "dop_ship.png").write_bytes(b"old")
    r = CliRunner().invoke(main, ["site", "--route", str(ship_csv(tmp_path, NOMINAL_T0)),
                                  "--step-s", "3600", "-o", str(out)])  # fmt: skip
    assert r.exit_code == 1 and "dop_ship.png" in r.output and "--overwrite" in r.output
    assert [p.name for p in out.iterdir()] == ["dop_ship.png"]


def test_cli_route_help_names_the_route_pictures():
    r = CliRunner().invoke(main, ["site", "--help"], terminal_width=200)
    text = " ".join(r.output.split())
    assert "with --route the same for the route" in text
    assert "seen from the receiver's place at each epoch" in text


def test_route_tracks_follow_the_route_span(tmp_path):
    route = gnss.read_route(ship_csv(tmp_path, NOMINAL_T0))
    plan = plan_comparison(route_study(gnss.Study("R", step_s=3600), route))
    tracks = route_tracks(plan, route, "ship")
    assert tracks.sizes["time"] == 7 and tracks.lon_deg.dims == ("time",)
    assert float(tracks.lon_deg[0]) == pytest.approx(170.0)
    assert float(tracks.lat_deg[-1]) == pytest.approx(71.0)


def test_route_look_angles_is_route_tracks_of_the_fitted_plan(tmp_path):
    from gnss.study.route import RouteSpanError

    route = gnss.read_route(ship_csv(tmp_path, NOMINAL_T0))
    study = gnss.Study("R,C", duration_s=3 * 3600, step_s=1800)
    got = gnss.route_look_angles(study, route)
    plan = plan_comparison(gnss.Study("R,C", start=NOMINAL_T0, duration_s=3 * 3600, step_s=1800))
    xr.testing.assert_identical(got, route_tracks(plan, route, "ship"))  # named after the file
    with pytest.raises(RouteSpanError, match="route's span"):
        gnss.route_look_angles(gnss.Study("R", duration_s=7 * 3600, step_s=3600), route)
    with pytest.raises(gnss.RouteError, match="expected a gnss.Route"):
        gnss.route_look_angles(study, [(72.0, 170.0)])
