"""Element sets: the first stage of the flow.

Read TLE/OMM files (``read``: the loader, over ``tle``, ``omm``, ``checks`` and the result
types in ``constellation``), classify satellites by system and generation (``classify``),
select them (``select``; orbital planes in ``planes``), check their epochs and report skipped
records (``hygiene``), define what-if sets and slots (``sets``, ``slots``), build the
nominal constellations (``nominal``, ``nominal_files``) and fetch CelesTrak groups
(``celestrak``, over ``celestrak_query``, ``celestrak_http`` and ``celestrak_cache``).

May import: only the root foundation modules (``gnss.errors``, ``gnss.constants``,
``gnss.timeutil``, ``gnss.inputfile``, ``gnss.io``, ...). No other stage.
"""
