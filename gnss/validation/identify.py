"""Match element sets to reference orbits (NORAD number <-> PRN) and measure TLE errors.

Element-set names do not reliably carry PRNs (GLONASS never, other systems only
in some years; see ``shared/data/PROVENANCE.md``), so satellites are matched by
their orbits: each satellite is propagated with SGP4 over the reference's span
and compared with every reference PRN of the same system.

A match is accepted only when it is close (RMS distance below ``max_rms_km``)
*and* unambiguous on both sides: every other PRN is at least
``ambiguity_ratio`` times farther from the satellite, and every other satellite
at least that much farther from the PRN. Because the ratio is above 1, an
accepted match is each side's clear nearest neighbour, so no PRN can be matched
twice and no assignment step is needed.

:func:`validate` then measures, for the matched satellites, the position error
of the element sets against the reference and its effect on DOP at a few sites
(the project's kernel through :func:`gnss.coverage.epochs.epoch_dops`, epoch by epoch).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..constants import WGS84_EARTH_ROTATION_RATE_RAD_PER_S
from ..coverage.epochs import epoch_dops
from ..elements.classify import SYSTEM_NAMES, SYSTEMS
from ..elements.read import Constellation, Satellite
from ..errors import ParameterError
from ..io import json_clean as _clean
from ..orbits.propagate import propagate_itrs_m
from ..receivers.grid import geodetic_points
from ..timeutil import EpochSpan, epoch_span
from .refs import ReferenceOrbits, ReferenceSource

#: Sample sites (name, latitude deg, longitude deg) for the DOP effect: high, middle and
#: low latitudes in both hemispheres and the regions each system was built for.
DEFAULT_SITES: tuple[tuple[str, float, float], ...] = (
    ("Moscow", 55.75, 37.62),
    ("Beijing", 39.90, 116.40),
    ("Svalbard", 78.22, 15.65),
    ("Sydney", -33.87, 151.21),
    ("Quito", -0.18, -78.47),
    ("Cape Town", -33.92, 18.42),
)

_MIN_COMMON_EPOCHS = 3
#: identify refuses a reference whose span ends more than this many days from the elements'
#: median epoch: the same limit as ``gnss compare`` (gnss.elements.select.check_span_near_elements);
#: SGP4 positions that far out are off by hundreds of km or more, so no match is trustworthy.
MAX_REFERENCE_GAP_DAYS = 60.0


@dataclass(frozen=True)
class Match:
    """The identification of one satellite of the element sets.

    Attributes
    ----------
    norad_id : int
        Catalogue number.
    name : str
        Name from the element file.
    system : str
        System letter.
    prn_from_name : int or None
        PRN the name carries, if any.
    reference_prn : str or None
        Matched (or, when not matched, nearest) reference PRN, e.g. ``"C19"``.
    rms_km : float
        RMS 3-D distance to ``reference_prn`` over the common epochs (NaN if none).
    max_km : float
        Largest distance over those epochs.
    second_best_km : float
        RMS distance of the closest competitor: the next PRN for this satellite
        or the next satellite for this PRN, whichever is closer (inf if none).
    status : str
        ``"matched"``, ``"ambiguous"`` or ``"unmatched"``.
    reason : str
        Why it is not matched, or a note on a match (e.g. the name disagrees).
    n_epochs : int
        Common epochs used.
    name_disagrees : bool
        True when matched and the name's PRN differs from ``reference_prn``.
    """

    norad_id: int
    name: str
    system: str
    prn_from_name: int | None
    reference_prn: str | None
    rms_km: float
    max_km: float
    second_best_km: float
    status: str
    reason: str
    n_epochs: int = 0
    name_disagrees: bool = False

    @property
    def name_prn(self) -> str | None:
        """The name's PRN as a label (``"C19"``), or None."""
        return None if self.prn_from_name is None else f"{self.system}{self.prn_from_name:02d}"

    def to_dict(self) -> dict:
        """Plain-JSON dictionary (NaN and inf become None)."""
        return _clean(asdict(self))


def reference_span(reference: ReferenceOrbits, step_s: float) -> EpochSpan:
    """Epochs every ``step_s`` seconds from the reference's first to its last epoch (UTC)."""
    start = reference.start_utc
    duration = (reference.end_utc - start).total_seconds()
    return epoch_span(start, duration, step_s)


def element_offsets_days(
    constellation: Constellation, reference: ReferenceOrbits
) -> dict[int, float]:
    """Element epoch minus the middle of the reference span, in days, per NORAD number."""
    start, end = reference.start_utc, reference.end_utc
    mid = start + (end - start) / 2
    return {s.norad_id: (s.epoch - mid).total_seconds() / 86400.0 for s in constellation.satellites}


def check_reference_near_elements(
    constellation: Constellation,
    reference: ReferenceOrbits,
    max_days: float = MAX_REFERENCE_GAP_DAYS,
) -> None:
    """Refuse a reference span more than ``max_days`` from the elements' median epoch.

    Raises
    ------
    ParameterError
        With the reference's span, the element epochs and the fix.
    """
    if not constellation.satellites:
        return
    median = constellation.median_epoch()
    start, end = reference.start_utc, reference.end_utc
    gap_s = max(abs((start - median).total_seconds()), abs((end - median).total_seconds()))
    if gap_s / 86400.0 <= max_days:
        return
    epochs = [s.epoch for s in constellation.satellites]
    raise ParameterError(
        f"the reference {reference.source.path} spans {start:%Y-%m-%d %H:%M} .. "
        f"{end:%Y-%m-%d %H:%M} UTC, {gap_s / 86400.0:.0f} days from the elements' median "
        f"epoch {median:%Y-%m-%d %H:%M} UTC (element epochs {min(epochs):%Y-%m-%d} .. "
        f"{max(epochs):%Y-%m-%d}); more than {max_days:g} days apart, SGP4 positions are too "
        "far off for any match to be trusted. Use a reference (SP3 or RINEX navigation) of "
        "the element sets' days, or element sets of the reference's days"
    )


def _check_params(step_s: float, max_rms_km: float, ambiguity_ratio: float) -> None:
    if not np.isfinite(step_s) or step_s <= 0:
        raise ParameterError(f"step_s must be a positive number of seconds, got {step_s!r}")
    if not np.isfinite(max_rms_km) or max_rms_km <= 0:
        raise ParameterError(f"max_rms_km must be a positive number, got {max_rms_km!r}")
    if not np.isfinite(ambiguity_ratio) or ambiguity_ratio <= 1:
        raise ParameterError(
            f"ambiguity_ratio must be a number above 1 (e.g. 5), got {ambiguity_ratio!r}"
        )


def distance_table(
    satellites: Sequence[Satellite],
    reference: ReferenceOrbits,
    prns: Sequence[str],
    span: EpochSpan,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """RMS and maximum 3-D distance (km) between each satellite and each PRN.

    Returns
    -------
    rms_km, max_km : ndarray, shape (n_sats, n_prns)
        Over the epochs where both positions exist; NaN with fewer than 3 such epochs.
    n_epochs : ndarray of int, shape (n_sats, n_prns)
    """
    if not satellites or not prns:
        z = np.full((len(satellites), len(prns)), np.nan)
        return z, z.copy(), np.zeros(z.shape, dtype=np.int64)
    pos_tle, _ = propagate_itrs_m(list(satellites), span)
    pos_ref = reference.positions_at(span, list(prns))
    d_km = np.linalg.norm(pos_tle[:, :, None, :] - pos_ref[:, None, :, :], axis=-1) / 1000.0
    ok = np.isfinite(d_km)
    n = ok.sum(axis=0)
    d0 = np.where(ok, d_km, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rms = np.sqrt((d0**2).sum(axis=0) / n)
    mx = np.where(ok, d_km, -np.inf).max(axis=0)
    few = n < _MIN_COMMON_EPOCHS
    rms[few] = np.nan
    mx[few] = np.nan
    return rms, mx, n


def identify(
    constellation: Constellation,
    reference: ReferenceOrbits,
    *,
    step_s: float = 900.0,
    max_rms_km: float = 100.0,
    ambiguity_ratio: float = 5.0,
    max_gap_days: float = MAX_REFERENCE_GAP_DAYS,
) -> list[Match]:
    """Match each satellite to a reference PRN of the same system by orbit distance.

    Parameters
    ----------
    constellation : Constellation
        Element sets (e.g. from :func:`gnss.read_elements`).
    reference : ReferenceOrbits
        From :func:`gnss.validation.refs.load_reference`.
    step_s : float
        Comparison step over the reference span (the default 900 s gives 97
        epochs over a day, plenty to separate satellites thousands of km apart).
    max_rms_km : float
        Largest RMS distance accepted as a match. TLEs of GNSS satellites a few
        days from their epoch are typically 1-20 km off.
    ambiguity_ratio : float
        The runner-up (for the satellite and for the PRN) must be at least this
        many times farther; > 1.
    max_gap_days : float
        Largest distance (days) between the reference span and the elements' median
        epoch; farther is refused (default :data:`MAX_REFERENCE_GAP_DAYS`).

    Returns
    -------
    list of Match
        One per satellite, in the constellation's order.

    Raises
    ------
    ParameterError
        For a bad parameter, or a reference more than :data:`MAX_REFERENCE_GAP_DAYS`
        from the element epochs (see :func:`check_reference_near_elements`).

    Examples
    --------
    >>> ref = load_reference("COD0MGXFIN_20231890000_01D_05M_ORB.SP3")  # doctest: +SKIP
    >>> con = read_elements("gnss_2023-07-12.tle")  # doctest: +SKIP
    >>> [m.reference_prn for m in identify(con, ref) if m.norad_id == 43001]  # doctest: +SKIP
    ['C19']
    """
    _check_params(step_s, max_rms_km, ambiguity_ratio)
    check_reference_near_elements(constellation, reference, max_gap_days)
    span = reference_span(reference, step_s)
    ref_systems = set(reference.systems())
    out: dict[int, Match] = {}
    for system in SYSTEMS:
        sats = [s for s in constellation.satellites if s.system == system]
        if not sats:
            continue
        if system not in ref_systems:
            for s in sats:
                out[id(s)] = _match(
                    s, None, math.nan, math.nan, math.inf, "unmatched",
                    f"no {SYSTEM_NAMES[system]} satellites in the reference",
                )  # fmt: skip
            continue
        prns = [p for p in reference.prns if p[0] == system]
        rms, mx, n = distance_table(sats, reference, prns, span)
        for i, s in enumerate(sats):
            out[id(s)] = _decide(i, sats, prns, rms, mx, n, max_rms_km, ambiguity_ratio)
    return [out[id(s)] for s in constellation.satellites]


def _match(s: Satellite, prn, rms, mx, second, status, reason, n=0, disagrees=False) -> Match:
    return Match(
        s.norad_id, s.name, s.system, s.prn, prn, float(rms), float(mx), float(second),
        status, reason, int(n), disagrees,
    )  # fmt: skip


def _sat_label(s: Satellite) -> str:
    return f"NORAD {s.norad_id} ({s.name})"


def _decide(i, sats, prns, rms, mx, n, max_rms_km, ratio) -> Match:
    s = sats[i]
    row = rms[i]
    name_prn = None if s.prn is None else f"{s.system}{s.prn:02d}"
    finite = np.flatnonzero(np.isfinite(row))
    if finite.size == 0:
        return _match(
            s, None, math.nan, math.nan, math.inf, "unmatched",
            "no common epochs with the reference (SGP4 failed or the reference has no data)",
        )  # fmt: skip
    order = finite[np.argsort(row[finite])]
    b1 = int(order[0])
    d1 = float(row[b1])
    d2 = float(row[order[1]]) if order.size > 1 else math.inf
    col = rms[:, b1].copy()
    col[i] = np.nan
    others = np.flatnonzero(np.isfinite(col))
    k_other = int(others[np.argmin(col[others])]) if others.size else None
    d_other = float(col[k_other]) if k_other is not None else math.inf
    second = min(d2, d_other)
    args = (s, prns[b1], d1, mx[i, b1], second)
    if d1 >= max_rms_km:
        if name_prn is not None and name_prn not in prns:
            why = f"PRN {name_prn} (from the name) is not in the reference"
        else:
            why = f"no reference PRN within {max_rms_km:g} km"
        why = f"{why} (nearest {prns[b1]} at {d1:.1f} km"
        if name_prn in prns and name_prn != prns[b1]:
            k = prns.index(name_prn)
            why += f"; the name's {name_prn} at {_f(row[k], '.1f').strip()} km"
        return _match(*args, "unmatched", why + ")", n[i, b1])
    if d2 < ratio * d1:
        return _match(
            *args, "ambiguous",
            f"ambiguous: {prns[b1]} at {d1:.1f} km vs {prns[order[1]]} at {d2:.1f} km "
            f"(need {ratio:g}x)", n[i, b1],
        )  # fmt: skip
    if d_other < ratio * d1:
        return _match(
            *args, "ambiguous",
            f"ambiguous: {prns[b1]} at {d1:.1f} km, but {_sat_label(sats[k_other])} is "
            f"{d_other:.1f} km from {prns[b1]} (need {ratio:g}x)", n[i, b1],
        )  # fmt: skip
    disagrees = name_prn is not None and name_prn != prns[b1]
    reason = f"the name says {name_prn} but the orbit is {prns[b1]}" if disagrees else ""
    return _match(*args, "matched", reason, n[i, b1], disagrees)


def unmatched_prns(matches: Sequence[Match], reference: ReferenceOrbits) -> list[str]:
    """List the reference PRNs of the matched systems that no satellite was matched to."""
    systems = {m.system for m in matches}
    taken = {m.reference_prn for m in matches if m.status == "matched"}
    return [p for p in reference.prns if p[0] in systems and p not in taken]


# ---------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class SatelliteError:
    """Position error of one matched satellite's elements against the reference.

    Distances in km over ``n_epochs`` epochs; radial/along/cross-track are the
    components of (elements - reference) in the frame of the reference orbit
    (along-track from the inertial velocity).
    """

    norad_id: int
    name: str
    system: str
    reference_prn: str
    n_epochs: int
    rms_km: float
    max_km: float
    radial_rms_km: float
    along_rms_km: float
    cross_rms_km: float


@dataclass(frozen=True)
class SystemErrorStats:
    """Position errors of one system (km).

    RMS and maximum over all its satellites and epochs, and the median of the
    per-satellite RMS values.
    """

    system: str
    n_satellites: int
    rms_km: float
    max_km: float
    median_km: float
    radial_rms_km: float
    along_rms_km: float
    cross_rms_km: float


@dataclass(frozen=True)
class DopEffect:
    """DOP from element-set positions versus reference positions at one site, for one set.

    Only matched satellites count, on both sides. ``n_epochs`` counts epochs with a
    fix in both; ``n_fix_differs`` epochs where only one has a fix (a satellite
    crossing the mask at a slightly different time). Differences are
    elements minus reference.
    """

    site: str
    lat_deg: float
    lon_deg: float
    set_name: str
    n_epochs: int
    n_fix_differs: int
    pdop_mean: float
    max_abs_dpdop: float
    mean_abs_dpdop: float
    max_abs_dhdop: float
    max_abs_dvdop: float


@dataclass(frozen=True)
class ValidationReport:
    """Result of :func:`validate`."""

    reference: ReferenceSource
    start_utc: str
    end_utc: str
    step_s: float
    n_epochs: int
    elevation_mask_deg: float
    satellites: tuple[SatelliteError, ...]
    systems: tuple[SystemErrorStats, ...]
    dop: tuple[DopEffect, ...]

    def to_dict(self) -> dict:
        """Plain-JSON dictionary (NaN and inf become None)."""
        return _clean(asdict(self))


def _rtn_components(ref: np.ndarray, vel: np.ndarray, err: np.ndarray) -> np.ndarray:
    """Radial, along- and cross-track components of ``err``; arrays (..., 3)."""
    # Earth rotation (IERS): the inertial velocity defines the along/cross-track directions.
    omega = np.array([0.0, 0.0, WGS84_EARTH_ROTATION_RATE_RAD_PER_S])
    v_inertial = vel + np.cross(omega, ref)
    radial = ref / np.linalg.norm(ref, axis=-1, keepdims=True)
    cross = np.cross(ref, v_inertial)
    cross /= np.linalg.norm(cross, axis=-1, keepdims=True)
    along = np.cross(cross, radial)
    return np.stack([(err * radial).sum(-1), (err * along).sum(-1), (err * cross).sum(-1)], axis=-1)


def _reference_velocity(reference: ReferenceOrbits, span: EpochSpan, prns, pos) -> np.ndarray:
    """Earth-fixed velocity (m/s) by differences of the reference over +-0.5 s."""
    from ..timeutil import timescale

    t_s = reference.seconds_of(span)
    ts = timescale()
    h = 0.5

    def at(dt):
        t = ts.tai_jd(reference.tai_jd0, (t_s + dt) / 86400.0)
        return reference.positions_at(t, prns)

    plus, minus = at(h), at(-h)
    v = (plus - minus) / (2 * h)
    v = np.where(np.isfinite(v), v, (plus - pos) / h)
    return np.where(np.isfinite(v), v, (pos - minus) / h)


def _parse_dop_sets(sets: str | Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """``"R,C,R+C"`` or ``[("R",), ("R", "C")]`` -> system tuples in canonical order."""
    items = sets.split(",") if isinstance(sets, str) else list(sets)
    out: list[tuple[str, ...]] = []
    for item in items:
        letters = item.split("+") if isinstance(item, str) else list(item)
        letters = [x.strip().upper() for x in letters]
        if not letters or any(x not in "GRECJI" or not x for x in letters):
            raise ParameterError(
                f"set {item!r}: use system letters G, R, E, C, J, I joined by '+', e.g. R+C"
            )
        out.append(tuple(x for x in SYSTEMS if x in letters))
    if not out:
        raise ParameterError("no DOP sets given; e.g. 'R,C,R+C'")
    return out


def validate(
    constellation: Constellation,
    reference: ReferenceOrbits,
    matches: Sequence[Match],
    *,
    step_s: float = 300.0,
    sites: Sequence[tuple[str, float, float]] = DEFAULT_SITES,
    elevation_mask_deg: float = 5.0,
    sets: str | Sequence[Sequence[str]] | None = None,
) -> ValidationReport:
    """Errors of the matched satellites' element sets against the reference, and their DOP effect.

    Parameters
    ----------
    constellation : Constellation
        The element sets that were matched.
    reference : ReferenceOrbits
        Reference orbits.
    matches : sequence of Match
        From :func:`identify`; only ``"matched"`` entries are used.
    step_s : float
        Time step over the reference span.
    sites : sequence of (name, lat_deg, lon_deg)
        Receiver sites (on the ellipsoid) for the DOP comparison.
    elevation_mask_deg : float
        Elevation mask for the DOP comparison.
    sets : str or sequence of sequences of str, optional
        Receiver sets with one clock per system, e.g. ``"R,C,R+C"``; default: each
        matched system alone, ``R+C`` when both are matched, and all matched systems
        together when there are more than two.

    Returns
    -------
    ValidationReport
    """
    if not np.isfinite(step_s) or step_s <= 0:
        raise ParameterError(f"step_s must be a positive number of seconds, got {step_s!r}")
    if not np.isfinite(elevation_mask_deg) or not -10.0 <= elevation_mask_deg < 90.0:
        raise ParameterError(f"elevation_mask_deg must be in [-10, 90), got {elevation_mask_deg!r}")
    if not sites:
        raise ParameterError("give at least one site (name, lat_deg, lon_deg)")
    for name, lat, lon in sites:
        if not (np.isfinite(lat) and -90.0 <= lat <= 90.0 and np.isfinite(lon)):
            raise ParameterError(f"site {name!r}: latitude {lat!r} must be in [-90, 90]")
    by_id = {s.norad_id: s for s in constellation.satellites}
    pairs = [
        (by_id[m.norad_id], m.reference_prn)
        for m in matches
        if m.status == "matched" and m.norad_id in by_id
    ]
    if not pairs:
        raise ParameterError("no matched satellites to validate; run identify first")
    pairs.sort(key=lambda p: (SYSTEMS.index(p[0].system), p[1]))
    sats = [p[0] for p in pairs]
    prns = [p[1] for p in pairs]
    span = reference_span(reference, step_s)
    pos_tle, _ = propagate_itrs_m(sats, span)
    pos_ref = reference.positions_at(span, prns)
    both = np.isfinite(pos_tle).all(-1) & np.isfinite(pos_ref).all(-1)  # (t, s)
    pos_tle[~both] = np.nan
    pos_ref[~both] = np.nan
    err = pos_tle - pos_ref
    vel = _reference_velocity(reference, span, prns, pos_ref)
    rtn = _rtn_components(pos_ref, vel, err) / 1000.0  # (t, s, 3) km
    dist = np.linalg.norm(err, axis=-1) / 1000.0

    def rms(x, axis=0):
        with np.errstate(invalid="ignore"):
            return np.sqrt(np.nanmean(x**2, axis=axis))

    sat_rows = []
    for j, (s, prn) in enumerate(pairs):
        ok = both[:, j]
        if not ok.any():
            continue
        c = rms(rtn[ok, j], axis=0)
        sat_rows.append(
            SatelliteError(
                s.norad_id,
                s.name,
                s.system,
                prn,
                int(ok.sum()),
                float(rms(dist[ok, j])),
                float(dist[ok, j].max()),
                *map(float, c),
            )  # fmt: skip
        )
    sys_rows = []
    for system in SYSTEMS:
        cols = [j for j, s in enumerate(sats) if s.system == system and both[:, j].any()]
        if not cols:
            continue
        d = dist[:, cols][both[:, cols]]
        c = rtn[:, cols][both[:, cols]]
        per_sat = [r.rms_km for r in sat_rows if r.system == system]
        sys_rows.append(
            SystemErrorStats(
                system,
                len(cols),
                float(rms(d)),
                float(d.max()),
                float(np.median(per_sat)),
                *map(float, rms(c, axis=0)),
            )  # fmt: skip
        )
    # DOP: both position sets through the project's kernel (epoch by epoch, per site).
    used = [s for s in SYSTEMS if any(x.system == s for x in sats)]
    if sets is None:
        # Each system that can give a fix alone, R+C, and everything matched together.
        set_systems = [(s,) for s in used if s in "GREC"]
        if "R" in used and "C" in used:
            set_systems.append(("R", "C"))
        every = tuple(s for s in used if s in "GRECJI")
        if len(set_systems) > 2 and every not in set_systems:
            set_systems.append(every)
    else:
        set_systems = _parse_dop_sets(sets)
    missing = sorted({x for sp in set_systems for x in sp} - set(used), key=SYSTEMS.index)
    if missing:
        raise ParameterError(
            f"sets name systems without matched satellites: {', '.join(missing)} (matched: "
            f"{', '.join(used)})"
        )
    set_names = ["+".join(sp) for sp in set_systems]
    sat_systems = [s.system for s in sats]
    points, up = geodetic_points([s[1] for s in sites], [s[2] for s in sites], 0.0)
    dop_tle, dop_ref = [], []
    for p in range(len(sites)):
        for store, pos in ((dop_tle, pos_tle), (dop_ref, pos_ref)):
            d = epoch_dops(
                pos, sat_systems, points[p], up[p], set_systems,
                elevation_mask_deg=elevation_mask_deg,
            )  # fmt: skip
            store.append(np.stack([d["pdop"], d["hdop"], d["vdop"]], axis=-1))  # (set, t, 3)
    dop_rows = []
    for p, (site, lat, lon) in enumerate(sites):
        for k, name in enumerate(set_names):
            a, b = dop_tle[p][k], dop_ref[p][k]  # (t, 3)
            fa, fb = np.isfinite(a[:, 0]), np.isfinite(b[:, 0])
            ok = fa & fb
            diff = np.abs(a[ok] - b[ok])
            nan = math.nan
            dop_rows.append(
                DopEffect(
                    site,
                    float(lat),
                    float(lon),
                    name,
                    int(ok.sum()),
                    int((fa ^ fb).sum()),
                    float(b[ok, 0].mean()) if ok.any() else nan,
                    float(diff[:, 0].max()) if ok.any() else nan,
                    float(diff[:, 0].mean()) if ok.any() else nan,
                    float(diff[:, 1].max()) if ok.any() else nan,
                    float(diff[:, 2].max()) if ok.any() else nan,
                )  # fmt: skip
            )
    return ValidationReport(
        reference.source,
        span.start.isoformat(),
        span.end.isoformat(),
        float(step_s),
        span.n_epochs,
        float(elevation_mask_deg),
        tuple(sat_rows),
        tuple(sys_rows),
        tuple(dop_rows),
    )


# ---------------------------------------------------------------------------- text tables


def _f(x: float, fmt: str = "8.2f") -> str:
    return f"{x:{fmt}}" if x is not None and math.isfinite(x) else f"{'-':>{fmt.split('.')[0]}}"


def format_matches(matches: Sequence[Match], reference: ReferenceOrbits | None = None) -> str:
    """Text table: NORAD <-> PRN with distances, then the unmatched/ambiguous with reasons."""
    lines = [
        f"{'NORAD':>6}  {'name':<26} {'sys':<3} {'name PRN':<8} {'PRN':<4} "
        f"{'RMS km':>8} {'max km':>8} {'2nd km':>9}  status",
        "-" * 96,
    ]
    done = [m for m in matches if m.status == "matched"]
    rest = [m for m in matches if m.status != "matched"]
    for m in sorted(done, key=lambda m: (SYSTEMS.index(m.system), m.reference_prn)):
        flag = "  (name disagrees)" if m.name_disagrees else ""
        lines.append(
            f"{m.norad_id:>6}  {m.name[:26]:<26} {m.system:<3} {m.name_prn or '-':<8} "
            f"{m.reference_prn:<4} {_f(m.rms_km)} {_f(m.max_km)} {_f(m.second_best_km, '9.1f')}  "
            f"{m.status}{flag}"
        )
    counts = {s: sum(1 for m in done if m.system == s) for s in SYSTEMS}
    lines.append(
        f"matched: {len(done)} of {len(matches)} "
        f"({', '.join(f'{s} {n}' for s, n in counts.items() if n)})"
    )
    if rest:
        lines += ["", "not matched:"]
        for m in sorted(rest, key=lambda m: (SYSTEMS.index(m.system), m.norad_id)):
            lines.append(f"{m.norad_id:>6}  {m.name[:26]:<26} {m.system:<3} {m.status}: {m.reason}")
    if reference is not None:
        free = unmatched_prns(matches, reference)
        if free:
            lines += ["", f"reference PRNs without a match: {' '.join(free)}"]
    return "\n".join(lines)


def format_validation(report: ValidationReport) -> str:
    """Text tables: per-satellite errors, per-system errors, DOP effect per site and set."""
    lines = [
        f"reference: {report.reference.path} ({report.reference.kind}, "
        f"{report.reference.frame}, time {report.reference.time_system})",
        f"span: {report.start_utc} .. {report.end_utc}, step {report.step_s:g} s, "
        f"{report.n_epochs} epochs",
        "",
        f"{'NORAD':>6}  {'name':<26} {'PRN':<4} {'n':>4} {'RMS km':>8} {'max km':>8} "
        f"{'radial':>8} {'along':>8} {'cross':>8}",
        "-" * 90,
    ]
    for r in report.satellites:
        lines.append(
            f"{r.norad_id:>6}  {r.name[:26]:<26} {r.reference_prn:<4} {r.n_epochs:>4} "
            f"{_f(r.rms_km)} {_f(r.max_km)} {_f(r.radial_rms_km)} {_f(r.along_rms_km)} "
            f"{_f(r.cross_rms_km)}"
        )
    lines += [
        "",
        f"{'system':<8} {'sats':>4} {'RMS km':>8} {'max km':>8} {'median':>8} "
        f"{'radial':>8} {'along':>8} {'cross':>8}",
        "-" * 70,
    ]
    for r in report.systems:
        lines.append(
            f"{SYSTEM_NAMES[r.system]:<8} {r.n_satellites:>4} {_f(r.rms_km)} {_f(r.max_km)} "
            f"{_f(r.median_km)} {_f(r.radial_rms_km)} {_f(r.along_rms_km)} {_f(r.cross_rms_km)}"
        )
    lines += [
        "",
        f"DOP effect (elements minus reference, mask {report.elevation_mask_deg:g} deg, "
        "matched satellites only)",
        f"{'site':<12} {'set':<10} {'epochs':>6} {'PDOP':>7} {'max|dPDOP|':>11} "
        f"{'mean|dPDOP|':>12} {'max|dHDOP|':>11} {'max|dVDOP|':>11} {'fix differs':>11}",
        "-" * 100,
    ]
    for r in report.dop:
        lines.append(
            f"{r.site[:12]:<12} {r.set_name:<10} {r.n_epochs:>6} {_f(r.pdop_mean, '7.2f')} "
            f"{_f(r.max_abs_dpdop, '11.4f')} {_f(r.mean_abs_dpdop, '12.5f')} "
            f"{_f(r.max_abs_dhdop, '11.4f')} {_f(r.max_abs_dvdop, '11.4f')} {r.n_fix_differs:>11}"
        )
    return "\n".join(lines)
