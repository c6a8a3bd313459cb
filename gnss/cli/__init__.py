"""Command line: the click commands of ``gnss`` (options and printing only).

The only subpackage that imports click or tqdm. May import everything in gnss.
"""

from .commands import main

__all__ = ["main"]
