"""``gnss site --route FILE``: the time series of a moving receiver (:func:`gnss.route_timeseries`).

The route is read and checked, and the span fitted to it, before any element file is read:
no ``--start`` starts at the route's first waypoint, no ``--hours`` runs to its last. A route
with ``--lat``, ``--lon``, ``--height-m`` or ``--sites`` is a usage error (exit 2), as is a bad
route file or a span the route does not cover; nothing is written then. The output folder
gets ``timeseries.csv`` (the receiver's position on every row), ``timeseries.nc``, unless
``--no-plots`` a sky plot per set (each satellite seen from the receiver's place at each
epoch) and the PDOP and visible-count plots, and unless ``--no-report`` ``report.html`` (the
route, the summary per set, the plots); no ``passes.csv``.
"""

from __future__ import annotations

import sys

import click

from .compare import click_error
from .progress import Progress

#: Site options a route excludes, by option key: the option's name.
_NOT_WITH_ROUTE = {"lats": "--lat", "lons": "--lon", "heights": "--height-m",
                   "sites_file": "--sites"}  # fmt: skip


def route_command(options: dict) -> None:
    """Run ``gnss site`` for ``--route``: check, plan, compute, write, print the summary."""
    from ..errors import GnssError
    from ..study.route import route_name

    clash = [name for key, name in _NOT_WITH_ROUTE.items() if options[key]]
    if clash:
        raise click.UsageError(
            f"--route and {clash[0]} are mutually exclusive: a route is one moving receiver "
            "whose positions (and heights) come from its file. Give either --route FILE or "
            "--lat/--lon/--sites"
        )
    if len(options["names"]) > 1:
        raise click.BadParameter(
            f"got {len(options['names'])} --name for one route; give one --name or none",
            param_hint="'--name'",
        )
    hours_given = click.get_current_context().get_parameter_source("hours").name != "DEFAULT"
    try:
        route, plan, out = _plan(options, hours_given)
        name = options["names"][0] if options["names"] else route_name(route)
        if options["plots"]:
            _check_plot_files(plan, name, out)
    except GnssError as exc:
        raise _usage_error(exc) from exc
    progress = Progress(enabled=not options["quiet"] and sys.stderr.isatty(),
                        quiet=options["quiet"])  # fmt: skip
    try:
        _run(plan, route, name, out, progress, options["quiet"], options["plots"],
             options["report"])
    except GnssError as exc:
        raise click_error(exc) from exc
    finally:
        progress.close()


def _usage_error(exc: Exception) -> click.ClickException:
    """Turn a bad route file or span into a usage error naming --route; the rest as compare."""
    from ..receivers.route_formats import RouteError
    from ..study.route import RouteSpanError

    if isinstance(exc, RouteSpanError):
        return click.BadParameter(str(exc), param_hint="'--route' / '--start' / '--hours'")
    if isinstance(exc, RouteError):
        return click.BadParameter(str(exc), param_hint="'--route'")
    return click_error(exc)


def _plan(options: dict, hours_given: bool):
    """Read the route, fit the span to it, plan the study and check the output folder."""
    import dataclasses

    from ..outputs.outdir import OutputDir
    from ..receivers.route import read_route
    from ..study.plan import plan_comparison
    from ..study.route import ROUTE_FILES, check_route_span, route_study
    from .site import site_study

    route = read_route(options["route_file"])
    study = site_study(options)
    if hours_given:
        study = dataclasses.replace(study, start=study.start or route.times[0])
    else:
        study = route_study(study, route)
    check_route_span(route, study_span(study))
    plan = plan_comparison(study)
    out = OutputDir(options["output"], overwrite=options["overwrite"])
    out.check_free(list(ROUTE_FILES))
    return route, plan, out


def study_span(study):
    """Return the epochs of a study that has a start."""
    from ..timeutil import epoch_span

    return epoch_span(study.start, study.duration_s, study.step_s)


def _check_plot_files(plan, name: str, out) -> None:
    """Refuse, before any work, picture names that would replace files."""
    from ..outputs.siteplots import site_plot_files

    out.check_free(site_plot_files([name], [r.spec.name for r in plan.resolved]))


def _run(plan, route, name, out, progress, quiet: bool, plots: bool = True,
         report: bool = True) -> None:
    """Compute inside the staged folder, write, print the summary table."""
    from ..analysis.sites import no_fix_notes, site_summary
    from ..study.propagated import propagate_plan
    from ..study.route import route_series, write_route_outputs
    from ..study.route_tracks import route_tracks, write_route_plots
    from ..study.site_tracks import study_skyline

    for set_name, text in plan.set_descriptions.items() if not quiet else ():
        click.echo(f"set {set_name}: {text}", err=True)
    with out:
        propagated = propagate_plan(plan, progress)  # once, for the series and the sky plots
        ds = route_series(plan, route, name, progress, propagated)
        if plots:  # before the report, which embeds every PNG of the folder
            tracks = route_tracks(plan, route, name, progress, propagated)
            write_route_plots(ds, tracks, out, study_skyline(plan.study))
        write_route_outputs(ds, out, report=report, pdop_max=plan.study.pdop_max)
    table = site_summary(ds, plan.study.pdop_max)
    click.echo(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    for line in no_fix_notes(table):
        click.echo(f"note: {line}", err=True)
