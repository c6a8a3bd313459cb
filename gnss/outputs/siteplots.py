"""Pictures of a site run: a sky plot per site and set, DOP and visible-count time series.

Drawn with matplotlib's object API on the Agg canvas (no pyplot state, as the maps) and
saved through :func:`gnss.io.atomic_write`. One colour per system (:data:`SYSTEM_COLORS`)
in every picture; a set of several systems is drawn in black or grey, thicker, so the combined
set stands out against each single system.

Sky plot conventions: north up, azimuth clockwise, the zenith at the centre, rings every 15 deg
of elevation, radius ``90 - elevation_deg``. The region below the mask (or the skyline,
with the mask folded in) is filled grey; a track is drawn where the satellite is above it
(strictly, as in the kernels), with a dot and its label where its track starts (the
span's start, or its first rise).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..elements.classify import SYSTEM_NAMES, SYSTEMS
from ..errors import ParameterError
from ..io import atomic_write

#: Colour of each system in every site picture (matplotlib's tab10 hues).
SYSTEM_COLORS = {"G": "#2ca02c", "R": "#d62728", "E": "#9467bd", "C": "#1f77b4",
                 "J": "#8c564b", "I": "#e377c2", "S": "#7f7f7f"}  # fmt: skip
#: Colours of sets of several systems, in order.
COMBINED_COLORS = ("#111111", "#6b6b6b", "#ff7f0e", "#17becf", "#bcbd22", "#8c564b")
MASK_COLOR = "#bdbdbd"
DPI = 110
#: Span of finite PDOP values (max / min) above which the DOP plot uses a log scale.
LOG_RATIO = 10.0


def file_slug(name: str) -> str:
    """File-name form of a site or set name (as the maps': ``R+C`` -> ``R_C``)."""
    return re.sub(r"[^A-Za-z0-9.@-]+", "_", name).strip("_") or "_"


def site_plot_files(site_names: Sequence[str], set_names: Sequence[str]) -> list[str]:
    """Return the names of the pictures of a site run, in the order they are written.

    ``skyplot_<site>_<set>.png`` per set, then ``dop_<site>.png`` and ``visible_<site>.png``,
    site by site.

    Raises
    ------
    gnss.ParameterError
        When two sites (or two sets) would write the same file.

    Examples
    --------
    >>> site_plot_files(["Moscow"], ["R", "R+C"])
    ['skyplot_Moscow_R.png', 'skyplot_Moscow_R_C.png', 'dop_Moscow.png', 'visible_Moscow.png']
    """
    for kind, names in (("sites", site_names), ("sets", set_names)):
        seen: dict[str, str] = {}
        for name in names:
            other = seen.setdefault(file_slug(name), name)
            if other != name:
                raise ParameterError(
                    f"{kind} {other!r} and {name!r} would write the same pictures "
                    f"(*_{file_slug(name)}.png: characters other than letters, digits, '.', "
                    "'@' and '-' become '_'); rename one of them, or pass --no-plots",
                    parameter=kind,
                )
    out = []
    for site in site_names:
        out += [f"skyplot_{file_slug(site)}_{file_slug(s)}.png" for s in set_names]
        out += [f"dop_{file_slug(site)}.png", f"visible_{file_slug(site)}.png"]
    return out


def systems_text(systems: Sequence[str]) -> str:
    """``GLONASS + BeiDou`` for ``["R", "C"]``."""
    return " + ".join(SYSTEM_NAMES.get(s, s) for s in systems)


def skyline_elevation_deg(az_deg, elevation_mask_deg: float, skyline=None) -> np.ndarray:
    """Elevation of the horizon (deg) at ``az_deg``: the flat mask, or the skyline table.

    ``skyline`` is ``(az_deg, el_deg)`` from :meth:`gnss.Horizon.kernel_table` (the mask
    folded in), linear in azimuth between its points.
    """
    az = np.asarray(az_deg, dtype=np.float64)
    if skyline is None:
        return np.full(az.shape, float(elevation_mask_deg))
    table_az, table_el = (np.asarray(a, dtype=np.float64) for a in skyline)
    return np.maximum(np.interp(az % 360.0, table_az, table_el), float(elevation_mask_deg))


def _segments(up: np.ndarray):
    """Return the runs of epochs above the horizon as (start, stop) index pairs."""
    edges = np.diff(np.concatenate([[0], up.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _track(az_deg: np.ndarray, el_deg: np.ndarray, up: np.ndarray):
    """Polar line data of one satellite: theta (rad, unwrapped per pass), r; NaN between passes."""
    thetas, rs = [], []
    for a, b in _segments(up):
        thetas += [np.unwrap(np.radians(az_deg[a:b])), [np.nan]]
        rs += [90.0 - el_deg[a:b], [np.nan]]
    if not thetas:
        return np.empty(0), np.empty(0)
    return np.concatenate(thetas), np.concatenate(rs)


def short_label(label: str) -> str:
    """Shorten a label for a sky plot: ``COSMOS 2433 (720)`` -> ``R#2433``."""
    m = re.match(r"COSMOS (\d+)", label)
    return f"R#{m.group(1)}" if m else label


def sky_figure(
    az_deg: np.ndarray,
    el_deg: np.ndarray,
    labels: Sequence[str],
    systems: Sequence[str],
    *,
    elevation_mask_deg: float,
    skyline=None,
    title: str = "",
) -> Figure:
    """Draw a sky plot of satellite tracks; return the figure (not saved).

    Parameters
    ----------
    az_deg, el_deg : ndarray, shape (n_times, n_sats)
        Look angles (:func:`gnss.site_look_angles`), degrees; NaN where unknown.
    labels, systems : sequence of str, length n_sats
        Label (PRN) and system letter of each satellite.
    elevation_mask_deg : float
    skyline : tuple of ndarray, optional
        ``(az_deg, el_deg)`` horizon table (:meth:`gnss.Horizon.kernel_table`); drawn instead
        of the flat mask.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        One polar axes; each track is a ``Line2D`` whose ``gid`` is the satellite's label,
        with ``theta = radians(az_deg)`` (unwrapped within a pass) and ``r = 90 - el_deg``
        at the epochs above the horizon, NaN between passes.
    """
    fig = Figure(figsize=(6.4, 6.9), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.08, 0.1, 0.84, 0.78), projection="polar")
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    ax.set_rlim(0.0, 90.0)
    ax.set_rgrids([15, 30, 45, 60, 75, 90], labels=["75°", "60°", "45°", "30°", "15°", "0°"],
                  angle=22.5, fontsize=7, color="0.35")  # fmt: skip
    ax.set_thetagrids(range(0, 360, 45), labels=["N", "45°", "E", "135°", "S", "225°", "W", "315°"])
    ax.grid(True, color="0.6", linewidth=0.5, linestyle=(0, (2, 3)))
    grid_az = np.linspace(0.0, 360.0, 721)
    horizon = skyline_elevation_deg(grid_az, elevation_mask_deg, skyline)
    ax.fill_between(np.radians(grid_az), 90.0 - horizon, 90.0, color=MASK_COLOR, alpha=0.8,
                    linewidth=0, zorder=1)  # fmt: skip
    ax.plot(np.radians(grid_az), 90.0 - horizon, color="0.35", linewidth=0.8, zorder=2)
    az_deg, el_deg = np.asarray(az_deg, float), np.asarray(el_deg, float)
    with np.errstate(invalid="ignore"):
        up = np.isfinite(el_deg) & (el_deg > skyline_elevation_deg(az_deg, elevation_mask_deg,
                                                                   skyline))  # fmt: skip
    for j, (label, system) in enumerate(zip(labels, systems, strict=True)):
        theta, r = _track(az_deg[:, j], el_deg[:, j], up[:, j])
        if not len(theta):
            continue
        color = SYSTEM_COLORS.get(system, "0.3")
        ax.plot(theta, r, color=color, linewidth=0.9, alpha=0.75, gid=label, zorder=3)
        i = 0  # the track's start: labels spread round the sky (culminations crowd the zenith)
        ax.plot([theta[i]], [r[i]], "o", color=color, markersize=2.5, zorder=4)
        ax.annotate(short_label(label), (theta[i], r[i]), xytext=(3, 2), zorder=5,
                    textcoords="offset points", fontsize=6.5, color=color)  # fmt: skip
    present = [s for s in SYSTEMS if s in set(systems)]
    handles = [Line2D([], [], color=SYSTEM_COLORS.get(s, "0.3"), linewidth=2) for s in present]
    names = [SYSTEM_NAMES.get(s, s) for s in present]
    handles.append(Line2D([], [], color=MASK_COLOR, linewidth=6))
    names.append("below the horizon" if skyline is not None
                 else f"below the {elevation_mask_deg:g}° mask")  # fmt: skip
    fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10, y=0.975)
    return fig


def series_figure(times, series: dict, *, ylabel: str, title: str, log_ok: bool = False,
                  step: bool = False) -> Figure:  # fmt: skip
    """Draw time series (one line per set); return the figure (not saved).

    ``series`` maps a legend text to ``(values (n_times,), systems of the set)``; a set of
    one system takes its colour, a set of several is drawn black (then grey...) and thicker.
    With ``log_ok``, the y axis is logarithmic when the finite values span more than
    :data:`LOG_RATIO`. ``times`` are naive UTC datetimes (numpy ``datetime64``).
    """
    fig = Figure(figsize=(8.0, 4.1), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.09, 0.21, 0.88, 0.69))
    combined = iter(COMBINED_COLORS * 4)
    finite = []
    for text, (values, systems) in series.items():
        single = len(systems) == 1
        color = SYSTEM_COLORS.get(systems[0], "0.3") if single else next(combined)
        draw = ax.step if step else ax.plot
        kw = {"where": "post"} if step else {}
        draw(times, values, color=color, linewidth=1.1 if single else 1.8, label=text, **kw)
        finite.append(np.asarray(values, float)[np.isfinite(values)])
    values = np.concatenate(finite) if finite else np.empty(0)
    if log_ok and values.size and values.min() > 0 and values.max() / values.min() > LOG_RATIO:
        ax.set_yscale("log")
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_xlabel("time (UTC)", fontsize=8)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, color="0.85", linewidth=0.5)
    fig.legend(loc="lower center", ncol=min(len(series), 4), fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10)
    return fig


def save_png(fig: Figure, path: str | os.PathLike) -> Path:
    """Write the figure as a 256-colour PNG through a temporary file.

    A day of tracks drawn anti-aliased has tens of thousands of distinct colours (a 24 h sky
    plot: 300-470 kB as RGBA); with an adaptive palette it is a third of that and looks the same.
    """
    from PIL import Image

    fig.canvas.draw()
    rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
    image = rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return atomic_write(path, lambda tmp: image.save(tmp, format="PNG", optimize=True))
