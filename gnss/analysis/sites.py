"""Summaries of site and route time series: one row per site and set, and what NaN there means.

:func:`site_summary` reduces a :func:`gnss.site_timeseries` (or :func:`gnss.route_timeseries`)
dataset over time; :func:`no_fix_notes` says which sets never had a fix (their DOP columns
are NaN). ``gnss site`` prints both, ``report.html`` shows both. Light: pandas and xarray only.
"""

from __future__ import annotations

import warnings

import pandas as pd
import xarray as xr

__all__ = ["no_fix_notes", "site_summary"]


def site_summary(ds: xr.Dataset, pdop_max: float = 6.0) -> pd.DataFrame:
    """Per site and set: visible min and mean, PDOP mean and max, availability (and accuracy).

    Availability is the fraction of epochs with a fix and PDOP <= ``pdop_max``; the PDOP
    mean and max are over the epochs with a fix. With ``hacc95_m``/``vacc95_m`` in ``ds``
    (a study with ``uere_m``): their mean and 95th percentile over time too
    (``hacc95_m_mean``, ``hacc95_m_p95``, ...).

    Examples
    --------
    >>> import gnss
    >>> ds = gnss.site_timeseries(gnss.Study("R", duration_s=1800, step_s=1800),
    ...                           [("Moscow", 55.75, 37.62)])
    >>> float(site_summary(ds)["availability"].iloc[0])
    1.0
    """
    ok = (ds.pdop <= pdop_max).fillna(False)
    table = xr.Dataset({
        "visible_min": ds.visible.min("time"),
        "visible_mean": ds.visible.mean("time"),
        "pdop_mean": ds.pdop.mean("time"),
        "pdop_max": ds.pdop.max("time"),
        "availability": ok.mean("time"),
    })  # fmt: skip
    for name in ("hacc95_m", "vacc95_m"):  # with uere_m: mean and 95th percentile over time
        if name in ds:
            table[f"{name}_mean"] = ds[name].mean("time")
            with warnings.catch_warnings():  # a set without a fix: NaN, said by no_fix_notes
                warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
                p95 = ds[name].quantile(0.95, "time")
            table[f"{name}_p95"] = p95.drop_vars("quantile")
    return table.to_dataframe().reset_index()[["site", "set", *table.data_vars]]


def no_fix_notes(table: pd.DataFrame) -> list[str]:
    """One line per site and set that never had a position fix, saying why its DOPs are NaN.

    ``table`` is a site summary (:func:`site_summary`): its PDOP (and accuracy) columns are
    NaN for such a set; the CLI prints these lines after the table and the report shows
    them, so a NaN is never left unexplained.

    Examples
    --------
    >>> t = pd.DataFrame({"site": ["Oslo"], "set": ["C"], "visible_min": [1],
    ...                   "visible_mean": [2.5], "pdop_mean": [float("nan")]})
    >>> no_fix_notes(t)[0][:38]
    'set C at Oslo had no epoch with a fix '
    """
    rows = table[table["pdop_mean"].isna()]
    return [
        f"set {r.set} at {r.site} had no epoch with a fix (too few satellites in view, or "
        f"a near-singular geometry, at every epoch; {r.visible_mean:.1f} in view on average, "
        f"{r.visible_min} at least): its DOP and accuracy columns are NaN"
        for r in rows.itertuples()
    ]
