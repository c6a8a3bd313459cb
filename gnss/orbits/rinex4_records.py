"""RINEX 4 navigation records: the file split into records, and the record layouts.

A RINEX 4.00-4.02 navigation file is a header and records, each opened by a line
``> EPH G01 LNAV`` (also ``STO``, ``EOP``, ``ION``). :func:`read_blocks` splits a
plain or gzip file into :class:`Block` objects with their line numbers;
:func:`record_fields` turns an ``EPH`` block into the field dictionary that
georinex builds from RINEX 3 (same names, GLONASS kilometres made metres), so the
RINEX 3 machinery of :mod:`gnss.orbits.rinexnav` evaluates them unchanged.
The CNAV-type records (GPS/QZSS CNAV and CNV2, BeiDou CNV1/CNV2/CNV3) add
``Adot`` and ``DeltaNdot`` (IS-GPS-200 Table 30-II, BDS-SIS-ICD-B1C 7.8).

Layouts: RINEX 4.02 (IGS/RTCM, 2024) Tables A1-A40, checked on the two RINEX 4 files
of ``../shared/data/rinex_nav``. GPS CNAV puts t_op where LNAV has t_oe (CNAV's
t_oe is the record's epoch), BeiDou CNAV keeps t_oe there.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from ..constants import PZ90_EARTH_ROTATION_RATE_RAD_PER_S, PZ90_GM_M3_S2
from ..inputfile import MAX_REFERENCE_FILE_BYTES, check_input_file
from .reference import DAY_S, ReferenceOrbitError

_KEPLER_HEAD = (
    "SVclockBias SVclockDrift SVclockDriftRate {iod} Crs DeltaN M0 Cuc Eccentricity Cus sqrtA "
    "{toe} Cic Omega0 Cis Io Crc omega OmegaDot IDOT "
)
_LNAV = _KEPLER_HEAD.format(iod="IODE", toe="Toe") + (
    "CodesL2 GPSWeek L2Pflag SVacc health TGD IODC TransTime FitIntvl"
)
_CNAV = _KEPLER_HEAD.format(iod="Adot", toe="t_op") + (
    "DeltaNdot URAI_NED0 URAI_NED1 URAI_ED health TGD URAI_NED2 ISC_L1CA ISC_L2C ISC_L5I5 ISC_L5Q5"
)
_BDS_CNAV = _KEPLER_HEAD.format(iod="Adot", toe="Toe") + (
    "DeltaNdot SatType t_op SISAI_oe SISAI_ocb SISAI_oc1 SISAI_oc2 "
)
#: Field names per (system, message type), in file order; "-" is a spare or blank slot.
LAYOUTS: dict[tuple[str, str], list[str]] = {
    ("G", "LNAV"): _LNAV.split(),
    ("J", "LNAV"): _LNAV.split(),
    ("G", "CNAV"): (_CNAV + " TransTime GPSWeek").split(),
    ("J", "CNAV"): (_CNAV + " TransTime GPSWeek").split(),
    ("G", "CNV2"): (_CNAV + " ISC_L1Cd ISC_L1Cp - - TransTime GPSWeek").split(),
    ("J", "CNV2"): (_CNAV + " ISC_L1Cd ISC_L1Cp - - TransTime GPSWeek").split(),
    ("E", "INAV"): (
        _KEPLER_HEAD.format(iod="IODnav", toe="Toe")
        + "DataSrc GALWeek - SISA health BGDe5a BGDe5b TransTime"
    ).split(),
    ("C", "D1"): (
        _KEPLER_HEAD.format(iod="AODE", toe="Toe")
        + "- BDTWeek - SVacc SatH1 TGD1 TGD2 TransTime AODC"
    ).split(),
    ("C", "CNV1"): (
        _BDS_CNAV
        + "ISC_B1Cd - TGD_B1Cp TGD_B2ap SISMAI SatH1 IntegrityFlags IODC TransTime - - IODE"
    ).split(),
    ("C", "CNV2"): (
        _BDS_CNAV
        + "- ISC_B2ad TGD_B1Cp TGD_B2ap SISMAI SatH1 IntegrityFlags IODC TransTime - - IODE"
    ).split(),
    ("C", "CNV3"): (_BDS_CNAV + "SISMAI SatH1 IntegrityFlags TGD_B2bI TransTime").split(),
    ("R", "FDMA"): (
        "SVclockBias SVrelFreqBias MessageFrameTime X dX dX2 health Y dY dY2 FreqNum "
        "Z dZ dZ2 AgeOpInfo StatusFlags dTauN URAI HealthFlags"
    ).split(),
}
LAYOUTS[("E", "FNAV")] = LAYOUTS[("E", "INAV")]
LAYOUTS[("C", "D2")] = LAYOUTS[("C", "D1")]

#: Lines (epoch line included) of record types read but not evaluated (SBAS, NavIC).
_OTHER_LINES = {("S", "SBAS"): 4, ("I", "LNAV"): 8}
#: GLONASS state-vector fields given in km, km/s, km/s^2 (made m, m/s, m/s^2).
_GLONASS_KM = ("X", "dX", "dX2", "Y", "dY", "dY2", "Z", "dZ", "dZ2")
#: GLONASS semi-major axis (km) a state vector must give: 25 510 km nominal, e < 0.01.
_GLONASS_A_KM = (25_000.0, 26_000.0)
#: Keplerian records: semi-major axis (km) of the system's orbits. GPS 26 560 km;
#: Galileo 29 600 km (E14/E18 on their 27 978 km injection orbit); BeiDou MEO 27 906 km,
#: IGSO/GEO 42 164 km; QZSS 42 164 km.
_KEPLER_A_KM = {
    "G": ((26_000.0, 27_100.0),),
    "E": ((27_500.0, 30_100.0),),
    "C": ((27_500.0, 28_500.0), (41_500.0, 43_000.0)),
    "J": ((41_500.0, 43_000.0),),
}
#: Most a record's t_oe may be from its epoch t_oc (s): equal in the systems' messages,
#: apart from a GPS/QZSS LNAV fit interval of 4 h.
_TOE_TOC_MAX_S = 4 * 3600.0
#: Fields per line: 3 on the epoch line after the 23-character SV/epoch, then 4 of 19.
_FIELD_W = 19


@dataclass
class Block:
    """One record of the file: ``> KIND SV MSG`` and the lines after it."""

    path: Path
    line: int  # 1-based number of the "> " line
    kind: str  # EPH, STO, EOP, ION
    sv: str  # "G01"; for STO/EOP/ION as written ("R" alone is allowed there)
    msg: str  # LNAV, CNAV, ...
    lines: list[str]

    @property
    def where(self) -> str:
        """``file:line`` of the record's first line."""
        return f"{self.path}:{self.line}"


def expected_lines(sysl: str, msg: str) -> int | None:
    """Lines of an EPH record (epoch line included); None for an unknown record type."""
    if (sysl, msg) in LAYOUTS:
        n = len(LAYOUTS[(sysl, msg)])
        return 1 + -(-(n - 3) // 4)  # the epoch line, then 4 fields a line
    return _OTHER_LINES.get((sysl, msg))


def read_text_lines(p: Path) -> list[str]:
    """All lines of a plain or gzip file; a damaged gzip stream is a ReferenceOrbitError."""
    if not p.exists():
        raise ReferenceOrbitError(f"{p}: does not exist; give a RINEX 4 navigation file")
    # A FIFO or device would block; a huge file is no daily navigation file.
    check_input_file(
        p,
        what="RINEX navigation file",
        max_bytes=MAX_REFERENCE_FILE_BYTES,
        error=ReferenceOrbitError,
    )
    try:
        with p.open("rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        opener = gzip.open if gz else open
        with opener(p, "rb") as fh:
            raw = fh.read()
    except (EOFError, OSError, zlib.error) as exc:
        raise ReferenceOrbitError(
            f"{p}: the gzip stream is truncated or corrupt ({type(exc).__name__}: {exc}); "
            "expected a complete RINEX navigation file, download it again"
        ) from exc
    return raw.decode("latin-1").splitlines()


def read_blocks(p: Path, lines: list[str], first: int) -> list[Block]:
    """Split the lines after the header (index ``first``) into records."""
    blocks: list[Block] = []
    for i in range(first, len(lines)):
        ln = lines[i]
        if ln.startswith(">"):
            sv = ln[6:9].strip()
            blocks.append(Block(p, i + 1, ln[2:5].strip(), sv, ln[10:15].strip(), []))
        elif blocks:
            blocks[-1].lines.append(ln)
        elif ln.strip():
            raise ReferenceOrbitError(
                f"{p}:{i + 1}: expected a record line '> EPH Gnn LNAV' (RINEX 4) after the "
                f"header, got {ln[:40]!r}; the file is not RINEX 4 navigation or is corrupt"
            )
    return blocks


def check_length(b: Block) -> bool:
    """Refuse a truncated EPH record; False for a record type that is not known."""
    n = expected_lines(b.sv[:1], b.msg)
    if n is None:
        return False
    body = [ln for ln in b.lines if ln.strip()]
    if len(body) < n:
        raise ReferenceOrbitError(
            f"{b.where}: {b.sv} {b.msg} record has {len(body)} of its {n} lines (epoch line "
            "included); the file is truncated or corrupt, download it again"
        )
    for k, ln in enumerate(b.lines):
        # Fields are right-aligned in 19 columns from column 5 (24 on the epoch line), so a
        # line ends on a field boundary; one that does not was cut in the middle of a number.
        end = len(ln.rstrip())
        if end and (end - 4) % _FIELD_W:
            raise ReferenceOrbitError(
                f"{b.path}:{b.line + 1 + k}: {b.sv} {b.msg} line ends at column {end}, expected "
                f"fields of {_FIELD_W} columns ending at column 4 + 19 n; the line is cut (the "
                "file is truncated or corrupt), download it again"
            )
    return True


def record_epoch(b: Block) -> np.datetime64:
    """Read the record's epoch (t_oc; system time, UTC for GLONASS) from its first line."""
    ln = b.lines[0]
    if ln[:3].replace(" ", "0") != b.sv:
        raise ReferenceOrbitError(
            f"{b.where}: expected the epoch line of {b.sv} after '> EPH {b.sv} {b.msg}', got "
            f"{ln[:23]!r}; the file is corrupt"
        )
    try:
        y, mo, d, h, mi, s = (int(x) for x in ln[4:23].split())
        return np.datetime64(datetime(y, mo, d, h, mi, s), "ns")
    except ValueError as exc:
        raise ReferenceOrbitError(
            f"{b.path}:{b.line + 1}: expected an epoch 'YYYY MM DD hh mm ss' in columns 5-23, "
            f"got {ln[4:23]!r}; the file is corrupt"
        ) from exc


def record_fields(b: Block, toc: np.datetime64) -> dict[str, float]:
    """Read an EPH record's fields, named as georinex names RINEX 3 ones (blanks left out)."""
    names = LAYOUTS[(b.sv[0], b.msg)]
    body = [ln for ln in b.lines if ln.strip()]
    vals: dict[str, float] = {}
    for k, name in enumerate(names):
        row, col = (0, 23 + k * _FIELD_W) if k < 3 else (1 + (k - 3) // 4, 4 + (k - 3) % 4 * 19)
        text = body[row][col : col + _FIELD_W].strip()
        if name == "-" or not text:
            continue
        try:
            vals[name] = float(text.replace("D", "E").replace("d", "e"))
        except ValueError as exc:
            raise ReferenceOrbitError(
                f"{b.path}:{b.line + 1 + row}: {b.sv} {b.msg} field {name}: expected a number in "
                f"columns {col + 1}-{col + _FIELD_W}, got {text!r}; the file is corrupt"
            ) from exc
    if b.sv[0] == "R":
        for k in _GLONASS_KM:
            if k in vals:
                vals[k] *= 1000.0  # km -> m, as georinex does
    elif b.msg in ("CNAV", "CNV2") and b.sv[0] in "GJ":
        vals["Toe"] = seconds_of_week(toc)  # GPS/QZSS CNAV: t_oe = t_oc
    return vals


def seconds_of_week(t: np.datetime64) -> float:
    """Seconds since the start of the GPS week (Sunday 00:00) of a naive epoch."""
    day = t.astype("datetime64[D]")
    dow = (day.astype(np.int64) - np.datetime64("1980-01-06", "D").astype(np.int64)) % 7
    return float(dow) * DAY_S + (t - day.astype("datetime64[ns]")).astype(np.int64) * 1e-9


def plausible(sysl: str, vals: dict[str, float], toc_sow: float) -> bool:
    """Tell whether a record describes a GNSS orbit (catches writers' errors, e.g. X as Y and Z)."""
    if sysl == "R":
        x, y, z = vals["X"], vals["Y"], vals["Z"]
        r = np.sqrt(x * x + y * y + z * z)
        # Inertial velocity: PZ-90 velocity plus the Earth's rotation (omega x r).
        vx = vals["dX"] - PZ90_EARTH_ROTATION_RATE_RAD_PER_S * y
        vy = vals["dY"] + PZ90_EARTH_ROTATION_RATE_RAD_PER_S * x
        v2 = vx * vx + vy * vy + vals["dZ"] ** 2
        energy = 2.0 / r - v2 / PZ90_GM_M3_S2
        a_km = 1.0 / energy / 1000.0 if energy > 0 else np.inf  # vis-viva
        return _GLONASS_A_KM[0] < a_km < _GLONASS_A_KM[1]
    a_km = vals["sqrtA"] ** 2 / 1000.0
    d_s = abs((vals["Toe"] - toc_sow + 302_400.0) % 604_800.0 - 302_400.0)
    return (
        any(lo < a_km < hi for lo, hi in _KEPLER_A_KM[sysl])
        and 0.0 <= vals["Eccentricity"] < 0.5
        and 0.0 <= vals["Toe"] < 604_800.0
        and d_s <= _TOE_TOC_MAX_S
    )
