"""Identify element sets against reference orbits and validate them: the public names.

Element-set names do not reliably carry PRNs, so satellites are matched to
reference PRNs by their orbits (NORAD number <-> PRN); the matched element sets
are then validated: their position errors against the reference and the effect
of those errors on DOP at a few sites. The work lives in one module per step:

* :mod:`gnss.validation.refspan`: the comparison span and its distance from the
  element epochs (:func:`reference_span`, :func:`check_reference_near_elements`);
* :mod:`gnss.validation.matching`: the identification (:func:`identify`,
  :class:`Match`, :func:`distance_table`, :func:`unmatched_prns`);
* :mod:`gnss.validation.accuracy`: the validation (:func:`validate`, position errors
  per satellite and per system, :class:`ValidationReport`);
* :mod:`gnss.validation.dopeffect`: the DOP comparison at sample sites
  (:data:`DEFAULT_SITES`, :class:`DopEffect`);
* :mod:`gnss.validation.tables`: the text tables (:func:`format_matches`,
  :func:`format_validation`).
"""

from __future__ import annotations

from .accuracy import SatelliteError, SystemErrorStats, ValidationReport, validate
from .dopeffect import DEFAULT_SITES, DopEffect
from .matching import Match, distance_table, identify, unmatched_prns
from .refspan import (
    MAX_REFERENCE_GAP_DAYS,
    check_reference_near_elements,
    element_offsets_days,
    reference_span,
)
from .tables import format_matches, format_validation

__all__ = [
    "DEFAULT_SITES",
    "MAX_REFERENCE_GAP_DAYS",
    "DopEffect",
    "Match",
    "SatelliteError",
    "SystemErrorStats",
    "ValidationReport",
    "check_reference_near_elements",
    "distance_table",
    "element_offsets_days",
    "format_matches",
    "format_validation",
    "identify",
    "reference_span",
    "unmatched_prns",
    "validate",
]
