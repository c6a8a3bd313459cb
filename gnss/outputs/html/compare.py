"""``report.html`` of a comparison: what was run, the answer, tables, maps, the time control."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from ...analysis.summary import no_fix_note, summarize
from ...stats_catalog import STATISTICS
from .content import gain_field, headline, pairs_of, run_rows, set_rows, system_names
from .page import document, write_html
from .pictures import colorbar_html, file_uri, raster_uri
from .scales import diverging_scale, fit_scale
from .tables import esc, frame_table, html_table, summary_table

#: Per-cell statistics mapped in the report (those in the dataset), each set side by side.
REPORT_STATS = ("pdop_p95", "availability", "visible_mean", "pdop_mean", "hdop_p95",
                "vdop_p95", "gdop_p95", "visible_min", "pdop_max")  # fmt: skip
#: Gains mapped per combined set (positive = the combination is better).
GAIN_STATS = ("pdop_p95", "availability", "visible_mean")

SIGN_NOTE = ("Sign convention everywhere in this report: a gain is positive when the combination "
             "is better than its best single system in that cell (smaller DOP, more availability, "
             "more satellites); blue is a gain, red a loss.")  # fmt: skip


def _figure(src: str, caption: str, alt: str) -> str:
    return (f'<figure><div class="map"><img src="{src}" alt="{esc(alt)}"></div>'
            f"<figcaption>{esc(caption)}</figcaption></figure>")  # fmt: skip


def _stat_title(stat: str, ds: xr.Dataset) -> str:
    meta = STATISTICS[stat]
    title = f"{meta.display_name} ({meta.units})"
    if stat == "availability":
        title += f", fix with PDOP <= {float(ds.attrs.get('pdop_max', 6.0)):g}"
    return title


def maps_html(ds: xr.Dataset) -> str:
    """One block per statistic: every set side by side on one data-fitted colour scale."""
    sets = ds["set"].values.tolist()
    blocks = []
    for stat in (s for s in REPORT_STATS if s in ds):
        meta = STATISTICS[stat]
        fields = [ds[stat].sel(set=s).values for s in sets]
        scale = fit_scale(fields, meta.cmap, _stat_title(stat, ds), dop=meta.units == "DOP",
                          fraction=meta.units.startswith("fraction"))
        figs = "".join(
            _figure(raster_uri(f, scale), f"{s} ({system_names(_systems(ds, s))})", f"{stat} {s}")
            for s, f in zip(sets, fields, strict=True)
        )
        kind = "log" if scale.log else "linear"
        bar = colorbar_html(scale, f"{kind}, shared by all sets; grey: no fix")
        blocks.append(f'<h3>{esc(_stat_title(stat, ds))}</h3><div class="row">{figs}</div>{bar}')
    return "".join(blocks)


def _systems(ds: xr.Dataset, name: str) -> str:
    return str(ds["set_systems"].sel(set=name).item()) if "set_systems" in ds else name


def gains_html(ds: xr.Dataset, pairs: dict[str, list[str]]) -> str:
    """Gain maps of each combined set over its best single system, centred at 0."""
    if not pairs:
        return "<p>No combined set whose systems all run alone: no gains to show.</p>"
    blocks = [f"<p>{esc(SIGN_NOTE)}</p>"]
    for stat in GAIN_STATS:
        meta = STATISTICS[stat]
        fields = {c: gain_field(ds, stat, c, singles).values for c, singles in pairs.items()}
        scale = diverging_scale(fields.values(), f"gain in {meta.display_name} ({meta.units})")
        figs = "".join(
            _figure(raster_uri(f, scale), f"{c} over the better of {', '.join(pairs[c])}",
                    f"gain {stat} {c}")
            for c, f in fields.items()
        )  # fmt: skip
        flat = all(np.nanmax(np.abs(f), initial=0.0) < 1e-12 for f in fields.values())
        note = "; white everywhere: no difference in any cell" if flat else ""
        bar = colorbar_html(scale, "positive = the combination is better" + note)
        title = f"<h3>Gain in {esc(meta.display_name)}</h3>"
        blocks.append(f'{title}<div class="row">{figs}</div>{bar}')
    return "".join(blocks)


def _run_html(ds: xr.Dataset) -> str:
    sets = html_table(["set", "systems", "satellites", "what it holds"], set_rows(ds))
    rows = "".join(f"<tr><th>{esc(k)}</th><td><pre>{esc(v)}</pre></td></tr>"
                   for k, v in run_rows(ds))  # fmt: skip
    return f"<h3>Sets</h3>{sets}<h3>Parameters</h3><table>{rows}</table>"


def _regions_html(region_report, region_pngs: Sequence[Path]) -> str:
    comp = region_report.comparison
    keep = ["region", "region_name", "area_km2"] + [
        c for c in comp.columns
        if c.startswith(("availability_integral", "pdop_p95_area_mean", "pdop_p95_time_area"))
        and "best_single" not in c
    ]  # fmt: skip
    parts = [f"<p>{esc(SIGN_NOTE)}</p><h3>Regions side by side</h3>", frame_table(comp, keep)]
    for c, rk in region_report.rankings.items():
        parts.append(f"<h3>Ranking of the regions by the gain of {esc(c)}</h3>")
        parts.append(frame_table(rk))
    figs = "".join(f'<figure><img class="plot" src="{file_uri(p)}" alt="{esc(p.name)}">'
                   f"<figcaption>{esc(p.name)}</figcaption></figure>" for p in region_pngs)
    if figs:
        parts.append(f'<h3>Regional maps</h3><div class="row">{figs}</div>')
    return "".join(parts)


def _no_fix_html(summary: dict) -> str:
    """Return the note naming the sets without a fix anywhere (their DOP cells show a dash)."""
    note = no_fix_note(summary)
    return f'<p class="muted">{esc(note[0].upper() + note[1:])}.</p>' if note else ""


def comparison_report(
    ds: xr.Dataset,
    *,
    summary: dict | None = None,
    snapshots: xr.Dataset | None = None,
    region_report=None,
    region_pngs: Sequence[Path] = (),
) -> str:
    """Return the report page of a comparison dataset (see :func:`write_report`)."""
    from .viewer import viewer_html

    summary = summary if summary is not None else summarize(ds)
    pairs = pairs_of(ds)
    comp = getattr(region_report, "comparison", None)
    lines = [headline(ds, summary, c, s, comp) for c, s in pairs.items()]
    lead = ('<div class="lead"><ul>' + "".join(f"<li>{esc(t)}</li>" for t in lines) + "</ul>"
            f'<p class="muted">{esc(SIGN_NOTE)}</p></div>') if lines else ""  # fmt: skip
    pdop_max = float(ds.attrs.get("pdop_max", 6.0))
    sections = [
        ("run", "What was run", _run_html(ds)),
        ("summary", "Global summary", summary_table(summary)
         + f'<p class="muted">Availability: fix with PDOP <= {pdop_max:g};'
         " DOP over the epochs with a fix, area-weighted.</p>" + _no_fix_html(summary)),
        ("maps", "Maps per statistic", maps_html(ds)),
        ("gains", "Gains of the combined sets", gains_html(ds, pairs)),
    ]  # fmt: skip
    if snapshots is not None:
        sections.append(("time", "The day unfolding", viewer_html(snapshots)))
    if region_report is not None:
        sections.append(("regions", "Regions", _regions_html(region_report, region_pngs)))
    written = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    footer = (f"gnss-coverage report, written {written}; "
              f"{esc(ds.attrs.get('library_versions', ''))}")  # fmt: skip
    return document("GNSS coverage: " + ", ".join(ds["set"].values.tolist()), sections, lead,
                    footer)  # fmt: skip


def write_report(
    ds: xr.Dataset,
    path: str | Path,
    *,
    summary: dict | None = None,
    snapshots: xr.Dataset | None = None,
    region_report=None,
    region_pngs: Sequence[str | Path] = (),
) -> Path:
    """Write ``report.html``: one self-contained page (no network) about a comparison.

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage`.
    path : path
        The file to write (replaced atomically).
    summary : dict, optional
        As :func:`gnss.summarize` (computed when not given).
    snapshots : xarray.Dataset, optional
        Frames of the time control (:func:`gnss.global_snapshots`); no time control without.
    region_report : gnss.outputs.report.RegionReport, optional
        Region tables and rankings (:func:`gnss.write_region_outputs`).
    region_pngs : sequence of path
        Regional map files to embed.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import gnss, tempfile, pathlib
    >>> study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800, resolution_deg=15)
    >>> ds = gnss.run_comparison(study).dataset
    >>> p = gnss.write_report(ds, pathlib.Path(tempfile.mkdtemp()) / "report.html")
    >>> "R+C (GLONASS + BeiDou) improves PDOP p95" in p.read_text()
    True
    """
    text = comparison_report(ds, summary=summary, snapshots=snapshots, region_report=region_report,
                             region_pngs=[Path(p) for p in region_pngs])  # fmt: skip
    return write_html(path, text)
