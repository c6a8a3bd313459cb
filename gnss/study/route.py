"""Time series along a route: a moving receiver (a ship, a vehicle, an aircraft).

The same question as :func:`gnss.site_timeseries` (a :class:`gnss.Study`: sets incl. what-if
sets, element and orbit files, selectors, mask, clock) asked of one receiver whose position at
each epoch comes from :meth:`gnss.Route.positions_at` (great-circle interpolation in time, the
short way across the antimeridian). The span is the study's, inside the route's:

* ``study.start`` None: the run starts at the route's first waypoint (not at the elements'
  median epoch, nor at the first epoch of orbit files);
* :func:`route_study` gives the study whose span runs from its start (or the route's first
  waypoint) to the route's last waypoint (``gnss site --route`` without ``--hours``);
* epochs outside the route are refused (:class:`RouteSpanError`) with the route's span and the
  fix, before any element file is read.

``passes.csv`` is not part of a route run: rise and set times belong to a fixed place.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..coverage.config import ProgressCallback
from ..coverage.dataset import DOP_NAMES
from ..coverage.epochs import scaled_weights
from ..coverage.series import series_dops
from ..errors import ParameterError
from ..outputs.outdir import OutputDir
from ..receivers.grid import geodetic_points
from ..receivers.route import Route
from ..receivers.route_formats import RouteError
from ..timeutil import EpochSpan, epoch_span
from .plan import Plan, plan_comparison
from .propagated import Propagated, check_propagated, propagate_plan
from .question import Study
from .site import ACCURACY_COLUMNS, site_frame, site_sigma, write_report

log = logging.getLogger("gnss")

#: Files a route run writes into its output folder (no passes.csv: see the module docstring;
#: report.html unless --no-report).
ROUTE_FILES = ("timeseries.csv", "timeseries.nc", "report.html")


class RouteSpanError(RouteError, ParameterError):
    """The run's epochs do not lie inside the route's span (``parameter`` "start")."""

    def __init__(self, message: str):
        ParameterError.__init__(self, message, parameter="start")


def route_study(study: Study, route: Route) -> Study:
    """Return ``study`` with the span from its start (or the route's start) to the route's end.

    The duration is the time from the start to the route's last waypoint; the epochs run at
    ``study.step_s`` up to the last one at or before it.

    Raises
    ------
    RouteSpanError
        When ``study.start`` lies outside the route.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import gnss
    >>> t = [datetime(2026, 1, 1, h, tzinfo=timezone.utc) for h in (0, 6)]
    >>> r = gnss.Route(t, np.array([72.0, 71.0]), np.array([170.0, -170.0]), np.zeros(2))
    >>> s = route_study(gnss.Study("R", step_s=1800), r)
    >>> s.start.isoformat(), s.duration_s / 3600
    ('2026-01-01T00:00:00+00:00', 6.0)
    """
    start = study.start or route.times[0]
    check_route_span(route, epoch_span(start, 0.0, study.step_s))
    duration_s = (route.times[-1] - start).total_seconds()
    return dataclasses.replace(study, start=start, duration_s=duration_s)


def check_route_span(route: Route, span: EpochSpan) -> None:
    """Refuse a span whose first or last epoch lies outside the route's waypoints.

    Raises
    ------
    RouteSpanError
        Naming the route (file:line of its first or last waypoint), both spans and the fix.
    """
    first, last = route.times[0], route.times[-1]
    if first <= span.start and span.end <= last:
        return
    row = 0 if span.start < first else -1
    where = f"{route.source}:{route.rows[row]}" if route.rows else route.source
    raise RouteSpanError(
        f"{where}: expected the run's epochs within the route's span {first.isoformat()} .. "
        f"{last.isoformat()}, got {span.start.isoformat()} .. {span.end.isoformat()}. Start "
        "inside the route and end at or before its last waypoint (--start/--hours; without "
        "--hours the run ends at the route's end), or extend the route"
    )


def route_timeseries(
    study: Study,
    route: Route,
    name: str | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> xr.Dataset:
    """Visible satellites and DOPs along a route, epoch by epoch and set.

    Parameters
    ----------
    study : Study
        Sets, elements, selectors, span, mask and clock, as for :func:`gnss.site_timeseries`.
        ``start`` None: the route's first waypoint; the span (``start`` + ``duration_s``) must
        lie inside the route (:func:`route_study` fits it to the route's end).
    route : Route
        The receiver's timed waypoints (:func:`gnss.read_route`).
    name : str, optional
        The ``site`` label of the result (default: the route file's stem, else "route").
    progress : callable, optional
        ``progress(stage, done, total)`` for "propagate" and "route".

    Returns
    -------
    xarray.Dataset
        As :func:`gnss.site_timeseries` (dims ``(time, site, set)``, one site), with the
        receiver's ``lat_deg``, ``lon_deg`` (in [-180, 180)) and ``height_m`` along ``time``.

    Raises
    ------
    RouteSpanError
        For epochs outside the route (before any element file is read).
    GnssError
        As :func:`gnss.plan_comparison` for the elements, sets and span.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> import gnss
    >>> t = [datetime(2026, 1, 1, h, tzinfo=timezone.utc) for h in (0, 6)]
    >>> ship = gnss.Route(t, np.array([72.0, 71.0]), np.array([170.0, -170.0]), np.zeros(2))
    >>> ds = gnss.route_timeseries(gnss.Study("R,C,R+C", duration_s=6 * 3600, step_s=3600),
    ...                            ship, "ship")
    >>> dict(ds.sizes)
    {'time': 7, 'site': 1, 'set': 3}
    >>> [round(float(x), 3) for x in ds.lon_deg[[0, 3, 6]]]  # across the antimeridian
    [170.0, -179.737, -170.0]
    """
    if not isinstance(route, Route):
        raise RouteError(f"route: expected a gnss.Route (gnss.read_route(path)), got {route!r}")
    start = study.start or route.times[0]
    check_route_span(route, epoch_span(start, study.duration_s, study.step_s))
    plan = plan_comparison(dataclasses.replace(study, start=start))
    return route_series(plan, route, name or route_name(route), progress)


def route_name(route: Route) -> str:
    """Return the route file's stem ("route" when it came from no file)."""
    stem = Path(route.source).stem
    return stem if stem and route.source != "route" else "route"


def route_positions(plan: Plan, route: Route) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the receiver's ``lat_deg, lon_deg, height_m`` at each epoch of the plan's span."""
    span = plan.span
    check_route_span(route, span)
    return route.positions_at([span.start + timedelta(seconds=float(s))
                               for s in span.offsets_s()])  # fmt: skip


def route_series(
    plan: Plan, route: Route, name: str, progress: ProgressCallback | None,
    propagated: Propagated | None = None,
) -> xr.Dataset:  # fmt: skip
    """Return the time series of a checked plan along a route (see :func:`route_timeseries`).

    ``propagated``: the plan's satellites already propagated (:func:`propagate_plan`, shared
    with the route's sky plots); None propagates them here.
    """

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    span, study = plan.span, plan.study
    lat, lon, height = route_positions(plan, route)
    points, ups = geodetic_points(lat, lon, height)
    if propagated is None:
        propagated = propagate_plan(plan, progress)
    layout, pos = check_propagated(propagated, plan).layout, propagated.positions_itrs_m
    sat_systems = [s.system for s in layout.satellites]
    n_t, n_set = span.n_epochs, len(plan.resolved)
    clocks = list(layout.systems) if study.clock == "per-system" else [""]
    data = {"visible": np.zeros((n_t, 1, n_set), np.int64)}
    data |= {f"visible_{s}": np.zeros((n_t, 1, n_set), np.int64) for s in layout.systems}
    data |= {k: np.full((n_t, 1, n_set), np.nan) for k in (*DOP_NAMES, *map(_tdop, clocks))}
    sigma = site_sigma(study, plan)  # None: no accuracy asked for
    if sigma is not None:
        data |= {k: np.full((n_t, 1, n_set), np.nan) for k in ACCURACY_COLUMNS}
    skyline = study.config().skyline()  # None without a horizon; the same for every set
    report("route", 0, n_set)
    for k, rs in enumerate(plan.resolved):
        cols = np.flatnonzero(layout.set_clock[k, layout.sat_group] >= 0)
        set_systems = rs.spec.systems
        out = _series(
            pos[:, cols], [sat_systems[c] for c in cols], points, ups,
            [set_systems, *((s,) for s in set_systems)], clock=study.clock,
            elevation_mask_deg=study.elevation_mask_deg, skyline=skyline, progress=progress,
        )  # fmt: skip
        data["visible"][:, 0, k] = out["visible"][0]
        for j, s in enumerate(set_systems):
            data[f"visible_{s}"][:, 0, k] = out["visible"][1 + j]
        for dop in DOP_NAMES:
            data[dop][:, 0, k] = out[dop][0]
        if sigma is not None:
            set_sats = [sat_systems[c] for c in cols]
            weight, scale = scaled_weights([sigma[x] ** -2.0 for x in set_sats], len(set_sats))
            wout = _series(pos[:, cols], set_sats, points, ups, [set_systems], clock=study.clock,
                           elevation_mask_deg=study.elevation_mask_deg,
                           skyline=skyline, sat_weight=weight, progress=progress)  # fmt: skip
            _accuracy(data, k, out, wout, scale)
        for j, c in enumerate(set_systems if study.clock == "per-system" else [""]):
            data[_tdop(c)][:, 0, k] = out["tdop"][0, j]
        report("route", k + 1, n_set)
    return _route_dataset(data, plan, route, name, (lat, lon, height))


def _accuracy(data: dict, k: int, out: dict, wout: dict, scale: float) -> None:
    """95 % accuracy columns of set ``k`` (as a site run's) from its weighted series pass."""
    ok = np.isfinite(out["pdop"][0]) & np.isfinite(wout["pdop"][0])
    for name, (dop, factor, _) in ACCURACY_COLUMNS.items():
        data[name][:, 0, k] = np.where(ok, wout[dop.removesuffix("_w")][0] * scale * factor,
                                       np.nan)  # fmt: skip


def _series(
    positions, systems, points_itrs_m, up, sets, *, clock, elevation_mask_deg, skyline=None,
    sat_weight=None, progress=None,
) -> dict:
    """DOPs with a receiver position per epoch: ``epoch_dops``'s dict, shapes (n_sets, n_t).

    One call of the series kernel (:func:`gnss.series_dops`) for all epochs, each with that
    epoch's point.
    """
    out = series_dops(positions, systems, points_itrs_m, up, sets, clock=clock,
                      elevation_mask_deg=elevation_mask_deg, skyline=skyline,
                      sat_weight=sat_weight, progress=progress)  # fmt: skip
    out.pop("visible_system", None)
    return out


def _tdop(clock_system: str) -> str:
    """Return ``tdop_<system>`` for a per-system clock, ``tdop`` for the common one."""
    return f"tdop_{clock_system}" if clock_system else "tdop"


def _route_dataset(data: dict, plan: Plan, route: Route, name: str, where) -> xr.Dataset:
    """Return the site Dataset layout (:func:`gnss.site_timeseries`), positions along time."""
    study, span = plan.study, plan.span
    start = np.datetime64(span.start.replace(tzinfo=None), "ns")
    ds = xr.Dataset(
        {k: (("time", "site", "set"), v) for k, v in data.items()},
        coords={
            "time": start + np.rint(span.offsets_s() * 1e9).astype("timedelta64[ns]"),
            "site": [name],
            "set": [rs.spec.name for rs in plan.resolved],
            "description": ("set", [rs.description for rs in plan.resolved]),
        },
    )
    ds["time"].attrs["long_name"] = "epoch (UTC)"
    for key, values, units, what in zip(
        ("lat_deg", "lon_deg", "height_m"), where, ("degrees_north", "degrees_east", "m"),
        ("latitude", "longitude", "height above the WGS84 ellipsoid"), strict=True,
    ):  # fmt: skip
        ds = ds.assign_coords({key: ("time", values)})
        ds[key].attrs.update(units=units, long_name=f"receiver {what} (interpolated route)")
    ds["visible"].attrs["long_name"] = "satellites above the elevation mask"
    for s in (k.removeprefix("visible_") for k in data if k.startswith("visible_")):
        ds[f"visible_{s}"].attrs["long_name"] = f"satellites of {s} above the elevation mask"
    for key, (_, _, long_name) in ACCURACY_COLUMNS.items() if "hacc95_m" in data else ():
        ds[key].attrs.update(long_name=long_name, units="m")
    ds.attrs.update(
        elevation_mask_deg=float(study.elevation_mask_deg), clock=study.clock,
        step_s=float(span.step_s), start_utc=span.start.isoformat(),
        route_source=str(route.source),
    )  # fmt: skip
    return ds


def route_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Return the route's time series in long form, the receiver's position on every row.

    Columns ``time_utc, site, set, lat_deg, lon_deg, height_m`` then the series
    (``timeseries.csv`` of ``gnss site --route``).
    """
    frame = site_frame(ds)  # rows by time, then site (one), then set
    for i, key in enumerate(("lat_deg", "lon_deg", "height_m")):
        frame.insert(3 + i, key, np.repeat(ds[key].to_numpy(), ds.sizes["set"]))
    return frame


def write_route_outputs(
    ds: xr.Dataset, out: OutputDir, *, report: bool = True, pdop_max: float = 6.0
) -> list[Path]:
    """Write ``timeseries.csv`` and ``timeseries.nc`` into an entered output folder.

    With ``report``, last, ``report.html`` (:func:`gnss.outputs.html.write_site_report`: the
    route, the summary per set with availability at PDOP <= ``pdop_max``, and every PNG
    written into the folder).
    """
    csv_path, nc_path = out.path(ROUTE_FILES[0]), out.path(ROUTE_FILES[1])
    route_frame(ds).to_csv(csv_path, index=False, float_format="%.12g")
    ds.to_netcdf(nc_path, engine="netcdf4")
    paths = [csv_path, nc_path]
    if report:
        paths.append(write_report(ds, out, pdop_max))
    return paths
