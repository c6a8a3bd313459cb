"""The words on a map: set names, titles, colour-bar labels and the provenance footer.

Titles use the system names (GLONASS, BeiDou, GPS, Galileo: the table of
:data:`gnss.elements.classify.SYSTEM_NAMES`) and the threshold values of the run
("availability (fix and PDOP ≤ 6)"), never internal names such as ``pdop_max``. One sign
convention everywhere: a difference is the **gain** of a combined set over its best single
system, positive = the combination is better (:data:`GAIN_RULE`).

Examples
--------
>>> from gnss.outputs.maptext import set_label
>>> set_label("R+C", ("R", "C"))
'GLONASS + BeiDou (R+C)'
>>> set_label("G", ("G",))
'GPS (G)'
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from ..analysis.differences import GAIN_RULE
from ..elements.classify import SYSTEM_NAMES
from ..stats_catalog import STATISTICS, statistic_of

__all__ = ["GAIN_RULE", "footer", "gain_title", "gain_units", "set_label", "stat_title"]

def set_label(name: str, systems) -> str:
    """``"GLONASS + BeiDou (R+C)"``: the systems' names, then the set's own name."""
    names = " + ".join(SYSTEM_NAMES.get(s, s) for s in systems)
    return f"{names} ({name})" if names != name else name


def set_labels(ds: xr.Dataset) -> dict[str, str]:
    """Label of every set of ``ds`` (``set_systems`` holds ``"R,C"``), by set name."""
    sets = ds["set"].values.tolist()
    if "set_systems" not in ds:
        return {s: s for s in sets}
    systems = [str(x).split(",") for x in ds["set_systems"].values.tolist()]
    return {s: set_label(s, sy) for s, sy in zip(sets, systems, strict=True)}


def stat_title(stat: str, pdop_max: float | None = None) -> str:
    """``"PDOP p95"``, ``"availability (fix and PDOP ≤ 6)"``: a statistic with its threshold."""
    meta = STATISTICS.get(stat) or statistic_of(stat)
    if meta.name == "availability" and pdop_max is not None:
        return f"availability (fix and PDOP ≤ {pdop_max:g})"
    if meta.name == "fix_fraction":
        return "fix fraction (a usable fix, GDOP ≤ 256)"
    return meta.display_name


def gain_title(stat: str, combined_label: str, single_labels, pdop_max=None) -> str:
    """Title of a difference map: the gain of a combined set over its best single system."""
    return (
        f"{combined_label}: gain in {stat_title(stat, pdop_max)} over the better of "
        f"{' and '.join(single_labels)}"
    )


def gain_units(stat: str) -> str:
    """Colour-bar label of a difference map, with the sign convention."""
    return f"gain ({STATISTICS[stat].units}; {GAIN_RULE})"


def _pdop_max(ds: xr.Dataset) -> float | None:
    try:
        return float(ds.attrs["pdop_max"])
    except (KeyError, TypeError, ValueError):
        return None


def footer(ds: xr.Dataset) -> str:
    """Provenance under every map: span, mask, clock, elements with their dates, version.

    Falls back to what the attributes hold (a dataset built by hand may lack some).
    """
    a = ds.attrs
    parts = []
    if "time_coverage_start" in a:
        span = f"{str(a['time_coverage_start'])[:16]}Z"
        if "n_epochs" in a and "time_step_s" in a:
            span += f" + {a['n_epochs']} epochs x {float(a['time_step_s']):g} s"
        parts.append(span)
    if "elevation_mask_deg" in a:
        parts.append(f"mask {float(a['elevation_mask_deg']):g}°")
    if "clock_model" in a:
        parts.append(f"clock {a['clock_model']}")
    if "element_files" in a:
        files = [Path(p.split(" sha256=")[0]).name for p in str(a["element_files"]).split("; ")]
        elements = f"elements: {', '.join(files)}"
        if "element_epoch_range" in a:
            elements += f" (epochs {_dates(str(a['element_epoch_range']))})"
        parts.append(elements)
    versions = str(a.get("library_versions", "")).split(", ")[0]
    if versions:
        parts.append(versions)
    return "; ".join(parts)


def _dates(epoch_range: str) -> str:
    """``"2026-01-01T00:00:00+00:00 .. 2026-01-03T..."`` -> ``"2026-01-01 .. 2026-01-03"``."""
    ends = [e.strip()[:10] for e in epoch_range.split("..")]
    return ends[0] if len(set(ends)) == 1 else " .. ".join(ends)
