"""Element sets of a study: read, filter, choose the start, check the span against the epochs.

Element files are TLE/OMM or orbit files (SP3, RINEX navigation), detected from the content
and merged per label, one source per satellite (:mod:`gnss.study.sources`).

Start and span with orbit files: a label with an SP3 or navigation file starts, by default, at
the latest first epoch of those files (:func:`file_start`), not at the median element epoch
(an SP3 day's median is its noon), and the run's span must lie inside every such file's
coverage (:func:`gnss.orbits.source.coverage_utc`: SP3 plus one sample interval each side,
navigation records within their validity), else it is refused before any work
(:func:`check_spans`). A 24 h run at 300 s from a daily 5-min SP3 fits.

Warnings (records skipped, stale element epochs) go to the ``gnss`` logger; nothing prints.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from datetime import datetime

from ..elements.hygiene import check_span_near_elements, stale_satellites, summarize_skipped
from ..elements.nominal import NOMINAL_EPOCH
from ..elements.nominal_files import nominal_constellation, nominal_element_files
from ..elements.read import Constellation
from ..elements.select import filter_constellations
from ..elements.sets import NOMINAL_LABEL, SetSpec
from ..errors import GnssError, GnssTypeError, ParameterError
from ..timeutil import EpochSpan
from .question import ElementsInput
from .sources import read_sources

log = logging.getLogger("gnss")

Constellations = dict[str | None, Constellation]


def element_sources(elements: ElementsInput) -> dict[str | None, list | Constellation]:
    """``Study.elements`` as a mapping label -> list of files or Constellation."""
    if elements is None:
        return {}
    if isinstance(elements, (str, os.PathLike, Constellation)):
        elements = [elements] if not isinstance(elements, Constellation) else elements
    if isinstance(elements, Constellation):
        return {None: elements}
    if isinstance(elements, Mapping):
        out: dict[str | None, list | Constellation] = {}
        for label, value in elements.items():
            if label is not None and not isinstance(label, str):
                raise GnssTypeError(f"elements: labels must be str or None, got {label!r}")
            if isinstance(value, (str, os.PathLike)):
                value = [value]
            out[label] = value if isinstance(value, Constellation) else list(value)
        return out
    if isinstance(elements, Sequence):
        return {None: list(elements)}
    raise GnssTypeError(
        "elements: expected None, element files, a gnss.Constellation or a mapping "
        f"label -> files, got {type(elements).__name__}"
    )


def load_constellations(
    specs: Sequence[SetSpec],
    elements: ElementsInput,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    start: datetime | None = None,
    include_unhealthy: bool = False,
) -> Constellations:
    """Element sets by label, filtered; unlabelled sets default to the nominal constellations.

    The nominal slots come from the shipped files (epoch 2026-01-01T00:00Z) or, when a
    ``start`` is given, are placed at that start by the builder's rules. Navigation and
    almanac records flagged unhealthy are left out (and listed) unless ``include_unhealthy``.

    Raises
    ------
    ElementError
        For an unreadable element file.
    ParameterError
        For a selector that selects or removes nothing (``parameter`` "select"), before any
        propagation.
    """
    sources = element_sources(elements)
    wanted = {s.label for s in specs} - {NOMINAL_LABEL}
    if None in wanted and None not in sources:
        systems = sorted({x for s in specs if s.label is None for x in s.systems})
        sources[None] = _nominal(systems, start)
    loaded = {
        label: src if isinstance(src, Constellation) else read_sources(src, include_unhealthy)
        for label, src in sources.items()
    }
    try:
        cons = filter_constellations(loaded, select, exclude)
    except ParameterError as exc:
        raise ParameterError(str(exc), parameter="select") from exc
    for label, con in cons.items():
        src = sources[label]
        paths = [s.path for s in src.sources] if isinstance(src, Constellation) else src
        for line in summarize_skipped(con):
            log.warning("skipped %s", line)
        where = ", ".join(map(str, paths))
        log.info("%s: %d satellites %s from %s", label or "elements", len(con), con.counts(), where)
    return cons


def _nominal(systems: list[str], start: datetime | None):
    """Return the shipped nominal files of ``systems``, or the nominal slots at ``start``.

    A system without a nominal set is a usage error of the sets (``parameter`` "sets"); a
    start outside the TLE epoch range one of the start (``parameter`` "start").
    """
    try:
        files = nominal_element_files(systems)
    except ParameterError as exc:
        raise ParameterError(str(exc), parameter="sets") from exc
    if start is None:
        return files
    try:
        return nominal_constellation(systems, start)
    except GnssError as exc:
        raise ParameterError(str(exc).replace("epoch: ", "", 1), parameter="start") from exc


def default_start(cons: Constellations) -> datetime:
    """Return the unlabelled elements' default start (else the first set's, else nominal).

    The start of orbit files (:func:`file_start`) when the set has any, else its median
    element epoch.
    """
    first = cons.get(None)
    if first is None:
        first = next(iter(cons.values()), None)
    if first is not None and (start := file_start(first)) is not None:
        log.info("start = first epoch of the orbit files %s", start.isoformat())
        return start
    start = first.median_epoch() if first is not None else NOMINAL_EPOCH
    log.info("start = median element epoch %s", start.isoformat())
    return start


def _orbit_files(con: Constellation) -> dict[str, tuple[datetime, datetime]]:
    """Coverage (first, last UTC epoch) of each orbit file of a set's satellites, by path."""
    return {s.orbit.path: s.orbit.coverage_utc() for s in con.satellites if s.orbit is not None}


def file_start(con: Constellation) -> datetime | None:
    """Latest first epoch of the set's SP3/navigation files (their own, without the margin)."""
    refs = {id(s.orbit.reference): s.orbit.reference for s in con.satellites if s.orbit}
    return max((r.start_utc for r in refs.values()), default=None)


def label_starts(cons: Constellations) -> dict[str, datetime]:
    """Start of each labelled set that has orbit files (:func:`file_start`)."""
    out = {}
    for label, con in cons.items():
        if label is not None and (start := file_start(con)) is not None:
            out[label] = start
    return out


def check_spans(cons: Constellations, span: EpochSpan, max_age_days: float, force: bool) -> None:
    """Refuse spans far from the element epochs; log the stale satellites, worst first.

    Labelled snapshots run from their own median epoch (see :mod:`gnss.elements.sets`).

    Raises
    ------
    ParameterError
        When the span is more than 60 days from a set's median epoch and not ``force``; when
        an orbit file does not cover the span (``parameter`` "start", whatever ``force``).
    """
    starts = label_starts(cons)
    for label, con in cons.items():
        lo = span.start if label is None else starts.get(label) or con.median_epoch()
        hi = lo + (span.end - span.start)
        _check_file_coverage(con, label, lo, hi)
        check_span_near_elements(con, lo, hi, force=force)
        stale = stale_satellites(con, lo, hi, max_age_days)
        if stale:  # worst first, with where each record came from
            worst = ", ".join(f"{s.name} ({d:.1f} d, {s.source})" for s, d in stale[:5])
            more = f"; and {len(stale) - 5} more" if len(stale) > 5 else ""
            log.warning(
                "%d of %d satellites%s have element epochs more than %g days from the span "
                "(worst first): %s%s. Use element sets of the span's date, or --max-age-days",
                len(stale), len(con), "" if label is None else f" of {label!r}",
                max_age_days, worst, more,
            )  # fmt: skip


def _check_file_coverage(con: Constellation, label, lo: datetime, hi: datetime) -> None:
    """Refuse a span that an orbit file of the set does not cover (no extrapolation)."""
    for path, (first, last) in _orbit_files(con).items():
        if first <= lo and hi <= last:
            continue
        hours = (last - first).total_seconds() / 3600.0
        raise ParameterError(
            f"the run's span {lo.isoformat()} .. {hi.isoformat()}"
            f"{'' if label is None else f' (label {label!r})'} is not covered by {path}, "
            f"which gives positions from {first.isoformat()} to {last.isoformat()} "
            f"({hours:.2f} h, margin included); orbit files are not extrapolated. Choose "
            f"--start/--hours inside it (e.g. leave --start out: the file's first epoch), or "
            "give the file of the span's day",
            parameter="start",
        )
