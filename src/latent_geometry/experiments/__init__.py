"""Per-chapter recipes, tables, verdicts and figures: the top layer, which nothing else in the library imports.

``verdicts`` holds the book's verdict vocabulary and every threshold a verdict is computed from; ``glue`` records a
page's numbers; ``ch1`` and ``ch2`` build their chapters' tables, claims and figures from the lower layers.
"""
