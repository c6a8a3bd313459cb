"""Statistics of a coverage dataset per region, and combined sets against their single systems.

Every figure is weighted by the true area of the part of each grid cell inside the region
(:func:`gnss.regions.definitions.cell_weights_m2`), so a cell cut by a border counts only by its
area
inside. The tables are pandas objects: :func:`region_table` has one row per (region, set),
:func:`comparison_table` one row per region with the sets side by side and the gain of
each combined set over its best single system, :func:`rank_regions` sorts regions by that
gain, and :func:`regions_geodataframe` attaches the polygons for a GeoPackage.

Measures (columns of :func:`region_table`)
------------------------------------------
``area_km2``
    Area of the region on the WGS84 ellipsoid (sum of the cell weights).
``availability_integral``
    Integral availability: sum over cells of weight x availability / sum of weights, the
    share of time x area with a fix and PDOP <= ``pdop_max`` (the form in which the
    GLONASS monitoring centre publishes availability).
``availability_worst_cell``
    Availability of the worst cell with some area inside the region (worst point).
``availability_area_ge_99pct``
    Share of the region's area whose availability is at least 99 %.
``fix_fraction``
    Area mean of the share of epochs with a position fix (any PDOP).
``visible_mean`` / ``visible_min``
    Area mean of the per-cell mean number of satellites in view / the smallest number in
    view at any epoch in any cell of the region.
``<dop>_p95_area_mean``, ``_area_p50``, ``_area_p95``, ``_worst_cell``
    Of the per-cell 95th percentile over time of PDOP, HDOP, VDOP: the area mean, the
    area median and 95th area percentile (the value that 50 % / 95 % of the region's area
    does not exceed), and the worst cell. Cells never with a fix are left out of DOP
    figures (they show in the availability).
``pdop_mean_area_mean``
    Area mean of the per-cell mean PDOP.
``<dop>_p95_time_area``, ``pdop_mean_time_area``, ``visible_mean_time_area``
    Only when the dataset carries per-region histograms (``compute_coverage(...,
    regions=...)``): the 95th percentile of DOP over all epochs with a fix and the whole
    region, time-and-area weighted (the form of the performance standards), and the
    time-and-area means.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import ParameterError
from ..receivers.grid import Grid
from ..regions.definitions import Region, cell_weights_m2, get_regions
from ..stats_catalog import larger_is_better, worst_of
from . import summary as _summary

__all__ = [
    "GAIN_MEASURES",
    "comparison_table",
    "grid_of",
    "rank_regions",
    "region_table",
    "regions_geodataframe",
]

log = logging.getLogger(__name__)

#: DOPs whose per-cell 95th percentile is summarised.
_P95_DOPS = ("pdop", "hdop", "vdop")
#: DOPs whose time-and-area 95th percentile comes from the region histograms.
_HIST_DOPS = ("pdop", "hdop", "vdop")

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


def grid_of(ds: xr.Dataset) -> Grid:
    """Return the :class:`gnss.Grid` of a coverage dataset (checked against its axes).

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> g = Grid(30.0)
    >>> ds = xr.Dataset(coords={"lat": g.lat_deg, "lon": g.lon_deg})
    >>> grid_of(ds).resolution_deg
    30.0
    """
    if "lat" not in ds.coords or "lon" not in ds.coords:
        raise ParameterError("expected a coverage dataset with 'lat' and 'lon' coordinates")
    res = float(ds.attrs.get("grid_resolution_deg", 180.0 / ds.sizes["lat"]))
    grid = Grid(res, float(ds.attrs.get("receiver_height_m", 0.0)))
    if not (
        ds.sizes["lat"] == grid.n_lat
        and ds.sizes["lon"] == grid.n_lon
        and np.allclose(ds["lat"].values, grid.lat_deg)
        and np.allclose(ds["lon"].values, grid.lon_deg)
    ):
        raise ParameterError(
            f"the dataset's lat/lon axes ({ds.sizes['lat']} x {ds.sizes['lon']}) are not the "
            f"global {res:g}-degree grid of gnss.Grid; region statistics need a full global grid"
        )
    return grid


def _hist_quantile(hist: np.ndarray, q: float, vmin: float, vmax: float) -> float:
    """Quantile of a time-and-area DOP histogram, as :func:`gnss.summarize` computes it."""
    f = getattr(_summary, "weighted_hist_quantile", None) or _summary.weighted_hist_quantile_log2
    return f(hist, q, vmin, vmax)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value whose weighted CDF reaches ``q`` (inverted CDF, no interpolation)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    if not cum.size or not cum[-1] > 0:
        return float("nan")
    k = int(np.searchsorted(cum, q * cum[-1] * (1.0 - 1e-12), side="left"))
    return float(v[min(k, v.size - 1)])


def _area_stats(field: np.ndarray, w: np.ndarray, lat, lon, worst: str) -> dict[str, float]:
    ok = (w > 0) & np.isfinite(field)
    if not ok.any():
        nan = float("nan")
        return dict.fromkeys(("mean", "p50", "p95", "worst", "worst_lat", "worst_lon"), nan)
    v, ww = field[ok], w[ok]
    idx = np.flatnonzero(ok.ravel())
    k = int(np.argmax(v) if worst == "max" else np.argmin(v))
    i, j = np.unravel_index(idx[k], field.shape)
    return {
        "mean": float((v * ww).sum() / ww.sum()),
        "p50": _weighted_quantile(v, ww, 0.50),
        "p95": _weighted_quantile(v, ww, 0.95),
        "worst": float(v[k]),
        "worst_lat": float(lat[i]),
        "worst_lon": float(lon[j]),
    }


def _hist_columns(ds: xr.Dataset, code: str, s: str, w: np.ndarray) -> dict[str, float]:
    """Time-and-area figures of one region and set from the dataset's region histograms."""
    has = (
        all(v in ds for v in ("region_dop_hist_area", "region_dop_sum_area", "region_area"))
        and "region" in ds.coords
    )
    if not has:
        return {}
    names = [f"{d}_p95_time_area" for d in _HIST_DOPS]
    names += ["pdop_mean_time_area", "visible_mean_time_area"]
    out = dict.fromkeys(names, float("nan"))
    if code not in ds["region"].values.tolist():
        return out
    r = ds.sel(region=code, set=s)
    area = float(r["region_area"])
    if not abs(area / w.sum() - 1.0) < 1e-6:
        log.warning(
            "region %s: the dataset's region histograms cover %.6g m2 but the region's cells "
            "weigh %.6g m2 (another polygon with the same code?); time-and-area columns left NaN",
            code,
            area,
            w.sum(),
        )
        return out
    dops = ds["dop"].values.tolist()
    hist = r["region_dop_hist_area"].values
    inside = w > 0
    for d in _HIST_DOPS:
        m = dops.index(d)
        vmin = float(ds["dop_min_global"].sel(set=s, dop=d)) if "dop_min_global" in ds else 0.0
        cell_max = ds[f"{d}_max"].sel(set=s).values[inside] if f"{d}_max" in ds else np.array([])
        vmax = float(np.nanmax(cell_max)) if np.isfinite(cell_max).any() else np.inf
        out[f"{d}_p95_time_area"] = _hist_quantile(hist[m], 0.95, vmin, vmax)
    m = dops.index("pdop")
    total = hist[m].sum()
    if total > 0:
        out["pdop_mean_time_area"] = float(r["region_dop_sum_area"].values[m] / total)
    if "region_visible_hist_area" in ds:
        vh = r["region_visible_hist_area"].values
        if vh.sum() > 0:
            out["visible_mean_time_area"] = float((vh * np.arange(vh.size)).sum() / vh.sum())
    return out


def region_table(
    ds: xr.Dataset,
    regions: Sequence[Region] | str,
    *,
    weights: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Area-weighted statistics of each set in each region.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage` (a global grid).
    regions : sequence of Region or str
        Regions, or a comma-separated list of codes (:func:`gnss.regions.definitions.get_regions`).
    weights : mapping, optional
        Precomputed cell weights by region code (``cell_weights_m2(region, grid)``);
        computed when missing.

    Returns
    -------
    pandas.DataFrame
        One row per (region, set), in the order given; columns ``region``,
        ``region_name``, ``set``, ``set_systems``, ``set_plain`` and the measures
        described in :mod:`gnss.analysis.regionstats`. Fractions are in [0, 1].

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    >>> ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(15.0))
    >>> t = region_table(ds, "global,arctic")
    >>> t[["region", "set"]].values.tolist()[:3]
    [['global', 'R'], ['global', 'C'], ['global', 'R+C']]
    >>> bool((t["availability_integral"].between(0, 1)).all())
    True
    """
    regions = get_regions(regions) if isinstance(regions, str) else list(regions)
    codes = [r.code for r in regions]
    if len(set(codes)) != len(codes):
        raise ParameterError(f"region codes must be unique, got {codes}")
    grid = grid_of(ds)
    weights = dict(weights or {})
    sets = ds["set"].values.tolist()
    systems = ds["set_systems"].values.tolist() if "set_systems" in ds else ["?"] * len(sets)
    plain = ds["set_plain"].values.tolist() if "set_plain" in ds else [1] * len(sets)
    rows = []
    for region in regions:
        w = _region_weights(region, weights.get(region.code), grid)
        for s, sy, pl in zip(sets, systems, plain, strict=True):
            row: dict[str, object] = {
                "region": region.code,
                "region_name": region.name,
                "set": s,
                "set_systems": sy,
                "set_plain": bool(pl),
                "area_km2": w.ravel().sum() / 1e6,
            }
            row |= _cell_columns(ds.sel(set=s), w, ds["lat"].values, ds["lon"].values)
            row |= _hist_columns(ds, region.code, s, w)
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["pdop_max"] = float(ds.attrs.get("pdop_max", np.nan))
    return table


def _region_weights(region: Region, w: np.ndarray | None, grid: Grid) -> np.ndarray:
    """Return the region's cell weights (given, or computed on ``grid``), checked."""
    if w is None:
        w = cell_weights_m2(region, grid)
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (grid.n_lat, grid.n_lon):
        raise ParameterError(
            f"weights of region {region.code!r} have shape {w.shape}, expected "
            f"{(grid.n_lat, grid.n_lon)} (the dataset's grid)"
        )
    return w


def _cell_columns(d: xr.Dataset, w: np.ndarray, lat, lon) -> dict[str, float]:
    """Columns of one region and set from the per-cell statistics ``d`` (one set)."""
    vis = _area_stats(d["visible_mean"].values, w, lat, lon, worst_of("visible_mean"))
    row = {
        "visible_mean": vis["mean"],
        "visible_mean_worst_cell": vis["worst"],
        "visible_min": float(np.nanmin(d["visible_min"].values[w > 0])),
    }
    for dop in _P95_DOPS:
        st = _area_stats(d[f"{dop}_p95"].values, w, lat, lon, worst_of(f"{dop}_p95"))
        row[f"{dop}_p95_area_mean"] = st["mean"]
        row[f"{dop}_p95_area_p50"] = st["p50"]
        row[f"{dop}_p95_area_p95"] = st["p95"]
        row[f"{dop}_p95_worst_cell"] = st["worst"]
        if dop == "pdop":
            row["pdop_p95_worst_lat_deg"] = st["worst_lat"]
            row["pdop_p95_worst_lon_deg"] = st["worst_lon"]
    pdop_mean = _area_stats(d["pdop_mean"].values, w, lat, lon, worst_of("pdop_mean"))
    row["pdop_mean_area_mean"] = pdop_mean["mean"]
    return row | _availability_columns(d, w, lat, lon)


def _availability_columns(d: xr.Dataset, w: np.ndarray, lat, lon) -> dict[str, float]:
    """Availability columns of one region and set: integral, worst cell, area share, fix."""
    flat_w = w.ravel()
    total = flat_w.sum()
    av = d["availability"].values
    a = _area_stats(av, w, lat, lon, worst_of("availability"))
    # Same terms in the same order for every mask: equal masks give equal sums.
    ge_99 = float(np.where((av >= 0.99).ravel(), flat_w, 0.0).sum() / total)
    return {
        "availability_integral": float((flat_w * av.ravel()).sum() / total),
        "availability_worst_cell": a["worst"],
        "availability_worst_lat_deg": a["worst_lat"],
        "availability_worst_lon_deg": a["worst_lon"],
        "availability_area_ge_99pct": ge_99,
        "fix_fraction": float((flat_w * d["fix_fraction"].values.ravel()).sum() / total),
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
        Output of :func:`region_table`.

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
        Output of :func:`region_table` or of :func:`comparison_table`.
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
        Any table with a ``region`` column of region codes (:func:`region_table`,
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
