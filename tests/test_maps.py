"""Shipped country polygons and offline PNG maps (gnss.outputs.maps)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import matplotlib.image
import numpy as np
import PIL.Image
import pytest
import xarray

from gnss.errors import ParameterError
from gnss.outputs import maps
from gnss.regions.borders import read_borders

REPO_ROOT = Path(__file__).resolve().parents[1]
GEOJSON = REPO_ROOT / "gnss" / "data" / "borders_110m.geojson"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Turn any connection attempt into a test failure (maps must work offline)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def synthetic_field(resolution_deg: float = 2.0) -> xarray.DataArray:
    """Cell-centre grid like gnss.Grid, smooth values, NaN over a polar cap and a box."""
    lat = -90.0 + (np.arange(round(180 / resolution_deg)) + 0.5) * resolution_deg
    lon = -180.0 + (np.arange(round(360 / resolution_deg)) + 0.5) * resolution_deg
    values = 8.0 + 4.0 * np.cos(np.radians(lat))[:, None] * np.sin(np.radians(lon))[None, :]
    values[lat > 75.0, :] = np.nan
    values[np.ix_((lat > -10) & (lat < 10), (lon > 0) & (lon < 20))] = np.nan
    return xarray.DataArray(
        values,
        coords={"lat": lat, "lon": lon},
        dims=("lat", "lon"),
        attrs={"units": "satellites"},
    )


def assert_png(path: Path, dpi: int = 110) -> np.ndarray:
    assert path.read_bytes()[:8] == PNG_MAGIC
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    assert image.ndim == 3 and image.shape[2] in (3, 4)
    # about 10.4 x 5.5 inches at `dpi`, a plate carree map is wider than tall
    assert 9.0 * dpi < width < 12.0 * dpi
    assert 4.5 * dpi < height < 8.0 * dpi
    assert width > height
    return image


# --- the builder's output -------------------------------------------------------------


def test_geojson_shipped_and_small():
    assert GEOJSON.is_file(), "run builders/build_borders.py"
    assert GEOJSON.stat().st_size < 400_000
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc  # RFC 7946: WGS84 longitude/latitude implied


def test_borders_content():
    countries = maps.borders()
    assert countries.crs.to_epsg() == 4326
    assert list(countries.columns) == ["name", "iso_a3", "continent", "geometry"]
    assert 170 <= len(countries) <= 180  # Natural Earth 1:110m has 177
    assert countries.geometry.is_valid.all()
    assert not countries.geometry.is_empty.any()
    assert set(countries.geom_type) <= {"Polygon", "MultiPolygon"}
    assert "-99" not in set(countries["iso_a3"])
    assert countries["iso_a3"].is_unique
    codes = dict(zip(countries["name"], countries["iso_a3"], strict=True))
    assert codes["France"] == "FRA"
    assert codes["Norway"] == "NOR"
    assert codes["Germany"] == "DEU"
    minx, miny, maxx, maxy = countries.total_bounds
    assert -180.0 <= minx and maxx <= 180.0 and -90.0 <= miny and maxy <= 90.0
    # coordinates rounded to 1e-4 degree
    coords = countries.get_coordinates().to_numpy()
    np.testing.assert_allclose(coords, np.round(coords, 4), atol=1e-9)


def test_borders_is_cached_but_returns_copies():
    first = maps.borders()
    first.loc[first.index[0], "name"] = "changed"
    assert maps.borders()["name"].iloc[0] != "changed"
    assert read_borders.cache_info().currsize == 1


def test_builder_is_deterministic(tmp_path):
    out = tmp_path / "borders.geojson"
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "builders" / "build_borders.py"), "-o", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "'France': '-99' -> 'FRA'" in result.stdout
    assert out.read_bytes() == GEOJSON.read_bytes()


# --- plot_field -----------------------------------------------------------------------


def test_plot_field_writes_png_with_nans(tmp_path):
    field = synthetic_field()
    assert np.isnan(field.values).any()
    out = maps.plot_field(
        field,
        str(tmp_path / "pdop.png"),
        title="Synthetic field, 2° grid",
        note="element file: synthetic; epochs: none; mask 10°; clock model: per system",
    )
    assert out == tmp_path / "pdop.png"
    assert isinstance(out, Path)
    image = assert_png(out)
    # the NaN grey is in the picture (r = g = b = 0xd9 / 255)
    grey = np.isclose(image[..., :3], 0xD9 / 255, atol=1.5 / 255).all(axis=-1)
    assert grey.sum() > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pdop.png"]


def test_plot_field_diverging(tmp_path):
    field = synthetic_field() - 8.0
    out = maps.plot_field(
        field, tmp_path / "diff.png", title="combined minus best", units="Δ PDOP", diverging=True
    )
    image = assert_png(out)
    # a diverging map with symmetric data has clearly red and clearly blue cells
    r, b = image[..., 0], image[..., 2]
    assert ((r - b) > 0.4).sum() > 1000
    assert ((b - r) > 0.4).sum() > 1000


def test_plot_field_options(tmp_path):
    field = synthetic_field(5.0).transpose("lon", "lat").isel(lat=slice(None, None, -1))
    out = maps.plot_field(
        field, tmp_path / "opts.png", title="t", cmap="magma", vmin=6.0, vmax=9.0, dpi=60
    )
    assert_png(out, dpi=60)
    # an existing file is replaced
    out2 = maps.plot_field(field.fillna(0.0), out, title="again", dpi=60)
    assert out2 == out
    assert_png(out, dpi=60)


def test_plot_field_all_nan_and_constant(tmp_path):
    field = synthetic_field(10.0)
    assert_png(maps.plot_field(field * np.nan, tmp_path / "nan.png", title="all NaN"))
    assert_png(maps.plot_field(field * 0.0 + 3.0, tmp_path / "const.png", title="constant"))


def test_no_cartopy_import():
    code = "import sys, gnss.outputs.maps; "
    code += "assert 'cartopy' not in {m.split('.')[0] for m in sys.modules}"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)


@pytest.mark.parametrize(
    ("field", "match"),
    [
        (xarray.DataArray(np.zeros((3, 4)), dims=("y", "x")), "dims"),
        (xarray.DataArray(np.zeros((2, 3, 4)), dims=("time", "lat", "lon")), "isel"),
        (xarray.DataArray(np.zeros((0, 4)), dims=("lat", "lon")), "empty"),
        (np.zeros((90, 180)), "DataArray"),
        (xarray.DataArray(np.zeros((3, 4)), dims=("lat", "lon")), "coordinate"),
        (
            xarray.DataArray(
                np.zeros((2, 3)),
                coords={"lat": [0.0, 1.0], "lon": [0.0, 180.0, 359.0]},
                dims=("lat", "lon"),
            ),
            "360",
        ),
        (
            xarray.DataArray(
                np.zeros((3, 2)),
                coords={"lat": [0.0, 1.0, 0.5], "lon": [0.0, 1.0]},
                dims=("lat", "lon"),
            ),
            "monotonic",
        ),
    ],
)
def test_plot_field_rejects_bad_fields(tmp_path, field, match):
    with pytest.raises(ParameterError, match=match):
        maps.plot_field(field, tmp_path / "bad.png", title="bad")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cmap": "no_such_map"}, "colormap"),
        ({"dpi": 0}, "dpi"),
        ({"vmin": 5.0, "vmax": 1.0}, "vmin"),
        ({"vmax": float("nan")}, "vmax"),
    ],
)
def test_plot_field_rejects_bad_options(tmp_path, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        maps.plot_field(synthetic_field(10.0), tmp_path / "bad.png", title="bad", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_plot_field_is_atomic(tmp_path, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full (simulated)")

    # The maps are encoded by PIL (gnss.outputs.maps._write_png), not Figure.savefig.
    monkeypatch.setattr(PIL.Image.Image, "save", broken_save)
    target = tmp_path / "map.png"
    with pytest.raises(RuntimeError, match="simulated"):
        maps.plot_field(synthetic_field(10.0), target, title="fails")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind

    # an existing map survives a failed rewrite untouched
    target.write_bytes(b"old map")
    with pytest.raises(RuntimeError, match="simulated"):
        maps.plot_field(synthetic_field(10.0), target, title="fails")
    assert target.read_bytes() == b"old map"
    assert list(tmp_path.iterdir()) == [target]


def test_plot_field_missing_directory(tmp_path):
    from gnss.errors import OutputError

    with pytest.raises(OutputError, match="does not exist"):
        maps.plot_field(synthetic_field(10.0), tmp_path / "nope" / "map.png", title="t")
