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
