"""DOPs epoch by epoch at one point: a thin wrapper of the series kernel (all epochs at once)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ParameterError
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
        Range weight of each satellite (``1 / sigma^2``, e.g. m^-2). Adds the weighted DOPs
        ``pdop_w``, ``hdop_w``, ``vdop_w``: ``sqrt`` of the trace, horizontal and up parts of
        ``(G^T W G)^-1`` (metres when the weights are in m^-2), from a second series-kernel
        pass with the weights (:mod:`gnss.coverage.uere`); NaN where the unweighted DOPs are.

    Returns
    -------
    dict of ndarray
        ``pdop``, ``hdop``, ``vdop``, ``gdop``: shape (n_sets, n_times), NaN without a usable
        fix (too few satellites, or near-singular: GDOP > ``gnss.DOP_CEILING``);
        ``visible``: shape (n_sets, n_times); ``tdop``: shape (n_sets, n_clock_max, n_times);
        with ``sat_weight`` also ``pdop_w``, ``hdop_w``, ``vdop_w``.

    Raises
    ------
    ParameterError
        (``parameter="sat_weight"``) for weights of the wrong shape, not positive and finite.

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
                      elevation_mask_deg=elevation_mask_deg, skyline=skyline)  # fmt: skip
    del out["visible_system"]
    if sat_weight is not None:
        weight, scale = scaled_weights(sat_weight, len(systems))
        wout = series_dops(positions_itrs_m, systems, point_itrs_m, up, sets, clock=clock,
                           elevation_mask_deg=elevation_mask_deg, skyline=skyline,
                           sat_weight=weight)  # fmt: skip
        both = np.isfinite(out["pdop"]) & np.isfinite(wout["pdop"])
        for name in _WEIGHTED:
            out[name + "_w"] = np.where(both, wout[name] * scale, np.nan)
    return out


#: The weighted DOPs epoch_dops returns with ``sat_weight`` (as ``<name>_w``).
_WEIGHTED = ("pdop", "hdop", "vdop")


def scaled_weights(sat_weight, n_sats: int) -> tuple[np.ndarray, float]:
    """Weights divided by the smallest (all >= 1), and the factor that turns DOPs into metres.

    With weights >= 1 the weighted GDOP is never above the plain one, so the near-singular
    rule (``gnss.DOP_CEILING``) keeps its meaning; the weighted DOPs of the scaled weights
    times ``1 / sqrt(smallest)`` are those of the given weights.
    """
    w = np.asarray(sat_weight, dtype=np.float64)
    if w.shape != (n_sats,) or not np.all(np.isfinite(w) & (w > 0)):
        raise ParameterError(
            f"sat_weight: expected {n_sats} positive finite weights (one per satellite), "
            f"got shape {w.shape}", parameter="sat_weight",
        )  # fmt: skip
    smallest = float(w.min())
    return w / smallest, 1.0 / np.sqrt(smallest)
