"""Docstring examples run against the installed package, and the package carries its data."""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
from pathlib import Path

import pytest

import gnss


def package_modules(package) -> list[str]:
    """Names of a package and of every module below it, subpackages included (imports them)."""
    found = pkgutil.walk_packages(package.__path__, package.__name__ + ".", onerror=_raise)
    return [package.__name__] + sorted(m.name for m in found)


def _raise(name: str) -> None:
    raise ImportError(f"cannot import {name} while walking the package")


MODULES = package_modules(gnss)


def test_every_module_file_is_walked():
    root = Path(gnss.__file__).resolve().parent
    paths = [  # os.walk: gnss/_tle is a symbolic link to tle/ (see pyproject.toml)
        Path(folder, name).relative_to(root)
        for folder, _, names in os.walk(root, followlinks=True)
        for name in names
        if name.endswith(".py")
    ]
    files = {".".join(("gnss", *p.with_suffix("").parts)).removesuffix(".__init__") for p in paths}
    assert files == set(MODULES)


def test_walk_reaches_nested_subpackages(tmp_path, monkeypatch):
    # A package made here, two levels deep: pkgutil.iter_modules would stop at the first.
    deep = tmp_path / "walkprobe" / "sub" / "deeper"
    deep.mkdir(parents=True)
    for folder in (deep.parent.parent, deep.parent, deep):
        (folder / "__init__.py").write_text('"""Probe."""\n')
    (deep / "leaf.py").write_text('"""Leaf."""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = importlib.import_module("walkprobe")
    assert package_modules(probe) == [
        "walkprobe", "walkprobe.sub", "walkprobe.sub.deeper", "walkprobe.sub.deeper.leaf"
    ]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_public_functions_have_examples():
    for name in ("read_elements", "compute_coverage", "summarize", "epoch_span", "parse_sets"):
        assert "Examples" in getattr(gnss, name).__doc__, name


def test_installed_package_carries_its_data():
    files = gnss.nominal_element_files()
    assert [f.name for f in files] == [
        "nominal_gps.tle",
        "nominal_glonass.tle",
        "nominal_galileo.tle",
        "nominal_beidou.tle",
    ]
    assert all(f.stat().st_size > 3000 for f in files)
    borders = Path(gnss.__file__).parent / "data" / "borders_110m.geojson"
    assert borders.stat().st_size > 100_000
