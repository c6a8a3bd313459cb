"""Regions: inputs of a run, with their cell weights and the country polygons.

Regions: inputs of a run, the named, country, box and file-defined areas and their cell
weights (``definitions`` is the one import path for them; each lives in a module about one
thing: ``region`` the type, ``named``/``circles`` the named regions, ``countries``, ``boxes``,
``files``/``filecrs`` the polygon files, ``lookup`` codes to regions, ``weights`` with
``projection`` and ``geometry``), and the shipped country polygons (``borders``).

May import: ``gnss.receivers``, ``gnss.orbits``, ``gnss.elements`` and the root foundation
modules; never the maps (``gnss.outputs`` draws with :mod:`gnss.regions.borders`).
"""
