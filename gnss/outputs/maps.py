"""Coverage maps as PNG files, drawn with matplotlib only (no cartopy, no download).

Fields on a latitude/longitude grid are drawn in plate carrée (longitude and latitude in
degrees as x and y) with ``pcolormesh``; coastlines and country borders come from the
Natural Earth 1:110m polygons shipped in ``gnss/data/borders_110m.geojson`` (public domain,
see ``gnss/data/README.md`` and ``builders/build_borders.py``).

Rendering uses the Agg backend through :class:`matplotlib.figure.Figure` and
:class:`matplotlib.backends.backend_agg.FigureCanvasAgg`; pyplot and its global state are
never touched, so the module is safe in scripts, servers and threads.
"""

from __future__ import annotations

import functools
import math
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.patheffects
import numpy as np
import shapely
import xarray
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..errors import OutputError, ParameterError
from ..io import atomic_write
from ..regions.borders import borders, read_borders
from .mapfield import cell_edges_deg, validated_field

__all__ = ["borders", "plot_field"]

NAN_COLOR = "#d9d9d9"  # light grey: cells without a finite value
BORDER_COLOR = "#262626"
BORDER_WIDTH_PT = 0.45
BORDER_HALO = {"linewidth": 1.1, "foreground": "white", "alpha": 0.3}  # legible on dark cells
GRATICULE_STEP_DEG = 30
DEFAULT_CMAP = "viridis"
DEFAULT_DIVERGING_CMAP = "RdBu_r"

# Figure layout in inches (the map keeps a 2:1 plate carrée aspect).
_MAP_W_IN = 8.4
_MAP_H_IN = _MAP_W_IN / 2.0
_LEFT_IN = 0.6
_GAP_CBAR_IN = 0.2
_CBAR_W_IN = 0.18
_RIGHT_IN = 1.0
_TOP_IN = 0.55
_BOTTOM_IN = 0.45  # tick labels
_LEGEND_IN = 0.25  # the no-data legend under the map, when some cells are NaN
_NOTE_LINE_IN = 0.16
_NOTE_WRAP_CHARS = 150


@functools.lru_cache(maxsize=1)
def _border_segments() -> tuple[np.ndarray, ...]:
    """Polygon boundaries as ``(n_vertices, 2)`` lon/lat arrays in degrees, cached."""
    boundaries = shapely.get_parts(shapely.boundary(read_borders().geometry.values))
    rings = shapely.get_parts(boundaries)  # MultiLineString -> LineString
    segments = tuple(shapely.get_coordinates(ring) for ring in rings)
    for seg in segments:
        seg.setflags(write=False)
    return segments


def _degree_label(value_deg: float, positive: str, negative: str) -> str:
    """Tick label such as ``30°E``, ``60°S`` or ``0°``."""
    v = round(float(value_deg))
    if v == 0:
        return "0°"
    return f"{abs(v)}°{positive if v > 0 else negative}"


def _color_range(
    values: np.ndarray, vmin: float | None, vmax: float | None, diverging: bool
) -> tuple[float, float]:
    """Colour limits from the finite values and the caller's ``vmin``/``vmax``."""
    finite = values[np.isfinite(values)]
    if diverging:
        given = [abs(v) for v in (vmin, vmax) if v is not None]
        half = max(given) if given else (float(np.max(np.abs(finite))) if finite.size else 1.0)
        if not half > 0:
            half = 1.0
        return -half, half
    lo = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if hi < lo:
        raise ParameterError(f"vmin must not exceed vmax, got vmin={vmin!r}, vmax={vmax!r}")
    if hi == lo:  # a constant field still gets a usable colour bar
        pad = abs(lo) * 0.05 or 0.5
        lo, hi = lo - pad, hi + pad
    return lo, hi


def _checked_path(path: str | os.PathLike) -> Path:
    """Return the output file as a Path; refuse a missing folder, or a folder as the file."""
    path = Path(os.fspath(path))
    if not path.parent.is_dir():
        raise OutputError(
            f"cannot write {path}: directory {path.parent} does not exist; create it first"
        )
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory; give a file name like map.png")
    return path


def _checked_colormap(cmap, diverging: bool, dpi, vmin, vmax):
    """Check ``dpi``, ``vmin`` and ``vmax``; return the colormap (NaN drawn in light grey)."""
    if isinstance(dpi, bool) or not isinstance(dpi, int | np.integer) or not 10 <= dpi <= 1200:
        raise ParameterError(f"dpi must be an integer between 10 and 1200, got {dpi!r}")
    for name, value in (("vmin", vmin), ("vmax", vmax)):
        if value is not None and not math.isfinite(value):
            raise ParameterError(f"{name} must be a finite number or None, got {value!r}")
    cmap_name = cmap or (DEFAULT_DIVERGING_CMAP if diverging else DEFAULT_CMAP)
    try:
        colormap = matplotlib.colormaps[cmap_name]
    except KeyError:
        raise ParameterError(
            f"unknown colormap {cmap_name!r}; use a matplotlib name such as 'viridis', "
            "'magma' or, for differences, 'RdBu_r'"
        ) from None
    return colormap.with_extremes(bad=NAN_COLOR)


def _extend(values: np.ndarray, lo: float, hi: float) -> str:
    """Colour bar arrows: on the side(s) where finite values lie outside ``lo..hi``."""
    finite = values[np.isfinite(values)]
    below = bool(finite.size and finite.min() < lo)
    above = bool(finite.size and finite.max() > hi)
    return {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )


@dataclass(frozen=True)
class _Layout:
    """Figure size and the note under the map, in inches."""

    note_lines: list[str]
    note_h_in: float
    fig_w_in: float
    fig_h_in: float
    bottom_in: float  # below the map: tick labels, the no-data legend, the note

    @classmethod
    def of(cls, note: str | None, n_missing: int) -> _Layout:
        note_lines: list[str] = []
        if note:
            for paragraph in str(note).splitlines():
                note_lines.extend(textwrap.wrap(paragraph, _NOTE_WRAP_CHARS) or [""])
        note_h_in = _NOTE_LINE_IN * len(note_lines) + (0.2 if note_lines else 0.0)
        fig_w_in = _LEFT_IN + _MAP_W_IN + _GAP_CBAR_IN + _CBAR_W_IN + _RIGHT_IN
        bottom_in = _BOTTOM_IN + (_LEGEND_IN if n_missing else 0.0) + note_h_in
        fig_h_in = _TOP_IN + _MAP_H_IN + bottom_in
        return cls(note_lines, note_h_in, fig_w_in, fig_h_in, bottom_in)


def _new_figure(layout: _Layout, dpi: int):
    """Make the figure with its map axes and colour bar axes: (fig, ax, cax)."""
    fig_w_in, fig_h_in, bottom_in = layout.fig_w_in, layout.fig_h_in, layout.bottom_in
    fig = Figure(figsize=(fig_w_in, fig_h_in), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes(
        (_LEFT_IN / fig_w_in, bottom_in / fig_h_in, _MAP_W_IN / fig_w_in, _MAP_H_IN / fig_h_in)
    )
    cax = fig.add_axes(
        (
            (_LEFT_IN + _MAP_W_IN + _GAP_CBAR_IN) / fig_w_in,
            bottom_in / fig_h_in,
            _CBAR_W_IN / fig_w_in,
            _MAP_H_IN / fig_h_in,
        )
    )
    return fig, ax, cax


def _draw_map(ax, field: xarray.DataArray, values: np.ndarray, colormap, lo, hi, title: str):
    """Draw the cells, the country borders, the graticule and the title; return the mesh."""
    lat_edges = cell_edges_deg(np.asarray(field["lat"].values, dtype=np.float64), -90.0, 90.0)
    lon_edges = cell_edges_deg(np.asarray(field["lon"].values, dtype=np.float64), -180.0, 180.0)
    mesh = ax.pcolormesh(
        lon_edges,
        lat_edges,
        np.ma.masked_invalid(values),
        cmap=colormap,
        norm=Normalize(vmin=lo, vmax=hi),
        shading="flat",
        rasterized=True,
        zorder=1,
    )
    ax.add_collection(
        LineCollection(
            _border_segments(),
            colors=BORDER_COLOR,
            linewidths=BORDER_WIDTH_PT,
            zorder=3,
            capstyle="round",
            joinstyle="round",
            path_effects=[matplotlib.patheffects.withStroke(**BORDER_HALO)],
        ),
        autolim=False,
    )
    ax.set_xlim(-180.0, 180.0)
    ax.set_ylim(-90.0, 90.0)
    ax.set_aspect("equal", adjustable="box")
    lon_ticks = np.arange(-180, 181, GRATICULE_STEP_DEG)
    lat_ticks = np.arange(-90, 91, GRATICULE_STEP_DEG)
    ax.set_xticks(lon_ticks, [_degree_label(v, "E", "W") for v in lon_ticks], fontsize=8)
    ax.set_yticks(lat_ticks, [_degree_label(v, "N", "S") for v in lat_ticks], fontsize=8)
    ax.grid(True, color="0.45", linewidth=0.4, linestyle=(0, (2, 3)), alpha=0.8, zorder=2)
    ax.set_axisbelow(False)
    ax.set_title(title, fontsize=12, pad=8)
    return mesh


def _nan_legend(ax, n_missing: int, n_cells: int, layout: _Layout) -> None:
    """Add the legend entry under the map for the cells without a value."""
    ax.legend(
        handles=[
            Patch(
                facecolor=NAN_COLOR,
                edgecolor="0.5",
                linewidth=0.5,
                label=f"no data (NaN): {n_missing} of {n_cells} cells",
            )
        ],
        loc="lower right",
        bbox_to_anchor=(
            (_LEFT_IN + _MAP_W_IN) / layout.fig_w_in,
            (layout.note_h_in + 0.08) / layout.fig_h_in,
        ),
        bbox_transform=ax.figure.transFigure,
        fontsize=7.5,
        frameon=False,
        borderaxespad=0.0,
        handlelength=1.4,
    )


def _render(field, colormap, title, units, limits, diverging: bool, note, dpi: int) -> Figure:
    """Draw the whole figure: map, colour bar, no-data legend and note."""
    values = np.asarray(field.values, dtype=np.float64)
    lo, hi = _color_range(values, *limits, diverging)
    n_missing = int(values.size - np.isfinite(values).sum())
    layout = _Layout.of(note, n_missing)
    fig, ax, cax = _new_figure(layout, dpi)
    mesh = _draw_map(ax, field, values, colormap, lo, hi, title)
    cbar = fig.colorbar(mesh, cax=cax, extend=_extend(values, lo, hi))
    cbar.ax.tick_params(labelsize=8)
    units = field.attrs.get("units") if units is None else units
    if units:
        cbar.set_label(str(units), fontsize=9)
    if n_missing:
        _nan_legend(ax, n_missing, values.size, layout)
    if layout.note_lines:
        fig.text(_LEFT_IN / layout.fig_w_in, 0.12 / layout.fig_h_in, "\n".join(layout.note_lines),
                 fontsize=7, color="0.25", ha="left", va="bottom", linespacing=1.25)  # fmt: skip
    return fig


def _save_png(fig: Figure, path: Path, dpi: int) -> Path:
    """Write the PNG through a temporary file (:func:`gnss.io.atomic_write`)."""
    return atomic_write(
        path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi, facecolor="white")
    )


def plot_field(
    field: xarray.DataArray,
    path: str | os.PathLike,
    *,
    title: str,
    units: str | None = None,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    diverging: bool = False,
    note: str | None = None,
    dpi: int = 110,
) -> Path:
    """Draw a global latitude/longitude field as a PNG map with country borders.

    Plate carrée axes over longitude −180°..180° and latitude −90°..90°, one ``pcolormesh``
    cell per grid cell (edges halfway between the centres, outer edges half a spacing
    beyond the outermost centres, clipped to the globe), country borders (Natural Earth
    1:110m, shipped) in thin dark lines, a graticule every 30°, a colour bar with the units.
    NaN (or ±inf) cells are light grey, with a legend entry. The PNG is rendered into a
    temporary file next to ``path`` and moved onto it (:func:`os.replace`) only when
    complete: a failure never leaves a partial file and keeps an existing one.

    Parameters
    ----------
    field : xarray.DataArray
        Values of shape ``(n_lat, n_lon)``, dims ``("lat", "lon")`` (or ``("lon", "lat")``),
        coordinates the cell-centre latitudes (−90..90) and longitudes (−180..180) in
        degrees, strictly monotonic (descending ones are flipped); NaN: no value.
    path : str or os.PathLike
        Output PNG file (always PNG); its directory must exist.
    title : str
        Title above the map.
    units : str, optional
        Colour bar label; default ``field.attrs["units"]`` when present.
    cmap : str, optional
        Matplotlib colormap name; default ``"viridis"``, or ``"RdBu_r"`` when ``diverging``.
    vmin, vmax : float, optional
        Colour range in the field's units; default: the finite data range. Values outside
        saturate and the colour bar shows an arrow on that side.
    diverging : bool, default False
        Colour range symmetric around 0 (``-a..a``, ``a`` the largest given ``|vmin|``, ``|vmax|``,
        else the largest ``|value|``) and a diverging colormap: for difference maps.
    note : str, optional
        Small text under the map (provenance), wrapped to the figure width; newlines kept.
    dpi : int, default 110
        Resolution (the figure is about 10.4 × 5.5 inches plus the note lines).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ParameterError
        If ``field`` is not a DataArray with dims ``("lat", "lon")``, is empty, or its coordinates
        are missing, out of range or not monotonic; or if cmap, dpi, vmin or vmax is invalid.
    OutputError
        If the directory of ``path`` does not exist or ``path`` is a directory.

    Examples
    --------
    >>> import numpy as np, xarray, tempfile, pathlib
    >>> from gnss.outputs.maps import plot_field
    >>> lat, lon = np.arange(-89.0, 90.0, 2.0), np.arange(-179.0, 180.0, 2.0)
    >>> values = np.cos(np.radians(lat))[:, None] * np.ones(lon.size)
    >>> field = xarray.DataArray(values, coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))
    >>> out = plot_field(field, pathlib.Path(tempfile.mkdtemp()) / "cos.png",
    ...                  title="cos(latitude)", units="1", note="synthetic example")
    >>> out.suffix
    '.png'
    """
    field = validated_field(field)
    path = _checked_path(path)
    colormap = _checked_colormap(cmap, diverging, dpi, vmin, vmax)
    fig = _render(field, colormap, title, units, (vmin, vmax), diverging, note, dpi)
    return _save_png(fig, path, dpi)
