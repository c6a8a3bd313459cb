"""Statistics of a coverage dataset per region: one row per region and set.

Every figure is weighted by the true area of the part of each grid cell inside the region
(:func:`gnss.regions.definitions.cell_weights_m2`), so a cell cut by a border counts only by
its area inside. :func:`region_table` returns a pandas table; the combined sets against their
single systems (gains, rankings, polygons) are in :mod:`gnss.analysis.regiongains`.

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
from ..stats_catalog import worst_of
from . import summary as _summary

__all__ = ["grid_of", "region_table"]

log = logging.getLogger(__name__)

#: DOPs whose per-cell 95th percentile is summarised.
_P95_DOPS = ("pdop", "hdop", "vdop")
#: DOPs whose time-and-area 95th percentile comes from the region histograms.
_HIST_DOPS = ("pdop", "hdop", "vdop")


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
