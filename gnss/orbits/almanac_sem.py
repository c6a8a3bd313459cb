"""SEM almanac files (the NAVCEN "System Effectiveness Model" text format), GPS only.

A header ``<n> <name>`` and ``<week> <t_oa>`` (week modulo 1024), then per satellite
8 lines: PRN, SVN, URA index, three lines of three numbers (angles in semicircles, the
inclination as the offset from 0.30 semicircles, IS-GPS-200 20.3.3.5.1.3), health and
configuration. Numbers may touch (``0.6E-02-0.2E-08``); each line must hold exactly
its numbers. QZSS records are refused: their inclination reference differs.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from .almanac import (
    SEM_REFERENCE_INCLINATION_SEMI,
    Almanac,
    AlmanacRecord,
    almanac_error,
    check_record,
    parse_number,
    prn_of,
    read_lines,
)

#: What each of the 8 lines of a SEM record holds.
_SEM_LINES = (
    "the PRN",
    "the SVN",
    "the URA index",
    "eccentricity, inclination offset (semicircles), right ascension rate (semicircles/s)",
    "sqrt(A) (m^0.5), longitude of the node (semicircles), argument of perigee (semicircles)",
    "mean anomaly (semicircles), af0 (s), af1 (s/s)",
    "the health",
    "the configuration",
)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[EeDd][-+]?\d+)?")


def read_sem(path: str | os.PathLike) -> Almanac:
    """Read a SEM almanac (angles in semicircles, inclination offset from 0.30 semicircles).

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
        For a bad header, a record with missing or extra numbers, a record count that
        differs from the header, or impossible values (file:line, expected, got, fix).
    """
    p, raw = read_lines(path)
    lines = [(n + 1, line) for n, line in enumerate(raw) if line.strip()]
    if len(lines) < 2:
        raise almanac_error(
            f"{p}:1",
            "a SEM header '<n records> <name>' and '<week> <t_oa>'",
            raw[0] if raw else "an empty file",
            "give a SEM almanac",
        )
    (n0, l0), (n1, l1) = lines[0], lines[1]
    count = _sem_numbers(p, n0, l0.split()[:1], 1, "the record count")[0]
    week, toa = _sem_numbers(p, n1, l1, 2, "the GPS week and the time of applicability")
    body = lines[2:]
    if len(body) != 8 * int(count) or count < 1:
        got = f"{len(body)} non-blank lines ({len(body) / 8:.1f} records)"
        raise almanac_error(
            f"{p}:{n0}",
            f"{int(count)} records of 8 lines as the header says",
            got,
            "the file is truncated or the header count is wrong",
        )
    records = [_sem_record(p, body[8 * k : 8 * k + 8], int(week), toa) for k in range(int(count))]
    return Almanac(str(p), "SEM", tuple(records))


def _sem_numbers(p: Path, n: int, line, count: int, what: str) -> list[float]:
    text = line if isinstance(line, str) else " ".join(line)
    found = _NUMBER.findall(text)
    if len(found) != count or _NUMBER.sub("", text).strip():
        raise almanac_error(
            f"{p}:{n}",
            f"{count} number(s): {what}",
            text.strip(),
            "the SEM layout is fixed (see the format description); fix the line",
        )
    return [parse_number(f"{p}:{n}", x, what) for x in found]


def _sem_record(p: Path, rows: list[tuple[int, str]], week: int, toa: float) -> AlmanacRecord:
    """One SEM record: PRN, SVN, URA, 3x3 orbit and clock numbers, health, configuration."""
    what = _SEM_LINES
    counts = (1, 1, 1, 3, 3, 3, 1, 1)
    vals = [
        _sem_numbers(p, n, line, c, w) for (n, line), c, w in zip(rows, counts, what, strict=True)
    ]
    prn_number = int(vals[0][0])
    prn = prn_of(f"{p}:{rows[0][0]}", prn_number)
    if prn[0] != "G":
        raise almanac_error(
            f"{p}:{rows[0][0]}",
            "a GPS PRN 1-63 (SEM inclinations are offsets from the GPS 0.30 semicircles)",
            str(prn_number),
            "use a YUMA file for QZSS",
        )
    (e, di, odot), (sqrt_a, om0, w), (m0, af0, af1) = vals[3], vals[4], vals[5]
    rec = AlmanacRecord(
        prn=prn,
        health=int(vals[6][0]),
        eccentricity=e,
        toa_s=toa,
        week=week,
        inclination_rad=(SEM_REFERENCE_INCLINATION_SEMI + di) * math.pi,
        omega_dot_rad_s=odot * math.pi,
        sqrt_a_m05=sqrt_a,
        omega0_rad=om0 * math.pi,
        arg_perigee_rad=w * math.pi,
        mean_anomaly_rad=m0 * math.pi,
        af0_s=af0,
        af1_s_s=af1,
        line=rows[0][0],
    )
    return check_record(rec, f"{p}:{rows[0][0]}")
