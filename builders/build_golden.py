"""Build ``tests/data/golden_coverage.npz``: the numbers ``tests/test_golden.py`` keeps fixed.

Three small runs, the Datasets that ``gnss compare`` writes to ``coverage.nc`` (the output of
:func:`gnss.compute_coverage` with the combined-minus-best difference fields added), kept in
float64 (``coverage.nc`` stores the grid fields as float32, which would hide changes below
1e-7):

``default``
    sets ``R,C,R+C`` on the nominal constellations shipped with the package, from their
    nominal epoch (2026-01-01T00:00Z), as ``gnss compare`` with no ``-e``;
``regions``
    the same with the regions ``arctic,RUS`` (zone histograms and sums of each region);
``whatif``
    ``R,C,R+C,noGEO=R+C[-C:GEO]`` on ``../shared/data/tle/gnss_2026-10-06.tle`` from its
    median element epoch (left out when ``../shared`` is absent).

All on a 20-degree grid, 24 h at 5 min (two kernel tiles of epochs), mask 5 degrees,
per-system clocks. Stored as a compressed NumPy archive (``numpy.savez_compressed``, no
pickles): ``RUN/VARIABLE`` holds the values of each data variable and coordinate with its
dtype, ``RUN/VARIABLE/dims`` its dimension names; ``platform/KEY`` the platform. A NetCDF
file of the same content is 2.4 times larger (HDF5 overhead per variable and group).
Volatile attributes (times, versions, paths) are not stored. The root
attributes record the platform the numbers were computed on (CPU model and flags, the CPU
numba compiles for, numba/llvmlite/NumPy versions, kernel threads), because the kernel is
compiled with ``fastmath`` (re-association, contraction to FMA) for the host CPU: another
CPU may round differently, and the test then compares within a stated tolerance.

Run from the repository root (after a change that is *meant* to change the numbers, and
say so in the commit)::

    PYTHONPATH=$PWD .venv/bin/python builders/build_golden.py
    PYTHONPATH=$PWD .venv/bin/python builders/build_golden.py -o /tmp/golden.nc
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden_coverage.npz"
WHATIF_TLE = REPO.parent / "shared" / "data" / "tle" / "gnss_2026-10-06.tle"
RUNS = ("default", "regions", "whatif")
# 289 epochs: two kernel tiles (TILE = 256), so the tile loop is covered; 162 cells.
SIZES = {"resolution_deg": 20.0, "duration_s": 24 * 3600.0, "step_s": 300.0}


def platform_info() -> dict[str, str]:
    """What decides the rounding of the compiled kernels on this machine (all strings)."""
    import llvmlite
    import llvmlite.binding as llvm
    import numba

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model_name": model,
        "numba_cpu_name": numba.config.CPU_NAME or llvm.get_host_cpu_name(),
        "numba_cpu_features": numba.config.CPU_FEATURES or llvm.get_host_cpu_features().flatten(),
        "numba_version": numba.__version__,
        "llvmlite_version": llvmlite.__version__,
        "numpy_version": np.__version__,
        # The zone sums are cut into one part per possible thread (gnss.kernels.accumulate).
        "numba_num_threads": str(numba.config.NUMBA_NUM_THREADS),
    }


def run(name: str):
    """Dataset of one golden run (``name`` in :data:`RUNS`), as written to ``coverage.nc``."""
    import gnss
    from gnss.analysis.differences import add_differences
    from gnss.elements.nominal import NOMINAL_EPOCH

    grid = gnss.Grid(SIZES["resolution_deg"])
    kw = {"duration_s": SIZES["duration_s"], "step_s": SIZES["step_s"]}
    regions = None
    if name in ("default", "regions"):
        con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
        sets, span = "R,C,R+C", gnss.epoch_span(NOMINAL_EPOCH, **kw)
        if name == "regions":
            regions = gnss.get_regions("arctic,RUS")
    elif name == "whatif":
        con = gnss.read_elements([WHATIF_TLE])
        sets, span = "R,C,R+C,noGEO=R+C[-C:GEO]", gnss.epoch_span(con.median_epoch(), **kw)
    else:
        raise ValueError(f"unknown golden run {name!r}; expected one of {', '.join(RUNS)}")
    ds = gnss.compute_coverage(con, sets, span, grid, regions=regions, max_memory_bytes=2**34)
    return add_differences(ds)


def arrays(name: str, ds) -> dict:
    """Archive entries of one run: values and dimension names of every variable."""
    out = {}
    for var, da in ds.variables.items():
        out[f"{name}/{var}"] = np.asarray(da.values)
        out[f"{name}/{var}/dims"] = np.array(da.dims, dtype=str)
    return out


def load(path: Path = GOLDEN) -> tuple[dict, dict]:
    """Return (platform, {run: {variable: (dims, values)}}) from a golden archive."""
    with np.load(path, allow_pickle=False) as z:
        entries = {k: z[k] for k in z.files}
    info = {k.split("/", 1)[1]: str(v) for k, v in entries.items() if k.startswith("platform/")}
    runs: dict = {}
    for key, val in entries.items():
        run_name, _, var = key.partition("/")
        if run_name == "platform" or var.endswith("/dims"):
            continue
        runs.setdefault(run_name, {})[var] = (tuple(entries[key + "/dims"].tolist()), val)
    return info, runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", type=Path, default=GOLDEN, help="NetCDF file to write")
    args = ap.parse_args(argv)
    runs = [r for r in RUNS if r != "whatif" or WHATIF_TLE.exists()]
    if os.environ.get("GNSS_GOLDEN_CHILD") is None:
        # Kernels compiled in this process round a few values differently in the last bit
        # from cached ones (gnss.kernels.driver.compiled_in_this_process): compile (and cache)
        # here, then compute the golden numbers in a fresh process that loads the cache.
        import subprocess
        import sys

        from gnss.kernels.driver import compiled_in_this_process

        for name in runs:
            run(name)
        if compiled_in_this_process():
            env = os.environ | {"GNSS_GOLDEN_CHILD": "1"}
            cmd = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:])]
            return subprocess.run(cmd, env=env, check=False).returncode
    if "whatif" not in runs:
        print(f"note: {WHATIF_TLE} is absent; the what-if run is left out")
    entries = {f"platform/{k}": np.array(v) for k, v in platform_info().items()}
    for name in runs:
        entries |= arrays(name, run(name))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_name(args.output.name + ".tmp.npz")
    np.savez_compressed(tmp, **entries)
    os.replace(tmp, args.output)
    print(f"wrote {args.output} ({args.output.stat().st_size / 1024:.0f} KiB): {', '.join(runs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
