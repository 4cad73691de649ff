"""Gaussian-process Bayesian optimization on the nodes of a search-space graph (COMBO-style, NLGS's method).

Model (``oh2019combo``; ``kondor2002diffusion``; ``borde2023nlgs``): a GP on the N nodes with the diffusion (heat)
kernel K_β = exp(−βL), L = D − W the graph Laplacian, scaled to unit mean diagonal (trace K_β = N). Observations
y at distinct nodes V (|V| = t) are standardized with their mean m and standard deviation s (ddof = 1; s = 1 when
t < 2 or the values are equal), so the prior is y ~ N(m·1, s²(K_VV + σ²I)): constant mean = mean of the
observations, noise σ² in standardized units. Closed forms (Rasmussen & Williams 2006, eqs. 2.25–2.26, 2.30), with
ỹ = (y − m)/s and A = K_VV + σ²I = LLᵀ:

    μ(x)  = m + s · K_xV A⁻¹ ỹ,        var(x) = s² (K_xx − K_xV A⁻¹ K_Vx)   (latent f, no noise)
    log p(y) = −½ ỹᵀA⁻¹ỹ − Σ log L_ii − t log s − (t/2) log 2π

Expected improvement for minimization (``jones1998ego``), f* = min y, σ = √var:
EI = (f* − μ) Φ(z) + σ φ(z), z = (f* − μ)/σ; next query = argmax EI over the unvisited nodes (ties at random).
β and σ² maximize log p(y) over the grid :data:`BETAS` × :data:`NOISES` at every step.

:func:`gp_posterior`, :func:`log_marginal_likelihood` and :func:`expected_improvement` are the single-run closed
forms (the test oracles' counterparts); :func:`batched_bayes_opt` runs many independent BO runs in lock-step, by hand
rather than with BoTorch because one step of 1,000 runs × 50 grid points is a single batched update there:
it grows the Cholesky factor of every run and grid point by one row per step (O(tN) each) and keeps
M = L⁻¹A_{V,:}, from which the posterior at every node is a dot product. :func:`bayes_opt` is the same algorithm
as a strategy ``(graph, objective, budget, rng) -> SearchResult`` for any objective.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import networkx as nx
import numpy as np
import torch
from scipy.linalg import cho_factor, cho_solve
from scipy.stats import norm

from latent_geometry._util.checks import check_choice, check_int
from latent_geometry.search.spectral import laplacian, weight_matrix
from latent_geometry.search.walks import Objective, SearchResult, _as_collection, _node

BETAS = tuple(float(b) for b in np.geomspace(0.01, 10.0, 10))
"""Grid of diffusion times β (10 values log-spaced in [0.01, 10]): K → I at β → 0, K → 11ᵀ at β → ∞."""
NOISES = (1e-3, 1e-2, 0.1, 0.3, 1.0)
"""Grid of observation-noise variances σ², in units of the observations' variance (after standardization)."""
WEIGHTINGS = ("gh", "unit", "shuffled")
"""Edge weights of the Laplacian: the graph's GH weights 1/d_GH, 1 per edge, or the GH weights permuted over edges."""

_VAR_FLOOR = 1e-12


def diffusion_kernel(W: np.ndarray, beta) -> np.ndarray:
    """K_β = exp(−βL) / mean(diag exp(−βL)), L = D − W (``kondor2002diffusion``), via ``eigh`` of L.

    ``beta``: a number (returns (N, N)) or a sequence of B numbers (returns (B, N, N)); β ≥ 0.
    """
    betas = np.atleast_1d(np.asarray(beta, dtype=np.float64))
    if betas.ndim != 1 or not np.all(np.isfinite(betas)) or np.any(betas < 0):
        raise ValueError(f"beta must be a finite number >= 0 or a 1-D sequence of them, got {beta!r}")
    lam, U = np.linalg.eigh(laplacian(W))
    K = np.einsum("ik,bk,jk->bij", U, np.exp(-betas[:, None] * lam[None, :]), U)  # oh2019combo: Σ e^{−βλ} u uᵀ
    K = 0.5 * (K + np.swapaxes(K, 1, 2))
    K /= np.einsum("bii->b", K)[:, None, None] / K.shape[1]  # unit mean diagonal
    return K[0] if np.ndim(beta) == 0 else K


def _diffusion_kernels(W: np.ndarray, betas: np.ndarray) -> np.ndarray:
    """:func:`diffusion_kernel` for a stack of weight matrices (R, N, N) at once: (R, B, N, N)."""
    deg = W.sum(-1)
    lam, U = np.linalg.eigh(deg[:, :, None] * np.eye(W.shape[-1]) - W)  # L = D − W per matrix
    K = (U[:, None] * np.exp(-betas[None, :, None, None] * lam[:, None, None, :])) @ np.swapaxes(U, -1, -2)[:, None]
    K = 0.5 * (K + np.swapaxes(K, -1, -2))
    return K / (np.einsum("rbii->rb", K) / K.shape[-1])[..., None, None]


def shuffled_weight_matrix(graph: nx.Graph, rng: np.random.Generator) -> np.ndarray:
    """W with the graph's edge weights randomly permuted over its edges (same edges, same multiset of weights)."""
    nodes = list(graph)
    index = {s: i for i, s in enumerate(nodes)}
    edges = list(graph.edges(data="weight"))
    weights = rng.permutation(np.array([w for _, _, w in edges], dtype=np.float64))
    W = np.zeros((len(nodes), len(nodes)))
    for (a, b, _), w in zip(edges, weights):
        W[index[a], index[b]] = W[index[b], index[a]] = w
    return W


def _standardize(y: np.ndarray) -> tuple[float, float]:
    m = float(np.mean(y))
    s = float(np.std(y, ddof=1)) if y.size >= 2 else 1.0
    return m, (s if s > 0 else 1.0)


def _check_observations(K, observed, y, noise):
    K = np.asarray(K, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be a square (N, N) kernel matrix, got shape {K.shape}")
    observed = np.asarray(observed, dtype=np.int64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if observed.size == 0 or observed.size != y.size:
        raise ValueError(f"observed and y must be non-empty and of equal length, got {observed.size} and {y.size}")
    if np.unique(observed).size != observed.size or observed.min() < 0 or observed.max() >= K.shape[0]:
        raise ValueError(f"observed must hold distinct node indices in [0, {K.shape[0] - 1}], got {observed}")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite (no NaN or inf observations)")
    if not (isinstance(noise, (int, float, np.floating)) and math.isfinite(noise) and noise > 0):
        raise ValueError(f"noise (observation variance σ², standardized units) must be a finite number > 0, "
                         f"got {noise!r}")
    return K, observed, y, float(noise)


def gp_posterior(K: np.ndarray, observed, y, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and latent variance at every node, shapes (N,), (N,) (closed form in the module docstring).

    ``K`` (N, N) prior kernel, ``observed`` (t,) distinct node indices, ``y`` (t,) their values, ``noise`` σ².
    """
    K, observed, y, noise = _check_observations(K, observed, y, noise)
    m, s = _standardize(y)
    factor = cho_factor(K[np.ix_(observed, observed)] + noise * np.eye(observed.size), lower=True)
    Kx = K[observed, :]
    mean = m + s * Kx.T @ cho_solve(factor, (y - m) / s)  # R&W eq. 2.25
    var = s**2 * (np.diag(K) - np.einsum("tn,tn->n", Kx, cho_solve(factor, Kx)))  # R&W eq. 2.26
    return mean, np.maximum(var, 0.0)


def log_marginal_likelihood(K: np.ndarray, observed, y, noise: float) -> float:
    """log N(y; m·1, s²(K_VV + σ²I)) with m, s the observations' mean and std (R&W eq. 2.30)."""
    K, observed, y, noise = _check_observations(K, observed, y, noise)
    m, s = _standardize(y)
    L = np.linalg.cholesky(K[np.ix_(observed, observed)] + noise * np.eye(observed.size))
    z = np.linalg.solve(L, (y - m) / s)
    t = observed.size
    return float(-0.5 * z @ z - np.log(np.diag(L)).sum() - t * math.log(s) - 0.5 * t * math.log(2 * math.pi))


def expected_improvement(mean, std, best_f: float) -> np.ndarray:
    """EI for minimization, (f* − μ)Φ(z) + σφ(z), z = (f* − μ)/σ (``jones1998ego``); max(f* − μ, 0) where σ = 0."""
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    if np.any(std < 0) or not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and math.isfinite(best_f)):
        raise ValueError("mean, std and best_f must be finite and std >= 0")
    gap = best_f - mean
    safe = np.where(std > 0, std, 1.0)
    z = gap / safe
    return np.where(std > 0, gap * norm.cdf(z) + safe * norm.pdf(z), np.maximum(gap, 0.0))


def _expected_improvement_t(mean: torch.Tensor, std: torch.Tensor, best_f: torch.Tensor) -> torch.Tensor:
    gap = best_f - mean
    z = gap / std
    return gap * torch.special.ndtr(z) + std * torch.exp(-0.5 * z**2) / math.sqrt(2 * math.pi)  # jones1998ego


def _check_grid(values, name: str, positive: bool) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0 if positive else arr < 0):
        raise ValueError(f"{name} must be a non-empty sequence of finite numbers {'> 0' if positive else '>= 0'}, "
                         f"got {values!r}")
    return arr


def _graph_weights(graph: nx.Graph, weights: str, n_runs: int, rng: np.random.Generator) -> np.ndarray:
    """(1 or n_runs, N, N) weight matrices for ``weights`` in :data:`WEIGHTINGS` (one shuffle per run)."""
    check_choice(weights, "weights", WEIGHTINGS)
    if weights == "shuffled":
        return np.stack([shuffled_weight_matrix(graph, rng) for _ in range(n_runs)])
    return weight_matrix(graph, weights == "gh")[None]


def batched_bayes_opt(W: np.ndarray, evaluate: Callable[[np.ndarray, np.ndarray], np.ndarray], n_runs: int,
                      budget: int, rng: np.random.Generator, *, n_initial: int = 2, betas=BETAS, noises=NOISES,
                      chunk_size: int | None = None, return_trace: bool = False):
    """``n_runs`` independent GP-BO runs in lock-step on the nodes of one graph.

    ``W``: (N, N) weight matrix shared by all runs, or (n_runs, N, N), one per run. ``evaluate(runs, nodes)``
    returns the (R,) observed values of node ``nodes[i]`` for run ``runs[i]`` (global run indices). Each run
    evaluates ``n_initial`` distinct uniform random nodes, then the argmax-EI unvisited node until ``budget``
    (≤ N) distinct nodes are evaluated. Returns ``nodes`` (n_runs, budget) int64 and ``values`` (n_runs, budget);
    with ``return_trace`` also ``grid`` (n_runs, budget) — the index b·len(noises) + s of the (β_b, σ²_s) chosen
    after that many observations (−1 before the last step is chosen by EI) — for tests.
    """
    W = np.asarray(W, dtype=np.float64)
    n_runs = check_int(n_runs, "n_runs", low=1)
    if W.ndim == 2:
        W = W[None]
    if W.ndim != 3 or W.shape[1] != W.shape[2] or W.shape[0] not in (1, n_runs):
        raise ValueError(f"W must have shape (N, N) or (n_runs, N, N), got {W.shape}")
    N = W.shape[1]
    budget = check_int(budget, "budget (distinct evaluations; BO never repeats a node)", low=1, high=N)
    n_initial = check_int(n_initial, "n_initial (random nodes before the GP is used)", low=1, high=N)
    betas, noises = _check_grid(betas, "betas", False), _check_grid(noises, "noises", True)
    if not callable(evaluate):
        raise TypeError("evaluate must be callable (runs, nodes) -> values")
    n_grid = betas.size * noises.size
    if chunk_size is None:
        chunk_size = max(1, int(1.5e7 // (n_grid * N * N)))  # M of one chunk ≈ 120 MB in float64
    kernels = _diffusion_kernels(W, betas)  # (1 or R, B, N, N)
    nodes = np.empty((n_runs, budget), dtype=np.int64)
    values = np.empty((n_runs, budget))
    grid = np.full((n_runs, budget), -1, dtype=np.int64)
    for lo in range(0, n_runs, chunk_size):
        rows = slice(lo, min(n_runs, lo + chunk_size))
        K = torch.from_numpy(kernels if kernels.shape[0] == 1 else kernels[rows])
        _bo_chunk(K, torch.tensor(noises), np.arange(n_runs)[rows], evaluate, budget, n_initial, rng,
                  nodes[rows], values[rows], grid[rows])
    return (nodes, values, grid) if return_trace else (nodes, values)


def _bo_chunk(K, noises, runs, evaluate, budget, n_initial, rng, nodes_out, values_out, grid_out):
    """One chunk of runs; writes into the row views ``nodes_out``, ``values_out``, ``grid_out``.

    Columns are kept per run in an order ``perm`` with the N − t unvisited nodes first, so each step only touches
    unvisited columns (Σ_t t(N − t) ≈ N³/6 multiply-adds per run and grid point instead of N³/2).
    """
    R, (_, B, N, _), S = runs.size, K.shape, noises.numel()
    G = B * S
    dt = torch.float64
    per_run = K.shape[0] == R
    kidx = torch.arange(R) if per_run else torch.zeros(R, dtype=torch.long)
    noise_g = noises.repeat(B)  # grid point g = b·S + s has noise σ²_s and kernel K_b
    kdiag = torch.diagonal(K, dim1=-2, dim2=-1)  # (1 or R, B, N)
    M = torch.empty(R, G, budget, N, dtype=dt)  # rows of L⁻¹ A_{V,perm}, A = K_b + σ²_s I, A_VV = LLᵀ
    a = torch.empty(R, G, budget, dtype=dt)  # L⁻¹ y
    b1 = torch.empty(R, G, budget, dtype=dt)  # L⁻¹ 1
    logdet_half = torch.zeros(R, G, dtype=dt)  # Σ log L_ii
    colsq = torch.zeros(R, G, N, dtype=dt)  # ‖L⁻¹ K_{V,i}‖² for unvisited i
    perm = torch.arange(N).repeat(R, 1)  # perm[r, c]: node in column c
    pos = perm.clone()  # pos[r, node]: its column
    y_obs = torch.empty(R, budget, dtype=dt)
    ridx = torch.arange(R)
    first = np.argsort(rng.random((R, N)), axis=1)[:, :n_initial]  # n_initial distinct uniform nodes per run
    nodes, vals, grids = np.empty((R, budget), np.int64), np.empty((R, budget)), np.full((R, budget), -1, np.int64)
    for t in range(budget):
        last = N - 1 - t  # column the new node moves to; columns [0, last) stay unvisited
        if t < n_initial:
            j = torch.from_numpy(first[:, t].copy())
        else:
            kd = torch.gather(kdiag[kidx], 2, perm[:, None, :last + 1].expand(R, B, last + 1))
            c_best, g_best = _next_by_ei(M[:, :, :t, :last + 1], a[:, :, :t], b1[:, :, :t], logdet_half,
                                         colsq[:, :, :last + 1], kd, y_obs[:, :t], S, rng)
            j = perm[ridx, c_best]
            grids[:, t - 1] = g_best.numpy()
        y = torch.as_tensor(np.asarray(evaluate(runs, j.numpy()), dtype=np.float64).reshape(R))
        if not torch.all(torch.isfinite(y)):
            raise ValueError("evaluate returned a non-finite value (NaN or inf)")
        nodes[:, t], vals[:, t] = j.numpy(), y.numpy()
        c = pos[ridx, j]  # swap column c (node j) with column `last`
        other = perm[:, last].clone()
        perm[ridx, c], perm[:, last] = other, j
        pos[ridx, other], pos[ridx, j] = c, last
        if t:
            Mc = M[ridx, :, :t, c].clone()
            M[ridx, :, :t, c] = M[:, :, :t, last]
            M[:, :, :t, last] = Mc
        cc = colsq[ridx, :, c].clone()
        colsq[ridx, :, c] = colsq[:, :, last]
        colsq[:, :, last] = cc
        # grow the Cholesky factor of A_VV by one row for every run and grid point
        l = M[:, :, :t, last].contiguous()  # (R, G, t) = L⁻¹ A_{V,j}; contiguous: 3× faster matmul
        krow = torch.gather(K[kidx, :, j, :], 2, perm[:, None, :last].expand(R, B, last))  # K_{j, unvisited}
        d = torch.sqrt(torch.clamp(kdiag[kidx, :, j].repeat_interleave(S, 1) + noise_g - (l * l).sum(-1),
                                   min=_VAR_FLOOR))  # new diagonal entry of L
        a[:, :, t] = (y[:, None] - (l * a[:, :, :t]).sum(-1)) / d
        b1[:, :, t] = (1.0 - (l * b1[:, :, :t]).sum(-1)) / d
        logdet_half += torch.log(d)
        if last:
            arow = krow.repeat_interleave(S, 1)  # (R, G, last)
            if t:
                arow = arow - torch.matmul(l.unsqueeze(-2), M[:, :, :t, :last]).squeeze(-2)
            new_row = arow / d[..., None]
            M[:, :, t, :last] = new_row
            colsq[:, :, :last] += new_row * new_row
        y_obs[:, t] = y
    nodes_out[:], values_out[:], grid_out[:] = nodes, vals, grids


def _next_by_ei(M, a, b1, logdet_half, colsq, kdiag, y, S, rng):
    """Per run: the grid point of largest log marginal likelihood, then the column (unvisited node) of largest EI.

    ``M`` (R, G, t, U), ``colsq`` (R, G, U) and ``kdiag`` (R, B, U) hold only the U unvisited columns.
    """
    R, G, t, U = M.shape
    m = y.mean(-1)
    s = y.std(-1, unbiased=True) if t >= 2 else torch.ones(R, dtype=y.dtype)
    s = torch.where(s > 0, s, torch.ones_like(s))
    z = (a - m[:, None, None] * b1) / s[:, None, None]  # L⁻¹ ỹ
    lml = -0.5 * (z * z).sum(-1) - logdet_half - t * torch.log(s)[:, None]  # − (t/2) log 2π is common to all g
    g = torch.argmax(lml, dim=1)  # (R,)
    ridx = torch.arange(R)
    mean = m[:, None] + s[:, None] * torch.matmul(z[ridx, g].unsqueeze(-2), M[ridx, g]).squeeze(-2)
    var = s[:, None] ** 2 * torch.clamp(kdiag[ridx, g // S] - colsq[ridx, g], min=_VAR_FLOOR)
    ei = torch.clamp(_expected_improvement_t(mean, torch.sqrt(var), y.min(-1).values[:, None]), min=0.0)
    top = ei >= ei.max(-1, keepdim=True).values * (1 - 1e-12)  # ties broken uniformly at random
    key = torch.where(top, torch.from_numpy(rng.random((R, U))), torch.tensor(-1.0, dtype=torch.float64))
    return torch.argmax(key, dim=1), g


def bayes_opt(graph: nx.Graph, objective: Objective, budget: int, rng: np.random.Generator, *,
              weights: str = "gh", n_initial: int = 2, betas=BETAS, noises=NOISES, stop_at=None) -> SearchResult:
    """GP-BO with the diffusion kernel on ``graph`` for any ``objective`` (signature -> float, lower is better).

    ``weights``: ``"gh"`` (the edges' ``weight``, 1/d_GH), ``"unit"`` or ``"shuffled"`` (GH weights permuted over
    the edges). Evaluates at most min(budget, N) distinct nodes (never one twice); ``stop_at`` (signatures) ends the
    run after one of them is evaluated. Same algorithm as :func:`batched_bayes_opt` with one run.
    """
    if not isinstance(graph, nx.Graph) or graph.number_of_nodes() == 0:
        raise ValueError("graph must be a non-empty networkx.Graph (see search_space.search_space)")
    if not callable(objective):
        raise TypeError(f"objective must be callable signature -> float, got {type(objective).__name__}")
    budget = check_int(budget, "budget (maximum number of evaluations)", low=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    nodes = list(graph)
    stop = None if stop_at is None else {_node(graph, s) for s in _as_collection(stop_at)}
    seen: list[tuple[tuple[int, ...], float]] = []

    class _Stop(Exception):
        pass

    def evaluate(_runs, idx):
        sig = nodes[int(idx[0])]
        value = float(objective(sig))
        if math.isnan(value):
            raise ValueError(f"objective returned NaN for signature {sig}")
        seen.append((sig, value))
        if stop is not None and sig in stop:
            raise _Stop
        return np.array([value])

    W = _graph_weights(graph, weights, 1, rng)
    try:
        batched_bayes_opt(W, evaluate, 1, min(budget, len(nodes)), rng, n_initial=min(n_initial, len(nodes)),
                          betas=betas, noises=noises)
    except _Stop:
        pass
    return SearchResult(f"bayes_opt(weights={weights!r})", tuple(s for s, _ in seen),
                        np.array([v for _, v in seen], dtype=np.float64))


__all__ = ["BETAS", "NOISES", "WEIGHTINGS", "batched_bayes_opt", "bayes_opt", "diffusion_kernel",
           "expected_improvement", "gp_posterior", "log_marginal_likelihood", "shuffled_weight_matrix"]
