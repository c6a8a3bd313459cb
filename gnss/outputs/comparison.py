"""The files of a comparison run: NetCDF, summary tables and maps, all or nothing."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import xarray as xr

from ..analysis.differences import DIFFERENCE_STATS, add_differences
from ..analysis.summary import format_table, summarize
from ..errors import ParameterError
from ..stats_catalog import STATISTICS
from .files import write_netcdf, write_summary_csv, write_summary_json
from .maptext import footer
from .outdir import OutputDir
from .outsignals import worker_initializer

log = logging.getLogger(__name__)

#: Maps drawn by default (the headline statistics: PDOP p95 and availability per set, and the
#: difference maps; report.html holds the rest), and with ``maps="all"`` (every statistic).
DEFAULT_MAP_STATS = ("pdop_p95", "availability")
ALL_MAP_STATS = (
    "visible_mean", "visible_min", "pdop_mean", "pdop_median", "pdop_p95", "pdop_max",
    "hdop_p95", "vdop_p95", "gdop_p95", "availability",
    "visible_max", "fix_fraction", "hdop_mean", "hdop_median", "hdop_max", "vdop_mean",
    "vdop_median", "vdop_max", "gdop_mean", "gdop_median", "gdop_max",
)  # fmt: skip


_MAP_STATS = {"none": (), "default": DEFAULT_MAP_STATS, "all": ALL_MAP_STATS}


def _slug(name: str) -> str:
    """File-name form of a set name: R+C -> R_C, R+C[-C:GEO] -> R_C-C_GEO."""
    return re.sub(r"[^A-Za-z0-9.@-]+", "_", name).strip("_")


def _map_style(stat: str) -> dict:
    """Keyword arguments of :func:`gnss.outputs.maps.plot_field` for a global map of ``stat``."""
    meta = STATISTICS[stat]
    ends = {k: v for k, v in (("vmin", meta.vmin), ("vmax", meta.vmax)) if v is not None}
    # A DOP is NaN where no epoch has a fix; other statistics are NaN only off the data.
    no_data = "no fix in any epoch" if meta.log_when_wide else "no data (NaN)"
    return {"cmap": meta.cmap, "units": meta.units, "log_when_wide": meta.log_when_wide,
            "upper_bound": meta.upper_bound, "no_data_label": no_data} | ends  # fmt: skip


def check_file_names(set_names: Sequence[str], combos: Sequence[str] = ()) -> None:
    """Refuse set names that map to the same file name (``R+C`` and ``R_C``: ``*_R_C.png``).

    Raises
    ------
    gnss.ParameterError
        Naming both sets, the file and the fix.
    """
    for kind, names in (("sets", set_names), ("combined sets", combos)):
        seen: dict[str, str] = {}
        for name in names:
            other = seen.setdefault(_slug(name), name)
            if other != name:
                raise ParameterError(
                    f"{kind} {other!r} and {name!r} would write the same files "
                    f"(map_<statistic>_{_slug(name)}.png: characters other than letters, "
                    "digits, '.', '@' and '-' become '_'); rename one of them with NAME=... in "
                    f"--sets, e.g. call {name!r} '{_slug(name)}_2'"
                )


def planned_files(
    ds_sets: list[str], combos: list[str], maps: str, regions: Sequence | None = None,
    report: bool = True, output_format: str = "netcdf",
) -> list[str]:
    """Names of the files a comparison run writes (to check the folder before any work).

    ``report``: the run writes ``report.html`` (:func:`gnss.write_report`).
    ``output_format``: "netcdf" (``coverage.nc``) or "zarr" (the store ``coverage.zarr``).

    Raises
    ------
    gnss.ParameterError
        When two sets (or two regions) would write the same file.
    """
    store = "coverage.zarr" if output_format == "zarr" else "coverage.nc"
    names = [store, "summary.json", "summary.csv"]
    if maps != "none":
        check_file_names(ds_sets, combos)
    names += [f"map_{stat}_{_slug(s)}.png" for s in ds_sets for stat in _MAP_STATS[maps]]
    if maps != "none":
        names += [f"diff_{stat}_{_slug(c)}.png" for c in combos for stat in DIFFERENCE_STATS]
    if regions:
        from .regionnames import TABLE_FILES, check_region_file_names, map_name

        check_region_file_names(regions)
        names += list(TABLE_FILES) + [map_name(r, "pdop_p95") for r in regions]
    return names + (["report.html"] if report else [])


#: Upper bounds of the file sizes, for the free-space check before a run: NetCDF variables
#: per cell and set (21 statistics + 4 per system), per combined set (3 differences), and
#: a PNG map (1 deg maps measured at 0.27-0.32 MB).
_CELL_FIELDS_PER_SET, _CELL_FIELDS_PER_SYSTEM, _DIFF_FIELDS = 21, 4, len(DIFFERENCE_STATS)
_MAP_BYTES = 0.5e6
_TABLES_BYTES = 1e6


def estimate_output_bytes(
    n_points: int, n_sets: int, n_systems: int, n_combined: int, n_maps: int, n_regions: int = 0
) -> float:
    """Upper bound of the bytes a comparison run writes (float32 NetCDF uncompressed + maps).

    Examples
    --------
    >>> round(estimate_output_bytes(180 * 360, 3, 2, 1, 33) / 1e6)
    41
    """
    from ..kernels.driver import HIST_N_BINS, N_METRICS

    per_set = _CELL_FIELDS_PER_SET + _CELL_FIELDS_PER_SYSTEM * n_systems
    fields = n_sets * per_set + n_combined * _DIFF_FIELDS + 1  # + the cell areas
    hist = (n_sets * (1 + n_regions)) * N_METRICS * HIST_N_BINS * 8
    return 4.0 * n_points * fields + hist + n_maps * _MAP_BYTES + _TABLES_BYTES


_META_KEYS = (
    "time_coverage_start", "time_coverage_end", "time_step_s", "n_epochs", "elevation_mask_deg",
    "receiver_height_m", "grid_resolution_deg", "clock_model", "pdop_max", "element_files",
    "element_epoch_range", "satellites_per_system", "skipped_records", "propagation_failures",
    "gdop_convention", "percentile_method", "library_versions",
)  # fmt: skip
_RUN_PARAMETERS = (
    "time_coverage_start", "time_coverage_end", "time_step_s", "elevation_mask_deg",
    "receiver_height_m", "grid_resolution_deg", "clock_model", "pdop_max", "element_files",
    "set_definitions",
)  # fmt: skip
_KEY_MEANING = (
    "<dop>.mean/.pNN/.max: over all epochs with a fix and the whole surface, area-weighted; "
    "<dop>_p95.area_mean/.worst_cell: the per-cell 95th percentile, its area mean and worst "
    "cell; availability.area_mean: share of time x area with a fix and PDOP <= pdop_max"
)


def write_comparison(
    ds: xr.Dataset,
    output_dir: str | Path | OutputDir,
    *,
    maps: str = "default",
    overwrite: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    regions: Sequence | None = None,
    report: bool = True,
    snapshots: xr.Dataset | None = None,
    output_format: str = "netcdf",
) -> tuple[dict, list[Path]]:
    """Write the NetCDF, the summary (CSV + JSON), the maps and report.html, all or nothing.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage` (differences are added here).
    output_dir : path or gnss.outputs.outdir.OutputDir
        Folder that receives the files, or an output folder already opened (``with``) before
        the computation, whose ``with`` block then publishes the files.
    maps : {"default", "all", "none"}
        Which per-statistic maps to draw (difference maps come with any but "none").
    overwrite : bool
        Replace existing files of the same names.
    progress : callable, optional
        ``progress("write", done, total)``.
    regions : sequence of gnss.regions.definitions.Region, optional
        Also write the region tables, GeoPackage, regional maps and ``report.md``
        (:func:`gnss.outputs.report.write_region_outputs`) into the same folder.
    report : bool
        Also write ``report.html``, one self-contained page (:func:`gnss.write_report`).
    snapshots : xarray.Dataset, optional
        Frames of the report's time control (:func:`gnss.global_snapshots`).
    output_format : {"netcdf", "zarr"}
        "zarr": ``ds`` is the staged ``coverage.zarr`` opened lazily (what
        :func:`gnss.run_comparison` does), read back one field at a time.

    Returns
    -------
    summary : dict
        As :func:`gnss.summarize`.
    files : list of pathlib.Path
        Files written, in the output folder.
    """
    ds = _with_differences(ds, output_format)
    sets = ds["set"].values.tolist()
    combos = ds["combined"].values.tolist() if "combined" in ds.coords else []
    summary = summarize(ds)
    names = planned_files(sets, combos, maps, regions, report, output_format)
    out, opened = _output_folder(output_dir, ds, sets, combos, names, overwrite, regions)
    out.check_free(names)
    out.parameters = {k: ds.attrs.get(k) for k in _RUN_PARAMETERS} | {
        "sets": sets, "maps": maps, "regions": [r.code for r in regions or ()],
    }  # fmt: skip
    note = footer(ds)
    jobs = _map_jobs(ds, sets, combos, maps)

    def tick(done):
        if progress is not None:
            progress("write", done, len(names))

    tick(0)
    with opened:
        _write_tables(out, ds, summary, output_format)
        tick(3)
        _render_maps([(field, out.path(name), kw | {"note": note}) for name, field, kw in jobs],
                     lambda i: tick(4 + i))  # fmt: skip
        if regions:
            from .report import write_region_outputs  # staged: published with the rest

            region_rep = write_region_outputs(ds, list(regions), out.path("."), overwrite=True)
            tick(len(names))
        if report:
            from .html import write_report

            write_report(ds, out.path("report.html"), summary=summary, snapshots=snapshots,
                         region_report=region_rep if regions else None,
                         region_pngs=sorted(out.path(".").glob("region_*.png")))  # fmt: skip
    return summary, [out.final / n for n in names]


def _with_differences(ds: xr.Dataset, output_format: str) -> xr.Dataset:
    """Add the differences (a store has them already); zarr: refuse what is not the store."""
    if output_format == "zarr" and not ds.encoding.get("source", "").endswith("coverage.zarr"):
        raise ParameterError("write_comparison(output_format='zarr') takes the store opened by "
                             "gnss.outputs.zarrstore.finish_store; use gnss.run_comparison("
                             "..., output_format='zarr')", parameter="format")  # fmt: skip
    return ds if "combined" in ds.coords else add_differences(ds)


def _output_folder(output_dir, ds: xr.Dataset, sets, combos, names, overwrite: bool, regions):
    """Return the output folder and the context that publishes it: (out, opened).

    An :class:`OutputDir` already entered is published by its own ``with`` block; otherwise
    a new one is made, with the free space the run needs (:func:`estimate_output_bytes`).
    """
    if isinstance(output_dir, OutputDir):
        out = output_dir
        return out, (nullcontext(out) if out.entered else out)
    n_maps = sum(n.endswith(".png") for n in names)
    need = estimate_output_bytes(ds.sizes["lat"] * ds.sizes["lon"], len(sets),
                                 ds.sizes.get("system", 1), len(combos), n_maps,
                                 len(regions or ()))  # fmt: skip
    out = OutputDir(output_dir, overwrite=overwrite, needed_bytes=need)
    return out, out


def _map_jobs(ds: xr.Dataset, sets, combos, maps: str) -> list:
    """List the maps to draw: (file name, field, keyword arguments of plot_field) each.

    Titles name the systems ("GLONASS + BeiDou (R+C)") and the thresholds ("PDOP ≤ 6");
    difference maps show the gain over the best single system, positive = better.
    """
    from ..analysis.differences import difference_pairs
    from .maptext import gain_title, gain_units, set_labels, stat_title

    labels = set_labels(ds)
    pdop_max = float(ds.attrs["pdop_max"]) if "pdop_max" in ds.attrs else None
    jobs = []
    for s in sets:
        for stat in _MAP_STATS[maps]:
            title = f"{labels[s]}: {stat_title(stat, pdop_max)}"
            jobs.append((f"map_{stat}_{_slug(s)}.png", ds[stat].sel(set=s),
                         {"title": title} | _map_style(stat)))  # fmt: skip
    if maps == "none" or not combos:
        return jobs
    systems = [tuple(x.split(",")) for x in ds["set_systems"].values.tolist()]
    pairs = difference_pairs(sets, systems, [bool(x) for x in ds["set_plain"].values])
    for c in combos:
        singles = [labels[x] for x in pairs.get(c, [])]
        for stat in DIFFERENCE_STATS:
            kw = {
                "title": gain_title(stat, labels[c], singles, pdop_max),
                "units": gain_units(stat),
                "diverging": True,
                "cmap": "RdBu",  # blue = the combination is better, red = worse
            }
            jobs.append((f"diff_{stat}_{_slug(c)}.png", ds[f"diff_{stat}"].sel(combined=c), kw))
    return jobs


def _write_tables(out: OutputDir, ds: xr.Dataset, summary: dict, output_format: str) -> None:
    """Write ``coverage.nc`` (unless the store is there), the summary JSON and CSV (staged)."""
    if output_format == "netcdf":
        write_netcdf(ds, out.path("coverage.nc"))
    meta = {k: ds.attrs[k] for k in _META_KEYS} | {"key_meaning": _KEY_MEANING}
    write_summary_json(summary, meta, out.path("summary.json"))
    write_summary_csv(summary, out.path("summary.csv"))


def _plot_one(job) -> None:
    from . import maps

    field, path, kw = job
    maps.plot_field(field, path, **kw)


def _render_maps(jobs: list, tick: Callable[[int], None]) -> None:
    """Draw the maps, in worker processes when there are many (each map is ~0.2 s of CPU).

    ``GNSS_MAP_WORKERS`` sets the number of processes (1: draw here, sequentially). Workers
    are forked on Linux (they only draw; matplotlib is already imported), spawned elsewhere.
    An error in any map is raised here, so the staged output folder is discarded. On any
    exception here (a failed map, Ctrl-C, SIGTERM/SIGHUP turned into
    :class:`gnss.outputs.outsignals.Terminated`) the workers are killed before it propagates, and
    they end with this process however it ends (:func:`gnss.outputs.outsignals.worker_initializer`).
    """
    workers = int(os.environ.get("GNSS_MAP_WORKERS", min(4, os.cpu_count() or 1)))
    if workers <= 1 or len(jobs) < 8:
        for i, job in enumerate(jobs):
            _plot_one(job)
            tick(i)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        # Make the first map's figure here: matplotlib, the borders and the shared figure
        # are then made once and inherited by the forked workers, not made in each.
        from . import maps

        field, _, kw = jobs[0]
        maps.render_field(field, **kw, draw=False)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=worker_initializer,
        initargs=(os.getpid(),),
    )
    try:
        for i, _ in enumerate(pool.map(_plot_one, jobs, chunksize=2)):
            tick(i)
    except BaseException:
        _kill_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop drawing now: kill the worker processes (no public API for it before 3.14)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.kill()
    for p in procs:
        p.join(timeout=5)


def table(summary: dict, ds: xr.Dataset) -> str:
    """Return the printed summary table of a run."""
    return format_table(summary, float(ds.attrs["pdop_max"]))
