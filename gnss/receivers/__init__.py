"""Receiver points: the global grid of cells (sites and routes will join it).

May import: gnss.orbits, gnss.elements.read and the root foundation modules.
"""
