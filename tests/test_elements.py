"""Tests of gnss.elements.read: reading TLE/3LE and OMM (CSV, JSON) files into a Constellation.

The real snapshots under ``shared/data/tle`` are checked against the hand-made tables of
``shared/data/PROVENANCE.md`` (section 1a: counts and epochs; 1b: sha256 and line ends).
Broken files are made in ``tmp_path`` from real lines (or from synthetic element sets built
here), and every error must name the file, the line and how to fix it.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import TLE_DIR, shared_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sgp4.exporter import export_omm

from gnss.elements.classify import SYSTEMS
from gnss.elements.read import Constellation, ElementSource, Satellite, Skipped, read_elements
from gnss.errors import ElementError, GnssError


class Row(NamedTuple):
    """One row of PROVENANCE.md section 1a (times in UTC, truncated to the minute there)."""

    n_sats: int
    counts: tuple[int, ...]  # G / R / E / C / J / I / S
    bds_split: tuple[int, int, int] | None  # BeiDou GEO / IGSO / MEO
    utc_min: str
    utc_max: str
    median: str


# shared/data/PROVENANCE.md, section 1a (the "other" column is 0 everywhere).
PROVENANCE = {
    "gnss_2026-10-06.tle": Row(
        170, (32, 27, 32, 54, 5, 7, 13), (9, 12, 33),
        "2026-09-13 16:04", "2026-10-06 05:16", "2026-10-05 14:50",
    ),
    "gnss_2026-02-11.tle": Row(
        170, (32, 28, 29, 54, 5, 9, 13), (9, 12, 33),
        "2026-01-27 16:14", "2026-02-11 13:40", "2026-02-10 17:31",
    ),
    "gnss_2025-08-20.tle": Row(
        170, (31, 27, 31, 54, 4, 10, 13), (9, 12, 33),
        "2025-07-27 16:54", "2025-08-20 12:57", "2025-08-19 04:55",
    ),
    "2025-04-30_per-constellation/gps-ops.tle": Row(
        31, (31, 0, 0, 0, 0, 0, 0), None,
        "2025-04-26 02:54", "2025-04-29 02:03", "2025-04-28 08:47",
    ),
    "2025-04-30_per-constellation/glo-ops.tle": Row(
        27, (0, 27, 0, 0, 0, 0, 0), None,
        "2025-04-01 00:13", "2025-04-29 05:20", "2025-04-28 07:36",
    ),
    "2025-04-30_per-constellation/galileo.tle": Row(
        31, (0, 0, 31, 0, 0, 0, 0), None,
        "2025-04-23 17:33", "2025-04-29 03:39", "2025-04-27 17:10",
    ),
    "2025-04-30_per-constellation/beidou.tle": Row(
        54, (0, 0, 0, 54, 0, 0, 0), (9, 12, 33),
        "2025-04-24 17:19", "2025-04-29 04:24", "2025-04-28 05:41",
    ),
    "gnss_2024-06-09.txt": Row(
        164, (31, 26, 29, 52, 4, 9, 13), (9, 12, 31),
        "2024-06-03 12:15", "2024-06-08 23:15", "2024-06-08 12:39",
    ),
    "gnss_2023-07-12.tle": Row(
        162, (31, 26, 28, 50, 5, 9, 13), (9, 12, 29),
        "2023-07-03 03:50", "2023-07-12 12:48", "2023-07-11 09:35",
    ),
    "gnss_2023-03-15.tle": Row(
        160, (31, 26, 28, 49, 5, 8, 13), (8, 12, 29),
        "2023-03-07 12:24", "2023-03-15 13:28", "2023-03-14 16:14",
    ),
    "gnss_2021-12-08.tle": Row(
        158, (31, 27, 26, 50, 4, 8, 12), (9, 12, 29),
        "2021-12-06 03:08", "2021-12-08 14:36", "2021-12-07 17:56",
    ),
    "2019-03-09_per-constellation/gps-ops.txt": Row(
        31, (31, 0, 0, 0, 0, 0, 0), None,
        "2019-03-08 15:36", "2019-03-09 15:00", "2019-03-09 06:45",
    ),
    "2019-03-09_per-constellation/glo-ops.txt": Row(
        24, (0, 24, 0, 0, 0, 0, 0), None,
        "2019-03-08 14:05", "2019-03-09 17:49", "2019-03-09 05:29",
    ),
    "2019-03-09_per-constellation/galileo.txt": Row(
        26, (0, 0, 26, 0, 0, 0, 0), None,
        "2019-03-04 23:24", "2019-03-09 12:30", "2019-03-08 10:25",
    ),
    "2019-03-09_per-constellation/beidou.txt": Row(
        40, (0, 0, 0, 40, 0, 0, 0), (7, 9, 24),
        "2019-03-06 21:20", "2019-03-09 20:56", "2019-03-09 08:17",
    ),
}  # fmt: skip

# shared/data/PROVENANCE.md, section 1b: line ends of every file, sha256 of a few.
CRLF_FILES = {
    "gnss_2026-10-06.tle",
    "gnss_2024-06-09.txt",
    "2019-03-09_per-constellation/gps-ops.txt",
    "2019-03-09_per-constellation/glo-ops.txt",
    "2019-03-09_per-constellation/galileo.txt",
    "2019-03-09_per-constellation/beidou.txt",
}
SHA256 = {
    "gnss_2026-10-06.tle": "3da7908692307354462d2ecd586199c531534bed731a000b3ff400a77068695a",
    "gnss_2026-02-11.tle": "43cc4d63e943c0a419c74ae043cb5a263dcc891dcc04a78871db4c37d0130ecb",
    "gnss_2024-06-09.txt": "fa90b5f8dd8aef8dd515b09b5cc8297e338ad3e5877cf11a355d942bf00f8127",
    "2019-03-09_per-constellation/beidou.txt": (
        "c12d4bbfdd537037495dc8058b0e12ce8da27da7001090f70391393f23666e49"
    ),
}

# A plain LF file and a CRLF file used for the hand-made variants below.
LF_FILE = "gnss_2026-02-11.tle"
CRLF_FILE = "gnss_2026-10-06.tle"


def shared(relpath: str) -> Path:
    """Path of a shared TLE snapshot, or skip the test when the shared data are absent."""
    return shared_file(Path("tle") / relpath)


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def _minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def _checksum(line: str) -> int:
    """TLE mod-10 checksum of columns 1-68 (digits count their value, '-' counts 1)."""
    return sum(int(c) if c.isdigit() else (c == "-") for c in line[:68]) % 10


def _resum(line: str) -> str:
    """The line with a correct checksum in column 69."""
    return line[:68] + str(_checksum(line))


def _records(relpath: str) -> list[tuple[str, str, str]]:
    """(name line, line 1, line 2) of each element set of a shared 3LE file, no line ends."""
    lines = shared(relpath).read_text().replace("\r", "").splitlines()
    assert len(lines) % 3 == 0
    return [(lines[k], lines[k + 1], lines[k + 2]) for k in range(0, len(lines), 3)]


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, newline="")
    return path


def _join(records, sep: str = "\n") -> str:
    return "".join(line + sep for rec in records for line in rec)


def _synthetic(
    name: str,
    satnum: int,
    epoch: str = "26001.50000000",
    inc: float = 55.0,
    mean_motion: float = 2.0056,
) -> tuple[str, str, str]:
    """A valid 3LE record made here (not from a file): MEO unless mean_motion says otherwise."""
    l1 = f"1 {satnum:05d}U 26001A   {epoch} -.00000038  00000+0  00000+0 0  9990"
    l2 = f"2 {satnum:05d} {inc:8.4f} 210.0000 0100000 300.0000  60.0000 {mean_motion:11.8f}100000"
    assert len(l1) == len(l2) == 69
    return name, _resum(l1), _resum(l2)


def _assert_error(path: Path | str, line: int | None, *fragments: str) -> str:
    """read_elements(path) must raise ElementError '<path>:<line>: ...' with the fragments."""
    with pytest.raises(ElementError) as info:
        read_elements(path)
    msg = str(info.value)
    prefix = f"{path}:{line}: " if line is not None else f"{path}: "
    assert msg.startswith(prefix), msg
    for fragment in fragments:
        assert fragment in msg, (fragment, msg)
    # "<where>: <what>. <how to fix>": a fix sentence follows the description.
    assert re.search(r"\. [A-Z][^.]*[a-z]", msg[len(prefix) :]), msg
    return msg


# ---------------------------------------------------------------------------------------------
# The real snapshots against PROVENANCE.md
# ---------------------------------------------------------------------------------------------


def test_every_shared_file_is_in_the_provenance_table():
    shared_file("tle")
    found = {p.relative_to(TLE_DIR).as_posix() for p in TLE_DIR.rglob("*") if p.is_file()}
    assert found == set(PROVENANCE)


@pytest.mark.parametrize("relpath", list(PROVENANCE))
def test_real_file_loads_with_provenance_counts(relpath):
    path = shared(relpath)
    row = PROVENANCE[relpath]
    con = read_elements(path)
    assert con.skipped == ()
    assert len(con) == row.n_sats
    assert tuple(con.counts().get(s, 0) for s in SYSTEMS) == row.counts
    assert list(con.counts()) == [s for s, n in zip(SYSTEMS, row.counts, strict=True) if n]
    assert sum(con.counts().values()) == len(con)
    if row.bds_split is not None:
        bds = [s.orbit_class for s in con.select("C").satellites]
        assert (bds.count("GEO"), bds.count("IGSO"), bds.count("MEO")) == row.bds_split
    assert len({s.norad_id for s in con.satellites}) == len(con)  # no duplicates inside
    assert con.sources == (ElementSource(str(path), con.sources[0].sha256, row.n_sats),)


@pytest.mark.parametrize("relpath", list(PROVENANCE))
def test_real_file_epochs_match_provenance(relpath):
    row = PROVENANCE[relpath]
    con = read_elements(shared(relpath))
    epochs = [s.epoch for s in con.satellites]
    assert all(e.tzinfo is UTC for e in epochs)
    assert _minute(min(epochs)) == _utc(row.utc_min)
    assert _minute(max(epochs)) == _utc(row.utc_max)
    median = con.median_epoch()
    assert median.tzinfo is UTC
    assert median.microsecond == 0
    assert _minute(median) == _utc(row.median)
    assert min(epochs) <= median <= max(epochs)


@pytest.mark.parametrize("relpath", list(SHA256))
def test_sources_carry_the_provenance_sha256(relpath):
    path = shared(relpath)
    (source,) = read_elements(path).sources
    assert source.sha256 == SHA256[relpath]
    assert source.path == str(path)
    assert source.n_records == PROVENANCE[relpath].n_sats


@pytest.mark.parametrize("relpath", list(PROVENANCE))
def test_line_ends_are_as_provenance_says(relpath):
    # Makes sure the CRLF and LF files really are what the CRLF/LF tests rely on.
    data = shared(relpath).read_bytes()
    n_lines = 3 * PROVENANCE[relpath].n_sats
    assert data.count(b"\n") == n_lines
    assert data.count(b"\r\n") == (n_lines if relpath in CRLF_FILES else 0)


def test_source_lines_point_at_the_name_lines():
    path = shared(CRLF_FILE)
    lines = path.read_text().splitlines()
    con = read_elements(path)
    for k, sat in enumerate(con.satellites):
        assert sat.source == f"{path}:{3 * k + 1}"
        assert lines[3 * k].strip() == sat.name
        assert lines[3 * k + 1].startswith(f"1 {sat.norad_id:05d}")


def test_epochs_equal_the_tle_epoch_field():
    # Independent decoding of YYDDD.DDDDDDDD (columns 19-32 of line 1).
    path = shared(LF_FILE)
    by_id = {s.norad_id: s for s in read_elements(path).satellites}
    for _, l1, _ in _records(LF_FILE):
        yy, days = int(l1[18:20]), float(l1[20:32])
        year = 2000 + yy if yy < 57 else 1900 + yy
        want = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=days - 1.0)
        sat = by_id[int(l1[2:7])]
        assert abs((sat.epoch - want).total_seconds()) < 1e-4, (sat.name, sat.epoch, want)


def test_satellite_fields_and_labels():
    con = read_elements(shared(CRLF_FILE))
    sats = {s.name: s for s in con.satellites}
    gps = sats["GPS BIIR-5  (PRN 22)"]
    assert (gps.system, gps.prn, gps.orbit_class, gps.generation) == ("G", 22, "MEO", "GPS IIR")
    assert gps.norad_id == 26407
    assert gps.label == "G22"
    assert gps.satrec.satnum == 26407
    glonass = next(s for s in con.satellites if s.system == "R")
    assert glonass.prn is None  # GLONASS names never carry the slot
    assert glonass.label == glonass.name
    assert all(isinstance(s, Satellite) for s in con.satellites)


# ---------------------------------------------------------------------------------------------
# Layouts: CRLF/LF, 3LE with "0 ", 2-line files without names
# ---------------------------------------------------------------------------------------------


def _summary(con: Constellation):
    return [
        (
            s.name,
            s.norad_id,
            s.system,
            s.prn,
            s.orbit_class,
            s.generation,
            s.epoch,
            s.source.rsplit(":", 1)[1],
        )
        for s in con.satellites
    ]


@pytest.mark.parametrize("relpath", [LF_FILE, CRLF_FILE])
def test_crlf_and_lf_give_the_same_constellation(relpath, tmp_path):
    original = read_elements(shared(relpath))
    records = _records(relpath)
    lf = read_elements(_write(tmp_path, "lf.tle", _join(records, "\n")))
    crlf = read_elements(_write(tmp_path, "crlf.tle", _join(records, "\r\n")))
    cr = read_elements(_write(tmp_path, "cr.tle", _join(records, "\r")))  # old Mac line ends
    assert _summary(lf) == _summary(crlf) == _summary(cr) == _summary(original)
    assert len(original) == PROVENANCE[relpath].n_sats
    assert lf.sources[0].sha256 != crlf.sources[0].sha256  # the bytes did differ


def test_missing_final_line_end_and_blank_lines_are_accepted(tmp_path):
    records = _records(LF_FILE)[:4]
    text = "\n\n" + _join(records[:2]) + "\n   \n" + _join(records[2:]).rstrip("\n")
    con = read_elements(_write(tmp_path, "blank.tle", text))
    assert [s.norad_id for s in con.satellites] == [int(r[1][2:7]) for r in records]
    # Line numbers count the blank lines: records start at lines 3, 6, 11, 14.
    assert [s.source.rsplit(":", 1)[1] for s in con.satellites] == ["3", "6", "11", "14"]


def test_utf8_bom_is_accepted(tmp_path):
    records = _records(LF_FILE)[:2]
    path = _write(tmp_path, "bom.tle", b"\xef\xbb\xbf" + _join(records).encode())
    con = read_elements(path)
    assert [s.name for s in con.satellites] == [r[0].strip() for r in records]


def test_space_track_3le_with_zero_prefix(tmp_path):
    records = _records(LF_FILE)
    zero = [("0 " + name.strip(), l1, l2) for name, l1, l2 in records]
    con = read_elements(_write(tmp_path, "spacetrack.3le", _join(zero)))
    plain = read_elements(shared(LF_FILE))
    assert con.skipped == ()
    assert _summary(con) == _summary(plain)
    assert not any(s.name.startswith("0 ") for s in con.satellites)


def test_two_line_file_without_names_is_skipped_with_reasons(tmp_path):
    records = _records(LF_FILE)
    path = _write(tmp_path, "twoline.tle", "".join(f"{l1}\n{l2}\n" for _, l1, l2 in records))
    con = read_elements(path)
    # Without a name no system can be told: every record is listed, none is dropped silently.
    assert len(con) == 0
    assert len(con.skipped) == len(records)
    assert con.sources[0].n_records == len(records)
    for k, ((_, l1, _), skipped) in enumerate(zip(records, con.skipped, strict=True)):
        norad = int(l1[2:7])
        assert isinstance(skipped, Skipped)
        assert skipped.name == f"NORAD {norad}"
        assert skipped.source == f"{path}:{2 * k + 1}"
        assert f"'NORAD {norad}'" in skipped.reason
        assert "no known GNSS naming pattern" in skipped.reason
    with pytest.raises(ElementError, match="empty"):
        con.median_epoch()


def test_unnamed_record_among_named_ones(tmp_path):
    records = _records(LF_FILE)[:3]
    text = _join(records[:1]) + f"{records[1][1]}\n{records[1][2]}\n" + _join(records[2:])
    path = _write(tmp_path, "mixed.tle", text)
    con = read_elements(path)
    assert [s.name for s in con.satellites] == [records[0][0].strip(), records[2][0].strip()]
    assert [s.source for s in con.satellites] == [f"{path}:1", f"{path}:6"]
    (skipped,) = con.skipped
    assert skipped.name == f"NORAD {int(records[1][1][2:7])}"
    assert skipped.source == f"{path}:4"


def test_synthetic_records_are_read(tmp_path):
    # Data-independent: element sets made here, so this runs without the shared snapshots.
    recs = [
        _synthetic("GPS TEST-1 (PRN 05)", 90001),
        _synthetic("COSMOS 9999 (799K)", 90002, inc=64.8, mean_motion=2.1314),
        _synthetic("BEIDOU-3 G9 (C60)", 90003, inc=1.2, mean_motion=1.0027),
    ]
    con = read_elements(_write(tmp_path, "synthetic.tle", _join(recs)))
    assert con.skipped == ()
    got = [(s.system, s.prn, s.orbit_class, s.generation, s.label) for s in con.satellites]
    assert got == [
        ("G", 5, "MEO", None, "G05"),
        ("R", None, "MEO", "GLONASS-K", "COSMOS 9999 (799K)"),
        ("C", 60, "GEO", "BDS-3", "C60"),
    ]
    assert all(s.epoch == datetime(2026, 1, 1, 12, tzinfo=UTC) for s in con.satellites)
    assert math.isclose(math.degrees(con.satellites[0].satrec.inclo), 55.0, abs_tol=1e-9)


# ---------------------------------------------------------------------------------------------
# OMM CSV and JSON
# ---------------------------------------------------------------------------------------------


def _omm_dicts(con: Constellation) -> list[dict]:
    return [export_omm(s.satrec, s.name) for s in con.satellites]


def _write_omm_csv(path: Path, records: list[dict], blank_lines: bool = False) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]), extrasaction="ignore")
        writer.writeheader()
        for rec in records:
            writer.writerow(rec)
            if blank_lines:
                f.write("\r\n")
    return path


_SATREC_FIELDS = ("no_kozai", "inclo", "ecco", "nodeo", "argpo", "mo", "bstar", "ndot", "nddot")


def _assert_same_satellites(a: Constellation, b: Constellation):
    assert len(a) == len(b) > 0
    assert a.counts() == b.counts()
    for x, y in zip(a.satellites, b.satellites, strict=True):
        assert (x.name, x.norad_id, x.system, x.prn, x.orbit_class, x.generation) == (
            y.name,
            y.norad_id,
            y.system,
            y.prn,
            y.orbit_class,
            y.generation,
        )
        assert y.satrec.satnum == x.satrec.satnum
        assert abs((x.epoch - y.epoch).total_seconds()) < 1e-3, x.name
        jd_diff = (x.satrec.jdsatepoch - y.satrec.jdsatepoch) + (
            x.satrec.jdsatepochF - y.satrec.jdsatepochF
        )
        assert abs(jd_diff) * 86400 < 1e-3
        for attr in _SATREC_FIELDS:
            assert math.isclose(
                getattr(x.satrec, attr), getattr(y.satrec, attr), rel_tol=1e-9, abs_tol=1e-15
            ), (x.name, attr)
        # Same orbit half a day later (SGP4 itself agrees, not only the stored elements).
        e1, r1, _ = x.satrec.sgp4(x.satrec.jdsatepoch, x.satrec.jdsatepochF + 0.5)
        e2, r2, _ = y.satrec.sgp4(x.satrec.jdsatepoch, x.satrec.jdsatepochF + 0.5)
        assert e1 == e2 == 0
        assert math.dist(r1, r2) < 1e-3, x.name  # km


@pytest.mark.parametrize("suffix", [".csv", ".tle", ".json"])
def test_omm_csv_equals_the_tle(tmp_path, suffix):
    tle = read_elements(shared(CRLF_FILE))
    path = _write_omm_csv(tmp_path / f"elements{suffix}", _omm_dicts(tle))  # suffix is ignored
    omm = read_elements(path)
    assert omm.skipped == ()
    _assert_same_satellites(tle, omm)
    assert [s.source for s in omm.satellites[:3]] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert omm.sources[0].n_records == len(tle)


@pytest.mark.parametrize("suffix", [".json", ".csv", ".txt"])
def test_omm_json_equals_the_tle(tmp_path, suffix):
    tle = read_elements(shared(CRLF_FILE))
    path = _write(tmp_path, f"elements{suffix}", json.dumps(_omm_dicts(tle), indent=1))
    omm = read_elements(path)
    assert omm.skipped == ()
    _assert_same_satellites(tle, omm)
    # In JSON the record number stands in for the line number.
    assert [s.source for s in omm.satellites[:2]] == [f"{path}:1", f"{path}:2"]


def test_omm_json_with_string_values_and_single_object(tmp_path):
    # Space-Track writes every JSON value as a string; a lone object is one record.
    tle = read_elements(shared(LF_FILE))
    strings = [{k: str(v) for k, v in rec.items()} for rec in _omm_dicts(tle)]
    _assert_same_satellites(tle, read_elements(_write(tmp_path, "st.json", json.dumps(strings))))
    one = read_elements(_write(tmp_path, "one.json", json.dumps(strings[5])))
    assert [s.norad_id for s in one.satellites] == [tle.satellites[5].norad_id]


def test_omm_from_synthetic_records(tmp_path):
    recs = [
        _synthetic("GPS TEST-1 (PRN 05)", 90001),
        _synthetic("QZS-9 (QZSS/PRN 199)", 90002, inc=41.0, mean_motion=1.0027),
    ]
    tle = read_elements(_write(tmp_path, "s.tle", _join(recs)))
    csv_con = read_elements(_write_omm_csv(tmp_path / "s_csv", _omm_dicts(tle)))
    json_con = read_elements(_write(tmp_path, "s_json", json.dumps(_omm_dicts(tle))))
    _assert_same_satellites(tle, csv_con)
    _assert_same_satellites(tle, json_con)
    assert [s.label for s in json_con.satellites] == ["G05", "J07"]
    assert json_con.satellites[1].orbit_class == "IGSO"


def test_omm_unclassifiable_name_is_skipped(tmp_path):
    tle = read_elements(shared(LF_FILE))
    records = _omm_dicts(tle)
    records[3]["OBJECT_NAME"] = "MY CUBESAT"
    path = _write_omm_csv(tmp_path / "omm.csv", records)
    con = read_elements(path)
    assert len(con) == len(tle) - 1
    (skipped,) = con.skipped
    assert (skipped.name, skipped.source) == ("MY CUBESAT", f"{path}:5")
    assert "'MY CUBESAT'" in skipped.reason


# ---------------------------------------------------------------------------------------------
# Bad input: ElementError naming file, line and fix
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recs():
    """The first records of a real LF snapshot."""
    return _records(LF_FILE)[:4]


def test_corrupt_checksum(tmp_path, recs):
    name, l1, l2 = recs[1]
    k = next(i for i in range(20, 32) if l1[i].isdigit())  # a digit of the epoch
    bad = l1[:k] + str((int(l1[k]) + 3) % 10) + l1[k + 1 :]
    assert len(bad) == len(l1) == 69
    path = _write(tmp_path, "bad.tle", _join([recs[0], (name, bad, l2), recs[2]]))
    msg = _assert_error(path, 5, "TLE line 1 checksum", "download the element set again")
    assert f"checksum is {l1[68]}" in msg
    assert f"give {_checksum(bad)}" in msg


def test_checksum_column_not_a_digit(tmp_path, recs):
    name, l1, l2 = recs[0]
    path = _write(tmp_path, "x.tle", _join([(name, l1, l2[:68] + "X")]))
    _assert_error(path, 3, "TLE line 2 column 69", "'X'", "Download the element set again")


@pytest.fixture(scope="module")
def corrupt_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("corrupt")


@given(data=st.data())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_changed_digit_is_caught_by_the_checksum(corrupt_dir, recs, data):
    lines = [line for rec in recs for line in rec]
    element_lines = [i for i, line in enumerate(lines) if line[:2] in ("1 ", "2 ")]
    i = data.draw(st.sampled_from(element_lines), label="line index")
    line = lines[i]
    # Any digit in columns 2-69 (column 1 tells line 1 from line 2), checksum digit included.
    k = data.draw(st.sampled_from([j for j in range(1, 69) if line[j].isdigit()]), label="col")
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != line[k]]), label="digit")
    lines[i] = line[:k] + new + line[k + 1 :]
    path = corrupt_dir / "corrupt.tle"
    path.write_text("\n".join(lines) + "\n")
    _assert_error(path, i + 1, f"TLE line {line[0]} checksum", "download")


def test_truncated_line(tmp_path, recs):
    name, l1, l2 = recs[0]
    path = _write(tmp_path, "short.tle", _join([(name, l1, l2[:60]), recs[1]]))
    _assert_error(path, 3, "TLE line 2 has 60 characters, expected 69", "truncated", repr(l2[:60]))


def test_overlong_line(tmp_path, recs):
    name, l1, l2 = recs[0]
    path = _write(tmp_path, "long.tle", _join([(name, l1[:30] + " " + l1[30:], l2)]))
    _assert_error(path, 2, "TLE line 1 has 70 characters, expected 69", "re-wrapped")


@pytest.mark.parametrize("final_newline", [True, False])
def test_missing_line_2_at_end_of_file(tmp_path, recs, final_newline):
    text = _join(recs[:1]) + f"{recs[1][0]}\n{recs[1][1]}" + ("\n" if final_newline else "")
    path = _write(tmp_path, "cut.tle", text)
    # Line 1 of the cut record is line 5; line 2 should have been line 6.
    with pytest.raises(ElementError) as info:
        read_elements(path)
    msg = str(info.value)
    assert re.match(rf"{re.escape(str(path))}:[56]: ", msg), msg
    assert "expected TLE line 2" in msg and "end of file" in msg and "truncated" in msg


def test_missing_line_2_inside_the_file(tmp_path, recs):
    name, l1, _ = recs[1]
    path = _write(tmp_path, "gap.tle", _join([recs[0]]) + f"{name}\n{l1}\n" + _join(recs[2:]))
    _assert_error(path, 6, "expected TLE line 2", repr(recs[2][0].rstrip()), "truncated")


def test_name_line_followed_by_garbage(tmp_path, recs):
    garbage = "THIS IS NOT AN ELEMENT LINE"
    text = _join(recs[:1]) + f"{recs[1][0]}\n{garbage}\n" + _join(recs[2:])
    path = _write(tmp_path, "garbage.tle", text)
    _assert_error(
        path,
        5,
        "expected TLE line 1",
        repr(recs[1][0].strip()),
        repr(garbage),
        "name line, line 1 and line 2",
    )


def test_name_at_end_of_file(tmp_path, recs):
    path = _write(tmp_path, "tail.tle", _join(recs[:2]) + "GPS BIII-99 (PRN 33)\n")
    _assert_error(path, 7, "'GPS BIII-99 (PRN 33)' has no element lines", "truncated")


def test_line_2_without_line_1(tmp_path, recs):
    path = _write(tmp_path, "swap.tle", _join(recs[:1]) + f"{recs[1][0]}\n{recs[1][2]}\n")
    # The name on line 4 is followed by a line 2: reported at line 5.
    _assert_error(path, 5, "TLE line 2 without a line 1", "truncated")
    path = _write(tmp_path, "l2first.tle", f"{recs[0][2]}\n{recs[0][1]}\n")
    _assert_error(path, 1, "TLE line 2 without a line 1", "download it again")


def test_mismatched_catalogue_numbers(tmp_path, recs):
    name, l1, l2 = recs[1]
    other = "99999" if l2[2:7] != "99999" else "99998"
    bad_l2 = _resum(l2[:2] + other + l2[7:])
    path = _write(tmp_path, "mix.tle", _join([recs[0], (name, l1, bad_l2)]))
    _assert_error(
        path, 5, "catalogue numbers differ", repr(l1[2:7]), repr(other), "different satellites"
    )


@pytest.mark.parametrize("content", ["", "   \n\n\t\r\n  "], ids=["empty", "whitespace"])
def test_empty_file(tmp_path, content):
    path = _write(tmp_path, "empty.tle", content)
    _assert_error(path, None, "the file is empty", "Download the element set again")


@pytest.mark.parametrize("kind", ["gzip", "png", "utf16"])
def test_binary_file(tmp_path, recs, kind):
    text = _join(recs)
    data = {
        "gzip": gzip.compress(text.encode()),
        "png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        "utf16": text.encode("utf-16"),
    }[kind]
    path = _write(tmp_path, f"elements.{kind}", data)
    _assert_error(path, None, "not a text file", "is not UTF-8", "Give a TLE/3LE or OMM file")


def test_missing_file_and_directory(tmp_path):
    _assert_error(
        tmp_path / "nope.tle",
        None,
        "cannot read the element file",
        "No such file",
        "Check the path",
    )
    _assert_error(tmp_path, None, "cannot read the element file", "Check the path")


def test_no_paths():
    with pytest.raises(ElementError, match=r"no element files given\. Pass at least one"):
        read_elements([])


def test_omm_csv_missing_mean_motion_column(tmp_path):
    tle = read_elements(shared(LF_FILE))
    records = [{k: v for k, v in r.items() if k != "MEAN_MOTION"} for r in _omm_dicts(tle)]
    path = _write_omm_csv(tmp_path / "omm.csv", records)
    assert "MEAN_MOTION_DOT" in path.read_text().splitlines()[0]  # similar names do not count
    _assert_error(
        path, 1, "OMM CSV header with MEAN_MOTION", "'OBJECT_NAME'", "Give a CelesTrak OMM CSV file"
    )


def test_omm_csv_missing_field_column(tmp_path):
    tle = read_elements(shared(LF_FILE))
    records = [{k: v for k, v in r.items() if k != "BSTAR"} for r in _omm_dicts(tle)]
    path = _write_omm_csv(tmp_path / "omm.csv", records)
    _assert_error(path, 2, "missing the field 'BSTAR'", "with all mean elements")


def test_omm_csv_truncated_row(tmp_path):
    tle = read_elements(shared(LF_FILE))
    path = _write_omm_csv(tmp_path / "omm.csv", _omm_dicts(tle)[:5])
    text = path.read_text()
    path.write_text(text[: text.rstrip().rfind(",")])  # cut inside the last row (line 6)
    _assert_error(path, 6, "different number of columns", "truncated")


def test_omm_csv_error_line_counts_blank_lines(tmp_path):
    tle = read_elements(shared(LF_FILE))
    records = _omm_dicts(tle)[:3]
    records[2]["MEAN_ANOMALY"] = "not-a-number"
    path = _write_omm_csv(tmp_path / "omm.csv", records, blank_lines=True)
    lines = path.read_text().splitlines()
    assert "not-a-number" in lines[5]  # header, row, blank, row, blank, row: line 6
    _assert_error(path, 6, "OMM record has an invalid value", "not-a-number", "Fix the record")


def test_omm_json_truncated(tmp_path):
    tle = read_elements(shared(LF_FILE))
    text = json.dumps(_omm_dicts(tle)[:4], indent=2)
    cut = text[: len(text) // 2]
    with pytest.raises(json.JSONDecodeError) as ref:
        json.loads(cut)
    path = _write(tmp_path, "omm.json", cut)
    _assert_error(path, ref.value.lineno, "invalid JSON", "truncated")
    assert ref.value.lineno > 1  # the line is a real line, not the record number


def test_omm_json_record_missing_a_field(tmp_path):
    tle = read_elements(shared(LF_FILE))
    records = _omm_dicts(tle)[:3]
    del records[1]["EPOCH"]
    path = _write(tmp_path, "omm.json", json.dumps(records))
    _assert_error(path, 2, "missing the field 'EPOCH'", "with all mean elements")


def test_omm_invalid_epoch(tmp_path):
    tle = read_elements(shared(LF_FILE))
    records = _omm_dicts(tle)[:2]
    records[0]["EPOCH"] = "2026-02-11 junk"
    path = _write(tmp_path, "omm.json", json.dumps(records))
    _assert_error(path, 1, "invalid value", "2026-02-11 junk", "Fix the record")


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("[]", ("no element sets found (read as JSON)", "Check the file format")),
        ("[1, 2]", ("expected a JSON list of OMM objects", "FORMAT=json")),
    ],
)
def test_omm_json_without_records(tmp_path, content, fragments):
    _assert_error(_write(tmp_path, "x.json", content), None, *fragments)


def test_element_error_is_a_value_error_and_gnss_error(tmp_path):
    path = _write(tmp_path, "e.tle", "")
    with pytest.raises(ValueError):
        read_elements(path)
    with pytest.raises(GnssError):
        read_elements(path)


# ---------------------------------------------------------------------------------------------
# Duplicates and unclassifiable names
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("newer_first", [True, False])
def test_duplicate_keeps_the_newer_epoch(tmp_path, newer_first):
    older = _synthetic("GPS TEST-1 (PRN 05)", 90001, epoch="26001.50000000")
    newer = _synthetic("GPS TEST-1 (PRN 05)", 90001, epoch="26003.25000000")
    other = _synthetic("GPS TEST-2 (PRN 06)", 90002)
    order = [newer, other, older] if newer_first else [older, other, newer]
    path = _write(tmp_path, "dup.tle", _join(order))
    con = read_elements(path)
    newer_line, older_line = (1, 7) if newer_first else (7, 1)
    assert [s.norad_id for s in con.satellites] == (
        [90001, 90002] if newer_first else [90002, 90001]
    )
    kept = next(s for s in con.satellites if s.norad_id == 90001)
    assert kept.epoch == datetime(2026, 1, 3, 6, tzinfo=UTC)
    assert kept.source == f"{path}:{newer_line}"
    (skipped,) = con.skipped
    assert skipped.source == f"{path}:{older_line}"
    assert skipped.name == "GPS TEST-1 (PRN 05)"
    assert "duplicate NORAD 90001" in skipped.reason
    assert f"kept the newer epoch at {path}:{newer_line}" in skipped.reason


def test_duplicates_across_real_files_keep_the_newer_file(tmp_path):
    old_path = shared("2025-04-30_per-constellation/gps-ops.tle")
    new_path = shared("gnss_2025-08-20.tle")
    old, new = read_elements(old_path), read_elements(new_path)
    both = read_elements([old_path, new_path])
    assert [s.path for s in both.sources] == [str(old_path), str(new_path)]
    ids_old = {s.norad_id for s in old.satellites}
    ids_new = {s.norad_id for s in new.satellites}
    assert len(both) == len(ids_old | ids_new)
    assert len(both.skipped) == len(ids_old & ids_new) > 20
    epochs = {(s.norad_id, s.source): s.epoch for s in (*old.satellites, *new.satellites)}
    kept = {s.norad_id: s for s in both.satellites}
    for skipped in both.skipped:
        norad = int(re.search(r"duplicate NORAD (\d+)", skipped.reason).group(1))
        assert skipped.source.startswith(f"{old_path}:")
        assert kept[norad].source.startswith(f"{new_path}:")
        assert skipped.reason.endswith(f"kept the newer epoch at {kept[norad].source}")
        assert epochs[(norad, kept[norad].source)] > epochs[(norad, skipped.source)]
    # The same files the other way round: same satellites kept.
    rev = read_elements([new_path, old_path])
    assert {s.source for s in rev.satellites} == {s.source for s in both.satellites}


def test_unclassifiable_name_is_skipped_others_unaffected(tmp_path):
    records = _records(CRLF_FILE)
    target = 7
    changed = [
        ("MY CUBESAT", l1, l2) if k == target else (name, l1, l2)
        for k, (name, l1, l2) in enumerate(records)
    ]
    path = _write(tmp_path, "cubesat.tle", _join(changed, "\r\n"))
    con = read_elements(path)
    plain = read_elements(shared(CRLF_FILE))
    assert len(con) == len(plain) - 1
    (skipped,) = con.skipped
    assert skipped.name == "MY CUBESAT"
    assert skipped.source == f"{path}:{3 * target + 1}"
    assert "'MY CUBESAT'" in skipped.reason
    assert "no known GNSS naming pattern" in skipped.reason
    assert "MEO" in skipped.reason or "GEO" in skipped.reason or "IGSO" in skipped.reason
    norad = int(records[target][1][2:7])
    assert norad not in {s.norad_id for s in con.satellites}
    expected = [row for row in _summary(plain) if row[1] != norad]
    assert [row[:7] for row in _summary(con)] == [row[:7] for row in expected]


# ---------------------------------------------------------------------------------------------
# Constellation: median_epoch, select, counts
# ---------------------------------------------------------------------------------------------


def test_median_epoch_odd_and_even(tmp_path):
    days = ["26001.00000000", "26003.00000000", "26001.50000000"]
    odd = [_synthetic(f"GPS T-{k} (PRN 0{k + 1})", 90001 + k, epoch=e) for k, e in enumerate(days)]
    con = read_elements(_write(tmp_path, "odd.tle", _join(odd)))
    assert con.median_epoch() == datetime(2026, 1, 1, 12, tzinfo=UTC)
    even = [*odd, _synthetic("GPS T-4 (PRN 09)", 90009, epoch="26004.00000000")]
    con = read_elements(_write(tmp_path, "even.tle", _join(even)))
    # Mean of the two middle epochs (Jan 1 12:00 and Jan 3 00:00).
    assert con.median_epoch() == datetime(2026, 1, 2, 6, tzinfo=UTC)


def test_median_epoch_of_empty_constellation():
    with pytest.raises(ElementError, match="the constellation is empty: no median epoch"):
        Constellation(()).median_epoch()


def test_select_keeps_skipped_and_sources(tmp_path):
    records = _records(CRLF_FILE)
    changed = [("MY CUBESAT", *records[0][1:]), *records[1:]]
    con = read_elements(_write(tmp_path, "sel.tle", _join(changed)))
    bds = con.select("C")
    assert len(bds) == 54
    assert {s.system for s in bds.satellites} == {"C"}
    assert bds.skipped == con.skipped and len(bds.skipped) == 1
    assert bds.sources == con.sources
    assert bds.counts() == {"C": 54}
    ge = con.select(["G", "E"])
    assert ge.counts() == {"G": 31, "E": 32}  # one GPS satellite was renamed MY CUBESAT
    assert con.select("GE").satellites == ge.satellites
    assert [s.name for s in ge.satellites] == [
        s.name for s in con.satellites if s.system in "GE"
    ]  # file order kept
    none = con.select("X")
    assert len(none) == 0 and none.counts() == {} and none.systems() == []
    assert len(con) == 169  # select returned new objects


def test_counts_and_systems_in_canonical_order():
    names = ["beidou.txt", "galileo.txt", "glo-ops.txt", "gps-ops.txt"]
    paths = [shared(f"2019-03-09_per-constellation/{n}") for n in names]
    con = read_elements(paths)
    assert con.satellites[0].system == "C"  # file order: BeiDou first
    assert list(con.counts()) == ["G", "R", "E", "C"]
    assert con.counts() == {"G": 31, "R": 24, "E": 26, "C": 40}
    assert con.systems() == ["G", "R", "E", "C"]
    assert [s.path for s in con.sources] == [str(p) for p in paths]
    full = read_elements(shared(CRLF_FILE))
    assert list(full.counts()) == list("GRECJIS")
    assert full.systems() == list(SYSTEMS)
