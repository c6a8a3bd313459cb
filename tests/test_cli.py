"""`gnss compare` through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
from click.testing import CliRunner
from conftest import SNAPSHOT_2026 as REAL_TLE
from conftest import shared_file

import gnss
from gnss.cli import main

QUICK = ["--resolution-deg", "10", "--hours", "2", "--step-s", "1800"]


def run(args, **kw):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kw)


@pytest.fixture
def tle_text():
    return gnss.nominal_element_files(["R"])[0].read_text()


def test_compare_default_writes_everything(tmp_path):
    out = tmp_path / "out"
    res = run(["compare", *QUICK, "-o", str(out)])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert "coverage.nc" in names and "summary.csv" in names and "summary.json" in names
    for s in ("R", "C", "R_C"):
        assert f"map_pdop_p95_{s}.png" in names
        assert f"map_availability_{s}.png" in names
    assert "diff_availability_R_C.png" in names and "diff_pdop_p95_R_C.png" in names
    assert not any(n.startswith(".") for n in names)
    # The table is printed, one row per set.
    lines = res.stdout.splitlines()
    assert lines[0].split()[0] == "set"
    assert [ln.split()[0] for ln in lines[2:5]] == ["R", "C", "R+C"]
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["sets"]) == {"R", "C", "R+C"}
    assert summary["run"]["time_coverage_start"].startswith("2026-01-01T00:00")
    ds = xr.open_dataset(out / "coverage.nc")
    assert ds.sizes["lat"] == 18 and ds.sizes["lon"] == 36
    assert "diff_availability" in ds
    assert "nominal_glonass.tle" in ds.attrs["element_files"]


def test_compare_refuses_to_overwrite_then_overwrites(tmp_path):
    out = tmp_path / "out"
    assert run(["compare", *QUICK, "--maps", "none", "-o", str(out)]).exit_code == 0
    before = (out / "summary.csv").stat().st_mtime_ns
    res = CliRunner().invoke(main, ["compare", *QUICK, "--maps", "none", "-o", str(out)])
    assert res.exit_code != 0
    assert "--overwrite" in res.output
    assert (out / "summary.csv").stat().st_mtime_ns == before
    res = run(["compare", *QUICK, "--maps", "none", "-o", str(out), "--overwrite"])
    assert res.exit_code == 0


def _assert_fails_cleanly(args, out: Path, *needles):
    res = CliRunner().invoke(main, args)
    assert res.exit_code != 0
    for needle in needles:
        assert needle in res.output, res.output
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def test_bad_checksum(tmp_path, tle_text):
    lines = tle_text.splitlines()
    # Change one digit of line 1 of the second satellite (file line 5), keep the length.
    l5 = lines[4]
    lines[4] = l5[:20] + ("1" if l5[20] != "1" else "2") + l5[21:]
    bad = tmp_path / "bad.tle"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          f"{bad}:5", "checksum")  # fmt: skip


def test_truncated_line(tmp_path, tle_text):
    lines = tle_text.splitlines()
    lines[2] = lines[2][:40]
    bad = tmp_path / "trunc.tle"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          f"{bad}:3", "40 characters, expected 69")  # fmt: skip


def test_truncated_file(tmp_path, tle_text):
    bad = tmp_path / "cut.tle"
    bad.write_text("\n".join(tle_text.splitlines()[:-1]) + "\n")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          str(bad), "truncated")  # fmt: skip


def test_empty_file(tmp_path):
    bad = tmp_path / "empty.tle"
    bad.write_text("")
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--sets", "R", "-e", str(bad), *QUICK, "-o", str(out)], out,
                          str(bad), "empty")  # fmt: skip


def test_unknown_system_letter(tmp_path):
    out = tmp_path / "out"
    _assert_fails_cleanly(
        ["compare", "--sets", "R,X", *QUICK, "-o", str(out)], out, "'X'", "--sets"
    )


def test_naive_start(tmp_path):
    out = tmp_path / "out"
    _assert_fails_cleanly(["compare", "--start", "2026-01-01T00:00", *QUICK, "-o", str(out)], out,
                          "no time zone", "2026-01-01T00:00Z")  # fmt: skip


def test_negative_step(tmp_path):
    out = tmp_path / "out"
    args = ["compare", "--resolution-deg", "10", "--hours", "2", "--step-s", "-5", "-o", str(out)]
    _assert_fails_cleanly(args, out, "-5", "--step-s")


def test_system_missing_from_elements(tmp_path):
    out = tmp_path / "out"
    _assert_fails_cleanly(
        ["compare", "--sets", "R,C", "-e", str(gnss.nominal_element_files(["R"])[0]), *QUICK,
         "-o", str(out)],
        out, "has no satellite of system C",
    )  # fmt: skip


def test_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    import gnss.outputs.maps

    calls = {"n": 0}
    real = gnss.outputs.maps.plot_field

    def flaky(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise gnss.OutputError("simulated disk full")
        return real(*a, **kw)

    monkeypatch.setattr(gnss.outputs.maps, "plot_field", flaky)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["compare", *QUICK, "-o", str(out)])
    assert res.exit_code != 0
    assert "simulated disk full" in res.output
    assert not out.exists() or list(out.iterdir()) == []


def test_real_snapshot_and_common_clock(tmp_path):
    shared_file(REAL_TLE)
    out = tmp_path / "out"
    res = run(["compare", "-e", str(REAL_TLE), "--sets", "G,E,G+E", "--clock", "common", *QUICK,
               "--maps", "none", "-o", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["clock_model"] == "common"
    # Start defaults to the snapshot's median epoch (PROVENANCE: 2026-10-05 14:50 UTC).
    assert summary["run"]["time_coverage_start"].startswith("2026-10-05T14:5")


def test_subprocess_console_script(tmp_path):
    exe = shutil.which("gnss", path=str(Path(sys.executable).parent)) or shutil.which("gnss")
    assert exe, "the console script 'gnss' is not installed"
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONWARNINGS="error::ResourceWarning")
    proc = subprocess.run([exe, "compare", *QUICK, "--maps", "none", "-o", str(out), "-v"],
                          capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "R+C" in proc.stdout
    assert "time split" in proc.stderr
    assert (out / "coverage.nc").exists()
    bad = subprocess.run(
        [exe, "compare", "--sets", "Q"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2
    assert "unknown system letter 'Q'" in bad.stderr


def test_compare_with_regions_writes_report(tmp_path):
    out = tmp_path / "out"
    res = run(
        ["compare", *QUICK, "--maps", "none", "--regions", "global,arctic,RUS", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "regions.csv", "regions.gpkg", "regions.json", "coverage.nc"} <= names
    assert "region_RUS_pdop_p95.png" in names
    report = (out / "report.md").read_text()
    assert "Integral availability" in report and "Russia" in report
    import geopandas

    gdf = geopandas.read_file(out / "regions.gpkg", layer="regions")
    assert sorted(gdf["region"]) == ["RUS", "arctic", "global"]
    ds = xr.open_dataset(out / "coverage.nc")
    assert ds["region"].values.tolist() == ["global", "arctic", "RUS"]


def test_compare_unknown_region_is_refused_before_work(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["compare", *QUICK, "--regions", "RUSS", "-o", str(out)])
    assert res.exit_code == 2
    assert "RUSS" in res.output and "RUS" in res.output
    assert not out.exists()


def test_regions_listing():
    res = run(["regions", "--search", "arctic"])
    assert res.exit_code == 0 and "arctic" in res.output


def test_memory_estimate_printed_and_refusal(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["compare", *QUICK, "--maps", "none", "-o", str(out)])
    assert res.exit_code == 0 and "estimated peak memory" in res.stderr
    res = CliRunner().invoke(
        main,
        ["compare", "--resolution-deg", "0.25", "--max-memory-gib", "0.1", "-o", str(out / "x")],
    )
    assert res.exit_code == 1
    assert "needs about" in res.output and "--resolution-deg" in res.output
    assert not (out / "x").exists()


def test_nominal_default_is_placed_at_the_start(tmp_path):
    out = tmp_path / "out"
    res = run(["compare", *QUICK, "--maps", "none", "--start", "2027-06-01T00:00Z", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out / "coverage.nc")
    assert "nominal@2027-06-01T00:00:00Z" in ds.attrs["element_files"]
    assert ds.attrs["element_epoch_range"].startswith("2027-06-01T00:00:00")


# --- CLI conventions (issue 11): one way in every command -------------------------------

NOMINAL_R = str(gnss.nominal_element_files(["R"])[0])
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_compare_with_a_bare_file_names_the_option(tmp_path):
    res = CliRunner().invoke(main, ["compare", NOMINAL_R, "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert f"got an extra argument '{NOMINAL_R}'; element files are given with -e FILE" in (
        res.stderr
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [["compare", "-o", "-"], ["compare", "-o", ""], ["compare", "--output", " "],
     ["elements", "fetch", "-o", "-"], ["elements", "fetch", "-o", ""],
     ["elements", "list", "-e", NOMINAL_R, "--json-file", "-"],
     ["elements", "list", "-e", NOMINAL_R, "--json-file", ""]],
    ids=repr,
)  # fmt: skip
def test_dash_and_empty_output_paths_are_refused(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    assert "standard output) is not supported" in res.stderr or "the path is empty" in res.stderr
    assert list(tmp_path.iterdir()) == []  # no folder named '-', nothing in the current one


def test_elements_list_and_show_take_e_and_warn_about_bare_files():
    for command in ("list", "show"):
        res = CliRunner().invoke(main, ["elements", command, "-e", NOMINAL_R, "-e", NOMINAL_R])
        assert res.exit_code == 0, res.output
        assert "Warning: element files given without -e" not in res.stderr
        res = CliRunner().invoke(main, ["elements", command, NOMINAL_R])
        assert res.exit_code == 0, res.output
        assert "24 satellites: R=24" in res.stdout
        assert res.stderr.startswith("Warning: element files given without -e are deprecated")
        assert f"write -e {NOMINAL_R}" in res.stderr
        res = CliRunner().invoke(main, ["elements", command])
        assert res.exit_code == 2 and "give one or more with -e FILE" in res.stderr


def test_json_flag_prints_json_and_json_file_writes_it(tmp_path):
    res = CliRunner().invoke(main, ["elements", "list", "-e", NOMINAL_R, "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["counts"] == {"R": 24}
    target = tmp_path / "list.json"
    args = ["elements", "show", "-e", NOMINAL_R, "--json-file", str(target)]
    res = CliRunner().invoke(main, args)
    assert (
        res.exit_code == 0 and "GLONASS NOMINAL SLOT 01" in res.stdout
    )  # the table still on stdout
    assert len(json.loads(target.read_text())["satellites"]) == 24
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1 and "--overwrite" in res.stderr
    assert CliRunner().invoke(main, [*args, "--overwrite"]).exit_code == 0


def test_json_means_stdout_in_identify_too(tmp_path):
    tle, sp3 = SHARED_DATA / "tle" / "gnss_2023-07-12.tle", SHARED_DATA / "sp3"
    sp3 = sp3 / "COD0MGXFIN_20231890000_01D_05M_ORB.SP3"
    if not (tle.exists() and sp3.exists()):
        pytest.skip(f"{tle} or {sp3} not found (../shared/data is not beside the repository)")
    base = ["elements", "identify", "-e", str(tle), "--sp3", str(sp3)]
    res = CliRunner().invoke(main, [*base, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # nothing but JSON on stdout
    assert sum(m["status"] == "matched" for m in doc["matches"]) >= 58
    res = CliRunner().invoke(main, [*base, "--json", str(tmp_path / "old-style.json")])
    assert res.exit_code == 2
    assert "--json is a flag (JSON to stdout); write a JSON file with --json-file FILE" in (
        res.stderr
    )
    assert not (tmp_path / "old-style.json").exists()


def _commands(group, path=("gnss",)):
    import click

    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))
        else:
            yield " ".join((*path, name)), cmd


def test_every_option_says_what_it_takes():
    import click

    generic = []
    for where, cmd in _commands(main):
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.is_flag and param.count is False:
                if not isinstance(param.type, click.Choice) and param.metavar is None:
                    generic.append(f"{where} {param.opts[-1]}")
    assert generic == [], f"options without a metavar (FILE, ISO-TIME, DEG, S, ...): {generic}"
    help_text = run(["compare", "--help"]).stdout
    for shown in (
        "-e, --elements FILE",
        "--start ISO-TIME",
        "--hours HOURS",
        "--step-s S",
        "--resolution-deg DEG",
        "--mask-deg DEG",
        "--height-m M",
        "-o, --output DIR",
    ):
        assert shown in help_text, shown  # fmt: skip


def test_messages_start_with_error_or_warning(tmp_path):
    if not REAL_TLE.exists():
        pytest.skip(f"{REAL_TLE} not found (../shared/data is not beside the repository)")
    # Elements of 2026-10-06 over a span a month later: the library's stale-elements warning.
    res = CliRunner().invoke(main, ["compare", "-e", str(REAL_TLE), "--sets", "R", "--start",
                                    "2026-11-06T00:00Z", *QUICK, "--maps", "none",
                                    "-o", str(tmp_path / "out")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Warning: 170 of 170 satellites have element epochs more than 14 days" in res.stderr
    assert "WARNING" not in res.stderr
    sources = "".join(p.read_text() for p in Path(gnss.__file__).parent.glob("cli/*.py"))
    for spelling in ('"warning:', '"error:', "Note:", '"WARNING', "%(levelname)s"):
        assert spelling not in sources, spelling


def test_cli_copies_of_library_constants_agree():
    import importlib

    from gnss.cli import commands as cli_module
    from gnss.cli import fetch as cli_fetch
    from gnss.cli import refs as cli_refs
    from gnss.coverage import config as coverage
    from gnss.elements import celestrak
    from gnss.kernels import threads

    identify = importlib.import_module("gnss.validation.identify")  # gnss.identify: the function

    assert cli_module.CLOCK_MODELS == coverage.CLOCK_MODELS
    assert cli_module.THREADS_ENV == threads.THREADS_ENV
    assert cli_fetch.FORMATS == celestrak.FORMATS
    assert cli_refs.DEFAULT_SITE_NAMES == tuple(s[0] for s in identify.DEFAULT_SITES)
