"""Orbital planes of MEO satellites, numbered as in the nominal constellations.

Used by the ``R:plane=2`` selectors (:mod:`gnss.elements.select`) and by ``gnss elements
list``: a satellite's ascending node, carried to the nominal epoch with its SGP4 secular node
rate, is compared with the nominal planes of its system.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from .read import Satellite

__all__ = ["orbital_plane"]

_PLANE_TOLERANCE_DEG = 20.0  # nominal planes are 60 (GPS) or 120 degrees apart


def _nominal_plane_of(name: str) -> int | None:
    """Plane number from a nominal slot name (GLONASS slot, GPS/Galileo letter, BeiDou Mnn)."""
    if m := re.search(r"SLOT (\d+)", name):
        return (int(m[1]) - 1) // 8 + 1
    if m := re.search(r"NOMINAL ([A-F])\d", name):
        return "ABCDEF".index(m[1]) + 1
    if m := re.search(r"NOMINAL M(\d+)", name):
        return (int(m[1]) - 1) // 8 + 1
    return None


@lru_cache(maxsize=1)
def _nominal_planes() -> dict[str, list[tuple[int, float, float]]]:
    """Per system: (plane, RAAN in rad at the nominal epoch, epoch JD) of each nominal MEO plane."""
    from .nominal_files import nominal_element_files
    from .read import read_elements

    out: dict[str, list[tuple[int, float, float]]] = {}
    for sat in read_elements(nominal_element_files()).satellites:
        plane = _nominal_plane_of(sat.name)
        if plane is not None and sat.orbit_class == "MEO":
            rec = sat.satrec
            entry = (plane, rec.nodeo, rec.jdsatepoch + rec.jdsatepochF)
            if entry[0] not in [p for p, _, _ in out.get(sat.system, [])]:
                out.setdefault(sat.system, []).append(entry)
    return out


def orbital_plane(sat: Satellite) -> int | None:
    """Orbital plane of a MEO satellite, numbered as in the nominal constellation (else None).

    The satellite's node is carried to the nominal epoch with its SGP4 secular node rate and
    compared with the nominal planes; it gets the nearest plane within 20 degrees.
    """
    planes = _nominal_planes().get(sat.system)
    if not planes or sat.orbit_class != "MEO":
        return None
    rec = sat.satrec
    best, best_deg = None, _PLANE_TOLERANCE_DEG
    for plane, nodeo, jd in planes:
        dt_min = (jd - rec.jdsatepoch - rec.jdsatepochF) * 1440.0
        node = rec.nodeo + rec.nodedot * dt_min
        diff = abs((math.degrees(node - nodeo) + 180.0) % 360.0 - 180.0)
        if diff < best_deg:
            best, best_deg = plane, diff
    return best
