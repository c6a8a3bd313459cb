"""The Markdown report of a regions run (``report.md``), readable on its own.

:func:`report_markdown` writes, in this order: the run parameters, what each set is, the
global summary, the regions with their areas and sources, one table per measure
(:data:`REPORT_TABLES`) with each combined set's gain over its best single system, the
ranking of the regions by that gain, the regional maps, and what each measure means
(:data:`gnss.outputs.regionnames.MEASURES`, also written into ``regions.json``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd
import xarray as xr

from ..regions.definitions import Region
from .regionnames import MEASURES, RUN_KEYS

__all__ = ["REPORT_TABLES", "report_markdown"]

#: Tables of the report: (title, measure, format, show the gain in percent too).
REPORT_TABLES = (
    ("Integral availability (time x area)", "availability_integral", "pct2", False),
    ("Worst-cell availability", "availability_worst_cell", "pct1", False),
    ("Share of area with availability >= 99 %", "availability_area_ge_99pct", "pct1", False),
    ("PDOP p95 per cell, area mean", "pdop_p95_area_mean", "f2", True),
    ("PDOP p95 per cell, worst cell", "pdop_p95_worst_cell", "f2", True),
    ("PDOP p95 over time and area", "pdop_p95_time_area", "f2", True),
    ("HDOP p95 over time and area", "hdop_p95_time_area", "f2", True),
    ("Mean number of satellites in view", "visible_mean", "f1", False),
)


def _fmt(value, kind: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, str):
        return value
    v = float(value)
    if kind == "pct2":
        return f"{100 * v:.2f} %"
    if kind == "pct1":
        return f"{100 * v:.1f} %"
    if kind == "pp":  # percentage points
        return f"{100 * v:+.2f} pp"
    if kind == "f1":
        return f"{v:.1f}"
    if kind == "s2":
        return f"{v:+.2f}"
    if kind == "s1":
        return f"{v:+.1f}"
    if kind == "spct":
        return f"{v:+.1f} %"
    if kind == "km2":
        return f"{v:,.0f}".replace(",", " ")
    return f"{v:.2f}"


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    def cell(x) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    align = align or "l" + "r" * (len(headers) - 1)
    sep = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(cell(x) for x in r) + " |" for r in rows]
    return "\n".join(lines)


def _measure_table(comp: pd.DataFrame, measure: str, kind: str, pct: bool) -> str | None:
    sets, pairs = comp.attrs["sets"], comp.attrs["pairs"]
    if f"{measure}[{sets[0]}]" not in comp.columns:
        return None
    gain_kind = {"pct2": "pp", "pct1": "pp", "f1": "s1"}.get(kind, "s2")
    headers = ["region", *sets]
    for c in pairs:
        headers += [f"{c} gain", f"{c} best single"]
        if pct and f"{measure}_gain_pct[{c}]" in comp.columns:
            headers.append(f"{c} gain %")
    rows = []
    for _, r in comp.iterrows():
        row = [f"{r['region_name']} (`{r['region']}`)"]
        row += [_fmt(r[f"{measure}[{s}]"], kind) for s in sets]
        for c in pairs:
            if f"{measure}_gain[{c}]" in comp.columns:
                row += [
                    _fmt(r[f"{measure}_gain[{c}]"], gain_kind),
                    r[f"{measure}_best_single[{c}]"] or "–",
                ]
                if pct and f"{measure}_gain_pct[{c}]" in comp.columns:
                    row.append(_fmt(r[f"{measure}_gain_pct[{c}]"], "spct"))
            else:
                row += ["–", "–"]
        rows.append(row)
    return _md_table(headers, rows)


def _sets_section(ds: xr.Dataset) -> list[str]:
    """Markdown lines: what each set is (satellites per system, what was removed and added)."""
    lines = str(ds.attrs.get("set_descriptions", "")).split("\n")
    names = [str(x) for x in ds["set"].values]
    if len(lines) != len(names):
        return []
    rows = [[f"`{n}`", line.removeprefix(f"{n}: ")] for n, line in zip(names, lines, strict=True)]
    return ["## Sets", "", _md_table(["set", "what it is"], rows, "ll"), ""]


def _intro(ds: xr.Dataset, comp: pd.DataFrame) -> list[str]:
    from .. import __version__

    pdop_max = ds.attrs.get("pdop_max", float("nan"))
    return [
        "# GNSS coverage by region",
        "",
        f"Written by gnss-coverage {__version__}. Sets: "
        + ", ".join(f"`{s}`" for s in comp.attrs["sets"])
        + f". Availability means a position fix with PDOP <= {pdop_max:g}. All area figures "
        "weight each grid cell by the true area (WGS84 ellipsoid) of its part inside the "
        "region, so cells cut by a border count only by their area inside.",
        "",
        "## Run parameters",
        "",
        _md_table(
            ["parameter", "value"],
            [[label, ds.attrs[k]] for k, label in RUN_KEYS.items() if k in ds.attrs],
            "ll",
        ),
        "",
    ]


def _summary_and_regions(
    regions: Sequence[Region], comp: pd.DataFrame, summary_text: str
) -> list[str]:
    return [
        "## Global summary (whole Earth)",
        "",
        "```text",
        summary_text,
        "```",
        "",
        "## Regions",
        "",
        _md_table(
            ["code", "name", "area (km²)", "definition / source"],
            [
                [f"`{r.code}`", r.name, _fmt(c, "km2"), r.source]
                for r, c in zip(regions, comp["area_km2"], strict=True)
            ],
            "llrl",
        ),
        "",
    ]


def _gain_tables(comp: pd.DataFrame) -> list[str]:
    out = [
        "## Combined sets against their best single system",
        "",
        "Each table gives the measure per set and, for each combined set, its **gain** over "
        "the best of its single systems in that region (positive = the combined set is "
        "better; availability gains in percentage points, DOP gains as the DOP reduction "
        "and its percentage of the best single value) and which single system was best.",
        "",
    ]
    for title, measure, kind, pct in REPORT_TABLES:
        t = _measure_table(comp, measure, kind, pct)
        if t is not None:
            out += [f"### {title}", "", t, ""]
    return out


def _ranking(c: str, rank: pd.DataFrame) -> list[str]:
    by = rank.attrs.get("by", "availability_integral")
    out = [
        f"## Ranking of the regions by the gain of {c}",
        "",
        f"Sorted by the gain in `{by}`, ties (e.g. availability saturated at 100 %) broken "
        "by the gain in the area-mean per-cell PDOP p95.",
        "",
    ]
    headers = ["rank", "region", "availability gain", "PDOP p95 gain", "PDOP p95 gain %"]
    rows = []
    for _, r in rank.iterrows():
        rows.append(
            [
                int(r["rank"]),
                f"{r['region_name']} (`{r['region']}`)",
                _fmt(r.get(f"availability_integral_gain[{c}]"), "pp"),
                _fmt(r.get(f"pdop_p95_area_mean_gain[{c}]"), "s2"),
                _fmt(r.get(f"pdop_p95_area_mean_gain_pct[{c}]"), "spct"),
            ]
        )
    return out + [_md_table(headers, rows, "rlrrr"), ""]


def _maps_section(regions: Sequence[Region], maps: Mapping[str, list[str]]) -> list[str]:
    if not maps:
        return []
    out = [
        "## Maps",
        "",
        "Each map shows the statistic of every set over the region's bounding box and, "
        "for each combined set, its gain over the best single system per cell (blue = "
        "better). Cells outside the region are washed out; the region's outline is red.",
        "",
    ]
    for r in regions:
        if maps.get(r.code):
            out += [f"### {r.name} (`{r.code}`)", ""]
            out += [f"![{r.name}: {name}]({name})\n" for name in maps[r.code]]
    return out


def _measures_section() -> list[str]:
    out = ["## What the measures mean", ""]
    out += [f"- **`{k}`**: {v}" for k, v in MEASURES.items()]
    out += [
        "- **per-cell statistics** (`*_area_mean`, `*_worst_cell`) summarise, over the "
        "region's area, a statistic computed over time in each cell; **time-and-area** "
        "statistics (`*_time_area`) pool all epochs and all cells first.",
        "- DOP figures use only the epochs with a fix; cells never with a fix show in the "
        "availability and are left out of DOP figures.",
        "",
    ]
    return out


def report_markdown(
    ds: xr.Dataset,
    regions: Sequence[Region],
    comp: pd.DataFrame,
    rankings: Mapping[str, pd.DataFrame],
    maps: Mapping[str, list[str]],
    summary_text: str,
) -> str:
    """Return the text of ``report.md``.

    Parameters
    ----------
    ds : xarray.Dataset
        The coverage dataset (its attributes give the run parameters and the sets).
    regions : sequence of Region
        The regions, in the order of ``comp``.
    comp : pandas.DataFrame
        :func:`gnss.analysis.regiongains.comparison_table` of the regions.
    rankings : mapping
        Combined set -> :func:`gnss.analysis.regiongains.rank_regions` of it.
    maps : mapping
        Region code -> file names of its maps (linked from the report).
    summary_text : str
        The global summary table as printed (:func:`gnss.analysis.summary.format_table`).

    Returns
    -------
    str
        Markdown, without the final newline.
    """
    out = _intro(ds, comp) + _sets_section(ds) + _summary_and_regions(regions, comp, summary_text)
    out += _gain_tables(comp)
    for c, rank in rankings.items():
        out += _ranking(c, rank)
    out += _maps_section(regions, maps) + _measures_section()
    return "\n".join(out)
