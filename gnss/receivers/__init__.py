"""Receiver points: the global grid (``grid``), geodetic points, sites (``sites``), passes (``passes``).

Below ``gnss.regions``: a region's cell weights take a :class:`~gnss.receivers.grid.Grid`.
May import: ``gnss.orbits``, ``gnss.elements`` and the root foundation modules.
"""
