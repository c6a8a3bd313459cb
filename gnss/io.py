"""Writing results: NetCDF (CF), summary CSV/JSON, and an all-or-nothing output folder.

Every file is written under a temporary name and renamed into place, so a
failed run never leaves a half-written file; :class:`OutputDir` goes further
and moves a whole run's files into the output folder only when all of them
were written.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import OutputError


class OutputDir:
    """Stage a run's files in a hidden temporary folder; publish them all at the end.

    Parameters
    ----------
    path : path
        Destination folder (created if needed).
    overwrite : bool
        Allow replacing files that already exist there.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputDir(d / "run") as out:
    ...     _ = (out.path("a.txt")).write_text("x")
    >>> sorted(p.name for p in (d / "run").iterdir())
    ['a.txt']
    """

    def __init__(self, path: str | os.PathLike, overwrite: bool = False):
        self.final = Path(path)
        self.overwrite = overwrite
        self._staging: Path | None = None
        if self.final.exists() and not self.final.is_dir():
            raise OutputError(
                f"output {self.final} exists and is not a folder; give a folder path with -o"
            )

    def __enter__(self) -> OutputDir:
        try:
            self.final.mkdir(parents=True, exist_ok=True)
            self._staging = Path(tempfile.mkdtemp(prefix=".gnss-partial-", dir=self.final))
        except OSError as exc:
            raise OutputError(
                f"cannot create the output folder {self.final}: {exc.strerror}"
            ) from exc
        return self

    def path(self, name: str) -> Path:
        """Where to write ``name`` while staging."""
        assert self._staging is not None, "use OutputDir as a context manager"
        return self._staging / name

    def check_free(self, names: list[str]) -> None:
        """Refuse (before any work) if files would be replaced without ``overwrite``."""
        if self.overwrite:
            return
        taken = [n for n in names if (self.final / n).exists()]
        if taken:
            raise OutputError(
                f"{self.final} already holds {', '.join(taken[:5])}"
                f"{' ...' if len(taken) > 5 else ''}; "
                "pass --overwrite or choose another folder with -o"
            )

    def __exit__(self, exc_type, exc, tb) -> None:
        staging, self._staging = self._staging, None
        try:
            if exc_type is None:
                self.check_free([p.name for p in staging.iterdir()])
                for p in sorted(staging.iterdir()):
                    os.replace(p, self.final / p.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if exc_type is not None and not any(self.final.iterdir()):
                self.final.rmdir()


def _atomic(path: Path, write) -> Path:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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
    encoding = {
        name: {"zlib": True, "complevel": 4, "dtype": "float32"}
        for name, var in ds.data_vars.items()
        if var.dtype.kind == "f" and var.ndim >= 2 and "lat" in var.dims
    }
    return _atomic(Path(path), lambda tmp: ds.to_netcdf(tmp, engine="netcdf4", encoding=encoding))


def _clean(value):
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_summary_json(summary: dict, metadata: dict, path: str | os.PathLike) -> Path:
    """Write ``{"sets": summary, "run": metadata}`` as JSON (NaN becomes null), atomically."""
    doc = {"sets": _clean(summary), "run": _clean(metadata)}
    text = json.dumps(doc, indent=2, sort_keys=False) + "\n"
    return _atomic(Path(path), lambda tmp: Path(tmp).write_text(text))


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

    return _atomic(Path(path), write)
