"""Write YUMA and SEM almanacs, e.g. from the broadcast ephemerides of a RINEX navigation file.

:func:`almanac_from_broadcast` turns, per GPS/QZSS satellite, the healthy broadcast
record whose t_oe is nearest the chosen t_oa into an almanac record at that t_oa:
the mean anomaly advanced with the broadcast mean motion (n0 + delta-n), the node by
Omega-dot and the inclination by IDOT over t_oa - t_oe; af0 by af1. What an almanac
cannot carry is dropped: delta-n (folded into sqrt(A) by default), IDOT after t_oa and
the six harmonic corrections (Crc/Crs ~100-200 m, Cuc/Cus ~1e-6 rad ~30 m).
:func:`write_yuma` and :func:`write_sem` write the NAVCEN text formats that
:mod:`gnss.orbits.almanac` reads (weeks modulo 1024, as the formats have them).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..constants import GPS_GM_M3_S2
from .almanac import SEM_REFERENCE_INCLINATION_SEMI, AlmanacRecord
from .reference import ReferenceOrbitError

WEEK_S = 604800.0
_QZSS_FIRST_ID = 193


def almanac_from_broadcast(
    ds, week: int, toa_s: float, *, systems: str = "GJ", fold_delta_n: bool = True
) -> list[AlmanacRecord]:
    """Almanac records at (``week``, ``toa_s``) from broadcast ephemerides.

    Parameters
    ----------
    ds : xarray.Dataset
        Navigation records as :func:`georinex.load` reads a RINEX 3 file (variables
        ``sqrtA``, ``Eccentricity``, ``Io``, ``Omega0``, ``OmegaDot``, ``omega``, ``M0``,
        ``DeltaN``, ``IDOT``, ``Toe``, ``GPSWeek``, ``health``, ``SVclockBias``, ...).
    week : int
        Full GPS week of t_oa.
    toa_s : float
        Time of applicability, seconds of that week.
    systems : str
        System letters to write: ``"G"`` (GPS) and/or ``"J"`` (QZSS, IDs 193-202).
    fold_delta_n : bool
        Put delta-n into sqrt(A): the semi-major axis whose Keplerian mean motion is
        n0 + delta-n, as an almanac fitted over an arc would have it. The along-track
        drift of dropping delta-n (measured on 2023-07-08: GPS RMS 3.8-5.4 km over the
        day, growing ~0.4 km/h) goes; a radial offset of (2/3)(delta-n/n) a (~0.5 km
        for GPS) comes instead (measured: GPS RMS 0.5-0.8 km). False copies sqrt(A).

    Returns
    -------
    list of AlmanacRecord
        Satellites in PRN order; those without a healthy Keplerian record are absent.

    Examples
    --------
    >>> ds = georinex.load("SEPT1890.23P")  # doctest: +SKIP
    >>> write_yuma(almanac_from_broadcast(ds, 2269, 532480.0), "almanac.alm")  # doctest: +SKIP
    PosixPath('almanac.alm')
    """
    records = []
    for sv in sorted(str(s) for s in ds["sv"].values):
        if sv[0] not in systems or "_" in sv:
            continue
        rec = _nearest_record(ds.sel(sv=sv), week * WEEK_S + toa_s)
        if rec is not None:
            records.append(_to_almanac(sv, rec, week, toa_s, fold_delta_n))
    return records


def _nearest_record(sub, t_gps_s: float) -> dict[str, float] | None:
    """Return the healthy record (fields as floats) whose week + t_oe is nearest ``t_gps_s``."""
    need = ("sqrtA", "Eccentricity", "Io", "Omega0", "OmegaDot", "omega", "M0", "Toe", "GPSWeek")
    ok = np.ones(sub["sqrtA"].shape, dtype=bool)
    for k in need:
        ok &= np.isfinite(sub[k].values)
    ok &= np.nan_to_num(sub["health"].values, nan=1.0) == 0.0
    if not ok.any():
        return None
    toe = sub["GPSWeek"].values * WEEK_S + sub["Toe"].values
    i = int(np.argmin(np.where(ok, np.abs(toe - t_gps_s), np.inf)))
    return {k: float(np.nan_to_num(sub[k].values[i])) for k in sub.data_vars if sub[k].ndim == 1}


def _to_almanac(sv: str, rec: dict[str, float], week: int, toa_s: float, fold: bool):
    dt = (week - rec["GPSWeek"]) * WEEK_S + toa_s - rec["Toe"]
    a = rec["sqrtA"] ** 2
    n = math.sqrt(GPS_GM_M3_S2 / a**3) + rec["DeltaN"]
    sqrt_a = (GPS_GM_M3_S2 / n**2) ** (1.0 / 6.0) if fold else rec["sqrtA"]
    return AlmanacRecord(
        prn=sv,
        health=0,
        eccentricity=rec["Eccentricity"],
        toa_s=float(toa_s),
        week=int(week),
        inclination_rad=rec["Io"] + rec["IDOT"] * dt,
        omega_dot_rad_s=rec["OmegaDot"],
        sqrt_a_m05=sqrt_a,
        omega0_rad=_wrap(rec["Omega0"] + rec["OmegaDot"] * dt),
        arg_perigee_rad=_wrap(rec["omega"]),
        mean_anomaly_rad=_wrap(rec["M0"] + n * dt),
        af0_s=rec["SVclockBias"] + rec["SVclockDrift"] * dt,
        af1_s_s=rec["SVclockDrift"],
    )


def _wrap(angle_rad: float) -> float:
    """Angle in [-pi, pi) (as the formats print them)."""
    return (angle_rad + math.pi) % (2.0 * math.pi) - math.pi


def _file_id(prn: str) -> int:
    number = int(prn[1:])
    return number if prn[0] == "G" else _QZSS_FIRST_ID + number - 1


def write_yuma(records: Sequence[AlmanacRecord], path: str | os.PathLike) -> Path:
    """Write a YUMA almanac (the NAVCEN layout; weeks modulo 1024) and return its path."""
    if not records:
        raise ReferenceOrbitError(f"{path}: no almanac records to write; check the source")
    blocks = []
    for r in records:
        w = r.week % 1024
        fields = (
            ("ID:", f"{_file_id(r.prn):02d}"),
            ("Health:", f"{r.health:03d}"),
            ("Eccentricity:", f"{r.eccentricity:.10E}"),
            ("Time of Applicability(s):", f"{r.toa_s:.4f}"),
            ("Orbital Inclination(rad):", f"{r.inclination_rad:.10f}"),
            ("Rate of Right Ascen(r/s):", f"{r.omega_dot_rad_s:.10E}"),
            ("SQRT(A)  (m 1/2):", f"{r.sqrt_a_m05:.6f}"),
            ("Right Ascen at Week(rad):", f"{r.omega0_rad:.10E}"),
            ("Argument of Perigee(rad):", f"{r.arg_perigee_rad:.10f}"),
            ("Mean Anom(rad):", f"{r.mean_anomaly_rad:.10E}"),
            ("Af0(s):", f"{r.af0_s:.10E}"),
            ("Af1(s/s):", f"{r.af1_s_s:.10E}"),
            ("week:", f"{w}"),
        )
        lines = [f"******** Week {w} almanac for PRN-{_file_id(r.prn):02d} ********"]
        lines += [f"{name:<27} {value}" for name, value in fields]
        blocks.append("\n".join(lines) + "\n")
    out = Path(path)
    out.write_text("\n".join(blocks) + "\n", encoding="ascii")
    return out


def write_sem(
    records: Sequence[AlmanacRecord], path: str | os.PathLike, *, name: str = "CURRENT.ALM"
) -> Path:
    """Write a SEM almanac (GPS only; one week and t_oa for all records) and return its path."""
    if not records:
        raise ReferenceOrbitError(f"{path}: no almanac records to write; check the source")
    epochs = {(r.week, r.toa_s) for r in records}
    others = sorted({r.prn for r in records if r.prn[0] != "G"})
    if len(epochs) != 1 or others:
        got = f"epochs {sorted(epochs)}" if len(epochs) != 1 else f"non-GPS {', '.join(others)}"
        raise ReferenceOrbitError(
            f"{path}: a SEM file holds GPS records of one week and t_oa, got {got}; write "
            "YUMA instead, or give GPS records of one t_oa"
        )
    week, toa = epochs.pop()

    def num(*xs: float) -> str:
        return "".join(f"{x: .14E}" for x in xs)

    lines = [f"{len(records)} {name}", f"{week % 1024} {toa:.0f}", ""]
    for r in records:
        di = r.inclination_rad / math.pi - SEM_REFERENCE_INCLINATION_SEMI
        lines += [
            f"{int(r.prn[1:])}",
            "0",  # SVN (not in the broadcast records)
            "0",  # average URA index
            num(r.eccentricity, di, r.omega_dot_rad_s / math.pi),
            num(r.sqrt_a_m05, r.omega0_rad / math.pi, r.arg_perigee_rad / math.pi),
            num(r.mean_anomaly_rad / math.pi, r.af0_s, r.af1_s_s),
            f"{r.health}",
            "0",  # satellite configuration
            "",
        ]
    out = Path(path)
    out.write_text("\n".join(lines), encoding="ascii")
    return out
