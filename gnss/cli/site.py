"""``gnss site``: visible satellites and DOPs over time at named places.

The options become a :class:`gnss.Study` and a list of :class:`gnss.Site`; the work is
:func:`gnss.site_timeseries`. The output folder is checked before any work and written all
or nothing (timeseries.csv, timeseries.nc); the summary table goes to stdout.
"""

from __future__ import annotations

import sys

import click

from .compare import click_error, element_files
from .options import Command, elements_option, output_path, positive
from .progress import Progress, setup_logging
from .run_options import (
    CLOCK_MODELS,
    epochs_options,
    horizon_option,
    mask_deg_option,
    overwrite_option,
    report_option,
    selector_options,
    sets_option,
    span_options,
    uere_option,
    verbosity_options,
)


def site_options(f):
    """Declare the site options: ``--lat``, ``--lon``, ``--height-m``, ``--name``, ``--sites``.

    And ``--route`` (a moving receiver), which excludes them but ``--name`` (:mod:`.site_route`).
    """
    f = click.option(
        "--route", "route_file", metavar="FILE", type=click.Path(dir_okay=False),
        help="A moving receiver instead of sites: CSV time_utc,lat_deg,lon_deg[,height_m], GPX "
        "track or GeoJSON LineString with times, interpolated along great circles (across the "
        "antimeridian the short way). The span defaults to the route's (--start: its first "
        "waypoint; --hours: to its last); --name labels it. Sky plots along the route (the "
        "receiver's local frame at each epoch); no passes.csv (rise and set times belong to a "
        "fixed place).",
    )(f)  # fmt: skip
    f = click.option(
        "--sites", "sites_file", metavar="FILE.csv", type=click.Path(dir_okay=False),
        help="CSV file of sites with the header name,lat_deg,lon_deg[,height_m].",
    )(f)  # fmt: skip
    f = click.option(
        "--name", "names", multiple=True, metavar="NAME",
        help="Name of each --lat/--lon site, in order (default: LAT,LON).",
    )(f)  # fmt: skip
    f = click.option(
        "--height-m", "heights", multiple=True, type=float, metavar="M",
        help="Height above the WGS84 ellipsoid of each --lat/--lon site in metres (one for "
        "all, or one per site; default 0).",
    )(f)  # fmt: skip
    f = click.option(
        "--lon", "lons", multiple=True, type=float, metavar="DEG",
        help="Longitude of a site in degrees, east positive, in [-180, 360); repeatable.",
    )(f)  # fmt: skip
    return click.option(
        "--lat", "lats", multiple=True, type=float, metavar="DEG",
        help="Geodetic latitude of a site in degrees, north positive, in [-90, 90]; repeatable.",
    )(f)  # fmt: skip


@click.command(cls=Command)
@site_options
@sets_option()
@elements_option(
    required=False,
    help="Element file (TLE/3LE, OMM) or orbit file (SP3, RINEX navigation), as for compare; "
    "repeatable, -e LABEL=FILE for sets such as R+C@LABEL. Default: the shipped nominal "
    "constellations.",
)
@selector_options
@click.option("--include-unhealthy", is_flag=True,
              help="Keep satellites flagged unhealthy in navigation or almanac records.")
@epochs_options
@span_options
@mask_deg_option()
@horizon_option()
@click.option("--clock", type=click.Choice(CLOCK_MODELS), default="per-system",
              show_default=True, help="One receiver clock per system in view, or one common.")
@click.option(
    "--pdop-max", metavar="PDOP", default=6.0, show_default=True, type=float,
    callback=positive("--pdop-max"),
    help="Availability in the summary: the fraction of epochs with a fix and PDOP <= this.",
)  # fmt: skip
@uere_option
@click.option(
    "-o", "--output", "output", metavar="DIR", default="gnss-site", show_default=True,
    type=click.Path(file_okay=False), callback=output_path("a folder name", "-o gnss-site"),
    help="Folder that receives timeseries.csv and timeseries.nc.",
)  # fmt: skip
@click.option(
    "--plots/--no-plots", default=True, show_default=True,
    help="Also write the pictures: a sky plot per site and set (skyplot_<site>_<set>.png) "
    "and the PDOP and visible-count time series of every set per site (dop_<site>.png, "
    "visible_<site>.png); with --route the same for the route (<site>: its --name or file "
    "stem), each track seen from the receiver's place at each epoch.",
)  # fmt: skip
@report_option()
@overwrite_option()
@verbosity_options
def site(**options):
    """Visible satellites and DOPs epoch by epoch at sites, for each set.

    Sites are --lat/--lon pairs (with --height-m and --name) or a --sites CSV
    file. Writes timeseries.csv (one row per epoch, site and set),
    timeseries.nc, passes.csv, report.html (one self-contained page) and,
    unless --no-plots, a sky plot per site and set and PDOP and visible-count
    plots per site into the output folder, nothing if anything fails, and
    prints per site and set the visible minimum and mean, the PDOP mean and
    maximum and the availability.

    With --route FILE the receiver moves along the route (not with --lat, --lon,
    --height-m or --sites): timeseries.csv then has the receiver's lat_deg,
    lon_deg and height_m on every row; the sky plot of each set shows every
    satellite as seen from the receiver's place at each epoch, with the PDOP
    and visible-count plots of the route, and report.html shows the route;
    passes.csv is not written.
    """
    from ..errors import GnssError

    setup_logging(options["verbose"], options["quiet"])
    if options["route_file"] is not None:
        from .site_route import route_command

        return route_command(options)
    try:
        sites = _sites(options)
        plan, out = _plan(options)
        if options["plots"]:
            _check_plot_files(plan, sites, out)
    except GnssError as exc:
        raise click_error(exc) from exc
    progress = Progress(enabled=not options["quiet"] and sys.stderr.isatty(),
                        quiet=options["quiet"])  # fmt: skip
    try:
        _run(plan, sites, out, progress, options["quiet"], options["plots"], options["report"])
    except GnssError as exc:
        raise click_error(exc) from exc
    finally:
        progress.close()


def _sites(options: dict) -> list:
    """Return the sites of ``--lat/--lon/--height-m/--name`` and ``--sites``, checked."""
    from ..receivers.sites import Site, SiteError, check_unique, read_sites_csv

    lats, lons, heights, names = (options[k] for k in ("lats", "lons", "heights", "names"))
    if len(lats) != len(lons):
        raise click.BadParameter(
            f"got {len(lats)} --lat and {len(lons)} --lon; give them in pairs",
            param_hint="'--lat' / '--lon'",
        )
    if len(heights) not in (0, 1, len(lats)) or len(names) not in (0, len(lats)):
        raise click.BadParameter(
            f"got {len(lats)} sites, {len(heights)} --height-m and {len(names)} --name; give "
            "one --height-m for all or one per site, and one --name per site or none",
            param_hint="'--height-m' / '--name'",
        )
    sites = []
    try:
        for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
            height = heights[0] if len(heights) == 1 else heights[i] if heights else 0.0
            sites.append(Site(names[i] if names else f"{lat:g},{lon:g}", lat, lon, height))
        if options["sites_file"]:
            sites += read_sites_csv(options["sites_file"])
        return check_unique(sites)
    except SiteError as exc:
        hint = "'--sites'" if options["sites_file"] and sites else "'--lat' / '--lon' / '--sites'"
        raise click.BadParameter(str(exc), param_hint=hint) from exc


def _plan(options: dict):
    """Return the options as a checked plan (elements, sets, span) and the checked output folder."""
    from ..outputs.outdir import OutputDir
    from ..study.plan import plan_comparison
    from ..study.site import SITE_FILES

    plan = plan_comparison(site_study(options))
    out = OutputDir(options["output"], overwrite=options["overwrite"])
    out.check_free(list(SITE_FILES))
    return plan, out


def site_study(options: dict, **given):
    """Return the options as a :class:`gnss.Study` (``given`` replaces fields, e.g. ``start``)."""
    from ..study.question import Study

    fields = dict(
        sets=options["sets"], elements=element_files(options["elements"]),
        select=options["select"], exclude=options["exclude"], start=options["start"],
        duration_s=options["hours"] * 3600.0, step_s=options["step_s"],
        elevation_mask_deg=options["mask_deg"], clock=options["clock"],
        pdop_max=options["pdop_max"], max_age_days=options["max_age_days"],
        force=options["force"], include_unhealthy=options["include_unhealthy"],
        horizon=options["horizon"], uere_m=options["uere_m"],
    )  # fmt: skip
    return Study(**(fields | given))


def _check_plot_files(plan, sites, out) -> None:
    """Refuse, before any work, picture names that collide or would replace files."""
    from ..errors import GnssError
    from ..outputs.siteplots import site_plot_files

    try:
        names = site_plot_files([s.name for s in sites], [r.spec.name for r in plan.resolved])
    except GnssError as exc:
        if getattr(exc, "parameter", None) != "sites":
            raise
        raise click.BadParameter(str(exc), param_hint="'--name' / '--sites'") from exc
    out.check_free(names)


def _run(plan, sites, out, progress, quiet: bool, plots: bool = True, report: bool = True) -> None:
    """Compute inside the staged folder, write, print the summary table."""
    from ..analysis.sites import no_fix_notes, site_summary
    from ..study.propagated import propagate_plan
    from ..study.site import site_passes, site_series, write_site_outputs
    from ..study.site_tracks import site_tracks, study_skyline, write_site_plots

    for name, text in plan.set_descriptions.items() if not quiet else ():
        click.echo(f"set {name}: {text}", err=True)
    with out:
        propagated = propagate_plan(plan, progress)  # once, for the series and the sky plots
        ds = site_series(plan, sites, progress, propagated)
        if plots:  # before the report, which embeds every PNG of the folder
            tracks = site_tracks(plan, sites, progress, propagated)
            write_site_plots(ds, tracks, out, study_skyline(plan.study))
        write_site_outputs(ds, out, site_passes(plan, sites), report=report,
                           pdop_max=plan.study.pdop_max)
    table = site_summary(ds, plan.study.pdop_max)
    click.echo(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for line in no_fix_notes(table):
        click.echo(f"note: {line}", err=True)
