"""``--format zarr`` (issue 15): coverage.zarr instead of coverage.nc, the same dataset.

Single-process runs here (the store written group by group); the Dask runs that write it tile
by tile are in tests/test_dask.py. Grids are coarse (30 and 10 degrees): the subject is the
file, not the kernels.
"""

from __future__ import annotations

import json
import sys

import pytest
import xarray as xr
from click.testing import CliRunner

import gnss
from gnss.cli import main

pytest.importorskip("zarr", reason='zarr is not installed (pip install ".[dask]")')

TINY = ["--sets", "R,C,R+C", "--resolution-deg", "30", "--hours", "1", "--step-s", "1800"]


def _compare(out, *extra):
    return CliRunner().invoke(main, ["compare", *TINY, "-o", str(out), *extra])


def _identical(nc_path, zarr_path):
    """``xr.open_zarr`` of the store equals ``xr.open_dataset`` of the NetCDF, bit for bit."""
    with xr.open_dataset(nc_path) as a, xr.open_zarr(zarr_path) as b:
        a, b = a.load(), b.load()
        assert a.attrs.pop("history") != "" and b.attrs.pop("history") != ""  # creation times
        xr.testing.assert_identical(a, b)


def test_cli_format_zarr_end_to_end(tmp_path):
    r_nc = _compare(tmp_path / "nc", "--regions", "RUS", "--uere-m", "default")
    r_z = _compare(tmp_path / "z", "--regions", "RUS", "--uere-m", "default", "--format", "zarr")
    assert r_nc.exit_code == 0 and r_z.exit_code == 0, r_z.output
    z = tmp_path / "z"
    names = sorted(p.name for p in z.iterdir())
    nc_names = sorted(p.name for p in (tmp_path / "nc").iterdir())
    # Every output of the NetCDF run, the store in place of coverage.nc.
    assert names == sorted(n.replace("coverage.nc", "coverage.zarr") for n in nc_names)
    assert (z / "coverage.zarr").is_dir() and "coverage.zarr" in json.loads(
        (z / "gnss-manifest.json").read_text())["files"]  # fmt: skip
    _identical(tmp_path / "nc" / "coverage.nc", z / "coverage.zarr")
    # The summary is summed from the stored (float32) fields: within a float32 step.
    a = json.loads((tmp_path / "nc" / "summary.json").read_text())["sets"]
    b = json.loads((z / "summary.json").read_text())["sets"]
    for s, row in a.items():
        for k, v in row.items():
            assert v == pytest.approx(b[s][k], rel=1e-6, nan_ok=True), (s, k)


def test_zarr_with_overwrite_replaces_the_store_and_netcdf_removes_it(tmp_path):
    out = tmp_path / "o"
    assert _compare(out, "--format", "zarr", "--maps", "none").exit_code == 0
    again = _compare(out, "--format", "zarr", "--maps", "none")
    assert again.exit_code != 0 and "coverage.zarr" in again.output  # no silent replacing
    r = _compare(out, "--format", "zarr", "--maps", "none", "--overwrite", "--sets", "R,C")
    assert r.exit_code == 0, r.output
    assert xr.open_zarr(out / "coverage.zarr")["set"].values.tolist() == ["R", "C"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left
    assert _compare(out, "--maps", "none", "--overwrite").exit_code == 0
    assert (out / "coverage.nc").exists() and not (out / "coverage.zarr").exists()


def test_bad_format_is_a_usage_error(tmp_path):
    r = _compare(tmp_path / "o", "--format", "hdf5")
    assert r.exit_code == 2 and "'--format'" in r.output and "netcdf" in r.output
    assert not (tmp_path / "o").exists()


def test_zarr_missing_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "zarr", None)  # import zarr now raises ImportError
    r = _compare(tmp_path / "o", "--format", "zarr")
    assert r.exit_code == 2, r.output
    assert "zarr" in r.output and 'pip install ".[dask]"' in r.output and "--format" in r.output
    assert not (tmp_path / "o").exists()
    with pytest.raises(gnss.ParameterError, match=r"pip install \"\.\[dask\]\""):
        gnss.plan_comparison(gnss.Study("R"), output_format="zarr")


def test_a_failed_zarr_run_leaves_no_store(tmp_path):
    """The store is staged with the other files: an error while writing the maps removes it."""
    out = tmp_path / "o"

    def fail_in_the_maps(stage, done, total):
        if stage == "write" and done > 3:  # after the store and the summary tables
            assert list(out.glob(".gnss-partial-*/coverage.zarr"))
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        gnss.run_comparison(gnss.Study("R,C,R+C", duration_s=3600, step_s=1800,
                                       resolution_deg=30), out, output_format="zarr",
                            progress=fail_in_the_maps)  # fmt: skip
    assert not out.exists() or not list(out.iterdir())


def test_write_comparison_zarr_takes_only_a_store(tmp_path):
    from gnss.outputs.comparison import write_comparison

    ds = gnss.run_comparison(gnss.Study("R", duration_s=3600, step_s=1800,
                                        resolution_deg=30)).dataset  # fmt: skip
    with pytest.raises(gnss.ParameterError, match="finish_store"):
        write_comparison(ds, tmp_path / "o", output_format="zarr")


def test_run_comparison_zarr_lists_the_store_and_returns_it_lazily(tmp_path):
    res = gnss.run_comparison(gnss.Study("R,C,R+C", duration_s=3600, step_s=1800,
                                         resolution_deg=30), tmp_path / "o", maps="none",
                              report=False, output_format="zarr")  # fmt: skip
    names = sorted(p.name for p in res.files)
    assert names == ["coverage.zarr", "summary.csv", "summary.json"]
    assert all(p.exists() for p in res.files)
    # The published store, read when used (not the staged one, which is gone).
    assert res.dataset.encoding["source"] == str(tmp_path / "o" / "coverage.zarr")
    assert float(res.dataset["availability"].sel(set="R+C").mean()) > 0.5
    # One process: written group by group, at most one chunk (here the whole 30-degree grid).
    assert res.store_stats == {"rows_per_chunk": 6, "chunks_written": 1, "peak_points": 72}


def test_the_memory_plan_of_a_store_counts_chunks_not_the_grid():
    from gnss.scale.zarrsink import HELD_POINTS_PLANNED

    study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800, resolution_deg=0.1)
    need = {fmt: gnss.plan_comparison(study, output_format=fmt).memory_bytes
            for fmt in ("netcdf", "zarr")}  # fmt: skip
    assert need["zarr"] < need["netcdf"] / 3  # the per-cell term: 8 chunks, not the grid
    assert HELD_POINTS_PLANNED < 6_480_000 / 10


def test_one_process_writes_the_store_group_by_group(tmp_path, monkeypatch):
    """Chunks of 4 latitude rows, groups of 256 cells: at most one chunk held, same bits."""
    import gnss.scale.zarrsink

    monkeypatch.setattr(gnss.scale.zarrsink, "CHUNK_POINTS", 4 * 36)
    study = gnss.Study("R,C,R+C,R+C[-C:GEO]", duration_s=7200.0, step_s=1800.0,
                       resolution_deg=10.0, regions="RUS", uere_m="default")  # fmt: skip
    gnss.run_comparison(study, tmp_path / "nc", maps="none", report=False)
    res = gnss.run_comparison(study, tmp_path / "z", maps="none", report=False,
                              output_format="zarr")  # fmt: skip
    # 5 chunks, twice (the weighted pass); a group ends at most one chunk further on.
    assert res.store_stats["chunks_written"] == 10 and res.store_stats["peak_points"] <= 2 * 144
    _identical(tmp_path / "nc" / "coverage.nc", tmp_path / "z" / "coverage.zarr")
