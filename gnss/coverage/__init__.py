"""Coverage runs: orchestrate propagation and kernels over a grid and build the xarray dataset.

May import: gnss.kernels.driver, gnss.regions.definitions, gnss.receivers, gnss.orbits, gnss.elements.read and the root
foundation modules.
"""
