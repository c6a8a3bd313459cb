"""Coverage runs: propagate, run the kernels block by block, return an ``xarray.Dataset``.

Memory: satellite positions are held for the whole span
(``n_epochs x n_sats x 24`` bytes, e.g. 3.3 MB for 60 satellites over a day at
5 min); the per-point accumulators, including the DOP histograms used for the
per-cell percentiles, exist only for one block of points at a time, so they
do not grow with the grid or with the number of epochs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import xarray as xr

from ..elements.classify import SYSTEMS
from ..elements.read import Constellation
from ..elements.sets import ResolvedSet, SetSpec, parse_sets, resolve_sets, set_starts
from ..errors import GnssTypeError, ParameterError
from ..kernels import driver as kernels
from ..kernels.threads import ThreadPolicy
from ..orbits.propagate import PropagationFailure, propagate_itrs_m
from ..receivers.grid import Grid
from ..resources import available_memory_bytes
from ..timeutil import EpochSpan
from .dataset import DOP_NAMES, SUMMARY_PERCENTILES  # noqa: F401  (SUMMARY_PERCENTILES: API)

log = logging.getLogger("gnss")

__all__ = ["CoverageConfig", "SetSpec", "compute_coverage", "parse_sets", "plan_memory_bytes"]

#: DOP histograms (see :mod:`gnss.kernels.driver`): DOP 0.25 to 256, 128 log-linear bins per
#: octave, each at most 0.78 % wide. Per-cell percentiles are within two bins (1.6 %) of
#: numpy.percentile on the same values (tested), time-and-area ones within one (0.8 %).
HIST_N_BINS = kernels.HIST_N_BINS
CLOCK_MODELS = ("per-system", "common")


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


def _block_points(n_points: int, n_sets: int, n_clock: int, budget_bytes: int) -> int:
    """Points per kernel call: outputs (~ 8 B x 60 per set) within the budget, ~50 calls a run.

    About fifty calls give the progress bar something to show; fewer than 1024 points a
    call would leave the threads' start-up cost visible.
    """
    per_point = 8 * n_sets * (30 + 4 * n_clock)
    return int(max(1024, min(n_points, budget_bytes // per_point, -(-n_points // 50))))


def compute_coverage(
    constellation: Constellation | Mapping[str | None, Constellation],
    sets: Sequence[SetSpec] | str,
    span: EpochSpan,
    grid: Grid,
    config: CoverageConfig | None = None,
    *,
    progress: ProgressCallback | None = None,
    memory_budget_bytes: int = 256 * 2**20,
    label_starts: Mapping[str, datetime] | None = None,
    regions: Sequence | None = None,
    max_memory_bytes: float | None = None,
    threads: int | None = None,
) -> xr.Dataset:
    """Visibility and DOP statistics of each set over a grid and a span of epochs.

    Parameters
    ----------
    constellation : Constellation or mapping
        Satellites; or a mapping label -> constellation for sets such as ``R+C@2019``
        (``None`` is the unlabelled one).
    sets : sequence of SetSpec or str
        Receiver configurations, e.g. ``"R,C,R+C"`` or what-if sets (:mod:`gnss.elements.sets`).
    span : EpochSpan
        Analysis epochs of the unlabelled elements and of ``@nominal``.
    grid : Grid
        Receiver points (cell centres) and cell areas.
    config : CoverageConfig, optional
        Mask, clock model and availability threshold.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` for the stages ``"propagate"``,
        ``"compile"`` (only when the kernel this run needs is not in numba's cache yet: the
        first run of a fresh install, tens of seconds) and ``"grid"``; the library never
        prints.
    memory_budget_bytes : int
        Approximate memory for the per-block accumulators.
    label_starts : mapping, optional
        Start epoch per label; by default a labelled element set starts at its own median
        epoch (same duration and step as ``span``), so snapshots of different dates compare.
    regions : sequence of gnss.regions.definitions.Region, optional
        Regions whose time-and-area histograms are folded during the run (their area
        weights come from :func:`gnss.regions.definitions.cell_weights_m2`), for region statistics.
    max_memory_bytes : float, optional
        Refuse the run (``ParameterError``, before any work) when its estimated peak memory
        (:func:`plan_memory_bytes`) exceeds this; default: the memory available now
        (``MemAvailable``), as ``gnss compare`` does. ``float("inf")`` never refuses.
    threads : int, optional
        Kernel threads (1 to ``NUMBA_NUM_THREADS``); default: the ``GNSS_THREADS``
        environment variable, else chosen per block from the idle processors
        (:mod:`gnss.kernels.threads`). Results do not depend on it.

    Raises
    ------
    GnssTypeError
        When an argument has the wrong type (e.g. a file name instead of a Constellation).
    ParameterError
        For empty sets, a thread count out of range, or a run larger than the memory.

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
    _check_types(constellation, sets, span, grid, config, regions)
    config = config or CoverageConfig()
    specs = parse_sets(sets) if isinstance(sets, str) else list(sets)
    if not specs:
        raise ParameterError("no sets to analyse; give e.g. R,C,R+C")
    cons = dict(constellation) if isinstance(constellation, Mapping) else {None: constellation}
    policy = ThreadPolicy(threads)  # validates before any work
    check_memory(constellation, specs, span, grid, len(regions or ()), max_memory_bytes)
    resolved = resolve_sets(specs, cons, set_starts(cons, span.start, label_starts))
    layout = _SetLayout.build(resolved, config.clock)
    sats = layout.satellites

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    # Propagation per start epoch (labelled snapshots have their own), chunked in time.
    n_t, n_s = span.n_epochs, len(sats)
    pos = np.empty((n_t, n_s, 3))
    failures: dict[str, PropagationFailure] = {}
    report("propagate", 0, n_t)
    for start in sorted(set(layout.starts)):
        cols = [i for i, st in enumerate(layout.starts) if st == start]
        group = [sats[i] for i in cols]
        sub = EpochSpan(start, span.step_s, n_t)
        for first in range(0, n_t, _PROPAGATION_CHUNK):
            stop = min(n_t, first + _PROPAGATION_CHUNK)
            pos[first:stop, cols], fails = propagate_itrs_m(group, sub, first, stop)
            for f in fails:
                old = failures.get(f.satellite)
                n = f.n_epochs_failed + (old.n_epochs_failed if old else 0)
                failures[f.satellite] = PropagationFailure(f.satellite, n, f.reason)
            report("propagate", stop, n_t)

    points, up = grid.points()
    zone_w = grid.cell_area_m2.ravel()[None, :]  # zone 0: the globe, weighted by true cell area
    region_list = list(regions or ())
    if region_list:
        from ..regions.definitions import cell_weights_m2

        rows = [cell_weights_m2(r, grid).ravel()[None, :] for r in region_list]
        zone_w = np.vstack([zone_w, *rows])
    n_p = points.shape[0]
    block = _block_points(n_p, len(specs), layout.n_clock_max, memory_budget_bytes)
    kern = _KernelRun(pos, layout, config, n_zones=zone_w.shape[0])
    out = _Outputs(n_p, len(specs), layout.n_clock_max, layout.n_slot_max)
    acc = _Accumulators(block, len(specs), layout.n_clock_max, layout.n_slot_max)
    kern.compile(points[:block], up[:block], zone_w[:, :block], acc.view(block), report)
    report("grid", 0, n_p)
    with policy:
        for start in range(0, n_p, block):
            stop = min(n_p, start + block)
            policy.apply()  # threads for this block (fixed, or the processors idle now)
            kern(points[start:stop], up[start:stop], zone_w[:, start:stop], acc.view(stop - start))
            out.fold(slice(start, stop), acc, stop - start, n_t)
            report("grid", stop, n_p)
    log.debug("kernel threads per block: %s", ",".join(map(str, policy.used)))
    zones = kern.zone_totals()

    from .dataset import build_dataset

    return build_dataset(
        out, zones, region_list, resolved, layout.systems, cons, sats, span, grid, config, failures
    )


_PROPAGATION_CHUNK = 2048  # epochs per SGP4 call


def _expect(value, types, what: str, hint: str) -> None:
    """Raise GnssTypeError unless ``value`` is one of ``types``."""
    if not isinstance(value, types):
        raise GnssTypeError(
            f"{what}: expected {hint}, got {type(value).__name__} {_short(value)}"
        )


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_types(constellation, sets, span, grid, config, regions) -> None:
    """Refuse arguments of the wrong type with what was expected and the fix."""
    con_hint = (
        "a gnss.Constellation (read one with gnss.read_elements(path)) or a mapping "
        "label -> Constellation"
    )
    if isinstance(constellation, Mapping):
        for label, con in constellation.items():
            _expect(con, Constellation, f"constellation[{label!r}]", con_hint)
            if label is not None and not isinstance(label, str):
                raise GnssTypeError(
                    f"constellation: labels must be str or None, got {type(label).__name__} "
                    f"{_short(label)}"
                )
    else:
        _expect(constellation, Constellation, "constellation", con_hint)
    if not isinstance(sets, str):
        _expect(sets, (list, tuple), "sets", "a text such as 'R,C,R+C' or a list of SetSpec")
        for item in sets:
            _expect(item, SetSpec, "sets item", "a SetSpec (from gnss.parse_sets('R,C'))")
    _expect(span, EpochSpan, "span", "a gnss.EpochSpan (from gnss.epoch_span(start, ...))")
    _expect(grid, Grid, "grid", "a gnss.Grid, e.g. gnss.Grid(1.0)")
    if config is not None:
        _expect(config, CoverageConfig, "config", "a gnss.CoverageConfig or None")
    if regions is not None:
        from ..regions.definitions import Region

        _expect(regions, (list, tuple), "regions", "a list of gnss.Region (gnss.get_regions)")
        for item in regions:
            _expect(item, Region, "regions item", "a gnss.Region (from gnss.get_regions)")


def check_memory(constellation, sets, span, grid, n_regions=0, max_memory_bytes=None) -> int:
    """Refuse a run whose estimated peak memory exceeds the limit; return the estimate.

    ``max_memory_bytes`` None means the memory available now
    (:func:`gnss.resources.available_memory_bytes`).

    Raises
    ------
    ParameterError
        With the estimate, the limit and the fixes.
    """
    need = plan_memory_bytes(constellation, sets, span, grid, n_regions)
    limit = available_memory_bytes() if max_memory_bytes is None else float(max_memory_bytes)
    if not need <= limit:
        raise ParameterError(
            f"this run needs about {need / 2**30:.3g} GiB but {limit / 2**30:.3g} GiB are "
            "available; use a coarser grid resolution, fewer sets or epochs, or regions "
            "instead of a finer global grid (or raise max_memory_bytes if you know better)"
        )
    return need


@dataclass(frozen=True)
class _SetLayout:
    """Satellites of all sets, their kernel groups, and each set's clocks and system slots.

    A group is the satellites that share a system and the same membership in the sets, so
    every satellite is propagated and its line of sight computed once, whatever the number
    of sets it belongs to.
    """

    satellites: list  # distinct satellite instances (a satellite used with two starts twice)
    starts: list  # start epoch of each instance
    systems: list[str]  # systems of the sets, canonical order
    sat_group: np.ndarray  # int64[n_sats], non-decreasing
    group_start: np.ndarray  # int64[n_groups + 1]
    set_clock: np.ndarray  # int64[n_sets, n_groups], -1 = group not in the set
    set_nclock: np.ndarray  # int64[n_sets]
    set_slot: np.ndarray  # int64[n_sets, n_groups]
    n_clock_max: int
    n_slot_max: int

    @classmethod
    def build(cls, resolved: Sequence[ResolvedSet], clock: str) -> _SetLayout:
        systems = [s for s in SYSTEMS if any(s in r.spec.systems for r in resolved)]
        index: dict[tuple[int, datetime], int] = {}
        sats, starts, member = [], [], []
        for k, r in enumerate(resolved):
            for sat in r.satellites:
                key = (id(sat), r.start)
                if key not in index:
                    index[key] = len(sats)
                    sats.append(sat)
                    starts.append(r.start)
                    member.append(set())
                member[index[key]].add(k)
        signatures = [(sat.system, tuple(sorted(m))) for sat, m in zip(sats, member, strict=True)]
        groups = sorted(set(signatures), key=lambda g: (systems.index(g[0]), g[1]))
        sat_group = np.array([groups.index(sig) for sig in signatures], dtype=np.int64)
        # Satellites stored group by group, so each group is a contiguous range for the kernel.
        order = np.argsort(sat_group, kind="stable")
        sats, starts = [sats[i] for i in order], [starts[i] for i in order]
        sat_group = sat_group[order]
        group_start = np.searchsorted(sat_group, np.arange(len(groups) + 1)).astype(np.int64)
        set_clock = np.full((len(resolved), len(groups)), -1, dtype=np.int64)
        set_slot = np.full((len(resolved), len(groups)), -1, dtype=np.int64)
        for g, (sys, sets_of_group) in enumerate(groups):
            for k in sets_of_group:
                j = resolved[k].spec.systems.index(sys)
                set_slot[k, g] = j
                set_clock[k, g] = j if clock == "per-system" else 0
        set_nclock = (set_clock.max(axis=1) + 1).astype(np.int64)
        n_slot_max = max(len(r.spec.systems) for r in resolved)
        return cls(
            sats, starts, systems, sat_group, group_start, set_clock, set_nclock, set_slot,
            int(set_nclock.max()), n_slot_max,
        )  # fmt: skip


class _KernelRun:
    """Kernel inputs shared by all blocks, and the per-thread scratch and zone sums."""

    def __init__(self, pos: np.ndarray, layout: _SetLayout, config: CoverageConfig, n_zones: int):
        # Failed epochs (NaN) go to the Earth's centre: below every horizon, never visible.
        # Satellite-major (n_sats, n_times): the kernel vectorises over epochs.
        self.xyz = [np.ascontiguousarray(np.nan_to_num(pos[..., i].T, nan=0.0)) for i in range(3)]
        self.layout = layout
        self.sin_mask = float(np.sin(np.radians(config.elevation_mask_deg)))
        self.pdop_max = float(config.pdop_max)
        n_th, n_sets, n_s = kernels.n_threads(), layout.set_clock.shape[0], pos.shape[1]
        self.scratch_hist = np.zeros((n_th, n_sets, kernels.N_METRICS, HIST_N_BINS), np.int32)
        self.scratch_vis = np.zeros((n_th, n_sets, n_s + 1), np.int32)
        # One zone sum per part of the points (kernels.accumulate), not per thread: the same
        # sums whatever the number of threads in use.
        n_parts = n_th
        self.zone_dop_hist = np.zeros((n_parts, n_zones, n_sets, kernels.N_METRICS, HIST_N_BINS))
        self.zone_dop_sum = np.zeros((n_parts, n_zones, n_sets, kernels.N_METRICS))
        self.zone_vis_hist = np.zeros((n_parts, n_zones, n_sets, n_s + 1))

    def _args(self, points, up, zone_w, outputs, epochs: slice = slice(None)) -> tuple:
        lay = self.layout
        # Contiguous inputs keep one compiled signature (a copy only for epoch sub-ranges).
        xyz = [np.ascontiguousarray(a[:, epochs]) for a in self.xyz]
        return (
            *xyz, lay.group_start, points, up, np.ascontiguousarray(zone_w), self.sin_mask,
            lay.set_clock, lay.set_nclock, lay.set_slot, self.pdop_max,
            self.scratch_hist, self.scratch_vis, *outputs,
            self.zone_dop_hist, self.zone_dop_sum, self.zone_vis_hist,
        )  # fmt: skip

    def __call__(self, points, up, zone_w, outputs, epochs: slice = slice(None)) -> None:
        kernels.accumulate(*self._args(points, up, zone_w, outputs, epochs))

    def compile(self, points, up, zone_w, outputs, report: ProgressCallback) -> None:
        """Compile the kernel this run needs before its first call, if the cache lacks it.

        Reported as ``report("compile", 0, 1)`` before and ``report("compile", 1, 1)``
        after (the CLI says "compiling kernels (first run only)"); nothing when the machine
        code is loaded from numba's cache.
        """
        kernel = kernels.kernel_for(self.layout.n_clock_max)
        args = self._args(points, up, zone_w, outputs)
        if kernels.compile_needed(kernel, args):
            report("compile", 0, 1)
            kernels.compile_kernel(kernel, args)
            report("compile", 1, 1)

    def zone_totals(self) -> dict[str, np.ndarray]:
        """Zone sums (over the parts): dop_hist[zone, set, dop, bin], dop_sum, vis_hist."""
        return {
            "dop_hist": self.zone_dop_hist.sum(axis=0),
            "dop_sum": self.zone_dop_sum.sum(axis=0),
            "vis_hist": self.zone_vis_hist.sum(axis=0),
        }


class _Accumulators:
    """Per-block kernel outputs (argument order of :func:`kernels.accumulate`)."""

    NAMES = (
        "n_fix", "n_avail", "n_singular", "vis_sum", "vis_min", "vis_max", "sys_sum", "sys_min",
        "sys_max", "tdop_sum", "tdop_n", "dop_sum", "dop_min", "dop_max", "dop_q",
    )  # fmt: skip

    def __init__(self, block, n_sets, n_clock, n_slot):
        i64, f64, m = np.int64, np.float64, kernels.N_METRICS
        shapes = {
            "n_fix": ((n_sets,), i64), "n_avail": ((n_sets,), i64),
            "n_singular": ((n_sets,), i64), "vis_sum": ((n_sets,), i64),
            "vis_min": ((n_sets,), i64), "vis_max": ((n_sets,), i64),
            "sys_sum": ((n_sets, n_slot), i64), "sys_min": ((n_sets, n_slot), i64),
            "sys_max": ((n_sets, n_slot), i64), "tdop_sum": ((n_sets, n_clock), f64),
            "tdop_n": ((n_sets, n_clock), i64), "dop_sum": ((n_sets, m), f64),
            "dop_min": ((n_sets, m), f64), "dop_max": ((n_sets, m), f64),
            "dop_q": ((n_sets, m, 2), f64),
        }  # fmt: skip
        for name in self.NAMES:
            shape, dtype = shapes[name]
            setattr(self, name, np.empty((block, *shape), dtype))

    def view(self, n: int) -> list[np.ndarray]:
        """Return the first ``n`` rows of each output, in kernel order (the kernel fills them)."""
        return [getattr(self, name)[:n] for name in self.NAMES]


class _Outputs:
    """Final per-point statistics."""

    def __init__(self, n_p, n_sets, n_clock, n_slot):
        m = kernels.N_METRICS
        self.fix_fraction = np.full((n_p, n_sets), np.nan)
        self.availability = np.full((n_p, n_sets), np.nan)
        self.singular_fraction = np.full((n_p, n_sets), np.nan)
        self.vis = np.full((3, n_p, n_sets), np.nan)  # mean, min, max
        self.sys = np.full((3, n_p, n_sets, n_slot), np.nan)  # mean, min, max
        self.tdop_mean = np.full((n_p, n_sets, n_clock), np.nan)
        self.dop = np.full((4, n_p, n_sets, m), np.nan)  # mean, median, p95, max
        self.dop_min_global = np.full((n_sets, m), np.inf)
        self.dop_max_global = np.full((n_sets, m), -np.inf)

    def fold(self, sl: slice, acc: _Accumulators, n: int, n_t: int) -> None:
        """Turn one block's kernel outputs into statistics (rows ``sl``)."""
        n_fix = acc.n_fix[:n, :, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.fix_fraction[sl] = acc.n_fix[:n] / n_t
            self.availability[sl] = acc.n_avail[:n] / n_t
            self.singular_fraction[sl] = acc.n_singular[:n] / n_t
            self.vis[:, sl] = acc.vis_sum[:n] / n_t, acc.vis_min[:n], acc.vis_max[:n]
            self.sys[:, sl] = acc.sys_sum[:n] / n_t, acc.sys_min[:n], acc.sys_max[:n]
            # TDOP of a clock: mean over the epochs with a fix and that clock in view.
            self.tdop_mean[sl] = acc.tdop_sum[:n] / acc.tdop_n[:n]
            self.dop[0, sl] = np.where(n_fix > 0, acc.dop_sum[:n] / n_fix, np.nan)
        vmax = np.where(np.isfinite(acc.dop_max[:n]), acc.dop_max[:n], np.nan)
        self.dop[1, sl] = acc.dop_q[:n, ..., 0]
        self.dop[2, sl] = acc.dop_q[:n, ..., 1]
        self.dop[3, sl] = vmax
        # Empty cells hold +inf / -inf, which leave these untouched.
        self.dop_min_global = np.minimum(self.dop_min_global, acc.dop_min[:n].min(axis=0))
        self.dop_max_global = np.maximum(self.dop_max_global, acc.dop_max[:n].max(axis=0))


def epoch_dops(
    positions_itrs_m: np.ndarray,
    systems: Sequence[str],
    point_itrs_m: np.ndarray,
    up: np.ndarray,
    sets: Sequence[Sequence[str]],
    *,
    clock: str = "per-system",
    elevation_mask_deg: float = 5.0,
) -> dict[str, np.ndarray]:
    """DOPs epoch by epoch at one point, from the same kernel as :func:`compute_coverage`.

    Parameters
    ----------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        Satellite ITRS positions in metres (NaN: not available).
    systems : sequence of str, length n_sats
        System letter of each satellite.
    point_itrs_m, up : ndarray, shape (3,)
        Receiver position and its geodetic up unit vector.
    sets : sequence of sequences of str
        Systems of each receiver configuration, e.g. ``[("R",), ("C",), ("R", "C")]``.
    clock : {"per-system", "common"}
    elevation_mask_deg : float

    Returns
    -------
    dict of ndarray
        ``pdop``, ``hdop``, ``vdop``, ``gdop``: shape (n_sets, n_times), NaN without a usable
        fix (too few satellites, or near-singular: GDOP > ``gnss.DOP_CEILING``);
        ``visible``: shape (n_sets, n_times).

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    >>> pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    >>> p, u = gnss.geodetic_points([55.75], [37.62])
    >>> d = epoch_dops(pos, [s.system for s in con.satellites], p[0], u[0], [("R",)])
    >>> d["pdop"].shape, bool((d["visible"] >= 4).all())
    ((1, 3), True)
    """
    CoverageConfig(elevation_mask_deg, clock)  # validates
    order, layout = _layout_for_systems(systems, sets, clock)
    pos = np.asarray(positions_itrs_m, dtype=np.float64)[:, order]
    config = CoverageConfig(elevation_mask_deg, clock, pdop_max=1e300)  # availability unused
    acc = _Accumulators(1, len(sets), layout.n_clock_max, layout.n_slot_max)
    point = np.asarray(point_itrs_m, np.float64).reshape(1, 3)
    up = np.asarray(up, np.float64).reshape(1, 3)
    out = {k: np.full((len(sets), pos.shape[0]), np.nan) for k in DOP_NAMES}
    out["visible"] = np.zeros((len(sets), pos.shape[0]), np.int64)
    out["tdop"] = np.full((len(sets), layout.n_clock_max, pos.shape[0]), np.nan)
    run = _KernelRun(pos, layout, config, n_zones=1)
    for t in range(pos.shape[0]):
        run(point, up, np.zeros((1, 1)), acc.view(1), epochs=slice(t, t + 1))
        out["visible"][:, t] = acc.vis_sum[0]
        fix = acc.n_fix[0] > 0
        for m, name in enumerate(DOP_NAMES):
            out[name][fix, t] = acc.dop_sum[0, fix, m]
        seen = acc.tdop_n[0] > 0
        out["tdop"][seen, t] = acc.tdop_sum[0][seen]
    return out


def _layout_for_systems(
    systems: Sequence[str], sets: Sequence[Sequence[str]], clock: str
) -> tuple[np.ndarray, _SetLayout]:
    """Kernel layout for satellites given by system letter (one group per system).

    Returns the order that sorts the satellites by group, and the layout.
    """
    systems = list(systems)
    groups = [s for s in SYSTEMS if s in systems]
    order = np.argsort([groups.index(s) for s in systems], kind="stable")
    group_of = np.array([groups.index(systems[i]) for i in order], dtype=np.int64)
    set_clock = np.full((len(sets), len(groups)), -1, np.int64)
    set_slot = np.full((len(sets), len(groups)), -1, np.int64)
    for k, set_systems in enumerate(sets):
        for j, sys in enumerate(set_systems):
            if sys in groups:
                set_slot[k, groups.index(sys)] = j
                set_clock[k, groups.index(sys)] = j if clock == "per-system" else 0
    set_nclock = (set_clock.max(axis=1) + 1).astype(np.int64)
    layout = _SetLayout(
        satellites=[], starts=[], systems=groups, sat_group=group_of,
        group_start=np.searchsorted(group_of, np.arange(len(groups) + 1)).astype(np.int64),
        set_clock=set_clock, set_nclock=set_nclock, set_slot=set_slot,
        n_clock_max=int(max(1, set_nclock.max())), n_slot_max=max(len(s) for s in sets),
    )  # fmt: skip
    return order, layout


def estimate_memory_bytes(
    n_points: int, n_sets: int, n_slot: int, n_clock: int, n_sats: int, n_epochs: int,
    n_zones: int = 1,
) -> int:  # fmt: skip
    """Estimated peak memory of a coverage run (bytes), from its sizes.

    The terms: interpreter and libraries (~250 MB); satellite positions, held for the whole
    span with a satellite-major copy for the kernel (48 B per satellite-epoch), the kernel's
    padded copy of it (24 B) and visibility bounds (4 B); SGP4 and
    skyfield temporaries of one propagation chunk (<= 2048 epochs); per-point statistics and
    the Dataset built from them (about 10 B per value at the peak); per-thread histograms.
    Calibrated on the measured peak of a 0.25-degree run of one four-system set
    (0.90 GB measured, 0.92 GB estimated).
    """
    chunk = min(n_epochs, 2048)
    per_set_values = 5 + 3 * n_slot + n_clock + 16 + 4 * n_slot  # statistics + Dataset fields
    return int(
        250e6
        + 76 * n_sats * n_epochs
        + chunk * (60 * n_sats + 25_000)
        + n_points * (10 * n_sets * per_set_values + 120)
        + 4 * n_sets * (N_METRICS_BINS_BYTES + 8 * n_zones * N_METRICS_BINS_BYTES)
    )


N_METRICS_BINS_BYTES = kernels.N_METRICS * kernels.HIST_N_BINS * 8


def plan_memory_bytes(
    constellation: Constellation | Mapping[str | None, Constellation],
    sets: Sequence[SetSpec] | str,
    span: EpochSpan,
    grid: Grid,
    n_regions: int = 0,
) -> int:
    """Estimated peak memory of :func:`compute_coverage` with these arguments (no work done).

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=86400, step_s=300)
    >>> round(plan_memory_bytes(con, "R,C,R+C", span, gnss.Grid(1.0)) / 2**30, 1)
    0.3
    """
    _check_types(constellation, sets, span, grid, None, None)
    specs = parse_sets(sets) if isinstance(sets, str) else list(sets)
    cons = dict(constellation) if isinstance(constellation, Mapping) else {None: constellation}
    n_sats = sum(len(c) for c in cons.values()) + (30 * 4 if any(s.label for s in specs) else 0)
    n_slot = max(len(s.systems) for s in specs)
    return estimate_memory_bytes(
        grid.n_points, len(specs), n_slot, n_slot, n_sats, span.n_epochs, 1 + n_regions
    )
