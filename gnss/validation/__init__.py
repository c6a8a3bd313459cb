"""Validation: reference orbits and the identification of element sets against them.

Two groups of modules, the second built on the first and never the reverse:

* reference orbits (``refs``: :func:`~gnss.validation.refs.load_reference` and the
  public names): ``reference`` (the type every reader returns), ``reftime`` (time
  scales), ``refread`` (georinex parsing, radius check), ``sp3`` (SP3 precise orbits),
  ``rinexnav`` (RINEX 2/3 navigation files) and ``broadcast`` (the broadcast-ephemeris
  algorithms). They import only the root modules and each other, so they can become
  orbit sources under :mod:`gnss.orbits` as they are;
* identification and validation against them (``identify``: the public names):
  ``refspan`` (the comparison span), ``matching`` (NORAD number <-> PRN),
  ``accuracy`` (position errors, :func:`~gnss.validation.accuracy.validate`),
  ``dopeffect`` (the DOP effect at sample sites) and ``tables`` (text tables).

May import: ``gnss.outputs`` and every stage below it, and the root foundation modules.
"""
