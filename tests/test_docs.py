"""Docstring examples run against the installed package, and the package carries its data."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import gnss

MODULES = ["gnss"] + [m.name for m in pkgutil.iter_modules(gnss.__path__, "gnss.")]


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
