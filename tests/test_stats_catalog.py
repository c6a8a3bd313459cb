"""One home for per-statistic facts: gnss/stats_catalog.py covers every statistic produced."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

import gnss
from gnss.analysis.differences import DIFFERENCE_STATS, add_differences
from gnss.analysis.regiongains import GAIN_MEASURES
from gnss.analysis.regionstats import region_table
from gnss.stats_catalog import STATISTICS, larger_is_better, statistic_of, worst_of

PACKAGE = Path(gnss.__file__).resolve().parent


@pytest.fixture(scope="module")
def small_dataset():
    con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=7200, step_s=1800)
    # uere_m: the accuracy in metres too (hacc95_m_*, vacc95_m_*), so every statistic appears.
    config = gnss.CoverageConfig(uere_m={})
    return add_differences(gnss.compute_coverage(con, "R,C,R+C", span, gnss.Grid(30.0), config))


def _per_cell(ds):
    cell = ("lat", "lon")
    return [n for n, v in ds.data_vars.items() if v.dims[0] == "set" and v.dims[-2:] == cell]


def test_catalog_covers_every_statistic_of_the_dataset(small_dataset):
    produced = _per_cell(small_dataset)
    assert len(produced) >= 20  # fix_fraction .. tdop_mean: the check sees the whole dataset
    assert sorted(produced) == sorted(STATISTICS), "catalog and dataset disagree"
    for name in produced:
        assert STATISTICS[name].long_name == small_dataset[name].attrs["long_name"], name


def test_difference_fields_and_region_measures_resolve(small_dataset):
    diffs = [n for n in small_dataset.data_vars if n.startswith("diff_")]
    assert sorted(diffs) == sorted(f"diff_{s}" for s in DIFFERENCE_STATS)
    for name in diffs:
        assert statistic_of(name).name == name.removeprefix("diff_")
    table = region_table(small_dataset, "global")
    ids = {"region", "region_name", "set", "set_systems", "set_plain", "area_km2"}
    where = ("_lat_deg", "_lon_deg")
    measures = [m for m in table.columns if m not in ids and not m.endswith(where)]
    # *_time_area measures need per-region histograms (compute_coverage(..., regions=...)).
    assert {m for m in GAIN_MEASURES if not m.endswith("_time_area")} <= set(measures)
    for m in measures:
        statistic_of(m)  # raises KeyError for a measure the catalog does not know


def test_directions():
    # Independent statement of the rule: availability and counts up, DOP, accuracy in metres
    # and singular down.
    for name, meta in STATISTICS.items():
        expected = not re.search(r"dop|singular|acc95", name)
        assert meta.larger_is_better is expected, name
        assert worst_of(name) == ("min" if expected else "max")
    assert DIFFERENCE_STATS == {"availability": True, "pdop_p95": False, "visible_mean": True}
    for m, larger in GAIN_MEASURES.items():
        assert larger is (m.startswith(("availability", "fix", "visible"))), m
    assert larger_is_better("pdop_p95_area_p95") is False  # longest prefix: pdop_p95, not pdop


def test_styles_are_valid_and_unchanged():
    for meta in STATISTICS.values():
        matplotlib.colormaps[meta.cmap]  # a KeyError names an unknown colour map
        assert meta.display_name and meta.units
    # Issue 14: no fixed colour ranges any more (0.9..1 made a 0-60 % map one flat colour,
    # DOP from 0 wasted half the bar); every map fits its scale to the data.
    def style(name):
        m = STATISTICS[name]
        return (m.cmap, m.vmin, m.vmax, m.units, m.log_when_wide, m.upper_bound)

    assert style("availability") == ("viridis", None, None, "fraction of epochs", False, 1.0)
    assert style("fix_fraction") == ("viridis", None, None, "fraction of epochs", False, 1.0)
    assert style("visible_min") == ("viridis", None, None, "satellites", False, None)
    assert style("gdop_p95") == ("magma_r", None, None, "DOP", True, None)


def test_unknown_statistic_is_named():
    with pytest.raises(KeyError, match="no statistic of the catalogue in 'snr_mean'"):
        statistic_of("snr_mean")


def test_no_module_keeps_its_own_style_table():
    # The former copies: "larger is better" by name prefix, per-statistic units and colour maps.
    patterns = [r'startswith\("visible"\)', r'"fraction of epochs"', r'"magma_r"',
                r'in \("availability", "fix_fraction"\)']  # fmt: skip
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "stats_catalog.py":
            continue
        text = path.read_text()
        for pat in patterns:
            assert not re.search(pat, text), f"{path.name}: {pat} belongs in gnss/stats_catalog.py"
