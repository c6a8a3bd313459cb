"""``gnss compare``: parse the options, run :func:`gnss.run_comparison`'s steps, print.

The work (load, check, plan memory, compute, write) is the library's (:mod:`gnss.study`);
this module turns options into a :class:`gnss.Study`, library errors into click's exit codes
(2 for a usage error, 1 for a run that cannot be done) and prints the set descriptions, the
memory estimate and the summary table.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

import click

from .options import Command, elements_option, output_path, positive
from .progress import Progress, setup_logging
from .run_options import (
    epochs_options,
    horizon_option,
    output_format_option,
    overwrite_option,
    receiver_options,
    report_option,
    resources_options,
    selector_options,
    sets_option,
    span_options,
    uere_option,
    verbosity_options,
)
from .scheduler import client_for, scheduler_option

log = logging.getLogger("gnss")

#: Library parameter -> the option to name in a usage error (exit 2).
OPTION_OF = {
    "sets": "'--sets'",
    "regions": "--regions",
    "duration_s": "'--hours' / '--step-s'",
    "start": "'--start' / '--hours'",
    "threads": "'--threads'",
    "maps": "--maps",
    "horizon": "'--horizon'",
    "uere_m": "'--uere-m'",
    "format": "'--format'",
}
#: Library parameters whose errors are usage errors without one option to name.
USAGE_PARAMETERS = {"select", "grid", "config"}


def click_error(exc: Exception) -> click.ClickException:
    """Turn a library error into click's: usage errors exit 2, the rest 1."""
    parameter = getattr(exc, "parameter", None)
    if parameter in OPTION_OF:
        return click.BadParameter(str(exc), param_hint=OPTION_OF[parameter])
    if parameter in USAGE_PARAMETERS:
        return click.UsageError(str(exc))
    return click.ClickException(str(exc))


def split_label(item: str) -> tuple[str | None, str]:
    """``LABEL=PATH`` -> (label, path); a plain path (or an existing file) -> (None, path)."""
    head, sep, tail = item.partition("=")
    if sep and re.fullmatch(r"[A-Za-z0-9_.-]+", head) and not Path(item).exists():
        return head, tail
    return None, item


def element_files(items) -> dict[str | None, list[str]] | None:
    """``-e`` values as a mapping label -> files (None when no ``-e`` was given)."""
    files: dict[str | None, list[str]] = {}
    for item in items:
        label, path = split_label(item)
        files.setdefault(label, []).append(path)
    return files or None


@click.command(cls=Command)
@sets_option()
@elements_option(
    required=False,
    help="Element file (TLE/3LE, OMM CSV or JSON) or orbit file (SP3, RINEX 2/3 navigation), "
    "detected from the content; repeat for several. -e LABEL=FILE labels it for sets such as "
    "R+C@LABEL. One satellite, one source: SP3 > navigation > TLE/OMM. With an orbit file the "
    "start defaults to its first epoch and the span must lie inside the file. Default: the "
    "shipped nominal constellations (no network).",
)
@selector_options
@click.option(
    "--include-unhealthy", is_flag=True,
    help="Keep satellites whose navigation or almanac records are flagged unhealthy (left out "
    "and listed by default).",
)  # fmt: skip
@epochs_options
@span_options
@click.option(
    "--resolution-deg", metavar="DEG", default=1.0, show_default=True, type=float,
    callback=positive("--resolution-deg"), help="Grid cell size in degrees (must divide 180).",
)  # fmt: skip
@receiver_options
@horizon_option()
@uere_option
@click.option(
    "--regions", "regions_text", metavar="REGIONS",
    help="Regions for a region table, GeoPackage, regional maps and report.md: codes, ISO A3 "
    "country codes or names, box:LATMIN:LATMAX:LONMIN:LONMAX or a polygon file, comma-separated "
    "(e.g. RUS,CHN,arctic,asia-pacific). See `gnss regions`.",
)  # fmt: skip
@resources_options
@scheduler_option()
@click.option(
    "--maps", type=click.Choice(["default", "all", "none"]), default="default",
    show_default=True, help="Which PNG maps to draw: default (PDOP p95 and availability per "
    "set, gain maps of combined sets), all (every statistic) or none.",
)  # fmt: skip
@output_format_option()
@click.option(
    "-o", "--output", "output", metavar="DIR", default="gnss-output", show_default=True,
    type=click.Path(file_okay=False), callback=output_path("a folder name", "-o gnss-output"),
    help="Folder that receives the results.",
)  # fmt: skip
@report_option()
@overwrite_option()
@verbosity_options
def compare(**options):
    """Map visibility, DOP and availability of each set; compare combined with single systems.

    Writes into the output folder: coverage.nc (every statistic of every set,
    CF conventions, provenance; --format zarr: the store coverage.zarr),
    summary.csv and summary.json, PNG maps of PDOP p95 and availability per
    set (--maps all: every statistic), gain maps of each combined set over its
    best single system (positive = the combination is better) and report.html
    (one self-contained page: the answer, tables, maps and a time control).
    Nothing is written if anything fails.

    Sets may be what-if scenarios: R+C[-C:GEO] (without the BeiDou GEOs),
    R+C[-R:plane=2], R[-R:plane=2;+nominal:R:plane=2] (the plane replaced by its
    nominal slots: +nominal fills only slots no satellite flies in,
    +allnominal adds them all), old=R+C@2019 (with -e 2019=FILE: a snapshot of
    another date, run from its own median epoch). A selector or modifier that
    changes nothing is an error. Each set is described in one line on stderr.
    """
    from ..errors import GnssError

    setup_logging(options["verbose"], options["quiet"])
    t0 = time.perf_counter()
    try:
        plan = _plan(options)
    except GnssError as exc:
        raise click_error(exc) from exc
    _report_plan(plan, options)
    progress = Progress(enabled=not options["quiet"] and sys.stderr.isatty(),
                        quiet=options["quiet"])  # fmt: skip
    try:
        from ..study.run import run_plan

        with client_for(options["scheduler"]) as client:
            result = run_plan(plan, progress, client)
    except GnssError as exc:
        raise click_error(exc) from exc
    finally:
        progress.close()
    _report_result(result, options["output"], time.perf_counter() - t0, progress.timings)


def _plan(options: dict):
    """Make the options a Study and plan it: everything checked before any heavy work."""
    from ..study.plan import plan_comparison
    from ..study.question import Study

    gib = options["max_memory_gib"]
    study = Study(
        sets=options["sets"], elements=element_files(options["elements"]),
        select=options["select"], exclude=options["exclude"], start=options["start"],
        duration_s=options["hours"] * 3600.0, step_s=options["step_s"],
        resolution_deg=options["resolution_deg"], height_m=options["height_m"],
        elevation_mask_deg=options["mask_deg"], clock=options["clock"],
        pdop_max=options["pdop_max"], regions=options["regions_text"],
        max_age_days=options["max_age_days"], force=options["force"],
        max_memory_bytes=gib * 2**30 if gib else None, threads=options["threads"],
        include_unhealthy=options["include_unhealthy"], horizon=options["horizon"],
        uere_m=options["uere_m"],
    )  # fmt: skip
    return plan_comparison(
        study, options["output"], maps=options["maps"], overwrite=options["overwrite"],
        report=options["report"], output_format=options["output_format"],
    )  # fmt: skip


def _report_plan(plan, options: dict) -> None:
    """Print each set's description and the memory estimate; refuse a run too large."""
    need, limit = plan.memory_bytes, plan.memory_limit_bytes
    if not options["quiet"]:
        for name, text in plan.set_descriptions.items():
            click.echo(f"set {name}: {text}", err=True)
        click.echo(
            f"estimated peak memory {need / 2**30:.2f} GiB (limit {limit / 2**30:.1f} GiB); "
            f"{plan.grid.n_points} points x {plan.span.n_epochs} epochs x "
            f"{len(plan.resolved)} sets",
            err=True,
        )
    if not need <= limit:
        raise click.ClickException(
            f"this run needs about {need / 2**30:.1f} GiB but {limit / 2**30:.1f} GiB are "
            "available; use a coarser --resolution-deg, fewer --sets, or --regions instead of "
            "a finer global grid (or raise --max-memory-gib if you know better)"
        )


def _report_result(result, output: str, total_s: float, stages: dict) -> None:
    """Print the summary table; log the files, the time split and propagation failures."""
    from ..outputs.comparison import table

    ds = result.dataset
    click.echo(table(result.summary, ds))
    log.info("wrote %d files into %s", len(result.files), output)
    timings = {"load": total_s - sum(result.timings_s.values())} | {
        ("kernels+statistics" if k == "grid" else k): v for k, v in stages.items()
    }
    log.info("time split: %s", ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    if ds.attrs["propagation_failures"] != "none":
        log.warning("propagation failures (NaN positions): %s", ds.attrs["propagation_failures"])
