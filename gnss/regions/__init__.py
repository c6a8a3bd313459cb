"""Regions: named and file-defined areas, their country polygons and cell weights (inputs of a run).

May import: gnss.receivers, gnss.orbits, gnss.elements.read and the root foundation modules.
"""
