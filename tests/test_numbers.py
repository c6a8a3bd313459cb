"""Trustworthy numbers: the DOP ceiling, clear errors for absurd sizes and wrong types, threads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner
from conftest import SNAPSHOT_2026, shared_file

import gnss
import gnss.analysis.summary
import gnss.kernels.threads
from gnss.cli import main
from gnss.coverage.blocks import Accumulators, KernelRun
from gnss.coverage.layout import layout_for_systems

SNAPSHOT = SNAPSHOT_2026
A_M = 6378137.0  # receiver on the equator at longitude 0: up = +x, east = +y, north = +z
RANGE_M = 2.0e7


def _sat(el_deg: float, az_deg: float) -> np.ndarray:
    el, az = np.radians(el_deg), np.radians(az_deg)
    los = np.array([np.sin(el), np.cos(el) * np.sin(az), np.cos(el) * np.cos(az)])
    return np.array([A_M, 0.0, 0.0]) + RANGE_M * los


def _reference_pdop(sats: np.ndarray) -> float:
    """Common-clock PDOP by the plain design matrix (GUIDE section 3): the NumPy twin."""
    from gnss.kernels import twin as kernel_twin

    point, up = np.array([[A_M, 0.0, 0.0]]), np.array([[1.0, 0.0, 0.0]])
    e = kernel_twin.line_of_sight(sats[None], point)
    vals = kernel_twin.epoch_values(
        e, np.ones(e.shape[:3], bool), kernel_twin.enu_basis(up), ["R"] * len(sats), ["R"],
        "common", dop_ceiling=np.inf,
    )  # fmt: skip
    return float(vals["pdop"][0, 0])


# Good geometry (GUIDE reference case: PDOP 8/3) and a near-singular one: four satellites
# on one cone around the up axis (elevation 30 deg, one at 30.05 deg) with one common clock,
# so the clock column nearly equals the up column of the design matrix.
GOOD = np.array([_sat(90, 0), _sat(30, 0), _sat(30, 120), _sat(30, 240)])
CONE = np.array([_sat(30.05, 0), _sat(30, 90), _sat(30, 180), _sat(30, 270)])


def _kernel_one_point(epochs: list[np.ndarray]):
    """Kernel statistics at the receiver over the given epochs (one set 'R', common clock)."""
    pos = np.stack(epochs)  # (n_times, 4, 3)
    order, layout = layout_for_systems(["R"] * 4, [("R",)], "common")
    config = gnss.CoverageConfig(5.0, "common")
    run = KernelRun(pos[:, order], layout, config, n_zones=1)
    acc = Accumulators(1, 1, layout.n_clock_max, layout.n_slot_max)
    run(np.array([[A_M, 0.0, 0.0]]), np.array([[1.0, 0.0, 0.0]]), np.ones((1, 1)), acc.view(1))
    return acc


def test_constructed_near_singular_geometry_is_counted_apart_not_in_the_mean():
    pdop_cone = _reference_pdop(CONE)
    assert gnss.DOP_CEILING < pdop_cone < 1e6  # truly above the ceiling, still a solution
    assert _reference_pdop(GOOD) == pytest.approx(8 / 3, rel=1e-12)
    acc = _kernel_one_point([GOOD, CONE, GOOD])
    assert acc.n_fix[0, 0] == 2  # the cone epoch is no usable fix ...
    assert acc.n_singular[0, 0] == 1  # ... and counted as near-singular
    assert acc.n_avail[0, 0] == 2
    # PDOP statistics over the two good epochs only (8/3 each; rounding ~1e-15).
    assert acc.dop_sum[0, 0, 0] / acc.n_fix[0, 0] == pytest.approx(8 / 3, rel=1e-12)
    assert acc.dop_max[0, 0, 0] == pytest.approx(8 / 3, rel=1e-12)
    assert acc.dop_max[0, 0, 3] <= gnss.DOP_CEILING
    assert acc.tdop_n[0, 0, 0] == 2


def test_epoch_dops_gives_nan_for_a_near_singular_epoch():
    pos = np.stack([GOOD, CONE])
    d = gnss.epoch_dops(pos, ["R"] * 4, np.array([A_M, 0, 0]), np.array([1.0, 0, 0]), [("R",)],
                        clock="common")  # fmt: skip
    assert d["pdop"][0, 0] == pytest.approx(8 / 3, rel=1e-12)
    assert np.isnan(d["pdop"][0, 1])
    assert d["visible"][0, 1] == 4  # enough satellites: singular, not "too few"


@pytest.fixture(scope="module")
def glonass_common_15():
    con = gnss.read_elements(shared_file(SNAPSHOT))
    span = gnss.epoch_span(con.median_epoch(), duration_s=24 * 3600, step_s=600)
    config = gnss.CoverageConfig(elevation_mask_deg=15.0, clock="common")
    return gnss.compute_coverage(con, "R", span, gnss.Grid(5.0), config)


def test_real_glonass_common_clock_singular_epochs_are_left_out(glonass_common_15):
    ds = glonass_common_15
    s = gnss.summarize(ds)["R"]
    # GLONASS alone at a 15 deg mask with one clock has near-singular epochs (before the rule
    # the PDOP maximum of this run was 6.9e5).
    assert s["singular.cell_epochs"] > 0
    assert 0 < s["singular.area_mean"] < 0.01
    for dop in ("pdop", "hdop", "vdop", "gdop"):
        assert s[f"{dop}.mean"] <= s[f"{dop}.p95"] <= s[f"{dop}.max"] <= gnss.DOP_CEILING
        assert float(ds[f"{dop}_max"].max()) <= gnss.DOP_CEILING
    assert ds.attrs["dop_ceiling"] == gnss.DOP_CEILING
    assert "singular_fraction" in ds.attrs["dop_ceiling_rule"]
    # Every epoch is one of: usable fix, near-singular, no fix.
    total = ds["fix_fraction"] + ds["singular_fraction"]
    assert float(total.max()) <= 1.0 + 1e-12
    assert float(ds["singular_fraction"].max()) > 0


def test_summary_table_reports_the_singular_count(glonass_common_15):
    text = gnss.analysis.summary.format_table(gnss.summarize(glonass_common_15))
    assert "near-singular geometry, GDOP > 256" in text


@pytest.fixture(scope="module")
def nominal():
    return gnss.read_elements(gnss.nominal_element_files(["R", "C"]))


def test_threads_do_not_change_results(nominal):
    span = gnss.epoch_span(nominal.median_epoch(), duration_s=4 * 3600, step_s=900)
    grid = gnss.Grid(15.0)
    one = gnss.compute_coverage(nominal, "R,C,R+C", span, grid, threads=1)
    n_max = gnss.kernels.threads.max_threads()
    many = gnss.compute_coverage(nominal, "R,C,R+C", span, grid, threads=n_max)
    for name in one.data_vars:
        a, b = one[name].values, many[name].values
        if a.dtype.kind == "f":
            assert np.array_equal(a, b, equal_nan=True), name  # bit for bit
        else:
            assert np.array_equal(a, b), name
    auto = gnss.compute_coverage(nominal, "R,C,R+C", span, grid)
    xr.testing.assert_identical(auto.drop_attrs(), one.drop_attrs())


@pytest.mark.parametrize("bad", [0, -1, 10**6, "2", 1.5, True])
def test_bad_thread_counts_are_refused(nominal, bad):
    span = gnss.epoch_span(nominal.median_epoch(), duration_s=0, step_s=600)
    with pytest.raises(gnss.ParameterError, match="threads"):
        gnss.compute_coverage(nominal, "R", span, gnss.Grid(30.0), threads=bad)


def test_threads_environment_variable_is_checked(nominal, monkeypatch):
    span = gnss.epoch_span(nominal.median_epoch(), duration_s=0, step_s=600)
    monkeypatch.setenv("GNSS_THREADS", "lots")
    with pytest.raises(gnss.ParameterError, match="GNSS_THREADS"):
        gnss.compute_coverage(nominal, "R", span, gnss.Grid(30.0))
    monkeypatch.setenv("GNSS_THREADS", "1")
    ds = gnss.compute_coverage(nominal, "R", span, gnss.Grid(30.0))
    assert float(ds["availability"].min()) >= 0


# ----------------------------------------------------------------- absurd sizes: clear errors
CLI_CASES = [
    (["--hours", "1e9"], "year 9999"),
    (["--hours", "1e12", "--step-s", "1"], "epochs"),
    (["--hours", "1e9", "--step-s", "1e6"], "year 9999"),
    (["--resolution-deg", "1e-300"], "resolution_deg"),
    (["--step-s", "1e-300"], "epochs"),
    (["--height-m", "1e300"], "height_m"),
    (["--hours", "nan"], "--hours"),
    (["--hours", "inf"], "--hours"),
    (["--step-s", "nan"], "--step-s"),
    (["--resolution-deg", "inf"], "--resolution-deg"),
    (["--threads", "0"], "threads"),
]


@pytest.mark.parametrize(("args", "word"), CLI_CASES)
def test_cli_refuses_absurd_sizes_with_a_message(tmp_path, args, word):
    result = CliRunner().invoke(main, ["compare", "-q", "--sets", "R", "-o", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # no Python exception escaped
    assert "Traceback" not in result.output
    assert "Error" in result.output and word in result.output


def test_library_refuses_absurd_sizes():
    start = "2026-01-01T00:00Z"
    with pytest.raises(gnss.ParameterError, match="year 9999"):
        gnss.epoch_span(start, duration_s=1e9 * 3600, step_s=300)
    with pytest.raises(gnss.ParameterError, match="epochs"):
        gnss.epoch_span(start, duration_s=1e13, step_s=1)
    with pytest.raises(gnss.ParameterError, match="epochs"):
        gnss.epoch_span(start, duration_s=86400, step_s=1e-300)
    with pytest.raises(gnss.ParameterError, match="year 9999"):
        gnss.epoch_span(start, duration_s=3.6e15, step_s=1e7)
    for bad in (float("nan"), float("inf"), -1.0):
        with pytest.raises(gnss.ParameterError):
            gnss.epoch_span(start, duration_s=bad, step_s=300)
    with pytest.raises(gnss.ParameterError, match="resolution_deg"):
        gnss.Grid(1e-300)
    with pytest.raises(gnss.ParameterError, match="height_m"):
        gnss.Grid(1.0, 1e300)
    with pytest.raises(gnss.GnssTypeError, match="expected a number"):
        gnss.Grid("1")
    with pytest.raises(gnss.GnssTypeError, match="step_s"):
        gnss.epoch_span(start, duration_s=3600, step_s="300")


# ----------------------------------------------------------------- library argument types
def test_wrong_argument_types_raise_gnss_type_errors(nominal):
    span = gnss.epoch_span(nominal.median_epoch(), duration_s=0, step_s=600)
    grid = gnss.Grid(30.0)
    cases = [
        ((str(SNAPSHOT), "R", span, grid), "Constellation"),
        (([nominal], "R", span, grid), "Constellation"),
        (({"x": "file.tle"}, "R", span, grid), "constellation\\['x'\\]"),
        ((nominal, 42, span, grid), "sets"),
        ((nominal, ["R"], span, grid), "SetSpec"),
        ((nominal, "R", "2026-01-01T00:00Z", grid), "EpochSpan"),
        ((nominal, "R", span, "1.0"), "Grid"),
        ((nominal, "R", span, 1.0), "Grid"),
    ]
    for args, what in cases:
        with pytest.raises(gnss.GnssTypeError, match=what) as info:
            gnss.compute_coverage(*args)
        assert isinstance(info.value, TypeError) and "got" in str(info.value)
    with pytest.raises(gnss.GnssTypeError, match="CoverageConfig"):
        gnss.compute_coverage(nominal, "R", span, grid, {"clock": "common"})
    with pytest.raises(gnss.GnssTypeError, match="Region"):
        gnss.compute_coverage(nominal, "R", span, grid, regions=["RUS"])
    with pytest.raises(gnss.GnssTypeError, match="Constellation"):
        gnss.plan_memory_bytes("file.tle", "R", span, grid)


def test_memory_plan_is_public_and_refuses_absurd_grids(nominal):
    span = gnss.epoch_span(nominal.median_epoch(), duration_s=86400, step_s=300)
    need = gnss.plan_memory_bytes(nominal, "R,C,R+C", span, gnss.Grid(1.0))
    assert 0.1 * 2**30 < need < 2 * 2**30
    assert gnss.available_memory_bytes() > 0
    with pytest.raises(gnss.ParameterError, match="GiB"):
        gnss.compute_coverage(nominal, "R", span, gnss.Grid(0.01))  # default limit: available
    with pytest.raises(gnss.ParameterError, match="max_memory_bytes"):
        gnss.compute_coverage(nominal, "R", span, gnss.Grid(30.0), max_memory_bytes=1e6)
    small = gnss.epoch_span(nominal.median_epoch(), duration_s=0, step_s=600)
    ds = gnss.compute_coverage(nominal, "R", small, gnss.Grid(30.0), max_memory_bytes=float("inf"))
    assert ds.sizes["lat"] == 6


def test_automatic_threads_step_aside_for_busy_processors():
    import os
    import subprocess
    import sys
    import time

    n_cpu = len(os.sched_getaffinity(0))
    assert 1 <= gnss.kernels.threads.auto_threads() <= gnss.kernels.threads.max_threads()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n_cpu)]
    try:
        time.sleep(0.5)  # let them start
        # Every processor has another runnable task: one thread (never zero).
        assert gnss.kernels.threads.auto_threads() == 1
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()


def test_numpy_twin_applies_the_same_ceiling_on_real_near_singular_epochs():
    """The slow NumPy twin (explicit design matrix) agrees with the kernel where it matters."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks folder
    from benchmarks.baselines import compare_to_dataset, numpy_coverage, parse_plain_sets

    con = gnss.read_elements(shared_file(SNAPSHOT))
    sats = [s for s in con.satellites if s.system == "R"]
    span = gnss.epoch_span(con.median_epoch(), duration_s=24 * 3600, step_s=600)
    grid = gnss.Grid(10.0)
    ds = gnss.compute_coverage(con, "R", span, grid, gnss.CoverageConfig(elevation_mask_deg=15.0))
    assert int((ds["singular_fraction"] > 0).sum()) > 0  # the case has near-singular epochs
    pos, _ = gnss.propagate_itrs_m(sats, span)
    points, up = grid.points()
    res = numpy_coverage(pos, ["R"] * len(sats), points, up, parse_plain_sets("R"),
                         elevation_mask_deg=15.0)  # fmt: skip
    lat_i, lon_i = np.unravel_index(np.arange(grid.n_points), (grid.n_lat, grid.n_lon))
    # Fix and availability counts exact; DOP means to 1e-9 (round-off of PDOPs up to 256).
    check = compare_to_dataset(ds, res, ["R"], lat_i, lon_i, rtol=1e-9)
    assert check["ok"], check


def test_summary_table_names_a_set_that_never_has_a_fix(nominal):
    """An 85 deg mask leaves every cell without a fix: the nan columns are explained."""
    span = gnss.epoch_span(nominal.median_epoch(), duration_s=3600, step_s=1800)
    ds = gnss.compute_coverage(nominal, "R,C", span, gnss.Grid(30.0), gnss.CoverageConfig(85.0))
    summary = gnss.summarize(ds)
    assert all(r["fix.area_mean"] == 0.0 for r in summary.values())
    text = gnss.analysis.summary.format_table(summary)
    assert "(no fix at any cell and epoch: too few satellites in view, or a near-singular" in text
    assert "R (0.0 in view on average); C (0.0 in view on average)" in text
    # report.html says the same under its summary table
    from gnss.outputs.html.compare import comparison_report

    page = comparison_report(ds, summary=summary)
    assert "No fix at any cell and epoch: too few satellites" in page
    # a set with a fix somewhere is not named
    ok = gnss.summarize(gnss.compute_coverage(nominal, "R", span, gnss.Grid(30.0)))
    assert "no fix at any cell" not in gnss.analysis.summary.format_table(ok)
