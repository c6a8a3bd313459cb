"""Module and function sizes: printed (largest first) and held under the limits of the guide.

Run with ``-s`` to see the tables. A module is about one thing (aim 100-300 lines); a function
reads at once (split into named steps above ~80 lines).
"""

from __future__ import annotations

import ast
from pathlib import Path

import gnss

PACKAGE = Path(gnss.__file__).parent
MODULE_MAX_LINES = 600
FUNCTION_MAX_LINES = 80
SHOWN = 8


def _modules() -> list[tuple[int, str]]:
    rows = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_tle" in path.parts:
            continue
        n = len(path.read_text(encoding="utf-8").splitlines())
        rows.append((n, str(path.relative_to(PACKAGE.parent))))
    return sorted(rows, reverse=True)


def _functions() -> list[tuple[int, str]]:
    """Every def (nested ones too), from its ``def`` line (decorators excluded) to its end."""
    rows = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}"
                rows.append((n, where))
    return sorted(rows, reverse=True)


def _table(title: str, rows: list[tuple[int, str]]) -> str:
    return "\n".join([title, *(f"  {n:5d}  {where}" for n, where in rows[:SHOWN])])


def test_modules_are_under_the_limit():
    rows = _modules()
    print("\n" + _table(f"largest modules (limit {MODULE_MAX_LINES} lines):", rows))
    over = [f"{where} ({n} lines)" for n, where in rows if n > MODULE_MAX_LINES]
    assert not over, f"modules over {MODULE_MAX_LINES} lines; split them: {over}"


def test_functions_are_under_the_limit():
    rows = _functions()
    print("\n" + _table(f"largest functions (limit {FUNCTION_MAX_LINES} lines):", rows))
    over = [f"{where} ({n} lines)" for n, where in rows if n > FUNCTION_MAX_LINES]
    assert not over, f"functions over {FUNCTION_MAX_LINES} lines; split them: {over}"


def test_the_counts_see_the_package():
    """The walk finds the package's modules and its known entry points (not an empty tree)."""
    modules = {where for _, where in _modules()}
    assert {"gnss/__init__.py", "gnss/coverage/run.py", "gnss/study/run.py"} <= modules
    names = {where.rsplit(" ", 1)[1] for _, where in _functions()}
    assert {"compute_coverage", "run_comparison", "plan_comparison"} <= names
