"""The numba kernel against independent references.

- DOP: the NumPy twin (gnss.kernels.twin), which builds the design matrix G explicitly and
  inverts G^T G (no clock elimination), for per-system and common clocks.
- GUIDE section 3 reference cases (analytic values).
- Visibility: the kernel's elevation test agrees with skyfield's ``altaz`` at
  the mask edge.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pymap3d
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gnss
from gnss.coverage.blocks import Accumulators, KernelRun
from gnss.coverage.config import CoverageConfig
from gnss.coverage.layout import SetLayout
from gnss.kernels import twin as kernel_twin


def enu_basis(lat_deg: float, lon_deg: float) -> np.ndarray:
    la, lo = math.radians(lat_deg), math.radians(lon_deg)
    east = [-math.sin(lo), math.cos(lo), 0.0]
    north = [-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la)]
    up = [math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)]
    return np.array([east, north, up])


def los_from_azel(az_deg, el_deg, basis) -> np.ndarray:
    az, el = np.radians(az_deg), np.radians(el_deg)
    enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
    return enu @ basis


def run_kernel(e, groups, up, set_clock, sin_mask=-2.0, pdop_max=6.0, set_slot=None, point=None):
    """One epoch through the production kernel; returns its output arrays (point 0).

    Satellites at 2.5e7 m along ``e`` from a point at the origin, or, with ``point`` given,
    ``e`` holds satellite positions (m). ``groups`` must be sorted (the kernel's layout).
    ``set_slot`` (per-system count slots) defaults to one slot per group.
    """
    e = np.asarray(e, float)
    groups = np.asarray(groups, np.int64)
    assert np.all(np.diff(groups) >= 0)
    pos = (e if point is not None else e * 2.5e7)[None]
    point = np.zeros((1, 3)) if point is None else np.asarray(point, float).reshape(1, 3)
    n_sets, n_groups = set_clock.shape
    if set_slot is None:
        set_slot = np.where(set_clock >= 0, np.arange(n_groups)[None], -1)
    set_nclock = (set_clock.max(axis=1) + 1).astype(np.int64)
    layout = SetLayout(
        satellites=[], starts=[], systems=[], sat_group=groups,
        group_start=np.searchsorted(groups, np.arange(n_groups + 1)).astype(np.int64),
        set_clock=set_clock.astype(np.int64), set_nclock=set_nclock,
        set_slot=set_slot.astype(np.int64), n_clock_max=int(set_nclock.max()),
        n_slot_max=int(set_slot.max()) + 1,
    )  # fmt: skip
    config = CoverageConfig(elevation_mask_deg=0.0, pdop_max=pdop_max)
    run = KernelRun(pos, layout, config, n_zones=1)
    run.sin_mask = sin_mask
    acc = Accumulators(1, n_sets, layout.n_clock_max, layout.n_slot_max)
    run(point, np.asarray(up, float).reshape(1, 3), np.ones((1, 1)), acc.view(1))
    return acc


def kernel_dops(e, groups, up, clock="per-system"):
    groups = np.asarray(groups)
    order = np.argsort(groups, kind="stable")  # the kernel stores satellites group by group
    e, groups = np.asarray(e)[order], groups[order]
    n_groups = int(groups.max()) + 1
    set_clock = np.arange(n_groups)[None] if clock == "per-system" else np.zeros((1, n_groups), int)
    acc = run_kernel(e, groups, up, set_clock)
    if acc.n_fix[0, 0] == 0:
        return None
    pdop, hdop, vdop, gdop = acc.dop_sum[0, 0]
    tdop = acc.tdop_sum[0, 0]
    return {"pdop": pdop, "hdop": hdop, "vdop": vdop, "gdop": gdop, "tdop": tdop}


def numpy_dops(e, groups, basis, clock="per-system"):
    """Reference: the NumPy twin (explicit G = [-e, onehot(clock)], Q = inv(G^T G), ENU).

    Every satellite in view; no DOP ceiling (the test applies it with round-off margins).
    ``tdop[c]`` is the TDOP of the clock of group ``c`` (per-system clocks).
    """
    e = np.asarray(e, float)
    groups = np.asarray(groups)
    letters = np.array(gnss.SYSTEMS)[groups]
    set_systems = [gnss.SYSTEMS[g] for g in sorted(set(groups.tolist()))]
    vals = kernel_twin.epoch_values(
        e[None, None], np.ones((1, 1, len(e)), bool), basis[None], letters, set_systems, clock,
        dop_ceiling=np.inf,
    )  # fmt: skip
    if not vals["fix"][0, 0]:
        return None
    tdop = np.zeros(int(groups.max()) + 1)
    if clock == "per-system":
        tdop[sorted(set(groups.tolist()))] = vals["tdop"][0, 0]
    return {k: float(vals[k][0, 0]) for k in kernel_twin.DOPS} | {"tdop": tdop}


BASIS = enu_basis(0.0, 0.0)
UP = BASIS[2]
REF_AZ = [0.0, 0.0, 120.0, 240.0]
REF_EL = [90.0, 30.0, 30.0, 30.0]


def test_guide_reference_case_one_system():
    e = los_from_azel(REF_AZ, REF_EL, BASIS)
    d = kernel_dops(e, [0, 0, 0, 0], UP)
    # GUIDE section 3 values; 1e-12 is float64 round-off for a 4x4 problem.
    assert d["pdop"] == pytest.approx(8 / 3, rel=1e-12)
    assert d["hdop"] == pytest.approx(4 / 3, rel=1e-12)
    assert d["vdop"] == pytest.approx(4 / math.sqrt(3), rel=1e-12)
    assert d["tdop"][0] == pytest.approx(1.5275, abs=1e-4)
    assert d["gdop"] == pytest.approx(3.0732, abs=1e-4)


def test_guide_second_system_leaves_pdop_with_per_system_clocks():
    e = los_from_azel(REF_AZ + [60.0], REF_EL + [40.0], BASIS)
    per_system = kernel_dops(e, [0, 0, 0, 0, 1], UP, "per-system")
    common = kernel_dops(e, [0, 0, 0, 0, 1], UP, "common")
    assert per_system["pdop"] == pytest.approx(8 / 3, rel=1e-12)
    assert common["pdop"] == pytest.approx(2.6162, abs=1e-4)
    assert common["pdop"] < per_system["pdop"]


def test_too_few_satellites_is_no_fix():
    e = los_from_azel([0.0, 120.0, 240.0], [30.0, 30.0, 30.0], BASIS)
    assert kernel_dops(e, [0, 0, 0], UP) is None
    # 4 satellites but two systems (5 unknowns): no fix with per-system clocks, a fix with common.
    e4 = los_from_azel(REF_AZ, REF_EL, BASIS)
    assert kernel_dops(e4, [0, 0, 0, 1], UP, "per-system") is None
    assert kernel_dops(e4, [0, 0, 0, 1], UP, "common") is not None


geometry = st.integers(min_value=4, max_value=24).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0, 360), min_size=n, max_size=n),
        st.lists(st.floats(5, 90), min_size=n, max_size=n),
        st.lists(st.integers(0, 6), min_size=n, max_size=n),  # up to 7 clocks
        st.floats(-89, 89),
        st.floats(-180, 180),
    )
)


@settings(max_examples=400, deadline=None)
@given(geometry, st.sampled_from(["per-system", "common"]))
def test_dop_matches_numpy_reference(geom, clock):
    az, el, groups, lat, lon = geom
    basis = enu_basis(lat, lon)
    e = los_from_azel(np.array(az), np.array(el), basis)
    # Relabel groups densely so "group" == clock index in both implementations.
    _, dense = np.unique(groups, return_inverse=True)
    g_mat = np.hstack([-e, np.eye(int(dense.max()) + 1)[dense]])
    if clock == "common":
        g_mat = np.hstack([-e, np.ones((len(dense), 1))])
    cond = np.linalg.cond(g_mat)
    # Both implementations solve with G^T G, whose condition number is cond(G)^2, so
    # round-off grows as eps * cond^2. cond(G) < 1e3 covers every useful geometry
    # (PDOP up to a few hundred) and keeps that below 1e-10; beyond it the DOPs are
    # compared with a tolerance that scales with the conditioning.
    assume(cond < 1e7)
    rel = 1e-9 if cond < 1e3 else 1e-15 * cond**2
    ref = numpy_dops(e, dense, basis, clock)
    got = kernel_dops(e, dense, basis[2], clock)
    if ref is None:
        assert got is None
        return
    # Near-singular geometry (GDOP above the ceiling; the margin covers the round-off above)
    # is no usable fix in the kernel.
    if ref["gdop"] > gnss.DOP_CEILING * (1 + rel):
        assert got is None
        return
    if ref["gdop"] > gnss.DOP_CEILING * (1 - rel):
        return  # at the ceiling within round-off: either answer is right
    assert got is not None
    for key in ("pdop", "hdop", "vdop", "gdop"):
        assert got[key] == pytest.approx(ref[key], rel=rel), key
    if clock == "per-system":
        np.testing.assert_allclose(got["tdop"][: ref["tdop"].size], ref["tdop"], rtol=rel)
    assert got["pdop"] ** 2 == pytest.approx(
        got["hdop"] ** 2 + got["vdop"] ** 2, rel=max(rel, 1e-12)
    )
    assert got["gdop"] >= got["pdop"] >= max(got["hdop"], got["vdop"]) > 0


def test_single_satellite_system_adds_clock_but_no_position_information():
    e = los_from_azel(REF_AZ + [200.0], REF_EL + [15.0], BASIS)
    d = kernel_dops(e, [0, 0, 0, 0, 1], UP)
    assert d["pdop"] == pytest.approx(8 / 3, rel=1e-12)
    assert d["hdop"] == pytest.approx(4 / 3, rel=1e-12)


def test_sets_share_groups_and_availability_threshold():
    # Two sets over the same satellites: set 0 = group 0 only, set 1 = groups 0 and 1.
    e = los_from_azel(REF_AZ + [60.0, 200.0, 300.0], REF_EL + [40.0, 20.0, 50.0], BASIS)
    groups = [0, 0, 0, 0, 1, 1, 1]
    set_clock = np.array([[0, -1], [0, 1]])
    acc = run_kernel(e, groups, UP, set_clock, pdop_max=100.0)
    assert list(acc.vis_sum[0]) == [4, 7]
    assert list(acc.sys_sum[0, 1]) == [4, 3]
    assert acc.n_fix[0].tolist() == [1, 1]
    pdop0, pdop1 = acc.dop_sum[0, :, 0]
    assert pdop0 == pytest.approx(8 / 3, rel=1e-12)
    assert pdop1 < pdop0
    # A threshold between the two: set 0 has a fix but is not available, set 1 is.
    acc = run_kernel(e, groups, UP, set_clock, pdop_max=0.5 * (pdop0 + pdop1))
    assert acc.n_avail[0].tolist() == [0, 1]
    # Threshold is inclusive (PDOP <= pdop_max).
    acc = run_kernel(e, groups, UP, set_clock, pdop_max=float(pdop0))
    assert acc.n_avail[0].tolist() == [1, 1]


def test_mask_is_strict_and_nan_positions_are_never_visible():
    e = los_from_azel([0.0, 90.0, 180.0, 270.0, 45.0], [10.0, 10.0, 10.0, 10.0, 60.0], BASIS)
    sin10 = math.sin(math.radians(10.0))
    acc = run_kernel(e, [0] * 5, UP, np.array([[0]]), sin_mask=sin10 + 1e-12)
    assert acc.vis_sum[0, 0] == 1
    acc = run_kernel(e, [0] * 5, UP, np.array([[0]]), sin_mask=sin10 - 1e-12)
    assert acc.vis_sum[0, 0] == 5
    e_nan = e.copy()
    e_nan[4] = np.nan
    acc = run_kernel(e_nan, [0] * 5, UP, np.array([[0]]), sin_mask=sin10 - 1e-12)
    assert acc.vis_sum[0, 0] == 4


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cell_percentiles_within_stated_bound(seed):
    """Per-cell median/p95 from the kernel's histograms against numpy.percentile."""
    from gnss.coverage.epochs import epoch_dops

    rng = np.random.default_rng(seed)
    # A random but realistic sky: 30 satellites of two systems moving over 300 epochs.
    n_t, n_s = 300, 30
    az0, el_rate = rng.uniform(0, 360, n_s), rng.uniform(-0.5, 0.5, n_s)
    el = np.clip(rng.uniform(-20, 90, n_s)[None] + el_rate[None] * np.arange(n_t)[:, None], -89, 89)
    az = az0[None] + 0.3 * np.arange(n_t)[:, None]
    e = los_from_azel(az, el, BASIS)
    systems = ["R"] * 12 + ["C"] * 18
    d = epoch_dops(e * 2.5e7, systems, np.zeros(3), UP, [("R", "C")], elevation_mask_deg=5.0)
    values = d["pdop"][0][np.isfinite(d["pdop"][0])]
    assert values.size > 200
    acc = run_kernel_series(e * 2.5e7, systems, UP, [("R", "C")])
    exact = np.percentile(values, [50, 95])
    got = acc.dop_q[0, 0, 0]
    # Stated bound: two bins of at most 1/128 each.
    assert np.all(np.abs(got / exact - 1) <= 2 / 128), (got, exact)
    # epoch_dops runs the series kernel: the same sums, its own rounding of the 3x3 inverse
    # (scalar code; ~1e-16 relative, see tests/test_series.py).
    assert acc.dop_max[0, 0, 0] == pytest.approx(values.max(), rel=1e-14)
    assert acc.dop_min[0, 0, 0] == pytest.approx(values.min(), rel=1e-14)
    assert acc.dop_sum[0, 0, 0] == pytest.approx(values.sum(), rel=1e-12)


def run_kernel_series(pos, systems, up, sets, mask_deg=5.0):
    from gnss.coverage.layout import layout_for_systems

    order, layout = layout_for_systems(systems, sets, "per-system")
    run = KernelRun(np.asarray(pos)[:, order], layout, CoverageConfig(mask_deg), n_zones=1)
    acc = Accumulators(1, len(sets), layout.n_clock_max, layout.n_slot_max)
    run(np.zeros((1, 3)), np.asarray(up).reshape(1, 3), np.ones((1, 1)), acc.view(1))
    return acc


def brute_force_visible(pos, point, up, mask_deg):
    """Visible[t, s] straight from the definition (the NumPy twin's elevation test)."""
    e = kernel_twin.line_of_sight(pos, np.reshape(point, (1, 3)))
    return kernel_twin.visible(e, np.reshape(up, (1, 3)), mask_deg)[0]


@pytest.mark.parametrize("mask_deg", [0.0, 5.0, 30.0])
@pytest.mark.parametrize("height_m", [0.0, 9000.0, 2.0e6])
def test_skipped_blocks_hold_no_visible_satellite(nominal_day, mask_deg, height_m):
    """block_bounds is sound: wherever it lets the kernel skip, brute force sees nothing."""
    from gnss.kernels import driver as kernels
    from gnss.receivers.grid import geodetic_points

    pos, _ = nominal_day
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(-90, 90, 40), rng.uniform(-180, 180, 40)
    points, ups = geodetic_points(lat, lon, height_m)
    xyz = [np.ascontiguousarray(pos[..., i].T) for i in range(3)]
    n_s, n_t = xyz[0].shape
    nb = -(-n_t // kernels.BLOCK)
    sin_mask = math.sin(math.radians(mask_deg))
    radii = np.linalg.norm(points, axis=1)
    bound = np.empty((5, n_s * nb))
    kernels.block_bounds(*xyz, sin_mask, radii.min(), radii.max(), bound)
    skipped = 0
    for p, u in zip(points, ups, strict=True):
        thr = p @ u - sin_mask * np.linalg.norm(p) - 1.0  # as in accumulate
        live = (bound[:3].T @ u + bound[3] >= thr).reshape(nb, n_s).T  # block-major
        vis = brute_force_visible(pos, p, u, mask_deg).T  # [s, t]
        vis_blocks = np.zeros((n_s, nb), bool)
        for b in range(nb):
            vis_blocks[:, b] = vis[:, b * kernels.BLOCK : (b + 1) * kernels.BLOCK].any(axis=1)
        assert not np.any(vis_blocks & ~live)
        skipped += np.count_nonzero(~live)
    assert skipped > 0.3 * len(points) * n_s * nb  # the bound is also useful


@pytest.mark.parametrize("mask_deg", [0.0, 10.0])
def test_kernel_counts_equal_brute_force_over_a_day(nominal_day, mask_deg):
    """Visible counts per set over 288 epochs (block skipping active) equal brute force."""
    from gnss.coverage.layout import layout_for_systems
    from gnss.receivers.grid import geodetic_points

    pos, systems = nominal_day
    sets = [("G",), ("R",), ("R", "C"), ("G", "R", "E", "C")]
    order, layout = layout_for_systems(systems, sets, "per-system")
    run = KernelRun(pos[:, order], layout, CoverageConfig(mask_deg), n_zones=1)
    lat = np.array([-85.0, -33.9, 0.0, 40.0, 55.75, 78.2])
    lon = np.array([10.0, 18.4, 100.0, -100.0, 37.62, 15.6])
    points, ups = geodetic_points(lat, lon, 0.0)
    acc = Accumulators(len(lat), len(sets), layout.n_clock_max, layout.n_slot_max)
    run(points, ups, np.ones((1, len(lat))), acc.view(len(lat)))
    sys_arr = np.array(systems)
    for i, (p, u) in enumerate(zip(points, ups, strict=True)):
        vis = brute_force_visible(pos, p, u, mask_deg)
        for k, st_ in enumerate(sets):
            n = vis[:, np.isin(sys_arr, st_)].sum(axis=1)
            assert acc.vis_sum[i, k] == n.sum()
            assert (acc.vis_min[i, k], acc.vis_max[i, k]) == (n.min(), n.max())


def test_rsqrt_is_full_precision():
    from gnss.coverage.epochs import epoch_dops

    # Distances over 12 orders of magnitude around GNSS ranges: unit vectors must be exact
    # to float64 round-off, so DOPs from positions far away equal those from unit vectors.
    e = los_from_azel(REF_AZ, REF_EL, BASIS)
    for scale in (1.0, 1e3, 2.5e7, 4.2e7, 1e12):
        d = epoch_dops(
            (e * scale)[None], ["G"] * 4, np.zeros(3), UP, [("G",)], elevation_mask_deg=0
        )
        assert d["pdop"][0, 0] == pytest.approx(8 / 3, rel=1e-14), scale


def test_elevation_test_agrees_with_skyfield_at_mask_edge():
    """gnss.orbits.propagate positions, gnss.receivers.grid points; mask at skyfield's elevation
    +- 1e-6 deg."""
    from skyfield.api import EarthSatellite, wgs84

    import gnss
    from gnss.orbits.propagate import propagate_itrs_m
    from gnss.receivers.grid import geodetic_points

    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=6 * 3600, step_s=3600)
    pos, failures = propagate_itrs_m(con.satellites, span)
    assert not failures
    times = span.times()
    sites = [(55.75, 37.62, 150.0), (39.9, 116.4, 50.0), (-33.9, 18.4, 0.0), (78.2, 15.6, 10.0)]
    checked = 0
    for lat, lon, h in sites:
        point, up = geodetic_points([lat], [lon], h)
        topos = wgs84.latlon(lat, lon, elevation_m=h)
        for sat in con.satellites[::7]:
            es = EarthSatellite.from_satrec(sat.satrec, gnss.timeutil.timescale())
            alt, _, _ = (es - topos).at(times).altaz()
            # pymap3d, an independent implementation, on the same ITRS positions.
            _, el_pm, _ = pymap3d.ecef2aer(*pos[:, con.satellites.index(sat)].T, lat, lon, h)
            np.testing.assert_allclose(el_pm, alt.degrees, rtol=0, atol=1e-6)
            s_index = con.satellites.index(sat)
            for t in range(span.n_epochs):
                el = alt.degrees[t]
                if el < -5:
                    continue
                for delta, expect in ((-1e-6, 1), (1e-6, 0)):
                    sin_mask = math.sin(math.radians(el + delta))
                    acc = run_kernel(
                        pos[t, s_index : s_index + 1],
                        [0],
                        up[0],
                        np.zeros((1, 1), np.int64),
                        sin_mask=sin_mask,
                        point=point,
                    )
                    assert acc.vis_sum[0, 0] == expect, (sat.name, lat, lon, t, el, delta)
                    checked += 1
    assert checked > 100


def test_sum_block_matches_numpy():
    """The vector block sums equal a float64 NumPy evaluation of the same definition.

    The reciprocal distance is a float32 estimate refined by one Newton step (relative
    error ~2e-14, see gnss.kernels.vector), so unit-vector sums agree to 1e-13 per
    satellite; counts agree exactly away from the mask edge (no satellite here is within
    1e-9 of it).
    """
    from numba import njit

    from gnss.kernels.sets import ROW
    from gnss.kernels.vector import LANES, sum_block

    @njit
    def call(fx, fy, fz, idx, m, pt, u, sin_mask, acc, a0):
        sum_block(fx, fy, fz, idx, m, pt[0], pt[1], pt[2], u[0], u[1], u[2], sin_mask, acc, a0)

    rng = np.random.default_rng(3)
    n_s, n_tp = 30, 5 * LANES
    pos = rng.normal(size=(3, n_s, n_tp)) * 1.6e7 + rng.normal(size=(3, n_s, 1)) * 1e7
    lat, lon = 52.0, 13.0
    basis = enu_basis(lat, lon)
    up = basis[2]
    pt = up * 6.37e6
    sin_mask = math.sin(math.radians(5.0))
    flat = [np.ascontiguousarray(c.ravel()) for c in pos]
    chosen = np.array([0, 3, 4, 9, 17, 29])
    for b in (0, 2, 4):
        idx = chosen * n_tp + b * LANES
        acc = np.full(10 * ROW + 64, np.nan)
        a0 = np.uint64(16)
        call(*flat, idx, len(idx), pt, up, sin_mask, acc, a0)
        d = pos[:, chosen, b * LANES : (b + 1) * LANES] - pt[:, None, None]  # [3, s, lane]
        e = d / np.linalg.norm(d, axis=0)
        sin_el = np.einsum("i,isl->sl", up, e)
        assert np.all(np.abs(sin_el - sin_mask) > 1e-9)
        w = (sin_el > sin_mask).astype(float)
        ew = e * w
        ref = [w.sum(0), *(ew.sum(1))]
        ref += [(ew[i] * ew[j]).sum(0) for i, j in ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))]
        for r in range(10):
            got = acc[16 + r * ROW : 16 + r * ROW + LANES]
            np.testing.assert_allclose(got, ref[r], rtol=0, atol=1e-13 * len(chosen))
        assert np.array_equal(acc[16 : 16 + LANES], w.sum(0))  # counts are exact
        assert np.isnan(acc[:16]).all() and np.isnan(acc[16 + LANES : ROW]).all()  # no spill
    # No satellite: zeros are stored.
    acc = np.full(10 * ROW, np.nan)
    call(*flat, np.zeros(0, np.int64), 0, pt, up, sin_mask, acc, np.uint64(0))
    assert all((acc[r * ROW : r * ROW + LANES] == 0).all() for r in range(10))


@functools.cache
def _quantiles_caller():
    """A compiled caller of the inline ``hist_quantiles``, compiled once for every example."""
    from numba import njit

    from gnss.kernels.sets import hist_quantiles

    @njit
    def call(hist, lo, hi, total, vmin, vmax, out):
        hist_quantiles(hist, lo, hi, total, vmin, vmax, out)

    return call


@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=200),
    st.integers(0, 40),
)
@settings(max_examples=200, deadline=None)
def test_hist_quantiles_match_single_scans(counts, lo):
    """hist_quantiles gives what a plain cumulative scan gives for ranks q (n - 1).

    Up to 200 bins: several of the runs that the scan skips by their totals (``CROSS_RUN``),
    crossings inside a run, at its edges and in the bins after the last whole run.
    """
    from gnss.kernels.sets import HIST_N_BINS, hist_bin_lower

    call = _quantiles_caller()
    hist = np.zeros(HIST_N_BINS, np.int32)
    hi = lo + len(counts) - 1
    hist[lo : hi + 1] = counts
    total = int(hist.sum())
    assume(total > 0)
    vmin, vmax = hist_bin_lower(lo), hist_bin_lower(hi + 1)
    out = np.empty(2)
    call(hist, lo, hi, total, vmin, vmax, out)
    cum = np.cumsum(hist[lo : hi + 1])
    for q, got in ((0.5, out[0]), (0.95, out[1])):
        rank = q * (total - 1)
        b = int(np.argmax(cum > rank))  # first bin whose running count passes the rank
        below = cum[b] - hist[lo + b]
        low, high = hist_bin_lower(lo + b), hist_bin_lower(lo + b + 1)
        want = low + (high - low) * (rank - below + 0.5) / hist[lo + b]
        assert got == pytest.approx(min(max(want, vmin), vmax), rel=1e-12)


#: Keywords of numba's decorators that are compile policy: only gnss/kernels/jit.py sets them.
POLICY_KEYWORDS = {"cache", "fastmath", "parallel", "error_model", "boundscheck", "nogil"}


def test_compile_policy_has_one_home():
    """Every njit in gnss.kernels takes its options from gnss.kernels.jit (issue 11).

    A decorator may pass ``**JIT_OPTS`` / ``**CACHED`` / ``**THREADED`` and ``inline``,
    never a policy keyword of its own (``cache=True``, ``fastmath=...``, ``parallel=...``):
    those are decided in one place.
    """
    import ast
    from pathlib import Path

    from gnss.kernels import jit

    folder = Path(jit.__file__).parent
    offenders = []
    for path in sorted(folder.glob("*.py")):
        if path.name == "jit.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("njit", "jit"):
                for kw in node.keywords:
                    if kw.arg in POLICY_KEYWORDS:
                        offenders.append(f"{path.name}:{node.lineno} {kw.arg}=")
    assert offenders == [], offenders
    assert jit.CACHED["cache"] is True and jit.CACHED["fastmath"] is jit.FASTMATH
    assert jit.THREADED["nogil"] is True and "parallel" not in jit.THREADED
    assert not {"nnan", "ninf", "fast"} & jit.FASTMATH  # NaN and inf are data


def test_kernel_functions_fit_eighty_lines():
    """The kernel's named steps (issue 11): no function in gnss.kernels over 80 lines."""
    import ast
    from pathlib import Path

    from gnss.kernels import jit

    long = []
    for path in sorted(Path(jit.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                if node.end_lineno - first + 1 > 80:
                    long.append(f"{path.name}:{node.lineno} {node.name}")
    assert long == [], long
