"""Time series of one receiver (fixed or moving): visible satellites and DOPs per epoch and set.

One call of the series kernel (:func:`gnss.kernels.series.series`) covers every epoch and set,
with the DOP maths of the grid kernel. :func:`series_dops` takes the satellites by system
letter (as :func:`gnss.coverage.epochs.epoch_dops`); :func:`layout_series` takes a kernel
layout (:class:`gnss.coverage.layout.SetLayout`), so sets that differ by more than their
systems (what-if sets) run in the same call.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
from ..kernels.jit import compile_kernel, compile_needed
from ..kernels.series import series
from .config import CoverageConfig, ProgressCallback
from .layout import SetLayout, layout_for_systems

DOP_NAMES = ("pdop", "hdop", "vdop", "gdop")


def series_dops(
    positions_itrs_m: np.ndarray,
    systems: Sequence[str],
    points_itrs_m: np.ndarray,
    up: np.ndarray,
    sets: Sequence[Sequence[str]],
    *,
    clock: str = "per-system",
    elevation_mask_deg: float = 5.0,
    skyline: tuple[np.ndarray, np.ndarray] | None = None,
    sat_weight: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, np.ndarray]:
    """Visible satellites and DOPs of a receiver at every epoch, for each set, in one call.

    Parameters
    ----------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        Satellite ITRS positions in metres (NaN: not available, never visible).
    systems : sequence of str, length n_sats
        System letter of each satellite.
    points_itrs_m, up : ndarray, shape (3,) or (n_times, 3)
        Receiver ITRS position (m) and its geodetic up unit vector: one row for a fixed site,
        one per epoch for a moving receiver.
    sets : sequence of sequences of str
        Systems of each receiver configuration, e.g. ``[("R",), ("C",), ("R", "C")]``.
    clock : {"per-system", "common"}
    elevation_mask_deg : float
        Flat mask; visible means elevation strictly above it.
    skyline : (az_deg, el_deg), optional
        A horizon profile as :meth:`gnss.receivers.horizon.Horizon.kernel_table` returns it
        (the flat mask folded in); a satellite must also be above it.
    sat_weight : ndarray, shape (n_sats,), optional
        Weight of each satellite in the normal matrix (weighted DOP, e.g. ``1 / UERE_m**2``
        of its system); positive and finite. Default: all 1 (the plain DOP). The outputs are
        then the square roots of the parts of ``(GᵀWG)⁻¹`` (with ``1 / UERE_m**2`` weights:
        metres, 1-sigma), and the near-singular ceiling ``gnss.DOP_CEILING`` applies to that
        weighted GDOP: scale the weights (e.g. by the largest UERE squared) to keep it a
        ceiling on a DOP.
    progress : callable, optional
        ``progress("compile", 0, 1)`` before and ``progress("compile", 1, 1)`` after the
        series kernel is compiled, when this call compiles it (the first run of an install:
        seconds; the CLI says "compiling kernels (first run only)"); nothing otherwise.

    Returns
    -------
    dict of ndarray
        ``pdop``, ``hdop``, ``vdop``, ``gdop``: shape (n_sets, n_times), NaN without a usable
        fix (too few satellites, or near-singular: GDOP > ``gnss.DOP_CEILING``);
        ``visible``: shape (n_sets, n_times); ``visible_system``: shape
        (n_sets, n_slot_max, n_times), satellites in view of the set's j-th system (0 past the
        set's systems); ``tdop``: shape (n_sets, n_clock_max, n_times), per clock (the set's
        j-th system, or the common clock), NaN without a fix or with that clock not in view.

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R", "C"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    >>> pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    >>> p, u = gnss.geodetic_points([55.75], [37.62])
    >>> d = series_dops(pos, [s.system for s in con.satellites], p[0], u[0],
    ...                 [("R",), ("C",), ("R", "C")])
    >>> d["pdop"].shape, d["visible_system"].shape
    ((3, 3), (3, 2, 3))
    >>> bool((d["visible"][2] == d["visible"][0] + d["visible"][1]).all())
    True
    """
    CoverageConfig(elevation_mask_deg, clock)  # validates
    if len(systems) != np.shape(positions_itrs_m)[1]:
        raise ParameterError(
            f"systems has {len(systems)} entries but positions_itrs_m has "
            f"{np.shape(positions_itrs_m)[1]} satellites; give one system letter per satellite",
            parameter="systems",
        )
    order, layout = layout_for_systems(systems, sets, clock)
    pos = np.asarray(positions_itrs_m, dtype=np.float64)[:, order]
    weight = None if sat_weight is None else _weights(sat_weight, len(systems))[order]
    return layout_series(pos, layout, points_itrs_m, up, elevation_mask_deg=elevation_mask_deg,
                         skyline=skyline, sat_weight=weight, progress=progress)  # fmt: skip


def layout_series(
    positions_itrs_m: np.ndarray,
    layout: SetLayout,
    points_itrs_m: np.ndarray,
    up: np.ndarray,
    *,
    elevation_mask_deg: float = 5.0,
    skyline: tuple[np.ndarray, np.ndarray] | None = None,
    sat_weight: np.ndarray | None = None,
    progress: ProgressCallback | None = None,
) -> dict[str, np.ndarray]:
    """:func:`series_dops` for satellites already in the order of a kernel layout.

    ``positions_itrs_m[:, i]`` is satellite ``i`` of ``layout`` (its groups contiguous, as
    :class:`SetLayout` orders them); the sets are the layout's. Same outputs and ``progress``.
    """
    pos = np.ascontiguousarray(positions_itrs_m, dtype=np.float64)
    n_t, n_s = pos.shape[0], pos.shape[1]
    if pos.ndim != 3 or pos.shape[2] != 3 or n_s != layout.group_start[-1]:
        raise ParameterError(
            f"positions_itrs_m must have shape (n_times, {int(layout.group_start[-1])}, 3) for "
            f"this layout, got {pos.shape}", parameter="positions_itrs_m",
        )  # fmt: skip
    points, ups = _receiver(points_itrs_m, "points_itrs_m", n_t), _receiver(up, "up", n_t)
    if points.shape != ups.shape:
        raise ParameterError(
            f"points_itrs_m and up must have the same shape, got {points.shape} and "
            f"{ups.shape}", parameter="up",
        )  # fmt: skip
    east, north = local_axes(ups)
    weight = np.ones(n_s) if sat_weight is None else _weights(sat_weight, n_s)
    table_az, table_el = _skyline_table(skyline)
    n_sets = layout.set_clock.shape[0]
    out = {
        "visible": np.zeros((n_sets, n_t), np.int64),
        "visible_system": np.zeros((n_sets, layout.n_slot_max, n_t), np.int64),
        "tdop": np.full((n_sets, layout.n_clock_max, n_t), np.nan),
    }
    dops = np.full((len(DOP_NAMES), n_sets, n_t), np.nan)
    sin_mask = float(np.sin(np.radians(elevation_mask_deg)))
    args = (pos, layout.group_start, weight, points, ups, east, north, sin_mask, table_az,
            table_el, layout.set_clock, layout.set_nclock, layout.set_slot, out["visible"],
            out["visible_system"], dops, out["tdop"])  # fmt: skip
    if progress is not None and compile_needed(series, args):
        progress("compile", 0, 1)
        compile_kernel(series, args)
        progress("compile", 1, 1)
    series(*args)
    return {name: dops[m] for m, name in enumerate(DOP_NAMES)} | out


def local_axes(up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """East and north unit vectors, shape (n, 3), of the local frames with up vectors ``up``.

    East is ``z x up`` normalised (at a pole, where it is undefined, the y axis: the frame of
    longitude 0); north is ``up x east``.

    Examples
    --------
    >>> e, n = local_axes(np.array([[1.0, 0.0, 0.0]]))
    >>> (e + 0.0).tolist(), (n + 0.0).tolist()  # + 0.0: no signed zeros
    ([[0.0, 1.0, 0.0]], [[0.0, 0.0, 1.0]])
    """
    h = np.hypot(up[:, 0], up[:, 1])
    pole = h < 1e-12
    safe = np.where(pole, 1.0, h)
    east = np.stack([np.where(pole, 0.0, -up[:, 1] / safe), np.where(pole, 1.0, up[:, 0] / safe),
                     np.zeros(len(up))], axis=1)  # fmt: skip
    return east, np.cross(up, east)


def _receiver(a, name: str, n_t: int) -> np.ndarray:
    """Return a receiver array as float64 (1, 3) or (n_t, 3), contiguous; refused otherwise."""
    arr = np.ascontiguousarray(a, dtype=np.float64)
    arr = arr.reshape(1, 3) if arr.shape == (3,) else arr
    if arr.ndim != 2 or arr.shape[1] != 3 or arr.shape[0] not in (1, n_t):
        raise ParameterError(
            f"{name} must have shape (3,) for a fixed receiver or ({n_t}, 3) for one row per "
            f"epoch, got {np.shape(a)}", parameter=name,
        )  # fmt: skip
    if not np.isfinite(arr).all():
        raise ParameterError(f"{name} must be finite; it has NaN or inf values: give every "
                             "epoch a receiver position", parameter=name)  # fmt: skip
    return arr


def _weights(w, n_s: int) -> np.ndarray:
    """Satellite weights as float64 (n_s,), positive and finite; refused otherwise."""
    arr = np.ascontiguousarray(w, dtype=np.float64)
    if arr.shape != (n_s,) or not (np.isfinite(arr) & (arr > 0)).all():
        raise ParameterError(
            f"sat_weight must be {n_s} positive finite numbers (one per satellite), got shape "
            f"{arr.shape} with min {arr.min() if arr.size else 'none'}; use 1 for the plain DOP",
            parameter="sat_weight",
        )  # fmt: skip
    return arr


def _skyline_table(skyline) -> tuple[np.ndarray, np.ndarray]:
    """Return the skyline as two contiguous float64 tables; empty ones for a flat mask."""
    if skyline is None:
        return np.zeros(0), np.zeros(0)
    az, el = (np.ascontiguousarray(x, dtype=np.float64) for x in skyline)
    if az.ndim != 1 or az.shape != el.shape or az.size < 2 or az[0] != 0.0 or az[-1] != 360.0 \
            or not (np.diff(az) > 0).all() or el[-1] != el[0]:  # fmt: skip
        raise ParameterError(
            "skyline must be (az_deg, el_deg) from Horizon.kernel_table: azimuths strictly "
            f"increasing from 0 to 360 and el_deg[-1] == el_deg[0]; got {az.size} azimuths "
            f"from {az[:1]} to {az[-1:]}", parameter="skyline",
        )  # fmt: skip
    return az, el
