"""Validate element sets against reference orbits: position errors and their effect on DOP.

:func:`validate` measures, for the satellites :func:`~gnss.validation.matching.identify`
matched, the position error of the element sets against the reference (RMS,
maximum, radial/along/cross-track; per satellite and per system) and its
effect on DOP at a few sites (:mod:`gnss.validation.dopeffect`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..constants import WGS84_EARTH_ROTATION_RATE_RAD_PER_S
from ..elements.classify import SYSTEMS
from ..elements.read import Constellation, Satellite
from ..errors import ParameterError
from ..io import json_clean as _clean
from ..orbits.propagate import propagate_itrs_m
from ..orbits.reference import ReferenceOrbits, ReferenceSource
from ..timeutil import EpochSpan, timescale
from .dopeffect import DEFAULT_SITES, DopEffect, dop_effects, dop_sets
from .matching import Match
from .refspan import reference_span


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
    _check_validate_params(step_s, elevation_mask_deg, sites)
    pairs = _matched_pairs(constellation, matches)
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
    sat_rows = _satellite_errors(pairs, both, dist, rtn)
    sys_rows = _system_errors(sats, both, dist, rtn, sat_rows)
    # DOP: both position sets through the project's kernel (epoch by epoch, per site).
    used = [s for s in SYSTEMS if any(x.system == s for x in sats)]
    set_systems = dop_sets(used, sets)
    sat_systems = [s.system for s in sats]
    dop_rows = dop_effects(sites, set_systems, sat_systems, pos_tle, pos_ref, elevation_mask_deg)
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


def _check_validate_params(step_s: float, elevation_mask_deg: float, sites) -> None:
    if not np.isfinite(step_s) or step_s <= 0:
        raise ParameterError(f"step_s must be a positive number of seconds, got {step_s!r}")
    if not np.isfinite(elevation_mask_deg) or not -10.0 <= elevation_mask_deg < 90.0:
        raise ParameterError(f"elevation_mask_deg must be in [-10, 90), got {elevation_mask_deg!r}")
    if not sites:
        raise ParameterError("give at least one site (name, lat_deg, lon_deg)")
    for name, lat, lon in sites:
        if not (np.isfinite(lat) and -90.0 <= lat <= 90.0 and np.isfinite(lon)):
            raise ParameterError(f"site {name!r}: latitude {lat!r} must be in [-90, 90]")


def _matched_pairs(
    constellation: Constellation, matches: Sequence[Match]
) -> list[tuple[Satellite, str]]:
    """(satellite, reference PRN) of each match, in system then PRN order.

    Keyed by NORAD number and name: satellites of orbit files have no NORAD number.
    """
    by_id = {(s.norad_id, s.name): s for s in constellation.satellites}
    pairs = [
        (by_id[m.norad_id, m.name], m.reference_prn)
        for m in matches
        if m.status == "matched" and (m.norad_id, m.name) in by_id
    ]
    if not pairs:
        raise ParameterError("no matched satellites to validate; run identify first")
    pairs.sort(key=lambda p: (SYSTEMS.index(p[0].system), p[1]))
    return pairs


def _rms(x, axis=0):
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.nanmean(x**2, axis=axis))


def _satellite_errors(pairs, both, dist, rtn) -> list[SatelliteError]:
    """One row per satellite with common epochs; ``dist`` (t, s) and ``rtn`` (t, s, 3) in km."""
    sat_rows = []
    for j, (s, prn) in enumerate(pairs):
        ok = both[:, j]
        if not ok.any():
            continue
        c = _rms(rtn[ok, j], axis=0)
        sat_rows.append(
            SatelliteError(
                s.norad_id,
                s.name,
                s.system,
                prn,
                int(ok.sum()),
                float(_rms(dist[ok, j])),
                float(dist[ok, j].max()),
                *map(float, c),
            )  # fmt: skip
        )
    return sat_rows


def _system_errors(sats, both, dist, rtn, sat_rows) -> list[SystemErrorStats]:
    """One row per system over all its satellites and epochs (arrays as for the satellites)."""
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
                float(_rms(d)),
                float(d.max()),
                float(np.median(per_sat)),
                *map(float, _rms(c, axis=0)),
            )  # fmt: skip
        )
    return sys_rows
