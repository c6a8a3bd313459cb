"""Horizon masks in runs (issue 13, Horizons): grid and site results against a NumPy reference.

The reference is independent of the engine's kernels: satellite positions from
``gnss.propagate_itrs_m``, look angles from pymap3d (``ecef2aer``, WGS84), the skyline by
``np.interp`` (period 360) on the profile's own points and ``max`` with the flat mask, DOP
from ``inv(G^T G)`` with one clock column per system. Satellite-epochs within 1e-6 deg of
the effective mask are *edge* cases (the kernel and pymap3d may round them either way): cells
or epochs with one are left out of the exact comparisons (1e-6 deg is ~1e8 times the ~1e-14
deg by which the two look-angle computations differ).
"""

from __future__ import annotations

import numpy as np
import pymap3d
import pytest
import xarray as xr
from click.testing import CliRunner

import gnss
from gnss.cli import main as cli
from gnss.coverage.config import CoverageConfig

SETS = (("R",), ("C",), ("R", "C"))
MASK_DEG = 5.0
EDGE_DEG = 1e-6  # closer than this to the effective mask: not compared (see module docstring)
DOP_CEILING = 256.0  # gnss.DOP_CEILING: GDOP above it counts as no fix
#: An asymmetric skyline (deg): a wall to the south-east, open to the south-west, crossing
#: the 5 deg mask at 200 deg (3 deg there), 0 and 360 given by wrapping.
CUSTOM = "azimuth_deg,elevation_deg\n20,8\n60,35\n110,22\n150,48\n200,3\n250,15\n300,30\n"


@pytest.fixture(scope="module")
def case():
    """Nominal R and C, 2 h at 600 s (13 epochs), positions (n_t, n_s, 3) and systems."""
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=7200.0, step_s=600.0)
    pos, fails = gnss.propagate_itrs_m(con.satellites, span)
    assert not fails
    return con, span, pos, np.array([s.system for s in con.satellites])


@pytest.fixture(scope="module")
def custom(tmp_path_factory):
    path = tmp_path_factory.mktemp("hz") / "custom.csv"
    path.write_text(CUSTOM)
    return path


def reference(pos, systems, lat_deg, lon_deg, horizon, mask_deg=MASK_DEG):
    """Visible counts, DOPs and edge flags at points ``lat_deg``/``lon_deg`` (height 0).

    Returns ``vis[set, point, t]``, ``dop[set, 4 (P, H, V, G), point, t]`` (NaN without a
    fix) and ``edge[point, t]``.
    """
    lat, lon = np.asarray(lat_deg, float)[:, None, None], np.asarray(lon_deg, float)[:, None, None]
    az, el, _ = pymap3d.ecef2aer(pos[None, ..., 0], pos[None, ..., 1], pos[None, ..., 2],
                                 lat, lon, 0.0)  # fmt: skip
    sky = np.interp(az, horizon.azimuth_deg, horizon.elevation_deg, period=360.0)
    eff = np.maximum(mask_deg, sky)
    above = el > eff
    edge = (np.abs(el - eff) < EDGE_DEG).any(axis=-1)
    e = np.stack([np.cos(np.radians(el)) * np.sin(np.radians(az)),
                  np.cos(np.radians(el)) * np.cos(np.radians(az)), np.sin(np.radians(el))], -1)
    n_p, n_t = above.shape[:2]
    vis = np.zeros((len(SETS), n_p, n_t), np.int64)
    dop = np.full((len(SETS), 4, n_p, n_t), np.nan)
    for k, sset in enumerate(SETS):
        for p in range(n_p):
            for t in range(n_t):
                sel = above[p, t] & np.isin(systems, sset)
                vis[k, p, t] = sel.sum()
                in_view = [s for s in sset if (sel & (systems == s)).any()]
                if sel.sum() < 3 + len(in_view):
                    continue
                clocks = np.stack([systems[sel] == s for s in in_view], -1).astype(float)
                g = np.hstack([-e[p, t, sel], clocks])
                q = np.linalg.inv(g.T @ g)
                gdop = np.sqrt(np.trace(q))
                if gdop > DOP_CEILING:
                    continue
                dop[k, :, p, t] = (np.sqrt(q[0, 0] + q[1, 1] + q[2, 2]),
                                   np.sqrt(q[0, 0] + q[1, 1]), np.sqrt(q[2, 2]), gdop)
    return vis, dop, edge


def _grid_run(case, horizon):
    con, span, _, _ = case
    return gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(10.0),
                                 CoverageConfig(MASK_DEG, horizon=horizon))  # fmt: skip


#: Gentle terrain (0-8 deg; the benchmarks' profile): a narrow band above the 5 deg mask, so
#: the kernel's first pass sums (the canyon and the custom skyline are wide: the second does).
GENTLE = gnss.Horizon(np.arange(0.0, 360.0, 30.0),
                      np.array([2.0, 6.0, 8.0, 5.0, 1.0, 0.0, 0.5, 2.0, 4.0, 7.0, 6.0, 3.0]),
                      source="gentle")  # fmt: skip


@pytest.mark.parametrize(("which", "wide"),
                         [("street_canyon_ns", True), ("custom", True), ("gentle", False)])
def test_grid_run_with_horizon_equals_numpy_reference(case, custom, which, wide):
    from gnss.coverage.skyline import kernel_skyline

    horizons = {"custom": lambda: gnss.read_horizon(custom), "gentle": lambda: GENTLE}
    horizon = horizons.get(which, lambda: gnss.horizon_preset(which))()
    assert kernel_skyline(horizon.kernel_table(MASK_DEG))[5] is wide  # both kernel paths
    ds = _grid_run(case, horizon)
    _, span, pos, systems = case
    lat, lon = np.meshgrid(ds.lat.values, ds.lon.values, indexing="ij")
    vis, dop, edge = reference(pos, systems, lat.ravel(), lon.ravel(), horizon)
    ok = ~edge.any(axis=1)  # cells without an edge satellite-epoch
    assert ok.mean() > 0.9
    shape = (len(SETS), -1)
    got = {name: ds[name].values.reshape(shape)[:, ok] for name in
           ("visible_mean", "visible_min", "visible_max", "fix_fraction")}  # fmt: skip
    v = vis[:, ok]
    np.testing.assert_array_equal(got["visible_min"], v.min(axis=-1))
    np.testing.assert_array_equal(got["visible_max"], v.max(axis=-1))
    np.testing.assert_array_equal(np.rint(got["visible_mean"] * span.n_epochs), v.sum(axis=-1))
    fix = np.isfinite(dop[:, 0, ok])
    np.testing.assert_array_equal(got["fix_fraction"], fix.mean(axis=-1))
    for m, name in enumerate(("pdop", "hdop", "vdop", "gdop")):
        n = fix.sum(axis=-1)
        want = np.where(n > 0, np.nansum(dop[:, m, ok], axis=-1) / np.maximum(n, 1), np.nan)
        # DOP within 1e-9, relative above DOP 1: the canyon leaves fixes with PDOP ~150, where
        # inv(G^T G) amplifies the ~1e-14 rounding of the unit vectors to ~1e-11 relative.
        np.testing.assert_allclose(ds[f"{name}_mean"].values.reshape(shape)[:, ok], want,
                                   rtol=1e-9, atol=1e-9)  # fmt: skip
    # The horizon hides satellites: fewer in view than with the flat mask, somewhere.
    flat, _, _ = reference(pos, systems, lat.ravel()[:50], lon.ravel()[:50],
                           gnss.Horizon(np.array([0.0, 180.0]), np.zeros(2)))  # fmt: skip
    assert (vis[:, :50].sum() < flat.sum()) and (vis[:, :50] <= flat).all()
    assert ds.attrs["horizon"] == horizon.source
    np.testing.assert_array_equal(ds.attrs["horizon_elevation_deg"],
                                  horizon.kernel_table(MASK_DEG)[1])  # fmt: skip


def test_flat_horizon_at_the_mask_equals_the_run_without_horizon_bit_for_bit(case):
    flat = gnss.Horizon(np.array([0.0, 90.0, 180.0, 270.0]), np.array([0.0, 2.0, 5.0, -3.0]))
    from gnss.kernels.driver import compiled_in_this_process

    a, b = _grid_run(case, None), _grid_run(case, flat)  # below the mask everywhere: flat 5
    assert b.attrs["horizon"] == "horizon" and a.attrs["horizon"].startswith("none")
    # Bit for bit when both kernel variants come from numba's cache (or both were compiled
    # here); a variant compiled in this process next to one loaded from the cache rounds the
    # last bit differently (gnss.kernels.driver.compiled_in_this_process): a few ulp then,
    # and up to 4e-15 relative in a cell's mean HDOP (seen once in a full suite run: HDOP is
    # sqrt(PDOP^2 - VDOP^2), whose cancellation amplifies a last-bit difference), so 1e-14.
    fresh = compiled_in_this_process()
    for name in a.variables:
        x, y = a[name].values, b[name].values
        if fresh and x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=1e-14, atol=0, equal_nan=True, err_msg=name)
        else:
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name


def test_site_horizon_file_via_cli_equals_reference(case, custom, tmp_path):
    con, span, pos, systems = case
    out = tmp_path / "site"
    res = CliRunner().invoke(cli, [
        "site", "--lat", "55.75", "--lon", "37.62", "--lat", "-33.9", "--lon", "151.2",
        "--horizon", str(custom), "--sets", "R,C,R+C", "--start", span.start.isoformat(),
        "--hours", "2", "--step-s", "600", "-o", str(out), "-q",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out / "timeseries.nc")
    vis, dop, edge = reference(pos, systems, [55.75, -33.9], [37.62, 151.2],
                               gnss.read_horizon(custom))  # fmt: skip
    ok = ~edge  # (site, t)
    got_vis = ds.visible.values.transpose(2, 1, 0)  # (set, site, time)
    np.testing.assert_array_equal(got_vis[:, ok], vis[:, ok])
    got_pdop = ds.pdop.values.transpose(2, 1, 0)
    np.testing.assert_allclose(got_pdop[:, ok], dop[:, 0][:, ok], rtol=1e-9, atol=1e-9)
    assert ds.attrs["horizon"] == str(custom)
    ds.close()


def test_compare_with_horizon_preset_via_cli(tmp_path):
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, [
        "compare", "--horizon", "street_canyon_ns", "--resolution-deg", "30", "--hours", "1",
        "--step-s", "1800", "--maps", "none", "-o", str(out), "-q",
    ])  # fmt: skip
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out / "coverage.nc")
    assert ds.attrs["horizon"].endswith("street_canyon_ns.csv")
    assert float(ds.attrs["horizon_elevation_deg"].max()) == pytest.approx(63.43)
    ds.close()


@pytest.mark.parametrize(
    "text, said",
    [
        ("azimuth_deg,elevation_deg\n0,10\n400,20\n", "bad.csv:3: expected an azimuth in [0, 360]"),
        ("azimuth_deg,elevation_deg\n0,10\n90,95\n", "bad.csv:3: expected an elevation in"),
        ("azimuth_deg,elevation_deg\n0,10\n180,20\n90,5\n", "bad.csv:4: expected strictly"),
    ],
)
@pytest.mark.parametrize("command", ["compare", "site"])
def test_bad_horizon_file_exit_2_nothing_written(tmp_path, text, said, command):
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    out = tmp_path / "out"
    where = ["--lat", "55.75", "--lon", "37.62"] if command == "site" else []
    res = CliRunner().invoke(cli, [command, *where, "--horizon", str(bad), "--hours", "1",
                                   "--step-s", "1800", "-o", str(out)])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "'--horizon'" in res.output and said in res.output.replace("\n", " ")
    assert not out.exists()


def test_study_horizon_values():
    study = gnss.Study("R", duration_s=1800, step_s=1800, horizon="street_canyon_ew")
    assert study.config().horizon is study.horizon_mask
    assert gnss.Study("R", duration_s=1800, step_s=1800).config().skyline() is None
    with pytest.raises(gnss.ParameterError) as err:
        gnss.Study("R", duration_s=1800, step_s=1800, horizon="no_such_preset_or_file")
    assert err.value.parameter == "horizon" and "not a preset and not a file" in str(err.value)
    with pytest.raises(gnss.ParameterError) as err:
        gnss.Study("R", duration_s=1800, step_s=1800, horizon=12.5)
    assert err.value.parameter == "horizon"


@pytest.mark.parametrize("command", ["compare", "site"])
def test_misspelt_preset_lists_the_presets_exit_2_nothing_written(tmp_path, command):
    """--horizon street_canyon (street_canyon_ns meant): the presets, the closest, the file form."""
    out = tmp_path / "out"
    where = ["--lat", "55.75", "--lon", "37.62"] if command == "site" else []
    res = CliRunner().invoke(cli, [command, *where, "--horizon", "street_canyon", "--hours", "1",
                                   "--step-s", "1800", "-o", str(out)])  # fmt: skip
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    for needle in ("Invalid value for '--horizon'", "'street_canyon': not a preset and not a file",
                   "The presets are street_canyon_ew, street_canyon_ns",
                   "did you mean 'street_canyon_ew' or 'street_canyon_ns'?",
                   "CSV with the header azimuth_deg,elevation_deg"):  # fmt: skip
        assert needle in text, text
    assert not out.exists()
