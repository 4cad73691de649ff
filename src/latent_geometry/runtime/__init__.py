"""The book's runtime: validated chapter configs, per-chapter parameter specs, provenance, the pipeline, and the
training grids.

``make_config(chapter, profile, **chapter_parameters(chapter, globals()))`` resolves a profile plus overrides into
one frozen ``Config`` (checked before any work, with a stable hash); ``provenance.Run`` records what produced a
page; ``pipeline`` executes chapters with papermill and builds the book with Jupyter Book. ``grid`` runs a grid of
training jobs in-process, on a process pool or on Dask distributed, writing each finished job atomically to a
resumable ``results_table``; ``ch1_grids`` builds chapter 1's grids from its config and ships their tables to
``results/``.
"""
