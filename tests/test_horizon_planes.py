"""The horizon kernel's whole-block decisions: planes about the skyline, never a wrong count.

:mod:`gnss.coverage.skyplanes` fits planes through the receiver *under* the skyline (a block
of epochs below one is hidden) and *over* it (above all of them is clear);
:mod:`gnss.kernels.horizon_cull` tests the satellites' block balls against them in float32.
Checked here against plain NumPy: the planes' elevations on a 0.0005 deg grid of azimuths
(the fits bound the skyline over 0.05 deg stretches exactly; the grid is a second, independent
look), the float32 decisions against float64 dot products, and, through the kernel's tile
sums, satellites held still for a block just beside the planes (1e-4 to 1e-2 deg: the
margins are 1e-6 deg and 32 m, ~1e-4 deg at 2.2e7 m) counted as the exact skyline test counts
them.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from test_horizon_bins import MASK_DEG, RANGE_M, WALLS_DEG, _frame, counts_per_epoch

import gnss
from gnss.coverage.skyline import kernel_skyline
from gnss.coverage.skyplanes import MARGIN_DEG, clear_planes, hidden_planes
from gnss.kernels.horizon_cull import F32_MARGIN_M, block_codes, bounds_f32, point_planes
from gnss.kernels.horizon_steps import horizon_scratch, local_east_north, sky_low
from gnss.kernels.steps import N_BOUND_ROWS, flat_positions, skip_threshold

GENTLE = (np.arange(0.0, 360.0, 30.0),
          np.array([2.0, 6.0, 8.0, 5.0, 1.0, 0.0, 0.5, 2.0, 4.0, 7.0, 6.0, 3.0]))  # fmt: skip
CUSTOM = (np.array([20.0, 60.0, 110.0, 150.0, 200.0, 250.0, 300.0]),
          np.array([8.0, 35.0, 22.0, 48.0, 3.0, 15.0, 30.0]))  # fmt: skip
WALLS = (np.array(WALLS_DEG), np.array([5.0, 5.0, 60.0, 60.0, 5.0, 5.0, 60.0, 60.0, 5.0]))


def _table(name: str):
    if name == "canyon":
        return gnss.horizon_preset("street_canyon_ns").kernel_table(MASK_DEG)
    if name.startswith("random"):
        rng = np.random.default_rng(int(name[-1]))
        az = np.sort(rng.choice(np.arange(0.0, 360.0, 2.5), rng.integers(4, 40), replace=False))
        return gnss.Horizon(az, rng.uniform(0.0, 70.0, az.size)).kernel_table(MASK_DEG)
    az, el = {"gentle": GENTLE, "custom": CUSTOM, "walls": WALLS}[name]
    return gnss.Horizon(az, el).kernel_table(MASK_DEG)


def _plane_el_deg(planes, az_deg):
    c = np.cos(np.radians(az_deg[None, :] - planes[:, :1]))
    return np.degrees(np.arctan(np.tan(np.radians(planes[:, 1:])) * c))


NAMES = ["canyon", "gentle", "custom", "walls", "random1", "random2", "random3"]


@pytest.mark.parametrize("name", NAMES)
def test_hidden_planes_stay_under_and_clear_planes_over_the_skyline(name):
    table = _table(name)
    az = np.unique(np.concatenate([np.arange(0.0, 360.0, 5e-4), np.mod(table[0], 360.0)]))
    sky = np.interp(az, table[0], table[1], period=360.0)
    hidden, clear = hidden_planes(table), clear_planes(table)
    if hidden.size:
        assert (_plane_el_deg(hidden, az) <= sky - 0.5 * MARGIN_DEG).all()
    if clear.size:
        assert (_plane_el_deg(clear, az).max(axis=0) >= sky + 0.5 * MARGIN_DEG).all()
    if name == "canyon":  # the walls, and the walls with the street's two ends
        assert sorted(hidden[:, 0].tolist()) == [90.0, 270.0] and (hidden[:, 1] > 60).all()
        assert clear.shape == (4, 2)
    if name == "gentle":
        assert hidden.size == 0 and clear.size > 0  # 0-8 deg: nothing to hide beyond the mask


def test_a_flat_skyline_has_no_planes():
    sky = kernel_skyline(gnss.Horizon(np.array([0.0, 180.0]), np.zeros(2)).kernel_table(5.0))
    assert np.isnan(sky[6]).all() and np.isnan(sky[7]).all()


@njit
def _codes(bound, point, up, sky):  # pragma: no cover - compiled
    thr = skip_threshold(point, up, sky_low(sky))
    frame = local_east_north(up[0], up[1], up[2])[:5]
    planes = np.empty((4, sky[6].shape[0])), np.empty((4, sky[7].shape[0]))
    point_planes(sky[6], point, frame, up, planes[0])
    point_planes(sky[7], point, frame, up, planes[1])
    code = np.empty(bound.shape[1], np.uint8)
    block_codes(bound, bounds_f32(bound), 0, bound.shape[1], up[0], up[1], up[2], thr, planes,
                code)  # fmt: skip
    return code, planes, thr


@pytest.mark.parametrize("name", ["canyon", "custom"])
def test_float32_decisions_hold_in_float64(name):
    """Every block the float32 test decides is decided so by float64 dot products too.

    Hidden planes are tested on the blocks' capsules (segment ``AB``, radius ``r``), clear
    ones on their balls (centre ``M``, radius ``rho``): random ones here, the segment inside
    the ball as in a real block.
    """
    sky = kernel_skyline(_table(name))
    point, up, _, _ = _frame(37.0, 55.0)
    rng = np.random.default_rng(7)
    n = 20000
    centre = point + rng.normal(size=(n, 3)) * 1.5e7
    centre *= (rng.uniform(2.0e7, 4.3e7, n) / np.linalg.norm(centre, axis=1))[:, None]
    bound = np.empty((N_BOUND_ROWS, n))
    bound[:3] = centre.T
    bound[4] = rng.uniform(1.0, 5e6, n)
    bound[3] = bound[4] - sky[0] * (np.linalg.norm(centre, axis=1) - bound[4])
    half = rng.normal(size=(n, 3))
    half *= (rng.uniform(0.0, 0.9, n) * bound[4] / np.linalg.norm(half, axis=1))[:, None]
    a, b = centre - half, centre + half
    bound[5:8], bound[8:11] = a.T, b.T
    bound[11] = rng.uniform(0.0, 0.1, n) * bound[4] + 1.0
    code, planes, thr = _codes(bound, point, up, sky)
    (hx, hy, hz, ht), (cx, cy, cz, ct) = planes[0], planes[1]
    m, h, c = bound[:3].T, np.stack([hx, hy, hz]), np.stack([cx, cy, cz])
    kept = m @ up + bound[3] >= thr
    hid_d = np.maximum(a @ h, b @ h) + bound[11][:, None] - ht
    clr_d = m @ c - bound[4][:, None] - ct
    below, above = (hid_d < 0).any(axis=1), (clr_d > 0).all(axis=1)
    assert (~kept | below)[code == 0].all()  # ruled out or hidden in float64 too
    assert (above & ~below)[code == 2].all()  # clear in float64 too
    # Blocks farther than the margin from every plane and the bound: decided alike.
    dist = np.concatenate([np.abs(hid_d), np.abs(clr_d),
                           np.abs(m @ up + bound[3] - thr)[:, None]], axis=1).min(axis=1)
    far = dist > 2 * F32_MARGIN_M
    want = np.where(~kept | below, 0, np.where(above, 2, 1))
    np.testing.assert_array_equal(code[far], want[far])
    assert far.mean() > 0.99 and {0, 1, 2} <= set(code.tolist())


@pytest.mark.parametrize("name", ["canyon", "custom", "walls", "gentle"])
def test_block_codes_of_real_orbits_agree_with_every_epoch(name, nominal_day):
    """A hidden block has no epoch above the skyline, a clear one none below it (real orbits).

    Nominal orbits over a day at 300 s (blocks of 40 min, balls of ~4000 km), at points from
    the pole to the equator: each epoch's elevation and azimuth in float64 against the
    skyline (mask folded in). Epochs within 1e-5 deg of it are left out (the margins decide
    those, and a float64 look angle is not exact there).
    """
    table = _table(name)
    sky = kernel_skyline(table)
    x, y, z = (np.ascontiguousarray(nominal_day[0][..., i].T) for i in range(3))  # [s, t]
    n_s, n_t = x.shape
    n_b = -(-n_t // 8)
    decided = 0
    rng = np.random.default_rng(3)
    sites = [(89.0, 10.0), (0.5, 150.0), *zip(rng.uniform(-80, 80, 38), rng.uniform(-180, 180, 38),
                                             strict=True)]  # fmt: skip
    for lat, lon in sites:
        point, up, east, north = _frame(lat, lon)
        _, _, _, bound = flat_positions(x, y, z, point.reshape(1, 3), sky_low(sky), True)
        code = _codes(bound, point, up, sky)[0].reshape(n_b, n_s)
        d = np.stack([x, y, z], axis=-1) - point
        d /= np.linalg.norm(d, axis=-1, keepdims=True)
        el = np.degrees(np.arcsin(d @ up))
        az = np.degrees(np.arctan2(d @ east, d @ north)) % 360.0
        margin = el - np.interp(az, table[0], table[1], period=360.0)  # [s, t]
        pad = np.full((n_s, n_b * 8 - n_t), np.nan)
        blocks = np.concatenate([margin, pad], axis=1).reshape(n_s, n_b, 8).transpose(1, 0, 2)
        sure_above, sure_below = blocks > 1e-5, blocks < -1e-5
        real = ~np.isnan(blocks)
        assert not (sure_above & (code == 0)[..., None]).any()  # hidden, yet an epoch above
        assert not (sure_below & real & (code == 2)[..., None]).any()  # clear, one below
        decided += np.count_nonzero(code != 1)
    assert decided > 0.5 * len(sites) * n_s * n_b  # the decisions are also used


@pytest.mark.parametrize("name", ["canyon", "custom", "walls", "gentle"])
def test_blocks_held_beside_the_planes_count_as_the_exact_test(name):
    """A satellite still for a block, just below a hidden plane or beside the clear planes."""
    table = _table(name)
    sky = kernel_skyline(table)
    hidden, clear = hidden_planes(table), clear_planes(table)
    az = np.arange(0.5, 360.0, 2.9)
    targets = []
    if hidden.size:
        targets.append(_plane_el_deg(hidden, az).max(axis=0))
    if clear.size:
        targets.append(_plane_el_deg(clear, az).max(axis=0))
    offsets = np.array([-1e-2, -1e-3, -1e-4, 1e-4, 1e-3, 1e-2])
    az_all, el_all = [], []
    for t in targets:
        el = t[:, None] + offsets[None, :]
        ok = (el > -5.0) & (el < 89.0)
        az_all.append(np.broadcast_to(az[:, None], el.shape)[ok])
        el_all.append(el[ok])
    az_l, el_l = np.concatenate(az_all), np.concatenate(el_all)
    point, up, east, north = _frame(37.0, 55.0)
    a, e = np.radians(az_l), np.radians(el_l)
    d = (np.cos(e) * np.sin(a))[:, None] * east + (np.cos(e) * np.cos(a))[:, None] * north
    d += np.sin(e)[:, None] * up
    pos = np.repeat(point + RANGE_M * d, 8, axis=0)  # each line of sight held for a block
    xyz = [np.ascontiguousarray(pos[None, :, i]) for i in range(3)]
    got = counts_per_epoch(*xyz, point, up, sky)
    expected = np.repeat(el_l > np.interp(az_l, table[0], table[1], period=360.0), 8)
    np.testing.assert_array_equal(got, expected.astype(float))
    # The test reaches the plane decisions: many of its blocks are hidden or clear.
    _, _, _, bound = flat_positions(*xyz, point.reshape(1, 3), sky_low(sky), True)
    code, _, _ = _codes(bound, point, up, sky)
    assert (code != 1).mean() > 0.3


def test_the_horizon_scratch_refuses_bounds_without_capsules():
    """The plane tests read the capsule rows: bounds made for the flat kernel are refused."""
    x = np.full((2, 16), 2.6e7)
    _, _, _, flat = flat_positions(x, x, x, np.full((1, 3), 6.4e6), 0.1)
    with pytest.raises(ValueError, match="capsules"):
        horizon_scratch(flat, 2)
    _, _, _, bound = flat_positions(x, x, x, np.full((1, 3), 6.4e6), 0.1, True)
    assert bound.shape[0] == N_BOUND_ROWS and horizon_scratch(bound, 2)[0].shape == (11, 4)
