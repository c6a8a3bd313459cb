"""`gnss compare` through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
from click.testing import CliRunner
from conftest import SNAPSHOT_2026 as REAL_TLE
from conftest import shared_file

import gnss
from gnss.cli import main

QUICK = ["--resolution-deg", "10", "--hours", "2", "--step-s", "1800"]


def run(args, **kw):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kw)


@pytest.fixture
def tle_text():
    return gnss.nominal_element_files(["R"])[0].read_text()


def test_compare_default_writes_everything(tmp_path):
    out = tmp_path / "out"
    res = run(["compare", *QUICK, "-o", str(out)])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert "coverage.nc" in names and "summary.csv" in names and "summary.json" in names
    for s in ("R", "C", "R_C"):
        assert f"map_pdop_p95_{s}.png" in names
        assert f"map_availability_{s}.png" in names
    assert "diff_availability_R_C.png" in names and "diff_pdop_p95_R_C.png" in names
    assert not any(n.startswith(".") for n in names)
    # The table is printed, one row per set.
    lines = res.stdout.splitlines()
    assert lines[0].split()[0] == "set"
    assert [ln.split()[0] for ln in lines[2:5]] == ["R", "C", "R+C"]
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["sets"]) == {"R", "C", "R+C"}
    assert summary["run"]["time_coverage_start"].startswith("2026-01-01T00:00")
    ds = xr.open_dataset(out / "coverage.nc")
    assert ds.sizes["lat"] == 18 and ds.sizes["lon"] == 36
    assert "diff_availability" in ds
    assert "nominal_glonass.tle" in ds.attrs["element_files"]


def test_compare_refuses_to_overwrite_then_overwrites(tmp_path):
    out = tmp_path / "out"
    assert run(["compare", *QUICK, "--maps", "none", "-o", str(out)]).exit_code == 0
    before = (out / "summary.csv").stat().st_mtime_ns
    res = CliRunner().invoke(main, ["compare", *QUICK, "--maps", "none", "-o", str(out)])
    assert res.exit_code != 0
    assert "--overwrite" in res.output
    assert (out / "summary.csv").stat().st_mtime_ns == before
    res = run(["compare", *QUICK, "--maps", "none", "-o", str(out), "--overwrite"])
    assert res.exit_code == 0


def _assert_fails_cleanly(args, out: Path, *needles):
    res = CliRunner().invoke(main, args)
    assert res.exit_code != 0
    for needle in needles:
        assert needle in res.output, res.output
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_bad_checksum(tmp_path, tle_text):
    lines = tle_text.splitlines()
    # Change one digit of line 1 of the second satellite (file line 5), keep the length.
    l5 = lines[4]
    lines[4] = l5[:20] + ("1" if l5[20] != "1" else "2") + l5[21:]
    bad = tmp_path / "bad.tle"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          f"{bad}:5", "checksum")  # fmt: skip


def test_truncated_line(tmp_path, tle_text):
    lines = tle_text.splitlines()
    lines[2] = lines[2][:40]
    bad = tmp_path / "trunc.tle"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          f"{bad}:3", "40 characters, expected 69")  # fmt: skip


def test_truncated_file(tmp_path, tle_text):
    bad = tmp_path / "cut.tle"
    bad.write_text("\n".join(tle_text.splitlines()[:-1]) + "\n")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          str(bad), "truncated")  # fmt: skip


def test_empty_file(tmp_path):
    bad = tmp_path / "empty.tle"
    bad.write_text("")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          str(bad), "empty")  # fmt: skip


def test_unknown_system_letter(tmp_path):
    out = tmp_path / "out"
    _assert_fails_cleanly(
        ["compare", "--sets", "R,X", *QUICK, "-o", str(out)], out, "'X'", "--sets"
    )


def test_naive_start(tmp_path):
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--start", "2026-01-01T00:00", *QUICK, "-o", str(out)], out,
                          "no time zone", "2026-01-01T00:00Z")  # fmt: skip


def test_negative_step(tmp_path):
    out = tmp_path / "out"
    args = ["compare", "--resolution-deg", "10", "--hours", "2", "--step-s", "-5", "-o", str(out)]
    _assert_fails_cleanly(args, out, "-5", "--step-s")


def test_system_missing_from_elements(tmp_path):
    out = tmp_path / "out"
    _assert_fails_cleanly(
        ["compare", "--sets", "R,C", "-e", str(gnss.nominal_element_files(["R"])[0]), *QUICK,
         "-o", str(out)],
        out, "has no satellite of system C",
    )  # fmt: skip


def test_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    import gnss.maps

    calls = {"n": 0}
    real = gnss.maps.plot_field

    def flaky(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise gnss.OutputError("simulated disk full")
        return real(*a, **kw)

    monkeypatch.setattr(gnss.maps, "plot_field", flaky)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["compare", *QUICK, "-o", str(out)])
    assert res.exit_code != 0
    assert "simulated disk full" in res.output
    assert not out.exists() or list(out.iterdir()) == []


def test_real_snapshot_and_common_clock(tmp_path):
    shared_file(REAL_TLE)
    out = tmp_path / "out"
    res = run(["compare", "-e", str(REAL_TLE), "--sets", "G,E,G+E", "--clock", "common", *QUICK,
               "--maps", "none", "-o", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["clock_model"] == "common"
    # Start defaults to the snapshot's median epoch (PROVENANCE: 2026-10-05 14:50 UTC).
    assert summary["run"]["time_coverage_start"].startswith("2026-10-05T14:5")


def test_subprocess_console_script(tmp_path):
    exe = shutil.which("gnss", path=str(Path(sys.executable).parent)) or shutil.which("gnss")
    assert exe, "the console script 'gnss' is not installed"
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONWARNINGS="error::ResourceWarning")
    proc = subprocess.run([exe, "compare", *QUICK, "--maps", "none", "-o", str(out), "-v"],
                          capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "R+C" in proc.stdout
    assert "time split" in proc.stderr
    assert (out / "coverage.nc").exists()
    bad = subprocess.run(
        [exe, "compare", "--sets", "Q"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2
    assert "unknown system letter 'Q'" in bad.stderr


def test_compare_with_regions_writes_report(tmp_path):
    out = tmp_path / "out"
    res = run(
        ["compare", *QUICK, "--maps", "none", "--regions", "global,arctic,RUS", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "regions.csv", "regions.gpkg", "regions.json", "coverage.nc"} <= names
    assert "region_RUS_pdop_p95.png" in names
    report = (out / "report.md").read_text()
    assert "Integral availability" in report and "Russia" in report
    import geopandas

    gdf = geopandas.read_file(out / "regions.gpkg", layer="regions")
    assert sorted(gdf["region"]) == ["RUS", "arctic", "global"]
    ds = xr.open_dataset(out / "coverage.nc")
    assert ds["region"].values.tolist() == ["global", "arctic", "RUS"]


def test_compare_unknown_region_is_refused_before_work(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["compare", *QUICK, "--regions", "RUSS", "-o", str(out)])
    assert res.exit_code == 2
    assert "RUSS" in res.output and "RUS" in res.output
    assert not out.exists()


def test_regions_listing():
    res = run(["regions", "--search", "arctic"])
    assert res.exit_code == 0 and "arctic" in res.output


def test_memory_estimate_printed_and_refusal(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["compare", *QUICK, "--maps", "none", "-o", str(out)])
    assert res.exit_code == 0 and "estimated peak memory" in res.stderr
    res = CliRunner().invoke(
        main,
        ["compare", "--resolution-deg", "0.25", "--max-memory-gib", "0.1", "-o", str(out / "x")],
    )
    assert res.exit_code == 1
    assert "needs about" in res.output and "--resolution-deg" in res.output
    assert not (out / "x").exists()


def test_nominal_default_is_placed_at_the_start(tmp_path):
    out = tmp_path / "out"
    res = run(["compare", *QUICK, "--maps", "none", "--start", "2027-06-01T00:00Z", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out / "coverage.nc")
    assert "nominal@2027-06-01T00:00:00Z" in ds.attrs["element_files"]
    assert ds.attrs["element_epoch_range"].startswith("2027-06-01T00:00:00")
