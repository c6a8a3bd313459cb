"""Region outputs of a coverage run: tables (CSV, JSON, GeoPackage), regional maps, Markdown.

:func:`write_region_outputs` writes, all or nothing (:class:`gnss.outputs.outdir.OutputDir`):

``regions.csv``
    One row per (region, set): :func:`gnss.analysis.regionstats.region_table`.
``regions_comparison.csv``
    One row per region, the sets side by side and each combined set's gain over its best
    single system: :func:`gnss.analysis.regionstats.comparison_table`.
``regions.json``
    Run parameters, region definitions, both tables and the rankings (NaN -> null).
``regions.gpkg``
    GeoPackage with the region polygons (EPSG:4326, MultiPolygon): layer ``regions`` (the
    comparison table, one feature per region) and layer ``region_sets`` (one feature per
    region and set).
``region_<code>_<stat>.png``
    A map per region: the statistic of each set over the region's bounding box, the gain
    of each combined set, country borders and the region's outline.
``report.md``
    A Markdown report readable on its own: run parameters, the global summary, the
    region tables with gains and ranking, links to the maps and what each measure means.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import xarray as xr

from ..analysis.regionstats import (
    GAIN_MEASURES,
    comparison_table,
    grid_of,
    rank_regions,
    region_table,
    regions_geodataframe,
)
from ..analysis.summary import format_table, summarize
from ..coverage.dataset import provenance_note
from ..errors import ParameterError
from ..io import atomic_write, write_json
from ..regions.definitions import Region, cell_weights_m2, get_regions
from ..stats_catalog import larger_is_better, statistic_of
from .outdir import OutputDir

__all__ = ["RegionReport", "plot_region", "write_region_outputs"]

#: Files always written by :func:`write_region_outputs` (maps come on top).
TABLE_FILES = (
    "regions.csv",
    "regions_comparison.csv",
    "regions.json",
    "regions.gpkg",
    "report.md",
)

#: Run parameters shown in the report, from the dataset's attributes: key -> label.
_RUN_KEYS = {
    "time_coverage_start": "first epoch (UTC)",
    "time_coverage_end": "last epoch (UTC)",
    "time_step_s": "time step (s)",
    "n_epochs": "epochs",
    "elevation_mask_deg": "elevation mask (deg)",
    "clock_model": "receiver clock model",
    "pdop_max": "availability threshold (PDOP <=)",
    "grid_resolution_deg": "grid resolution (deg)",
    "receiver_height_m": "receiver height (m)",
    "set_definitions": "sets",
    "satellites_per_system": "satellites per system",
    "element_files": "element files",
    "element_epoch_range": "element epochs",
    "propagation_failures": "propagation failures",
    "library_versions": "library versions",
}

#: Meaning of each measure, for the report and the JSON file.
MEASURES = {
    "area_km2": "area of the region on the WGS84 ellipsoid (sum of the grid-cell weights)",
    "availability_integral": (
        "integral availability: share of time x area with a position fix and PDOP <= "
        "pdop_max, each cell weighted by its area inside the region (the form the GLONASS "
        "monitoring centre publishes)"
    ),
    "availability_worst_cell": "availability of the worst grid cell touching the region",
    "availability_area_ge_99pct": "share of the region's area with availability >= 99 %",
    "fix_fraction": "share of time x area with a position fix (any PDOP)",
    "visible_mean": "area mean of the per-cell mean number of satellites in view",
    "visible_min": "fewest satellites in view at any epoch in any cell of the region",
    "pdop_p95_area_mean": "area mean of the per-cell 95th percentile of PDOP over time",
    "pdop_p95_area_p95": (
        "95th area percentile of the per-cell PDOP p95: 95 % of the region's area has a "
        "per-cell PDOP p95 at or below this"
    ),
    "pdop_p95_worst_cell": "largest per-cell PDOP p95 in the region (worst point)",
    "hdop_p95_area_mean": "area mean of the per-cell 95th percentile of HDOP",
    "vdop_p95_area_mean": "area mean of the per-cell 95th percentile of VDOP",
    "pdop_p95_time_area": (
        "95th percentile of PDOP over all epochs with a fix and the whole region, time and "
        "area weighted (from the run's per-region histograms, the form of the performance "
        "standards)"
    ),
    "hdop_p95_time_area": "as pdop_p95_time_area, for HDOP",
    "gain": (
        "gain of a combined set over its best single system: combined - best single for "
        "measures where larger is better, best single - combined for DOP; positive is "
        "always an improvement (DOP gains also as a percentage of the best single value)"
    ),
}

#: Tables of the report: (title, measure, format, show the gain in percent too).
_REPORT_TABLES = (
    ("Integral availability (time x area)", "availability_integral", "pct2", False),
    ("Worst-cell availability", "availability_worst_cell", "pct1", False),
    ("Share of area with availability >= 99 %", "availability_area_ge_99pct", "pct1", False),
    ("PDOP p95 per cell, area mean", "pdop_p95_area_mean", "f2", True),
    ("PDOP p95 per cell, worst cell", "pdop_p95_worst_cell", "f2", True),
    ("PDOP p95 over time and area", "pdop_p95_time_area", "f2", True),
    ("HDOP p95 over time and area", "hdop_p95_time_area", "f2", True),
    ("Mean number of satellites in view", "visible_mean", "f1", False),
)


@dataclass
class RegionReport:
    """What :func:`write_region_outputs` computed and wrote.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (region, set) (:func:`gnss.analysis.regionstats.region_table`).
    comparison : pandas.DataFrame
        One row per region with gains (:func:`gnss.analysis.regionstats.comparison_table`).
    rankings : dict
        Combined set -> regions ranked by its gain (:func:`gnss.analysis.regionstats.rank_regions`).
    files : list of pathlib.Path
        Files written.
    """

    table: pd.DataFrame
    comparison: pd.DataFrame
    rankings: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.@-]+", "_", text).strip("_") or "region"


def map_name(region: Region, stat: str) -> str:
    """File name of a region's map, e.g. ``region_RUS_pdop_p95.png``."""
    return f"region_{_slug(region.code)}_{stat}.png"


def check_region_file_names(regions: Sequence[Region]) -> None:
    """Refuse regions whose codes map to the same map file name (``a b`` and ``a_b``).

    Raises
    ------
    gnss.ParameterError
        Naming both regions, the file and the fix.
    """
    seen: dict[str, str] = {}
    for r in regions:
        other = seen.setdefault(_slug(r.code), r.code)
        if other != r.code:
            raise ParameterError(
                f"regions {other!r} and {r.code!r} would write the same map files "
                f"(region_{_slug(r.code)}_<statistic>.png); give one of the polygon files "
                "another name, or leave one region out"
            )


def planned_files(regions: Sequence[Region], map_stats: Sequence[str]) -> list[str]:
    """Names of the files :func:`write_region_outputs` writes (to check a folder first)."""
    return list(TABLE_FILES) + [map_name(r, s) for r in regions for s in map_stats]


# --------------------------------------------------------------------------------------
# Maps
# --------------------------------------------------------------------------------------


def _style(stat: str) -> dict:
    """Colour map, units and colour range of a regional map (the data's, unless fixed)."""
    meta = statistic_of(stat)
    fixed = meta.fixed_range
    return {
        "cmap": meta.cmap,
        "vmin": meta.vmin if fixed else None,
        "vmax": meta.vmax if fixed else None,
        "units": meta.units,
    }


def _window(w: np.ndarray, lat: np.ndarray, lon: np.ndarray, res: float):
    """Lon/lat window around the cells with weight: (lon0, lon1, lat0, lat1), lon1 <= lon0+360.

    The longitude window is the complement of the largest run of empty columns (circular),
    so a region across the antimeridian (Russia, Fiji) gets one compact window.
    """
    rows = np.flatnonzero(w.any(axis=1))
    cols = w.any(axis=0)
    margin = max(2.0 * res, 2.0)
    lat0 = max(-90.0, lat[rows[0]] - res / 2 - margin)
    lat1 = min(90.0, lat[rows[-1]] + res / 2 + margin)
    if cols.all():
        return -180.0, 180.0, lat0, lat1
    n = cols.size
    # Longest circular run of empty columns.
    best_len, best_start, run, start = 0, 0, 0, 0
    for k in range(2 * n):
        if not cols[k % n]:
            if run == 0:
                start = k
            run += 1
            if run > best_len:
                best_len, best_start = min(run, n), start
        else:
            run = 0
    first = (best_start + best_len) % n  # first occupied column after the gap
    width = (n - best_len) * res
    lon0 = lon[first] - res / 2 - margin
    lon1 = lon0 + width + 2 * margin
    if lon1 - lon0 >= 360.0 - 1e-9:
        return -180.0, 180.0, lat0, lat1
    if lon0 < -180.0:
        lon0, lon1 = lon0 + 360.0, lon1 + 360.0
    return lon0, lon1, lat0, lat1


@functools.lru_cache(maxsize=1)
def _border_lines() -> tuple[np.ndarray, ...]:
    from ..regions.borders import borders

    rings = shapely.get_parts(shapely.get_parts(shapely.boundary(borders().geometry.values)))
    return tuple(shapely.get_coordinates(r) for r in rings)


def _outline(geometry) -> list[np.ndarray]:
    """Region boundary as lines, without the cuts along the ±180° meridian."""
    lines = []
    for ring in shapely.get_parts(shapely.get_parts(shapely.boundary(geometry))):
        c = shapely.get_coordinates(ring)
        cut = (np.abs(c[:-1, 0]) >= 180.0 - 1e-9) & (np.abs(c[1:, 0]) >= 180.0 - 1e-9)
        cut &= c[:-1, 0] == c[1:, 0]
        start = 0
        for k in np.flatnonzero(cut):
            if k + 1 - start >= 2:
                lines.append(c[start : k + 1])
            start = k + 1
        if len(c) - start >= 2:
            lines.append(c[start:])
    return lines


def _lon_label(x: float) -> str:
    v = (x + 180.0) % 360.0 - 180.0
    if abs(v) < 1e-9 or abs(abs(v) - 180.0) < 1e-9:
        return f"{abs(v):g}°"
    return f"{abs(v):g}°{'E' if v > 0 else 'W'}"


def _lat_label(y: float) -> str:
    return f"{abs(y):g}°{'N' if y > 0 else 'S' if y < 0 else ''}"


def plot_region(
    ds: xr.Dataset,
    region: Region,
    path: str | Path,
    *,
    stat: str = "pdop_p95",
    weights: np.ndarray | None = None,
    note: str | None = None,
    dpi: int = 100,
) -> Path:
    """Draw a statistic of every set over a region's bounding box as a PNG.

    One panel per set (shared colour scale) and one per combined set showing its gain
    over its best single system per cell (blue = better, positive is a gain); cells
    outside the region are washed out, the region's outline is drawn in red over the
    country borders (Natural Earth 1:110m, shipped). Regions across the antimeridian get
    one continuous window (longitudes beyond 180° are labelled as such).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage`.
    region : Region
        The region.
    path : path
        PNG file to write (its folder must exist).
    stat : str
        A per-cell variable of dims (set, lat, lon), e.g. ``pdop_p95``, ``availability``.
    weights : ndarray, optional
        The region's cell weights (computed when missing).
    note : str, optional
        Small text under the panels (provenance).
    dpi : int
        Resolution.

    Returns
    -------
    pathlib.Path
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap, Normalize
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from ..analysis.differences import difference_pairs
    from .maps import NAN_COLOR

    if stat not in ds or ds[stat].dims != ("set", "lat", "lon"):
        raise ParameterError(
            f"cannot map {stat!r}: expected a per-cell variable of dims (set, lat, lon) such as "
            "pdop_p95, availability or visible_mean"
        )
    grid = grid_of(ds)
    w = cell_weights_m2(region, grid) if weights is None else np.asarray(weights)
    lat, lon = ds["lat"].values, ds["lon"].values
    lon0, lon1, lat0, lat1 = _window(w > 0, lat, lon, grid.resolution_deg)

    sets = ds["set"].values.tolist()
    systems = [tuple(x.split(",")) for x in ds["set_systems"].values.tolist()]
    pairs = difference_pairs(sets, systems, [bool(x) for x in ds["set_plain"].values])
    larger = larger_is_better(stat)
    panels = [(s, ds[stat].sel(set=s).values, "set") for s in sets]
    for c, singles in pairs.items():
        single = ds[stat].sel(set=singles).values
        best = np.nanmax(single, axis=0) if larger else np.nanmin(single, axis=0)
        comb = ds[stat].sel(set=c).values
        gain = comb - best if larger else best - comb
        panels.append((f"{c}: gain over best of {', '.join(singles)}", gain, "gain"))

    # Cells inside the window, from two copies of the globe side by side (wrapped windows).
    lon_edges = np.concatenate(
        [np.linspace(-180.0, 180.0, lon.size + 1), np.linspace(180.0, 540.0, lon.size + 1)[1:]]
    )
    lat_edges = np.linspace(-90.0, 90.0, lat.size + 1)
    rows = np.flatnonzero((lat_edges[1:] > lat0) & (lat_edges[:-1] < lat1))
    cols = np.flatnonzero((lon_edges[1:] > lon0) & (lon_edges[:-1] < lon1))
    x_edges = lon_edges[cols[0] : cols[-1] + 2]
    y_edges = lat_edges[rows[0] : rows[-1] + 2]

    def window(values: np.ndarray) -> np.ndarray:
        return np.tile(values, 2)[np.ix_(rows, cols)]

    inside = window(w > 0)
    style = _style(stat)
    set_vals = np.concatenate([window(v)[inside] for _, v, k in panels if k == "set"])
    finite = set_vals[np.isfinite(set_vals)]
    vmin = style["vmin"] if style["vmin"] is not None else (finite.min() if finite.size else 0.0)
    vmax = style["vmax"] if style["vmax"] is not None else (finite.max() if finite.size else 1.0)
    if not vmax > vmin:
        vmin, vmax = vmin - 0.5, vmin + 0.5
    gains = [window(v)[inside] for _, v, k in panels if k == "gain"]
    gmax = max((float(np.nanmax(np.abs(g))) for g in gains if np.isfinite(g).any()), default=0.0)
    gmax = gmax or 1e-3

    # Layout: panels in a grid whose shape suits the window's proportions.
    width, height = lon1 - lon0, lat1 - lat0
    aspect = min(4.0, 1.0 / max(math.cos(math.radians(0.5 * (lat0 + lat1))), 0.25))
    ratio = width / (height * aspect)  # drawn width / drawn height of one panel
    n = len(panels)
    ncols = 1 if ratio > 2.4 else (2 if ratio > 0.9 or n == 4 else min(n, 3))
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    panel_w = min(7.0, 13.0 / ncols)
    panel_h = min(6.0, max(1.5, panel_w / ratio))
    fig_w = ncols * (panel_w + 1.3)
    fig_h = nrows * (panel_h + 0.8) + 0.6 + (0.3 if note else 0.0)
    fig = Figure(figsize=(fig_w, fig_h), dpi=dpi, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    if note:
        fig.get_layout_engine().set(rect=(0.0, 0.3 / fig_h, 1.0, 1.0 - 0.3 / fig_h))
        fig.text(0.01, 0.08 / fig_h, note, fontsize=6.5, color="0.3", ha="left", va="bottom")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    title = ds[stat].attrs.get("long_name", stat)
    fig.suptitle(f"{region.name} ({region.code}): {title}", fontsize=11)

    wash = np.ma.masked_array(np.ones(inside.shape), mask=inside)
    box_ = shapely.box(lon0, lat0, lon1, lat1)
    shifted = [s + off for s in _border_lines() for off in ((0.0, 0.0), (360.0, 0.0))]
    border_segments = [s for s in shifted if shapely.intersects(box_, shapely.LineString(s))]
    outline = [s + off for s in _outline(region.geometry) for off in ((0.0, 0.0), (360.0, 0.0))]
    lon_fmt = FuncFormatter(lambda x, _: _lon_label(x))
    for ax, (label, values, kind) in zip(axes, panels, strict=False):
        data = np.ma.masked_invalid(window(values))
        if kind == "set":
            cmap = matplotlib.colormaps[style["cmap"]].with_extremes(bad=NAN_COLOR)
            norm = Normalize(vmin=vmin, vmax=vmax)
            units = style["units"]
        else:
            cmap = matplotlib.colormaps["RdBu"].with_extremes(bad=NAN_COLOR)
            norm = Normalize(vmin=-gmax, vmax=gmax)
            units = f"gain ({style['units']}, positive = better)"
        mesh = ax.pcolormesh(x_edges, y_edges, data, cmap=cmap, norm=norm, rasterized=True)
        ax.pcolormesh(
            x_edges, y_edges, wash, cmap=ListedColormap(["white"]), alpha=0.6, rasterized=True
        )
        ax.add_collection(LineCollection(border_segments, colors="#262626", linewidths=0.4))
        ax.add_collection(LineCollection(outline, colors="#d62728", linewidths=1.3))
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)
        ax.set_aspect(aspect)
        ax.set_title(label, fontsize=9)
        ax.xaxis.set_major_formatter(lon_fmt)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: _lat_label(y)))
        ax.tick_params(labelsize=7)
        cb = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
        cb.ax.tick_params(labelsize=7)
        cb.set_label(units, fontsize=7)
    path = Path(path)
    with open(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=dpi, facecolor="white")
    return path


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------


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
    rows = [
        [f"`{n}`", line.removeprefix(f"{n}: ")] for n, line in zip(names, lines, strict=True)
    ]
    return ["## Sets", "", _md_table(["set", "what it is"], rows, "ll"), ""]


def _report_markdown(
    ds: xr.Dataset,
    regions: Sequence[Region],
    comp: pd.DataFrame,
    rankings: Mapping[str, pd.DataFrame],
    maps: Mapping[str, list[str]],
    summary_text: str,
) -> str:
    from .. import __version__

    pdop_max = ds.attrs.get("pdop_max", float("nan"))
    out = [
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
            [[label, ds.attrs[k]] for k, label in _RUN_KEYS.items() if k in ds.attrs],
            "ll",
        ),
        "",
        *_sets_section(ds),
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
        "## Combined sets against their best single system",
        "",
        "Each table gives the measure per set and, for each combined set, its **gain** over "
        "the best of its single systems in that region (positive = the combined set is "
        "better; availability gains in percentage points, DOP gains as the DOP reduction "
        "and its percentage of the best single value) and which single system was best.",
        "",
    ]
    for title, measure, kind, pct in _REPORT_TABLES:
        t = _measure_table(comp, measure, kind, pct)
        if t is not None:
            out += [f"### {title}", "", t, ""]
    for c, rank in rankings.items():
        by = rank.attrs.get("by", "availability_integral")
        out += [
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
        out += [_md_table(headers, rows, "rlrrr"), ""]
    if maps:
        out += [
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
    out += ["## What the measures mean", ""]
    out += [f"- **`{k}`**: {v}" for k, v in MEASURES.items()]
    out += [
        "- **per-cell statistics** (`*_area_mean`, `*_worst_cell`) summarise, over the "
        "region's area, a statistic computed over time in each cell; **time-and-area** "
        "statistics (`*_time_area`) pool all epochs and all cells first.",
        "- DOP figures use only the epochs with a fix; cells never with a fix show in the "
        "availability and are left out of DOP figures.",
        "",
    ]
    return "\n".join(out)


def _json_records(df: pd.DataFrame) -> list:
    return json.loads(df.to_json(orient="records", double_precision=15))


def write_region_outputs(
    ds: xr.Dataset,
    regions: Sequence[Region] | str,
    out_dir: str | Path,
    *,
    map_stats: Sequence[str] = ("pdop_p95",),
    map_regions: Sequence[str] | None = None,
    rank_by: str = "availability_integral",
    overwrite: bool = False,
    weights: Mapping[str, np.ndarray] | None = None,
) -> RegionReport:
    """Write the region tables, GeoPackage, maps and a Markdown report, all or nothing.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage` (with ``regions=`` the time-and-area
        percentiles per region are included too).
    regions : sequence of Region or str
        Regions, or a comma-separated list of codes (:func:`gnss.regions.definitions.get_regions`).
    out_dir : path
        Output folder (created if needed; files appear only when all were written).
    map_stats : sequence of str
        Per-cell statistics to map per region (``()`` for no maps).
    map_regions : sequence of str, optional
        Codes of the regions that get maps; default all.
    rank_by : str
        Measure of the rankings (:func:`gnss.analysis.regionstats.rank_regions`).
    overwrite : bool
        Replace files of the same names.
    weights : mapping, optional
        Precomputed cell weights by region code.

    Returns
    -------
    RegionReport
        The tables, the rankings and the files written.

    Raises
    ------
    gnss.OutputError
        When files would be replaced without ``overwrite`` or the folder is unusable.

    Examples
    --------
    >>> import gnss, tempfile, pathlib
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    >>> ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(15.0))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "regions"
    >>> rep = write_region_outputs(ds, "global,arctic", out, map_stats=())
    >>> sorted(p.name for p in out.iterdir())  # doctest: +NORMALIZE_WHITESPACE
    ['gnss-manifest.json', 'regions.csv', 'regions.gpkg', 'regions.json',
     'regions_comparison.csv', 'report.md']
    >>> list(rep.rankings)
    ['R+C']
    """
    regions = get_regions(regions) if isinstance(regions, str) else list(regions)
    grid = grid_of(ds)
    weights = dict(weights or {})
    for r in regions:
        if r.code not in weights:
            weights[r.code] = cell_weights_m2(r, grid)
    mapped = regions if map_regions is None else [r for r in regions if r.code in map_regions]
    if map_regions is not None:
        unknown = set(map_regions) - {r.code for r in regions}
        if unknown:
            raise ParameterError(f"map_regions {sorted(unknown)} are not among the regions")
    for stat in map_stats:
        if stat not in ds or ds[stat].dims != ("set", "lat", "lon"):
            raise ParameterError(
                f"cannot map {stat!r}: expected a per-cell variable of dims (set, lat, lon) "
                "such as pdop_p95, availability or visible_mean"
            )

    table = region_table(ds, regions, weights=weights)
    comp = comparison_table(table)
    rankings = {c: rank_regions(comp, c, by=rank_by) for c in comp.attrs["pairs"]}
    summary = summarize(ds)
    summary_text = format_table(summary, float(ds.attrs.get("pdop_max", 6.0)))
    maps = {r.code: [map_name(r, s) for s in map_stats] for r in mapped}
    names = list(TABLE_FILES) + [n for r in mapped for n in maps[r.code]]
    check_region_file_names(mapped)

    out = OutputDir(out_dir, overwrite=overwrite)
    out.check_free(names)
    try:
        note = provenance_note(ds)
    except (KeyError, AttributeError, ValueError):
        note = None  # provenance line is a nicety; the report has the full parameters
    with out:
        table.to_csv(out.path("regions.csv"), index=False)
        comp.to_csv(out.path("regions_comparison.csv"), index=False)
        doc = {
            "run": {k: _plain(ds.attrs[k]) for k in _RUN_KEYS if k in ds.attrs},
            "regions": [
                {"code": r.code, "name": r.name, "source": r.source, "area_km2": r.area_m2 / 1e6}
                for r in regions
            ],
            "measures": MEASURES,
            "gain_larger_is_better": GAIN_MEASURES,
            "table": _json_records(table),
            "comparison": _json_records(comp),
            "rankings": {c: _json_records(rk) for c, rk in rankings.items()},
        }
        write_json(doc, out.path("regions.json"))
        gpkg = out.path("regions.gpkg")
        regions_geodataframe(comp, regions).to_file(gpkg, layer="regions", engine="pyogrio")
        regions_geodataframe(table, regions).to_file(
            gpkg, layer="region_sets", engine="pyogrio", mode="a"
        )
        for r in mapped:
            for stat in map_stats:
                plot_region(
                    ds,
                    r,
                    out.path(map_name(r, stat)),
                    stat=stat,
                    weights=weights[r.code],
                    note=note,
                )
        md = _report_markdown(ds, regions, comp, rankings, maps, summary_text)
        atomic_write(out.path("report.md"),
                     lambda tmp: Path(tmp).write_text(md + "\n", encoding="utf-8"))  # fmt: skip
    return RegionReport(table, comp, rankings, [Path(out_dir) / n for n in names])


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v
