"""Checks of an output folder: leftovers of interrupted runs, free space, writability.

Used by :class:`gnss.outputs.outdir.OutputDir` when a run opens its output folder.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import socket
from pathlib import Path

log = logging.getLogger("gnss.outputs.outdir")

STAGING_PREFIX = ".gnss-partial-"
OWNER_FILE = ".gnss-owner"
_STAGING_RE = re.compile(rf"^{re.escape(STAGING_PREFIX)}(\d+)-")
_MB = 1e6


def write_owner(staging: Path, started: str) -> None:
    """Record the process that owns a staging folder (read by :func:`remove_leftovers`)."""
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": started}
    (staging / OWNER_FILE).write_text(json.dumps(owner))


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove staging folders of runs into ``folder`` whose process is gone; report others.

    Returns
    -------
    list of pathlib.Path
        The staging folders removed.
    """
    removed = []
    for p in sorted(Path(folder).glob(f"{STAGING_PREFIX}*")):
        if not p.is_dir():
            continue
        pid, host = _owner_of(p)
        if pid is None:
            log.warning("%s: staged files of an unknown run; remove the folder if no gnss run "
                        "is writing into %s", p, folder)  # fmt: skip
        elif host not in (None, socket.gethostname()):
            log.warning("%s: staged files of a run on host %s (process %d); left in place",
                        p, host, pid)  # fmt: skip
        elif _alive(pid, p):
            log.info("%s: another run (process %d) is writing into %s", p.name, pid, folder)
        else:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
            log.warning("removed %s: staged files of an interrupted run (process %d is no "
                        "longer running)", p, pid)  # fmt: skip
    return removed


def _owner_of(staging: Path) -> tuple[int | None, str | None]:
    try:
        owner = json.loads((staging / OWNER_FILE).read_text())
        return int(owner["pid"]), str(owner["host"])
    except (OSError, ValueError, KeyError, TypeError):
        m = _STAGING_RE.match(staging.name)  # killed before the owner file was written
        return (int(m[1]), None) if m else (None, None)


def _alive(pid: int, staging: Path) -> bool:
    """Whether the process that made ``staging`` still runs (not a zombie, not a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:  # Linux: a zombie (dead, not yet reaped) is not running; a pid started later is reused
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        stat = Path("/proc/stat").read_text().splitlines()
        boot_s = next(int(line.split()[1]) for line in stat if line.startswith("btime"))
        started_s = boot_s + int(fields[19]) / os.sysconf("SC_CLK_TCK")
        owner = staging / OWNER_FILE
        made_s = (owner if owner.exists() else staging).stat().st_mtime
    except (OSError, ValueError, IndexError, StopIteration):
        return True
    return fields[0] != "Z" and started_s <= made_s + 2.0  # btime is whole seconds


def missing_folders(path: Path) -> list[Path]:
    """``path`` and its parents that do not exist yet, deepest first."""
    out = []
    for p in (path, *path.parents):
        if p.exists() or p.is_symlink():
            break
        out.append(p)
    return out


def nearest_existing(path: Path) -> Path:
    """Return ``path`` or its nearest parent that exists."""
    for p in (path, *path.absolute().parents):
        if p.exists():
            return p
    return Path("/")


def _mount_point(path: Path) -> Path:
    p = nearest_existing(path).resolve()
    while not os.path.ismount(p) and p != p.parent:
        p = p.parent
    return p


def tree_bytes(folder: Path) -> int:
    """Return the bytes of the files under ``folder``."""
    total = 0
    for root, _, files in os.walk(folder):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def no_space_message(folder: Path, needed: float, free: float) -> str:
    """Return the "no space left on ..." message for ``folder``."""
    return (
        f"no space left on {_mount_point(folder)} (for {folder}): needed about "
        f"{needed / _MB:.1f} MB, free {free / _MB:.1f} MB; free some space or choose "
        "another folder with -o"
    )


def unwritable_message(folder: Path, exc: OSError) -> str:
    """Return the message for an output folder that cannot be created or written."""
    near = nearest_existing(folder)
    if not near.is_dir():
        why = f"{near} is a file, not a folder"
    elif not os.access(near, os.W_OK | os.X_OK):
        why = f"{near} is not writable by this user"
    else:
        why = f"{exc.strerror or exc}"
    return (
        f"cannot write into the output folder {folder}: {why} ({exc.strerror or exc}); "
        "choose a writable folder with -o (checked before any work)"
    )


def disk_full_error(err: BaseException, folder: Path, needed_bytes: float):
    """Return an :class:`gnss.OutputError` saying "no space left" when ``err`` is a full disk.

    ``err`` (or an exception it was raised from) is an ``OSError`` with ``ENOSPC`` or
    ``EDQUOT`` (also when a map worker raised it), or netCDF4's ``RuntimeError: NetCDF:
    HDF error`` while the disk under ``folder`` has less than 1 MB free (HDF5 does not pass
    the errno on). None otherwise.
    """
    from ..errors import OutputError

    chain, e = [], err
    while e is not None and len(chain) < 6:
        chain.append(e)
        e = e.__cause__ or e.__context__
    try:
        free = shutil.disk_usage(nearest_existing(folder)).free
    except OSError:
        free = None
    codes = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    full = any(isinstance(e, OSError) and e.errno in codes for e in chain) or any(
        isinstance(e, RuntimeError) and "HDF error" in str(e) and free is not None and free < _MB
        for e in chain
    )
    return OutputError(no_space_message(folder, needed_bytes, free or 0)) if full else None
