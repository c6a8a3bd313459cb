"""Writing files safely: the one atomic-write helper and strict JSON (results: gnss.outputs.files).

Every file is written under a temporary name and renamed into place
(:func:`atomic_write`), so a failed run never leaves a half-written file, and gets the
mode the umask asks for; :class:`gnss.outputs.outdir.OutputDir` goes further and moves a whole
run's files into the output folder only when all of them were written.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np


def current_umask() -> int:
    """Return the process umask, read without changing it where the system allows (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, write: Callable[[str], object]) -> Path:
    """Write a file under a temporary name beside ``path``, then rename it onto ``path``.

    The one helper for every result file: the file gets the mode of a plain ``open``
    (``0o666 & ~umask``, not the ``0o600`` of :func:`tempfile.mkstemp`), a failure leaves
    no partial file, and an existing ``path`` is replaced only on success.

    Parameters
    ----------
    path : path
        Destination file; its folder must exist.
    write : callable
        ``write(tmp_path)`` writes the whole content to ``tmp_path`` (a str).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write(p, lambda tmp: pathlib.Path(tmp).write_text("x")).read_text()
    'x'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        # Truncate first: a writer may keep the file open after failing (HDF5 after a
        # failed close does), and an open deleted file keeps its space until the process
        # ends, on a full disk exactly the space the user needs back.
        with contextlib.suppress(OSError):
            os.truncate(tmp, 0)
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_atomic = atomic_write  # the former private name (gnss.cli.fetch)


def json_clean(value):
    """Return the plain-JSON form of ``value`` (NaN and +-inf become None).

    NumPy scalars and arrays become Python numbers and lists, tuples become lists,
    mapping keys become strings.

    Every JSON the package writes goes through this and :func:`json_text`.

    Examples
    --------
    >>> import numpy as np
    >>> json_clean({"a": np.float32(1.5), "b": [float("nan"), np.inf], "c": np.arange(2)})
    {'a': 1.5, 'b': [None, None], 'c': [0, 1]}
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, np.ndarray):
        return json_clean(value.tolist())
    if isinstance(value, dict):
        return {str(k): json_clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_clean(v) for v in value]
    return value


def json_text(doc, indent: int | None = 2) -> str:
    """``doc`` as strict JSON text (no NaN/Infinity: a value that slips through raises).

    Raises
    ------
    ValueError
        When a non-finite float remains (a type :func:`json_clean` does not know).
    """
    return json.dumps(json_clean(doc), indent=indent, allow_nan=False)


def write_json(doc, path: str | os.PathLike) -> Path:
    """Write ``doc`` as strict JSON (:func:`json_text`) plus a newline, atomically."""
    text = json_text(doc) + "\n"
    return atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
