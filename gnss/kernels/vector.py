"""Explicit vector code for the kernel's innermost step: one block of epochs, many satellites.

:func:`sum_block` adds the line-of-sight sums of a list of satellites over ``LANES``
consecutive epochs, holding the ten sums in vector registers for the whole list and
storing them once. Written in LLVM IR through numba's documented extension API
(:func:`numba.extending.intrinsic`) because numba cannot express a loop over satellites
that keeps per-epoch vectors in registers: its loop vectoriser only vectorises the
innermost loop, and with epochs innermost every satellite re-loads and re-stores the ten
sums (the store port then bounds the loop, see ``python -m benchmarks``). The IR uses
generic LLVM vector types only, so it runs on any CPU numba supports; LLVM picks the
instructions (AVX-512, AVX2 or SSE2).

Numerics: the reciprocal distance comes from a float32 square root and division
(correctly rounded: relative error below 2**-23) refined by one Newton step in float64,
``y <- y (3/2 - r2 y^2 / 2)``, which squares the relative error: the unit vectors are
within about 2e-14 of the exactly rounded ones (``tests/test_kernels.py`` checks 1e-13),
and the divider, which a float64 square root and division per satellite-epoch would keep
busy, is freed for the rest of the loop. Visibility is the same strict test as the
scalar code (``e.u > sin(mask)``); the sums are float64.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .sets import N_ACC, ROW

LANES = 8  # epochs per block: one AVX-512 register of float64, two AVX2 ones


def _vptr(builder, base, off, vt):
    """Pointer to the vector of type ``vt`` at ``base + off``."""
    return builder.bitcast(builder.gep(base, [off]), vt.as_pointer())


def _codegen(mode: str):
    """IR of :func:`sum_block`, ``sum_block_flag`` or ``sum_block_sky`` (mode flat/flag/sky)."""

    def codegen(context, builder, signature, args):
        (apx, apy, apz, aidx, am, aptx, apty, aptz, aux, auy, auz, asm, aacc, aa0) = args[:14]
        ty = signature.args
        f64, f32, i64 = ir.DoubleType(), ir.FloatType(), ir.IntType(64)
        vd, vf = ir.VectorType(f64, LANES), ir.VectorType(f32, LANES)

        def data(i, val):
            return context.make_array(ty[i])(context, builder, val).data

        ppx, ppy, ppz, pidx, pacc = (
            data(i, a) for i, a in ((0, apx), (1, apy), (2, apz), (3, aidx), (12, aacc))
        )

        def splat(x):
            v = ir.Constant(vd, ir.Undefined)
            for lane in range(LANES):
                v = builder.insert_element(v, x, ir.Constant(ir.IntType(32), lane))
            return v

        def const(x, vt=vd):
            return ir.Constant(vt, [x] * LANES)

        def vload(base, off):
            return builder.load(_vptr(builder, base, off, vd), align=8)

        sptx, spty, sptz = splat(aptx), splat(apty), splat(aptz)
        sux, suy, suz, ssm = splat(aux), splat(auy), splat(auz), splat(asm)
        zero = const(0.0)
        # Accumulators live in stack slots that LLVM promotes to registers (no memory
        # traffic in the loop).
        sums = [cgutils.alloca_once_value(builder, zero) for _ in range(N_ACC)]
        sqrt32 = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vf, [vf]), f"llvm.sqrt.v{LANES}f32"
        )
        mul, add, sub = builder.fmul, builder.fadd, builder.fsub
        if mode == "sky":
            sky = _SkyLanes(context, builder, signature, args, splat, const, data)
        elif mode == "flag":
            pbits, sslo = data(14, args[14]), splat(args[15])
        with cgutils.for_range(builder, am) as loop:
            off = builder.load(builder.gep(pidx, [loop.index]))
            dx = sub(vload(ppx, off), sptx)
            dy = sub(vload(ppy, off), spty)
            dz = sub(vload(ppz, off), sptz)
            r2 = add(add(mul(dx, dx), mul(dy, dy)), mul(dz, dz))
            # float32 1/sqrt, correctly rounded. The explicit flag keeps numba's fastmath
            # pass from adding "arcp", which would let LLVM use an approximate reciprocal.
            y32 = builder.fdiv(const(1.0, vf), builder.call(sqrt32, [builder.fptrunc(r2, vf)]))
            y32.flags.append("nsz")
            y = builder.fpext(y32, vd)
            y = mul(y, sub(const(1.5), mul(mul(r2, const(0.5)), mul(y, y))))  # Newton step
            ex, ey, ez = mul(dx, y), mul(dy, y), mul(dz, y)
            eu = add(add(mul(ex, sux), mul(ey, suy)), mul(ez, suz))
            vis = builder.fcmp_ordered(">", eu, ssm)
            if mode == "flag":  # lanes between the skyline's lowest and highest sine
                in_band = builder.and_(builder.fcmp_ordered(">", eu, sslo), builder.not_(vis))
                bits = builder.bitcast(in_band, ir.IntType(LANES))
                builder.store(bits, builder.gep(pbits, [loop.index]))
            elif mode == "sky":
                vis = sky.lanes(ex, ey, ez, eu, vis)
            ex, ey, ez = (builder.select(vis, e, zero) for e in (ex, ey, ez))
            terms = (
                builder.select(vis, const(1.0), zero), ex, ey, ez,
                mul(ex, ex), mul(ex, ey), mul(ex, ez), mul(ey, ey), mul(ey, ez), mul(ez, ez),
            )  # fmt: skip
            for slot, term in zip(sums, terms, strict=True):
                builder.store(add(builder.load(slot), term), slot)
        for r, slot in enumerate(sums):
            off = builder.add(aa0, ir.Constant(i64, r * ROW))
            total = builder.load(slot)
            if mode == "sky":  # added to the sums of sum_block_flag
                total = add(vload(pacc, off), total)
            builder.store(total, _vptr(builder, pacc, off, vd), align=8)
        return builder.load(sky.n_band) if mode == "sky" else context.get_dummy_value()

    return codegen


@intrinsic
def sum_block(typingctx, px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0):
    """Line-of-sight sums of ``m`` satellites over ``LANES`` epochs (numba intrinsic).

    For ``j < m`` the satellite positions (m, ITRS) are ``px[idx[j] : idx[j] + LANES]``
    (same for ``py``, ``pz``): flat float64 arrays, ``idx`` int64 offsets. For each of the
    ``LANES`` epochs, satellites with ``e.u > sin_mask`` (``e`` the unit vector from the
    point ``(ptx, pty, ptz)``, ``u`` its up vector) are summed: count, ``e``, and ``e e^T``
    (xx, xy, xz, yy, yz, zz). The ten sums are *stored* (not added) at
    ``acc[a0 + r * ROW : a0 + r * ROW + LANES]`` for rows ``r = 0 .. 9``; ``m = 0`` stores
    zeros. Callers keep every read and write inside the arrays (no checks here).
    """
    sig = types.void(px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0)
    return sig, _codegen("flat")


@intrinsic
def sum_block_flag(
    typingctx, px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, bits, sin_lo
):
    """:func:`sum_block` with ``sin_mask`` the skyline's highest sine; flags the band lanes.

    ``bits[j]`` (uint8, ``m`` of them) receives one bit per lane of satellite ``j`` whose
    ``e.u`` lies in ``(sin_lo, sin_mask]``: the lanes :func:`sum_block_sky` decides.
    """
    sig = types.void(px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, bits,
                     sin_lo)  # fmt: skip
    return sig, _codegen("flag")


@intrinsic
def sum_block_sky(
    typingctx, px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, band, sin_lo,
    east_x, east_y, north_x, north_y, north_z, bin_lo, bin_hi, bin_scale, bin_max,
):  # fmt: skip
    """Add the band lanes above the skyline's bin bounds to the sums (numba intrinsic).

    For the satellites of the list (those :func:`sum_block_flag` flagged; ``sin_mask`` its
    highest sine again, the line of sight computed by the same instructions), a lane with
    ``sin_lo < e.u <= sin_mask`` is *added* to ``acc`` when ``e.u`` is above ``bin_hi[k]`` for
    its direction bin ``k`` (:func:`gnss.kernels.horizon_steps.direction_bin`, from
    ``x = e.east``, ``y = e.north``: ``k = (q + num / (|x| + |y|)) * bin_scale``, clamped to
    ``0 .. bin_max``). A band lane neither added nor at or below ``bin_lo[k]`` (or straight up
    or down: no direction) is *undecided*: for each satellite with one,
    ``band[5 LANES i : 5 LANES (i + 1)]`` receives ``e_x, e_y, e_z, e.u`` and the undecided
    flags (1.0 or 0.0) of its lanes, ``i`` counting those satellites. Returns their number.
    ``band`` must hold ``5 LANES m`` float64.
    """
    sig = types.int64(px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0, band,
                      sin_lo, east_x, east_y, north_x, north_y, north_z, bin_lo, bin_hi,
                      bin_scale, bin_max)  # fmt: skip
    return sig, _codegen("sky")


class _SkyLanes:
    """IR of the skyline decision per lane for :func:`sum_block_sky` (see there)."""

    def __init__(self, context, builder, signature, args, splat, const, data):
        self.b, self.const = builder, const
        i64 = ir.IntType(64)
        self.pband = data(14, args[14])
        self.plo, self.phi = data(21, args[21]), data(22, args[22])
        self.slo, self.e0, self.e1 = splat(args[15]), splat(args[16]), splat(args[17])
        self.n0, self.n1, self.n2 = splat(args[18]), splat(args[19]), splat(args[20])
        self.scale, self.kmax = splat(args[23]), args[24]
        self.n_band = cgutils.alloca_once_value(builder, ir.Constant(i64, 0))
        vd = ir.VectorType(ir.DoubleType(), LANES)
        self.fabs = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vd, [vd]), f"llvm.fabs.v{LANES}f64"
        )

    def _exact(self, inst):
        inst.flags.append("nsz")  # explicit flags: numba's fastmath pass adds no "arcp"
        return inst

    def _gather(self, ptr, k):
        b, v = self.b, ir.Constant(ir.VectorType(ir.DoubleType(), LANES), ir.Undefined)
        for lane in range(LANES):
            li = ir.Constant(ir.IntType(32), lane)
            v = b.insert_element(v, b.load(b.gep(ptr, [b.extract_element(k, li)])), li)
        return v

    def lanes(self, ex, ey, ez, eu, above_hi):
        """Return the band lanes to add; store the undecided ones (see :func:`sum_block_sky`)."""
        b = self.b
        in_band = b.and_(b.fcmp_ordered(">", eu, self.slo), b.not_(above_hi))
        return self._bins(ex, ey, ez, eu, above_hi, in_band)

    def _bins(self, ex, ey, ez, eu, above_hi, in_band0):
        """Lanes to sum of a satellite with lanes in the band; stores its undecided lanes."""
        b, c = self.b, self.const
        mul, add = b.fmul, b.fadd
        i64 = ir.IntType(64)
        x = add(mul(ex, self.e0), mul(ey, self.e1))
        y = add(add(mul(ex, self.n0), mul(ey, self.n1)), mul(ez, self.n2))
        ax, ay = b.call(self.fabs, [x]), b.call(self.fabs, [y])
        s = add(ax, ay)
        xneg, yneg = b.fcmp_ordered("<", x, c(0.0)), b.fcmp_ordered("<", y, c(0.0))
        q = b.select(xneg, b.select(yneg, c(2.0), c(3.0)), b.select(yneg, c(1.0), c(0.0)))
        num = b.select(b.icmp_unsigned("==", xneg, yneg), ax, ay)
        has_dir = b.fcmp_ordered(">", s, c(0.0))
        p = b.select(has_dir, add(q, self._exact(b.fdiv(num, s))), c(0.0))
        k = b.fptosi(mul(p, self.scale), ir.VectorType(i64, LANES))
        kmax = ir.Constant(ir.VectorType(i64, LANES), ir.Undefined)
        for lane in range(LANES):
            kmax = b.insert_element(kmax, self.kmax, ir.Constant(ir.IntType(32), lane))
        k = b.select(b.icmp_signed(">", k, kmax), kmax, k)
        in_band = b.and_(in_band0, has_dir)  # no direction: undecided (below)
        hi, lo = self._gather(self.phi, k), self._gather(self.plo, k)
        vis_bin = b.and_(in_band, b.fcmp_ordered(">", eu, hi))
        below = b.fcmp_ordered("<=", eu, lo)
        undecided = b.and_(in_band0, b.not_(b.or_(vis_bin, b.and_(in_band, below))))
        flags = b.bitcast(undecided, ir.IntType(LANES))
        with cgutils.if_unlikely(b, b.icmp_unsigned("!=", flags, ir.Constant(flags.type, 0))):
            n = b.load(self.n_band)
            base = b.mul(n, ir.Constant(i64, 5 * LANES))
            flt = b.select(undecided, c(1.0), c(0.0))
            for r, v in enumerate((ex, ey, ez, eu, flt)):
                b.store(v, _vptr(b, self.pband, b.add(base, ir.Constant(i64, r * LANES)),
                                 v.type), align=8)  # fmt: skip
            b.store(b.add(n, ir.Constant(i64, 1)), self.n_band)
        return vis_bin
