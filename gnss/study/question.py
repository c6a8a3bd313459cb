"""The question a study asks: which sets, from which elements, over which span and grid.

All quantities carry their unit in the name; time is a timezone-aware ``datetime``. Checks
that cost nothing (ranges, types, the sets' syntax) run when the :class:`Study` is made, so a
mistake is refused before any file is read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..coverage.config import CoverageConfig
from ..elements.read import Constellation
from ..elements.sets import SetSpec, parse_sets
from ..errors import GnssTypeError, ParameterError
from ..kernels.threads import check_threads
from ..receivers.grid import Grid
from ..receivers.horizon import Horizon
from ..receivers.horizon_presets import as_horizon
from ..timeutil import n_epochs, to_utc

#: What ``Study.elements`` may be: None (the shipped nominal constellations), element files,
#: a Constellation, or a mapping label -> files or Constellation (labels for ``R+C@LABEL``).
ElementsInput = (
    None
    | str
    | os.PathLike
    | Constellation
    | Sequence[str | os.PathLike]
    | Mapping[str | None, Sequence[str | os.PathLike] | Constellation]
)


@dataclass(frozen=True)
class Study:
    """A comparison of receiver configurations over a global grid.

    Parameters
    ----------
    sets : str or sequence of SetSpec
        Receiver configurations, e.g. ``"R,C,R+C"`` or what-if sets (:mod:`gnss.elements.sets`).
    elements : None, path, sequence of paths, Constellation or mapping
        Element files (TLE/3LE, OMM CSV/JSON), orbit files (SP3, RINEX 2/3 navigation;
        detected from the content, one source per satellite: :mod:`gnss.study.sources`) or a
        constellation; a mapping ``{label: files}`` labels snapshots for sets such as
        ``R+C@2019`` (``None`` is the unlabelled one). None: the shipped nominal
        constellations (no network).
    select, exclude : sequence of str
        Selectors (``C:BDS-3``, ``R:plane=1``, ``norad=43001``) applied to every element set;
        one that matches nothing is an error.
    start : datetime, optional
        First epoch (timezone-aware). Default: the latest first epoch of the orbit files
        when there are any (the span must lie inside them), else the elements' median epoch.
    duration_s, step_s : float
        Length of the span and time step in seconds.
    resolution_deg : float
        Grid cell size in degrees (must divide 180).
    height_m : float
        Receiver height above the WGS84 ellipsoid.
    elevation_mask_deg, clock, pdop_max
        As :class:`gnss.CoverageConfig`.
    horizon : None, Horizon, str or path
        A local horizon, the same at every grid point and site: a :class:`gnss.Horizon`, a
        preset name (:func:`gnss.horizon_preset`, e.g. ``"street_canyon_ns"``) or a file
        (:func:`gnss.read_horizon`), read when the Study is made. The effective mask is
        ``max(elevation_mask_deg, skyline(azimuth))``. Passes keep the flat mask.
    regions : str or sequence of Region, optional
        Regions for the region table, GeoPackage, maps and report (``"RUS,CHN,arctic"``
        or :func:`gnss.get_regions` results).
    max_age_days : float
        Warn (log) about element epochs further than this from the span.
    force : bool
        Run even when the span is more than 60 days from the element epochs.
    max_memory_bytes : float, optional
        Refuse runs whose estimated peak memory exceeds this (default: the memory available).
    threads : int, optional
        Kernel threads (default: chosen per block; results do not depend on it).
    include_unhealthy : bool
        Keep navigation and almanac records flagged unhealthy (left out and listed by default).
    uere_m : mapping or str, optional
        One-sigma user range error per system in metres (``{"R": 1.0}`` or ``"R=1.0,C=0.3"``;
        ``"default"`` or ``{}``: the performance-standard defaults of
        :data:`gnss.coverage.uere.UERE_DEFAULTS_95_M`). Given: the outputs add the 95 %
        horizontal and vertical accuracy in metres (:mod:`gnss.coverage.accuracy`).

    Raises
    ------
    ParameterError
        For a value out of range (``.parameter`` names the field).
    GnssTypeError
        For a value of the wrong type.

    Examples
    --------
    >>> import gnss
    >>> study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800, resolution_deg=10)
    >>> study.grid().n_points, study.n_epochs()
    (648, 3)
    """

    sets: str | Sequence[SetSpec] = "R,C,R+C"
    elements: ElementsInput = None
    select: Sequence[str] = ()
    exclude: Sequence[str] = ()
    start: datetime | None = None
    duration_s: float = 86400.0
    step_s: float = 300.0
    resolution_deg: float = 1.0
    height_m: float = 0.0
    elevation_mask_deg: float = 5.0
    clock: str = "per-system"
    pdop_max: float = 6.0
    regions: str | Sequence | None = None
    max_age_days: float = 14.0
    force: bool = False
    max_memory_bytes: float | None = None
    threads: int | None = None
    include_unhealthy: bool = False
    horizon: Horizon | str | os.PathLike | None = None
    uere_m: Mapping[str, float] | str | None = None
    specs: tuple[SetSpec, ...] = field(init=False, repr=False, compare=False)
    horizon_mask: Horizon | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        specs = parse_sets(self.sets) if isinstance(self.sets, str) else self.sets
        if not isinstance(specs, Sequence) or not all(isinstance(s, SetSpec) for s in specs):
            raise GnssTypeError(
                f"sets: expected a text such as 'R,C,R+C' or a list of SetSpec, got {self.sets!r}"
            )
        if not specs:
            raise ParameterError("no sets to analyse; give e.g. R,C,R+C", parameter="sets")
        object.__setattr__(self, "specs", tuple(specs))
        for name in ("select", "exclude"):
            value = getattr(self, name)
            if isinstance(value, str):  # one selector, not its characters
                object.__setattr__(self, name, (value,))
        if self.start is not None:
            object.__setattr__(self, "start", to_utc(self.start))
        object.__setattr__(self, "horizon_mask", as_horizon(self.horizon))
        _with_parameter(self.grid, "grid")
        config = _with_parameter(self.config, "config")  # uere_m errors keep parameter="uere_m"
        if config.uere_m is not None:  # every system of every set needs a range error
            from ..coverage.uere import set_sigmas, uere_sigma_m

            sigma = uere_sigma_m(dict(config.uere_m))
            for spec in specs:
                set_sigmas(spec.systems, sigma, spec.name)
        self.n_epochs()
        if self.max_memory_bytes is not None and not self.max_memory_bytes > 0:
            raise ParameterError(
                f"max_memory_bytes must be positive, got {self.max_memory_bytes!r}",
                parameter="max_memory_bytes",
            )
        try:
            check_threads(self.threads, what="threads")
        except ParameterError as exc:
            raise ParameterError(str(exc), parameter="threads") from exc

    def grid(self) -> Grid:
        """Return the receiver grid of the study."""
        return Grid(self.resolution_deg, self.height_m)

    def config(self) -> CoverageConfig:
        """Return the mask, clock model and availability threshold of the study."""
        uere = self.uere_m
        uere = tuple(uere.items()) if isinstance(uere, Mapping) else uere
        return CoverageConfig(self.elevation_mask_deg, self.clock, self.pdop_max,
                              horizon=self.horizon_mask, uere_m=uere)  # fmt: skip

    def n_epochs(self) -> int:
        """Return the number of epochs of the span (``duration_s / step_s + 1``)."""
        return _with_parameter(lambda: n_epochs(self.duration_s, self.step_s), "duration_s")


def _with_parameter(make, parameter: str):
    """Call ``make()``; a ParameterError without a parameter gets ``parameter``."""
    try:
        return make()
    except ParameterError as exc:
        if exc.parameter is None:
            exc.parameter = parameter
        raise
