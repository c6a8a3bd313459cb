"""Numba kernel parts per set: DOPs from the clock sums, and their statistics.

Used by :func:`gnss.kernels.driver.accumulate` (see there for the geometry). Plain numeric code
on arrays; with :mod:`gnss.kernels.driver` and :mod:`gnss.kernels.vector` the only modules that
import numba.

Layout: per point, one flat float64 array holds the accumulators of every group
(``N_ACC`` rows of ``ROW`` epochs each) and one the per-set results (``N_SO`` rows).
Rows sit at compile-time-constant distances and indices are unsigned, so LLVM proves
the rows independent and vectorises the epoch loops without run-time alias checks.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .jit import CACHED, JIT_OPTS, stamp_all_sources

# Index of each DOP in the metric axis of the accumulators.
PDOP, HDOP, VDOP, GDOP = 0, 1, 2, 3
N_METRICS = 4

#: Histogram layout: octaves 2**-2 .. 2**8 (DOP 0.25 to 256), 128 bins per octave,
#: linear inside the octave: bin b covers [2**(lo + b // 128) * (1 + (b % 128) / 128), ...).
#: A bin is at most 1/128 = 0.78 % wide relative to its lower edge.
HIST_OCTAVE_LO = -2
HIST_SUB = 128
HIST_N_BINS = 10 * HIST_SUB


@njit(inline="always")
def hist_bin(bits):  # pragma: no cover - compiled
    """Histogram bin of a positive float64 given its IEEE-754 bits (int64)."""
    e = ((bits >> 52) & 0x7FF) - 1023
    b = (e - HIST_OCTAVE_LO) * HIST_SUB + ((bits >> 45) & (HIST_SUB - 1))
    return min(max(b, 0), HIST_N_BINS - 1)


@njit(inline="always")
def hist_bin_lower(b):  # pragma: no cover - compiled
    """Lower edge of histogram bin ``b``."""
    return math.ldexp(1.0 + (b % HIST_SUB) / HIST_SUB, HIST_OCTAVE_LO + b // HIST_SUB)


@njit(inline="always")
def _place(hist, b, rank, cum, vmin, vmax):  # pragma: no cover - compiled
    """Value of rank ``rank`` inside bin ``b`` (``cum`` values below it), clamped."""
    low = hist_bin_lower(b)
    val = low + (hist_bin_lower(b + 1) - low) * (rank - cum + 0.5) / hist[b]
    return min(max(val, vmin), vmax)


#: Bins summed at once by :func:`_crossing` before it looks at single bins.
CROSS_RUN = 16


@njit(inline="always")
def _crossing(hist, b, hi, cum, k):  # pragma: no cover - compiled
    """First bin from ``b`` where the running count (``cum`` before ``b``) exceeds ``k``.

    Returns the bin and the count below it; ``hi + 1`` and the total when there is none.
    Whole runs of :data:`CROSS_RUN` bins are skipped first by their total (a vectorised sum):
    a street canyon's DOPs span ~1000 bins, and bin by bin this scan took ~7 % of its kernel
    stage.
    """
    while b + CROSS_RUN <= hi + 1:
        b0 = np.uint64(b)
        run = np.int64(0)
        for i in range(np.uint64(CROSS_RUN)):
            run += hist[b0 + i]
        if cum + run > k:
            break
        cum += run
        b += CROSS_RUN
    while b <= hi:
        c = np.int64(hist[b])
        if cum + c > k:
            return b, cum
        cum += c
        b += 1
    return b, cum


@njit(inline="always")
def hist_quantiles(hist, lo, hi, total, vmin, vmax, out):  # pragma: no cover - compiled
    """Median and 95th percentile of ``total`` values counted in ``hist[lo:hi + 1]``.

    Written to ``out[0]`` and ``out[1]``. The rank is ``q (total - 1)`` as in
    ``numpy.percentile``'s linear method; the value is placed linearly inside its bin and
    clamped to the exact extremes ``[vmin, vmax]``. The exact value lies between the order
    statistics ``floor(rank)`` and ``floor(rank) + 1``, so the error is below two bin widths
    (1.6 %). One scan for both; integer running counts are compared with ``floor(rank)``
    (``n > rank`` iff ``n > floor(rank)`` for an integer ``n``), so the only branches are
    the two crossings, which the processor predicts.
    """
    r0, r1 = 0.5 * (total - 1), 0.95 * (total - 1)
    out[0] = out[1] = vmax
    b, cum = _crossing(hist, lo, hi, np.int64(0), np.int64(r0))
    if b <= hi:
        out[0] = _place(hist, b, r0, cum, vmin, vmax)
    b, cum = _crossing(hist, b, hi, cum, np.int64(r1))
    if b <= hi:
        out[1] = _place(hist, b, r1, cum, vmin, vmax)


TILE = 256  # epochs processed together per point (a multiple of kernel_vector.LANES)
ROW = TILE + 8  # row length of the flat scratch arrays (rows not 4 KiB apart: cache aliasing)
MAX_CLOCKS = 7  # one per system (G, R, E, C, J, I, S)

# Rows of the per-group accumulators (each ROW long): count, sum of e, sum of e e^T.
N_ACC = 10
# Rows of the per-set DOP scratch: PDOP, HDOP, VDOP, GDOP, TDOP per clock, satellites in view.
_R_TDOP = 4
_R_NTOT = _R_TDOP + MAX_CLOCKS
N_SO = _R_NTOT + 1

#: DOP ceiling: an epoch whose GDOP (the largest DOP: GDOP >= PDOP >= HDOP, VDOP and
#: GDOP >= TDOP) exceeds this is *near-singular*: enough satellites for a fix, but a
#: geometry so close to degenerate (e.g. all satellites on one cone around the receiver's
#: up axis with a common clock) that the solution amplifies range errors more than 256
#: times. Such epochs count as "no usable fix": they are left out of every DOP statistic and
#: of the availability, and counted separately (``singular_fraction``). 256 is the upper edge
#: of the DOP histograms, so every DOP that enters a statistic is inside the histograms (the
#: per-cell percentiles are never clamped), and the normal matrix of a usable fix has its
#: smallest eigenvalue above 256**-2 = 1.5e-5, far above the rounding of its sums (~1e-15),
#: so every reported DOP is accurate to ~1e-9. A DOP of 2e6, as seen before this rule, was
#: rounding noise, and one such epoch moved a cell's mean above its 95th percentile.
DOP_CEILING = 256.0


@njit(inline="always", **JIT_OPTS)
def _pick(c, a0, a1, a2, a3, a4, a5, a6):  # pragma: no cover - compiled
    """Return the ``c``-th argument (``c`` is a constant after unrolling: this folds away)."""
    return a0 if c == 0 else a1 if c == 1 else a2 if c == 2 else a3 if c == 3 else (
        a4 if c == 4 else a5 if c == 5 else a6)  # fmt: skip


@njit(inline="always", **JIT_OPTS)
def _put(c, w, w0, w1, w2, w3, w4, w5, w6):  # pragma: no cover - compiled
    """Return ``w0 .. w6`` with the ``c``-th replaced by ``w`` (``c`` constant: folds away)."""
    if c == 0:
        w0 = w
    elif c == 1:
        w1 = w
    elif c == 2:
        w2 = w
    elif c == 3:
        w3 = w
    elif c == 4:
        w4 = w
    elif c == 5:
        w5 = w
    else:
        w6 = w
    return w0, w1, w2, w3, w4, w5, w6


@njit(inline="always", **JIT_OPTS)
def inverse3(sxx, sxy, sxz, syy, syz, szz, ok_n):  # pragma: no cover - compiled
    """Inverse of the symmetric 3x3 N by cofactors: ``ok, q00, q01, q02, q11, q12, q22``.

    ``ok``: ``ok_n`` (enough satellites) and a positive determinant; all zeros otherwise.
    """
    c00 = syy * szz - syz * syz
    c01 = sxz * syz - sxy * szz
    c02 = sxy * syz - sxz * syy
    det = sxx * c00 + sxy * c01 + sxz * c02
    ok = ok_n & (det > 0.0)
    inv_det = 1.0 / det if ok else 0.0
    q00 = c00 * inv_det
    q01 = c01 * inv_det
    q02 = c02 * inv_det
    q11 = (sxx * szz - sxz * sxz) * inv_det
    q12 = (sxy * sxz - sxx * syz) * inv_det
    q22 = (sxx * syy - sxy * sxy) * inv_det
    return ok, q00, q01, q02, q11, q12, q22


@njit(inline="always", **JIT_OPTS)
def quad(q00, q01, q02, q11, q12, q22, x, y, z):  # pragma: no cover - compiled
    """Return the quadratic form ``v^T Q v`` for ``v = (x, y, z)`` and the symmetric ``Q``."""
    return (
        x * (q00 * x + q01 * y + q02 * z)
        + y * (q01 * x + q11 * y + q12 * z)
        + z * (q02 * x + q12 * y + q22 * z)
    )


def _make_set_dops(nc):
    """Per-set DOPs for ``nc`` clocks, a compile-time constant.

    The clock loops unroll, so each epoch loop is innermost and LLVM vectorises it (a
    run-time clock loop inside the epoch loop leaves the whole loop scalar).
    """

    @njit(**JIT_OPTS)
    def set_dops(grp, a0, a1, a2, a3, a4, a5, a6, n, ux, uy, uz, so):  # pragma: no cover
        """DOPs of one set over ``n`` epochs from the clock sums at ``grp[a_c:]``.

        Writes the rows of ``so`` (flat, ``N_SO`` rows of ``ROW``): PDOP, HDOP, VDOP, GDOP
        (0 without a usable fix), TDOP per clock (0 without a usable fix or when that clock
        has no satellite in view) and the number of satellites in view. Near-singular
        epochs are taken out afterwards (:func:`_drop_singular`).
        """
        for i in range(np.uint64(n)):
            sxx, sxy, sxz, syy, syz, szz = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
            nt, kv = 0.0, 0.0
            w0 = w1 = w2 = w3 = w4 = w5 = w6 = 0.0
            for c in range(nc):  # N = sum e e^T - sum_c n_c m_c m_c^T
                a = _pick(c, a0, a1, a2, a3, a4, a5, a6) + i
                n_c = grp[a]
                mx = grp[a + np.uint64(ROW)]
                my = grp[a + np.uint64(2 * ROW)]
                mz = grp[a + np.uint64(3 * ROW)]
                w = 1.0 / n_c if n_c > 0.0 else 0.0
                w0, w1, w2, w3, w4, w5, w6 = _put(c, w, w0, w1, w2, w3, w4, w5, w6)
                sxx += grp[a + np.uint64(4 * ROW)] - w * mx * mx
                sxy += grp[a + np.uint64(5 * ROW)] - w * mx * my
                sxz += grp[a + np.uint64(6 * ROW)] - w * mx * mz
                syy += grp[a + np.uint64(7 * ROW)] - w * my * my
                syz += grp[a + np.uint64(8 * ROW)] - w * my * mz
                szz += grp[a + np.uint64(9 * ROW)] - w * mz * mz
                nt += n_c
                kv += 1.0 if n_c > 0.0 else 0.0
            ok, q00, q01, q02, q11, q12, q22 = inverse3(
                sxx, sxy, sxz, syy, syz, szz, nt >= 3.0 + kv)  # fmt: skip
            trace = q00 + q11 + q22
            vdop2 = max(quad(q00, q01, q02, q11, q12, q22, ux, uy, uz), 0.0)
            gdop2 = trace
            for c in range(nc):
                a = _pick(c, a0, a1, a2, a3, a4, a5, a6) + i
                w = _pick(c, w0, w1, w2, w3, w4, w5, w6)
                mx = grp[a + np.uint64(ROW)] * w
                my = grp[a + np.uint64(2 * ROW)] * w
                mz = grp[a + np.uint64(3 * ROW)] * w
                t2 = w + quad(q00, q01, q02, q11, q12, q22, mx, my, mz)
                t2 = t2 if ok & (w > 0.0) else 0.0
                so[np.uint64((_R_TDOP + c) * ROW) + i] = math.sqrt(t2)
                gdop2 += t2
            so[i] = math.sqrt(trace)
            so[np.uint64(ROW) + i] = math.sqrt(max(trace - vdop2, 0.0))
            so[np.uint64(2 * ROW) + i] = math.sqrt(vdop2)
            so[np.uint64(3 * ROW) + i] = math.sqrt(gdop2)
            so[np.uint64(_R_NTOT * ROW) + i] = nt

    return set_dops


#: DOPs of a set with 1 .. 7 clocks. :func:`gnss.kernels.accumulate` calls only those up to
#: the run's largest clock count (the others are never compiled).
SD1, SD2, SD3, SD4, SD5, SD6, SD7 = (_make_set_dops(nc) for nc in range(1, 8))


@njit(inline="always", **JIT_OPTS)
def zero_dops(n, so):  # pragma: no cover - compiled
    """DOP rows of a set without clocks (no satellite of it at all): all 0, no fix."""
    for r in range(N_SO):
        for i in range(n):
            so[r * ROW + i] = 0.0


@njit(inline="always", **JIT_OPTS)
def clear_visible(n, so):  # pragma: no cover - compiled
    """Set the satellites-in-view row of a set to 0 (the weighted pass: it holds sums of weights).

    With range weights the group counts are sums of weights, not satellites; the weighted
    pass keeps only the DOP statistics, and its count histograms must stay in range.
    """
    for i in range(n):
        so[_R_NTOT * ROW + i] = 0.0


@njit(**CACHED)
def clock_sources(set_clock, set_nclock):  # pragma: no cover - compiled
    """Where each clock's sums are: a group's rows, or a *virtual* group's.

    Returns ``src[n_sets, MAX_CLOCKS]`` (offset of the clock's first accumulator row in
    the flat group array) and ``virt[n_virtual, n_groups]`` (member groups of each virtual
    group; virtual groups follow the real ones and are summed per tile). A virtual group
    is needed when a clock gathers several groups (e.g. a common clock).
    """
    n_sets, n_groups = set_clock.shape
    src = np.zeros((n_sets, MAX_CLOCKS), np.int64)
    virt = np.zeros((n_sets * MAX_CLOCKS, n_groups), np.bool_)
    n_virt = 0
    for k in range(n_sets):
        for c in range(set_nclock[k]):
            n_in, last = 0, -1
            for g in range(n_groups):
                if set_clock[k, g] == c:
                    n_in += 1
                    last = g
            if n_in == 1:
                src[k, c] = last * N_ACC * ROW
            else:
                for g in range(n_groups):
                    virt[n_virt, g] = set_clock[k, g] == c
                src[k, c] = (n_groups + n_virt) * N_ACC * ROW
                n_virt += 1
    return src, virt[:n_virt].copy()


@njit(**JIT_OPTS)
def _drop_singular(so, n, nc):  # pragma: no cover - compiled
    """Set the DOPs of near-singular epochs (GDOP > ``DOP_CEILING``) to 0; return their number.

    Zeroed, they count as "no usable fix" in every statistic after this. A vectorised pass
    over the GDOP row; the rows are written only in tiles that have such epochs (rare), and
    :func:`set_dops` is left as it was, so usable epochs keep their values bit for bit.
    """
    r_g = np.uint64(GDOP * ROW)
    n_sg = 0
    for i in range(np.uint64(n)):
        n_sg += 1 if so[r_g + i] > DOP_CEILING else 0
    if n_sg > 0:
        for i in range(n):
            if so[GDOP * ROW + i] > DOP_CEILING:
                for r in range(_R_TDOP + nc):
                    so[r * ROW + i] = 0.0
    return n_sg


@njit(**JIT_OPTS)
def _system_counts(p, k, n, grp, cnt, set_slot, sys_sum, sys_min, sys_max):  # pragma: no cover
    """Fold the visible satellites per system of set ``k`` (slot of each group) over a tile."""
    big = np.iinfo(np.int64).max
    un = np.uint64(n)
    for j in range(sys_sum.shape[2]):
        cnt[:n] = 0.0
        for g in range(set_slot.shape[1]):
            if set_slot[k, g] == j:
                gb = np.uint64(g * N_ACC * ROW)
                for i in range(un):
                    cnt[i] += grp[gb + i]
        lo_n, hi_n, sum_n = big, 0, 0
        for i in range(un):
            c_i = np.int64(cnt[i])
            sum_n += c_i
            lo_n = min(lo_n, c_i)
            hi_n = max(hi_n, c_i)
        sys_sum[p, k, j] += sum_n
        sys_min[p, k, j] = min(sys_min[p, k, j], lo_n)
        sys_max[p, k, j] = max(sys_max[p, k, j], hi_n)


@njit(**JIT_OPTS)
def _visible_counts(
    p, k, n, so, nt_i, vhist, pdop_max, vis_sum, vis_min, vis_max,
):  # fmt: skip  # pragma: no cover - compiled
    """Fold the satellites in view of a tile; return its epochs with a fix and available.

    A fix has PDOP > 0 (epochs without a fix hold 0); available: also PDOP <= ``pdop_max``.
    """
    big = np.iinfo(np.int64).max
    un = np.uint64(n)
    lo_n, hi_n, sum_n, n_ok, n_av = big, 0, 0, 0, 0
    r_nt = np.uint64(_R_NTOT * ROW)
    for i in range(un):
        t_i = np.int64(so[r_nt + i])
        nt_i[i] = t_i
        sum_n += t_i
        lo_n = min(lo_n, t_i)
        hi_n = max(hi_n, t_i)
        ok = so[i] > 0.0
        n_ok += 1 if ok else 0
        n_av += 1 if ok & (so[i] <= pdop_max) else 0
    vis_sum[p, k] += sum_n
    vis_min[p, k] = min(vis_min[p, k], lo_n)
    vis_max[p, k] = max(vis_max[p, k], hi_n)
    # Counts change slowly from epoch to epoch, so a scatter would serialise on one bin;
    # instead count each value of the (narrow) range lo_n..hi_n in a vectorised pass.
    for c in range(lo_n, hi_n + 1):
        n_c = 0
        for i in range(un):
            n_c += 1 if nt_i[i] == c else 0
        vhist[c] += n_c
    return n_ok, n_av


@njit(**JIT_OPTS)
def _dop_statistics(
    p, k, n, so, so_bits, bins, mm, mm_bits, hist, nc, hlo, hhi, tdop_sum, tdop_n, dop_sum,
    dop_min, dop_max, hshift,
):  # fmt: skip  # pragma: no cover - compiled
    """Fold the TDOPs and DOPs of a tile with at least one fix: sums, extremes, histograms.

    ``hshift`` (int64, ``j << 52``) bins each DOP as ``DOP * 2**j`` (an exact power-of-two
    scaling of a positive float's bits: the weighted pass's DOPs are small,
    :mod:`gnss.coverage.uere`); 0 for the plain DOPs. Sums and extremes are unscaled.
    """
    big = np.iinfo(np.int64).max
    un = np.uint64(n)
    for c in range(nc):
        r_c = np.uint64((_R_TDOP + c) * ROW)
        t_sum, t_n = 0.0, 0
        for i in range(un):
            t = so[r_c + i]
            t_sum += t
            t_n += 1 if t > 0.0 else 0
        tdop_sum[p, k, c] += t_sum
        tdop_n[p, k, c] += t_n
    for m in range(N_METRICS):
        # DOPs are positive where there is a fix, and the IEEE bits of positive floats
        # sort like the values: min/max on the bits are exact.
        r_m = np.uint64(m * ROW)
        d_sum, lo_b, hi_b = 0.0, big, -1
        for i in range(un):
            ok = so[i] > 0.0
            d_sum += so[r_m + i]
            bits = so_bits[r_m + i]
            lo_b = min(lo_b, bits if ok else big)
            hi_b = max(hi_b, bits if ok else -1)
            bins[r_m + i] = hist_bin(bits + hshift)
        mm_bits[0], mm_bits[1] = lo_b, hi_b
        dop_sum[p, k, m] += d_sum
        dop_min[p, k, m] = min(dop_min[p, k, m], mm[0])
        dop_max[p, k, m] = max(dop_max[p, k, m], mm[1])
        hlo[k, m] = min(hlo[k, m], hist_bin(lo_b + hshift))
        hhi[k, m] = max(hhi[k, m], hist_bin(hi_b + hshift))
    # Four independent increments per epoch (one per metric): consecutive epochs in the
    # same bin do not serialise on one memory location.
    h0, h1, h2, h3 = hist[0], hist[1], hist[2], hist[3]
    for i in range(n):
        w = np.int32(1) if so[i] > 0.0 else np.int32(0)
        h0[bins[i]] += w
        h1[bins[ROW + i]] += w
        h2[bins[2 * ROW + i]] += w
        h3[bins[3 * ROW + i]] += w


@njit(**JIT_OPTS)
def set_statistics(
    p, k, n, grp, so, so_bits, bins, cnt, nt_i, mm, mm_bits, hist, vhist, set_slot, nc,
    pdop_max, hlo, hhi, n_fix, n_avail, n_sing, vis_sum, vis_min, vis_max, sys_sum, sys_min,
    sys_max, tdop_sum, tdop_n, dop_sum, dop_min, dop_max, hshift,
):  # fmt: skip  # pragma: no cover - compiled
    """Fold one tile of set ``k``'s DOPs (rows of ``so``) into the per-point statistics.

    ``hshift``: see :func:`_dop_statistics` (0: the plain DOPs).

    A *fix* here is a usable fix: near-singular epochs (GDOP > ``DOP_CEILING``) hold DOPs of
    0, like epochs without a fix, and are counted in ``n_sing``.
    Minima and maxima are taken on integers: LLVM vectorises integer min/max reductions
    but not float ones (those need the no-NaN flag, which this module does not grant).
    """
    n_sing[p, k] += _drop_singular(so, n, nc)
    _system_counts(p, k, n, grp, cnt, set_slot, sys_sum, sys_min, sys_max)
    n_ok, n_av = _visible_counts(p, k, n, so, nt_i, vhist, pdop_max, vis_sum, vis_min, vis_max)
    n_fix[p, k] += n_ok
    n_avail[p, k] += n_av
    if n_ok > 0:
        _dop_statistics(p, k, n, so, so_bits, bins, mm, mm_bits, hist, nc, hlo, hhi, tdop_sum,
                        tdop_n, dop_sum, dop_min, dop_max, hshift)  # fmt: skip


stamp_all_sources(clock_sources)  # stale when any kernel file changes
