"""``python -m benchmarks [--quick | --tiny] [--output DIR] [--cases LIST]``.

Runs the cases, writes ``DIR/benchmarks.md``, ``DIR/benchmarks.json`` and
``DIR/scaling.png`` (existing files are replaced), and prints the Markdown report.
Exit status 1 when a baseline disagrees with the engine or a step fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import BenchmarkError
from .cases import CASES, MODES, Context


def _parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark the gnss coverage engine: kernel throughput, NumPy and skyfield "
        "baselines, end to end, compile latency, memory and scaling.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="reduced sizes (< 60 s on 2 cores)")
    size.add_argument(
        "--tiny", action="store_true",
        help="smallest sizes, for the tests (skips the compile, broadcast and site cases unless "
        "named in --cases)",
    )  # fmt: skip
    parser.add_argument(
        "--output", default="benchmark-results", type=Path,
        help="folder for benchmarks.md, benchmarks.json and scaling.png (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--cases", default=None,
        help=f"comma-separated subset of: {','.join(CASES)} (default: all)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    if args.cases:
        cases = [c.strip() for c in args.cases.split(",") if c.strip()]
        bad = [c for c in cases if c not in CASES]
        if bad:
            parser.error(f"unknown case(s) {', '.join(bad)}; choose from {', '.join(CASES)}")
    else:
        # The tiny mode (the tests) leaves out the compile case and the broadcast case
        # (the latter parses a RINEX file with georinex, ~10 s), the site case and the scale-out
        # case (it starts LocalClusters) unless named.
        slow = ("compile", "broadcast", "site", "scaleout")
        cases = [c for c in CASES if not (mode == "tiny" and c in slow)]
    return args, mode, cases


def main(argv: list[str] | None = None) -> int:
    """Run the suite; return the exit status."""
    args, mode, cases = _parse(argv)
    t_start = time.perf_counter()
    ctx = Context(MODES[mode])
    cache_dir = None
    old_cache_env = os.environ.get("NUMBA_CACHE_DIR")

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t_start:6.1f} s] {msg}", file=sys.stderr, flush=True)

    from .common import load_average

    load_start = load_average()
    try:
        from . import cases as c
        from .broadcast import case_broadcast
        from .scaleout import case_scaleout
        from .sitespeed import case_site

        if "compile" in cases:
            log("compile latency (fresh processes, empty NUMBA_CACHE_DIR, then a cache hit)")
            cache_dir = Path(tempfile.mkdtemp(prefix="gnss-bench-numba-"))
            c.case_compile(ctx, cache_dir)
            if "numba" not in sys.modules:
                # Reuse the machine code compiled by the case: the rest of the suite (this
                # process and its subprocesses) does not pay the compile again.
                os.environ["NUMBA_CACHE_DIR"] = str(cache_dir)
                ctx.notes.append(
                    "compile: the rest of the suite uses the numba cache the compile case "
                    "wrote (NUMBA_CACHE_DIR), so no other step compiles"
                )
        from .common import machine_info

        machine = machine_info() | {"load_start": load_start}
        steps = {
            "kernel": c.case_kernel, "numpy": c.case_numpy, "skyfield": c.case_skyfield,
            "e2e": c.case_e2e, "memory": c.case_memory, "scaling": c.case_scaling,
            "contention": c.case_contention, "broadcast": case_broadcast, "maps": c.case_maps,
            "site": case_site, "scaleout": case_scaleout, "horizon": c.case_horizon,
            "accuracy": c.case_accuracy,
        }  # fmt: skip
        for name in CASES:
            if name in cases and name in steps:
                log(f"{name}")
                steps[name](ctx)
        total = time.perf_counter() - t_start
        machine["load_end"] = load_average()
        log("writing the report")
        from .report import markdown, write_all

        paths = write_all(
            args.output, ctx.rows, machine, mode, ctx.notes, ctx.checks, ctx.scaling, total
        )
        print(markdown(ctx.rows, machine, mode, ctx.notes, total))
        log(f"wrote {', '.join(str(p) for p in paths.values())}")
        return 0
    except BenchmarkError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if old_cache_env is None:
            os.environ.pop("NUMBA_CACHE_DIR", None)
        else:
            os.environ["NUMBA_CACHE_DIR"] = old_cache_env
        if cache_dir is not None:
            shutil.rmtree(cache_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
