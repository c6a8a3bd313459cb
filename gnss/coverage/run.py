"""Coverage runs: propagate, run the kernels block by block, return an ``xarray.Dataset``.

Memory: satellite positions are held for the whole span
(``n_epochs x n_sats x 24`` bytes, e.g. 3.3 MB for 60 satellites over a day at
5 min); the per-point accumulators, including the DOP histograms used for the
per-cell percentiles, exist only for one block of points at a time, so they
do not grow with the grid or with the number of epochs.

Steps: :func:`compute_coverage` checks its arguments and resolves the sets;
:func:`compute_resolved` (what :mod:`gnss.study` calls with sets it has already resolved)
propagates (:func:`propagate_layout`), runs the kernel over blocks of points
(:mod:`gnss.coverage.blocks`) and builds the dataset (:mod:`gnss.coverage.dataset`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import numpy as np
import xarray as xr

from ..elements.read import Constellation
from ..elements.sets import ResolvedSet, SetSpec, parse_sets, resolve_sets, set_starts
from ..errors import ParameterError
from ..kernels.threads import ThreadPolicy
from ..orbits.propagate import PropagationFailure, propagate_itrs_m
from ..receivers.grid import Grid
from ..timeutil import EpochSpan
from .blocks import GlobalExtremes
from .checks import check_types
from .config import CoverageConfig, ProgressCallback
from .dataset import build_dataset
from .grouprun import GroupWork
from .groups import ZoneTotals, group_points, group_ranges
from .layout import SetLayout
from .memory import check_memory

log = logging.getLogger("gnss")

__all__ = ["compute_coverage", "compute_resolved"]

#: ``(pos, layout, grid, config, regions, report, policy) -> (BlockOutputs, zone sums)``.
GridRunner = Callable[..., tuple]

_PROPAGATION_CHUNK = 2048  # epochs per SGP4 call


def compute_coverage(
    constellation: Constellation | Mapping[str | None, Constellation],
    sets: Sequence[SetSpec] | str,
    span: EpochSpan,
    grid: Grid,
    config: CoverageConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
    memory_budget_bytes: int = 256 * 2**20,
    label_starts: Mapping[str, datetime] | None = None,
    regions: Sequence | None = None,
    max_memory_bytes: float | None = None,
    threads: int | None = None,
) -> xr.Dataset:
    """Visibility and DOP statistics of each set over a grid and a span of epochs.

    Parameters
    ----------
    constellation : Constellation or mapping
        Satellites; or a mapping label -> constellation for sets such as ``R+C@2019``
        (``None`` is the unlabelled one).
    sets : sequence of SetSpec or str
        Receiver configurations, e.g. ``"R,C,R+C"`` or what-if sets (:mod:`gnss.elements.sets`).
    span : EpochSpan
        Analysis epochs of the unlabelled elements and of ``@nominal``.
    grid : Grid
        Receiver points (cell centres) and cell areas.
    config : CoverageConfig, optional
        Mask, clock model and availability threshold.
    progress : callable, optional
        ``progress(stage, done, total)`` for ``"propagate"``, ``"compile"`` (only when numba's
        cache lacks the kernel: a fresh install's first run) and ``"grid"``.
    memory_budget_bytes : int
        Unused (compatibility): blocks are the groups of :mod:`gnss.coverage.groups`.
    label_starts : mapping, optional
        Start epoch per label (default: a labelled set's own median epoch, same duration).
    regions : sequence of gnss.Region, optional
        Regions whose time-and-area histograms are folded during the run (weights from
        :func:`gnss.cell_weights_m2`), for region statistics.
    max_memory_bytes : float, optional
        Refuse the run (``ParameterError``, before any work) when its estimated peak memory
        (:func:`gnss.plan_memory_bytes`) exceeds this; default: the memory available now.
    threads : int, optional
        Kernel threads (1 to ``NUMBA_NUM_THREADS``); default: ``GNSS_THREADS``, else chosen
        per block from the idle processors. Results do not depend on it.

    Raises
    ------
    GnssTypeError
        When an argument has the wrong type (e.g. a file name instead of a Constellation).
    ParameterError
        For empty sets, a thread count out of range, or a run larger than the memory.

    Returns
    -------
    xarray.Dataset
        Per-cell statistics with dims ``(set, lat, lon)`` (and ``system``), area-weighted
        global histograms and provenance attributes (:func:`gnss.summarize` sums them up).

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=600)
    >>> ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(10.0))
    >>> bool((ds.availability.sel(set="R+C") >= ds.availability.sel(set="R")).all())
    True
    """
    check_types(constellation, sets, span, grid, config, regions)
    specs = parse_sets(sets) if isinstance(sets, str) else list(sets)
    if not specs:
        raise ParameterError("no sets to analyse; give e.g. R,C,R+C", parameter="sets")
    cons = dict(constellation) if isinstance(constellation, Mapping) else {None: constellation}
    policy = ThreadPolicy(threads)  # validates before any work
    check_memory(constellation, specs, span, grid, len(regions or ()), max_memory_bytes)
    resolved = resolve_sets(specs, cons, set_starts(cons, span.start, label_starts))
    return compute_resolved(
        resolved, cons, span, grid, config or CoverageConfig(), progress=progress,
        regions=regions, memory_budget_bytes=memory_budget_bytes, policy=policy,
    )  # fmt: skip


def compute_resolved(
    resolved: Sequence[ResolvedSet],
    constellations: Mapping[str | None, Constellation],
    span: EpochSpan,
    grid: Grid,
    config: CoverageConfig,
    *,
    progress: ProgressCallback | None = None,
    regions: Sequence | None = None,
    memory_budget_bytes: int = 256 * 2**20,
    policy: ThreadPolicy | None = None,
    grid_runner: GridRunner | None = None,
    cells=None,
) -> xr.Dataset:
    """:func:`compute_coverage` of sets already resolved (no argument checks, no memory plan).

    Parameters
    ----------
    resolved : sequence of ResolvedSet
        From :func:`gnss.elements.sets.resolve_sets` (what-if modifiers applied).
    constellations : mapping
        The element sets the sets were resolved from (label -> Constellation), for provenance.
    span, grid, config, progress, regions, memory_budget_bytes
        As :func:`compute_coverage`.
    policy : ThreadPolicy, optional
        Kernel threads (default: automatic).
    grid_runner : callable, optional
        ``grid_runner(pos, layout, grid, config, regions, report, policy, group_w=None)``
        returning the per-point outputs and the zone sums, as :func:`run_groups` (the default)
        does in this process; :mod:`gnss.scale` passes one that runs the groups on a Dask
        cluster. It runs the accuracy's weighted pass too (``group_w`` given).
    cells : optional
        Where the per-cell statistics go, group by group or as the tiles arrive, instead of
        the dataset (:class:`gnss.scale.zarrsink.ZarrCells`; :func:`run_groups` and the Dask
        runner take its ``sink``): the dataset returned then has no per-cell variable but
        ``cell_area``.

    Returns
    -------
    xarray.Dataset
        As :func:`compute_coverage`.
    """
    policy = policy or ThreadPolicy(None)
    layout = SetLayout.build(resolved, config.clock)

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    pos, failures = propagate_layout(layout, span, report)
    region_list = list(regions or ())
    runner = grid_runner or run_groups
    sink = {} if cells is None else {"sink": cells.plain(layout)}
    out, zones = runner(pos, layout, grid, config, region_list, report, policy, **sink)
    ds = build_dataset(
        out, zones, region_list, resolved, layout.systems, constellations, layout.satellites,
        span, grid, config, failures,
    )  # fmt: skip
    if config.uere_m is not None:
        # The weighted pass runs where the plain one ran (this process, or the Dask cluster).
        _accuracy(ds, pos, layout, grid, config, resolved, out, report, policy, runner, cells)
    if cells is not None:
        cells.close()
    return ds


def _accuracy(ds, pos, layout, grid, config, resolved, out, report, policy, runner,
              cells=None) -> None:  # fmt: skip
    """Add the 95 % accuracy in metres (:mod:`gnss.coverage.accuracy`), weighted pass if needed."""
    from .accuracy import add_accuracy, cell_accuracy, weighted_sets
    from .uere import group_weights, uere_sigma_m

    sigma = uere_sigma_m(dict(config.uere_m))
    out_w, ref = None, float("nan")
    weighted = weighted_sets(resolved, sigma)
    if any(weighted):
        # Only the sets that need it (the others are their DOPs scaled): less per-set work.
        sub = layout.subset(np.flatnonzero(weighted))
        group_w, ref, shift = group_weights(sub, sigma)
        sink = {} if cells is None else {"sink": cells.weighted(sub, ref)}
        out_w, _ = runner(pos, sub, grid, config, [], _renamed(report, "accuracy"),
                          policy, group_w=(group_w, shift), **sink)  # fmt: skip
    if cells is not None:  # the fields went to the store with the tiles
        add_accuracy(ds, {}, grid, resolved, sigma)
        return
    fields = cell_accuracy(out, out_w, ref, resolved, sigma, weighted)
    add_accuracy(ds, fields, grid, resolved, sigma)


def _renamed(report: ProgressCallback, stage: str) -> ProgressCallback:
    """Report the stages of ``report`` under the name ``stage`` (the compile stage as it is)."""
    return lambda s, done, total: report(s if s == "compile" else stage, done, total)


def propagate_layout(
    layout: SetLayout, span: EpochSpan, report: ProgressCallback
) -> tuple[np.ndarray, dict[str, PropagationFailure]]:
    """ITRS positions (n_epochs, n_sats, 3) of the layout's satellites, chunked in time.

    Each start epoch (labelled snapshots have their own) is propagated separately; failures
    are summed per satellite.
    """
    sats = layout.satellites
    n_t = span.n_epochs
    pos = np.empty((n_t, len(sats), 3))
    failures: dict[str, PropagationFailure] = {}
    report("propagate", 0, n_t)
    for start in sorted(set(layout.starts)):
        cols = [i for i, st in enumerate(layout.starts) if st == start]
        group = [sats[i] for i in cols]
        sub = EpochSpan(start, span.step_s, n_t)
        for first in range(0, n_t, _PROPAGATION_CHUNK):
            stop = min(n_t, first + _PROPAGATION_CHUNK)
            pos[first:stop, cols], fails = propagate_itrs_m(group, sub, first, stop)
            for f in fails:
                old = failures.get(f.satellite)
                n = f.n_epochs_failed + (old.n_epochs_failed if old else 0)
                failures[f.satellite] = PropagationFailure(f.satellite, n, f.reason)
            report("propagate", stop, n_t)
    return pos, failures


def zone_weights_m2(grid: Grid, regions: Sequence) -> np.ndarray:
    """Area weights (n_zones, n_points): zone 0 the globe, then each region's cell weights."""
    zone_w = grid.cell_area_m2.ravel()[None, :]  # zone 0: the globe, weighted by true cell area
    if regions:
        from ..regions.definitions import cell_weights_m2

        rows = [cell_weights_m2(r, grid).ravel()[None, :] for r in regions]
        zone_w = np.vstack([zone_w, *rows])
    return zone_w


def run_groups(pos, layout, grid, config, regions, report, policy, group_w=None, sink=None):
    """Run the kernel over the grid group by group in this process.

    Returns the per-point statistics (BlockOutputs) and the zone sums, added group by group
    in order (:mod:`gnss.coverage.groups`). ``group_w``: ``(range weights per group,
    histogram shift)`` of the accuracy's weighted pass (:func:`gnss.coverage.uere.group_weights`);
    None: the plain DOPs. ``sink``: ``sink.add(start, stop, outputs)`` takes each group's
    per-point statistics (:mod:`gnss.scale.zarrsink`), and only the run-wide extremes are
    returned (:class:`GlobalExtremes`): no array of the grid's size.
    """
    points, up = grid.points()
    zone_w = zone_weights_m2(grid, regions)
    n_p = points.shape[0]
    work = GroupWork(pos, layout, config, zone_w.shape[0], group_points(n_p), group_w=group_w)
    out = work.outputs(n_p if sink is None else group_points(n_p))  # sink: one group's rows
    work.compile(points, up, zone_w, report)
    totals = ZoneTotals()
    report("grid", 0, n_p)
    with policy:
        for start, stop in group_ranges(n_p):
            policy.apply()  # threads for this group (fixed, or the processors idle now)
            if sink is None:
                totals.add(work.group(points, up, zone_w, out, start, stop))
            else:  # the group's rows only, into rows 0 .. stop - start of ``out``
                sl = slice(start, stop)
                totals.add(work.group(points[sl], up[sl], zone_w[:, sl], out, start, stop,
                                      offset=start))  # fmt: skip
                sink.add(start, stop, out)  # copied
            report("grid", stop, n_p)
    log.debug("kernel threads per group: %s", ",".join(map(str, policy.used)))
    if sink is not None:  # the extremes are folded over every group (BlockOutputs.fold)
        extremes = GlobalExtremes(*out.dop_min_global.shape)
        extremes.dop_min_global, extremes.dop_max_global = out.dop_min_global, out.dop_max_global
        out = extremes
    return out, totals.sums
