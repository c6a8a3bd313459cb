"""Coverage runs: propagate, run the kernels block by block, return an ``xarray.Dataset``.

Memory: satellite positions are held for the whole span
(``n_epochs x n_sats x 24`` bytes, e.g. 3.3 MB for 60 satellites over a day at
5 min); the per-point accumulators, including the DOP histograms used for the
per-cell percentiles, exist only for one block of points at a time, so they
do not grow with the grid or with the number of epochs.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import xarray as xr

from . import kernels
from .classify import SYSTEM_NAMES, SYSTEMS
from .elements import Constellation
from .errors import ParameterError
from .grid import Grid
from .propagate import PropagationFailure, propagate_itrs_m
from .timeutil import EpochSpan

#: DOP histogram layout: 1024 bins over log2(DOP) in [-2, 8), i.e. DOP 0.25 to 256,
#: each bin 0.68 % wide. Per-cell percentiles are within two bins (1.4 %) of
#: numpy.percentile on the same values (tested), time-and-area ones within one.
HIST_LO_LOG2 = -2.0
HIST_BINS_PER_LOG2 = 102.4
HIST_N_BINS = 1024
DOP_NAMES = ("pdop", "hdop", "vdop", "gdop")
#: Time-and-area percentiles reported in the summary (as in the performance standards).
SUMMARY_PERCENTILES = (50, 90, 95, 98, 99)
CLOCK_MODELS = ("per-system", "common")


@dataclass(frozen=True)
class SetSpec:
    """A receiver configuration to analyse: the systems it tracks.

    Attributes
    ----------
    name : str
        Label such as ``"R+C"``.
    systems : tuple of str
        System letters, e.g. ``("R", "C")``.
    """

    name: str
    systems: tuple[str, ...]


_SET_LETTERS = ("G", "R", "E", "C", "J", "I")


def parse_sets(text: str | Sequence[str]) -> list[SetSpec]:
    """Parse ``"R,C,R+C"`` (or a list of such items) into set specifications.

    Examples
    --------
    >>> [s.name for s in parse_sets("R,C,R+C")]
    ['R', 'C', 'R+C']
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    out: list[SetSpec] = []
    for raw in items:
        item = raw.strip().upper()
        if not item:
            raise ParameterError(f"empty set in {text!r}; write sets like R,C,R+C")
        letters = [x.strip() for x in item.split("+")]
        for x in letters:
            if x not in _SET_LETTERS:
                raise ParameterError(
                    f"unknown system letter {x!r} in set {raw.strip()!r}; use G (GPS), R (GLONASS), "
                    f"E (Galileo), C (BeiDou), J (QZSS) or I (NavIC), joined with '+', e.g. R+C"
                )
        if len(set(letters)) != len(letters):
            raise ParameterError(f"set {raw.strip()!r} names a system twice")
        systems = tuple(s for s in _SET_LETTERS if s in letters)
        name = "+".join(systems)
        if any(s.name == name for s in out):
            raise ParameterError(f"set {name!r} is given twice in {text!r}")
        out.append(SetSpec(name, systems))
    return out


@dataclass(frozen=True)
class CoverageConfig:
    """Parameters of a run (all quantities carry their unit in the name)."""

    elevation_mask_deg: float = 5.0
    clock: str = "per-system"
    pdop_max: float = 6.0

    def __post_init__(self):
        if not np.isfinite(self.elevation_mask_deg) or not -10.0 <= self.elevation_mask_deg < 90.0:
            raise ParameterError(
                f"elevation_mask_deg must be in [-10, 90), got {self.elevation_mask_deg!r}"
            )
        if self.clock not in CLOCK_MODELS:
            raise ParameterError(f"clock must be 'per-system' or 'common', got {self.clock!r}")
        if not np.isfinite(self.pdop_max) or self.pdop_max <= 0:
            raise ParameterError(f"pdop_max must be a positive number, got {self.pdop_max!r}")


ProgressCallback = Callable[[str, int, int], None]


def _block_points(n_points: int, n_sets: int, n_sats: int, budget_bytes: int) -> int:
    per_point = n_sets * (kernels.N_METRICS * HIST_N_BINS * 4 + (n_sats + 1) * 4 + 400)
    return int(max(64, min(n_points, budget_bytes // per_point)))


def compute_coverage(
    constellation: Constellation,
    sets: Sequence[SetSpec] | str,
    span: EpochSpan,
    grid: Grid,
    config: CoverageConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
    memory_budget_bytes: int = 256 * 2**20,
) -> xr.Dataset:
    """Visibility and DOP statistics of each set over a grid and a span of epochs.

    Parameters
    ----------
    constellation : Constellation
        Satellites (all systems named by the sets must be present).
    sets : sequence of SetSpec or str
        Receiver configurations, e.g. ``"R,C,R+C"``.
    span : EpochSpan
        Analysis epochs.
    grid : Grid
        Receiver points (cell centres) and cell areas.
    config : CoverageConfig, optional
        Mask, clock model and availability threshold.
    progress : callable, optional
        Called as ``progress(stage, done, total)``; the library never prints.
    memory_budget_bytes : int
        Approximate memory for the per-block accumulators.

    Returns
    -------
    xarray.Dataset
        Per-cell statistics with dims ``(set, lat, lon)`` (and ``system``),
        area-weighted global histograms, and provenance attributes. See
        :func:`gnss.summarize` for the global summary.

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=600)
    >>> ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(10.0))
    >>> bool((ds.availability.sel(set="R+C") >= ds.availability.sel(set="R")).all())
    True
    """
    config = config or CoverageConfig()
    specs = parse_sets(sets) if isinstance(sets, str) else list(sets)
    if not specs:
        raise ParameterError("no sets to analyse; give e.g. R,C,R+C")
    used = [s for s in SYSTEMS if any(s in spec.systems for spec in specs)]
    present = constellation.counts()
    missing = [s for s in used if present.get(s, 0) == 0]
    if missing:
        raise ParameterError(
            f"the element sets have no satellites of system(s) {', '.join(missing)} "
            f"(they have {present}); add element files for them or drop those sets"
        )
    sats = [s for s in constellation.satellites if s.system in used]
    sat_group = np.array([used.index(s.system) for s in sats], dtype=np.int64)
    n_sets, n_groups = len(specs), len(used)
    n_clock_max = max(len(s.systems) for s in specs) if config.clock == "per-system" else 1
    set_clock = np.full((n_sets, n_groups), -1, dtype=np.int64)
    for k, spec in enumerate(specs):
        for j, sys in enumerate(spec.systems):
            set_clock[k, used.index(sys)] = j if config.clock == "per-system" else 0
    set_nclock = (set_clock.max(axis=1) + 1).astype(np.int64)

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    # Propagation, chunked in time to bound SGP4's temporaries.
    n_t, n_s = span.n_epochs, len(sats)
    pos = np.empty((n_t, n_s, 3))
    failures: dict[str, PropagationFailure] = {}
    chunk = 2048
    for first in range(0, n_t, chunk):
        stop = min(n_t, first + chunk)
        pos[first:stop], fails = propagate_itrs_m(sats, span, first, stop)
        for f in fails:
            old = failures.get(f.satellite)
            n = f.n_epochs_failed + (old.n_epochs_failed if old else 0)
            failures[f.satellite] = PropagationFailure(f.satellite, n, f.reason)
        report("propagate", stop, n_t)

    points, up = grid.points()
    area = grid.cell_area_m2.ravel()
    n_p = points.shape[0]
    block = _block_points(n_p, n_sets, n_s, memory_budget_bytes)
    sin_mask = float(np.sin(np.radians(config.elevation_mask_deg)))

    out = _Outputs(n_p, n_sets, n_clock_max, n_s)
    acc = _Accumulators(block, n_sets, n_clock_max, n_s)
    for start in range(0, n_p, block):
        stop = min(n_p, start + block)
        a = acc.reset(stop - start)
        kernels.accumulate(
            pos, sat_group, points[start:stop], up[start:stop], sin_mask, set_clock, set_nclock,
            float(config.pdop_max), HIST_LO_LOG2, HIST_BINS_PER_LOG2, *a,
        )  # fmt: skip
        out.fold(slice(start, stop), acc, stop - start, n_t, area[start:stop])
        report("grid", stop, n_p)

    return _to_dataset(out, specs, used, set_nclock, constellation, sats, span, grid, config, failures)


class _Accumulators:
    """Per-block accumulator arrays, allocated once and reset per block."""

    def __init__(self, block, n_sets, n_clock, n_sats):
        self.n_fix = np.zeros((block, n_sets), np.int64)
        self.n_avail = np.zeros((block, n_sets), np.int64)
        self.vis_sum = np.zeros((block, n_sets), np.int64)
        self.vis_min = np.zeros((block, n_sets), np.int64)
        self.vis_max = np.zeros((block, n_sets), np.int64)
        self.vis_hist = np.zeros((block, n_sets, n_sats + 1), np.int32)
        self.clk_sum = np.zeros((block, n_sets, n_clock), np.int64)
        self.clk_min = np.zeros((block, n_sets, n_clock), np.int64)
        self.clk_max = np.zeros((block, n_sets, n_clock), np.int64)
        self.tdop_sum = np.zeros((block, n_sets, n_clock))
        self.dop_sum = np.zeros((block, n_sets, kernels.N_METRICS))
        self.dop_min = np.zeros((block, n_sets, kernels.N_METRICS))
        self.dop_max = np.zeros((block, n_sets, kernels.N_METRICS))
        self.dop_hist = np.zeros((block, n_sets, kernels.N_METRICS, HIST_N_BINS), np.int32)
        self.names = (
            "n_fix n_avail vis_sum vis_min vis_max vis_hist clk_sum clk_min clk_max tdop_sum "
            "dop_sum dop_min dop_max dop_hist"
        ).split()

    def reset(self, n):
        big = np.iinfo(np.int64).max
        init = {"vis_min": big, "clk_min": big, "dop_min": np.inf, "dop_max": -np.inf}
        views = []
        for name in self.names:
            arr = getattr(self, name)
            arr[:n] = init.get(name, 0)
            views.append(arr[:n])
        return views


class _Outputs:
    """Final per-point statistics and area-weighted global histograms."""

    def __init__(self, n_p, n_sets, n_clock, n_sats):
        f = lambda *shape: np.full(shape, np.nan)  # noqa: E731
        self.fix_fraction = f(n_p, n_sets)
        self.availability = f(n_p, n_sets)
        self.vis = f(3, n_p, n_sets)  # mean, min, max
        self.clk = f(3, n_p, n_sets, n_clock)
        self.tdop_mean = f(n_p, n_sets, n_clock)
        self.dop = f(4, n_p, n_sets, kernels.N_METRICS)  # mean, median, p95, max
        self.dop_min_global = np.full((n_sets, kernels.N_METRICS), np.inf)
        self.dop_max_global = np.full((n_sets, kernels.N_METRICS), -np.inf)
        self.dop_hist_area = np.zeros((n_sets, kernels.N_METRICS, HIST_N_BINS))
        self.vis_hist_area = np.zeros((n_sets, n_sats + 1))
        self.dop_sum_area = np.zeros((n_sets, kernels.N_METRICS))

    def fold(self, sl, acc, n, n_t, area):
        nf = acc.n_fix[:n].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.fix_fraction[sl] = nf / n_t
            self.availability[sl] = acc.n_avail[:n] / n_t
            self.vis[0, sl] = acc.vis_sum[:n] / n_t
            self.vis[1, sl] = acc.vis_min[:n]
            self.vis[2, sl] = acc.vis_max[:n]
            self.clk[0, sl] = acc.clk_sum[:n] / n_t
            self.clk[1, sl] = acc.clk_min[:n]
            self.clk[2, sl] = acc.clk_max[:n]
            # TDOP of a clock is averaged over the epochs with a fix and that clock in view;
            # the count of those is not kept, so use epochs with a fix (documented).
            self.tdop_mean[sl] = np.where(nf[..., None] > 0, acc.tdop_sum[:n] / nf[..., None], np.nan)
            self.dop[0, sl] = np.where(nf[..., None] > 0, acc.dop_sum[:n] / nf[..., None], np.nan)
        hist = acc.dop_hist[:n]
        vmin = np.where(np.isfinite(acc.dop_min[:n]), acc.dop_min[:n], np.nan)
        vmax = np.where(np.isfinite(acc.dop_max[:n]), acc.dop_max[:n], np.nan)
        qs = np.empty((hist.shape[0] * hist.shape[1] * hist.shape[2], 2))
        kernels.hist_quantiles(
            hist.reshape(-1, HIST_N_BINS), HIST_LO_LOG2, HIST_BINS_PER_LOG2,
            vmin.ravel(), vmax.ravel(), np.array([0.5, 0.95]), qs,
        )  # fmt: skip
        qs = qs.reshape(hist.shape[:3] + (2,))
        self.dop[1, sl] = qs[..., 0]
        self.dop[2, sl] = qs[..., 1]
        self.dop[3, sl] = vmax
        self.dop_min_global = np.fmin(self.dop_min_global, np.nanmin(np.where(np.isnan(vmin), np.inf, vmin), axis=0))
        self.dop_max_global = np.fmax(self.dop_max_global, np.nanmax(np.where(np.isnan(vmax), -np.inf, vmax), axis=0))
        self.dop_hist_area += np.einsum("p,pkmb->kmb", area, hist, dtype=np.float64)
        self.vis_hist_area += np.einsum("p,pkc->kc", area, acc.vis_hist[:n], dtype=np.float64)
        self.dop_sum_area += np.einsum("p,pkm->km", area, acc.dop_sum[:n])


def _versions() -> str:
    import netCDF4
    import numba
    import sgp4
    import skyfield

    from . import __version__

    mods = {"gnss-coverage": __version__, "numpy": np.__version__, "numba": numba.__version__}
    mods |= {"sgp4": sgp4.__version__, "skyfield": skyfield.__version__, "xarray": xr.__version__}
    mods |= {"netCDF4": netCDF4.__version__, "python": platform.python_version()}
    return ", ".join(f"{k} {v}" for k, v in mods.items())


def _to_dataset(out, specs, used, set_nclock, constellation, sats, span, grid, config, failures):
    n_lat, n_lon = grid.n_lat, grid.n_lon
    set_names = [s.name for s in specs]
    grid3 = lambda a: a.T.reshape(len(specs), n_lat, n_lon)  # noqa: E731  (n_p, n_sets) -> (set, lat, lon)
    coords = {
        "set": ("set", set_names, {"long_name": "receiver configuration (tracked systems joined by '+')"}),
        "lat": ("lat", grid.lat_deg, {"units": "degrees_north", "standard_name": "latitude", "axis": "Y",
                                      "long_name": "latitude of the cell centre (WGS84 geodetic)"}),
        "lon": ("lon", grid.lon_deg, {"units": "degrees_east", "standard_name": "longitude", "axis": "X",
                                      "long_name": "longitude of the cell centre"}),
        "system": ("system", used, {"long_name": "GNSS system letter (RINEX convention)",
                                    "system_names": ", ".join(f"{s}={SYSTEM_NAMES[s]}" for s in used)}),
        "percentile": ("percentile", np.array(SUMMARY_PERCENTILES, float), {"units": "percent"}),
        "dop_bin_lower": ("dop_bin", 2.0 ** (HIST_LO_LOG2 + np.arange(HIST_N_BINS) / HIST_BINS_PER_LOG2),
                          {"long_name": "lower edge of the DOP histogram bin", "units": "1"}),
        "visible_count": ("visible_count", np.arange(out.vis_hist_area.shape[1]), {"units": "1"}),
    }  # fmt: skip
    tm = "time: mean (epochs with a fix)"
    data = {
        "fix_fraction": (grid3(out.fix_fraction), "fraction of epochs with a defined fix (>= 3 + clocks in view)", "time: mean"),
        "availability": (grid3(out.availability), f"fraction of epochs with a fix and PDOP <= {config.pdop_max:g}", "time: mean"),
        "visible_mean": (grid3(out.vis[0]), "mean number of satellites in view", "time: mean"),
        "visible_min": (grid3(out.vis[1]), "minimum number of satellites in view", "time: minimum"),
        "visible_max": (grid3(out.vis[2]), "maximum number of satellites in view", "time: maximum"),
    }  # fmt: skip
    stat_names = {0: ("mean", tm), 1: ("median", "time: median (epochs with a fix)"),
                  2: ("p95", "time: percentile 95 (epochs with a fix)"), 3: ("max", "time: maximum")}  # fmt: skip
    for m, dop in enumerate(DOP_NAMES):
        for i, (stat, method) in stat_names.items():
            data[f"{dop}_{stat}"] = (grid3(out.dop[i][..., m]), f"{stat} {dop.upper()}", method)
    ds = xr.Dataset(coords=coords)
    for name, (arr, long_name, method) in data.items():
        ds[name] = (("set", "lat", "lon"), arr, {"long_name": long_name, "units": "1", "cell_methods": method})
    # Per-system counts and TDOP: (n_p, n_sets, n_clock) -> (set, system, lat, lon), NaN if absent.
    for name, src, long_name in (
        ("visible_system_mean", out.clk[0], "mean number of satellites of the system in view"),
        ("visible_system_min", out.clk[1], "minimum number of satellites of the system in view"),
        ("visible_system_max", out.clk[2], "maximum number of satellites of the system in view"),
        ("tdop_mean", out.tdop_mean, "mean TDOP of the system's receiver clock (epochs with a fix)"),
    ):
        arr = np.full((len(specs), len(used), n_lat, n_lon), np.nan)
        if config.clock == "per-system" or name != "tdop_mean":
            for k, spec in enumerate(specs):
                for j, sys in enumerate(spec.systems):
                    col = j if config.clock == "per-system" else None
                    if col is not None:
                        arr[k, used.index(sys)] = src[:, k, col].reshape(n_lat, n_lon)
        ds[name] = (("set", "system", "lat", "lon"), arr, {"long_name": long_name, "units": "1"})
    if config.clock == "common":
        ds["tdop_mean"].attrs["comment"] = "common clock: see tdop_common_mean"
        ds["tdop_common_mean"] = (("set", "lat", "lon"), grid3(out.tdop_mean[..., 0]),
                                  {"long_name": "mean TDOP of the common receiver clock", "units": "1"})  # fmt: skip
        for name in ("visible_system_mean", "visible_system_min", "visible_system_max"):
            ds[name].attrs["comment"] = "not split by system with the common clock model"
    ds["cell_area"] = (("lat", "lon"), grid.cell_area_m2,
                       {"units": "m2", "long_name": "cell area on the WGS84 ellipsoid", "standard_name": "cell_area"})  # fmt: skip
    ds["dop_hist_area"] = (("set", "dop", "dop_bin"), out.dop_hist_area,
                           {"units": "m2", "long_name": "epochs x cell area per DOP histogram bin (epochs with a fix)"})  # fmt: skip
    ds["dop_min_global"] = (("set", "dop"), out.dop_min_global, {"units": "1"})
    ds["dop_max_global"] = (("set", "dop"), out.dop_max_global, {"units": "1"})
    ds["dop_sum_area"] = (("set", "dop"), out.dop_sum_area, {"units": "m2", "long_name": "sum over epochs with a fix of DOP x cell area"})
    ds["visible_hist_area"] = (("set", "visible_count"), out.vis_hist_area,
                               {"units": "m2", "long_name": "epochs x cell area per visible count"})  # fmt: skip
    ds = ds.assign_coords(dop=("dop", list(DOP_NAMES)))
    ds["set_systems"] = ("set", [",".join(s.systems) for s in specs])
    ds.attrs.update(
        {
            "Conventions": "CF-1.10",
            "title": "GNSS coverage: visibility and dilution of precision per receiver configuration",
            "source": "gnss-coverage (SGP4 element sets, numba kernels)",
            "history": f"{datetime.now(UTC).isoformat(timespec='seconds')} created by gnss-coverage",
            "element_files": "; ".join(f"{s.path} sha256={s.sha256}" for s in constellation.sources),
            "element_epoch_range": _epoch_range(sats),
            "satellites_per_system": ", ".join(f"{s}={sum(x.system == s for x in sats)}" for s in used),
            "skipped_records": "; ".join(f"{s.name} ({s.source}): {s.reason}" for s in constellation.skipped) or "none",
            "propagation_failures": "; ".join(f"{f.satellite}: {f.n_epochs_failed} epochs ({f.reason})" for f in failures.values()) or "none",
            "time_coverage_start": span.start.isoformat(),
            "time_coverage_end": span.end.isoformat(),
            "time_step_s": span.step_s,
            "n_epochs": span.n_epochs,
            "elevation_mask_deg": config.elevation_mask_deg,
            "visibility_rule": "elevation above the WGS84 geodetic horizon strictly greater than the mask",
            "receiver_height_m": grid.height_m,
            "grid_resolution_deg": grid.resolution_deg,
            "clock_model": config.clock,
            "gdop_convention": "GDOP^2 = PDOP^2 + sum of TDOP^2 over every receiver clock of the set in view",
            "pdop_max": config.pdop_max,
            "percentile_method": "per-cell median/p95 from 1024-bin log histograms of DOP 0.25..256, within 1.4 % of the exact value",
            "library_versions": _versions(),
        }
    )  # fmt: skip
    return ds


def _epoch_range(sats) -> str:
    if not sats:
        return ""
    eps = sorted(s.epoch for s in sats)
    return f"{eps[0].isoformat()} .. {eps[-1].isoformat()}"


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", name.replace("+", "p"))
