"""``gnss elements``: list, show, fetch, identify and validate element sets."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import click

from .cli_options import utc_time
from .elements import Constellation, read_elements
from .errors import GnssError
from .io import json_text
from .select import filter_constellation, orbital_plane, summarize_skipped

_MU_KM3_S2 = 398600.8  # WGS72 gravitational parameter (km^3/s^2), the constants of TLEs
_EARTH_RADIUS_KM = 6378.135  # WGS72 equatorial radius


def satellite_rows(con: Constellation, at: datetime) -> list[dict]:
    """One dict per satellite: identity, orbit and element-epoch age at ``at``."""
    rows = []
    for s in con.satellites:
        rec = s.satrec
        n_rad_s = rec.no_kozai / 60.0
        a_km = (_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)
        rows.append(
            {
                "name": s.name,
                "norad": s.norad_id,
                "system": s.system,
                "prn": s.prn,
                "orbit_class": s.orbit_class,
                "generation": s.generation,
                "plane": orbital_plane(s),
                "epoch": s.epoch.isoformat(timespec="seconds"),
                "age_days": round((at - s.epoch).total_seconds() / 86400.0, 2),
                "inclination_deg": round(math.degrees(rec.inclo), 4),
                "raan_deg": round(math.degrees(rec.nodeo), 4),
                "eccentricity": rec.ecco,
                "mean_motion_rev_per_day": round(rec.no_kozai * 1440.0 / (2 * math.pi), 8),
                "period_min": round(2 * math.pi / rec.no_kozai, 3),
                "altitude_km": round(a_km - _EARTH_RADIUS_KM, 1),
                "source": s.source,
            }
        )
    return rows


def _text_table(rows: list[dict], columns: list[str]) -> str:
    cells = [[("" if r[c] is None else str(r[c])) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _counts_line(con: Constellation) -> str:
    parts = [f"{k}={v}" for k, v in con.counts().items()]
    return f"{len(con)} satellites: {', '.join(parts)}" + (
        f"; {len(con.skipped)} records skipped" if con.skipped else ""
    )


def _load(files, select, exclude) -> Constellation:
    try:
        con = read_elements(list(files))
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        return filter_constellation(con, select, exclude)
    except GnssError as exc:  # a selector that is malformed or matches nothing: a usage error
        raise click.UsageError(str(exc)) from exc


_common = [
    click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False)),
    click.option("--select", multiple=True, help="Keep satellites matching these selectors."),
    click.option("--exclude", multiple=True, help="Leave out satellites matching these."),
    click.option(
        "--at",
        callback=utc_time("--at", default=lambda: datetime.now(UTC)),
        help="Time for the epoch age (ISO 8601 with a zone); default: now.",
    ),
    click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table."),
]


def _with_common(f):
    for deco in reversed(_common):
        f = deco(f)
    return f


@click.group("elements")
def elements():
    """Element sets: list, show, fetch from CelesTrak, identify and validate against orbits."""


_LIST_COLUMNS = ["name", "norad", "system", "prn", "orbit_class", "generation", "plane", "epoch",
                 "age_days"]  # fmt: skip


@elements.command("list")
@_with_common
def list_(files, select, exclude, at, as_json):
    """Table of satellites (identity, orbit class, element epoch and age) and per-system counts."""
    con = _load(files, select, exclude)
    rows = satellite_rows(con, at)
    if as_json:
        doc = {"satellites": rows, "counts": con.counts(), "skipped": _skipped(con)}
        click.echo(json_text(doc))
        return
    click.echo(_text_table(rows, _LIST_COLUMNS))
    click.echo(_counts_line(con))
    for line in summarize_skipped(con):
        click.echo(f"skipped: {line}", err=True)


@elements.command("show")
@_with_common
def show(files, select, exclude, at, as_json):
    """Every satellite in detail: identity, plane, mean elements, period, altitude, source line."""
    con = _load(files, select, exclude)
    rows = satellite_rows(con, at)
    if as_json:
        click.echo(json_text({"satellites": rows, "skipped": _skipped(con)}))
        return
    for r in rows:
        click.echo(f"{r['name']}  (NORAD {r['norad']})")
        for key, value in r.items():
            if key not in ("name", "norad"):
                click.echo(f"  {key:24s} {value}")
    click.echo(_counts_line(con))


def _skipped(con: Constellation) -> list[dict]:
    return [{"name": s.name, "source": s.source, "reason": s.reason} for s in con.skipped]
