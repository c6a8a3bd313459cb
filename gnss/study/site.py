"""Time series at fixed sites: visible satellites and DOPs per epoch, site and set.

The same question as a comparison (:class:`gnss.Study`: sets incl. what-if sets, element and
orbit files, selectors, span rules, mask, clock) asked at named places instead of a grid.
The elements are loaded and checked as for ``gnss compare`` (:func:`gnss.plan_comparison`),
the satellites propagated once (:func:`~gnss.study.propagated.propagate_plan`; a ``gnss
site`` run hands the same positions to its sky plots), and each site run through the series
kernel, all epochs and sets in one call (:func:`gnss.coverage.series.layout_series`). The
study's grid and regions are not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..analysis.sites import site_summary
from ..coverage.config import ProgressCallback
from ..coverage.dataset import horizon_attrs
from ..coverage.epochs import scaled_weights
from ..coverage.series import layout_series
from ..elements.classify import SYSTEMS
from ..outputs.outdir import OutputDir
from ..receivers.sites import Site, as_sites
from .plan import Plan, plan_comparison
from .propagated import Propagated, check_propagated, propagate_plan
from .question import Study

_DOPS = ("pdop", "hdop", "vdop", "gdop")


def site_timeseries(
    study: Study,
    sites: Iterable[Site | Sequence],
    *,
    progress: ProgressCallback | None = None,
) -> xr.Dataset:
    """Visible satellites and DOPs at each site, epoch and set.

    Parameters
    ----------
    study : Study
        Sets, elements, selectors, span, mask and clock, as for :func:`gnss.run_comparison`
        (its grid and regions are not used).
    sites : iterable of Site or (name, lat_deg, lon_deg[, height_m])
        The places; names unique.
    progress : callable, optional
        ``progress(stage, done, total)`` for "propagate" and "sites".

    Returns
    -------
    xarray.Dataset
        Dims ``(time, site, set)``: ``visible`` and ``visible_<system>`` (satellites above the
        mask; 0 for a system not in the set), ``pdop``, ``hdop``, ``vdop``, ``gdop`` (NaN
        without a fix) and ``tdop_<system>`` (per-system clock; NaN when the system is not in
        the set or has no satellite in view) or ``tdop`` (common clock). Coordinates
        ``lat_deg``, ``lon_deg``, ``height_m`` per site and ``description`` per set. With
        ``study.uere_m``: ``hacc95_m`` and ``vacc95_m`` (95 % horizontal, 2 drms, and vertical
        accuracy in metres, NaN without a fix; :mod:`gnss.coverage.uere`).

    Raises
    ------
    SiteError
        For a site out of range or a name given twice (before any file is read).
    GnssError
        As :func:`gnss.plan_comparison` for the elements, sets and span.

    Examples
    --------
    >>> import gnss
    >>> study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800)
    >>> ds = gnss.site_timeseries(study, [("Moscow", 55.75, 37.62)])
    >>> dict(ds.sizes)
    {'time': 3, 'site': 1, 'set': 3}
    >>> both = ds.sel(set="R+C")
    >>> bool((both.visible == both.visible_R + both.visible_C).all())
    True
    """
    site_list = as_sites(sites)
    plan = plan_comparison(study)
    return site_series(plan, site_list, progress)


def site_series(
    plan: Plan, sites: list[Site], progress: ProgressCallback | None,
    propagated: Propagated | None = None,
) -> xr.Dataset:  # fmt: skip
    """Return the time series of a checked plan at checked sites (see :func:`site_timeseries`).

    ``propagated``: the plan's satellites already propagated (:func:`propagate_plan`, shared
    with the sky plots of the same run); None propagates them here.
    """

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    study = plan.study
    if propagated is None:
        propagated = propagate_plan(plan, progress)
    layout, pos = check_propagated(propagated, plan).layout, propagated.positions_itrs_m
    systems = list(layout.systems)
    n_t, n_site, n_set = plan.span.n_epochs, len(sites), len(plan.resolved)
    clocks = systems if study.clock == "per-system" else [""]
    data = {"visible": np.zeros((n_t, n_site, n_set), np.int64)}
    data |= {f"visible_{s}": np.zeros((n_t, n_site, n_set), np.int64) for s in systems}
    data |= {k: np.full((n_t, n_site, n_set), np.nan) for k in _DOPS}
    data |= {_tdop_name(c): np.full((n_t, n_site, n_set), np.nan) for c in clocks}
    skyline = study.config().skyline()  # None without a horizon
    sigma = site_sigma(study, plan)
    weight, scale = None, 1.0
    if sigma is not None:
        data |= {k: np.full((n_t, n_site, n_set), np.nan) for k in ACCURACY_COLUMNS}
        sat_systems = [s.system for s in layout.satellites]
        weight, scale = scaled_weights([sigma[x] ** -2.0 for x in sat_systems], len(sat_systems))
    report("sites", 0, n_site * n_set)
    for i, site in enumerate(sites):
        point, up = site.itrs_m()
        # One series kernel call per site covers every epoch and set.
        out = layout_series(pos, layout, point, up, elevation_mask_deg=study.elevation_mask_deg,
                            skyline=skyline, progress=progress)  # fmt: skip
        wout = None if weight is None else layout_series(
            pos, layout, point, up, elevation_mask_deg=study.elevation_mask_deg,
            skyline=skyline, sat_weight=weight, progress=progress)  # fmt: skip
        for k, rs in enumerate(plan.resolved):
            set_systems = rs.spec.systems
            data["visible"][:, i, k] = out["visible"][k]
            for name, (dop, factor, _) in ACCURACY_COLUMNS.items() if wout is not None else ():
                ok = np.isfinite(out["pdop"][k]) & np.isfinite(wout["pdop"][k])
                data[name][:, i, k] = np.where(ok, wout[dop.removesuffix("_w")][k] * scale
                                               * factor, np.nan)  # fmt: skip
            for j, s in enumerate(set_systems):
                data[f"visible_{s}"][:, i, k] = out["visible_system"][k, j]
            for name in _DOPS:
                data[name][:, i, k] = out[name][k]
            for j, c in enumerate(set_systems if study.clock == "per-system" else [""]):
                if j < out["tdop"].shape[1]:  # else: no satellite of that clock at all
                    data[_tdop_name(c)][:, i, k] = out["tdop"][k, j]
        report("sites", (i + 1) * n_set, n_site * n_set)
    return _dataset(data, plan, sites)


#: Accuracy columns of a site run with ``uere_m``: name -> (weighted DOP, factor, long name).
ACCURACY_COLUMNS = {
    "hacc95_m": ("hdop_w", 2.0, "95 % horizontal accuracy, 2 drms = 2 sqrt(sE^2 + sN^2)"),
    "vacc95_m": ("vdop_w", 1.96, "95 % vertical accuracy, 1.96 sigma_U"),
}


def site_sigma(study: Study, plan: Plan) -> dict[str, float] | None:
    """One-sigma UERE per system of the study (None: no accuracy asked for); checked per set."""
    config = study.config()
    if config.uere_m is None:
        return None
    from ..coverage.uere import set_sigmas, uere_sigma_m

    sigma = uere_sigma_m(dict(config.uere_m))
    for rs in plan.resolved:
        set_sigmas(rs.spec.systems, sigma, rs.spec.name)
    return sigma


def _tdop_name(clock_system: str) -> str:
    """``tdop_<system>`` for a per-system clock, ``tdop`` for the common one."""
    return f"tdop_{clock_system}" if clock_system else "tdop"


def _dataset(data: dict, plan: Plan, sites: list[Site]) -> xr.Dataset:
    """Return the arrays as a Dataset with coordinates, units and provenance."""
    study = plan.study
    dims = ("time", "site", "set")
    start = np.datetime64(plan.span.start.replace(tzinfo=None), "ns")
    times = start + np.rint(plan.span.offsets_s() * 1e9).astype("timedelta64[ns]")
    ds = xr.Dataset(
        {k: (dims, v) for k, v in data.items()},
        coords={
            "time": times,
            "site": [s.name for s in sites],
            "set": [rs.spec.name for rs in plan.resolved],
            "lat_deg": ("site", [s.lat_deg for s in sites]),
            "lon_deg": ("site", [s.lon_deg for s in sites]),
            "height_m": ("site", [s.height_m for s in sites]),
            "description": ("set", [rs.description for rs in plan.resolved]),
        },
    )
    ds["time"].attrs["long_name"] = "epoch (UTC)"
    ds["lat_deg"].attrs["units"] = "degrees_north"
    ds["lon_deg"].attrs["units"] = "degrees_east"
    ds["height_m"].attrs["units"] = "m"
    ds["visible"].attrs["long_name"] = "satellites above the elevation mask"
    for s in (x for x in SYSTEMS if f"visible_{x}" in ds):
        ds[f"visible_{s}"].attrs["long_name"] = f"satellites of {s} above the elevation mask"
    for name, (_, _, long_name) in ACCURACY_COLUMNS.items() if "hacc95_m" in ds else ():
        ds[name].attrs.update(long_name=long_name, units="m")
    if "hacc95_m" in ds:
        from ..coverage.uere import uere_sigma_m

        sigma = uere_sigma_m(dict(study.config().uere_m))
        ds.attrs["uere_m"] = ", ".join(f"{k}={v:.4g}" for k, v in sigma.items())
    ds.attrs.update(
        elevation_mask_deg=float(study.elevation_mask_deg),
        clock=study.clock,
        step_s=float(plan.span.step_s),
        start_utc=plan.span.start.isoformat(),
        **horizon_attrs(study.config()),
    )
    return ds


#: Files a site run writes into its output folder.
SITE_FILES = ("timeseries.csv", "timeseries.nc", "passes.csv", "report.html")


def site_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Return the time series in long form: one row per epoch, site and set (``timeseries.csv``).

    Examples
    --------
    >>> import gnss
    >>> ds = gnss.site_timeseries(gnss.Study("R", duration_s=1800, step_s=1800),
    ...                           [("Moscow", 55.75, 37.62)])
    >>> list(site_frame(ds).columns)[:5]
    ['time_utc', 'site', 'set', 'visible', 'visible_R']
    """
    names = list(ds.data_vars)
    frame = ds[names].to_dataframe().reset_index()
    frame = frame[["time", "site", "set", *names]]
    frame.insert(0, "time_utc", frame.pop("time").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return frame


def site_passes(plan: Plan, sites: list[Site]) -> dict[str, list]:
    """Find the passes (:func:`gnss.find_passes`) of the plan's satellites at each site.

    Satellites of sets that run from another start (labelled snapshots) are left out: their
    passes would belong to another span.
    """
    from ..receivers.passes import find_passes

    seen: dict[int, object] = {}
    for rs in plan.resolved:
        if rs.start == plan.span.start:
            seen.update({id(s): s for s in rs.satellites})
    sats = list(seen.values())
    mask = plan.study.elevation_mask_deg
    return {
        s.name: find_passes(sats, s.lat_deg, s.lon_deg, s.height_m, plan.span.start,
                            plan.span.end, elevation_mask_deg=mask)  # fmt: skip
        for s in sites
    }


def write_site_outputs(
    ds: xr.Dataset, out: OutputDir, passes: dict | None = None, *, report: bool = True,
    pdop_max: float = 6.0,
) -> list[Path]:
    """Write ``timeseries.csv``, ``timeseries.nc`` (and ``passes.csv``) into an entered folder.

    With ``report``, last, ``report.html`` (:func:`gnss.outputs.html.write_site_report`): the
    summary (availability with PDOP <= ``pdop_max``) and every PNG written into the folder.
    """
    from ..outputs.passes import write_passes_csv

    csv_path, nc_path = out.path(SITE_FILES[0]), out.path(SITE_FILES[1])
    site_frame(ds).to_csv(csv_path, index=False, float_format="%.12g")
    ds.to_netcdf(nc_path, engine="netcdf4")
    paths = [csv_path, nc_path]
    if passes is not None:
        paths.append(write_passes_csv(passes, out.path(SITE_FILES[2])))
    if report:
        paths.append(write_report(ds, out, pdop_max))
    return paths


def write_report(ds: xr.Dataset, out: OutputDir, pdop_max: float = 6.0) -> Path:
    """Write ``report.html`` of a site or route run into an entered folder, last.

    :func:`gnss.outputs.html.write_site_report` with the summary (availability with PDOP <=
    ``pdop_max``) and every PNG already written into the folder.
    """
    from ..outputs.html import write_site_report

    pngs = sorted(out.path(".").glob("*.png"))
    return write_site_report(ds, out.path(SITE_FILES[3]), site_summary(ds, pdop_max), pngs)
