"""The CelesTrak cache: where each group's file lives, what its sidecar records, how it is replaced.

One file per (group, format), e.g. ``gnss.csv``, ``gps-ops.tle``, plus a JSON sidecar
``gnss.csv.meta.json`` with the download time (UTC), URL, HTTP status, sha256, byte count and
number of element sets. The folder is, in order of precedence, the ``cache_dir`` argument,
``$GNSS_CACHE_DIR/celestrak``, or ``platformdirs.user_cache_dir("gnss-coverage")/celestrak``.
A downloaded body replaces the cached file only after :func:`gnss.read_elements` has read it
(:func:`store`); a cached file without a matching sidecar counts from its modification time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import GnssError, OutputError
from ..io import atomic_write, write_json
from ..timeutil import to_utc
from .celestrak_http import DownloadFailure, server_text
from .celestrak_query import CACHE_ENV, USER_AGENT, validate_format, validate_group
from .read import read_elements

log = logging.getLogger(__name__)

_SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class CacheInfo:
    """A cached element file and its sidecar record.

    Attributes
    ----------
    path : pathlib.Path
        The cached file.
    downloaded_at : datetime
        Download time (UTC); the file's modification time when the sidecar is
        missing or does not match the file (e.g. a file copied in by hand).
    age_s : float
        Seconds since ``downloaded_at``.
    url : str or None
        Where it came from (None without a matching sidecar).
    http_status : int or None
        Status of the download that produced it.
    sha256 : str
        Of the file's bytes.
    n_bytes : int
        File size.
    n_satellites : int or None
        Number of element sets, when the sidecar records it.
    """

    path: Path
    downloaded_at: datetime
    age_s: float
    url: str | None
    http_status: int | None
    sha256: str
    n_bytes: int
    n_satellites: int | None


def default_cache_dir() -> Path:
    """Folder of the CelesTrak cache: ``$GNSS_CACHE_DIR/celestrak`` or the user cache folder.

    Examples
    --------
    >>> default_cache_dir().name
    'celestrak'
    """
    root = os.environ.get(CACHE_ENV, "").strip()
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("gnss-coverage")
    return Path(root).expanduser() / "celestrak"


def cached_path(group: str, fmt: str = "csv", cache_dir: str | os.PathLike | None = None) -> Path:
    """Path of the cached file of a group and format (it may not exist).

    Parameters
    ----------
    group : str
        CelesTrak group, e.g. ``"gnss"``.
    fmt : {"csv", "tle", "json"}
        Format.
    cache_dir : path, optional
        Cache folder; default :func:`default_cache_dir`.

    Examples
    --------
    >>> cached_path("gps-ops", "tle", "/tmp/cache").as_posix()
    '/tmp/cache/gps-ops.tle'
    """
    validate_group(group)
    validate_format(fmt)
    folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    return folder / f"{group}.{fmt}"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + _SIDECAR_SUFFIX)


def now_utc(now: datetime | None = None) -> datetime:
    """Return ``now`` as timezone-aware UTC, or the current time when it is None.

    Raises
    ------
    TimeInputError
        For a naive datetime (the message shows the fix).

    Examples
    --------
    >>> from datetime import datetime, timezone, timedelta
    >>> now_utc(datetime(2026, 1, 1, 3, tzinfo=timezone(timedelta(hours=3)))).isoformat()
    '2026-01-01T00:00:00+00:00'
    """
    return datetime.now(UTC) if now is None else to_utc(now, what="now")


def cache_info(
    group: str,
    fmt: str = "csv",
    cache_dir: str | os.PathLike | None = None,
    *,
    now: datetime | None = None,
) -> CacheInfo | None:
    """Describe the cached copy of a group, or return None when there is none.

    Parameters
    ----------
    group, fmt, cache_dir
        As for :func:`cached_path`.
    now : datetime, optional
        Timezone-aware time the age is measured at; default the current time.

    Returns
    -------
    CacheInfo or None

    Examples
    --------
    >>> import tempfile
    >>> cache_info("gnss", "csv", tempfile.mkdtemp()) is None
    True
    """
    path = cached_path(group, fmt, cache_dir)
    now = now_utc(now)
    try:
        data = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError:
        return None
    sha = hashlib.sha256(data).hexdigest()
    meta, downloaded_at = _sidecar_record(path, sha)
    if downloaded_at is None:
        downloaded_at = datetime.fromtimestamp(mtime, tz=UTC)
    n_sats = meta.get("n_satellites")
    status = meta.get("http_status")
    return CacheInfo(
        path=path,
        downloaded_at=downloaded_at,
        age_s=(now - downloaded_at).total_seconds(),
        url=meta.get("url"),
        http_status=status if isinstance(status, int) else None,
        sha256=sha,
        n_bytes=len(data),
        n_satellites=n_sats if isinstance(n_sats, int) else None,
    )


def _sidecar_record(path: Path, sha: str) -> tuple[dict, datetime | None]:
    """Return the sidecar's record and download time, or ({}, None) when it does not match."""
    try:
        meta = json.loads(_sidecar(path).read_text())
    except (OSError, ValueError):
        return {}, None
    if not isinstance(meta, dict) or meta.get("sha256") != sha:
        return {}, None
    try:
        return meta, to_utc(str(meta["downloaded_at"]), what="downloaded_at")
    except (KeyError, GnssError):
        return {}, None


def _count_records(path: Path) -> int:
    """Read an element file; return its number of records (raises ElementError)."""
    con = read_elements(path)
    return sum(src.n_records for src in con.sources)


def store(
    path: Path, body: bytes, url: str, status: int, group: str, fmt: str, now: datetime
) -> int:
    """Validate ``body`` as an element file and move it onto ``path``; return its record count.

    Parameters
    ----------
    path : pathlib.Path
        The cached file (:func:`cached_path`); its folder is made when missing.
    body : bytes
        The downloaded answer.
    url, status, group, fmt
        Where it came from, recorded in the sidecar.
    now : datetime
        The download time (UTC), recorded in the sidecar.

    Returns
    -------
    int
        Number of element sets in the body.

    Raises
    ------
    DownloadFailure
        For an empty body or one :func:`gnss.read_elements` cannot read (the cache is left
        untouched).
    OutputError
        When the cache folder cannot be written.
    """
    _make_folder(path.parent)
    n_records = 0

    def write_checked(tmp_name: str) -> None:
        """Write the body beside the cache file and check it there (the cache is untouched)."""
        nonlocal n_records
        n_records = _write_checked(Path(tmp_name), body, status)

    try:
        atomic_write(path, write_checked)  # a bad body raises DownloadFailure: no file is left
    except OSError as exc:
        raise OutputError(
            f"cannot write {path} ({exc.strerror or exc}); free some space, or set {CACHE_ENV} "
            "or pass cache_dir / --cache-dir with a writable folder"
        ) from exc
    meta = {
        "group": group,
        "format": fmt,
        "url": url,
        "downloaded_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "http_status": status,
        "sha256": hashlib.sha256(body).hexdigest(),
        "n_bytes": len(body),
        "n_satellites": n_records,
        "user_agent": USER_AGENT,
    }
    _write_sidecar(path, meta)
    return n_records


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot write the CelesTrak cache folder {folder} ({exc.strerror}); "
            f"set {CACHE_ENV} or pass cache_dir / --cache-dir with a writable folder"
        ) from exc


def _write_checked(tmp: Path, body: bytes, status: int) -> int:
    """Write ``body`` to ``tmp`` and read it as an element file; return its record count."""
    tmp.write_bytes(body)
    if not body.strip():
        raise DownloadFailure(
            status,
            f"HTTP {status} with an empty body",
            "",
            "check the group name and format; try again later (not in a loop)",
        )
    try:
        return _count_records(tmp)
    except GnssError as exc:
        what = str(exc).replace(str(tmp), "answer")
        raise DownloadFailure(
            status,
            f"HTTP {status} but the body is not a valid element set ({what})",
            server_text(body[:2000]),
            "check the group name and format; try again later (not in a loop)",
        ) from exc


def _write_sidecar(path: Path, meta: dict) -> None:
    side = _sidecar(path)
    try:
        write_json(meta, side)
    except OSError as exc:  # the element file is in place; without its sidecar it counts by mtime
        log.warning("cannot write %s (%s)", side, exc)


def usable(info: CacheInfo | None) -> tuple[CacheInfo | None, int | None]:
    """Return the cache entry and its record count, or (None, None) when unreadable."""
    if info is None:
        return None, None
    if info.n_satellites is not None:
        return info, info.n_satellites
    try:
        return info, _count_records(info.path)
    except GnssError as exc:
        log.info("ignoring the cached file %s: %s", info.path, exc)
        return None, None
