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


def flow_figure(trajectory: RicciFlowTrajectory, kappa=None, n_show: int = 3, crop: tuple | None = None):
    """Rows: the conformal factor u of ``n_show`` snapshots of the flow (common colour scale), R of the same
    snapshots, then max |R| and the relative area change against t and — with ``kappa`` — the anisotropy κ(g) that
    the conformal fit dropped. ``crop`` = (n1, n2) shows only u[:n1, :n2] (the original box of an even extension)."""
    idx = np.unique(np.linspace(0, len(trajectory.times) - 1, n_show).round().astype(int))
    u = _np(trajectory.u)
    R = _np(conformal_scalar_curvature(trajectory.u, trajectory.length))
    if crop is not None:
        u, R = u[:, : crop[0], : crop[1]], R[:, : crop[0], : crop[1]]
    cols = max(len(idx), 3)
    fig, axes = plt.subplots(3, cols, figsize=(3.6 * cols, 10.5), squeeze=False)
    u_lim = (u.min(), u.max())
    r_lim = np.percentile(np.abs(R[idx[0]]), 98) or 1.0  # robust scale: a few cells can dominate
    for col, i in enumerate(idx):
        im_u = axes[0, col].imshow(u[i].T, origin="lower", cmap="viridis", vmin=u_lim[0], vmax=u_lim[1])
        im_r = axes[1, col].imshow(R[i].T, origin="lower", cmap="coolwarm", vmin=-r_lim, vmax=r_lim)
        axes[0, col].set_title(f"u at t = {float(trajectory.times[i]):.3g}", fontsize=10)
        axes[1, col].set_title(f"R at t = {float(trajectory.times[i]):.3g}", fontsize=10)
        for row in (0, 1):
            axes[row, col].set_xticks([])
            axes[row, col].set_yticks([])
    fig.colorbar(im_u, ax=axes[0, len(idx) - 1], fraction=0.046)
    fig.colorbar(im_r, ax=axes[1, len(idx) - 1], fraction=0.046)
    t = _np(trajectory.times)
    axes[2, 0].loglog(t[1:], np.maximum(_np(trajectory.max_abs_curvature)[1:], 1e-16), "o-")
    axes[2, 0].set(title="max |R| (t > 0)", xlabel="t")
    area = _np(trajectory.area)
    axes[2, 1].semilogx(t[1:], area[1:] / area[0] - 1, "o-")
    axes[2, 1].set(title="relative area change", xlabel="t")
    if kappa is not None:
        im_k = axes[2, 2].imshow(_np(kappa).T, origin="lower", cmap="magma")
        axes[2, 2].set_title("κ(g) dropped by the conformal fit", fontsize=10)
        axes[2, 2].set_xticks([])
        axes[2, 2].set_yticks([])
        fig.colorbar(im_k, ax=axes[2, 2], fraction=0.046)
    else:
        axes[2, 2].axis("off")
    for col in range(3, cols):
        axes[2, col].axis("off")
    fig.tight_layout()
    return fig


def tradeoff_curves(study, dataset: str, functionals: Sequence[str], metrics: Sequence[tuple[str, str]],
                    calibration=None):
    """One panel per ``(metric, label)``: the seed-mean of ``metric`` against the sweep scale c for each functional,
    with 95 % t-intervals over seeds as error bars, and the baseline's interval as a grey band. ``metric``
    ``"own_ratio"`` is each functional's own grid estimate after / before (log scale)."""
    from latent_geometry.experiments.statistics import t_interval

    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.4), squeeze=False)
    for ax, (metric, label) in zip(axes[0], metrics):
        if metric != "own_ratio":
            base = study.interval(dataset, "baseline", metric)
            ax.axhspan(base.low, base.high, color="0.85", label="baseline (λ = 0)")
        for functional in functionals:
            runs = [n for n in study.names(dataset, group="torus") if study.runs(dataset, n)[0].functional ==
                    functional]
            scales, means, errs = [], [], []
            for name in runs:
                finished = study.finished(dataset, name)
                if len(finished) < 2:
                    continue  # fewer than two seeds finished: no interval (the tables count the diverged ones)
                if metric == "own_ratio":
                    values = [np.log10(abs(r.metrics[f"curv_{functional}"] / calibration[(r.seed, functional)]))
                              for r in finished]
                else:
                    values = study.values(dataset, name, metric)
                iv = t_interval(values)
                scales.append(study.runs(dataset, name)[0].scale)
                means.append(iv.mean)
                errs.append(iv.half_width)
            ax.errorbar(scales, means, yerr=errs, marker="o", capsize=3, label=functional)
        ax.set_xscale("log")
        ax.set(xlabel="sweep scale c (λ = c · recon / L(baseline))", title=label)
        if metric == "own_ratio":
            ax.set_ylabel("log10 own estimate after / before")
    axes[0, 0].legend(fontsize=8)
    fig.tight_layout()
    return fig
