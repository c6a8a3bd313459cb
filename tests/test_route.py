"""Routes: CSV, GPX and GeoJSON readers, interpolation across the antimeridian, refusals."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

import gnss
from gnss.receivers.route import Route, RouteError, read_route

T0 = datetime(2026, 10, 6, tzinfo=UTC)
#: Northern Sea Route-like waypoints (approximate, deg): Murmansk, Kara Gate, Dikson, Vilkitsky
#: Strait, Tiksi, Pevek, Cape Schmidt (179.4 W, across 180 from Pevek), Bering Strait.
NSR = [
    (68.97, 33.08), (70.40, 58.00), (73.50, 80.50), (77.90, 104.00),
    (71.70, 128.90), (69.70, 170.30), (68.90, -179.40), (66.00, -169.70),
]  # fmt: skip
NSR_HOURS = [0, 40, 80, 130, 190, 260, 290, 330]


def write(tmp_path, text, name="r.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def nsr_csv(tmp_path):
    rows = "".join(
        f"{(T0 + timedelta(hours=h)).isoformat()},{lat},{lon},12.5\n"
        for h, (lat, lon) in zip(NSR_HOURS, NSR, strict=True)
    )
    return write(tmp_path, "# NSR\ntime_utc,lat_deg,lon_deg,height_m\n" + rows)


def central_angle_deg(lat1, lon1, lat2, lon2):
    """Haversine great-circle angle (deg), written independently of the module."""
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(np.subtract(lon2, lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.degrees(2 * np.arcsin(np.sqrt(a)))


def test_179e_to_179w_goes_the_short_way():
    r = Route([T0, T0 + timedelta(hours=4)], np.zeros(2), np.array([179.0, -179.0]), np.zeros(2))
    lat, lon, h = r.positions_at([T0 + timedelta(hours=k) for k in range(5)])
    np.testing.assert_allclose(lat, 0.0, atol=1e-9)  # deg: along the equator
    # deg (1e-9 deg ~ 0.1 mm): 179, 179.5, 180 (= -180), -179.5, -179
    np.testing.assert_allclose(np.mod(lon, 360.0), [179.0, 179.5, 180.0, 180.5, 181.0], atol=1e-9)
    assert lon.min() >= -180.0 and lon.max() < 180.0


def test_northern_sea_route_from_csv(tmp_path):
    r = read_route(nsr_csv(tmp_path))
    assert r.times[0] == T0 and r.times[-1] == T0 + timedelta(hours=330)
    np.testing.assert_array_equal(r.height_m, 12.5)
    # Exact at the waypoints.
    lat, lon, _ = r.positions_at([T0 + timedelta(hours=h) for h in NSR_HOURS])
    np.testing.assert_allclose(lat, [p[0] for p in NSR], atol=1e-9)  # deg
    np.testing.assert_allclose(central_angle_deg(lat, lon, *np.array(NSR).T), 0.0, atol=1e-6)
    # Pevek (260 h) -> Cape Schmidt (290 h) crosses 180: every hour stays on that short leg.
    hours = np.arange(260, 291)
    lat, lon, h = r.positions_at([T0 + timedelta(hours=int(k)) for k in hours])
    assert np.all((lon >= 170.3 - 1e-9) | (lon <= -179.4 + 1e-9)), lon
    np.testing.assert_array_equal(h, 12.5)
    # Constant rate along the leg: the angle from Pevek grows linearly with time (1e-9 deg).
    total = central_angle_deg(69.7, 170.3, 68.9, -179.4)
    done = central_angle_deg(69.7, 170.3, lat, lon)
    np.testing.assert_allclose(done, total * (hours - 260) / 30, atol=1e-9)
    assert 3.0 < total < 4.0  # ~390 km, not the ~20 000 km the long way round would be


def test_evaluation_outside_the_span_names_it(tmp_path):
    r = read_route(nsr_csv(tmp_path))
    span = r"2026-10-06T00:00:00\+00:00 \.\. 2026-10-19T18:00:00\+00:00"
    with pytest.raises(RouteError, match=rf"within the route's span {span}, got 2026-10-20"):
        r.positions_at([T0, T0 + timedelta(days=14)])
    with pytest.raises(RouteError, match=r"got 2026-10-05T23:00:00\+00:00\. Shorten the run"):
        r.positions_at(T0 - timedelta(hours=1))


def test_gpx_track(tmp_path):
    pts = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><ele>5</ele>'
        f"<time>{(T0 + timedelta(hours=h)).strftime('%Y-%m-%dT%H:%M:%SZ')}</time></trkpt>"
        for h, (lat, lon) in zip(NSR_HOURS, NSR, strict=True)
    )
    gpx = (
        '<?xml version="1.0"?>\n<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>NSR</name><trkseg>{pts}</trkseg></trk></gpx>"
    )
    r = read_route(write(tmp_path, gpx, "nsr.gpx"))
    assert len(r.times) == 8 and r.times[-1] == T0 + timedelta(hours=330)
    np.testing.assert_allclose(r.lon_deg, [p[1] for p in NSR])
    np.testing.assert_array_equal(r.height_m, 5.0)


def test_gpx_without_times_is_refused(tmp_path):
    pts = '<trkpt lat="69" lon="33"/><trkpt lat="70" lon="40"/>'
    gpx = f"<gpx><trk><trkseg>{pts}</trkseg></trk></gpx>"
    with pytest.raises(RouteError, match=r"nsr.gpx: trkpt 1: expected a <time> in every track"):
        read_route(write(tmp_path, gpx, "nsr.gpx"))
    with pytest.raises(RouteError, match=r"expected GPX track points \(<trkpt>\), got none"):
        read_route(write(tmp_path, '<gpx><rte><rtept lat="1" lon="2"/></rte></gpx>', "r.gpx"))
    with pytest.raises(RouteError, match=r"trkpt 1: expected numeric lat/lon .*Fix the point"):
        pt = '<trkpt lat="x" lon="2"><time>2026-10-06T00:00Z</time></trkpt>'
        read_route(write(tmp_path, f"<gpx><trk><trkseg>{pt}</trkseg></trk></gpx>", "x.gpx"))
    with pytest.raises(RouteError, match=r"b.gpx:1: expected well-formed GPX XML"):
        read_route(write(tmp_path, "<gpx><trk>", "b.gpx"))


@pytest.mark.parametrize("key", ["times", "coordTimes"])
def test_geojson_linestring_with_times(tmp_path, key):
    feature = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in NSR]},
        "properties": {key: [(T0 + timedelta(hours=h)).isoformat() for h in NSR_HOURS]},
    }
    doc = {"type": "FeatureCollection", "features": [feature]}
    r = read_route(write(tmp_path, json.dumps(doc), "nsr.geojson"))
    np.testing.assert_allclose(r.lat_deg, [p[0] for p in NSR])
    for bad in ("[]", '{"type": "FeatureCollection", "features": []}'):
        with pytest.raises(RouteError, match=r"expected a GeoJSON Feature with a LineString"):
            read_route(write(tmp_path, bad, "bad.geojson"))
    feature["properties"] = {}
    with pytest.raises(RouteError, match=r"'times' \(or 'coordTimes'\) property list"):
        read_route(write(tmp_path, json.dumps(feature), "bad.json"))
    feature["properties"] = {key: ["2026-10-06T00:00Z"]}
    with pytest.raises(RouteError, match=r"one time per LineString vertex \(8\), got 1 times"):
        read_route(write(tmp_path, json.dumps(feature), "bad.json"))


def test_times_with_an_offset_become_utc(tmp_path):
    p = write(tmp_path, "time_utc,lat_deg,lon_deg\n2026-10-06T03:00+03:00,69,33\n"
                        "2026-10-06T01:00Z,70,40\n")  # fmt: skip
    assert read_route(p).times[0] == T0


@pytest.mark.parametrize(
    ("rows", "pattern"),
    [
        ("2026-10-06T00:00Z,69,33\n2026-10-06T00:00Z,70,40\n",
         r":3: expected strictly increasing times, got a repeated time .*Sort the waypoints"),
        ("2026-10-06T02:00Z,69,33\n2026-10-06T01:00Z,70,40\n",
         r":3: .*got an earlier time 2026-10-06T01:00:00\+00:00 after 2026-10-06T02:00:00"),
        ("2026-10-06T00:00Z,69,33\n2026-10-06T01:00Z,95,40\n",
         r":3: expected a latitude in \[-90, 90\] deg, got 95\. Check the column order"),
        ("2026-10-06T00:00Z,69,33\n2026-10-06T01:00Z,70,400\n",
         r":3: expected a longitude in \[-180, 360\] deg, got 400"),
        ("2026-10-06T00:00Z,69,33\n2026-10-06T01:00,70,40\n",
         r":3: time_utc: '2026-10-06T01:00' has no time zone\. Add 'Z'"),
        ("2026-10-06T00:00Z,69,33\n2026-10-06T01:00Z,north,40\n",
         r":3: expected numbers for lat_deg,lon_deg, got 'north,40'"),
        ("2026-10-06T00:00Z,69,33\n2026-10-06T01:00Z,70\n",
         r":3: expected 3 fields \(time_utc,lat_deg,lon_deg\), got 2"),
        ("2026-10-06T00:00Z,69,33\n", r"expected at least 2 timed waypoints, got 1"),
        ("2026-10-06T00:00Z,69,33\n2026-10-06T01:00Z,nan,40\n",
         r":3: expected a finite lat_deg, got nan\. Fix or drop the waypoint"),
        ("2026-10-06T00:00Z,10,0\n2026-10-06T01:00Z,-10,180\n",
         r":3: expected consecutive waypoints less than 170 deg .*Add intermediate waypoints"),
    ],
)  # fmt: skip
def test_bad_routes_are_refused_with_line_and_fix(tmp_path, rows, pattern):
    p = write(tmp_path, "time_utc,lat_deg,lon_deg\n" + rows)
    with pytest.raises(RouteError, match=pattern) as info:
        read_route(p)
    assert str(info.value).startswith(str(p))


def test_header_and_file_kind_are_checked(tmp_path):
    with pytest.raises(RouteError, match=r"r.csv:1: expected the header 'time_utc,lat_deg,lon"):
        read_route(write(tmp_path, "time,lat,lon\n2026-10-06T00:00Z,69,33\n"))
    with pytest.raises(RouteError, match="it is a directory, expected a regular file"):
        read_route(tmp_path)


def test_public_names():
    assert gnss.read_route is read_route and gnss.Route is Route
    assert gnss.RouteError is RouteError and issubclass(RouteError, gnss.GnssError)
