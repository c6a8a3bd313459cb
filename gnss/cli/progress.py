"""What long commands show on stderr: log messages, a progress bar per stage, timings.

The library reports progress through a callback ``progress(stage, done, total)``;
:class:`Progress` is that callback for the CLI (a tqdm bar on a terminal, and the one line
"compiling kernels (first run only)" even on a pipe).
"""

from __future__ import annotations

import logging
import sys
import time

import click

from .options import MessageFormatter

log = logging.getLogger("gnss")


def setup_logging(verbose: int, quiet: bool) -> None:
    """Send the ``gnss`` logger to stderr as ``Warning:``/``Error:`` lines at -v/-q's level."""
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MessageFormatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


class Progress:
    """A tqdm bar per stage on a terminal; stage timings either way."""

    def __init__(self, enabled: bool, quiet: bool = False):
        self.enabled = enabled
        self.quiet = quiet
        self.bar = None
        self.stage = None
        self.t_stage = time.perf_counter()
        self.timings: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show ``done`` of ``total`` for ``stage`` (a new stage closes the previous bar)."""
        if stage != self.stage:
            self.close()
            self.stage, self.t_stage = stage, time.perf_counter()
            if stage == "compile" and done == 0 and not self.quiet:  # said on a pipe too
                click.echo("compiling kernels (first run only)", err=True)
            if self.enabled:
                from tqdm import tqdm

                self.bar = tqdm(
                    total=total, desc=f"{stage:>9}", file=sys.stderr, leave=False, unit=""
                )
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        """End the current stage: record its time, remove its bar."""
        if self.stage is not None:
            self.timings[self.stage] = time.perf_counter() - self.t_stage
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.stage = None
