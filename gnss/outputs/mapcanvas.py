"""One figure reused for every global map: what stays (borders, graticule) drawn once.

Drawing a map from scratch costs most of its time in making the axes, their ticks and the
country borders, which are the same on every map. A :class:`Canvas` makes them once per
layout (footer, no-data legend, dpi, colour-bar arrows) and thread, and renders the page,
frame, tick labels and footer once into a background; each map then restores it and draws
only its raster, graticule, borders, colour bar, title and legend over it
(:meth:`Canvas.draw`), and takes its own artists off again (:meth:`Canvas.clear`), so a map's
bytes do not depend on the maps drawn before it (tests/test_map_scales.py). The cells are an
``imshow`` raster (a regular grid whose cells all lie inside the globe) or a ``pcolormesh``.
"""

from __future__ import annotations

import functools
import textwrap
import threading
from dataclasses import dataclass

import matplotlib.patheffects
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FormatStrFormatter, LogLocator

from ..regions.borders import read_borders
from .mapfield import cell_edges_deg, without_antimeridian_cuts
from .mapscale import ColourScale

NAN_COLOR = "#d9d9d9"  # light grey: cells without a finite value (no fix)
BORDER_COLOR = "#262626"
BORDER_WIDTH_PT = 0.45
BORDER_HALO = {"linewidth": 1.1, "foreground": "white", "alpha": 0.3}  # legible on dark cells
GRATICULE_STEP_DEG = 30

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
def border_path_deg() -> np.ndarray:
    """All border segments in one ``(n, 2)`` lon/lat array, a NaN row between two, cached."""
    parts = []
    for seg in border_segments():
        parts += [seg, np.full((1, 2), np.nan)]
    path = np.concatenate(parts[:-1])
    path.setflags(write=False)
    return path


@functools.lru_cache(maxsize=1)
def border_segments() -> tuple[np.ndarray, ...]:
    """Polygon boundaries as ``(n_vertices, 2)`` lon/lat arrays in degrees, cached.

    The cuts of polygons split at the antimeridian (Russia, Fiji, Antarctica) are left out:
    they are no border, and drew a line along ±180°.
    """
    boundaries = shapely.get_parts(shapely.boundary(read_borders().geometry.values))
    rings = shapely.get_parts(boundaries)  # MultiLineString -> LineString
    segments = tuple(
        s for ring in rings for s in without_antimeridian_cuts(shapely.get_coordinates(ring))
    )
    for seg in segments:
        seg.setflags(write=False)
    return segments


def degree_label(value_deg: float, positive: str, negative: str) -> str:
    """Tick label such as ``30°E``, ``60°S`` or ``0°``."""
    v = round(float(value_deg))
    if v == 0:
        return "0°"
    return f"{abs(v)}°{positive if v > 0 else negative}"


def note_lines(note: str | None) -> tuple[str, ...]:
    """Wrap the note under the map to the figure width (newlines kept)."""
    lines: list[str] = []
    for paragraph in str(note or "").splitlines():
        lines.extend(textwrap.wrap(paragraph, _NOTE_WRAP_CHARS) or [""])
    return tuple(lines)


@dataclass(frozen=True)
class Layout:
    """Figure size and the space under the map, in inches."""

    note: str | None  # the footer: the same on every map of a run, so part of the background
    legend: bool
    dpi: int
    extend: str = "neither"  # colour-bar arrows, fixed when the colour bar is made

    @property
    def n_note_lines(self) -> int:
        """Lines of the wrapped footer."""
        return len(note_lines(self.note))

    @property
    def note_h_in(self) -> float:
        """Height of the note."""
        return _NOTE_LINE_IN * self.n_note_lines + (0.2 if self.n_note_lines else 0.0)

    @property
    def fig_w_in(self) -> float:
        """Figure width."""
        return _LEFT_IN + _MAP_W_IN + _GAP_CBAR_IN + _CBAR_W_IN + _RIGHT_IN

    @property
    def bottom_in(self) -> float:
        """Height below the map: tick labels, the no-data legend, the note."""
        return _BOTTOM_IN + (_LEGEND_IN if self.legend else 0.0) + self.note_h_in

    @property
    def fig_h_in(self) -> float:
        """Figure height."""
        return _TOP_IN + _MAP_H_IN + self.bottom_in


class Canvas:
    """A figure with the map axes, borders and graticule, and a colour-bar axes.

    The parts every map shares (white page, frame, tick labels) are rendered once into a
    background; a map restores it and draws only its own artists over it (blitting), in
    the order a full draw would: cells, graticule, borders, frame, colour bar, texts.
    """

    def __init__(self, layout: Layout):
        self.layout = layout
        w, h, b = layout.fig_w_in, layout.fig_h_in, layout.bottom_in
        self.fig = Figure(figsize=(w, h), dpi=layout.dpi, facecolor="white")
        self.agg = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_axes((_LEFT_IN / w, b / h, _MAP_W_IN / w, _MAP_H_IN / h))
        x_cbar = (_LEFT_IN + _MAP_W_IN + _GAP_CBAR_IN) / w
        self.cax = self.fig.add_axes((x_cbar, b / h, _CBAR_W_IN / w, _MAP_H_IN / h))
        lines = note_lines(layout.note)
        if lines:
            self.fig.text(_LEFT_IN / w, 0.12 / h, "\n".join(lines), fontsize=7, color="0.25",
                          ha="left", va="bottom", linespacing=1.25)  # fmt: skip
        self.title = self.fig.text((_LEFT_IN + _MAP_W_IN / 2) / w, (b + _MAP_H_IN + 0.11) / h,
                                   "", fontsize=12, ha="center", va="bottom")  # fmt: skip
        self._static()
        self._drawn: list = []

    def _static(self) -> None:
        ax = self.ax
        lon_ticks = np.arange(-180, 181, GRATICULE_STEP_DEG)
        lat_ticks = np.arange(-90, 91, GRATICULE_STEP_DEG)
        ax.set_xticks(lon_ticks, [degree_label(v, "E", "W") for v in lon_ticks], fontsize=8)
        ax.set_yticks(lat_ticks, [degree_label(v, "N", "S") for v in lat_ticks], fontsize=8)
        self._limits()
        graticule = [np.array([[x, -90.0], [x, 90.0]]) for x in lon_ticks[1:-1]]
        graticule += [np.array([[-180.0, y], [180.0, y]]) for y in lat_ticks[1:-1]]
        # One path for all borders (NaN rows break it): ~800 paths drawn as one are ~10x faster.
        self._overlay = [
            LineCollection(graticule, colors="0.45", linewidths=0.4, linestyles=(0, (2, 3)),
                           alpha=0.8),
            Line2D(*border_path_deg().T, color=BORDER_COLOR, linewidth=BORDER_WIDTH_PT,
                   solid_capstyle="round", solid_joinstyle="round",
                   path_effects=[matplotlib.patheffects.withStroke(**BORDER_HALO)]),
            *ax.spines.values(),
        ]  # fmt: skip
        for artist in self._overlay[:2]:
            artist.set_transform(ax.transData)
            artist.set_clip_path(ax.patch)
            artist.set_figure(self.fig)
            artist.axes = ax
        self.mappable = ScalarMappable()
        self.cbar = self.fig.colorbar(self.mappable, cax=self.cax, extend=self.layout.extend)
        self.cax.set_visible(False)
        self.agg.draw()  # the shared background: page, frame, tick labels, footer
        self._background = self.agg.copy_from_bbox(self.fig.bbox)
        self.cax.set_visible(True)

    def _limits(self) -> None:
        self.ax.set_xlim(-180.0, 180.0)
        self.ax.set_ylim(-90.0, 90.0)
        self.ax.set_aspect("equal", adjustable="box")

    def draw(self, lat, lon, values, colormap, scale: ColourScale, text: dict) -> None:
        """Put one map on the canvas: cells, colour bar, title, legend and notes.

        ``text``: ``title``, ``units``, ``legend`` (label of the grey cells or None); the
        footer is the layout's. :meth:`rgb` then holds the picture.
        """
        self.clear()
        cells = _cells(self.ax, lat, lon, values, colormap, scale.norm())
        self._limits()
        self._drawn.append(cells)
        self.title.set_text(text["title"])
        self._colorbar(cells, text)
        if text.get("legend"):
            self._drawn.append(self._legend(text["legend"]))
        if scale.note:
            self._drawn.append(self.ax.text(
                0.5, 0.5, scale.note, transform=self.ax.transAxes, ha="center", va="center",
                fontsize=11, zorder=5, bbox={"facecolor": "white", "alpha": 0.85, "pad": 6,
                                             "edgecolor": "0.5"},
            ))  # fmt: skip
        self._blit(cells)

    def _blit(self, cells) -> None:
        """Render: the background, then this map's artists in drawing order."""
        self.agg.restore_region(self._background)
        renderer = self.agg.get_renderer()
        for artist in [cells, *self._overlay, self.cax, self.title, *self._drawn[1:]]:
            artist.draw(renderer)

    def rgb(self) -> np.ndarray:
        """Return the rendered picture, ``(height, width, 3)`` uint8 (a copy)."""
        return np.array(self.agg.buffer_rgba())[..., :3]

    def _colorbar(self, cells, text: dict) -> None:
        """Point the one colour bar at this map's cells: norm, colours, arrows, label."""
        self.mappable.set_cmap(cells.get_cmap())
        self.mappable.set_norm(type(cells.norm)(vmin=cells.norm.vmin, vmax=cells.norm.vmax))
        self.cbar.update_normal(self.mappable)  # a new norm: locator and formatter reset
        if isinstance(cells.norm, LogNorm):  # label 1, 2, 5, 10, 20 ... not only the decades
            self.cbar.set_ticks(LogLocator(subs=(1.0, 2.0, 5.0)))
            self.cbar.ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        self.cbar.ax.tick_params(labelsize=8)
        self.cbar.set_label(str(text.get("units") or ""), fontsize=9)

    def _legend(self, label: str):
        lay = self.layout
        return self.ax.legend(
            handles=[Patch(facecolor=NAN_COLOR, edgecolor="0.5", linewidth=0.5, label=label)],
            loc="lower right",
            bbox_to_anchor=((_LEFT_IN + _MAP_W_IN) / lay.fig_w_in,
                            (lay.note_h_in + 0.08) / lay.fig_h_in),
            bbox_transform=self.fig.transFigure, fontsize=7.5, frameon=False,
            borderaxespad=0.0, handlelength=1.4,
        )  # fmt: skip

    def clear(self) -> None:
        """Take the last map's artists off (the static layer stays)."""
        for artist in self._drawn:
            artist.remove()
        self._drawn = []
        self.title.set_text("")


def _regular(centres: np.ndarray, edges: np.ndarray) -> bool:
    """Equal steps and no cell clipped at the globe's edge: a raster draws it exactly."""
    steps = np.diff(edges)
    return centres.size > 1 and bool(np.allclose(steps, steps[0], rtol=1e-9, atol=0.0))


def _cells(ax, lat, lon, values, colormap, norm):
    """Draw the cells as a raster (regular grid) or a mesh; edges clipped to the globe."""
    lat_edges = cell_edges_deg(lat, -90.0, 90.0)
    lon_edges = cell_edges_deg(lon, -180.0, 180.0)
    data = np.ma.masked_invalid(values)
    if _regular(lat, lat_edges) and _regular(lon, lon_edges):
        extent = (lon_edges[0], lon_edges[-1], lat_edges[0], lat_edges[-1])
        return ax.imshow(data, cmap=colormap, norm=norm, extent=extent, origin="lower",
                         interpolation="nearest", aspect="equal", zorder=1)  # fmt: skip
    return ax.pcolormesh(lon_edges, lat_edges, data, cmap=colormap, norm=norm,
                         shading="flat", rasterized=True, zorder=1)  # fmt: skip


_local = threading.local()


def canvas_for(layout: Layout) -> Canvas:
    """Return the canvas of ``layout`` in this thread (made on first use; a few kept)."""
    cache = getattr(_local, "canvases", None)
    if cache is None:
        cache = _local.canvases = {}
    if layout not in cache:
        if len(cache) >= 8:
            cache.pop(next(iter(cache)))
        cache[layout] = Canvas(layout)
    return cache[layout]
