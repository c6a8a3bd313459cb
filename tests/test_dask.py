"""Scale-out on Dask (issue 15): the same numbers as one process, on real clusters.

A LocalCluster of two worker processes, a real ``dask scheduler`` and two ``dask worker``
processes started on 127.0.0.1, a worker killed during a run, and Ctrl-C of ``gnss compare
--scheduler local:2``. The merge order itself (tiles finishing in any order) is checked
without dask. Grids are small (10 and 5 degrees, a few epochs): the test is about the split
and the merge, not the kernels.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gnss
from gnss.coverage.groups import group_points, group_ranges, n_groups
from gnss.kernels.driver import compiled_in_this_process

REPO = Path(__file__).resolve().parents[1]
# R, C, R+C, a what-if set (BeiDou without its GEOs) and a named region.
SETS = "R,C,R+C,R+C[-C:GEO]"
STUDY = dict(sets=SETS, duration_s=7200.0, step_s=1800.0, regions="RUS")


def same_numbers(ref, ds, rtol=1e-12):
    """Every numeric variable of ``ref`` in ``ds``, equal within ``rtol`` (relative).

    Bit-identical when neither this process nor a worker compiled the kernels afresh
    (numba's freshly compiled code and its cached code round HDOP/VDOP/TDOP differently in
    the last bit: gnss.kernels.driver.compiled_in_this_process).
    """
    n_checked = 0
    for name, var in ref.data_vars.items():
        if var.dtype.kind not in "fiub":
            continue
        a, b = var.values, ds[name].values
        assert a.shape == b.shape, name
        np.testing.assert_allclose(b, a, rtol=rtol, atol=0, equal_nan=True, err_msg=name)
        if not compiled_in_this_process():
            assert np.array_equal(a, b, equal_nan=True), name
        n_checked += 1
    assert n_checked > 30 and "region_dop_hist_area" in ref


def test_groups_depend_on_the_grid_size_only():
    sizes = [group_points(n) for n in (1, 648, 2592, 64800, 6_480_000)]
    assert sizes == [256, 256, 256, 1024, 4096]
    for n in (1, 648, 64800, 1_000_003):
        ranges = list(group_ranges(n))
        assert len(ranges) == n_groups(n) and ranges[0][0] == 0 and ranges[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_tiles_merged_in_any_order_give_the_bits_of_one_process():
    """Tiles run here (no dask) and merged last-first equal the single-process run exactly."""
    from gnss.coverage import run as coverage_run
    from gnss.coverage.grouprun import GroupWork
    from gnss.kernels.threads import ThreadPolicy
    from gnss.scale.merge import TileMerge
    from gnss.scale.tasks import run_tile
    from gnss.scale.tiles import tiles
    from gnss.study.plan import plan_comparison

    plan = plan_comparison(gnss.Study(**STUDY, resolution_deg=5.0))
    layout = coverage_run.SetLayout.build(plan.resolved, "per-system")
    pos, _ = coverage_run.propagate_layout(layout, plan.span, lambda *a: None)
    ref_out, ref_zones = coverage_run.run_groups(pos, layout, plan.grid, plan.study.config(),
                                                 plan.regions, lambda *a: None,
                                                 ThreadPolicy(2))  # fmt: skip
    points, up = plan.grid.points()
    zone_w = coverage_run.zone_weights_m2(plan.grid, plan.regions)
    n_p = points.shape[0]
    plan_tiles = tiles(n_p, n_workers=2, groups_per_tile=2)
    assert len(plan_tiles) >= 3
    merge = TileMerge(GroupWork.outputs_for(layout, n_p), len(plan_tiles))
    for t in reversed(plan_tiles):
        sl = slice(t.start, t.stop)
        merge.add(run_tile(pos, layout, plan.study.config(), points[sl], up[sl], zone_w[:, sl],
                           t.index, t.start, t.stop, n_p, t.g0, t.g1, threads=1))  # fmt: skip
    for key, value in merge.zone_sums().items():
        assert np.array_equal(value, ref_zones[key]), key  # threads 2 vs 1: same bits
    for name, value in vars(ref_out).items():
        assert np.array_equal(value, getattr(merge.out, name), equal_nan=True), name


def test_without_scheduler_no_part_of_the_scale_out_loads(tmp_path):
    # gnss imports dask only in gnss.scale (import-linter contract in pyproject.toml), and
    # gnss.scale loads only with --scheduler or a client. (With dask installed, xarray itself
    # imports it for its duck-array checks: that is xarray's, not a run on a cluster.)
    code = (
        "import sys; from click.testing import CliRunner; from gnss.cli import main; "
        f"r = CliRunner().invoke(main, ['compare', '--resolution-deg', '30', '--hours', '1', "
        f"'--step-s', '1800', '--maps', 'none', '-o', {str(tmp_path / 'o')!r}]); "
        "print(r.exit_code, sorted(m for m in sys.modules if m.startswith('gnss.scale')))"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)  # fmt: skip
    assert proc.stdout.splitlines()[-1] == "0 []", proc.stdout + proc.stderr


def test_bad_scheduler_values_are_usage_errors():
    from click.testing import CliRunner

    from gnss.cli import main

    for bad in ("foo", "local:0", "local:x", "http://h:1"):
        r = CliRunner().invoke(main, ["compare", "--scheduler", bad, "-o", "unused"])
        assert r.exit_code == 2 and "tcp://HOST:PORT" in r.output and repr(bad) in r.output


try:
    import distributed
except ImportError:  # pragma: no cover - the [dask] extra is not installed
    distributed = None
needs_dask = pytest.mark.skipif(
    distributed is None, reason='dask distributed is not installed (pip install ".[dask]")'
)


@pytest.fixture(scope="module")
def client():
    from gnss.scale.cluster import open_client, parse_scheduler

    with open_client(parse_scheduler("local:2")) as c:
        yield c


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The single-process run of the 10-degree study (its coverage.nc written too)."""
    out = tmp_path_factory.mktemp("reference")
    ds = gnss.run_comparison(gnss.Study(**STUDY, resolution_deg=10.0), out, maps="none").dataset
    return ds, out / "coverage.nc"


@needs_dask
def test_local_cluster_gives_the_single_process_numbers(client, reference):
    seen = []
    ds = gnss.run_comparison(gnss.Study(**STUDY, resolution_deg=10.0), client=client,
                             progress=lambda *a: seen.append(a)).dataset  # fmt: skip
    same_numbers(reference[0], ds)
    grid = [done for stage, done, total in seen if stage == "grid"]
    assert grid[0] == 0 and grid[-1] == 648 and len(grid) == 1 + 2  # one step per task


@needs_dask
def test_a_worker_killed_mid_run_changes_no_number(client, monkeypatch):
    import gnss.scale.tiles

    monkeypatch.setattr(gnss.scale.tiles, "MIN_TASK_WORK", 0.0)  # small tasks: 6 of them
    study = gnss.Study(**STUDY, resolution_deg=5.0)
    ref = gnss.run_comparison(study).dataset
    pids = client.run(os.getpid)
    killed = []

    def kill_after_first_task(stage, done, total):
        if stage == "grid" and done > 0 and not killed:
            busy = [w for w, keys in client.processing().items() if keys] or sorted(pids)
            victim = pids[busy[0]]  # a worker with a task in hand
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    ds = gnss.run_comparison(study, client=client, progress=kill_after_first_task).dataset
    assert killed
    same_numbers(ref, ds)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it
    assert killed[0] not in client.run(os.getpid).values()


def _python(*args, **kw):
    env = dict(os.environ, PYTHONPATH=str(REPO), DASK_DISTRIBUTED__WORKER__DAEMON="False")
    return subprocess.Popen([sys.executable, *args], env=env, cwd=REPO, **kw)


@needs_dask
def test_real_scheduler_and_workers_through_the_cli(tmp_path, reference):
    import xarray as xr

    sched_file = tmp_path / "scheduler.json"
    procs = [_python("-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                     "0", "--no-dashboard", "--scheduler-file", str(sched_file),
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        for _ in range(600):
            if sched_file.exists() and sched_file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            procs.append(_python("-m", "distributed.cli.dask_worker", address, "--nthreads",
                                 "1", "--host", "127.0.0.1", "--no-dashboard", "--preload",
                                 "gnss.scale.tasks",
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        with distributed.Client(address) as c:
            c.wait_for_workers(2, timeout=120)
        out = tmp_path / "out"
        cli = subprocess.run(
            [sys.executable, "-m", "gnss.cli", "compare", "--sets", SETS, "--regions", "RUS",
             "--resolution-deg", "10", "--hours", "2", "--step-s", "1800", "--maps", "none",
             "-o", str(out), "--scheduler", address, "-v"],
            env=dict(os.environ, PYTHONPATH=str(REPO)), cwd=REPO, capture_output=True,
            text=True, timeout=600,  # minutes on a loaded 2-core machine
        )  # fmt: skip
        assert cli.returncode == 0, cli.stderr
        assert f"Dask scheduler {address}" in cli.stderr, cli.stderr
        assert "tiles on 2 workers" in cli.stderr, cli.stderr
        # The files, both as written (some fields are stored as float32).
        with xr.open_dataset(reference[1]) as ref, xr.open_dataset(out / "coverage.nc") as ds:
            same_numbers(ref.load(), ds.load())
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


@needs_dask
def test_ctrl_c_cancels_the_run_and_leaves_no_process(tmp_path):
    import psutil

    out = tmp_path / "out"
    # 1 deg (65 000 cells): the tasks take seconds, so the signal comes while they run (at
    # 2 deg they were done within the second on a fast machine, and nothing was cancelled).
    proc = _python("-m", "gnss.cli", "compare", "--resolution-deg", "1", "--hours", "24",
                   "--step-s", "300", "--maps", "none", "-o", str(out), "--scheduler",
                   "local:2", "-v", stderr=subprocess.PIPE, text=True)  # fmt: skip
    me = psutil.Process(proc.pid)
    lines = []
    for line in proc.stderr:  # until the tasks are submitted ("Dask: N tiles on 2 workers")
        lines.append(line)
        if "tiles on" in line:
            break
    children = me.children(recursive=True)  # the two worker processes (and helpers)
    assert proc.poll() is None and len(children) >= 2, "".join(lines)
    time.sleep(1.0)  # tasks running
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    err = "".join(lines) + err
    assert proc.returncode != 0, err
    assert "Aborted" in err and "Dask: cancelled the" in err, err
    deadline = time.monotonic() + 20
    alive = children
    while alive and time.monotonic() < deadline:
        alive = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.2)
    assert not alive, [c.cmdline() for c in alive]
    assert not (out / "coverage.nc").exists()


@needs_dask
def test_accuracy_weighted_pass_runs_on_the_cluster(client):
    """--uere-m default: both passes as tasks; hacc95/vacc95 bit-identical to one process."""
    from gnss.coverage import run as coverage_run
    from gnss.kernels.threads import ThreadPolicy
    from gnss.scale.runner import DaskGridRunner
    from gnss.study.plan import plan_comparison
    from gnss.study.run import compute

    plan = plan_comparison(gnss.Study(SETS, duration_s=7200.0, step_s=1800.0,
                                      resolution_deg=10.0, uere_m="default"))  # fmt: skip
    ref = compute(plan)
    runner = DaskGridRunner(client)
    seen = []
    ds = coverage_run.compute_resolved(
        plan.resolved, plan.constellations, plan.span, plan.grid, plan.study.config(),
        progress=lambda *a: seen.append(a), policy=ThreadPolicy(1), grid_runner=runner,
    )  # fmt: skip
    names = [v for v in ref.data_vars if v.startswith(("hacc95_m_", "vacc95_m_"))]
    assert len(names) == 8
    for name in names:
        np.testing.assert_allclose(ds[name].values, ref[name].values, rtol=1e-12, atol=0,
                                   equal_nan=True, err_msg=name)  # fmt: skip
        if not compiled_in_this_process():
            assert np.array_equal(ds[name].values, ref[name].values, equal_nan=True), name
    # R+C and R+C[-C:GEO] mix systems of different UERE: the weighted pass ran as tasks.
    assert [p["weighted"] for p in runner.passes] == [False, True]
    assert runner.passes[1]["n_tiles"] >= 1 and runner.passes[1]["task_s"] > 0
    accuracy = [done for stage, done, total in seen if stage == "accuracy"]
    assert accuracy[0] == 0 and accuracy[-1] == 648 and len(accuracy) == 1 + runner.stats["n_tiles"]


def _without_history(ds):
    """``ds`` without the creation time (the one attribute two runs never share)."""
    ds.attrs.pop("history")
    return ds


@pytest.fixture(scope="module")
def reference_uere(tmp_path_factory):
    """coverage.nc of the single-process run of STUDY with the accuracy (a weighted pass)."""
    out = tmp_path_factory.mktemp("reference_uere")
    gnss.run_comparison(gnss.Study(**STUDY, resolution_deg=10.0, uere_m="default"), out,
                        maps="none", report=False)  # fmt: skip
    return out / "coverage.nc"


@needs_dask
def test_zarr_written_tile_by_tile_equals_the_netcdf(client, reference_uere, tmp_path,
                                                      monkeypatch):  # fmt: skip
    """--format zarr on the cluster: chunks of 4 latitude rows, tiles of 256 cells across them."""
    import xarray as xr

    import gnss.scale.tiles
    import gnss.scale.zarrsink

    monkeypatch.setattr(gnss.scale.tiles, "MIN_TASK_WORK", 0.0)  # 3 tiles of one group
    monkeypatch.setattr(gnss.scale.zarrsink, "CHUNK_POINTS", 4 * 36)  # 5 chunks of 18 rows
    study = gnss.Study(**STUDY, resolution_deg=10.0, uere_m="default")
    res = gnss.run_comparison(study, tmp_path / "z", maps="none", report=False, client=client,
                              output_format="zarr")  # fmt: skip
    # Plain pass and weighted pass: 5 chunks each; never all 648 cells held at once.
    assert res.store_stats["chunks_written"] == 10 and res.store_stats["rows_per_chunk"] == 4
    assert 0 < res.store_stats["peak_points"] < 648
    assert not (tmp_path / "z" / "coverage.nc").exists()
    with xr.open_dataset(reference_uere) as ref, xr.open_zarr(tmp_path / "z/coverage.zarr") as z:
        ref, z = _without_history(ref.load()), _without_history(z.load())
        if compiled_in_this_process():  # fresh machine code: the last bit of H/VDOP may differ
            same_numbers(ref, z, rtol=1e-6)  # float32 storage: one float32 step
        else:
            xr.testing.assert_identical(ref, z)
    assert "hacc95_m_p95" in z and "diff_pdop_p95" in z and "region_dop_hist_area" in z


@needs_dask
def test_the_merge_with_a_sink_holds_no_full_size_arrays(client):
    """The runner given a sink returns the run-wide extremes only; the chunks are the cells."""
    from gnss.coverage import run as coverage_run
    from gnss.kernels.threads import ThreadPolicy
    from gnss.scale.merge import GlobalExtremes
    from gnss.scale.runner import DaskGridRunner
    from gnss.scale.zarrsink import RowChunks
    from gnss.study.plan import plan_comparison

    plan = plan_comparison(gnss.Study(**STUDY, resolution_deg=10.0))
    layout = coverage_run.SetLayout.build(plan.resolved, "per-system")
    pos, _ = coverage_run.propagate_layout(layout, plan.span, lambda *a: None)
    args = (pos, layout, plan.grid, plan.study.config(), plan.regions, lambda *a: None,
            ThreadPolicy(1))  # fmt: skip
    ref_out, ref_zones = coverage_run.run_groups(*args)
    chunks = []
    sink = RowChunks(18, 36, 5, lambda n: coverage_run.GroupWork.outputs_for(layout, n),
                     lambda out, rows: chunks.append((rows, out)))  # fmt: skip
    out, zones = DaskGridRunner(client, groups_per_tile=1)(*args, sink=sink)
    assert isinstance(out, GlobalExtremes) and out.dop is None
    assert not [k for k, v in vars(out).items() if getattr(v, "size", 0) >= 648]
    sink.close()
    assert sorted(r.start for r, _ in chunks) == [0, 5, 10, 15] and sink.peak_points < 648
    # Bit for bit unless this process compiled the kernel afresh while the workers loaded it
    # from numba's cache (the last bit of H/VDOP then differs: same_numbers' docstring).
    def same(a, b, what):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, equal_nan=True, err_msg=what)
        if not compiled_in_this_process():
            assert np.array_equal(a, b, equal_nan=True), what

    same(out.dop_min_global, ref_out.dop_min_global, "dop_min_global")
    for key, value in zones.items():
        same(value, ref_zones[key], key)
    for rows, part in chunks:
        cells = slice(rows.start * 36, rows.stop * 36)
        same(part.dop, ref_out.dop[:, cells], "dop")
        same(part.fix_fraction, ref_out.fix_fraction[cells], "fix_fraction")


@needs_dask
def test_a_failed_zarr_run_on_the_cluster_leaves_no_store(client, tmp_path):
    """An error after the first tiles were written: the staged store is removed with the rest."""
    out = tmp_path / "z"

    def fail_after_first_tile(stage, done, total):
        if stage == "grid" and done > 0:
            assert list(out.glob(".gnss-partial-*/coverage.zarr/pdop_p95"))  # being written
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        gnss.run_comparison(gnss.Study(**STUDY, resolution_deg=10.0), out, maps="none",
                            client=client, output_format="zarr",
                            progress=fail_after_first_tile)  # fmt: skip
    assert not out.exists() or not list(out.iterdir())  # no store, no staging folder
