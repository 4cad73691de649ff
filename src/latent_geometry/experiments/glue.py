"""Recording a page's numbers for its prose: one call per group of values instead of a loop of ``glue``."""

from __future__ import annotations

from collections.abc import Mapping


def glue_values(prefix: str, values: Mapping[str, object]) -> None:
    """``myst_nb.glue(f"{prefix}_{name}", value, display=False)`` for every item; numpy scalars become Python ones.

    Strings that should render as Markdown (unquoted) are passed as ``IPython.display.Markdown``.
    """
    from myst_nb import glue

    for name, value in values.items():
        if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
            value = value.item()
        glue(f"{prefix}_{name}", value, display=False)
