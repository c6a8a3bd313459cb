"""Global snapshots: visible count and PDOP of each set on a coarse grid at sampled epochs.

The frames of the report's time control (:mod:`gnss.outputs.html`). Each frame is one epoch
of the run's span, computed through the same kernel as :func:`gnss.compute_coverage`
(:class:`gnss.coverage.blocks.KernelRun` over the points of a coarse :class:`gnss.Grid`, one
epoch per call), so a frame shows exactly what the statistics were folded from.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..kernels.threads import ThreadPolicy
from ..receivers.grid import Grid
from ..timeutil import EpochSpan
from .blocks import Accumulators, KernelRun
from .config import CoverageConfig
from .layout import SetLayout
from .run import propagate_layout

__all__ = ["sampled_span", "global_snapshots"]


def sampled_span(span: EpochSpan, n_frames: int) -> EpochSpan:
    """Every k-th epoch of ``span`` so that at most ``n_frames`` epochs remain.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> span = EpochSpan(datetime(2026, 1, 1, tzinfo=timezone.utc), 300.0, 289)
    >>> s = sampled_span(span, 49)
    >>> s.step_s, s.n_epochs
    (1800.0, 49)
    >>> sampled_span(span, 1).n_epochs
    1
    """
    if n_frames <= 1 or span.n_epochs <= 1:
        return EpochSpan(span.start, span.step_s, 1)
    k = max(1, -(-(span.n_epochs - 1) // (n_frames - 1)))
    return EpochSpan(span.start, span.step_s * k, (span.n_epochs - 1) // k + 1)


def global_snapshots(
    resolved: Sequence,
    span: EpochSpan,
    config: CoverageConfig,
    *,
    resolution_deg: float = 5.0,
    height_m: float = 0.0,
    n_frames: int = 49,
) -> xr.Dataset:
    """Visible satellites and PDOP of each set, per epoch, on a coarse global grid.

    Parameters
    ----------
    resolved : sequence of gnss.elements.sets.ResolvedSet
        The sets of the run (as :attr:`gnss.Plan.resolved`).
    span : EpochSpan
        The run's epochs; frames are every k-th of them (:func:`sampled_span`).
    config : CoverageConfig
        Mask and clock model of the run.
    resolution_deg : float
        Cell size of the snapshot grid (must divide 180).
    height_m : float
        Receiver height above the ellipsoid.
    n_frames : int
        Most frames (epochs) wanted; the default gives a 24 h run at 5 min every 30 min.

    Returns
    -------
    xarray.Dataset
        ``visible(time, set, lat, lon)`` (int16) and ``pdop(time, set, lat, lon)`` (float32,
        NaN without a usable fix).

    Examples
    --------
    >>> import gnss
    >>> plan = gnss.plan_comparison(gnss.Study("R,C,R+C", duration_s=3600, step_s=1800))
    >>> snap = global_snapshots(plan.resolved, plan.span, plan.study.config(),
    ...                         resolution_deg=30, n_frames=2)
    >>> dict(snap.sizes)
    {'time': 2, 'set': 3, 'lat': 6, 'lon': 12}
    """
    frames = sampled_span(span, n_frames)
    layout = SetLayout.build(list(resolved), config.clock)
    pos, _ = propagate_layout(layout, frames, lambda *a: None)
    grid = Grid(resolution_deg, height_m)
    points, up = grid.points()
    n_p, n_sets = points.shape[0], len(resolved)
    vis = np.zeros((frames.n_epochs, n_sets, n_p), np.int16)
    pdop = np.full((frames.n_epochs, n_sets, n_p), np.nan, np.float32)
    run = KernelRun(pos, layout, CoverageConfig(config.elevation_mask_deg, config.clock,
                                                pdop_max=1e300), n_zones=1)  # fmt: skip
    acc = Accumulators(n_p, n_sets, layout.n_clock_max, layout.n_slot_max)
    zone_w = np.zeros((1, n_p))
    with ThreadPolicy(None) as threads:
        threads.apply()
        for t in range(frames.n_epochs):
            run(points, up, zone_w, acc.view(n_p), epochs=slice(t, t + 1))
            vis[t] = acc.vis_sum.T
            fix = acc.n_fix > 0
            pdop[t] = np.where(fix, acc.dop_sum[:, :, 0], np.nan).T
    return _dataset(vis, pdop, frames, grid, [r.spec.name for r in resolved])


def _dataset(vis, pdop, frames: EpochSpan, grid: Grid, names: list[str]) -> xr.Dataset:
    shape = (frames.n_epochs, len(names), grid.n_lat, grid.n_lon)
    start = np.datetime64(frames.start.replace(tzinfo=None), "ns")
    times = start + np.rint(frames.offsets_s() * 1e9).astype("timedelta64[ns]")
    dims = ("time", "set", "lat", "lon")
    return xr.Dataset(
        {
            "visible": (dims, vis.reshape(shape), {"long_name": "satellites above the mask"}),
            "pdop": (dims, pdop.reshape(shape), {"long_name": "PDOP (NaN: no usable fix)"}),
        },
        coords={"time": times, "set": names, "lat": grid.lat_deg, "lon": grid.lon_deg},
        attrs={"frame_step_s": frames.step_s, "resolution_deg": grid.resolution_deg},
    )
