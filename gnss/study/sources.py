"""Element sources of one label: TLE/OMM files and orbit files (SP3, RINEX nav, almanacs), merged.

The kind of each file is detected from its content (:func:`file_kind`): SP3 (``#c``/``#d``
first line), RINEX navigation ("RINEX VERSION / TYPE" with N or G; versions 2 and 3 read by
georinex, RINEX 4 by :func:`gnss.orbits.rinex4.load_nav4`), YUMA/SEM almanacs
(:func:`gnss.orbits.almanac_orbit.load_almanac`), anything else TLE/OMM
(:func:`gnss.read_elements`). A RINEX observation (or other non-orbit RINEX) file is refused.

**One satellite, one source**: within a label, precise (SP3) > broadcast (navigation) >
almanac > TLE/OMM.
Orbit files give the same satellite the same identity (system + PRN), so a PRN given by two
files keeps the better kind (the first file among equals). A TLE/OMM satellite is the same as
an orbit-file satellite when SGP4 puts it within :data:`SAME_SATELLITE_KM` of it at the middle
of the file (TLE names do not always carry the PRN: GLONASS names never carry the slot). The
dropped ones are :class:`~gnss.elements.constellation.Skipped` with kind "other source".
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..elements.constellation import Constellation, ElementSource, Satellite, Skipped
from ..elements.read import read_elements
from ..errors import ElementError
from ..inputfile import MAX_REFERENCE_FILE_BYTES, read_input_file
from ..orbits.almanac_orbit import load_almanac
from ..orbits.load import load_reference
from ..orbits.propagate import propagate_itrs_m
from ..orbits.proxy import file_satellites
from ..orbits.reference import ReferenceOrbits
from ..orbits.rinex4 import load_nav4
from ..orbits.source import KINDS, reference_positions
from ..timeutil import EpochSpan

#: A TLE satellite this close (km) to an orbit-file satellite at the file's middle epoch is
#: the same satellite. TLE errors are a few km; distinct GNSS satellites are >= 1000 km apart.
SAME_SATELLITE_KM = 100.0

log = logging.getLogger("gnss")

_FILE_HINT = (
    "Give an SP3 orbit (e.g. COD0MGXFIN_...ORB.SP3), a RINEX navigation file (RINEX VERSION / "
    "TYPE 'N'), or TLE/OMM element files"
)


def file_kind(path: str | Path) -> str:
    """``"sp3"``, ``"rinex-nav"``, ``"rinex-nav4"``, ``"almanac"`` or ``"elements"`` from content.

    Raises
    ------
    ElementError
        For a RINEX file that holds no orbits (observation, meteorological, clock).
    """
    head = _head(Path(path))
    first = head.splitlines()[0] if head else ""
    if _is_almanac(head):
        return "almanac"
    if first[:2] in ("#a", "#b", "#c", "#d") and "\n##" in head:
        return "sp3"
    if "RINEX VERSION / TYPE" not in first:
        return "elements"
    version, rtype = first[:9].strip(), first[20:21]
    if rtype in ("N", "G") and version[:1] not in ("4", "5"):
        return "rinex-nav"
    if rtype == "N":
        return "rinex-nav4"
    what = {"O": "observation", "M": "meteorological", "C": "clock"}.get(rtype, f"type {rtype!r}")
    raise ElementError(
        f"{path}:1: a RINEX {version} {what} file, not orbits: its RINEX VERSION / TYPE line "
        f"says {rtype!r} where an orbit source says 'N' (navigation). {_FILE_HINT}"
    )


def _is_almanac(head: str) -> bool:
    """YUMA (``******** Week ...``) or SEM (``<count> <name>`` then ``<week> <t_oa>``)."""
    lines = [x for x in head.splitlines() if x.strip()]
    if not lines:
        return False
    if lines[0].lstrip().startswith("****") and "week" in lines[0].lower():
        return True
    return (
        len(lines) > 1
        and re.fullmatch(r"\s*\d{1,3}\s+\S.*", lines[0]) is not None
        and re.fullmatch(r"\s*\d{1,4}\s+\d{1,6}\s*", lines[1]) is not None
    )


def _head(p: Path, n_bytes: int = 4096) -> str:
    """Return the first bytes of a file as text (gunzipped when it is gzip)."""
    data = read_input_file(p, what="element file", max_bytes=MAX_REFERENCE_FILE_BYTES,
                           error=ElementError)  # fmt: skip
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ElementError(f"{p}: a damaged gzip file ({exc}); download it again") from exc
    return data[:n_bytes].decode("latin-1")


def read_orbit_file(
    path: str | Path, kind: str, include_unhealthy: bool = False
) -> ReferenceOrbits:
    """Read an SP3, navigation (RINEX 2-4) or almanac file; refuse a truncated SP3.

    An almanac's GPS week (modulo 1024 in the file) is taken nearest the file's date (noted).
    """
    p = Path(path)
    if kind == "rinex-nav4":
        return load_nav4(p, include_unhealthy=include_unhealthy)
    if kind == "almanac":
        return load_almanac(p, include_unhealthy=include_unhealthy)
    if kind == "sp3":
        tail = _tail_text(p)
        if "EOF" not in tail.split()[-1:]:
            raise ElementError(
                f"{p}: the SP3 file ends without its 'EOF' line (it ends with "
                f"{tail.splitlines()[-1]!r}): it is truncated. Download it again"
            )
    return load_reference(p, kind=kind, include_unhealthy=include_unhealthy)


def _tail_text(p: Path) -> str:
    data = p.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data[-200:].decode("latin-1").rstrip() or "(empty)"


def unhealthy_skipped(ref: ReferenceOrbits) -> list[Skipped]:
    """Satellites a reader left out because every record is flagged unhealthy, as Skipped.

    The readers say so in a note ``"G22, R25: every record is flagged unhealthy; ..."``; as
    Skipped records (kind "unhealthy") they reach the set checks, which name them and the fix.
    """
    out = []
    for note in ref.notes:
        head, sep, _ = note.partition(":")
        if sep and "every record is flagged unhealthy" in note:
            for prn in (x.strip() for x in head.split(",")):
                reason = "every record flagged unhealthy (--include-unhealthy keeps it)"
                out.append(Skipped(f"{prn} ({ref.source.kind})", ref.source.path, reason,
                                   "unhealthy"))  # fmt: skip
    return out


def read_sources(paths: Sequence[str | Path], include_unhealthy: bool = False) -> Constellation:
    """One label's files (TLE/OMM, SP3, navigation) as one Constellation, one source each.

    ``include_unhealthy`` keeps navigation and almanac records flagged unhealthy (left out and
    listed by default).
    """
    kinds = [file_kind(p) for p in paths]
    tle_paths = [str(p) for p, k in zip(paths, kinds, strict=True) if k == "elements"]
    tle = read_elements(tle_paths) if tle_paths else Constellation(())
    file_sats: list[Satellite] = []
    skipped = list(tle.skipped)
    sources = list(tle.sources)
    for p, k in zip(paths, kinds, strict=True):
        if k == "elements":
            continue
        ref = read_orbit_file(p, k, include_unhealthy)
        for note in ref.notes:  # e.g. unhealthy satellites, systems not evaluated
            log.warning("%s: %s", p, note)
        skipped += unhealthy_skipped(ref)
        sats, left_out = file_satellites(ref)
        file_sats += sats
        skipped += left_out
        sources.append(ElementSource(str(p), _sha256(Path(p)), len(ref.prns)))
    if not file_sats:
        return tle
    best, dropped = _one_per_prn(file_sats)
    kept_tle, dropped_tle = _drop_tle_duplicates(list(tle.satellites), best)
    sats = tuple(best + kept_tle)
    return Constellation(sats, tuple(skipped + dropped + dropped_tle), tuple(sources))


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _one_per_prn(sats: list[Satellite]) -> tuple[list[Satellite], list[Skipped]]:
    """Keep the most precise file's satellite of each system + PRN (the first among equals)."""
    best: dict[str, Satellite] = {}
    for s in sats:
        old = best.get(s.label)
        if old is None or KINDS.index(s.orbit.kind) < KINDS.index(old.orbit.kind):
            best[s.label] = s
    kept = [s for s in sats if best[s.label] is s]
    dropped = [
        Skipped(s.name, s.source, f"{s.label} is also in {best[s.label].orbit.path} "
                f"({best[s.label].orbit.kind}); that one is used", "other source")
        for s in sats if best[s.label] is not s
    ]  # fmt: skip
    return kept, dropped


def _drop_tle_duplicates(
    tle: list[Satellite], files: list[Satellite]
) -> tuple[list[Satellite], list[Skipped]]:
    """Drop each TLE satellite that SGP4 puts on an orbit-file satellite (same satellite)."""
    if not tle:
        return [], []
    by_ref: dict[int, list[Satellite]] = {}
    for s in files:
        by_ref.setdefault(id(s.orbit.reference), []).append(s)
    twin: dict[int, tuple[Satellite, float]] = {}
    for group in by_ref.values():
        ref = group[0].orbit.reference
        mid = ref.times[len(ref.t_s) // 2].utc_datetime()
        span = EpochSpan(mid, 60.0, 1)
        tle_pos, _ = propagate_itrs_m(tle, span)
        ref_pos = reference_positions(ref, span, [s.orbit.prn for s in group])
        d_km = np.linalg.norm(tle_pos[0][:, None] - ref_pos[0][None], axis=-1) / 1000.0
        for i, j in enumerate(np.nanargmin(np.where(np.isnan(d_km), np.inf, d_km), axis=1)):
            same_system = tle[i].system == group[j].system
            if same_system and d_km[i, j] < SAME_SATELLITE_KM and i not in twin:
                twin[i] = (group[j], float(d_km[i, j]))
    kept = [s for i, s in enumerate(tle) if i not in twin]
    dropped = [
        Skipped(tle[i].name, tle[i].source, f"the same satellite as {f.name} of {f.orbit.path} "
                f"({d:.1f} km apart at its middle epoch); the {f.orbit.kind} orbit is used",
                "other source")
        for i, (f, d) in sorted(twin.items())
    ]  # fmt: skip
    return kept, dropped
