"""Validation: reference orbits (SP3, RINEX navigation) and satellite identification.

May import: gnss.outputs and every stage below it, and the root foundation modules.
"""
