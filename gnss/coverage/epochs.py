"""DOPs epoch by epoch at one point, through the same kernel as the grid runs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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
    skyline: tuple[np.ndarray, np.ndarray] | None = None,
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
    skyline : (ndarray, ndarray), optional
        A horizon as :meth:`gnss.Horizon.kernel_table` gives it (``az_deg``, ``el_deg``, the
        mask folded in): satellites count above it (the grid kernel's test). None: the flat
        mask.

    Returns
    -------
    dict of ndarray
        ``pdop``, ``hdop``, ``vdop``, ``gdop``: shape (n_sets, n_times), NaN without a usable
        fix (too few satellites, or near-singular: GDOP > ``gnss.DOP_CEILING``);
        ``visible``: shape (n_sets, n_times).

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
    run = KernelRun(pos, layout, config, n_zones=1, skyline=skyline)
    # One point per call: one thread does all the work; more would only add a parallel launch
    # per call (36 ms instead of 1 ms on two busy cores). The thread count never changes a result.
    with ThreadPolicy(1) as threads:
        threads.apply()
        for t in range(pos.shape[0]):
            run(point, up, np.zeros((1, 1)), acc.view(1), epochs=slice(t, t + 1))
            out["visible"][:, t] = acc.vis_sum[0]
            fix = acc.n_fix[0] > 0
            for m, name in enumerate(DOP_NAMES):
                out[name][fix, t] = acc.dop_sum[0, fix, m]
            seen = acc.tdop_n[0] > 0
            out["tdop"][seen, t] = acc.tdop_sum[0][seen]
    return out
