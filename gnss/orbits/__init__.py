"""Orbits: satellite positions from element sets.

Orbits: satellite positions (ITRS, metres) from element sets; SGP4 today, SP3 and broadcast
navigation later.

May import: ``gnss.elements`` and the root foundation modules.
"""
