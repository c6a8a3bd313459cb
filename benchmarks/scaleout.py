"""Case 10: scale-out on Dask (issue 15): single process against LocalCluster 1 and 2 workers.

Measured on the kernel cases' problem (R,C,R+C, nominal elements, quick: 5° grid, full: 2°,
24 h at 300 s), warm (the workers have imported the package and loaded the kernels):

* the grid stage in one process on 1 and 2 kernel threads, and on a LocalCluster of 1 and 2
  single-threaded worker processes (the numbers are checked equal);
* the tile size: 1, 2, 4 and 8 groups per task on 2 workers;
* the task overhead: 1-epoch runs where the kernels cost nothing, one group per task;
* the orbits: propagating G+R+E+C at 60 s (what every task would repeat if the workers
  propagated) against scattering the positions to the workers;
* the client's memory of a whole run (compute and write, maps off) on 2 workers and in
  one process, ``coverage.nc`` against ``coverage.zarr`` written chunk by chunk (quick: 1 deg,
  full: 0.25 deg; 1 hour at 1800 s, so the per-cell arrays dominate): peak of the memory traced
  (numpy and Python allocations, :mod:`tracemalloc`) and peak RSS above the start.
"""

from __future__ import annotations

import time

import numpy as np

from .common import Row, StageTimer

SETS = "R,C,R+C"


def _compute(plan, runner=None, threads=1):
    from gnss.coverage import run as coverage_run
    from gnss.kernels.threads import ThreadPolicy

    timer = StageTimer()
    ds = coverage_run.compute_resolved(
        plan.resolved, plan.constellations, plan.span, plan.grid, plan.study.config(),
        progress=timer, policy=ThreadPolicy(threads), grid_runner=runner,
    )  # fmt: skip
    return timer.seconds("grid"), ds


def _best(fn, repeats):
    runs = [fn() for _ in range(max(1, repeats))]
    return min(runs, key=lambda r: r[0])


def case_scaleout(ctx) -> None:
    """Rows "12 dask": throughput, tile size, task overhead, orbits shipped vs recomputed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        ctx.notes.append('scaleout: skipped, distributed not installed (pip install ".[dask]")')
        return
    import gnss
    from gnss.scale.cluster import open_client, parse_scheduler
    from gnss.scale.runner import DaskGridRunner
    from gnss.study.plan import plan_comparison

    sz = ctx.sizes
    res = 5.0 if sz.name != "full" else 2.0
    res = max(res, sz.kernel_res_deg) if sz.name == "tiny" else res
    hours = min(24.0, sz.kernel_hours)
    plan = plan_comparison(gnss.Study(SETS, duration_s=hours * 3600, step_s=sz.step_s,
                                      resolution_deg=res))  # fmt: skip
    n_s = sum(len(c) for c in plan.constellations.values())
    work = float(n_s) * plan.grid.n_points * plan.span.n_epochs
    label = f"{SETS}, {n_s} sats, {res:g}° grid ({plan.grid.n_points} pts), {plan.span.n_epochs} ep"
    repeats = max(1, min(3, sz.repeats))
    _compute(plan)  # warm
    ref = None
    for threads in (1, 2):
        grid_s, ds = _best(lambda t=threads: _compute(plan, threads=t), repeats)
        ref = ds if ref is None else ref
        ctx.add(Row("12 dask", f"single process, {label}", work, grid_s, threads,
                    note="grid stage, best of warm runs"))  # fmt: skip
    single_1 = ctx.rows[-2].seconds
    for n in (1, 2):
        with open_client(parse_scheduler(f"local:{n}")) as client:
            runner = DaskGridRunner(client)
            _compute(plan, runner)  # warm: imports and kernels on the workers
            grid_s, ds = _best(lambda r=runner: _compute(plan, r), repeats)
            same = all(np.array_equal(ref[v].values, ds[v].values, equal_nan=True)
                       for v in ref.data_vars if ref[v].dtype.kind in "fiub")  # fmt: skip
            st = dict(runner.stats)
            ctx.add(Row("12 dask", f"LocalCluster {n} worker(s), {label}", work, grid_s, n,
                        ratio=f"single 1 thread / this {single_1 / grid_s:.2f}x",
                        note=f"{st['n_tiles']} tiles; scatter {st['scatter_s'] * 1e3:.0f} ms; "
                        f"bit-identical to one process: {same}", extra=st))  # fmt: skip
            if n == 2:
                _tile_sizes(ctx, plan, client, work, label, repeats)
                _overhead(ctx, client, res)
                _orbits(ctx, client, sz)
                _client_memory(ctx, client, sz)


def _tile_sizes(ctx, plan, client, work, label, repeats) -> None:
    from gnss.coverage.groups import group_points
    from gnss.scale.runner import DaskGridRunner

    size = group_points(plan.grid.n_points)
    for gpt in (1, 2, 4, 8):
        runner = DaskGridRunner(client, groups_per_tile=gpt)
        grid_s, _ = _best(lambda r=runner: _compute(plan, r), repeats)
        st = runner.stats
        ctx.add(Row("12 dask", f"2 workers, {gpt} group(s) of {size} pts per task, {label}",
                    work, grid_s, 2, note=f"{st['n_tiles']} tasks"))  # fmt: skip


def _overhead(ctx, client, res) -> None:
    import gnss
    from gnss.scale.runner import DaskGridRunner
    from gnss.study.plan import plan_comparison

    plan = plan_comparison(gnss.Study(SETS, duration_s=0.0, step_s=300.0, resolution_deg=res))
    runner = DaskGridRunner(client, groups_per_tile=1)
    _compute(plan, runner)
    grid_s, _ = _best(lambda: _compute(plan, runner), 3)
    st = runner.stats
    per_task = (st["wall_s"] * st["n_workers"] - st["task_s"]) / st["n_tiles"]
    ctx.add(Row("12 dask", f"task overhead: 1 epoch, {st['n_tiles']} tasks on 2 workers",
                None, grid_s, 2, note=f"{per_task * 1e3:.1f} ms per task (submit, run, "
                f"return, merge) beyond its {st['task_s'] / st['n_tiles'] * 1e3:.1f} ms "
                "of kernels", extra=st | {"overhead_s_per_task": per_task}))  # fmt: skip


def _orbits(ctx, client, sz) -> None:
    import gnss
    from gnss.coverage.layout import SetLayout
    from gnss.coverage.run import propagate_layout
    from gnss.study.plan import plan_comparison

    days = 8.0 if sz.name == "full" else 1.0
    plan = plan_comparison(gnss.Study("G+R+E+C", duration_s=days * 86400, step_s=60.0,
                                      resolution_deg=30))  # fmt: skip
    layout = SetLayout.build(plan.resolved, "per-system")
    t0 = time.perf_counter()
    pos, _ = propagate_layout(layout, plan.span, lambda *a: None)
    prop_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fut = client.scatter(pos, broadcast=True, hash=False)
    scatter_s = time.perf_counter() - t0
    client.cancel([fut])
    ctx.add(Row("12 dask", f"orbits G+R+E+C {pos.shape[1]} sats, {pos.shape[0]} epochs at 60 s "
                f"({pos.nbytes / 2**20:.0f} MiB)", None, prop_s, 1,
                ratio=f"propagate / scatter {prop_s / scatter_s:.1f}x",
                note=f"propagate once {prop_s:.2f} s; scatter to 2 workers {scatter_s:.3f} s",
                extra={"propagate_s": prop_s, "scatter_s": scatter_s,
                       "bytes": pos.nbytes}))  # fmt: skip


def _client_memory(ctx, client, sz) -> None:
    import tempfile
    import tracemalloc

    import gnss

    from .common import MemoryProbe

    res = {"full": 0.25, "quick": 1.0}.get(sz.name, 10.0)
    study = gnss.Study(SETS, duration_s=3600.0, step_s=1800.0, resolution_deg=res)
    n_p = int(round(180 / res) * round(360 / res))
    for fmt, on in (("netcdf", client), ("zarr", client), ("netcdf", None), ("zarr", None)):
        probe = MemoryProbe()
        with tempfile.TemporaryDirectory() as d, probe.measure():
            tracemalloc.start()
            t0 = time.perf_counter()
            result = gnss.run_comparison(study, d, maps="none", report=False, client=on,
                                         output_format=fmt)  # fmt: skip
            seconds = time.perf_counter() - t0
            traced = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        st = result.store_stats
        held = f"; at most {st['peak_points']} of {n_p} cells held" if st else ""
        where = "2 workers" if on is not None else "one process"
        ctx.add(Row("12 dask", f"client memory, coverage.{'zarr' if fmt == 'zarr' else 'nc'}, "
                    f"{SETS}, {res:g}° grid ({n_p} pts), 3 epochs, {where}", None, seconds,
                    2 if on is not None else "auto",
                    peak_rss_mib=probe.peak, delta_rss_mib=probe.delta,
                    note=f"traced peak {traced:.0f} MiB in the client (compute + write){held}",
                    extra={"traced_peak_mib": traced, "format": fmt} | st))  # fmt: skip
