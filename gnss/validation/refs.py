"""Reference orbits: precise SP3 files and RINEX navigation (broadcast) files.

Files are parsed by ``georinex`` (:func:`georinex.load`); this module converts
their times to one continuous scale, checks the positions against physics and
evaluates the orbits at any time:

* **SP3** (``#a``/``#c``/``#d``): positions of the centre of mass in an ITRF
  realisation (IGS20 for current products), tabulated every few minutes in the
  time system named in the header (``%c`` line; GPS time for IGS/MGEX
  products). Evaluated by 9-point Lagrange interpolation (the IGS standard;
  millimetre-level at a 5-minute spacing for GNSS orbits).
* **RINEX 2/3 navigation**: broadcast ephemerides, each used within its
  validity window around its reference time (:data:`NAV_VALIDITY_S`):

  - GPS, Galileo, QZSS and BeiDou MEO/IGSO: the Keplerian algorithm of
    IS-GPS-200 (Table 20-IV) with each system's constants; BeiDou GEO
    (inclination < 15 deg) adds the rotation of BDS-SIS-ICD-B1I 3.0 section
    5.2.4.12 (R_Z(omega_e t_k) R_X(-5 deg)). ``georinex.keplerian.keplerian2ecef``
    is not used: it makes a single fixed-point step of Kepler's equation
    (kilometre errors at GPS eccentricities of ~0.01), takes the Galileo week
    as GPS week + 1024 (RINEX 3 gives the GPS-aligned week, so it is off by
    1024 weeks) and rejects BeiDou.
  - GLONASS: the PZ-90 state vector (position, velocity, luni-solar
    acceleration) is integrated with fourth-order Runge-Kutta under the
    equations of motion of the GLONASS ICD ed. 5.1, section A.3.1.2 (central
    field, J2, rotating-frame terms), steps of at most 60 s.
  - SBAS and NavIC records are not evaluated (noted in ``notes``).

* **RINEX 4** navigation files are not readable by georinex: they are refused
  with a :class:`ReferenceOrbitError` that suggests an SP3 or RINEX 3 file.

Time scales: GPS time (GPST) = TAI - 19 s, Galileo (GST) and QZSS time are
aligned with GPST, BeiDou time BDT = GPST - 14 s = TAI - 33 s, GLONASS
navigation records are in UTC (RINEX 3 convention), SGP4 works in UTC.
The UTC-TAI offset (leap seconds) comes from skyfield's built-in table.
Getting this right matters: 18 s of GPST-UTC is about 50 km of MEO motion.

Frames: IGS20 (SP3), WGS84 (GPS), GTRF (Galileo), CGCS2000 (BeiDou),
PZ-90.11 (GLONASS) and JGS (QZSS) agree with the ITRF to a few centimetres,
far below what TLE comparisons can resolve; all are treated as ITRS.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from ..constants import (
    BDS_EARTH_ROTATION_RATE_RAD_PER_S,
    BDS_GM_M3_S2,
    GALILEO_GM_M3_S2,
    GPS_GM_M3_S2,
    PZ90_A_M,
    PZ90_EARTH_ROTATION_RATE_RAD_PER_S,
    PZ90_GM_M3_S2,
    PZ90_J2,
    WGS84_EARTH_ROTATION_RATE_RAD_PER_S,
)
from ..errors import GnssError
from ..inputfile import MAX_REFERENCE_FILE_BYTES, check_input_file
from ..timeutil import EpochSpan, timescale


class ReferenceOrbitError(GnssError, ValueError):
    """A reference orbit file (SP3 or RINEX navigation) could not be read or used."""


#: Seconds to add to each time system to get TAI. GPST = TAI - 19 s (IS-GPS-200);
#: Galileo GST and QZSS time are steered to GPST; BDT = GPST - 14 s (BDS ICD).
_TAI_MINUS = {"GPS": 19.0, "GAL": 19.0, "QZS": 19.0, "IRN": 19.0, "BDT": 33.0, "TAI": 0.0}
#: Time system of the records of each system in RINEX 3 navigation files.
_NAV_TIME_SYSTEM = {"G": "GPS", "E": "GAL", "J": "QZS", "C": "BDT", "R": "UTC"}

#: Use window of a broadcast record, seconds (before, after) its reference time.
#: GPS: 4-hour fit interval centred on t_oe (IS-GPS-200 20.3.4.4); QZSS: 2-hour fit
#: (IS-QZSS-PNT); Galileo: valid 4 h from t_0e (OS SIS ICD), its error grows fast
#: before t_0e and near the end (measured on SEPT1890.23P against CODE's SP3: 3 m at
#: -1 h, 40 m at -3 h, 2 m at +3 h, 7 m at +4 h), so -1 h to +3 h is used; BeiDou:
#: hourly updates; GLONASS: records every 30 min, used within +-15 min of t_b
#: (ICD ed. 5.1 A.3.1.2).
NAV_VALIDITY_S = {
    "G": (7200.0, 7200.0),
    "J": (3600.0, 3600.0),
    "E": (3600.0, 10800.0),
    "C": (3600.0, 3600.0),
    "R": (900.0, 900.0),
}

# Keplerian constants: (GM m^3/s^2, Earth rotation rad/s).
_KEPLER_CONSTANTS = {
    "G": (GPS_GM_M3_S2, WGS84_EARTH_ROTATION_RATE_RAD_PER_S),  # IS-GPS-200 20.3.3.4.3 (WGS84)
    "J": (GPS_GM_M3_S2, WGS84_EARTH_ROTATION_RATE_RAD_PER_S),  # IS-QZSS-PNT (as GPS)
    "E": (GALILEO_GM_M3_S2, WGS84_EARTH_ROTATION_RATE_RAD_PER_S),  # Galileo OS SIS ICD 5.1.1
    "C": (BDS_GM_M3_S2, BDS_EARTH_ROTATION_RATE_RAD_PER_S),  # BDS-SIS-ICD-B1I 3.0 (CGCS2000)
}
#: BeiDou GEO: inclination below this (rad) selects the GEO algorithm (GEO ~0-5 deg,
#: IGSO/MEO 55 deg).
_BDS_GEO_MAX_INCLINATION_RAD = math.radians(15.0)

# GLONASS ICD ed. 5.1 (2008) A.3.1.2 / PZ-90.11 constants.
_GLO_GM = PZ90_GM_M3_S2  # m^3/s^2
_GLO_AE = PZ90_A_M  # m
_GLO_J2 = PZ90_J2  # second zonal harmonic (-C20)
_GLO_OMEGA = PZ90_EARTH_ROTATION_RATE_RAD_PER_S  # rad/s
_GLO_MAX_STEP_S = 60.0

#: Plausible orbit radii (km) of the GNSS systems checked on load. GNSS MEO
#: 25 500 km (GLONASS) to 29 600 km (Galileo), IGSO/GEO 42 164 km; QZSS's
#: elliptical IGSO between about 32 000 and 52 000 km.
_RADIUS_RANGE_KM = (20_000.0, 55_000.0)
_GNSS_LETTERS = "GRECJI"

_LAGRANGE_POINTS = 9
#: Seconds per day.
_DAY_S = 86400.0


@dataclass(frozen=True)
class ReferenceSource:
    """Where reference orbits came from.

    Attributes
    ----------
    path : str
        The file.
    kind : str
        ``"sp3"`` or ``"rinex-nav"``.
    version : str
        SP3 version letter or RINEX version.
    frame : str
        Reference frame as stated by the file (SP3) or the systems' frames (nav).
    time_system : str
        Time system of the file's epochs, e.g. ``"GPS"``; ``"mixed"`` for nav.
    """

    path: str
    kind: str
    version: str
    frame: str
    time_system: str


@dataclass(frozen=True, eq=False)
class ReferenceOrbits:
    """Reference satellite positions, tabulated and evaluable at any time.

    Attributes
    ----------
    prns : tuple of str
        Satellites as ``"R01"``, ``"C19"``, ...
    tai_jd0 : float
        TAI Julian date (a midnight, ``*.5``) of the time origin of ``t_s``.
    t_s : ndarray, shape (n_times,)
        Tabulated epochs, TAI seconds since ``tai_jd0``.
    positions_itrs_m : ndarray, shape (n_times, n_prns, 3)
        Positions in metres (ITRS); NaN where missing.
    source : ReferenceSource
        The file, its kind, frame and time system.
    notes : tuple of str
        What was left out and why (e.g. unsupported record types).
    """

    prns: tuple[str, ...]
    tai_jd0: float
    t_s: np.ndarray
    positions_itrs_m: np.ndarray
    source: ReferenceSource
    notes: tuple[str, ...] = ()
    _evaluate: object = field(default=None, repr=False)

    @property
    def times(self):
        """Tabulated epochs as a skyfield ``Time`` array."""
        return timescale().tai_jd(self.tai_jd0, self.t_s / _DAY_S)

    @property
    def times_utc(self) -> list[datetime]:
        """Tabulated epochs as timezone-aware UTC datetimes."""
        return list(self.times.utc_datetime())

    @property
    def start_utc(self) -> datetime:
        """First tabulated epoch (UTC)."""
        return timescale().tai_jd(self.tai_jd0, self.t_s[0] / _DAY_S).utc_datetime()

    @property
    def end_utc(self) -> datetime:
        """Last tabulated epoch (UTC)."""
        return timescale().tai_jd(self.tai_jd0, self.t_s[-1] / _DAY_S).utc_datetime()

    def systems(self) -> list[str]:
        """System letters present, in first-appearance order."""
        return list(dict.fromkeys(p[0] for p in self.prns))

    def index(self, prn: str) -> int:
        """Column of ``prn`` in ``positions_itrs_m``."""
        return self.prns.index(prn)

    def seconds_of(self, times) -> np.ndarray:
        """TAI seconds since ``tai_jd0`` of skyfield times, aware datetimes or an EpochSpan."""
        t = _as_time(times)
        whole = np.atleast_1d(np.asarray(t.whole, dtype=np.float64))
        frac = np.atleast_1d(np.asarray(t.tai_fraction, dtype=np.float64))
        return ((whole - self.tai_jd0) + frac) * _DAY_S

    def positions_at(self, times, prns: Sequence[str] | None = None) -> np.ndarray:
        """Positions at arbitrary times.

        Parameters
        ----------
        times : skyfield Time, aware datetime(s) or EpochSpan
            When to evaluate.
        prns : sequence of str, optional
            Which satellites (default: all, in ``prns`` order).

        Returns
        -------
        ndarray, shape (n_times, n_prns, 3)
            ITRS metres; NaN outside the reference's coverage (no extrapolation).
        """
        t_s = self.seconds_of(times)
        cols = list(range(len(self.prns))) if prns is None else [self.index(p) for p in prns]
        return self._evaluate(t_s, np.asarray(cols, dtype=np.int64))


def _as_time(times):
    ts = timescale()
    if isinstance(times, EpochSpan):
        return times.times()
    if isinstance(times, datetime):
        if times.tzinfo is None:
            raise ReferenceOrbitError(
                f"naive datetime {times.isoformat()}: add a time zone, e.g. "
                "value.replace(tzinfo=datetime.timezone.utc)"
            )
        return ts.from_datetime(times)
    if isinstance(times, list | tuple) and times and isinstance(times[0], datetime):
        if any(t.tzinfo is None for t in times):
            raise ReferenceOrbitError(
                "naive datetimes: add a time zone, e.g. value.replace(tzinfo=datetime.timezone.utc)"
            )
        return ts.from_datetimes(list(times))
    if hasattr(times, "tai_fraction"):
        return times
    raise ReferenceOrbitError(
        f"expected a skyfield Time, aware datetime(s) or an EpochSpan, got {type(times).__name__}"
    )


# ---------------------------------------------------------------------------- loading


def load_reference(
    path: str | os.PathLike, *, kind: str | None = None, time_system: str | None = None
) -> ReferenceOrbits:
    """Load an SP3 precise orbit or a RINEX 2/3 navigation file.

    Parameters
    ----------
    path : path
        The file (plain or compressed as georinex accepts).
    kind : {"sp3", "rinex-nav"}, optional
        Expected kind; a file of the other kind is refused. Default: detect.
    time_system : str, optional
        SP3 only: override the header's time system (``"GPS"``, ``"UTC"``,
        ``"TAI"``, ``"BDT"``, ``"GAL"``, ``"QZS"``, ``"GLO"``), e.g. for a file
        with a wrong header.

    Returns
    -------
    ReferenceOrbits

    Raises
    ------
    ReferenceOrbitError
        Unreadable, corrupt or unsupported files (RINEX 4, observation files),
        positions that fail the physical checks; the message names the file.

    Examples
    --------
    >>> ref = load_reference("COD0MGXFIN_20231890000_01D_05M_ORB.SP3")  # doctest: +SKIP
    >>> ref.positions_at(ref.times[:2], ["R01"]).shape  # doctest: +SKIP
    (2, 1, 3)
    """
    import georinex

    p = Path(path)
    if kind not in (None, "sp3", "rinex-nav"):
        raise ReferenceOrbitError(f"kind must be 'sp3' or 'rinex-nav', got {kind!r}")
    if not p.exists():
        raise ReferenceOrbitError(f"{p}: does not exist; give an SP3 or RINEX navigation file")
    # A FIFO or device would block georinex; a huge file is no daily orbit.
    check_input_file(
        p,
        what="reference orbit file",
        max_bytes=MAX_REFERENCE_FILE_BYTES,
        error=ReferenceOrbitError,
    )
    try:
        info = georinex.rinexinfo(p)
    except Exception as exc:  # georinex raises ValueError/OSError/EOFError/... on junk
        raise ReferenceOrbitError(
            f"{p}: not an SP3 or RINEX navigation file (georinex: {exc}). "
            "Give an SP3 orbit (e.g. COD0MGXFIN_...ORB.SP3) or a RINEX 3 navigation file"
        ) from exc
    rtype = info.get("rinextype")
    found = {"sp3": "sp3", "nav": "rinex-nav"}.get(rtype)
    if found is None:
        raise ReferenceOrbitError(
            f"{p}: is a RINEX {rtype!r} file (version {info.get('version')}), not an orbit; "
            "give an SP3 orbit or a RINEX navigation file"
        )
    if kind is not None and kind != found:
        raise ReferenceOrbitError(
            f"{p}: expected {'an SP3 orbit' if kind == 'sp3' else 'a RINEX navigation file'}, "
            f"but the file is {'an SP3 orbit' if found == 'sp3' else 'RINEX navigation'}; "
            f"use {'--nav' if found == 'rinex-nav' else '--sp3'}"
        )
    if found == "rinex-nav":
        if time_system is not None:
            raise ReferenceOrbitError(
                f"{p}: time_system applies to SP3 files only; navigation records carry the "
                "time system of their satellite system"
            )
        version = float(info.get("version", 0))
        if version >= 4:
            raise ReferenceOrbitError(
                f"{p}: RINEX {version:.2f} navigation files are not supported (georinex reads "
                "RINEX 2 and 3 only). Use an SP3 precise orbit for the same day (e.g. CODE/IGS "
                "MGEX ...ORB.SP3) or a RINEX 3 navigation file (e.g. BRDC00IGS_R_..._MN.rnx "
                "version 3.04)"
            )
        return _load_nav(p, version)
    if time_system is not None and time_system.upper() not in (*_TAI_MINUS, "UTC", "GLO"):
        raise ReferenceOrbitError(
            f"time_system must be one of GPS, GAL, QZS, BDT, TAI, UTC, GLO; got {time_system!r}"
        )
    return _load_sp3(p, str(info.get("version", "?")), time_system)


def _georinex_load(p: Path):
    import georinex

    try:
        with warnings.catch_warnings():
            # georinex's xarray.merge calls warn about future xarray defaults.
            warnings.simplefilter("ignore", FutureWarning)
            return georinex.load(p)
    except Exception as exc:  # any parser failure on a corrupt file
        raise ReferenceOrbitError(
            f"{p}: georinex cannot parse the file ({type(exc).__name__}: {exc}); "
            "the file may be truncated or corrupt, download it again"
        ) from exc


def _sp3_time_system(p: Path) -> str:
    """Time system from the SP3 header's first ``%c`` line (columns 10-12; GPS if absent).

    georinex does not return this field, so the header line is read here; the
    data themselves are parsed by georinex only.
    """
    import georinex.rio

    with georinex.rio.opener(p) as f:
        for k, line in enumerate(f):
            if line.startswith("%c"):
                code = line[9:12].strip()
                return code if code and code != "ccc" else "GPS"
            if line.startswith("*") or k > 60:
                break
    return "GPS"  # SP3-a has no %c line; its epochs are GPS time


def _calendar_seconds(dt64: np.ndarray, origin: np.datetime64) -> np.ndarray:
    """Seconds between naive datetime64 values and an origin in the same (uniform) scale."""
    return (np.asarray(dt64).astype("datetime64[ns]") - origin).astype(np.int64) * 1e-9


def _origin_tai(origin: np.datetime64, system: str) -> tuple[float, float]:
    """TAI of a naive datetime64 read in ``system``: (JD of a TAI midnight, seconds after it).

    The split keeps sub-microsecond precision (one float JD would only give ~40 us).
    """
    day = origin.astype("datetime64[D]")
    jd_whole = 2451544.5 + float((day - np.datetime64("2000-01-01", "D")).astype(np.int64))
    sec = _calendar_seconds(np.array([origin]), day.astype("datetime64[ns]"))[0]
    if system in _TAI_MINUS:
        return jd_whole, sec + _TAI_MINUS[system]
    if system in ("UTC", "GLO"):
        shift = 3 * 3600.0 if system == "GLO" else 0.0  # GLONASS time = UTC(SU) + 3 h
        d = day.astype(datetime)
        t = timescale().utc(d.year, d.month, d.day, 0, 0, sec - shift)
        return jd_whole, ((float(t.whole) - jd_whole) + float(t.tai_fraction)) * _DAY_S
    raise ReferenceOrbitError(f"unknown time system {system!r}")


def _check_radii(p: Path, prns: Sequence[str], pos_m: np.ndarray) -> None:
    r_km = np.linalg.norm(pos_m, axis=-1) / 1000.0
    lo, hi = _RADIUS_RANGE_KM
    for j, prn in enumerate(prns):
        if prn[0] not in _GNSS_LETTERS:
            continue
        rj = r_km[:, j]
        rj = rj[np.isfinite(rj)]
        if rj.size and (rj.min() < lo or rj.max() > hi):
            raise ReferenceOrbitError(
                f"{p}: {prn} has orbit radii {rj.min():.0f}-{rj.max():.0f} km, outside the "
                f"{lo:.0f}-{hi:.0f} km of GNSS orbits; the file is corrupt or misread"
            )


def _load_sp3(p: Path, version: str, time_system: str | None) -> ReferenceOrbits:
    ds = _georinex_load(p)
    if "position" not in ds or ds.sizes.get("time", 0) < 2:
        raise ReferenceOrbitError(f"{p}: no SP3 position records found (need at least 2 epochs)")
    system = (time_system or _sp3_time_system(p)).upper()
    if system not in (*_TAI_MINUS, "UTC", "GLO"):
        raise ReferenceOrbitError(
            f"{p}: unsupported SP3 time system {system!r}; pass time_system= to override"
        )
    prns = tuple(str(s) for s in ds["sv"].values)
    pos = np.array(ds["position"].values, dtype=np.float64) * 1000.0  # km -> m
    # SP3: a position of exactly 0.000000 km means "bad or absent" (SP3-d section 2).
    pos[np.all(pos == 0.0, axis=-1)] = np.nan
    pos[~np.isfinite(pos).all(axis=-1)] = np.nan
    times = ds["time"].values
    origin = times[0].astype("datetime64[ns]")
    t_s = _calendar_seconds(times, origin)
    if np.any(np.diff(t_s) <= 0):
        raise ReferenceOrbitError(f"{p}: SP3 epochs are not strictly increasing")
    _check_radii(p, prns, pos)
    frame = str(ds.attrs.get("coord_sys", "?")).strip()
    source = ReferenceSource(str(p), "sp3", version, frame, system)
    notes = []
    if system == "UTC" and time_system is None:
        notes.append("SP3 header says UTC; epochs used as UTC")
    tai_jd0, offset_s = _origin_tai(origin, system)
    t_s = t_s + offset_s
    evaluate = _Sp3Interpolator(t_s, pos)
    return ReferenceOrbits(prns, tai_jd0, t_s, pos, source, tuple(notes), evaluate)


class _Sp3Interpolator:
    """9-point Lagrange interpolation of tabulated positions (no extrapolation)."""

    def __init__(self, t_s: np.ndarray, pos: np.ndarray):
        self.t_s = t_s
        self.pos = pos
        self.step = float(np.median(np.diff(t_s)))

    def __call__(self, tq: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return lagrange_interpolate(self.t_s, self.pos[:, cols], tq, self.step)


def lagrange_interpolate(
    t_nodes: np.ndarray,
    values: np.ndarray,
    t_query: np.ndarray,
    step_s: float | None = None,
    n_points: int = _LAGRANGE_POINTS,
) -> np.ndarray:
    """Lagrange interpolation on a window of ``n_points`` nodes around each query time.

    Parameters
    ----------
    t_nodes : ndarray, shape (n,)
        Increasing node times (s).
    values : ndarray, shape (n, ...)
        Values at the nodes; a NaN in a window gives NaN.
    t_query : ndarray, shape (q,)
        Query times (s). Outside ``[t_nodes[0], t_nodes[-1]]`` (1 ms tolerance),
        or where the window spans a data gap (> 1.5 nominal steps), the result is NaN.
    step_s : float, optional
        Nominal node spacing (default: median spacing).
    n_points : int
        Window size (9 for the usual 8th-order SP3 interpolation).

    Returns
    -------
    ndarray, shape (q, ...)

    Examples
    --------
    >>> t = np.arange(20.0)
    >>> float(lagrange_interpolate(t, t**3, np.array([4.5]))[0])
    91.125
    """
    t_nodes = np.asarray(t_nodes, dtype=np.float64)
    tq = np.atleast_1d(np.asarray(t_query, dtype=np.float64))
    n = t_nodes.size
    k = min(n_points, n)
    step = float(np.median(np.diff(t_nodes))) if step_s is None else step_s
    idx = np.searchsorted(t_nodes, tq)
    i0 = np.clip(idx - k // 2, 0, n - k)
    win = i0[:, None] + np.arange(k)[None, :]  # (q, k)
    tw = t_nodes[win]
    dt = tq[:, None] - tw
    w = np.ones_like(dt)
    for j in range(k):
        for m in range(k):
            if m != j:
                w[:, j] *= dt[:, m] / (tw[:, j] - tw[:, m])
    out = np.einsum("qk,qk...->q...", w, values[win])
    bad = (tq < t_nodes[0] - 1e-3) | (tq > t_nodes[-1] + 1e-3)
    bad |= (tw[:, -1] - tw[:, 0]) > 1.5 * step * (k - 1)
    out[bad] = np.nan
    return out


# ---------------------------------------------------------------------------- navigation


@dataclass
class _NavRecords:
    """One satellite's usable broadcast records, sorted by reference time."""

    prn: str
    ref_tai_s: np.ndarray  # (n,) t_oe (Keplerian) or t_b (GLONASS), TAI s since origin
    fields: dict[str, np.ndarray]  # (n,) each


def _load_nav(p: Path, version: float) -> ReferenceOrbits:
    ds = _georinex_load(p)
    if ds.sizes.get("time", 0) == 0 or ds.sizes.get("sv", 0) == 0:
        raise ReferenceOrbitError(f"{p}: no navigation records found")
    times = ds["time"].values.astype("datetime64[ns]")
    origin = times.min().astype("datetime64[D]").astype("datetime64[ns]")  # GPST midnight
    tai_jd0, _ = _origin_tai(origin, "GPS")  # the GPST midnight; TAI s = GPST s + 19
    ts = timescale()
    notes: list[str] = []
    skipped_systems: dict[str, list[str]] = {}
    unhealthy: set[str] = set()
    records: dict[str, list[tuple[float, dict[str, float]]]] = {}
    for sv in ds["sv"].values:
        sv = str(sv)
        prn = sv.split("_")[0]  # georinex names extra records at the same time E03_1
        sysl = prn[0]
        if sysl not in _NAV_TIME_SYSTEM:
            skipped_systems.setdefault(sysl, []).append(prn)
            continue
        sub = ds.sel(sv=sv)
        valid = np.isfinite(sub["SVclockBias"].values)
        for ti in np.flatnonzero(valid):
            toc = times[ti]
            vals = {
                k: float(sub[k].values[ti])
                for k in sub.data_vars
                if sub[k].ndim == 1 and np.isfinite(sub[k].values[ti])
            }
            ref = _record_reference_tai_s(sysl, toc, vals, origin, tai_jd0, ts)
            if ref is None:
                continue
            if not _healthy(sysl, vals):
                unhealthy.add(prn)
                continue
            records.setdefault(prn, []).append((ref, vals))
    for sysl, prns in sorted(skipped_systems.items()):
        name = {"S": "SBAS", "I": "NavIC"}.get(sysl, sysl)
        notes.append(
            f"{name} records ({', '.join(sorted(set(prns)))}) are not evaluated "
            "(only GPS, GLONASS, Galileo, BeiDou and QZSS)"
        )
    dropped = sorted(unhealthy - set(records), key=_prn_sort_key)
    if dropped:
        notes.append(
            f"{', '.join(dropped)}: every record is flagged unhealthy; left out "
            "(health/SatH1 field not 0)"
        )
    if not records:
        raise ReferenceOrbitError(
            f"{p}: no usable (healthy GPS/GLONASS/Galileo/BeiDou/QZSS) navigation records"
        )
    sats: dict[str, _NavRecords] = {}
    for prn in sorted(records, key=_prn_sort_key):
        recs = sorted(records[prn], key=lambda r: r[0])
        ref = np.array([r[0] for r in recs])
        keys = set.intersection(*(set(r[1]) for r in recs))
        fields = {k: np.array([r[1][k] for r in recs]) for k in keys}
        sats[prn] = _NavRecords(prn, ref, fields)
    evaluator = _NavEvaluator(list(sats.values()))
    # Tabulate on a 300 s grid over the records' validity windows.
    lo = min(s.ref_tai_s[0] - NAV_VALIDITY_S[s.prn[0]][0] for s in sats.values())
    hi = max(s.ref_tai_s[-1] + NAV_VALIDITY_S[s.prn[0]][1] for s in sats.values())
    grid = np.arange(math.ceil(lo / 300.0) * 300.0, hi + 1e-6, 300.0)
    prns = tuple(sats)
    pos = evaluator(grid, np.arange(len(prns)))
    keep = np.isfinite(pos).all(axis=-1).any(axis=1)
    grid, pos = grid[keep], pos[keep]
    if grid.size < 2:
        raise ReferenceOrbitError(f"{p}: the navigation records cover less than two epochs")
    _check_radii(p, prns, pos)
    systems = sorted({x[0] for x in prns}, key="GRECJ".index)
    frames = {"G": "WGS84", "R": "PZ-90.11", "E": "GTRF", "C": "CGCS2000", "J": "JGS"}
    frame = ", ".join(f"{s}:{frames[s]}" for s in systems)
    source = ReferenceSource(str(p), "rinex-nav", f"{version:.2f}", frame, "mixed")
    return ReferenceOrbits(prns, tai_jd0, grid, pos, source, tuple(notes), evaluator)


def _prn_sort_key(prn: str) -> tuple[int, str]:
    order = "GRECJIS"
    return (order.index(prn[0]) if prn[0] in order else 99, prn)


def _healthy(sysl: str, vals: dict[str, float]) -> bool:
    key = "SatH1" if sysl == "C" else "health"
    return vals.get(key, 0.0) == 0.0


def _record_reference_tai_s(sysl, toc, vals, origin, tai_jd0, ts) -> float | None:
    """Return a record's reference time in TAI seconds since the origin (``tai_jd0``)."""
    if sysl == "R":
        if not all(k in vals for k in ("X", "dX", "dX2", "Y", "dY", "dY2", "Z", "dZ", "dZ2")):
            return None
        d = toc.astype("datetime64[us]").astype(datetime)
        t = ts.utc(d.year, d.month, d.day, d.hour, d.minute, d.second + d.microsecond * 1e-6)
        return ((float(t.whole) - tai_jd0) + float(t.tai_fraction)) * _DAY_S
    need = ("sqrtA", "Toe", "M0", "Eccentricity", "Omega0", "Io", "omega")
    if not all(k in vals for k in need):
        return None
    # t_oe from the record's seconds of week, placed in the week of t_oc (no week field:
    # the week-number conventions differ between systems and RINEX versions).
    offset = _TAI_MINUS[_NAV_TIME_SYSTEM[sysl]] - _TAI_MINUS["GPS"]  # system -> GPST
    toc_s = _calendar_seconds(np.array([toc]), origin)[0] + offset  # GPST s since origin
    day = toc.astype("datetime64[D]")
    dow = (day.astype(np.int64) - np.datetime64("1980-01-06", "D").astype(np.int64)) % 7
    sow = float(dow) * _DAY_S + _calendar_seconds(np.array([toc]), day.astype("datetime64[ns]"))[0]
    toe_s = toc_s - sow + vals["Toe"]
    if toe_s - toc_s > 302400.0:
        toe_s -= 604800.0
    elif toc_s - toe_s > 302400.0:
        toe_s += 604800.0
    return toe_s + _TAI_MINUS["GPS"]  # GPST s since the GPST midnight -> TAI s since tai_jd0


class _NavEvaluator:
    """Evaluate broadcast ephemerides: per time, the record whose window it is deepest in."""

    def __init__(self, sats: list[_NavRecords]):
        self.sats = sats

    def __call__(self, tq: np.ndarray, cols: np.ndarray) -> np.ndarray:
        tq = np.atleast_1d(np.asarray(tq, dtype=np.float64))
        out = np.full((tq.size, cols.size, 3), np.nan)
        for j, c in enumerate(cols):
            sat = self.sats[int(c)]
            before, after = NAV_VALIDITY_S[sat.prn[0]]
            dt_all = tq[:, None] - sat.ref_tai_s[None, :]  # (n_q, n_rec)
            # Cost 1 at the edge of a record's window; take the record with the least cost.
            cost = np.where(dt_all >= 0.0, dt_all / after, -dt_all / before)
            near = np.argmin(cost, axis=1)
            ok = cost[np.arange(tq.size), near] <= 1.0
            if not ok.any():
                continue
            dt = dt_all[np.arange(tq.size), near][ok]
            rec = {k: v[near[ok]] for k, v in sat.fields.items()}
            if sat.prn[0] == "R":
                out[ok, j] = glonass_position(rec, dt)
            else:
                out[ok, j] = kepler_position(sat.prn[0], rec, dt)
        return out


def kepler_position(system: str, rec: dict[str, np.ndarray], tk: np.ndarray) -> np.ndarray:
    """Earth-fixed position from Keplerian broadcast elements (IS-GPS-200 Table 20-IV).

    Parameters
    ----------
    system : {"G", "E", "C", "J"}
        Selects the constants; BeiDou records with inclination < 15 deg use the
        GEO rotation of BDS-SIS-ICD-B1I 3.0 section 5.2.4.12.
    rec : dict of ndarray, shape (n,)
        Record fields as georinex names them (``sqrtA``, ``DeltaN``, ``M0``, ...,
        ``Toe`` in seconds of the week).
    tk : ndarray, shape (n,)
        Time since ``t_oe`` in seconds.

    Returns
    -------
    ndarray, shape (n, 3)
        Metres in the system's Earth-fixed frame.

    Examples
    --------
    A circular orbit of radius a stays at radius a:

    >>> a = 26_560e3
    >>> rec = {"sqrtA": np.array([a**0.5]), "M0": np.array([0.3]), "Eccentricity": np.array([0.0]),
    ...        "omega": np.array([0.0]), "Omega0": np.array([1.0]), "Io": np.array([0.96]),
    ...        "Toe": np.array([0.0])}
    >>> r = kepler_position("G", rec, np.array([3600.0]))
    >>> round(float(np.linalg.norm(r)) / a, 12)
    1.0
    """
    gm, omega_e = _KEPLER_CONSTANTS[system]
    a = rec["sqrtA"] ** 2
    n = np.sqrt(gm / a**3) + rec.get("DeltaN", 0.0)
    m = rec["M0"] + n * tk
    e = rec["Eccentricity"]
    ek = m.copy()
    for _ in range(30):  # Newton on E - e sin E = M; converges in < 5 steps for e < 0.1
        ek = ek - (ek - e * np.sin(ek) - m) / (1.0 - e * np.cos(ek))
    nu = np.arctan2(np.sqrt(1.0 - e**2) * np.sin(ek), np.cos(ek) - e)
    phi = nu + rec["omega"]
    s2, c2 = np.sin(2 * phi), np.cos(2 * phi)
    u = phi + rec.get("Cus", 0.0) * s2 + rec.get("Cuc", 0.0) * c2
    r = a * (1.0 - e * np.cos(ek)) + rec.get("Crs", 0.0) * s2 + rec.get("Crc", 0.0) * c2
    inc = rec["Io"] + rec.get("Cis", 0.0) * s2 + rec.get("Cic", 0.0) * c2
    inc = inc + rec.get("IDOT", 0.0) * tk
    xp, yp = r * np.cos(u), r * np.sin(u)
    omega_dot = rec.get("OmegaDot", 0.0)
    geo = system == "C" and np.asarray(rec["Io"]) < _BDS_GEO_MAX_INCLINATION_RAD
    geo = np.broadcast_to(geo, tk.shape)
    # MEO/IGSO: node in the Earth-fixed frame; GEO: in the ICD's inertial-like frame.
    big_omega = rec["Omega0"] + omega_dot * tk - omega_e * rec["Toe"]
    big_omega = np.where(geo, big_omega, big_omega - omega_e * tk)
    co, so, ci, si = np.cos(big_omega), np.sin(big_omega), np.cos(inc), np.sin(inc)
    x = xp * co - yp * ci * so
    y = xp * so + yp * ci * co
    z = yp * si
    if geo.any():
        # [X Y Z] = R_Z(omega_e tk) R_X(-5 deg) [XG YG ZG]; R_X(f) = [[1,0,0],[0,c,s],[0,-s,c]],
        # R_Z(f) = [[c,s,0],[-s,c,0],[0,0,1]] (BDS-SIS-ICD-B1I 3.0, 5.2.4.12).
        f = math.radians(-5.0)
        y1 = y * math.cos(f) + z * math.sin(f)
        z1 = -y * math.sin(f) + z * math.cos(f)
        cz, sz = np.cos(omega_e * tk), np.sin(omega_e * tk)
        xg = x * cz + y1 * sz
        yg = -x * sz + y1 * cz
        x, y, z = np.where(geo, xg, x), np.where(geo, yg, y), np.where(geo, z1, z)
    return np.stack([x, y, z], axis=-1)


def _glonass_derivative(r: np.ndarray, v: np.ndarray, acc_ls: np.ndarray) -> np.ndarray:
    """Acceleration in PZ-90 (rotating), GLONASS ICD ed. 5.1 A.3.1.2; arrays (n, 3)."""
    x, y, z = r[:, 0], r[:, 1], r[:, 2]
    rr2 = x * x + y * y + z * z
    rr = np.sqrt(rr2)
    mu = _GLO_GM / (rr2 * rr)
    c = 1.5 * _GLO_J2 * _GLO_GM * _GLO_AE**2 / rr2**2 / rr
    z5 = 5.0 * z * z / rr2
    w2 = _GLO_OMEGA**2
    ax = -mu * x - c * x * (1.0 - z5) + w2 * x + 2.0 * _GLO_OMEGA * v[:, 1] + acc_ls[:, 0]
    ay = -mu * y - c * y * (1.0 - z5) + w2 * y - 2.0 * _GLO_OMEGA * v[:, 0] + acc_ls[:, 1]
    az = -mu * z - c * z * (3.0 - z5) + acc_ls[:, 2]
    return np.stack([ax, ay, az], axis=1)


def glonass_position(rec: dict[str, np.ndarray], dt: np.ndarray) -> np.ndarray:
    """Integrate GLONASS broadcast state vectors by ``dt`` seconds (RK4, steps <= 60 s).

    Parameters
    ----------
    rec : dict of ndarray, shape (n,)
        ``X, Y, Z`` (m), ``dX, dY, dZ`` (m/s), ``dX2, dY2, dZ2`` (m/s^2, luni-solar
        accelerations, held constant as the ICD prescribes), PZ-90 at ``t_b``.
    dt : ndarray, shape (n,)
        Seconds from ``t_b`` (either sign).

    Returns
    -------
    ndarray, shape (n, 3)
        PZ-90 positions in metres.

    Examples
    --------
    >>> rec = {k: np.array([v]) for k, v in dict(
    ...     X=-15786536.6, Y=15640804.2, Z=12606403.8, dX=984.3, dY=-1415.6, dZ=2993.9,
    ...     dX2=0.0, dY2=0.0, dZ2=0.0).items()}
    >>> r = glonass_position(rec, np.array([0.0, 900.0]))
    >>> r[0].tolist() == [-15786536.6, 15640804.2, 12606403.8]
    True
    >>> 25_400e3 < float(np.linalg.norm(r[1])) < 25_600e3
    True
    """
    r = np.stack([rec["X"], rec["Y"], rec["Z"]], axis=1).astype(np.float64)
    v = np.stack([rec["dX"], rec["dY"], rec["dZ"]], axis=1).astype(np.float64)
    acc = np.stack([rec["dX2"], rec["dY2"], rec["dZ2"]], axis=1).astype(np.float64)
    dt = np.asarray(dt, dtype=np.float64)
    n_steps = max(1, math.ceil(float(np.max(np.abs(dt), initial=0.0)) / _GLO_MAX_STEP_S))
    h = (dt / n_steps)[:, None]
    for _ in range(n_steps):
        k1r, k1v = v, _glonass_derivative(r, v, acc)
        k2r, k2v = v + 0.5 * h * k1v, _glonass_derivative(r + 0.5 * h * k1r, v + 0.5 * h * k1v, acc)
        k3r, k3v = v + 0.5 * h * k2v, _glonass_derivative(r + 0.5 * h * k2r, v + 0.5 * h * k2v, acc)
        k4r, k4v = v + h * k3v, _glonass_derivative(r + h * k3r, v + h * k3v, acc)
        r = r + h / 6.0 * (k1r + 2 * k2r + 2 * k3r + k4r)
        v = v + h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return r
