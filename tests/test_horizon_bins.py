"""The horizon kernel's direction bins decide like the exact skyline test, at the bin edges too.

One satellite whose epochs are lines of sight from one point, placed just beside the edges
of the kernel's direction bins (0.3e-6 to 1e-4 deg of azimuth either side) and just above or
below a steep skyline there (1e-6 to 1e-3 deg of elevation: far above the ~1e-14 deg by which
two roundings of a line of sight differ). A lane given the wrong bin, or decided by bounds
that do not hold over its bin, is counted wrongly: with a wall rising 100 deg of elevation
per deg of azimuth, 1e-6 deg of azimuth past an edge is 1e-4 deg of skyline. The count per
epoch (0 or 1) must equal the reference (elevation above ``np.interp`` of the table), in both
ways the kernel runs: a narrow band (two passes) and a wide one (the direction pass sums all).
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

import gnss
from gnss.coverage.skyline import bin_azimuths_deg, kernel_skyline
from gnss.kernels.horizon_steps import horizon_scratch, sky_low, tile_sums_horizon
from gnss.kernels.sets import TILE
from gnss.kernels.steps import G_LEN, flat_positions, skip_threshold

MASK_DEG = 5.0
AZ_OFFSETS_DEG = np.array([3e-7, 1e-6, 1e-5, 1e-4])  # beside a bin edge, either side
EL_OFFSETS_DEG = np.array([1e-6, 1e-5, 1e-4, 1e-3])  # above or below the skyline there
RANGE_M = 2.2e7  # a GNSS satellite's distance
#: Azimuths (deg) of the test skylines: each wall 0.05 deg wide, centred on a bin edge.
_E = bin_azimuths_deg()
WALLS_DEG = [0.0] + [float(_E[k] + d) for k in (100, 400, 600, 900) for d in (-0.025, 0.025)]


@njit
def counts_per_epoch(px, py, pz, point, up, sky):  # pragma: no cover - compiled
    """Visible count per epoch of the horizon kernel's tile sums (one group, no clocks)."""
    n_t = px.shape[1]
    n_tp = (n_t + 7) // 8 * 8
    points = point.reshape(1, 3)
    fx, fy, fz, bound = flat_positions(px, py, pz, points, sky_low(sky), True)
    work = horizon_scratch(bound, px.shape[0])
    thr = skip_threshold(point, up, sky_low(sky))
    group_start = np.array([0, px.shape[0]])
    idx, live = np.empty(px.shape[0], np.int64), np.empty(px.shape[0], np.uint8)
    grp = np.empty(G_LEN)
    virt, group_w = np.zeros((0, 1), np.bool_), np.empty(0)
    out = np.empty(n_t)
    for t0 in range(0, n_t, TILE):
        n = min(TILE, n_t - t0)
        tile_sums_horizon(t0, n, group_start, bound, work, virt, fx, fy, fz, n_tp, point,
                          up, sky, thr, idx, live, grp, group_w)  # fmt: skip
        out[t0 : t0 + n] = grp[:n]
    return out


def _frame(lat_deg, lon_deg):
    """Point on the WGS84 ellipsoid (m), its geodetic up, east and north unit vectors."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    n = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    point = np.array([n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon),
                      n * (1 - e2) * np.sin(lat)])  # fmt: skip
    up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    return point, up, east, np.cross(up, east)


def _edge_cases(table):
    """Azimuths and elevations (deg) beside the bin edges where the skyline is steep."""
    az_t, el_t = table
    edges = bin_azimuths_deg()
    rise = np.interp(edges + 1e-3, az_t, el_t) - np.interp(edges - 1e-3, az_t, el_t)
    steep = edges[np.abs(rise) > 2e-3 * 20.0]  # edges on a wall (> 20 deg per deg)
    assert steep.size >= 4, "the test skyline must have bin edges on its walls"
    off = np.concatenate([-AZ_OFFSETS_DEG, AZ_OFFSETS_DEG])
    az = np.mod(steep[:, None] + off[None, :], 360.0).ravel()
    sky_el = np.interp(az, az_t, el_t)
    d_el = np.concatenate([-EL_OFFSETS_DEG, EL_OFFSETS_DEG])
    return np.repeat(az, d_el.size), (sky_el[:, None] + d_el[None, :]).ravel()


@pytest.mark.parametrize(
    ("az_deg", "el_deg", "wide"),
    [
        # 4 deg steps over 0.05 deg of azimuth around bin edges: a narrow band (two passes).
        (WALLS_DEG, [5.0, 5.0, 9.0, 9.0, 5.0, 5.0, 9.0, 9.0, 5.0], False),
        # Street walls from 5 to 60 deg over the same azimuths: a wide band.
        (WALLS_DEG, [5.0, 5.0, 60.0, 60.0, 5.0, 5.0, 60.0, 60.0, 5.0], True),
    ],
)  # fmt: skip
def test_bins_decide_like_the_skyline_beside_bin_edges(az_deg, el_deg, wide):
    table = gnss.Horizon(np.array(az_deg), np.array(el_deg)).kernel_table(MASK_DEG)
    sky = kernel_skyline(table)
    assert bool(sky[5]) is wide
    az, el = _edge_cases(table)
    point, up, east, north = _frame(37.0, 55.0)
    a, e = np.radians(az), np.radians(el)
    d = (np.cos(e) * np.sin(a))[:, None] * east + (np.cos(e) * np.cos(a))[:, None] * north
    d += np.sin(e)[:, None] * up
    pos = point + RANGE_M * d  # one satellite, one line of sight per epoch
    got = counts_per_epoch(*(np.ascontiguousarray(pos[None, :, i]) for i in range(3)), point,
                           up, sky)  # fmt: skip
    expected = (el > np.interp(az, table[0], table[1])).astype(float)
    assert expected.sum() > 0.3 * el.size and expected.sum() < 0.7 * el.size  # both sides
    np.testing.assert_array_equal(got, expected)
