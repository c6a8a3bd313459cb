"""Propagate satellites to Earth-fixed (ITRS) positions.

Satellites with an ``orbit`` (SP3 or navigation files, :mod:`gnss.orbits.source`) are
evaluated from their file, one call per file for all its satellites; the others by SGP4.
SGP4 is the ``sgp4`` package (vectorised :class:`sgp4.api.SatrecArray`); the
TEME -> ITRS rotation is skyfield's (GMST 1982 and polar motion, the nutation of its two
frames cancelling), so the positions agree with ``EarthSatellite.at(t).frame_xyz(itrs)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

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


#: Finer steps than this propagate SGP4 on nodes this far apart and interpolate (see
#: :func:`_sgp4_teme_km`); a span at this step or coarser calls SGP4 at every epoch.
SGP4_NODE_S = 300.0
#: Nodes of the interpolation window (8th-order Lagrange, as for SP3 files).
SGP4_NODE_POINTS = 9


def _sgp4_itrs_m(satellites, span: EpochSpan, first: int, stop: int):
    """SGP4 positions (n_times, n_sats, 3), ITRS metres, and the failures."""
    err, r_km = _sgp4_teme_km(satellites, span, first, stop)
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


def _sgp4_teme_km(satellites, span: EpochSpan, first: int, stop: int):
    """SGP4 error codes (n_sats, n_times) and TEME positions (n_sats, n_times, 3) in km.

    When :data:`SGP4_NODE_S` is a whole number (2 or more) of steps, the satellites are
    propagated on nodes that far apart (aligned to the span's start, four beyond each end) and
    interpolated in TEME with 9-point Lagrange: within 0.14 mm of SGP4 at every epoch (p99
    9 micrometres) for the 170 GNSS satellites of the 2026-10-06 snapshot over 7 days at 30 s
    (``tests/test_propagation_frames.py``), for a tenth of the SGP4 calls (the sgp4 package's
    C++, which holds the GIL, was 1.9 of the 2.0 s of such a site run). A satellite that SGP4
    fails on at any node is propagated epoch by epoch, as at other steps.
    """
    array = SatrecArray([s.satrec for s in satellites])
    ratio = SGP4_NODE_S / span.step_s if span.step_s > 0 else 0.0  # NaN step: one epoch
    r = int(round(ratio)) if np.isfinite(ratio) else 0
    if r < 2 or abs(ratio - r) > 1e-9 or stop - first < 4 * SGP4_NODE_POINTS * r:
        jd, fr = span.sgp4_jd(first, stop)
        err, r_km, _ = array.sgp4(jd, fr)
        return err, r_km
    half = SGP4_NODE_POINTS // 2
    k0, k1 = first // r - half, (stop - 1) // r + half + 1
    nodes = EpochSpan(span.start + timedelta(seconds=k0 * SGP4_NODE_S), SGP4_NODE_S, k1 - k0 + 1)
    jd, fr = nodes.sgp4_jd()
    err_n, r_n, _ = array.sgp4(jd, fr)
    r_km = _lagrange_nodes(r_n, first, stop, r, k0)
    err = np.zeros((len(satellites), stop - first), dtype=err_n.dtype)
    failed = np.flatnonzero(err_n.any(axis=1))
    if failed.size:  # exactly as without nodes for those
        jd, fr = span.sgp4_jd(first, stop)
        err_f, r_f, _ = SatrecArray([satellites[k].satrec for k in failed]).sgp4(jd, fr)
        err[failed], r_km[failed] = err_f, r_f
    return err, r_km


def _lagrange_nodes(r_nodes: np.ndarray, first: int, stop: int, r: int, k0: int) -> np.ndarray:
    """Positions at epochs ``first:stop`` from ``r_nodes`` (n_sats, n_nodes, 3), node 0 = ``k0``.

    Epoch ``e`` lies ``(e % r) / r`` of the way from node ``e // r`` to the next; its window
    is the :data:`SGP4_NODE_POINTS` nodes from ``e // r - 3``. The epochs of one phase
    ``e % r`` share their weights and take consecutive windows: slices, no gathering.
    """
    k, lead = SGP4_NODE_POINTS, SGP4_NODE_POINTS // 2 - 1
    n = stop - first
    out = np.empty((r_nodes.shape[0], n, 3))
    for phase in range(r):
        q0 = (phase - first) % r  # first epoch (counted from `first`) of this phase
        if q0 >= n:
            continue
        count = len(range(q0, n, r))
        base = (first + q0) // r - k0 - lead  # window start (node index) of that epoch
        x = lead + phase / r  # its distance past the window's first node, in node spacings
        acc = np.zeros((r_nodes.shape[0], count, 3))
        for j in range(k):
            w = np.prod([(x - m) / (j - m) for m in range(k) if m != j])
            acc += w * r_nodes[:, base + j : base + j + count]
        out[:, q0::r] = acc
    return out
