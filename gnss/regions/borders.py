"""The country polygons shipped with the package (Natural Earth 1:110m, public domain).

Read by the region definitions (countries as regions) and by the maps (borders drawn on
each map): ``gnss/data/borders_110m.geojson``, see ``gnss/data/README.md`` and
``builders/build_borders.py``. Read locally with pyogrio, never downloaded.
"""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas

from ..errors import OutputError

__all__ = ["BORDERS_PATH", "borders", "read_borders"]

BORDERS_PATH = Path(__file__).resolve().parents[1] / "data" / "borders_110m.geojson"


@functools.lru_cache(maxsize=1)
def read_borders() -> geopandas.GeoDataFrame:
    """Read the shipped polygons once and cache them (local file, pyogrio, never a download).

    Callers must not change the result; :func:`borders` returns a copy.
    """
    if not BORDERS_PATH.is_file():
        raise OutputError(
            f"expected the shipped country polygons at {BORDERS_PATH}, found nothing; "
            "regenerate them with `python builders/build_borders.py` or reinstall the package"
        )
    return geopandas.read_file(BORDERS_PATH, engine="pyogrio")



def borders() -> geopandas.GeoDataFrame:
    """Country polygons shipped with the package (Natural Earth 1:110m, public domain).

    The file is read once and cached; each call returns a copy, so changing the result
    does not change later maps.

    Returns
    -------
    geopandas.GeoDataFrame
        177 rows with the columns ``name``, ``iso_a3`` (ISO 3166-1 alpha-3, or Natural
        Earth's ``ADM0_A3`` code where ISO has none), ``continent`` and ``geometry``
        (polygons in EPSG:4326, longitude/latitude in degrees).

    Examples
    --------
    >>> from gnss.regions.borders import borders
    >>> countries = borders()
    >>> countries.crs.to_epsg()
    4326
    >>> countries.loc[countries["name"] == "France", "iso_a3"].item()
    'FRA'
    """
    return read_borders().copy()
