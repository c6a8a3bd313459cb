"""One HTTP GET to CelesTrak within an overall deadline, and what a failed attempt says.

:func:`get_once` makes exactly one request (never a retry: CelesTrak asks clients to stop on
any non-200 answer) and returns ``(200, body)`` or raises :class:`DownloadFailure` with the
status, the reason, the server's text (trimmed, HTML tags removed) and what to do. The
deadline bounds the whole request, connection, headers and body: a server that trickles bytes
is cut off (:class:`Deadline`). Bodies over
:data:`gnss.inputfile.MAX_ELEMENT_FILE_BYTES` are refused while they arrive.
"""

from __future__ import annotations

import http.client
import logging
import re
import socket
import threading
import urllib.error
import urllib.request

from ..inputfile import MAX_ELEMENT_FILE_BYTES
from .celestrak_query import KNOWN_GROUPS, USER_AGENT

log = logging.getLogger(__name__)

_MESSAGE_MAX_CHARS = 300
_LATER = "try again later, or use element files you have (--elements FILE)"


def _trim(text: str, limit: int = _MESSAGE_MAX_CHARS) -> str:
    if "<" in text and re.search(r"<\s*(html|body|p|h\d|title|!doctype)\b", text, re.I):
        text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.I | re.S)
        text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def server_text(body: bytes) -> str:
    """Turn a server's answer into one short line for a message (HTML tags removed, trimmed).

    Examples
    --------
    >>> server_text(b"<html><body><p>Forbidden:  too many requests</p></body></html>")
    'Forbidden: too many requests'
    """
    return _trim(body.decode("utf-8", errors="replace"))


class DownloadFailure(Exception):
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


class Deadline:
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

    def __enter__(self) -> Deadline:
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
    def __init__(self, deadline: Deadline):
        super().__init__()
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):  # noqa: D102
        return super().do_open(self._deadline.connection_class(http_class), req, **kwargs)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self._deadline = deadline

    def do_open(self, http_class, req, **kwargs):  # noqa: D102
        return super().do_open(self._deadline.connection_class(http_class), req, **kwargs)


def urlopen(req: urllib.request.Request, timeout_s: float, deadline: Deadline):
    """Open ``req`` with sockets watched by ``deadline`` (proxies from the environment).

    :func:`get_once` calls it through this module's name, so a test can replace it.
    """
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    return opener.open(req, timeout=timeout_s)


def get_once(url: str, group: str, timeout_s: float) -> tuple[int, bytes]:
    """One GET within ``timeout_s`` overall; return (200, body) or raise DownloadFailure.

    Parameters
    ----------
    url : str
        The GP query URL.
    group : str
        Its group (for the advice after a 404).
    timeout_s : float
        Overall limit of the request (connection, headers and body), in seconds.

    Returns
    -------
    status : int
        200.
    body : bytes
        The whole answer (its announced length checked).

    Raises
    ------
    DownloadFailure
        For a non-200 answer, a timeout, a connection error, a truncated answer or one over
        :data:`gnss.inputfile.MAX_ELEMENT_FILE_BYTES`. Never retried.
    """
    log.info("GET %s", url)
    with Deadline(timeout_s) as deadline:
        try:
            status, body = _request(url, group, timeout_s, deadline)
        except DownloadFailure as fail:
            if deadline.expired:
                raise _timed_out(timeout_s) from fail
            raise
        if deadline.expired:  # a body without a length, cut at the deadline
            raise _timed_out(timeout_s)
    return status, body


def _timed_out(timeout_s: float) -> DownloadFailure:
    return DownloadFailure(
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
            raise DownloadFailure(
                resp.status,
                f"the answer is larger than {MAX_ELEMENT_FILE_BYTES // (1024 * 1024)} MiB, "
                "far more than any GP element set",
                "",
                "check the group name and the URL (--base-url)",
            )
    return b"".join(chunks)


def _request(url: str, group: str, timeout_s: float, deadline: Deadline) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urlopen(req, timeout_s, deadline) as resp:
            status = resp.status
            body = _read_body(resp)
            declared = resp.headers.get("Content-Length")
    except (http.client.HTTPException, OSError) as exc:
        raise _failure_of(exc, group, timeout_s) from exc
    _check_answer(status, body, declared, group)
    return status, body


def _failure_of(exc: Exception, group: str, timeout_s: float) -> DownloadFailure:
    """Translate what urllib raised (HTTP error, timeout, connection, short body) to a failure."""
    later = _LATER
    if isinstance(exc, urllib.error.HTTPError):
        try:
            text = server_text(exc.read() or b"")
        except (OSError, http.client.HTTPException):
            text = ""
        reason = f"HTTP {exc.code} {exc.reason}".rstrip()
        return DownloadFailure(exc.code, reason, text, _advice_for_status(exc.code, group))
    if isinstance(exc, TimeoutError):
        return DownloadFailure(
            None,
            f"no answer within the timeout of {timeout_s:g} s",
            "",
            f"check the network connection or allow more time (timeout_s / --timeout-s); {later}",
        )
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, TimeoutError):
            reason = f"no answer within the timeout of {timeout_s:g} s"
        else:
            reason = f"connection failed ({exc.reason})"
        return DownloadFailure(
            None, reason, "", f"check the network connection and proxy settings; {later}"
        )
    if isinstance(exc, http.client.IncompleteRead):
        got, missing = len(exc.partial), exc.expected
        return DownloadFailure(
            200,
            f"truncated answer: got {got} bytes"
            + (f", {missing} announced bytes missing" if missing else ""),
            "",
            f"the connection broke during the download; {later}",
        )
    return DownloadFailure(
        None,
        f"the connection failed ({type(exc).__name__}: {exc})",
        "",
        f"check the network connection; {later}",
    )


def _check_answer(status: int, body: bytes, declared: str | None, group: str) -> None:
    """Refuse an answer that is not 200 or shorter than its announced Content-Length."""
    if status != 200:
        raise DownloadFailure(
            status,
            f"HTTP {status} (expected 200)",
            server_text(body),
            _advice_for_status(status, group),
        )
    if declared is not None and declared.isdigit() and int(declared) != len(body):
        raise DownloadFailure(
            200,
            f"truncated answer: got {len(body)} of {declared} announced bytes",
            "",
            f"the connection broke during the download; {_LATER}",
        )
