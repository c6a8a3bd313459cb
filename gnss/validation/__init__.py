"""Validation: reference orbits and the identification of element sets against them.

The reference orbits are read by :mod:`gnss.orbits` (:func:`gnss.orbits.load.load_reference`:
SP3 precise orbits and RINEX navigation files, also the orbit sources of ``gnss compare``);
this stage holds the identification and validation against them (``identify``: the public
names): ``refspan`` (the comparison span), ``matching`` (NORAD number <-> PRN), ``accuracy``
(position errors, :func:`~gnss.validation.accuracy.validate`), ``dopeffect`` (the DOP effect
at sample sites) and ``tables`` (text tables).

May import: ``gnss.outputs`` and every stage below it, and the root foundation modules.
"""
