"""Command line: the click commands of ``gnss`` (parse options, call the library, print).

The only part of gnss that imports click or tqdm. May import every stage. ``main`` is the
console script (``gnss = "gnss.cli:main"``); the group lives in ``commands`` (not ``main.py``:
a submodule of that name would be hidden by the function).
"""

from .commands import main

__all__ = ["main"]
