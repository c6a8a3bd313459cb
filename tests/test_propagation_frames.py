"""The TEME -> ITRS rotation equals skyfield's two frame rotations composed."""

from __future__ import annotations

import numpy as np
from skyfield.api import load
from skyfield.framelib import itrs
from skyfield.sgp4lib import TEME

from gnss.orbits.propagate import teme_to_itrs_matrices


def test_rotation_equals_skyfields_frames_composed():
    """W Rz(-GMST82) == (GCRS->ITRS)(GCRS->TEME)^T over a week, within 7e-15 per element."""
    ts = load.timescale()
    t = ts.utc(2026, 10, 6, 0, 0, np.arange(0.0, 7 * 86400.0, 997.0))
    r_teme, r_itrs = TEME.rotation_at(t), itrs.rotation_at(t)
    want = np.einsum("ijn,kjn->nik", r_itrs, r_teme)
    got = teme_to_itrs_matrices(t)
    assert got.shape == (len(t), 3, 3)
    # 7e-15 per element is 0.2 micrometre at 26 600 km: rounding of the nutation products.
    assert np.abs(got - want).max() < 7e-15


def test_single_time_gives_one_matrix():
    ts = load.timescale()
    t = ts.utc(2026, 10, 6)
    assert teme_to_itrs_matrices(t).shape == (1, 3, 3)


def _direct(monkeypatch):
    """Make propagate_itrs_m call SGP4 at every epoch (no nodes), for a reference."""
    import gnss.orbits.propagate as prop

    monkeypatch.setattr(prop, "SGP4_NODE_S", 1e-9)


def test_fine_steps_interpolate_sgp4_nodes_within_half_a_millimetre(monkeypatch):
    """7 days at 30 s of every GNSS satellite of the 2026-10-06 snapshot: nodes vs SGP4."""
    from conftest import shared_file

    import gnss

    con = gnss.read_elements([shared_file("tle/gnss_2026-10-06.tle")])
    span = gnss.epoch_span(con.median_epoch(), duration_s=7 * 86400, step_s=30)
    got, fails = gnss.propagate_itrs_m(con.satellites, span)
    _direct(monkeypatch)
    want, fails_direct = gnss.propagate_itrs_m(con.satellites, span)
    assert fails == fails_direct == []
    err_m = np.linalg.norm(got - want, axis=-1)
    # Measured 0.14 mm worst (C07, IGSO), p99 9 um: 0.5 mm is a thousandth of SGP4's own error.
    assert np.nanmax(err_m) < 5e-4 and np.percentile(err_m, 99) < 5e-5


def test_a_chunk_and_steps_that_do_not_divide_the_node_spacing(monkeypatch):
    """A chunk inside the span equals the whole span's rows; 45 s steps call SGP4 directly."""
    import gnss

    con = gnss.read_elements(gnss.nominal_element_files(["C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=86400, step_s=60)
    whole, _ = gnss.propagate_itrs_m(con.satellites, span)
    part, _ = gnss.propagate_itrs_m(con.satellites, span, 313, 1001)
    # Nodes are aligned to the span's start, so a chunk interpolates from the same nodes.
    np.testing.assert_allclose(part, whole[313:1001], rtol=0, atol=1e-6)
    odd = gnss.epoch_span(con.median_epoch(), duration_s=7200, step_s=45)
    got, _ = gnss.propagate_itrs_m(con.satellites, odd)
    _direct(monkeypatch)
    want, _ = gnss.propagate_itrs_m(con.satellites, odd)
    np.testing.assert_array_equal(got, want)


def test_a_satellite_failing_at_a_node_is_propagated_epoch_by_epoch(monkeypatch):
    """SGP4 errors at the nodes of one satellite: that one falls back, with its real errors."""
    import gnss
    import gnss.orbits.propagate as prop

    con = gnss.read_elements(gnss.nominal_element_files(["R"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=21600, step_s=30)
    want, _ = gnss.propagate_itrs_m(con.satellites, span)
    real = prop.SatrecArray

    class NodeFails:  # SGP4 reports error 6 (decayed) for satellite 2 at the node epochs only
        def __init__(self, satrecs):
            self.array, self.n = real(satrecs), len(satrecs)

        def sgp4(self, jd, fr):
            err, r, v = self.array.sgp4(jd, fr)
            if self.n == len(con.satellites) and jd.size < span.n_epochs:
                err = err.copy()
                err[2, 5] = 6
            return err, r, v

    monkeypatch.setattr(prop, "SatrecArray", NodeFails)
    got, fails = gnss.propagate_itrs_m(con.satellites, span)
    assert fails == []  # satellite 2 re-propagated epoch by epoch: no error there
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-3)
    _direct(monkeypatch)
    direct, _ = gnss.propagate_itrs_m(con.satellites, span)
    np.testing.assert_array_equal(got[:, 2], direct[:, 2])
