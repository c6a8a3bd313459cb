"""Reference orbits: precise SP3 files and RINEX navigation (broadcast) files.

:func:`load_reference` checks the file, asks georinex what it is and hands it to
its reader; this module also keeps the public names of the readers' modules:

* :mod:`gnss.orbits.reference`: :class:`ReferenceOrbits` (positions on one
  continuous time scale, evaluable at any time), :class:`ReferenceSource`,
  :class:`ReferenceOrbitError`;
* :mod:`gnss.orbits.sp3`: SP3 ``#a``/``#c``/``#d`` precise orbits, evaluated
  by 9-point Lagrange interpolation (:func:`lagrange_interpolate`);
* :mod:`gnss.orbits.rinexnav`: RINEX 2/3 navigation files, each broadcast
  record used within its validity window (:data:`NAV_VALIDITY_S`), evaluated by
  :mod:`gnss.orbits.broadcast` (:func:`kepler_position`, :func:`glonass_position`);
* :mod:`gnss.orbits.reftime` (time scales) and :mod:`gnss.orbits.refread`
  (georinex parsing, orbit-radius check), shared by both readers.

**RINEX 4** navigation files are not readable by georinex: they are refused with a
:class:`ReferenceOrbitError` that suggests an SP3 or RINEX 3 file.

The readers import nothing from the identification and validation modules
(:mod:`gnss.validation.identify`) nor :mod:`gnss.orbits.propagate`, only the root modules and
each other. They are also the orbit sources of ``gnss compare`` (:mod:`gnss.orbits.source`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..inputfile import MAX_REFERENCE_FILE_BYTES, check_input_file
from .broadcast import glonass_position, kepler_position
from .reference import ReferenceOrbitError, ReferenceOrbits, ReferenceSource
from .reftime import TIME_SYSTEMS
from .rinexnav import NAV_VALIDITY_S, load_nav
from .sp3 import lagrange_interpolate, load_sp3

__all__ = [
    "NAV_VALIDITY_S",
    "ReferenceOrbitError",
    "ReferenceOrbits",
    "ReferenceSource",
    "glonass_position",
    "kepler_position",
    "lagrange_interpolate",
    "load_reference",
]


def load_reference(
    path: str | os.PathLike,
    *,
    kind: str | None = None,
    time_system: str | None = None,
    include_unhealthy: bool = False,
) -> ReferenceOrbits:
    """Load an SP3 precise orbit or a RINEX 2, 3 or 4 navigation file.

    Parameters
    ----------
    path : path
        The file (plain or compressed as georinex accepts).
    kind : {"sp3", "rinex-nav"}, optional
        Expected kind; a file of the other kind is refused. Default: detect.
    time_system : str, optional
        SP3 only: override the header's time system (``"GPS"``, ``"UTC"``,
        ``"TAI"``, ``"BDT"``, ``"GAL"``, ``"QZS"``, ``"GLO"``), e.g. for a file
        with a wrong header.
    include_unhealthy : bool
        Navigation files only: keep records flagged unhealthy (left out and listed by default).

    Returns
    -------
    ReferenceOrbits

    Raises
    ------
    ReferenceOrbitError
        Unreadable, corrupt or unsupported files (RINEX 4, observation files),
        positions that fail the physical checks; the message names the file.

    Examples
    --------
    >>> ref = load_reference("COD0MGXFIN_20231890000_01D_05M_ORB.SP3")  # doctest: +SKIP
    >>> ref.positions_at(ref.times[:2], ["R01"]).shape  # doctest: +SKIP
    (2, 1, 3)
    """
    p = Path(path)
    if kind in (None, "rinex-nav") and _rinex_version(p) >= 4:  # georinex reads 2/3 only
        if time_system is not None:
            raise ReferenceOrbitError(f"{p}: time_system applies to SP3 files only")
        from .rinex4 import load_nav4

        return load_nav4(p, include_unhealthy=include_unhealthy)
    if kind not in (None, "sp3", "rinex-nav"):
        raise ReferenceOrbitError(f"kind must be 'sp3' or 'rinex-nav', got {kind!r}")
    found, info = _file_kind(p)
    if kind is not None and kind != found:
        raise ReferenceOrbitError(
            f"{p}: expected {'an SP3 orbit' if kind == 'sp3' else 'a RINEX navigation file'}, "
            f"but the file is {'an SP3 orbit' if found == 'sp3' else 'RINEX navigation'}; "
            f"use {'--nav' if found == 'rinex-nav' else '--sp3'}"
        )
    if found == "rinex-nav":
        return load_nav(p, _nav_version(p, info, time_system), include_unhealthy)
    if time_system is not None and time_system.upper() not in TIME_SYSTEMS:
        raise ReferenceOrbitError(
            f"time_system must be one of GPS, GAL, QZS, BDT, TAI, UTC, GLO; got {time_system!r}"
        )
    return load_sp3(p, str(info.get("version", "?")), time_system)


def _rinex_version(p: Path) -> float:
    """RINEX version of a navigation file's first line (0 for anything else, SP3 included)."""
    import gzip

    if not p.is_file():  # a FIFO or device would block here; _file_kind refuses it with the fix
        return 0.0
    try:
        with open(p, "rb") as f:
            head = f.read(400)
        if head[:2] == b"\x1f\x8b":
            with gzip.open(p, "rb") as f:
                head = f.read(400)
    except (OSError, EOFError):
        return 0.0  # _file_kind below says what is wrong with the file
    first = head.decode("latin-1").splitlines()[0] if head else ""
    if "RINEX VERSION / TYPE" not in first or first[20:21] != "N":
        return 0.0
    try:
        return float(first[:9])
    except ValueError:
        return 0.0


def _file_kind(p: Path) -> tuple[str, dict]:
    """Check the file and tell its kind (``"sp3"`` or ``"rinex-nav"``) and georinex's info."""
    import georinex

    if not p.exists():
        raise ReferenceOrbitError(f"{p}: does not exist; give an SP3 or RINEX navigation file")
    # A FIFO or device would block georinex; a huge file is no daily orbit.
    check_input_file(
        p,
        what="reference orbit file",
        max_bytes=MAX_REFERENCE_FILE_BYTES,
        error=ReferenceOrbitError,
    )
    try:
        info = georinex.rinexinfo(p)
    except Exception as exc:  # georinex raises ValueError/OSError/EOFError/... on junk
        raise ReferenceOrbitError(
            f"{p}: not an SP3 or RINEX navigation file (georinex: {exc}). "
            "Give an SP3 orbit (e.g. COD0MGXFIN_...ORB.SP3) or a RINEX 3 navigation file"
        ) from exc
    rtype = info.get("rinextype")
    found = {"sp3": "sp3", "nav": "rinex-nav"}.get(rtype)
    if found is None:
        raise ReferenceOrbitError(
            f"{p}: is a RINEX {rtype!r} file (version {info.get('version')}), not an orbit; "
            "give an SP3 orbit or a RINEX navigation file"
        )
    return found, info


def _nav_version(p: Path, info: dict, time_system: str | None) -> float:
    """Return the RINEX version of a navigation file; refuse RINEX 4 and a time-system override."""
    if time_system is not None:
        raise ReferenceOrbitError(
            f"{p}: time_system applies to SP3 files only; navigation records carry the "
            "time system of their satellite system"
        )
    version = float(info.get("version", 0))
    if version >= 4:
        raise ReferenceOrbitError(
            f"{p}: RINEX {version:.2f} navigation files are not supported (georinex reads "
            "RINEX 2 and 3 only). Use an SP3 precise orbit for the same day (e.g. CODE/IGS "
            "MGEX ...ORB.SP3) or a RINEX 3 navigation file (e.g. BRDC00IGS_R_..._MN.rnx "
            "version 3.04)"
        )
    return version
