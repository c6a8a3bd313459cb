"""Countries as regions: the shipped Natural Earth 1:110m polygons, by ISO A3 code or name.

The polygons are read once from :func:`gnss.regions.borders.borders` (imported when first
needed, so importing this module loads no geopandas); :func:`country` returns one as a
:class:`~gnss.regions.region.Region`, :func:`union_countries` and :func:`land` give the unions
that named regions are built from, and :func:`unknown_message` says what an unknown code could
have meant.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Sequence

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from .region import Region, RegionError

__all__ = [
    "NE_SOURCE",
    "countries",
    "country",
    "is_country",
    "land",
    "union_countries",
    "unknown_message",
]

#: Where the country polygons come from (quoted in every country region's source).
NE_SOURCE = (
    "Natural Earth 1:110m Admin 0 - Countries (public domain), shipped as "
    "gnss/data/borders_110m.geojson (see gnss/data/README.md)"
)


@functools.lru_cache(maxsize=1)
def countries() -> pd.DataFrame:
    """Return the shipped country polygons with lookup keys (cached: do not change them).

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :func:`gnss.regions.borders.borders` plus ``_key`` (the ISO A3 code
        in upper case) and ``_name`` (the name case-folded).

    Examples
    --------
    >>> countries().loc[lambda df: df["_key"] == "FRA", "name"].item()
    'France'
    """
    from .borders import borders

    b = borders()
    return b.assign(_key=b["iso_a3"].str.upper(), _name=b["name"].str.casefold())


def is_country(key: str) -> bool:
    """Whether ``key`` is an ISO A3 code or Natural Earth country name (any case).

    Examples
    --------
    >>> is_country("russia"), is_country("arctic")
    (True, False)
    """
    df = countries()
    return bool(((df["_key"] == key.upper()) | (df["_name"] == key.casefold())).any())


def country(code_or_name: str) -> Region:
    """Return a country of the shipped Natural Earth 1:110m polygons, by ISO A3 code or name.

    Parameters
    ----------
    code_or_name : str
        ISO 3166-1 alpha-3 code (``"RUS"``) or Natural Earth name (``"Russia"``), any case.

    Returns
    -------
    Region
        Code = the ISO A3 code (Natural Earth's own code for the few without one, e.g.
        ``KOS``), name = the Natural Earth name.

    Raises
    ------
    RegionError
        Unknown country; the message lists close matches.

    Examples
    --------
    >>> country("chn").name
    'China'
    >>> country("Russia").code
    'RUS'
    """
    key = str(code_or_name).strip()
    df = countries()
    hit = df[(df["_key"] == key.upper()) | (df["_name"] == key.casefold())]
    if hit.empty:
        raise RegionError(unknown_message(key, countries_only=True))
    row = hit.iloc[0]
    return Region(
        name=str(row["name"]),
        code=str(row["iso_a3"]),
        geometry=row.geometry,
        source=f"{NE_SOURCE}, feature {row['name']!r} ({row['continent']})",
    )


def union_countries(codes: Iterable[str] = (), continent: str | None = None) -> BaseGeometry:
    """Union of the countries with the given ISO A3 codes and of those of a continent.

    Parameters
    ----------
    codes : iterable of str
        ISO A3 codes, any case.
    continent : str, optional
        A Natural Earth continent, e.g. ``"Europe"``.

    Returns
    -------
    shapely geometry
        Lon/lat degrees.

    Examples
    --------
    >>> union_countries(["RUS", "CHN"]).geom_type
    'MultiPolygon'
    """
    df = countries()
    mask = df["_key"].isin([c.upper() for c in codes])
    if continent is not None:
        mask |= df["continent"] == continent
    return shapely.union_all(df.loc[mask].geometry.values)


@functools.lru_cache(maxsize=1)
def land() -> BaseGeometry:
    """Union of all shipped country polygons (cached).

    Examples
    --------
    >>> land().geom_type
    'MultiPolygon'
    """
    return shapely.union_all(countries().geometry.values)


def unknown_message(key: str, named_codes: Sequence[str] = (), countries_only: bool = False) -> str:
    """Return the message for an unknown region or country code, with the close matches.

    Parameters
    ----------
    key : str
        The code that was given.
    named_codes : sequence of str
        Codes of the named regions, also searched for close matches.
    countries_only : bool
        Say "country" and offer countries only (for :func:`country`).

    Returns
    -------
    str

    Examples
    --------
    >>> message = unknown_message("Frnace", countries_only=True)
    >>> message.split(":")[0], "did you mean FRA (France)?" in message
    ("unknown country 'Frnace'", True)
    """
    df = countries()
    named = [] if countries_only else list(named_codes)
    codes = named + df["iso_a3"].tolist()
    names = df["name"].tolist()
    folded = {c.casefold(): c for c in codes} | {n.casefold(): n for n in names}
    k = key.casefold()
    close = difflib.get_close_matches(k, list(folded), n=6, cutoff=0.6)
    close += [f for f in folded if len(k) >= 3 and k in f and f not in close]
    by_name = dict(zip(df["name"], df["iso_a3"], strict=True))
    shown: dict[str, str] = {}  # code -> text: a country found by code and by name once
    for f in close[:8]:
        orig = folded[f]
        code = by_name.get(orig, orig)
        if code not in shown or orig in by_name:
            shown[code] = f"{code} ({orig})" if orig in by_name else orig
    what = "country" if countries_only else "region"
    others = (
        "" if countries_only else ", a named region, box:LAT_MIN:LAT_MAX:LON_MIN:LON_MAX or a file"
    )
    hint = f"; did you mean {', '.join(shown.values())}?" if shown else ""
    return (
        f"unknown {what} {key!r}: expected an ISO 3166-1 alpha-3 code or Natural Earth country "
        f"name{others}"
        f"{hint} (`gnss regions --search TEXT` lists what is available)"
    )
