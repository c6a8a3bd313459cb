"""Case 10: a site time series, the old per-epoch grid-kernel path against the series kernel.

:func:`per_epoch_dops` is what :func:`gnss.coverage.epochs.epoch_dops` did before the series
kernel: the grid kernel (:class:`gnss.coverage.blocks.KernelRun`) called once per epoch from
Python for one point. Kept here as the reference the tests and this case compare with.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def per_epoch_dops(
    positions_itrs_m, systems: Sequence[str], point_itrs_m, up, sets, *, clock="per-system",
    elevation_mask_deg=5.0,
) -> dict[str, np.ndarray]:  # fmt: skip
    """The old ``epoch_dops``: one grid-kernel call per epoch (same outputs and shapes).

    ``point_itrs_m`` and ``up`` may also have one row per epoch (a moving receiver).
    """
    from gnss.coverage.blocks import Accumulators, KernelRun
    from gnss.coverage.config import CoverageConfig
    from gnss.coverage.layout import layout_for_systems
    from gnss.kernels.threads import ThreadPolicy

    names = ("pdop", "hdop", "vdop", "gdop")
    order, layout = layout_for_systems(systems, sets, clock)
    pos = np.asarray(positions_itrs_m, dtype=np.float64)[:, order]
    config = CoverageConfig(elevation_mask_deg, clock, pdop_max=1e300)
    acc = Accumulators(1, len(sets), layout.n_clock_max, layout.n_slot_max)
    point = np.asarray(point_itrs_m, np.float64).reshape(-1, 3)
    up = np.asarray(up, np.float64).reshape(-1, 3)
    out = {k: np.full((len(sets), pos.shape[0]), np.nan) for k in names}
    out["visible"] = np.zeros((len(sets), pos.shape[0]), np.int64)
    out["tdop"] = np.full((len(sets), layout.n_clock_max, pos.shape[0]), np.nan)
    run = KernelRun(pos, layout, config, n_zones=1)
    with ThreadPolicy(1) as threads:
        threads.apply()
        for t in range(pos.shape[0]):
            r = slice(t, t + 1) if len(point) > 1 else slice(0, 1)
            run(point[r], up[r], np.zeros((1, 1)), acc.view(1), epochs=slice(t, t + 1))
            out["visible"][:, t] = acc.vis_sum[0]
            fix = acc.n_fix[0] > 0
            for m, name in enumerate(names):
                out[name][fix, t] = acc.dop_sum[0, fix, m]
            seen = acc.tdop_n[0] > 0
            out["tdop"][seen, t] = acc.tdop_sum[0][seen]
    return out
