"""Figures of chapter 1, part 2: loss trajectories (seed 000, Fig. 3), the landscape with intervals, regret curves,
and the walks of Fig. 4a–e. Each function returns a matplotlib Figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

FEW_RUNS = 5  # walk_panels_figure draws the runs instead of a t-band up to this many
HIGHLIGHT = {"E2xE2xE2xE2xE2": "black", "H2xE2xE2xE2xE2": "tab:red"}


def trajectory_figure(curves: pd.DataFrame, title: str, highlight: Mapping[str, str] = HIGHLIGHT):
    """Seed 000's Fig. 3: per-epoch loss (mean over seeds) of each geometry (``curves``: index epoch, one column per
    geometry, from :func:`~latent_geometry.experiments.ch1.landscape.trajectories`); highlighted geometries in
    colour, the rest grey."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name in curves.columns:
        colour = highlight.get(name)
        ax.plot(curves.index, curves[name], color=colour or "0.6", lw=2 if colour else 0.8,
                label=name if colour else None, zorder=3 if colour else 2)
    ax.set(xlabel="epoch", ylabel="validation MSE", title=title, yscale="log")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def landscape_figure(tables: Mapping[str, pd.DataFrame], n_p: int):
    """Each geometry's mean loss with its 95 % t-interval (one panel per dataset; ``tables`` of
    :func:`~latent_geometry.experiments.ch1.landscape.geometry_table`), geometries with ``n_p`` components sorted by
    mean; the all-Euclidean latent's interval shaded."""
    fig, axes = plt.subplots(1, len(tables), figsize=(5.2 * len(tables), 4.6), squeeze=False)
    for ax, (dataset, table) in zip(axes[0], tables.items()):
        t = table[table["n_p"] == n_p].sort_values("mean")
        y = np.arange(len(t))
        colours = ["tab:red" if h else ("tab:blue" if s else "0.3") for h, s in zip(t["#H²"], t["#S²"])]
        ax.errorbar(t["mean"], y, xerr=[t["mean"] - t["low"], t["high"] - t["mean"]], fmt="none", ecolor=colours)
        ax.scatter(t["mean"], y, c=colours, s=14, zorder=3)
        base = t[(t["#H²"] == 0) & (t["#S²"] == 0)]
        if len(base):
            ax.axvspan(float(base["low"].iloc[0]), float(base["high"].iloc[0]), color="0.85", zorder=0,
                       label="all-Euclidean 95 % CI")
            ax.legend(fontsize=8, loc="lower right")
        ax.set_yticks(y, t.index, fontsize=7)
        ax.invert_yaxis()
        ax.set(xlabel="validation MSE (mean over seeds, 95 % t-interval)", title=f"{dataset.upper()}, n_p = {n_p}")
    fig.tight_layout()
    return fig


def regret_figure(curves: pd.DataFrame, strategies: Sequence[str] | None = None, title: str = "",
                  ylabel: str = "regret (seed-mean loss)", x_max: int | None = None):
    """Mean regret against evaluations with a 95 % band per strategy (``curves``: columns strategy, k, mean, low,
    high)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    names = strategies or list(dict.fromkeys(curves["strategy"]))
    for name in names:
        c = curves[curves["strategy"] == name]
        if x_max is not None:
            c = c[c["k"] <= x_max]
        (line,) = ax.plot(c["k"], c["mean"], label=name, lw=1.4)
        ax.fill_between(c["k"], c["low"], c["high"], color=line.get_color(), alpha=0.2, lw=0)
    ax.set(xlabel="evaluations", ylabel=ylabel, title=title, yscale="symlog" if (curves["mean"] > 0).all() else "linear")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def walk_panels_figure(values: Mapping[str, np.ndarray], title: str = ""):
    """Seed 000's Fig. 4a–e from repeated walks: ``values[name]`` has shape (runs, steps) — the loss evaluated at each
    step. (a)/(c): every evaluated loss of the naive / backtracking walks (mean ± 95 % band over runs; with at most
    :data:`FEW_RUNS` runs, each run drawn thin instead); (b)/(d): their running minima; (e): running minima of naive
    vs backtracking. Names are e.g. ``"naive, weighted"``."""
    from scipy import stats

    fig, axes = plt.subplots(1, 5, figsize=(18, 3.4), sharey=True)

    def band(ax, v, label):
        v = np.asarray(v, dtype=float)
        k = np.arange(1, v.shape[1] + 1)
        mean = np.nanmean(v, axis=0)
        if v.shape[0] <= FEW_RUNS:  # a t-band over so few runs is wider than the data: draw the runs themselves
            (line,) = ax.plot(k, mean, label=f"{label} (mean of {v.shape[0]})", lw=1.3)
            for run in v:
                ax.plot(k, run, color=line.get_color(), lw=0.6, alpha=0.5)
            return
        n = np.sum(np.isfinite(v), axis=0)
        half = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)) * np.nanstd(v, axis=0, ddof=1)
                        / np.sqrt(np.maximum(n, 1)), 0.0) if v.shape[0] > 1 else np.zeros_like(mean)
        (line,) = ax.plot(k, mean, label=label, lw=1.3)
        ax.fill_between(k, mean - half, mean + half, color=line.get_color(), alpha=0.2, lw=0)

    panels = [("(a) all losses, naive", "naive", False), ("(b) minimum, naive", "naive", True),
              ("(c) all losses, backtracking", "backtracking", False), ("(d) minimum, backtracking", "backtracking", True)]
    for ax, (label, kind, running) in zip(axes[:4], panels):
        for name, v in values.items():
            if name.startswith(kind):
                band(ax, np.minimum.accumulate(v, axis=1) if running else v, name)
        ax.set(title=label, xlabel="step")
        ax.legend(fontsize=7)
    for name, v in values.items():
        if name.endswith("weighted") and not name.endswith("unweighted"):
            band(axes[4], np.minimum.accumulate(v, axis=1), name)
    axes[4].set(title="(e) naive vs backtracking (weighted)", xlabel="step")
    axes[4].legend(fontsize=7)
    axes[0].set_ylabel("validation MSE")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def found_figure(curves: pd.DataFrame, n_nodes: int):
    """P(the best geometry has been evaluated within k evaluations) per strategy, with 95 % Wilson bands (``curves``:
    a replay's curves of one costing), and k/N, random search without replacement's exact value."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, c in curves.groupby("label", sort=False):
        (line,) = ax.plot(c["k"], c["p_found"], label=label, lw=1.3)
        ax.fill_between(c["k"], c["p_found_low"], c["p_found_high"], color=line.get_color(), alpha=0.15, lw=0)
    k = np.arange(1, n_nodes + 1)
    ax.plot(k, k / n_nodes, "k:", lw=1, label="k/N (random search, exact)")
    ax.set(xlabel="evaluations k", ylabel="P(best found within k)", ylim=(0, 1.02))
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig
