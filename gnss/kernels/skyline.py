"""Horizon masks in the kernels: whether a line of sight is above a piecewise-linear skyline.

A skyline is a table ``az_deg[0..n]`` (from 0 to 360 inclusive, strictly increasing) and
``el_deg[0..n]`` (``el_deg[n] == el_deg[0]``), built by
:meth:`gnss.receivers.horizon.Horizon.kernel_table` with the flat elevation mask folded in.
The test is the strict one of the flat mask (elevation above the skyline), made cheap by two
bounds: above the skyline's highest point a satellite is visible, at or below its lowest it
is not; only in between is the azimuth computed and the table searched.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .jit import JIT_OPTS


@njit(**JIT_OPTS)
def skyline_elevation_deg(az_deg, table_az_deg, table_el_deg):  # pragma: no cover - compiled
    """Skyline elevation (deg) at ``az_deg`` in [0, 360), linear between table points."""
    i = np.searchsorted(table_az_deg, az_deg, side="right") - 1
    i = min(max(i, 0), table_az_deg.shape[0] - 2)
    a0, a1 = table_az_deg[i], table_az_deg[i + 1]
    e0, e1 = table_el_deg[i], table_el_deg[i + 1]
    return e0 + (e1 - e0) * (az_deg - a0) / (a1 - a0)


@njit(**JIT_OPTS)
def above_skyline(
    e_up, e_east, e_north, table_az_deg, table_el_deg, sin_lo, sin_hi
):  # pragma: no cover - compiled
    """Whether the unit line of sight (local up, east, north components) is above the skyline.

    ``sin_lo``/``sin_hi`` are the sines of the table's lowest and highest elevation.
    """
    if e_up > sin_hi:
        return True
    if e_up <= sin_lo:
        return False
    az = math.degrees(math.atan2(e_east, e_north))
    if az < 0.0:
        az += 360.0
    el = skyline_elevation_deg(az, table_az_deg, table_el_deg)
    return e_up > math.sin(math.radians(el))
