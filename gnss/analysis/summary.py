"""Global summaries of a coverage dataset, area-weighted by true cell area.

Keys are self-explaining, e.g. ``pdop.p95`` (95th percentile of PDOP over all
epochs with a fix and all of the Earth's surface, time-and-area weighted, the
form the performance standards publish) or ``availability.area_fraction_ge_99pct``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..coverage.dataset import DOP_NAMES, SUMMARY_PERCENTILES
from ..kernels.driver import DOP_CEILING, hist_bin_lower
from ..stats_catalog import worst_of


def weighted_hist_quantile(hist: np.ndarray, q: float, vmin: float, vmax: float) -> float:
    """Quantile of a weighted DOP histogram (bin layout of :mod:`gnss.kernels.driver`).

    The weighted CDF is inverted at ``q``; the value is placed linearly inside its bin and
    clamped to ``[vmin, vmax]``. The exact quantile lies in the same bin, so the error is
    below one bin width (0.78 %).
    """
    total = hist.sum()
    if not total > 0:
        return float("nan")
    cum = np.cumsum(hist)
    target = q * total
    b = int(min(np.searchsorted(cum, target, side="left"), len(hist) - 1))
    before = cum[b - 1] if b > 0 else 0.0
    frac = (target - before) / hist[b] if hist[b] > 0 else 0.5
    low = hist_bin_lower(b)
    val = low + frac * (hist_bin_lower(b + 1) - low)
    return float(min(max(val, vmin), vmax))


def _discrete_quantile(hist: np.ndarray, q: float) -> float:
    """Smallest count whose weighted CDF reaches ``q`` (exact for integer counts)."""
    total = hist.sum()
    if not total > 0:
        return float("nan")
    return float(np.searchsorted(np.cumsum(hist), q * total * (1 - 1e-12), side="left"))


def _worst(field: xr.DataArray, area: xr.DataArray) -> dict[str, float]:
    """Find the worst cell of a statistic (its direction from gnss.stats_catalog)."""
    values = field.values
    if np.all(np.isnan(values)):
        return {
            "worst_cell": float("nan"),
            "worst_cell_lat_deg": float("nan"),
            "worst_cell_lon_deg": float("nan"),
        }
    flat = np.nanargmin(values) if worst_of(str(field.name)) == "min" else np.nanargmax(values)
    i, j = np.unravel_index(flat, values.shape)
    return {
        "worst_cell": float(values[i, j]),
        "worst_cell_lat_deg": float(field.lat[i]),
        "worst_cell_lon_deg": float(field.lon[j]),
    }


def summarize(ds: xr.Dataset) -> dict[str, dict[str, float]]:
    """Area-weighted global summary of each set.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage`.

    Returns
    -------
    dict
        ``{set name: {key: value}}`` with keys such as ``visible.mean``,
        ``visible.p95``, ``visible.min``, ``pdop.mean``, ``pdop.p50`` ...
        ``pdop.p99``, ``pdop.max``, ``pdop_p95.area_mean``,
        ``pdop_p95.worst_cell`` (+ its ``_lat_deg``/``_lon_deg``),
        ``availability.area_mean`` (time-and-area availability),
        ``availability.area_fraction_ge_99pct``, ``availability.worst_cell``,
        ``fix.area_mean``, ``singular.area_mean`` (share of time x area with near-singular
        geometry, GDOP > ``gnss.DOP_CEILING``) and ``singular.cell_epochs`` (their number
        of cell-epochs). DOP figures are over epochs with a usable fix.

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["C"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    >>> s = gnss.summarize(gnss.compute_coverage(con, "C", span, gnss.Grid(15.0)))
    >>> 0.0 <= s["C"]["availability.area_mean"] <= 1.0
    True
    """
    area = ds["cell_area"]
    total_area = float(area.sum())
    out: dict[str, dict[str, float]] = {}
    for name in ds["set"].values.tolist():
        d = ds.sel(set=name)
        r: dict[str, float] = {}
        vh = d["visible_hist_area"].values
        r["visible.mean"] = float((vh * np.arange(vh.size)).sum() / vh.sum())
        for p in SUMMARY_PERCENTILES:
            r[f"visible.p{p}"] = _discrete_quantile(vh, p / 100.0)
        r["visible.min"] = float(d["visible_min"].min())
        r["visible.max"] = float(d["visible_max"].max())
        r |= {f"visible_mean.{k}": v for k, v in _worst(d["visible_mean"], area).items()}
        for m, dop in enumerate(DOP_NAMES):
            h = d["dop_hist_area"].values[m]
            vmin, vmax = float(d["dop_min_global"][m]), float(d["dop_max_global"][m])
            r[f"{dop}.mean"] = (
                float(d["dop_sum_area"][m] / h.sum()) if h.sum() > 0 else float("nan")
            )
            for p in SUMMARY_PERCENTILES:
                r[f"{dop}.p{p}"] = weighted_hist_quantile(h, p / 100.0, vmin, vmax)
            r[f"{dop}.max"] = vmax if np.isfinite(vmax) else float("nan")
            p95 = d[f"{dop}_p95"]
            r[f"{dop}_p95.area_mean"] = float((p95 * area).sum() / area.where(p95.notnull()).sum())
            r |= {f"{dop}_p95.{k}": v for k, v in _worst(p95, area).items()}
        av = d["availability"]
        r["availability.area_mean"] = float((av * area).sum() / total_area)
        r["availability.area_fraction_ge_99pct"] = float(area.where(av >= 0.99).sum() / total_area)
        r |= {f"availability.{k}": v for k, v in _worst(av, area).items()}
        r["fix.area_mean"] = float((d["fix_fraction"] * area).sum() / total_area)
        r |= _accuracy_keys(d, area)
        if "singular_fraction" in d:
            # Near-singular epochs (GDOP > DOP_CEILING): no usable fix, counted apart.
            sf = d["singular_fraction"]
            r["singular.area_mean"] = float((sf * area).sum() / total_area)
            r["singular.cell_epochs"] = float(np.rint(sf * ds.attrs.get("n_epochs", 0)).sum())
        out[name] = r
    return out


def _accuracy_keys(d: xr.Dataset, area: xr.DataArray) -> dict[str, float]:
    """Accuracy in metres (runs with ``uere_m``): area means of the cell mean and p95, worst.

    ``hacc95_m.area_mean`` is the area-weighted mean over the cells with a fix of each
    cell's time mean; ``hacc95_m_p95.area_mean`` the same of each cell's 95th percentile over
    time, ``hacc95_m_p95.worst_cell`` its largest (and where); likewise ``vacc95_m``.
    """
    r: dict[str, float] = {}
    for var in ("hacc95_m", "vacc95_m"):
        if f"{var}_mean" not in d:
            continue
        for stat, key in (("mean", f"{var}.area_mean"), ("p95", f"{var}_p95.area_mean")):
            f = d[f"{var}_{stat}"]
            r[key] = float((f * area).sum() / area.where(f.notnull()).sum())
        r |= {f"{var}_p95.{k}": v for k, v in _worst(d[f"{var}_p95"], area).items()}
    return r


#: Columns of the printed table when the run has the accuracy in metres (``uere_m``).
ACCURACY_COLUMNS = (
    ("hacc95_m.area_mean", "H95 m (mean)", "{:.2f}"),
    ("vacc95_m.area_mean", "V95 m (mean)", "{:.2f}"),
    ("hacc95_m_p95.worst_cell", "worst-cell H95 p95 m", "{:.2f}"),
)

#: Columns of the printed table, in order: (key, header, format).
TABLE_COLUMNS = (
    ("visible.mean", "vis mean", "{:.1f}"),
    ("visible.min", "vis min", "{:.0f}"),
    ("pdop.mean", "PDOP mean", "{:.2f}"),
    ("pdop.p95", "PDOP p95", "{:.2f}"),
    ("hdop.p95", "HDOP p95", "{:.2f}"),
    ("vdop.p95", "VDOP p95", "{:.2f}"),
    ("gdop.p95", "GDOP p95", "{:.2f}"),
    ("pdop_p95.worst_cell", "worst-cell PDOP p95", "{:.2f}"),
    ("availability.area_mean", "avail (time x area)", "{:.2%}"),
    ("availability.area_fraction_ge_99pct", "area avail>=99%", "{:.1%}"),
    ("availability.worst_cell", "worst-cell avail", "{:.1%}"),
)


def format_table(summary: dict[str, dict[str, float]], pdop_max: float = 6.0) -> str:
    """Fixed-width text table of the main summary figures (one row per set)."""
    columns = TABLE_COLUMNS
    if summary and all(k in r for r in summary.values() for k, _, _ in ACCURACY_COLUMNS):
        columns = TABLE_COLUMNS + ACCURACY_COLUMNS
    headers = ["set"] + [h for _, h, _ in columns]
    rows = [headers]
    for name, r in summary.items():
        rows.append(
            [name] + [("nan" if np.isnan(r[k]) else f.format(r[k])) for k, _, f in columns]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(
        f"(availability: fix with PDOP <= {pdop_max:g}; DOP over epochs with a fix, area-weighted)"
    )
    singular = [
        f"{name} {r['singular.area_mean']:.3%} of time x area ({r['singular.cell_epochs']:.0f} "
        "cell-epochs)"
        for name, r in summary.items()
        if r.get("singular.cell_epochs", 0) > 0
    ]
    if singular:
        lines.append(
            f"(near-singular geometry, GDOP > {DOP_CEILING:g}, counted as no fix: "
            + "; ".join(singular)
            + ")"
        )
    if note := no_fix_note(summary):
        lines.append(f"({note})")
    return "\n".join(lines)


def no_fix_note(summary: dict[str, dict[str, float]]) -> str | None:
    """Name the sets of :func:`summarize` that never had a fix anywhere, and why (None: none).

    Their DOP figures are NaN; the printed table and report.html say so with this note.

    Examples
    --------
    >>> no_fix_note({"R": {"fix.area_mean": 0.0, "visible.mean": 2.0},
    ...              "C": {"fix.area_mean": 0.9, "visible.mean": 9.0}})[-35:]
    'are nan: R (2.0 in view on average)'
    """
    never = [f"{name} ({r['visible.mean']:.1f} in view on average)"
             for name, r in summary.items() if r.get("fix.area_mean", 1.0) == 0.0]  # fmt: skip
    if not never:
        return None
    return ("no fix at any cell and epoch: too few satellites in view, or a near-singular "
            "geometry, everywhere; its DOP columns are nan: " + "; ".join(never))
