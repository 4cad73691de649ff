"""Figures of chapter 2 (seed 001). Every function returns a matplotlib Figure; the chapter shows or glues it."""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from latent_geometry.geometry.ricci_flow import RicciFlowTrajectory, conformal_scalar_curvature

__all__ = [
    "flow_figure",
    "format_summary",
    "ideal_layout",
    "panels_figure",
    "scatter3d_figure",
    "tradeoff_figure",
    "training_trajectory_figure",
    "tsne_embedding",
]


def _np(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def scatter3d_figure(points, color, title: str = "", azim: float = -70, elev: float = 15, cmap: str = "jet"):
    """3-D scatter of (N, 3) points coloured by ``color`` (the seed's "3D representation" slides: jet colormap;
    azim 155 / elev 15 for the Gaussians, azim −70 / elev 15 for the roll, as in the authors' notebooks)."""
    p = _np(points)
    fig = plt.figure(figsize=(4.6, 4.2))
    ax = fig.add_subplot(projection="3d")
    ax.scatter(p[:, 0], p[:, 1], p[:, 2], c=_np(color), cmap=cmap, s=3)
    ax.view_init(azim=azim, elev=elev)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def tsne_embedding(x, perplexity: float = 30.0, seed: int = 0) -> np.ndarray:
    """2-D t-SNE of (N, D) points (scikit-learn; perplexity capped at (N − 1)/3), on one OpenMP thread: the
    Barnes–Hut loop busy-waits and slowed ~100× on shared cores with more threads (measured here)."""
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    x = _np(x)
    with threadpool_limits(limits=1, user_api="openmp"):
        return TSNE(n_components=2, perplexity=min(perplexity, (len(x) - 1) / 3), random_state=seed).fit_transform(x)


def ideal_layout(coords, labels, spacing: float = 3.0) -> np.ndarray:
    """The "ideal 2-D representation" of the Gaussian planes: each class's ground-truth plane coordinates (an
    undistorted copy, common scale) placed around a circle of radius ``spacing`` (the placement is arbitrary)."""
    y, lab = _np(coords).astype(float), _np(labels)
    classes = np.unique(lab)
    out = y.copy()
    for j, c in enumerate(classes):
        angle = 2 * np.pi * j / len(classes)
        out[lab == c] += spacing * np.array([np.cos(angle), np.sin(angle)])
    return out


def panels_figure(panels: Sequence[tuple], cmap: str = "jet", size: float = 3.2):
    """A row of 2-D scatters; each panel is ``(points (N, 2), colour (N,), title)``."""
    fig, axes = plt.subplots(1, len(panels), figsize=(size * len(panels), size + 0.3), squeeze=False)
    for ax, (points, color, title) in zip(axes[0], panels):
        p = _np(points)
        ax.scatter(p[:, 0], p[:, 1], c=_np(color), cmap=cmap, s=3)
        ax.set_title(title, fontsize=9)
        ax.set_aspect("equal", adjustable="datalim")
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def flow_figure(trajectory: RicciFlowTrajectory, kappa=None, n_show: int = 4, crop: tuple | None = None):
    """Top row: the conformal factor u of ``n_show`` snapshots of the flow (common colour scale); bottom: R of the
    same snapshots; right: max |R| and the area against t. ``kappa`` (the dropped anisotropy) adds a panel.
    ``crop`` = (n1, n2) shows only u[:n1, :n2] (the original box of an :func:`even_extension`)."""
    idx = np.unique(np.linspace(0, len(trajectory.times) - 1, n_show).round().astype(int))
    u = _np(trajectory.u)
    R = _np(conformal_scalar_curvature(trajectory.u, trajectory.length))
    if crop is not None:
        u, R = u[:, : crop[0], : crop[1]], R[:, : crop[0], : crop[1]]
    extra = 1 + (kappa is not None)
    fig, axes = plt.subplots(2, len(idx) + extra, figsize=(2.6 * (len(idx) + extra), 5.2), squeeze=False)
    u_lim = (u.min(), u.max())
    r_lim = np.percentile(np.abs(R[idx[0]]), 98) or 1.0  # robust scale: a few edge cells can dominate
    for col, i in enumerate(idx):
        im_u = axes[0, col].imshow(u[i].T, origin="lower", cmap="viridis", vmin=u_lim[0], vmax=u_lim[1])
        im_r = axes[1, col].imshow(R[i].T, origin="lower", cmap="coolwarm", vmin=-r_lim, vmax=r_lim)
        axes[0, col].set_title(f"u at t = {float(trajectory.times[i]):.3g}", fontsize=9)
        axes[1, col].set_title(f"R at t = {float(trajectory.times[i]):.3g}", fontsize=9)
        for row in (0, 1):
            axes[row, col].set_xticks([])
            axes[row, col].set_yticks([])
    fig.colorbar(im_u, ax=axes[0, len(idx) - 1], fraction=0.046)
    fig.colorbar(im_r, ax=axes[1, len(idx) - 1], fraction=0.046)
    col = len(idx)
    t = _np(trajectory.times)
    axes[0, col].loglog(t[1:], np.maximum(_np(trajectory.max_abs_curvature)[1:], 1e-16), "o-")
    axes[0, col].set(title="max |R| (t > 0)", xlabel="t")
    area = _np(trajectory.area)
    axes[1, col].semilogx(t[1:], area[1:] / area[0] - 1, "o-")
    axes[1, col].set(title="relative area change", xlabel="t")
    if kappa is not None:
        im_k = axes[0, col + 1].imshow(_np(kappa).T, origin="lower", cmap="magma")
        axes[0, col + 1].set_title("κ(g) dropped by the fit", fontsize=9)
        axes[0, col + 1].set_xticks([])
        axes[0, col + 1].set_yticks([])
        fig.colorbar(im_k, ax=axes[0, col + 1], fraction=0.046)
        axes[1, col + 1].axis("off")
    fig.tight_layout()
    return fig


def training_trajectory_figure(extra: Sequence[dict], labels: Sequence[str] = (), first_epoch: int = 1):
    """Per-epoch curvature probe of one or more runs (``history.extra``, optionally preceded by the probe of the
    starting model, then ``first_epoch=0``): authors' ∫R² estimator and median κ(g)."""
    runs = [extra] if extra and isinstance(extra[0], dict) else list(extra)
    fig, axes = plt.subplots(1, 2, figsize=(8.4, 3.2))
    for k, run in enumerate(runs):
        epochs = np.arange(first_epoch, first_epoch + len(run))
        name = labels[k] if k < len(labels) else None
        axes[0].semilogy(epochs, [max(r["curv_authors"], 1e-16) for r in run], "o-", label=name)
        axes[1].plot(epochs, [r["median_kappa"] for r in run], "o-", label=name)
    axes[0].set(xlabel="fine-tuning epoch", ylabel="mean R²√det g (probe)", title="∫R² dμ (authors' estimator)")
    axes[1].set(xlabel="fine-tuning epoch", ylabel="median κ(g)", title="metric anisotropy")
    if labels:
        axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def format_summary(table, metrics: Sequence[str], digits: int = 3):
    """The :func:`~latent_geometry.experiments.ch2.recipe.summary_table` as strings "mean [low, high]" per metric."""
    import pandas as pd

    cells = {m: [f"{r[m]:.{digits}g} [{r[m + '_low']:.{digits}g}, {r[m + '_high']:.{digits}g}]"
                 for _, r in table.iterrows()] for m in metrics}
    out = pd.DataFrame(cells, index=table.index)
    out.insert(0, "seeds", table["n_seeds"].astype(int))
    return out


def tradeoff_figure(results: Sequence[dict], x: str = "curv_authors", y: str = "recon_R2", title: str = ""):
    """Reconstruction–curvature trade-off: one point per λ_curv (``results`` rows with "lam", x and y)."""
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    xs = [max(r[x], 1e-16) for r in results]
    ax.semilogx(xs, [r[y] for r in results], "o-")
    for r, xv in zip(results, xs):
        ax.annotate(f"λ={r['lam']:g}", (xv, r[y]), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set(xlabel=x, ylabel=y, title=title)
    fig.tight_layout()
    return fig
