"""The figure of the "Numerical accuracy" appendix (the measurement is :mod:`latent_geometry.manifolds.accuracy`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from latent_geometry.manifolds.accuracy import TOLERANCE

__all__ = ["error_figure"]


def error_figure(table: pd.DataFrame, space: str = "H2"):
    """Largest error per θ bin of one space, one panel per dtype, both charts, nearby and random pairs (log scale);
    the tolerance as a grey line. θ is linear up to 40 and logarithmic beyond (float64 reaches θ_max ≈ 354)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    styles = {("ambient", "0.5 apart"): ("C0", "-"), ("ambient", "random"): ("C0", "--"),
              ("stereographic", "0.5 apart"): ("C1", "-"), ("stereographic", "random"): ("C1", "--")}
    for ax, dtype in zip(axes, ("float32", "float64")):
        for (chart, pair), (color, line) in styles.items():
            rows = table[(table["space"] == space) & (table["chart"] == chart) & (table["dtype"] == dtype)
                         & (table["pair"] == pair)]
            centre = (rows["theta_lo"] + rows["theta_hi"]) / 2
            ax.semilogy(centre, np.maximum(rows["max_error"], 1e-17), line, color=color, label=f"{chart}, {pair}")
        top = float(table[table["dtype"] == dtype]["theta_hi"].max())
        ax.axhline(TOLERANCE, color="grey", lw=0.8)
        ax.set_xscale("symlog", linthresh=40, linscale=2)
        ax.set_xlim(0, top)
        ax.set_xticks([t for t in (0, 10, 20, 30, 40, 100, 300) if t <= top])
        ax.set_xticklabels([f"{t:g}" for t in ax.get_xticks()])
        ax.set_title(f"{space}, {dtype}")
        ax.set_xlabel("θ = √|K|‖u‖")
    axes[0].set_ylabel("largest error in the bin")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    return fig
