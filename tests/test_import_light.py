"""`import gnss` and `gnss --help` stay light: the heavy libraries load only when used.

Each check runs in a fresh interpreter (a module imported by another test would hide a
regression).
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gnss

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("numba", "matplotlib", "geopandas", "pandas", "shapely", "click")

#: The public names of gnss before the namespace became lazy (issue 11): all must still import.
PUBLIC_NAMES = """
SYSTEMS SYSTEM_NAMES Constellation CoverageConfig ElementError EpochSpan FetchError FetchResult
GnssError Grid Identity Match OutputError ParameterError ReferenceOrbitError ReferenceOrbits
Region Satellite Selector SetSpec Skipped TimeInputError box cell_weights_m2 classify
comparison_table compute_coverage ellipsoid_area_m2 epoch_dops epoch_span fetch_group
filter_constellation geodetic_points get_regions identify load_reference nominal_constellation
nominal_element_files parse_sets propagate_itrs_m rank_regions read_elements region_from_file
region_table summarize to_utc validate write_region_outputs
""".split()


def fresh_python(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_import_gnss_loads_no_heavy_library():
    code = f"import gnss, sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    assert fresh_python(code) == "[]"


def imported_by(*args: str) -> set[str]:
    """Top-level packages that ``python -m gnss.cli ARGS`` imports (from ``-X importtime``)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable, "-X", "importtime", "-m", "gnss.cli", *args]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
    names = [ln.rsplit("|", 1)[-1].strip() for ln in proc.stderr.splitlines() if "|" in ln]
    return {n.split(".")[0] for n in names}


@pytest.mark.parametrize(
    "args",
    [["--help"], ["compare", "--help"], ["elements", "--help"], ["elements", "list", "--help"],
     ["elements", "fetch", "--help"], ["elements", "validate", "--help"], ["regions", "--help"]],
    ids=" ".join,
)  # fmt: skip
def test_help_loads_no_library(args):
    loaded = imported_by(*args)
    assert "click" in loaded and "gnss" in loaded  # the parse of -X importtime worked
    assert not loaded & {"numba", "matplotlib", "geopandas", "pandas", "shapely", "xarray",
                         "numpy", "skyfield", "sgp4"}, sorted(loaded)  # fmt: skip


def test_every_public_name_resolves_and_is_listed():
    assert sorted(gnss.__all__) == gnss.__all__ and len(set(gnss.__all__)) == len(gnss.__all__)
    assert set(PUBLIC_NAMES) <= set(gnss.__all__)
    for name in gnss.__all__:
        assert getattr(gnss, name) is not None, name
        assert name in dir(gnss)
    namespace: dict = {}
    exec(f"from gnss import {', '.join(PUBLIC_NAMES)}", namespace)
    assert namespace["read_elements"] is gnss.read_elements


def test_functions_named_like_their_module_stay_functions():
    # The submodules live in subpackages now: importing them never rebinds the public names.
    code = (
        "import gnss, gnss.validation.identify, gnss.elements.classify, inspect; "
        "print(inspect.isfunction(gnss.identify), inspect.isfunction(gnss.classify))"
    )
    assert fresh_python(code) == "True True"


def test_submodules_and_unknown_names():
    assert gnss.outputs.__name__ == "gnss.outputs"  # subpackages load on first use, as before
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        gnss.no_such_name  # noqa: B018


def test_version_comes_from_the_package_metadata():
    try:
        expected = importlib.metadata.version("gnss-coverage")
    except importlib.metadata.PackageNotFoundError:
        expected = "0+unknown"
    assert gnss.__version__ == expected
