"""Match element sets to reference orbits (NORAD number <-> PRN) by orbit distance.

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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from ..elements.classify import SYSTEM_NAMES, SYSTEMS
from ..elements.read import Constellation, Satellite
from ..errors import ParameterError
from ..io import json_clean as _clean
from ..orbits.propagate import propagate_itrs_m
from ..orbits.reference import ReferenceOrbits
from ..timeutil import EpochSpan
from .refspan import MAX_REFERENCE_GAP_DAYS, check_reference_near_elements, reference_span

_MIN_COMMON_EPOCHS = 3


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
        From :func:`gnss.orbits.load.load_reference`.
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


def _km(x: float) -> str:
    """Format a distance with one decimal, or ``-`` where it is not finite."""
    return f"{x:.1f}" if math.isfinite(x) else "-"


def _sat_label(s: Satellite) -> str:
    return s.name if s.norad_id is None else f"NORAD {s.norad_id} ({s.name})"


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
            why += f"; the name's {name_prn} at {_km(row[k])} km"
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
