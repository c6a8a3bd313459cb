"""OMM text (CelesTrak's ``FORMAT=csv`` and ``FORMAT=json``): one SGP4 model per record.

The mean elements are parsed by :mod:`sgp4.omm`. This module checks the table or document
shape (an OMM header, rows as long as the header, a JSON list of objects) and turns every
problem into an :class:`~gnss.errors.ElementError` naming ``file:line`` (the record number
in JSON files) and the fix.
"""

from __future__ import annotations

import csv
import io
import json

from sgp4 import omm as sgp4_omm
from sgp4.api import Satrec

from .records import Record, element_error


def _omm_satrec(path: str, where: int, fields: dict) -> Satrec:
    sat = Satrec()
    try:
        sgp4_omm.initialize(sat, fields)
    except KeyError as exc:
        raise element_error(
            path,
            where,
            f"OMM record is missing the field {exc.args[0]!r}",
            "Use CelesTrak's OMM CSV/JSON (FORMAT=csv or FORMAT=json) with all mean elements.",
        ) from exc
    except (ValueError, TypeError, OverflowError) as exc:
        raise element_error(
            path, where, f"OMM record has an invalid value ({exc})", "Fix the record."
        ) from exc
    return sat


def read_omm_csv(path: str, text: str) -> list[Record]:
    """Return (name, line number, satrec) for each row of an OMM CSV table.

    Parameters
    ----------
    path : str
        The file the text came from (for messages).
    text : str
        A CSV table with a header row naming the OMM fields (``MEAN_MOTION`` among them).

    Returns
    -------
    list of (str, int, sgp4.api.Satrec)
        In file order; the line number is the row's physical line (blank lines are skipped).

    Raises
    ------
    ElementError
        For a header without ``MEAN_MOTION``, a row with another number of columns than
        the header, a missing field or an invalid value, or unreadable CSV.

    Examples
    --------
    >>> read_omm_csv("gps.csv", "OBJECT_NAME,NORAD_CAT_ID")
    Traceback (most recent call last):
    ...
    gnss.errors.ElementError: gps.csv:1: expected an OMM CSV header with MEAN_MOTION, ...
    """
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _omm_csv_rows(path, reader)
    except csv.Error as exc:  # e.g. a field over csv's size limit
        raise element_error(
            path, reader.line_num, f"unreadable CSV ({exc})", "Give a CelesTrak OMM CSV file."
        ) from exc


def _omm_csv_rows(path: str, reader: csv.DictReader) -> list[Record]:
    out = []
    if not reader.fieldnames or "MEAN_MOTION" not in reader.fieldnames:
        raise element_error(
            path,
            1,
            f"expected an OMM CSV header with MEAN_MOTION, found {reader.fieldnames!r}",
            "Give a CelesTrak OMM CSV file, or a TLE/3LE or OMM JSON file.",
        )
    for row in reader:
        lineno = reader.line_num  # physical line: DictReader skips blank lines
        if None in row or any(v is None for v in row.values()):
            raise element_error(
                path,
                lineno,
                "the row has a different number of columns than the header",
                "The file may be truncated.",
            )
        out.append((row.get("OBJECT_NAME", "").strip(), lineno, _omm_satrec(path, lineno, row)))
    return out


def read_omm_json(path: str, text: str) -> list[Record]:
    """Return (name, record number, satrec) for each object of an OMM JSON document.

    Parameters
    ----------
    path : str
        The file the text came from (for messages).
    text : str
        A JSON list of OMM objects (a single object is read as a list of one).

    Returns
    -------
    list of (str, int, sgp4.api.Satrec)
        In document order; the record number (from 1) stands in for a line number.

    Raises
    ------
    ElementError
        For invalid JSON, a document that is no list of objects, a missing field or an
        invalid value.

    Examples
    --------
    >>> read_omm_json("gps.json", '["GPS BIIR-2"]')
    Traceback (most recent call last):
    ...
    gnss.errors.ElementError: gps.json: expected a JSON list of OMM objects, but item 1 ...
    """
    try:
        records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise element_error(
            path,
            exc.lineno,
            f"invalid JSON ({exc.msg})",
            "The file may be truncated; download it again.",
        ) from exc
    except RecursionError as exc:
        raise element_error(
            path, None, "JSON nested too deeply", "Use CelesTrak's FORMAT=json output."
        ) from exc
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        found = f"a JSON {type(records).__name__}"
    else:
        bad = next((k for k, r in enumerate(records) if not isinstance(r, dict)), None)
        found = None if bad is None else f"item {bad + 1} is a {type(records[bad]).__name__}"
    if found is not None:
        raise element_error(
            path,
            None,
            f"expected a JSON list of OMM objects, but {found}",
            "Use CelesTrak's FORMAT=json output.",
        )
    out = []
    for k, rec in enumerate(records):
        fields = {key: str(value) for key, value in rec.items()}
        # The record number stands in for a line number in JSON files.
        out.append((fields.get("OBJECT_NAME", "").strip(), k + 1, _omm_satrec(path, k + 1, fields)))
    return out
