"""Kernels: the numba code (geometry, DOP, accumulation) and its compile and thread policy.

The only subpackage that imports numba or llvmlite. May import: gnss.regions.definitions, gnss.receivers,
gnss.orbits, gnss.elements.read and the root foundation modules (in practice: only within itself).
"""
