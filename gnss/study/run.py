"""Compute and write a planned comparison, all or nothing: what ``gnss compare`` runs."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import xarray as xr

from ..coverage import run as coverage_run
from ..coverage.config import ProgressCallback
from ..kernels.threads import ThreadPolicy
from ..outputs.comparison import write_comparison
from .plan import Plan, plan_comparison
from .question import Study

log = logging.getLogger("gnss")


@dataclass
class ComparisonResult:
    """What a comparison run produced.

    Attributes
    ----------
    dataset : xarray.Dataset
        Every statistic of every set (with the differences when written).
    summary : dict
        As :func:`gnss.summarize`; None when nothing was written.
    files : list of pathlib.Path
        Files written (empty without an output folder).
    plan : Plan
        The checked plan the run followed.
    timings_s : dict
        Wall time per stage in seconds (compute, snapshots of the report's time control,
        write).
    store_stats : dict
        Of a ``coverage.zarr`` (``output_format="zarr"``), written group by group or tile by
        tile: ``rows_per_chunk``, ``chunks_written`` and ``peak_points`` (the most cells whose
        statistics the process held at once); empty for a NetCDF run.
    """

    dataset: xr.Dataset
    summary: dict | None
    files: list[Path]
    plan: Plan
    timings_s: dict[str, float] = field(default_factory=dict)
    store_stats: dict = field(default_factory=dict)


def compute(plan: Plan, progress: ProgressCallback | None = None, client=None,
            cells=None) -> xr.Dataset:  # fmt: skip
    """Run the coverage of a plan (no memory check; :func:`run_plan` does it first).

    ``client`` (a ``distributed.Client``): run the grid as Dask tasks (:mod:`gnss.scale`),
    with the numbers of this process. ``cells``: with a client, where the per-cell fields go
    tile by tile (:class:`gnss.scale.zarrsink.ZarrCells`); the dataset then lacks them.
    """
    study = plan.study
    runner = None
    if client is not None:
        from ..scale.runner import dask_grid_runner

        runner = dask_grid_runner(client)
    return coverage_run.compute_resolved(
        plan.resolved, plan.constellations, plan.span, plan.grid, study.config(),
        progress=progress, regions=plan.regions or None, policy=ThreadPolicy(study.threads),
        grid_runner=runner, cells=cells,
    )  # fmt: skip


def snapshots(plan: Plan) -> xr.Dataset:
    """Return the frames of the report's time control (:func:`gnss.global_snapshots`).

    Visible count and PDOP of each set at sampled epochs on a coarse grid, with the run's
    mask and clock.
    """
    from ..coverage.snapshots import global_snapshots

    return global_snapshots(plan.resolved, plan.span, plan.study.config(),
                            height_m=plan.grid.height_m)  # fmt: skip


def run_plan(
    plan: Plan, progress: ProgressCallback | None = None, client=None
) -> ComparisonResult:
    """Check the memory, compute and (with an output folder) write the files, all or nothing.

    The output folder is staged before the computation: an unwritable folder or a full disk
    is refused first, and SIGTERM/SIGHUP from then on end the run like Ctrl-C, leaving no
    half-written result.

    ``client``: a ``distributed.Client`` to run the grid on (:func:`compute`).

    Raises
    ------
    ParameterError
        When the estimated memory exceeds the limit (before any work).
    """
    plan.check_memory()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if plan.output is None:
        ds = compute(plan, progress, client)
        return ComparisonResult(ds, None, [], plan, {"compute": time.perf_counter() - t0})
    zarr = plan.output_format == "zarr"
    with plan.output:
        cells = _tile_store(plan) if zarr else None  # the cells go to the store, by tiles
        ds = compute(plan, progress, client, cells)
        if zarr:  # the cells are in the store already: add the rest, open it lazily
            from ..outputs.zarrstore import STORE_NAME, finish_store

            ds = finish_store(ds, plan.output.path(STORE_NAME), cells_written=True)
        timings["compute"] = time.perf_counter() - t0
        snap = snapshots(plan) if plan.report else None
        timings["snapshots"] = time.perf_counter() - t0 - timings["compute"]
        summary, files = write_comparison(ds, plan.output, maps=plan.maps, progress=progress,
                                          regions=plan.regions or None, report=plan.report,
                                          snapshots=snap,
                                          output_format=plan.output_format)  # fmt: skip
    if zarr:  # the published store, read lazily (the staged one is gone)
        from ..outputs.zarrstore import STORE_NAME, open_store

        ds = open_store(plan.output.final / STORE_NAME)
    timings["write"] = time.perf_counter() - t0 - timings["compute"] - timings["snapshots"]
    stats = dict(cells.stats) if cells is not None else {}
    if stats:
        log.info("coverage.zarr written chunk by chunk: %d chunks of %d latitude rows, at most "
                 "%d of %d cells held at once", stats["chunks_written"], stats["rows_per_chunk"],
                 stats["peak_points"], plan.grid.n_points)  # fmt: skip
    return ComparisonResult(ds, summary, files, plan, timings, stats)


def _tile_store(plan: Plan):
    """Return the sink that writes the per-cell fields into the staged coverage.zarr."""
    from ..outputs.zarrstore import STORE_NAME
    from ..scale.zarrsink import ZarrCells

    return ZarrCells(plan.output.path(STORE_NAME), plan.resolved, plan.grid, plan.study.config())


def run_comparison(
    study: Study,
    output_dir: str | os.PathLike | None = None,
    *,
    maps: str = "default",
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    client=None,
    report: bool = True,
    output_format: str = "netcdf",
) -> ComparisonResult:
    """Do what ``gnss compare`` does: load, check, plan memory, compute, write.

    Parameters
    ----------
    study : Study
        The question (sets, elements, span, grid, mask, regions ...).
    output_dir : path, optional
        Folder that receives coverage.nc, summary.csv/json, maps and (with regions) the region
        outputs; nothing is written if anything fails. None: compute only.
    maps : {"default", "all", "none"}
    overwrite : bool
        Replace the files of an earlier run in ``output_dir``.
    progress : callable, optional
        ``progress(stage, done, total)`` for "propagate", "compile" (first run only),
        "grid" and "write"; the library never prints.
    client : distributed.Client, optional
        Run the grid on this Dask cluster (:mod:`gnss.scale`): tiles of cells as tasks, merged
        to the numbers of a single-process run (orbits propagated here and scattered).
    report : bool
        Write ``report.html`` too (:func:`gnss.write_report`), with the time control.
    output_format : {"netcdf", "zarr"}
        ``coverage.nc`` (default) or the Zarr store ``coverage.zarr`` (same variables; written
        group by group, or tile by tile with a client, so this process never holds every
        cell's statistics; the result's dataset is then the published store, opened lazily).

    Returns
    -------
    ComparisonResult

    Examples
    --------
    >>> import gnss, tempfile
    >>> study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800, resolution_deg=10)
    >>> result = gnss.run_comparison(study, tempfile.mkdtemp(), maps="none")
    >>> sorted(p.name for p in result.files)
    ['coverage.nc', 'report.html', 'summary.csv', 'summary.json']
    """
    plan = plan_comparison(study, output_dir, maps=maps, overwrite=overwrite, report=report,
                           output_format=output_format)  # fmt: skip
    return run_plan(plan, progress, client)
