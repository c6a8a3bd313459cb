"""Coverage runs on real element sets, the global summary and the NetCDF output."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from conftest import SNAPSHOT_2026 as SNAPSHOT

import gnss
from gnss.analysis.differences import add_differences
from gnss.analysis.summary import weighted_hist_quantile
from gnss.outputs.files import write_netcdf


@pytest.fixture(scope="module")
def real_run():
    if not SNAPSHOT.exists():
        pytest.skip(
            f"real snapshot {SNAPSHOT} not found (../shared/data is not beside the repository)"
        )
    con = gnss.read_elements(SNAPSHOT)
    span = gnss.epoch_span(con.median_epoch(), duration_s=24 * 3600, step_s=600)
    grid = gnss.Grid(2.0)
    per_system = gnss.compute_coverage(con, "R,C,R+C", span, grid)
    common = gnss.compute_coverage(con, "R,C,R+C", span, grid, gnss.CoverageConfig(clock="common"))
    return con, per_system, common


def test_real_snapshot_visible_counts_add_up(real_run):
    _, ds, _ = real_run
    v = ds["visible_mean"]
    # Counts are exact integers summed per epoch; 1e-9 covers the division by n_epochs.
    np.testing.assert_allclose(v.sel(set="R+C"), v.sel(set="R") + v.sel(set="C"), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(
        ds["visible_min"].sel(set="R+C") >= ds["visible_min"].sel(set="R"), True
    )
    per_sys = ds["visible_system_mean"].sel(set="R+C")
    np.testing.assert_allclose(per_sys.sel(system="R"), v.sel(set="R"), atol=1e-12)
    np.testing.assert_allclose(per_sys.sel(system="C"), v.sel(set="C"), atol=1e-12)
    assert np.isnan(ds["visible_system_mean"].sel(set="R", system="C")).all()


def test_real_snapshot_combined_availability_never_below_best_single(real_run):
    _, ds, _ = real_run
    a = ds["availability"]
    best = np.maximum(a.sel(set="R"), a.sel(set="C"))
    assert float((a.sel(set="R+C") - best).min()) >= 0.0
    # Not a vacuous check: the single systems are not perfect everywhere.
    assert float(a.sel(set="R").min()) < 1.0
    assert float(ds["fix_fraction"].min()) >= 0.0


def test_common_clock_is_never_less_available(real_run):
    _, per_system, common = real_run
    diff = common["availability"] - per_system["availability"]
    assert float(diff.min()) >= 0.0
    # For a single system the two models are the same problem.
    for s in ("R", "C"):
        np.testing.assert_allclose(
            common["pdop_mean"].sel(set=s), per_system["pdop_mean"].sel(set=s), rtol=1e-12
        )


def test_real_snapshot_dop_statistics_are_ordered(real_run):
    _, ds, _ = real_run
    for dop in gnss.coverage.dataset.DOP_NAMES:
        mean, med, p95, mx = (ds[f"{dop}_{s}"] for s in ("mean", "median", "p95", "max"))
        assert bool((med <= p95 * (1 + 1e-12)).all())
        assert bool((p95 <= mx * (1 + 1e-12)).all())
        assert bool((mean <= mx * (1 + 1e-12)).all())
    assert bool((ds["gdop_mean"] >= ds["pdop_mean"]).all())
    np.testing.assert_array_less(ds["hdop_max"].values, ds["pdop_max"].values * (1 + 1e-12))


def test_summary_keys_and_relations(real_run):
    _, ds, _ = real_run
    s = gnss.summarize(ds)
    assert list(s) == ["R", "C", "R+C"]
    r = s["R+C"]
    for key in (
        "hdop.p95",
        "pdop.p50",
        "pdop.p99",
        "visible.mean",
        "availability.area_fraction_ge_99pct",
    ):
        assert key in r
    assert r["visible.mean"] == pytest.approx(
        s["R"]["visible.mean"] + s["C"]["visible.mean"], rel=1e-9
    )
    assert (
        r["pdop.p50"]
        <= r["pdop.p90"]
        <= r["pdop.p95"]
        <= r["pdop.p98"]
        <= r["pdop.p99"]
        <= r["pdop.max"]
    )
    assert r["availability.area_mean"] >= max(
        s["R"]["availability.area_mean"], s["C"]["availability.area_mean"]
    )
    # Time-and-area visible mean equals the area-weighted mean of the per-cell means.
    area = ds["cell_area"]
    direct = float((ds["visible_mean"].sel(set="R") * area).sum() / area.sum())
    assert s["R"]["visible.mean"] == pytest.approx(direct, rel=1e-12)


def test_difference_fields(real_run):
    _, ds, _ = real_run
    d = add_differences(ds)
    assert d["combined"].values.tolist() == ["R+C"]
    assert float(d["diff_availability"].min()) >= 0.0
    # One sign convention (issue 14): positive = the combination is better, for DOP too.
    expected = np.fmin(d["pdop_p95"].sel(set="R"), d["pdop_p95"].sel(set="C")) - d[
        "pdop_p95"
    ].sel(set="R+C")
    np.testing.assert_allclose(d["diff_pdop_p95"].sel(combined="R+C"), expected)
    assert float(d["diff_pdop_p95"].min()) > 0.0  # 54 satellites beat 24 or 30 everywhere
    for stat in ("availability", "pdop_p95", "visible_mean"):
        assert d[f"diff_{stat}"].attrs["comment"].startswith("positive = the combination is better")


def test_weighted_quantile_against_exact():
    from gnss.kernels.driver import HIST_N_BINS, hist_bin

    rng = np.random.default_rng(0)
    values = np.exp(rng.normal(0.3, 0.5, 20000))
    weights = rng.uniform(0.1, 3.0, values.size)
    b = np.array([hist_bin(v) for v in values.view(np.int64)])
    hist = np.bincount(b, weights=weights, minlength=HIST_N_BINS)
    order = np.argsort(values)
    cdf = np.cumsum(weights[order]) / weights.sum()
    for q in (0.5, 0.9, 0.95, 0.99):
        exact = values[order][np.searchsorted(cdf, q)]
        got = weighted_hist_quantile(hist, q, values.min(), values.max())
        # Stated bound: one bin, at most 1/128 = 0.78 % wide.
        assert abs(got / exact - 1) <= 1 / 128


def test_netcdf_round_trip_with_cf_attributes(tmp_path):
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=3 * 3600, step_s=900)
    ds = add_differences(gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(10.0)))
    path = write_netcdf(ds, tmp_path / "c.nc")
    back = xr.open_dataset(path)
    assert back.attrs["Conventions"].startswith("CF-")
    assert back["lat"].attrs["units"] == "degrees_north"
    assert back["lon"].attrs["units"] == "degrees_east"
    assert "cell_methods" in back["pdop_p95"].attrs
    assert back.attrs["clock_model"] == "per-system"
    assert "sha256=" in back.attrs["element_files"]
    assert back["set"].values.tolist() == ["R", "C", "R+C"]
    # float32 storage: 1e-6 relative is float32 round-off.
    np.testing.assert_allclose(back["pdop_p95"], ds["pdop_p95"], rtol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["c.nc"]


def test_missing_system_is_a_clear_error():
    con = gnss.read_elements(gnss.nominal_element_files(["R"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=0, step_s=60)
    with pytest.raises(gnss.ParameterError, match="has no satellite of system C"):
        gnss.compute_coverage(con, "R,C", span, gnss.Grid(30.0))


def test_cell_areas_sum_to_ellipsoid():
    for res in (5.0, 1.0, 0.25):
        g = gnss.Grid(res)
        assert g.cell_area_m2.sum() == pytest.approx(gnss.ellipsoid_area_m2(), rel=1e-12)
    # WGS84 ellipsoid surface area (e.g. Moritz, Geodetic Reference System 1980): 5.10065622e14 m2.
    assert gnss.ellipsoid_area_m2() == pytest.approx(5.10065622e14, rel=1e-8)


@pytest.mark.parametrize("res", [0.0, -1.0, 0.7, 100.0])
def test_bad_grid(res):
    with pytest.raises(gnss.ParameterError, match="resolution_deg"):
        gnss.Grid(res)


def test_propagation_matches_skyfield():
    from skyfield.api import EarthSatellite
    from skyfield.framelib import itrs

    con = gnss.read_elements(gnss.nominal_element_files(["C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=12 * 3600, step_s=3600)
    pos, failures = gnss.propagate_itrs_m(con.satellites, span)
    assert not failures
    times = span.times()
    for k, sat in enumerate(con.satellites):
        es = EarthSatellite.from_satrec(sat.satrec, gnss.timeutil.timescale())
        ref = es.at(times).frame_xyz(itrs).m.T
        # 1 mm: the same SGP4 and rotation; differences are float round-off only.
        np.testing.assert_allclose(pos[:, k], ref, rtol=0, atol=1e-3)
