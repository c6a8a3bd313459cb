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
or ``platformdirs.user_cache_dir("gnss-coverage")/celestrak``.

This module never prints; the command line (:mod:`gnss.cli.fetch`) does.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..errors import GnssError, OutputError, ParameterError
from ..inputfile import MAX_ELEMENT_FILE_BYTES
from ..io import atomic_write, write_json
from ..timeutil import to_utc
from .read import read_elements

log = logging.getLogger(__name__)

#: CelesTrak's GP query endpoint (https://celestrak.org/NORAD/documentation/gp-data-formats.php).
GP_URL = "https://celestrak.org/NORAD/elements/gp.php"
#: GNSS groups CelesTrak offers; any other name made of ``[a-z0-9-]`` is accepted too.
KNOWN_GROUPS = ("gps-ops", "glo-ops", "galileo", "beidou", "gnss")
#: Formats: OMM CSV (the default), TLE/3LE, OMM JSON.
FORMATS = ("csv", "tle", "json")
#: CelesTrak updates GP data at most every 2 hours and answers repeat downloads with 403.
MIN_INTERVAL_S = 7200.0
#: Environment variable naming the package's cache root (CelesTrak files go to ``celestrak/``).
CACHE_ENV = "GNSS_CACHE_DIR"
USER_AGENT = f"gnss-coverage/{__version__} (Python urllib; GNSS coverage engine)"

_GROUP_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_MESSAGE_MAX_CHARS = 300
_SIDECAR_SUFFIX = ".meta.json"


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


def validate_group(group: str) -> str:
    """Check a CelesTrak group name and return it.

    Parameters
    ----------
    group : str
        Lower-case letters, digits and hyphens, starting with a letter or digit,
        at most 64 characters, e.g. ``"gps-ops"``.

    Raises
    ------
    ParameterError
        For any other text.

    Examples
    --------
    >>> validate_group("glo-ops")
    'glo-ops'
    >>> validate_group("GPS-OPS")
    Traceback (most recent call last):
    ...
    gnss.errors.ParameterError: invalid CelesTrak group 'GPS-OPS': ...
    """
    if not isinstance(group, str) or not _GROUP_RE.fullmatch(group):
        hint = ""
        if isinstance(group, str) and _GROUP_RE.fullmatch(group.strip().lower()):
            hint = f" Did you mean {group.strip().lower()!r}?"
        raise ParameterError(
            f"invalid CelesTrak group {group!r}: expected lower-case letters, digits and '-' "
            f"(at most 64 characters), e.g. one of {', '.join(KNOWN_GROUPS)}.{hint}"
        )
    return group


def _check_fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ParameterError(f"invalid format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return fmt


def gp_url(group: str, fmt: str = "csv", base_url: str = GP_URL) -> str:
    """Build the GP query URL for a group and format.

    Examples
    --------
    >>> gp_url("gnss")
    'https://celestrak.org/NORAD/elements/gp.php?GROUP=gnss&FORMAT=csv'
    """
    validate_group(group)
    _check_fmt(fmt)
    scheme = urllib.parse.urlsplit(base_url).scheme
    if scheme not in ("http", "https"):
        raise ParameterError(
            f"invalid base URL {base_url!r}: expected an http:// or https:// URL such as {GP_URL}"
        )
    return f"{base_url}?{urllib.parse.urlencode({'GROUP': group, 'FORMAT': fmt})}"


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
    _check_fmt(fmt)
    folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    return folder / f"{group}.{fmt}"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + _SIDECAR_SUFFIX)


def _now(now) -> datetime:
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
    now = _now(now)
    try:
        data = path.read_bytes()
        mtime = path.stat().st_mtime
    except OSError:
        return None
    sha = hashlib.sha256(data).hexdigest()
    meta = {}
    try:
        meta = json.loads(_sidecar(path).read_text())
        if not isinstance(meta, dict) or meta.get("sha256") != sha:
            meta = {}
    except (OSError, ValueError):
        meta = {}
    downloaded_at = None
    if meta:
        try:
            downloaded_at = to_utc(str(meta["downloaded_at"]), what="downloaded_at")
        except (KeyError, GnssError):
            meta = {}
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


def _count_records(path: Path) -> int:
    """Read an element file; return its number of records (raises ElementError)."""
    con = read_elements(path)
    return sum(src.n_records for src in con.sources)


def _trim(text: str, limit: int = _MESSAGE_MAX_CHARS) -> str:
    if "<" in text and re.search(r"<\s*(html|body|p|h\d|title|!doctype)\b", text, re.I):
        text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.I | re.S)
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _decode(body: bytes) -> str:
    return _trim(body.decode("utf-8", errors="replace"))


class _Failure(Exception):
    """One failed attempt: status (or None), reason, server text and advice."""

    def __init__(self, status: int | None, reason: str, message: str, advice: str):
        super().__init__(reason)
        self.status, self.reason, self.message, self.advice = status, reason, message, advice


def _advice_for_status(status: int, group: str) -> str:
    if status == 403:
        return (
            "CelesTrak answers 403 when the same data was already downloaded since its last "
            "update (data change at most every 2 hours) or after too many requests; wait at "
            "least 2 hours before asking again, and do not retry in a loop"
        )
    if status == 404:
        return (
            f"check the group name {group!r} (GNSS groups: {', '.join(KNOWN_GROUPS)}) and the URL"
        )
    if 500 <= status < 600:
        return "the server has a problem; try again later (not in a loop)"
    return "try again later (not in a loop)"


class _Deadline:
    """An overall deadline for one request: at expiry every socket it opened is shut down.

    urllib's ``timeout`` bounds each socket operation, so a server that sends a byte now
    and then never times out. Shutting the socket down (on a duplicate descriptor, which
    stays valid when TLS wraps the original) makes any blocked read return at once.
    """

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.expired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._timer = threading.Timer(timeout_s, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        with self._lock:
            for s in self._socks:
                s.close()
            self._socks.clear()

    def watch(self, sock: socket.socket) -> socket.socket:
        """Register a freshly connected socket (shut down at once if already expired)."""
        dup = sock.dup()
        with self._lock:
            self._socks.append(dup)
            if self.expired:
                _shutdown(dup)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for s in self._socks:
                _shutdown(s)

    def connection_class(self, http_class):
        """Wrap an ``http.client`` connection class so that its sockets are watched."""

        def make(*args, **kwargs):
            conn = http_class(*args, **kwargs)
            create = conn._create_connection
            conn._create_connection = lambda *a, **k: self.watch(create(*a, **k))
            return conn

        return make


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the other side


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):  # noqa: D102
        return super().do_open(self._deadline.connection_class(http_class), req, **kwargs)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):  # noqa: D102
        return super().do_open(self._deadline.connection_class(http_class), req, **kwargs)


def _urlopen(req: urllib.request.Request, timeout_s: float, deadline: _Deadline):
    """Open ``req`` with sockets watched by ``deadline`` (proxies from the environment)."""
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    return opener.open(req, timeout=timeout_s)


_LATER = "try again later, or use element files you have (--elements FILE)"


def _get(url: str, group: str, timeout_s: float) -> tuple[int, bytes]:
    """One GET within ``timeout_s`` overall; return (200, body) or raise _Failure. No retry."""
    log.info("GET %s", url)
    with _Deadline(timeout_s) as deadline:
        try:
            status, body = _request(url, group, timeout_s, deadline)
        except _Failure as fail:
            if deadline.expired:
                raise _timed_out(timeout_s) from fail
            raise
        if deadline.expired:  # a body without a length, cut at the deadline
            raise _timed_out(timeout_s)
    return status, body


def _timed_out(timeout_s: float) -> _Failure:
    return _Failure(
        None,
        f"no complete answer within the timeout of {timeout_s:g} s "
        "(overall: connection, headers and body)",
        "",
        f"check the network connection or allow more time (timeout_s / --timeout-s); {_LATER}",
    )


def _read_body(resp) -> bytes:
    """Read the body to its end, refusing more than MAX_ELEMENT_FILE_BYTES."""
    chunks, total = [], 0
    while chunk := resp.read(min(1 << 20, MAX_ELEMENT_FILE_BYTES + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_ELEMENT_FILE_BYTES:
            raise _Failure(
                resp.status,
                f"the answer is larger than {MAX_ELEMENT_FILE_BYTES // (1024 * 1024)} MiB, "
                "far more than any GP element set",
                "",
                "check the group name and the URL (--base-url)",
            )
    return b"".join(chunks)


def _request(url: str, group: str, timeout_s: float, deadline: _Deadline) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    later = _LATER
    try:
        with _urlopen(req, timeout_s, deadline) as resp:
            status = resp.status
            body = _read_body(resp)
            declared = resp.headers.get("Content-Length")
    except urllib.error.HTTPError as exc:
        try:
            text = _decode(exc.read() or b"")
        except (OSError, http.client.HTTPException):
            text = ""
        reason = f"HTTP {exc.code} {exc.reason}".rstrip()
        raise _Failure(exc.code, reason, text, _advice_for_status(exc.code, group)) from exc
    except TimeoutError as exc:
        raise _Failure(
            None,
            f"no answer within the timeout of {timeout_s:g} s",
            "",
            f"check the network connection or allow more time (timeout_s / --timeout-s); {later}",
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            reason = f"no answer within the timeout of {timeout_s:g} s"
        else:
            reason = f"connection failed ({exc.reason})"
        raise _Failure(
            None, reason, "", f"check the network connection and proxy settings; {later}"
        ) from exc
    except http.client.IncompleteRead as exc:
        got, missing = len(exc.partial), exc.expected
        raise _Failure(
            200,
            f"truncated answer: got {got} bytes"
            + (f", {missing} announced bytes missing" if missing else ""),
            "",
            f"the connection broke during the download; {later}",
        ) from exc
    except (http.client.HTTPException, OSError) as exc:
        raise _Failure(
            None,
            f"the connection failed ({type(exc).__name__}: {exc})",
            "",
            f"check the network connection; {later}",
        ) from exc
    if status != 200:
        raise _Failure(
            status,
            f"HTTP {status} (expected 200)",
            _decode(body),
            _advice_for_status(status, group),
        )
    if declared is not None and declared.isdigit() and int(declared) != len(body):
        raise _Failure(
            200,
            f"truncated answer: got {len(body)} of {declared} announced bytes",
            "",
            f"the connection broke during the download; {later}",
        )
    return status, body


def _store(
    path: Path, body: bytes, url: str, status: int, group: str, fmt: str, now: datetime
) -> int:
    """Validate ``body`` as an element file and move it onto ``path``; return its record count.

    Raises _Failure for a bad body (the cache is left untouched) and OutputError
    when the cache folder cannot be written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot write the CelesTrak cache folder {path.parent} ({exc.strerror}); "
            f"set {CACHE_ENV} or pass cache_dir / --cache-dir with a writable folder"
        ) from exc
    n_records = 0

    def write_checked(tmp_name: str) -> None:
        """Write the body beside the cache file and check it there (the cache is untouched)."""
        nonlocal n_records
        tmp = Path(tmp_name)
        tmp.write_bytes(body)
        if not body.strip():
            raise _Failure(
                status,
                f"HTTP {status} with an empty body",
                "",
                "check the group name and format; try again later (not in a loop)",
            )
        try:
            n_records = _count_records(tmp)
        except GnssError as exc:
            what = str(exc).replace(str(tmp), "answer")
            raise _Failure(
                status,
                f"HTTP {status} but the body is not a valid element set ({what})",
                _decode(body[:2000]),
                "check the group name and format; try again later (not in a loop)",
            ) from exc

    try:
        atomic_write(path, write_checked)  # a bad body raises _Failure: no file is left
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
    side = _sidecar(path)
    try:
        write_json(meta, side)
    except OSError as exc:  # the element file is in place; without its sidecar it counts by mtime
        log.warning("cannot write %s (%s)", side, exc)
    return n_records


def _usable(info: CacheInfo | None) -> tuple[CacheInfo | None, int | None]:
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
        Folder of the cached files; default :func:`default_cache_dir`
        (``$GNSS_CACHE_DIR/celestrak`` or the user cache folder).
    force : bool
        Request even when the cached copy is younger than ``min_interval_s``
        (CelesTrak may answer 403; the cached copy then stands in).
    min_interval_s : float
        No request is made while the cached copy is younger than this
        (2 hours: CelesTrak's update interval).
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

    Notes
    -----
    One attempt, never a retry: CelesTrak asks clients to stop on any
    non-200 answer. A body replaces the cache only after
    :func:`gnss.read_elements` has read it. A cached file without a matching
    sidecar (e.g. copied in by hand) counts from its modification time.

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

    Downloading (not run here, it needs the network):

    >>> res = fetch_group("gnss")  # doctest: +SKIP
    >>> res.path, res.n_satellites  # doctest: +SKIP
    (PosixPath('/home/me/.cache/gnss-coverage/celestrak/gnss.csv'), 135)
    """
    validate_group(group)
    _check_fmt(fmt)
    url = gp_url(group, fmt, base_url)
    if not (min_interval_s >= 0):
        raise ParameterError(f"min_interval_s must be >= 0, got {min_interval_s!r}")
    if not (timeout_s > 0):
        raise ParameterError(f"timeout_s must be > 0, got {timeout_s!r}")
    now = _now(now)
    path = cached_path(group, fmt, cache_dir)
    info, n_cached = _usable(cache_info(group, fmt, path.parent, now=now))

    def cached_result(warning: str | None, status: int | None) -> FetchResult:
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

    if info is not None and not force and 0 <= info.age_s < min_interval_s:
        log.info("%s: cached copy is %.2f h old, no request", path, info.age_s / 3600)
        return cached_result(None, None)

    try:
        status, body = _get(url, group, timeout_s)
        n_records = _store(path, body, url, status, group, fmt, now)
    except _Failure as fail:
        quoted = f': "{fail.message}"' if fail.message else ""
        if info is not None:
            warning = (
                f"{url}: {fail.reason}{quoted}. Using the cached copy {info.path} downloaded "
                f"{info.downloaded_at:%Y-%m-%d %H:%M} UTC ({info.age_s / 3600:.1f} h old)"
            )
            return cached_result(warning, fail.status)
        raise FetchError(
            f"cannot download {url}: {fail.reason}{quoted}. "
            f"No usable cached copy in {path.parent}. What to do: {fail.advice}.",
            url=url,
            http_status=fail.status,
            reason=fail.reason,
            server_message=fail.message,
        ) from fail
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
