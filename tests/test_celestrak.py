"""CelesTrak download with a cache, against a scripted local HTTP server (never the network)."""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
import json
import socket
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
import pytest
from click.testing import CliRunner
from sgp4.api import Satrec
from sgp4.exporter import export_omm, export_tle

import gnss
from gnss.cli.fetch import fetch
from gnss.elements import celestrak
from gnss.elements.celestrak import (
    GP_URL,
    FetchError,
    cache_info,
    cached_path,
    default_cache_dir,
    fetch_group,
    gp_url,
)
from gnss.errors import GnssError, ParameterError, TimeInputError
from gnss.io import current_umask

T0 = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)
TIMEOUT_S = 0.3  # the "slow" answer waits much longer than this
TRICKLE_GAP_S = 0.1  # a trickling server sends one byte this often ...
HUGE_MIB = 65  # one MiB above gnss.inputfile.MAX_ELEMENT_FILE_BYTES
TRICKLE_MAX_S = 8.0  # ... for this long at most (so the test ends even on a per-read timeout)
CELESTRAK_403 = (
    "GP data has not updated since your last successful download of GROUP=gnss at "
    "2026-10-06 12:00:00 UTC.\nData is updated once every 2 hours.\n"
    "A maximum of 10 downloads of the same group per 2 hours is allowed."
)
# Column order of CelesTrak's FORMAT=csv answers.
OMM_COLUMNS = [
    "OBJECT_NAME",
    "OBJECT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE",
    "NORAD_CAT_ID",
    "ELEMENT_SET_NO",
    "REV_AT_EPOCH",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
]
N_NOMINAL = 102  # 24 GPS + 24 GLONASS + 24 Galileo + 30 BeiDou in the shipped nominal sets


# --------------------------------------------------------------------------- bodies


@lru_cache(maxsize=1)
def omm_records() -> tuple[dict, ...]:
    out = []
    for sat in gnss.read_elements(gnss.nominal_element_files()).satellites:
        l1, l2 = export_tle(sat.satrec)
        # The nominal sets carry no international designator, which export_omm needs.
        l1 = l1[:9] + "26001A  " + l1[17:]
        out.append(export_omm(Satrec.twoline2rv(l1, l2), sat.name))
    return tuple(out)


@cache
def body_for(fmt: str) -> bytes:
    if fmt == "tle":
        return "".join(p.read_text() for p in gnss.nominal_element_files()).encode()
    if fmt == "json":
        return json.dumps(list(omm_records())).encode()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, OMM_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(omm_records())
    return buf.getvalue().encode()


# --------------------------------------------------------------------------- server


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type="text/plain; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        srv = self.server
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        group, fmt = query.get("GROUP", ""), query.get("FORMAT", "")
        with srv.lock:
            srv.requests.append(
                {"path": parts.path, "query": query, "ua": self.headers.get("User-Agent")}
            )
        action = srv.script.get(group, "ok")
        if action == "ok":
            self._send(200, body_for(fmt), "text/csv" if fmt == "csv" else "text/plain")
        elif action == "forbidden":
            self._send(403, CELESTRAK_403.encode())
        elif action == "missing":
            self._send(404, b"<html><body><h1>Not Found</h1></body></html>", "text/html")
        elif action == "server_error":
            self._send(503, b"Service Unavailable: maintenance")
        elif action == "slow":
            srv.release.wait(5.0)  # far beyond TIMEOUT_S; released at teardown
            self._send(200, body_for(fmt))
        elif action == "truncated":
            body = body_for(fmt)
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True  # then the socket closes: a short body
        elif action in ("trickle_body", "trickle_headers"):
            # One byte every TRICKLE_GAP_S (well inside any per-read timeout), for at most
            # TRICKLE_MAX_S: a per-read timeout never fires, only an overall deadline does.
            body = body_for(fmt)
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            slow, fast = (body, head) if action == "trickle_body" else (head, b"")
            self.wfile.write(fast)
            for k in range(int(TRICKLE_MAX_S / TRICKLE_GAP_S)):
                if srv.release.wait(TRICKLE_GAP_S):
                    break
                self.wfile.write(slow[k : k + 1])
                self.wfile.flush()
            self.close_connection = True
        elif action == "huge":  # more than any element file, sent as fast as possible
            chunk = b"0" * (1 << 20)
            self.send_response(200)
            self.send_header("Content-Length", str(len(chunk) * HUGE_MIB))
            self.end_headers()
            for _ in range(HUGE_MIB):
                self.wfile.write(chunk)
        elif action == "garbage":
            self._send(200, b"No GP data found\n")
        elif action == "empty":
            self._send(200, b"")
        else:  # pragma: no cover
            raise AssertionError(action)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that timed out: not a failure
        pass


class Scripted:
    def __init__(self, srv: _Server):
        self.srv = srv
        self.url = f"http://127.0.0.1:{srv.server_address[1]}/NORAD/elements/gp.php"
        self.script = srv.script
        self.requests = srv.requests

    @property
    def count(self) -> int:
        with self.srv.lock:
            return len(self.requests)


@pytest.fixture
def server():
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.lock = threading.Lock()
    srv.requests = []
    srv.script = {}
    srv.release = threading.Event()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield Scripted(srv)
    finally:
        srv.release.set()
        srv.shutdown()
        srv.server_close()
        thread.join(5)


# --------------------------------------------------------------------------- guards


def _loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in ("localhost", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch, tmp_path):
    """Any connection to a non-loopback address fails the test; no proxy, no user cache."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            raise AssertionError(f"network access attempted: {address!r}")

    def connect(sock, address):
        check(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock, address):
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _loopback(host):
            raise AssertionError(f"network access attempted: name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for var in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)
    monkeypatch.setenv("GNSS_CACHE_DIR", str(tmp_path / "env-cache"))


def test_guard_refuses_outside_addresses():
    with pytest.raises(AssertionError, match="network access"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)  # TEST-NET-1
    with pytest.raises(AssertionError, match="celestrak.org"):
        socket.getaddrinfo("celestrak.org", 443)


# --------------------------------------------------------------------------- helpers


def get(server, cache, group="gnss", **kw):
    kw.setdefault("now", T0)
    kw.setdefault("timeout_s", TIMEOUT_S)
    return fetch_group(group, cache_dir=cache, base_url=server.url, **kw)


def leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.glob(".*")) if cache.exists() else []


def snapshot(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(cache.iterdir())}


# --------------------------------------------------------------------------- library


def test_first_fetch_downloads_and_caches(server, tmp_path):
    cache = tmp_path / "cache"
    res = get(server, cache)
    assert server.count == 1
    req = server.requests[0]
    assert req["path"] == "/NORAD/elements/gp.php"
    assert req["query"] == {"GROUP": "gnss", "FORMAT": "csv"}  # OMM CSV by default
    assert req["ua"].startswith("gnss-coverage/")
    assert res.path == cache / "gnss.csv" and res.path.read_bytes() == body_for("csv")
    assert (res.group, res.fmt, res.from_cache, res.warning) == ("gnss", "csv", False, None)
    assert (res.http_status, res.n_satellites, res.age_s) == (200, N_NOMINAL, 0)
    assert res.downloaded_at == T0
    meta = json.loads((cache / "gnss.csv.meta.json").read_text())
    assert meta["downloaded_at"] == "2026-10-06T12:00:00Z"
    assert meta["url"] == res.url == f"{server.url}?GROUP=gnss&FORMAT=csv"
    assert meta["http_status"] == 200
    assert meta["n_bytes"] == len(body_for("csv"))
    assert meta["sha256"] == hashlib.sha256(body_for("csv")).hexdigest()
    assert meta["n_satellites"] == N_NOMINAL
    assert sorted(p.name for p in cache.iterdir()) == ["gnss.csv", "gnss.csv.meta.json"]
    assert len(gnss.read_elements(res.path)) == N_NOMINAL
    info = cache_info("gnss", "csv", cache, now=T0 + timedelta(minutes=30))
    assert info.age_s == 1800 and info.n_satellites == N_NOMINAL and info.url == res.url


def test_cache_files_get_the_mode_of_every_other_file(server, tmp_path):
    # Written through gnss.io.atomic_write: the umask's mode, not mkstemp's 0600.
    cache = tmp_path / "cache"
    res = get(server, cache)
    want = 0o666 & ~current_umask()
    assert res.path.stat().st_mode & 0o777 == want
    assert (cache / "gnss.csv.meta.json").stat().st_mode & 0o777 == want
    assert leftovers(cache) == []


def test_inside_two_hours_no_request_after_two_hours_a_new_one(server, tmp_path):
    cache = tmp_path / "cache"
    get(server, cache)
    res = get(server, cache, now=T0 + timedelta(hours=1, minutes=59))
    assert server.count == 1  # no request at all
    assert res.from_cache and res.http_status is None and res.warning is None
    assert res.age_s == pytest.approx(7140.0) and res.downloaded_at == T0
    assert res.n_satellites == N_NOMINAL and res.path == cache / "gnss.csv"
    res = get(server, cache, now=T0 + timedelta(hours=2))
    assert server.count == 2
    assert not res.from_cache and res.http_status == 200 and res.age_s == 0
    meta = json.loads((cache / "gnss.csv.meta.json").read_text())
    assert meta["downloaded_at"] == "2026-10-06T14:00:00Z"


def test_min_interval_and_force(server, tmp_path):
    cache = tmp_path / "cache"
    get(server, cache)
    get(server, cache, now=T0 + timedelta(minutes=10), force=True)
    assert server.count == 2
    get(server, cache, now=T0 + timedelta(minutes=20), min_interval_s=300)
    assert server.count == 3
    get(server, cache, now=T0 + timedelta(minutes=21), min_interval_s=300)
    assert server.count == 3


@pytest.mark.parametrize(("fmt", "suffix"), [("tle", "gnss.tle"), ("json", "gnss.json")])
def test_tle_and_json_on_request(server, tmp_path, fmt, suffix):
    res = get(server, tmp_path, fmt=fmt)
    assert server.requests[0]["query"] == {"GROUP": "gnss", "FORMAT": fmt}
    assert res.path == tmp_path / suffix and res.n_satellites == N_NOMINAL
    assert res.path.read_bytes() == body_for(fmt)
    # Formats are cached separately: the CSV is still to be fetched.
    get(server, tmp_path, fmt="csv")
    assert server.count == 2


def test_403_after_a_download_falls_back_to_the_cache(server, tmp_path):
    cache = tmp_path / "cache"
    get(server, cache)
    before = snapshot(cache)
    server.script["gnss"] = "forbidden"
    res = get(server, cache, now=T0 + timedelta(hours=3))
    assert server.count == 2
    assert res.from_cache and res.http_status == 403 and res.path == cache / "gnss.csv"
    assert res.age_s == pytest.approx(3 * 3600) and res.n_satellites == N_NOMINAL
    assert "HTTP 403" in res.warning
    assert "GP data has not updated since your last successful download" in res.warning
    assert "Data is updated once every 2 hours." in res.warning  # quoted, on one line
    assert "\n" not in res.warning
    assert "3.0 h old" in res.warning
    assert str(res.path) in res.warning and server.url in res.warning
    assert snapshot(cache) == before


FAILURES = {
    "forbidden": ("HTTP 403", "GP data has not updated"),
    "missing": ("HTTP 404", "Not Found"),
    "server_error": ("HTTP 503", "maintenance"),
    "slow": ("timeout", None),
    "truncated": ("truncated", None),
    "garbage": ("not a valid element set", "No GP data found"),
    "empty": ("empty body", None),
}


@pytest.mark.parametrize("kind", list(FAILURES))
def test_failure_without_cache_raises(server, tmp_path, kind):
    cache = tmp_path / "cache"
    server.script["gnss"] = kind
    with pytest.raises(FetchError) as info:
        get(server, cache)
    err = info.value
    assert isinstance(err, GnssError)
    msg = str(err)
    reason, quoted = FAILURES[kind]
    assert f"{server.url}?GROUP=gnss&FORMAT=csv" in msg and err.url in msg
    assert reason in msg and reason in err.reason
    if quoted:
        assert quoted in msg and quoted in err.server_message
    assert "What to do:" in msg
    assert "<html>" not in msg  # HTML tags stripped from the server's text
    assert server.count == 1  # one attempt, never a retry
    assert not cached_path("gnss", "csv", cache).exists()
    assert not (cache / "gnss.csv.meta.json").exists()
    assert leftovers(cache) == []
    assert err.http_status == {"slow": None, "forbidden": 403, "missing": 404}.get(
        kind, err.http_status
    )


@pytest.mark.parametrize("kind", list(FAILURES))
def test_failed_refresh_never_touches_the_cache(server, tmp_path, kind):
    cache = tmp_path / "cache"
    get(server, cache)
    before = snapshot(cache)
    server.script["gnss"] = kind
    res = get(server, cache, now=T0 + timedelta(minutes=30), force=True)
    assert server.count == 2
    assert res.from_cache and res.warning and FAILURES[kind][0] in res.warning
    assert "0.5 h old" in res.warning
    assert snapshot(cache) == before
    assert leftovers(cache) == []


@pytest.mark.parametrize("kind", ["trickle_body", "trickle_headers"])
def test_timeout_is_an_overall_deadline_against_a_trickling_server(server, tmp_path, kind):
    import time

    server.script["gnss"] = kind
    deadline_s = 1.0  # every single read gets a byte within 0.1 s: only a deadline ends it
    t0 = time.monotonic()
    with pytest.raises(FetchError) as info:
        get(server, tmp_path / "cache", timeout_s=deadline_s)
    elapsed_s = time.monotonic() - t0
    # Deadline plus thread and socket teardown; a per-read timeout would run TRICKLE_MAX_S.
    assert elapsed_s < deadline_s + 1.0, elapsed_s
    err = info.value
    assert "within the timeout of 1 s" in err.reason and "overall" in err.reason
    assert err.http_status is None and "--timeout-s" in str(err)
    assert not cached_path("gnss", "csv", tmp_path / "cache").exists()
    assert leftovers(tmp_path / "cache") == []


def test_an_answer_over_the_size_cap_is_refused_and_never_cached(server, tmp_path):
    server.script["gnss"] = "huge"
    with pytest.raises(FetchError, match="larger than 64 MiB") as info:
        get(server, tmp_path / "cache", timeout_s=30)
    assert info.value.http_status == 200
    assert not cached_path("gnss", "csv", tmp_path / "cache").exists()


def test_cli_timeout_is_an_overall_deadline(cli, server, tmp_path):
    import time

    server.script["gnss"] = "trickle_body"
    t0 = time.monotonic()
    res = invoke(cli, server, tmp_path, "--timeout-s", "1")
    assert time.monotonic() - t0 < 2.0
    assert res.exit_code == 1 and "overall" in res.stderr


def test_a_hand_copied_file_counts_from_its_mtime_and_a_broken_one_is_replaced(server, tmp_path):
    path = cached_path("gnss", "tle", tmp_path)
    path.write_bytes(body_for("tle"))  # no sidecar, modified just now
    res = fetch_group("gnss", fmt="tle", cache_dir=tmp_path, base_url=server.url)
    assert res.from_cache and server.count == 0 and res.n_satellites == N_NOMINAL
    path.write_text("garbled\n")  # unreadable: not a usable cache, download again
    res = fetch_group("gnss", fmt="tle", cache_dir=tmp_path, base_url=server.url)
    assert not res.from_cache and server.count == 1
    assert path.read_bytes() == body_for("tle")
    path.write_text("garbled\n")
    server.script["gnss"] = "forbidden"
    with pytest.raises(FetchError, match="No usable cached copy"):
        fetch_group("gnss", fmt="tle", cache_dir=tmp_path, base_url=server.url, timeout_s=1)


def test_any_group_name_of_the_right_shape(server, tmp_path):
    res = get(server, tmp_path, group="last-30-days")
    assert res.path.name == "last-30-days.csv"
    assert server.requests[0]["query"]["GROUP"] == "last-30-days"


@pytest.mark.parametrize("bad", ["GPS-OPS", "gps ops", "../etc", "", "-x", "gnss&FORMAT=tle"])
def test_invalid_group_is_refused_before_any_request(server, tmp_path, bad):
    with pytest.raises(ParameterError, match="invalid CelesTrak group"):
        get(server, tmp_path, group=bad)
    assert server.count == 0


def test_invalid_parameters(server, tmp_path):
    with pytest.raises(ParameterError, match="expected one of csv, tle, json"):
        get(server, tmp_path, fmt="xml")
    with pytest.raises(ParameterError, match="http"):
        fetch_group("gnss", cache_dir=tmp_path, base_url="file:///etc/passwd")
    with pytest.raises(ParameterError, match="timeout_s"):
        get(server, tmp_path, timeout_s=0)
    with pytest.raises(TimeInputError, match="time zone"):
        get(server, tmp_path, now=datetime(2026, 10, 6, 12))
    assert server.count == 0
    with pytest.raises(ParameterError, match="Did you mean 'gps-ops'"):
        celestrak.validate_group("GPS-OPS")


def test_cache_dir_default_and_env(server, tmp_path, monkeypatch):
    assert default_cache_dir() == tmp_path / "env-cache" / "celestrak"
    res = fetch_group("gnss", base_url=server.url, now=T0)
    assert res.path == tmp_path / "env-cache" / "celestrak" / "gnss.csv"
    monkeypatch.delenv("GNSS_CACHE_DIR")
    import platformdirs

    assert default_cache_dir() == Path(platformdirs.user_cache_dir("gnss-coverage")) / "celestrak"


def test_default_url_is_celestrak(monkeypatch, tmp_path):
    assert gp_url("gps-ops", "tle") == f"{GP_URL}?GROUP=gps-ops&FORMAT=tle"
    seen = []

    def fake_urlopen(req, timeout, deadline):
        seen.append((req.full_url, req.get_header("User-agent"), timeout))
        raise urllib.error.URLError("no network in tests")

    monkeypatch.setattr("gnss.elements.celestrak_http.urlopen", fake_urlopen)
    with pytest.raises(FetchError, match="connection failed"):
        fetch_group("glo-ops", cache_dir=tmp_path)
    url = "https://celestrak.org/NORAD/elements/gp.php?GROUP=glo-ops&FORMAT=csv"
    assert seen == [(url, celestrak.USER_AGENT, 30.0)]


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli():
    group = click.Group("elements")
    group.add_command(fetch)
    return group


def invoke(cli, server, cache, *args):
    argv = ["fetch", "--base-url", server.url, "--cache-dir", str(cache), *args]
    return CliRunner().invoke(cli, argv, catch_exceptions=False)


def test_cli_default_group_and_format_then_cached(cli, server, tmp_path):
    res = invoke(cli, server, tmp_path)
    assert res.exit_code == 0, res.output
    assert server.requests[0]["query"] == {"GROUP": "gnss", "FORMAT": "csv"}
    line = res.stdout.strip()
    assert line == f"gnss  csv  {tmp_path / 'gnss.csv'}  {N_NOMINAL} satellites  downloaded"
    assert res.stderr == ""
    res = invoke(cli, server, tmp_path)
    assert res.exit_code == 0 and server.count == 1
    assert res.stdout.strip().endswith("cached (age 0.0 h)")


def test_cli_format_tle_and_several_groups(cli, server, tmp_path):
    res = invoke(cli, server, tmp_path, "gps-ops", "galileo", "gps-ops", "--format", "tle")
    assert res.exit_code == 0, res.output
    assert [r["query"] for r in server.requests] == [
        {"GROUP": "gps-ops", "FORMAT": "tle"},
        {"GROUP": "galileo", "FORMAT": "tle"},
    ]
    lines = res.stdout.splitlines()
    assert [ln.split()[:2] for ln in lines] == [["gps-ops", "tle"], ["galileo", "tle"]]
    assert (tmp_path / "gps-ops.tle").exists() and (tmp_path / "galileo.tle").exists()


def test_cli_warning_on_stderr_when_the_cache_stands_in(cli, server, tmp_path):
    assert invoke(cli, server, tmp_path).exit_code == 0
    server.script["gnss"] = "forbidden"
    res = invoke(cli, server, tmp_path, "--force")
    assert res.exit_code == 0
    assert server.count == 2
    assert res.stderr.startswith("Warning: gnss: ")
    assert "GP data has not updated" in res.stderr and "h old" in res.stderr
    assert "refresh failed" in res.stdout


def test_cli_exit_1_when_a_group_fails_without_cache(cli, server, tmp_path):
    server.script["beidou"] = "missing"
    res = invoke(cli, server, tmp_path, "galileo", "beidou")
    assert res.exit_code == 1
    assert res.stdout.startswith("galileo  csv")  # the other group still done
    assert "Error: beidou: cannot download" in res.stderr
    assert f"{server.url}?GROUP=beidou&FORMAT=csv" in res.stderr and "HTTP 404" in res.stderr
    server.script["gnss"] = "slow"
    res = invoke(cli, server, tmp_path, "--timeout-s", "0.3")
    assert res.exit_code == 1 and "timeout" in res.stderr


def test_cli_copies_with_o(cli, server, tmp_path):
    cache = tmp_path / "cache"
    dest = tmp_path / "out" / "elements.csv"
    res = invoke(cli, server, cache, "-o", str(dest))
    assert res.exit_code == 0, res.output
    assert dest.read_bytes() == (cache / "gnss.csv").read_bytes()
    assert f"copied to {dest}" in res.stdout
    # An existing file is refused (before any request) without --overwrite.
    res = invoke(cli, server, cache, "-o", str(dest))
    assert res.exit_code == 1 and "--overwrite" in res.stderr and server.count == 1
    assert invoke(cli, server, cache, "-o", str(dest), "--overwrite").exit_code == 0
    # Several groups: -o is a folder.
    folder = tmp_path / "many"
    res = invoke(cli, server, cache, "gps-ops", "glo-ops", "-o", str(folder))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in folder.iterdir()) == ["glo-ops.csv", "gps-ops.csv"]
    assert not list((tmp_path / "out").glob(".*"))


@pytest.mark.parametrize("bad", ["GPS", "gps ops", "a/b"])
def test_cli_bad_group(cli, server, tmp_path, bad):
    res = invoke(cli, server, tmp_path, "galileo", bad)
    assert res.exit_code == 2
    assert repr(bad) in res.stderr and "Invalid value" in res.stderr
    assert server.count == 0


def test_cli_bad_format_and_timeout(cli, server, tmp_path):
    assert invoke(cli, server, tmp_path, "--format", "xml").exit_code == 2
    res = invoke(cli, server, tmp_path, "--timeout-s", "0")
    assert res.exit_code == 2 and "'--timeout-s'" in res.stderr
    assert server.count == 0
