"""Element sets: read TLE/OMM files, classify satellites, select and define sets, nominal constellations, CelesTrak downloads.

The first stage. May import: the root foundation modules (gnss.errors, gnss.constants, gnss.timeutil,
gnss.inputfile, gnss.io, ...) only.
"""
