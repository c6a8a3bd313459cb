"""The one library workflow (gnss.Study, plan_comparison, run_comparison) behind `gnss compare`.

It must give the numbers of the lower-level calls bit for bit, refuse before any work what
the CLI refuses, never print, and be what the CLI runs (the CLI's coverage.nc is its output).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

import gnss
from gnss.cli import commands as cli

SMALL = {"duration_s": 3600.0, "step_s": 1800.0, "resolution_deg": 15.0}


@pytest.fixture
def no_compute(monkeypatch):
    """Fail the test if the computation starts (a refusal must come first)."""

    def refuse(*a, **k):
        raise AssertionError("the computation started before the refusal")

    import gnss.coverage.run

    monkeypatch.setattr(gnss.coverage.run, "compute_resolved", refuse)


def _same_data(a: xr.Dataset, b: xr.Dataset) -> None:
    assert sorted(a.data_vars) == sorted(b.data_vars)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)


def test_run_comparison_equals_the_lower_level_calls(tmp_path, capsys):
    """Same numbers as read_elements + compute_coverage + write_comparison, and no output."""
    study = gnss.Study("R,C,R+C[-C:GEO]", **SMALL)
    result = gnss.run_comparison(study, tmp_path / "out", maps="none")
    con = gnss.read_elements(gnss.nominal_element_files(["C", "R"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    ds = gnss.compute_coverage(con, "R,C,R+C[-C:GEO]", span, gnss.Grid(15.0))
    summary, _ = gnss.write_comparison(ds, tmp_path / "ref", maps="none")
    with xr.open_dataset(tmp_path / "out" / "coverage.nc") as a, xr.open_dataset(
        tmp_path / "ref" / "coverage.nc"
    ) as b:
        _same_data(a, b)
    assert result.summary == summary
    assert {p.name for p in result.files} == {"coverage.nc", "summary.csv", "summary.json",
                                             "report.html"}
    assert all(p.is_file() for p in result.files)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # the library never prints


def test_the_cli_writes_what_the_library_computes(tmp_path):
    """`gnss compare` only parses options: its coverage.nc is run_comparison's, bit for bit."""
    args = ["--sets", "R,R+C", "--resolution-deg", "15", "--hours", "1", "--step-s", "1800"]
    res = CliRunner().invoke(cli.main, ["compare", *args, "--maps", "none", "-q", "-o",
                                        str(tmp_path / "cli")])  # fmt: skip
    assert res.exit_code == 0, res.output
    result = gnss.run_comparison(gnss.Study("R,R+C", **SMALL), tmp_path / "lib", maps="none")
    assert result.files[0] == tmp_path / "lib" / "coverage.nc"
    with xr.open_dataset(tmp_path / "cli" / "coverage.nc") as a, xr.open_dataset(
        result.files[0]
    ) as b:
        _same_data(a, b)


def test_plan_describes_each_set_as_the_dataset_does():
    plan = gnss.plan_comparison(gnss.Study("R,R+C[-R:plane=2]", **SMALL))
    assert plan.set_descriptions["R"] == "24 satellites (R 24)"
    assert "removed 8 by -R:plane=2" in plan.set_descriptions["R+C[-R:plane=2]"]
    ds = gnss.run_plan(plan).dataset
    assert all(text in ds.attrs["set_descriptions"] for text in plan.set_descriptions.values())
    assert plan.output is None and plan.file_names[0] == "coverage.nc"


@pytest.mark.parametrize(
    ("kwargs", "parameter", "words"),
    [
        ({"select": "C:plane=9"}, "select", "matches no satellite"),
        ({"sets": "R+C[-C:plane=9]"}, "sets", "matches no satellite"),
        ({"regions": "atlantis"}, "regions", "atlantis"),
        ({"sets": "R,C,R+C,R_C=R+C[-C:GEO]"}, "sets", "same file"),
        ({"sets": "J"}, "sets", "no nominal constellation for system 'J'"),
        ({"start": "1950-06-01T00:00Z"}, "start", "1957"),
    ],
)
def test_plan_refuses_before_any_work(no_compute, kwargs, parameter, words):
    study = gnss.Study(**(SMALL | kwargs))
    with pytest.raises(gnss.ParameterError) as err:
        gnss.run_comparison(study)
    assert err.value.parameter == parameter
    assert words in str(err.value)


def test_memory_above_the_limit_is_refused_before_any_work(no_compute, tmp_path):
    study = gnss.Study(**SMALL, max_memory_bytes=1e6)
    plan = gnss.plan_comparison(study, tmp_path / "out")
    assert plan.memory_bytes > plan.memory_limit_bytes == 1e6
    with pytest.raises(gnss.ParameterError, match="GiB are available") as err:
        gnss.run_plan(plan)
    assert err.value.parameter == "max_memory_bytes"
    assert not (tmp_path / "out").exists()  # nothing created


def test_an_unusable_output_folder_is_refused_before_any_work(no_compute, tmp_path):
    (tmp_path / "out").write_text("a file, not a folder")
    with pytest.raises(gnss.OutputError, match="not a folder"):
        gnss.run_comparison(gnss.Study(**SMALL), tmp_path / "out")


@pytest.mark.parametrize(
    ("kwargs", "error", "parameter"),
    [
        ({"step_s": 0.0}, gnss.ParameterError, "duration_s"),
        ({"sets": ""}, gnss.ParameterError, None),
        ({"threads": 0}, gnss.ParameterError, "threads"),
        ({"resolution_deg": 7.0}, gnss.ParameterError, "grid"),
        ({"clock": "atomic"}, gnss.ParameterError, "config"),
        ({"max_memory_bytes": -1.0}, gnss.ParameterError, "max_memory_bytes"),
        ({"sets": 3}, gnss.GnssTypeError, None),
        ({"start": "2026-01-01T00:00"}, gnss.TimeInputError, None),  # no zone
    ],
)
def test_study_checks_its_parameters_when_made(kwargs, error, parameter):
    with pytest.raises(error) as err:
        gnss.Study(**(SMALL | kwargs))
    if parameter is not None:
        assert err.value.parameter == parameter


def test_elements_may_be_files_a_constellation_or_labelled(shared_data, caplog):
    tle = shared_data / "tle" / "2025-04-30_per-constellation" / "glo-ops.tle"
    if not tle.exists():
        pytest.skip(f"{tle} is absent")
    con = gnss.read_elements(tle)
    for elements in (tle, [tle], str(tle), con, {None: [tle]}):
        plan = gnss.plan_comparison(gnss.Study("R", elements=elements, **SMALL))
        assert len(plan.constellations[None]) == len(con)
    with caplog.at_level(logging.INFO, logger="gnss"):
        plan = gnss.plan_comparison(gnss.Study("R,old=R@snap", elements={"snap": tle}, **SMALL))
    assert set(plan.constellations) == {None, "snap"}  # the unlabelled R: nominal elements
    assert plan.span.start == gnss.to_utc("2026-01-01T00:00Z")
    far = gnss.Study("R", elements=tle, start="2026-01-01T00:00Z", **SMALL)
    with pytest.raises(gnss.ParameterError, match="--force") as err:
        gnss.plan_comparison(far)  # 246 days from the elements' epochs
    assert err.value.parameter is None  # not a usage error: the CLI exits 1
    with pytest.raises(gnss.GnssTypeError, match="elements"):
        gnss.plan_comparison(gnss.Study("R", elements=42, **SMALL))


def test_run_comparison_is_exported_lazily():
    assert {"Study", "plan_comparison", "run_comparison", "write_comparison"} <= set(gnss.__all__)
    assert Path(gnss.Study.__module__.replace(".", "/")).name == "question"
