"""The coordinate reference system of a region file: read it, check it, reproject to lon/lat.

GDAL ignores a GeoJSON ``crs`` member it cannot parse, so that member is read here first and
an unknown one refused; a file without any CRS is refused unless the caller assumes one; after
the transform to EPSG:4326 the coordinates must be finite degrees.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .region import RegionError

__all__ = ["read_features", "to_lonlat"]


def _declared_geojson_crs(path: Path):
    """Return the legacy ``crs`` member of a GeoJSON file (GDAL silently ignores bad ones)."""
    if path.suffix.lower() not in (".geojson", ".json") or path.stat().st_size > 256 * 2**20:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # GDAL will say what is wrong
    crs = doc.get("crs") if isinstance(doc, dict) else None
    if crs is None:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    props = crs.get("properties", {}) if isinstance(crs, dict) else {}
    name = props.get("name") if isinstance(props, dict) else None
    try:
        if not isinstance(name, str):
            raise CRSError(f"no CRS name in {crs!r}")
        return CRS.from_user_input(name)
    except CRSError as exc:
        raise RegionError(
            f"{path}: unknown CRS {json.dumps(crs)} in the GeoJSON 'crs' member ({exc}). "
            "GeoJSON (RFC 7946) is longitude/latitude WGS84: remove the 'crs' member if the "
            "coordinates are lon/lat degrees, or name a real CRS such as "
            "'urn:ogc:def:crs:EPSG::3857'"
        ) from None


def read_features(path: Path, layer: str | None, assume_crs: str | None):
    """Read the features of a region file with the CRS it declares (or ``assume_crs``).

    Parameters
    ----------
    path : pathlib.Path
        A vector file GDAL reads (already checked to exist and be of a readable kind).
    layer : str, optional
        The layer to read (the only one when ``None``).
    assume_crs : str, optional
        CRS to set when the file declares none.

    Returns
    -------
    geopandas.GeoDataFrame
        At least one feature, with a CRS.

    Raises
    ------
    RegionError
        An unknown GeoJSON ``crs`` member, an unreadable file, no features, or no CRS and
        no ``assume_crs``.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "one.geojson"
    >>> square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    >>> doc = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {}, "geometry": square}]}
    >>> _ = p.write_text(json.dumps(doc))
    >>> read_features(p, None, None).crs.to_epsg()
    4326
    """
    import geopandas

    declared = _declared_geojson_crs(path)
    try:
        gdf = geopandas.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:
        raise RegionError(f"cannot read region file {path}: {exc}") from None
    if len(gdf) == 0:
        raise RegionError(f"region file {path} holds no features; expected polygons")
    if declared is not None:
        gdf = gdf.set_crs(declared, allow_override=True)
    if gdf.crs is None:
        if assume_crs is None:
            raise RegionError(
                f"region file {path} has no coordinate reference system (CRS)"
                + (" - its .prj file is missing" if path.suffix.lower() == ".shp" else "")
                + "; add one (e.g. write the .prj, or gdf.set_crs('EPSG:4326').to_file(...)), "
                "or pass assume_crs='EPSG:4326' if the coordinates are lon/lat degrees"
            )
        gdf = gdf.set_crs(assume_crs)
    return gdf


def to_lonlat(gdf, path: Path):
    """``gdf`` reprojected to EPSG:4326, its coordinates checked to be degrees.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Features with a CRS.
    path : pathlib.Path
        The file they come from, for the messages.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326 (``gdf`` itself when it already is); longitudes may run to 360.

    Raises
    ------
    RegionError
        The transform fails or gives non-finite coordinates, or the coordinates are not
        degrees (a wrong CRS).

    Examples
    --------
    >>> import geopandas, shapely
    >>> gdf = geopandas.GeoDataFrame(geometry=[shapely.box(0, 0, 1e5, 1e5)], crs="EPSG:3857")
    >>> round(float(to_lonlat(gdf, Path("m.gpkg")).total_bounds[2]), 4)
    0.8983
    """
    from pyproj.exceptions import CRSError, ProjError

    if not gdf.crs.equals("EPSG:4326"):
        try:
            gdf = gdf.to_crs("EPSG:4326")
        except (CRSError, ProjError, ValueError) as exc:
            raise RegionError(
                f"{path}: cannot transform from its CRS {gdf.crs.to_string()!r} to "
                f"EPSG:4326 lon/lat: {exc}"
            ) from None
        if not np.all(np.isfinite(gdf.total_bounds)):
            raise RegionError(
                f"{path}: transforming from {gdf.crs.to_string()!r} to EPSG:4326 gave "
                "non-finite coordinates; check the file's CRS"
            )
    x0, y0, x1, y1 = gdf.total_bounds
    if y0 < -90 - 1e-6 or y1 > 90 + 1e-6 or x0 < -180 - 1e-6 or x1 > 360 + 1e-6:
        raise RegionError(
            f"{path}: coordinates lon {x0:g}..{x1:g}, lat {y0:g}..{y1:g} are not degrees although "
            f"the CRS says {gdf.crs.to_string()}; the file's CRS is probably wrong (projected "
            "metres labelled as lon/lat?)"
        )
    return gdf
