"""Read element files (TLE/3LE, OMM CSV, OMM JSON) into a :class:`Constellation`.

This is the loader: it reads each file (a regular file, capped, UTF-8), detects its format
from the content, hands the text to the parser of that format (:mod:`gnss.elements.tle`,
:mod:`gnss.elements.omm`), checks and classifies each record (:mod:`gnss.elements.checks`)
and returns the satellites with what was skipped and why (:mod:`gnss.elements.constellation`).
Every problem with a file is an :class:`~gnss.errors.ElementError` that names the file, the
line, what was wrong and how to fix it.

The result types are re-exported here, their import path since the first release.
"""

from __future__ import annotations

import hashlib
import json
import os

from ..errors import ElementError
from ..inputfile import MAX_ELEMENT_FILE_BYTES, read_input_file
from .checks import check_record, drop_duplicates
from .constellation import Constellation, ElementSource, Satellite, Skipped, skipped_lines
from .omm import read_omm_csv, read_omm_json
from .records import element_error
from .tle import read_tle

__all__ = [
    "Constellation",
    "ElementSource",
    "Satellite",
    "Skipped",
    "read_elements",
    "skipped_lines",
]


def _sniff(path: str, text: str) -> str:
    head = text.lstrip()[:200]
    if head.startswith(("[", "{")):
        return "json"
    if head.startswith(("CCSDS_OMM_VERS", "OBJECT_NAME")) or "MEAN_MOTION" in head.splitlines()[0]:
        return "csv"
    try:  # a JSON scalar (42, "x", true, null) is no TLE name line
        value = json.loads(text)
    except (ValueError, RecursionError):
        return "tle"
    raise element_error(
        path,
        None,
        f"the file is a JSON {type(value).__name__} ({_short(text.strip())}), "
        "expected a JSON list of OMM objects, an OMM CSV table or TLE/3LE lines",
        "Use CelesTrak's FORMAT=json (or csv, tle) output.",
    )


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def read_elements(paths: str | os.PathLike | list[str | os.PathLike]) -> Constellation:
    """Read element files (TLE/3LE, OMM CSV or OMM JSON; detected from the content).

    Parameters
    ----------
    paths : path or list of paths
        Element files. CelesTrak's ``FORMAT=tle``, ``csv`` and ``json`` are all
        accepted; the format is detected from the content, not the suffix.

    Returns
    -------
    Constellation
        Classified satellites. Listed in ``skipped`` with ``file:line`` and the
        reason instead: records with a non-finite or out-of-range element (or an
        sgp4 initialisation error), names that match no GNSS, orbits that do not
        fit their system (:data:`gnss.elements.classify.ORBIT_BANDS`), and duplicates (the
        same catalogue number, or the same system + PRN from another catalogue
        number: the older epoch).

    Raises
    ------
    ElementError
        For an unreadable, empty or malformed file, a FIFO, device or folder, a
        file over :data:`gnss.inputfile.MAX_ELEMENT_FILE_BYTES`, or a JSON
        document that is no list of OMM objects; the message names the file and
        line and says how to fix it.

    Examples
    --------
    >>> from gnss import read_elements, nominal_element_files
    >>> con = read_elements(nominal_element_files(["R"]))
    >>> con.counts()
    {'R': 24}
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not paths:
        raise ElementError("no element files given. Pass at least one TLE/3LE or OMM file.")
    sats: list[Satellite] = []
    skipped: list[Skipped] = []
    sources: list[ElementSource] = []
    for p in paths:
        path = str(p)
        text, data = _read_text(path)
        kind = _sniff(path, text)
        reader = {"tle": read_tle, "csv": read_omm_csv, "json": read_omm_json}[kind]
        records = reader(path, text)
        if not records:
            raise element_error(
                path,
                None,
                f"no element sets found (read as {kind.upper()})",
                "Check the file format.",
            )
        sources.append(ElementSource(path, hashlib.sha256(data).hexdigest(), len(records)))
        for name, lineno, satrec in records:
            sat = check_record(name, f"{path}:{lineno}", satrec)
            (sats if isinstance(sat, Satellite) else skipped).append(sat)
    sats, dups = drop_duplicates(sats)
    return Constellation(tuple(sats), tuple(skipped + dups), tuple(sources))


def _read_text(path: str) -> tuple[str, bytes]:
    """Text and bytes of an element file: a regular file, capped, UTF-8, not empty."""
    data = read_input_file(
        path, what="element file", max_bytes=MAX_ELEMENT_FILE_BYTES, error=ElementError
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise element_error(
            path,
            None,
            f"not a text file (byte {exc.start} is not UTF-8)",
            "Give a TLE/3LE or OMM file.",
        ) from exc
    if not text.strip():
        raise element_error(
            path,
            None,
            "the file is empty",
            "Download the element set again or give another file.",
        )
    return text, data
