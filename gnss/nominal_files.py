"""The shipped nominal element sets: ``tle/`` in the source tree, ``gnss._tle`` installed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ParameterError

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
        return Path(__file__).resolve().parent.parent / "tle"
