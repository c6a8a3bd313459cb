"""One careful way to open an input file: regular files only, size capped.

A FIFO, a terminal or ``/dev/zero`` given as an input would block ``open`` or never reach
end of file, so every input file is opened here with ``O_NONBLOCK`` (opening a FIFO then
returns at once), checked with ``fstat`` on the open descriptor (no race between the check
and the read) and read up to a cap; a larger file is refused with its size and the cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import GnssError

_MIB = 1024 * 1024
#: Largest element file read (bytes). CelesTrak's whole ``active`` catalogue (~11 000
#: objects) is ~2.5 MB as 3LE and ~7 MB as OMM JSON, so 64 MiB is far above any real file.
MAX_ELEMENT_FILE_BYTES = 64 * _MIB
#: Largest reference orbit file (SP3, RINEX navigation). A daily MGEX SP3 at 5 min is ~3 MB,
#: at 30 s ~30 MB; a merged daily multi-GNSS RINEX 3 navigation file is ~10 MB.
MAX_REFERENCE_FILE_BYTES = 256 * _MIB
#: Largest region polygon file. Natural Earth 1:10m countries are ~10 MB; detailed national
#: boundary GeoPackages are a few hundred MB.
MAX_REGION_FILE_BYTES = 1024 * _MIB

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((text for test, text in _KINDS if test(mode)), "not a regular file")


def _size_text(n_bytes: int) -> str:
    return f"{n_bytes / _MIB:.1f} MiB ({n_bytes} bytes)"


def too_large(path: str, n_bytes: int, max_bytes: int, what: str) -> str:
    """Message for a file above the cap: its size, the cap and the fix."""
    return (
        f"{path}: the {what} is {_size_text(n_bytes)}, more than the limit of "
        f"{_size_text(max_bytes)}; this is not a {what} of the expected kind. Check the path"
    )


def _not_regular(path: str, mode: int, what: str) -> str:
    why = "" if stat.S_ISDIR(mode) else " (reading it could block forever or never end)"
    return (
        f"{path}: cannot read the {what}: it is {_kind(mode)}, expected a regular file{why}. "
        "Check the path" + ("" if stat.S_ISDIR(mode) else ", or save the data to a file first")
    )


def check_input_file(
    path: str | os.PathLike,
    *,
    what: str,
    max_bytes: int,
    error: type[GnssError] = GnssError,
    allow_dir: bool = False,
) -> int:
    """Refuse anything but a regular file of at most ``max_bytes``; return its size.

    Parameters
    ----------
    path : path
        The input file (symbolic links are followed).
    what : str
        What the file should be, for the message (e.g. ``"element file"``).
    max_bytes : int
        Size cap in bytes.
    error : type
        The :class:`~gnss.errors.GnssError` subclass to raise.
    allow_dir : bool
        Accept a directory too (GDAL reads a folder of shapefiles); its size is 0.

    Raises
    ------
    GnssError
        (``error``) for a missing or unreadable path, a FIFO, device, socket (or a
        directory unless ``allow_dir``), or a file larger than ``max_bytes``.
    """
    p = str(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
    except IsADirectoryError:
        if allow_dir:
            return 0
        raise error(_not_regular(p, stat.S_IFDIR, what)) from None
    except OSError as exc:
        raise error(f"{p}: cannot read the {what} ({exc.strerror}). Check the path") from exc
    try:
        st = os.fstat(fd)
    finally:
        os.close(fd)
    if stat.S_ISDIR(st.st_mode) and allow_dir:
        return 0
    if not stat.S_ISREG(st.st_mode):
        raise error(_not_regular(p, st.st_mode, what))
    if st.st_size > max_bytes:
        raise error(too_large(p, st.st_size, max_bytes, what))
    return st.st_size


def read_input_file(
    path: str | os.PathLike, *, what: str, max_bytes: int, error: type[GnssError] = GnssError
) -> bytes:
    """Read a regular file of at most ``max_bytes`` (see :func:`check_input_file`).

    The read itself is capped too, so a file that grows after the check cannot make it
    read more than ``max_bytes + 1`` bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.tle"
    >>> _ = p.write_text("hello")
    >>> read_input_file(p, what="element file", max_bytes=10)
    b'hello'
    >>> read_input_file("/dev/zero", what="element file", max_bytes=10)
    Traceback (most recent call last):
    ...
    gnss.errors.GnssError: /dev/zero: cannot read the element file: it is a character device, ...
    """
    check_input_file(path, what=what, max_bytes=max_bytes, error=error)
    p = str(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced since the check
                raise error(_not_regular(p, os.fstat(f.fileno()).st_mode, what))
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{p}: cannot read the {what} ({exc.strerror}). Check the path") from exc
    if len(data) > max_bytes:
        raise error(too_large(p, Path(p).stat().st_size, max_bytes, what))
    return data
