"""``report.html`` of a site or route run: what was run, the summary, the plots."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...analysis.sites import no_fix_notes
from .page import document, write_html
from .pictures import file_uri, series_chart_uri
from .tables import esc, frame_table, html_table


def is_route(ds: xr.Dataset) -> bool:
    """Whether ``ds`` is a route's time series (the receiver's position along ``time``)."""
    return ds["lat_deg"].dims == ("time",)


def _places_html(ds: xr.Dataset) -> str:
    """Return the table of the sites, or of the route: where it starts and ends, how far north."""
    if not is_route(ds):
        return "<h3>Sites</h3>" + html_table(
            ["site", "latitude (deg)", "longitude (deg)", "height (m)"],
            [[s, f"{la:.4f}", f"{lo:.4f}", f"{h:g}"] for s, la, lo, h in zip(
                ds["site"].values, ds["lat_deg"].values, ds["lon_deg"].values,
                ds["height_m"].values, strict=True)],
        )  # fmt: skip
    lat, lon = ds["lat_deg"].values, ds["lon_deg"].values
    times = pd.to_datetime(ds["time"].values).strftime("%Y-%m-%d %H:%M UTC")
    north, south = int(np.argmax(lat)), int(np.argmin(lat))

    def where(i: int) -> str:
        return f"{lat[i]:.4f}° lat, {lon[i]:.4f}° lon at {times[i]}"

    rows = [["route", str(ds["site"].values[0])],
            ["file", str(ds.attrs.get("route_source", ""))],
            ["from", where(0)], ["to", where(-1)],
            ["northernmost epoch", where(north)], ["southernmost epoch", where(south)]]
    return "<h3>Route</h3>" + html_table(["", ""], rows)


def _run_html(ds: xr.Dataset) -> str:
    desc = ds["description"].values if "description" in ds.coords else [""] * ds.sizes["set"]
    sets = html_table(["set", "what it holds"],
                      [[s, d] for s, d in zip(ds["set"].values.tolist(), desc, strict=True)])
    keys = ("start_utc", "step_s", "elevation_mask_deg", "clock")
    params = html_table(["parameter", "value"],
                        [[k, str(ds.attrs[k])] for k in keys if k in ds.attrs] +
                        [["epochs", str(ds.sizes["time"])]])  # fmt: skip
    return f"{_places_html(ds)}<h3>Sets</h3>{sets}<h3>Parameters</h3>{params}"


def _charts(ds: xr.Dataset) -> str:
    """Return a PDOP and a visible-count chart per site (when the run wrote no plots)."""
    times = pd.to_datetime(ds["time"].values)
    parts = []
    for site in ds["site"].values.tolist():
        d = ds.sel(site=site)
        sets = d["set"].values.tolist()
        pdop = {s: d["pdop"].sel(set=s).values for s in sets}
        vis = {s: d["visible"].sel(set=s).values.astype(float) for s in sets}
        at = f"along {site}" if is_route(ds) else f"at {site}"
        parts.append(f'<img class="plot" src="{series_chart_uri(times, pdop, "PDOP", f"PDOP {at} (gaps: no fix)")}" alt="PDOP {esc(at)}">')  # noqa: E501
        parts.append(f'<img class="plot" src="{series_chart_uri(times, vis, "satellites", f"Satellites in view {at}")}" alt="visible {esc(at)}">')  # noqa: E501
    return "".join(parts)


def site_report(ds: xr.Dataset, summary: pd.DataFrame, images: Sequence[Path] = ()) -> str:
    """Return the report page of a site or route run (see :func:`write_site_report`)."""
    route = is_route(ds)
    fixed = summary.dropna(subset=["pdop_mean"])  # a set without any fix has no mean PDOP
    best = fixed.loc[fixed.groupby("site")["pdop_mean"].idxmin()] if len(fixed) else fixed
    where = "Along the route" if route else "At"
    lines = [f"{where} {r.site}, {r.set} has the lowest mean PDOP ({r.pdop_mean:.2f}; availability "
             f"{100 * r.availability:.1f} %, at least {r.visible_min:.0f} satellites in view)."
             for r in best.itertuples() if np.isfinite(r.pdop_mean)]  # fmt: skip
    lines += [f"{t[0].upper()}{t[1:]}." for t in no_fix_notes(summary)]
    lead = ('<div class="lead"><ul>' + "".join(f"<li>{esc(t)}</li>" for t in lines)
            + "</ul></div>") if lines else ""  # fmt: skip
    figs = "".join(f'<figure><img class="plot" src="{file_uri(p)}" alt="{esc(p.name)}">'
                   f"<figcaption>{esc(p.name)}</figcaption></figure>" for p in images)
    plots = f'<div class="row">{figs}</div>' if figs else _charts(ds)
    sections = [
        ("run", "What was run", _run_html(ds)),
        ("summary", "Summary per set" if route else "Summary per site and set",
         frame_table(summary)),
        ("plots", "Plots", plots),
    ]
    written = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    footer = f"gnss-coverage {'route' if route else 'site'} report, written {written}"
    names = ", ".join(ds["site"].values.tolist())
    title = f"GNSS along the route {names}" if route else f"GNSS at {names}"
    return document(title, sections, lead, footer)


def write_site_report(
    ds: xr.Dataset, path: str | Path, summary: pd.DataFrame, images: Sequence[str | Path] = ()
) -> Path:
    """Write ``report.html`` of a site or route run: one self-contained page (no network).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.site_timeseries` or :func:`gnss.route_timeseries` (then the
        page shows the route: where it starts and ends, its northernmost and southernmost
        epoch, and the summary per set).
    path : path
        The file to write (replaced atomically).
    summary : pandas.DataFrame
        Per site and set (:func:`gnss.analysis.sites.site_summary`).
    images : sequence of path
        PNG files to embed (the run's sky plots and time series); without any, a PDOP and
        a visible-count chart per site are drawn from ``ds``.

    Returns
    -------
    pathlib.Path
    """
    return write_html(path, site_report(ds, summary, [Path(p) for p in images]))
