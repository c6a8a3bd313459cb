"""Analysis of a coverage dataset: summaries, differences, region statistics.

Analysis of a coverage dataset: summaries (``summary``), difference fields
(``differences``), region statistics (``regionstats``) and the gains and rankings of
combined sets over their single systems (``regiongains``). Returns data, writes no file.

May import: ``gnss.coverage`` and every stage below it, and the root foundation modules.
"""
