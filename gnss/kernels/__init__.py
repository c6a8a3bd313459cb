"""Kernels: the numba code (geometry, DOP, accumulation per set) and its thread policy.

The only part of gnss that imports numba or llvmlite: ``jit`` (the compile policy),
``driver`` (the kernel and its Python entry), ``steps`` (its steps per point), ``sets``
(per-set DOPs and statistics), ``vector`` (the vector block sums), ``threads``; ``twin`` is
the slow NumPy twin the tests and benchmarks compare with. May import: the stages below it
(``gnss.regions``, ``gnss.receivers``, ``gnss.orbits``, ``gnss.elements``) and the root
foundation modules; today it needs none of the stages.
"""


def numba_version() -> str:
    """Return the numba version the kernels run on (for the provenance of a dataset).

    Examples
    --------
    >>> numba_version().count(".") >= 1
    True
    """
    import numba

    return numba.__version__
