"""Receiver points: the global grid of cells, geodetic points, and satellite passes at a site.

Below ``gnss.regions``: a region's cell weights take a :class:`~gnss.receivers.grid.Grid`.
May import: ``gnss.orbits``, ``gnss.elements`` and the root foundation modules.
"""
