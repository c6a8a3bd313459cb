"""Validation: reference orbits and the identification of element sets against them.

Validation: reference orbits (SP3, RINEX navigation: ``refs``) and the identification and
validation of element sets against them (``identify``).

May import: ``gnss.outputs`` and every stage below it, and the root foundation modules.
"""
