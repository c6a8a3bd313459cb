"""What each statistic of a coverage dataset is: its name, unit, direction and map style.

The one place that says whether larger is better (it decides the "best single system" of
difference maps, region gains and the worst cell of the summary), which colour map and range a
map of it uses, and how to call it in a title. The per-cell statistics are those
:func:`gnss.compute_coverage` writes; region measures (``availability_integral``,
``pdop_p95_area_mean`` ...) take the direction of the statistic they are made of
(:func:`larger_is_better`).

Examples
--------
>>> from gnss.stats_catalog import STATISTICS, larger_is_better
>>> STATISTICS["pdop_p95"].display_name, STATISTICS["pdop_p95"].larger_is_better
('PDOP p95', False)
>>> larger_is_better("availability_worst_cell"), larger_is_better("hdop_p95_time_area")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STATISTICS", "Statistic", "larger_is_better", "statistic_of", "worst_of"]

_DOPS = ("pdop", "hdop", "vdop", "gdop")
_DOP_STATS = ("mean", "median", "p95", "max")


@dataclass(frozen=True)
class Statistic:
    """One per-cell statistic of a coverage dataset.

    Attributes
    ----------
    name : str
        Variable name in the dataset, e.g. ``"pdop_p95"``.
    long_name : str
        The CF ``long_name`` the dataset gives it.
    units : str
        Unit as shown on a colour bar (``"DOP"``, ``"satellites"``, ``"fraction of epochs"``);
        in the NetCDF file every statistic is dimensionless (CF ``units = "1"``).
    larger_is_better : bool
        True for availability and satellite counts, False for DOP.
    cmap : str
        Matplotlib colour map of its maps.
    display_name : str
        Short name for titles and table headers, e.g. ``"PDOP p95"``.
    vmin, vmax : float or None
        Fixed ends of the colour range of its maps; None (every catalogued statistic): from
        the data shown (:func:`gnss.outputs.mapscale.fitted_scale`).
    log_when_wide : bool
        Drawn on a log colour scale when its range is wide (DOP up to the ceiling 256).
    upper_bound : float or None
        The largest value it can take (1 for fractions): a constant map stays below it.
    """

    name: str
    long_name: str
    units: str
    larger_is_better: bool
    cmap: str
    display_name: str
    vmin: float | None = None
    vmax: float | None = None
    log_when_wide: bool = False
    upper_bound: float | None = None

    @property
    def fixed_range(self) -> bool:
        """True when both ends of the colour range are fixed (regional maps keep them)."""
        return self.vmin is not None and self.vmax is not None


def _fraction(name: str, long_name: str, display_name: str) -> Statistic:
    return Statistic(name, long_name, "fraction of epochs", True, "viridis", display_name,
                     upper_bound=1.0)  # fmt: skip


def _count(name: str, long_name: str, display_name: str) -> Statistic:
    return Statistic(name, long_name, "satellites", True, "viridis", display_name)


def _dop(name: str, long_name: str, display_name: str) -> Statistic:
    return Statistic(name, long_name, "DOP", False, "magma_r", display_name, log_when_wide=True)


#: The DOP ceiling in the long names: gnss.kernels.sets.DOP_CEILING (not imported: this module
#: stays
#: free of numba); tests/test_stats_catalog.py compares the names with the dataset's.
_CEILING = "256"


def _catalog() -> dict[str, Statistic]:
    stats = [
        _fraction("fix_fraction", "fraction of epochs with a usable fix (>= 3 + clocks in view, "
                  f"GDOP <= {_CEILING})", "fix fraction"),
        _fraction("availability", "fraction of epochs with a usable fix and PDOP <= pdop_max",
                  "availability"),
        # Near-singular epochs: a fraction, but smaller is better (and usually 0: no fixed range).
        Statistic("singular_fraction", "fraction of epochs with near-singular geometry (>= 3 + "
                  f"clocks in view but GDOP > {_CEILING}): no usable fix, left out of the DOP "
                  "statistics", "fraction of epochs", False, "magma_r", "near-singular fraction",
                  upper_bound=1.0),
        _count("visible_mean", "mean number of satellites in view", "visible mean"),
        _count("visible_min", "minimum number of satellites in view", "visible min"),
        _count("visible_max", "maximum number of satellites in view", "visible max"),
    ]  # fmt: skip
    for dop in _DOPS:
        for stat in _DOP_STATS:
            name = f"{dop}_{stat}"
            stats.append(_dop(name, f"{stat} {dop.upper()}", f"{dop.upper()} {stat}"))
    for stat, word in (("mean", "mean"), ("min", "minimum"), ("max", "maximum")):
        long_name = f"{word} number of satellites of the system in view"
        stats.append(_count(f"visible_system_{stat}", long_name, f"visible per system {stat}"))
    stats.append(
        _dop("tdop_mean", "mean TDOP of the receiver clock of the system", "TDOP mean")
    )
    for var, (long_name, short) in _ACCURACY.items():  # gnss.coverage.accuracy.ACCURACY_VARS
        for stat in _DOP_STATS:
            stats.append(Statistic(f"{var}_m_{stat}", f"{stat} {long_name}", "m", False,
                                   "magma_r", f"{short} {stat} (m)", 0.0))  # fmt: skip
    return {s.name: s for s in stats}


#: Accuracy in metres (``gnss compare --uere-m``): variable -> (long name, short name).
_ACCURACY = {
    "hacc95": ("95 % horizontal accuracy, 2 drms = 2 sqrt(sE^2 + sN^2)", "H95"),
    "vacc95": ("95 % vertical accuracy, 1.96 sigma_U", "V95"),
}


#: Every per-cell statistic of a coverage dataset, by variable name.
STATISTICS: dict[str, Statistic] = _catalog()


def statistic_of(name: str) -> Statistic:
    """Return the statistic a variable or region measure is made of.

    ``"pdop_p95_area_mean"`` -> ``pdop_p95``, ``"availability_integral"`` ->
    ``availability``, ``"diff_visible_mean"`` -> ``visible_mean``: the longest catalogued
    name the measure starts with (after a ``diff_`` prefix).

    Raises
    ------
    KeyError
        When no catalogued statistic is a prefix of ``name`` (the message lists them).
    """
    base = name.removeprefix("diff_")
    matches = [s for s in STATISTICS if base == s or base.startswith(s + "_")]
    if not matches:
        raise KeyError(
            f"no statistic of the catalogue in {name!r}; expected a name starting with one of "
            f"{', '.join(STATISTICS)} (add it to gnss/stats_catalog.py)"
        )
    return STATISTICS[max(matches, key=len)]


def larger_is_better(name: str) -> bool:
    """Whether a larger value of a statistic or region measure is an improvement.

    Examples
    --------
    >>> larger_is_better("visible_mean"), larger_is_better("pdop_p95_area_p95")
    (True, False)
    """
    return statistic_of(name).larger_is_better


def worst_of(name: str) -> str:
    """``"min"`` or ``"max"``: which end of a statistic's values is its worst cell.

    Examples
    --------
    >>> worst_of("availability"), worst_of("pdop_p95")
    ('min', 'max')
    """
    return "min" if larger_is_better(name) else "max"
