"""DOPs epoch by epoch at one point: a thin wrapper of the series kernel (all epochs at once)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .series import series_dops


def epoch_dops(
    positions_itrs_m: np.ndarray,
    systems: Sequence[str],
    point_itrs_m: np.ndarray,
    up: np.ndarray,
    sets: Sequence[Sequence[str]],
    *,
    clock: str = "per-system",
    elevation_mask_deg: float = 5.0,
    skyline: tuple[np.ndarray, np.ndarray] | None = None,
    sat_weight: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """DOPs epoch by epoch at one point, with the DOP maths of :func:`compute_coverage`.

    :func:`gnss.coverage.series.series_dops` (one kernel call for all epochs) without its
    per-system counts.

    Parameters
    ----------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        Satellite ITRS positions in metres (NaN: not available).
    systems : sequence of str, length n_sats
        System letter of each satellite.
    point_itrs_m, up : ndarray, shape (3,) or (n_times, 3)
        Receiver position and its geodetic up unit vector (per epoch for a moving receiver).
    sets : sequence of sequences of str
        Systems of each receiver configuration, e.g. ``[("R",), ("C",), ("R", "C")]``.
    clock : {"per-system", "common"}
    elevation_mask_deg : float
    skyline : (az_deg, el_deg), optional
        Horizon profile from :meth:`gnss.receivers.horizon.Horizon.kernel_table`.
    sat_weight : ndarray, shape (n_sats,), optional
        Per-satellite weights of the normal matrix (weighted DOP); default all 1.

    Returns
    -------
    dict of ndarray
        ``pdop``, ``hdop``, ``vdop``, ``gdop``: shape (n_sets, n_times), NaN without a usable
        fix (too few satellites, or near-singular: GDOP > ``gnss.DOP_CEILING``);
        ``visible``: shape (n_sets, n_times); ``tdop``: shape (n_sets, n_clock_max, n_times).

    Examples
    --------
    >>> import gnss
    >>> con = gnss.read_elements(gnss.nominal_element_files(["R"]))
    >>> span = gnss.epoch_span(con.median_epoch(), duration_s=3600, step_s=1800)
    >>> pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    >>> p, u = gnss.geodetic_points([55.75], [37.62])
    >>> d = epoch_dops(pos, [s.system for s in con.satellites], p[0], u[0], [("R",)])
    >>> d["pdop"].shape, bool((d["visible"] >= 4).all())
    ((1, 3), True)
    """
    out = series_dops(positions_itrs_m, systems, point_itrs_m, up, sets, clock=clock,
                      elevation_mask_deg=elevation_mask_deg, skyline=skyline,
                      sat_weight=sat_weight)  # fmt: skip
    del out["visible_system"]
    return out
