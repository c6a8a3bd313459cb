"""Regions from polygon files (GeoJSON, GeoPackage, Shapefile, anything GDAL reads).

:func:`region_from_file` reads a file in named steps: open it (size, kind, layers), read the
features with their CRS (:mod:`gnss.regions.filecrs`), check every feature is a valid polygon,
reproject to EPSG:4326, split at the antimeridian and name each region. A refused file gets a
message that names the file, the feature and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import shapely
import shapely.validation

from ..inputfile import MAX_REGION_FILE_BYTES, check_input_file
from .filecrs import read_features, to_lonlat
from .geometry import polygonal, unwrap_rings, wrap_to_globe
from .region import Region, RegionError

__all__ = ["region_from_file"]


def region_from_file(
    path: str | Path,
    name_field: str | None = None,
    *,
    dissolve: bool = False,
    layer: str | None = None,
    assume_crs: str | None = None,
    make_valid: bool = False,
) -> list[Region]:
    """Regions from a polygon file (GeoJSON, GeoPackage, Shapefile, anything GDAL reads).

    Parameters
    ----------
    path : path
        The file.
    name_field : str, optional
        Attribute that names each feature; by default a ``name`` field (any case) when
        there is one, else ``<file stem> #<feature number>``.
    dissolve : bool
        Return one region, the union of all features (code and name = file stem).
    layer : str, optional
        Layer of a multi-layer file (GeoPackage); required when there are several.
    assume_crs : str, optional
        CRS to assume when the file declares none (e.g. ``"EPSG:4326"`` for a shapefile
        without ``.prj`` whose coordinates are lon/lat degrees).
    make_valid : bool
        Repair invalid polygons with :func:`shapely.make_valid` instead of refusing them.

    Returns
    -------
    list of Region
        One per feature (or one when ``dissolve``), reprojected to EPSG:4326 and split at
        the antimeridian.

    Raises
    ------
    RegionError
        Unreadable or empty file, missing or unknown CRS, a feature that is not a valid
        polygon (the message names it and explains why), or unknown ``name_field``.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "zones.geojson"
    >>> ring = [[170, 60], [-170, 60], [-170, 65], [170, 65], [170, 60]]
    >>> feature = {"type": "Feature", "properties": {"name": "Bering"},
    ...            "geometry": {"type": "Polygon", "coordinates": [ring]}}
    >>> _ = p.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    >>> (r,) = region_from_file(p)
    >>> r.code, r.geometry.bounds
    ('Bering', (-180.0, 60.0, 180.0, 65.0))
    """
    path = Path(path)
    _open_region_file(path, layer)
    gdf = read_features(path, layer, assume_crs)
    name_field = _name_field(gdf, path, name_field)
    labels = [_label(gdf, name_field, i) for i in range(len(gdf))]
    gdf = to_lonlat(_checked_polygons(gdf, path, labels, make_valid), path)
    stem = _file_stem(path)
    source = f"file {path}" + (f", layer {layer}" if layer else "")
    fixed = [_on_globe(g, f"{path}, {labels[i]}") for i, g in enumerate(gdf.geometry.values)]
    if dissolve:
        geom = polygonal(shapely.union_all(fixed))
        return [Region(stem, stem, geom, f"{source} ({len(fixed)} features dissolved)")]
    names = [_feature_name(gdf, name_field, i, stem) for i in range(len(fixed))]
    codes = _feature_codes(names, stem)
    return [
        Region(name, code, g, f"{source}, {label}")
        for name, code, g, label in zip(names, codes, fixed, labels, strict=True)
    ]


def _open_region_file(path: Path, layer: str | None) -> None:
    """Refuse a missing, oversized or special file, an unreadable one, or an unchosen layer."""
    import pyogrio

    if not path.exists():
        raise RegionError(f"region file {path} does not exist")
    # A FIFO or device would block GDAL; a folder of shapefiles is fine.
    check_input_file(
        path, what="region file", max_bytes=MAX_REGION_FILE_BYTES, error=RegionError,
        allow_dir=True,
    )  # fmt: skip
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError (a RuntimeError)
        raise RegionError(
            f"cannot read region file {path}: {exc}. Expected a vector file GDAL reads "
            "(GeoJSON, GeoPackage, Shapefile ...)"
        ) from None
    if layer is None and len(layers) > 1:
        raise RegionError(
            f"{path} holds {len(layers)} layers ({', '.join(str(x) for x in layers[:, 0])}); "
            "choose one with layer="
        )


def _name_field(gdf, path: Path, name_field: str | None) -> str | None:
    """Return the field naming the features: the one asked for, else a ``name`` field."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if name_field is not None and name_field not in columns:
        raise RegionError(
            f"{path}: no field {name_field!r}; the fields are {', '.join(columns) or '(none)'}"
        )
    if name_field is None:
        name_field = next((c for c in columns if c.casefold() == "name"), None)
    return name_field


def _label(gdf, name_field: str | None, i: int) -> str:
    """How messages and sources name feature ``i``: its number, and its name when it has one."""
    if name_field is not None and pd.notna(gdf[name_field].iloc[i]):
        return f"feature {i} ({name_field}={gdf[name_field].iloc[i]!r})"
    return f"feature {i}"


def _checked_polygons(gdf, path: Path, labels: list[str], make_valid: bool):
    """``gdf`` with every geometry checked to be a valid polygon (or repaired on request)."""
    import geopandas

    geoms = list(gdf.geometry.values)
    for i, g in enumerate(geoms):
        where = f"{path}, {labels[i]}"
        if g is None or g.is_empty:
            raise RegionError(f"{where}: empty geometry; remove the feature or give it a polygon")
        if not isinstance(g, shapely.Polygon | shapely.MultiPolygon):
            raise RegionError(
                f"{where}: a {g.geom_type} has no area; region files must hold polygons"
            )
        if not g.is_valid:
            if make_valid:
                geoms[i] = polygonal(shapely.make_valid(g))
                if geoms[i].is_empty:
                    raise RegionError(f"{where}: nothing polygonal is left after make_valid")
                continue
            raise RegionError(
                f"{where}: invalid polygon: {shapely.validation.explain_validity(g)}. Repair it "
                "(shapely.make_valid, GeoSeries.make_valid(), QGIS 'Fix geometries') or pass "
                "make_valid=True"
            )
    return gdf.set_geometry(geopandas.GeoSeries(geoms, crs=gdf.crs))


def _file_stem(path: Path) -> str:
    """Return the file name without suffix as a valid region code (``file-...`` if need be)."""
    stem = re.sub(r"[^\w.+-]+", "_", path.stem).strip("_")
    if not re.match(r"[A-Za-z0-9]", stem):
        stem = f"file-{stem}".rstrip("-")
    return stem


def _on_globe(geom, what: str):
    """Undo the ring jumps of a lon/lat polygon and split it at the antimeridian."""
    g = wrap_to_globe(unwrap_rings(geom, what))
    if not g.is_valid:
        g = polygonal(shapely.make_valid(g))
    return g


def _feature_name(gdf, name_field: str | None, i: int, stem: str) -> str:
    """Return the name of feature ``i``: its ``name_field`` value, else ``<stem> #<i>``."""
    named = name_field is not None and pd.notna(gdf[name_field].iloc[i])
    return str(gdf[name_field].iloc[i]) if named else f"{stem} #{i}"


def _feature_codes(names: list[str], stem: str) -> list[str]:
    """One unique code per feature from its name; ``<stem>-<i>`` for repeats and bad names."""
    codes, used = [], set()
    for i, name in enumerate(names):
        code = re.sub(r"[^\w.+-]+", "_", name).strip("_") or f"{stem}-{i}"
        if code in used or not re.match(r"[A-Za-z0-9]", code):
            code = f"{stem}-{i}"
        used.add(code)
        codes.append(code)
    return codes
