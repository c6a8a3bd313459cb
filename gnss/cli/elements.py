"""``gnss elements``: list, show, fetch, identify and validate element sets."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import click

from .options import (
    Command,
    check_json_file,
    elements_option,
    emit_json,
    json_options,
    utc_time,
    warn,
)

# The library is imported inside the commands, so that `gnss --help` loads only click.



def satellite_rows(con, at: datetime) -> list[dict]:
    """One dict per satellite of a :class:`gnss.Constellation`: identity, orbit, epoch age."""
    from ..constants import WGS72_A_KM, WGS72_GM_KM3_S2  # TLE mean elements are WGS72's
    from ..elements.planes import orbital_plane

    rows = []
    for s in con.satellites:
        rec = s.satrec
        n_rad_s = rec.no_kozai / 60.0
        a_km = (WGS72_GM_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)
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
                "altitude_km": round(a_km - WGS72_A_KM, 1),
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


def _counts_line(con) -> str:
    parts = [f"{k}={v}" for k, v in con.counts().items()]
    return f"{len(con)} satellites: {', '.join(parts)}" + (
        f"; {len(con.skipped)} records skipped" if con.skipped else ""
    )


def _element_files(elements, files) -> list[str]:
    """Return the files of ``-e``, then the deprecated positional ones (with a warning)."""
    if files:
        joined = " ".join(f"-e {f}" for f in files)
        warn(
            "element files given without -e are deprecated and will be refused in the next "
            f"release; write {joined}"
        )
    paths = [*elements, *files]
    if not paths:
        raise click.UsageError("no element file given; give one or more with -e FILE")
    return paths


def _load(elements, files, select, exclude):
    from ..elements.select import filter_constellation
    from ..errors import GnssError
    from ..study.sources import read_sources  # TLE/OMM, SP3, RINEX navigation, almanacs

    try:
        con = read_sources(_element_files(elements, files))
    except GnssError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        return filter_constellation(con, select, exclude)
    except GnssError as exc:  # a selector that is malformed or matches nothing: a usage error
        raise click.UsageError(str(exc)) from exc


_common = [
    elements_option(
        required=False, help="Element file (TLE/3LE, OMM CSV or JSON); repeat for several."
    ),
    # Deprecated: positional element files (accepted with a warning for one release).
    click.argument("files", nargs=-1, type=click.Path(dir_okay=False), metavar="[FILE]..."),
    click.option(
        "--select", multiple=True, metavar="SELECTOR", help="Keep satellites matching these."
    ),
    click.option(
        "--exclude", multiple=True, metavar="SELECTOR", help="Leave out satellites matching these."
    ),
    click.option(
        "--at",
        metavar="ISO-TIME",
        callback=utc_time("--at", default=lambda: datetime.now(UTC)),
        help="Time for the epoch age (ISO 8601 with a zone); default: now.",
    ),
    json_options,
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


@elements.command("list", cls=Command)
@_with_common
def list_(elements, files, select, exclude, at, as_json, json_file, overwrite):
    """Table of satellites (identity, orbit class, element epoch and age) and per-system counts.

    Element files are given with -e FILE (repeatable).
    """
    from ..elements.hygiene import summarize_skipped

    check_json_file(json_file, overwrite)
    con = _load(elements, files, select, exclude)
    rows = satellite_rows(con, at)
    doc = {"satellites": rows, "counts": con.counts(), "skipped": _skipped(con)}
    emit_json(doc, as_json, json_file)
    if as_json:
        return
    click.echo(_text_table(rows, _LIST_COLUMNS))
    click.echo(_counts_line(con))
    for line in summarize_skipped(con):
        warn(f"skipped {line}")


@elements.command("show", cls=Command)
@_with_common
def show(elements, files, select, exclude, at, as_json, json_file, overwrite):
    """Every satellite in detail: identity, plane, mean elements, period, altitude, source line.

    Element files are given with -e FILE (repeatable).
    """
    check_json_file(json_file, overwrite)
    con = _load(elements, files, select, exclude)
    rows = satellite_rows(con, at)
    emit_json({"satellites": rows, "skipped": _skipped(con)}, as_json, json_file)
    if as_json:
        return
    for r in rows:
        click.echo(f"{r['name']}  (NORAD {r['norad'] if r['norad'] is not None else '-'})")
        for key, value in r.items():
            if key not in ("name", "norad"):
                click.echo(f"  {key:24s} {value}")
    click.echo(_counts_line(con))


def _skipped(con) -> list[dict]:
    return [{"name": s.name, "source": s.source, "reason": s.reason} for s in con.skipped]
