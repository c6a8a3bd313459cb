"""One home for constants: gnss/constants.py holds each value once, with its source."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
from sgp4.earth_gravity import wgs72
from skyfield.toposlib import wgs84

import gnss
import gnss.constants as c

PACKAGE = Path(gnss.__file__).resolve().parent
CONSTANTS_PY = PACKAGE / "constants.py"

#: Numbers that are units or arithmetic, not constants of Earth or of a system.
_NOT_CONSTANTS = {0.0, 1.0, 2.0, 1000.0, 1e9, 86400.0}

#: Files that still write a constant out, each with the reason and the value(s). The test
#: below fails when an allowance is no longer needed, so the list can only shrink.
ALLOWED: dict[str, set[float]] = {}


def _numbers(tree: ast.AST) -> list[tuple[float, int]]:
    """Every int/float literal of a module (with its line), negative literals included."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            out.append((float(node.value), node.lineno))
    return out


def _constant_values() -> set[float]:
    """Values defined by gnss.constants and every number written in its source."""
    values = {float(v) for k, v in vars(c).items() if k.isupper() and type(v) is float}
    values |= {v for v, _ in _numbers(ast.parse(CONSTANTS_PY.read_text()))}
    return {v for v in values if v not in _NOT_CONSTANTS}


def _package_sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != CONSTANTS_PY)


def _redefinitions() -> dict[str, set[float]]:
    wanted = _constant_values()
    found: dict[str, set[float]] = {}
    for path in _package_sources():
        for value, line in _numbers(ast.parse(path.read_text(), str(path))):
            if any(math.isclose(value, w, rel_tol=1e-12) for w in wanted):
                found.setdefault(str(path.relative_to(PACKAGE)), set()).add(value)
                found.setdefault(f"{path.relative_to(PACKAGE)}:{line}", set()).add(value)
    return found


def test_no_constant_is_written_outside_constants_py():
    found = _redefinitions()
    bad = {
        where: values
        for where, values in found.items()
        if ":" in where and not values <= ALLOWED.get(where.split(":")[0], set())
    }
    assert not bad, (
        f"constants of gnss/constants.py written out again at {bad}; "
        "import them from gnss.constants instead"
    )


def test_allowances_are_still_needed():
    found = _redefinitions()
    for name, values in ALLOWED.items():
        assert values <= found.get(name, set()), (
            f"gnss/{name} no longer writes {values - found.get(name, set())}: "
            "remove its entry from ALLOWED"
        )


def test_the_check_finds_a_redefinition():
    # The detector itself: a module writing the WGS84 radius as an int is caught.
    tree = ast.parse("A = 6378137\nB = -7.2921151467e-5\n")
    values = {v for v, _ in _numbers(tree)}
    assert 6378137.0 in values and 7.2921151467e-5 in values
    assert {6378137.0, 7.2921151467e-5} <= _constant_values()


def test_sgp4_model_is_not_chosen_elsewhere():
    for path in _package_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sgp4"):
                names = {a.name for a in node.names}
                assert not names & {"WGS72", "WGS84", "WGS72OLD", "wgs72", "wgs84"}, (
                    f"{path.name}:{node.lineno} picks an SGP4 gravity model; use "
                    "gnss.constants.SGP4_GRAVITY_MODEL"
                )


def test_values_agree_with_independent_sources():
    # WGS84 as skyfield defines it (exact: both are the defining parameters).
    assert c.WGS84_A_M == wgs84.radius.m
    assert c.WGS84_F == pytest.approx(1.0 / wgs84.inverse_flattening, rel=1e-15)
    # WGS72 as SGP4 uses it (exact: TLE mean elements are fitted with these).
    assert c.WGS72_GM_KM3_S2 == wgs72.mu
    assert c.WGS72_A_KM == wgs72.radiusearthkm
    # Kilometre forms are the metre values, bit for bit (no retyped rounding).
    assert c.WGS84_A_KM == 6378.137 and c.PZ90_A_KM == 6378.136 and c.CGCS2000_A_KM == 6378.137
    assert c.WGS84_GM_KM3_S2 == 398600.4418
    # Geosynchronous radius from WGS84 GM and the sidereal day 86 164.0905 s: 42 164.17 km.
    a_km = (c.WGS84_GM_KM3_S2 * (86164.0905 / (2.0 * math.pi)) ** 2) ** (1.0 / 3.0)
    assert abs(a_km - 42164.17) < 0.01  # km


def test_every_constant_has_its_source_in_a_comment():
    lines = CONSTANTS_PY.read_text().splitlines()
    for i, line in enumerate(lines):
        name = line.split("=")[0].strip()
        if name.isupper() and "=" in line and not name.endswith(("_KM", "_KM3_S2")):
            above = lines[i - 1]
            assert above.startswith("#:"), f"constants.py:{i + 1}: {name} has no source comment"
