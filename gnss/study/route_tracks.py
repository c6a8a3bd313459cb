"""Satellite tracks seen from a moving receiver, and the pictures of a route run.

Along a route the receiver's local frame moves with it: at each epoch the azimuth and
elevation of a satellite are taken in the geodetic east-north-up frame of the receiver's
position at that epoch (:func:`gnss.study.route.route_positions`, interpolated along great
circles), from the positions of the route's time series (:func:`propagate_plan`, propagated
once). A sky plot of these look angles shows what the antenna saw over the voyage; it is not
the sky of any one place.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import xarray as xr

from ..coverage.config import ProgressCallback
from ..outputs import siteplots as sp
from ..outputs.outdir import OutputDir
from ..receivers.grid import geodetic_points
from ..receivers.look import enu_angles_deg, enu_rows
from ..receivers.route import Route
from ..receivers.route_formats import RouteError
from ..timeutil import epoch_span
from .plan import Plan, plan_comparison
from .propagated import Propagated, check_propagated, propagate_plan
from .question import Study
from .route import check_route_span, route_name, route_positions
from .site_tracks import place_pictures, place_text, tracks_dataset


def moving_look_angles_deg(
    positions_itrs_m: np.ndarray, lat_deg, lon_deg, height_m
) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth and elevation of satellites from a receiver that has one place per epoch.

    Parameters
    ----------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        Satellite ITRS positions in metres (NaN where not available).
    lat_deg, lon_deg, height_m : array_like, shape (n_times,)
        The receiver's geodetic position at each epoch (degrees, metres above WGS84).

    Returns
    -------
    az_deg, el_deg : ndarray, shape (n_times, n_sats)
        Azimuth in [0, 360) clockwise from north and elevation above the geodetic horizon of
        the receiver's place at that epoch, degrees (as :func:`gnss.look_angles_deg` for a
        fixed site).

    Examples
    --------
    >>> p, u = geodetic_points([0.0, 60.0], [0.0, 170.0])
    >>> sat = (p + 2.0e7 * u)[:, None, :]  # straight overhead of each epoch's place
    >>> az, el = moving_look_angles_deg(sat, [0.0, 60.0], [0.0, 170.0], [0.0, 0.0])
    >>> np.round(el[:, 0], 9).tolist()
    [90.0, 90.0]
    """
    pos = np.asarray(positions_itrs_m, dtype=np.float64)
    lat, lon = np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
    point, _ = geodetic_points(lat, lon, height_m)
    # Each epoch's frame (n_t, 3, 3) applied to that epoch's vectors, as look_angles_deg does.
    enu = (pos - point[:, None, :]) @ np.swapaxes(enu_rows(lat, lon), -1, -2)
    return enu_angles_deg(enu)


def route_look_angles(
    study: Study, route: Route, name: str | None = None, *,
    progress: ProgressCallback | None = None,
) -> xr.Dataset:  # fmt: skip
    """Azimuth and elevation of every satellite of a study's sets from a receiver on a route.

    Parameters
    ----------
    study : Study
        As for :func:`gnss.route_timeseries` (``start`` None: the route's first waypoint;
        the span must lie inside the route, :func:`gnss.route_study` fits it to its end).
    route : Route
    name : str, optional
        The ``site`` label (default: the route file's stem, else "route").
    progress : callable, optional

    Returns
    -------
    xarray.Dataset
        As :func:`gnss.site_look_angles` (dims ``(time, site, sat)``, one site), each epoch
        in the local frame of the receiver's position then, which is in ``lat_deg``,
        ``lon_deg``, ``height_m`` along ``time``.

    Raises
    ------
    RouteError
        For a ``route`` that is not a :class:`gnss.Route`; :class:`RouteSpanError` for
        epochs outside the route (before any element file is read).
    GnssError
        As :func:`gnss.plan_comparison` for the elements, sets and span.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import gnss
    >>> t = [datetime(2026, 1, 1, h, tzinfo=timezone.utc) for h in (0, 6)]
    >>> ship = gnss.Route(t, np.array([72.0, 71.0]), np.array([170.0, -170.0]), np.zeros(2))
    >>> tr = gnss.route_look_angles(gnss.Study("R", duration_s=6 * 3600, step_s=3600), ship)
    >>> tr.el_deg.dims, tr.lon_deg.dims, tr.sizes["time"]
    (('time', 'site', 'sat'), ('time',), 7)
    """
    if not isinstance(route, Route):
        raise RouteError(f"route: expected a gnss.Route (gnss.read_route(path)), got {route!r}")
    start = study.start or route.times[0]
    check_route_span(route, epoch_span(start, study.duration_s, study.step_s))
    plan = plan_comparison(dataclasses.replace(study, start=start))
    return route_tracks(plan, route, name or route_name(route), progress)


def route_tracks(
    plan: Plan, route: Route, name: str, progress: ProgressCallback | None = None,
    propagated: Propagated | None = None,
) -> xr.Dataset:  # fmt: skip
    """Look angles of a checked plan's satellites from the receiver moving along ``route``.

    Parameters
    ----------
    plan : Plan
        A checked plan whose span lies inside the route.
    route : Route
    name : str
        The ``site`` label (as the route's time series).
    progress : callable, optional
    propagated : Propagated, optional
        The positions of the same plan's time series (:func:`gnss.study.route.route_series`);
        None propagates here.

    Returns
    -------
    xarray.Dataset
        As :func:`gnss.site_look_angles` (``az_deg``, ``el_deg``, dims ``(time, site, sat)``,
        one site), with the receiver's ``lat_deg``, ``lon_deg``, ``height_m`` along ``time``.
    """
    if propagated is None:
        propagated = propagate_plan(plan, progress)
    pos = check_propagated(propagated, plan).positions_itrs_m
    lat, lon, height = route_positions(plan, route)
    az, el = moving_look_angles_deg(pos, lat, lon, height)
    ds = tracks_dataset(plan, propagated.layout, az[:, None], el[:, None], [name])
    return ds.assign_coords(lat_deg=("time", lat), lon_deg=("time", lon),
                            height_m=("time", height))  # fmt: skip


def route_where(ds: xr.Dataset) -> str:
    """Title words of a route: ``along the route NAME (69.07°N, 33.08°E to 65.80°N, ...)``."""
    lat, lon = ds.lat_deg.values, ds.lon_deg.values
    return (f"along the route {ds.site.values[0]} ({place_text(lat[0], lon[0])} to "
            f"{place_text(lat[-1], lon[-1])})")  # fmt: skip


def write_route_plots(
    ds: xr.Dataset, tracks: xr.Dataset, out: OutputDir, skyline=None
) -> list[Path]:
    """Write a route run's sky plot per set, its PDOP and its visible-count plot.

    Parameters
    ----------
    ds : xarray.Dataset
        The route's time series (:func:`gnss.route_timeseries`; one site).
    tracks : xarray.Dataset
        Its look angles (:func:`route_tracks`).
    out : OutputDir
        Entered output folder.
    skyline : tuple of ndarray, optional
        Horizon table ``(az_deg, el_deg)`` (in the receiver's frame at every epoch).

    Returns
    -------
    list of pathlib.Path
        ``skyplot_<route>_<set>.png`` per set, ``dop_<route>.png``, ``visible_<route>.png``
        (:func:`gnss.outputs.siteplots.site_plot_files`).
    """
    name = str(ds.site.values[0])
    names = iter(sp.site_plot_files([name], [str(s) for s in ds.set.values]))
    return place_pictures(ds.sel(site=name), tracks.sel(site=name), out, names,
                          where=route_where(ds), skyline=skyline)  # fmt: skip
