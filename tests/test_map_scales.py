"""Issue 14, maps: colour scales fitted to the data, names in titles, one sign convention,
no seam along the antimeridian, cells without a fix marked, provenance, same bytes on reruns.

Each test fails on the code before the fix (named in its docstring).
"""

from __future__ import annotations

import matplotlib
import matplotlib.image
import numpy as np
import pytest
import xarray

import gnss
from gnss.analysis.differences import add_differences
from gnss.outputs import mapcanvas, maps
from gnss.outputs.comparison import _map_jobs, _map_style
from gnss.outputs.mapscale import NO_DIFFERENCE_NOTE, fitted_scale
from gnss.outputs.maptext import footer
from gnss.outputs.regionmaps import draw_region
from gnss.regions import definitions as regions_def

DPI = 60


def field_of(values: np.ndarray) -> xarray.DataArray:
    """A global (lat, lon) field on a regular grid from a 2-D array of values."""
    n_lat, n_lon = values.shape
    lat = -90.0 + (np.arange(n_lat) + 0.5) * 180.0 / n_lat
    lon = -180.0 + (np.arange(n_lon) + 0.5) * 360.0 / n_lon
    return xarray.DataArray(values, coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))


def map_rgb(path, dpi: int = DPI) -> np.ndarray:
    """The pixels of the map area only (no colour bar, title or labels): (n, 3) RGB."""
    image = matplotlib.image.imread(path)[..., :3]
    top = round(mapcanvas._TOP_IN * dpi) + 3  # a few pixels inside the frame
    left = round(mapcanvas._LEFT_IN * dpi) + 3
    h, w = round(mapcanvas._MAP_H_IN * dpi) - 6, round(mapcanvas._MAP_W_IN * dpi) - 6
    return image[top : top + h, left : left + w].reshape(-1, 3)


def has_colour(pixels: np.ndarray, rgb, tol: float = 0.04) -> bool:
    return bool((np.abs(pixels - np.asarray(rgb)[:3]).max(axis=1) < tol).any())


def draw_stat(tmp_path, stat: str, values: np.ndarray, name: str = "m.png"):
    """Draw a field as `gnss compare` draws ``stat`` (its style) and return the map pixels."""
    kw = _map_style(stat)
    path = maps.plot_field(field_of(values), tmp_path / name, title=stat, dpi=DPI, **kw)
    return map_rgb(path)


# --- colour scales ---------------------------------------------------------------------


def test_dop_colour_bar_starts_at_the_data(tmp_path):
    """Old: DOP maps started at 0 (vmin 0.0), so a PDOP of 1.2..3.5 never used the bar's
    first third and no cell had the colour of its lower end."""
    values = np.linspace(1.2, 3.5, 18 * 36).reshape(18, 36)
    scale = fitted_scale(values, log_when_wide=True)
    assert (scale.lo, scale.hi, scale.log) == (1.2, 3.5, False)
    pixels = draw_stat(tmp_path, "pdop_p95", values)
    cmap = matplotlib.colormaps["magma_r"]
    assert has_colour(pixels, cmap(0.0)) and has_colour(pixels, cmap(1.0))


def test_wide_dop_range_is_drawn_in_log(tmp_path):
    """Old: linear up to 256, so PDOP 1.5 and 2.0 (most of a QZSS map) looked the same."""
    values = np.full((18, 36), 1.5)
    values[:, 18:] = 2.0
    values[0, 0] = 256.0  # the DOP ceiling, reached where QZSS barely covers
    scale = fitted_scale(values, log_when_wide=True)
    assert scale.log and scale.lo == 1.5 and scale.hi == 256.0
    pixels = draw_stat(tmp_path, "pdop_max", values)
    cmap = matplotlib.colormaps["magma_r"]
    norm = scale.norm()
    c15, c20 = np.array(cmap(norm(1.5))[:3]), np.array(cmap(norm(2.0))[:3])
    assert np.abs(c15 - c20).max() > 0.05  # distinguishable: log puts 1.5..2 on 5 % of it
    assert has_colour(pixels, c15) and has_colour(pixels, c20)
    # A DOP within a factor of 10 stays linear, and a count is never log.
    assert not fitted_scale(np.array([1.2, 11.0]), log_when_wide=True).log
    assert not fitted_scale(np.array([1.0, 40.0])).log


def test_availability_scale_fits_a_low_availability_map(tmp_path):
    """Old: availability was fixed at 0.90..1.00, so a 0-60 % map was one flat colour."""
    values = np.linspace(0.0, 0.6, 18 * 36).reshape(18, 36)
    pixels = draw_stat(tmp_path, "availability", values)
    cmap = matplotlib.colormaps["viridis"]
    assert has_colour(pixels, cmap(0.0)) and has_colour(pixels, cmap(1.0))
    assert has_colour(pixels, cmap(0.5))
    # All 100 %: the range stays at or below 1 (a fraction cannot exceed it).
    full = fitted_scale(np.ones(10), upper_bound=1.0)
    assert full.hi == 1.0 and full.lo < 1.0


def test_difference_scale_is_symmetric_and_fitted():
    scale = fitted_scale(np.array([[-0.2, 0.5], [np.nan, 0.1]]), diverging=True)
    assert (scale.lo, scale.hi, scale.note) == (-0.5, 0.5, None)


def test_blank_difference_map_says_so(tmp_path):
    """Old: an availability difference of 0 everywhere was a blank map with no note."""
    zeros = field_of(np.zeros((18, 36)))
    scale = fitted_scale(zeros.values, diverging=True)
    assert scale.note == NO_DIFFERENCE_NOTE and scale.lo == -scale.hi
    canvas = mapcanvas.canvas_for(mapcanvas.Layout(None, False, DPI))
    cmap = matplotlib.colormaps["RdBu"]
    canvas.draw(zeros.lat.values, zeros.lon.values, zeros.values, cmap, scale, {"title": "t"})
    try:
        assert NO_DIFFERENCE_NOTE in [t.get_text() for t in canvas.ax.texts]
    finally:
        canvas.clear()
    assert len(canvas.ax.texts) == 0  # taken off for the next map


# --- names, thresholds, sign convention, provenance ---------------------------------------


@pytest.fixture(scope="module")
def small_dataset():
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=7200, step_s=1800)
    return add_differences(gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(30.0)))


def test_titles_use_system_names_and_thresholds(small_dataset):
    """Old: "R: p95 PDOP", "R: fraction of epochs ... PDOP <= pdop_max"."""
    ds = small_dataset
    jobs = {name: kw for name, _, kw in _map_jobs(ds, ["R", "C", "R+C"], ["R+C"], "all")}
    assert jobs["map_pdop_p95_R.png"]["title"] == "GLONASS (R): PDOP p95"
    assert jobs["map_availability_R_C.png"]["title"] == (
        "GLONASS + BeiDou (R+C): availability (fix and PDOP ≤ 6)"
    )
    assert jobs["diff_pdop_p95_R_C.png"]["title"] == (
        "GLONASS + BeiDou (R+C): gain in PDOP p95 over the better of GLONASS (R) and BeiDou (C)"
    )
    for kw in jobs.values():
        assert "pdop_max" not in kw["title"] and "p95 PDOP" not in kw["title"]


def test_one_sign_convention_positive_is_better(small_dataset):
    """Old: global difference maps and diff_pdop_p95 said "negative is a gain"."""
    ds = small_dataset
    best = ds["pdop_p95"].sel(set=["R", "C"]).min("set")
    gain = ds["diff_pdop_p95"].sel(combined="R+C")
    np.testing.assert_allclose(gain, best - ds["pdop_p95"].sel(set="R+C"))
    assert float(gain.min()) > 0.0  # R+C (54 satellites) has the lower PDOP everywhere
    rule = "positive = the combination is better"
    jobs = {n: kw for n, _, kw in _map_jobs(ds, ["R", "C", "R+C"], ["R+C"], "default")}
    for stat in ("availability", "pdop_p95", "visible_mean"):
        assert ds[f"diff_{stat}"].attrs["comment"].startswith(rule)
        assert rule in jobs[f"diff_{stat}_R_C.png"]["units"]
        assert "negative" not in jobs[f"diff_{stat}_R_C.png"]["title"]


def test_footer_has_elements_their_dates_and_version(small_dataset):
    text = footer(small_dataset)
    assert "nominal_beidou.tle" in text and "nominal_glonass.tle" in text
    assert "(epochs 2026-01-01)" in text
    assert "gnss-coverage " in text and "mask 5°" in text


def test_cells_without_a_fix_are_marked_with_a_legend():
    values = np.full((18, 36), 2.0)
    values[:3] = np.nan  # no fix near the south pole
    field = field_of(values)
    kw = _map_style("pdop_p95")
    assert kw["no_data_label"] == "no fix in any epoch"
    canvas = mapcanvas.canvas_for(mapcanvas.Layout(None, True, DPI))
    cmap = matplotlib.colormaps["magma_r"].with_extremes(bad=mapcanvas.NAN_COLOR)
    text = {"title": "t", "legend": "no fix in any epoch: 108 of 648 cells"}
    canvas.draw(field.lat.values, field.lon.values, values, cmap, fitted_scale(values), text)
    try:
        labels = [t.get_text() for t in canvas.ax.get_legend().get_texts()]
        assert labels == ["no fix in any epoch: 108 of 648 cells"]
    finally:
        canvas.clear()


# --- the antimeridian --------------------------------------------------------------------


def _along_antimeridian(segments) -> int:
    """Number of line pieces running along lon = 180° (mod 360), the old seam."""
    n = 0
    for seg in segments:
        x = np.asarray(seg)[:, 0]
        on = np.isclose((x + 180.0) % 360.0, 0.0, atol=1e-6) | np.isclose(
            (x + 180.0) % 360.0, 360.0, atol=1e-6
        )
        n += int((on[:-1] & on[1:] & np.isclose(x[:-1], x[1:])).sum())
    return n


def test_northern_sea_route_map_has_no_seam(small_dataset):
    """Old: the polygons cut at the antimeridian (Russia) drew their cut along 180° on a map
    across it; the cells must not be stretched across it either."""
    ds = small_dataset
    nsr = regions_def.get_region("northern-sea-route")
    fig = draw_region(ds, nsr, stat="pdop_p95", dpi=DPI)
    step_deg = float(ds.attrs["grid_resolution_deg"])
    meshes = [c for ax in fig.axes for c in ax.collections
              if isinstance(c, matplotlib.collections.QuadMesh)]  # fmt: skip
    assert meshes
    for mesh in meshes:
        x = mesh.get_coordinates()[..., 0]
        assert np.diff(x, axis=1).max() <= step_deg + 1e-9  # degrees: one grid step at most
    lines = [seg for ax in fig.axes for c in ax.collections
             if isinstance(c, matplotlib.collections.LineCollection) for seg in c.get_segments()]
    assert lines and _along_antimeridian(lines) == 0
    assert _along_antimeridian(mapcanvas.border_segments()) == 0  # the global maps too


# --- same bytes --------------------------------------------------------------------------


def test_reused_canvas_gives_the_same_bytes(tmp_path):
    """A map's bytes do not depend on the maps drawn before it on the shared figure."""
    rng = np.random.default_rng(1)
    a = field_of(1.0 + rng.random((18, 36)))
    b = field_of(np.where(rng.random((18, 36)) < 0.1, np.nan, 1.0 + 300 * rng.random((18, 36))))
    kw = {"note": "provenance", "dpi": DPI, "log_when_wide": True}
    first = maps.plot_field(a, tmp_path / "a1.png", title="A", **kw).read_bytes()
    maps.plot_field(b, tmp_path / "b.png", title="B, wide, with NaN", **kw)
    maps.plot_field(a * 0 + 1e-3, tmp_path / "c.png", title="C", diverging=True, vmax=2, **kw)
    assert maps.plot_field(a, tmp_path / "a2.png", title="A", **kw).read_bytes() == first
    mapcanvas._local.canvases.clear()  # a fresh figure, as in a new process
    assert maps.plot_field(a, tmp_path / "a3.png", title="A", **kw).read_bytes() == first


def test_regional_maps_fit_their_scale_too(small_dataset):
    """Old: regional availability maps kept the fixed 0.90..1.00 of the global maps."""
    ds = small_dataset.copy()
    ramp = xarray.DataArray(np.linspace(0.1, 0.6, ds.sizes["lat"]), dims="lat")
    ds["availability"] = xarray.ones_like(ds["availability"]) * ramp  # 10..60 %
    fig = draw_region(ds, regions_def.get_region("RUS"), stat="availability", dpi=DPI)
    mesh = next(c for c in fig.axes[0].collections
                if isinstance(c, matplotlib.collections.QuadMesh))  # fmt: skip
    assert mesh.norm.vmax <= 0.6 + 1e-12 and mesh.norm.vmin < mesh.norm.vmax
    assert "GLONASS (R)" == fig.axes[0].get_title()
