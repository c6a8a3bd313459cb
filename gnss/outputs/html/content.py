"""What the report says: the run's parameters, the gains of combined sets, the headline.

Gains follow one sign convention everywhere in the report: **positive = the combination is
better** (fewer DOP, more availability or satellites than the best single system of the
cell), whatever the sign of the ``diff_*`` fields of the dataset.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...analysis.differences import difference_pairs
from ...elements.classify import SYSTEM_NAMES
from ...stats_catalog import STATISTICS

#: Latitude bands named in the headline ("most in ..."): (south edge, north edge, name).
LAT_BANDS = (
    (60, 90, "the Arctic (60-90 N)"), (30, 60, "northern mid-latitudes (30-60 N)"),
    (0, 30, "the northern tropics (0-30 N)"), (-30, 0, "the southern tropics (0-30 S)"),
    (-60, -30, "southern mid-latitudes (30-60 S)"), (-90, -60, "the Antarctic (60-90 S)"),
)  # fmt: skip

#: (label, dataset attribute) of the "what was run" table.
RUN_ATTRS = (
    ("Span start (UTC)", "time_coverage_start"), ("Span end (UTC)", "time_coverage_end"),
    ("Step (s)", "time_step_s"), ("Epochs", "n_epochs"),
    ("Elevation mask (deg)", "elevation_mask_deg"), ("Visibility", "visibility_rule"),
    ("Receiver height (m)", "receiver_height_m"), ("Grid (deg)", "grid_resolution_deg"),
    ("Clock model", "clock_model"), ("Availability threshold (PDOP <=)", "pdop_max"),
    ("DOP ceiling (near-singular above)", "dop_ceiling"), ("GDOP", "gdop_convention"),
    ("Orbits", "source"), ("Element files", "element_files"),
    ("Element epochs", "element_epoch_range"),
    ("Satellites per system", "satellites_per_system"), ("Skipped records", "skipped_records"),
    ("Propagation failures", "propagation_failures"), ("Percentiles", "percentile_method"),
    ("Versions", "library_versions"), ("Created", "history"),
)  # fmt: skip


def system_names(systems: str | tuple) -> str:
    """``"R,C"`` or ``("R", "C")`` -> ``"GLONASS + BeiDou"``."""
    letters = systems.split(",") if isinstance(systems, str) else list(systems)
    return " + ".join(SYSTEM_NAMES.get(s, s) for s in letters)


def run_rows(ds: xr.Dataset) -> list[tuple[str, str]]:
    """(label, value) rows of the run's parameters, from the dataset's provenance attributes."""
    rows = []
    for label, key in RUN_ATTRS:
        if key in ds.attrs:
            value = str(ds.attrs[key])
            if key == "element_files":
                value = value.replace("; ", "\n")
            rows.append((label, value))
    return rows


def set_rows(ds: xr.Dataset) -> list[tuple[str, str, str, str]]:
    """(set, systems, satellites, description) per set."""
    desc = _descriptions(ds)
    rows = []
    for i, name in enumerate(ds["set"].values.tolist()):
        systems = str(ds["set_systems"].values[i]) if "set_systems" in ds else ""
        n = str(int(ds["set_n_satellites"].values[i])) if "set_n_satellites" in ds else ""
        rows.append((name, system_names(systems), n, desc.get(name, "")))
    return rows


def _descriptions(ds: xr.Dataset) -> dict[str, str]:
    out = {}
    for line in str(ds.attrs.get("set_descriptions", "")).splitlines():
        name, sep, text = line.partition(": ")
        if sep:
            out[name] = text
    return out


def pairs_of(ds: xr.Dataset) -> dict[str, list[str]]:
    """Return combined set -> the plain single-system sets it is compared with."""
    names = ds["set"].values.tolist()
    systems = [tuple(str(x).split(",")) for x in ds["set_systems"].values.tolist()]
    return difference_pairs(names, systems, [bool(x) for x in ds["set_plain"].values])


def gain_field(ds: xr.Dataset, stat: str, combined: str, singles: list[str]) -> xr.DataArray:
    """Per cell: how much better ``combined`` is than its best single system (positive = better).

    ``combined - max(singles)`` where larger is better, ``min(singles) - combined`` where
    smaller is better (DOP).
    """
    single = ds[stat].sel(set=singles)
    comb = ds[stat].sel(set=combined)
    if STATISTICS[stat].larger_is_better:
        return (comb - single.max("set")).drop_vars("set", errors="ignore")
    return (single.min("set") - comb).drop_vars("set", errors="ignore")


def _band_means(field: xr.DataArray, area: xr.DataArray) -> list[tuple[str, float]]:
    """Area-weighted mean of ``field`` in each latitude band of :data:`LAT_BANDS`."""
    out = []
    for south, north, name in LAT_BANDS:
        sel = (field["lat"] >= south) & (field["lat"] < north)
        f, w = field.where(sel), area.where(sel)
        ok = np.isfinite(f.values) & np.isfinite(w.values)
        if ok.any():
            out.append((name, float((f.values[ok] * w.values[ok]).sum() / w.values[ok].sum())))
    return out


def headline(ds: xr.Dataset, summary: dict, combined: str, singles: list[str],
             comparison=None) -> str:  # fmt: skip
    """One sentence: the combined set's PDOP p95 gain over the better single system, and where.

    The percentage is of the global (time x area) PDOP 95th percentile of the best single
    system; "most in" is the latitude band with the largest area-mean relative gain of the
    per-cell PDOP p95 (and, with regions, the region with the largest gain).
    """
    vals = {s: summary[s].get("pdop.p95", np.nan) for s in singles}
    best = min(vals, key=lambda s: vals[s] if np.isfinite(vals[s]) else np.inf)
    comb = summary[combined].get("pdop.p95", np.nan)
    name = f"{combined} ({system_names(ds['set_systems'].sel(set=combined).item())})"
    if not (np.isfinite(vals[best]) and np.isfinite(comb)):
        return f"{name}: no PDOP p95 to compare (no fix in the run for it or its single systems)."
    pct = 100.0 * (vals[best] - comb) / vals[best]
    verb = "improves" if pct >= 0 else "worsens"
    text = (
        f"{name} {verb} PDOP p95 by {abs(pct):.1f} % over the better single system ({best}: "
        f"{vals[best]:.2f} -> {comb:.2f})"
    )
    rel = gain_field(ds, "pdop_p95", combined, singles) / ds["pdop_p95"].sel(set=singles).min("set")
    bands = _band_means(rel, ds["cell_area"])
    if bands:
        band, value = max(bands, key=lambda b: b[1])
        text += f"; most in {band} ({100 * value:.1f} % per cell on average)"
    region = _best_region(comparison, combined)
    if region:
        text += f"; of the regions, most in {region}"
    avail = gain_field(ds, "availability", combined, singles)
    area = ds["cell_area"]
    ok = np.isfinite(avail.values)
    if ok.any():
        mean = float((avail.values[ok] * area.values[ok]).sum() / area.values[ok].sum())
        text += f"; availability {100 * mean:+.2f} points (area mean)"
    return text + "."


def _best_region(comparison, combined: str) -> str | None:
    col = f"pdop_p95_area_mean_gain_pct[{combined}]"
    if comparison is None or col not in getattr(comparison, "columns", ()):
        return None
    c = comparison[np.isfinite(comparison[col].astype(float))]
    c = c[c["region"] != "global"] if (c["region"] != "global").any() else c
    if c.empty:
        return None
    row = c.loc[c[col].astype(float).idxmax()]
    return f"{row['region_name']} ({float(row[col]):.1f} % on the area-mean PDOP p95)"
