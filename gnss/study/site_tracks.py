"""Satellite tracks at sites (look angles over the span) and the pictures of a site run.

The satellites of a checked plan, propagated once for the time series and the pictures
(:func:`gnss.study.propagated.propagate_plan`: labelled snapshots from their own start), are
turned into azimuth and elevation in each site's geodetic frame
(:func:`gnss.receivers.look.look_angles_deg`). :func:`write_site_plots` draws a sky plot per
site and set and the DOP and visible-count time series per site (:mod:`gnss.outputs.siteplots`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from ..coverage.config import ProgressCallback
from ..outputs import siteplots as sp
from ..outputs.outdir import OutputDir
from ..receivers.look import look_angles_deg
from ..receivers.sites import Site, as_sites
from .plan import Plan, plan_comparison
from .propagated import Propagated, check_propagated, propagate_plan
from .question import Study


def site_look_angles(
    study: Study, sites: Iterable[Site | Sequence], *, progress: ProgressCallback | None = None
) -> xr.Dataset:
    """Azimuth and elevation of every satellite of a study's sets at each site and epoch.

    Parameters
    ----------
    study : Study
        Sets, elements, selectors and span, as for :func:`gnss.site_timeseries`.
    sites : iterable of Site or (name, lat_deg, lon_deg[, height_m])
    progress : callable, optional
        ``progress("propagate", done, total)``.

    Returns
    -------
    xarray.Dataset
        ``az_deg`` and ``el_deg`` with dims ``(time, site, sat)``: azimuth in [0, 360)
        clockwise from north and elevation above the geodetic horizon, degrees (NaN where
        a satellite has no position). Coordinates: ``label``, ``system`` and ``norad_id``
        (-1: none) per ``sat``,
        ``in_set`` (bool, dims ``(set, sat)``), ``set_systems`` per set (``"R,C"``),
        ``lat_deg``, ``lon_deg``, ``height_m`` per site. A satellite of two sets that run
        from different starts (``@LABEL``) appears once per start. Attribute
        ``elevation_mask_deg``.

    Examples
    --------
    >>> import gnss
    >>> study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800)
    >>> tr = gnss.site_look_angles(study, [("Beijing", 39.9, 116.4)])
    >>> tr.el_deg.dims, tr.sizes["time"]
    (('time', 'site', 'sat'), 3)
    """
    return site_tracks(plan_comparison(study), as_sites(sites), progress)


def site_tracks(
    plan: Plan, sites: list[Site], progress: ProgressCallback | None = None,
    propagated: Propagated | None = None,
) -> xr.Dataset:  # fmt: skip
    """Return the look angles of a checked plan at checked sites (see :func:`site_look_angles`).

    ``propagated``: the positions of the same plan's time series (:func:`propagate_plan`),
    so a ``gnss site`` run propagates once; None propagates here.
    """
    if propagated is None:
        propagated = propagate_plan(plan, progress)
    pos = check_propagated(propagated, plan).positions_itrs_m
    n_t, n_sat = pos.shape[:2]
    az = np.empty((n_t, len(sites), n_sat))
    el = np.empty_like(az)
    for i, site in enumerate(sites):
        az[:, i], el[:, i] = look_angles_deg(pos, site.lat_deg, site.lon_deg, site.height_m)
    ds = tracks_dataset(plan, propagated.layout, az, el, [s.name for s in sites])
    return ds.assign_coords(
        lat_deg=("site", [s.lat_deg for s in sites]),
        lon_deg=("site", [s.lon_deg for s in sites]),
        height_m=("site", [s.height_m for s in sites]),
    )


def tracks_dataset(plan: Plan, layout, az_deg, el_deg, site_names: list[str]) -> xr.Dataset:
    """Look angles ``(time, site, sat)`` with the satellite and set coordinates of a plan."""
    in_set = layout.set_clock[:, layout.sat_group] >= 0  # (n_sets, n_sats)
    start = np.datetime64(plan.span.start.replace(tzinfo=None), "ns")
    times = start + np.rint(plan.span.offsets_s() * 1e9).astype("timedelta64[ns]")
    dims = ("time", "site", "sat")
    ds = xr.Dataset(
        {"az_deg": (dims, az_deg), "el_deg": (dims, el_deg)},
        coords={
            "time": times,
            "site": site_names,
            "set": [rs.spec.name for rs in plan.resolved],
            "label": ("sat", [_short_label(s) for s in layout.satellites]),
            "system": ("sat", [s.system for s in layout.satellites]),
            "norad_id": ("sat", [s.norad_id or -1 for s in layout.satellites]),
            "in_set": (("set", "sat"), in_set),
            "set_systems": ("set", [",".join(rs.spec.systems) for rs in plan.resolved]),
        },
        attrs={"elevation_mask_deg": float(plan.study.elevation_mask_deg)},
    )
    ds["az_deg"].attrs.update(units="degree", long_name="azimuth, clockwise from north")
    ds["el_deg"].attrs.update(units="degree", long_name="elevation above the geodetic horizon")
    return ds


def _short_label(sat) -> str:
    """Return the sky-plot label: the PRN label, or the slot of a nominal satellite (``M03``)."""
    if sat.prn is None and "NOMINAL" in sat.name.upper():
        return sat.name.rsplit(" ", 1)[-1]
    return sat.label


def study_skyline(study: Study) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the skyline table of the study's horizon (mask folded in), or None without one.

    The horizon as the run used it (``Study.config().skyline()``: a preset name or a file
    resolved to a :class:`gnss.Horizon`).
    """
    return study.config().skyline()


def place_text(lat_deg: float, lon_deg: float) -> str:
    """``55.75°N, 37.62°E`` (longitude wrapped into [-180, 180))."""
    lon = (lon_deg + 180.0) % 360.0 - 180.0
    ns, ew = "N" if lat_deg >= 0 else "S", "E" if lon >= 0 else "W"
    return f"{abs(lat_deg):.2f}°{ns}, {abs(lon):.2f}°{ew}"


def _span_text(times) -> str:
    t = np.datetime_as_string(times[[0, -1]], unit="m")
    step_s = float((times[1] - times[0]) / np.timedelta64(1, "s")) if len(times) > 1 else 0.0
    return f"{t[0].replace('T', ' ')} to {t[1].replace('T', ' ')} UTC, every {step_s:g} s"


def write_site_plots(
    ds: xr.Dataset, tracks: xr.Dataset, out: OutputDir, skyline=None
) -> list[Path]:
    """Write the sky plots, ``dop_<site>.png`` and ``visible_<site>.png`` into an entered folder.

    Parameters
    ----------
    ds : xarray.Dataset
        The time series (:func:`gnss.site_timeseries`).
    tracks : xarray.Dataset
        The look angles of the same plan and sites (:func:`site_look_angles`).
    out : OutputDir
        Entered output folder.
    skyline : tuple of ndarray, optional
        Horizon table ``(az_deg, el_deg)`` drawn on the sky plots (default: the flat mask).

    Returns
    -------
    list of pathlib.Path
        In the order of :func:`gnss.outputs.siteplots.site_plot_files`.
    """
    sets = [str(s) for s in ds.set.values]
    names = iter(sp.site_plot_files([str(s) for s in ds.site.values], sets))
    written = []
    for site in (str(s) for s in ds.site.values):
        lat, lon = (float(ds[c].sel(site=site)) for c in ("lat_deg", "lon_deg"))
        where = f"at {site} ({place_text(lat, lon)})"
        written += place_pictures(ds.sel(site=site), tracks.sel(site=site), out, names,
                                  where=where, skyline=skyline)  # fmt: skip
    return written


def place_pictures(ds, tracks, out: OutputDir, names, *, where: str, skyline=None) -> list[Path]:
    """Write the sky plot of each set, then the PDOP and visible-count plots, of one receiver.

    ``ds`` and ``tracks`` are the series and the look angles of one site (or route: no
    ``site`` dimension left); ``names`` yields the file names
    (:func:`gnss.outputs.siteplots.site_plot_files`); ``where`` ends each title ("at
    Moscow (55.75°N, 37.62°E)", "along the route ...").
    """
    mask = float(ds.attrs.get("elevation_mask_deg", tracks.attrs["elevation_mask_deg"]))
    sets = [str(s) for s in ds.set.values]
    systems = {s: str(tracks.set_systems.sel(set=s).item()).split(",") for s in sets}
    written, span = [], _span_text(ds.time.values)
    for s in sets:
        tr = tracks.isel(sat=np.flatnonzero(tracks.in_set.sel(set=s).values))
        fig = sp.sky_figure(
            tr.az_deg.values, tr.el_deg.values, list(tr.label.values), list(tr.system.values),
            elevation_mask_deg=mask, skyline=skyline,
            title=f"Sky plot {where}\nset {s}: {sp.systems_text(systems[s])}; {span}",
        )  # fmt: skip
        written.append(sp.save_png(fig, out.path(next(names))))
    legend = {f"{s} ({sp.systems_text(systems[s])})": s for s in sets}
    pdop = {k: (ds.pdop.sel(set=s).values, systems[s]) for k, s in legend.items()}
    fig = sp.series_figure(ds.time.values, pdop, ylabel="PDOP", log_ok=True,
                           title=_fill(f"PDOP {where}; {span}"))  # fmt: skip
    written.append(sp.save_png(fig, out.path(next(names))))
    vis = {k: (ds.visible.sel(set=s).values, systems[s]) for k, s in legend.items()}
    fig = sp.series_figure(ds.time.values, vis, ylabel="satellites in view", step=True,
                           title=_fill(f"Satellites above the {mask:g}° mask {where}"))  # fmt: skip
    written.append(sp.save_png(fig, out.path(next(names))))
    return written


def _fill(title: str) -> str:
    """Wrap a time-series title that would not fit the 8 inch figure on one line."""
    import textwrap

    return textwrap.fill(title, 96)
