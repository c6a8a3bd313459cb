"""Compile policy of the kernels: fastmath flags, error model, caching, parallel options.

The one place that decides how numba compiles the code of :mod:`gnss.kernels` (as numbagg's
``decorators.py``), and how a run finds out beforehand whether it will compile:

- :data:`JIT_OPTS` for every ``@njit``: ``fastmath`` limited to :data:`FASTMATH`
  (re-association, FMA contraction, reciprocals, no signed zeros; never the no-NaN/no-inf
  flags, because NaN and infinity are data here) and ``error_model="numpy"`` (a division by
  zero gives inf or NaN instead of raising, so no division-by-zero branch in the loops).
- :data:`CACHED` adds ``cache=True`` for the entry points called from Python (helpers
  called only from compiled code are compiled into their callers and need no cache of their
  own). The machine code is stored next to the source file (or in ``NUMBA_CACHE_DIR``), so
  only the first run of a fresh install compiles; later processes load it in about 0.3 s.
- :func:`prange_only`: the parallel options of the kernel, only ``prange`` on.
- :func:`compile_needed`, :func:`compile_kernel` and :func:`any_compiled`: whether a call
  will compile first (the run then says "compiling kernels (first run only)"), compiling
  ahead of the call, and whether a kernel was compiled in this process rather than loaded.

The measured first-call compile times are in :mod:`gnss.kernels.driver`.
"""

from __future__ import annotations

#: LLVM fast-math flags of every kernel: re-association (vectorised sums), contraction (FMA),
#: approximate reciprocals allowed (``arcp``), signed zeros ignored (``nsz``). Not ``nnan``
#: or ``ninf``: NaN and inf are data (no fix, empty zones).
FASTMATH = {"reassoc", "contract", "nsz", "arcp"}

#: Options of every ``@njit`` of the kernels (numpy error model: no ZeroDivisionError branches).
JIT_OPTS = {"fastmath": FASTMATH, "error_model": "numpy"}

#: Options of the entry points called from Python: :data:`JIT_OPTS` and numba's disk cache.
CACHED = {"cache": True, **JIT_OPTS}


def prange_only() -> dict:
    """Return numba parallel options with only ``prange`` on (a new dict: numba empties it).

    With all of them on, numba also turns every array expression outside the ``prange``
    loop (``np.zeros``, slice assignments) into a parallel loop of its own, each compiled
    as a separate function: seven in all, a third of the compile time, for loops over a few
    kilobytes. The ``prange`` loop over parts of the points is the only parallel work.

    Examples
    --------
    >>> prange_only()["prange"], prange_only()["fusion"]
    (True, False)
    """
    return {
        "comprehension": False, "reduction": False, "inplace_binop": False, "setitem": False,
        "numpy": False, "stencil": False, "fusion": False, "prange": True,
    }  # fmt: skip


def compile_needed(kernel, args) -> bool:
    """Whether calling the numba dispatcher ``kernel`` with ``args`` will compile first.

    False when this process has the machine code already or numba's on-disk cache has an
    entry for these argument types (the lookup numba itself does: its cache index, checked
    against the source file's time stamp). Uses numba internals (``Dispatcher._cache``),
    so with another numba where they differ it answers False (no message, no harm).
    """
    sig = tuple(kernel.typeof_pyval(a) for a in args)
    if sig in kernel.overloads:
        return False
    try:
        cache = kernel._cache
        key = cache._index_key(sig, kernel.targetctx.codegen())
        return key not in cache._cache_file._load_index()
    except Exception:  # noqa: BLE001 - another numba or caching disabled: cannot tell
        return False


def compile_kernel(kernel, args) -> None:
    """Compile (or load from the cache) the dispatcher ``kernel`` for the types of ``args``."""
    kernel.compile(tuple(kernel.typeof_pyval(a) for a in args))


def any_compiled(kernels) -> bool:
    """Whether any of the numba dispatchers ``kernels`` compiled here (a cache miss).

    Examples
    --------
    >>> any_compiled([])
    False
    """
    return any(k.stats.cache_misses for k in kernels)
