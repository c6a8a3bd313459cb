"""Turn the statistics of a coverage run into a CF-conventions ``xarray.Dataset``."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr

from ..elements.classify import SYSTEM_NAMES
from ..kernels import numba_version
from ..kernels.driver import DOP_CEILING, hist_bin_lower
from ..kernels.sets import HIST_N_BINS, HIST_OCTAVE_LO, HIST_SUB

#: The DOP variables of a dataset (gnss.coverage.run and gnss.analysis.summary use them too).
DOP_NAMES = ("pdop", "hdop", "vdop", "gdop")
#: Time-and-area percentiles reported in the summary (as in the performance standards).
SUMMARY_PERCENTILES = (50, 90, 95, 98, 99)

_FIX = "epochs with a usable fix"
#: Per-cell variables of dims (set, lat, lon): name -> (long name, cell_methods).
_CELL_VARS = {
    "fix_fraction": (
        f"fraction of epochs with a usable fix (>= 3 + clocks in view, GDOP <= {DOP_CEILING:g})",
        "time: mean",
    ),
    "availability": ("fraction of epochs with a usable fix and PDOP <= pdop_max", "time: mean"),
    "singular_fraction": (
        f"fraction of epochs with near-singular geometry (>= 3 + clocks in view but "
        f"GDOP > {DOP_CEILING:g}): no usable fix, left out of the DOP statistics",
        "time: mean",
    ),
    "visible_mean": ("mean number of satellites in view", "time: mean"),
    "visible_min": ("minimum number of satellites in view", "time: minimum"),
    "visible_max": ("maximum number of satellites in view", "time: maximum"),
}
_DOP_STATS = (
    ("mean", f"time: mean ({_FIX})"),
    ("median", f"time: median ({_FIX})"),
    ("p95", f"time: percentile (95 %, {_FIX})"),
    ("max", "time: maximum"),
)
_SYSTEM_VARS = (
    ("visible_system_mean", "mean number of satellites of the system in view", "time: mean"),
    ("visible_system_min", "minimum number of satellites of the system in view", "time: minimum"),
    ("visible_system_max", "maximum number of satellites of the system in view", "time: maximum"),
)


def _versions() -> str:
    import netCDF4
    import sgp4
    import skyfield

    from .. import __version__

    mods = {
        "gnss-coverage": __version__,
        "numpy": np.__version__,
        "numba": numba_version(),
        "sgp4": sgp4.__version__,
        "skyfield": skyfield.__version__,
        "xarray": xr.__version__,
        "netCDF4": netCDF4.__version__,
        "python": platform.python_version(),
    }
    return ", ".join(f"{k} {v}" for k, v in mods.items())


def percentile_method() -> str:
    """Describe how percentiles come from the histograms, from the histogram constants.

    The bounds are those the tests check: a per-cell percentile lies within two bins of
    ``numpy.percentile`` (the rank falls in one bin, the interpolation spans it), a
    time-and-area percentile within one bin; a bin is at most ``1 / HIST_SUB`` wide
    relative to its lower edge.

    Examples
    --------
    >>> percentile_method()[:61]
    'per-cell median/p95 from 1280-bin histograms of DOP 0.25..256'
    """
    n_octaves = HIST_N_BINS // HIST_SUB
    lo, hi = 2.0**HIST_OCTAVE_LO, 2.0 ** (HIST_OCTAVE_LO + n_octaves)
    width = 1 / HIST_SUB
    return (
        f"per-cell median/p95 from {HIST_N_BINS}-bin histograms of DOP {lo:g}..{hi:g} "
        f"({n_octaves} octaves of {HIST_SUB} linear bins, each at most {100 * width:.2f} % wide): "
        f"within {200 * width:.2f} % of numpy.percentile; time-and-area percentiles within "
        f"{100 * width:.2f} %"
    )


def dataset_coords(specs, used, grid, n_visible) -> dict:
    """Coordinates of a run's dataset (``set``, ``lat``, ``lon``, ``system``, bins), with attrs."""
    lat_attrs = {"units": "degrees_north", "standard_name": "latitude", "axis": "Y"}
    lon_attrs = {"units": "degrees_east", "standard_name": "longitude", "axis": "X"}
    bin_lower = np.array([hist_bin_lower(b) for b in range(HIST_N_BINS)])
    return {
        "set": ("set", [s.name for s in specs], {"long_name": "receiver configuration"}),
        "lat": ("lat", grid.lat_deg, lat_attrs | {"long_name": "latitude of the cell centre"}),
        "lon": ("lon", grid.lon_deg, lon_attrs | {"long_name": "longitude of the cell centre"}),
        "system": (
            "system",
            used,
            {
                "long_name": "GNSS system letter (RINEX convention)",
                "system_names": ", ".join(f"{s}={SYSTEM_NAMES[s]}" for s in used),
            },
        ),
        "dop": ("dop", list(DOP_NAMES)),
        "percentile": ("percentile", np.array(SUMMARY_PERCENTILES, float), {"units": "percent"}),
        "dop_bin_lower": ("dop_bin", bin_lower, {"long_name": "lower edge of the DOP bin"}),
        "visible_count": ("visible_count", np.arange(n_visible), {"units": "1"}),
    }


def build_dataset(
    out, zones, regions, resolved, used, cons, sats, span, grid, config, failures
) -> xr.Dataset:
    """Assemble the dataset of :func:`gnss.compute_coverage` from its folded statistics."""
    specs = [r.spec for r in resolved]
    ds = xr.Dataset(coords=dataset_coords(specs, used, grid, zones["vis_hist"].shape[-1]))
    if getattr(out, "dop", None) is not None:  # None: the cells went to a store, tile by tile
        add_cell_fields(ds, out, specs, used, config)
    area_attrs = {"units": "m2", "standard_name": "cell_area"}
    ds["cell_area"] = (("lat", "lon"), grid.cell_area_m2, area_attrs | {"long_name": "cell area"})
    ds["dop_hist_area"] = (
        ("set", "dop", "dop_bin"),
        zones["dop_hist"][0],
        {"units": "m2", "long_name": f"epochs x cell area per DOP bin ({_FIX})"},
    )
    ds["dop_sum_area"] = (
        ("set", "dop"),
        zones["dop_sum"][0],
        {"units": "m2", "long_name": f"sum of DOP x cell area ({_FIX})"},
    )
    ds["dop_min_global"] = (("set", "dop"), out.dop_min_global, {"units": "1"})
    ds["dop_max_global"] = (("set", "dop"), out.dop_max_global, {"units": "1"})
    ds["visible_hist_area"] = (
        ("set", "visible_count"),
        zones["vis_hist"][0],
        {"units": "m2", "long_name": "epochs x cell area per number of satellites in view"},
    )
    if regions:
        _add_regions(ds, zones, regions, span.n_epochs)
    ds["set_systems"] = ("set", [",".join(s.systems) for s in specs])
    ds["set_elements"] = ("set", [s.label or "default" for s in specs])
    ds["set_start"] = ("set", [r.start.isoformat() for r in resolved])
    ds["set_n_satellites"] = ("set", [len(r.satellites) for r in resolved])
    ds["set_plain"] = ("set", [int(s.is_plain) for s in specs])
    ds.attrs.update(_provenance(cons, resolved, sats, used, span, grid, config, failures))
    ds.attrs.update(dop_rule_attrs())
    return ds


def add_cell_fields(ds: xr.Dataset, out, specs, used, config) -> None:
    """Add the per-cell statistics of ``out`` (points in ``lat``-major order) to ``ds``.

    ``ds`` has the coordinates ``set``, ``lat``, ``lon`` and ``system`` (``lat`` may be a band
    of the grid's rows: a store written tile by tile, :mod:`gnss.scale.zarrsink`).
    """
    n_sets, n_lat, n_lon = len(specs), ds.sizes["lat"], ds.sizes["lon"]

    def cells(a):  # (n_p, n_sets) -> (set, lat, lon)
        return a.T.reshape(n_sets, n_lat, n_lon)

    values = {
        "fix_fraction": out.fix_fraction,
        "availability": out.availability,
        "singular_fraction": out.singular_fraction,
        "visible_mean": out.vis[0],
        "visible_min": out.vis[1],
        "visible_max": out.vis[2],
    }
    for name, (long_name, method) in _CELL_VARS.items():
        attrs = {"long_name": long_name, "units": "1", "cell_methods": method}
        ds[name] = (("set", "lat", "lon"), cells(values[name]), attrs)
    ds["availability"].attrs["pdop_max"] = config.pdop_max
    for m, dop in enumerate(DOP_NAMES):
        for i, (stat, method) in enumerate(_DOP_STATS):
            attrs = {"long_name": f"{stat} {dop.upper()}", "units": "1", "cell_methods": method}
            ds[f"{dop}_{stat}"] = (("set", "lat", "lon"), cells(out.dop[i][..., m]), attrs)

    # Per-system fields (set, system, lat, lon); NaN where the system is not in the set.
    def per_system(src, column):
        arr = np.full((n_sets, len(used), n_lat, n_lon), np.nan)
        for k, spec in enumerate(specs):
            for j, sys in enumerate(spec.systems):
                arr[k, used.index(sys)] = src[:, k, column(j)].reshape(n_lat, n_lon)
        return arr

    dims4 = ("set", "system", "lat", "lon")
    for i, (name, long_name, method) in enumerate(_SYSTEM_VARS):
        attrs = {"long_name": long_name, "units": "1", "cell_methods": method}
        ds[name] = (dims4, per_system(out.sys[i], lambda j: j), attrs)
    common = config.clock == "common"
    tdop_attrs = {
        "long_name": "mean TDOP of the receiver clock of the system",
        "units": "1",
        "cell_methods": "time: mean (epochs with a fix and the system in view)",
    }
    if common:
        tdop_attrs["comment"] = "common clock model: one clock, the same value for every system"
    ds["tdop_mean"] = (dims4, per_system(out.tdop_mean, lambda j: 0 if common else j), tdop_attrs)


def dop_rule_attrs() -> dict:
    """Global attributes stating the near-singular geometry rule (see ``DOP_CEILING``)."""
    return {
        "dop_ceiling": DOP_CEILING,
        "dop_ceiling_rule": (
            f"an epoch with enough satellites for a fix but GDOP > {DOP_CEILING:g} (the largest "
            "DOP; the upper edge of the DOP histograms) is near-singular: no usable fix. It is "
            "left out of every DOP statistic and of availability and fix_fraction, and counted "
            "in singular_fraction"
        ),
    }


def _add_regions(ds: xr.Dataset, zones: dict, regions, n_epochs: int) -> None:
    """Time-and-area histograms of each region (zones 1.. of the kernel run)."""
    ds.coords["region"] = ("region", [r.code for r in regions], {"long_name": "region code"})
    ds["region_name"] = ("region", [r.name for r in regions])
    # Every epoch of every weighted cell lands once in the visible-count histogram.
    ds["region_area"] = (
        ("region",),
        zones["vis_hist"][1:, 0].sum(axis=-1) / n_epochs,
        {"units": "m2", "long_name": "area of the region on the WGS84 ellipsoid (grid cells)"},
    )
    weight = {"units": "m2", "long_name": "epochs x area inside the region"}
    ds["region_dop_hist_area"] = (
        ("region", "set", "dop", "dop_bin"),
        zones["dop_hist"][1:],
        weight,
    )
    ds["region_dop_sum_area"] = (("region", "set", "dop"), zones["dop_sum"][1:], weight)
    ds["region_visible_hist_area"] = (
        ("region", "set", "visible_count"),
        zones["vis_hist"][1:],
        weight,
    )


def _provenance(cons, resolved, sats, used, span, grid, config, failures) -> dict:
    epochs = sorted(s.epoch for s in sats)
    skipped = [f"{s.name} ({s.source}): {s.reason}" for c in cons.values() for s in c.skipped]
    sources = {s.path: s.sha256 for c in cons.values() for s in c.sources}
    sources |= {s.source.rsplit(":", 1)[0]: "" for s in sats if s.source.startswith("nominal@")}
    medians = {
        k or "default": c.median_epoch().isoformat() for k, c in cons.items() if c.satellites
    }
    defs = [
        f"{r.spec.name}: {len(r.satellites)} satellites from {r.start.isoformat()}"
        for r in resolved
    ]
    failed = [f"{f.satellite}: {f.n_epochs_failed} epochs ({f.reason})" for f in failures.values()]
    return {
        "Conventions": "CF-1.10",
        "title": "GNSS coverage: visibility and dilution of precision per receiver configuration",
        "source": f"gnss-coverage (orbits: {_orbit_kinds(sats)}; numba kernels)",
        "history": f"{datetime.now(UTC).isoformat(timespec='seconds')} created by gnss-coverage",
        "element_files": "; ".join(f"{p} sha256={h}" if h else p for p, h in sources.items()),
        "element_labels_median_epoch": "; ".join(f"{k}: {v}" for k, v in medians.items()),
        "set_definitions": "; ".join(defs),
        "set_descriptions": "\n".join(f"{r.spec.name}: {r.description}" for r in resolved),
        "element_epoch_range": f"{epochs[0].isoformat()} .. {epochs[-1].isoformat()}",
        "satellites_per_system": ", ".join(f"{s}={sum(x.system == s for x in sats)}" for s in used),
        "skipped_records": "; ".join(skipped) or "none",
        "propagation_failures": "; ".join(failed) or "none",
        "time_coverage_start": span.start.isoformat(),
        "time_coverage_end": span.end.isoformat(),
        "time_step_s": span.step_s,
        "n_epochs": span.n_epochs,
        "elevation_mask_deg": config.elevation_mask_deg,
        "visibility_rule": "elevation above the WGS84 geodetic horizon > mask (strict)",
        **horizon_attrs(config),
        "receiver_height_m": grid.height_m,
        "grid_resolution_deg": grid.resolution_deg,
        "clock_model": config.clock,
        "gdop_convention": "GDOP^2 = PDOP^2 + sum of TDOP^2 over every receiver clock in view",
        "pdop_max": config.pdop_max,
        "percentile_method": percentile_method(),
        "library_versions": _versions(),
    }


def horizon_attrs(config) -> dict:
    """Provenance of the horizon mask: its source and the kernel's table (mask folded in)."""
    if config.horizon is None:
        return {"horizon": "none (flat elevation mask)"}
    az, el = config.skyline()
    return {
        "horizon": config.horizon.source,
        "horizon_rule": "effective mask max(elevation_mask_deg, skyline(azimuth)), the skyline "
        "linear in azimuth between the table points (strict: elevation > mask)",
        "horizon_azimuth_deg": az,
        "horizon_elevation_deg": el,
    }


_KIND_TEXT = {"sp3": "SP3 precise", "broadcast": "broadcast ephemerides", "almanac": "almanacs"}


def _orbit_kinds(sats) -> str:
    """Name the orbit sources of the run's satellites, e.g. ``"SGP4 element sets, SP3 precise"``."""
    kinds = {getattr(getattr(s, "orbit", None), "kind", None) for s in sats}
    text = ["SGP4 element sets"] if None in kinds else []
    return ", ".join(text + [_KIND_TEXT.get(k, k) for k in sorted(kinds - {None})])


def provenance_note(ds: xr.Dataset) -> str:
    """One line of provenance under each map: time span, mask, clock model, element files.

    Raises
    ------
    KeyError
        When ``ds`` lacks the attributes :func:`build_dataset` writes.
    """
    files = [Path(p.split(" sha256=")[0]).name for p in ds.attrs["element_files"].split("; ")]
    return (
        f"{ds.attrs['time_coverage_start'][:16]}Z + {ds.attrs['n_epochs']} epochs x "
        f"{ds.attrs['time_step_s']:g} s; mask {ds.attrs['elevation_mask_deg']:g} deg; "
        f"clock {ds.attrs['clock_model']}; elements: {', '.join(files)}"
    )
