"""The effect of element-set errors on DOP: both position sets through the project's kernel.

At a few receiver sites, the PDOP, HDOP and VDOP from the element sets'
positions are compared with those from the reference positions, epoch by
epoch, for receiver sets with one clock per system (the project's kernel through
:func:`gnss.coverage.epochs.epoch_dops`). Only matched satellites count, on both sides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..coverage.epochs import epoch_dops
from ..elements.classify import SYSTEMS
from ..errors import ParameterError
from ..kernels.threads import ThreadPolicy
from ..receivers.grid import geodetic_points

#: Sample sites (name, latitude deg, longitude deg) for the DOP effect: high, middle and
#: low latitudes in both hemispheres and the regions each system was built for.
DEFAULT_SITES: tuple[tuple[str, float, float], ...] = (
    ("Moscow", 55.75, 37.62),
    ("Beijing", 39.90, 116.40),
    ("Svalbard", 78.22, 15.65),
    ("Sydney", -33.87, 151.21),
    ("Quito", -0.18, -78.47),
    ("Cape Town", -33.92, 18.42),
)


@dataclass(frozen=True)
class DopEffect:
    """DOP from element-set positions versus reference positions at one site, for one set.

    Only matched satellites count, on both sides. ``n_epochs`` counts epochs with a
    fix in both; ``n_fix_differs`` epochs where only one has a fix (a satellite
    crossing the mask at a slightly different time). Differences are
    elements minus reference.
    """

    site: str
    lat_deg: float
    lon_deg: float
    set_name: str
    n_epochs: int
    n_fix_differs: int
    pdop_mean: float
    max_abs_dpdop: float
    mean_abs_dpdop: float
    max_abs_dhdop: float
    max_abs_dvdop: float


def _parse_dop_sets(sets: str | Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """``"R,C,R+C"`` or ``[("R",), ("R", "C")]`` -> system tuples in canonical order."""
    items = sets.split(",") if isinstance(sets, str) else list(sets)
    out: list[tuple[str, ...]] = []
    for item in items:
        letters = item.split("+") if isinstance(item, str) else list(item)
        letters = [x.strip().upper() for x in letters]
        if not letters or any(x not in "GRECJI" or not x for x in letters):
            raise ParameterError(
                f"set {item!r}: use system letters G, R, E, C, J, I joined by '+', e.g. R+C"
            )
        out.append(tuple(x for x in SYSTEMS if x in letters))
    if not out:
        raise ParameterError("no DOP sets given; e.g. 'R,C,R+C'")
    return out


def dop_sets(
    used: Sequence[str], sets: str | Sequence[Sequence[str]] | None
) -> list[tuple[str, ...]]:
    """Receiver sets for the DOP comparison, each a tuple of system letters.

    Parameters
    ----------
    used : sequence of str
        Systems with matched satellites, in canonical order.
    sets : str or sequence of sequences of str, or None
        As :func:`gnss.validation.accuracy.validate` takes it; None: each system that
        can give a fix alone, ``R+C`` when both are used, and all used systems together
        when there are more than two sets.

    Returns
    -------
    list of tuple of str

    Raises
    ------
    ParameterError
        A set names a system without matched satellites, or a letter that is no system.
    """
    if sets is None:
        # Each system that can give a fix alone, R+C, and everything matched together.
        set_systems = [(s,) for s in used if s in "GREC"]
        if "R" in used and "C" in used:
            set_systems.append(("R", "C"))
        every = tuple(s for s in used if s in "GRECJI")
        if len(set_systems) > 2 and every not in set_systems:
            set_systems.append(every)
    else:
        set_systems = _parse_dop_sets(sets)
    missing = sorted({x for sp in set_systems for x in sp} - set(used), key=SYSTEMS.index)
    if missing:
        raise ParameterError(
            f"sets name systems without matched satellites: {', '.join(missing)} (matched: "
            f"{', '.join(used)})"
        )
    return set_systems


def dop_effects(
    sites: Sequence[tuple[str, float, float]],
    set_systems: Sequence[tuple[str, ...]],
    sat_systems: Sequence[str],
    pos_tle: np.ndarray,
    pos_ref: np.ndarray,
    elevation_mask_deg: float,
) -> list[DopEffect]:
    """DOP from both position sets at each site, for each receiver set.

    Parameters
    ----------
    sites : sequence of (name, lat_deg, lon_deg)
        Receiver sites on the ellipsoid.
    set_systems : sequence of tuple of str
        Receiver sets (from :func:`dop_sets`).
    sat_systems : sequence of str, length n_sats
        System letter of each satellite.
    pos_tle, pos_ref : ndarray, shape (n_times, n_sats, 3)
        Element-set and reference ITRS positions in metres, NaN where either is missing.
    elevation_mask_deg : float
        Elevation mask.

    Returns
    -------
    list of DopEffect
        Site by site, set by set.
    """
    set_names = ["+".join(sp) for sp in set_systems]
    points, up = geodetic_points([s[1] for s in sites], [s[2] for s in sites], 0.0)
    dop_tle, dop_ref = [], []
    # epoch_dops runs the series kernel (one call for all epochs, single-threaded); the policy
    # of one thread keeps BLAS and numba pools from spinning beside it. The thread count never
    # changes a result.
    with ThreadPolicy(1) as threads:
        threads.apply()
        for p in range(len(sites)):
            for store, pos in ((dop_tle, pos_tle), (dop_ref, pos_ref)):
                d = epoch_dops(
                    pos, sat_systems, points[p], up[p], set_systems,
                    elevation_mask_deg=elevation_mask_deg,
                )  # fmt: skip
                store.append(np.stack([d["pdop"], d["hdop"], d["vdop"]], axis=-1))  # (set, t, 3)
    dop_rows = []
    for p, (site, lat, lon) in enumerate(sites):
        for k, name in enumerate(set_names):
            dop_rows.append(_dop_row(site, lat, lon, name, dop_tle[p][k], dop_ref[p][k]))
    return dop_rows


def _dop_row(site: str, lat, lon, name: str, a: np.ndarray, b: np.ndarray) -> DopEffect:
    """Compare DOPs ``a`` (elements) and ``b`` (reference), arrays (n_times, 3) of P/H/VDOP."""
    fa, fb = np.isfinite(a[:, 0]), np.isfinite(b[:, 0])
    ok = fa & fb
    diff = np.abs(a[ok] - b[ok])
    nan = math.nan
    return DopEffect(
        site,
        float(lat),
        float(lon),
        name,
        int(ok.sum()),
        int((fa ^ fb).sum()),
        float(b[ok, 0].mean()) if ok.any() else nan,
        float(diff[:, 0].max()) if ok.any() else nan,
        float(diff[:, 0].mean()) if ok.any() else nan,
        float(diff[:, 1].max()) if ok.any() else nan,
        float(diff[:, 2].max()) if ok.any() else nan,
    )  # fmt: skip
