"""Region outputs of a coverage run: tables (CSV, JSON, GeoPackage), regional maps, Markdown.

:func:`write_region_outputs` writes, all or nothing (:class:`gnss.outputs.outdir.OutputDir`):

``regions.csv``
    One row per (region, set): :func:`gnss.analysis.regionstats.region_table`.
``regions_comparison.csv``
    One row per region, the sets side by side and each combined set's gain over its best
    single system: :func:`gnss.analysis.regiongains.comparison_table`.
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

This module computes the tables and writes the files; the maps are drawn by
:mod:`gnss.outputs.regionmaps` (their window by :mod:`gnss.outputs.regionwindow`), the report
text comes from :mod:`gnss.outputs.markdown`, and the file names and measure descriptions
from :mod:`gnss.outputs.regionnames`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..analysis.regiongains import (
    GAIN_MEASURES,
    comparison_table,
    rank_regions,
    regions_geodataframe,
)
from ..analysis.regionstats import grid_of, region_table
from ..analysis.summary import format_table, summarize
from ..coverage.dataset import provenance_note
from ..errors import ParameterError
from ..io import atomic_write, write_json
from ..regions.definitions import Region, cell_weights_m2, get_regions
from .markdown import report_markdown
from .outdir import OutputDir
from .regionmaps import check_mappable, plot_region
from .regionnames import (
    MEASURES,
    RUN_KEYS,
    TABLE_FILES,
    check_region_file_names,
    map_name,
    planned_files,
)

# The names below plot_region were defined here before the split; kept importable from here.
__all__ = [
    "RegionReport",
    "plot_region",
    "write_region_outputs",
    "MEASURES",
    "TABLE_FILES",
    "check_region_file_names",
    "map_name",
    "planned_files",
]


@dataclass
class RegionReport:
    """What :func:`write_region_outputs` computed and wrote.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (region, set) (:func:`gnss.analysis.regionstats.region_table`).
    comparison : pandas.DataFrame
        One row per region with gains (:func:`gnss.analysis.regiongains.comparison_table`).
    rankings : dict
        Combined set -> regions ranked by its gain (:func:`gnss.analysis.regiongains.rank_regions`).
    files : list of pathlib.Path
        Files written.
    """

    table: pd.DataFrame
    comparison: pd.DataFrame
    rankings: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def _checked_inputs(
    ds: xr.Dataset,
    regions: list[Region],
    map_stats: Sequence[str],
    map_regions: Sequence[str] | None,
    weights: Mapping[str, np.ndarray] | None,
) -> tuple[dict[str, np.ndarray], list[Region]]:
    """Cell weights of every region (given or computed) and the regions that get maps.

    Raises
    ------
    gnss.ParameterError
        When ``map_regions`` names a region that is not among the regions, or a statistic of
        ``map_stats`` cannot be mapped.
    """
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
        check_mappable(ds, stat)
    return weights, mapped


def _region_tables(ds: xr.Dataset, regions: list[Region], weights, rank_by: str) -> RegionReport:
    """Compute the region table, the comparison table and the ranking of each combined set."""
    table = region_table(ds, regions, weights=weights)
    comp = comparison_table(table)
    rankings = {c: rank_regions(comp, c, by=rank_by) for c in comp.attrs["pairs"]}
    return RegionReport(table, comp, rankings)


def _json_records(df: pd.DataFrame) -> list:
    return json.loads(df.to_json(orient="records", double_precision=15))


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _write_tables(out: OutputDir, ds: xr.Dataset, regions: list[Region], rep: RegionReport) -> None:
    """Write ``regions.csv``, ``regions_comparison.csv``, ``regions.json`` and ``regions.gpkg``."""
    rep.table.to_csv(out.path("regions.csv"), index=False)
    rep.comparison.to_csv(out.path("regions_comparison.csv"), index=False)
    doc = {
        "run": {k: _plain(ds.attrs[k]) for k in RUN_KEYS if k in ds.attrs},
        "regions": [
            {"code": r.code, "name": r.name, "source": r.source, "area_km2": r.area_m2 / 1e6}
            for r in regions
        ],
        "measures": MEASURES,
        "gain_larger_is_better": GAIN_MEASURES,
        "table": _json_records(rep.table),
        "comparison": _json_records(rep.comparison),
        "rankings": {c: _json_records(rk) for c, rk in rep.rankings.items()},
    }
    write_json(doc, out.path("regions.json"))
    gpkg = out.path("regions.gpkg")
    regions_geodataframe(rep.comparison, regions).to_file(gpkg, layer="regions", engine="pyogrio")
    regions_geodataframe(rep.table, regions).to_file(
        gpkg, layer="region_sets", engine="pyogrio", mode="a"
    )


def _draw_maps(out: OutputDir, ds: xr.Dataset, mapped, map_stats, weights, note) -> None:
    """Draw the map of every statistic of ``map_stats`` for every region of ``mapped``."""
    for r in mapped:
        for stat in map_stats:
            path = out.path(map_name(r, stat))
            plot_region(ds, r, path, stat=stat, weights=weights[r.code], note=note)


def _provenance(ds: xr.Dataset) -> str | None:
    try:
        from .maptext import footer  # the footer of the global maps: elements, dates, version

        return footer(ds) or provenance_note(ds)
    except (KeyError, AttributeError, ValueError):
        return None  # provenance line is a nicety; the report has the full parameters


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
        Measure of the rankings (:func:`gnss.analysis.regiongains.rank_regions`).
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
    weights, mapped = _checked_inputs(ds, regions, map_stats, map_regions, weights)
    rep = _region_tables(ds, regions, weights, rank_by)
    summary_text = format_table(summarize(ds), float(ds.attrs.get("pdop_max", 6.0)))
    maps = {r.code: [map_name(r, s) for s in map_stats] for r in mapped}
    names = list(TABLE_FILES) + [n for r in mapped for n in maps[r.code]]
    check_region_file_names(mapped)
    out = OutputDir(out_dir, overwrite=overwrite)
    out.check_free(names)
    note = _provenance(ds)
    with out:
        _write_tables(out, ds, regions, rep)
        _draw_maps(out, ds, mapped, map_stats, weights, note)
        md = report_markdown(ds, regions, rep.comparison, rep.rankings, maps, summary_text)
        atomic_write(out.path("report.md"),
                     lambda tmp: Path(tmp).write_text(md + "\n", encoding="utf-8"))  # fmt: skip
    rep.files = [Path(out_dir) / n for n in names]
    return rep
