"""Analysis of a coverage dataset: summaries, differences, region statistics.

Analysis of a coverage dataset: summaries (``summary``), difference fields
(``differences``), region statistics (``regionstats``), the gains and rankings of combined
sets over their single systems (``regiongains``) and the summaries of site and route time
series (``sites``). Returns data, writes no file.

May import: ``gnss.coverage`` and every stage below it, and the root foundation modules.
"""
