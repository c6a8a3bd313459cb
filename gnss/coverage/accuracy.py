"""95 % horizontal and vertical accuracy in metres per cell: from the DOPs or a weighted pass.

Per set: when every system of the set has the same range error ``sigma`` (one system, or
equal values), the weighted covariance is ``sigma^2 (G^T G)^-1`` and the accuracy is the DOP
statistics times ``2 sigma`` (horizontal, 2 drms) and ``1.96 sigma`` (vertical), exactly
(order statistics scale with a positive factor). Otherwise a second kernel pass with range
weights per group (:func:`gnss.coverage.uere.group_weights`) gives the weighted DOPs, and
the accuracy is those times ``2 sigma_ref`` and ``1.96 sigma_ref``. See
:mod:`gnss.coverage.uere` for the formulas and the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from ..kernels.sets import HDOP, VDOP
from .uere import H95_FACTOR, UERE_DEFAULTS_95_M, V95_FACTOR, needs_weighted_pass, set_sigmas

#: Accuracy variables: name -> (DOP row, factor, long name).
ACCURACY_VARS = {
    "hacc95": (HDOP, H95_FACTOR, "95 % horizontal accuracy, 2 drms = 2 sqrt(sE^2 + sN^2)"),
    "vacc95": (VDOP, V95_FACTOR, "95 % vertical accuracy, 1.96 sigma_U"),
}
#: Statistics of the per-cell DOP array ``BlockOutputs.dop`` (its first axis).
_STATS = ("mean", "median", "p95", "max")


def weighted_sets(resolved, sigma: Mapping[str, float]) -> list[bool]:
    """Which sets need the weighted pass (their systems' range errors differ)."""
    for r in resolved:
        set_sigmas(r.spec.systems, sigma, r.spec.name)  # refuses a system without a value
    return [needs_weighted_pass(r.spec.systems, sigma) for r in resolved]


def cell_accuracy(out, out_w, sigma_ref: float, resolved, sigma, weighted) -> dict:
    """Per-cell accuracy statistics (m): ``{"hacc95_m_mean": (n_p, n_sets), ...}``.

    ``out`` are the plain statistics (:class:`gnss.coverage.blocks.BlockOutputs`), ``out_w``
    those of the weighted pass over the sets flagged in ``weighted`` (in their order; None
    when no set needs it, or to leave the weighted sets NaN).
    """
    n_p, n_sets = out.dop.shape[1], out.dop.shape[2]
    fields = {f"{v}_m_{s}": np.full((n_p, n_sets), np.nan) for v in ACCURACY_VARS for s in _STATS}
    j = 0  # index of the next weighted set in out_w
    for k, r in enumerate(resolved):
        sig = set_sigmas(r.spec.systems, sigma, r.spec.name)
        src, kk, scale = (out_w, j, sigma_ref) if weighted[k] else (out, k, sig[0])
        j += int(weighted[k])
        if src is None:  # a weighted set without its pass (written later: gnss.scale.zarrsink)
            continue
        for v, (row, factor, _) in ACCURACY_VARS.items():
            for i, stat in enumerate(_STATS):
                fields[f"{v}_m_{stat}"][:, k] = src.dop[i, :, kk, row] * (factor * scale)
    return fields


def add_accuracy(ds: xr.Dataset, fields, grid, resolved, sigma) -> None:
    """Add the accuracy fields (set, lat, lon) in metres and the UERE used to ``ds``."""
    n_sets = len(resolved)
    for name, values in fields.items():
        var, _, stat = name.partition("_m_")
        long_name = f"{stat} {ACCURACY_VARS[var][2]}"
        cells = values.T.reshape(n_sets, ds.sizes["lat"], ds.sizes["lon"])  # a band, or all
        attrs = {"long_name": long_name, "units": "m", "cell_methods": f"time: {stat}"}
        ds[name] = (("set", "lat", "lon"), cells, attrs)
    ds["set_uere_m"] = (
        "set",
        [",".join(f"{s}={sigma[s]:.4g}" for s in r.spec.systems) for r in resolved],
        {"long_name": "one-sigma user range error per system of the set", "units": "m"},
    )
    ds.attrs["accuracy_method"] = accuracy_method()


def accuracy_method() -> str:
    """Describe the formulas and the defaults' sources (the outputs' attribute)."""
    refs = "; ".join(f"{s}: {v:g} m 95 % ({doc})" for s, (v, doc) in UERE_DEFAULTS_95_M.items())
    return (
        "weighted least squares, W = diag(1/sigma_sys^2), one clock per system (or common); "
        "hacc95 = 2 sqrt(sE^2 + sN^2) (2 drms), vacc95 = 1.96 sigma_U; default sigma = "
        f"signal-in-space URE 95 % / 1.96: {refs}"
    )
