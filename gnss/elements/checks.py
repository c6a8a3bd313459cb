"""Checks of the records read: usable elements, a known system, a plausible orbit, no duplicates.

:func:`check_record` turns one record into a classified :class:`Satellite`, or a
:class:`Skipped` with its reason (non-finite or out-of-range elements, an sgp4
initialisation error, a name that matches no GNSS, an orbit that does not fit its system).
:func:`drop_duplicates` keeps the newest epoch of each catalogue number and of each system +
PRN. Nothing here raises: every problem is a reason kept with the record.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sgp4.api import Satrec

from .classify import classify, orbit_problem
from .constellation import Satellite, Skipped


def _epoch_from_satrec(sat: Satrec) -> datetime:
    jd = sat.jdsatepoch + sat.jdsatepochF
    # JD 2440587.5 is 1970-01-01T00:00 UTC; microsecond rounding is far below
    # the element accuracy.
    return datetime.fromtimestamp(round((jd - 2440587.5) * 86400.0, 6), tz=UTC)


_DEG = math.degrees
_REV_PER_DAY = 1440.0 / (2.0 * math.pi)  # from SGP4's rad/min
# Satrec attribute -> field name as in OMM files (and CelesTrak's TLE documentation).
_ELEMENT_FIELDS = (
    ("no_kozai", "MEAN_MOTION"),
    ("ecco", "ECCENTRICITY"),
    ("inclo", "INCLINATION"),
    ("nodeo", "RA_OF_ASC_NODE"),
    ("argpo", "ARG_OF_PERICENTER"),
    ("mo", "MEAN_ANOMALY"),
    ("bstar", "BSTAR"),
    ("ndot", "MEAN_MOTION_DOT"),
    ("nddot", "MEAN_MOTION_DDOT"),
    ("jdsatepoch", "EPOCH"),
    ("jdsatepochF", "EPOCH"),
)
# sgp4's initialisation error codes (sgp4/wrapper and Vallado's sgp4unit.cpp).
_SGP4_ERRORS = {
    1: "mean eccentricity outside 0 <= e < 1, or semi-major axis below 0.95 Earth radii",
    2: "mean motion below zero",
    3: "perturbed eccentricity outside 0-1",
    4: "semi-latus rectum below zero",
    5: "epoch elements are sub-orbital",
    6: "the satellite has decayed",
}


def _element_problem(satrec: Satrec) -> str | None:
    """Why the elements are unusable (non-finite, out of range, sgp4 error), or None."""
    for attr, field_name in _ELEMENT_FIELDS:
        value = getattr(satrec, attr)
        if not math.isfinite(value):
            return f"{field_name} is {value!r}, expected a finite number"
    n = satrec.no_kozai * _REV_PER_DAY
    if not n > 0:
        return f"MEAN_MOTION is {n:g} rev/day, expected > 0"
    if not 0.0 <= satrec.ecco < 1.0:
        return f"ECCENTRICITY is {satrec.ecco:g}, expected 0 <= e < 1"
    inc = _DEG(satrec.inclo)
    if not 0.0 <= inc <= 180.0:
        return f"INCLINATION is {inc:g} deg, expected 0-180 deg"
    if satrec.error:
        what = _SGP4_ERRORS.get(satrec.error, "unknown error")
        return f"sgp4 initialisation error code {satrec.error} ({what})"
    return None


def check_record(name: str, where: str, satrec: Satrec) -> Satellite | Skipped:
    """Check and classify one record: a Satellite, or a Skipped with the reason.

    Parameters
    ----------
    name : str
        Name line or OMM ``OBJECT_NAME``.
    where : str
        ``file:line`` of the record.
    satrec : sgp4.api.Satrec
        Its initialised SGP4 model.

    Returns
    -------
    Satellite or Skipped
        A Skipped's ``kind`` is ``"bad element"``, ``"unknown name"`` or
        ``"implausible orbit"``.

    Examples
    --------
    >>> from gnss import nominal_element_files
    >>> from gnss.elements.tle import read_tle
    >>> path = nominal_element_files(["R"])[0]
    >>> name, line, satrec = read_tle(str(path), path.read_text())[0]
    >>> check_record(name, f"{path.name}:{line}", satrec).system
    'R'
    """
    if problem := _element_problem(satrec):
        return Skipped(name, where, f"{problem}; fix or remove the record", "bad element")
    rev_per_day = satrec.no_kozai * _REV_PER_DAY
    inc_deg = _DEG(satrec.inclo)
    ident = classify(name, satrec.satnum, rev_per_day, inc_deg)
    if ident.system is None:
        return Skipped(name, where, ident.reason, "unknown name")
    if problem := orbit_problem(ident.system, rev_per_day, satrec.ecco, inc_deg):
        return Skipped(
            name, where, f"{problem}; the name and the elements disagree", "implausible orbit"
        )
    try:
        epoch = _epoch_from_satrec(satrec)
    except (ValueError, OverflowError, OSError) as exc:
        return Skipped(name, where, f"EPOCH out of range ({exc})", "bad element")
    return Satellite(
        name=name,
        norad_id=int(satrec.satnum),
        system=ident.system,
        prn=ident.prn,
        orbit_class=ident.orbit_class,
        generation=ident.generation,
        epoch=epoch,
        source=where,
        satrec=satrec,
    )


def drop_duplicates(sats: list[Satellite]) -> tuple[list[Satellite], list[Skipped]]:
    """Keep the newest epoch of each catalogue number, then of each system + PRN.

    Parameters
    ----------
    sats : list of Satellite
        In file order.

    Returns
    -------
    kept : list of Satellite
        In file order.
    dropped : list of Skipped
        The duplicate catalogue numbers (kind ``"duplicate NORAD"``), then the duplicate PRNs
        (kind ``"duplicate PRN"``), each saying which record was kept.

    Examples
    --------
    >>> from dataclasses import replace
    >>> from datetime import timedelta
    >>> from gnss import nominal_element_files, read_elements
    >>> sats = list(read_elements(nominal_element_files(["R"])).satellites)
    >>> older = replace(sats[0], epoch=sats[0].epoch - timedelta(days=1), source="old.tle:2")
    >>> kept, dropped = drop_duplicates(sats + [older])
    >>> len(kept), dropped[0].kind, dropped[0].source
    (24, 'duplicate NORAD', 'old.tle:2')
    """
    sats, dups = _drop_duplicate_norads(sats)
    sats, prn_dups = _drop_duplicate_prns(sats)
    return sats, dups + prn_dups


def _drop_duplicate_norads(sats: list[Satellite]) -> tuple[list[Satellite], list[Skipped]]:
    """Keep the newest epoch of each catalogue number; report the others."""
    newest: dict[int, Satellite] = {}
    for s in sats:
        if s.norad_id not in newest or s.epoch > newest[s.norad_id].epoch:
            newest[s.norad_id] = s
    keep, dropped = [], []
    for s in sats:
        if newest[s.norad_id] is s:
            keep.append(s)
        else:
            kept = newest[s.norad_id]
            dropped.append(
                Skipped(
                    s.name,
                    s.source,
                    f"duplicate NORAD {s.norad_id}: kept the newer epoch at {kept.source}",
                    "duplicate NORAD",
                )
            )
    return keep, dropped


def _drop_duplicate_prns(sats: list[Satellite]) -> tuple[list[Satellite], list[Skipped]]:
    """Keep the newest epoch of each system + PRN held by different catalogue numbers.

    Two catalogue numbers with one PRN happen when snapshots of different dates are mixed
    (a PRN moved to a new satellite); only one can transmit it at a time.
    """
    newest: dict[tuple[str, int], Satellite] = {}
    for s in sats:
        key = (s.system, s.prn)
        if s.prn is not None and (key not in newest or s.epoch > newest[key].epoch):
            newest[key] = s
    keep, dropped = [], []
    for s in sats:
        kept = newest.get((s.system, s.prn)) if s.prn is not None else None
        if kept is None or kept is s:
            keep.append(s)
            continue
        reason = (
            f"duplicate PRN {s.label}: NORAD {s.norad_id} (epoch {s.epoch:%Y-%m-%d %H:%M}) "
            f"and NORAD {kept.norad_id} {kept.name!r} (epoch {kept.epoch:%Y-%m-%d %H:%M}) "
            f"both claim it; kept the newer epoch at {kept.source}"
        )
        dropped.append(Skipped(s.name, s.source, reason, "duplicate PRN"))
    return keep, dropped
