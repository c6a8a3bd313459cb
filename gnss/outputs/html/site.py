"""``report.html`` of a site run: what was run, the summary per site and set, the plots."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .page import document, write_html
from .pictures import file_uri, series_chart_uri
from .tables import esc, frame_table, html_table


def _run_html(ds: xr.Dataset) -> str:
    sites = html_table(
        ["site", "latitude (deg)", "longitude (deg)", "height (m)"],
        [[s, f"{la:.4f}", f"{lo:.4f}", f"{h:g}"] for s, la, lo, h in zip(
            ds["site"].values, ds["lat_deg"].values, ds["lon_deg"].values,
            ds["height_m"].values, strict=True)],
    )  # fmt: skip
    desc = ds["description"].values if "description" in ds.coords else [""] * ds.sizes["set"]
    sets = html_table(["set", "what it holds"],
                      [[s, d] for s, d in zip(ds["set"].values.tolist(), desc, strict=True)])
    keys = ("start_utc", "step_s", "elevation_mask_deg", "clock")
    params = html_table(["parameter", "value"],
                        [[k, str(ds.attrs[k])] for k in keys if k in ds.attrs] +
                        [["epochs", str(ds.sizes["time"])]])  # fmt: skip
    return f"<h3>Sites</h3>{sites}<h3>Sets</h3>{sets}<h3>Parameters</h3>{params}"


def _charts(ds: xr.Dataset) -> str:
    """Return a PDOP and a visible-count chart per site (when the run wrote no plots)."""
    times = pd.to_datetime(ds["time"].values)
    parts = []
    for site in ds["site"].values.tolist():
        d = ds.sel(site=site)
        sets = d["set"].values.tolist()
        pdop = {s: d["pdop"].sel(set=s).values for s in sets}
        vis = {s: d["visible"].sel(set=s).values.astype(float) for s in sets}
        parts.append(f'<img class="plot" src="{series_chart_uri(times, pdop, "PDOP", f"PDOP at {site} (gaps: no fix)")}" alt="PDOP at {esc(site)}">')  # noqa: E501
        parts.append(f'<img class="plot" src="{series_chart_uri(times, vis, "satellites", f"Satellites in view at {site}")}" alt="visible at {esc(site)}">')  # noqa: E501
    return "".join(parts)


def site_report(ds: xr.Dataset, summary: pd.DataFrame, images: Sequence[Path] = ()) -> str:
    """Return the report page of a site run (see :func:`write_site_report`)."""
    fixed = summary.dropna(subset=["pdop_mean"])  # a set without any fix has no mean PDOP
    best = fixed.loc[fixed.groupby("site")["pdop_mean"].idxmin()] if len(fixed) else fixed
    lines = [f"At {r.site}, {r.set} has the lowest mean PDOP ({r.pdop_mean:.2f}; availability "
             f"{100 * r.availability:.1f} %, at least {r.visible_min:.0f} satellites in view)."
             for r in best.itertuples() if np.isfinite(r.pdop_mean)]  # fmt: skip
    lead = ('<div class="lead"><ul>' + "".join(f"<li>{esc(t)}</li>" for t in lines)
            + "</ul></div>") if lines else ""  # fmt: skip
    figs = "".join(f'<figure><img class="plot" src="{file_uri(p)}" alt="{esc(p.name)}">'
                   f"<figcaption>{esc(p.name)}</figcaption></figure>" for p in images)
    plots = f'<div class="row">{figs}</div>' if figs else _charts(ds)
    sections = [
        ("run", "What was run", _run_html(ds)),
        ("summary", "Summary per site and set", frame_table(summary)),
        ("plots", "Plots", plots),
    ]
    written = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    footer = f"gnss-coverage site report, written {written}"
    names = ", ".join(ds["site"].values.tolist())
    return document(f"GNSS at {names}", sections, lead, footer)


def write_site_report(
    ds: xr.Dataset, path: str | Path, summary: pd.DataFrame, images: Sequence[str | Path] = ()
) -> Path:
    """Write ``report.html`` of a site run: one self-contained page (no network).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.site_timeseries`.
    path : path
        The file to write (replaced atomically).
    summary : pandas.DataFrame
        Per site and set (:func:`gnss.study.site.site_summary`).
    images : sequence of path
        PNG files to embed (the run's sky plots and time series); without any, a PDOP and
        a visible-count chart per site are drawn from ``ds``.

    Returns
    -------
    pathlib.Path
    """
    return write_html(path, site_report(ds, summary, [Path(p) for p in images]))
