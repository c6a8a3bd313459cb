"""Would float32 be accurate enough? ``python -m benchmarks.float32_accuracy [--step DEG]``.

Issue 4 allows float32 only if PDOP stays within 1e-5 (relative) of float64 and visibility
is identical away from the mask edge. This evaluates the float32 form the kernel would use
(line-of-sight vectors, visibility test and group sums of e and e e^T in float32; the 3x3
clock-eliminated inverse in float64) against the same algebra in float64, with NumPy, for
R, C and R+C from the element sets the benchmarks use (24 h at 5 min, 5 deg mask), and
prints the largest relative PDOP error per PDOP range and the number of visibility flips.
"""

from __future__ import annotations

import argparse

import numpy as np

import gnss

from .common import element_files

SETS = {"R": ("R",), "C": ("C",), "R+C": ("R", "C")}


def pdop(pos, systems, point, up, set_systems, dtype, sin_mask):
    """PDOP[t] (NaN without a fix) and visibility[s, t] with sums in ``dtype``."""
    d = pos.astype(dtype) - point.astype(dtype)  # [t, s, 3]
    e = d / np.sqrt((d * d).sum(-1))[..., None]
    vis = (e @ up.astype(dtype)) > dtype(sin_mask)
    n_mat = np.zeros((pos.shape[0], 3, 3))
    n_tot = np.zeros(pos.shape[0])
    n_clk = np.zeros(pos.shape[0])
    for s in set_systems:
        sel = np.array([x == s for x in systems])
        eg = e[:, sel] * vis[:, sel, None]
        n = vis[:, sel].sum(1)
        a = np.einsum("tsi,tsj->tij", eg, eg).astype(np.float64)
        b = eg.sum(1).astype(np.float64)
        w = np.where(n > 0, 1.0 / np.maximum(n, 1), 0.0)
        n_mat += a - w[:, None, None] * b[:, :, None] * b[:, None, :]
        n_tot += n
        n_clk += n > 0
    ok = (n_tot >= 3 + n_clk) & (np.linalg.det(n_mat) > 0)
    out = np.full(pos.shape[0], np.nan)
    out[ok] = np.sqrt(np.trace(np.linalg.inv(n_mat[ok]), axis1=1, axis2=2))
    return out, vis


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.float32_accuracy")
    parser.add_argument("--step", type=float, default=6.0, help="grid step in degrees")
    args = parser.parse_args(argv)
    files, label = element_files()
    con = gnss.read_elements(files)
    con = gnss.filter_constellation(con, select=["R", "C"])
    span = gnss.epoch_span(con.median_epoch(), duration_s=86400, step_s=300)
    pos, _ = gnss.propagate_itrs_m(con.satellites, span)
    pos = np.nan_to_num(pos, nan=0.0)
    systems = [s.system for s in con.satellites]
    lat = np.arange(-90 + args.step / 2, 90, args.step)
    lon = np.arange(-180 + args.step / 2, 180, args.step)
    lat, lon = (a.ravel() for a in np.meshgrid(lat, lon, indexing="ij"))
    points, ups = gnss.geodetic_points(lat, lon)
    sin_mask = np.sin(np.radians(5.0))
    print(f"elements: {label}; {len(points)} points x {pos.shape[0]} epochs; mask 5 deg")
    for name, set_systems in SETS.items():
        errs, values, flips = [], [], 0
        for p, u in zip(points, ups, strict=True):
            ref, vis64 = pdop(pos, systems, p, u, set_systems, np.float64, sin_mask)
            got, vis32 = pdop(pos, systems, p, u, set_systems, np.float32, sin_mask)
            flips += np.count_nonzero(vis64 != vis32)
            both = np.isfinite(ref) & np.isfinite(got)
            errs.append(np.abs(got[both] / ref[both] - 1))
            values.append(ref[both])
        err, val = np.concatenate(errs), np.concatenate(values)
        print(f"{name}: visibility flips {flips}; max relative PDOP error {err.max():.2e}")
        for lo, hi in ((0, 2), (2, 4), (4, 6), (6, np.inf)):
            m = (val >= lo) & (val < hi)
            if m.any():
                print(f"  PDOP {lo}-{hi}: {m.sum()} epochs, max relative error {err[m].max():.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
