"""report.html: the snapshots, the answer, the shared scales, the sign, the wiring (issue 14).

The browser checks (rendering, script errors, network, the slider) are in
tests/test_report_browser.py; here the page is read as text.
"""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta

import numpy as np
import pytest
from click.testing import CliRunner

import gnss
from gnss.analysis.differences import add_differences
from gnss.cli import main
from gnss.coverage.snapshots import global_snapshots
from gnss.outputs.html.compare import maps_html
from gnss.outputs.html.content import gain_field
from gnss.outputs.html.scales import fit_scale
from gnss.stats_catalog import STATISTICS

SMALL = {"duration_s": 3600, "step_s": 1800, "resolution_deg": 15}
QUICK = ["--hours", "1", "--step-s", "1800", "--resolution-deg", "15", "--maps", "none", "-q"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "run"
    study = gnss.Study("R,C,R+C", regions="global,arctic", **SMALL)
    return gnss.run_comparison(study, out, maps="none"), out


def _images(html: str) -> list[str]:
    return re.findall(r'<img [^>]*src="([^"]+)"', html)


def _decode(uri: str) -> np.ndarray:
    from PIL import Image

    data = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_snapshot_frames_are_the_grid_kernel_at_single_epochs():
    """Each frame equals compute_coverage over that one epoch (same grid, same kernel)."""
    plan = gnss.plan_comparison(gnss.Study("R,C,R+C", duration_s=7200, step_s=1800))
    snap = global_snapshots(plan.resolved, plan.span, plan.study.config(), resolution_deg=30,
                            n_frames=5)  # fmt: skip
    assert snap.sizes["time"] == 5
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    for t in (0, 3):
        start = plan.span.start + timedelta(seconds=1800 * t)
        one = gnss.compute_coverage(con, "R,C,R+C", gnss.epoch_span(start, 0, 1800), gnss.Grid(30))
        np.testing.assert_array_equal(snap.visible.isel(time=t).values, one.visible_mean.values)
        # float32 frames: 1e-6 relative is the rounding of a PDOP of ~2 to float32
        np.testing.assert_allclose(snap.pdop.isel(time=t).values, one.pdop_mean.values,
                                   rtol=1e-6)  # fmt: skip


def test_report_is_one_self_contained_file_with_the_answer(run):
    result, out = run
    assert out / "report.html" in result.files
    html = (out / "report.html").read_text()
    # Nothing is fetched: every picture is inline, no link, stylesheet or script from elsewhere.
    assert all(src.startswith("data:image/png;base64,") for src in _images(html))
    assert not re.search(r'(src|href)="(https?:)?//|url\((https?:)?//|<link |@import', html)
    s = result.summary
    best = min(s["R"]["pdop.p95"], s["C"]["pdop.p95"])
    pct = 100 * (best - s["R+C"]["pdop.p95"]) / best
    assert f"R+C (GLONASS + BeiDou) improves PDOP p95 by {pct:.1f} %" in html
    assert "positive = the combination is better" in html
    for section in ('id="run"', 'id="summary"', 'id="maps"', 'id="gains"', 'id="time"',
                    'id="regions"', "Ranking of the regions by the gain of R+C"):  # fmt: skip
        assert section in html
    assert "mask (deg)" in html and "gnss-coverage 0" in html  # parameters and versions
    assert "; of the regions, most in " in html  # the headline names the best region
    assert "<h3>Regional maps</h3>" in html and html.count('class="plot"') == 2  # both regions


def test_each_statistic_has_one_data_fitted_scale_shared_by_the_sets(run):
    result, _ = run
    ds = add_differences(result.dataset)
    html = maps_html(ds)
    fields = [ds["pdop_p95"].sel(set=s).values for s in ("R", "C", "R+C")]
    scale = fit_scale(fields, STATISTICS["pdop_p95"].cmap, "", dop=True)
    assert scale.lo >= np.nanmin(fields) - 1e-12 > 0.5  # fitted to the data, not from 0
    for uri, field in zip(_images(html)[:3], fields, strict=True):
        np.testing.assert_array_equal(_decode(uri), scale.lut()[scale.indices(field[::-1])])
    avail = fit_scale([ds["availability"].values], "viridis", "", fraction=True)
    assert avail.hi <= 1.0 and avail.lo < avail.hi


def test_gains_are_positive_when_the_combination_is_better(run):
    result, _ = run
    ds = add_differences(result.dataset)
    gain = gain_field(ds, "pdop_p95", "R+C", ["R", "C"])
    best = np.fmin(ds.pdop_p95.sel(set="R").values, ds.pdop_p95.sel(set="C").values)
    np.testing.assert_array_equal(gain.values, best - ds.pdop_p95.sel(set="R+C").values)
    assert (gain.values > 0).all()  # 54 satellites always beat 24 or 30 on PDOP
    vis = gain_field(ds, "visible_mean", "R+C", ["R", "C"])
    assert (vis.values > 0).all()


def test_compare_writes_the_report_unless_no_report(tmp_path):
    for flag, expected in ((), True), (("--no-report",), False):
        out = tmp_path / f"out{len(flag)}"
        res = CliRunner().invoke(main, ["compare", *QUICK, *flag, "-o", str(out)])
        assert res.exit_code == 0, res.output
        assert (out / "report.html").is_file() == expected
        assert ("report.html" in (out / "gnss-manifest.json").read_text()) == expected


def test_site_report_embeds_the_pngs_of_the_folder(tmp_path):
    from gnss.outputs.outdir import OutputDir
    from gnss.study.site import write_site_outputs

    ds = gnss.site_timeseries(gnss.Study("R,C,R+C", duration_s=3600, step_s=600),
                              [("Moscow", 55.75, 37.62)])  # fmt: skip
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(buf, format="PNG")
    out = OutputDir(tmp_path / "site")
    with out:
        out.path("sky_Moscow.png").write_bytes(buf.getvalue())
        write_site_outputs(ds, out, pdop_max=6.0)
    html = (tmp_path / "site" / "report.html").read_text()
    assert "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode() in html
    assert "R+C has the lowest mean PDOP" in html


def test_site_report_draws_time_series_when_the_run_wrote_no_png(tmp_path):
    res = CliRunner().invoke(main, ["site", "--lat", "55.75", "--lon", "37.62", "--hours", "1",
                                    "--step-s", "600", "--no-plots", "-q", "-o",
                                    str(tmp_path / "s")])  # fmt: skip
    assert res.exit_code == 0, res.output
    html = (tmp_path / "s" / "report.html").read_text()
    assert len(_images(html)) == 2  # PDOP and visible count of the one site
    res = CliRunner().invoke(main, ["site", "--lat", "55.75", "--lon", "37.62", "--hours", "1",
                                    "--no-report", "-q", "-o", str(tmp_path / "n")])
    assert res.exit_code == 0 and not (tmp_path / "n" / "report.html").exists()


def test_route_report_shows_the_route_and_draws_its_series(tmp_path):
    from gnss.outputs.outdir import OutputDir
    from gnss.study.route import write_route_outputs

    path = tmp_path / "r.csv"
    path.write_text("time_utc,lat_deg,lon_deg\n2026-01-01T00:00Z,72,170\n"
                    "2026-01-01T03:00Z,74,-175\n2026-01-01T06:00Z,71,-170\n")
    route = gnss.read_route(path)
    ds = gnss.route_timeseries(gnss.Study("R,C,R+C", duration_s=6 * 3600, step_s=1800), route,
                               "ship")  # fmt: skip
    out = OutputDir(tmp_path / "route")
    with out:
        write_route_outputs(ds, out, pdop_max=6.0)
    html = (tmp_path / "route" / "report.html").read_text()
    assert len(_images(html)) == 2  # no PNG in the folder: PDOP and visible count drawn
    assert "PDOP along ship" in html and "GNSS along the route ship" in html
    north = int(np.argmax(ds.lat_deg.values))
    assert 0 < north < ds.sizes["time"] - 1  # the middle waypoint is the northernmost
    row = f"{ds.lat_deg.values[north]:.4f}° lat, {ds.lon_deg.values[north]:.4f}° lon"
    assert f"<td>northernmost epoch</td><td>{row} at 2026-01-01 03:00 UTC</td>" in html
    assert "route site report" not in html and "gnss-coverage route report" in html
