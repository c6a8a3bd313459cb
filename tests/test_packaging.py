"""The wheel ships every module of the package, subpackages included, and its data files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Not part of a build: caches, environments, earlier build folders (stale build/lib copies
#: would hide a missing package).
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
    ".ruff_cache", ".hypothesis", "out", "gnss-output", "benchmark-results",
)  # fmt: skip


def test_pyproject_finds_packages():
    # Cheap: no build. A fixed list (packages = [...]) misses every subpackage added later.
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert not isinstance(config["packages"], list), "use [tool.setuptools.packages.find]"
    assert config["packages"]["find"]["include"] == ["gnss", "gnss.*"]
    assert (REPO / "gnss" / "_tle").resolve() == (REPO / "tle").resolve()  # gnss._tle is tle/


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> tuple[Path, set[str]]:
    """Build a wheel of a copy of the checkout with one extra subpackage; its file names."""
    src = tmp_path_factory.mktemp("src") / "repo"
    shutil.copytree(REPO, src, ignore=_NOT_SOURCE, symlinks=True)
    probe = src / "gnss" / "_probe_sub" / "deeper"
    probe.mkdir(parents=True)
    (probe.parent / "__init__.py").write_text('"""A subpackage made by the test."""\n')
    (probe / "__init__.py").write_text('"""A nested subpackage."""\n')
    (probe / "mod.py").write_text('"""A module two levels down."""\n')
    out = tmp_path_factory.mktemp("wheel")
    res = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    (wheel,) = out.glob("gnss_coverage-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return src, set(zf.namelist())


@pytest.mark.packaging
def test_wheel_ships_every_module_and_new_subpackages(wheel_names):
    src, names = wheel_names
    modules = {p.relative_to(src).as_posix() for p in (src / "gnss").rglob("*.py")}
    modules -= {m for m in modules if m.startswith("gnss/_tle/")}  # checked below
    assert len(modules) > 30
    assert modules <= names, f"not in the wheel: {sorted(modules - names)}"
    assert "gnss/_probe_sub/deeper/mod.py" in names  # a subpackage nobody listed


@pytest.mark.packaging
def test_wheel_ships_the_data_files(wheel_names):
    _, names = wheel_names
    tle = {f"gnss/_tle/nominal_{s}.tle" for s in ("gps", "glonass", "galileo", "beidou")}
    data = {"gnss/data/borders_110m.geojson", "gnss/data/README.md", "gnss/_tle/README.md"}
    data |= {f"gnss/receivers/horizons/{n}" for n in ("street_canyon_ns.csv", "README.md")}
    assert tle | data | {"gnss/_tle/__init__.py"} <= names
    assert not {n for n in names if n.startswith(("tests/", "builders/", "benchmarks/", "tle/"))}
