"""Figures shared by the chapters. Each function returns a matplotlib Figure (the chapter glues or shows it)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from latent_geometry.learning.training import History


def history_figure(history: History, term: str = "loss", title: str | None = None, log: bool = True):
    """Per-epoch training (and validation) curve of one objective term."""
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    epochs = np.arange(1, len(history.train) + 1)
    ax.plot(epochs, history.curve(term, "train"), "o-", label="training")
    if history.val:
        ax.plot(epochs, history.curve(term, "val"), "s--", label="validation")
    ax.set(xlabel="epoch", ylabel=term, title=title or f"{term} per epoch")
    if log:
        ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    return fig


@torch.no_grad()
def reconstruction_figure(model, x: torch.Tensor, n: int = 8):
    """Top row: ``n`` inputs (B, 1, H, W); bottom row: their reconstructions."""
    model.eval()
    x = x[:n]
    x_hat, _ = model(x)
    fig, axes = plt.subplots(2, len(x), figsize=(1.1 * len(x), 2.4))
    for i in range(len(x)):
        for row, img in enumerate((x[i], x_hat[i])):
            axes[row, i].imshow(img.squeeze(0).cpu().numpy(), cmap="gray", vmin=0, vmax=1)
            axes[row, i].axis("off")
    axes[0, 0].set_title("input", loc="left", fontsize=9)
    axes[1, 0].set_title("reconstruction", loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def scatter_figure(points: np.ndarray, labels: np.ndarray | None = None, title: str = "", xlabel: str = "z1",
                   ylabel: str = "z2", ax=None):
    """2-D scatter coloured by integer label (e.g. digit class)."""
    points = np.asarray(points)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(4.2, 4))
    sc = ax.scatter(points[:, 0], points[:, 1], c=labels, cmap="tab10", s=4, alpha=0.8)
    if labels is not None:
        fig.colorbar(sc, ax=ax, ticks=np.unique(labels), fraction=0.046)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    return fig
