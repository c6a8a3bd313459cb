"""Regions: inputs of a run, with their cell weights and the country polygons.

Regions: inputs of a run, the named, country, box and file-defined areas (``definitions``),
their cell weights, and the shipped country polygons (``borders``).

May import: ``gnss.receivers``, ``gnss.orbits``, ``gnss.elements`` and the root foundation
modules; never the maps (``gnss.outputs`` draws with :mod:`gnss.regions.borders`).
"""
