"""Property tests of every element parser (TLE/3LE, OMM CSV, OMM JSON) through read_elements.

Arbitrary and mutated files (written to a temporary folder, read back by ``read_elements``)
must never give a traceback: either a Constellation whose every satellite has finite elements
that fit its system's orbit band, or an ElementError whose message starts with the file's
name (and ``file:line`` where a line applies). Mutations start from real records (the shared
snapshots when present, else the package's nominal sets): flipped and deleted characters,
truncations, swapped and dropped lines, NaN/inf/huge numbers put in.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import SNAPSHOT_2026 as TLE_FILE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sgp4.api import Satrec
from sgp4.exporter import export_omm

import gnss
from gnss.elements.classify import orbit_problem
from gnss.elements.read import read_elements
from gnss.errors import ElementError, GnssError

# Every example reads one small file: far below a second. A generous per-example deadline
# catches a hang without flaking on a loaded 2-core machine.
PROPS = settings(
    max_examples=150,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY_NUMBERS = ["nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e-400",
                 "0", "-0", "99999999999", "", " ", "1.5", "-2", "1e308"]  # fmt: skip


@cache
def _real_records() -> tuple[tuple[str, str, str], ...]:
    """Eight real 3LE records (name, line 1, line 2), no line ends, of several systems."""
    if TLE_FILE.is_file():
        text = TLE_FILE.read_text()
    else:  # the nominal sets ship with the package
        text = "".join(p.read_text() for p in gnss.nominal_element_files())
    lines = text.replace("\r", "").splitlines()
    recs = [tuple(lines[k : k + 3]) for k in range(0, len(lines) - 2, 3)]
    step = max(1, len(recs) // 8)
    return tuple(recs[::step][:8])


@cache
def _real_omm() -> tuple[dict, ...]:
    """The same records as OMM dictionaries (CelesTrak's field names)."""
    out = []
    for name, l1, l2 in _real_records():
        sat = Satrec.twoline2rv(l1, l2)
        if l1[9:17].strip() == "":  # export_omm needs an international designator
            l1 = l1[:9] + "26001A  " + l1[17:]
            sat = Satrec.twoline2rv(l1, l2)
        out.append(export_omm(sat, name))
    return tuple(out)


def _tle_text() -> str:
    return "".join(line + "\n" for rec in _real_records() for line in rec)


def _csv_text(records) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return buf.getvalue()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("props")


def _check(path: Path) -> None:
    """read_elements(path): a sound Constellation, or an ElementError naming the file."""
    try:
        con = read_elements(path)
    except GnssError as exc:
        assert isinstance(exc, ElementError), type(exc)
        msg = str(exc)
        assert msg.startswith(f"{path}:"), msg  # "<file>:<line>: ..." or "<file>: ..."
        line = re.match(re.escape(str(path)) + r":(\d+)?", msg).group(1)
        assert line is None or int(line) >= 1, msg
        return
    for sat in con.satellites:
        rec = sat.satrec
        values = (rec.no_kozai, rec.ecco, rec.inclo, rec.nodeo, rec.argpo, rec.mo, rec.bstar)
        assert all(math.isfinite(v) for v in values), sat
        n = rec.no_kozai * 1440.0 / (2.0 * math.pi)
        assert orbit_problem(sat.system, n, rec.ecco, math.degrees(rec.inclo)) is None, sat
        assert sat.source.startswith(f"{path}:")
    for skipped in con.skipped:
        assert skipped.source.startswith(f"{path}:") and skipped.reason


def _write(workdir: Path, name: str, text: str) -> Path:
    path = workdir / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
    return path


# --------------------------------------------------------------------------- mutations


@st.composite
def mutated(draw, base: str) -> str:
    """``base`` with 1-4 random edits: flip, delete, insert a nasty number, truncate, lines."""
    text = base
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "drop_line",
                                   "swap_lines", "dup_line"]))  # fmt: skip
        if not text:
            break
        k = draw(st.integers(0, len(text) - 1))
        if op == "flip":
            c = draw(st.characters(codec="utf-8", exclude_categories=["Cs"]))
            text = text[:k] + c + text[k + 1 :]
        elif op == "delete":
            text = text[:k] + text[k + 1 :]
        elif op == "insert":
            text = text[:k] + draw(st.sampled_from(NASTY_NUMBERS)) + text[k:]
        elif op == "truncate":
            text = text[:k]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if op == "drop_line":
                del lines[i]
            elif op == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, lines[i])
            text = "\n".join(lines)
    return text


def _csv_base() -> str:
    return _csv_text(list(_real_omm()))


def _json_base() -> str:
    return json.dumps(list(_real_omm()), indent=1)


# --------------------------------------------------------------------------- TLE / 3LE


@PROPS
@given(text=st.deferred(lambda: mutated(_tle_text())))
def test_mutated_tle_never_a_traceback(workdir, text):
    _check(_write(workdir, "mutated.tle", text))


@PROPS
@given(
    k=st.integers(0, 7),
    column=st.integers(8, 68),
    value=st.sampled_from(NASTY_NUMBERS + ["   nan    ", " inf", "+.-e+1"]),
    which=st.sampled_from([1, 2]),
)
def test_tle_field_overwritten_with_a_nasty_number(workdir, k, column, value, which):
    """A number written over columns of line 1 or 2, checksum repaired: read or skipped."""
    recs = [list(r) for r in _real_records()]
    line = recs[k % len(recs)][which]
    line = (line[:column] + value + line[column + len(value) :])[:68]
    digits = sum(int(c) if c.isdigit() else (c == "-") for c in line)
    recs[k % len(recs)][which] = line.ljust(68) + str(digits % 10)
    _check(_write(workdir, "field.tle", "".join(x + "\n" for r in recs for x in r)))


@PROPS
@given(text=st.text(st.sampled_from("0123456789 .+-eEU12\nABCGPSOMN()"), max_size=400))
def test_random_tle_like_text_never_a_traceback(workdir, text):
    _check(_write(workdir, "random.tle", text))


@PROPS
@given(text=st.text(max_size=300))
def test_random_unicode_never_a_traceback(workdir, text):
    _check(_write(workdir, "unicode.txt", text))


# --------------------------------------------------------------------------- OMM CSV


@PROPS
@given(text=st.deferred(lambda: mutated(_csv_base())))
def test_mutated_omm_csv_never_a_traceback(workdir, text):
    _check(_write(workdir, "mutated.csv", text))


@PROPS
@given(
    k=st.integers(0, 7),
    field=st.sampled_from(["MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
                           "ARG_OF_PERICENTER", "MEAN_ANOMALY", "BSTAR", "MEAN_MOTION_DOT",
                           "MEAN_MOTION_DDOT", "EPOCH", "NORAD_CAT_ID", "OBJECT_NAME"]),
    value=st.one_of(st.sampled_from(NASTY_NUMBERS), st.text(max_size=20),
                    st.floats().map(repr)),
)  # fmt: skip
def test_omm_csv_field_values(workdir, k, field, value):
    records = [dict(r) for r in _real_omm()]
    records[k % len(records)][field] = value
    _check(_write(workdir, "field.csv", _csv_text(records)))


# --------------------------------------------------------------------------- OMM JSON


@PROPS
@given(text=st.deferred(lambda: mutated(_json_base())))
def test_mutated_omm_json_never_a_traceback(workdir, text):
    _check(_write(workdir, "mutated.json", text))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=6,
)  # fmt: skip


@PROPS
@given(
    k=st.integers(0, 7),
    field=st.sampled_from(["MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "BSTAR", "EPOCH",
                           "NORAD_CAT_ID", "OBJECT_NAME", "MEAN_ANOMALY"]),
    value=st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1.0]) | JSON_VALUES,
)  # fmt: skip
def test_omm_json_field_values(workdir, k, field, value):
    records = [dict(r) for r in _real_omm()]
    records[k % len(records)][field] = value
    _check(_write(workdir, "field.json", json.dumps(records)))


@PROPS
@given(doc=JSON_VALUES)
def test_arbitrary_json_documents(workdir, doc):
    _check(_write(workdir, "doc.json", json.dumps(doc)))
