"""Coverage maps as PNG files, drawn with matplotlib only (no cartopy, no download).

Fields on a latitude/longitude grid are drawn in plate carrée (longitude and latitude in
degrees as x and y) as a raster (``imshow``; ``pcolormesh`` for an irregular grid), on a colour
scale fitted to the data (:mod:`gnss.outputs.mapscale`: from the smallest to the largest value,
log for a wide DOP range, symmetric around 0 for differences); coastlines and country borders
come from the Natural Earth 1:110m polygons shipped in ``gnss/data/borders_110m.geojson``
(public domain, see ``gnss/data/README.md`` and ``builders/build_borders.py``).

Rendering uses the Agg backend through :class:`matplotlib.figure.Figure` and
:class:`matplotlib.backends.backend_agg.FigureCanvasAgg`; pyplot and its global state are
never touched. The figure, borders and graticule are made once per layout and thread and
reused (:mod:`gnss.outputs.mapcanvas`), so the module is safe in scripts, servers and threads.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import xarray

from ..errors import OutputError, ParameterError
from ..io import atomic_write
from ..regions.borders import borders
from .mapcanvas import NAN_COLOR, Layout, canvas_for
from .mapfield import validated_field
from .mapscale import ColourScale, fitted_scale

__all__ = ["NAN_COLOR", "borders", "plot_field"]

DEFAULT_CMAP = "viridis"
DEFAULT_DIVERGING_CMAP = "RdBu_r"
NO_DATA_LABEL = "no data (NaN)"


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


def _checked_colormap(cmap, diverging: bool, dpi):
    """Check ``dpi``; return the colormap (NaN drawn in light grey)."""
    if isinstance(dpi, bool) or not isinstance(dpi, int | np.integer) or not 10 <= dpi <= 1200:
        raise ParameterError(f"dpi must be an integer between 10 and 1200, got {dpi!r}")
    cmap_name = cmap or (DEFAULT_DIVERGING_CMAP if diverging else DEFAULT_CMAP)
    try:
        colormap = matplotlib.colormaps[cmap_name]
    except KeyError:
        raise ParameterError(
            f"unknown colormap {cmap_name!r}; use a matplotlib name such as 'viridis', "
            "'magma' or, for differences, 'RdBu_r'"
        ) from None
    return colormap.with_extremes(bad=NAN_COLOR)


def _extend(values: np.ndarray, scale: ColourScale) -> str:
    """Colour bar arrows: on the side(s) where finite values lie outside the scale."""
    finite = values[np.isfinite(values)]
    below = bool(finite.size and finite.min() < scale.lo)
    above = bool(finite.size and finite.max() > scale.hi)
    return {(False, False): "neither", (True, False): "min", (False, True): "max"}.get(
        (below, above), "both"
    )


def plot_field(
    field: xarray.DataArray, path: str | os.PathLike, *, title: str, units: str | None = None,
    cmap: str | None = None, vmin: float | None = None, vmax: float | None = None,
    diverging: bool = False, log_when_wide: bool = False, upper_bound: float | None = None,
    no_data_label: str = NO_DATA_LABEL, note: str | None = None, dpi: int = 110,
) -> Path:  # fmt: skip
    """Draw a global latitude/longitude field as a PNG map with country borders.

    Plate carrée, one raster cell per grid cell, Natural Earth 1:110m borders, a 30°
    graticule, a colour bar on a scale fitted to the data
    (:func:`gnss.outputs.mapscale.fitted_scale`); NaN cells light grey with a legend entry.
    Written atomically (:func:`gnss.io.atomic_write`: never a partial file); reruns give the
    same bytes.

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
        Colour range in the field's units (default: the finite data range; outside: saturated).
    diverging : bool, default False
        Colour range symmetric around 0 (``-a..a``, ``a`` the largest given ``|vmin|``, ``|vmax|``,
        else the largest ``|value|``) and a diverging colormap: for difference maps. A field
        that is 0 everywhere says so in the middle of the map.
    log_when_wide : bool, default False
        A logarithmic colour scale when all values are > 0 and the largest exceeds
        :data:`gnss.outputs.mapscale.LOG_RATIO` times the smallest (DOP maps).
    upper_bound : float, optional
        The largest value the field can take (1 for fractions), for the range of a constant
        field.
    no_data_label : str, default "no data (NaN)"
        Legend entry of the grey cells (its counts are appended).
    note : str, optional
        Small text under the map (provenance), wrapped to the figure width.
    dpi : int, default 110

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ParameterError
        A field that is not ``(lat, lon)`` with valid monotonic coordinates; a bad cmap, dpi,
        vmin or vmax.
    OutputError
        The directory of ``path`` is missing, or ``path`` is a directory.

    Examples
    --------
    >>> import numpy as np, xarray, tempfile, pathlib
    >>> from gnss.outputs.maps import plot_field
    >>> lat, lon = np.arange(-89.0, 90.0, 2.0), np.arange(-179.0, 180.0, 2.0)
    >>> field = xarray.DataArray(np.cos(np.radians(lat))[:, None] * np.ones(lon.size),
    ...                          coords={"lat": lat, "lon": lon}, dims=("lat", "lon"))
    >>> out = plot_field(field, pathlib.Path(tempfile.mkdtemp()) / "cos.png",
    ...                  title="cos(latitude)", units="1", note="synthetic example")
    >>> out.suffix
    '.png'
    """
    path = _checked_path(path)
    picture = render_field(field, title=title, units=units, cmap=cmap, vmin=vmin, vmax=vmax,
                           diverging=diverging, log_when_wide=log_when_wide,
                           upper_bound=upper_bound, no_data_label=no_data_label, note=note,
                           dpi=dpi)  # fmt: skip
    return atomic_write(path, lambda tmp: _write_png(picture, tmp, dpi))


def render_field(field: xarray.DataArray, *, title: str, units=None, cmap=None, vmin=None,
                 vmax=None, diverging=False, log_when_wide=False, upper_bound=None,
                 no_data_label=NO_DATA_LABEL, note=None, dpi: int = 110,
                 draw: bool = True) -> np.ndarray | None:  # fmt: skip
    """Return the picture :func:`plot_field` writes, ``(height, width, 3)`` uint8 RGB.

    ``draw=False`` only makes the shared figure of this map's layout (for worker processes
    forked afterwards to inherit) and returns None.
    """
    field = validated_field(field)
    colormap = _checked_colormap(cmap, diverging, dpi)
    values = np.asarray(field.values, dtype=np.float64)
    scale = fitted_scale(values, diverging=diverging, log_when_wide=log_when_wide,
                         upper_bound=upper_bound, vmin=vmin, vmax=vmax)  # fmt: skip
    n_missing = int(values.size - np.isfinite(values).sum())
    text = {
        "title": title,
        "units": field.attrs.get("units") if units is None else units,
        "legend": f"{no_data_label}: {n_missing} of {values.size} cells" if n_missing else None,
    }
    layout = Layout(note or None, bool(n_missing), int(dpi), _extend(values, scale))
    canvas = canvas_for(layout)
    if not draw:
        return None
    lat = np.asarray(field["lat"].values, dtype=np.float64)
    lon = np.asarray(field["lon"].values, dtype=np.float64)
    try:
        canvas.draw(lat, lon, values, colormap, scale, text)
        return canvas.rgb()
    finally:
        canvas.clear()


def _write_png(rgb: np.ndarray, path, dpi: int) -> None:
    """Encode an RGB picture as PNG: zlib level 3, ~40 % faster than matplotlib's RGBA at 6."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Software", f"gnss-coverage (matplotlib {matplotlib.__version__})")
    Image.fromarray(rgb, mode="RGB").save(path, format="png", compress_level=3, pnginfo=info,
                                          dpi=(dpi, dpi))  # fmt: skip
