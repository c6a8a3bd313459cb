"""Horizon file layouts: the package's CSV and PVGIS ``printhorizon`` outputs.

The parsers return raw ``(azimuth_deg, elevation_deg)`` rows (and their file lines);
:func:`gnss.receivers.horizon.parse_horizon` checks them and builds the
:class:`~gnss.receivers.horizon.Horizon`.

PVGIS (the EU JRC's Photovoltaic Geographical Information System) writes its horizon profile
with a header of ``Latitude``/``Longitude`` lines, then a tab-separated table whose columns
start ``A  H_hor`` (``A_hor`` in some versions; then the sun paths ``A_sun(w) H_sun(w) A_sun(s)
H_sun(s)``, ignored here), then notes; as JSON, ``outputs.horizon_profile`` is a list of
``{"A": ..., "H_hor": ...}`` (the JRC's "Horizon profile" tool page describes both). Its
azimuth ``A`` runs from -180 to 180 in 48 steps with **0 = south**, -90 = east, 90 = west
(pvlib's ``get_pvgis_horizon`` turns it to north = 0 by adding 180, as done here). The
one-number-per-line file PVGIS *accepts* as a user horizon is not read here.
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import GnssError

_CSV_HEADER = ("azimuth_deg", "elevation_deg")


class HorizonError(GnssError, ValueError):
    """A horizon profile could not be read or is not a valid skyline."""


def _numbers(fields: list[str], where: str, names: tuple[str, ...]) -> list[float]:
    try:
        return [float(f) for f in fields]
    except ValueError:
        raise HorizonError(
            f"{where}: expected numbers for {', '.join(names)}, got {','.join(fields)!r}. "
            "Fix or remove the row (comments start with '#')"
        ) from None


def parse_csv(lines: list[tuple[int, str]], source: str):
    """Rows ``azimuth_deg,elevation_deg`` after that header: ``(values, line numbers)``."""
    (first_no, header), rows = lines[0], lines[1:]
    names = tuple(h.strip() for h in header.split(","))
    if names != _CSV_HEADER:
        raise HorizonError(
            f"{source}:{first_no}: expected the header 'azimuth_deg,elevation_deg' (or a PVGIS "
            f"horizon file with an 'A H_hor' table), got {header.strip()!r}. Add the header line"
        )
    values, line_nos = [], []
    for no, text in rows:
        fields = [f.strip() for f in text.split(",")]
        if len(fields) != 2:
            raise HorizonError(
                f"{source}:{no}: expected 2 fields (azimuth_deg,elevation_deg), got "
                f"{len(fields)} in {text.strip()!r}. Give one azimuth and one elevation a row"
            )
        values.append(_numbers(fields, f"{source}:{no}", _CSV_HEADER))
        line_nos.append(no)
    return values, line_nos


def parse_pvgis_text(lines: list[tuple[int, str]], start: int, source: str):
    """Rows of the ``A H_hor`` table from ``start`` (after its header) to the first non-row."""
    values, line_nos = [], []
    for no, text in lines[start:]:
        fields = text.split()
        try:
            float(fields[0])
        except ValueError:
            break  # the notes after the table
        if len(fields) < 2:
            raise HorizonError(
                f"{source}:{no}: expected 'A H_hor' values in the PVGIS table, got "
                f"{text.strip()!r}. Download the horizon again from PVGIS (printhorizon)"
            )
        a, h = _numbers(fields[:2], f"{source}:{no}", ("A", "H_hor"))
        values.append([a + 180.0, h])  # PVGIS: 0 = south; here 0 = north
        line_nos.append(no)
    if values and values[-1][0] == 360.0 and values[0][0] == 0.0:
        values, line_nos = values[:-1], line_nos[:-1]  # A=180 repeats A=-180 (north)
    return values, line_nos


def parse_pvgis_json(text: str, source: str) -> np.ndarray:
    """PVGIS ``outputformat=json``: ``outputs.horizon_profile`` is a list of ``{A, H_hor}``."""
    try:
        profile = json.loads(text)["outputs"]["horizon_profile"]
        rows = [[float(r["A"]) + 180.0, float(r["H_hor"])] for r in profile]
    except (ValueError, KeyError, TypeError) as exc:
        raise HorizonError(
            f"{source}: expected PVGIS JSON with outputs.horizon_profile [{{A, H_hor}}, ...], got "
            f"an error reading it ({type(exc).__name__}: {exc}). Download it again from PVGIS"
        ) from None
    if len(rows) > 1 and rows[-1][0] == 360.0 and rows[0][0] == 0.0:
        rows = rows[:-1]  # A=180 repeats A=-180 (north)
    return np.array(rows, dtype=float).reshape(-1, 2)
