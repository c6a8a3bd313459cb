"""Orbits: satellite positions (ITRS, metres) from element sets and orbit files.

SGP4 for TLE/OMM and nominal sets (``propagate``); the file readers (``load``:
:func:`~gnss.orbits.load.load_reference`; ``sp3``, ``rinexnav``, ``broadcast``, ``reference``,
``reftime``, ``refread``; RINEX 4 navigation: ``rinex4``, ``rinex4_records``, ``rinex4_eval``;
YUMA/SEM almanacs: ``almanac``, ``almanac_sem``, ``almanac_orbit``, and ``almanac_write`` from
broadcast records), also the references of ``identify``/``validate``; the orbit-provider
interface of file satellites (``source``: :class:`~gnss.orbits.source.FileOrbit`) and their
SGP4 classification proxy (``proxy``). ``propagate.propagate_itrs_m`` evaluates both kinds.

May import: ``gnss.elements`` and the root foundation modules.
"""
