"""Element hygiene: non-finite and implausible elements, duplicate PRNs, stale epochs, messages
that name the real cause, and input files that are not regular files (nothing may hang).

Real snapshots come from ``../shared/data`` (skipped with the reason when absent); broken
records are made in ``tmp_path`` from real ones or from synthetic element sets built here.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import TLE_DIR, shared_file
from sgp4.exporter import export_omm

import gnss
from gnss.elements.classify import ORBIT_BANDS, orbit_problem, semi_major_axis_km
from gnss.elements.hygiene import stale_satellites, summarize_skipped
from gnss.elements.read import Constellation, read_elements
from gnss.elements.select import filter_constellation
from gnss.errors import ElementError
from gnss.inputfile import MAX_ELEMENT_FILE_BYTES, MAX_REFERENCE_FILE_BYTES
from gnss.orbits.load import ReferenceOrbitError, load_reference
from gnss.regions.definitions import RegionError, region_from_file

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = sorted(
    p.relative_to(TLE_DIR).as_posix()
    for p in TLE_DIR.rglob("*")
    if p.is_file() and p.suffix in (".tle", ".txt")
)


def shared(relpath: str) -> Path:
    return shared_file(Path("tle") / relpath)


def _resum(line: str) -> str:
    return line[:68] + str(sum(int(c) if c.isdigit() else (c == "-") for c in line[:68]) % 10)


def _synthetic(name, satnum, epoch="26001.50000000", inc=55.0, mean_motion=2.0056, ecc="0100000"):
    l1 = f"1 {satnum:05d}U 26001A   {epoch} -.00000038  00000+0  00000+0 0  9990"
    l2 = f"2 {satnum:05d} {inc:8.4f} 210.0000 {ecc} 300.0000  60.0000 {mean_motion:11.8f}100000"
    assert len(l1) == len(l2) == 69
    return name, _resum(l1), _resum(l2)


def _write_tle(path: Path, records) -> Path:
    path.write_text("".join(line + "\n" for rec in records for line in rec))
    return path


def _write_csv(path: Path, records: list[dict]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return path


@pytest.fixture(scope="module")
def omm_records(tmp_path_factory) -> list[dict]:
    """Three valid OMM records (GPS MEO, GLONASS MEO, BeiDou GEO) made from synthetic TLEs."""
    recs = [
        _synthetic("GPS TEST-1 (PRN 05)", 90001),
        _synthetic("COSMOS 9999 (799K)", 90002, inc=64.8, mean_motion=2.1314),
        _synthetic("BEIDOU-3 G9 (C60)", 90003, inc=1.2, mean_motion=1.0027),
    ]
    path = _write_tle(tmp_path_factory.mktemp("omm") / "s.tle", recs)
    con = read_elements(path)
    assert len(con) == 3 and con.skipped == ()
    return [export_omm(s.satrec, s.name) for s in con.satellites]


# ---------------------------------------------------------------------------------------------
# Every real satellite fits its system's orbit band
# ---------------------------------------------------------------------------------------------


def test_snapshots_are_found():
    shared_file("tle")
    assert len(SNAPSHOTS) >= 15


@pytest.mark.parametrize("relpath", SNAPSHOTS)
def test_every_real_satellite_fits_its_orbit_band(relpath):
    con = read_elements(shared(relpath))
    bad = [s for s in con.skipped if s.kind in ("bad element", "implausible orbit")]
    assert bad == [], bad
    for sat in con.satellites:
        rec = sat.satrec
        n = rec.no_kozai * 1440.0 / (2.0 * math.pi)
        assert orbit_problem(sat.system, n, rec.ecco, math.degrees(rec.inclo)) is None, sat


def test_the_unusual_real_orbits_are_among_those_accepted():
    """The satellites the widened bands are for are really read (not only 'no skip')."""
    names = {s.name: s for s in read_elements(shared("gnss_2026-02-11.tle")).satellites}
    wanted = ["GSAT0201 (GALILEO 5)", "NVS-02 (IRNSS-1K)", "BEIDOU-3S IGSO-1S (C31)",
              "QZS-1R (QZSS/PRN 196)", "BEIDOU-2 IGSO-2 (C07)"]  # fmt: skip
    assert all(n in names for n in wanted), [n for n in wanted if n not in names]
    assert names["NVS-02 (IRNSS-1K)"].satrec.ecco > 0.7  # stranded in its transfer orbit
    gens = {s.generation for s in names.values() if s.system == "C"}
    assert "BDS-3S" in gens  # BeiDou test satellites
    assert {s.system for s in names.values()} >= set("GRECJIS")


def test_orbit_bands_reject_wrong_altitudes_for_every_system():
    leo_n = 15.5  # ~420 km altitude (ISS-like)
    geo_n = 1.0027  # geosynchronous
    meo_gps_n = 2.0056  # GPS altitude
    for system in ORBIT_BANDS:
        assert orbit_problem(system, leo_n, 0.001, 51.6) is not None, system
    assert orbit_problem("G", meo_gps_n, 0.0, 55.0) is None
    for system in "REC":  # GPS altitude is not GLONASS, Galileo or BeiDou MEO altitude
        assert orbit_problem(system, meo_gps_n, 0.0, 55.0) is not None, system
    for system in "GRE":  # no GEO in these systems
        assert orbit_problem(system, geo_n, 0.0, 0.5) is not None, system
    for system in "JIS":  # no MEO in these systems
        assert orbit_problem(system, meo_gps_n, 0.0, 55.0) is not None, system
    assert orbit_problem("C", geo_n, 0.0, 1.0) is None
    assert orbit_problem("C", geo_n, 0.0, 55.0) is None  # IGSO
    # GUIDE §4: geosynchronous and GPS semi-major axes from the mean motion.
    assert abs(semi_major_axis_km(1.00273791) - 42164.17) < 1.0  # km
    assert abs(semi_major_axis_km(2.00561933) - 26559.8) < 2.0  # km


# ---------------------------------------------------------------------------------------------
# Non-finite and implausible elements are skipped with file:line, name, value, expected
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("MEAN_MOTION", "nan", "MEAN_MOTION is nan, expected a finite number"),
        ("ECCENTRICITY", "nan", "ECCENTRICITY is nan, expected a finite number"),
        ("INCLINATION", "nan", "INCLINATION is nan, expected a finite number"),
        ("MEAN_MOTION", "inf", "MEAN_MOTION is inf, expected a finite number"),
        ("BSTAR", "inf", "BSTAR is inf, expected a finite number"),
        ("BSTAR", "-inf", "BSTAR is -inf, expected a finite number"),
        ("RA_OF_ASC_NODE", "nan", "RA_OF_ASC_NODE is nan"),
        ("MEAN_MOTION", "-2.0", "MEAN_MOTION is -2 rev/day, expected > 0"),
        ("ECCENTRICITY", "1.5", "ECCENTRICITY is 1.5, expected 0 <= e < 1"),
        ("INCLINATION", "200", "INCLINATION is 200 deg, expected 0-180 deg"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_bad_omm_values_are_skipped_with_the_reason(tmp_path, omm_records, fmt, field, value,
                                                    reason):  # fmt: skip
    records = [dict(r) for r in omm_records]
    records[1][field] = value
    if fmt == "csv":
        path, line = _write_csv(tmp_path / "omm.csv", records), 3  # header, row 1, row 2
    else:
        path, line = tmp_path / "omm.json", 2  # record number
        path.write_text(json.dumps(records))
    con = read_elements(path)
    assert [s.norad_id for s in con.satellites] == [90001, 90003]
    (skipped,) = con.skipped
    assert skipped.source == f"{path}:{line}" and skipped.name == "COSMOS 9999 (799K)"
    assert reason in skipped.reason and "fix or remove the record" in skipped.reason
    assert skipped.kind == "bad element"
    assert "eccentricity" not in skipped.reason.lower() or field == "ECCENTRICITY"


def test_json_nan_literals_are_skipped(tmp_path, omm_records):
    records = [dict(r) for r in omm_records]
    records[0]["MEAN_MOTION"] = float("nan")  # json.dumps writes a bare NaN
    records[2]["BSTAR"] = float("inf")  # ... and Infinity
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(records))
    assert "NaN" in path.read_text() and "Infinity" in path.read_text()
    con = read_elements(path)
    assert [s.norad_id for s in con.satellites] == [90002]
    assert [(s.source, s.reason.split(",")[0]) for s in con.skipped] == [
        (f"{path}:1", "MEAN_MOTION is nan"),
        (f"{path}:3", "BSTAR is inf"),
    ]


@pytest.mark.parametrize(
    ("name", "kw", "fragments"),
    [
        ("COSMOS 2999 (799K)", {"inc": 51.6, "mean_motion": 15.5}, ("does not fit GLONASS",
                                                                   "altitude 417 km")),
        ("GPS BIII-99 (PRN 33)", {"inc": 0.1, "mean_motion": 1.0027}, ("does not fit GPS",)),
        ("GSAT0299 (PRN E40)", {"inc": 64.8, "mean_motion": 2.1314}, ("does not fit Galileo",)),
        ("BEIDOU-3 M99 (C62)", {"inc": 98.0, "mean_motion": 14.2}, ("does not fit BeiDou",)),
        ("QZS-9 (QZSS/PRN 202)", {"inc": 55.0, "mean_motion": 2.0056}, ("does not fit QZSS",)),
    ],
)  # fmt: skip
def test_orbit_that_does_not_fit_the_name_is_skipped(tmp_path, name, kw, fragments):
    good = _synthetic("GPS TEST-1 (PRN 05)", 90001)
    path = _write_tle(tmp_path / "leo.tle", [good, _synthetic(name, 90002, **kw)])
    con = read_elements(path)
    assert [s.norad_id for s in con.satellites] == [90001]
    (skipped,) = con.skipped
    assert (skipped.name, skipped.source, skipped.kind) == (name, f"{path}:4", "implausible orbit")
    for fragment in (*fragments, "expected", "km, i", "the name and the elements disagree"):
        assert fragment in skipped.reason, (fragment, skipped.reason)


# ---------------------------------------------------------------------------------------------
# Messages name the real cause
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "kind"),
    [("42", "int"), ('"x"', "str"), ("true", "bool"), ("null", "NoneType"), ("-3.5e2\n", "float")],
)
def test_json_scalar_is_named_not_read_as_a_tle_name(tmp_path, content, kind):
    path = tmp_path / "scalar.json"
    path.write_text(content)
    with pytest.raises(ElementError) as info:
        read_elements(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: the file is a JSON {kind} ("), msg
    assert "truncated" not in msg and "expected a JSON list of OMM objects" in msg
    assert "FORMAT=json" in msg


def test_json_list_with_a_scalar_item_says_which(tmp_path, omm_records):
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([omm_records[0], 7]))
    with pytest.raises(ElementError, match=r"but item 2 is a int"):
        read_elements(path)


def _empty_message(con: Constellation) -> str:
    with pytest.raises(ElementError) as info:
        con.median_epoch()
    msg = str(info.value)
    assert msg.startswith("the constellation is empty: no median epoch")
    return msg


def test_empty_constellation_says_which_records_were_skipped_and_why(tmp_path, omm_records):
    # 1. Every name unknown.
    path = _write_tle(tmp_path / "cubesats.tle", [
        _synthetic("MY CUBESAT", 90001), _synthetic("OTHER CUBESAT", 90002)])  # fmt: skip
    msg = _empty_message(read_elements(path))
    assert "2 of the 2 records" in msg and str(path) in msg
    assert "MY CUBESAT" in msg and f"{path}:1" in msg and "no known GNSS naming pattern" in msg
    assert "gnss elements fetch gnss" in msg
    # 2. Every record with a non-finite element.
    records = [dict(r, MEAN_MOTION="nan") for r in omm_records]
    msg = _empty_message(read_elements(_write_csv(tmp_path / "nan.csv", records)))
    assert "3 records: bad element" in msg and "MEAN_MOTION is nan" in msg
    assert "Fix or remove the records named above" in msg
    # 3. Every orbit implausible for its name.
    path = _write_tle(tmp_path / "leo.tle", [_synthetic("COSMOS 2999", 90001, mean_motion=15.5)])
    msg = _empty_message(read_elements(path))
    assert "does not fit GLONASS" in msg and f"{path}:1" in msg
    # 4. Every satellite excluded by a selector.
    con = read_elements(gnss.nominal_element_files(["R"]))
    msg = _empty_message(filter_constellation(con, exclude="R"))
    assert "24 records excluded by 'R'" in msg and "--select/--exclude" in msg
    # 5. A system the files do not hold.
    msg = _empty_message(con.select("C"))
    assert "no satellite of the requested systems" in msg and "--sets" in msg


def test_compare_with_only_unknown_names_says_why_as_a_real_subprocess(tmp_path):
    path = _write_tle(tmp_path / "cubesats.tle", [_synthetic("MY CUBESAT", 90001)])
    proc = subprocess.run(
        [sys.executable, "-m", "gnss.cli", "compare", "-e", str(path), "--sets", "G",
         "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "MY CUBESAT" in proc.stderr and "no known GNSS naming pattern" in proc.stderr


# ---------------------------------------------------------------------------------------------
# Mixing snapshots: duplicate PRNs, stale epochs worst first
# ---------------------------------------------------------------------------------------------


def test_duplicate_prn_from_two_real_snapshots_keeps_the_newest_epoch():
    old, new = shared("gnss_2021-12-08.tle"), shared("gnss_2023-03-15.tle")
    con = read_elements([old, new])
    dups = [s for s in con.skipped if s.kind == "duplicate PRN"]
    # GPS PRN 28 moved from NORAD 26407 (2021) to GPS BIII-6, NORAD 55268 (2023).
    g28 = next(s for s in dups if "duplicate PRN G28" in s.reason)
    assert g28.source.startswith(f"{old}:") and "NORAD 26407" in g28.reason
    assert "NORAD 55268 'GPS BIII-6  (PRN 28)'" in g28.reason
    kept = next(s for s in con.satellites if s.label == "G28")
    assert kept.norad_id == 55268 and g28.reason.endswith(f"kept the newer epoch at {kept.source}")
    labels = [s.label for s in con.satellites if s.prn is not None]
    assert len(labels) == len(set((s.system, s.prn) for s in con.satellites if s.prn is not None))
    assert any("duplicate PRN G28" in line or "duplicate PRN" in line
               for line in summarize_skipped(con))  # fmt: skip


def test_duplicate_prn_synthetic_newer_wins_either_order(tmp_path):
    older = _synthetic("GPS OLD (PRN 07)", 90001, epoch="26001.00000000")
    newer = _synthetic("GPS NEW (PRN 07)", 90002, epoch="26010.00000000")
    for order in ([older, newer], [newer, older]):
        con = read_elements(_write_tle(tmp_path / "dup.tle", order))
        assert [s.norad_id for s in con.satellites] == [90002]
        (skipped,) = con.skipped
        assert skipped.name == "GPS OLD (PRN 07)" and skipped.kind == "duplicate PRN"
        assert "epoch 2026-01-01 00:00" in skipped.reason and "2026-01-10 00:00" in skipped.reason


def test_stale_satellites_worst_first(tmp_path):
    days = ["26001.00000000", "26031.00000000", "26011.00000000", "26040.00000000"]
    recs = [_synthetic(f"GPS T-{k} (PRN {k + 1:02d})", 90001 + k, epoch=d)
            for k, d in enumerate(days)]  # fmt: skip
    con = read_elements(_write_tle(tmp_path / "s.tle", recs))
    start = datetime(2026, 2, 10, tzinfo=UTC)
    stale = stale_satellites(con, start, start + timedelta(hours=2), 14.0)
    # Jan 1 is 40 days before Feb 10, Jan 11 30 days; Jan 31 (10 d) and Feb 9 are within 14.
    assert [(s.name, round(d)) for s, d in stale] == [("GPS T-0 (PRN 01)", 40),
                                                      ("GPS T-2 (PRN 03)", 30)]  # fmt: skip


def test_compare_stale_warning_lists_the_worst_first_with_the_count(tmp_path):
    days = [f"26{d:03d}.00000000" for d in (1, 31, 11, 38, 20, 25, 15, 40)]
    recs = [_synthetic(f"GPS T-{k} (PRN {k + 1:02d})", 90001 + k, epoch=d)
            for k, d in enumerate(days)]  # fmt: skip
    path = _write_tle(tmp_path / "s.tle", recs)
    proc = subprocess.run(
        [sys.executable, "-m", "gnss.cli", "compare", "-e", str(path), "--sets", "G",
         "--start", "2026-02-20T00:00Z", "--hours", "1", "--step-s", "1800",
         "--resolution-deg", "30", "--maps", "none", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if "element epochs more than" in ln)
    # Epoch days 1, 11, 15, 20, 25, 31 are > 14 days before Feb 20 (day 51); 38 and 40 not.
    assert "6 of 8 satellites" in line and "(worst first)" in line
    order = [f"GPS T-{k} (PRN" for k in (0, 2, 6, 4, 5)]  # days 1, 11, 15, 20, 25
    pos = [line.index(o) for o in order]
    assert pos == sorted(pos), line
    assert "and 1 more" in line and f"{path}:1" in line


# ---------------------------------------------------------------------------------------------
# Nothing hangs: FIFOs, devices, folders and oversized files are refused
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.tle"
    os.mkfifo(path)
    return path


def test_fifo_device_and_folder_are_refused_by_read_elements(fifo, tmp_path):
    for path, what in [(fifo, "a named pipe (FIFO)"), (Path("/dev/zero"), "a character device"),
                       (tmp_path, "a directory")]:  # fmt: skip
        with pytest.raises(ElementError) as info:
            read_elements(path)
        msg = str(info.value)
        assert msg.startswith(f"{path}: cannot read the element file: it is {what}"), msg
        assert "expected a regular file" in msg and "Check the path" in msg


def test_oversized_element_file_is_refused_with_size_and_cap(tmp_path):
    path = tmp_path / "huge.tle"
    with path.open("wb") as f:
        f.truncate(MAX_ELEMENT_FILE_BYTES + 1)  # sparse: no disk space used
    with pytest.raises(ElementError) as info:
        read_elements(path)
    msg = str(info.value)
    assert f"({MAX_ELEMENT_FILE_BYTES + 1} bytes)" in msg and "64.0 MiB" in msg
    assert f"limit of 64.0 MiB ({MAX_ELEMENT_FILE_BYTES} bytes)" in msg


def test_reference_and_region_files_refuse_fifos_devices_and_oversize(fifo, tmp_path):
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ReferenceOrbitError, match="expected a regular file"):
            load_reference(path)
        with pytest.raises(RegionError, match="expected a regular file"):
            region_from_file(path)
    with pytest.raises(ReferenceOrbitError, match="it is a directory"):
        load_reference(tmp_path)
    big = tmp_path / "huge.sp3"
    with big.open("wb") as f:
        f.truncate(MAX_REFERENCE_FILE_BYTES + 1)
    with pytest.raises(ReferenceOrbitError, match="more than the limit of 256.0 MiB"):
        load_reference(big)


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_compare_on_a_fifo_or_dev_zero_ends_at_once_as_a_real_subprocess(fifo, tmp_path, target):
    path = fifo if target == "fifo" else Path(target)
    proc = subprocess.run(
        [sys.executable, "-m", "gnss.cli", "compare", "-e", str(path), "-o", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "expected a regular file" in proc.stderr


def test_an_absurd_mean_motion_is_an_implausible_orbit_not_an_overflow():
    """Found by the property tests: n = 1.8e158 rev/day overflowed in the semi-major axis."""
    assert orbit_problem("G", 1.8437059365785943e158, 0.001, 55.0).startswith("orbit a 0 km")
