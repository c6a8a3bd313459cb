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
- :data:`THREADED` adds ``nogil=True`` for the kernel, which Python threads run in
  parallel (one range of the points each) instead of numba's ``parallel=True``.
- :func:`stamp_all_sources` for every cached entry point: its cache goes stale when any
  kernel file changes, not only its own.
- :func:`compile_needed`, :func:`compile_kernel` and :func:`any_compiled`: whether a call
  will compile first (the run then says "compiling kernels (first run only)"), compiling
  ahead of the call, and whether a kernel was compiled in this process rather than loaded.

What the compile costs, and why the kernel is cut as it is: :mod:`gnss.kernels.driver`.
"""

from __future__ import annotations

import functools
from pathlib import Path

#: LLVM fast-math flags of every kernel: re-association (vectorised sums), contraction (FMA),
#: approximate reciprocals allowed (``arcp``), signed zeros ignored (``nsz``). Not ``nnan``
#: or ``ninf``: NaN and inf are data (no fix, empty zones).
FASTMATH = {"reassoc", "contract", "nsz", "arcp"}

#: Options of every ``@njit`` of the kernels (numpy error model: no ZeroDivisionError branches).
JIT_OPTS = {"fastmath": FASTMATH, "error_model": "numpy"}

#: Options of a helper whose divisions must be correctly rounded (no ``arcp``: an approximate
#: reciprocal). Explicit flags also keep numba from adding its caller's ``arcp`` when the
#: helper is linked into a kernel (numba flags only the float instructions that have none).
JIT_EXACT_DIV = {"fastmath": FASTMATH - {"arcp"}, "error_model": "numpy"}

#: Options of the entry points called from Python: :data:`JIT_OPTS` and numba's disk cache.
CACHED = {"cache": True, **JIT_OPTS}

#: Options of the kernel that several Python threads run at once, each on its own part of
#: the points: :data:`CACHED` with the GIL released. Not numba's ``parallel=True`` with
#: ``prange``: its transforms and the extra function it compiles for the loop body cost a
#: quarter of the first-run compile time (CPU 27-31 s with it, 20-21 s without, measured
#: interleaved on the shared 2-core machine), for the same machine code inside the loop.
THREADED = {"nogil": True, **CACHED}


@functools.cache
def kernel_sources_stamp() -> tuple:
    """Name, modification time and size of every source file of :mod:`gnss.kernels`.

    Read once per process (at import, for every cached entry point).
    """
    folder = Path(__file__).resolve().parent
    return tuple((p.name, st.st_mtime_ns, st.st_size)
                 for p in sorted(folder.glob("*.py")) for st in [p.stat()])  # fmt: skip


def stamp_all_sources(dispatcher):
    """Make the disk cache of ``dispatcher`` stale when any kernel source file changes.

    numba checks a cached entry point against its own file only (time stamp and size), yet
    compiles the helpers it calls from the other files into it: after a change to
    ``steps.py`` alone (a ``git pull`` in an editable install, an edit) it loaded the old
    machine code of ``driver.py``'s kernel, silently. The cache index's stamp becomes the
    entry point's own and :func:`kernel_sources_stamp`. Uses numba internals (the
    dispatcher's cache file); with another numba where they differ, nothing changes.
    Returns ``dispatcher``.
    """
    try:
        cache_file = dispatcher._cache._cache_file
        cache_file._source_stamp = (cache_file._source_stamp, kernel_sources_stamp())
    except AttributeError:  # another numba, or no disk cache
        pass
    return dispatcher


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
