"""The benchmark cases. Each appends :class:`~benchmarks.common.Row` objects to a context.

The engine is timed only through stable entry points: :func:`gnss.compute_coverage` (its
``"grid"`` progress stage is the kernel + statistics stage), :func:`gnss.propagate_itrs_m`,
and the ``gnss compare`` command in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import BenchmarkError
from .common import MemoryProbe, Row, StageTimer, element_files, n_used

REPO = Path(__file__).resolve().parents[1]

#: The main receiver configuration of the kernel cases (per-system clocks).
MAIN_SETS = "R,C,R+C"
ALL_SETS = "G+R+E+C"


@dataclass(frozen=True)
class Sizes:
    """Problem sizes of one mode (full, quick, tiny)."""

    name: str
    kernel_res_deg: float
    kernel_hours: float
    step_s: float
    repeats: int
    numpy_points: int
    numpy_hours: float  # 6 h at 300 s = 73 epochs
    numpy_grid_deg: float  # grid the NumPy points are taken from
    sky_points: int
    sky_sats_per_system: int
    sky_hours: float
    sky_grid_deg: float
    e2e_args: tuple[str, ...]  # extra `gnss compare` arguments (empty: the default run)
    e2e_maps: tuple[str, ...]
    mem_res_deg: float
    mem_hours: tuple[float, float]
    scale_points_res: tuple[float, ...]
    scale_points_hours: float
    scale_epochs_hours: tuple[float, ...]
    scale_epochs_res: float
    scale_sats_res: float
    scale_sats_hours: float
    scale_threads_res: float
    scale_threads_hours: float


FULL = Sizes(
    name="full", kernel_res_deg=2.0, kernel_hours=24.0, step_s=300.0, repeats=7,
    numpy_points=1024, numpy_hours=24.0, numpy_grid_deg=5.0,
    sky_points=3, sky_sats_per_system=10, sky_hours=6.0, sky_grid_deg=10.0,
    e2e_args=(), e2e_maps=("default", "none"),
    mem_res_deg=2.0, mem_hours=(6.0, 48.0),
    scale_points_res=(10.0, 5.0, 2.5), scale_points_hours=24.0,
    scale_epochs_hours=(6.0, 12.0, 24.0), scale_epochs_res=5.0,
    scale_sats_res=5.0, scale_sats_hours=24.0,
    scale_threads_res=2.5, scale_threads_hours=24.0,
)  # fmt: skip
QUICK = Sizes(
    name="quick", kernel_res_deg=10.0, kernel_hours=24.0, step_s=300.0, repeats=3,
    numpy_points=256, numpy_hours=6.0, numpy_grid_deg=10.0,
    sky_points=3, sky_sats_per_system=10, sky_hours=6.0, sky_grid_deg=10.0,
    e2e_args=("--resolution-deg", "5"), e2e_maps=("default", "none"),
    mem_res_deg=10.0, mem_hours=(6.0, 48.0),
    scale_points_res=(10.0, 5.0, 2.5), scale_points_hours=6.0,
    scale_epochs_hours=(6.0, 12.0, 24.0), scale_epochs_res=10.0,
    scale_sats_res=10.0, scale_sats_hours=12.0,
    scale_threads_res=5.0, scale_threads_hours=6.0,
)  # fmt: skip
TINY = Sizes(
    name="tiny", kernel_res_deg=30.0, kernel_hours=2.0, step_s=600.0, repeats=1,
    numpy_points=12, numpy_hours=1.0, numpy_grid_deg=30.0,
    sky_points=2, sky_sats_per_system=4, sky_hours=1.0, sky_grid_deg=30.0,
    e2e_args=("--resolution-deg", "30", "--hours", "1", "--step-s", "1800"), e2e_maps=("none",),
    mem_res_deg=30.0, mem_hours=(1.0, 4.0),
    scale_points_res=(30.0, 15.0), scale_points_hours=1.0,
    scale_epochs_hours=(1.0, 2.0), scale_epochs_res=30.0,
    scale_sats_res=30.0, scale_sats_hours=1.0,
    scale_threads_res=30.0, scale_threads_hours=1.0,
)  # fmt: skip
MODES = {"full": FULL, "quick": QUICK, "tiny": TINY}


@dataclass
class Context:
    """State shared by the cases of one run."""

    sizes: Sizes
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: dict = field(default_factory=dict)
    scaling: dict = field(default_factory=dict)
    kernel_throughput: dict = field(default_factory=dict)  # sets -> sat·pt·ep/s (case 1)
    _con: object = None
    _elements_note: str = ""
    _files: list = field(default_factory=list)

    def constellation(self):
        """The element set of the kernel cases (read once)."""
        if self._con is None:
            import gnss

            self._files, self._elements_note = element_files()
            self._con = gnss.read_elements(self._files)
            self.notes.append(self._elements_note)
        return self._con

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row


def _threads() -> int:
    import numba

    return int(numba.get_num_threads())


def _span(con, hours: float, step_s: float):
    import gnss

    return gnss.epoch_span(con.median_epoch(), duration_s=hours * 3600.0, step_s=step_s)


def time_coverage(con, sets: str, span, grid, repeats: int, *, warm: bool = True, threads=None):
    """Best-of-``repeats`` seconds of the ``"grid"`` stage of ``compute_coverage``.

    ``threads`` defaults to numba's current count (not the engine's automatic choice, which
    follows the load of the machine), so a case measures the threads it says.

    Returns ``(grid_s, total_s, propagate_s, probe, ds)`` for the best repeat (the memory
    probe spans all repeats).
    """
    import gnss

    threads = threads or _threads()
    if warm:  # compile or load the cached machine code, and touch every page once
        gnss.compute_coverage(con, sets, span, grid, threads=threads)
    best = None
    probe = MemoryProbe()
    with probe.measure():
        for _ in range(max(1, repeats)):
            timer = StageTimer()
            t0 = time.perf_counter()
            ds = gnss.compute_coverage(con, sets, span, grid, progress=timer, threads=threads)
            total = time.perf_counter() - t0
            grid_s = timer.seconds("grid")
            prop_s = timer.seconds("propagate") if "propagate" in timer.first else float("nan")
            if best is None or grid_s < best[0]:
                best = (grid_s, total, prop_s, ds)
    return best[0], best[1], best[2], probe, best[3]


def _grid_label(grid, span) -> str:
    return (
        f"{grid.resolution_deg:g}° grid ({grid.n_points} pts), "
        f"{span.n_epochs} epochs ({(span.n_epochs - 1) * span.step_s / 3600:g} h at "
        f"{span.step_s:g} s)"
    )


# --------------------------------------------------------------------------- case 1
def case_kernel(ctx: Context) -> None:
    """Kernel throughput: sets R,C,R+C and G+R+E+C, per-system clocks, warm, best of N."""
    import gnss

    sz = ctx.sizes
    con = ctx.constellation()
    span = _span(con, sz.kernel_hours, sz.step_s)
    grid = gnss.Grid(sz.kernel_res_deg)
    for sets in (MAIN_SETS, ALL_SETS):
        n_s = n_used(con, sets)
        grid_s, total_s, prop_s, probe, _ = time_coverage(con, sets, span, grid, sz.repeats)
        work = float(n_s) * grid.n_points * span.n_epochs
        row = ctx.add(
            Row(
                "1 kernel", f"{sets}, per-system clocks, {n_s} sats, {_grid_label(grid, span)}",
                work, grid_s, _threads(), peak_rss_mib=probe.peak, delta_rss_mib=probe.delta,
                note=(
                    f"kernel stage ('grid' progress stage), best of {sz.repeats} warm runs; "
                    f"whole compute_coverage {total_s:.3f} s (propagation {prop_s:.3f} s)"
                ),
            )
        )  # fmt: skip
        ctx.kernel_throughput[sets] = row.throughput


def _kernel_reference(ctx: Context, fallback: float | None, what: str) -> tuple[float, str]:
    """Kernel throughput the baselines are compared with (case 1's R,C,R+C row)."""
    ref = ctx.kernel_throughput.get(MAIN_SETS)
    if ref is not None:
        return ref, f"case 1 kernel ({MAIN_SETS})"
    return fallback, f"kernel on the {what} verification run (case 1 not run)"


# --------------------------------------------------------------------------- case 2
def case_numpy(ctx: Context) -> None:
    """Vectorised NumPy baseline on a subset of points, verified against the engine."""
    import gnss

    from .baselines import compare_to_dataset, numpy_coverage, parse_plain_sets

    sz = ctx.sizes
    con = ctx.constellation().select(["R", "C"])
    span = _span(con, sz.numpy_hours, sz.step_s)
    grid = gnss.Grid(sz.numpy_grid_deg)
    warm = MAIN_SETS not in ctx.kernel_throughput  # else case 1 has loaded the kernel
    grid_s, _, _, _, ds = time_coverage(con, MAIN_SETS, span, grid, 1, warm=warm)
    n_s = len(con.satellites)
    pick = np.unique(np.linspace(0, grid.n_points - 1, sz.numpy_points).round().astype(int))
    lat_i, lon_i = np.unravel_index(pick, (grid.n_lat, grid.n_lon))
    points, up = grid.points()
    t0 = time.perf_counter()
    pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    prop_s = time.perf_counter() - t0
    systems = [s.system for s in con.satellites]
    probe = MemoryProbe()
    with probe.measure():
        t0 = time.perf_counter()
        res = numpy_coverage(pos, systems, points[pick], up[pick], parse_plain_sets(MAIN_SETS))
        seconds = time.perf_counter() - t0
    check = compare_to_dataset(ds, res, MAIN_SETS.split(","), lat_i, lon_i, rtol=1e-9)
    ctx.checks["numpy_vs_engine"] = check
    if not check["ok"]:
        raise BenchmarkError(
            "the NumPy baseline disagrees with gnss.compute_coverage on the same points "
            f"(visible/fix/availability must match exactly, DOP means to 1e-9): {check}"
        )
    work = float(n_s) * len(pick) * span.n_epochs
    ref, ref_what = _kernel_reference(ctx, n_s * grid.n_points * span.n_epochs / grid_s, "NumPy")
    ratio = ref / (work / seconds)
    ctx.checks["kernel_over_numpy"] = ratio
    ctx.add(
        Row(
            "2 NumPy baseline", f"{MAIN_SETS}, {n_s} sats, {len(pick)} pts of the "
            f"{grid.resolution_deg:g}° grid, {span.n_epochs} epochs",
            work, seconds, "1 (NumPy)", f"kernel/NumPy {ratio:.1f}x",
            probe.peak, probe.delta,
            note=(
                f"vs {ref_what}; agrees with compute_coverage (max rel diff mean PDOP "
                f"{check['pdop_mean']:.1e}, visible/fix/availability exact); positions from "
                f"propagate_itrs_m ({prop_s:.3f} s, not timed)"
            ),
        )
    )  # fmt: skip


# --------------------------------------------------------------------------- case 3
def case_skyfield(ctx: Context) -> None:
    """Per-satellite skyfield altaz loop on a small subset; throughput assumed linear."""
    import gnss

    from .baselines import compare_to_dataset, parse_plain_sets, skyfield_altaz

    sz = ctx.sizes
    full = ctx.constellation()
    sats = [s for s in full.satellites if s.system == "R"][: sz.sky_sats_per_system]
    sats += [s for s in full.satellites if s.system == "C"][: sz.sky_sats_per_system]
    con = replace(full, satellites=tuple(sats))
    span = _span(con, sz.sky_hours, sz.step_s)
    grid = gnss.Grid(sz.sky_grid_deg)
    ds = gnss.compute_coverage(con, MAIN_SETS, span, grid)
    pick = np.linspace(grid.n_points // 6, grid.n_points - 1, sz.sky_points).round().astype(int)
    lat_i, lon_i = np.unravel_index(pick, (grid.n_lat, grid.n_lon))
    lat, lon = grid.lat_deg[lat_i], grid.lon_deg[lon_i]
    probe = MemoryProbe()
    with probe.measure():
        t0 = time.perf_counter()
        res = skyfield_altaz(sats, lat, lon, span, parse_plain_sets(MAIN_SETS))
        seconds = time.perf_counter() - t0
    check = compare_to_dataset(ds, res["stats"], MAIN_SETS.split(","), lat_i, lon_i, rtol=1e-6)
    ctx.checks["skyfield_vs_engine"] = check
    if check["visible_mean"] != 0.0 or check["nan_mismatch"] or check["fix_fraction"] != 0.0:
        raise BenchmarkError(
            "the skyfield altaz baseline's visible counts disagree with gnss.compute_coverage "
            f"(mask 5°, strict): {check}"
        )
    work = float(len(sats)) * len(pick) * span.n_epochs
    thr = work / seconds
    ref, ref_what = _kernel_reference(ctx, None, "skyfield")
    ratio = None if ref is None else ref / thr
    ctx.checks["kernel_over_skyfield"] = ratio
    case1 = next(
        (r for r in ctx.rows if r.case == "1 kernel" and r.config.startswith(MAIN_SETS + ",")),
        None,
    )
    scaled = ""
    if case1 is not None:
        hours = case1.work / thr / 3600
        scaled = f"; case 1's {case1.work:.3g} sat·pt·ep would take ≈ {hours:.2g} h"
    ctx.add(
        Row(
            "3 skyfield altaz loop", f"{MAIN_SETS}, {len(sats)} sats x {len(pick)} pts x "
            f"{span.n_epochs} epochs", work, seconds, "1 (Python)",
            None if ratio is None else f"kernel/skyfield {ratio:,.0f}x",
            probe.peak, probe.delta,
            note=(
                "throughput per sat·pt·ep measured on the subset; assumed linear"
                f"{scaled}; vs {ref_what}; visible counts equal compute_coverage's; "
                f"max rel diff mean PDOP {check['pdop_mean']:.1e}"
            ),
        )
    )  # fmt: skip


# --------------------------------------------------------------------------- case 4
_SPLIT = re.compile(r"time split: (.*)$", re.MULTILINE)


def parse_time_split(stderr: str) -> dict[str, float]:
    """``"time split: load 0.01 s, propagate 0.2 s, ..."`` -> ``{"load": 0.01, ...}``."""
    found = _SPLIT.findall(stderr)
    if not found:
        return {}
    return {m[0]: float(m[1]) for m in re.findall(r"([\w+]+) ([\d.]+) s", found[-1])}


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_compare(args: list[str], out: Path) -> tuple[float, str, str]:
    """Run ``gnss compare`` in a subprocess; return (wall seconds, stdout, stderr)."""
    cmd = [sys.executable, "-m", "gnss.cli", "compare", *args, "-o", str(out), "--overwrite"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=REPO)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchmarkError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, proc.stdout, proc.stderr


def case_e2e(ctx: Context) -> None:
    """The default ``gnss compare`` (R, C, R+C; nominal; 1° grid; 24 h at 5 min), warm."""
    import gnss

    sz = ctx.sizes
    args = list(sz.e2e_args)

    def opt(name, default):
        return float(args[args.index(name) + 1]) if name in args else default

    res, hours, step = opt("--resolution-deg", 1.0), opt("--hours", 24.0), opt("--step-s", 300.0)
    nominal = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    n_s = len(nominal.satellites)
    n_t = gnss.epoch_span("2026-01-01T00:00Z", hours * 3600, step).n_epochs
    n_p = gnss.Grid(res).n_points
    what = "default run" if not args else "default run with " + " ".join(args)
    with tempfile.TemporaryDirectory(prefix="gnss-bench-e2e-") as tmp:
        # Warm-up (discarded): the first measured run itself in full mode; a tiny run in the
        # quick modes (imports, numba cache and OS file cache are then warm).
        if sz.name == "full":
            run_compare(["--maps", sz.e2e_maps[0], *args], Path(tmp) / "w")
        else:
            run_compare(
                ["--resolution-deg", "30", "--hours", "1", "--maps", "none"], Path(tmp) / "w"
            )
        for maps in sz.e2e_maps:
            wall, _, err = run_compare(["-v", "--maps", maps, *args], Path(tmp) / maps)
            split = parse_time_split(err)
            if not split:
                raise BenchmarkError(f"no 'time split' line in gnss compare -v output:\n{err}")
            inside = sum(split.values())
            text = ", ".join(f"{k} {v:.2f} s" for k, v in split.items())
            ctx.add(
                Row(
                    "4 end to end", f"gnss compare {what} --maps {maps} (R,C,R+C nominal, "
                    f"{n_s} sats, {n_p} pts, {n_t} epochs)", float(n_s) * n_p * n_t, wall,
                    _threads(), note=(
                        f"subprocess wall time, warm; time split: {text}; "
                        f"start-up/imports/other {wall - inside:.2f} s"
                    ), extra={"time_split": split},
                )
            )  # fmt: skip


# --------------------------------------------------------------------------- case 5
def run_child(args: list[str], env: dict | None = None) -> tuple[float, dict]:
    """Run ``python -m benchmarks._child ...``; return (wall seconds, its JSON result)."""
    cmd = [sys.executable, "-m", "benchmarks._child", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env or _env(), cwd=REPO)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BenchmarkError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


#: Issue 11: a fresh install's first run should give its first result within this (s).
FIRST_RUN_TARGET_S = 15.0


def case_compile(ctx: Context, cache_dir: Path) -> None:
    """Time to first result in a fresh process: empty numba cache, then a cache hit.

    Runs before this process imports numba; the caller then points this process at the
    same ``NUMBA_CACHE_DIR``, so the rest of the suite loads the machine code compiled here.
    """
    env = _env() | {"NUMBA_CACHE_DIR": str(cache_dir)}
    results = []
    for label in ("empty cache (compiles)", "cache hit"):
        wall, r = run_child(["compile"], env)
        results.append((label, wall, r))
    cold = results[0][1]
    for label, wall, r in results:
        ctx.add(
            Row(
                "5 compile latency", f"fresh process, NUMBA_CACHE_DIR {label}; tiny "
                "compute_coverage (R,C,R+C nominal, 30° grid, 3 epochs)", None, wall,
                r["threads"], None if wall == cold else f"cold/cached {cold / wall:.1f}x",
                r["peak_rss_mib"], note=(
                    f"process start to first result; import gnss {r['import_s']:.2f} s, "
                    f"first compute_coverage {r['first_call_s']:.2f} s, of which compiling "
                    f"{r.get('compile_s', 0.0):.2f} s ({r.get('compile_cpu_s', 0.0):.2f} s CPU; "
                    f"target: first result under {FIRST_RUN_TARGET_S:g} s)"
                ), extra=r,
            )
        )  # fmt: skip


# --------------------------------------------------------------------------- case 6
def case_memory(ctx: Context) -> None:
    """Peak RSS of runs at two spans, same grid, each in a fresh subprocess."""
    sz = ctx.sizes
    ctx.constellation()
    files = [str(f) for f in ctx._files]
    results = []
    for hours in sz.mem_hours:
        args = ["memory", "--elements", *files, "--sets", MAIN_SETS, "--hours", f"{hours:g}"]
        args += ["--step-s", f"{sz.step_s:g}", "--resolution-deg", f"{sz.mem_res_deg:g}"]
        _, r = run_child(args)
        pos_mib = r["n_epochs"] * r["n_sats"] * 24 / 2**20
        results.append((hours, r, pos_mib))
        delta = r["peak_rss_mib"] - r["rss_before_mib"] if r["peak_resettable"] else None
        ctx.add(
            Row(
                "6 memory", f"{MAIN_SETS}, {r['n_sats']} sats, {sz.mem_res_deg:g}° grid "
                f"({r['n_points']} pts), {hours:g} h ({r['n_epochs']} epochs)",
                float(r["n_sats"]) * r["n_points"] * r["n_epochs"], r["seconds"], r["threads"],
                peak_rss_mib=r["peak_rss_mib"], delta_rss_mib=delta, note=(
                    f"fresh subprocess; peak RSS of the compute_coverage call (process "
                    f"{r['rss_before_mib']:.0f} MiB before it); positions estimate "
                    f"n_epochs x n_sats x 24 B = {pos_mib:.2f} MiB; propagation alone "
                    f"(chunk of {r['propagation_chunk_epochs']} epochs) peaks at "
                    f"{_mib(r['propagation_peak_delta_mib'])} MiB above its start"
                ), extra=r,
            )
        )  # fmt: skip
    (h0, r0, p0), (h1, r1, p1) = results
    growth = r1["peak_rss_mib"] - r0["peak_rss_mib"]
    ctx.checks["memory_growth_mib"] = growth
    ctx.checks["memory_positions_growth_mib"] = p1 - p0
    ctx.notes.append(
        f"memory: from {h0:g} h to {h1:g} h ({r1['n_epochs'] / r0['n_epochs']:.1f}x the epochs) "
        f"the peak RSS changes by {growth:+.1f} MiB; the positions estimate grows by "
        f"{p1 - p0:.2f} MiB (the engine also keeps a satellite-major copy of the same size) "
        "and the propagation temporaries (skyfield evaluates the nutation series at every "
        "epoch of a propagation chunk) by "
        f"{_mib(_sub(r1['propagation_peak_delta_mib'], r0['propagation_peak_delta_mib']))} MiB; "
        "those stop growing at the 2048-epoch propagation chunk. The per-point accumulators "
        "are sized by the block of points, not by the epochs."
    )


def _sub(a, b):
    return None if a is None or b is None else a - b


def _mib(x) -> str:
    return "?" if x is None else f"{x:.1f}"


# --------------------------------------------------------------------------- case 7
def case_scaling(ctx: Context) -> None:
    """Kernel-stage time against points, epochs, satellites and threads."""
    import numba

    import gnss

    sz = ctx.sizes
    con = ctx.constellation()
    reps = max(1, min(2, sz.repeats))
    curves: dict[str, list[dict]] = {"points": [], "epochs": [], "satellites": [], "threads": []}

    def measure(panel, x, label, sets, span, grid, threads=None):
        n_s = n_used(con, sets)
        grid_s, _, _, probe, _ = time_coverage(
            con, sets, span, grid, reps, warm=False, threads=threads
        )
        work = float(n_s) * grid.n_points * span.n_epochs
        curves[panel].append({"x": x, "seconds": grid_s, "work": work, "label": label})
        return ctx.add(
            Row(
                f"7 scaling: {panel}", f"{sets}, {n_s} sats, {_grid_label(grid, span)}", work,
                grid_s, threads or _threads(), peak_rss_mib=probe.peak,
                delta_rss_mib=probe.delta, note=f"kernel stage, best of {reps}",
            )
        )  # fmt: skip

    # Warm once (cache load) on the smallest problem.
    gnss.compute_coverage(con, MAIN_SETS, _span(con, 0, sz.step_s), gnss.Grid(30.0))
    span = _span(con, sz.scale_points_hours, sz.step_s)
    for res in sz.scale_points_res:
        grid = gnss.Grid(res)
        measure("points", grid.n_points, f"{res:g}°", MAIN_SETS, span, grid)
    grid = gnss.Grid(sz.scale_epochs_res)
    for hours in sz.scale_epochs_hours:
        sp = _span(con, hours, sz.step_s)
        measure("epochs", sp.n_epochs, f"{hours:g} h", MAIN_SETS, sp, grid)
    grid, span = gnss.Grid(sz.scale_sats_res), _span(con, sz.scale_sats_hours, sz.step_s)
    for sets in ("R", "C", "R+C", ALL_SETS):
        measure("satellites", n_used(con, sets), sets, sets, span, grid)
    grid, span = gnss.Grid(sz.scale_threads_res), _span(con, sz.scale_threads_hours, sz.step_s)
    original = numba.get_num_threads()
    try:
        for n in sorted({1, min(2, original), original}):
            numba.set_num_threads(n)
            row = measure("threads", n, f"{n} thread(s)", MAIN_SETS, span, grid, threads=n)
            base = curves["threads"][0]["seconds"]
            if n > 1:
                row.ratio = f"speed-up {base / row.seconds:.2f}x vs 1 thread"
    finally:
        numba.set_num_threads(original)
    ctx.scaling = curves


# --------------------------------------------------------------------------- case 8
def _timed_compare(args: list[str], out: Path, env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gnss.cli", "compare", "-q", *args, "-o", str(out), "--overwrite"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=REPO, text=True)  # fmt: skip


def _wait_all(procs: list[subprocess.Popen], t0: float) -> list[tuple[float, float]]:
    """Wait for the runs; return (wall seconds, CPU seconds) of each (CPU via os.wait4)."""
    out = {}
    pending = {p.pid: p for p in procs}
    while pending:
        pid, status, usage = os.wait4(-1, 0)
        if pid in pending:
            proc = pending.pop(pid)
            proc.returncode = os.waitstatus_to_exitcode(status)
            err = proc.stderr.read()
            if proc.returncode != 0:
                raise BenchmarkError(f"gnss compare failed ({proc.returncode}):\n{err}")
            out[pid] = (time.perf_counter() - t0, usage.ru_utime + usage.ru_stime)
    return [out[p.pid] for p in procs]


def case_contention(ctx: Context) -> None:
    """One ``gnss compare -q --maps none`` alone, then three at once: ratio of wall times.

    Reported, not asserted: with the automatic thread count each of three concurrent runs
    should take at most ~3x one run alone (the fair share on 2 cores is ~2.1x); CPU seconds
    far above the single run's would show threads spinning instead of working.
    """
    sz = ctx.sizes
    args = ["--maps", "none", *sz.e2e_args]
    env = _env()
    with tempfile.TemporaryDirectory(prefix="gnss-bench-contention-") as tmp:
        run_compare(["--resolution-deg", "30", "--hours", "1", "--maps", "none"], Path(tmp) / "w")
        t0 = time.perf_counter()
        ((alone, alone_cpu),) = _wait_all([_timed_compare(args, Path(tmp) / "a", env)], t0)
        t0 = time.perf_counter()
        procs = [_timed_compare(args, Path(tmp) / f"c{i}", env) for i in range(3)]
        three = _wait_all(procs, t0)
    worst = max(w for w, _ in three)
    what = "default run" if not sz.e2e_args else "default run with " + " ".join(sz.e2e_args)
    ctx.add(
        Row(
            "8 contention", f"gnss compare -q {what} --maps none: one alone, then three at once",
            None, worst, f"auto ({os.environ.get('GNSS_THREADS') or 'GNSS_THREADS unset'})",
            ratio=f"slowest of three / alone {worst / alone:.2f}x (fair share ~2.1x on 2 cores)",
            note=(
                f"alone {alone:.2f} s wall, {alone_cpu:.2f} s CPU; three at once: "
                + ", ".join(f"{w:.2f} s wall / {c:.2f} s CPU" for w, c in three)
            ),
            extra={"alone_s": alone, "alone_cpu_s": alone_cpu, "three": three},
        )
    )  # fmt: skip


#: Issue 14: drawing the default outputs costs at most half of the computing.
MAPS_RATIO_LIMIT = 1.5


def case_maps(ctx: Context) -> None:
    """``gnss compare`` with the default maps and with ``--maps none``, side by side: ratio.

    The two runs alternate (none, default, none, default, ...) so a change of the machine's
    load hits both; the best wall time of each is compared. The ratio is reported with the
    limit of issue 14 (default within 1.5x of ``--maps none``) in ``checks["maps_ratio"]``.
    """
    sz = ctx.sizes
    args = list(sz.e2e_args)
    reps = {"full": 3, "quick": 2}.get(sz.name, 1)
    best = {"none": float("inf"), "default": float("inf")}
    with tempfile.TemporaryDirectory(prefix="gnss-bench-maps-") as tmp:
        warm = ["--resolution-deg", "30", "--hours", "1", "--maps", "default"]
        run_compare(warm, Path(tmp) / "w")
        for _ in range(reps):
            for maps in ("none", "default"):
                wall, _, _ = run_compare(["-q", "--maps", maps, *args], Path(tmp) / maps)
                best[maps] = min(best[maps], wall)
        n_png = sum(1 for p in (Path(tmp) / "default").iterdir() if p.suffix == ".png")
    ratio = best["default"] / best["none"]
    what = "default run" if not args else "default run with " + " ".join(args)
    # The limit is for the default run (full mode); smaller grids make the computing cheaper
    # while the maps cost the same, so their ratio is reported without a verdict.
    ok = ratio <= MAPS_RATIO_LIMIT if sz.name == "full" else None
    ctx.checks["maps_ratio"] = {"ratio": ratio, "limit": MAPS_RATIO_LIMIT, "ok": ok,
                                "png_files": n_png}  # fmt: skip
    ctx.add(
        Row(
            "10 maps", f"gnss compare -q {what}: default maps ({n_png} PNG) vs --maps none",
            None, best["default"], _threads(),
            ratio=f"default / none {ratio:.2f}x (limit {MAPS_RATIO_LIMIT}x)",
            note=(f"best of {reps} alternating runs each: default {best['default']:.2f} s, "
                  f"none {best['none']:.2f} s wall (subprocess, warm)"),
            extra={"default_s": best["default"], "none_s": best["none"], "ratio": ratio},
        )
    )  # fmt: skip


# --------------------------------------------------------------------------- horizon
#: A gentle terrain skyline for the horizon case: 0 to 8 deg, hills to the north-east and west.
GENTLE_TERRAIN = (
    np.arange(0.0, 360.0, 30.0),
    np.array([2.0, 6.0, 8.0, 5.0, 1.0, 0.0, 0.5, 2.0, 4.0, 7.0, 6.0, 3.0]),
)


#: Coarsest grid of the horizon case (deg): at the quick size's 10 deg one repeat took ~20 ms
#: and the per-repeat ratios spread over 0.8-1.6 for the same kernel; at 5 deg, ~0.1 s each.
HORIZON_RES_DEG = 5.0


#: Step of case 13's second span (s): the same number of epochs as case 1's span at 30 s, a
#: common planning step. A block of 8 epochs then covers 3.5 min instead of 35: far fewer
#: satellite-blocks cross the skyline within a block.
HORIZON_FINE_STEP_S = 30.0


def case_horizon(ctx: Context) -> None:
    """Kernel throughput with a horizon mask vs the flat mask, in the same run (issue 13).

    The case 1 span (R,C,R+C), mask 5 deg, on the case 1 grid or a 5 deg one if that is
    coarser (:data:`HORIZON_RES_DEG`), one thread (a second one shares the 2 cores with
    whatever else runs): flat; the ``street_canyon_ns`` preset (0-63.4 deg); a gentle
    terrain profile (0-8 deg, so partly below the mask). The three are timed in turn in each
    repeat (the load of the shared machine hits all three alike); the row gives the best
    repeat of the kernel stage, the note the median and range of the per-repeat ratios to
    the flat run, of the kernel stage and of the whole ``compute_coverage`` call (what a user
    waits for), and for the case 1 span the tile sums alone (:mod:`.tilesums`). At least 9
    repeats: a shared machine's noise is larger than the differences measured. Then the same
    number of epochs at :data:`HORIZON_FINE_STEP_S`.
    """
    import gnss

    sz = ctx.sizes
    con = ctx.constellation()
    span = _span(con, sz.kernel_hours, sz.step_s)
    fine = _span(con, (span.n_epochs - 1) * HORIZON_FINE_STEP_S / 3600.0, HORIZON_FINE_STEP_S)
    grid = gnss.Grid(min(sz.kernel_res_deg, HORIZON_RES_DEG))
    horizons = {
        "flat mask 5 deg": None,
        "street_canyon_ns (0-63.4 deg)": gnss.horizon_preset("street_canyon_ns"),
        "gentle terrain (0-8 deg)": gnss.Horizon(*GENTLE_TERRAIN, source="gentle terrain"),
    }
    repeats = max(9, sz.repeats)
    for sp in (span, fine):
        times, whole = _horizon_times(con, sp, grid, horizons, repeats)
        tiles = _tile_sums(con, sp, grid, horizons, repeats) if sp is span else {}
        _horizon_rows(ctx, con, sp, grid, times, whole, tiles)


def _horizon_times(con, span, grid, horizons: dict, repeats: int):
    """Kernel-stage and whole-call seconds of each horizon, in turn in each repeat."""
    import gnss

    configs = {k: gnss.CoverageConfig(5.0, horizon=h) for k, h in horizons.items()}
    times: dict[str, list[float]] = {k: [] for k in configs}
    whole: dict[str, list[float]] = {k: [] for k in configs}  # the whole compute_coverage call
    for cfg in configs.values():  # compile or load each variant once, untimed
        gnss.compute_coverage(con, MAIN_SETS, span, grid, cfg, threads=1)
    for _ in range(repeats):
        for k, cfg in configs.items():
            timer = StageTimer()
            gnss.compute_coverage(con, MAIN_SETS, span, grid, cfg, progress=timer, threads=1)
            times[k].append(timer.seconds("grid"))
            whole[k].append(time.perf_counter() - timer.t0)
    return times, whole


def _horizon_rows(ctx: Context, con, span, grid, times: dict, whole: dict, tiles: dict) -> None:
    """Rows of case 13 for one span: each horizon against the flat mask (the first entry)."""
    flat, flat_whole = (np.array(v[next(iter(v))]) for v in (times, whole))
    n_s = n_used(con, MAIN_SETS)
    work = float(n_s) * grid.n_points * span.n_epochs
    for k, ts in times.items():
        ratios = np.array(ts) / flat
        w = np.array(whole[k]) / flat_whole
        ctx.add(Row(
            "13 horizon", f"{MAIN_SETS}, {k}, {n_s} sats, {_grid_label(grid, span)}", work,
            min(ts), 1, ratio=f"/flat {min(ts) / flat.min():.3f} (best of each)",
            note=f"kernel stage, {len(ts)} interleaved warm repeats: {min(ts):.3f}-"
            f"{max(ts):.3f} s; per-repeat time/flat median {np.median(ratios):.3f}, "
            f"{ratios.min():.3f}-{ratios.max():.3f}; whole run (propagation, kernel, "
            f"statistics) time/flat median {np.median(w):.3f}, {w.min():.3f}-{w.max():.3f}"
            + tiles.get(k, ""),
        ))  # fmt: skip


def _tile_sums(con, span, grid, horizons: dict, repeats: int) -> dict[str, str]:
    """Note of each horizon's tile sums alone against the flat ones (:mod:`.tilesums`)."""
    from gnss.coverage.skyline import kernel_skyline

    from .tilesums import tile_sum_ratios

    skies = {k: kernel_skyline(h.kernel_table(5.0)) for k, h in horizons.items() if h}
    flat, ratios = tile_sum_ratios(con, "RC", span, grid, skies, float(np.sin(np.radians(5.0))),
                                   repeats)  # fmt: skip
    notes = {"flat mask 5 deg": f"; tile sums alone (visibility and line-of-sight sums, no "
                                f"statistics) {flat.min():.3f}-{flat.max():.3f} s"}  # fmt: skip
    for k, r in ratios.items():
        notes[k] = (f"; tile sums alone time/flat median {np.median(r):.3f}, "
                    f"{r.min():.3f}-{r.max():.3f}")  # fmt: skip
    return notes



# --------------------------------------------------------------------------- accuracy
def case_accuracy(ctx: Context) -> None:
    """Cost of the accuracy in metres: the weighted kernel pass against the plain one.

    R,C,R+C with the default UERE (R and C differ, so R+C needs the weighted pass; R and C
    alone are the DOPs scaled): the 'accuracy' stage against the 'grid' stage of the same
    run, best of N warm runs.
    """
    import gnss

    sz = ctx.sizes
    con = ctx.constellation()
    span = _span(con, sz.kernel_hours, sz.step_s)
    grid = gnss.Grid(sz.kernel_res_deg)
    config = gnss.CoverageConfig(uere_m={})
    threads = _threads()
    gnss.compute_coverage(con, MAIN_SETS, span, grid, config, threads=threads)  # warm
    best = None
    for _ in range(max(1, sz.repeats)):
        timer = StageTimer()
        gnss.compute_coverage(con, MAIN_SETS, span, grid, config, progress=timer,
                              threads=threads)  # fmt: skip
        pair = (timer.seconds("accuracy"), timer.seconds("grid"))
        best = pair if best is None or pair[0] < best[0] else best
    acc_s, grid_s = best
    n_s = n_used(con, MAIN_SETS)
    ctx.add(
        Row(
            "14 accuracy", f"{MAIN_SETS}, --uere-m default, {n_s} sats, {_grid_label(grid, span)}",
            float(n_s) * grid.n_points * span.n_epochs, acc_s, threads,
            ratio=f"weighted/plain pass {acc_s / grid_s:.2f}x",
            note=f"weighted pass ('accuracy' stage) vs plain pass ('grid' stage, {grid_s:.3f} s), "
            f"best of {sz.repeats} warm runs",
        )
    )  # fmt: skip


CASES = (
    "compile", "kernel", "numpy", "skyfield", "e2e", "memory", "scaling", "contention",
    "broadcast", "maps", "site", "scaleout", "horizon", "accuracy",
)  # fmt: skip
