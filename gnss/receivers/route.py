"""Routes: a receiver moving along timed waypoints (a ship, a vehicle, an aircraft).

:func:`read_route` reads a CSV ``time_utc,lat_deg,lon_deg[,height_m]``, a GPX track (``trkpt``
with ``<time>``) or a GeoJSON ``LineString`` whose ``times`` or ``coordTimes`` property gives one
time per vertex. :meth:`Route.positions_at` interpolates in time along the great circle between
waypoints (on the geodetic normal vectors), so a leg across the antimeridian goes the short way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from ..inputfile import read_input_file
from ..timeutil import to_utc
from .route_formats import RouteError, parse_csv, parse_geojson, parse_gpx

#: Longest leg between two waypoints (deg of arc, ~19 000 km): near 180 deg the great circle
#: between them, hence the interpolated way, is not defined.
MAX_LEG_DEG = 170.0

#: Largest route file read (MiB): a GPX point at 1 s is ~150 bytes, so a day is ~13 MB.
MAX_ROUTE_MIB = 128


def _seconds(times, t0: datetime) -> np.ndarray:
    return np.array([(t - t0).total_seconds() for t in times], dtype=float)


def _check_route(times, lat, lon, h, source: str, rows) -> None:
    where = (
        (lambda i: f"{source}:{rows[i]}")
        if rows is not None
        else (lambda i: f"{source}: point {i + 1}")
    )
    if len(times) < 2:
        raise RouteError(
            f"{source}: expected at least 2 timed waypoints, got {len(times)}. "
            "A fixed receiver is a site (--lat/--lon), not a route"
        )
    for name, values in (("lat_deg", lat), ("lon_deg", lon), ("height_m", h)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise RouteError(
                f"{where(bad[0])}: expected a finite {name}, got {values[bad[0]]}. "
                "Fix or drop the waypoint"
            )
    bad = np.flatnonzero(np.abs(lat) > 90.0)
    if bad.size:
        raise RouteError(
            f"{where(bad[0])}: expected a latitude in [-90, 90] deg, got {lat[bad[0]]:g}. "
            "Check the column order (lat_deg before lon_deg)"
        )
    bad = np.flatnonzero((lon < -180.0) | (lon > 360.0))
    if bad.size:
        raise RouteError(
            f"{where(bad[0])}: expected a longitude in [-180, 360] deg, got {lon[bad[0]]:g}. "
            "Check the units (degrees) and the column order"
        )
    step = np.diff(_seconds(times, times[0]))
    bad = np.flatnonzero(step <= 0.0)
    if bad.size:
        i = bad[0] + 1
        what = "a repeated" if step[bad[0]] == 0.0 else "an earlier"
        raise RouteError(
            f"{where(i)}: expected strictly increasing times, got {what} time "
            f"{times[i].isoformat()} after {times[i - 1].isoformat()}. Sort the waypoints by "
            "time and drop repeated fixes"
        )
    n = _normals(lat, lon)
    leg_deg = np.degrees(np.arccos(np.clip(np.sum(n[:-1] * n[1:], axis=1), -1.0, 1.0)))
    bad = np.flatnonzero(leg_deg > MAX_LEG_DEG)
    if bad.size:
        raise RouteError(
            f"{where(bad[0] + 1)}: expected consecutive waypoints less than {MAX_LEG_DEG:g} deg "
            f"of arc apart, got {leg_deg[bad[0]]:.1f} deg (nearly antipodal: the way between "
            "is ambiguous). Add intermediate waypoints"
        )


@dataclass(frozen=True, eq=False)
class Route:
    """Timed waypoints of a moving receiver (WGS84 geodetic).

    Attributes
    ----------
    times : tuple of datetime
        Strictly increasing, timezone-aware UTC times.
    lat_deg, lon_deg, height_m : numpy.ndarray
        Waypoint positions (height above the ellipsoid).
    source : str
        Where the route came from, for messages.
    rows : tuple of int, optional
        File line of each waypoint, so that a refusal names it (None: point numbers).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> t = [datetime(2026, 10, 6, h, tzinfo=timezone.utc) for h in (0, 2)]
    >>> r = Route(t, np.array([70.0, 70.0]), np.array([179.0, -179.0]), np.zeros(2))
    >>> lat, lon, h = r.positions_at([datetime(2026, 10, 6, 1, tzinfo=timezone.utc)])
    >>> round(float(abs(lon[0])), 6)
    180.0
    """

    times: tuple
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    height_m: np.ndarray
    source: str = "route"
    rows: tuple | None = None

    def __post_init__(self):
        times = tuple(to_utc(t, what=f"{self.source}: route time") for t in self.times)
        arrays = [np.asarray(a, dtype=float) for a in (self.lat_deg, self.lon_deg, self.height_m)]
        if any(a.shape != (len(times),) for a in arrays):
            raise RouteError(
                f"{self.source}: expected one lat_deg, lon_deg and height_m per time "
                f"({len(times)}), got shapes {[a.shape for a in arrays]}"
            )
        _check_route(times, *arrays, self.source, self.rows)
        object.__setattr__(self, "times", times)
        for name, a in zip(("lat_deg", "lon_deg", "height_m"), arrays, strict=True):
            object.__setattr__(self, name, a)

    def positions_at(self, times) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Interpolate ``(lat_deg, lon_deg, height_m)`` at aware datetimes ``times``.

        Between two waypoints the position moves at a constant rate along the great circle of
        the geodetic normals (exact at the waypoints; the short way across the antimeridian);
        height is linear in time. Longitudes come back in [-180, 180).

        Raises
        ------
        RouteError
            For a time before the first or after the last waypoint (the message gives the span).
        """
        if isinstance(times, (datetime, str)):
            times = [times]
        t0 = self.times[0]
        t = _seconds([to_utc(x, what=f"{self.source}: evaluation time") for x in times], t0)
        tw = _seconds(self.times, t0)
        outside = np.flatnonzero((t < 0.0) | (t > tw[-1]))
        if outside.size:
            bad = t0 + timedelta(seconds=float(t[outside[0]]))
            raise RouteError(
                f"{self.source}: expected times within the route's span "
                f"{t0.isoformat()} .. {self.times[-1].isoformat()}, got {bad.isoformat()}. "
                "Shorten the run (--start/--hours) or extend the route"
            )
        i = np.clip(np.searchsorted(tw, t, side="right") - 1, 0, tw.size - 2)
        f = ((t - tw[i]) / (tw[i + 1] - tw[i]))[:, None]
        n = _normals(self.lat_deg, self.lon_deg)
        v = _slerp(n[i], n[i + 1], f[:, 0])
        lat = np.degrees(np.arcsin(np.clip(v[:, 2], -1.0, 1.0)))
        lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
        lon = np.where(lon >= 180.0, lon - 360.0, lon)
        h = self.height_m[i] + f[:, 0] * (self.height_m[i + 1] - self.height_m[i])
        return lat, lon, h


def _normals(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Return unit vectors along the ellipsoid normal (ECEF axes) at geodetic lat/lon."""
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)), axis=1)


def _slerp(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Constant-rate spherical interpolation between unit vectors (rows) ``a`` and ``b``."""
    omega = np.arccos(np.clip(np.sum(a * b, axis=1), -1.0, 1.0))
    s = np.sin(omega)
    ok = s > 1e-12
    wa = np.where(ok, np.sin((1.0 - f) * omega) / np.where(ok, s, 1.0), 1.0 - f)
    wb = np.where(ok, np.sin(f * omega) / np.where(ok, s, 1.0), f)
    out = wa[:, None] * a + wb[:, None] * b
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def read_route(path) -> Route:
    r"""Read a route file: CSV, GPX track or GeoJSON LineString with times.

    Parameters
    ----------
    path : path
        ``*.gpx`` (GPX 1.0/1.1 track points with ``<time>``), ``*.json``/``*.geojson``
        (a Feature or the first Feature of a FeatureCollection: LineString plus a ``times`` or
        ``coordTimes`` property), otherwise a CSV with the header
        ``time_utc,lat_deg,lon_deg[,height_m]`` (ISO 8601 times with a zone; ``#`` comments).

    Returns
    -------
    Route

    Raises
    ------
    RouteError
        Not a regular file, over 128 MiB, malformed, a GPX point without a time, a latitude
        out of range, or times not strictly increasing (file:line or point number, and the fix).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = p.write_text("time_utc,lat_deg,lon_deg\n"
    ...                  "2026-10-06T00:00Z,69,33\n2026-10-06T06:00Z,70,40\n")
    >>> read_route(p).times[-1].isoformat()
    '2026-10-06T06:00:00+00:00'
    """
    data = read_input_file(path, what="route file", max_bytes=MAX_ROUTE_MIB << 20, error=RouteError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{path}: expected UTF-8 text, got a non-text byte at {exc.start}. Check the path"
        raise RouteError(msg) from None
    suffix = str(path).lower().rsplit(".", 1)[-1]
    parse = {"gpx": parse_gpx, "json": parse_geojson, "geojson": parse_geojson}.get(suffix)
    times, v, rows = (parse or parse_csv)(text, str(path))
    return Route(times, v[:, 0], v[:, 1], v[:, 2], source=str(path), rows=rows)
