"""Analysis of a coverage dataset: summaries, differences, region statistics.

Analysis of a coverage dataset: summaries (``summary``), difference fields
(``differences``), region statistics and rankings (``regionstats``). Returns data, writes no
file.

May import: ``gnss.coverage`` and every stage below it, and the root foundation modules.
"""
