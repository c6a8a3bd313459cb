"""The client's merge of the tiles: exact, and in the order of a single-process run.

Per-point statistics are placed at their rows (each cell is computed whole by one task);
global DOP extremes are minima/maxima; the zone sums of each group (fixed-bin histograms
and sums, weighted by area) are added in group order, as :func:`gnss.coverage.run.run_groups`
adds them, whatever order the tasks finish in.
"""

from __future__ import annotations

import numpy as np

from ..coverage.blocks import BlockOutputs
from ..coverage.groups import ZoneTotals
from .tasks import TileResult


def _place(full: np.ndarray, part: np.ndarray, sl: slice) -> None:
    """Copy a tile's per-point field into the run's: points are the axis where they differ."""
    axis = next((a for a in range(full.ndim) if full.shape[a] != part.shape[a]), 0)
    index = (slice(None),) * axis + (sl,)
    full[index] = part


class TileMerge:
    """Collects :class:`~gnss.scale.tasks.TileResult` objects into one run's outputs."""

    def __init__(self, out: BlockOutputs, n_tiles: int):
        self.out = out
        self.totals = ZoneTotals()
        self.pending: dict[int, list] = {}
        self.next_tile = 0
        self.n_tiles = n_tiles
        self.done_points = 0

    def add(self, res: TileResult) -> None:
        """Place one tile's statistics; add the zone sums of every tile now in order."""
        sl = slice(res.start, res.stop)
        for name, value in vars(res.outputs).items():
            if not isinstance(value, np.ndarray):
                continue
            if name.endswith("_global"):  # run-wide extremes (BlockOutputs.fold)
                pick = np.minimum if "_min" in name else np.maximum
                setattr(self.out, name, pick(getattr(self.out, name), value))
            else:
                _place(getattr(self.out, name), value, sl)
        self.pending[res.index] = res.group_sums
        while self.next_tile in self.pending:
            for sums in self.pending.pop(self.next_tile):
                self.totals.add(sums)
            self.next_tile += 1
        self.done_points += res.stop - res.start

    def zone_sums(self) -> dict[str, np.ndarray]:
        """Return the run's zone sums (every tile must have been added)."""
        if self.next_tile != self.n_tiles:
            raise RuntimeError(f"merged {self.next_tile} of {self.n_tiles} tiles")
        return self.totals.sums
