"""Epoch hygiene of element sets: stale satellites, spans far from the elements, skipped records.

The checks ``gnss compare`` and the site runs make on the elements they load
(:mod:`gnss.study.load`) before anything is propagated.
"""

from __future__ import annotations

from datetime import datetime

from ..errors import ParameterError
from .read import Constellation, Satellite, skipped_lines

__all__ = ["check_span_near_elements", "stale_satellites", "summarize_skipped"]


def stale_satellites(
    con: Constellation, start: datetime, end: datetime, max_age_days: float = 14.0
) -> list[tuple[Satellite, float]]:
    """Satellites whose element epoch is more than ``max_age_days`` from the span [start, end].

    Returns
    -------
    list of (Satellite, float)
        Each with its distance in days from the nearest end of the span, the worst (farthest)
        first; ties keep the constellation's order.
    """
    out = []
    for sat in con.satellites:
        if sat.epoch < start:
            days = (start - sat.epoch).total_seconds() / 86400.0
        elif sat.epoch > end:
            days = (sat.epoch - end).total_seconds() / 86400.0
        else:
            days = 0.0
        if days > max_age_days:
            out.append((sat, days))
    return sorted(out, key=lambda item: -item[1])


def check_span_near_elements(
    con: Constellation, start: datetime, end: datetime, max_days: float = 60.0, force: bool = False
) -> None:
    """Refuse an analysis span far from the element epochs (unless ``force``).

    Raises
    ------
    ParameterError
        When the span starts or ends more than ``max_days`` from the median element epoch.
    """
    if force or not con.satellites:
        return
    median = con.median_epoch()
    worst = max(abs((start - median).total_seconds()), abs((end - median).total_seconds()))
    if worst / 86400.0 > max_days:
        raise ParameterError(
            f"the analysis span {start.isoformat()} .. {end.isoformat()} is {worst / 86400:.0f} "
            f"days from the elements' median epoch {median.isoformat()}; TLE predictions that "
            f"far out are meaningless. Use element sets of that date, move --start, or pass "
            f"--force to run anyway"
        )


def summarize_skipped(con: Constellation, max_lines: int = 10) -> list[str]:
    """Skipped records as short lines, grouped by kind or by a repeated reason.

    Kinds are e.g. duplicate NORAD, duplicate PRN, implausible orbit, bad element.

    Examples
    --------
    >>> import gnss
    >>> from gnss.elements.select import filter_constellation
    >>> con = filter_constellation(gnss.read_elements(gnss.nominal_element_files(["C"])), "C:GEO")
    >>> summarize_skipped(con)[0]
    '27 records not selected by --select (e.g. BEIDOU-3 NOMINAL M01, BEIDOU-3 NOMINAL M02, ...)'
    """
    return skipped_lines(con.skipped, max_lines)
