"""Command line: ``gnss elements fetch`` (CelesTrak download with a cache).

One line per group on stdout; fallback warnings (``Warning: ...``) and errors
(``Error: ...``) on stderr. Exit status 1 when a group could be neither
downloaded nor taken from the cache, 0 otherwise.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from .options import output_path, positive, warn

# The library is imported inside the command, so that `gnss --help` loads only click.
#: gnss.elements.celestrak.FORMATS (tests/test_cli.py checks they agree).
FORMATS = ("csv", "tle", "json")


def _groups(ctx, param, value):
    from ..elements.celestrak import validate_group
    from ..errors import ParameterError

    groups = list(dict.fromkeys(value)) or ["gnss"]
    for g in groups:
        try:
            validate_group(g)
        except ParameterError as exc:
            raise click.BadParameter(f"{g!r}: {exc}") from exc
    return groups


def _destinations(output: str, groups: list[str], fmt: str) -> dict[str, Path]:
    """Where ``-o`` copies each group: a folder (several groups, or a folder path) or a file."""
    out = Path(output).expanduser()
    as_folder = len(groups) > 1 or out.is_dir() or output.endswith(("/", os.sep))
    if as_folder:
        if out.exists() and not out.is_dir():
            raise click.BadParameter(
                f"{output!r} is a file; with several groups -o must be a folder",
                param_hint="'-o' / '--output'",
            )
        return {g: out / f"{g}.{fmt}" for g in groups}
    return {groups[0]: out}


def _copy(src: Path, dest: Path) -> Path:
    from ..io import atomic_write

    dest.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(dest, lambda tmp: shutil.copyfile(src, tmp))


@click.command("fetch", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("groups", nargs=-1, callback=_groups, metavar="[GROUP]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="OMM CSV, TLE/3LE or OMM JSON.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Ask CelesTrak even if the cached copy is younger than 2 hours "
    "(it may answer 403; the cached copy then stands in).",
)
@click.option(
    "--cache-dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    default=None,
    help="Cache folder. Default: $GNSS_CACHE_DIR/celestrak, else the user cache folder "
    "(gnss-coverage/celestrak).",
)
@click.option(
    "--base-url",
    metavar="URL",
    hidden=True,
    help="GP endpoint (tests, mirrors); default: CelesTrak.",
)
@click.option(
    "--timeout-s",
    metavar="S",
    default=30.0,
    show_default=True,
    type=float,
    callback=positive("--timeout-s"),
    help="Overall time limit of the single request per group (connection, headers and "
    "body), in seconds.",
)
@click.option(
    "-o",
    "--output",
    "output",
    metavar="PATH",
    default=None,
    type=click.Path(),
    callback=output_path("a file or folder name", "-o gnss.csv"),
    help="Also copy the element file there: a file name (one group) or a folder "
    "(an existing one, a path ending in '/', or always with several groups).",
)
@click.option("--overwrite", is_flag=True, help="Replace existing files at -o.")
def fetch(groups, fmt, force, cache_dir, base_url, timeout_s, output, overwrite):
    """Download CelesTrak GP element sets of GROUPS (default: gnss) into the cache.

    GNSS groups: gps-ops, glo-ops, galileo, beidou, gnss; any CelesTrak group
    name works. A cached copy younger than 2 hours is used without asking
    CelesTrak (its data change at most every 2 hours). One request per group,
    never a retry; when it fails the cached copy stands in, with a warning.
    """
    from ..elements.celestrak import GP_URL, KNOWN_GROUPS, FetchError, fetch_group
    from ..errors import GnssError

    dests = _destinations(output, groups, fmt) if output else {}
    if not overwrite:
        taken = [str(p) for p in dests.values() if p.exists()]
        if taken:
            raise click.ClickException(
                f"{', '.join(taken)} already exists; pass --overwrite or choose another -o"
            )
    failed = []
    for group in groups:
        try:
            res = fetch_group(
                group,
                fmt=fmt,
                cache_dir=cache_dir,
                force=force,
                timeout_s=timeout_s,
                base_url=base_url or GP_URL,
            )
        except FetchError as exc:
            click.echo(f"Error: {group}: {exc}", err=True)
            failed.append(group)
            continue
        except GnssError as exc:
            raise click.ClickException(str(exc)) from exc
        if res.warning:
            warn(f"{group}: {res.warning}")
        if not res.from_cache:
            state = "downloaded"
        else:
            state = (
                f"cached (age {res.age_s / 3600:.1f} h{', refresh failed' if res.warning else ''})"
            )
        line = f"{group}  {fmt}  {res.path}  {res.n_satellites} satellites  {state}"
        if group in dests:
            try:
                line += f"  copied to {_copy(res.path, dests[group])}"
            except OSError as exc:
                raise click.ClickException(
                    f"cannot copy {res.path} to {dests[group]}: {exc.strerror or exc}"
                ) from exc
        click.echo(line)
    if failed:
        known = ", ".join(KNOWN_GROUPS)
        click.echo(
            f"Error: {len(failed)} of {len(groups)} group(s) failed without a cached copy: "
            f"{', '.join(failed)} (GNSS groups: {known})",
            err=True,
        )
        raise click.exceptions.Exit(1)
