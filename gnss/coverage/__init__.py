"""Coverage runs: propagation and kernels over a grid, and the resulting dataset.

Coverage runs: orchestrate propagation and the kernels over a grid (``run``) and build the
CF ``xarray.Dataset`` (``dataset``; ``run`` imports ``dataset``, never the reverse).

May import: ``gnss.kernels``, ``gnss.regions``, ``gnss.receivers``, ``gnss.orbits``,
``gnss.elements`` and the root foundation modules.
"""
