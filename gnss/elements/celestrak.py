"""Download CelesTrak GP element sets politely, with a local cache.

CelesTrak updates its GP data at most every 2 hours and answers a repeat
download inside that window with HTTP 403; clients must stop on any non-200
answer instead of retrying. So :func:`fetch_group`

- makes no request at all while the cached copy is younger than
  ``min_interval_s`` (2 hours by default);
- otherwise makes exactly one GET (never a retry);
- replaces the cache only with a body that :func:`gnss.read_elements` can read
  (written to a temporary file in the cache folder, read back, then renamed
  over the cached file), so a truncated or garbled answer never becomes the
  cache;
- on any failure (non-200 answer, timeout, connection error, bad body) falls
  back to the cached copy with a warning that quotes the server, or raises
  :class:`FetchError` when there is no cached copy.

Cache layout: one file per (group, format), e.g. ``gnss.csv``, ``gps-ops.tle``,
plus a JSON sidecar ``gnss.csv.meta.json`` with the download time (UTC), URL,
HTTP status, sha256, byte count and number of element sets. The folder is, in
order of precedence, the ``cache_dir`` argument, ``$GNSS_CACHE_DIR/celestrak``,
or ``platformdirs.user_cache_dir("gnss-coverage")/celestrak``. A cached file
without a matching sidecar (e.g. copied in by hand) counts from its
modification time.

Downloading (not run here, it needs the network):

>>> from gnss.elements.celestrak import fetch_group
>>> res = fetch_group("gnss")  # doctest: +SKIP
>>> res.path, res.n_satellites  # doctest: +SKIP
(PosixPath('/home/me/.cache/gnss-coverage/celestrak/gnss.csv'), 135)

The parts live beside this module: the query (:mod:`gnss.elements.celestrak_query`: URL,
groups, formats), the single request with its deadline (:mod:`gnss.elements.celestrak_http`)
and the cache (:mod:`gnss.elements.celestrak_cache`); their public names are re-exported
here. This module never prints; the command line (:mod:`gnss.cli.fetch`) does.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import GnssError, ParameterError
from .celestrak_cache import (
    CacheInfo,
    cache_info,
    cached_path,
    default_cache_dir,
    now_utc,
    store,
    usable,
)
from .celestrak_http import DownloadFailure, get_once
from .celestrak_query import (
    CACHE_ENV,
    FORMATS,
    GP_URL,
    KNOWN_GROUPS,
    MIN_INTERVAL_S,
    USER_AGENT,
    gp_url,
    validate_format,
    validate_group,
)

__all__ = [
    "CACHE_ENV",
    "FORMATS",
    "GP_URL",
    "KNOWN_GROUPS",
    "MIN_INTERVAL_S",
    "USER_AGENT",
    "CacheInfo",
    "FetchError",
    "FetchResult",
    "cache_info",
    "cached_path",
    "default_cache_dir",
    "fetch_group",
    "gp_url",
    "validate_group",
]

log = logging.getLogger(__name__)


class FetchError(GnssError):
    """A download failed and no cached copy could stand in.

    Attributes
    ----------
    url : str
        The URL requested.
    http_status : int or None
        HTTP status of the answer; None for a timeout or connection error.
    reason : str
        What went wrong, e.g. ``"HTTP 403 Forbidden"`` or ``"timed out after 30 s"``.
    server_message : str
        The server's text (trimmed), or ``""``.
    """

    def __init__(
        self, message: str, *, url: str = "", http_status=None, reason="", server_message=""
    ):
        super().__init__(message)
        self.url = url
        self.http_status = http_status
        self.reason = reason
        self.server_message = server_message


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch_group` returns.

    Attributes
    ----------
    path : pathlib.Path
        The cached element file (valid: it was read by :func:`gnss.read_elements`).
    group : str
        CelesTrak group name.
    fmt : str
        ``"csv"``, ``"tle"`` or ``"json"``.
    downloaded_at : datetime
        When the file was downloaded (timezone-aware UTC).
    age_s : float
        Seconds between ``downloaded_at`` and the time of the call.
    from_cache : bool
        True when the file was not downloaded by this call.
    warning : str or None
        Set when a refresh failed and the cached copy stands in: quotes the
        server and says how old the copy is.
    http_status : int or None
        Status of this call's request; None when no request was made or no
        answer came (timeout, connection error).
    n_satellites : int
        Number of element sets (records) in the file.
    url : str
        The URL of the (attempted or cached) download.
    """

    path: Path
    group: str
    fmt: str
    downloaded_at: datetime
    age_s: float
    from_cache: bool
    warning: str | None
    http_status: int | None
    n_satellites: int
    url: str = ""


def fetch_group(
    group: str,
    *,
    fmt: str = "csv",
    cache_dir: str | os.PathLike | None = None,
    force: bool = False,
    min_interval_s: float = MIN_INTERVAL_S,
    timeout_s: float = 30.0,
    base_url: str = GP_URL,
    now: datetime | None = None,
) -> FetchResult:
    """Return a CelesTrak GP element set from the cache, downloading it when due.

    Parameters
    ----------
    group : str
        CelesTrak group: ``gps-ops``, ``glo-ops``, ``galileo``, ``beidou``,
        ``gnss`` or any other name made of ``[a-z0-9-]``.
    fmt : {"csv", "tle", "json"}
        OMM CSV (default), TLE/3LE or OMM JSON.
    cache_dir : path, optional
        Cache folder; default ``$GNSS_CACHE_DIR/celestrak``, else the user cache folder.
    force : bool
        Request even when the cached copy is younger than ``min_interval_s``
        (CelesTrak may answer 403; the cached copy then stands in).
    min_interval_s : float
        No request while the cached copy is younger than this (2 h: CelesTrak's update interval).
    timeout_s : float
        Overall time limit of the single request (connection, headers and body), in
        seconds; a server that trickles bytes is cut off at this deadline.
    base_url : str
        GP endpoint (for mirrors and tests).
    now : datetime, optional
        Timezone-aware current time (for tests); default the clock.

    Returns
    -------
    FetchResult
        ``from_cache`` tells whether a request brought the file; ``warning``
        is set when a refresh failed and the cached copy stands in.

    Raises
    ------
    FetchError
        When the request fails (non-200 answer, timeout, connection error, a
        truncated or unreadable body) and there is no cached copy. The message
        has the URL, the status or reason, the server's text and what to do.
    ParameterError
        For an invalid group, format, URL or number.
    OutputError
        When the cache folder cannot be written.

    Examples
    --------
    A cached copy younger than two hours is returned without any request:

    >>> import shutil, tempfile
    >>> from gnss import nominal_element_files
    >>> d = tempfile.mkdtemp()
    >>> _ = shutil.copy(nominal_element_files(["R"])[0], cached_path("glo-ops", "tle", d))
    >>> res = fetch_group("glo-ops", fmt="tle", cache_dir=d)
    >>> res.from_cache, res.http_status, res.n_satellites, res.warning
    (True, None, 24, None)
    """
    url = _checked_url(group, fmt, base_url, min_interval_s, timeout_s)
    now = now_utc(now)
    path = cached_path(group, fmt, cache_dir)
    info, n_cached = usable(cache_info(group, fmt, path.parent, now=now))
    if info is not None and not force and 0 <= info.age_s < min_interval_s:
        log.info("%s: cached copy is %.2f h old, no request", path, info.age_s / 3600)
        return _cached_result(info, n_cached, group, fmt, url, None, None)
    try:
        status, body = get_once(url, group, timeout_s)
        n_records = store(path, body, url, status, group, fmt, now)
    except DownloadFailure as fail:
        return _fall_back(fail, info, n_cached, group, fmt, url, path)
    return _downloaded_result(path, group, fmt, now, status, n_records, url)


def _checked_url(
    group: str, fmt: str, base_url: str, min_interval_s: float, timeout_s: float
) -> str:
    """Check the arguments of :func:`fetch_group`; return the URL to ask."""
    validate_group(group)
    validate_format(fmt)
    url = gp_url(group, fmt, base_url)
    if not (min_interval_s >= 0):
        raise ParameterError(f"min_interval_s must be >= 0, got {min_interval_s!r}")
    if not (timeout_s > 0):
        raise ParameterError(f"timeout_s must be > 0, got {timeout_s!r}")
    return url


def _cached_result(
    info: CacheInfo,
    n_cached: int,
    group: str,
    fmt: str,
    url: str,
    warning: str | None,
    status: int | None,
) -> FetchResult:
    return FetchResult(
        path=info.path,
        group=group,
        fmt=fmt,
        downloaded_at=info.downloaded_at,
        age_s=info.age_s,
        from_cache=True,
        warning=warning,
        http_status=status,
        n_satellites=n_cached,
        url=info.url or url,
    )


def _fall_back(
    fail: DownloadFailure,
    info: CacheInfo | None,
    n_cached: int | None,
    group: str,
    fmt: str,
    url: str,
    path: Path,
) -> FetchResult:
    """After a failed attempt: the cached copy with a warning, or FetchError without one."""
    quoted = f': "{fail.message}"' if fail.message else ""
    if info is not None:
        warning = (
            f"{url}: {fail.reason}{quoted}. Using the cached copy {info.path} downloaded "
            f"{info.downloaded_at:%Y-%m-%d %H:%M} UTC ({info.age_s / 3600:.1f} h old)"
        )
        return _cached_result(info, n_cached, group, fmt, url, warning, fail.status)
    raise FetchError(
        f"cannot download {url}: {fail.reason}{quoted}. "
        f"No usable cached copy in {path.parent}. What to do: {fail.advice}.",
        url=url,
        http_status=fail.status,
        reason=fail.reason,
        server_message=fail.message,
    ) from fail


def _downloaded_result(
    path: Path, group: str, fmt: str, now: datetime, status: int, n_records: int, url: str
) -> FetchResult:
    return FetchResult(
        path=path,
        group=group,
        fmt=fmt,
        downloaded_at=now,
        age_s=0.0,
        from_cache=False,
        warning=None,
        http_status=status,
        n_satellites=n_records,
        url=url,
    )
