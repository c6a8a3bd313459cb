"""Regions from their codes: named regions, countries, boxes and polygon files; the listing.

:func:`get_region` turns one code (``arctic``, ``RUS``, ``Russia``, ``box:60:90:-180:180``
or a file path) into a :class:`~gnss.regions.region.Region`, :func:`get_regions` a
comma-separated list, and :func:`available_regions` lists what is known (``gnss regions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .boxes import box_from_code
from .countries import countries, country, is_country, unknown_message
from .files import region_from_file
from .named import NAMED_REGIONS
from .region import Region, RegionError

__all__ = ["FILE_SUFFIXES", "available_regions", "get_region", "get_regions"]

#: A code ending so is read as a polygon file (whether or not the file exists).
FILE_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".kml", ".gml", ".zip")


def get_region(text: str) -> Region:
    """One region from its code: a named region, a country, a box or a polygon file.

    Parameters
    ----------
    text : str
        A named region code (``arctic``, see :data:`NAMED_REGIONS`), an ISO A3 code or
        country name (case-insensitive), ``box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX`` in degrees,
        or the path of a polygon file (its features dissolved into one region).

    Returns
    -------
    Region

    Raises
    ------
    RegionError
        Unknown code (with close matches) or a bad box/file.

    Examples
    --------
    >>> get_region("Arctic").code
    'arctic'
    >>> get_region("box:-10:10:170:-170").name
    'box 10°S..10°N, 170°E..170°W (across the antimeridian)'
    """
    key = str(text).strip()
    if not key:
        raise RegionError("empty region code; give e.g. RUS, arctic or box:60:90:-180:180")
    if key.casefold() in NAMED_REGIONS:
        return NAMED_REGIONS[key.casefold()].region()
    if key.casefold().startswith("box:"):
        return box_from_code(key)
    if key.lower().endswith(FILE_SUFFIXES):
        return region_from_file(key, dissolve=True)[0]
    if is_country(key):
        return country(key)
    if Path(key).is_file():
        return region_from_file(key, dissolve=True)[0]
    raise RegionError(unknown_message(key, list(NAMED_REGIONS)))


def get_regions(text: str | Iterable[str | Region]) -> list[Region]:
    """Regions from a comma-separated list such as ``"RUS,CHN,arctic,asia-pacific"``.

    Parameters
    ----------
    text : str or iterable
        Comma-separated codes (see :func:`get_region`), or an iterable of codes and
        :class:`Region` objects.

    Returns
    -------
    list of Region
        In the order given.

    Raises
    ------
    RegionError
        An unknown code, an empty list, or the same region twice.

    Examples
    --------
    >>> [r.code for r in get_regions("rus, China ,arctic")]
    ['RUS', 'CHN', 'arctic']
    """
    items = text.split(",") if isinstance(text, str) else list(text)
    regions = [it if isinstance(it, Region) else get_region(it) for it in items if str(it).strip()]
    if not regions:
        raise RegionError(f"no regions in {text!r}; give e.g. global,RUS,CHN,arctic")
    seen: dict[str, int] = {}
    for r in regions:
        seen[r.code] = seen.get(r.code, 0) + 1
    twice = [c for c, n in seen.items() if n > 1]
    if twice:
        raise RegionError(f"region(s) {', '.join(twice)} listed more than once in {text!r}")
    return regions


def available_regions(search: str | None = None) -> pd.DataFrame:
    """Named regions and countries that :func:`get_regions` knows.

    Parameters
    ----------
    search : str, optional
        Keep the rows whose code, name, continent or definition contains this text
        (case-insensitive).

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (``named`` or ``country``), ``code``, ``name``, ``continent``,
        ``definition``; named regions first, then countries by name.

    Examples
    --------
    >>> df = available_regions("china")
    >>> df[["kind", "code"]].values.tolist()
    [['named', 'asia-pacific'], ['named', 'russia-china'], ['country', 'CHN']]
    """
    rows = [
        {
            "kind": "named",
            "code": n.code,
            "name": n.name,
            "continent": "",
            "definition": n.definition,
        }
        for n in NAMED_REGIONS.values()
    ]
    df = countries().sort_values("name")
    rows += [
        {
            "kind": "country",
            "code": r.iso_a3,
            "name": r.name,
            "continent": r.continent,
            "definition": "Natural Earth 1:110m admin-0 polygon",
        }
        for r in df.itertuples()
    ]
    out = pd.DataFrame(rows, columns=["kind", "code", "name", "continent", "definition"])
    if search:
        s = search.casefold()
        hay = out[["code", "name", "continent", "definition"]].apply(
            lambda col: col.str.casefold().str.contains(s, regex=False)
        )
        out = out[hay.any(axis=1)]
    return out.reset_index(drop=True)
