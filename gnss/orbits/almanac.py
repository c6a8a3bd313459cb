"""GPS almanac records, and the YUMA reader (plain text); SEM is in :mod:`.almanac_sem`.

* **YUMA** (the U.S. Coast Guard NAVCEN text format, also published by QZSS for its
  satellites, IDs 193-202): per satellite a ``******** Week W almanac for PRN-NN ********``
  line and 13 ``name: value`` lines; angles in radians, the inclination in full.
* **SEM** (NAVCEN "System Effectiveness Model" format): a header ``<n> <name>`` and
  ``<week> <t_oa>``, then per satellite PRN, SVN, URA, three lines of three numbers
  and the health and configuration lines; angles in semicircles, the inclination as
  the offset from 0.30 semicircles (IS-GPS-200 20.3.3.5.1.3).

Both carry the GPS week modulo 1024 (a 10-bit week); the full week is chosen by
:mod:`gnss.orbits.almanac_orbit`. Malformed files are refused with a
:class:`~gnss.orbits.reference.ReferenceOrbitError` naming file:line, what was
expected, what was found and the fix.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..inputfile import MAX_REFERENCE_FILE_BYTES, check_input_file
from .reference import ReferenceOrbitError

#: Reference inclination of the SEM/subframe almanac, semicircles (IS-GPS-200 20.3.3.5.1.3).
SEM_REFERENCE_INCLINATION_SEMI = 0.30
#: Plausible sqrt(A), m^0.5: orbit radii 20 000-55 000 km (GNSS MEO to QZSS IGSO apogee).
SQRT_A_RANGE = (math.sqrt(20_000e3), math.sqrt(55_000e3))
#: QZSS almanac IDs (PRN 193-202 -> J01-J10, IS-QZSS-PNT).
_QZSS_FIRST_ID = 193
_YUMA_KEYS = (
    ("id", "ID"),
    ("health", "Health"),
    ("eccentricity", "Eccentricity"),
    ("timeofapplicability", "Time of Applicability(s)"),
    ("orbitalinclination", "Orbital Inclination(rad)"),
    ("rateofrightascen", "Rate of Right Ascen(r/s)"),
    ("sqrt(a)", "SQRT(A)  (m 1/2)"),
    ("rightascenatweek", "Right Ascen at Week(rad)"),
    ("argumentofperigee", "Argument of Perigee(rad)"),
    ("meananom", "Mean Anom(rad)"),
    ("af0", "Af0(s)"),
    ("af1", "Af1(s/s)"),
    ("week", "week"),
)
_YUMA_HEADER = re.compile(r"^\*+\s*week\s+(\d+)\s+almanac\s+for\s+prn-?\s*(\d+)\s*\*+$", re.I)


@dataclass(frozen=True)
class AlmanacRecord:
    """One satellite's almanac, in IS-GPS-200 units (radians, seconds, metres).

    Attributes
    ----------
    prn : str
        ``"G01"`` ... ``"G63"``, ``"J01"`` ... (QZSS IDs 193-202).
    health : int
        The file's health value (0: healthy for GPS).
    eccentricity : float
    toa_s : float
        Time of applicability, seconds of the GPS week.
    week : int
        GPS week as the file gives it (modulo 1024 when below 1024).
    inclination_rad : float
        Full inclination (SEM: 0.30 semicircles plus the file's offset).
    omega_dot_rad_s : float
        Rate of right ascension.
    sqrt_a_m05 : float
        Square root of the semi-major axis, m^0.5.
    omega0_rad, arg_perigee_rad, mean_anomaly_rad : float
        Longitude of the ascending node at the week start, argument of perigee, mean
        anomaly at ``toa_s``.
    af0_s, af1_s_s : float
        Clock terms (not used for positions).
    line : int
        Line of the file where the record starts (0 for records not read from a file).
    """

    prn: str
    health: int
    eccentricity: float
    toa_s: float
    week: int
    inclination_rad: float
    omega_dot_rad_s: float
    sqrt_a_m05: float
    omega0_rad: float
    arg_perigee_rad: float
    mean_anomaly_rad: float
    af0_s: float
    af1_s_s: float
    line: int = 0


@dataclass(frozen=True)
class Almanac:
    """The records of one almanac file: ``path``, ``format`` ("YUMA" or "SEM"), ``records``."""

    path: str
    format: str
    records: tuple[AlmanacRecord, ...]


def almanac_error(where: str, expected: str, got: str, fix: str) -> ReferenceOrbitError:
    """Build the error for ``where`` (file:line): expected, got, the fix."""
    return ReferenceOrbitError(f"{where}: expected {expected}, got {got!r}; {fix}")


def prn_of(where: str, number: int) -> str:
    """Return ``G01``.. for GPS PRNs 1-63 and ``J01``.. for QZSS IDs 193-202."""
    if 1 <= number <= 63:
        return f"G{number:02d}"
    if _QZSS_FIRST_ID <= number < _QZSS_FIRST_ID + 10:
        return f"J{number - _QZSS_FIRST_ID + 1:02d}"
    raise almanac_error(
        where, "a GPS PRN 1-63 or a QZSS ID 193-202", str(number), "check the record"
    )


def read_lines(path: str | os.PathLike) -> tuple[Path, list[str]]:
    """Check the file (exists, regular, size) and return its ASCII lines."""
    p = Path(path)
    if not p.exists():
        raise ReferenceOrbitError(f"{p}: does not exist; give a YUMA or SEM almanac file")
    check_input_file(
        p, what="almanac file", max_bytes=MAX_REFERENCE_FILE_BYTES, error=ReferenceOrbitError
    )
    try:
        return p, p.read_text(encoding="ascii").splitlines()
    except UnicodeDecodeError as exc:
        raise ReferenceOrbitError(
            f"{p}: expected a plain-text (ASCII) almanac, got a byte {exc.object[exc.start]:#04x} "
            f"at offset {exc.start}; give an uncompressed YUMA or SEM file"
        ) from exc


def check_record(rec: AlmanacRecord, where: str) -> AlmanacRecord:
    """Refuse physically impossible values (a misread or corrupt file)."""
    checks = (
        (0.0 <= rec.eccentricity < 1.0, "an eccentricity in [0, 1)", rec.eccentricity),
        (0.0 <= rec.toa_s < 604800.0, "a time of applicability in [0, 604800) s", rec.toa_s),
        (
            SQRT_A_RANGE[0] <= rec.sqrt_a_m05 <= SQRT_A_RANGE[1],
            f"sqrt(A) {SQRT_A_RANGE[0]:.0f}-{SQRT_A_RANGE[1]:.0f} m^0.5 (GNSS orbits)",
            rec.sqrt_a_m05,
        ),
        (
            0.0 <= rec.inclination_rad <= math.pi,
            "an inclination in [0, pi] rad",
            rec.inclination_rad,
        ),
        (rec.week >= 0, "a GPS week >= 0", rec.week),
    )
    for ok, expected, got in checks:
        if not ok:
            raise almanac_error(
                f"{where} ({rec.prn})", expected, str(got), "the file is corrupt or misread"
            )
    return rec


def parse_number(where: str, text: str, what: str, integer: bool = False) -> float:
    """Parse a finite number (``D`` exponents too); refuse anything else."""
    try:
        value = float(text.strip().replace("D", "E").replace("d", "e"))
    except ValueError:
        raise almanac_error(
            where, f"a number ({what})", text.strip(), "fix or re-download the file"
        ) from None
    if not math.isfinite(value) or (integer and value != int(value)):
        raise almanac_error(
            where, f"a finite {'integer' if integer else 'number'} ({what})", text, "fix it"
        )
    return value


def read_yuma(path: str | os.PathLike) -> Almanac:
    """Read a YUMA almanac.

    Parameters
    ----------
    path : path
        The plain-text file.

    Returns
    -------
    Almanac

    Raises
    ------
    ReferenceOrbitError
        For a missing header line, a missing or misnamed field, a non-numeric value or
        an impossible one; the message names file:line, expected, got and the fix.
    """
    p, lines = read_lines(path)
    records: list[AlmanacRecord] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        records.append(_yuma_record(p, lines, i))
        i += 1 + len(_YUMA_KEYS)
    if not records:
        raise almanac_error(
            str(p),
            "YUMA records ('******** Week W almanac for PRN-NN ********')",
            "an empty file",
            "give a YUMA almanac",
        )
    return Almanac(str(p), "YUMA", tuple(records))


def _yuma_record(p: Path, lines: list[str], i: int) -> AlmanacRecord:
    head = _YUMA_HEADER.match(lines[i].strip())
    if head is None:
        raise almanac_error(
            f"{p}:{i + 1}",
            "'******** Week W almanac for PRN-NN ********'",
            lines[i].strip(),
            "each YUMA record starts with this line",
        )
    values: list[float] = []
    for k, (key, name) in enumerate(_YUMA_KEYS):
        n = i + 1 + k
        where = f"{p}:{n + 1}"
        text = lines[n] if n < len(lines) else "<end of file>"
        label, sep, value = text.partition(":")
        if not sep or not label.replace(" ", "").lower().startswith(key):
            raise almanac_error(
                where,
                f"'{name}: <value>'",
                text.strip(),
                "the 13 YUMA fields come in a fixed order; the file is truncated or edited",
            )
        integer = key in ("id", "health", "week")
        values.append(parse_number(where, value, name, integer))
    if int(values[0]) != int(head.group(2)) or int(values[12]) != int(head.group(1)):
        raise almanac_error(
            f"{p}:{i + 1}",
            f"ID {int(values[0])} and week {int(values[12])} as in the header line",
            lines[i].strip(),
            "make the header and the fields agree",
        )
    rec = AlmanacRecord(
        prn=prn_of(f"{p}:{i + 2}", int(values[0])),
        health=int(values[1]),
        eccentricity=values[2],
        toa_s=values[3],
        week=int(values[12]),
        inclination_rad=values[4],
        omega_dot_rad_s=values[5],
        sqrt_a_m05=values[6],
        omega0_rad=values[7],
        arg_perigee_rad=values[8],
        mean_anomaly_rad=values[9],
        af0_s=values[10],
        af1_s_s=values[11],
        line=i + 1,
    )
    return check_record(rec, f"{p}:{i + 1}")
