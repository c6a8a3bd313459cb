"""Site pictures (issue 13): look angles against skyfield, sky plots and time series, ``gnss site``.

The look angles are checked against skyfield's own ``(satellite - wgs84.latlon(...)).at(t)
.altaz()`` from the same TLE lines; the sky plot's tracks are checked on the data handed to
the axes (each track a ``Line2D`` with the satellite's label as ``gid``), not on pixels.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import SNAPSHOT_2026, requires_shared
from matplotlib.image import imread

import gnss
from gnss.outputs import siteplots as sp
from gnss.outputs.outdir import OutputDir
from gnss.study.plan import plan_comparison
from gnss.study.site import site_series, write_site_outputs
from gnss.study.site_tracks import site_tracks, write_site_plots

ROOT = Path(__file__).resolve().parents[1]
#: Look-angle agreement with skyfield (degrees): the same SGP4 and skyfield frames, so only
#: rounding differs (the guide: ~1e-13 deg); 1e-6 deg is 0.4 m at GEO range.
ANGLE_TOL_DEG = 1e-6
#: A BDS-2 GEO satellite's daily figure-8 on the sky: its inclination (drifting up to ~5 deg
#: in the 2026 snapshot) sets the size; a MEO track crosses tens of degrees in an hour.
GEO_PATCH_DEG = 6.0
SITE = ("Beijing", 39.9042, 116.4074, 44.0)
needs_snapshot = requires_shared("tle/gnss_2026-10-06.tle")


def _study(sets="R,C,R+C", hours=24.0, step_s=900.0, **kw):
    return gnss.Study(sets, elements=[str(SNAPSHOT_2026)], duration_s=hours * 3600.0,
                      step_s=step_s, max_age_days=30, **kw)  # fmt: skip


@pytest.fixture(scope="module")
def tracks():
    """Look angles of R and C over a day at Beijing (every 15 min)."""
    if not SNAPSHOT_2026.exists():
        pytest.skip("needs ../shared/data/tle/gnss_2026-10-06.tle")
    return gnss.site_look_angles(_study(), [SITE])


@needs_snapshot
def test_look_angles_equal_skyfield_altaz(tracks):
    from skyfield.api import load, wgs84

    ts = load.timescale()
    by_norad = {s.model.satnum: s for s in load.tle_file(str(SNAPSHOT_2026), ts=ts)}
    topos = wgs84.latlon(SITE[1], SITE[2], elevation_m=SITE[3])
    times = [t.astype("datetime64[us]").item().replace(tzinfo=UTC) for t in tracks.time.values]
    t = ts.from_datetimes(times)
    tr = tracks.sel(site="Beijing")
    assert tr.sizes["sat"] == 81  # 27 GLONASS + 54 BeiDou
    for k, norad in enumerate(tr.norad_id.values):
        alt, az, _ = (by_norad[int(norad)] - topos).at(t).altaz()
        el_deg, az_deg = tr.el_deg.values[:, k], tr.az_deg.values[:, k]
        np.testing.assert_allclose(el_deg, alt.degrees, rtol=0, atol=ANGLE_TOL_DEG)
        # Azimuth compared on the circle (359.9999999 and 0.0000001 are 2e-7 deg apart).
        d_az = (az_deg - az.degrees + 180.0) % 360.0 - 180.0
        assert np.abs(d_az).max() < ANGLE_TOL_DEG, tr.label.values[k]
    assert ((tr.az_deg >= 0) & (tr.az_deg < 360)).all()


def test_look_angles_of_a_point_overhead_and_due_east():
    lat, lon, h = 55.75, 37.62, 150.0
    p, up = gnss.geodetic_points([lat], [lon], h)
    east = np.array([-np.sin(np.radians(lon)), np.cos(np.radians(lon)), 0.0])
    pos = np.stack([p[0] + 2.0e7 * up[0], p[0] + 2.0e7 * east]).reshape(1, 2, 3)
    az, el = gnss.look_angles_deg(pos, lat, lon, h)
    assert az.shape == el.shape == (1, 2)
    assert el[0, 0] == pytest.approx(90.0, abs=1e-9)
    assert (az[0, 1], el[0, 1]) == pytest.approx((90.0, 0.0), abs=1e-9)


def _lines(fig):
    return {ln.get_gid(): ln for ln in fig.axes[0].lines if ln.get_gid()}


def _sky(tr, set_name, **kw):
    pick = np.flatnonzero(tr.in_set.sel(set=set_name).values)
    t = tr.sel(site="Beijing").isel(sat=pick)
    fig = sp.sky_figure(t.az_deg.values, t.el_deg.values, list(t.label.values),
                        list(t.system.values), **kw)  # fmt: skip
    return fig, t


@needs_snapshot
def test_sky_plot_tracks_are_the_look_angles_above_the_mask(tracks):
    fig, t = _sky(tracks, "R+C", elevation_mask_deg=5.0)
    lines = _lines(fig)
    assert set(lines) == {str(x) for x, e in zip(t.label.values, t.el_deg.values.T,
                                                  strict=True) if (e > 5.0).any()}  # fmt: skip
    for k, label in enumerate(t.label.values):
        if label not in lines:
            continue
        theta, r = (np.asarray(v, float) for v in lines[label].get_data())
        up = t.el_deg.values[:, k] > 5.0
        drawn = np.isfinite(r)
        assert drawn.sum() == up.sum()
        np.testing.assert_allclose(r[drawn], 90.0 - t.el_deg.values[up, k], atol=1e-12)
        d = (np.degrees(theta[drawn]) - t.az_deg.values[up, k] + 180.0) % 360.0 - 180.0
        assert np.abs(d).max() < 1e-9
        # Unwrapped within a pass: a step across north is never drawn the long way round
        # (near the zenith a 15 min step can turn the azimuth by more than 90 deg: real).
        assert np.nanmax(np.abs(np.diff(theta)), initial=0.0) <= np.pi
    ax = fig.axes[0]
    assert ax.get_theta_direction() == -1 and ax.get_theta_offset() == pytest.approx(np.pi / 2)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["GLONASS", "BeiDou"] and "5° mask" in legend[2]


@needs_snapshot
def test_sky_plot_with_a_skyline_draws_only_above_it(tracks):
    sky = gnss.horizon_preset("street_canyon_ns").kernel_table(5.0)
    fig, t = _sky(tracks, "C", elevation_mask_deg=5.0, skyline=sky)
    lines = _lines(fig)
    horizon = sp.skyline_elevation_deg(t.az_deg.values, 5.0, sky)
    above = t.el_deg.values > horizon
    assert 0 < above.sum() < (t.el_deg.values > 5.0).sum()  # the canyon hides some epochs
    n_drawn = sum(int(np.isfinite(ln.get_data()[1].astype(float)).sum()) for ln in lines.values())
    assert n_drawn == above.sum()
    assert "below the horizon" in [x.get_text() for x in fig.legends[0].get_texts()]


@needs_snapshot
def test_geo_satellites_are_fixed_points_and_meo_tracks_are_not(tracks):
    fig, t = _sky(tracks, "C", elevation_mask_deg=5.0)
    lines = _lines(fig)
    for label in ("C01", "C02", "C03", "C04", "C05", "C19"):
        theta, r = (np.asarray(v, float) for v in lines[label].get_data())
        ok = np.isfinite(r)
        el, az = np.radians(90.0 - r[ok]), theta[ok]
        vec = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=1)
        mean = vec.mean(axis=0) / np.linalg.norm(vec.mean(axis=0))
        spread = np.degrees(np.arccos(np.clip(vec @ mean, -1, 1))).max()
        if label == "C19":  # MEO
            assert spread > 30.0
        else:
            assert spread < GEO_PATCH_DEG, label
            assert (~ok).sum() == 1 and not ok[-1]  # never sets: one pass (NaN-terminated)
    texts = [x.get_text() for x in fig.axes[0].texts]
    assert texts.count("C01") == 1


def test_series_plot_holds_each_set_and_goes_log_for_a_wide_range():
    times = np.arange("2026-10-06T00:00", "2026-10-06T02:00", 600, dtype="datetime64[s]")
    narrow = {"R": (np.linspace(1.5, 2.5, 12), ["R"]), "R+C": (np.full(12, 0.9), ["R", "C"])}
    fig = sp.series_figure(times, narrow, ylabel="PDOP", title="t", log_ok=True)
    ax = fig.axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["R", "R+C"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), narrow["R"][0])
    assert ax.lines[0].get_color() == sp.SYSTEM_COLORS["R"]
    assert ax.lines[1].get_linewidth() > ax.lines[0].get_linewidth()  # the combined set
    assert ax.get_yscale() == "linear"
    wide = {"R": (np.array([1.2, 40.0, np.nan, 2.0]), ["R"])}
    fig = sp.series_figure(times[:4], wide, ylabel="PDOP", title="t", log_ok=True)
    assert fig.axes[0].get_yscale() == "log"


def test_plot_file_names_are_safe_and_collisions_refused():
    names = sp.site_plot_files(["55.75,37.62", "a/../b"], ["R+C[-C:GEO]"])
    assert names[:2] == ["skyplot_55.75_37.62_R_C_-C_GEO.png", "dop_55.75_37.62.png"]
    assert all("/" not in n for n in names)
    with pytest.raises(gnss.ParameterError, match="would write the same pictures") as err:
        sp.site_plot_files(["Moscow!", "Moscow?"], ["R"])
    assert err.value.parameter == "sites"


def _png_ok(path: Path) -> None:
    img = imread(path)
    assert img.ndim == 3 and min(img.shape[:2]) > 300
    assert img[..., :3].std() > 0.05, f"{path.name} looks blank"  # white is 1.0


def _cli(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "gnss.cli", "site", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@needs_snapshot
def test_cli_writes_the_pictures_and_none_with_no_plots(tmp_path):
    r = _cli("--lat", "39.9", "--lon", "116.4", "--name", "Beijing", "-e", str(SNAPSHOT_2026),
             "--sets", "R,C,R+C", "--hours", "2", "--step-s", "900", "--max-age-days", "30",
             "-o", str(tmp_path / "out"), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    pictures = sp.site_plot_files(["Beijing"], ["R", "C", "R+C"])
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert set(pictures) <= written and len(pictures) == 5
    for name in pictures:
        _png_ok(tmp_path / "out" / name)
    assert set(pictures) <= set((tmp_path / "out" / "gnss-manifest.json").read_text().split('"'))
    assert "--plots / --no-plots" in _cli("--help", cwd=tmp_path).stdout
    r = _cli("--lat", "10", "--lon", "20", "--hours", "1", "--step-s", "1800", "--no-plots",
             "-o", str(tmp_path / "bare"), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert not any(p.suffix == ".png" for p in (tmp_path / "bare").iterdir())


def test_cli_refuses_colliding_picture_names_before_any_work(tmp_path):
    out = tmp_path / "out"
    r = _cli("--lat", "10", "--lon", "20", "--name", "A!", "--lat", "11", "--lon", "21",
             "--name", "A?", "--hours", "1", "--step-s", "1800", "-o", str(out),
             cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "would write the same pictures" in r.stderr.replace("\n", " ")
    assert not out.exists()


def test_cli_refuses_to_replace_a_picture_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "dop_A.png").write_bytes(b"old")
    r = _cli("--lat", "10", "--lon", "20", "--name", "A", "--hours", "1", "--step-s", "1800",
             "-o", str(out), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 1, r.stderr
    assert "dop_A.png" in r.stderr and "--overwrite" in r.stderr
    assert [p.name for p in out.iterdir()] == ["dop_A.png"]
    assert (out / "dop_A.png").read_bytes() == b"old"


def test_a_failure_while_drawing_leaves_nothing(tmp_path):
    plan = plan_comparison(gnss.Study("R,C", duration_s=3600, step_s=1800))
    sites = [gnss.Site("A", 10.0, 20.0)]
    ds = site_series(plan, sites, None)
    tracks = site_tracks(plan, sites).drop_sel(set="C")  # set C has no tracks: fails at C
    with pytest.raises(KeyError), OutputDir(tmp_path / "out") as out:
        write_site_outputs(ds, out)
        write_site_plots(ds, tracks, out)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_study_horizon_becomes_the_sky_plot_skyline():
    """A preset named in the Study (a string, resolved by the run) is the skyline drawn."""
    from gnss.study.site_tracks import study_skyline

    canyon = gnss.horizon_preset("street_canyon_ns")
    az, el = study_skyline(gnss.Study("R", horizon="street_canyon_ns", elevation_mask_deg=10.0))
    ref_az, ref_el = canyon.kernel_table(10.0)
    np.testing.assert_array_equal(az, ref_az)
    np.testing.assert_array_equal(el, ref_el)
    assert study_skyline(gnss.Study("R")) is None  # no horizon: the flat mask


def count_propagations(monkeypatch) -> list:
    """Count the SGP4/orbit-file propagation calls of a run's layout (the real function runs).

    Every propagation of a plan's satellites (:func:`gnss.coverage.run.propagate_layout`) goes
    through ``gnss.coverage.run.propagate_itrs_m``, once per start epoch and 2048-epoch chunk;
    the passes have their own root finder (``gnss.receivers.passes``), not counted here.
    """
    from gnss.coverage import run

    calls, real = [], run.propagate_itrs_m

    def counted(sats, span, first, stop):
        calls.append((len(sats), first, stop))
        return real(sats, span, first, stop)

    monkeypatch.setattr(run, "propagate_itrs_m", counted)
    return calls


def test_a_site_run_with_pictures_propagates_once(tmp_path, monkeypatch):
    """The sky plots take the series run's positions: one propagation for series and pictures."""
    from click.testing import CliRunner

    from gnss.cli.commands import main

    calls = count_propagations(monkeypatch)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["site", "--lat", "39.9", "--lon", "116.4", "--name", "B",
                                  "--sets", "R,C,R+C", "--hours", "2", "--step-s", "900",
                                  "-o", str(out)], catch_exceptions=False)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert len(calls) == 1 and calls[0][1:] == (0, 9)  # 9 epochs, one start, one chunk
    assert {"skyplot_B_R_C.png", "dop_B.png", "passes.csv"} <= {p.name for p in out.iterdir()}


def test_tracks_from_the_series_positions_equal_their_own_propagation():
    """site_tracks given the series' positions returns what it computes alone, bit for bit."""
    from gnss.study.propagated import propagate_plan

    plan = plan_comparison(gnss.Study("R,C,R+C", duration_s=3600, step_s=900))
    sites = [gnss.Site("A", 10.0, 20.0), gnss.Site("B", -33.9, 151.2, 50.0)]
    shared = propagate_plan(plan)
    xr.testing.assert_identical(site_tracks(plan, sites, None, shared), site_tracks(plan, sites))
    xr.testing.assert_identical(site_series(plan, sites, None, shared),
                                 site_series(plan, sites, None))  # fmt: skip
    other = propagate_plan(plan_comparison(gnss.Study("R", duration_s=1800, step_s=900)))
    with pytest.raises(gnss.ParameterError, match="propagate_plan") as err:
        site_tracks(plan, sites, None, other)
    assert err.value.parameter == "propagated"
