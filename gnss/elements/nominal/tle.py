"""TLE output of nominal slots: the two element lines of a slot, and a plain 3-line TLE file.

The lines come from ``sgp4.exporter.export_tle`` on the slot's SGP4 satellite, so a file read
back gives the same satellites; files are written atomically (temporary name, then rename).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sgp4.exporter import export_tle

from gnss.errors import OutputError
from gnss.io import atomic_write

from .slot import NominalSlot, slot_satrec


def tle_lines(slot: NominalSlot) -> tuple[str, str]:
    """Line 1 and line 2 of a slot's TLE (checksums included).

    Parameters
    ----------
    slot : NominalSlot
        Record from one of the ``*_slots`` functions.

    Returns
    -------
    tuple of str
        The two 69-character element lines.

    Examples
    --------
    >>> from gnss.elements.nominal import gps_slots
    >>> line1, line2 = tle_lines(gps_slots()[0])
    >>> line1[:32]
    '1 90201U          26001.00000000'
    """
    line1, line2 = export_tle(slot_satrec(slot))
    return line1, line2


def write_tle(slots: Sequence[NominalSlot], path: str | os.PathLike) -> Path:
    """Write slots as a plain 3-line TLE file (name, line 1, line 2; LF line ends; no comments).

    The file is written to a temporary name in the same folder and renamed, so a failure never
    leaves a half-written file.

    Parameters
    ----------
    slots : sequence of NominalSlot
        Records to write, in order.
    path : str or PathLike
        Output file; its folder must exist. An existing file is replaced.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    OutputError
        If the folder does not exist or cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from gnss.elements.nominal import gps_slots
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_tle(gps_slots(), pathlib.Path(d) / "gps.tle")
    ...     len(p.read_text().splitlines())
    72
    """
    path = Path(path)
    text = "".join(f"{s.name}\n{l1}\n{l2}\n" for s in slots for l1, l2 in [tle_lines(s)])
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(
            f"{path}: expected an existing folder {folder}, found none; fix: create it first"
        )
    try:
        atomic_write(path, lambda tmp: Path(tmp).write_text(text, "ascii", newline="\n"))
    except OSError as exc:
        raise OutputError(f"{path}: could not write ({exc}); fix: check permissions") from exc
    return path
