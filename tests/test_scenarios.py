"""Selectors, filters, planes, epoch hygiene and what-if sets."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SNAPSHOT_2026, TLE_DIR, shared_file

import gnss
from gnss.cli import main
from gnss.elements.hygiene import check_span_near_elements, stale_satellites
from gnss.elements.planes import orbital_plane
from gnss.elements.select import Selector, filter_constellation
from gnss.elements.sets import parse_sets

SNAP_2026 = SNAPSHOT_2026
SNAP_2019 = TLE_DIR / "2019-03-09_per-constellation"


need = shared_file


@pytest.fixture(scope="module")
def con2026():
    return gnss.read_elements(need(SNAP_2026))


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("C", {"system": "C"}),
        ("c19", {"system": "C", "prn": 19}),
        ("C:GEO", {"system": "C", "orbit_class": "GEO"}),
        ("C:BDS-2", {"system": "C", "generation": "BDS-2"}),
        ("R:plane=2", {"system": "R", "plane": 2}),
        ("norad=43001", {"norad_id": 43001}),
        ("43001", {"norad_id": 43001}),
        ("name='BEIDOU-3*'", {"name": "BEIDOU-3*"}),
        ("class=IGSO", {"orbit_class": "IGSO"}),
        ("gen=bds-3", {"generation": "BDS-3"}),
    ],
)
def test_selector_forms(text, fields):
    sel = Selector.parse(text)
    for key, value in fields.items():
        assert getattr(sel, key) == value


@pytest.mark.parametrize("bad", ["X", "plane=x", "norad=abc", "C:", "=3"])
def test_bad_selector_is_explained(bad):
    with pytest.raises(gnss.ParameterError, match="not understood; use e.g. C, C19"):
        Selector.parse(bad)


def test_filters_on_real_snapshot(con2026):
    # PROVENANCE section 1a: 54 BeiDou, of which 9 GEO / 12 IGSO / 33 MEO.
    no_geo = filter_constellation(con2026, exclude="C:GEO")
    assert no_geo.counts()["C"] == 45
    assert sum("excluded by 'C:GEO'" in s.reason for s in no_geo.skipped) == 9
    only = filter_constellation(con2026, select=["C:IGSO", "R"])
    assert only.counts() == {"R": 27, "C": 12}
    bds3 = filter_constellation(con2026, select="C:BDS-3")
    assert all(s.generation == "BDS-3" for s in bds3.satellites) and len(bds3) > 25
    one = filter_constellation(con2026, select="C19")
    assert [s.name for s in one.satellites] == ["BEIDOU-3 M1 (C19)"]
    # Never silently dropped: every record is kept or skipped with a reason.
    assert len(only) + len(only.skipped) == len(con2026) + len(con2026.skipped)


def test_planes_of_nominal_and_real_glonass():
    nominal = gnss.read_elements(gnss.nominal_element_files(["R"]))
    for sat in nominal.satellites:
        assert orbital_plane(sat) == (sat.prn - 1) // 8 + 1, sat.name
    real = gnss.read_elements(need(SNAP_2019 / "glo-ops.txt"))
    planes = [orbital_plane(s) for s in real.satellites]
    # The 2019 GLONASS constellation was 24 satellites, 8 in each of the 3 planes.
    assert sorted(planes.count(p) for p in (1, 2, 3)) == [8, 8, 8]


def test_stale_elements_and_far_spans(con2026):
    start = con2026.median_epoch()
    stale = stale_satellites(con2026, start, start, max_age_days=14)
    names = {s.name.strip() for s, _ in stale}
    # PROVENANCE 1c: BEIDOU-2 IGSO-1 (C06) is 23 days older than the newest set.
    assert "BEIDOU-2 IGSO-1 (C06)" in names
    assert all(days > 14 for _, days in stale)
    far = datetime(2031, 1, 1, tzinfo=UTC)
    with pytest.raises(gnss.ParameterError, match="days from the elements' median epoch"):
        check_span_near_elements(con2026, far, far)
    check_span_near_elements(con2026, far, far, force=True)


def test_set_grammar():
    specs = parse_sets("R,C,R+C,noGEO=R+C[-C:GEO],R+C@2019,R[+nominal:R:plane=1;-R:plane=2]")
    assert [s.name for s in specs] == [
        "R", "C", "R+C", "noGEO", "R+C@2019", "R[+nominal:R:plane=1;-R:plane=2]",
    ]  # fmt: skip
    assert specs[3].remove[0].orbit_class == "GEO" and not specs[3].is_plain
    assert specs[4].label == "2019"
    assert specs[5].add_nominal[0].plane == 1 and specs[5].remove[0].plane == 2
    for bad, msg in [("R+C[", "unbalanced"), ("R+C[*C]", "modifier"), ("R+Q", "unknown system")]:
        with pytest.raises(gnss.ParameterError, match=msg):
            parse_sets(bad)


def test_what_if_without_geos_adds_up(con2026):
    span = gnss.epoch_span(con2026.median_epoch(), duration_s=12 * 3600, step_s=1800)
    sets = "R+C,noGEO=R+C[-C:GEO],geo=C[-C:MEO;-C:IGSO]"
    ds = gnss.compute_coverage(con2026, sets, span, gnss.Grid(10.0))
    assert ds["set_n_satellites"].values.tolist() == [81, 72, 9]
    v = ds["visible_mean"]
    np.testing.assert_allclose(v.sel(set="R+C"), v.sel(set="noGEO") + v.sel(set="geo"), atol=1e-9)
    # GEOs are only visible from about a hemisphere: somewhere they add nothing, over Asia a lot.
    geo = v.sel(set="geo")
    assert float(geo.min()) == 0.0 and float(geo.sel(lat=35, lon=115, method="nearest")) >= 5


def test_two_snapshot_dates_in_one_run(con2026):
    con2019 = gnss.read_elements([need(SNAP_2019 / "glo-ops.txt"), SNAP_2019 / "beidou.txt"])
    span = gnss.epoch_span(con2026.median_epoch(), duration_s=6 * 3600, step_s=1800)
    ds = gnss.compute_coverage(
        {None: con2026, "2019": con2019}, "R+C,R+C@2019", span, gnss.Grid(15.0)
    )
    assert ds["set_n_satellites"].values.tolist() == [81, 64]
    assert ds["set_start"].values[1] == con2019.median_epoch().isoformat()
    assert ds["set_elements"].values.tolist() == ["default", "2019"]
    # BeiDou grew from 40 to 54 satellites between the two dates.
    diff = ds["visible_mean"].sel(set="R+C") - ds["visible_mean"].sel(set="R+C@2019")
    assert float(diff.mean()) > 2


def test_adding_nominal_slots(con2026):
    # Plane 1 is full in 2026, so only the unconditional +allnominal adds its 8 slots
    # (+nominal, which fills empty slots only, is refused there: tests/test_sets_whatif.py).
    span = gnss.epoch_span(con2026.median_epoch(), duration_s=3600, step_s=1800)
    ds = gnss.compute_coverage(con2026, "R,R[+allnominal:R:plane=1]", span, gnss.Grid(30.0))
    assert ds["set_n_satellites"].values.tolist() == [27, 35]
    assert "nominal@2026-10-05T14:50:02Z" in ds.attrs["element_files"]
    assert bool((ds["visible_mean"][1] >= ds["visible_mean"][0]).all())


def test_unknown_label_and_empty_system(con2026):
    span = gnss.epoch_span(con2026.median_epoch(), duration_s=0, step_s=60)
    with pytest.raises(gnss.ParameterError, match="label '2019'"):
        gnss.compute_coverage(con2026, "R@2019", span, gnss.Grid(30.0))
    with pytest.raises(gnss.ParameterError, match="has no satellite of system C"):
        gnss.compute_coverage(con2026, "C[-C]", span, gnss.Grid(30.0))


QUICK = ["--resolution-deg", "15", "--hours", "2", "--step-s", "1800", "--maps", "none"]


def test_cli_what_if_and_snapshots(tmp_path):
    out = tmp_path / "out"
    args = [
        "compare", "-e", str(need(SNAP_2026)), "-e", f"2019={SNAP_2019 / 'glo-ops.txt'}",
        "-e", f"2019={SNAP_2019 / 'beidou.txt'}",
        "--sets", "R,C,R+C,noGEO=R+C[-C:GEO],R+C@2019", *QUICK, "-o", str(out),
    ]  # fmt: skip
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    rows = [ln.split()[0] for ln in res.stdout.splitlines()[2:7]]
    assert rows == ["R", "C", "R+C", "noGEO", "R+C@2019"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sets"]["noGEO"]["visible.mean"] < summary["sets"]["R+C"]["visible.mean"]
    assert "more than 14 days" in res.stderr  # the stale C06 is reported


def test_cli_refuses_far_start_unless_forced(tmp_path):
    out = tmp_path / "out"
    base = ["compare", "-e", str(need(SNAP_2026)), "--start", "2031-01-01T00:00Z", *QUICK]
    res = CliRunner().invoke(main, [*base, "-o", str(out)])
    assert res.exit_code != 0 and "--force" in res.output
    assert not out.exists()
    res = CliRunner().invoke(main, [*base, "--force", "-o", str(out)])
    assert res.exit_code == 0, res.output


def test_cli_elements_list_and_show():
    res = CliRunner().invoke(
        main,
        [
            "elements",
            "list",
            str(need(SNAP_2026)),
            "--select",
            "C:GEO",
            "--at",
            "2026-10-06T00:00Z",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "9 satellites: C=9" in res.stdout
    assert "GEO" in res.stdout and "BDS-3" in res.stdout
    res = CliRunner().invoke(main, ["elements", "list", str(SNAP_2026), "--json"])
    doc = json.loads(res.stdout)
    assert doc["counts"] == {"G": 32, "R": 27, "E": 32, "C": 54, "J": 5, "I": 7, "S": 13}
    row = next(r for r in doc["satellites"] if r["norad"] == 43001)
    assert (row["system"], row["prn"], row["orbit_class"], row["plane"]) == ("C", 19, "MEO", 1)
    res = CliRunner().invoke(main, ["elements", "show", str(SNAP_2026), "--select", "C19"])
    assert res.exit_code == 0 and "altitude_km" in res.stdout and "BEIDOU-3 M1" in res.stdout
    res = CliRunner().invoke(main, ["elements", "list", str(SNAP_2026), "--at", "2026-10-06"])
    assert res.exit_code == 2 and "no time zone" in res.output
