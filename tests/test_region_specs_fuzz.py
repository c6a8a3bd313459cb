"""Property tests of the region grammar: a region or a RegionError, never a traceback.

``--regions`` takes named regions, countries, ``box:...`` specs and polygon files. Whatever a user
types (or whatever a polygon file holds), the answer is a
:class:`gnss.regions.definitions.RegionError` that
quotes what arrived, or a region; never another exception, never a hang.
"""

from __future__ import annotations

import json
import string
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gnss.errors import GnssError
from gnss.regions import definitions as R

# Texts built from the characters the grammar uses (codes, separators, numbers) plus noise.
_ALPHABET = string.ascii_letters + string.digits + ":,.-+ _=*'\"/[]eE\t"
_WORDS = st.sampled_from(
    ["box", "box:", "arctic", "RUS", "china", "global", "asia-pacific", "nan", "inf", "-1e999",
     "90", "-90", "180", "-180", "1e-300", ":", ",", " ", "northern-sea-route", "x.geojson"]
)  # fmt: skip
_TEXT = st.one_of(
    st.text(_ALPHABET, max_size=40),
    st.lists(_WORDS, max_size=8).map("".join),
    st.lists(_WORDS, max_size=8).map(":".join),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_any_region_text_gives_a_region_or_a_region_error(text):
    try:
        regions = R.get_regions(text)
    except R.RegionError as exc:
        message = str(exc)
        assert message, "an error must say something"
        # The message quotes the offending part (or says the list is empty).
        stripped = [p.strip() for p in text.split(",") if p.strip()]
        assert not stripped or any(p in message for p in stripped) or "box" in message, message
    else:
        assert regions and all(isinstance(r, R.Region) for r in regions)


_BOX_NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-1000, 1000),
    st.sampled_from(["", "x", "1e999", "-0", "+5", "0x10"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_BOX_NUMBER, min_size=0, max_size=6))
def test_box_specs_are_regions_or_region_errors_naming_the_box(parts):
    text = "box:" + ":".join(str(p) for p in parts)
    try:
        region = R.get_region(text)
    except R.RegionError as exc:
        assert "box" in str(exc)
    else:
        assert region.geometry.area > 0


_POLYGON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "square"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]],
            },
        }
    ],
}


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cut=st.integers(0, 400),
    insert=st.sampled_from(["", "NaN", "Infinity", "]", "{", "\x00", "-1e999", '"x"', "null"]),
    where=st.integers(0, 400),
)
def test_mutated_polygon_files_are_read_or_refused_with_the_file_name(tmp_path, cut, insert, where):
    text = json.dumps(_POLYGON)
    text = text[: len(text) - cut] if cut < len(text) else ""
    where = min(where, len(text))
    text = text[:where] + insert + text[where:]
    path = tmp_path / "area.geojson"
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL warns about unclosed rings; the outcome is checked
        try:
            region = R.get_region(str(path))
        except GnssError as exc:
            assert str(path) in str(exc), str(exc)
        else:
            assert region.geometry.is_valid and region.geometry.area > 0


@pytest.mark.parametrize("text", ["", " , ", ",,"])
def test_empty_region_lists_say_what_to_give(text):
    with pytest.raises(R.RegionError, match="give e.g."):
        R.get_regions(text)
