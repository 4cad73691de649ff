"""Figures for the search-space part of chapter 1 (seed 000, Table 1, Fig. 1, §3.3). Each returns a Figure."""

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import torch

from latent_geometry.manifolds import ModelSpace

# seed 000, Fig. 1 caption: grey = sizes differ, red = E2–H2, blue = S2–H2, black = E2–S2
EDGE_COLOURS = {"resize": "0.7", "E2-H2": "tab:red", "S2-H2": "tab:blue", "E2-S2": "black"}
EDGE_LABELS = {"resize": "sizes differ (grey)", "E2-H2": r"$d_{GH}(E^2,H^2)$ (red)",
               "S2-H2": r"$d_{GH}(S^2,H^2)$ (blue)", "E2-S2": r"$d_{GH}(E^2,S^2)$ (black)"}


def _edge_key(data: Mapping) -> str:
    return "resize" if data["kind"] == "resize" else data["pair"]


def exp_map_figure(radii: Sequence[float] = (0.5, 1.0, 1.5, 2.0), n_rays: int = 12):
    """Images of polar grids of tangent vectors u ∈ R² under exp at the base point of E², S², H² (seed 000, Table 1).

    Circles ‖u‖ = r and rays through 0 are mapped by :class:`latent_geometry.manifolds.ModelSpace` ``expmap0``
    (K = 0, +1, −1) onto the plane, the unit sphere and the hyperboloid ⟨x,x⟩_L = −1 in R³ (time coordinate x₀
    drawn vertically).
    """
    t = torch.linspace(0, 2 * np.pi, 200, dtype=torch.float64)
    s = torch.linspace(0, max(radii), 100, dtype=torch.float64)
    circles = [r * torch.stack([t.cos(), t.sin()], -1) for r in radii]
    angles = torch.linspace(0, 2 * np.pi, n_rays + 1, dtype=torch.float64)[:-1]
    rays = [s[:, None] * torch.stack([a.cos(), a.sin()]) for a in angles]
    fig = plt.figure(figsize=(11, 3.8))
    for i, (k, title) in enumerate(((0, r"$\mathbb{E}^2$"), (1, r"$\mathbb{S}^2$ ($K=1$)"),
                                    (-1, r"$\mathbb{H}^2$ ($K=-1$)"))):
        ax = fig.add_subplot(1, 3, i + 1, projection="3d")
        space = ModelSpace(k)
        for j, curve in enumerate(circles + rays):
            x = space.expmap0(curve).numpy()
            x = np.column_stack([np.zeros(len(x)), x]) if k == 0 else x  # plane drawn at height 0
            colour = plt.cm.viridis(j / max(1, len(radii) - 1)) if j < len(radii) else "0.5"
            ax.plot(x[:, 1], x[:, 2], x[:, 0], color=colour, lw=1.2 if j < len(radii) else 0.6)
        o = space.origin(torch.float64).numpy()
        o = np.concatenate([[0.0], o]) if k == 0 else o
        ax.scatter([o[1]], [o[2]], [o[0]], color="k", s=15)
        ax.set_title(title)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_zlabel("$x_0$")
    fig.tight_layout()
    return fig


def radial_profile_figure(max_norm: float = 2 * np.pi):
    """Distance from the base point reached by exp(u), against ‖u‖: ours (exactly ‖u‖ on S up to π, on H and E
    everywhere) beside the norm of the authors' code's 2-D outputs (sin‖u‖, sinh‖u‖; not seed 000's Table 1 maps)."""
    r = torch.linspace(0, max_norm, 400, dtype=torch.float64)
    u = torch.stack([r, torch.zeros_like(r)], -1)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
    for ax, k, name, code in ((axes[0], 1, "S2", torch.sin), (axes[1], -1, "H2", torch.sinh)):
        space = ModelSpace(k)
        d = space.dist(space.origin(torch.float64), space.expmap0(u)).numpy()
        ax.plot(r, d, label=r"ours: $d(o, \exp_o u)$")
        ax.plot(r, code(r).abs().numpy(), "--", label="authors' code: output norm")
        ax.set(xlabel=r"$\|u\|$", title=name)
        if k == -1:
            ax.set_yscale("symlog", linthresh=1.0)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def search_space_figure(graphs: Mapping[int, nx.Graph], seed: int = 0, ncols: int = 3):
    """The seed's Fig. 1: one panel per n_p with edges coloured by :data:`EDGE_COLOURS` (spring layout, seeded)."""
    n = len(graphs)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 4.0 * nrows), squeeze=False)
    for ax, (n_p, graph) in zip(axes.flat, graphs.items()):
        pos = nx.spring_layout(graph, seed=seed)
        for key in EDGE_COLOURS:  # grey first, so coloured edges lie on top
            edges = [(a, b) for a, b, d in graph.edges(data=True) if _edge_key(d) == key]
            nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, edge_color=EDGE_COLOURS[key],
                                   width=0.4 if n_p > 10 else 0.8, alpha=0.8)
        nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=max(1.0, 120 / n_p**1.5), node_color="tab:orange")
        ax.set_title(f"$n_p = {n_p}$: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
        ax.axis("off")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles = [plt.Line2D([], [], color=c, label=EDGE_LABELS[k]) for k, c in EDGE_COLOURS.items()]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def spectrum_figure(spectra: Mapping[str, np.ndarray], ylabel: str = r"eigenvalue of $L_{\mathrm{sym}}$"):
    """Sorted eigenvalues of several Laplacians on one axis (index on x)."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for label, vals in spectra.items():
        ax.plot(np.arange(len(vals)), vals, ".-", ms=4, lw=0.8, label=label)
    ax.set(xlabel="index", ylabel=ylabel)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def fiedler_figure(vectors: Mapping[str, np.ndarray], features: Mapping[str, np.ndarray]):
    """Fiedler-vector entries against node features: one row per graph, one column per feature (jittered x)."""
    rows, cols = list(vectors), list(features)
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(3.3 * len(cols), 2.8 * len(rows)), squeeze=False)
    rng = np.random.default_rng(0)  # jitter only
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            x = features[col] + rng.uniform(-0.02, 0.02, size=len(features[col])) * np.ptp(features[col])
            axes[i, j].scatter(x, vectors[row], s=10, c=features["n_components"] if "n_components" in features
                               else None, cmap="viridis")
            axes[i, j].set(xlabel=col, ylabel=f"Fiedler entry\n({row})" if j == 0 else None)
    fig.tight_layout()
    return fig


def mixing_figure(curves: Mapping[str, np.ndarray], eps: float = 0.25):
    """Worst-case total-variation distance to π against the number of steps, log scale, with the ε level."""
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    for label, d in curves.items():
        ax.semilogy(np.arange(len(d)), d, label=label)
    ax.axhline(eps, color="0.5", ls=":", label=rf"$\varepsilon = {eps}$")
    ax.set(xlabel="steps $t$", ylabel=r"$\max_x \|P^t(x,\cdot)-\pi\|_{TV}$")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def hitting_time_figure(rows: Sequence[Mapping]):
    """Expected evaluations to first reach the target per strategy: exact or closed form (bar) and simulation (±2 se).

    ``rows``: mappings with ``strategy``, ``exact`` (nan if none), ``simulated`` and ``sem``.
    """
    fig, ax = plt.subplots(figsize=(7, 3.4))
    x = np.arange(len(rows))
    ax.bar(x, [r["exact"] for r in rows], color="0.8", label="exact / closed form")
    ax.errorbar(x, [r["simulated"] for r in rows], yerr=[2 * r["sem"] for r in rows], fmt="o", color="tab:red",
                label="simulated ± 2 se")
    ax.set_xticks(x, [r["strategy"] for r in rows], rotation=25, ha="right")
    ax.set_ylabel("evaluations to hit target")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
