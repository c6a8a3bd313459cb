"""The NumPy twin of the numba kernels: slow, obvious, and the reference the tests trust.

Everything :func:`gnss.kernels.accumulate` computes that can be computed exactly, written
straight from the definitions (GUIDE section 3) with no elimination of the clocks, no bounds,
no histograms, no tiles:

- line of sight ``e`` (unit vector receiver -> satellite) and visibility by the same strict
  test, ``e . u > sin(mask)`` with ``u`` the geodetic up vector;
- per point and epoch the design matrix ``G`` with rows ``[-e_i, onehot(clock(i))]`` for the
  satellites in view (one clock column per system of the set, or one common column),
  ``Q = inv(G^T G)``, its position block rotated to east-north-up:
  ``HDOP = sqrt(Q_EE + Q_NN)``, ``VDOP = sqrt(Q_UU)``, ``PDOP = sqrt(trace Q_pos)``,
  ``TDOP_c = sqrt(Q_cc)``, ``GDOP = sqrt(trace Q)``;
- a fix needs ``>= 3 + k`` satellites for ``k`` clocks in view and a positive definite
  ``G^T G``; it is *usable* when ``GDOP <= DOP_CEILING`` (otherwise near-singular), as in
  the kernel;
- per-cell statistics over the epochs: visible mean/min/max (all and per system), fix
  fraction, availability (usable fix and ``PDOP <= pdop_max``), near-singular fraction, DOP
  mean/min/max and exact percentiles (:func:`numpy.percentile`), mean TDOP per clock.

Batched over points and epochs so that it stays usable as the vectorised NumPy baseline of
``python -m benchmarks``: a clock with no satellite in view has an all-zero column in ``G``;
instead of dropping it, a 1 is put on its diagonal of ``G^T G``, which decouples it
(its row and column of ``Q`` are then the unit vector: the same Q for the other unknowns as
dropping it) and its 1 is taken off ``trace Q`` for GDOP.

Arrays: ``positions_itrs_m[n_times, n_sats, 3]`` (NaN: failed, never visible),
``points_itrs_m[n_points, 3]``, ``up[n_points, 3]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .sets import DOP_CEILING

DOPS = ("pdop", "hdop", "vdop", "gdop")


def line_of_sight(positions_itrs_m: np.ndarray, points_itrs_m: np.ndarray) -> np.ndarray:
    """Return unit vectors receiver -> satellite, shape (n_points, n_times, n_sats, 3).

    Failed positions (NaN) are put at the Earth's centre (below every horizon), as the
    engine does.
    """
    pos = np.nan_to_num(np.asarray(positions_itrs_m, dtype=np.float64), nan=0.0)
    los = pos[None] - np.asarray(points_itrs_m, dtype=np.float64)[:, None, None, :]
    return los / np.linalg.norm(los, axis=-1, keepdims=True)


def visible(e: np.ndarray, up: np.ndarray, elevation_mask_deg: float) -> np.ndarray:
    """In view: elevation strictly above the mask, ``e . u > sin(mask)``; (p, t, s) bool."""
    return np.einsum("ptsk,pk->pts", e, up) > np.sin(np.radians(elevation_mask_deg))


def enu_basis(up: np.ndarray) -> np.ndarray:
    """Rows east, north, up of each point's local frame, shape (n_points, 3, 3)."""
    up = np.asarray(up, dtype=np.float64)
    lat = np.arcsin(np.clip(up[:, 2], -1.0, 1.0))
    lon = np.arctan2(up[:, 1], up[:, 0])
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack([-so, co, np.zeros_like(so)], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    return np.stack([east, north, up], axis=-2)


def clock_matrix(systems: Sequence[str], set_systems: Sequence[str], clock: str) -> np.ndarray:
    """Clock columns of the set's satellites: onehot per system, or one common column.

    Returns ``(columns, onehot)``: the satellite indices in the set, and their clock rows.
    """
    systems = np.asarray(list(systems))
    cols = np.flatnonzero(np.isin(systems, list(set_systems)))
    if clock == "common":
        return cols, np.ones((cols.size, 1))
    return cols, (systems[cols][:, None] == np.array(list(set_systems))[None, :]).astype(float)


def epoch_values(
    e: np.ndarray,
    vis: np.ndarray,
    basis: np.ndarray,
    systems: Sequence[str],
    set_systems: Sequence[str],
    clock: str = "per-system",
    *,
    dop_ceiling: float = DOP_CEILING,
) -> dict[str, np.ndarray]:
    """Per point and epoch values of one set, shape (n_points, n_times) unless stated.

    Parameters
    ----------
    e, vis : from :func:`line_of_sight` and :func:`visible` (all satellites).
    basis : from :func:`enu_basis`.
    systems : system letter of each satellite; set_systems : the set's systems.
    clock : ``"per-system"`` or ``"common"``.
    dop_ceiling : float
        GDOP above which a fix is near-singular (not usable); ``inf`` gives the raw DOPs.

    Returns
    -------
    dict
        ``visible`` (int), ``visible_system`` (p, t, n_systems of the set, int), ``fix``
        (usable fix), ``singular`` (enough satellites, GDOP > DOP_CEILING), ``pdop``,
        ``hdop``, ``vdop``, ``gdop`` (NaN without a usable fix), ``tdop`` (p, t, n_clocks;
        NaN without a usable fix or with that clock out of view).
    """
    cols, onehot = clock_matrix(systems, set_systems, clock)
    _, sys_onehot = clock_matrix(systems, set_systems, "per-system")
    v = vis[:, :, cols]
    n_clk = onehot.shape[1]
    # G: rows [-e_i, onehot(clock_i)] of the satellites in view, zero rows for the others.
    g = np.concatenate([-e[:, :, cols], np.broadcast_to(onehot, (*v.shape, n_clk))], axis=-1)
    g = g * v[..., None]
    normal = np.swapaxes(g, -1, -2) @ g
    in_view = (v.astype(np.float64) @ onehot) > 0  # (p, t, n_clk)
    n_vis = v.sum(axis=-1)
    idx = np.arange(3, 3 + n_clk)
    normal[..., idx, idx] += ~in_view  # decouple clocks out of view (module docstring)
    enough = n_vis >= 3 + in_view.sum(axis=-1)
    normal[~enough] = np.eye(3 + n_clk)  # result unused
    try:
        q = np.linalg.inv(normal)
    except np.linalg.LinAlgError:  # an exactly singular G^T G somewhere: no fix there
        regular = np.linalg.det(normal) != 0.0
        enough &= regular
        normal[~regular] = np.eye(3 + n_clk)
        q = np.linalg.inv(normal)
    diag = np.diagonal(q, axis1=-2, axis2=-1)
    gdop2 = diag.sum(axis=-1) - (~in_view).sum(axis=-1)
    # G^T G is positive definite for a fix: a Q with a diagonal entry <= 0 is rounding noise
    # of a singular matrix (the kernel's test det > 0); GDOP above the ceiling: near-singular.
    fix = enough & (diag > 0.0).all(axis=-1) & (gdop2 <= dop_ceiling**2)
    gdop = np.sqrt(np.maximum(gdop2, 0.0))
    q_enu = basis[:, None] @ q[..., :3, :3] @ np.swapaxes(basis, -1, -2)[:, None]
    d = np.diagonal(q_enu, axis1=-2, axis2=-1)
    out = {
        "pdop": np.sqrt(np.maximum(d.sum(axis=-1), 0.0)),
        "hdop": np.sqrt(np.maximum(d[..., 0] + d[..., 1], 0.0)),
        "vdop": np.sqrt(np.maximum(d[..., 2], 0.0)),
        "gdop": gdop,
    }
    out = {k: np.where(fix, val, np.nan) for k, val in out.items()}
    tdop = np.sqrt(np.maximum(diag[..., 3:], 0.0))
    out["tdop"] = np.where(fix[..., None] & in_view, tdop, np.nan)
    out["visible"] = n_vis
    out["visible_system"] = (v.astype(np.int64) @ sys_onehot.astype(np.int64)).astype(np.int64)
    out["fix"] = fix
    out["singular"] = enough & ~fix
    return out


def cell_statistics(
    values: dict[str, np.ndarray], pdop_max: float, *, percentiles: bool = True
) -> dict[str, np.ndarray]:
    """Per-point statistics over the epochs (time axis 1) of :func:`epoch_values`.

    Keys as the Dataset's variables: ``visible_mean/min/max``, ``visible_system_mean/min/max``
    (p, n_systems), ``fix_fraction``, ``availability``, ``singular_fraction``,
    ``<dop>_mean/min/max/median/p95`` (NaN without a usable fix; percentiles exact, linear
    method; left out with ``percentiles=False``, a Python loop over points) and ``tdop_mean``
    (p, n_clocks; NaN where the clock never had a fix in view).
    """
    n_vis, fix, n_sys = values["visible"], values["fix"], values["visible_system"]
    n_t = n_vis.shape[1]
    n_fix = fix.sum(axis=1)
    out = {
        "visible_mean": n_vis.sum(axis=1) / n_t,
        "visible_min": n_vis.min(axis=1),
        "visible_max": n_vis.max(axis=1),
        "visible_system_mean": n_sys.sum(axis=1) / n_t,
        "visible_system_min": n_sys.min(axis=1),
        "visible_system_max": n_sys.max(axis=1),
        "fix_fraction": n_fix / n_t,
        "availability": (fix & (values["pdop"] <= pdop_max)).sum(axis=1) / n_t,
        "singular_fraction": values["singular"].sum(axis=1) / n_t,
    }
    has = n_fix > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in DOPS:
            x = values[name]
            out[f"{name}_mean"] = np.where(has, np.where(fix, x, 0.0).sum(axis=1) / n_fix, np.nan)
            out[f"{name}_min"] = np.where(has, np.where(fix, x, np.inf).min(axis=1), np.nan)
            out[f"{name}_max"] = np.where(has, np.where(fix, x, -np.inf).max(axis=1), np.nan)
            if percentiles:
                q = np.full((2, x.shape[0]), np.nan)
                for p in np.flatnonzero(has):
                    q[:, p] = np.percentile(x[p, fix[p]], [50, 95])
                out[f"{name}_median"], out[f"{name}_p95"] = q
        t = values["tdop"]
        seen = np.isfinite(t)
        out["tdop_mean"] = np.where(seen, t, 0.0).sum(axis=1) / seen.sum(axis=1)
    return out


def coverage(
    positions_itrs_m: np.ndarray,
    systems: Sequence[str],
    points_itrs_m: np.ndarray,
    up: np.ndarray,
    sets: Sequence[Sequence[str]],
    *,
    clock: str = "per-system",
    elevation_mask_deg: float = 5.0,
    pdop_max: float = 6.0,
    chunk_points: int = 16,
    percentiles: bool = True,
) -> list[dict[str, np.ndarray]]:
    """Per-point statistics of each set (:func:`cell_statistics`), chunked over points.

    ``chunk_points`` bounds the memory of ``G`` (about ``n_times x n_sats x 100`` bytes per
    point). ``percentiles=False`` leaves out the per-point percentile loop (the benchmark).

    Examples
    --------
    >>> import numpy as np
    >>> from gnss.kernels.twin import coverage
    >>> az = np.radians([0.0, 0.0, 120.0, 240.0]); el = np.radians([90.0, 30, 30, 30])
    >>> enu = np.stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)], -1)
    >>> pos = (enu @ np.array([[0, 1.0, 0], [0, 0, 1], [1, 0, 0]]))[None] * 2.5e7
    >>> s = coverage(pos, "RRRR", np.zeros((1, 3)), np.array([[1.0, 0, 0]]), [("R",)])
    >>> round(float(s[0]["pdop_mean"][0]), 12)  # GUIDE section 3: 8/3
    2.666666666667
    """
    points = np.asarray(points_itrs_m, dtype=np.float64)
    up = np.asarray(up, dtype=np.float64)
    parts: list[list[dict]] = [[] for _ in sets]
    for a in range(0, points.shape[0], chunk_points):
        b = min(points.shape[0], a + chunk_points)
        e = line_of_sight(positions_itrs_m, points[a:b])
        vis = visible(e, up[a:b], elevation_mask_deg)
        basis = enu_basis(up[a:b])
        for k, set_systems in enumerate(sets):
            vals = epoch_values(e, vis, basis, systems, set_systems, clock)
            parts[k].append(cell_statistics(vals, pdop_max, percentiles=percentiles))
    return [{key: np.concatenate([p[key] for p in part]) for key in part[0]} for part in parts]

