"""gnss-coverage: where, and how much, combined GNSS receivers beat single systems.

The public API is this namespace; everything else may change.

Examples
--------
>>> import gnss
>>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
>>> span = gnss.epoch_span(con.median_epoch(), duration_s=2 * 3600, step_s=600)
>>> ds = gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(10.0))
>>> summary = gnss.summarize(ds)
>>> sorted(summary)
['C', 'R', 'R+C']
"""

__version__ = "0.1.0"

from .celestrak import FetchError, FetchResult, fetch_group  # noqa: E402
from .classify import SYSTEM_NAMES, SYSTEMS, Identity, classify  # noqa: E402
from .coverage import CoverageConfig, compute_coverage, epoch_dops, plan_memory_bytes  # noqa: E402
from .elements import Constellation, Satellite, Skipped, read_elements  # noqa: E402
from .errors import (  # noqa: E402
    ElementError,
    GnssError,
    GnssTypeError,
    OutputError,
    ParameterError,
    TimeInputError,
)
from .grid import Grid, ellipsoid_area_m2, geodetic_points  # noqa: E402
from .identify import Match, identify, validate  # noqa: E402
from .kernel_sets import DOP_CEILING  # noqa: E402
from .nominal_files import nominal_constellation, nominal_element_files  # noqa: E402
from .propagate import propagate_itrs_m  # noqa: E402
from .refs import ReferenceOrbitError, ReferenceOrbits, load_reference  # noqa: E402
from .regions import Region, box, cell_weights_m2, get_regions, region_from_file  # noqa: E402
from .regionstats import comparison_table, rank_regions, region_table  # noqa: E402
from .report import write_region_outputs  # noqa: E402
from .resources import available_memory_bytes  # noqa: E402
from .select import Selector, filter_constellation  # noqa: E402
from .sets import SetSpec, parse_sets  # noqa: E402
from .summary import summarize  # noqa: E402
from .timeutil import EpochSpan, epoch_span, to_utc  # noqa: E402

__all__ = [
    "DOP_CEILING",
    "SYSTEMS",
    "SYSTEM_NAMES",
    "Constellation",
    "CoverageConfig",
    "ElementError",
    "EpochSpan",
    "FetchError",
    "FetchResult",
    "GnssError",
    "GnssTypeError",
    "Grid",
    "Identity",
    "Match",
    "OutputError",
    "ParameterError",
    "ReferenceOrbitError",
    "ReferenceOrbits",
    "Region",
    "Satellite",
    "Selector",
    "SetSpec",
    "Skipped",
    "TimeInputError",
    "available_memory_bytes",
    "box",
    "cell_weights_m2",
    "classify",
    "comparison_table",
    "compute_coverage",
    "ellipsoid_area_m2",
    "epoch_dops",
    "epoch_span",
    "fetch_group",
    "filter_constellation",
    "geodetic_points",
    "get_regions",
    "identify",
    "load_reference",
    "nominal_constellation",
    "nominal_element_files",
    "parse_sets",
    "plan_memory_bytes",
    "propagate_itrs_m",
    "rank_regions",
    "read_elements",
    "region_from_file",
    "region_table",
    "summarize",
    "to_utc",
    "validate",
    "write_region_outputs",
]
