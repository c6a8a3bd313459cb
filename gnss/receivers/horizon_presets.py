"""Horizon presets and the one resolver of a study's ``horizon``: preset, file or Horizon.

:func:`horizon_preset` loads one of the documented profiles shipped in
``gnss/receivers/horizons/`` (its file header says where its numbers come from);
:func:`as_horizon` turns what a user gives (None, a :class:`gnss.Horizon`, a preset name, a
file path) into a Horizon, or refuses it with the presets, the closest ones and the CSV form
a file takes.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import ParameterError
from .horizon import Horizon, read_horizon
from .horizon_formats import HorizonError

__all__ = ["HorizonParameterError", "as_horizon", "horizon_preset", "preset_names"]

PRESETS_DIR = Path(__file__).with_name("horizons")


def preset_names() -> list[str]:
    """Names of the shipped horizon presets.

    Examples
    --------
    >>> "street_canyon_ns" in preset_names()
    True
    """
    return sorted(p.stem for p in PRESETS_DIR.glob("*.csv"))


def horizon_preset(name: str) -> Horizon:
    """Load a shipped horizon profile (its file header says where its numbers come from).

    Examples
    --------
    >>> h = horizon_preset("street_canyon_ns")
    >>> round(float(h.elevation_at(90.0)), 1), round(float(h.elevation_at(0.0)), 1)
    (63.4, 0.0)
    """
    names = preset_names()
    if name not in names:
        close = closest_presets(name, names)
        guess = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        raise HorizonError(
            f"horizon preset: expected one of {', '.join(names)}, got {name!r}{guess}. "
            "Pick one of those or give a CSV file azimuth_deg,elevation_deg"
        )
    return read_horizon(PRESETS_DIR / f"{name}.csv")


class HorizonParameterError(HorizonError, ParameterError):
    """A horizon given to a study that cannot be used (``.parameter == "horizon"``)."""


def as_horizon(value) -> Horizon | None:
    """Resolve a horizon given as None, a :class:`Horizon`, a preset name or a file path.

    A text that names a preset (:func:`preset_names`) and is not an existing file is the
    preset; an existing path is read with :func:`read_horizon`.

    Raises
    ------
    HorizonParameterError
        A :class:`HorizonError` and a ``ParameterError`` with ``.parameter = "horizon"``
        (so a command line names its ``--horizon`` option):
        for a value that is neither a preset nor an existing path (a misspelt preset: the
        message lists the presets, the closest ones and the CSV form a file takes), a file
        that cannot be read (the message of :func:`read_horizon`, with ``file:line`` and the
        fix) or a value of another type.

    Examples
    --------
    >>> as_horizon(None) is None
    True
    >>> as_horizon("street_canyon_ns").source.endswith("street_canyon_ns.csv")
    True
    """
    if value is None or isinstance(value, Horizon):
        return value
    if not isinstance(value, str | Path) or isinstance(value, str) and not value:
        raise HorizonParameterError(
            f"horizon: expected None, a gnss.Horizon, a preset name ({', '.join(preset_names())}) "
            f"or a horizon file path, got {value!r}",
            parameter="horizon",
        )
    names, is_file = preset_names(), _exists(value)
    if not is_file and not (isinstance(value, str) and value in names):
        raise HorizonParameterError(neither_message(str(value), names), parameter="horizon")
    try:
        return horizon_preset(value) if not is_file else read_horizon(value)
    except HorizonError as exc:
        raise HorizonParameterError(str(exc), parameter="horizon") from None


def _exists(path) -> bool:
    """Whether a path names something on disk (False for a name the system cannot take)."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def neither_message(value: str, names: list[str]) -> str:
    """Return the refusal of a horizon naming no preset and no existing file (a typo, often)."""
    close = closest_presets(value, names)
    guess = f"; did you mean {' or '.join(map(repr, close))}?" if close else "."
    return (
        f"horizon {value!r}: not a preset and not a file. The presets are "
        f"{', '.join(names)}{guess} A file is a CSV with the header azimuth_deg,elevation_deg "
        "(azimuth clockwise from north in [0, 360], elevation in degrees) or a PVGIS horizon "
        f"download; if you meant one, check the path (relative to {Path.cwd()})"
    )


def closest_presets(value: str, names: list[str], cutoff: float = 0.6) -> list[str]:
    """Return the preset names most like ``value`` (difflib ratio, case ignored, ties kept).

    Examples
    --------
    >>> closest_presets("street_canyon_sn", ["street_canyon_ew", "street_canyon_ns"])
    ['street_canyon_ns']
    >>> closest_presets("mountains", ["street_canyon_ew", "street_canyon_ns"])
    []
    """
    ratio = {n: difflib.SequenceMatcher(None, value.lower(), n.lower()).ratio() for n in names}
    best = max(ratio.values(), default=0.0)
    return [n for n in names if ratio[n] == best] if best >= cutoff else []
