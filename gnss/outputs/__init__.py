"""Outputs: the files of a run (NetCDF, tables, maps, the region report).

Outputs: the files of a run, NetCDF and summary tables (``files``, ``comparison``), maps
(``maps``), the region report (``report``: its maps ``regionmaps`` and ``regionwindow``, its
Markdown ``markdown``, its file names and measures ``regionnames``) and the all-or-nothing
output folder (``outdir``, ``outcheck``, ``outsignals``).

May import: ``gnss.analysis`` and every stage below it, and the root foundation modules.
"""
