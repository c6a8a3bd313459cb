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

With AVX2 (16 registers of 4 float64) the ten sums of 8 lanes do not all fit: LLVM keeps part
of them on the stack (seen in the machine code on znver3). The horizon kernel's variants
(:mod:`gnss.kernels.vector_sky`) reuse this loop through a *lanes hook* (:func:`block_codegen`),
which sees each satellite's line of sight and picks the lanes summed.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .sets import N_ACC, ROW

LANES = 8  # epochs per block: one AVX-512 register of float64, two AVX2 ones


def vector_ptr(builder, base, off, vt):
    """Pointer to the vector of type ``vt`` at ``base + off``."""
    return builder.bitcast(builder.gep(base, [off]), vt.as_pointer())


def splat_value(builder, x, vt, n=LANES):
    """Vector of type ``vt`` (``n`` lanes) with ``x`` in every lane."""
    v = ir.Constant(vt, ir.Undefined)
    for lane in range(n):
        v = builder.insert_element(v, x, ir.Constant(ir.IntType(32), lane))
    return v


def add_lanes(builder, sums, vis, ex, ey, ez):
    """Add the lanes ``vis`` of ``e`` to the ten sums (stack slots): count, ``e``, ``e e^T``."""
    vd = ex.type
    zero, one = ir.Constant(vd, [0.0] * vd.count), ir.Constant(vd, [1.0] * vd.count)
    mul = builder.fmul
    ex, ey, ez = (builder.select(vis, e, zero) for e in (ex, ey, ez))
    terms = (
        builder.select(vis, one, zero), ex, ey, ez,
        mul(ex, ex), mul(ex, ey), mul(ex, ez), mul(ey, ey), mul(ey, ez), mul(ez, ez),
    )  # fmt: skip
    for slot, term in zip(sums, terms, strict=True):
        builder.store(builder.fadd(builder.load(slot), term), slot)


#: Satellites whose lines of sight :func:`block_codegen` computes before it sums them.
CHUNK = 32


def line_of_sight(builder, positions, point, off, const, sqrt32):
    """IR of the unit vectors ``e`` (three ``LANES`` vectors) from ``point`` to the satellite.

    ``positions``: pointers to the flat coordinate arrays, ``off`` the satellite's offset.
    """
    vd = point[0].type
    mul, add, sub = builder.fmul, builder.fadd, builder.fsub
    dx, dy, dz = (sub(builder.load(vector_ptr(builder, p, off, vd), align=8), c)
                  for p, c in zip(positions, point, strict=True))  # fmt: skip
    r2 = add(add(mul(dx, dx), mul(dy, dy)), mul(dz, dz))
    # float32 1/sqrt, correctly rounded. The explicit flag keeps numba's fastmath pass from
    # adding "arcp", which would let LLVM use an approximate reciprocal.
    vf = ir.VectorType(ir.FloatType(), LANES)
    y32 = builder.fdiv(const(1.0, vf), builder.call(sqrt32, [builder.fptrunc(r2, vf)]))
    y32.flags.append("nsz")
    y = builder.fpext(y32, vd)
    y = mul(y, sub(const(1.5), mul(mul(r2, const(0.5)), mul(y, y))))  # Newton step
    return mul(dx, y), mul(dy, y), mul(dz, y)


def _chunked_loops(builder, n, vd, sight, use):
    """Emit ``use(*sight(i))`` for ``i < n`` as two loops per :data:`CHUNK` (a stack buffer)."""
    i64 = ir.IntType(64)
    buf = cgutils.alloca_once(builder, vd, size=3 * CHUNK)  # lines of sight of a chunk
    n_chunks = builder.udiv(builder.add(n, ir.Constant(i64, CHUNK - 1)), ir.Constant(i64, CHUNK))
    with cgutils.for_range(builder, n_chunks) as chunk:
        c0 = builder.mul(chunk.index, ir.Constant(i64, CHUNK))
        left = builder.sub(n, c0)
        big = builder.icmp_signed(">", left, ir.Constant(i64, CHUNK))
        n_c = builder.select(big, ir.Constant(i64, CHUNK), left)

        def slot(i, r):
            return builder.gep(buf, [builder.add(builder.mul(i, ir.Constant(i64, 3)),
                                                 ir.Constant(i64, r))])  # fmt: skip

        with cgutils.for_range(builder, n_c) as loop:
            for r, v in enumerate(sight(builder.add(c0, loop.index))):
                builder.store(v, slot(loop.index, r))
        with cgutils.for_range(builder, n_c) as loop:
            use(*(builder.load(slot(loop.index, r)) for r in range(3)))


def block_codegen(lanes=None, accumulate=False, chunked=True):
    """IR of :func:`sum_block`; with ``lanes``, of a variant (:mod:`.vector_sky`).

    ``lanes(context, builder, signature, args, splat, const, data)`` returns an object whose
    ``lanes(ex, ey, ez, eu, vis)`` gives the lanes to sum (``vis``: ``e.u > sin_mask``) and
    whose ``result()`` is the intrinsic's return value. ``accumulate``: the sums start from
    the rows already in ``acc`` (:func:`sum_block_add`), not from zero.

    ``chunked`` (the default): two loops per :data:`CHUNK` satellites (:func:`_chunked_loops`),
    the lines of sight into a stack buffer, then the sums. In one loop the chain from the
    positions through the square root and the division to the sums (~75 cycles) left room for
    about two satellites in flight (measured: the flat tile sums of case 13 took 29 ms in one
    loop, 22-24 ms in two, the same sums bit for bit). Without sums (:mod:`.vector_sky`'s
    listing pass of a wide skyline) one loop was as fast.
    """

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
            return splat_value(builder, x, vd)

        def const(x, vt=vd):
            return ir.Constant(vt, [x] * LANES)

        point = splat(aptx), splat(apty), splat(aptz)
        sux, suy, suz, ssm = splat(aux), splat(auy), splat(auz), splat(asm)

        def row_ptr(r):
            return vector_ptr(builder, pacc, builder.add(aa0, ir.Constant(i64, r * ROW)), vd)

        # Accumulators live in stack slots that LLVM promotes to registers (no memory
        # traffic in the loop).
        zero = const(0.0)
        first = [builder.load(row_ptr(r), align=8) if accumulate else zero for r in range(N_ACC)]
        sums = [cgutils.alloca_once_value(builder, v) for v in first]
        sqrt32 = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vf, [vf]), f"llvm.sqrt.v{LANES}f32"
        )
        mul, add = builder.fmul, builder.fadd
        hook = lanes and lanes(context, builder, signature, args, splat, const, data)

        def use(ex, ey, ez):
            eu = add(add(mul(ex, sux), mul(ey, suy)), mul(ez, suz))
            vis = builder.fcmp_ordered(">", eu, ssm)
            if hook:
                vis = hook.lanes(ex, ey, ez, eu, vis)
            add_lanes(builder, sums, vis, ex, ey, ez)

        def sight(i):
            off = builder.load(builder.gep(pidx, [i]))
            return line_of_sight(builder, (ppx, ppy, ppz), point, off, const, sqrt32)

        if chunked:
            _chunked_loops(builder, am, vd, sight, use)
        else:
            with cgutils.for_range(builder, am) as loop:
                use(*sight(loop.index))
        for r, slot in enumerate(sums):
            builder.store(builder.load(slot), row_ptr(r), align=8)
        return hook.result() if hook else context.get_dummy_value()

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
    return sig, block_codegen()


@intrinsic
def sum_block_add(typingctx, px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0):
    """:func:`sum_block` that *adds* its sums to the ten rows at ``acc[a0 + r * ROW :]``.

    The horizon kernel's satellites above the skyline over a whole block
    (:mod:`gnss.kernels.horizon_cull`), summed after the others of the block.
    """
    sig = types.void(px, py, pz, idx, m, ptx, pty, ptz, ux, uy, uz, sin_mask, acc, a0)
    return sig, block_codegen(accumulate=True)
