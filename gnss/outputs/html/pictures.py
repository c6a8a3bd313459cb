"""Pictures of the report, drawn into memory as PNG data URIs (nothing is read from a network).

Maps are rasters, one pixel per grid cell (north up, longitude -180..180), coloured through a
:class:`gnss.outputs.html.scales.Scale`; the country borders are one transparent overlay
shared by every map of the page (CSS), so a map costs a few milliseconds and a few kB.
"""

from __future__ import annotations

import base64
import functools
import io
import warnings

import numpy as np

from .scales import Scale

#: Size in pixels of the borders overlay (the maps are shown at up to this width).
OVERLAY_PX = (720, 360)


def png_uri(data: bytes) -> str:
    """``data:image/png;base64,...`` of PNG bytes."""
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def file_uri(path) -> str:
    """Return the data URI of a PNG file (the site run's plots)."""
    with open(path, "rb") as f:
        return png_uri(f.read())


def _png_of_rgba(rgba: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def _png_of_indices(idx: np.ndarray, lut: np.ndarray) -> bytes:
    """Palette PNG (one byte per pixel, the scale's colour table as palette): small and fast."""
    from PIL import Image

    im = Image.fromarray(np.ascontiguousarray(idx, np.uint8), "L").convert("P")
    im.putpalette(lut[:, :3].tobytes())
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


#: Widest raster in the page (cells): finer grids are averaged in blocks to this, so the
#: default report stays near 2 MB and a 0.25 deg run does not make a 30 MB page.
MAX_RASTER_LON = 720


def display_field(values: np.ndarray) -> np.ndarray:
    """Average a (lat, lon) field in k x k blocks when it is wider than :data:`MAX_RASTER_LON`.

    Examples
    --------
    >>> display_field(np.ones((720, 1440))).shape
    (360, 720)
    """
    v = np.asarray(values, dtype=np.float64)
    k = -(-v.shape[1] // MAX_RASTER_LON)
    if k <= 1 or v.shape[0] % k or v.shape[1] % k:
        return v
    blocks = v.reshape(v.shape[0] // k, k, v.shape[1] // k, k)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN block stays NaN (no fix)
        return np.nanmean(blocks, axis=(1, 3))


def raster_uri(values: np.ndarray, scale: Scale) -> str:
    """PNG data URI of a (lat ascending, lon) field: one pixel per cell, north up.

    Fields wider than :data:`MAX_RASTER_LON` cells are block-averaged (:func:`display_field`).

    Examples
    --------
    >>> from gnss.outputs.html.scales import Scale
    >>> raster_uri(np.ones((2, 4)), Scale(0, 2, False, "viridis", "x"))[:22]
    'data:image/png;base64,'
    """
    idx = scale.indices(display_field(values)[::-1])
    return png_uri(_png_of_indices(idx, scale.lut()))


def _figure(width_in: float, height_in: float, dpi: int = 100):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, transparent: bool = False) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", transparent=transparent)
    return png_uri(buf.getvalue())


@functools.lru_cache(maxsize=1)
def borders_overlay_uri() -> str:
    """Transparent PNG of the shipped country borders over -180..180, -90..90 (cached).

    Drawn with PIL at twice the size and reduced (smooth lines, ~0.1 s instead of a figure).
    """
    import shapely
    from PIL import Image, ImageDraw

    from ...regions.borders import read_borders

    w, h = OVERLAY_PX
    k = 2
    im = Image.new("RGBA", (w * k, h * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    rings = shapely.get_parts(shapely.get_parts(shapely.boundary(read_borders().geometry.values)))
    for ring in rings:
        xy = shapely.get_coordinates(ring)
        # Polygons cut at the antimeridian have a boundary along lon = +-180: not a border.
        if len(xy) < 2 or np.all(np.abs(xy[:, 0]) > 179.99):
            continue
        x = (xy[:, 0] + 180.0) / 360.0 * w * k
        px = np.column_stack((x, (90.0 - xy[:, 1]) / 180.0 * h * k))
        draw.line([tuple(p) for p in px], fill=(32, 32, 32, 215), width=k)
    im = im.resize((w, h), Image.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return png_uri(buf.getvalue())


def _ticks(scale: Scale) -> list[float]:
    from matplotlib.ticker import LogLocator, MaxNLocator

    if scale.log:
        ticks = LogLocator(subs=(1.0, 2.0, 5.0)).tick_values(scale.lo, scale.hi)
    else:
        ticks = MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]).tick_values(scale.lo, scale.hi)
    span = scale.hi - scale.lo
    return [float(t) for t in ticks if scale.lo - 1e-9 * span <= t <= scale.hi + 1e-9 * span]


def colorbar_html(scale: Scale, note: str = "") -> str:
    """Return a colour bar in HTML: the colours as a stretched strip, ticks placed by CSS.

    Examples
    --------
    >>> from gnss.outputs.html.scales import Scale
    >>> 'left:50.0%">10<' in colorbar_html(Scale(1.0, 100.0, True, "plasma", "PDOP"))
    True
    """
    from .tables import esc

    strip = png_uri(_png_of_rgba(scale.lut()[None, :255]))
    ticks = "".join(
        f'<span style="left:{100 * float(scale.fraction(t)):.1f}%">{t:g}</span>'
        for t in _ticks(scale)
    )
    label = scale.label + (f" ({note})" if note else "")
    return (f'<div class="cbar"><div class="cbar-title">{esc(label)}</div>'
            f'<img src="{strip}" alt="colour scale"><div class="cbar-ticks">{ticks}</div></div>')


def series_chart_uri(times, series: dict[str, np.ndarray], ylabel: str, title: str) -> str:
    """PNG data URI of a small time-series chart: one line per entry of ``series``."""
    fig = _figure(7.0, 2.3)
    ax = fig.add_axes((0.08, 0.2, 0.7, 0.68))
    for name, values in series.items():
        ax.plot(times, values, lw=1.0, label=name)
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.autofmt_xdate()
    return _save(fig)
