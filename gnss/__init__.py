"""gnss-coverage: where, and how much, combined GNSS receivers beat single systems.

The public API is this namespace; everything else may change. Its names are loaded on first
use (PEP 562), so ``import gnss`` (and ``gnss --help``) loads neither numba, matplotlib,
geopandas, pandas, shapely nor click.

Examples
--------
>>> import gnss
>>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
>>> span = gnss.epoch_span(con.median_epoch(), duration_s=2 * 3600, step_s=600)
>>> ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(10.0))
>>> summary = gnss.summarize(ds)
>>> sorted(summary)
['C', 'R', 'R+C']

The whole ``gnss compare`` workflow (load, check, plan memory, compute, write) is one call:

>>> import tempfile
>>> study = gnss.Study("R,C,R+C", duration_s=3600, step_s=1800, resolution_deg=10)
>>> result = gnss.run_comparison(study, tempfile.mkdtemp(), maps="none")
>>> sorted(result.summary) == sorted(summary)
True
"""

from __future__ import annotations

import importlib
import importlib.util
from importlib import metadata

try:
    __version__ = metadata.version("gnss-coverage")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

#: The curated namespace: public name -> module (in this package) that defines it.
#: To export a name, add one line here; it lands in ``__all__`` by itself.
_EXPORTS: dict[str, str] = {
    "FetchError": "elements.celestrak",
    "FetchResult": "elements.celestrak",
    "fetch_group": "elements.celestrak",
    "SYSTEM_NAMES": "elements.classify",
    "SYSTEMS": "elements.classify",
    "Identity": "elements.classify",
    "classify": "elements.classify",
    "CoverageConfig": "coverage.config",
    "compute_coverage": "coverage.run",
    "epoch_dops": "coverage.epochs",
    "series_dops": "coverage.series",
    "plan_memory_bytes": "coverage.memory",
    "Constellation": "elements.read",
    "Satellite": "elements.read",
    "Skipped": "elements.read",
    "read_elements": "elements.read",
    "ElementError": "errors",
    "GnssError": "errors",
    "GnssTypeError": "errors",
    "OutputError": "errors",
    "ParameterError": "errors",
    "TimeInputError": "errors",
    "Grid": "receivers.grid",
    "ellipsoid_area_m2": "receivers.grid",
    "geodetic_points": "receivers.grid",
    "Site": "receivers.sites",
    "SiteError": "receivers.sites",
    "read_sites_csv": "receivers.sites",
    "Pass": "receivers.passes",
    "find_passes": "receivers.passes",
    "Horizon": "receivers.horizon",
    "HorizonError": "receivers.horizon",
    "horizon_preset": "receivers.horizon_presets",
    "read_horizon": "receivers.horizon",
    "Route": "receivers.route",
    "RouteError": "receivers.route_formats",
    "read_route": "receivers.route",
    "Match": "validation.identify",
    "identify": "validation.identify",
    "validate": "validation.identify",
    "nominal_constellation": "elements.nominal_files",
    "nominal_element_files": "elements.nominal_files",
    "propagate_itrs_m": "orbits.propagate",
    "DOP_CEILING": "kernels.sets",
    "available_memory_bytes": "resources",
    "ReferenceOrbitError": "orbits.load",
    "ReferenceOrbits": "orbits.load",
    "load_reference": "orbits.load",
    "Region": "regions.definitions",
    "box": "regions.definitions",
    "cell_weights_m2": "regions.definitions",
    "get_regions": "regions.definitions",
    "region_from_file": "regions.definitions",
    "comparison_table": "analysis.regiongains",
    "rank_regions": "analysis.regiongains",
    "region_table": "analysis.regionstats",
    "site_summary": "analysis.sites",
    "write_region_outputs": "outputs.report",
    "Study": "study.question",
    "Plan": "study.plan",
    "plan_comparison": "study.plan",
    "ComparisonResult": "study.run",
    "run_comparison": "study.run",
    "site_timeseries": "study.site",
    "site_look_angles": "study.site_tracks",
    "look_angles_deg": "receivers.look",
    "route_timeseries": "study.route",
    "route_study": "study.route",
    "route_look_angles": "study.route_tracks",
    "RouteSpanError": "study.route",
    "run_plan": "study.run",
    "write_comparison": "outputs.comparison",
    "write_netcdf": "outputs.files",
    "write_summary_csv": "outputs.files",
    "write_summary_json": "outputs.files",
    "write_passes_csv": "outputs.passes",
    "plot_field": "outputs.maps",
    "Selector": "elements.select",
    "filter_constellation": "elements.select",
    "SetSpec": "elements.sets",
    "parse_sets": "elements.sets",
    "summarize": "analysis.summary",
    "EpochSpan": "timeutil",
    "epoch_span": "timeutil",
    "to_utc": "timeutil",
    "as_horizon": "receivers.horizon_presets",
    "HorizonParameterError": "receivers.horizon_presets",
    "UERE_DEFAULTS_95_M": "coverage.uere",
    "uere_sigma_m": "coverage.uere",
    "write_report": "outputs.html",
    "write_site_report": "outputs.html",
    "global_snapshots": "coverage.snapshots",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """Load a public name (or a subpackage, as ``gnss.outputs``) on first use."""
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
