"""Route file layouts: CSV, GPX tracks and GeoJSON LineStrings with times.

Each parser returns ``(times, values, rows)``: aware UTC datetimes, an ``(n, 3)`` array of
``lat_deg, lon_deg, height_m`` and the file line of each waypoint (None where the layout has
no useful line numbers); :func:`gnss.receivers.route.read_route` builds the checked route.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime

import numpy as np

from ..errors import GnssError
from ..timeutil import to_utc

_CSV_HEADERS = (("time_utc", "lat_deg", "lon_deg"), ("time_utc", "lat_deg", "lon_deg", "height_m"))


class RouteError(GnssError, ValueError):
    """A route could not be read, or is evaluated outside its span."""


def _time(text: str, where: str) -> datetime:
    try:
        return to_utc(text, what=where)
    except GnssError as exc:
        raise RouteError(f"{exc}") from None


def parse_csv(text: str, source: str) -> tuple:
    """Parse ``time_utc,lat_deg,lon_deg[,height_m]`` rows (header required, ``#`` comments)."""
    lines = [
        (no, ln)
        for no, ln in enumerate(text.splitlines(), start=1)
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    header = tuple(h.strip() for h in lines[0][1].split(",")) if lines else ()
    if header not in _CSV_HEADERS:
        no = lines[0][0] if lines else 1
        raise RouteError(
            f"{source}:{no}: expected the header 'time_utc,lat_deg,lon_deg[,height_m]', got "
            f"{','.join(header)!r}. Add the header line (or give a GPX or GeoJSON file)"
        )
    times, values, rows = [], [], []
    for no, ln in lines[1:]:
        fields = [f.strip() for f in ln.split(",")]
        if len(fields) != len(header):
            raise RouteError(
                f"{source}:{no}: expected {len(header)} fields ({','.join(header)}), got "
                f"{len(fields)} in {ln.strip()!r}. Give one waypoint a row"
            )
        times.append(_time(fields[0], f"{source}:{no}: time_utc"))
        try:
            values.append([float(x) for x in fields[1:]] + [0.0] * (4 - len(header)))
        except ValueError:
            raise RouteError(
                f"{source}:{no}: expected numbers for {','.join(header[1:])}, got "
                f"{','.join(fields[1:])!r}. Fix the row (decimal degrees, metres)"
            ) from None
        rows.append(no)
    v = np.array(values, dtype=float).reshape(-1, 3)
    return tuple(times), v, tuple(rows)


def parse_gpx(text: str, source: str) -> tuple:
    """Parse the ``<trkpt>`` of a GPX 1.0/1.1 file; every point needs a ``<time>``."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0]
        raise RouteError(
            f"{source}:{line}: expected well-formed GPX XML, got a parse error ({exc}). "
            "Export the track again"
        ) from None
    points = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "trkpt"]
    if not points:
        raise RouteError(
            f"{source}: expected GPX track points (<trkpt>), got none (routes <rtept> and "
            "waypoints <wpt> carry no times). Export a recorded track"
        )
    times, values = [], []
    for k, p in enumerate(points, start=1):
        child = {c.tag.rsplit("}", 1)[-1]: (c.text or "").strip() for c in p}
        where = f"{source}: trkpt {k}"
        if not child.get("time"):
            raise RouteError(
                f"{where}: expected a <time> in every track point, got none. A route needs "
                "times: export a recorded track, or write a CSV time_utc,lat_deg,lon_deg"
            )
        times.append(_time(child["time"], f"{where}: <time>"))
        try:
            values.append([float(p.get("lat", "nan")), float(p.get("lon", "nan")),
                           float(child.get("ele") or 0.0)])  # fmt: skip
        except ValueError:
            raise RouteError(
                f"{where}: expected numeric lat/lon attributes and <ele>, got {p.attrib} and "
                f"ele {child.get('ele')!r}. Fix the point (decimal degrees, metres)"
            ) from None
    v = np.array(values, dtype=float)
    return tuple(times), v, None


def parse_geojson(text: str, source: str) -> tuple:
    """Parse a LineString Feature whose ``times``/``coordTimes`` property times each vertex."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RouteError(
            f"{source}:{exc.lineno}: expected GeoJSON, got invalid JSON ({exc.msg}). "
            "Export it again"
        ) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        doc = (doc.get("features") or [None])[0]
    feature = doc if isinstance(doc, dict) else {}
    geom, props = (
        x if isinstance(x, dict) else {}
        for x in (feature.get("geometry"), feature.get("properties"))
    )
    times = props.get("times", props.get("coordTimes"))
    coords = geom.get("coordinates")
    if geom.get("type") != "LineString" or not isinstance(times, list) or not coords:
        raise RouteError(
            f"{source}: expected a GeoJSON Feature with a LineString and a 'times' (or "
            f"'coordTimes') property list, got geometry {geom.get('type')!r} and times "
            f"{type(times).__name__}. Add one ISO 8601 UTC time per vertex"
        )
    if len(times) != len(coords):
        raise RouteError(
            f"{source}: expected one time per LineString vertex ({len(coords)}), got "
            f"{len(times)} times. Give exactly one time per coordinate"
        )
    ts = tuple(_time(str(t), f"{source}: vertex {k} time") for k, t in enumerate(times, 1))
    try:  # GeoJSON order: [lon, lat(, height)]
        v = np.array([[c[1], c[0], c[2] if len(c) > 2 else 0.0] for c in coords], dtype=float)
    except (TypeError, ValueError, IndexError):
        raise RouteError(
            f"{source}: expected [lon, lat(, height)] numbers per vertex, got {str(coords)[:60]}. "
            "Give each vertex as numbers in degrees (and metres)"
        ) from None
    return ts, v, None
