"""Command line: ``gnss compare`` and friends (click).

Logs go to stderr (``-v`` for more, ``-q`` for errors only); the summary table
goes to stdout. Long work shows a progress bar when stderr is a terminal.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

import click

from .options import (
    Command,
    MessageFormatter,
    elements_option,
    output_path,
    positive,
    utc_time,
)

# The library is imported inside the commands, so that `gnss --help` loads only click.
#: The clock models of gnss.coverage.run.CLOCK_MODELS (tests/test_cli.py checks they agree).
CLOCK_MODELS = ("per-system", "common")
#: The environment variable of gnss.kernels.threads.THREADS_ENV (checked likewise).
THREADS_ENV = "GNSS_THREADS"

log = logging.getLogger("gnss")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MessageFormatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


class _Progress:
    """A tqdm bar per stage on a terminal; stage timings either way."""

    def __init__(self, enabled: bool, quiet: bool = False):
        self.enabled = enabled
        self.quiet = quiet
        self.bar = None
        self.stage = None
        self.t_stage = time.perf_counter()
        self.timings: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.t_stage = stage, time.perf_counter()
            if stage == "compile" and done == 0 and not self.quiet:  # said on a pipe too
                click.echo("compiling kernels (first run only)", err=True)
            if self.enabled:
                from tqdm import tqdm

                self.bar = tqdm(
                    total=total, desc=f"{stage:>9}", file=sys.stderr, leave=False, unit=""
                )
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.stage is not None:
            self.timings[self.stage] = time.perf_counter() - self.t_stage
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.stage = None


def _sets(ctx, param, value):
    from ..elements.sets import parse_sets
    from ..errors import ParameterError

    try:
        return parse_sets(value)
    except ParameterError as exc:
        raise click.BadParameter(f"{value!r}: {exc}") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gnss-coverage")
def main():
    """Compare the coverage of GNSS constellations (GLONASS, BeiDou, GPS, Galileo ...)."""
    _setup_logging(0, False)  # library warnings as `Warning: ...` in every command


def _split_label(item: str) -> tuple[str | None, str]:
    """``LABEL=PATH`` -> (label, path); a plain path (or an existing file) -> (None, path)."""
    head, sep, tail = item.partition("=")
    if sep and re.fullmatch(r"[A-Za-z0-9_.-]+", head) and not Path(item).exists():
        return head, tail
    return None, item


def _load_elements(sets, elements, select, exclude, start=None) -> dict:
    """Element files by label, filtered; unlabelled sets default to the nominal constellations.

    The nominal slots come from the shipped files (epoch 2026-01-01T00:00Z) or, when a
    start is given, are placed at that start by the builder's rules.
    """
    from ..elements.nominal_files import nominal_constellation, nominal_element_files
    from ..elements.read import Constellation, read_elements
    from ..elements.select import filter_constellations, summarize_skipped
    from ..elements.sets import NOMINAL_LABEL
    from ..errors import ParameterError

    files: dict[str | None, list] = {}
    for item in elements:
        label, path = _split_label(item)
        files.setdefault(label, []).append(path)
    wanted = {s.label for s in sets} - {NOMINAL_LABEL}
    if None in wanted and None not in files:
        systems = sorted({x for s in sets if s.label is None for x in s.systems})
        files[None] = nominal_element_files(systems)
        if start is not None:
            files[None] = nominal_constellation(systems, start)
    loaded = {
        label: paths if isinstance(paths, Constellation) else read_elements(paths)
        for label, paths in files.items()
    }
    try:  # a selector that selects or removes nothing is a usage error, before any work
        cons = filter_constellations(loaded, select, exclude)
    except ParameterError as exc:
        raise click.UsageError(str(exc)) from exc
    for label, con in cons.items():
        paths = files[label]
        if isinstance(paths, Constellation):
            paths = [s.path for s in paths.sources]
        for line in summarize_skipped(con):
            log.warning("skipped %s", line)
        where = ", ".join(map(str, paths))
        log.info("%s: %d satellites %s from %s", label or "elements", len(con), con.counts(), where)
    return cons


def _resolve_and_report(sets, cons, start, quiet: bool) -> None:
    """Resolve the sets before any work; print one line per set unless ``quiet``.

    A modifier that changes nothing is a usage error (exit 2). The line gives the satellites per
    system and what the modifiers removed and added (the same text goes into coverage.nc).
    """
    from ..elements.sets import resolve_sets, set_starts
    from ..errors import GnssError, ParameterError

    try:
        resolved = resolve_sets(sets, cons, set_starts(cons, start))
    except ParameterError as exc:
        raise click.BadParameter(str(exc), param_hint="'--sets'") from exc
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    if not quiet:
        for rs in resolved:
            click.echo(f"set {rs.spec.name}: {rs.description}", err=True)


@main.command(cls=Command)
@click.option(
    "--sets",
    "sets",
    metavar="SETS",
    default="R,C,R+C",
    show_default=True,
    callback=_sets,
    help="Receiver configurations to compare: comma-separated, systems joined by '+' "
    "(G GPS, R GLONASS, E Galileo, C BeiDou, J QZSS, I NavIC).",
)
@elements_option(
    required=False,
    help="Element file (TLE/3LE, OMM CSV or JSON); repeat for several. -e LABEL=FILE labels it "
    "for sets such as R+C@LABEL. Default: the shipped nominal constellations (no network).",
)
@click.option(
    "--select",
    multiple=True,
    metavar="SELECTOR",
    help="Keep only satellites matching these selectors (e.g. C:BDS-3, R:plane=1, norad=43001).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="SELECTOR",
    help="Leave out satellites matching these selectors (e.g. C:GEO, name='BEIDOU-3S*').",
)
@click.option(
    "--max-age-days",
    metavar="DAYS",
    default=14.0,
    show_default=True,
    type=float,
    help="Warn about element epochs further than this from the analysis span.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Run even when the span is more than 60 days from the element epochs.",
)
@click.option(
    "--start",
    metavar="ISO-TIME",
    callback=utc_time("--start"),
    help="First epoch, ISO 8601 with a zone, e.g. 2026-10-05T00:00Z. "
    "Default: the elements' median epoch (2026-01-01T00:00Z for the nominal sets).",
)
@click.option(
    "--hours",
    metavar="HOURS",
    default=24.0,
    show_default=True,
    type=float,
    callback=positive("--hours"),
    help="Length of the span in hours.",
)
@click.option(
    "--step-s",
    metavar="S",
    default=300.0,
    show_default=True,
    type=float,
    callback=positive("--step-s"),
    help="Time step in seconds.",
)
@click.option(
    "--resolution-deg",
    metavar="DEG",
    default=1.0,
    show_default=True,
    type=float,
    callback=positive("--resolution-deg"),
    help="Grid cell size in degrees (must divide 180).",
)
@click.option(
    "--mask-deg",
    metavar="DEG",
    default=5.0,
    show_default=True,
    type=click.FloatRange(-10, 90, max_open=True),
    help="Elevation mask in degrees above the geodetic horizon.",
)
@click.option(
    "--height-m",
    metavar="M",
    default=0.0,
    show_default=True,
    type=float,
    help="Receiver height above the WGS84 ellipsoid in metres.",
)
@click.option(
    "--clock",
    type=click.Choice(CLOCK_MODELS),
    default="per-system",
    show_default=True,
    help="One receiver clock per system in view, or one common clock.",
)
@click.option(
    "--pdop-max",
    metavar="PDOP",
    default=6.0,
    show_default=True,
    type=float,
    callback=positive("--pdop-max"),
    help="Availability threshold: an epoch counts when there is a fix with PDOP <= this.",
)
@click.option(
    "--regions",
    "regions_text",
    metavar="REGIONS",
    help="Regions for a region table, GeoPackage, regional maps and report.md: codes, ISO A3 "
    "country codes or names, box:LATMIN:LATMAX:LONMIN:LONMAX or a polygon file, comma-separated "
    "(e.g. RUS,CHN,arctic,asia-pacific). See `gnss regions`.",
)
@click.option(
    "--max-memory-gib",
    metavar="GIB",
    type=float,
    callback=positive("--max-memory-gib"),
    help="Refuse runs whose estimated peak memory exceeds this (default: the memory available).",
)
@click.option(
    "--threads",
    metavar="N",
    type=int,
    envvar=THREADS_ENV,
    show_envvar=True,
    help="Kernel threads (1 to the number of cores). Default: chosen per block of points "
    "from the processors idle at that moment, so concurrent runs share the cores fairly. "
    "Results do not depend on it.",
)
@click.option(
    "--maps",
    type=click.Choice(["default", "all", "none"]),
    default="default",
    show_default=True,
    help="Which per-statistic PNG maps to draw.",
)
@click.option(
    "-o",
    "--output",
    "output",
    metavar="DIR",
    default="gnss-output",
    show_default=True,
    type=click.Path(file_okay=False),
    callback=output_path("a folder name", "-o gnss-output"),
    help="Folder that receives the results.",
)
@click.option(
    "--overwrite", is_flag=True, help="Replace existing result files in the output folder."
)
@click.option("-v", "--verbose", count=True, help="More log messages on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bar.")
def compare(
    sets,
    elements,
    select,
    exclude,
    max_age_days,
    force,
    start,
    hours,
    step_s,
    resolution_deg,
    mask_deg,
    height_m,
    clock,
    pdop_max,
    regions_text,
    max_memory_gib,
    threads,
    maps,
    output,
    overwrite,
    verbose,
    quiet,
):
    """Map visibility, DOP and availability of each set; compare combined with single systems.

    Writes into the output folder: coverage.nc (every statistic of every set,
    CF conventions, provenance), summary.csv and summary.json, a PNG map per
    statistic and set, and difference maps (combined minus best single
    system). Nothing is written if anything fails.

    Sets may be what-if scenarios: R+C[-C:GEO] (without the BeiDou GEOs),
    R+C[-R:plane=2], R[-R:plane=2;+nominal:R:plane=2] (the plane replaced by its
    nominal slots: +nominal fills only slots no satellite flies in,
    +allnominal adds them all), old=R+C@2019 (with -e 2019=FILE: a snapshot of
    another date, run from its own median epoch). A selector or modifier that
    changes nothing is an error. Each set is described in one line on stderr.
    """
    from ..analysis.differences import difference_pairs
    from ..coverage.run import CoverageConfig, compute_coverage, plan_memory_bytes
    from ..elements.nominal import NOMINAL_EPOCH
    from ..elements.select import check_span_near_elements, stale_satellites
    from ..errors import GnssError, ParameterError
    from ..kernels.threads import check_threads
    from ..outputs.comparison import (
        estimate_output_bytes,
        planned_files,
        table,
        write_comparison,
    )
    from ..outputs.outdir import OutputDir
    from ..receivers.grid import Grid
    from ..resources import available_memory_bytes
    from ..timeutil import epoch_span, n_epochs

    _setup_logging(verbose, quiet)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        grid = Grid(resolution_deg, height_m)
        config = CoverageConfig(mask_deg, clock, pdop_max)
    except ParameterError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        n_epochs(hours * 3600.0, step_s)
    except ParameterError as exc:
        raise click.BadParameter(str(exc), param_hint="'--hours' / '--step-s'") from exc
    try:
        check_threads(threads, what="--threads")
    except ParameterError as exc:
        raise click.BadParameter(str(exc), param_hint="'--threads'") from exc
    try:
        cons = _load_elements(sets, elements, select, exclude, start)
        default = cons.get(None)
        if start is None:
            first = default if default is not None else next(iter(cons.values()), None)
            start = first.median_epoch() if first is not None else NOMINAL_EPOCH
            log.info("start = median element epoch %s", start.isoformat())
        try:
            span = epoch_span(start, hours * 3600.0, step_s)
        except ParameterError as exc:
            raise click.BadParameter(str(exc), param_hint="'--hours'") from exc
        for label, con in cons.items():
            # Labelled snapshots run from their own median epoch (see gnss.elements.sets).
            lo = span.start if label is None else con.median_epoch()
            hi = lo + (span.end - span.start)
            check_span_near_elements(con, lo, hi, force=force)
            stale = stale_satellites(con, lo, hi, max_age_days)
            if stale:  # worst first, with where each record came from
                worst = ", ".join(f"{s.name} ({d:.1f} d, {s.source})" for s, d in stale[:5])
                more = f"; and {len(stale) - 5} more" if len(stale) > 5 else ""
                log.warning(
                    "%d of %d satellites%s have element epochs more than %g days from the span "
                    "(worst first): %s%s. Use element sets of the span's date, or --max-age-days",
                    len(stale), len(con), "" if label is None else f" of {label!r}",
                    max_age_days, worst, more,
                )  # fmt: skip
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    _resolve_and_report(sets, cons, span.start, quiet)
    regions = None
    if regions_text:
        from ..regions.definitions import get_regions

        try:
            regions = get_regions(regions_text)
        except GnssError as exc:
            raise click.BadParameter(f"{regions_text!r}: {exc}", param_hint="--regions") from exc
    set_names = [s.name for s in sets]
    pairs = difference_pairs(set_names, [s.systems for s in sets], [s.is_plain for s in sets])
    try:
        names = planned_files(set_names, list(pairs), maps, regions)
    except ParameterError as exc:
        hint = "--regions" if str(exc).startswith("regions") else "--sets"
        raise click.BadParameter(str(exc), param_hint=hint) from exc
    n_systems = len({x for s in sets for x in s.systems})
    out_bytes = estimate_output_bytes(
        grid.n_points,
        len(sets),
        n_systems,
        len(pairs),
        sum(n.endswith(".png") for n in names),
        len(regions or ()),
    )
    try:
        out = OutputDir(output, overwrite=overwrite, needed_bytes=out_bytes)
        out.check_free(names)  # refuse before any work
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    need = plan_memory_bytes(cons, sets, span, grid, len(regions or ()))
    limit = max_memory_gib * 2**30 if max_memory_gib else available_memory_bytes()
    if not quiet:
        click.echo(
            f"estimated peak memory {need / 2**30:.2f} GiB (limit {limit / 2**30:.1f} GiB); "
            f"{grid.n_points} points x {span.n_epochs} epochs x {len(sets)} sets",
            err=True,
        )
    if need > limit:
        raise click.ClickException(
            f"this run needs about {need / 2**30:.1f} GiB but {limit / 2**30:.1f} GiB are "
            "available; use a coarser --resolution-deg, fewer --sets, or --regions instead of "
            "a finer global grid (or raise --max-memory-gib if you know better)"
        )
    timings["load"] = time.perf_counter() - t0
    progress = _Progress(enabled=not quiet and sys.stderr.isatty(), quiet=quiet)
    try:
        # The staging folder is made first: an unwritable folder or a full disk is refused
        # before the computation, and SIGTERM/SIGHUP from here on end the run like Ctrl-C.
        with out:
            ds = compute_coverage(
                cons, sets, span, grid, config, progress=progress, regions=regions,
                max_memory_bytes=limit, threads=threads,
            )  # fmt: skip
            progress.close()
            summary, files = write_comparison(
                ds, out, maps=maps, overwrite=overwrite, progress=progress, regions=regions
            )
            progress.close()
    except GnssError as exc:
        progress.close()
        raise click.ClickException(str(exc)) from exc
    timings |= {
        ("kernels+statistics" if k == "grid" else k): v for k, v in progress.timings.items()
    }
    click.echo(table(summary, ds))
    log.info("wrote %d files into %s", len(files), output)
    log.info("time split: %s", ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
    if ds.attrs["propagation_failures"] != "none":
        log.warning("propagation failures (NaN positions): %s", ds.attrs["propagation_failures"])


def _register_subcommands() -> None:
    from .elements import elements
    from .fetch import fetch
    from .refs import identify_command, validate_command
    from .regions import regions

    main.add_command(regions)

    for command in (fetch, identify_command, validate_command):
        elements.add_command(command)
    main.add_command(elements)


_register_subcommands()

if __name__ == "__main__":  # pragma: no cover
    main()
