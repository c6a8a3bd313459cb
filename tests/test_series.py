"""The series kernel (gnss.series_dops, issue 13): one call for all epochs of a receiver.

Checked two ways: against the old path (the grid kernel called once per epoch, kept in
``benchmarks/sitespeed.py`` as ``per_epoch_dops``) to 1e-12 relative, and against an
independent skyfield + NumPy reference (look angles from skyfield's ``altaz``, an explicit
design matrix and ``inv(GᵀWG)``, the same construction as ``tests/test_site.py``) with a flat
mask, a horizon profile (preset ``street_canyon_ns``), a moving receiver across the
antimeridian and per-satellite weights.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from skyfield.api import wgs84
from test_site import DOP_TOL, MASK_EDGE_DEG, TS, _skyfield_sats

import gnss
from gnss.coverage.series import series_dops

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `benchmarks` is a folder of the repository, not installed
    sys.path.insert(0, str(REPO))

from benchmarks.sitespeed import per_epoch_dops  # noqa: E402

SYSTEMS = ("G", "R", "E", "C")
SETS = [("G",), ("R",), ("E",), ("C",), SYSTEMS]
MOSCOW = (55.7558, 37.6173, 150.0)
#: Same geometry, different rounding (sum order, FMA): the series kernel and the grid kernel
#: agree to ~1e-15 relative (measured); 1e-12 leaves room without hiding a wrong formula.
OLD_RTOL = 1e-12
#: Weights 1 / UERE^2 for UEREs of 1 to 2 m (the order of the performance standards' values).
WEIGHT = {"G": 1.0, "R": 1 / 2.0**2, "E": 1 / 0.8**2, "C": 1 / 1.5**2}


@pytest.fixture(scope="module")
def nominal():
    """Nominal G, R, E, C over 6 h at 900 s: positions, systems, skyfield satellites, times."""
    files = gnss.nominal_element_files(list(SYSTEMS))
    con = gnss.read_elements(files)
    span = gnss.epoch_span(con.median_epoch(), duration_s=6 * 3600, step_s=900)
    pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    sky = _skyfield_sats(files)
    times = [span.start + timedelta(seconds=float(s)) for s in span.offsets_s()]
    return {
        "pos": pos, "systems": [s.system for s in con.satellites],
        "sky": [sky[s.norad_id] for s in con.satellites], "times": times,
    }  # fmt: skip


def _route(n_t: int):
    """A ship track across the antimeridian: 69 to 71 deg N, 175 E to 175 W (per epoch)."""
    f = np.linspace(0.0, 1.0, n_t)
    lat = 69.0 + 2.0 * f
    lon = (175.0 + 10.0 * f + 180.0) % 360.0 - 180.0
    return lat, lon, np.full(n_t, 20.0)


def _look_angles(sats, times, lat, lon, height):
    """Altitude and azimuth (rad), shape (n_sats, n_t), from skyfield; per-epoch receiver
    when ``lat`` is an array."""
    alt = np.empty((len(sats), len(times)))
    az = np.empty_like(alt)
    if np.ndim(lat) == 0:
        topos, t = wgs84.latlon(lat, lon, elevation_m=height), TS.from_datetimes(times)
        for i, sat in enumerate(sats):
            a, z, _ = (sat - topos).at(t).altaz()
            alt[i], az[i] = a.radians, z.radians
        return alt, az
    for k, when in enumerate(times):
        topos, t = wgs84.latlon(lat[k], lon[k], elevation_m=height[k]), TS.from_datetime(when)
        for i, sat in enumerate(sats):
            a, z, _ = (sat - topos).at(t).altaz()
            alt[i, k], az[i, k] = a.radians, z.radians
    return alt, az


def _reference(alt, az, systems, sets, clock, mask_deg, horizon=None, weight=None):
    """Counts and DOPs per set and epoch (NumPy), in the layout of series_dops' outputs.

    Visible: elevation above the mask and, with a horizon, above its profile (np.interp
    over the preset's own points, periodic in azimuth). Also returns ``edge``: epochs with a
    satellite within MASK_EDGE_DEG of its mask (left out of the comparison).
    """
    el_deg, az_deg = np.degrees(alt), np.degrees(az) % 360.0
    limit = np.full_like(el_deg, mask_deg)
    if horizon is not None:
        sky = np.interp(az_deg, horizon.azimuth_deg, horizon.elevation_deg, period=360.0)
        limit = np.maximum(limit, sky)
    vis = el_deg > limit
    edge = (np.abs(el_deg - limit) < MASK_EDGE_DEG).any(axis=0)
    sys_arr = np.array(systems)
    w_all = np.ones(len(systems)) if weight is None else np.asarray(weight)
    n_set, n_t = len(sets), alt.shape[1]
    out = {k: np.full((n_set, n_t), np.nan) for k in ("pdop", "hdop", "vdop", "gdop")}
    out["visible"] = np.zeros((n_set, n_t), np.int64)
    out["visible_system"] = np.zeros((n_set, max(map(len, sets)), n_t), np.int64)
    out["tdop"] = np.full((n_set, max(map(len, sets)) if clock == "per-system" else 1, n_t),
                          np.nan)  # fmt: skip
    for k, set_sys in enumerate(sets):
        for j, s in enumerate(set_sys):
            out["visible_system"][k, j] = (vis & (sys_arr == s)[:, None]).sum(axis=0)
        for t in range(n_t):
            m = vis[:, t] & np.isin(sys_arr, set_sys)
            out["visible"][k, t] = m.sum()
            e = np.cos(alt[m, t]) * np.sin(az[m, t])
            n = np.cos(alt[m, t]) * np.cos(az[m, t])
            u = np.sin(alt[m, t])
            in_view = [j for j, s in enumerate(set_sys) if (sys_arr[m] == s).any()]
            if clock == "per-system":
                cols = [(sys_arr[m] == set_sys[j]).astype(float) for j in in_view]
            else:
                cols, in_view = [np.ones(m.sum())], [0]
            g = np.column_stack([-e, -n, -u, *cols])
            if g.shape[0] < g.shape[1]:
                continue
            q = np.linalg.inv(g.T @ (w_all[m][:, None] * g))
            d = np.diag(q)
            if not np.sqrt(d.sum()) <= gnss.DOP_CEILING:
                continue
            out["pdop"][k, t], out["hdop"][k, t] = np.sqrt(d[:3].sum()), np.sqrt(d[:2].sum())
            out["vdop"][k, t], out["gdop"][k, t] = np.sqrt(d[2]), np.sqrt(d.sum())
            for c, j in enumerate(in_view):
                out["tdop"][k, j, t] = np.sqrt(d[3 + c])
    return out, edge


def _assert_matches(got, want, keep, atol=DOP_TOL, rtol=0.0):
    """Counts equal, DOPs equal within the tolerance, NaN where the other has NaN."""
    for name in ("visible", "visible_system", "pdop", "hdop", "vdop", "gdop", "tdop"):
        if name not in want:
            continue
        have, ref = got[name][..., keep], want[name][..., keep]
        if name.startswith("visible"):
            np.testing.assert_array_equal(have, ref, name)
            continue
        np.testing.assert_array_equal(np.isnan(have), np.isnan(ref), name)
        np.testing.assert_allclose(have, ref, rtol=rtol, atol=atol, err_msg=name)


def _receiver(lat, lon, height):
    p, u = gnss.geodetic_points(np.atleast_1d(lat), np.atleast_1d(lon), height)
    return (p[0], u[0]) if np.ndim(lat) == 0 else (p, u)


@pytest.mark.parametrize("clock", ["per-system", "common"])
def test_equals_old_per_epoch_grid_kernel(clock):
    # One day at 600 s, four places (one near the pole), one satellite missing for a while.
    con = gnss.read_elements(gnss.nominal_element_files(list(SYSTEMS)))
    span = gnss.epoch_span(con.median_epoch(), duration_s=86400, step_s=600)
    pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    pos[40:60, 3] = np.nan
    systems = [s.system for s in con.satellites]
    for lat, lon in [(55.75, 37.62), (89.9, 10.0), (-33.9, 151.2), (0.0, -60.0)]:
        p, u = _receiver(lat, lon, 0.0)
        old = per_epoch_dops(pos, systems, p, u, SETS, clock=clock)
        new = series_dops(pos, systems, p, u, SETS, clock=clock)
        _assert_matches(new, old, slice(None), atol=0.0, rtol=OLD_RTOL)
        assert np.isfinite(new["pdop"][-1]).all()


def test_moving_receiver_equals_old_path_epoch_by_epoch(nominal):
    lat, lon, h = _route(len(nominal["times"]))
    p, u = _receiver(lat, lon, h)
    new = series_dops(nominal["pos"], nominal["systems"], p, u, SETS)
    old = per_epoch_dops(nominal["pos"], nominal["systems"], p, u, SETS)
    _assert_matches(new, old, slice(None), atol=0.0, rtol=OLD_RTOL)


@pytest.mark.parametrize("clock", ["per-system", "common"])
def test_fixed_site_equals_skyfield_reference(nominal, clock):
    alt, az = _look_angles(nominal["sky"], nominal["times"], *MOSCOW)
    ref, edge = _reference(alt, az, nominal["systems"], SETS, clock, 5.0)
    got = series_dops(nominal["pos"], nominal["systems"], *_receiver(*MOSCOW), SETS,
                      clock=clock)  # fmt: skip
    _assert_matches(got, ref, ~edge)
    assert (~edge).sum() >= 20


def test_street_canyon_equals_skyfield_reference(nominal):
    horizon = gnss.horizon_preset("street_canyon_ns")
    alt, az = _look_angles(nominal["sky"], nominal["times"], *MOSCOW)
    ref, edge = _reference(alt, az, nominal["systems"], SETS, "per-system", 5.0, horizon)
    got = series_dops(nominal["pos"], nominal["systems"], *_receiver(*MOSCOW), SETS,
                      skyline=horizon.kernel_table(5.0))  # fmt: skip
    _assert_matches(got, ref, ~edge)
    flat = series_dops(nominal["pos"], nominal["systems"], *_receiver(*MOSCOW), SETS)
    # The canyon hides satellites (east and west) at every epoch, and some fixes are lost.
    assert (got["visible"][4] < flat["visible"][4]).all()
    assert np.isnan(got["pdop"][:4]).sum() > np.isnan(flat["pdop"][:4]).sum()


def test_moving_receiver_with_skyline_equals_skyfield_reference(nominal):
    horizon = gnss.horizon_preset("street_canyon_ns")
    lat, lon, h = _route(len(nominal["times"]))
    alt, az = _look_angles(nominal["sky"], nominal["times"], lat, lon, h)
    for sky in (None, horizon):
        ref, edge = _reference(alt, az, nominal["systems"], SETS, "per-system", 5.0, sky)
        got = series_dops(nominal["pos"], nominal["systems"], *_receiver(lat, lon, h), SETS,
                          skyline=None if sky is None else sky.kernel_table(5.0))  # fmt: skip
        _assert_matches(got, ref, ~edge)


def test_weights_one_equal_unweighted_bit_for_bit(nominal):
    args = (nominal["pos"], nominal["systems"], *_receiver(*MOSCOW), SETS)
    plain = series_dops(*args)
    ones = series_dops(*args, sat_weight=np.ones(len(nominal["systems"])))
    for name, value in plain.items():
        np.testing.assert_array_equal(ones[name], value, name)


@pytest.mark.parametrize("clock", ["per-system", "common"])
def test_weighted_dop_equals_numpy_inverse(nominal, clock):
    w = np.array([WEIGHT[s] for s in nominal["systems"]])
    alt, az = _look_angles(nominal["sky"], nominal["times"], *MOSCOW)
    ref, edge = _reference(alt, az, nominal["systems"], SETS, clock, 5.0, weight=w)
    got = series_dops(nominal["pos"], nominal["systems"], *_receiver(*MOSCOW), SETS,
                      clock=clock, sat_weight=w)  # fmt: skip
    _assert_matches(got, ref, ~edge)
    plain = series_dops(nominal["pos"], nominal["systems"], *_receiver(*MOSCOW), SETS,
                        clock=clock)  # fmt: skip
    assert not np.allclose(got["pdop"][4], plain["pdop"][4])  # the weights do change it


def test_guide_reference_geometry_and_weight_scaling():
    # GUIDE 3: one satellite at zenith, three at 30 deg (azimuths 0, 120, 240): PDOP 8/3.
    el, az = np.radians([90.0, 30.0, 30.0, 30.0]), np.radians([0.0, 0.0, 120.0, 240.0])
    e = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=1)
    up = np.array([0.0, 0.0, 1.0])
    # Local frame = ITRS at the north pole (east y, north -x there: rotate e into it).
    pos = (np.stack([-e[:, 1], e[:, 0], e[:, 2]], axis=1) * 2.5e7)[None]
    d = series_dops(pos, ["R"] * 4, np.zeros(3), up, [("R",)], elevation_mask_deg=5.0)
    np.testing.assert_allclose([d["pdop"][0, 0], d["hdop"][0, 0], d["vdop"][0, 0]],
                               [8 / 3, 4 / 3, 4 / np.sqrt(3)], rtol=1e-13)  # fmt: skip
    # Every weight times 4: the normal matrix times 4, every DOP halved.
    w = series_dops(pos, ["R"] * 4, np.zeros(3), up, [("R",)], sat_weight=np.full(4, 4.0))
    for name in ("pdop", "hdop", "vdop", "gdop", "tdop"):
        np.testing.assert_allclose(w[name], d[name] / 2, rtol=1e-14, err_msg=name)


def test_fixed_row_broadcasts_like_one_row_per_epoch(nominal):
    p, u = _receiver(*MOSCOW)
    n_t = len(nominal["times"])
    one = series_dops(nominal["pos"], nominal["systems"], p, u, SETS)
    rows = series_dops(nominal["pos"], nominal["systems"], np.tile(p, (n_t, 1)),
                       np.tile(u, (n_t, 1)), SETS)  # fmt: skip
    for name, value in one.items():
        np.testing.assert_array_equal(rows[name], value, name)


def test_epoch_dops_is_the_series_without_system_counts(nominal):
    args = (nominal["pos"], nominal["systems"], *_receiver(*MOSCOW), SETS)
    series = series_dops(*args, clock="common")
    epochs = gnss.epoch_dops(*args, clock="common")
    assert set(epochs) == {"pdop", "hdop", "vdop", "gdop", "visible", "tdop"}
    for name, value in epochs.items():
        np.testing.assert_array_equal(value, series[name], name)


@pytest.mark.parametrize("kwargs,needle", [
    ({"points_itrs_m": np.zeros((2, 3))}, "points_itrs_m must have shape"),
    ({"up": np.full(3, np.nan)}, "up must be finite"),
    ({"sat_weight": -1.0}, "sat_weight must be"),
    ({"skyline": (np.array([0.0, 90.0]), np.array([5.0, 5.0]))}, "skyline must be"),
    ({"systems": ["R"]}, "give one system letter per satellite"),
])  # fmt: skip
def test_bad_inputs_are_refused(kwargs, needle):
    args = {"positions_itrs_m": np.full((3, 2, 3), 2.5e7), "systems": ["R", "R"],
            "points_itrs_m": np.zeros(3), "up": np.array([0.0, 0.0, 1.0]), "sets": [("R",)]}
    if kwargs.get("sat_weight") is not None:
        kwargs = {"sat_weight": np.full(2, kwargs["sat_weight"])}
    with pytest.raises(gnss.ParameterError, match=needle):
        series_dops(**(args | kwargs))


def test_benchmark_site_case_tiny(tmp_path):
    # The benchmark case (python -m benchmarks --cases site): three rows, old path agrees.
    import json

    from benchmarks.__main__ import main

    assert main(["--tiny", "--cases", "site", "--output", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "benchmarks.json").read_text())
    rows = [r for r in doc["rows"] if r["case"] == "11 site series"]
    assert [r["config"].rsplit(": ", 1)[1] for r in rows] == [
        "whole site_timeseries", "series kernel (1 call)",
        "old path (grid kernel per epoch and set)",
    ]  # fmt: skip
    assert all(r["seconds"] > 0 and r["work"] == 102 * 241 for r in rows)
    assert doc["checks"]["site_series_vs_old"] < OLD_RTOL
