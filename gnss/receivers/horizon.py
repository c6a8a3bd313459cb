"""Local horizon masks: elevation of the skyline as a function of azimuth.

A :class:`Horizon` is piecewise linear in azimuth (degrees clockwise from north) and wraps at
360 deg. :func:`read_horizon` reads a CSV ``azimuth_deg,elevation_deg`` (header required,
``#`` comments) or a PVGIS ``printhorizon`` output (text/CSV or JSON, see
:mod:`gnss.receivers.horizon_formats`). The shipped presets and the resolver of a study's
``horizon`` are in :mod:`gnss.receivers.horizon_presets`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputfile import read_input_file
from .horizon_formats import HorizonError, parse_csv, parse_pvgis_json, parse_pvgis_text

#: Largest horizon file read: a profile at 0.1 deg is 3600 lines (~50 kB).
MAX_HORIZON_FILE_BYTES = 4 * 1024 * 1024
#: Lowest elevation accepted (deg): a receiver on a hill or mast sees below the horizontal, but
#: more than -10 deg (a drop of ~0.17 of the distance) is not a skyline of the expected kind.
MIN_ELEVATION_DEG = -10.0


@dataclass(frozen=True, eq=False)
class Horizon:
    """A skyline: elevation of the local horizon, piecewise linear in azimuth.

    Attributes
    ----------
    azimuth_deg : numpy.ndarray
        Strictly increasing azimuths in [0, 360], clockwise from north.
    elevation_deg : numpy.ndarray
        Skyline elevation at each azimuth, in [-10, 90].
    source : str
        Where the profile came from (a path or preset name), for messages.

    Examples
    --------
    >>> h = Horizon(np.array([0.0, 90.0, 180.0, 270.0]), np.array([0.0, 30.0, 0.0, 30.0]))
    >>> h.elevation_at(np.array([45.0, 315.0, 360.0])).tolist()
    [15.0, 15.0, 0.0]
    >>> h.min_elevation_deg
    0.0
    """

    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    source: str = "horizon"

    def __post_init__(self):
        az = np.asarray(self.azimuth_deg, dtype=float)
        el = np.asarray(self.elevation_deg, dtype=float)
        _check_profile(az, el, self.source, rows=None)
        object.__setattr__(self, "azimuth_deg", az)
        object.__setattr__(self, "elevation_deg", el)

    @property
    def min_elevation_deg(self) -> float:
        """Lowest skyline elevation (a safe flat mask for culling)."""
        return float(self.elevation_deg.min())

    def kernel_table(self, elevation_mask_deg: float = -90.0) -> tuple[np.ndarray, np.ndarray]:
        """Return the skyline with a flat mask folded in, as the kernels take it.

        The effective mask is ``max(elevation_mask_deg, skyline(az))``, exactly: the points
        where the skyline crosses the flat mask are inserted, so the result is again
        piecewise linear. Returns ``az_deg`` from 0 to 360 inclusive (strictly increasing)
        and ``el_deg`` with ``el_deg[-1] == el_deg[0]``
        (:func:`gnss.kernels.skyline.above_skyline`).

        Examples
        --------
        >>> h = Horizon(np.array([0.0, 180.0]), np.array([0.0, 20.0]))
        >>> az, el = h.kernel_table(10.0)
        >>> az.tolist(), el.tolist()
        ([0.0, 90.0, 180.0, 270.0, 360.0], [10.0, 10.0, 20.0, 10.0, 10.0])
        """
        az = np.unique(np.concatenate(([0.0, 360.0], self.azimuth_deg % 360.0)))
        el = self.elevation_at(az)
        mask = float(elevation_mask_deg)
        # Crossings of the flat mask inside each segment: el0 + (el1 - el0) f = mask.
        d0, d1 = el[:-1] - mask, el[1:] - mask
        cross = np.flatnonzero(d0 * d1 < 0.0)
        f = d0[cross] / (d0[cross] - d1[cross])
        az_x = az[cross] + f * (az[cross + 1] - az[cross])
        az_all = np.unique(np.concatenate((az, az_x)))
        el_all = np.maximum(self.elevation_at(az_all), mask)
        el_all[-1] = el_all[0]
        return az_all, el_all

    def elevation_at(self, az_deg) -> np.ndarray:
        """Skyline elevation (deg) at azimuths ``az_deg`` (any shape; wrapped modulo 360)."""
        az, el = self.azimuth_deg, self.elevation_deg
        if az[-1] == 360.0:  # 0 and 360 both given (equal): 360 closes the circle already
            az, el = az[:-1], el[:-1]
        xp = np.concatenate((az, [az[0] + 360.0]))
        fp = np.concatenate((el, [el[0]]))
        x = np.mod(np.asarray(az_deg, dtype=float), 360.0)
        x = np.where(x < xp[0], x + 360.0, x)  # before the first point: wrap from the last
        return np.asarray(np.interp(x, xp, fp))


def _where(source: str, rows, i: int | None) -> str:
    return f"{source}:{rows[i]}" if rows is not None and i is not None else source


def _check_profile(az: np.ndarray, el: np.ndarray, source: str, rows) -> None:
    """Refuse a profile that is not a skyline; ``rows`` maps point index to file line."""
    if az.ndim != 1 or az.shape != el.shape:
        raise HorizonError(
            f"{source}: expected two 1-D arrays of equal length (azimuth_deg, elevation_deg), "
            f"got shapes {az.shape} and {el.shape}. Give one elevation per azimuth"
        )
    if az.size < 2:
        raise HorizonError(
            f"{source}: expected at least 2 horizon points, got {az.size}. "
            "Give the skyline at two azimuths or more (a flat mask is --mask-deg)"
        )
    bad = np.flatnonzero(~np.isfinite(az) | ~np.isfinite(el))
    if bad.size:
        raise HorizonError(f"{_where(source, rows, bad[0])}: expected finite numbers, got NaN/inf")
    bad = np.flatnonzero((az < 0.0) | (az > 360.0))
    if bad.size:
        raise HorizonError(
            f"{_where(source, rows, bad[0])}: expected an azimuth in [0, 360] deg (clockwise "
            f"from north), got {az[bad[0]]:g}. Wrap it into 0..360 (add 360 to negative values)"
        )
    bad = np.flatnonzero((el > 90.0) | (el < MIN_ELEVATION_DEG))
    if bad.size:
        raise HorizonError(
            f"{_where(source, rows, bad[0])}: expected an elevation in [{MIN_ELEVATION_DEG:g}, "
            f"90] deg, got {el[bad[0]]:g}. Check the column order (azimuth first) and units (deg)"
        )
    step = np.diff(az)
    bad = np.flatnonzero(step <= 0.0)
    if bad.size:
        i = bad[0] + 1
        what = "a duplicate" if step[bad[0]] == 0.0 else "an unsorted"
        raise HorizonError(
            f"{_where(source, rows, i)}: expected strictly increasing azimuths, got {what} "
            f"azimuth {az[i]:g} after {az[i - 1]:g}. Sort the rows by azimuth and drop repeats"
        )
    if az[0] == 0.0 and az[-1] == 360.0 and el[0] != el[-1]:
        raise HorizonError(
            f"{_where(source, rows, az.size - 1)}: azimuths 0 and 360 are the same direction, "
            f"expected the same elevation, got {el[0]:g} and {el[-1]:g}. Drop the 360 row"
        )


def parse_horizon(text: str, source: str = "horizon") -> Horizon:
    r"""Parse horizon text (CSV or PVGIS layout); see :func:`read_horizon`.

    Examples
    --------
    >>> parse_horizon("# canyon\nazimuth_deg,elevation_deg\n0,0\n90,40\n").elevation_at(45.0)
    array(20.)
    """
    lines = [
        (no, line)
        for no, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise HorizonError(
            f"{source}: expected a header 'azimuth_deg,elevation_deg' and rows, got no data. "
            "Check the path"
        )
    if text.lstrip().startswith("{"):
        arr = parse_pvgis_json(text, source)
        return Horizon(arr[:, 0], arr[:, 1], source=source)
    heads = (["A", "H_hor"], ["A_hor", "H_hor"])
    pvgis = next((i for i, (_, t) in enumerate(lines) if t.split()[:2] in heads), None)
    if pvgis is None:
        values, line_nos = parse_csv(lines, source)
    else:
        values, line_nos = parse_pvgis_text(lines, pvgis + 1, source)
    arr = np.array(values, dtype=float).reshape(-1, 2)
    _check_profile(arr[:, 0], arr[:, 1], source, rows=line_nos)
    return Horizon(arr[:, 0], arr[:, 1], source=source)


def read_horizon(path) -> Horizon:
    r"""Read a horizon profile file.

    Parameters
    ----------
    path : path
        A CSV with the header ``azimuth_deg,elevation_deg`` (azimuth clockwise from north in
        [0, 360], strictly increasing; elevation in [-10, 90]; ``#`` starts a comment line), or
        a PVGIS ``printhorizon`` output: text/CSV (its ``A H_hor`` table) or JSON
        (``outputs.horizon_profile``); PVGIS azimuths have south = 0 and are turned here.

    Returns
    -------
    Horizon

    Raises
    ------
    HorizonError
        Not a regular file, over 4 MiB, a missing header, a non-number, an azimuth outside
        [0, 360], an elevation above 90 or below -10, fewer than 2 points, or azimuths that
        repeat or are not sorted (the message gives file:line and the fix).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "h.csv"
    >>> _ = p.write_text("azimuth_deg,elevation_deg\n0,10\n180,30\n")
    >>> read_horizon(p).elevation_at([90.0, 270.0]).tolist()
    [20.0, 20.0]
    """
    data = read_input_file(
        path, what="horizon file", max_bytes=MAX_HORIZON_FILE_BYTES, error=HorizonError
    )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HorizonError(
            f"{path}: expected a UTF-8 text horizon file, got bytes that are not text "
            f"(at byte {exc.start}). Check the path"
        ) from None
    return parse_horizon(text, source=str(path))

