"""Propagate satellites to Earth-fixed (ITRS) positions.

Satellites with an ``orbit`` (SP3 or navigation files, :mod:`gnss.orbits.source`) are
evaluated from their file, one call per file for all its satellites; the others by SGP4.
SGP4 is the ``sgp4`` package (vectorised :class:`sgp4.api.SatrecArray`); the
TEME -> ITRS rotation is skyfield's (GMST 1982 and polar motion, the nutation of its two
frames cancelling), so the positions agree with ``EarthSatellite.at(t).frame_xyz(itrs)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sgp4.api import SGP4_ERRORS, SatrecArray
from skyfield.functions import mxm, rot_z
from skyfield.sgp4lib import theta_GMST1982

from ..elements.read import Satellite
from ..timeutil import EpochSpan
from .source import GAP_REASONS, reference_positions


@dataclass(frozen=True)
class PropagationFailure:
    """A satellite without a position at some epochs (NaN there).

    SGP4 failed there, or the satellite's orbit file does not cover them.
    """

    satellite: str
    n_epochs_failed: int
    reason: str


def teme_to_itrs_matrices(times) -> np.ndarray:
    """Rotation matrices TEME -> ITRS, shape ``(n_times, 3, 3)``, as skyfield's frames give them.

    Skyfield's frames are GCRS -> TEME ``= Rz(theta - GAST) M`` and GCRS -> ITRS ``= W Rz(-GAST)
    M`` (``M`` precession-nutation, ``theta`` GMST 1982, ``W`` polar motion when the timescale
    has a table), so TEME -> ITRS is ``W Rz(-theta)``: the nutation cancels and is not computed
    (it was 1.7 of the 3.6 CPU seconds of a 7-day site run at 30 s). Equal to the product of the
    two frame rotations within 7e-15 per element (0.2 micrometre at GNSS orbit radius),
    checked in ``tests/test_propagation_frames.py``.
    """
    theta, _ = theta_GMST1982(times.whole, times.ut1_fraction)
    rot = rot_z(-theta)  # (3, 3) or (3, 3, n)
    if times.ts.polar_motion_table is not None:
        rot = mxm(times.polar_motion_matrix(), rot)
    if rot.ndim == 2:
        rot = rot[..., None]
    return np.ascontiguousarray(np.moveaxis(rot, -1, 0))


def propagate_itrs_m(
    satellites: list[Satellite] | tuple[Satellite, ...],
    span: EpochSpan,
    first: int = 0,
    stop: int | None = None,
) -> tuple[np.ndarray, list[PropagationFailure]]:
    """Positions of all satellites at epochs ``first:stop`` of ``span``.

    Parameters
    ----------
    satellites : sequence of Satellite
        The satellites, in the order of the output's second axis.
    span : EpochSpan
        Analysis epochs.
    first, stop : int
        Epoch index range (a chunk of the span).

    Returns
    -------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        ITRS positions in metres (float64); NaN where SGP4 failed or the orbit file has none.
    failures : list of PropagationFailure
        One entry per satellite that failed at any epoch, with SGP4's reason (or the file's:
        outside the SP3 span, no valid broadcast record).
    """
    stop = span.n_epochs if stop is None else stop
    n_t = stop - first
    pos = np.full((n_t, len(satellites), 3), np.nan)
    sgp4_cols = [k for k, s in enumerate(satellites) if s.orbit is None]
    failures = []
    if sgp4_cols:
        pos[:, sgp4_cols], fails = _sgp4_itrs_m([satellites[k] for k in sgp4_cols], span,
                                                first, stop)  # fmt: skip
        failures += fails
    groups: dict[int, list[int]] = {}
    for k, s in enumerate(satellites):
        if s.orbit is not None:
            groups.setdefault(id(s.orbit.reference), []).append(k)
    times = span.times(first, stop) if groups else None
    for cols in groups.values():
        ref = satellites[cols[0]].orbit.reference
        pos[:, cols] = reference_positions(ref, times, [satellites[k].orbit.prn for k in cols])
        bad = ~np.isfinite(pos[:, cols]).all(axis=-1)
        for j in np.flatnonzero(bad.any(axis=0)):
            sat = satellites[cols[j]]
            failures.append(PropagationFailure(sat.name, int(bad[:, j].sum()),
                                               GAP_REASONS[sat.orbit.kind]))  # fmt: skip
    order = {s.name: k for k, s in enumerate(satellites)}
    return pos, sorted(failures, key=lambda f: order.get(f.satellite, 0))


def _sgp4_itrs_m(satellites, span: EpochSpan, first: int, stop: int):
    """SGP4 positions (n_times, n_sats, 3), ITRS metres, and the failures."""
    jd, fr = span.sgp4_jd(first, stop)
    err, r_km, _ = SatrecArray([s.satrec for s in satellites]).sgp4(jd, fr)
    # r_km: (n_sats, n_times, 3) TEME kilometres
    rot = teme_to_itrs_matrices(span.times(first, stop))
    pos = np.einsum("tij,stj->tsi", rot, r_km) * 1000.0
    failures = []
    if err.any():
        bad = err != 0
        pos[bad.T] = np.nan
        for k in np.flatnonzero(bad.any(axis=1)):
            codes = np.unique(err[k][bad[k]])
            reason = "; ".join(SGP4_ERRORS.get(int(c), f"error {c}") for c in codes)
            failures.append(PropagationFailure(satellites[k].name, int(bad[k].sum()), reason))
    return pos, failures
