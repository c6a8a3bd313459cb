"""What the region outputs are called: the files, the run parameters and the measures.

:func:`gnss.outputs.report.write_region_outputs` writes :data:`TABLE_FILES` and one map per
region and statistic (:func:`map_name`); a comparison run checks the folder for these names
before any work (:func:`planned_files`, :func:`check_region_file_names`). :data:`RUN_KEYS`
and :data:`MEASURES` label the run parameters and explain the measures in ``report.md`` and
``regions.json``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import ParameterError
from ..regions.definitions import Region

__all__ = [
    "MEASURES",
    "RUN_KEYS",
    "TABLE_FILES",
    "check_region_file_names",
    "map_name",
    "planned_files",
]

#: Files always written by :func:`gnss.outputs.report.write_region_outputs` (maps come on top).
TABLE_FILES = (
    "regions.csv",
    "regions_comparison.csv",
    "regions.json",
    "regions.gpkg",
    "report.md",
)

#: Run parameters shown in the report, from the dataset's attributes: key -> label.
RUN_KEYS = {
    "time_coverage_start": "first epoch (UTC)",
    "time_coverage_end": "last epoch (UTC)",
    "time_step_s": "time step (s)",
    "n_epochs": "epochs",
    "elevation_mask_deg": "elevation mask (deg)",
    "clock_model": "receiver clock model",
    "pdop_max": "availability threshold (PDOP <=)",
    "grid_resolution_deg": "grid resolution (deg)",
    "receiver_height_m": "receiver height (m)",
    "set_definitions": "sets",
    "satellites_per_system": "satellites per system",
    "element_files": "element files",
    "element_epoch_range": "element epochs",
    "propagation_failures": "propagation failures",
    "library_versions": "library versions",
}

#: Meaning of each measure, for the report and the JSON file.
MEASURES = {
    "area_km2": "area of the region on the WGS84 ellipsoid (sum of the grid-cell weights)",
    "availability_integral": (
        "integral availability: share of time x area with a position fix and PDOP <= "
        "pdop_max, each cell weighted by its area inside the region (the form the GLONASS "
        "monitoring centre publishes)"
    ),
    "availability_worst_cell": "availability of the worst grid cell touching the region",
    "availability_area_ge_99pct": "share of the region's area with availability >= 99 %",
    "fix_fraction": "share of time x area with a position fix (any PDOP)",
    "visible_mean": "area mean of the per-cell mean number of satellites in view",
    "visible_min": "fewest satellites in view at any epoch in any cell of the region",
    "pdop_p95_area_mean": "area mean of the per-cell 95th percentile of PDOP over time",
    "pdop_p95_area_p95": (
        "95th area percentile of the per-cell PDOP p95: 95 % of the region's area has a "
        "per-cell PDOP p95 at or below this"
    ),
    "pdop_p95_worst_cell": "largest per-cell PDOP p95 in the region (worst point)",
    "hdop_p95_area_mean": "area mean of the per-cell 95th percentile of HDOP",
    "vdop_p95_area_mean": "area mean of the per-cell 95th percentile of VDOP",
    "pdop_p95_time_area": (
        "95th percentile of PDOP over all epochs with a fix and the whole region, time and "
        "area weighted (from the run's per-region histograms, the form of the performance "
        "standards)"
    ),
    "hdop_p95_time_area": "as pdop_p95_time_area, for HDOP",
    "gain": (
        "gain of a combined set over its best single system: combined - best single for "
        "measures where larger is better, best single - combined for DOP; positive is "
        "always an improvement (DOP gains also as a percentage of the best single value)"
    ),
}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.@-]+", "_", text).strip("_") or "region"


def map_name(region: Region, stat: str) -> str:
    """File name of a region's map, e.g. ``region_RUS_pdop_p95.png``."""
    return f"region_{_slug(region.code)}_{stat}.png"


def check_region_file_names(regions: Sequence[Region]) -> None:
    """Refuse regions whose codes map to the same map file name (``a b`` and ``a_b``).

    Raises
    ------
    gnss.ParameterError
        Naming both regions, the file and the fix.
    """
    seen: dict[str, str] = {}
    for r in regions:
        other = seen.setdefault(_slug(r.code), r.code)
        if other != r.code:
            raise ParameterError(
                f"regions {other!r} and {r.code!r} would write the same map files "
                f"(region_{_slug(r.code)}_<statistic>.png); give one of the polygon files "
                "another name, or leave one region out"
            )


def planned_files(regions: Sequence[Region], map_stats: Sequence[str]) -> list[str]:
    """Names of the files :func:`gnss.outputs.report.write_region_outputs` writes.

    To check a folder for them before any work.
    """
    return list(TABLE_FILES) + [map_name(r, s) for r in regions for s in map_stats]
