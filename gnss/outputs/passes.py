"""The passes table: one CSV row per satellite pass (:func:`gnss.find_passes`)."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path

from ..io import atomic_write
from ..receivers.passes import Pass

#: Column order of ``passes.csv``.
PASS_COLUMNS = ("satellite", "name", "system", "rise_utc", "set_utc", "max_utc",
                "max_elevation_deg", "duration_s", "clipped_start", "clipped_end")  # fmt: skip


def _utc_text(when) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_passes_csv(
    passes: list[Pass] | Mapping[str, list[Pass]], path: str | os.PathLike
) -> Path:
    """Write passes to a CSV file (atomically: no partial file on failure).

    Times are ISO 8601 UTC to the millisecond (``2026-10-06T01:02:03.456Z``), elevations in
    degrees to 1e-6, durations in seconds to the millisecond; ``clipped_start`` and
    ``clipped_end`` are ``true`` where the span cut the pass.

    Parameters
    ----------
    passes : list of Pass, or mapping site name -> list of Pass
        From :func:`gnss.find_passes`; a mapping adds a first column ``site``.
    path : path
        Destination file; its folder must exist.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib, gnss
    >>> sats = gnss.nominal_constellation(["G"]).satellites[:1]
    >>> passes = gnss.find_passes(sats, 0.0, 0.0, 0.0, "2026-10-06T00:00Z", "2026-10-06T12:00Z")
    >>> out = gnss.write_passes_csv(passes, pathlib.Path(tempfile.mkdtemp()) / "passes.csv")
    >>> out.read_text().splitlines()[0]
    'satellite,name,system,rise_utc,set_utc,max_utc,max_elevation_deg,duration_s,clipped_start,clipped_end'
    """

    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            by_site = passes if isinstance(passes, Mapping) else {None: passes}
            out.writerow((("site",) if isinstance(passes, Mapping) else ()) + PASS_COLUMNS)
            for site, rows in by_site.items():
                for p in rows:
                    _write_row(out, site, p)

    return atomic_write(path, write)


def _write_row(out, site: str | None, p: Pass) -> None:
    """Write one CSV row of a pass (with the site first when given)."""
    row = [p.satellite, p.name, p.system, _utc_text(p.rise_utc), _utc_text(p.set_utc),
           _utc_text(p.max_utc), f"{p.max_elevation_deg:.6f}", f"{p.duration_s:.3f}",
           str(p.clipped_start).lower(), str(p.clipped_end).lower()]  # fmt: skip
    out.writerow(([site] if site is not None else []) + row)
