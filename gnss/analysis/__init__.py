"""Analysis of a coverage dataset: summaries, difference fields, region statistics and ranking.

May import: gnss.coverage.run and every stage below it, and the root foundation modules.
"""
