"""Combined sets against their single systems, per region: gains, rankings, polygons.

Built on the tables of :func:`gnss.analysis.regionstats.region_table` (one row per region
and set): :func:`comparison_table` puts the sets side by side per region with the gain of
each combined set over its best single system, :func:`rank_regions` sorts regions by that
gain, and :func:`regions_geodataframe` attaches the polygons for a GeoPackage.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..regions.definitions import Region, get_regions
from ..stats_catalog import larger_is_better

__all__ = ["GAIN_MEASURES", "comparison_table", "rank_regions", "regions_geodataframe"]

#: Measures compared between sets -> True when larger is better. The gain of a combined
#: set is ``combined - best single`` when larger is better and ``best single - combined``
#: when smaller is better, so a positive gain is always an improvement.
#: The direction comes from the statistic each measure is made of (gnss.stats_catalog).
GAIN_MEASURES: dict[str, bool] = {
    m: larger_is_better(m)
    for m in (
        "availability_integral",
        "availability_worst_cell",
        "availability_area_ge_99pct",
        "fix_fraction",
        "visible_mean",
        "pdop_p95_area_mean",
        "pdop_p95_area_p95",
        "pdop_p95_worst_cell",
        "hdop_p95_area_mean",
        "vdop_p95_area_mean",
        "pdop_p95_time_area",
        "hdop_p95_time_area",
        "vdop_p95_time_area",
    )
}


def _pairs(table: pd.DataFrame) -> tuple[list[str], dict[str, list[str]]]:
    from .differences import difference_pairs

    first = table.drop_duplicates("set")
    sets = first["set"].tolist()
    systems = [tuple(str(x).split(",")) for x in first["set_systems"]]
    return sets, difference_pairs(sets, systems, [bool(x) for x in first["set_plain"]])


def comparison_table(table: pd.DataFrame) -> pd.DataFrame:
    """Put the sets side by side per region, with each combined set's gain over its best single.

    A combined set (two or more systems, e.g. ``R+C``) is compared with the plain
    single-system sets of its systems when the table has all of them (as
    :func:`gnss.analysis.differences.difference_pairs` decides). For each measure of
    :data:`GAIN_MEASURES` present, the gain is ``combined - max(singles)`` when larger is
    better (availability, visible count) and ``min(singles) - combined`` when smaller is
    better (DOP): **positive is always an improvement**. DOP gains also come as a
    percentage of the best single value (``_gain_pct``).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`gnss.analysis.regionstats.region_table`.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``region``, ``region_name``, ``area_km2``, then
        ``<measure>[<set>]`` for every set, ``<measure>_gain[<combined>]``,
        ``<measure>_best_single[<combined>]`` (the best single set; ``"R, C"`` on a tie)
        and, for DOP
        measures, ``<measure>_gain_pct[<combined>]``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({
    ...     "region": ["X"] * 3, "region_name": ["x"] * 3, "set": ["R", "C", "R+C"],
    ...     "set_systems": ["R", "C", "R,C"], "set_plain": [True] * 3,
    ...     "area_km2": [1.0] * 3, "availability_integral": [0.90, 0.95, 0.99],
    ...     "pdop_p95_area_mean": [3.0, 2.5, 1.5]})
    >>> c = comparison_table(t)
    >>> float(round(c.loc[0, "availability_integral_gain[R+C]"], 6))
    0.04
    >>> [float(c.loc[0, f"pdop_p95_area_mean_{k}[R+C]"]) for k in ("gain", "gain_pct")]
    [1.0, 40.0]
    >>> c.loc[0, "availability_integral_best_single[R+C]"]
    'C'
    """
    sets, pairs = _pairs(table)
    measures = [m for m in table.columns if m in GAIN_MEASURES or _is_measure(table, m)]
    rows = []
    for code, g in table.groupby("region", sort=False):
        g = g.set_index("set")
        row: dict[str, object] = {
            "region": code,
            "region_name": g["region_name"].iloc[0],
            "area_km2": float(g["area_km2"].iloc[0]),
        }
        for m in measures:
            for s in sets:
                row[f"{m}[{s}]"] = g.at[s, m] if s in g.index else np.nan
        for c, singles in pairs.items():
            for m, larger in GAIN_MEASURES.items():
                if m not in table.columns:
                    continue
                vals = g.loc[singles, m].astype(float)
                comb = float(g.at[c, m])
                if vals.isna().all() or np.isnan(comb):
                    best_set, gain, best = "", np.nan, np.nan
                else:
                    best = float(vals.max() if larger else vals.min())
                    best_set = ", ".join(vals.index[vals == best])  # all of them on a tie
                    gain = comb - best if larger else best - comb
                row[f"{m}_gain[{c}]"] = gain
                row[f"{m}_best_single[{c}]"] = best_set
                if not larger:
                    row[f"{m}_gain_pct[{c}]"] = 100.0 * gain / best if best else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs = dict(table.attrs) | {"sets": sets, "pairs": pairs}
    return out


_ID_COLUMNS = ("region", "region_name", "set", "set_systems", "set_plain", "area_km2")


def _is_measure(table: pd.DataFrame, column: str) -> bool:
    return column not in _ID_COLUMNS and pd.api.types.is_numeric_dtype(table[column])


def rank_regions(
    table: pd.DataFrame, combined: str = "R+C", by: str = "availability_integral"
) -> pd.DataFrame:
    """Sort the regions by the gain of a combined set over its best single system.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`gnss.analysis.regionstats.region_table` or of
        :func:`comparison_table`.
    combined : str
        The combined set, e.g. ``"R+C"``.
    by : str
        Measure of :data:`GAIN_MEASURES` to rank by (largest gain first). Ties, common when
        availability saturates at 100 %, are broken by the PDOP p95 gain (area mean).

    Returns
    -------
    pandas.DataFrame
        ``rank`` (1 = largest gain), ``region``, ``region_name``, ``area_km2``, the
        measure for the combined set and its best single set, and the gain columns.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({
    ...     "region": ["A"] * 3 + ["B"] * 3, "region_name": ["a"] * 3 + ["b"] * 3,
    ...     "set": ["R", "C", "R+C"] * 2, "set_systems": ["R", "C", "R,C"] * 2,
    ...     "set_plain": [True] * 6, "area_km2": [1.0] * 6,
    ...     "availability_integral": [0.9, 0.9, 0.95, 0.5, 0.6, 0.9],
    ...     "pdop_p95_area_mean": [3.0, 3.0, 2.0, 6.0, 5.0, 2.5]})
    >>> rank_regions(t)[["rank", "region"]].values.tolist()
    [[1, 'B'], [2, 'A']]
    """
    comp = table if any("_gain[" in c for c in table.columns) else comparison_table(table)
    combos = list(comp.attrs.get("pairs", {})) or sorted(
        {c.split("_gain[", 1)[1][:-1] for c in comp.columns if "_gain[" in c}
    )
    if combined not in combos:
        raise ParameterError(
            f"no gains for set {combined!r}: the combined sets compared with all their single "
            f"systems are {combos or 'none'} (a combined set needs each of its systems "
            "analysed alone too, e.g. R,C,R+C)"
        )
    if by not in GAIN_MEASURES or f"{by}_gain[{combined}]" not in comp.columns:
        have = [m for m in GAIN_MEASURES if f"{m}_gain[{combined}]" in comp.columns]
        raise ParameterError(f"cannot rank by {by!r}; choose one of {', '.join(have)}")
    keys = [f"{by}_gain[{combined}]"]
    tie = "pdop_p95_area_mean" if by != "pdop_p95_area_mean" else "availability_integral"
    if f"{tie}_gain[{combined}]" in comp.columns:
        keys.append(f"{tie}_gain[{combined}]")
    ranked = comp.sort_values(keys, ascending=False, kind="stable", na_position="last")
    cols = ["region", "region_name", "area_km2", f"{by}[{combined}]"]
    cols += [f"{by}_best_single[{combined}]", *keys]
    cols += [
        c
        for c in comp.columns
        if c.endswith(f"_gain[{combined}]")
        and c not in cols
        or c.endswith(f"_gain_pct[{combined}]")
    ]
    out = ranked[[c for c in dict.fromkeys(cols) if c in ranked.columns]].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs = dict(comp.attrs) | {"combined": combined, "by": by}
    return out


def regions_geodataframe(table: pd.DataFrame, regions: Sequence[Region] | str):
    """Attach the region polygons to a region table (for a GeoPackage or a map).

    Parameters
    ----------
    table : pandas.DataFrame
        Any table with a ``region`` column of region codes (``region_table``,
        :func:`comparison_table`, :func:`rank_regions`).
    regions : sequence of Region or str
        The regions of the table.

    Returns
    -------
    geopandas.GeoDataFrame
        The table's rows with ``region_source`` and a MultiPolygon ``geometry`` column in
        EPSG:4326.

    Examples
    --------
    >>> import pandas as pd
    >>> g = regions_geodataframe(pd.DataFrame({"region": ["RUS"], "x": [1.0]}), "RUS")
    >>> g.geometry.iloc[0].geom_type, g.crs.to_epsg()
    ('MultiPolygon', 4326)
    """
    import geopandas
    import shapely

    regions = get_regions(regions) if isinstance(regions, str) else list(regions)
    by_code = {r.code: r for r in regions}
    missing = sorted(set(table["region"]) - set(by_code))
    if missing:
        raise ParameterError(f"no polygon for region(s) {', '.join(missing)}; pass their Regions")

    def multi(g):
        return shapely.MultiPolygon([g]) if isinstance(g, shapely.Polygon) else g

    geoms = [multi(by_code[c].geometry) for c in table["region"]]
    out = table.copy()
    out["region_source"] = [by_code[c].source for c in table["region"]]
    return geopandas.GeoDataFrame(out, geometry=geoms, crs="EPSG:4326")
