"""Build ``gnss/data/borders_110m.geojson`` from the Natural Earth copy that pyogrio ships.

Source: Natural Earth 1:110m "Admin 0 - Countries" (public domain,
https://www.naturalearthdata.com/), as copied into pyogrio's test fixtures
(``pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp``, itself copied
from GeoPandas' former ``naturalearth_lowres`` dataset). Nothing is downloaded.

What the script does, in order:

1. read the shapefile (EPSG:4326 longitude/latitude degrees) with pyogrio;
2. keep the columns ``name``, ``iso_a3``, ``continent`` and the geometry;
3. replace the ``-99`` ISO codes from the explicit table ``ISO_A3_FIXES`` below and print
   each replacement (the script stops if an unknown ``-99`` appears or a table entry is
   no longer needed, so a new source copy is reviewed by a person);
4. snap coordinates to a 1e-4 degree grid (about 11 m, far below the ~10 km detail of a
   1:110m map) with ``shapely.set_precision``, which keeps the polygons valid, and orient
   rings as RFC 7946 asks (exterior counter-clockwise);
5. write RFC 7946 GeoJSON (WGS84 longitude/latitude, no ``crs`` member), one feature per
   line, features sorted by name, keys in a fixed order: the same input always gives the
   same bytes.

Run from the repository root::

    .venv/bin/python builders/build_borders.py            # writes gnss/data/borders_110m.geojson
    .venv/bin/python builders/build_borders.py -o out.geojson
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from shapely.geometry import mapping

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "gnss" / "data" / "borders_110m.geojson"
FIXTURE = Path("tests") / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"

KEEP_COLUMNS = ("name", "iso_a3", "continent")
GRID_DEG = 1e-4  # coordinate snapping grid, degrees
DECIMALS = 4  # digits written, matching GRID_DEG

# Natural Earth writes ISO_A3 = "-99" where ISO 3166-1 has no entry for the polygon as
# drawn. France and Norway are -99 only because their Natural Earth polygons include
# overseas parts (French Guiana; Svalbard) that have their own ISO codes; the country
# codes are FRA and NOR. Kosovo, Northern Cyprus and Somaliland have no ISO 3166-1
# code: we use Natural Earth's own ADM0_A3 code (KOS, CYN, SOL), the same rule
# GeoPandas applied when it rebuilt this data set from Natural Earth 5.0.1. (Kosovo is
# also known under the user-assigned code XKX used by the EU and the IMF.)
ISO_A3_FIXES: dict[str, str] = {
    "France": "FRA",  # ISO 3166-1
    "Norway": "NOR",  # ISO 3166-1
    "Kosovo": "KOS",  # Natural Earth ADM0_A3 (no ISO code; XKX is user-assigned)
    "N. Cyprus": "CYN",  # Natural Earth ADM0_A3 (no ISO code)
    "Somaliland": "SOL",  # Natural Earth ADM0_A3 (no ISO code)
}


def find_source() -> Path:
    """Path of pyogrio's Natural Earth 1:110m fixture."""
    spec = importlib.util.find_spec("pyogrio")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("pyogrio is not installed; install it (pip install pyogrio) and run again")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    source = package_dir / FIXTURE
    if not source.is_file():
        sys.exit(
            f"expected the Natural Earth fixture at {source}, found nothing; this pyogrio "
            f"({pyogrio.__version__}) does not ship its test fixtures"
        )
    return source


def fix_iso_codes(names: list[str], codes: list[str]) -> list[str]:
    """Replace the ``-99`` codes from ``ISO_A3_FIXES``; print what changed."""
    fixed = list(codes)
    used = set()
    for i, (name, code) in enumerate(zip(names, codes, strict=True)):
        if code != "-99":
            continue
        if name not in ISO_A3_FIXES:
            sys.exit(f"{name!r} has iso_a3 '-99' and no entry in ISO_A3_FIXES: add one")
        fixed[i] = ISO_A3_FIXES[name]
        used.add(name)
        print(f"fixed iso_a3 of {name!r}: '-99' -> {fixed[i]!r}")
    unused = sorted(set(ISO_A3_FIXES) - used)
    if unused:
        sys.exit(f"ISO_A3_FIXES entries not needed by this source (review them): {unused}")
    duplicates = sorted({c for c in fixed if fixed.count(c) > 1})
    if duplicates:
        sys.exit(f"iso_a3 codes not unique after the fixes: {duplicates}")
    return fixed


def _round(obj):
    """Round every coordinate of a GeoJSON ``coordinates`` nest to ``DECIMALS``."""
    if isinstance(obj, (tuple, list)):
        if obj and isinstance(obj[0], float | int):
            return [round(float(v), DECIMALS) + 0.0 for v in obj]  # + 0.0: no "-0.0"
        return [_round(o) for o in obj]
    raise TypeError(f"unexpected coordinate element {obj!r}")


def build(source: Path, output: Path) -> None:
    frame = pyogrio.read_dataframe(source, columns=list(KEEP_COLUMNS))
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        sys.exit(f"expected {source} in EPSG:4326, found {frame.crs}")
    names = [str(n) for n in frame["name"]]
    codes = fix_iso_codes(names, [str(c) for c in frame["iso_a3"]])
    continents = [str(c) for c in frame["continent"]]

    geometries = shapely.set_precision(np.asarray(frame.geometry.values), GRID_DEG)
    geometries = shapely.orient_polygons(geometries)  # RFC 7946 ring orientation
    invalid = [n for n, g in zip(names, geometries, strict=True) if not g.is_valid or g.is_empty]
    if invalid:
        sys.exit(f"invalid or empty geometry after snapping to {GRID_DEG} deg: {invalid}")

    order = sorted(range(len(names)), key=lambda i: names[i])
    lines = []
    for i in order:
        geom = mapping(geometries[i])
        feature = {
            "type": "Feature",
            "properties": {"name": names[i], "iso_a3": codes[i], "continent": continents[i]},
            "geometry": {"type": geom["type"], "coordinates": _round(geom["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = (
        '{"type":"FeatureCollection","name":"borders_110m","features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    n_coords = int(shapely.get_num_coordinates(geometries).sum())
    print(
        f"wrote {output} ({len(lines)} countries, {n_coords} vertices, "
        f"{output.stat().st_size} bytes) from {source}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--source", type=Path, default=None, help="default: pyogrio's fixture")
    args = parser.parse_args(argv)
    build(args.source or find_source(), args.output)


if __name__ == "__main__":
    main()
