"""Commands ``gnss elements identify`` and ``gnss elements validate`` (click).

Both compare element sets with a reference orbit file (SP3 precise orbit or
RINEX 2/3 navigation file): ``identify`` prints the NORAD <-> PRN table,
``validate`` the element-set errors and their effect on DOP. The group that
registers them lives in :mod:`gnss.cli`; tables (or, with ``--json``, JSON) go to stdout,
warnings to stderr.
"""

from __future__ import annotations

import math

import click

from .options import (
    Command,
    check_json_file,
    elements_option,
    emit_json,
    json_options,
    positive,
    warn,
)
from .run_options import mask_deg_option, step_s_option

# The library is imported inside the commands, so that `gnss --help` loads only click.

#: The names of gnss.validation.identify.DEFAULT_SITES, for the help text (tests/test_cli.py
#: checks them).
DEFAULT_SITE_NAMES = ("Moscow", "Beijing", "Svalbard", "Sydney", "Quito", "Cape Town")

#: Element epochs farther than this from the reference's middle trigger a warning:
#: SGP4 errors of GNSS element sets grow to tens of km within a few weeks.
STALE_ELEMENTS_DAYS = 14.0


def _site(ctx, param, values):
    sites = []
    for text in values:
        parts = [x.strip() for x in text.split(",")]
        try:
            if len(parts) != 3 or not parts[0]:
                raise ValueError
            lat, lon = float(parts[1]), float(parts[2])
        except ValueError:
            raise click.BadParameter(
                f"{text!r}: expected NAME,LAT,LON in degrees, e.g. 'Moscow,55.75,37.62'"
            ) from None
        if not (math.isfinite(lat) and -90 <= lat <= 90 and math.isfinite(lon)):
            raise click.BadParameter(f"{text!r}: latitude must be in [-90, 90] degrees")
        sites.append((parts[0], lat, lon))
    return tuple(sites)


def _reference_options(f):
    f = click.option(
        "--nav",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="RINEX 2/3 navigation file (broadcast ephemerides) as the reference.",
    )(f)
    f = click.option(
        "--sp3",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        help="SP3 precise orbit file as the reference.",
    )(f)
    f = elements_option(
        required=True,
        help="Element file (TLE/3LE, OMM CSV or JSON) or orbit file (SP3, RINEX 2/3 "
        "navigation: e.g. broadcast against --sp3), detected from the content; repeat for "
        "several.",
    )(f)
    return f


def _load(elements, sp3, nav):
    from ..errors import GnssError
    from ..orbits.load import load_reference
    from ..study.sources import read_sources
    from ..validation.identify import element_offsets_days

    if (sp3 is None) == (nav is None):
        raise click.UsageError("give exactly one reference: --sp3 FILE or --nav FILE")
    try:
        con = read_sources(list(elements))
        ref = load_reference(sp3 or nav, kind="sp3" if sp3 else "rinex-nav")
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    for note in ref.notes:
        warn(note)
    offsets = element_offsets_days(con, ref)
    stale = {k: v for k, v in offsets.items() if abs(v) > STALE_ELEMENTS_DAYS}
    if stale:
        worst = max(stale.values(), key=abs)
        warn(
            f"{len(stale)} of {len(con)} element sets have epochs more than "
            f"{STALE_ELEMENTS_DAYS:g} days from the reference "
            f"({ref.start_utc:%Y-%m-%d %H:%M} .. {ref.end_utc:%Y-%m-%d %H:%M} UTC; worst "
            f"{worst:+.1f} d); expect large errors and few matches. Use element sets from "
            "the reference's day."
        )
    return con, ref


def _source_dict(ref) -> dict:
    s = ref.source
    return {
        "path": s.path,
        "kind": s.kind,
        "version": s.version,
        "frame": s.frame,
        "time_system": s.time_system,
        "start_utc": ref.start_utc.isoformat(),
        "end_utc": ref.end_utc.isoformat(),
        "notes": list(ref.notes),
    }


def _max_rms_km_option(help: str):
    """Declare ``--max-rms-km KM``: the largest RMS distance of a match (identify, validate)."""
    return click.option(
        "--max-rms-km", metavar="KM", default=100.0, show_default=True, type=float,
        callback=positive("--max-rms-km"), help=help,
    )  # fmt: skip


@click.command("identify", cls=Command)
@_reference_options
@_max_rms_km_option("Largest RMS distance accepted as a match.")
@click.option(
    "--ambiguity-ratio",
    metavar="RATIO",
    default=5.0,
    show_default=True,
    type=float,
    callback=positive("--ambiguity-ratio", above=1.0),
    help="The runner-up must be this many times farther, for the satellite and for the PRN.",
)
@step_s_option(900.0, "Comparison step over the reference span, seconds.")
@json_options
def identify_command(
    elements, sp3, nav, max_rms_km, ambiguity_ratio, step_s, as_json, json_file, overwrite
):
    """Match element sets to reference PRNs by orbit (NORAD number <-> PRN).

    Prints each match with its RMS and maximum distance and the runner-up's
    distance, then the satellites left unmatched or ambiguous, with the reason.
    Exits with status 0 when at least one satellite matched.
    """
    from ..errors import GnssError
    from ..validation.identify import format_matches, identify, unmatched_prns

    check_json_file(json_file, overwrite)
    con, ref = _load(elements, sp3, nav)
    try:
        matches = identify(
            con, ref, step_s=step_s, max_rms_km=max_rms_km, ambiguity_ratio=ambiguity_ratio
        )
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    if not as_json:
        click.echo(format_matches(matches, ref))
    doc = {
        "reference": _source_dict(ref),
        "elements": [s.path for s in con.sources],
        "parameters": {
            "max_rms_km": max_rms_km,
            "ambiguity_ratio": ambiguity_ratio,
            "step_s": step_s,
        },
        "matches": [m.to_dict() for m in matches],
        "reference_prns_unmatched": unmatched_prns(matches, ref),
    }
    emit_json(doc, as_json, json_file)
    if not any(m.status == "matched" for m in matches):
        raise click.ClickException(
            "no satellite matched a reference PRN; check that the element sets and the "
            "reference are from the same days and systems"
        )


@click.command("validate", cls=Command)
@_reference_options
@_max_rms_km_option("Largest RMS distance accepted as a match (identification step).")
@step_s_option(300.0, "Time step of the error and DOP comparison, seconds.")
@mask_deg_option("Elevation mask for the DOP comparison.")
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="NAME,LAT,LON",
    callback=_site,
    help="DOP sample site, latitude and longitude in degrees (repeatable). Default: "
    + "; ".join(DEFAULT_SITE_NAMES)
    + ".",
)
@json_options
def validate_command(
    elements, sp3, nav, max_rms_km, step_s, mask_deg, sites, as_json, json_file, overwrite
):
    """Errors of the element sets against reference orbits, and their effect on DOP.

    Identifies the satellites first (as ``identify``), then prints the position
    error of each matched satellite (RMS, maximum, radial/along/cross-track), per
    system, and the PDOP/HDOP/VDOP differences at sample sites between element-set
    and reference positions.
    """
    from ..errors import GnssError
    from ..validation.identify import DEFAULT_SITES, format_validation, identify, validate

    check_json_file(json_file, overwrite)
    con, ref = _load(elements, sp3, nav)
    try:
        matches = identify(con, ref, max_rms_km=max_rms_km)
        report = validate(
            con,
            ref,
            matches,
            step_s=step_s,
            sites=sites or DEFAULT_SITES,
            elevation_mask_deg=mask_deg,
        )
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    n_matched = sum(m.status == "matched" for m in matches)
    if not as_json:
        click.echo(f"validated {n_matched} matched satellites of {len(matches)}")
        click.echo(format_validation(report))
    doc = report.to_dict()
    doc["reference"] = _source_dict(ref)
    doc["elements"] = [s.path for s in con.sources]
    doc["matches"] = [m.to_dict() for m in matches]
    emit_json(doc, as_json, json_file)
