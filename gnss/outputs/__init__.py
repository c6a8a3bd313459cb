"""Outputs: NetCDF, summary tables, maps, the Markdown region report and the output folder.

May import: gnss.analysis and every stage below it, and the root foundation modules.
"""
