"""Horizon masks: CSV and PVGIS files, interpolation with wrap at 360, presets, refusals."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import gnss
from gnss.receivers.horizon import Horizon, HorizonError, read_horizon
from gnss.receivers.horizon_presets import (
    HorizonParameterError,
    as_horizon,
    closest_presets,
    horizon_preset,
    preset_names,
)

#: A PVGIS printhorizon text/CSV download (layout of the API's outputformat=csv/basic: a
#: Latitude/Longitude header, a tab-separated "A H_hor" table with the sun paths after it,
#: azimuth -180..180 with 0 = south, then notes). Values made up for the test.
PVGIS = (
    "Latitude (decimal degrees):\t55.750\n"
    "Longitude (decimal degrees):\t37.620\n"
    "\n"
    "A\tH_hor\tA_sun(w)\tH_sun(w)\tA_sun(s)\tH_sun(s)\n"
    "-180.0\t2.0\t-180.0\t0.0\t-180.0\t0.0\n"
    "-90.0\t5.0\t-90.0\t0.0\t-90.0\t12.0\n"
    "0.0\t8.0\t0.0\t11.0\t0.0\t57.7\n"
    "90.0\t4.0\t90.0\t0.0\t90.0\t12.0\n"
    "180.0\t2.0\t180.0\t0.0\t180.0\t0.0\n"
    "\n"
    "A: Azimuth (0 = S, 90 = W, -90 = E) (degree)\n"
    "H_hor: Horizon height (degree)\n"
)


def write(tmp_path, text, name="h.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_csv_profile_is_linear_in_azimuth_and_wraps_at_360(tmp_path):
    p = write(tmp_path, "# street\nazimuth_deg,elevation_deg\n10,20\n100,40\n300,0\n")
    h = read_horizon(p)
    assert h.min_elevation_deg == 0.0
    # 10 -> 100: linear; 300 -> 370 (=10): wraps through north, 0 deg at 300, 20 deg at 10.
    az = np.array([10.0, 55.0, 100.0, 200.0, 300.0, 335.0, 0.0, 370.0, -25.0])
    want = np.array([20.0, 30.0, 40.0, 20.0, 0.0, 10.0, 20.0 * 60 / 70, 20.0, 10.0])
    np.testing.assert_allclose(h.elevation_at(az), want, atol=1e-12)  # deg, exact arithmetic
    assert h.elevation_at(az.reshape(3, 3)).shape == (3, 3)


def test_zero_and_360_both_given_close_the_circle(tmp_path):
    h = read_horizon(write(tmp_path, "azimuth_deg,elevation_deg\n0,10\n180,30\n360,10\n"))
    np.testing.assert_allclose(h.elevation_at([90.0, 270.0, 359.0]), [20.0, 20.0, 10.0 + 1 / 9])


def test_pvgis_file_is_turned_to_north_zero(tmp_path):
    h = read_horizon(write(tmp_path, PVGIS, "pvgis_horizon.csv"))
    # PVGIS A=0 (south) -> 180; A=-90 (east) -> 90; A=90 (west) -> 270; A=+-180 -> 0 (once).
    assert h.azimuth_deg.tolist() == [0.0, 90.0, 180.0, 270.0]
    np.testing.assert_allclose(h.elevation_at([0.0, 90.0, 180.0, 270.0]), [2.0, 5.0, 8.0, 4.0])


def test_pvgis_json_and_a_hor_header(tmp_path):
    rows = [
        {"A": a, "H_hor": h} for a, h in ((-180, 2.0), (-90, 5.0), (0, 8.0), (90, 4.0), (180, 2.0))
    ]
    doc = {"inputs": {"location": {"latitude": 55.75}}, "outputs": {"horizon_profile": rows}}
    h = read_horizon(write(tmp_path, json.dumps(doc), "pvgis.json"))
    assert h.azimuth_deg.tolist() == [0.0, 90.0, 180.0, 270.0]
    assert h.elevation_deg.tolist() == [2.0, 5.0, 8.0, 4.0]
    with pytest.raises(HorizonError, match=r"expected PVGIS JSON with outputs.horizon_profile"):
        read_horizon(write(tmp_path, '{"outputs": {}}', "bad.json"))
    text = read_horizon(write(tmp_path, PVGIS.replace("A\tH_hor", "A_hor\tH_hor"), "p.csv"))
    assert text.elevation_deg.tolist() == [2.0, 5.0, 8.0, 4.0]


def test_presets_are_documented_and_follow_their_derivation():
    assert {"street_canyon_ns", "street_canyon_ew"} <= set(preset_names())
    ns = horizon_preset("street_canyon_ns")
    text = open(ns.source).read()  # the preset file, with its derivation in the header
    assert "H = 20 m" in text and "D = 10 m" in text and "atan" in text
    az = ns.azimuth_deg
    np.testing.assert_allclose(  # the file rounds to 0.01 deg
        ns.elevation_deg,
        np.degrees(np.arctan(20 * np.abs(np.sin(np.radians(az))) / 10)),
        atol=0.006,
    )
    assert ns.elevation_at(90.0) == pytest.approx(63.43) and ns.elevation_at(180.0) == 0.0
    ew = horizon_preset("street_canyon_ew")
    assert ew.elevation_at(0.0) == pytest.approx(63.43) and ew.elevation_at(90.0) == 0.0
    with pytest.raises(HorizonError, match="expected one of .*street_canyon_ns.*got 'canyon'"):
        horizon_preset("canyon")


def test_public_names():
    assert gnss.read_horizon is read_horizon and gnss.Horizon is Horizon
    assert issubclass(gnss.HorizonError, gnss.GnssError)


@pytest.mark.parametrize(
    ("body", "pattern"),
    [
        ("0,0\n400,10\n", r":3: expected an azimuth in \[0, 360\] deg .*got 400\. Wrap it"),
        ("0,0\n-5,10\n", r":3: expected an azimuth in \[0, 360\] deg .*got -5\."),
        ("0,0\n90,95\n", r":3: expected an elevation in \[-10, 90\] deg, got 95\. Check the col"),
        ("0,0\n90,-12\n", r":3: expected an elevation in \[-10, 90\] deg, got -12\."),
        ("0,5\n", r"expected at least 2 horizon points, got 1\. Give the skyline"),
        ("0,0\n90,10\n90,20\n", r":4: expected strictly increasing azimuths, got a duplicate"),
        ("0,0\n180,10\n90,20\n", r":4: .*got an unsorted azimuth 90 after 180\. Sort the rows"),
        ("0,0\n90,high\n", r":3: expected numbers for azimuth_deg, elevation_deg, got '90,high'"),
        ("0,0\n90\n", r":3: expected 2 fields \(azimuth_deg,elevation_deg\), got 1"),
        ("0,0\n90,nan\n", r":3: expected finite numbers, got NaN/inf"),
        ("0,5\n180,10\n360,7\n", r":4: azimuths 0 and 360 .* got 5 and 7\. Drop the 360 row"),
    ],
)
def test_bad_profiles_are_refused_with_line_and_fix(tmp_path, body, pattern):
    p = write(tmp_path, "azimuth_deg,elevation_deg\n" + body)
    with pytest.raises(HorizonError, match=pattern) as info:
        read_horizon(p)
    assert str(info.value).startswith(str(p))


def test_missing_header_and_empty_files_are_refused(tmp_path):
    with pytest.raises(HorizonError, match=r"h.csv:2: expected the header 'azimuth_deg,elev"):
        read_horizon(write(tmp_path, "# no header\n0,0\n90,10\n"))
    with pytest.raises(HorizonError, match=r"got no data\. Check the path"):
        read_horizon(write(tmp_path, "# only a comment\n\n"))
    with pytest.raises(HorizonError, match=r"not text"):
        (tmp_path / "b.csv").write_bytes(b"\xff\xfe\x00")
        read_horizon(tmp_path / "b.csv")


def test_not_a_regular_file_or_too_large_is_refused(tmp_path):
    with pytest.raises(HorizonError, match="it is a directory, expected a regular file"):
        read_horizon(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(HorizonError, match="named pipe"):
        read_horizon(fifo)
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(5 * 1024 * 1024)
    with pytest.raises(HorizonError, match="more than the limit of 4.0 MiB"):
        read_horizon(big)
    with pytest.raises(HorizonError, match="cannot read the horizon file"):
        read_horizon(tmp_path / "missing.csv")


def test_the_constructor_checks_too():
    with pytest.raises(HorizonError, match="expected two 1-D arrays of equal length"):
        Horizon(np.array([0.0, 90.0]), np.array([1.0]))


def test_kernel_table_folds_the_flat_mask_in_exactly():
    """max(mask, skyline) is again piecewise linear: the crossings are table points."""
    h = Horizon(np.array([0.0, 45.0, 200.0, 300.0]), np.array([2.0, 30.0, 12.0, 0.0]))
    az, el = h.kernel_table(10.0)
    assert az[0] == 0.0 and az[-1] == 360.0 and np.all(np.diff(az) > 0) and el[-1] == el[0]
    probe = np.linspace(0.0, 360.0, 36001)
    want = np.maximum(h.elevation_at(probe), 10.0)
    # Linear interpolation of the table reproduces the effective mask to rounding (1e-9 deg).
    assert np.max(np.abs(np.interp(probe, az, el) - want)) < 1e-9


def test_above_skyline_matches_a_plain_azimuth_elevation_test():
    """The numba test agrees with elevation > skyline(azimuth) computed with NumPy."""
    from gnss.kernels.skyline import above_skyline

    h = Horizon(np.array([0.0, 90.0, 180.0, 270.0]), np.array([5.0, 40.0, 0.0, 25.0]))
    az_t, el_t = h.kernel_table(3.0)
    lo, hi = np.sin(np.radians(el_t.min())), np.sin(np.radians(el_t.max()))
    rng = np.random.default_rng(7)
    az = rng.uniform(0.0, 360.0, 20000)
    el = rng.uniform(-5.0, 60.0, 20000)
    e_up = np.sin(np.radians(el))
    e_east = np.cos(np.radians(el)) * np.sin(np.radians(az))
    e_north = np.cos(np.radians(el)) * np.cos(np.radians(az))
    got = np.array([above_skyline(u, e, n, az_t, el_t, lo, hi)
                    for u, e, n in zip(e_up, e_east, e_north, strict=True)])  # fmt: skip
    sky = np.maximum(h.elevation_at(az), 3.0)
    # Away from the edge (1e-6 deg: far above the rounding of sin/atan2) the answers agree.
    clear = np.abs(el - sky) > 1e-6
    assert clear.sum() > 19000
    np.testing.assert_array_equal(got[clear], (el > sky)[clear])


def test_a_misspelt_preset_is_neither_preset_nor_file_and_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no file called street_canyon here
    with pytest.raises(HorizonParameterError) as err:
        as_horizon("street_canyon")
    msg = str(err.value)
    assert err.value.parameter == "horizon"
    assert msg.startswith("horizon 'street_canyon': not a preset and not a file.")
    assert f"The presets are {', '.join(preset_names())};" in msg
    assert "did you mean 'street_canyon_ew' or 'street_canyon_ns'?" in msg  # equally close
    assert "CSV with the header azimuth_deg,elevation_deg" in msg and str(tmp_path) in msg
    with pytest.raises(HorizonParameterError, match=r"did you mean 'street_canyon_ns'\?"):
        as_horizon("Street_Canyon_SN")
    with pytest.raises(HorizonParameterError, match=r"not a file\. The presets are [^;]*\. A file"):
        as_horizon(tmp_path / "missing.csv")  # a path: no preset is close, none suggested
    with pytest.raises(HorizonError, match=r"got 'street_canyon_n' \(did you mean 'street_c"):
        horizon_preset("street_canyon_n")
    # A file of that name is read as a file (a preset name too: the file wins).
    (tmp_path / "street_canyon").write_text("azimuth_deg,elevation_deg\n0,10\n180,30\n")
    assert as_horizon("street_canyon").elevation_at(90.0) == pytest.approx(20.0)
    assert closest_presets("mountains", preset_names()) == []
