"""Options shared by the commands that run a study (``gnss compare``; site and route runs next).

Each decorator declares one option (or one family) the same way wherever it is used, as
rasterio's ``rio/options.py`` does: the name, metavar, default, check and help text live here
once. Only click is imported at module level (``gnss --help`` must not load the library).
"""

from __future__ import annotations

import click

from .options import positive, utc_time

#: The clock models of gnss.coverage.config.CLOCK_MODELS (tests/test_cli.py checks they agree).
CLOCK_MODELS = ("per-system", "common")
#: The environment variable of gnss.kernels.threads.THREADS_ENV (checked likewise).
THREADS_ENV = "GNSS_THREADS"


def _parse_sets(ctx, param, value):
    from ..elements.sets import parse_sets
    from ..errors import ParameterError

    try:
        return parse_sets(value)
    except ParameterError as exc:
        raise click.BadParameter(f"{value!r}: {exc}") from exc


def sets_option(default: str = "R,C,R+C"):
    """Declare ``--sets SETS``: receiver configurations, parsed (a list of SetSpec)."""
    return click.option(
        "--sets", "sets", metavar="SETS", default=default, show_default=True,
        callback=_parse_sets,
        help="Receiver configurations to compare: comma-separated, systems joined by '+' "
        "(G GPS, R GLONASS, E Galileo, C BeiDou, J QZSS, I NavIC).",
    )  # fmt: skip


def selector_options(f):
    """Declare ``--select SELECTOR`` and ``--exclude SELECTOR``, repeatable."""
    f = click.option(
        "--exclude", multiple=True, metavar="SELECTOR",
        help="Leave out satellites matching these selectors (e.g. C:GEO, name='BEIDOU-3S*').",
    )(f)  # fmt: skip
    return click.option(
        "--select", multiple=True, metavar="SELECTOR",
        help="Keep only satellites matching these selectors "
        "(e.g. C:BDS-3, R:plane=1, norad=43001).",
    )(f)  # fmt: skip


def epochs_options(f):
    """Declare ``--max-age-days``, ``--force``: how far element epochs may be from the span."""
    f = click.option(
        "--force", is_flag=True,
        help="Run even when the span is more than 60 days from the element epochs.",
    )(f)  # fmt: skip
    return click.option(
        "--max-age-days", metavar="DAYS", default=14.0, show_default=True, type=float,
        help="Warn about element epochs further than this from the analysis span.",
    )(f)  # fmt: skip


def step_s_option(default: float, help: str):
    """Declare ``--step-s S``: a time step in seconds (> 0)."""
    return click.option(
        "--step-s", metavar="S", default=default, show_default=True, type=float,
        callback=positive("--step-s"), help=help,
    )  # fmt: skip


def span_options(f):
    """Declare ``--start ISO-TIME``, ``--hours HOURS``, ``--step-s S``: the analysis epochs."""
    f = step_s_option(300.0, "Time step in seconds.")(f)
    f = click.option(
        "--hours", metavar="HOURS", default=24.0, show_default=True, type=float,
        callback=positive("--hours"), help="Length of the span in hours.",
    )(f)  # fmt: skip
    return click.option(
        "--start", metavar="ISO-TIME", callback=utc_time("--start"),
        help="First epoch, ISO 8601 with a zone, e.g. 2026-10-05T00:00Z. "
        "Default: the elements' median epoch (2026-01-01T00:00Z for the nominal sets), or "
        "the latest first epoch of the SP3/navigation files given with -e.",
    )(f)  # fmt: skip


def mask_deg_option(help: str = "Elevation mask in degrees above the geodetic horizon."):
    """Declare ``--mask-deg DEG``: the elevation mask, in [-10, 90)."""
    return click.option(
        "--mask-deg", metavar="DEG", default=5.0, show_default=True,
        type=click.FloatRange(-10, 90, max_open=True), help=help,
    )  # fmt: skip


def horizon_option():
    """Declare ``--horizon FILE|PRESET``: a local skyline, the same at every point and site.

    The value is passed on as text; :func:`gnss.receivers.horizon_presets.as_horizon` reads
    it when the study is made (a refusal names file:line and exits 2 through ``OPTION_OF``).
    """
    return click.option(
        "--horizon", metavar="FILE|PRESET",
        help="Local horizon mask: a CSV azimuth_deg,elevation_deg (piecewise linear in "
        "azimuth, wrapping at 360; PVGIS horizon files too) or a preset (street_canyon_ns, "
        "street_canyon_ew). Satellites count above max(--mask-deg, skyline). Passes keep the "
        "flat --mask-deg.",
    )  # fmt: skip


def receiver_options(f):
    """Declare ``--height-m``, ``--clock``, ``--pdop-max``: the receiver model (with --mask-deg)."""
    f = click.option(
        "--pdop-max", metavar="PDOP", default=6.0, show_default=True, type=float,
        callback=positive("--pdop-max"),
        help="Availability threshold: an epoch counts when there is a fix with PDOP <= this.",
    )(f)  # fmt: skip
    f = click.option(
        "--clock", type=click.Choice(CLOCK_MODELS), default="per-system", show_default=True,
        help="One receiver clock per system in view, or one common clock.",
    )(f)  # fmt: skip
    f = click.option(
        "--height-m", metavar="M", default=0.0, show_default=True, type=float,
        help="Receiver height above the WGS84 ellipsoid in metres.",
    )(f)  # fmt: skip
    return mask_deg_option()(f)


def resources_options(f):
    """Declare ``--max-memory-gib GIB``, ``--threads N``: what a run may use of the machine."""
    f = click.option(
        "--threads", metavar="N", type=int, envvar=THREADS_ENV, show_envvar=True,
        help="Kernel threads (1 to the number of cores). Default: chosen per block of points "
        "from the processors idle at that moment, so concurrent runs share the cores fairly. "
        "Results do not depend on it.",
    )(f)  # fmt: skip
    return click.option(
        "--max-memory-gib", metavar="GIB", type=float, callback=positive("--max-memory-gib"),
        help="Refuse runs whose estimated peak memory exceeds this (default: the memory "
        "available).",
    )(f)  # fmt: skip


def overwrite_option(help: str = "Replace existing result files in the output folder."):
    """Declare ``--overwrite``: replace earlier results."""
    return click.option("--overwrite", is_flag=True, help=help)


#: The formats of gnss.study.plan.OUTPUT_FORMATS (the per-cell statistics' file).
OUTPUT_FORMATS = ("netcdf", "zarr")


def output_format_option():
    """Declare ``--format netcdf|zarr``: coverage.nc (default) or the Zarr store coverage.zarr."""
    return click.option(
        "--format", "output_format", type=click.Choice(OUTPUT_FORMATS), default="netcdf",
        show_default=True, help="Format of the per-cell statistics: coverage.nc (NetCDF-4) "
        "or coverage.zarr (a Zarr store, the same variables; needs pip install \".[dask]\"), "
        "written chunk by chunk (with --scheduler tile by tile as the tasks finish), so the "
        "run never holds every cell's statistics: for grids too large for memory.",
    )  # fmt: skip


def report_option():
    """Declare ``--report/--no-report``: write report.html (default) or not."""
    return click.option(
        "--report/--no-report", "report", default=True, show_default=True,
        help="Write report.html: one self-contained page (maps, tables, a time control; "
        "no network needed to open it).",
    )  # fmt: skip


def verbosity_options(f):
    """Declare ``-v/--verbose`` (repeatable) and ``-q/--quiet``."""
    f = click.option(
        "-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bar."
    )(f)
    return click.option(
        "-v", "--verbose", count=True, help="More log messages on stderr (-vv for debug)."
    )(f)


def _parse_uere(ctx, param, value):
    if value is None:
        return None
    from ..coverage.uere import as_uere_m
    from ..errors import ParameterError

    try:
        return as_uere_m(value)
    except ParameterError as exc:
        raise click.BadParameter(str(exc)) from exc


def uere_option(f):
    """Declare ``--uere-m SYS=M,...``: one-sigma range error per system; adds accuracy in metres."""
    return click.option(
        "--uere-m", "uere_m", metavar="SYS=M,...", callback=_parse_uere,
        help="Add the 95 % horizontal (2 drms) and vertical (1.96 sigma) accuracy in metres, "
        "from a one-sigma user range error per system, e.g. R=1.0,C=0.3; systems not given "
        "(or 'default') keep the signal-in-space defaults of the performance standards "
        "(G 1.02, R 0.92, E 3.57, C 0.26, J 1.33 m; README 'Accuracy in metres').",
    )(f)  # fmt: skip
