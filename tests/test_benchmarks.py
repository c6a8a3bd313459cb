"""The benchmark suite's building blocks on tiny sizes (nothing here asserts a speed)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import gnss

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `benchmarks` is a folder of the repository, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.__main__ import main  # noqa: E402
from benchmarks.baselines import (  # noqa: E402
    compare_to_dataset,
    numpy_coverage,
    parse_plain_sets,
    skyfield_altaz,
)
from benchmarks.cases import parse_time_split  # noqa: E402
from benchmarks.common import StageTimer  # noqa: E402
from benchmarks.report import COLUMNS  # noqa: E402

SETS = "R,C,R+C"


@pytest.fixture(scope="module")
def nominal():
    return gnss.read_elements(gnss.nominal_element_files(["R", "C"]))


@pytest.fixture(scope="module")
def tiny_run(nominal):
    span = gnss.epoch_span(nominal.median_epoch(), duration_s=2 * 3600, step_s=600)
    grid = gnss.Grid(30.0)
    ds = gnss.compute_coverage(nominal, SETS, span, grid)
    pos, _ = gnss.propagate_itrs_m(nominal.satellites, span)
    return span, grid, ds, pos


def test_numpy_baseline_agrees_with_compute_coverage(nominal, tiny_run):
    span, grid, ds, pos = tiny_run
    points, up = grid.points()
    systems = [s.system for s in nominal.satellites]
    res = numpy_coverage(pos, systems, points, up, parse_plain_sets(SETS), chunk_points=7)
    lat_i, lon_i = np.unravel_index(np.arange(grid.n_points), (grid.n_lat, grid.n_lon))
    for k, name in enumerate(SETS.split(",")):
        ref = ds.sel(set=name)
        np.testing.assert_array_equal(res[k]["visible_mean"], ref.visible_mean.values.ravel())
        np.testing.assert_array_equal(res[k]["availability"], ref.availability.values.ravel())
        np.testing.assert_allclose(
            res[k]["pdop_mean"], ref.pdop_mean.values.ravel(), rtol=1e-9, equal_nan=True
        )
        np.testing.assert_allclose(
            res[k]["vdop_mean"], ref.vdop_mean.values.ravel(), rtol=1e-9, equal_nan=True
        )
    check = compare_to_dataset(ds, res, SETS.split(","), lat_i, lon_i, rtol=1e-9)
    assert check["ok"], check
    assert np.isfinite(res[2]["pdop_mean"]).all()  # R+C always has a fix


def test_numpy_baseline_guide_reference_case():
    # GUIDE section 3: one satellite at zenith, three at 30° elevation (az 0, 120, 240), one
    # system: PDOP 8/3, HDOP 4/3, VDOP 4/sqrt(3); a fifth satellite of a second system in
    # view leaves PDOP unchanged with per-system clocks.
    point, up = gnss.geodetic_points([0.0], [0.0])
    east, north, u = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0]), up[0]

    def direction(az_deg, el_deg):
        az, el = math.radians(az_deg), math.radians(el_deg)
        return math.cos(el) * (math.sin(az) * east + math.cos(az) * north) + math.sin(el) * u

    dirs = [direction(0, 90), direction(0, 30), direction(120, 30), direction(240, 30)]
    dirs.append(direction(60, 40))
    pos = (point[0] + 2.0e7 * np.array(dirs))[None]  # one epoch
    res = numpy_coverage(pos, ["R"] * 4 + ["C"], point, up, [("R",), ("R", "C")])
    for k in range(2):
        assert res[k]["pdop_mean"][0] == pytest.approx(8 / 3, rel=1e-12)
        assert res[k]["hdop_mean"][0] == pytest.approx(4 / 3, rel=1e-12)
        assert res[k]["vdop_mean"][0] == pytest.approx(4 / math.sqrt(3), rel=1e-12)
    assert res[0]["visible_mean"][0] == 4 and res[1]["visible_mean"][0] == 5


def test_skyfield_baseline_visible_counts_agree(nominal, tiny_run):
    span, grid, _, _ = tiny_run
    sats = [s for s in nominal.satellites if s.system == "R"][:5]
    sats += [s for s in nominal.satellites if s.system == "C"][:5]
    sub = replace(nominal, satellites=tuple(sats))
    ds = gnss.compute_coverage(sub, SETS, span, grid)
    pick = np.array([5, 30, 50])
    lat_i, lon_i = np.unravel_index(pick, (grid.n_lat, grid.n_lon))
    lat, lon = grid.lat_deg[lat_i], grid.lon_deg[lon_i]
    sets = parse_plain_sets(SETS)
    res = skyfield_altaz(sats, lat, lon, span, sets, elevation_mask_deg=5.0)
    assert res["visible"].sum() > 0
    # Epoch by epoch against the engine's kernel (gnss.epoch_dops), strict 5° mask.
    pos, _ = gnss.propagate_itrs_m(sats, span)
    points, up = gnss.geodetic_points(lat, lon)
    systems = [s.system for s in sats]
    for i in range(len(pick)):
        d = gnss.epoch_dops(pos, systems, points[i], up[i], sets, elevation_mask_deg=5.0)
        np.testing.assert_array_equal(res["visible"][:, i, :], d["visible"])
        np.testing.assert_allclose(res["pdop"][:, i, :], d["pdop"], rtol=1e-6, equal_nan=True)
    check = compare_to_dataset(ds, res["stats"], SETS.split(","), lat_i, lon_i, rtol=1e-6)
    assert check["visible_mean"] == 0.0 and check["nan_mismatch"] == 0, check
    assert check["ok"], check


def test_parse_time_split():
    err = "INFO: wrote 3 files\nINFO: time split: load 0.01 s, propagate 0.20 s, "
    err += "kernels+statistics 1.50 s, write 2.00 s\n"
    assert parse_time_split(err) == {
        "load": 0.01, "propagate": 0.2, "kernels+statistics": 1.5, "write": 2.0,
    }  # fmt: skip
    assert parse_time_split("nothing here") == {}


def test_stage_timer_stages():
    timer = StageTimer()
    timer("propagate", 10, 10)  # reported once, at its end
    timer("grid", 0, 4)
    timer("grid", 4, 4)
    assert timer.seconds("grid") >= 0.0
    assert timer.seconds("propagate") >= 0.0
    with pytest.raises(KeyError):
        timer.seconds("write")


def test_suite_tiny_writes_the_three_files(tmp_path, capsys):
    out = tmp_path / "bench"
    assert main(["--tiny", "--output", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["benchmarks.json", "benchmarks.md", "scaling.png"]
    assert (out / "scaling.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "benchmarks.md").read_text()
    assert "| " + " | ".join(COLUMNS) + " |" in md
    assert md.startswith("# gnss benchmarks (tiny mode)") and "Machine: CPU " in md
    assert md in capsys.readouterr().out  # the table is printed too
    doc = json.loads((out / "benchmarks.json").read_text())
    assert doc["mode"] == "tiny" and doc["columns"] == list(COLUMNS)
    for key in ("cpu", "cores", "numba_threads", "versions"):
        assert key in doc["machine"]
    cases = {r["case"].split()[0] for r in doc["rows"]}
    # compile (5), broadcast (9), site (11) and dask (12) are off in --tiny
    assert cases == {"1", "2", "3", "4", "6", "7", "8", "10", "13", "14"}
    (maps_row,) = [r for r in doc["rows"] if r["case"].startswith("10 ")]
    assert maps_row["extra"]["none_s"] > 0 and "default / none" in maps_row["ratio"]
    assert doc["checks"]["maps_ratio"]["png_files"] == 9  # 3 sets x 2 statistics + 3 gains
    (contention,) = [r for r in doc["rows"] if r["case"].startswith("8")]
    assert len(contention["extra"]["three"]) == 3 and contention["extra"]["alone_s"] > 0
    assert "slowest of three / alone" in contention["ratio"]  # reported, never asserted
    for row in doc["rows"]:
        for key in ("case", "config", "work", "seconds", "throughput", "ratio", "peak_rss_mib",
                    "threads"):  # fmt: skip
            assert key in row
    assert doc["checks"]["numpy_vs_engine"]["ok"]
    assert doc["checks"]["skyfield_vs_engine"]["visible_mean"] == 0.0
    assert set(doc["scaling"]) == {"points", "epochs", "satellites", "threads"}
    e2e = [r for r in doc["rows"] if r["case"].startswith("4")]
    assert e2e and all("kernels+statistics" in r["extra"]["time_split"] for r in e2e)


def test_unknown_case_is_refused():
    with pytest.raises(SystemExit) as exc:
        main(["--tiny", "--cases", "kernel,warp"])
    assert exc.value.code == 2


def test_module_entry_point_help():
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--help"],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "--quick" in proc.stdout and "--output" in proc.stdout


def test_disagreeing_baseline_fails_loudly(tmp_path, monkeypatch, capsys):
    import benchmarks.baselines as baselines

    real = baselines.numpy_coverage

    def off_by_a_bit(*args, **kwargs):
        res = real(*args, **kwargs)
        res[0]["pdop_mean"] = res[0]["pdop_mean"] * (1 + 1e-6)
        return res

    monkeypatch.setattr(baselines, "numpy_coverage", off_by_a_bit)
    out = tmp_path / "bench"
    assert main(["--tiny", "--cases", "numpy", "--output", str(out)]) == 1
    assert "NumPy baseline disagrees" in capsys.readouterr().err
    assert not out.exists()


def test_broadcast_case_reports_two_rows_next_to_sgp4(tmp_path):
    from conftest import SHARED_DATA, shared_file

    shared_file(SHARED_DATA / "rinex_nav" / "SEPT1890.23P")
    out = tmp_path / "bench"
    assert main(["--tiny", "--cases", "broadcast", "--output", str(out)]) == 0
    rows = json.loads((out / "benchmarks.json").read_text())["rows"]
    assert [r["case"] for r in rows] == ["9 broadcast"] * 2
    for r in rows:
        assert r["work"] in (58 * 1441, 150 * 1441) and r["seconds"] > 0
        assert "broadcast/SGP4" in r["ratio"]  # reported, never asserted
