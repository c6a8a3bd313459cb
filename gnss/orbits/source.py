"""The orbit-provider interface of satellites read from orbit files (SP3, RINEX navigation).

A :class:`~gnss.elements.constellation.Satellite` from an orbit file carries ``orbit``, a
:class:`FileOrbit`: its ``kind`` (``"sp3"``, ``"broadcast"`` or ``"almanac"``) and
``positions_itrs_m(times)``, ITRS metres with NaN where the file does not cover the epoch.
SGP4 satellites (TLE/OMM, nominal sets) have ``orbit=None`` and use their ``satrec``.

For speed, the satellites of one file are evaluated together: :func:`reference_positions`
makes one call for all the PRNs asked of one :class:`~gnss.orbits.reference.ReferenceOrbits`
(:func:`gnss.orbits.propagate.propagate_itrs_m` groups them so).

Coverage (:func:`coverage_utc`): an SP3 file is evaluated from one sample interval before its
first epoch to one after its last (the 9-point Lagrange window extrapolates at most that far:
a 24 h run at a 5 min step from a daily 5 min SP3 fits); a navigation file from the start of
its first record's validity window to the end of its last one (:data:`~.rinexnav.NAV_VALIDITY_S`).
Nothing is extrapolated further.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from .reference import ReferenceOrbits
from .sp3 import lagrange_interpolate

#: Orbit-source kinds, most accurate first: the order of "one satellite, one source".
KINDS = ("sp3", "broadcast", "almanac")

#: Why a file orbit has no position at an epoch, by kind (PropagationFailure.reason).
GAP_REASONS = {
    "sp3": "outside the SP3 span or in a gap of its samples",
    "broadcast": "no valid broadcast record at the epoch",
    "almanac": "outside the almanac's validity (14 days around its reference time)",
}


def source_kind(ref: ReferenceOrbits) -> str:
    """``"sp3"``, ``"almanac"`` or ``"broadcast"`` (a navigation file) for a reference."""
    return ref.source.kind if ref.source.kind in ("sp3", "almanac") else "broadcast"


def sample_step_s(ref: ReferenceOrbits) -> float:
    """Median spacing of the tabulated epochs, seconds."""
    return float(np.median(np.diff(ref.t_s)))


def coverage_utc(ref: ReferenceOrbits) -> tuple[datetime, datetime]:
    """First and last UTC epoch at which the file gives positions (see the module notes)."""
    if source_kind(ref) == "sp3":
        margin = timedelta(seconds=sample_step_s(ref))
        return ref.start_utc - margin, ref.end_utc + margin
    return ref.start_utc, ref.end_utc


def reference_positions(ref: ReferenceOrbits, times, prns) -> np.ndarray:
    """Positions of ``prns`` at ``times`` (skyfield Time, aware datetimes or EpochSpan).

    Returns
    -------
    ndarray, shape (n_times, n_prns, 3)
        ITRS metres; NaN outside the coverage of :func:`coverage_utc`.
    """
    if source_kind(ref) != "sp3":
        return ref.positions_at(times, list(prns))
    cols = [ref.index(p) for p in prns]
    step = sample_step_s(ref)
    t_s = ref.seconds_of(times)
    return lagrange_interpolate(ref.t_s, ref.positions_itrs_m[:, cols], t_s, step, margin_s=step)


@dataclass(frozen=True, eq=False)
class FileOrbit:
    """One satellite's orbit from an SP3 or navigation file.

    Attributes
    ----------
    reference : ReferenceOrbits
        The file's orbits (shared by every satellite of the file).
    prn : str
        The satellite in the file, e.g. ``"G05"``.
    kind : str
        ``"sp3"``, ``"broadcast"`` or ``"almanac"``.
    """

    reference: ReferenceOrbits
    prn: str
    kind: str

    @property
    def path(self) -> str:
        """The file the orbit comes from."""
        return self.reference.source.path

    def coverage_utc(self) -> tuple[datetime, datetime]:
        """First and last UTC epoch the file covers (:func:`coverage_utc`)."""
        return coverage_utc(self.reference)

    def positions_itrs_m(self, times) -> np.ndarray:
        """Positions, shape ``(n_times, 3)``, ITRS metres; NaN where the file has none."""
        return reference_positions(self.reference, times, [self.prn])[:, 0]
