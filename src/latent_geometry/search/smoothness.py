"""Is a landscape f (one value per node) smooth on the search graph? Dirichlet energy and cluster spread, with nulls.

* Dirichlet energy ratio (``shuman2013signal``; seed 000 §3.3 for L): with L = D − W and C = I − 11ᵀ/N,

      E(f) = fᵀLf / fᵀCf = Σ_{i<j} w_ij (f_i − f_j)² / Σ_i (f_i − f̄)²,

  invariant to adding a constant to f and to scaling it; small E = neighbours have similar values. Its range is
  [λ₂, λ_N] of L. :func:`smoothness_test` compares it with the null of permuted node labels (f shuffled over the
  nodes), one-sided: p = (1 + #{E(πf) ≤ E(f)}) / (1 + n_perm) (Phipson & Smyth 2010).
* Cluster spread: the one-way ANOVA of f by cluster labels, SS_total = SS_between + SS_within,
  F = (SS_between / (k − 1)) / (SS_within / (N − k)), η² = SS_between / SS_total, with a permutation p-value
  (larger F = values more alike within clusters) beside the F-distribution one (``scipy.stats.f_oneway``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import f as f_dist

from latent_geometry._util.checks import check_int
from latent_geometry.search.spectral import laplacian


def _values(f, n: int | None = None, name: str = "f") -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    if f.ndim not in (1, 2) or f.shape[-1] < 2:
        raise ValueError(f"{name} must have shape (N,) or (P, N) with N >= 2 node values, got shape {f.shape}")
    if n is not None and f.shape[-1] != n:
        raise ValueError(f"{name} has {f.shape[-1]} values but the graph has {n} nodes")
    if not np.all(np.isfinite(f)):
        raise ValueError(f"{name} must be finite (no NaN or inf node values)")
    return f


def dirichlet_energy_ratio(f, W: np.ndarray) -> np.ndarray | float:
    """E(f) = fᵀLf / fᵀ(I − 11ᵀ/N)f for L = D − W; ``f`` (N,) -> float, (P, N) -> (P,). ValueError if f is constant."""
    L = laplacian(W)
    f = _values(f, L.shape[0])
    centred = f - f.mean(axis=-1, keepdims=True)
    denom = np.einsum("...i,...i->...", centred, centred)
    if np.any(denom <= 1e-300):
        raise ValueError("f is constant over the nodes: its Dirichlet energy ratio is undefined (0/0)")
    ratio = np.einsum("...i,ij,...j->...", centred, L, centred) / denom  # L1 = 0, so fᵀLf = (Cf)ᵀL(Cf)
    return float(ratio) if ratio.ndim == 0 else ratio


@dataclass(frozen=True)
class PermutationTest:
    """``observed`` statistic, the permutation null's ``null_mean`` and 95 % range ``null_low``–``null_high``
    (2.5 and 97.5 percentiles), the one-sided ``p_value`` and ``n_perm``."""

    observed: float
    null_mean: float
    null_low: float
    null_high: float
    p_value: float
    n_perm: int


def _permuted(f: np.ndarray, n_perm: int, rng: np.random.Generator) -> np.ndarray:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng.permuted(np.broadcast_to(f, (n_perm, f.size)), axis=1)


def _test(observed: float, null: np.ndarray, smaller_is_extreme: bool) -> PermutationTest:
    extreme = null <= observed if smaller_is_extreme else null >= observed
    low, high = np.percentile(null, [2.5, 97.5])
    return PermutationTest(float(observed), float(null.mean()), float(low), float(high),
                           float((1 + extreme.sum()) / (1 + null.size)), int(null.size))


def smoothness_test(f, W: np.ndarray, n_perm: int, rng: np.random.Generator) -> PermutationTest:
    """Dirichlet energy ratio of ``f`` (N,) under ``W`` against ``n_perm`` random relabellings of the nodes.

    p-value one-sided (smaller energy = smoother than chance).
    """
    f = _values(f)
    if f.ndim != 1:
        raise ValueError(f"f must have shape (N,), got {f.shape}")
    n_perm = check_int(n_perm, "n_perm", low=1)
    return _test(dirichlet_energy_ratio(f, W), dirichlet_energy_ratio(_permuted(f, n_perm, rng), W), True)


@dataclass(frozen=True)
class ClusterSpread:
    """One-way ANOVA of node values by cluster: sums of squares, ``f_stat``, ``eta_squared``, the F-distribution
    ``p_anova`` and the permutation test of F (``permutation``, one-sided: larger F = more alike within clusters).
    ``within_var`` = SS_within/(N − k) and ``between_var`` = SS_between/(k − 1) are the two mean squares."""

    n_clusters: int
    ss_within: float
    ss_between: float
    within_var: float
    between_var: float
    f_stat: float
    eta_squared: float
    p_anova: float
    permutation: PermutationTest


def _anova_f(f: np.ndarray, onehot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SS_between and SS_within for rows of f (P, N) and a (N, k) cluster indicator."""
    sizes = onehot.sum(axis=0)
    means = (f @ onehot) / sizes  # (P, k)
    grand = f.mean(axis=-1, keepdims=True)
    ss_between = ((means - grand) ** 2 * sizes).sum(axis=-1)
    ss_total = ((f - grand) ** 2).sum(axis=-1)
    return ss_between, np.maximum(ss_total - ss_between, 0.0)


def cluster_spread(f, labels, n_perm: int, rng: np.random.Generator) -> ClusterSpread:
    """Within- vs between-cluster spread of node values ``f`` (N,) for cluster ``labels`` (N,), any hashable labels.

    Needs 2 ≤ k < N clusters; F is undefined (ValueError) when every cluster is constant and equal.
    """
    f = _values(f)
    if f.ndim != 1:
        raise ValueError(f"f must have shape (N,), got {f.shape}")
    labels = np.asarray(labels)
    if labels.shape != f.shape:
        raise ValueError(f"labels must have one entry per node, shape {f.shape}, got {labels.shape}")
    names, codes = np.unique(labels, return_inverse=True)
    k, n = names.size, f.size
    if not 2 <= k < n:
        raise ValueError(f"labels must name between 2 and N - 1 = {n - 1} clusters, got {k}")
    n_perm = check_int(n_perm, "n_perm", low=1)
    onehot = np.eye(k)[codes]
    ssb, ssw = _anova_f(f[None], onehot)
    if ssw[0] <= 0 and ssb[0] <= 0:
        raise ValueError("f is constant: the ANOVA F statistic is undefined (0/0)")
    scale = (n - k) / (k - 1)

    def fstat(b, w):
        with np.errstate(divide="ignore"):
            return np.where(w > 0, b / np.where(w > 0, w, 1.0) * scale, np.inf)

    observed = float(fstat(ssb, ssw)[0])
    null = fstat(*_anova_f(_permuted(f, n_perm, rng), onehot))
    return ClusterSpread(int(k), float(ssw[0]), float(ssb[0]), float(ssw[0] / (n - k)), float(ssb[0] / (k - 1)),
                         observed, float(ssb[0] / (ssb[0] + ssw[0])), float(f_dist.sf(observed, k - 1, n - k)),
                         _test(observed, null, False))


__all__ = ["ClusterSpread", "PermutationTest", "cluster_spread", "dirichlet_energy_ratio", "smoothness_test"]
