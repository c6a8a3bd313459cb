"""Work done in a fresh subprocess: ``python -m benchmarks._child {compile,memory} ...``.

Prints one JSON object on stdout. Kept free of heavy imports at the top so that the
import time of the engine is measured here.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402


def _peak_mib() -> float:
    from benchmarks.common import peak_rss_mib

    return peak_rss_mib()


def compile_latency(args) -> dict:
    """Import the engine and run a tiny coverage; time both (the first call compiles)."""
    t0 = time.perf_counter()
    import gnss

    t1 = time.perf_counter()
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    marks, cpu = {}, {}

    def progress(stage, done, total):
        marks.setdefault((stage, done), time.perf_counter())
        cpu.setdefault((stage, done), time.process_time())

    ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(30.0), progress=progress)
    t2 = time.perf_counter()
    compiled = ("compile", 1) in marks
    compile_s = marks[("compile", 1)] - marks[("compile", 0)] if compiled else 0.0
    # CPU time of this process while compiling: numba compiles on one thread, so this is
    # close to the wall time on an idle machine and far less affected by other processes.
    compile_cpu_s = cpu[("compile", 1)] - cpu[("compile", 0)] if compiled else 0.0
    assert ds.sizes["set"] == 3
    import numba

    return {
        "import_s": t1 - t0,
        "first_call_s": t2 - t1,
        "compile_s": compile_s,  # the "compile" progress stage (0 on a cache hit)
        "compile_cpu_s": compile_cpu_s,  # CPU seconds of that stage
        "since_start_s": t2 - T_START,
        "threads": numba.get_num_threads(),
        "peak_rss_mib": _peak_mib(),
    }


def memory(args) -> dict:
    """Peak RSS of one coverage run; the resident size after the imports for reference."""
    import numba

    import gnss
    from benchmarks.common import StageTimer, peak_rss_mib, reset_peak_rss, rss_mib

    con = gnss.read_elements(args.elements)
    span = gnss.epoch_span(con.median_epoch(), duration_s=args.hours * 3600, step_s=args.step_s)
    grid = gnss.Grid(args.resolution_deg)
    # Warm the kernel (cache load) on a tiny span, so the peak is the run's, not the compile's.
    gnss.compute_coverage(con, args.sets, gnss.epoch_span(span.start, 0, 60), gnss.Grid(30.0))
    resettable = reset_peak_rss()
    before = rss_mib()
    systems = {s for part in args.sets.split(",") for s in part.split("+")}
    timer = StageTimer()
    t0 = time.perf_counter()
    ds = gnss.compute_coverage(con, args.sets, span, grid, progress=timer)
    seconds = time.perf_counter() - t0
    peak = peak_rss_mib()
    # Propagation alone (its first chunk of at most 2048 epochs): skyfield's frame rotations
    # evaluate the nutation series on every epoch of a chunk, the largest temporaries.
    n_chunk = min(2048, span.n_epochs)
    reset_peak_rss()
    before_prop = rss_mib()
    pos, _ = gnss.propagate_itrs_m(list(con.select(sorted(systems)).satellites), span, 0, n_chunk)
    prop_peak = peak_rss_mib() - before_prop
    del pos
    import resource

    n_sats = sum(1 for s in con.satellites if s.system in systems)
    return {
        "n_epochs": span.n_epochs,
        "n_sats": n_sats,
        "n_points": grid.n_points,
        "seconds": seconds,
        "grid_s": timer.seconds("grid"),
        "rss_before_mib": before,
        "peak_rss_mib": peak,
        "propagation_chunk_epochs": n_chunk,
        "propagation_peak_delta_mib": prop_peak if resettable else None,
        "peak_resettable": resettable,
        "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "threads": numba.get_num_threads(),
        "sets_ok": int(ds.sizes["set"]),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._child")
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("compile")
    mem = sub.add_parser("memory")
    mem.add_argument("--elements", nargs="+", required=True)
    mem.add_argument("--sets", default="R,C,R+C")
    mem.add_argument("--hours", type=float, required=True)
    mem.add_argument("--step-s", type=float, default=300.0)
    mem.add_argument("--resolution-deg", type=float, required=True)
    args = parser.parse_args(argv)
    result = compile_latency(args) if args.what == "compile" else memory(args)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
