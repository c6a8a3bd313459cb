"""Regional maps: a statistic of every set, and the gains of combined sets, over one region.

:func:`plot_region` draws, over the region's bounding box, one panel per set (shared colour
scale) and one per combined set with its gain over its best single system per cell; cells
outside the region are washed out and the region's outline is drawn over the country
borders (Natural Earth 1:110m, shipped). The window around a region across the
antimeridian is one continuous longitude range. Rendering uses the Agg backend through
:class:`matplotlib.figure.Figure` (no pyplot), as :mod:`gnss.outputs.maps` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
import xarray as xr

from ..analysis.regionstats import grid_of
from ..errors import ParameterError
from ..regions.definitions import Region, cell_weights_m2
from ..stats_catalog import larger_is_better, statistic_of
from .mapscale import fitted_scale
from .maptext import gain_units, set_labels, stat_title
from .regionwindow import (
    WindowCells,
    border_lines,
    lat_label,
    lon_label,
    map_window,
    region_outline,
)

__all__ = ["check_mappable", "draw_region", "plot_region"]

#: A panel: (title, values of shape (n_lat, n_lon), "set" or "gain").
Panel = tuple[str, np.ndarray, str]


def check_mappable(ds: xr.Dataset, stat: str) -> None:
    """Refuse a statistic that is not a per-cell variable of dims (set, lat, lon).

    Raises
    ------
    gnss.ParameterError
        Naming the statistic and what can be mapped.
    """
    if stat not in ds or ds[stat].dims != ("set", "lat", "lon"):
        raise ParameterError(
            f"cannot map {stat!r}: expected a per-cell variable of dims (set, lat, lon) such as "
            "pdop_p95, availability or visible_mean"
        )


def _style(stat: str) -> dict:
    """Colour map, units and scale rules of a regional map (the scale fitted to the data)."""
    meta = statistic_of(stat)
    return {"cmap": meta.cmap, "units": meta.units, "log_when_wide": meta.log_when_wide,
            "upper_bound": meta.upper_bound, "vmin": meta.vmin, "vmax": meta.vmax,
            "gain_units": gain_units(meta.name)}  # fmt: skip


def _panels(ds: xr.Dataset, stat: str) -> list[Panel]:
    """One panel per set, then one per combined set with its gain over its best single."""
    from ..analysis.differences import difference_pairs

    sets = ds["set"].values.tolist()
    labels = set_labels(ds)
    systems = [tuple(x.split(",")) for x in ds["set_systems"].values.tolist()]
    pairs = difference_pairs(sets, systems, [bool(x) for x in ds["set_plain"].values])
    larger = larger_is_better(stat)
    panels = [(labels[s], ds[stat].sel(set=s).values, "set") for s in sets]
    for c, singles in pairs.items():
        single = ds[stat].sel(set=singles).values
        best = np.nanmax(single, axis=0) if larger else np.nanmin(single, axis=0)
        comb = ds[stat].sel(set=c).values
        gain = comb - best if larger else best - comb  # positive = the combination is better
        title = f"{labels[c]}: gain over the better of {' and '.join(labels[x] for x in singles)}"
        panels.append((title, gain, "gain"))
    return panels


def _color_limits(panels: list[Panel], cells: WindowCells, inside: np.ndarray, style: dict):
    """Scales fitted to the cells inside the region: (shared scale of the sets, of the gains)."""
    sets = [cells.take(v)[inside] for _, v, k in panels if k == "set"]
    gains = [cells.take(v)[inside] for _, v, k in panels if k == "gain"]
    set_scale = fitted_scale(sets, log_when_wide=style["log_when_wide"],
                             upper_bound=style["upper_bound"], vmin=style["vmin"],
                             vmax=style["vmax"])  # fmt: skip
    return set_scale, fitted_scale(gains or [np.zeros(0)], diverging=True)


def _figure(box: tuple, n: int, title: str, note: str | None, dpi: int):
    """Figure with ``n`` panels in a grid whose shape suits the window: (fig, axes, aspect)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lon0, lon1, lat0, lat1 = box
    width, height = lon1 - lon0, lat1 - lat0
    aspect = min(4.0, 1.0 / max(math.cos(math.radians(0.5 * (lat0 + lat1))), 0.25))
    ratio = width / (height * aspect)  # drawn width / drawn height of one panel
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
    fig.suptitle(title, fontsize=11)
    return fig, axes, aspect


@dataclass(frozen=True)
class _Scene:
    """What every panel of a regional map shares: cells, window, overlays and colours."""

    cells: WindowCells
    box: tuple
    aspect: float
    wash: np.ma.MaskedArray  # white veil over the cells outside the region
    borders: list[np.ndarray]
    outline: list[np.ndarray]
    style: dict
    limits: tuple  # ColourScale of the set panels, of the gain panels


def _scene(region: Region, cells: WindowCells, box: tuple, aspect: float, inside, style, limits):
    """Collect what the panels share: the veil, and the borders and outline near the window."""
    lon0, lon1, lat0, lat1 = box
    wash = np.ma.masked_array(np.ones(inside.shape), mask=inside)
    box_ = shapely.box(lon0, lat0, lon1, lat1)
    shifted = [s + off for s in border_lines() for off in ((0.0, 0.0), (360.0, 0.0))]
    border_segments = [s for s in shifted if shapely.intersects(box_, shapely.LineString(s))]
    lines = region_outline(region.geometry)
    outline = [s + off for s in lines for off in ((0.0, 0.0), (360.0, 0.0))]
    return _Scene(cells, box, aspect, wash, border_segments, outline, style, limits)


def _draw_panel(fig, ax, panel: Panel, scene: _Scene) -> None:
    """One panel: the values, the veil outside the region, borders, outline, colour bar."""
    import matplotlib
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap
    from matplotlib.ticker import FuncFormatter

    from .maps import NAN_COLOR

    label, values, kind = panel
    set_scale, gain_scale = scene.limits
    x_edges, y_edges = scene.cells.x_edges, scene.cells.y_edges
    data = np.ma.masked_invalid(scene.cells.take(values))
    if kind == "set":
        cmap = matplotlib.colormaps[scene.style["cmap"]].with_extremes(bad=NAN_COLOR)
        scale, units = set_scale, scene.style["units"]
    else:  # blue = the combination is better, red = worse
        cmap = matplotlib.colormaps["RdBu"].with_extremes(bad=NAN_COLOR)
        scale, units = gain_scale, scene.style["gain_units"]
        if scale.note:
            ax.text(0.5, 0.5, scale.note, transform=ax.transAxes, ha="center", va="center",
                    fontsize=8, wrap=True, zorder=5,
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.5"})  # fmt: skip
    mesh = ax.pcolormesh(x_edges, y_edges, data, cmap=cmap, norm=scale.norm(), rasterized=True)
    ax.pcolormesh(
        x_edges, y_edges, scene.wash, cmap=ListedColormap(["white"]), alpha=0.6, rasterized=True
    )
    ax.add_collection(LineCollection(scene.borders, colors="#262626", linewidths=0.4))
    ax.add_collection(LineCollection(scene.outline, colors="#d62728", linewidths=1.3))
    lon0, lon1, lat0, lat1 = scene.box
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(scene.aspect)
    ax.set_title(label, fontsize=9)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: lon_label(x)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: lat_label(y)))
    ax.tick_params(labelsize=7)
    cb = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02)
    cb.ax.tick_params(labelsize=7)
    cb.set_label(units, fontsize=7)


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
    over its best single system per cell (positive = the combination is better, blue); cells
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
    fig = draw_region(ds, region, stat=stat, weights=weights, note=note, dpi=dpi)
    path = Path(path)
    with open(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=dpi, facecolor="white")
    return path


def draw_region(ds: xr.Dataset, region: Region, *, stat="pdop_p95", weights=None, note=None,
                dpi: int = 100):  # fmt: skip
    """Return the figure of :func:`plot_region` (not saved): panels, colour bars, legend."""
    check_mappable(ds, stat)
    grid = grid_of(ds)
    w = cell_weights_m2(region, grid) if weights is None else np.asarray(weights)
    lat, lon = ds["lat"].values, ds["lon"].values
    box = map_window(w > 0, lat, lon, grid.resolution_deg)
    panels = _panels(ds, stat)
    cells = WindowCells.of(lat, lon, box)
    inside = cells.take(w > 0)
    style = _style(stat)
    limits = _color_limits(panels, cells, inside, style)
    pdop_max = float(ds.attrs["pdop_max"]) if "pdop_max" in ds.attrs else None
    title = f"{region.name} ({region.code}): {stat_title(stat, pdop_max)}"
    fig, axes, aspect = _figure(box, len(panels), title, note, dpi)
    scene = _scene(region, cells, box, aspect, inside, style, limits)
    for ax, panel in zip(axes, panels, strict=False):
        _draw_panel(fig, ax, panel, scene)
    if any(np.isnan(cells.take(v)).any() for _, v, _k in panels):
        _no_fix_legend(fig, stat)
    return fig


def _no_fix_legend(fig, stat: str) -> None:
    """Legend entry of the grey cells: no fix in any epoch (DOP), else no value."""
    from matplotlib.patches import Patch

    from .maps import NAN_COLOR

    label = "no fix in any epoch" if statistic_of(stat).log_when_wide else "no data (NaN)"
    fig.legend(handles=[Patch(facecolor=NAN_COLOR, edgecolor="0.5", label=label)],
               loc="upper right", fontsize=7, frameon=False)  # fmt: skip
