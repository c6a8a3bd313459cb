"""The pattern clock: moving a system's Earth-fixed slot pattern along its repeating track.

A slot given at a document's reference epoch is advanced to the element epoch by the elapsed
time modulo the system's repeat period (the same period for every slot of a system, so the
constellation stays a rigid pattern; see the notes of :mod:`gnss.elements.nominal`).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache

from .epochs import seconds_between
from .secular import repeat_period_s


def advance_along_repeat_deg(
    node_longitude_deg: float,
    argument_of_latitude_deg: float,
    elapsed_s: float,
    n_rev: int,
    n_sidereal_days: int,
    period_s: float,
) -> tuple[float, float]:
    """Move an Earth-fixed slot along its repeating ground track.

    Only ``elapsed_s mod period_s`` is used, so decades cost nothing and lose no precision.

    Parameters
    ----------
    node_longitude_deg, argument_of_latitude_deg : float
        Earth-fixed node longitude ``λ_Ω`` and argument of latitude ``u`` at the start, degrees.
    elapsed_s : float
        Time to advance, seconds (negative goes back).
    n_rev, n_sidereal_days : int
        Revolutions and sidereal days per repeat.
    period_s : float
        Repeat period, seconds (e.g. from :func:`repeat_period_s`).

    Returns
    -------
    tuple of float
        ``(node_longitude_deg, argument_of_latitude_deg)`` after ``elapsed_s``, in [0, 360).

    Examples
    --------
    >>> advance_along_repeat_deg(10.0, 20.0, 0.25 * 86400.0, 1, 1, 86400.0)
    (280.0, 110.0)
    """
    fraction = math.fmod(elapsed_s, period_s) / period_s
    if fraction < 0.0:
        fraction += 1.0
    node = (node_longitude_deg - 360.0 * n_sidereal_days * fraction) % 360.0
    u = (argument_of_latitude_deg + 360.0 * n_rev * fraction) % 360.0
    return node, u


# Lunisolar rates of the pattern clock are averaged over these RAANs (degrees) and over the
# 1 January of 2000 … 2018, one 18.6-year cycle of the lunar node, so the clock does not depend on
# the analysis epoch.
_PATTERN_RAANS_DEG = tuple(float(r) for r in range(0, 360, 30))
_PATTERN_EPOCHS = tuple(datetime(year, 1, 1, tzinfo=UTC) for year in range(2000, 2019))


@lru_cache(maxsize=32)
def pattern_period_s(n_rev: int, n_sidereal_days: int, inclination_deg: float) -> float:
    """Repeat period that advances a system's pattern from its reference epoch, seconds.

    SGP4's zonal secular rates plus the SDP4 lunisolar secular rates averaged over node
    (:data:`_PATTERN_RAANS_DEG`) and over a lunar-node cycle (:data:`_PATTERN_EPOCHS`). The
    lunisolar node regression shortens the period by about 0.33 s per sidereal day for GPS,
    3.6 s per Galileo repeat and 1.8 s per GLONASS repeat; with it, the real GPS and Galileo
    satellites of 2026 sit on their nominal slots, without it they are about 20 min ahead.
    """
    periods = [
        repeat_period_s(n_rev, n_sidereal_days, inclination_deg, epoch=epoch, raan_deg=raan)
        for epoch in _PATTERN_EPOCHS
        for raan in _PATTERN_RAANS_DEG
    ]
    return math.fsum(periods) / len(periods)


def pattern_advance(
    node_longitude_deg: float,
    argument_of_latitude_deg: float,
    reference_time,
    epoch_time,
    repeat: tuple[int, int],
    inclination_deg: float,
) -> tuple[float, float]:
    """Advance a reference slot to the epoch with the system's pattern repeat period."""
    period = pattern_period_s(repeat[0], repeat[1], inclination_deg)
    return advance_along_repeat_deg(
        node_longitude_deg,
        argument_of_latitude_deg,
        seconds_between(epoch_time, reference_time),
        repeat[0],
        repeat[1],
        period,
    )
