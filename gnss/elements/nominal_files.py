"""The shipped nominal element sets: ``tle/`` in the source tree, ``gnss._tle`` installed."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ParameterError
from ..timeutil import to_utc

#: Nominal element files per system letter (built by ``builders/build_nominal.py``).
NOMINAL_FILES = {
    "G": "nominal_gps.tle",
    "R": "nominal_glonass.tle",
    "E": "nominal_galileo.tle",
    "C": "nominal_beidou.tle",
}


def nominal_element_files(systems=("G", "R", "E", "C")) -> list[Path]:
    """Paths of the shipped nominal element sets for the given systems.

    Parameters
    ----------
    systems : iterable of str
        System letters among G, R, E, C.

    Returns
    -------
    list of pathlib.Path
        One TLE file per system, all with the epoch 2026-01-01T00:00:00Z.

    Examples
    --------
    >>> [p.name for p in nominal_element_files(["R", "C"])]
    ['nominal_glonass.tle', 'nominal_beidou.tle']
    """
    out = []
    for s in systems:
        if s not in NOMINAL_FILES:
            raise ParameterError(
                f"no nominal constellation for system {s!r}; nominal sets exist for "
                f"{', '.join(NOMINAL_FILES)}. Give --elements files for the others"
            )
        out.append(_tle_dir() / NOMINAL_FILES[s])
    return out


def _tle_dir() -> Path:
    """``gnss._tle`` when installed; the checkout's ``tle/`` when imported from the source tree."""
    try:
        return Path(str(resources.files("gnss._tle")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "tle"


def nominal_constellation(systems=("G", "R", "E", "C"), epoch: datetime | None = None):
    """Return the nominal satellites of ``systems`` with their elements at ``epoch``.

    Parameters
    ----------
    systems : iterable of str
        System letters; letters without a nominal set (J, I, S) give no satellites.
    epoch : datetime, optional
        Timezone-aware element epoch: the slots are placed there (from the documents'
        geometry, by the builder's rules). Default: the shipped files (2026-01-01T00:00Z).

    Returns
    -------
    Constellation

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> con = nominal_constellation(["R"], datetime(2026, 10, 5, tzinfo=timezone.utc))
    >>> len(con), con.satellites[0].epoch.isoformat()
    (24, '2026-10-05T00:00:00+00:00')
    """
    from .read import read_elements

    if epoch is None:
        return read_elements(nominal_element_files([s for s in systems if s in NOMINAL_FILES]))
    return _nominal_at(to_utc(epoch, what="epoch")).select(list(systems))


@lru_cache(maxsize=8)
def _nominal_at(epoch: datetime):
    from .nominal import write_nominal_tle_files
    from .read import read_elements

    tag = f"nominal@{epoch.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    with tempfile.TemporaryDirectory() as tmp:
        write_nominal_tle_files(tmp, epoch)
        con = read_elements(sorted(Path(tmp).glob("nominal_*.tle")))
    sats = tuple(replace(s, source=f"{tag}/{Path(s.source).name}") for s in con.satellites)
    sources = tuple(replace(s, path=f"{tag}/{Path(s.path).name}") for s in con.sources)
    return replace(con, satellites=sats, sources=sources)
