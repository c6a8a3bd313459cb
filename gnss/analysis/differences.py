"""Difference fields: each combined set's gain over its best single system, per cell.

One sign convention everywhere (maps, NetCDF, region tables, reports): positive = the
combination is better. For a statistic where larger is better (availability, visible count)
the gain is combined minus best; for DOP it is best minus combined (a PDOP that drops from 2.4
to 1.5 is a gain of +0.9).
"""

from __future__ import annotations

import logging

import xarray as xr

from ..stats_catalog import STATISTICS

log = logging.getLogger(__name__)

#: The sign convention of every difference and gain (maps, NetCDF, tables, reports).
GAIN_RULE = "positive = the combination is better"

#: Statistic -> True when larger is better (decides what "best single system" means).
DIFFERENCE_STATS = {
    s: STATISTICS[s].larger_is_better for s in ("availability", "pdop_p95", "visible_mean")
}


def difference_pairs(
    names: list[str], systems: list[tuple[str, ...]], plain: list[bool]
) -> dict[str, list[str]]:
    """Map each combined set to the plain single-system sets it is compared with.

    A combined set (two or more systems, plain or what-if) is compared with the plain
    single-system sets of its systems, when all of them are in the run.
    """
    singles = {
        sy[0]: n for n, sy, pl in zip(names, systems, plain, strict=True) if pl and len(sy) == 1
    }
    return {
        n: [singles[x] for x in sy]
        for n, sy in zip(names, systems, strict=True)
        if len(sy) > 1 and all(x in singles for x in sy)
    }


def add_differences(ds: xr.Dataset) -> xr.Dataset:
    """Add ``diff_<stat>(combined, lat, lon)``: each combined set's gain over its best single.

    A combined set (two or more systems) gets a difference only when every one of its
    systems is also analysed alone (plain, without modifiers) in ``ds``. "Best" is chosen
    per cell: the largest availability or visible count, the smallest PDOP p95. The sign is
    the same for every statistic: positive = the combination is better (availability and
    visible count: combined minus best; PDOP p95: best minus combined).

    Parameters
    ----------
    ds : xarray.Dataset
        Output of :func:`gnss.compute_coverage`.

    Returns
    -------
    xarray.Dataset
        ``ds`` with the difference variables (no copy of the other variables).
    """
    names = ds["set"].values.tolist()
    systems = [tuple(x.split(",")) for x in ds["set_systems"].values.tolist()]
    pairs = difference_pairs(names, systems, [bool(x) for x in ds["set_plain"].values])
    for n, sy in zip(names, systems, strict=True):
        if len(sy) > 1 and n not in pairs:
            log.info("no difference maps for %s: not all of its systems are analysed alone", n)
    if not pairs:
        return ds
    combos = list(pairs)
    ds = ds.assign_coords(combined=("combined", combos))
    for stat, larger_better in DIFFERENCE_STATS.items():
        rows = []
        for c, singles in pairs.items():
            single = ds[stat].sel(set=singles)
            best = single.max("set") if larger_better else single.min("set")
            comb = ds[stat].sel(set=c)
            gain = comb - best if larger_better else best - comb
            rows.append(gain.drop_vars("set"))
        da = xr.concat(rows, dim="combined").assign_coords(combined=combos)
        how = "combined minus best" if larger_better else "best minus combined"
        da.attrs = {
            "long_name": f"gain in {stat} of the combined set over its best single system, "
            "per cell",
            "units": ds[stat].attrs.get("units", "1"),
            "comment": f"{GAIN_RULE} ({how})",
        }
        ds[f"diff_{stat}"] = da
    return ds
