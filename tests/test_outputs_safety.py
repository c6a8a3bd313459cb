"""Nothing lost: result sets, unwritable folders, full disks, the umask, file names, JSON.

Signals (SIGTERM/SIGHUP/SIGKILL with real subprocesses) are in test_signals.py.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import gnss
from gnss.cli import commands as cli
from gnss.io import json_text
from gnss.outputs.comparison import write_comparison
from gnss.outputs.files import write_netcdf, write_summary_json
from gnss.outputs.outdir import MANIFEST, OutputDir

QUICK = ["--resolution-deg", "10", "--hours", "2", "--step-s", "1800"]


def strict_loads(text: str):
    """json.loads that refuses NaN, Infinity and -Infinity (invalid JSON)."""

    def refuse(name):
        raise ValueError(f"invalid JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def ds():
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    return gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(15.0))


@pytest.fixture
def no_compute(monkeypatch):
    """Fail the test if `gnss compare` starts computing (a refusal must come first)."""

    def refuse(*a, **k):
        raise AssertionError("the computation started before the refusal")

    import gnss.coverage.run  # the study calls compute_resolved through this module

    monkeypatch.setattr(gnss.coverage.run, "compute_resolved", refuse)


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# --- 2. --overwrite replaces the previous result set as a whole -------------------------


def test_overwrite_replaces_the_result_set_and_keeps_user_files(ds, tmp_path, caplog):
    out = tmp_path / "out"
    _, first = write_comparison(ds, out, maps="default")
    assert (out / "map_pdop_p95_R_C.png").exists() and (out / "diff_pdop_p95_R_C.png").exists()
    manifest = strict_loads((out / MANIFEST).read_text())
    assert set(manifest["files"]) == {p.name for p in first}
    assert manifest["parameters"]["sets"] == ["R", "C", "R+C"]
    (out / "notes.txt").write_text("mine")
    with caplog.at_level(logging.WARNING, logger="gnss"):
        _, second = write_comparison(ds.sel(set=["R"]), out, maps="default", overwrite=True)
    # Exactly the new set (+ the manifest), and the user's file, which no manifest lists.
    assert _files(out) == {p.name for p in second} | {MANIFEST, "notes.txt"}
    assert not (out / "map_pdop_p95_R_C.png").exists()
    assert not (out / "diff_pdop_p95_R_C.png").exists()
    assert "notes.txt" in caplog.text and "no gnss manifest lists" in caplog.text
    assert set(strict_loads((out / MANIFEST).read_text())["files"]) == {p.name for p in second}
    assert xr.open_dataset(out / "coverage.nc")["set"].values.tolist() == ["R"]


def test_a_damaged_manifest_never_deletes_outside_the_folder(ds, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (out / ".hidden").write_text("keep")
    names = ["../victim.txt", str(victim), ".hidden", 42, "summary.csv"]
    (out / MANIFEST).write_text(json.dumps({"files": names}))
    write_comparison(ds.sel(set=["R"]), out, maps="none", overwrite=True)
    assert victim.read_text() == "keep" and (out / ".hidden").read_text() == "keep"


def test_without_overwrite_the_manifest_keeps_the_earlier_files(ds, tmp_path):
    out = tmp_path / "out"
    write_comparison(ds, out, maps="none")
    gnss.write_region_outputs(ds, "arctic", out, map_stats=())
    listed = set(strict_loads((out / MANIFEST).read_text())["files"])
    assert {"coverage.nc", "summary.json", "regions.csv", "report.md"} <= listed
    assert listed == _files(out) - {MANIFEST}


# --- 1. (the signals are in test_signals.py) leftovers of killed runs ---------------------


def _staging(out: Path, pid: int, tag: str, mtime_s: float | None = None) -> Path:
    p = out / f".gnss-partial-{pid}-{tag}"
    p.mkdir(parents=True)
    (p / ".gnss-owner").write_text(json.dumps({"pid": pid, "host": socket.gethostname()}))
    if mtime_s is not None:
        os.utime(p / ".gnss-owner", (mtime_s, mtime_s))
    return p


def test_leftovers_of_dead_runs_are_removed_and_others_reported(tmp_path, caplog):
    out = tmp_path / "out"
    dead = _dead_pid()
    gone = _staging(out, dead, "0000aaaa")
    live = _staging(out, os.getpid(), "0000bbbb")  # this process: a run still writing
    # The pid of a process that started after the staging folder was made: reused.
    reused = _staging(out, os.getpid(), "0000cccc", time.time() - 86400)
    legacy = out / ".gnss-partial-k2j3h4"  # an older version's name, no owner record
    legacy.mkdir()
    with caplog.at_level(logging.INFO, logger="gnss"), OutputDir(out, overwrite=True):
        pass
    assert not gone.exists() and f"process {dead} is no longer running" in caplog.text
    assert not reused.exists()
    assert live.exists() and "another run" in caplog.text
    assert legacy.exists() and "staged files of an unknown run" in caplog.text


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


# --- 3. an unwritable output folder is refused before any work --------------------------


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_unwritable_output_folder_is_refused_before_the_computation(tmp_path, no_compute, where):
    # Root ignores permission bits, so use places even root cannot create a folder in.
    if where == "under-a-file":
        (tmp_path / "plain").write_text("a file, not a folder")
        out = tmp_path / "plain" / "sub" / "out"
    else:
        out = Path("/proc/gnss-coverage-test/out")
    res = CliRunner().invoke(cli.main, ["compare", *QUICK, "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert f"cannot write into the output folder {out}" in res.output
    assert "-o" in res.output and "Traceback" not in res.output
    if where == "under-a-file":
        assert "plain is a file, not a folder" in res.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
def test_read_only_parent_is_refused_before_the_computation(tmp_path, no_compute):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    res = CliRunner().invoke(cli.main, ["compare", *QUICK, "-o", str(ro / "out")])
    assert res.exit_code == 1 and "is not writable by this user" in res.output


def test_a_pre_existing_empty_folder_survives_a_failed_run(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    with pytest.raises(RuntimeError), OutputDir(out) as o:
        o.path("x").write_text("x")
        raise RuntimeError("boom")
    assert out.is_dir() and not any(out.iterdir())


# --- 4. a full disk says so ------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs (root on Linux), else skip."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
    )
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {res.stderr.decode().strip()}")
    yield mnt
    # Lazy: a file handle the failed NetCDF write left open in HDF5 keeps the mount busy.
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_is_refused_before_the_computation(tiny_disk, no_compute):
    res = CliRunner().invoke(cli.main, ["compare", *QUICK, "-o", str(tiny_disk / "out")])
    assert res.exit_code == 1, res.output
    assert f"no space left on {tiny_disk}" in res.output
    # 9 default maps at 0.5 MB each + tables (issue 14: fewer default PNGs than the old 33)
    assert "needed about 5.9 MB" in res.output and "MB, free 1.0 MB" in res.output
    assert not (tiny_disk / "out").exists()


def test_free_space_check_uses_disk_usage(tmp_path, monkeypatch, no_compute):
    """Where no tmpfs can be mounted: the pre-check reads shutil.disk_usage."""
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=5_000_000))
    res = CliRunner().invoke(cli.main, ["compare", *QUICK, "-o", str(tmp_path / "out")])
    assert res.exit_code == 1 and "no space left on" in res.output and "free 5.0 MB" in res.output


def test_disk_full_while_writing_is_translated(ds, tiny_disk):
    # Leave ~16 kB: the staging folder fits, the NetCDF (~100 kB) does not.
    filler = tiny_disk / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * (shutil.disk_usage(tiny_disk).free - 16_384))
    before = shutil.disk_usage(tiny_disk).free
    with pytest.raises(gnss.OutputError, match=f"no space left on {tiny_disk}") as info:
        with OutputDir(tiny_disk / "out") as out:
            write_netcdf(ds, out.path("coverage.nc"))
    assert "free 0.0 MB" in str(info.value)
    assert not (tiny_disk / "out").exists()  # staging removed, the folder it created too
    # The space comes back although HDF5 keeps the deleted temporary file open (truncated).
    assert shutil.disk_usage(tiny_disk).free >= before - 4096  # one tmpfs page of slack
    filler.unlink()
    with pytest.raises(gnss.OutputError, match="no space left"):  # and from a plain OSError
        with OutputDir(tiny_disk / "out") as out:
            out.path("big").write_bytes(b"\0" * 2_000_000)


# --- 5. results honour the umask -------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_results_honour_the_umask(ds, tmp_path, umask):
    old = os.umask(umask)
    try:
        out = tmp_path / "a" / "out"
        write_comparison(ds, out, maps="default", regions=gnss.get_regions("arctic"))
    finally:
        os.umask(old)
    assert {"coverage.nc", "summary.json", "summary.csv", "regions.gpkg", "report.md"} <= _files(
        out
    )
    for p in out.iterdir():
        assert p.stat().st_mode & 0o777 == 0o666 & ~umask, (p.name, oct(p.stat().st_mode))
    for folder in (out, out.parent):
        assert folder.stat().st_mode & 0o777 == 0o777 & ~umask


# --- 6. set names that map to the same file name ---------------------------------------


def test_colliding_set_names_are_refused_before_the_computation(no_compute, tmp_path):
    res = CliRunner().invoke(
        cli.main, ["compare", *QUICK, "--sets", "R,C,R+C,R_C=R+C[-C:GEO]", "-o", str(tmp_path)]
    )
    assert res.exit_code == 2, res.output
    assert "'R+C' and 'R_C'" in res.output and "NAME=" in res.output
    assert "map_<statistic>_R_C.png" in res.output


def test_colliding_names_are_fine_without_maps():
    from gnss.outputs.comparison import planned_files

    assert "coverage.nc" in planned_files(["R+C", "R_C"], [], "none")
    with pytest.raises(gnss.ParameterError, match="'R C' and 'R_C'"):
        planned_files(["R C", "R_C"], [], "default")


# --- 7. JSON outputs never hold NaN or Infinity ----------------------------------------


def test_json_text_is_strict_and_cleans_numpy():
    doc = {"a": np.float32("nan"), "b": [np.inf, -np.inf, 1.5], "c": np.arange(2.0), "d": (1,)}
    got = strict_loads(json_text(doc))
    assert got == {"a": None, "b": [None, None, 1.5], "c": [0.0, 1.0], "d": [1]}
    assert strict_loads(json_text({1: np.bool_(True), "n": np.int64(3)})) == {"1": True, "n": 3}


def test_summary_json_with_nan_statistics_is_strict(tmp_path):
    path = write_summary_json({"R": {"pdop.p95": float("nan"), "x": np.float64("inf")}},
                              {"pdop_max": np.float32(6)}, tmp_path / "s.json")  # fmt: skip
    doc = strict_loads(path.read_text())
    assert doc["sets"]["R"] == {"pdop.p95": None, "x": None} and doc["run"]["pdop_max"] == 6.0


def test_compare_and_region_json_outputs_are_strict(ds, tmp_path):
    out = tmp_path / "out"
    # One GLONASS satellite: no fix anywhere, every DOP statistic is NaN.
    con = gnss.read_elements(gnss.nominal_element_files(["R"]))
    one = gnss.Constellation(con.satellites[:1], sources=con.sources)
    span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    lone = gnss.compute_coverage(one, "R", span, gnss.Grid(30.0))
    write_comparison(lone, out, maps="none", regions=gnss.get_regions("arctic"))
    for name in ("summary.json", "regions.json", MANIFEST):
        strict_loads((out / name).read_text())
    assert strict_loads((out / "summary.json").read_text())["sets"]["R"]["pdop.p95"] is None


def test_elements_list_and_show_json_are_strict(tmp_path):
    from gnss.cli.elements import elements

    # An OMM CSV record with a non-finite RAAN (read as NaN by sgp4's OMM reader).
    csv = tmp_path / "nan.csv"
    csv.write_text(
        "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,"
        "ARG_OF_PERICENTER,MEAN_ANOMALY,EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,"
        "ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR,MEAN_MOTION_DOT,MEAN_MOTION_DDOT\n"
        "COSMOS 2433 (720),2007-052A,2025-04-28T02:11:47.000000,2.13103964,.0000691,65.7996,"
        "nan,238.1413,121.8961,0,U,32275,999,13621,0,-.00000038,0\n"
    )
    for command in ("list", "show"):
        res = CliRunner().invoke(elements, [command, str(csv), "--json"])
        assert res.exit_code in (0, 1), res.output
        if res.exit_code == 0:
            strict_loads(res.stdout)


# --- 8. percentile_method describes the histograms the data has ------------------------


def test_percentile_method_matches_the_histogram_dimension(ds, tmp_path):
    lower = ds["dop_bin_lower"].values
    width = np.max(np.diff(lower) / lower[:-1])  # widest bin, relative to its lower edge
    top = lower[-1] + (lower[-1] - lower[-2])
    text = ds.attrs["percentile_method"]
    assert f"{ds.sizes['dop_bin']}-bin histograms of DOP {lower[0]:g}..{top:g}" in text
    assert f"at most {100 * width:.2f} % wide" in text
    assert f"within {200 * width:.2f} % of numpy.percentile" in text
    path = write_netcdf(ds, tmp_path / "c.nc")
    with xr.open_dataset(path) as back:
        assert back.attrs["percentile_method"] == text


def test_colliding_region_file_names_are_refused_before_the_computation(no_compute, tmp_path):
    box = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}
    doc = json.dumps({"type": "Feature", "properties": {}, "geometry": box})
    (tmp_path / "a+b.geojson").write_text(doc)
    (tmp_path / "a_b.geojson").write_text(doc)
    regions = f"{tmp_path / 'a+b.geojson'},{tmp_path / 'a_b.geojson'}"
    res = CliRunner().invoke(
        cli.main, ["compare", *QUICK, "--regions", regions, "-o", str(tmp_path / "out")]
    )
    assert res.exit_code == 2, res.output
    assert "'a+b' and 'a_b'" in res.output and "--regions" in res.output
