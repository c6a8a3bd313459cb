"""The NumPy twin of the kernel (gnss.kernels.twin): analytic cases, and the kernel against it.

- GUIDE section 3 reference cases on the twin (explicit design matrix, no clock elimination).
- A nominal four-system run: every per-cell statistic of :func:`gnss.compute_coverage`
  against the twin, per-system and common clock. Counts, fix fraction, availability and the
  near-singular fraction exactly; DOP means, minima, maxima and TDOP means to 1e-9 relative
  (the kernel eliminates the clocks and inverts a 3x3 by cofactors: round-off of a few
  1e-16 times the condition number of G^T G, below 1e5 for a usable fix, GDOP <= 256);
  percentiles within the kernel's stated histogram bound (two bins of 1/128 around the
  order statistics that bracket the rank).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gnss
from gnss.kernels import twin as kernel_twin

EQUATOR = np.array([[6378137.0, 0.0, 0.0]])
UP = np.array([[1.0, 0.0, 0.0]])


def _sky(az_deg, el_deg, range_m=2.0e7):
    """Satellite positions (one epoch) seen from the equator at longitude 0."""
    az, el = np.radians(az_deg), np.radians(el_deg)
    enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], axis=-1)
    basis = kernel_twin.enu_basis(UP)[0]
    return (EQUATOR[0] + range_m * enu @ basis)[None]  # (1, n, 3)


def _one_epoch(pos, systems, set_systems, clock="per-system", **kw):
    e = kernel_twin.line_of_sight(pos, EQUATOR)
    vis = kernel_twin.visible(e, UP, 0.0)
    vals = kernel_twin.epoch_values(e, vis, kernel_twin.enu_basis(UP), systems, set_systems,
                                    clock, **kw)  # fmt: skip
    return {k: v[0, 0] for k, v in vals.items()}


REF_AZ, REF_EL = [0.0, 0.0, 120.0, 240.0], [90.0, 30.0, 30.0, 30.0]


def test_guide_reference_case_one_system():
    d = _one_epoch(_sky(REF_AZ, REF_EL), "RRRR", "R")
    # GUIDE section 3 values; 1e-12 is float64 round-off for a 4x4 problem.
    assert d["pdop"] == pytest.approx(8 / 3, rel=1e-12)
    assert d["hdop"] == pytest.approx(4 / 3, rel=1e-12)
    assert d["vdop"] == pytest.approx(4 / math.sqrt(3), rel=1e-12)
    assert d["tdop"][0] == pytest.approx(1.5275, abs=1e-4)
    assert d["gdop"] == pytest.approx(3.0732, abs=1e-4)
    assert d["pdop"] ** 2 == pytest.approx(d["hdop"] ** 2 + d["vdop"] ** 2, rel=1e-12)


def test_guide_second_system_per_system_and_common_clock():
    pos = _sky(REF_AZ + [60.0], REF_EL + [40.0])
    per = _one_epoch(pos, "RRRRC", "RC")
    common = _one_epoch(pos, "RRRRC", "RC", "common")
    assert per["pdop"] == pytest.approx(8 / 3, rel=1e-12)  # one more clock, one more row
    assert common["pdop"] == pytest.approx(2.6162, abs=1e-4)
    assert per["visible_system"].tolist() == [4, 1]
    for d in (per, common):
        assert d["gdop"] >= d["pdop"] >= max(d["hdop"], d["vdop"]) > 0


def test_too_few_satellites_and_clock_out_of_view():
    d = _one_epoch(_sky([0.0, 120.0, 240.0], [30.0] * 3), "RRR", "R")
    assert not d["fix"] and np.isnan(d["pdop"]) and d["visible"] == 3
    # 4 satellites of two systems: 5 unknowns with per-system clocks (no fix), 4 with one.
    pos = _sky(REF_AZ, REF_EL)
    assert not _one_epoch(pos, "RRRC", "RC")["fix"]
    assert _one_epoch(pos, "RRRC", "RC", "common")["fix"]
    # A system of the set with nothing in view adds no clock: the same DOPs, its TDOP NaN.
    d = _one_epoch(pos, "RRRR", "RC")
    assert d["pdop"] == pytest.approx(8 / 3, rel=1e-12) and np.isnan(d["tdop"][1])


def test_near_singular_and_exactly_singular_geometry_are_no_usable_fix():
    cone = _sky([0.0, 90.0, 180.0, 270.0], [30.05, 30.0, 30.0, 30.0])
    raw = _one_epoch(cone, "RRRR", "R", "common", dop_ceiling=np.inf)
    assert raw["fix"] and raw["gdop"] > gnss.DOP_CEILING
    d = _one_epoch(cone, "RRRR", "R", "common")
    assert not d["fix"] and d["singular"] and np.isnan(d["pdop"])
    # All four on one cone exactly: G^T G singular; no fix, and no LinAlgError.
    flat = _one_epoch(_sky([0.0, 90.0, 180.0, 270.0], [30.0] * 4), "RRRR", "R", "common")
    assert not flat["fix"] and np.isnan(flat["gdop"])


@pytest.fixture(scope="module")
def nominal():
    con = gnss.read_elements(gnss.nominal_element_files(["G", "R", "E", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=12 * 3600, step_s=900)
    pos, failures = gnss.propagate_itrs_m(con.satellites, span)
    assert not failures
    return con, span, pos


SETS = "R,C,R+C,G+R+E+C"
EXACT = (
    "visible_mean", "visible_min", "visible_max", "fix_fraction", "availability",
    "singular_fraction", "visible_system_mean", "visible_system_min", "visible_system_max",
)  # fmt: skip


def _order_statistics(values, fix, q):
    """Order statistics floor(rank) and floor(rank) + 1 (rank q (n - 1)) per point; NaN: none.

    The kernel's histogram percentile lies within two bins (1/128 each, relative) of the
    interval they span (gnss.kernels.sets.hist_quantiles); numpy.percentile lies inside it.
    """
    lo, hi = np.full(values.shape[0], np.nan), np.full(values.shape[0], np.nan)
    for p in range(values.shape[0]):
        x = np.sort(values[p, fix[p]])
        if x.size:
            r = int(np.floor(q * (x.size - 1)))
            lo[p], hi[p] = x[r], x[min(r + 1, x.size - 1)]
    return lo, hi


@pytest.mark.parametrize("clock,mask_deg", [("per-system", 5.0), ("common", 15.0)])
def test_kernel_agrees_with_the_twin_on_every_cell_statistic(nominal, clock, mask_deg):
    con, span, pos = nominal
    grid = gnss.Grid(30.0)
    config = gnss.CoverageConfig(mask_deg, clock, pdop_max=3.0)
    ds = gnss.compute_coverage(con, SETS, span, grid, config)
    points, up = grid.points()
    sets = [tuple(s.split("+")) for s in SETS.split(",")]
    systems = [s.system for s in con.satellites]
    twin = kernel_twin.coverage(pos, systems, points, up, sets, clock=clock,
                                elevation_mask_deg=mask_deg, pdop_max=3.0)  # fmt: skip
    e = kernel_twin.line_of_sight(pos, points)
    vis = kernel_twin.visible(e, up, mask_deg)
    basis = kernel_twin.enu_basis(up)
    per_epoch = [kernel_twin.epoch_values(e, vis, basis, systems, st, clock) for st in sets]
    used = ds["system"].values.tolist()
    for k, name in enumerate(SETS.split(",")):
        cell = ds.sel(set=name)
        for stat in EXACT:
            got = cell[stat].values
            if stat.startswith("visible_system"):  # (system, lat, lon): the set's systems
                got = np.stack([got[used.index(s)].ravel() for s in sets[k]], axis=-1)
            np.testing.assert_array_equal(got.reshape(twin[k][stat].shape), twin[k][stat],
                                          err_msg=f"{name} {stat}")  # fmt: skip
        for dop in kernel_twin.DOPS:
            for stat in ("mean", "max"):
                np.testing.assert_allclose(cell[f"{dop}_{stat}"].values.ravel(),
                                           twin[k][f"{dop}_{stat}"], rtol=1e-9, equal_nan=True,
                                           err_msg=f"{name} {dop}_{stat}")  # fmt: skip
            for stat, q in (("median", 0.5), ("p95", 0.95)):
                lo, hi = _order_statistics(per_epoch[k][dop], per_epoch[k]["fix"], q)
                got = cell[f"{dop}_{stat}"].values.ravel()
                assert np.array_equal(np.isnan(got), np.isnan(twin[k][f"{dop}_{stat}"]))
                ok = np.isnan(got) | ((got >= lo * (1 - 2 / 128)) & (got <= hi * (1 + 2 / 128)))
                assert ok.all(), (name, dop, stat, got[~ok], lo[~ok], hi[~ok])
            lo = np.nanmin(twin[k][f"{dop}_min"])
            assert ds["dop_min_global"].sel(set=name, dop=dop) == pytest.approx(lo, rel=1e-9)
        tdop = cell["tdop_mean"].values
        clocks = sets[k] if clock == "per-system" else sets[k][:1]
        got = np.stack([tdop[used.index(s)].ravel() for s in clocks], axis=-1)
        np.testing.assert_allclose(got, twin[k]["tdop_mean"], rtol=1e-9, equal_nan=True)
    # The case is not trivial: some cells lack a fix or availability somewhere.
    assert (ds["availability"] < 1).any()
