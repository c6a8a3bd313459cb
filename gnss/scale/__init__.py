"""Scale-out on Dask distributed: the groups of a run as tasks, merged to the same numbers.

The only subpackage (with :mod:`gnss.cli`) that imports ``dask`` and ``distributed``
(an import-linter contract), and only when a run is given a scheduler or a client: without
one nothing here is imported, but :mod:`gnss.scale.zarrsink` for ``--format zarr``.

- :mod:`gnss.scale.cluster`: ``--scheduler`` text (``tcp://HOST:PORT``, ``tls://...``,
  ``local:N``) to a connected ``distributed.Client`` (a loopback ``LocalCluster`` for
  ``local:N``).
- :mod:`gnss.scale.tiles`: tiles of whole groups of points (:mod:`gnss.coverage.groups`).
- :mod:`gnss.scale.tasks`: what a worker runs for a tile (the existing kernels).
- :mod:`gnss.scale.merge`: per-point statistics placed, zone sums added in group order.
- :mod:`gnss.scale.runner`: the grid runner that submits the tiles, follows them, cancels
  them on Ctrl-C.
- :mod:`gnss.scale.zarrsink`: the per-cell fields written into ``coverage.zarr`` chunk by
  chunk as the groups (one process) or the tiles (Dask) arrive.

May import: ``gnss.coverage`` and the stages below it, the root foundation modules, ``dask``
and ``distributed``; imported by ``gnss.study`` (given a client) and ``gnss.cli``.
"""
