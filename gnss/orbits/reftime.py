"""Time scales of reference files: GNSS system times to TAI, and calendar epochs to seconds.

GPS time (GPST) = TAI - 19 s, Galileo (GST) and QZSS time are aligned with
GPST, BeiDou time BDT = GPST - 14 s = TAI - 33 s, GLONASS navigation records
are in UTC (RINEX 3 convention), GLONASS time is UTC(SU) + 3 h, SGP4 works in
UTC. The UTC-TAI offset (leap seconds) comes from skyfield's built-in table.
Getting this right matters: 18 s of GPST-UTC is about 50 km of MEO motion.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from ..timeutil import timescale
from .reference import DAY_S, ReferenceOrbitError

#: Seconds to add to each time system to get TAI. GPST = TAI - 19 s (IS-GPS-200);
#: Galileo GST and QZSS time are steered to GPST; BDT = GPST - 14 s (BDS ICD).
TAI_MINUS_S = {"GPS": 19.0, "GAL": 19.0, "QZS": 19.0, "IRN": 19.0, "BDT": 33.0, "TAI": 0.0}


def calendar_seconds(dt64: np.ndarray, origin: np.datetime64) -> np.ndarray:
    """Seconds between naive datetime64 values and an origin in the same (uniform) scale."""
    return (np.asarray(dt64).astype("datetime64[ns]") - origin).astype(np.int64) * 1e-9


def origin_tai(origin: np.datetime64, system: str) -> tuple[float, float]:
    """TAI of a naive datetime64 read in ``system``: (JD of a TAI midnight, seconds after it).

    The split keeps sub-microsecond precision (one float JD would only give ~40 us).
    """
    day = origin.astype("datetime64[D]")
    jd_whole = 2451544.5 + float((day - np.datetime64("2000-01-01", "D")).astype(np.int64))
    sec = calendar_seconds(np.array([origin]), day.astype("datetime64[ns]"))[0]
    if system in TAI_MINUS_S:
        return jd_whole, sec + TAI_MINUS_S[system]
    if system in ("UTC", "GLO"):
        shift = 3 * 3600.0 if system == "GLO" else 0.0  # GLONASS time = UTC(SU) + 3 h
        d = day.astype(datetime)
        t = timescale().utc(d.year, d.month, d.day, 0, 0, sec - shift)
        return jd_whole, ((float(t.whole) - jd_whole) + float(t.tai_fraction)) * DAY_S
    raise ReferenceOrbitError(f"unknown time system {system!r}")


#: Every time system :func:`origin_tai` reads (SP3 headers may name any of them).
TIME_SYSTEMS = (*TAI_MINUS_S, "UTC", "GLO")
