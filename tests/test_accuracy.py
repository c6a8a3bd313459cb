"""Accuracy in metres: weighted DOP against a NumPy reference, the UERE option, its refusals."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import gnss
from gnss.cli import main
from gnss.coverage.blocks import Accumulators, KernelRun
from gnss.coverage.config import CoverageConfig
from gnss.coverage.epochs import epoch_dops
from gnss.coverage.layout import layout_for_systems
from gnss.coverage.uere import (
    H95_FACTOR,
    UERE_DEFAULTS_95_M,
    V95_FACTOR,
    as_uere_m,
    uere_sigma_m,
)
from gnss.errors import ParameterError

MASK_DEG = 5.0
STATS = ("mean", "median", "p95", "max")
# One-sigma metres, different on purpose: R+C needs the weighted pass, and its weighted DOPs
# (sigma / 3 m, about 0.1) lie below the histograms' 0.25: the histogram shift is exercised.
SIGMA = {"R": 3.0, "C": 0.25}


@pytest.fixture(scope="module")
def orbits():
    """Nominal GLONASS + BeiDou over 2 h at 20 min: positions (n_t, n_s, 3) and systems."""
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=7200, step_s=1200)
    pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    return con, span, pos, [s.system for s in con.satellites]


def reference_sigmas(pos_t, systems, point, up, set_systems, sigma, clock="per-system"):
    """Independent NumPy weighted least squares at one epoch: (sigma_H, sigma_U) in metres.

    G rows ``[-e_i, onehot(clock of i)]``, ``W = diag(1 / sigma_sys^2)``,
    ``Q = inv(G^T W G)``; NaN with fewer than 3 + clocks satellites in view.
    """
    los = pos_t - point
    e = los / np.linalg.norm(los, axis=1)[:, None]
    sin_mask = np.sin(np.radians(MASK_DEG))
    seen = [i for i, s in enumerate(systems) if s in set_systems and e[i] @ up > sin_mask]
    clocks = sorted({systems[i] for i in seen}) if clock == "per-system" else ["all"]
    if len(seen) < 3 + len(clocks):
        return np.nan, np.nan
    g = np.zeros((len(seen), 3 + len(clocks)))
    for row, i in enumerate(seen):
        g[row, :3] = -e[i]
        g[row, 3 + (clocks.index(systems[i]) if clock == "per-system" else 0)] = 1.0
    w = np.array([sigma[systems[i]] ** -2.0 for i in seen])
    q = np.linalg.inv(g.T @ (w[:, None] * g))[:3, :3]
    s_u2 = up @ q @ up
    return np.sqrt(np.trace(q) - s_u2), np.sqrt(s_u2)


@pytest.mark.parametrize("clock", ["per-system", "common"])
def test_site_weighted_sigmas_match_numpy(orbits, clock):
    """epoch_dops(sat_weight=...) equals the weighted NumPy reference within 1e-9 relative."""
    _, _, pos, systems = orbits
    p, u = gnss.geodetic_points([55.75], [37.62])
    weight = np.array([SIGMA[s] ** -2.0 for s in systems])
    sets = [("R",), ("C",), ("R", "C")]
    out = epoch_dops(pos, systems, p[0], u[0], sets, clock=clock, elevation_mask_deg=MASK_DEG,
                     sat_weight=weight)  # fmt: skip
    n_checked = 0
    for k, set_systems in enumerate(sets):
        for t in range(pos.shape[0]):
            s_h, s_u = reference_sigmas(pos[t], systems, p[0], u[0], set_systems, SIGMA, clock)
            assert np.isfinite(s_h)  # Moscow sees enough of each system at every epoch
            # 1e-9 relative: the kernel's clock-eliminated sums vs NumPy's inverse.
            assert out["hdop_w"][k, t] == pytest.approx(s_h, rel=1e-9)
            assert out["vdop_w"][k, t] == pytest.approx(s_u, rel=1e-9)
            n_checked += 1
    assert n_checked == 3 * pos.shape[0]


def test_site_equal_weights_scale_the_dops_exactly(orbits):
    """One weight for all (0.25 m^-2 = sigma 2 m): weighted DOPs are 2 x the DOPs, bit for bit."""
    _, _, pos, systems = orbits
    p, u = gnss.geodetic_points([39.9], [116.4])
    sets = [("R", "C")]
    plain = epoch_dops(pos, systems, p[0], u[0], sets)
    w = epoch_dops(pos, systems, p[0], u[0], sets, sat_weight=np.full(len(systems), 0.25))
    for name in ("pdop", "hdop", "vdop"):
        np.testing.assert_array_equal(w[name + "_w"], 2.0 * plain[name])
        np.testing.assert_array_equal(w[name], plain[name])  # the plain DOPs unchanged


def test_weights_one_leave_the_kernel_bit_identical(orbits):
    """The weighted kernel with every group weight 1.0 gives the plain outputs bit for bit."""
    _, _, pos, systems = orbits
    order, layout = layout_for_systems(systems, [("R",), ("C",), ("R", "C")], "per-system")
    pts, up = gnss.Grid(30.0).points()
    config = CoverageConfig(MASK_DEG)
    n = pts.shape[0]
    outs = []
    for kw in ({}, {"group_w": np.ones(len(layout.systems))}):
        run = KernelRun(pos[:, order], layout, config, n_zones=1, **kw)
        acc = Accumulators(n, 3, layout.n_clock_max, layout.n_slot_max)
        run(pts, up, np.ones((1, n)), acc.view(n))
        outs.append(acc)
    # The weighted pass keeps the DOP statistics only: its visible counts are cleared (they
    # would be sums of weights); with weights 1.0 every DOP output is the plain one exactly.
    for name in Accumulators.NAMES:
        if not name.startswith("vis_"):
            np.testing.assert_array_equal(getattr(outs[0], name), getattr(outs[1], name), name)
    assert not outs[1].vis_sum.any() and outs[0].vis_sum.all()


@pytest.fixture(scope="module")
def grid_run(orbits):
    """A 30-degree grid with UERE R 1.7 m, C 0.3 m (R+C needs the weighted pass)."""
    con, span, _, _ = orbits
    config = CoverageConfig(MASK_DEG, uere_m=SIGMA)
    return gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(30.0), config)


def test_grid_accuracy_matches_numpy(orbits, grid_run):
    """Per-cell mean and max of hacc95/vacc95 equal the NumPy reference (1e-9 relative);
    median and p95 within the histograms' bound of the reference's order statistics."""
    _, _, pos, systems = orbits
    ds = grid_run
    pts, up = gnss.Grid(30.0).points()
    n_lon = ds.sizes["lon"]
    for k, set_systems in enumerate([("R",), ("C",), ("R", "C")]):
        for p in range(0, pts.shape[0], 5):  # every fifth cell: enough, and fast
            ref = np.array([reference_sigmas(pos[t], systems, pts[p], up[p], set_systems, SIGMA)
                            for t in range(pos.shape[0])])  # fmt: skip
            ok = np.isfinite(ref[:, 0])
            cell = {"lat": p // n_lon, "lon": p % n_lon, "set": k}
            for j, (var, factor) in enumerate((("hacc95_m", H95_FACTOR), ("vacc95_m", V95_FACTOR))):
                vals = factor * ref[ok, j]
                got = {s: float(ds[f"{var}_{s}"].isel(cell)) for s in STATS}
                assert got["mean"] == pytest.approx(vals.mean(), rel=1e-9)
                assert got["max"] == pytest.approx(vals.max(), rel=1e-9)
                for stat, q in (("median", 0.5), ("p95", 0.95)):
                    # The histograms' bound (gnss.kernels.sets.hist_quantiles): between the
                    # order statistics around the rank q (n - 1), widened by one bin (1/128).
                    v = np.sort(vals)
                    r = int(np.floor(q * (v.size - 1)))
                    lo, hi = v[r] * (1 - 1 / 128), v[min(r + 1, v.size - 1)] * (1 + 1 / 128)
                    assert lo <= got[stat] <= hi, (var, stat, cell)
    assert ds["hacc95_m_mean"].attrs["units"] == "m"
    assert list(ds["set_uere_m"].values) == ["R=3", "C=0.25", "R=3,C=0.25"]


def test_equal_uere_is_factor_times_dop_times_uere(orbits):
    """One UERE for every system: hacc95 = 2 HDOP sigma and vacc95 = 1.96 VDOP sigma exactly."""
    con, span, _, _ = orbits
    config = CoverageConfig(MASK_DEG, uere_m={"R": 1.5, "C": 1.5})
    ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(30.0), config)
    for stat in ("mean", "median", "p95", "max"):
        np.testing.assert_array_equal(ds[f"hacc95_m_{stat}"], ds[f"hdop_{stat}"] * (2.0 * 1.5))
        np.testing.assert_array_equal(ds[f"vacc95_m_{stat}"], ds[f"vdop_{stat}"] * (1.96 * 1.5))


def test_accuracy_leaves_the_dops_alone(orbits, grid_run):
    """Asking for the accuracy changes no DOP statistic (bit for bit)."""
    con, span, _, _ = orbits
    plain = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(30.0), CoverageConfig(MASK_DEG))
    for name in plain.data_vars:
        np.testing.assert_array_equal(plain[name], grid_run[name], name)
    assert "hacc95_m_mean" not in plain


def test_summary_has_the_accuracy(grid_run):
    s = gnss.summarize(grid_run)["R+C"]
    assert 0 < s["hacc95_m.area_mean"] <= s["hacc95_m_p95.area_mean"]
    assert s["hacc95_m_p95.worst_cell"] >= s["hacc95_m_p95.area_mean"]


def test_defaults_are_the_standards_over_1_96():
    sigma = uere_sigma_m()
    for sys, (v95, doc) in UERE_DEFAULTS_95_M.items():
        assert sigma[sys] == v95 / 1.96
        assert doc  # every default names its document
    assert uere_sigma_m({"R": 3.0})["R"] == 3.0


@pytest.mark.parametrize(
    "text, word",
    [("X=1", "unknown system"), ("R=-1", "positive"), ("R=0", "positive"), ("R=abc", "positive"),
     ("R1", "SYSTEM=METRES"), ("R=1,R=2", "twice"), ("R=nan", "positive"), ("R=", "SYSTEM")],
)  # fmt: skip
def test_as_uere_m_refuses(text, word):
    with pytest.raises(ParameterError, match=word) as info:
        as_uere_m(text)
    assert info.value.parameter == "uere_m"


def test_study_maps_errors_to_the_parameter():
    with pytest.raises(ParameterError) as info:
        gnss.Study("R", uere_m={"Q": 1.0})
    assert info.value.parameter == "uere_m"
    assert gnss.Study("R", uere_m="R=1").config().uere_m == (("R", 1.0),)


@pytest.mark.parametrize("command", ["compare", "site"])
@pytest.mark.parametrize("value", ["X=1", "R=-2", "R:1", "C=zero"])
def test_cli_refuses_bad_uere_and_writes_nothing(tmp_path, command, value):
    out = tmp_path / "out"
    where = ["--lat", "55.75", "--lon", "37.62"] if command == "site" else []
    res = CliRunner().invoke(main, [command, *where, "--sets", "R", "--hours", "1",
                                    "--uere-m", value, "-o", str(out)])  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "--uere-m" in res.output
    assert not out.exists()


def test_site_cli_writes_accuracy_columns(tmp_path):
    out = tmp_path / "site"
    res = CliRunner().invoke(main, ["site", "--lat", "55.75", "--lon", "37.62", "--sets", "R,R+C",
                                    "--hours", "1", "--step-s", "1800", "--uere-m", "R=1.7,C=0.3",
                                    "-o", str(out), "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    import pandas as pd

    frame = pd.read_csv(out / "timeseries.csv")
    assert {"hacc95_m", "vacc95_m"} <= set(frame.columns)
    assert (frame["hacc95_m"] > 0).all()
    assert "hacc95_m_mean" in res.output


def test_a_system_without_a_default_is_refused_before_any_work():
    """NavIC has no performance-standard default: a set with it needs --uere-m I=..."""
    with pytest.raises(ParameterError, match="no range error for I") as info:
        gnss.Study("R+I", uere_m="default")
    assert info.value.parameter == "uere_m"
    assert gnss.Study("R+I", uere_m="I=2").config().uere_m == (("I", 2.0),)
