"""DOPs epoch by epoch at one point, through the same kernel as the grid runs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
from ..kernels.threads import ThreadPolicy
from .blocks import Accumulators, KernelRun
from .config import CoverageConfig
from .dataset import DOP_NAMES
from .layout import layout_for_systems


def epoch_dops(
    positions_itrs_m: np.ndarray,
    systems: Sequence[str],
    point_itrs_m: np.ndarray,
    up: np.ndarray,
    sets: Sequence[Sequence[str]],
    *,
    clock: str = "per-system",
    elevation_mask_deg: float = 5.0,
    sat_weight: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """DOPs epoch by epoch at one point, from the same kernel as :func:`compute_coverage`.

    Parameters
    ----------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        Satellite ITRS positions in metres (NaN: not available).
    systems : sequence of str, length n_sats
        System letter of each satellite.
    point_itrs_m, up : ndarray, shape (3,)
        Receiver position and its geodetic up unit vector.
    sets : sequence of sequences of str
        Systems of each receiver configuration, e.g. ``[("R",), ("C",), ("R", "C")]``.
    clock : {"per-system", "common"}
    elevation_mask_deg : float
    sat_weight : ndarray, shape (n_sats,), optional
        Range weight of each satellite (``1 / sigma^2``, e.g. m^-2), the same for every
        satellite of a system. Adds the weighted DOPs ``pdop_w``, ``hdop_w``, ``vdop_w``:
        ``sqrt`` of the trace, horizontal and up parts of ``(G^T W G)^-1`` (metres when the
        weights are in m^-2), through the same kernel with each system's sums weighted
        (:mod:`gnss.coverage.uere`); NaN where the unweighted DOPs are.

    Returns
    -------
    dict of ndarray
        ``pdop``, ``hdop``, ``vdop``, ``gdop``: shape (n_sets, n_times), NaN without a usable
        fix (too few satellites, or near-singular: GDOP > ``gnss.DOP_CEILING``);
        ``visible``: shape (n_sets, n_times); with ``sat_weight`` also ``pdop_w``, ``hdop_w``,
        ``vdop_w``.

    Raises
    ------
    ParameterError
        (``parameter="sat_weight"``) for weights of the wrong shape, not positive and finite,
        or different within a system.

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    >>> pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    >>> p, u = gnss.geodetic_points([55.75], [37.62])
    >>> d = epoch_dops(pos, [s.system for s in con.satellites], p[0], u[0], [("R",)])
    >>> d["pdop"].shape, bool((d["visible"] >= 4).all())
    ((1, 3), True)
    """
    CoverageConfig(elevation_mask_deg, clock)  # validates
    order, layout = layout_for_systems(systems, sets, clock)
    pos = np.asarray(positions_itrs_m, dtype=np.float64)[:, order]
    config = CoverageConfig(elevation_mask_deg, clock, pdop_max=1e300)  # availability unused
    acc = Accumulators(1, len(sets), layout.n_clock_max, layout.n_slot_max)
    point = np.asarray(point_itrs_m, np.float64).reshape(1, 3)
    up = np.asarray(up, np.float64).reshape(1, 3)
    out = {k: np.full((len(sets), pos.shape[0]), np.nan) for k in DOP_NAMES}
    out["visible"] = np.zeros((len(sets), pos.shape[0]), np.int64)
    out["tdop"] = np.full((len(sets), layout.n_clock_max, pos.shape[0]), np.nan)
    runs, scale = [(KernelRun(pos, layout, config, n_zones=1), "")], 1.0
    if sat_weight is not None:
        group_w, scale = _group_weights(sat_weight, systems, order, layout)
        runs.append((KernelRun(pos, layout, config, n_zones=1, group_w=group_w), "_w"))
        for name in _WEIGHTED:
            out[name + "_w"] = np.full((len(sets), pos.shape[0]), np.nan)
    # One point per call: one thread does all the work; more would only add a parallel launch
    # per call (36 ms instead of 1 ms on two busy cores). The thread count never changes a result.
    with ThreadPolicy(1) as threads:
        threads.apply()
        for t in range(pos.shape[0]):
            _one_epoch(t, runs, point, up, acc, out, scale)
    return out


def _one_epoch(t, runs, point, up, acc, out, scale) -> None:
    """Run epoch ``t`` through the plain kernel (and the weighted one) into ``out``."""
    runs[0][0](point, up, np.zeros((1, 1)), acc.view(1), epochs=slice(t, t + 1))
    out["visible"][:, t] = acc.vis_sum[0]
    fix = acc.n_fix[0] > 0
    for m, name in enumerate(DOP_NAMES):
        out[name][fix, t] = acc.dop_sum[0, fix, m]
    seen = acc.tdop_n[0] > 0
    out["tdop"][seen, t] = acc.tdop_sum[0][seen]
    if len(runs) > 1:
        runs[1][0](point, up, np.zeros((1, 1)), acc.view(1), epochs=slice(t, t + 1))
        both = fix & (acc.n_fix[0] > 0)
        for name in _WEIGHTED:
            m = DOP_NAMES.index(name)
            out[name + "_w"][both, t] = acc.dop_sum[0, both, m] * scale


#: The weighted DOPs epoch_dops returns with ``sat_weight`` (as ``<name>_w``).
_WEIGHTED = ("pdop", "hdop", "vdop")


def _group_weights(sat_weight, systems, order, layout) -> tuple[np.ndarray, float]:
    """Kernel group weights (>= 1) from per-satellite weights, and the factor to metres.

    The weights are divided by the smallest, so every group weight is >= 1 (the kernel's
    satellite-count test then passes on the weighted counts whenever it passes on the
    counts); the weighted DOPs of the scaled weights times ``1 / sqrt(smallest)`` are those
    of the given weights.
    """
    w = np.asarray(sat_weight, dtype=np.float64)
    if w.shape != (len(systems),) or not np.all(np.isfinite(w) & (w > 0)):
        raise ParameterError(
            f"sat_weight: expected {len(systems)} positive finite weights (one per satellite), "
            f"got shape {w.shape}", parameter="sat_weight",
        )  # fmt: skip
    w = w[order]
    gw = np.empty(layout.group_start.size - 1)
    for g in range(gw.size):
        part = w[layout.group_start[g] : layout.group_start[g + 1]]
        if np.any(part != part[0]):
            raise ParameterError(
                f"sat_weight: the satellites of system {layout.systems[g]} have different "
                f"weights ({part.min():g} .. {part.max():g}); the kernel weights whole systems: "
                "give one weight per system", parameter="sat_weight",
            )  # fmt: skip
        gw[g] = part[0]
    smallest = float(gw.min())
    return gw / smallest, 1.0 / np.sqrt(smallest)
