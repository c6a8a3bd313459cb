"""Command ``gnss regions``: list the named regions and the countries that ``--regions`` accepts.

The group that registers the command lives in :mod:`gnss.cli`; the listing goes to stdout.
"""

from __future__ import annotations

import shutil
import textwrap

import click

from .options import Command

# gnss.regions.definitions (pandas, shapely) is imported inside the command: `gnss --help` loads
# only click.


def format_listing(df, width: int = 100) -> str:
    """Text listing of :func:`gnss.regions.definitions.available_regions` (regions, then countries).

    Examples
    --------
    >>> from gnss.regions.definitions import available_regions
    >>> print(format_listing(available_regions("france")))
    Countries (ISO 3166-1 alpha-3 code or name, Natural Earth 1:110m polygons):
      code  name    continent
      FRA   France  Europe
    """
    out: list[str] = []
    named = df[df["kind"] == "named"]
    countries = df[df["kind"] == "country"]
    if len(named):
        out.append("Named regions:")
        code_w = max(len(c) for c in named["code"]) + 2
        for r in named.itertuples():
            out.append(f"  {r.code.ljust(code_w)}{r.name}")
            wrapped = textwrap.wrap(r.definition, max(40, width - code_w - 4))
            out += [" " * (code_w + 4) + line for line in wrapped]
    if len(countries):
        if out:
            out.append("")
        out.append("Countries (ISO 3166-1 alpha-3 code or name, Natural Earth 1:110m polygons):")
        name_w = max(4, *(len(n) for n in countries["name"])) + 2
        out.append(f"  {'code'.ljust(6)}{'name'.ljust(name_w)}continent")
        out += [
            f"  {r.code.ljust(6)}{r.name.ljust(name_w)}{r.continent}".rstrip()
            for r in countries.itertuples()
        ]
    return "\n".join(out)


@click.command("regions", cls=Command, extra_hint="search with --search TEXT")
@click.option(
    "--search",
    "-s",
    metavar="TEXT",
    default=None,
    help="Only rows whose code, name, continent or definition contains TEXT (any case).",
)
@click.option(
    "--kind",
    type=click.Choice(["all", "named", "countries"]),
    default="all",
    show_default=True,
    help="List named regions, countries or both.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (kind,code,name,continent,...).")
def regions(search: str | None, kind: str, as_csv: bool) -> None:
    """List the regions that --regions accepts: named regions and countries.

    Besides these, --regions takes boxes written box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX
    (degrees; LON_MIN > LON_MAX crosses the antimeridian) and polygon files
    (GeoJSON, GeoPackage, Shapefile), comma-separated, e.g.
    --regions RUS,CHN,arctic,box:50:70:170:-170,my_area.geojson
    """
    from ..regions.definitions import available_regions

    df = available_regions(search)
    if kind == "named":
        df = df[df["kind"] == "named"]
    elif kind == "countries":
        df = df[df["kind"] == "country"]
    if df.empty:
        raise click.ClickException(
            f"no region matches {search!r}; run `gnss regions` without --search to see all"
        )
    if as_csv:
        click.echo(df.to_csv(index=False), nl=False)
        return
    width = min(120, shutil.get_terminal_size((100, 20)).columns)
    click.echo(format_listing(df, width))
