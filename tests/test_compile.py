"""Compile what a run needs (issue 11), and say so when it compiles (grid and site runs).

Real subprocesses with an empty ``NUMBA_CACHE_DIR``: the first compiles only the DOP
variants of the run's clock counts and reports the ``"compile"`` progress stage; the second
loads the cache and reports nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import json, gnss
from gnss.kernels import sets as kernel_sets
con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
stages = []
gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(30.0),
                      progress=lambda s, d, t: stages.append([s, d, t]))
compiled = [k for k in range(1, 8) if getattr(kernel_sets, f"SD{k}").signatures]
print(json.dumps({"compile": [s for s in stages if s[0] == "compile"], "dops": compiled}))
"""


def _run(cache_dir: Path) -> dict:
    env = os.environ | {"NUMBA_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=REPO, text=True,
                          capture_output=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_first_run_compiles_only_what_it_needs_and_says_so(tmp_path):
    first = _run(tmp_path)
    # R, C and R+C have one or two clocks: the 1- and 2-clock DOP variants, not 3 to 7.
    assert first["dops"] == [1, 2]
    assert first["compile"] == [["compile", 0, 1], ["compile", 1, 1]]
    second = _run(tmp_path)
    assert second["compile"] == [] and second["dops"] == []  # loaded from the cache


def test_cli_says_when_it_compiles_and_only_then(tmp_path):
    env = os.environ | {"NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "gnss.cli", "compare", "--resolution-deg", "30", "--hours",
            "1", "--step-s", "1800", "--maps", "none"]  # fmt: skip
    said = "compiling kernels (first run only)"
    for n, expected in ((1, True), (2, False)):  # stderr is a pipe: no bar, the line still
        proc = subprocess.run([*args, "-o", str(tmp_path / f"out{n}")], env=env, cwd=REPO,
                              text=True, capture_output=True, timeout=600)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert (said in proc.stderr) is expected, proc.stderr


SITE_SCRIPT = """
import json, gnss
stages = []
study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800)
for _ in range(2):  # the second call in the same process finds the machine code loaded
    gnss.site_timeseries(study, [("Moscow", 55.75, 37.62)],
                         progress=lambda s, d, t: stages.append([s, d, t]))
print(json.dumps([s for s in stages if s[0] == "compile"]))
"""


def test_site_series_says_when_it_compiles_and_only_then(tmp_path):
    """The series kernel of ``gnss site`` (seconds to compile) is announced like the grid's."""
    env = os.environ | {"NUMBA_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    for expected in ([["compile", 0, 1], ["compile", 1, 1]], []):  # fresh cache, then loaded
        proc = subprocess.run([sys.executable, "-c", SITE_SCRIPT], env=env, cwd=REPO, text=True,
                              capture_output=True, timeout=600)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.strip().splitlines()[-1]) == expected


STALE_SCRIPT = """
import json, numpy as np
from gnss.kernels import jit, sets
args = (np.array([[0, -1], [-1, 0], [0, 1]], np.int64), np.array([1, 1, 2], np.int64))
needed = jit.compile_needed(sets.clock_sources, args)
sets.clock_sources(*args)
print(json.dumps({"needed": needed, "misses": sum(sets.clock_sources.stats.cache_misses.values())}))
"""


def test_a_change_to_any_kernel_file_makes_the_cached_kernels_stale(tmp_path):
    """numba checks a cached entry point against its own file; ours against every kernel file.

    A copy of the package, an empty cache: the first run compiles ``clock_sources``
    (``sets.py``), the second loads it, and after ``skyline.py`` alone changes (another
    file: as a ``git pull`` leaves it) the third compiles again.
    """
    import shutil

    pkg = tmp_path / "src"
    shutil.copytree(REPO / "gnss", pkg / "gnss", ignore=shutil.ignore_patterns("__pycache__"))
    env = os.environ | {"NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(pkg)}

    def run() -> dict:
        proc = subprocess.run([sys.executable, "-c", STALE_SCRIPT], env=env, cwd=tmp_path,
                              text=True, capture_output=True, timeout=600)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    assert run() == {"needed": True, "misses": 1}
    assert run() == {"needed": False, "misses": 0}
    other = pkg / "gnss" / "kernels" / "skyline.py"
    other.write_text(other.read_text() + "\n# changed\n")
    assert run() == {"needed": True, "misses": 1}
