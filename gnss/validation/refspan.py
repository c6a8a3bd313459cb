"""The comparison span: epochs over the reference, and how far it lies from the element epochs.

Identification and validation both compare element sets with the reference
over the reference's own span; a reference far from the element epochs is
refused, because SGP4 positions that far out cannot be matched reliably.
"""

from __future__ import annotations

from ..elements.read import Constellation
from ..errors import ParameterError
from ..orbits.reference import ReferenceOrbits
from ..timeutil import EpochSpan, epoch_span

#: identify refuses a reference whose span ends more than this many days from the elements'
#: median epoch: the same limit as ``gnss compare``
#: (gnss.elements.hygiene.check_span_near_elements);
#: SGP4 positions that far out are off by hundreds of km or more, so no match is trustworthy.
MAX_REFERENCE_GAP_DAYS = 60.0


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
