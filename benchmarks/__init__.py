"""Benchmark suite of the gnss coverage engine: ``python -m benchmarks [--quick] [--output DIR]``.

Cases (see ``benchmarks/README.md``): kernel throughput on a real element set, a vectorised
NumPy baseline and a per-satellite skyfield ``altaz`` baseline (both checked against
:func:`gnss.compute_coverage`), the end-to-end ``gnss compare``, compile latency, memory
against the span, and scaling curves. Speed is reported, never asserted; agreement of the
baselines with the engine is asserted (the suite fails loudly when they disagree).

Importing this package is cheap: it imports neither numba nor :mod:`gnss`, so that
``python -m benchmarks`` can measure the first compile in fresh processes before the
benchmark process itself imports numba.
"""

__all__ = ["BenchmarkError"]


class BenchmarkError(RuntimeError):
    """A baseline disagrees with the engine, or a benchmark step failed."""
