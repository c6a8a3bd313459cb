"""Orbits: satellite positions from element sets (SGP4 today; SP3 and broadcast navigation later).

May import: gnss.elements.read and the root foundation modules.
"""
