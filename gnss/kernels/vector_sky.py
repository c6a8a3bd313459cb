"""Explicit vector code of the horizon kernel: the block sums above a skyline, in two passes.

:func:`sum_block_band` is :func:`gnss.kernels.vector.sum_block` with the mask at the skyline's
highest sine that also writes each half block of each satellite (``HALF`` epochs of ``e`` and
``e.u``) to one of two lists, and keeps it there when one of its lanes lies in the band
between the skyline's lowest and highest sine (no branch: the write is unconditional, the
list's count grows by 0 or 1). :func:`sum_band_bins` then decides the kept band lanes by
direction bins and adds those above the skyline; the few it cannot decide are left for the
exact scalar test (:func:`gnss.kernels.skyline.above_skyline`, see
:mod:`gnss.kernels.horizon_steps`). For a *wide* skyline (its band most of the sky: a street
canyon, where nearly every satellite in view has band lanes) :func:`sum_block_keep` sums
nothing and keeps every half with a lane above the lowest sine, and :func:`sum_band_bins`
also sums the lanes above the highest: the ten sums are computed once, not in both passes.

Why so (measured on the shared 2-core znver3 machine, ``python -m benchmarks --cases
horizon`` and a harness timing the tile sums alone; figures in the README):

- the line of sight is computed once; the earlier code computed it a second time for every
  satellite with a band lane;
- two passes, not a branch per satellite in one: with a gentle skyline a quarter of the
  satellites have band lanes, unpredictably, and the direction code in the loop of the line
  of sight spilled more of its registers (one pass was slower than two for gentle terrain);
- half blocks: with a gentle skyline a satellite's band lanes are mostly in one half (the
  second pass then sees 58 % of the lanes of whole blocks);
- the second pass in vectors of ``HALF`` float64 (one AVX2 register): the ten sums and its
  work fit the 16 registers; the pseudo-angle in float64, not float32 (the mask conversions
  between the two cost more than the wider division: 38 against 60 ns per satellite block
  in a micro-benchmark of this pass);
- the bounds of a bin are one (lo, hi) pair of float64: one 16-byte load per lane, two
  shuffles for the four lanes;
- the second pass's direction bins in a loop of their own, before the loop that loads the
  bounds and sums (:func:`_sweep`): in one loop the dependency chain left about one half
  block in flight (on an AMD EPYC, measured later: ~8 against ~5 ns a half block);
- the first pass of a wide skyline (:func:`sum_block_keep`) in one loop, not in the two per
  chunk of :func:`gnss.kernels.vector.block_codegen`: it sums nothing, and split it was
  ~1.5 ms slower over the canyon's 24 h at 300 s.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .sets import N_ACC, ROW
from .vector import LANES, add_lanes, block_codegen, splat_value, vector_ptr

#: Smallest ``|east| + |north|`` of a line of sight given a direction bin; steeper lines of
#: sight (elevation above ~89.99994 deg) are left to the exact test: there the directions of
#: two roundings of the same vector can differ by more than the bins' margin.
MIN_DIR = 1e-6
#: Lanes of a half block: the vector width of :func:`sum_band_bins` (one AVX2 register).
HALF = LANES // 2
#: float64 per half-satellite slot of the band buffer: ``e_x, e_y, e_z, e.u`` (``HALF`` each)
#: and the undecided flags.
HSLOT = 5 * HALF
#: float64 of the band buffer per listed satellite (both halves' lists).
SLOT = 2 * HSLOT

_I64 = ir.IntType(64)


def _i64(x):
    return ir.Constant(_I64, x)


def _row_ptr(b, base, start, r, vt):
    """Pointer to row ``r`` (``HALF`` float64) of the half slot at ``base + start``."""
    return vector_ptr(b, base, b.add(start, _i64(r * HALF)), vt)


def _any(b, mask):
    """Whether any lane of the ``<n x i1>`` ``mask`` is set (i1)."""
    flags = b.bitcast(mask, ir.IntType(mask.type.count))
    return b.icmp_unsigned("!=", flags, ir.Constant(flags.type, 0))


def _half(b, v, h):
    """Lanes ``h * HALF .. (h + 1) * HALF - 1`` of the vector ``v``."""
    order = ir.Constant(ir.VectorType(ir.IntType(32), HALF), list(range(h * HALF, (h + 1) * HALF)))
    return b.shuffle_vector(v, v, order)


class _BandStore:
    """Lanes hook of :func:`sum_block_band`: buffer every half satellite, keep the band ones."""

    def __init__(self, context, builder, signature, args, splat, const, data):
        self.b, self.pband, self.slo = builder, data(14, args[14]), splat(args[15])
        self.list1 = builder.mul(args[4], _i64(HSLOT))  # start of the second half's list
        self.n = [cgutils.alloca_once_value(builder, _i64(0)) for _ in range(2)]

    #: Whether the halves kept are those with a lane above ``sin_lo``, no lane summed.
    keep_all = False

    def lanes(self, ex, ey, ez, eu, vis):
        b = self.b
        in_band = b.fcmp_ordered(">", eu, self.slo)
        in_band = in_band if self.keep_all else b.and_(in_band, b.not_(vis))
        for h, slot in enumerate(self.n):
            n = b.load(slot)
            start = b.mul(n, _i64(HSLOT))
            start = b.add(start, self.list1) if h else start
            for r, v in enumerate((ex, ey, ez, eu)):
                hv = _half(b, v, h)
                b.store(hv, _row_ptr(b, self.pband, start, r, hv.type), align=8)
            b.store(b.add(n, b.zext(_any(b, _half(b, in_band, h)), _I64)), slot)
        return ir.Constant(vis.type, [0] * LANES) if self.keep_all else vis

    def result(self):
        b = self.b
        return b.or_(b.load(self.n[0]), b.shl(b.load(self.n[1]), _i64(32)))


@intrinsic
def sum_block_band(
    typingctx, px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, band, sin_lo
):
    """:func:`gnss.kernels.vector.sum_block` that also lists the half satellites in the band.

    ``sin_mask`` is the skyline's highest sine. For each satellite ``j < m`` in turn and each
    half ``h`` of its lanes, ``e_x, e_y, e_z, e.u`` (``HALF`` each) are written to slot
    ``n_h`` of list ``h`` (list ``h`` starts at ``h * m * HSLOT`` in ``band``, float64,
    ``SLOT * m`` at least), and ``n_h`` grows by one when a lane of that half has ``sin_lo <
    e.u <= sin_mask``: list ``h`` holds those halves. Returns ``n_0 + n_1 * 2**32``.
    """
    sig = types.int64(px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, band,
                      sin_lo)  # fmt: skip
    return sig, block_codegen(_BandStore)


class _KeepStore(_BandStore):
    keep_all = True


@intrinsic
def sum_block_keep(
    typingctx, px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, band, sin_lo
):
    """:func:`sum_block_band` that sums nothing and lists every half with a lane above sin_lo.

    The ten sums are stored as zeros. For a *wide* skyline (its band most of the sky, as in
    a street canyon), where :func:`sum_band_bins` sees almost every satellite anyway and
    sums the lanes above ``sin_mask`` too.
    """
    sig = types.int64(px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, band,
                      sin_lo)  # fmt: skip
    return sig, block_codegen(_KeepStore, chunked=False)  # no sums: nothing to gain


@intrinsic
def sum_band_bins(
    typingctx, band, m, n0, n1, acc, a0, sin_lo, sin_hi, east_x, east_y, north_x, north_y,
    north_z, bins, bin_scale, bin_max, sin_add,
):  # fmt: skip
    """Add the band lanes of the listed half satellites that their direction bins decide.

    For the ``n0`` and ``n1`` slots of the two lists of :func:`sum_block_band` (``m``: its
    satellite count), a lane with ``sin_lo < e.u <= sin_hi`` is *added* to the ten sums at
    ``acc[a0 + h * HALF + r * ROW :]`` when ``e.u > bins[k, 1]`` and is out when ``e.u <=
    bins[k, 0]`` (``bins`` float64[n_bins, 2], the bounds of
    :func:`gnss.coverage.skyline.kernel_skyline`). ``k`` is the lane's direction bin
    (:func:`gnss.kernels.horizon_steps.direction_bin`: ``x = e.east``, ``y = e.north``, ``k =
    (q + num / (|x| + |y|)) * bin_scale`` clamped to ``0 .. bin_max``). Every other band lane
    (or one with ``|x| + |y| <= MIN_DIR``: the direction is too steep to bin) is *undecided*:
    the last row of each slot receives its lanes' undecided flags (1.0 or 0.0). Returns the
    number of undecided lanes.

    The direction is that of the exact test to ~1e-16 / (|x| + |y|) <= 1e-10 rad, far inside
    the bins' margin (:data:`gnss.coverage.skyline.AZ_MARGIN_DEG`), so a lane the bins decide
    gets the exact test's answer.
    """
    sig = types.int64(band, m, n0, n1, acc, a0, sin_lo, sin_hi, east_x, east_y, north_x,
                      north_y, north_z, bins, bin_scale, bin_max, sin_add)  # fmt: skip
    return sig, _bins_codegen


def _bins_codegen(context, builder, signature, args):
    """IR of :func:`sum_band_bins`: one loop per list, vectors of ``HALF`` float64.

    Half-width vectors keep the ten sums and the work of the loop in the 16 AVX2 registers
    (measured: full-width ones, which spill, were ~1.5x slower per satellite).
    """
    b, ty, w = builder, signature.args, HALF
    vd = ir.VectorType(ir.DoubleType(), w)

    def data(i):
        return context.make_array(ty[i])(context, builder, args[i]).data

    pband, pacc = data(0), data(4)
    slo, shi, sadd = (splat_value(b, args[i], vd, w) for i in (6, 7, 16))
    bins = _Bins(b, [splat_value(b, args[i], vd, w) for i in range(8, 13)], data(13), args[14],
                 args[15], w)  # fmt: skip
    zero = ir.Constant(vd, [0.0] * w)
    n_und = cgutils.alloca_once_value(b, _i64(0))
    _index_sweep(b, bins, pband, args[1], args[2], args[3])
    for h in range(2):
        sums = [cgutils.alloca_once_value(b, zero) for _ in range(N_ACC)]
        list_start = b.mul(args[1], _i64(h * HSLOT))
        with b.if_then(b.icmp_signed(">", args[2 + h], _i64(0))):  # empty list: no stores
            _sweep(b, bins, pband, list_start, args[2 + h], (slo, shi, sadd), sums, n_und)
            for r, slot in enumerate(sums):
                p = vector_ptr(b, pacc, b.add(args[5], _i64(r * ROW + h * w)), vd)
                b.store(b.fadd(b.load(p, align=8), b.load(slot)), p, align=8)
    return b.load(n_und)


def _index_sweep(b, bins, pband, m, n0, n1):
    """Emit the loop that writes the direction bins of both lists' slots (:func:`_sweep`).

    One loop over the ``n0 + n1`` slots (list 1 starts at slot ``m``): the lists are short
    (two or three slots each in gentle terrain), and a loop each cost more.
    """
    vd = bins.vf
    with cgutils.for_range(b, b.add(n0, n1)) as loop:
        i = loop.index
        slot = b.select(b.icmp_signed("<", i, n0), i, b.add(b.sub(i, n0), m))
        start = b.mul(slot, _i64(HSLOT))
        ex, ey, ez = (b.load(_row_ptr(b, pband, start, r, vd), align=8) for r in range(3))
        bins.store_index(ex, ey, ez, _row_ptr(b, pband, start, 4, vd))


def _sweep(b, bins, pband, list_start, n, sines, sums, n_und):
    """Emit the loop of :func:`sum_band_bins` that decides and sums the ``n`` slots of one list.

    Each lane's direction bin (and whether it has one) is already in the slot's last row
    (:func:`_index_sweep`): read back as scalars, it gives the bins' bounds; the undecided
    flags are written over it. In one loop with the bins' computation, the chain from the
    line of sight through the division to the bounds' loads (~70 cycles) left room for about
    one iteration in flight (~28 cycles a half block on a Zen 4; ``llvm-mca`` showed the same
    dependency-bound loop); in two, ~16 cycles.
    """
    slo, shi, sadd = sines
    vd = slo.type
    zero, one = ir.Constant(vd, [0.0] * vd.count), ir.Constant(vd, [1.0] * vd.count)
    with cgutils.for_range(b, n) as loop:
        start = b.add(b.mul(loop.index, _i64(HSLOT)), list_start)
        ex, ey, ez, eu = (b.load(_row_ptr(b, pband, start, r, vd), align=8) for r in range(4))
        in_band = b.and_(b.fcmp_ordered(">", eu, slo), b.fcmp_ordered("<=", eu, shi))
        flags = _row_ptr(b, pband, start, 4, vd)
        vis, undecided = bins.decide(eu, in_band, flags)
        vis = b.or_(vis, b.fcmp_ordered(">", eu, sadd))
        add_lanes(b, sums, vis, ex, ey, ez)
        b.store(b.select(undecided, one, zero), flags, align=8)
        n_lanes = b.call(bins.popcount, [b.bitcast(undecided, ir.IntType(vd.count))])
        b.store(b.add(b.load(n_und), b.zext(n_lanes, _I64)), n_und)


class _Bins:
    """IR of the direction-bin decision of band lanes (:func:`sum_band_bins`)."""

    def __init__(self, builder, frame, pbins, scale, kmax, w):
        b = self.b = builder
        self.w = w
        self.e0, self.e1, self.n0, self.n1, self.n2 = frame
        self.vf = ir.VectorType(ir.DoubleType(), w)
        vi = ir.VectorType(ir.IntType(32), w)
        self.pbins = b.bitcast(pbins, ir.VectorType(ir.DoubleType(), 2).as_pointer())  # (lo, hi)
        self.scale = splat_value(b, scale, self.vf, w)
        self.kmax = splat_value(b, b.trunc(kmax, ir.IntType(32)), vi, w)
        self.fabs = cgutils.get_or_insert_function(
            b.module, ir.FunctionType(self.vf, [self.vf]), f"llvm.fabs.v{w}f64"
        )
        iw = ir.IntType(w)
        self.popcount = cgutils.get_or_insert_function(
            b.module, ir.FunctionType(iw, [iw]), f"llvm.ctpop.i{w}"
        )

    def _c(self, x):
        return ir.Constant(self.vf, [x] * self.w)

    def _bin(self, ex, ey, ez):
        """Direction bins (``<w x i32>``) and whether the lanes have a direction."""
        b, c, mul, add = self.b, self._c, self.b.fmul, self.b.fadd
        x = add(mul(ex, self.e0), mul(ey, self.e1))
        y = add(add(mul(ex, self.n0), mul(ey, self.n1)), mul(ez, self.n2))
        ax, ay = b.call(self.fabs, [x]), b.call(self.fabs, [y])
        s = add(ax, ay)
        xneg, yneg = b.fcmp_ordered("<", x, c(0.0)), b.fcmp_ordered("<", y, c(0.0))
        q = b.select(xneg, b.select(yneg, c(2.0), c(3.0)), b.select(yneg, c(1.0), c(0.0)))
        num = b.select(b.icmp_unsigned("==", xneg, yneg), ax, ay)
        has_dir = b.fcmp_ordered(">", s, c(MIN_DIR))
        f = b.fdiv(num, s)
        f.flags.append("nsz")  # explicit flags: numba's fastmath pass adds no "arcp"
        p = b.select(has_dir, add(q, f), c(0.0))
        k = b.fptosi(mul(p, self.scale), self.kmax.type)
        return b.select(b.icmp_signed(">", k, self.kmax), self.kmax, k), has_dir

    def _index_ptrs(self, row):
        """Pointers to the bins and to the direction flags (``w`` int32 each) kept at ``row``."""
        b, vi = self.b, self.kmax.type
        p = b.bitcast(row, vi.as_pointer())
        return p, b.gep(p, [ir.Constant(ir.IntType(32), 1)])

    def store_index(self, ex, ey, ez, row):
        """Write the lanes' bins and direction flags at ``row`` (:meth:`_index_ptrs`)."""
        b = self.b
        k, has_dir = self._bin(ex, ey, ez)
        p_k, p_dir = self._index_ptrs(row)
        b.store(k, p_k, align=4)
        b.store(b.sext(has_dir, self.kmax.type), p_dir, align=4)

    def _bounds(self, row):
        """Bounds ``(lo, hi)`` of the bins written at ``row``: one 16-byte load per lane."""
        b, i32 = self.b, ir.IntType(32)
        pk = b.bitcast(self._index_ptrs(row)[0], i32.as_pointer())
        pairs = [b.load(b.gep(self.pbins, [b.load(b.gep(pk, [ir.Constant(i32, i)]), align=4)]),
                        align=8) for i in range(self.w)]  # fmt: skip

        def join(u, v, order):
            return b.shuffle_vector(u, v, ir.Constant(ir.VectorType(ir.IntType(32), len(order)),
                                                      order))  # fmt: skip

        p02, p13 = join(pairs[0], pairs[2], [0, 1, 2, 3]), join(pairs[1], pairs[3], [0, 1, 2, 3])
        return join(p02, p13, [0, 4, 2, 6]), join(p02, p13, [1, 5, 3, 7])

    def decide(self, eu, in_band, row):
        """Return the band lanes above their bin's bounds and those left undecided.

        ``row``: where :meth:`store_index` wrote the lanes' bins and direction flags.
        """
        b, vi = self.b, self.kmax.type
        lo, hi = self._bounds(row)
        flags = b.load(self._index_ptrs(row)[1], align=4)
        has_dir = b.icmp_signed("!=", flags, ir.Constant(vi, [0] * self.w))
        binned = b.and_(in_band, has_dir)
        vis = b.and_(binned, b.fcmp_ordered(">", eu, hi))
        out = b.and_(binned, b.fcmp_ordered("<=", eu, lo))
        return vis, b.and_(in_band, b.not_(b.or_(vis, out)))
