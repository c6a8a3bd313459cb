"""The client's merge of the tiles: exact, and in the order of a single-process run.

Per-point statistics are placed at their rows (each cell is computed whole by one task);
global DOP extremes are minima/maxima; the zone sums of each group (fixed-bin histograms
and sums, weighted by area) are added in group order, as :func:`gnss.coverage.run.run_groups`
adds them, whatever order the tasks finish in.
"""

from __future__ import annotations

import numpy as np

from ..coverage.blocks import POINT_AXIS, BlockOutputs, GlobalExtremes, place_rows

__all__ = ["POINT_AXIS", "GlobalExtremes", "TileMerge", "place_rows"]
from ..coverage.groups import ZoneTotals
from .tasks import TileResult


class TileMerge:
    """Collects :class:`~gnss.scale.tasks.TileResult` objects into one run's outputs."""

    def __init__(self, out: BlockOutputs | GlobalExtremes, n_tiles: int, sink=None):
        """Merge into ``out``, or send the per-point fields to ``sink``.

        ``sink.add(start, stop, outputs)`` takes each tile's per-point fields as they arrive
        (``out`` then a :class:`GlobalExtremes`); None: they are placed into ``out``.
        """
        self.out = out
        self.sink = sink
        self.totals = ZoneTotals()
        self.pending: dict[int, list] = {}
        self.next_tile = 0
        self.n_tiles = n_tiles
        self.done_points = 0

    def add(self, res: TileResult) -> None:
        """Place one tile's statistics; add the zone sums of every tile now in order."""
        for name in ("dop_min_global", "dop_max_global"):  # run-wide extremes
            pick = np.minimum if "_min" in name else np.maximum
            setattr(self.out, name, pick(getattr(self.out, name), getattr(res.outputs, name)))
        if self.sink is not None:
            self.sink.add(res.start, res.stop, res.outputs)
        else:
            place_rows(self.out, res.outputs, slice(res.start, res.stop))
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
