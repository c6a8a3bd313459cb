"""The public entry of the nominal sets: the builder of each system and the four TLE files.

:data:`NOMINAL_SYSTEMS` maps each file stem of ``tle/nominal_<key>.tle`` to its slot table;
:func:`write_nominal_tle_files` writes them all at one epoch (``builders/build_nominal.py`` is a
command line over it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .beidou import beidou3_slots
from .epochs import NOMINAL_EPOCH, require_aware
from .galileo import galileo_slots
from .glonass import glonass_slots
from .gps import gps_slots
from .slot import NominalSlot
from .tle import write_tle

#: Nominal set builders by file stem: ``tle/nominal_<key>.tle``.
NOMINAL_SYSTEMS: dict[str, Callable[[datetime], list[NominalSlot]]] = {
    "glonass": glonass_slots,
    "beidou": beidou3_slots,
    "gps": gps_slots,
    "galileo": galileo_slots,
}


def write_nominal_tle_files(
    out_dir: str | os.PathLike, epoch: datetime = NOMINAL_EPOCH
) -> dict[str, tuple[Path, list[NominalSlot]]]:
    """Write the four files ``nominal_<system>.tle`` (glonass, beidou, gps, galileo).

    Parameters
    ----------
    out_dir : str or PathLike
        Existing output folder.
    epoch : datetime
        Timezone-aware element epoch; default :data:`NOMINAL_EPOCH`.

    Returns
    -------
    dict
        ``{key: (path, slots)}`` for keys ``glonass``, ``beidou``, ``gps``, ``galileo``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(write_nominal_tle_files(d))
    ['beidou', 'galileo', 'glonass', 'gps']
    """
    epoch = require_aware(epoch)
    written = {}
    for key, build in NOMINAL_SYSTEMS.items():
        slots = build(epoch)
        written[key] = (write_tle(slots, Path(out_dir) / f"nominal_{key}.tle"), slots)
    return written
