"""SP3 precise orbits (``#a``/``#c``/``#d``): reading and 9-point Lagrange interpolation.

SP3 files give positions of the centre of mass in an ITRF realisation (IGS20
for current products), tabulated every few minutes in the time system named in
the header (``%c`` line; GPS time for IGS/MGEX products). The data are parsed
by georinex; the epochs are converted to TAI seconds and the positions are
evaluated by 9-point Lagrange interpolation (the IGS standard; millimetre-level
at a 5-minute spacing for GNSS orbits), never extrapolated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .reference import ReferenceOrbitError, ReferenceOrbits, ReferenceSource
from .refread import check_radii, georinex_load
from .reftime import TIME_SYSTEMS, calendar_seconds, origin_tai

#: Nodes of the interpolation window (8th-order Lagrange, the IGS standard).
LAGRANGE_POINTS = 9


def sp3_time_system(p: Path) -> str:
    """Time system from the SP3 header's first ``%c`` line (columns 10-12; GPS if absent).

    georinex does not return this field, so the header line is read here; the
    data themselves are parsed by georinex only.
    """
    import georinex.rio

    with georinex.rio.opener(p) as f:
        for k, line in enumerate(f):
            if line.startswith("%c"):
                code = line[9:12].strip()
                return code if code and code != "ccc" else "GPS"
            if line.startswith("*") or k > 60:
                break
    return "GPS"  # SP3-a has no %c line; its epochs are GPS time


def load_sp3(p: Path, version: str, time_system: str | None) -> ReferenceOrbits:
    """Read a file known to be SP3 (:func:`gnss.orbits.load.load_reference` checks that).

    Parameters
    ----------
    p : Path
        The file.
    version : str
        SP3 version letter, as georinex reports it.
    time_system : str or None
        Override of the header's time system (one of :data:`~.reftime.TIME_SYSTEMS`).

    Returns
    -------
    ReferenceOrbits
        Evaluated by :func:`lagrange_interpolate`.
    """
    ds = georinex_load(p)
    if "position" not in ds or ds.sizes.get("time", 0) < 2:
        raise ReferenceOrbitError(f"{p}: no SP3 position records found (need at least 2 epochs)")
    system = (time_system or sp3_time_system(p)).upper()
    if system not in TIME_SYSTEMS:
        raise ReferenceOrbitError(
            f"{p}: unsupported SP3 time system {system!r}; pass time_system= to override"
        )
    prns = tuple(str(s) for s in ds["sv"].values)
    pos = np.array(ds["position"].values, dtype=np.float64) * 1000.0  # km -> m
    # SP3: a position of exactly 0.000000 km means "bad or absent" (SP3-d section 2).
    pos[np.all(pos == 0.0, axis=-1)] = np.nan
    pos[~np.isfinite(pos).all(axis=-1)] = np.nan
    times = ds["time"].values
    origin = times[0].astype("datetime64[ns]")
    t_s = calendar_seconds(times, origin)
    if np.any(np.diff(t_s) <= 0):
        raise ReferenceOrbitError(f"{p}: SP3 epochs are not strictly increasing")
    check_radii(p, prns, pos)
    frame = str(ds.attrs.get("coord_sys", "?")).strip()
    source = ReferenceSource(str(p), "sp3", version, frame, system)
    notes = []
    if system == "UTC" and time_system is None:
        notes.append("SP3 header says UTC; epochs used as UTC")
    tai_jd0, offset_s = origin_tai(origin, system)
    t_s = t_s + offset_s
    evaluate = _Sp3Interpolator(t_s, pos)
    return ReferenceOrbits(prns, tai_jd0, t_s, pos, source, tuple(notes), evaluate)


class _Sp3Interpolator:
    """9-point Lagrange interpolation of tabulated positions (no extrapolation)."""

    def __init__(self, t_s: np.ndarray, pos: np.ndarray):
        self.t_s = t_s
        self.pos = pos
        self.step = float(np.median(np.diff(t_s)))

    def __call__(self, tq: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return lagrange_interpolate(self.t_s, self.pos[:, cols], tq, self.step)


def lagrange_interpolate(
    t_nodes: np.ndarray,
    values: np.ndarray,
    t_query: np.ndarray,
    step_s: float | None = None,
    n_points: int = LAGRANGE_POINTS,
    margin_s: float = 1e-3,
) -> np.ndarray:
    """Lagrange interpolation on a window of ``n_points`` nodes around each query time.

    Parameters
    ----------
    t_nodes : ndarray, shape (n,)
        Increasing node times (s).
    values : ndarray, shape (n, ...)
        Values at the nodes; a NaN in a window gives NaN.
    t_query : ndarray, shape (q,)
        Query times (s). Outside ``[t_nodes[0] - margin_s, t_nodes[-1] + margin_s]``,
        or where the window spans a data gap (> 1.5 nominal steps), the result is NaN.
    step_s : float, optional
        Nominal node spacing (default: median spacing).
    n_points : int
        Window size (9 for the usual 8th-order SP3 interpolation).
    margin_s : float
        How far beyond the first and last node the window may extrapolate (default 1 ms:
        none; orbit sources allow one sample interval, :mod:`gnss.orbits.source`).

    Returns
    -------
    ndarray, shape (q, ...)

    Examples
    --------
    >>> t = np.arange(20.0)
    >>> float(lagrange_interpolate(t, t**3, np.array([4.5]))[0])
    91.125
    """
    t_nodes = np.asarray(t_nodes, dtype=np.float64)
    tq = np.atleast_1d(np.asarray(t_query, dtype=np.float64))
    n = t_nodes.size
    k = min(n_points, n)
    step = float(np.median(np.diff(t_nodes))) if step_s is None else step_s
    idx = np.searchsorted(t_nodes, tq)
    i0 = np.clip(idx - k // 2, 0, n - k)
    win = i0[:, None] + np.arange(k)[None, :]  # (q, k)
    tw = t_nodes[win]
    dt = tq[:, None] - tw
    w = np.ones_like(dt)
    for j in range(k):
        for m in range(k):
            if m != j:
                w[:, j] *= dt[:, m] / (tw[:, j] - tw[:, m])
    out = np.einsum("qk,qk...->q...", w, values[win])
    bad = (tq < t_nodes[0] - margin_s) | (tq > t_nodes[-1] + margin_s)
    bad |= (tw[:, -1] - tw[:, 0]) > 1.5 * step * (k - 1)
    out[bad] = np.nan
    return out
