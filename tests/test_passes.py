"""Satellite passes at a site: as skyfield's find_events, clipped to the span, bad input refused.

The reference is skyfield's ``EarthSatellite.find_events`` on the same SGP4 element sets
(``EarthSatellite.from_satrec`` of each satellite's own ``satrec``); skyfield bisects to half a
second, so rise, set and culmination times are compared within 1 s and maximum elevations
(flat at the top: 1 s moves a MEO elevation by < 1e-5 degree) within 0.01 degree.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84

import gnss
from gnss.errors import GnssError, GnssTypeError, ParameterError, TimeInputError
from gnss.receivers.passes import find_passes
from gnss.timeutil import timescale

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TLE = DATA / "tle" / "gnss_2026-10-06.tle"
MOSCOW = (55.7558, 37.6173, 150.0)
START = datetime(2026, 10, 6, tzinfo=UTC)
END = START + timedelta(hours=24)
TIME_TOL_S = 1.0  # skyfield's own bisection stops at half a second
ELEV_TOL_DEG = 0.01


@pytest.fixture(scope="module")
def satellites():
    sats = [s for s in gnss.read_elements(TLE).satellites if s.system in "GRC"]
    assert {s.system for s in sats} == {"G", "R", "C"}
    return sats


def _skyfield_events(sat, mask_deg):
    ts = timescale()
    es = EarthSatellite.from_satrec(sat.satrec, ts)
    topos = wgs84.latlon(MOSCOW[0], MOSCOW[1], elevation_m=MOSCOW[2])
    t, kind = es.find_events(topos, ts.from_datetime(START), ts.from_datetime(END), mask_deg)
    secs = np.array([(x - START).total_seconds() for x in t.utc_datetime()])
    alt = (es - topos).at(t).altaz()[0].degrees if len(t) else np.empty(0)
    return secs, np.asarray(kind), alt


def _offset_s(when):
    return (when - START).total_seconds()


@pytest.mark.parametrize("mask_deg", [5.0, 10.0])
def test_passes_agree_with_skyfield_find_events(satellites, mask_deg):
    passes = find_passes(satellites, *MOSCOW, START, END, elevation_mask_deg=mask_deg)
    by_sat = {}
    for p in passes:
        by_sat.setdefault(p.satellite, []).append(p)
    n_rise = n_set = n_max = 0
    for sat in satellites:
        secs, kind, alt = _skyfield_events(sat, mask_deg)
        mine = by_sat.get(sat.label, [])
        rises = [_offset_s(p.rise_utc) for p in mine if not p.clipped_start]
        sets = [_offset_s(p.set_utc) for p in mine if not p.clipped_end]
        np.testing.assert_allclose(rises, secs[kind == 0], atol=TIME_TOL_S, err_msg=sat.label)
        np.testing.assert_allclose(sets, secs[kind == 2], atol=TIME_TOL_S, err_msg=sat.label)
        n_rise, n_set = n_rise + len(rises), n_set + len(sets)
        for p in mine:
            t_max = _offset_s(p.max_utc)
            if t_max in (0.0, _offset_s(END)):
                continue  # highest at the span's edge: no culmination there for skyfield
            inside = (kind == 1) & (secs >= _offset_s(p.rise_utc)) & (secs <= _offset_s(p.set_utc))
            k = np.flatnonzero(inside)[np.argmax(alt[inside])]
            assert abs(secs[k] - t_max) < TIME_TOL_S, sat.label
            assert abs(alt[k] - p.max_elevation_deg) < ELEV_TOL_DEG, sat.label
            n_max += 1
    assert n_rise > 100 and n_set > 100 and n_max > 100  # the comparison saw real passes


def test_no_pass_below_the_mask_and_durations_add_up(satellites):
    passes = find_passes(satellites, *MOSCOW, START, END, elevation_mask_deg=10.0)
    for p in passes:
        assert p.max_elevation_deg >= 10.0
        assert p.rise_utc <= p.max_utc <= p.set_utc
        assert START <= p.rise_utc and p.set_utc <= END
        assert p.duration_s == pytest.approx((p.set_utc - p.rise_utc).total_seconds())
    # A satellite that never reaches the mask has no pass: cross-checked by sampling skyfield.
    labels = {p.satellite for p in passes}
    for sat in satellites:
        highest = _sampled_altitudes_deg(sat).max()
        if highest < 9.9:  # 0.1 degree margin for the 10 min sampling
            assert sat.label not in labels
        if highest > 10.1:
            assert sat.label in labels


def _sampled_altitudes_deg(sat):
    """Skyfield altitudes every 10 minutes over the day, an independent look at the sky."""
    ts = timescale()
    topos = wgs84.latlon(MOSCOW[0], MOSCOW[1], elevation_m=MOSCOW[2])
    t = ts.from_datetimes([START + timedelta(minutes=m) for m in range(0, 24 * 60 + 1, 10)])
    return (EarthSatellite.from_satrec(sat.satrec, ts) - topos).at(t).altaz()[0].degrees


def test_geostationary_satellites_stay_up_one_pass_clipped_at_both_ends(satellites):
    geo = [s for s in satellites if s.orbit_class == "GEO"]
    up = [s.label for s in geo if _sampled_altitudes_deg(s).min() > 5.1]
    assert len(up) >= 2  # C02 and C05 (80 and 58.75 E) stand above Moscow's horizon
    passes = find_passes(geo, *MOSCOW, START, END, elevation_mask_deg=5.0)
    assert sorted(p.satellite for p in passes) == sorted(up)
    for p in passes:
        assert p.clipped_start and p.clipped_end
        assert (p.rise_utc, p.set_utc, p.duration_s) == (START, END, 86400.0)


def test_a_pass_in_progress_at_the_start_is_clipped(satellites):
    full = find_passes(satellites, *MOSCOW, START, END)
    whole = next(p for p in full if not p.clipped_start and not p.clipped_end
                 and p.satellite.startswith("G"))  # fmt: skip
    sat = [s for s in satellites if s.label == whole.satellite]
    middle = whole.rise_utc + (whole.set_utc - whole.rise_utc) / 2
    cut = find_passes(sat, *MOSCOW, middle, whole.set_utc + timedelta(hours=1))
    first = cut[0]
    assert first.clipped_start and not first.clipped_end
    assert first.rise_utc == middle
    assert abs((first.set_utc - whole.set_utc).total_seconds()) < 0.05  # same root, 0.01 s search
    late = find_passes(sat, *MOSCOW, whole.rise_utc - timedelta(hours=1), middle)
    assert late[-1].clipped_end and late[-1].set_utc == middle and not late[-1].clipped_start


def test_write_passes_csv(satellites, tmp_path):
    passes = find_passes(satellites[:4], *MOSCOW, START, END)
    path = gnss.write_passes_csv(passes, tmp_path / "passes.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == len(passes) > 0
    assert rows[0]["rise_utc"].endswith("Z")
    first = float(rows[0]["max_elevation_deg"])
    assert first == pytest.approx(passes[0].max_elevation_deg, abs=1e-6)  # written to 1e-6
    assert {r["clipped_start"] for r in rows} <= {"true", "false"}
    assert [p.name for p in tmp_path.iterdir()] == ["passes.csv"]  # no temporary file left


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"site_lat_deg": 95.0}, ParameterError, "site_lat_deg"),
        ({"site_lon_deg": float("nan")}, ParameterError, "site_lon_deg"),
        ({"end": START - timedelta(hours=1)}, ParameterError, "end after the start"),
        ({"start": datetime(2026, 10, 6)}, TimeInputError, "naive"),
        ({"elevation_mask_deg": "5"}, GnssTypeError, "elevation_mask_deg"),
        ({"satellites": []}, GnssTypeError, "non-empty sequence"),
    ],
)
def test_bad_input_is_refused(satellites, kwargs, error, words):
    args = {"satellites": satellites[:2], "site_lat_deg": MOSCOW[0], "site_lon_deg": MOSCOW[1],
            "height_m": MOSCOW[2], "start": START, "end": END} | kwargs  # fmt: skip
    with pytest.raises(error, match=words) as info:
        find_passes(**args)
    assert isinstance(info.value, GnssError)


def test_a_grazing_pass_shorter_than_the_sampling_step_is_found(satellites):
    # A mask 0.0005 degree below a culmination: the pass lasts about 17 s, and the span puts
    # the 60 s samples at 90 s and 30 s before and after the culmination, all below the mask;
    # only the refined maximum opens the pass (with the extremum search switched off, none is
    # found). Skyfield's find_events, which looks for maxima first, finds it too.
    whole = next(p for p in find_passes(satellites, *MOSCOW, START, END)
                 if p.system == "R" and not (p.clipped_start or p.clipped_end))  # fmt: skip
    sat = next(s for s in satellites if s.label == whole.satellite)
    mask = whole.max_elevation_deg - 0.0005
    begin, finish = whole.max_utc - timedelta(seconds=90), whole.max_utc + timedelta(seconds=150)
    passes = find_passes([sat], *MOSCOW, begin, finish, elevation_mask_deg=mask)
    assert len(passes) == 1
    p = passes[0]
    assert 5.0 < p.duration_s < 30.0
    assert abs(p.max_elevation_deg - whole.max_elevation_deg) < 1e-6
    ts = timescale()
    es = EarthSatellite.from_satrec(sat.satrec, ts)
    topos = wgs84.latlon(MOSCOW[0], MOSCOW[1], elevation_m=MOSCOW[2])
    t, kind = es.find_events(topos, ts.from_datetime(begin), ts.from_datetime(finish), mask)
    assert list(kind) == [0, 1, 2]
    for ours, theirs in zip((p.rise_utc, p.max_utc, p.set_utc), t.utc_datetime(), strict=True):
        assert abs((ours - theirs).total_seconds()) < TIME_TOL_S


def test_orbit_file_satellites_rise_and_set_at_the_mask():
    # SP3 satellites go through the same propagation call; at each root the elevation from
    # a plain 2 s EpochSpan around it (the compare path) is below the mask on one side and
    # above on the other.
    sp3 = DATA / "sp3" / "COD0MGXFIN_20231890000_01D_05M_ORB.SP3"
    study = gnss.Study("R,C", elements=[sp3], resolution_deg=30, step_s=3600, duration_s=3600,
                       start="2023-07-08T00:00Z")  # fmt: skip
    sats = gnss.plan_comparison(study).constellations[None].satellites
    assert {s.orbit.kind for s in sats} == {"sp3"}
    begin = datetime(2023, 7, 8, 1, tzinfo=UTC)
    passes = find_passes(sats, *MOSCOW, begin, begin + timedelta(hours=22))
    by_label = {s.label: s for s in sats}
    point, up = gnss.geodetic_points([MOSCOW[0]], [MOSCOW[1]], MOSCOW[2])
    checked = 0
    for p in passes[::10]:
        for when, rising, clipped in ((p.rise_utc, True, p.clipped_start),
                                      (p.set_utc, False, p.clipped_end)):  # fmt: skip
            if clipped:
                continue
            span = gnss.epoch_span(when - timedelta(seconds=1), duration_s=2.0, step_s=2.0)
            pos, _ = gnss.propagate_itrs_m([by_label[p.satellite]], span)
            d = pos[:, 0] - point[0]
            el = np.degrees(np.arcsin(d @ up[0] / np.linalg.norm(d, axis=-1)))
            assert (el[0] < 5.0 <= el[1]) if rising else (el[0] >= 5.0 > el[1]), p
            checked += 1
    assert checked > 20
