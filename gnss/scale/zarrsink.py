"""The per-cell fields of a run written into ``coverage.zarr`` as the groups or tiles arrive.

Used by one process (:func:`gnss.coverage.run.run_groups`, groups in order) and by a Dask
run (:mod:`gnss.scale.runner`, tiles in any order) alike: the same code writes the store.

The store is created first with the full shape (metadata only: a lazily built template,
``to_zarr(compute=False)``), chunked by whole latitude rows (about :data:`CHUNK_POINTS` cells a
chunk, one set a chunk). A tile is a range of points in latitude-major order, so it fills
parts of one or more chunks: its statistics are buffered per chunk only until the chunk is
complete, then turned into the dataset's per-cell variables (the code of
:func:`gnss.coverage.dataset.build_dataset`, the accuracy and the differences, in float64,
stored as float32 like the NetCDF) and written with ``to_zarr(region=...)``. The client holds
the chunks still incomplete (tiles arriving out of order), never the grid's statistics.

The accuracy's weighted pass (``--uere-m``, sets mixing range errors) is a second round of
tiles: its sink writes the accuracy fields of the weighted sets only (a set is its own chunk),
which the plain pass left NaN.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import xarray as xr

from ..analysis.differences import add_differences
from ..coverage.accuracy import ACCURACY_VARS, add_accuracy, cell_accuracy, weighted_sets
from ..coverage.dataset import add_cell_fields, dataset_coords
from ..coverage.grouprun import GroupWork
from ..coverage.uere import uere_sigma_m
from ..outputs.zarrstore import ZARR_FORMAT, cell_encoding
from .merge import place_rows

#: Cells a chunk of the store aims at (whole latitude rows): 65536, the largest tile.
CHUNK_POINTS = 65536
#: Cells whose statistics the memory plan counts for a store written tile by tile: eight
#: chunks (the chunks incomplete at once are those the tiles in flight straddle; three
#: measured at 0.25 deg on 2 workers, README "Scale-out"). Many workers on a fine grid hold
#: more: about the cells of the tiles in flight.
HELD_POINTS_PLANNED = 8 * CHUNK_POINTS
#: Statistics of the per-cell DOP array's first axis (BlockOutputs.dop), in order.
_STATS = ("mean", "median", "p95", "max")


class RowChunks:
    """A sink (``add(start, stop, outputs)``) that buffers points until a chunk is complete.

    Parameters
    ----------
    n_lat, n_lon : int
        The grid; points are latitude-major (point = row * n_lon + column).
    rows_per_chunk : int
    new_outputs : callable
        ``new_outputs(n_points)``: empty BlockOutputs for a chunk.
    emit : callable
        ``emit(outputs, rows)``: a complete chunk (``rows``: its slice of latitude rows).

    Attributes
    ----------
    peak_points : int
        The most points held at once (buffered chunks), to show the client's bound.
    n_emitted : int
    """

    def __init__(self, n_lat: int, n_lon: int, rows_per_chunk: int, new_outputs, emit):
        self.n_lat, self.rows = n_lat, rows_per_chunk
        self.chunk_points, self.n_points = rows_per_chunk * n_lon, n_lat * n_lon
        self.new_outputs, self.emit = new_outputs, emit
        self.buffers: dict[int, list] = {}  # chunk -> [outputs, points received]
        self.peak_points = 0
        self.n_emitted = 0

    def add(self, start: int, stop: int, part) -> None:
        """Take points ``start:stop`` (``part``: BlockOutputs of those points)."""
        p = start
        while p < stop:
            c = p // self.chunk_points
            c0 = c * self.chunk_points
            c1 = min(self.n_points, c0 + self.chunk_points)
            q = min(stop, c1)
            entry = self.buffers.get(c)
            if entry is None:
                entry = self.buffers[c] = [self.new_outputs(c1 - c0), 0]
            place_rows(entry[0], _points(part, slice(p - start, q - start)), slice(p - c0, q - c0))
            entry[1] += q - p
            held = sum(e[0].fix_fraction.shape[0] for e in self.buffers.values())
            self.peak_points = max(self.peak_points, held)
            if entry[1] == c1 - c0:
                del self.buffers[c]
                self.emit(entry[0], slice(c * self.rows, min(self.n_lat, (c + 1) * self.rows)))
                self.n_emitted += 1
            p = q

    def close(self) -> None:
        """Check that every chunk was complete and written."""
        if self.buffers:
            raise RuntimeError(f"chunks {sorted(self.buffers)} of the store were not complete")


def _points(part, sl: slice) -> SimpleNamespace:
    """Points ``sl`` of the per-point fields of BlockOutputs ``part`` (views)."""
    from .merge import POINT_AXIS

    return SimpleNamespace(**{
        name: value[(slice(None),) * POINT_AXIS.get(name, 0) + (sl,)]
        for name, value in vars(part).items()
        if isinstance(value, np.ndarray) and not name.endswith("_global")
    })  # fmt: skip


class ZarrCells:
    """The per-cell fields of a run into the store at ``path``, chunk by chunk.

    Given to :func:`gnss.coverage.run.compute_resolved` as ``cells`` (with a Dask grid
    runner): :meth:`plain` creates the store and returns the plain pass's sink,
    :meth:`weighted` the weighted pass's; :meth:`close` checks every chunk was written.

    Attributes
    ----------
    stats : dict
        ``rows_per_chunk``, ``chunks_written`` and ``peak_points`` (most points buffered).
    """

    def __init__(self, path, resolved, grid, config, rows_per_chunk: int | None = None):
        self.path = Path(path)
        self.resolved, self.specs = list(resolved), [r.spec for r in resolved]
        self.grid, self.config = grid, config
        self.rows = rows_per_chunk or max(1, min(grid.n_lat, -(-CHUNK_POINTS // grid.n_lon)))
        self.sigma = uere_sigma_m(dict(config.uere_m)) if config.uere_m is not None else None
        self.used: list[str] = []
        self._sinks: list[RowChunks] = []
        self._ref = float("nan")
        self.stats: dict = {"rows_per_chunk": self.rows}

    def plain(self, layout) -> RowChunks:
        """Create the store (full shape, no data) and return the plain pass's sink."""
        self.used = list(layout.systems)
        band = self._band(GroupWork.outputs_for(layout, self.grid.n_lon), slice(0, 1))
        self._template(band).to_zarr(self.path, mode="w-", compute=False,
                                     zarr_format=ZARR_FORMAT,
                                     encoding=cell_encoding(band))  # fmt: skip
        return self._sink(layout, self._write_plain)

    def weighted(self, sub_layout, sigma_ref: float) -> RowChunks:
        """Return the weighted pass's sink: accuracy of the sets that need it (``sub_layout``)."""
        self._ref = float(sigma_ref)
        return self._sink(sub_layout, self._write_weighted)

    def close(self) -> None:
        """Check every chunk was written; fill ``stats``."""
        for sink in self._sinks:
            sink.close()
        peak = max((s.peak_points for s in self._sinks), default=0)
        self.stats.update(chunks_written=sum(s.n_emitted for s in self._sinks), peak_points=peak)

    def _sink(self, layout, emit) -> RowChunks:
        sink = RowChunks(self.grid.n_lat, self.grid.n_lon, self.rows,
                         lambda n: GroupWork.outputs_for(layout, n), emit)  # fmt: skip
        self._sinks.append(sink)
        return sink

    def _band(self, out, rows: slice) -> xr.Dataset:
        """Return the per-cell variables of latitude rows ``rows`` (float64, as in one process)."""
        g = self.grid
        ds = xr.Dataset(coords={"set": [s.name for s in self.specs], "lat": g.lat_deg[rows],
                                "lon": g.lon_deg, "system": self.used})  # fmt: skip
        add_cell_fields(ds, out, self.specs, self.used, self.config)
        if self.sigma is not None:  # the weighted sets stay NaN: the weighted pass writes them
            fields = cell_accuracy(out, None, float("nan"), self.resolved, self.sigma,
                                   weighted_sets(self.resolved, self.sigma))  # fmt: skip
            add_accuracy(ds, fields, g, self.resolved, self.sigma)
        ds["set_systems"] = ("set", [",".join(s.systems) for s in self.specs])
        ds["set_plain"] = ("set", [int(s.is_plain) for s in self.specs])
        ds = add_differences(ds)
        return ds[[n for n, v in ds.data_vars.items() if "lat" in v.dims]]

    def _template(self, band: xr.Dataset) -> xr.Dataset:
        """Return the store's layout: each per-cell variable at full size, lazily (no data)."""
        import dask.array as da

        g = self.grid
        coords = dataset_coords(self.specs, self.used, g, 1)
        sizes = dict(band.sizes) | {"lat": g.n_lat}
        tmpl = xr.Dataset(coords={k: coords[k] for k in ("set", "lat", "lon", "system")})
        if "combined" in band.coords:
            tmpl = tmpl.assign_coords(combined=band["combined"].values)
        one = {"set": 1, "combined": 1, "lat": self.rows}
        for name, var in band.data_vars.items():
            shape = tuple(sizes[d] for d in var.dims)
            chunks = tuple(one.get(d, sizes[d]) for d in var.dims)
            tmpl[name] = (var.dims, da.empty(shape, chunks=chunks, dtype=var.dtype), var.attrs)
        return tmpl

    def _write_plain(self, out, rows: slice) -> None:
        band = self._band(out, rows)
        band.drop_vars(list(band.coords)).to_zarr(self.path, region={"lat": rows},
                                                  zarr_format=ZARR_FORMAT)  # fmt: skip

    def _write_weighted(self, out_w, rows: slice) -> None:
        """Accuracy of the weighted sets, as :func:`cell_accuracy` computes it."""
        n_rows, n_lon = rows.stop - rows.start, self.grid.n_lon
        flags = weighted_sets(self.resolved, self.sigma)
        for j, k in enumerate(np.flatnonzero(flags)):
            part = xr.Dataset()
            for v, (dop_row, factor, _) in ACCURACY_VARS.items():
                for i, stat in enumerate(_STATS):
                    values = out_w.dop[i, :, j, dop_row] * (factor * self._ref)
                    part[f"{v}_m_{stat}"] = (("set", "lat", "lon"),
                                             values.reshape(1, n_rows, n_lon))  # fmt: skip
            part.to_zarr(self.path, region={"set": slice(int(k), int(k) + 1), "lat": rows},
                         zarr_format=ZARR_FORMAT)  # fmt: skip
