"""What every reference reader shares: parsing with georinex, and the check of orbit radii.

Files are parsed by ``georinex`` (:func:`georinex.load`); a parser failure on a
corrupt file becomes a :class:`~gnss.orbits.reference.ReferenceOrbitError`
naming the file, and positions outside the radii of GNSS orbits are refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .reference import ReferenceOrbitError

#: Plausible orbit radii (km) of the GNSS systems checked on load. GNSS MEO
#: 25 500 km (GLONASS) to 29 600 km (Galileo), IGSO/GEO 42 164 km; QZSS's
#: elliptical IGSO between about 32 000 and 52 000 km.
RADIUS_RANGE_KM = (20_000.0, 55_000.0)
_GNSS_LETTERS = "GRECJI"


def georinex_load(p: Path):
    """Parse ``p`` with :func:`georinex.load`; any parser failure is a ReferenceOrbitError."""
    import georinex

    try:
        with warnings.catch_warnings():
            # georinex's xarray.merge calls warn about future xarray defaults.
            warnings.simplefilter("ignore", FutureWarning)
            return georinex.load(p)
    except Exception as exc:  # any parser failure on a corrupt file
        raise ReferenceOrbitError(
            f"{p}: georinex cannot parse the file ({type(exc).__name__}: {exc}); "
            "the file may be truncated or corrupt, download it again"
        ) from exc


def check_radii(p: Path, prns: Sequence[str], pos_m: np.ndarray) -> None:
    """Refuse GNSS positions ``pos_m`` (n_times, n_prns, 3) outside :data:`RADIUS_RANGE_KM`."""
    r_km = np.linalg.norm(pos_m, axis=-1) / 1000.0
    lo, hi = RADIUS_RANGE_KM
    for j, prn in enumerate(prns):
        if prn[0] not in _GNSS_LETTERS:
            continue
        rj = r_km[:, j]
        rj = rj[np.isfinite(rj)]
        if rj.size and (rj.min() < lo or rj.max() > hi):
            raise ReferenceOrbitError(
                f"{p}: {prn} has orbit radii {rj.min():.0f}-{rj.max():.0f} km, outside the "
                f"{lo:.0f}-{hi:.0f} km of GNSS orbits; the file is corrupt or misread"
            )
