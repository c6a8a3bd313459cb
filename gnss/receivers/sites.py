"""Named receiver sites: checked WGS84 positions, from a list or a CSV file.

A site is a name, a geodetic latitude in [-90, 90], a longitude in [-180, 360) and a height
above the WGS84 ellipsoid, all finite; names are unique. A CSV file has the header
``name,lat_deg,lon_deg[,height_m]``; a bad row is refused with its ``file:line``.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ParameterError
from .grid import geodetic_points

_COLUMNS = ("name", "lat_deg", "lon_deg")


class SiteError(ParameterError):
    """A site is out of range, not finite, unnamed or named twice (``parameter`` "sites")."""

    def __init__(self, message: str):
        super().__init__(message, parameter="sites")


@dataclass(frozen=True)
class Site:
    """A receiver at a fixed place.

    Parameters
    ----------
    name : str
    lat_deg, lon_deg : float
        Geodetic latitude in [-90, 90] and longitude in [-180, 360) in degrees.
    height_m : float
        Height above the WGS84 ellipsoid in metres.

    Raises
    ------
    SiteError
        For an empty name or a coordinate out of range or not finite.

    Examples
    --------
    >>> Site("Moscow", 55.75, 37.62).height_m
    0.0
    """

    name: str
    lat_deg: float
    lon_deg: float
    height_m: float = 0.0

    def __post_init__(self):
        check_site(self.name, self.lat_deg, self.lon_deg, self.height_m, "")

    def itrs_m(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the ITRS position (3,) in metres and the geodetic up unit vector (3,)."""
        p, u = geodetic_points([self.lat_deg], [self.lon_deg], self.height_m)
        return p[0], u[0]


def check_site(name, lat_deg, lon_deg, height_m, where: str) -> None:
    """Refuse a site value out of range; ``where`` (``"file.csv:3: "``) prefixes the message."""
    label = f"{where}site {name!r}"
    if not isinstance(name, str) or not name.strip():
        raise SiteError(f"{where}a site needs a non-empty name, got {name!r}; give e.g. Moscow")
    for what, value in (("lat_deg", lat_deg), ("lon_deg", lon_deg), ("height_m", height_m)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise SiteError(f"{label}: {what} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise SiteError(f"{label}: {what} must be finite, got {value!r}; give a number")
    if not -90.0 <= lat_deg <= 90.0:
        raise SiteError(
            f"{label}: latitude must lie in [-90, 90] degrees, got {lat_deg!r}; "
            "give the geodetic latitude in degrees (north positive)"
        )
    if not -180.0 <= lon_deg < 360.0:
        raise SiteError(
            f"{label}: longitude must lie in [-180, 360) degrees, got {lon_deg!r}; "
            "give the longitude in degrees (east positive)"
        )


def as_sites(sites: Iterable[Site | Sequence]) -> list[Site]:
    """Sites from Site objects or tuples ``(name, lat_deg, lon_deg[, height_m])``, checked.

    Raises
    ------
    SiteError
        For a bad site, a tuple of the wrong length, no site at all or a name given twice.

    Examples
    --------
    >>> [s.name for s in as_sites([("Moscow", 55.75, 37.62), ("Beijing", 39.9, 116.4, 50.0)])]
    ['Moscow', 'Beijing']
    """
    out: list[Site] = []
    for item in sites:
        if isinstance(item, Site):
            out.append(item)
            continue
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) not in (3, 4):
            raise SiteError(
                f"a site must be a gnss.Site or (name, lat_deg, lon_deg[, height_m]), got {item!r}"
            )
        out.append(Site(*item))
    return check_unique(out)


def check_unique(sites: list[Site], where: str = "") -> list[Site]:
    """Return ``sites``; refuse an empty list or a name given twice."""
    if not sites:
        raise SiteError(f"{where}no sites given; give at least one (name, lat_deg, lon_deg)")
    seen: set[str] = set()
    for s in sites:
        if s.name in seen:
            raise SiteError(f"{where}site name {s.name!r} is given twice; names must be unique")
        seen.add(s.name)
    return sites


def read_sites_csv(path: str | os.PathLike) -> list[Site]:
    r"""Read sites from a CSV file with the header ``name,lat_deg,lon_deg[,height_m]``.

    Raises
    ------
    SiteError
        For a missing column, an unreadable number or a bad site, with ``file:line``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sites.csv"
    >>> _ = p.write_text("name,lat_deg,lon_deg\nMoscow,55.75,37.62\n")
    >>> read_sites_csv(p)[0].lat_deg
    55.75
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"{path}: cannot read the sites file ({exc}); give a UTF-8 CSV") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise SiteError(
            f"{path}:1: expected the header name,lat_deg,lon_deg[,height_m], got "
            f"{','.join(header) or 'nothing'} (missing {', '.join(missing)})"
        )
    sites = []
    for row in reader:
        where = f"{path}:{reader.line_num}: "
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(row.values()):
            continue
        values = [_number(row.get(c, ""), c, where) for c in ("lat_deg", "lon_deg")]
        height = _number(row["height_m"], "height_m", where) if row.get("height_m") else 0.0
        check_site(row["name"], *values, height, where)
        sites.append(Site(row["name"], *values, height))
    return check_unique(sites, f"{path}: ")


def _number(text: str, column: str, where: str) -> float:
    """``text`` as a float, or a SiteError naming the column and the place."""
    try:
        return float(text)
    except ValueError:
        raise SiteError(f"{where}{column} must be a number, got {text!r}") from None
