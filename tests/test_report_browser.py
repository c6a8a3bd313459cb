"""report.html in a real browser: headless Chromium, no network, the time control moves.

Chromium runs with every network path closed (a dead proxy, a host resolver that finds
nothing, background networking off) and records a net-log. The checks: the page is not blank
(pixel variance of a screenshot), no script error (the page counts ``error`` events into
``data-js-errors``; Chromium's console log on stderr has no "Uncaught"), the page asks for no
URL beyond itself (net-log; a control page with an ``http://`` image proves the check sees
one), and moving the time control (``#frame=N``) changes the pictures shown.

Skipped, with the reason, when no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gnss

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
BROWSER = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium on PATH (apt-get install chromium; .ci/run installs it when missing)",
)

#: Flags that close every way out of the machine and keep the browser's own traffic down.
OFFLINE = (
    "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
    "--disable-extensions", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
)  # fmt: skip


#: The page's own count of script errors, on its <html> element.
JS_ERRORS = re.compile(r"<html[^>]*data-js-errors=")


def _chromium(tmp: Path, url: str, *extra: str, name: str) -> tuple[str, str, Path]:
    """Run headless Chromium on ``url``; return (stdout, stderr, net-log path)."""
    net = tmp / f"{name}.netlog.json"
    cmd = [BROWSER, *OFFLINE, f"--user-data-dir={tmp / ('profile-' + name)}",
           f"--log-net-log={net}", "--virtual-time-budget=5000", *extra, url]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp)
    return run.stdout, run.stderr, net


def _page_requests(netlog: Path) -> list[str]:
    """URLs the page asked for (not file:/data:); the browser's own jobs have no origin."""
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for e in log["events"]:
        p = e.get("params", {})
        if e["type"] != start or "url" not in p:
            continue
        if p.get("initiator") == "not an origin" and "file://" not in p.get(
            "network_isolation_key", ""
        ):
            continue  # Chromium's own background request (update check, clock), not the page
        if not p["url"].startswith(("file:", "data:")):
            urls.append(p["url"])
    return urls


def _screenshot(tmp: Path, url: str, name: str, height_px: int = 1000) -> np.ndarray:
    from PIL import Image

    png = tmp / f"{name}.png"
    _chromium(tmp, url, f"--window-size=1000,{height_px}", f"--screenshot={png}", name=name)
    return np.asarray(Image.open(io.BytesIO(png.read_bytes())).convert("RGB"), dtype=np.int16)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "run"
    study = gnss.Study("R,C,R+C", duration_s=6 * 3600, step_s=900, resolution_deg=10)
    gnss.run_comparison(study, out, maps="none")
    return out / "report.html"


def test_the_net_log_check_sees_a_page_request(tmp_path):
    """Control: a page with an http image and a fetch is caught by the net-log check."""
    page = tmp_path / "control.html"
    page.write_text('<img src="http://example.invalid/x.png">'
                    '<script>fetch("https://cdn.example.invalid/a.js").catch(() => 0)</script>')
    _, _, net = _chromium(tmp_path, page.as_uri(), "--dump-dom", name="control")
    assert any("example.invalid" in u for u in _page_requests(net))


def test_the_error_checks_see_a_script_error(report, tmp_path):
    """Control: the report with one failing script is caught by both error checks."""
    page = tmp_path / "broken.html"
    broken = "<script>noSuchFunction()</script></body>"
    page.write_text(report.read_text().replace("</body>", broken))
    dom, err, _ = _chromium(tmp_path, page.as_uri(), "--dump-dom", name="broken")
    assert JS_ERRORS.search(dom)
    assert "Uncaught" in err


def test_report_renders_offline_without_errors_and_the_slider_moves(report, tmp_path):
    html = report.read_text()
    assert 'id="tc-slider"' in html
    dom0, err0, net0 = _chromium(tmp_path, report.as_uri() + "#frame=0", "--dump-dom", name="f0")
    dom9, err9, net9 = _chromium(tmp_path, report.as_uri() + "#frame=9", "--dump-dom", name="f9")
    for dom, err, net in ((dom0, err0, net0), (dom9, err9, net9)):
        assert "<html" in dom, err[-2000:]
        assert not JS_ERRORS.search(dom), re.findall(r'id="js-errors"[^>]*>[^<]*', dom)
        assert "Uncaught" not in err, [x for x in err.splitlines() if "Uncaught" in x]
        assert _page_requests(net) == []
    assert 'data-frame="0"' in dom0 and 'data-frame="9"' in dom9
    label = re.compile(r'<output id="tc-label">([^<]*)</output>')
    assert label.search(dom0).group(1) != label.search(dom9).group(1)
    first = re.compile(r'<img class="tc-img" data-stat="1" data-set="0" src="([^"]+)"')
    assert first.search(dom0).group(1) != first.search(dom9).group(1)  # other PDOP pixels


def test_screenshots_are_not_blank_and_change_with_the_time_control(report, tmp_path):
    top = _screenshot(tmp_path, report.as_uri(), "top")
    assert top.std() > 20.0  # a blank or one-colour page has ~0 (8-bit RGB levels)
    # The whole page in one tall window (the time control is near the end).
    a = _screenshot(tmp_path, report.as_uri() + "#frame=0", "t0", 9000)
    b = _screenshot(tmp_path, report.as_uri() + "#frame=12", "t12", 9000)
    changed = np.abs(a - b).max(axis=2) > 30  # pixels that differ visibly (8-bit levels)
    rows = np.flatnonzero(changed.any(axis=1))
    assert rows.size > 100, rows.size  # the six frame panels, each ~140 px high
    assert changed.sum() > 20_000, changed.sum()


def test_route_report_renders_offline_without_errors(tmp_path):
    """A ship's report.html (route table, summary, drawn series): no error, no request."""
    from gnss.outputs.outdir import OutputDir
    from gnss.study.route import write_route_outputs

    path = tmp_path / "r.csv"
    path.write_text("time_utc,lat_deg,lon_deg\n2026-01-01T00:00Z,72,170\n"
                    "2026-01-01T06:00Z,71,-170\n")
    ds = gnss.route_timeseries(gnss.Study("R,C,R+C", duration_s=6 * 3600, step_s=1800),
                               gnss.read_route(path), "ship")  # fmt: skip
    with OutputDir(tmp_path / "route") as out:
        write_route_outputs(ds, out)
    page = tmp_path / "route" / "report.html"
    dom, err, net = _chromium(tmp_path, page.as_uri(), "--dump-dom", name="route")
    assert "<h3>Route</h3>" in dom, err[-2000:]
    assert not JS_ERRORS.search(dom) and "Uncaught" not in err
    assert _page_requests(net) == []
    assert _screenshot(tmp_path, page.as_uri(), "route").std() > 20.0  # not blank
