"""The book's runtime: validated chapter configs, per-chapter parameter specs, provenance, and the pipeline.

``make_config(chapter, profile, **chapter_parameters(chapter, globals()))`` resolves a profile plus overrides into
one frozen ``Config`` (checked before any work, with a stable hash); ``provenance.Run`` records what produced a
page; ``pipeline`` executes chapters with papermill and builds the book with Jupyter Book.
"""
