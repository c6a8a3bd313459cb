"""Orbits: satellite positions (ITRS, metres) from element sets and orbit files.

SGP4 for TLE/OMM and nominal sets (``propagate``); the file readers (``load``:
:func:`~gnss.orbits.load.load_reference`; ``sp3``, ``rinexnav``, ``broadcast``, ``reference``,
``reftime``, ``refread``), also the references of ``identify``/``validate``; the orbit-provider
interface of file satellites (``source``: :class:`~gnss.orbits.source.FileOrbit`) and their
SGP4 classification proxy (``proxy``). ``propagate.propagate_itrs_m`` evaluates both kinds.

May import: ``gnss.elements`` and the root foundation modules.
"""
