"""The result files of a run: NetCDF (CF), summary JSON and CSV, each written atomically."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..io import atomic_write, write_json

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["write_netcdf", "write_summary_csv", "write_summary_json"]


def write_netcdf(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a coverage dataset to NetCDF-4 (compressed), atomically.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage`.
    path : path
        Destination file.

    Returns
    -------
    pathlib.Path
    """
    encoding = {name: {"zlib": True, "complevel": 4, "dtype": "float32"}
                for name in cell_float_vars(ds)}  # fmt: skip

    return atomic_write(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4", encoding=encoding))


def cell_float_vars(ds: xr.Dataset) -> list[str]:
    """Return the per-cell float variables, stored as float32 (NetCDF and Zarr alike)."""
    return [name for name, var in ds.data_vars.items()
            if var.dtype.kind == "f" and var.ndim >= 2 and "lat" in var.dims]  # fmt: skip


def write_summary_json(summary: dict, metadata: dict, path: str | os.PathLike) -> Path:
    """Write ``{"sets": summary, "run": metadata}`` as JSON (NaN becomes null), atomically."""
    return write_json({"sets": summary, "run": metadata}, path)


def write_summary_csv(summary: dict, path: str | os.PathLike) -> Path:
    """Write one row per set and one column per summary key, atomically."""
    keys: list[str] = []
    for r in summary.values():
        keys += [k for k in r if k not in keys]

    def write(tmp):
        with open(tmp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["set", *keys])
            for name, r in summary.items():
                w.writerow(
                    [name]
                    + [
                        ("" if r.get(k) is None or not math.isfinite(r[k]) else repr(float(r[k])))
                        for k in keys
                    ]
                )

    return atomic_write(path, write)
