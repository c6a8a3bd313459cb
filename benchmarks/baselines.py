"""The two reference implementations the kernel is measured against.

* :func:`numpy_coverage` — what a careful NumPy user writes, and the package's NumPy twin
  of the kernel (:mod:`gnss.kernels.twin`): broadcast line-of-sight and elevation over
  points x epochs x satellites, build the design matrix ``G`` per point-epoch with one-hot
  per-system clock columns, invert ``GᵀG`` batched with ``np.linalg.inv``, then fold mean /
  max / availability over the epochs. Same definitions as the engine (strict mask on the
  geodetic elevation, fix with ``n >= 3 + clocks in view``, the DOP ceiling), so it must
  agree with :func:`gnss.compute_coverage` to rounding.
* :func:`skyfield_altaz` — what a typical user writes first: per satellite
  ``EarthSatellite.from_satrec``, per point ``wgs84.latlon``, ``(sat - topos).at(t).altaz()``,
  elevation -> visibility, then a DOP per epoch with NumPy.

Both take the sets as tuples of system letters, e.g. ``[("R",), ("C",), ("R", "C")]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Per-cell statistics returned by both baselines, per set.
STATS = ("visible_mean", "fix_fraction", "availability", "pdop_mean", "pdop_max", "hdop_mean",
         "vdop_mean")  # fmt: skip


def parse_plain_sets(sets: str) -> list[tuple[str, ...]]:
    """``"R,C,R+C"`` -> ``[("R",), ("C",), ("R", "C")]``."""
    return [tuple(part.split("+")) for part in sets.split(",")]


def _fold(vis_count, fix, pdop, hdop, vdop, pdop_max):
    """Per-point statistics over the epoch axis (last axis)."""
    n_t = vis_count.shape[-1]
    n_fix = fix.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {
            "visible_mean": vis_count.sum(axis=-1) / n_t,
            "fix_fraction": n_fix / n_t,
            "availability": (fix & (pdop <= pdop_max)).sum(axis=-1) / n_t,
            "pdop_mean": np.where(n_fix > 0, np.where(fix, pdop, 0.0).sum(axis=-1) / n_fix, np.nan),
            "pdop_max": np.where(n_fix > 0, np.where(fix, pdop, -np.inf).max(axis=-1), np.nan),
            "hdop_mean": np.where(n_fix > 0, np.where(fix, hdop, 0.0).sum(axis=-1) / n_fix, np.nan),
            "vdop_mean": np.where(n_fix > 0, np.where(fix, vdop, 0.0).sum(axis=-1) / n_fix, np.nan),
        }  # fmt: skip
    return out


def numpy_coverage(
    positions_itrs_m: np.ndarray,
    systems: Sequence[str],
    points_itrs_m: np.ndarray,
    up: np.ndarray,
    sets: Sequence[Sequence[str]],
    *,
    elevation_mask_deg: float = 5.0,
    pdop_max: float = 6.0,
    chunk_points: int = 16,
) -> list[dict[str, np.ndarray]]:
    """Visibility and per-system-clock DOP statistics per point, vectorised NumPy.

    The package's NumPy twin of the kernel (:func:`gnss.kernels.twin.coverage`: explicit
    design matrix per point and epoch, batched ``np.linalg.inv``), without its per-point
    percentile loop, which is Python rather than NumPy and would make the ratio unfair.

    Parameters
    ----------
    positions_itrs_m : ndarray, shape (n_times, n_sats, 3)
        Satellite ITRS positions (NaN: failed, never visible), e.g. from
        :func:`gnss.propagate_itrs_m`.
    systems : sequence of str, length n_sats
        System letter of each satellite.
    points_itrs_m, up : ndarray, shape (n_points, 3)
        Receiver positions and geodetic up unit vectors (:meth:`gnss.Grid.points`).
    sets : sequence of sequences of str
        Systems of each receiver configuration; one receiver clock per system.
    elevation_mask_deg, pdop_max : float
        Strict elevation mask; availability threshold (fix and PDOP <= pdop_max).
    chunk_points : int
        Points per broadcast block (bounds the memory of ``G``).

    Returns
    -------
    list of dict
        Per set, arrays of shape (n_points,) keyed as :data:`STATS` (and the twin's others).
    """
    from gnss.kernels.twin import coverage  # here: the suite imports numba after its compile case

    return coverage(
        positions_itrs_m, systems, points_itrs_m, up, sets, elevation_mask_deg=elevation_mask_deg,
        pdop_max=pdop_max, chunk_points=chunk_points, percentiles=False,
    )  # fmt: skip


def skyfield_altaz(
    satellites: Sequence,
    lat_deg: Sequence[float],
    lon_deg: Sequence[float],
    span,
    sets: Sequence[Sequence[str]],
    *,
    height_m: float = 0.0,
    elevation_mask_deg: float = 5.0,
    pdop_max: float = 6.0,
) -> dict:
    """The per-satellite skyfield loop: elevations by ``altaz``, then DOP per epoch with NumPy.

    Parameters
    ----------
    satellites : sequence of gnss.Satellite
        Their ``satrec`` is wrapped by ``EarthSatellite.from_satrec``.
    lat_deg, lon_deg : sequence of float
        Receiver points (WGS84 geodetic), at ``height_m``.
    span : gnss.EpochSpan
        Epochs.
    sets : sequence of sequences of str
        Systems of each receiver configuration; one receiver clock per system.

    Returns
    -------
    dict
        ``visible``: int array (n_sets, n_points, n_times); ``pdop``, ``hdop``, ``vdop``:
        (n_sets, n_points, n_times), NaN without a fix; ``stats``: per set, per-point
        statistics keyed as :data:`STATS`.
    """
    from skyfield.api import EarthSatellite, wgs84

    from gnss import DOP_CEILING
    from gnss.timeutil import timescale

    ts = timescale()
    times = span.times()
    n_p, n_s, n_t = len(lat_deg), len(satellites), span.n_epochs
    el_deg = np.empty((n_p, n_s, n_t))
    az_rad = np.empty((n_p, n_s, n_t))
    for j, sat in enumerate(satellites):
        es = EarthSatellite.from_satrec(sat.satrec, ts)
        for i in range(n_p):
            topos = wgs84.latlon(lat_deg[i], lon_deg[i], elevation_m=height_m)
            alt, az, _ = (es - topos).at(times).altaz()
            el_deg[i, j], az_rad[i, j] = alt.degrees, az.radians
    system = np.array([s.system for s in satellites])
    visible = np.zeros((len(sets), n_p, n_t), np.int64)
    dops = {d: np.full((len(sets), n_p, n_t), np.nan) for d in ("pdop", "hdop", "vdop")}
    for k, set_systems in enumerate(sets):
        in_set = np.isin(system, list(set_systems))
        for i in range(n_p):
            for t in range(n_t):
                seen = in_set & (el_deg[i, :, t] > elevation_mask_deg)  # strict
                n = int(seen.sum())
                visible[k, i, t] = n
                clocks = [s for s in set_systems if (system[seen] == s).any()]
                if n < 3 + len(clocks):
                    continue
                el, az = np.radians(el_deg[i, seen, t]), az_rad[i, seen, t]
                ce = np.cos(el)
                enu = np.column_stack([ce * np.sin(az), ce * np.cos(az), np.sin(el)])
                onehot = (system[seen][:, None] == np.array(clocks)[None, :]).astype(float)
                g = np.hstack([-enu, onehot])
                q = np.linalg.inv(g.T @ g)
                if np.trace(q) > DOP_CEILING**2:  # near-singular: no usable fix, as in gnss
                    continue
                dops["pdop"][k, i, t] = np.sqrt(q[0, 0] + q[1, 1] + q[2, 2])
                dops["hdop"][k, i, t] = np.sqrt(q[0, 0] + q[1, 1])
                dops["vdop"][k, i, t] = np.sqrt(q[2, 2])
    stats = []
    for k in range(len(sets)):
        fix = np.isfinite(dops["pdop"][k])
        stats.append(
            _fold(visible[k], fix, dops["pdop"][k], dops["hdop"][k], dops["vdop"][k], pdop_max)
        )
    return {"visible": visible, **dops, "stats": stats}


def compare_to_dataset(ds, baseline: list[dict], sets: list[str], lat_idx, lon_idx, *, rtol):
    """Largest disagreements between a baseline and ``compute_coverage``'s dataset.

    Returns ``{"visible_mean": max abs diff, "fix_fraction": ..., "availability": ...,
    "pdop_mean": max rel diff, "pdop_max": ..., "hdop_mean": ..., "vdop_mean": ...,
    "nan_mismatch": count, "ok": bool}``; visible/fix/availability must match exactly and
    the DOPs to ``rtol``.
    """
    worst: dict[str, float] = {s: 0.0 for s in STATS}
    nan_mismatch = 0
    for k, name in enumerate(sets):
        for stat in STATS:
            ref = ds[stat].sel(set=name).values[lat_idx, lon_idx]
            got = baseline[k][stat]
            nan_mismatch += int((np.isnan(ref) != np.isnan(got)).sum())
            both = np.isfinite(ref) & np.isfinite(got)
            if stat.endswith(("_mean", "_max")) and stat != "visible_mean":
                diff = np.abs(got[both] - ref[both]) / np.abs(ref[both])
            else:
                diff = np.abs(got[both] - ref[both])
            if diff.size:
                worst[stat] = max(worst[stat], float(diff.max()))
    exact = ("visible_mean", "fix_fraction", "availability")
    ok = nan_mismatch == 0 and all(worst[s] == 0.0 for s in exact)
    ok = ok and all(worst[s] <= rtol for s in STATS if s not in exact)
    return {**worst, "nan_mismatch": nan_mismatch, "ok": bool(ok)}
