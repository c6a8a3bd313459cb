"""TLE and 3LE text: find each record, check what sgp4 does not, build its SGP4 model.

The element values are parsed by :meth:`sgp4.api.Satrec.twoline2rv`. This module checks
what sgp4 does not: line lengths, checksums, a line 2 after each line 1, matching catalogue
numbers on both lines and a name line followed by its element lines. Each problem is an
:class:`~gnss.errors.ElementError` naming ``file:line`` and the fix.
"""

from __future__ import annotations

from sgp4.api import Satrec
from sgp4.exporter import compute_checksum

from ..constants import SGP4_GRAVITY_MODEL
from .records import Record, element_error

_TLE_LINE_LENGTH = 69  # columns 1-69, column 69 is the checksum (CelesTrak/NORAD TLE format)


def _check_tle_line(path: str, lineno: int, text: str, which: str) -> None:
    if len(text) != _TLE_LINE_LENGTH:
        raise element_error(
            path,
            lineno,
            f"TLE line {which} has {len(text)} characters, expected {_TLE_LINE_LENGTH}: {text!r}",
            "The file may be truncated or re-wrapped; download it again or fix the line.",
        )
    if not text[68].isdigit():
        raise element_error(
            path,
            lineno,
            f"TLE line {which} column 69 should be the checksum digit, found {text[68]!r}",
            "Download the element set again.",
        )
    want = compute_checksum(text)
    if want != int(text[68]):
        raise element_error(
            path,
            lineno,
            f"TLE line {which} checksum is {text[68]}, but the line's digits give {want}",
            "The line is corrupt (a changed digit); download the element set again.",
        )


def _element_lines(path: str, lines: list[str], i: int) -> Satrec:
    """Check the line 1 at index ``i`` and the line 2 after it; return their SGP4 model."""
    lineno = i + 1
    if i + 1 >= len(lines) or not lines[i + 1].startswith("2 "):
        got = lines[i + 1].rstrip() if i + 1 < len(lines) else "end of file"
        raise element_error(
            path,
            lineno + 1,
            f"expected TLE line 2 (starting '2 ') after line 1, found {got!r}",
            "Each element set needs line 1 followed by line 2; the file may be truncated.",
        )
    l1, l2 = lines[i].rstrip(), lines[i + 1].rstrip()
    _check_tle_line(path, lineno, l1, "1")
    _check_tle_line(path, lineno + 1, l2, "2")
    if l1[2:7] != l2[2:7]:
        raise element_error(
            path,
            lineno,
            f"catalogue numbers differ between line 1 ({l1[2:7]!r}) and line 2 ({l2[2:7]!r})",
            "The two lines belong to different satellites; fix the file.",
        )
    try:
        return Satrec.twoline2rv(l1, l2, SGP4_GRAVITY_MODEL)
    except Exception as exc:  # sgp4 raises ValueError with its own text
        raise element_error(
            path, lineno, f"sgp4 cannot read this element set ({exc})", "Fix or remove it."
        ) from exc


def _name_line(
    path: str, raw: str, lineno: int, pending_name: tuple[str, int] | None
) -> tuple[str, int]:
    """Check a line that is neither blank nor a line 1; return it as (name, line number)."""
    if raw.startswith("2 "):
        raise element_error(
            path,
            lineno,
            "found TLE line 2 without a line 1 before it",
            "The file may be truncated or two lines swapped; download it again.",
        )
    if pending_name is not None:
        raise element_error(
            path,
            pending_name[1] + 1,
            f"expected TLE line 1 (starting '1 ') after the name {pending_name[0]!r}, "
            f"found {raw!r}",
            "Each 3LE record is a name line, line 1 and line 2; the file may be truncated.",
        )
    name = raw[2:] if raw.startswith("0 ") else raw
    return name.strip(), lineno


def read_tle(path: str, text: str) -> list[Record]:
    """Return (name, first line number, satrec) for each record of a TLE/3LE text.

    Parameters
    ----------
    path : str
        The file the text came from (for messages).
    text : str
        Its content: two-line element sets, each optionally after a name line (3LE; a
        leading ``"0 "`` is dropped). Blank lines are ignored.

    Returns
    -------
    list of (str, int, sgp4.api.Satrec)
        In file order; a record without a name line is named ``"NORAD <number>"``.

    Raises
    ------
    ElementError
        For a wrong line length or checksum, a line 1 without its line 2 (or the reverse),
        different catalogue numbers on the two lines, a name without element lines, or an
        element set sgp4 cannot read; the message names ``file:line`` and the fix.

    Examples
    --------
    >>> from gnss import nominal_element_files
    >>> path = nominal_element_files(["R"])[0]
    >>> records = read_tle(str(path), path.read_text())
    >>> len(records), records[0][1]
    (24, 1)
    """
    lines = text.splitlines()
    out: list[Record] = []
    i = 0
    pending_name: tuple[str, int] | None = None
    while i < len(lines):
        raw = lines[i].rstrip()
        lineno = i + 1
        if not raw.strip():
            i += 1
            continue
        if raw.startswith("1 "):
            sat = _element_lines(path, lines, i)
            if name_info := pending_name:
                name, first = name_info
            else:
                name, first = f"NORAD {sat.satnum}", lineno
            out.append((name, first, sat))
            pending_name = None
            i += 2
            continue
        pending_name = _name_line(path, raw, lineno, pending_name)
        i += 1
    if pending_name is not None:
        raise element_error(
            path,
            pending_name[1],
            f"the name {pending_name[0]!r} has no element lines after it",
            "The file is truncated; download it again.",
        )
    return out
