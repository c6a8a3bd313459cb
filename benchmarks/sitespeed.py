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


#: Span of the case per mode (days) at 30 s: the issue's figure is 7 days at 30 s.
SITE_DAYS = {"full": 7.0, "quick": 7.0, "tiny": 2.0 / 24.0}
SITE_SETS = "G,R,E,C,G+R+E+C"
SITE = ("Moscow", 55.7558, 37.6173, 150.0)


def _old_site_path(pos, layout, plan, point, up, clock, mask_deg) -> None:
    """What ``site_series`` did per site before the series kernel: per set, the old path."""
    sat_systems = [s.system for s in layout.satellites]
    for k, rs in enumerate(plan.resolved):
        cols = np.flatnonzero(layout.set_clock[k, layout.sat_group] >= 0)
        per_epoch_dops(pos[:, cols], [sat_systems[c] for c in cols], point, up,
                       [rs.spec.systems, *[(s,) for s in rs.spec.systems]], clock=clock,
                       elevation_mask_deg=mask_deg)  # fmt: skip


def _best(fn, repeats: int) -> float:
    """Best wall time of ``repeats`` calls of ``fn`` (seconds)."""
    import time

    best = np.inf
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def case_site(ctx) -> None:
    """A site over 7 days at 30 s, G,R,E,C,G+R+E+C: old per-epoch path vs the series kernel.

    Rows: the whole :func:`gnss.site_timeseries` (propagation included, and alone), the
    series kernel alone (:func:`gnss.coverage.series.layout_series` on the propagated
    positions) and the old path (the grid kernel once per epoch and set, as ``site_series``
    called it) on the same positions, once. Warm: a short run first loads the machine code.
    """
    import time

    import gnss
    from gnss.coverage.layout import SetLayout
    from gnss.coverage.run import propagate_layout
    from gnss.coverage.series import layout_series

    from .common import MemoryProbe, Row, StageTimer

    days, repeats = SITE_DAYS[ctx.sizes.name], min(ctx.sizes.repeats, 3)
    study = gnss.Study(SITE_SETS, duration_s=days * 86400.0, step_s=30.0)
    gnss.site_timeseries(gnss.Study(SITE_SETS, duration_s=3600.0, step_s=30.0), [SITE])
    plan = gnss.plan_comparison(study)
    layout = SetLayout.build(plan.resolved, study.clock)
    n_s, n_t = len(layout.satellites), plan.span.n_epochs
    work = float(n_s) * n_t
    length = f"{days:g} d" if days >= 1 else f"{days * 24:g} h"
    label = f"{SITE_SETS}, {n_s} sats (nominal), 1 site, {n_t} epochs ({length} at 30 s)"
    probe, timers = MemoryProbe(), []
    with probe.measure():
        for _ in range(repeats):
            timers.append(StageTimer())
            t0 = time.perf_counter()
            new = gnss.site_timeseries(study, [SITE], progress=timers[-1])
            timers[-1].total = time.perf_counter() - t0
    best = min(timers, key=lambda t: t.total)
    prop_s, sites_s = best.seconds("propagate"), best.seconds("sites")
    ctx.add(Row("11 site series", f"{label}: whole site_timeseries", work, best.total, 1,
                peak_rss_mib=probe.peak, delta_rss_mib=probe.delta,
                note=f"best of {repeats} warm runs; propagation {prop_s:.3f} s (SGP4 + TEME to "
                f"ITRS, {work / prop_s:.3g} sat·ep/s), series kernel stage {sites_s:.3f} s",
                extra={"propagate_s": prop_s, "sites_s": sites_s}))  # fmt: skip
    pos, _ = propagate_layout(layout, plan.span, lambda *a: None)
    point, up = gnss.Site(*SITE).itrs_m()
    mask = study.elevation_mask_deg
    kernel_s = _best(lambda: layout_series(pos, layout, point, up, elevation_mask_deg=mask),
                     repeats)  # fmt: skip
    ctx.add(Row("11 site series", f"{label}: series kernel (1 call)", work, kernel_s, 1,
                note=f"layout_series on the propagated positions, best of {repeats}"))
    t0 = time.perf_counter()
    _old_site_path(pos, layout, plan, point, up, study.clock, mask)
    old_s = time.perf_counter() - t0
    check = _old_vs_new(pos, layout, point, up, study.clock, mask)
    ctx.checks["site_series_vs_old"] = check
    ctx.add(Row("11 site series", f"{label}: old path (grid kernel per epoch and set)", work,
                old_s, 1, f"old/series {old_s / kernel_s:.0f}x",
                note=f"once; same counts, max rel diff of the DOPs {check:.1e}"))  # fmt: skip
    _ = new


def _old_vs_new(pos, layout, point, up, clock, mask_deg) -> float:
    """Largest relative DOP difference of the combined set between the two paths (1 day)."""
    from gnss.coverage.series import series_dops

    from . import BenchmarkError

    n = min(len(pos), 2881)
    systems = [s.system for s in layout.satellites]
    sets = [tuple(layout.systems)]
    a = per_epoch_dops(pos[:n], systems, point, up, sets, clock=clock, elevation_mask_deg=mask_deg)
    b = series_dops(pos[:n], systems, point, up, sets, clock=clock, elevation_mask_deg=mask_deg)
    if not (a["visible"] == b["visible"]).all() or \
            not (np.isnan(a["pdop"]) == np.isnan(b["pdop"])).all():  # fmt: skip
        raise BenchmarkError("the series kernel's visible counts or fixes differ from the old "
                             "per-epoch path")  # fmt: skip
    ok = np.isfinite(a["pdop"])
    return float(np.max(np.abs(a["pdop"][ok] - b["pdop"][ok]) / a["pdop"][ok], initial=0.0))
