"""Receiver points: grid, sites, passes, horizon masks and routes.

The modules: ``grid``, ``sites``, ``passes``, horizon masks (``horizon``, the presets in
``horizon_presets``) and routes (``route``). Below ``gnss.regions``: a region's cell weights
take a :class:`~gnss.receivers.grid.Grid`.
May import: ``gnss.orbits``, ``gnss.elements`` and the root foundation modules.
"""
