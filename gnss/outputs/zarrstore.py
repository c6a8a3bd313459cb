"""``coverage.zarr``: the run's dataset as a Zarr store (``--format zarr``), read back lazily.

The store holds what ``coverage.nc`` holds: the same variables, dimensions, coordinates and
attributes, the per-cell fields as float32 (as in the NetCDF), so that ``xr.open_zarr`` of it
equals ``xr.open_dataset`` of the NetCDF of the same run. A run writes the per-cell fields
chunk by chunk, group by group in one process or tile by tile on Dask
(:mod:`gnss.scale.zarrsink`), and :func:`finish_store` adds the rest (zone sums, set metadata,
provenance) at the end; given a whole dataset instead, it writes it all. What is drawn or
summed afterwards reads the store one variable at a time (:func:`open_store`), never the whole
grid's statistics at once.

Needs the ``zarr`` package (the ``dask`` extra: ``pip install ".[dask]"``).
"""

from __future__ import annotations

import os
from pathlib import Path

import xarray as xr

from ..analysis.differences import add_differences
from ..errors import ParameterError
from .files import cell_float_vars

#: The store's name in the output folder.
STORE_NAME = "coverage.zarr"
#: The Zarr format written (2: read by every Zarr reader, strings and consolidated
#: metadata without the format-3 warnings).
ZARR_FORMAT = 2


def require_zarr() -> None:
    """Refuse ``--format zarr`` (before any work) when the zarr package is not importable.

    Raises
    ------
    ParameterError
        Naming the package and the install command (``parameter`` is "format").
    """
    try:
        import zarr  # noqa: F401
    except ImportError as exc:
        raise ParameterError(
            f"--format zarr needs the zarr package, which is not importable ({exc}); install "
            'it with pip install ".[dask]", or write the default NetCDF (--format netcdf)',
            parameter="format",
        ) from exc


def cell_encoding(ds: xr.Dataset) -> dict:
    """Return the encoding of the per-cell float fields: float32, as in the NetCDF."""
    return {name: {"dtype": "float32"} for name in cell_float_vars(ds)}


def finish_store(ds: xr.Dataset, path: str | os.PathLike, cells_written: bool) -> xr.Dataset:
    """Complete the store at ``path`` and return it opened lazily (:func:`open_store`).

    ``cells_written``: the per-cell fields are already in the store (a Dask run,
    :class:`gnss.scale.zarrsink.ZarrCells`) and ``ds`` holds the rest, which is added with
    the global attributes; False: ``ds`` is the whole dataset, written now with its
    differences (:func:`gnss.analysis.differences.add_differences`).
    """
    path = Path(path)
    if cells_written:
        rest = ds.drop_vars([c for c in ("set", "lat", "lon", "system") if c in ds.coords])
        rest.to_zarr(path, mode="a", zarr_format=ZARR_FORMAT, encoding=cell_encoding(rest))
        # The coordinates the cells were written with get their attributes here.
        _set_coord_attrs(path, ds)
    else:
        ds = add_differences(ds)
        ds.to_zarr(path, mode="w-", zarr_format=ZARR_FORMAT, encoding=cell_encoding(ds))
    return open_store(path)


def _set_coord_attrs(path: Path, ds: xr.Dataset) -> None:
    """Give the store's coordinates the attributes of ``ds``'s (the global ones: to_zarr)."""
    import zarr
    from xarray.backends.zarr import encode_zarr_attr_value

    group = zarr.open_group(str(path), mode="r+", zarr_format=ZARR_FORMAT)
    for name in ("set", "lat", "lon", "system"):
        if name in ds.coords:
            group[name].attrs.update({k: encode_zarr_attr_value(v)
                                      for k, v in ds[name].attrs.items()})  # fmt: skip
    zarr.consolidate_metadata(str(path), zarr_format=ZARR_FORMAT)


def open_store(path: str | os.PathLike) -> xr.Dataset:
    """Open ``coverage.zarr`` lazily: each variable is read when used, and not kept.

    No dask chunks (a computation would otherwise go to a Dask client that may run
    elsewhere) and no cache, so the maps and the summary hold one field at a time.
    """
    return xr.open_dataset(path, engine="zarr", chunks=None, cache=False,
                           zarr_format=ZARR_FORMAT)  # fmt: skip
