"""Tests of gnss.timeutil: time parsing (to_utc) and epoch spans (epoch_span, EpochSpan).

References: ``sgp4.api.jday`` for the SGP4 Julian dates, skyfield's ``Time`` (through
``EpochSpan.times``) and plain ``datetime`` arithmetic (UTC without leap seconds, like TLE
epochs) for the epochs themselves.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sgp4.api import jday

from gnss.errors import GnssError, ParameterError, TimeInputError
from gnss.timeutil import EpochSpan, epoch_span, timescale, to_utc

ONE_US_DAYS = 1e-6 / 86400.0

# ---------------------------------------------------------------------------------------------
# to_utc
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 10, 5, 12, 0, tzinfo=UTC),
        datetime(2026, 10, 5, 12, 0, tzinfo=timezone.utc),  # noqa: UP017 (the other spelling)
        datetime(2026, 10, 5, 21, 0, tzinfo=ZoneInfo("Asia/Tokyo")),
        datetime(2026, 10, 5, 8, 0, tzinfo=ZoneInfo("America/New_York")),  # EDT, UTC-4
        datetime(2026, 10, 5, 17, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2026, 10, 5, 15, 0, tzinfo=ZoneInfo("Europe/Moscow")),
    ],
    ids=["UTC", "timezone.utc", "Tokyo", "New_York_DST", "+05:30", "Moscow"],
)
def test_to_utc_converts_aware_datetimes_to_utc(value):
    out = to_utc(value)
    assert out == datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
    assert out.utcoffset() == timedelta(0)
    assert out.tzinfo is UTC
    assert (out.hour, out.minute) == (12, 0)  # the wall clock is UTC, not just the same instant


def test_to_utc_winter_time_zone():
    # New York in January is UTC-5 (EST), in October UTC-4 (EDT): the zone rules are applied.
    out = to_utc(datetime(2026, 1, 15, 7, 0, tzinfo=ZoneInfo("America/New_York")))
    assert out == datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    assert out.hour == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-05T12:00Z", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
        ("2026-10-05T12:00:00Z", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
        ("2026-10-05T12:00:00z", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
        ("2026-10-05T12:00:00+00:00", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
        ("2026-10-05T15:00+03:00", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
        ("2026-10-05T06:30-05:30", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
        ("2026-10-06T01:00+13:00", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),  # date changes
        ("2026-10-05 12:00:00.25Z", datetime(2026, 10, 5, 12, 0, 0, 250000, tzinfo=UTC)),
        ("  2026-10-05T12:00Z\n", datetime(2026, 10, 5, 12, 0, tzinfo=UTC)),
        ("2024-02-29T23:59:59.999999Z", datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2025-12-31T22:00-02:00", datetime(2026, 1, 1, 0, 0, tzinfo=UTC)),  # year changes
    ],
)
def test_to_utc_parses_iso_strings_with_a_zone(text, expected):
    out = to_utc(text)
    assert out == expected
    assert out.tzinfo is UTC
    assert out.timetuple()[:6] == expected.timetuple()[:6]


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2060, 1, 1),
        timezones=st.builds(
            timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m))
        ),
    )
)
@settings(max_examples=200, deadline=None)
def test_to_utc_round_trips_aware_datetimes_and_their_iso_text(value):
    out = to_utc(value)
    assert out == value
    assert out.utcoffset() == timedelta(0)
    assert to_utc(value.isoformat()) == value
    assert to_utc(value.isoformat()).tzinfo is UTC


def test_to_utc_refuses_naive_datetime_and_shows_the_fix():
    with pytest.raises(TimeInputError) as info:
        to_utc(datetime(2026, 1, 1, 6, 30), what="start")
    msg = str(info.value)
    assert msg.startswith("start: ")
    assert "2026-01-01T06:30:00" in msg  # what arrived
    assert "naive" in msg
    assert "tzinfo" in msg  # how to fix it
    assert "timezone.utc" in msg


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset: the datetime is effectively naive."""

    def utcoffset(self, dt):
        return None

    def tzname(self, dt):
        return None

    def dst(self, dt):
        return None


def test_to_utc_refuses_datetime_whose_tzinfo_has_no_offset():
    with pytest.raises(TimeInputError, match="tzinfo"):
        to_utc(datetime(2026, 1, 1, tzinfo=_NoOffset()))


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("2026-10-05T12:00", "2026-10-05T12:00Z"),
        ("2026-10-05T12:00:00.5", "2026-10-05T12:00:00.5Z"),
        ("2026-10-05 12:00", "2026-10-05 12:00Z"),
        ("2026-10-05", None),  # a date alone: the example must still be valid ISO 8601
    ],
)
def test_to_utc_refuses_zoneless_text_and_the_suggested_fix_works(text, example):
    with pytest.raises(TimeInputError) as info:
        to_utc(text, what="--start")
    msg = str(info.value)
    assert msg.startswith("--start: ")
    assert repr(text) in msg
    assert "no time zone" in msg
    assert "'Z'" in msg
    suggested = msg.rsplit("e.g. ", 1)[1]
    if example is not None:
        assert suggested == example
    # The suggestion must itself be accepted, and mean the same wall-clock time in UTC.
    fixed = to_utc(suggested)
    assert fixed == datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "",
        "   ",
        "2026-13-01T00:00Z",  # month 13
        "2026-02-30T00:00Z",  # no such day
        "2026-10-05T25:00Z",  # hour 25
        "2016-12-31T23:59:60Z",  # leap second: datetime cannot hold it
        "12:00Z",  # a time without a date
        "2026-10-05T12:00+25:00",  # offset out of range
        "05/10/2026 12:00Z",
    ],
)
def test_to_utc_refuses_malformed_text(text):
    with pytest.raises(TimeInputError) as info:
        to_utc(text, what="start")
    msg = str(info.value)
    assert msg.startswith("start: ")
    assert "ISO 8601" in msg
    assert repr(text) in msg  # what arrived
    assert "2026-10-05T12:00:00Z" in msg  # an example of what is expected


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(1760000000, "int"), (1.5e9, "float"), (None, "NoneType"), (date(2026, 1, 1), "date")],
)
def test_to_utc_refuses_other_types(value, type_name):
    with pytest.raises(TimeInputError) as info:
        to_utc(value, what="epoch")
    msg = str(info.value)
    assert msg.startswith("epoch: ")
    assert "timezone-aware datetime" in msg
    assert f"got {type_name}" in msg


def test_time_input_error_is_a_value_error_and_a_gnss_error():
    with pytest.raises(ValueError):
        to_utc("nonsense")
    with pytest.raises(GnssError):
        to_utc(datetime(2026, 1, 1))


# ---------------------------------------------------------------------------------------------
# epoch_span: counts and parameter checks
# ---------------------------------------------------------------------------------------------

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("duration_s", "step_s", "n_epochs"),
    [
        (3600, 300, 13),  # inclusive end: 0, 300, ..., 3600
        (86400, 30, 2881),
        (3600, 7, 515),  # 3600 / 7 = 514.3: the end is not reached exactly
        (0, 60, 1),  # zero duration: only the start
        (59, 60, 1),  # shorter than one step
        (60, 60, 2),
        (0.3, 0.1, 4),  # 0.3 / 0.1 = 2.9999999999999996 in floating point
        (1.0, 0.1, 11),
        (7 * 86400, 0.5, 7 * 86400 * 2 + 1),
        (64.1 * 3600, 0.01, 23076001),  # a large ratio: its rounding error exceeds 1e-9
    ],
)
def test_epoch_span_counts_include_the_end(duration_s, step_s, n_epochs):
    span = epoch_span(START, duration_s=duration_s, step_s=step_s)
    assert span.n_epochs == n_epochs
    assert span.start == START
    assert span.step_s == step_s
    assert isinstance(span.step_s, float)
    assert span.end == START + timedelta(seconds=(n_epochs - 1) * step_s)
    assert span.end <= START + timedelta(seconds=duration_s, microseconds=1)
    assert len(span.offsets_s()) == n_epochs


@given(
    duration_ms=st.integers(0, 10 * 86400 * 1000),
    step_ms=st.integers(1, 86400 * 1000),
)
@example(duration_ms=28166581, step_ms=1)  # 28166.581 / 0.001 = 28166580.999999996
@example(duration_ms=230760000, step_ms=10)  # 64.1 h at 10 ms
@settings(max_examples=300, deadline=None)
def test_epoch_span_count_property(duration_ms, step_ms):
    span = epoch_span(START, duration_s=duration_ms / 1000, step_s=step_ms / 1000)
    assert span.n_epochs == duration_ms // step_ms + 1


@given(
    duration_s=st.floats(0, 30 * 86400, allow_nan=False),
    step_s=st.floats(1e-3, 86400, allow_nan=False),
)
@settings(max_examples=300, deadline=None)
def test_epoch_span_last_epoch_within_and_next_beyond_the_duration(duration_s, step_s):
    span = epoch_span(START, duration_s=duration_s, step_s=step_s)
    n = span.n_epochs
    assert n >= 1
    tol = 1e-8 * max(duration_s, step_s)
    assert (n - 1) * step_s <= duration_s + tol  # never past the end
    assert n * step_s > duration_s - tol  # and nothing left out


def test_epoch_span_converts_the_start_to_utc():
    span = epoch_span("2026-10-05T15:00+03:00", duration_s=60, step_s=30)
    assert span.start == datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
    assert span.start.tzinfo is UTC
    span = epoch_span(datetime(2026, 10, 5, 21, 0, tzinfo=ZoneInfo("Asia/Tokyo")), 60, 30)
    assert span.start.hour == 12


def test_epoch_span_refuses_naive_start():
    with pytest.raises(TimeInputError) as info:
        epoch_span(datetime(2026, 1, 1), duration_s=60, step_s=30)
    assert str(info.value).startswith("start: ")
    assert "tzinfo" in str(info.value)
    with pytest.raises(TimeInputError, match=r"start: .*no time zone.*'Z'"):
        epoch_span("2026-01-01T00:00", duration_s=60, step_s=30)


@pytest.mark.parametrize("step_s", [0, 0.0, -1, -30.5, float("nan"), float("inf"), -float("inf")])
def test_epoch_span_refuses_bad_step(step_s):
    with pytest.raises(ParameterError) as info:
        epoch_span(START, duration_s=3600, step_s=step_s)
    msg = str(info.value)
    assert "step_s" in msg
    assert "positive" in msg
    assert msg.endswith(f"got {step_s!r}")  # the value that arrived


@pytest.mark.parametrize("duration_s", [-1, -0.001, -86400.0, float("nan"), float("inf")])
def test_epoch_span_refuses_bad_duration(duration_s):
    with pytest.raises(ParameterError) as info:
        epoch_span(START, duration_s=duration_s, step_s=60)
    msg = str(info.value)
    assert "duration" in msg
    assert "zero or more" in msg
    assert msg.endswith(f"got {duration_s!r}")


def test_parameter_error_is_a_value_error():
    with pytest.raises(ValueError, match="step_s"):
        epoch_span(START, duration_s=10, step_s=-5)


def test_offsets_slices():
    span = epoch_span(START, duration_s=600, step_s=60)
    np.testing.assert_array_equal(span.offsets_s(), np.arange(11) * 60.0)
    np.testing.assert_array_equal(span.offsets_s(3, 6), [180.0, 240.0, 300.0])
    np.testing.assert_array_equal(span.offsets_s(9), [540.0, 600.0])
    assert span.offsets_s(4, 4).shape == (0,)
    assert span.offsets_s().dtype == np.float64


# ---------------------------------------------------------------------------------------------
# sgp4_jd and times(): agreement with sgp4.api.jday, skyfield and datetime arithmetic
# ---------------------------------------------------------------------------------------------


def _expected_datetimes(span: EpochSpan, first: int = 0, stop: int | None = None):
    stop = span.n_epochs if stop is None else stop
    return [span.start + timedelta(seconds=k * span.step_s) for k in range(first, stop)]


def _check_sgp4_jd(span: EpochSpan, first: int = 0, stop: int | None = None):
    jd, fr = span.sgp4_jd(first, stop)
    expected = _expected_datetimes(span, first, stop)
    assert jd.shape == fr.shape == (len(expected),)
    for k, dt in enumerate(expected):
        jd_ref, fr_ref = jday(
            dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second + dt.microsecond * 1e-6
        )
        # Whole parts first (exact), then the fractions: jd + fr in one float would lose ~40 us.
        diff_days = (jd[k] - jd_ref) + (fr[k] - fr_ref)
        assert abs(diff_days) < ONE_US_DAYS, (k, dt, jd[k], fr[k], jd_ref, fr_ref)
        assert 0.0 <= fr[k] < 1.0
        assert jd[k] % 1.0 == 0.5  # SGP4's split: whole day at 0h UTC, fraction of the day


def _check_times(span: EpochSpan, first: int = 0, stop: int | None = None):
    t = span.times(first, stop)
    expected = _expected_datetimes(span, first, stop)
    got = list(t.utc_datetime())
    assert len(got) == len(expected)
    for k, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert abs((g - e).total_seconds()) < 1e-6, (k, g, e)


SPANS = {
    # name: (start, duration_s, step_s)
    "midnight": ("2026-10-05T23:50:00Z", 1200, 60),
    "midnight_with_microseconds": ("2026-10-05T23:59:59.123456Z", 3, 0.25),
    "month_end_31": ("2026-01-31T23:00:00Z", 7200, 600),
    "february_end": ("2026-02-28T23:30:00Z", 3600, 300),
    "leap_day": ("2024-02-28T23:00:00Z", 2 * 86400, 3600),
    "year_end": ("2025-12-31T23:59:30Z", 90, 15),
    "several_months": ("2026-01-15T06:00:00Z", 120 * 86400, 86400 * 7.5),
    "odd_step": ("2026-06-30T12:34:56.789Z", 3 * 86400, 4321.987),
    "one_epoch": ("2026-03-31T23:59:59Z", 0, 60),
    "tle_era_2019": ("2019-03-09T06:45:51Z", 86400, 300),
}


@pytest.mark.parametrize("name", list(SPANS))
def test_sgp4_jd_equals_sgp4_jday_for_each_epoch(name):
    start, duration_s, step_s = SPANS[name]
    span = epoch_span(start, duration_s=duration_s, step_s=step_s)
    _check_sgp4_jd(span)
    if span.n_epochs > 3:
        _check_sgp4_jd(span, 2, span.n_epochs - 1)  # slices give the same epochs


@pytest.mark.parametrize("name", list(SPANS))
def test_times_match_datetime_arithmetic_and_sgp4_jd(name):
    start, duration_s, step_s = SPANS[name]
    span = epoch_span(start, duration_s=duration_s, step_s=step_s)
    _check_times(span)
    if span.n_epochs > 3:
        _check_times(span, 1, 3)
    t_utc = span.times().utc_datetime()
    assert len(t_utc) == span.n_epochs
    assert t_utc[-1] == span.end
    assert t_utc[0] == span.start


def test_midnight_crossing_values():
    span = epoch_span("2026-10-05T23:58:00Z", duration_s=240, step_s=60)
    jd, fr = span.sgp4_jd()
    jd0, _ = jday(2026, 10, 5, 0, 0, 0.0)
    np.testing.assert_array_equal(jd, [jd0, jd0, jd0 + 1, jd0 + 1, jd0 + 1])
    np.testing.assert_allclose(fr * 86400, [86280, 86340, 0, 60, 120], rtol=0, atol=1e-6)
    assert [d.isoformat() for d in span.times().utc_datetime()] == [
        "2026-10-05T23:58:00+00:00",
        "2026-10-05T23:59:00+00:00",
        "2026-10-06T00:00:00+00:00",
        "2026-10-06T00:01:00+00:00",
        "2026-10-06T00:02:00+00:00",
    ]


def test_times_across_a_leap_second_stay_on_the_utc_grid():
    # 2016-12-31T23:59:60Z was a leap second. TLE epochs, datetime and sgp4_jd count UTC
    # without it, so skyfield's times must land on the same UTC labels (not one second early),
    # or positions from sgp4_jd would be rotated to the Earth frame at the wrong instant.
    span = epoch_span("2016-12-31T23:59:00Z", duration_s=120, step_s=10)
    _check_sgp4_jd(span)
    _check_times(span)
    labels = span.times().utc_strftime("%H:%M:%S")
    assert labels[6] == "00:00:00"
    assert labels[-1] == "00:01:00"
    assert "23:59:60" not in labels
    # Multi-day span over the same leap second.
    span = epoch_span("2016-12-30T12:00:00Z", duration_s=3 * 86400, step_s=3600)
    _check_times(span)


@given(
    start=st.datetimes(
        min_value=datetime(2017, 1, 2), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    step_ms=st.integers(1, 86400 * 1000),
    n=st.integers(1, 40),
)
@settings(max_examples=150, deadline=None)
def test_sgp4_jd_and_times_property(start, step_ms, n):
    step_s = step_ms / 1000
    span = epoch_span(start, duration_s=(n - 1) * step_ms / 1000, step_s=step_s)
    assert span.n_epochs == n
    _check_sgp4_jd(span)
    _check_times(span)


def test_timescale_is_cached_and_offline():
    assert timescale() is timescale()
    t = timescale().utc(2026, 1, 1)
    assert re.fullmatch(r"2026-01-01T00:00:00Z", t.utc_iso())
    jd, fr = jday(2026, 1, 1, 0, 0, 0.0)
    assert math.isclose((t.tai - jd - fr) * 86400, 37.0, abs_tol=1e-3)  # TAI-UTC since 2017
