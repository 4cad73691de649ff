"""Quantitative checks of the seed-001 goals (ours: the slides show figures only, no numbers).

Goal 1, "realign the Gaussian clouds on the same 2-D plane, without distortion": per-class similarity
(Procrustes) fit of the codes to the ground truth — disparity and fitted scales, whose max/min ratio is 1 when all
clouds share one scale —, the condition number of the pullback metric (1 for a conformal decoder).
Goal 2, "unroll the doe without tearing": R² of the affine regression of the ground truth (s, h) on the codes,
Spearman correlation of pairwise distances, trustworthiness (no false neighbours: folding) and continuity (no lost
neighbours: tearing). Curvature summaries (the authors' estimator of seed 001 eq. (1) is
:func:`latent_geometry.geometry.functionals.squared_curvature_estimate`, reused here) and a percentile bootstrap
over seeds complete the set. All functions take numpy arrays or torch tensors and return Python floats or numpy
arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from scipy.spatial.distance import pdist
from scipy.stats import spearmanr
from sklearn.manifold import trustworthiness

from latent_geometry.geometry.functionals import squared_curvature_estimate

__all__ = [
    "ProcrustesFit",
    "affine_r2",
    "bootstrap_ci",
    "condition_numbers",
    "curvature_summary",
    "distance_spearman",
    "per_class_procrustes",
    "procrustes_fit",
    "trustworthiness_continuity",
]


def _as_points(name: str, x, min_rows: int = 3) -> np.ndarray:
    arr = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < min_rows:
        raise ValueError(f"{name} must be a 2-D array (N, dim) with N >= {min_rows}, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite")
    return arr


def _paired(z, y, min_rows: int = 3) -> tuple[np.ndarray, np.ndarray]:
    z, y = _as_points("z", z, min_rows), _as_points("y", y, min_rows)
    if z.shape[0] != y.shape[0]:
        raise ValueError(f"z and y must have the same number of rows, got {z.shape[0]} and {y.shape[0]}")
    return z, y


class ProcrustesFit(NamedTuple):
    """``disparity`` ∈ [0, 1]: residual of the best similarity map, normalised by ‖y − ȳ‖²; ``scale`` s: the factor
    in y ≈ s·zQ + c (ground-truth units per latent unit)."""

    disparity: float
    scale: float


def procrustes_fit(z, y) -> ProcrustesFit:
    """Best similarity map z ↦ s·zQ + c onto y (Q orthogonal, reflections allowed; Schönemann 1966).

    With centred Z, Y and Σ the singular values of ZᵀY: s = tr Σ / ‖Z‖², disparity = 1 − (tr Σ)² / (‖Z‖²‖Y‖²),
    the same disparity as ``scipy.spatial.procrustes``. Shapes (N, d) with equal d.
    """
    z, y = _paired(z, y)
    if z.shape[1] != y.shape[1]:
        raise ValueError(f"z and y must have the same dimension, got {z.shape[1]} and {y.shape[1]}")
    zc, yc = z - z.mean(0), y - y.mean(0)
    nz, ny = (zc**2).sum(), (yc**2).sum()
    if nz == 0 or ny == 0:
        raise ValueError("z and y must not be constant")
    trace = np.linalg.svd(zc.T @ yc, compute_uv=False).sum()
    return ProcrustesFit(float(max(0.0, 1 - trace**2 / (nz * ny))), float(trace / nz))


def per_class_procrustes(z, y, labels) -> dict:
    """:func:`procrustes_fit` per class: ``disparity`` (k,), ``scale`` (k,), ``scale_ratio`` = max s / min s."""
    z, y = _paired(z, y)
    labels = np.asarray(labels.cpu() if hasattr(labels, "cpu") else labels)
    if labels.shape != (z.shape[0],):
        raise ValueError(f"labels must have shape ({z.shape[0]},), got {labels.shape}")
    fits = [procrustes_fit(z[labels == c], y[labels == c]) for c in np.unique(labels)]
    disparity, scale = np.array([f.disparity for f in fits]), np.array([f.scale for f in fits])
    return {"disparity": disparity, "scale": scale, "scale_ratio": float(scale.max() / scale.min())}


def condition_numbers(g) -> np.ndarray:
    """κ(g) = λmax/λmin of metric matrices g (B, d, d) → (B,); 1 where the decoder is conformal at the point."""
    g = np.asarray(g.detach().cpu().numpy() if hasattr(g, "detach") else g, dtype=np.float64)
    if g.ndim != 3 or g.shape[1] != g.shape[2]:
        raise ValueError(f"g must have shape (B, d, d), got {g.shape}")
    eig = np.linalg.eigvalsh(g)
    if (eig[:, 0] <= 0).any():
        raise ValueError("g must be positive definite")
    return eig[:, -1] / eig[:, 0]


def _subsample(n: int, max_points: int, seed: int) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))


def trustworthiness_continuity(y, z, n_neighbors: int = 10, max_points: int = 3000, seed: int = 0) -> dict:
    """Trustworthiness T(k) and continuity C(k) of the codes z (N, d) for the ground truth y (N, m).

    T = ``sklearn.manifold.trustworthiness(y, z, n_neighbors)`` penalises latent neighbours that are far in the
    ground truth (folding); C is the same with the arguments swapped (ground-truth neighbours lost: tearing).
    Both are 1 for a similarity. At most ``max_points`` rows (seeded subsample; the cost is O(N²) memory).
    """
    z, y = _paired(z, y, min_rows=2 * n_neighbors + 2)
    idx = _subsample(z.shape[0], max_points, seed)
    return {
        "trustworthiness": float(trustworthiness(y[idx], z[idx], n_neighbors=n_neighbors)),
        "continuity": float(trustworthiness(z[idx], y[idx], n_neighbors=n_neighbors)),
    }


def affine_r2(z, y) -> float:
    """R² of the least-squares affine map z → y, 1 − ‖residual‖²/‖y − ȳ‖² (1 iff y is an affine image of z)."""
    z, y = _paired(z, y)
    design = np.hstack([z, np.ones((z.shape[0], 1))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(1 - (resid**2).sum() / ((y - y.mean(0)) ** 2).sum())


def distance_spearman(z, y, max_points: int = 1500, seed: int = 0) -> float:
    """Spearman ρ between pairwise latent distances and pairwise ground-truth distances (seeded subsample)."""
    z, y = _paired(z, y)
    idx = _subsample(z.shape[0], max_points, seed)
    return float(spearmanr(pdist(z[idx]), pdist(y[idx])).statistic)


def _float64(x) -> np.ndarray:
    return np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=np.float64)


def curvature_summary(scalar_curvature, metric=None) -> dict:
    """mean |R|, median |R|, E[R²] over points R (B,); with the metric g (B, d, d) at the same points also the
    authors' estimator of seed 001 eq. (1), mean R²√det g (``"authors_R2_sqrtdetg"``), computed in float64 by
    :func:`~latent_geometry.geometry.functionals.squared_curvature_estimate`."""
    r = _float64(scalar_curvature).ravel()
    if r.size == 0:
        raise ValueError("scalar_curvature must not be empty")
    out = {"mean_abs_R": float(np.abs(r).mean()), "median_abs_R": float(np.median(np.abs(r))),
           "mean_R2": float((r**2).mean())}
    if metric is not None:
        g = _float64(metric)
        if g.ndim != 3 or g.shape[0] != r.size or g.shape[1] != g.shape[2]:
            raise ValueError(f"metric must have shape ({r.size}, d, d) like scalar_curvature, got {g.shape}")
        estimate = squared_curvature_estimate(torch.from_numpy(r), torch.from_numpy(g), "authors")
        out["authors_R2_sqrtdetg"] = float(estimate)
    return out


def bootstrap_ci(values, level: float = 0.95, n_boot: int = 10_000, seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high): percentile bootstrap CI of the mean of per-seed values (Efron & Tibshirani 1993, §13).

    With few seeds the interval is narrow-biased (it cannot exceed the range of the values); report n with it.
    One value gives (v, v, v).
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    if v.size == 0 or not np.isfinite(v).all():
        raise ValueError("values must be a non-empty array of finite numbers")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    means = np.random.default_rng(seed).choice(v, size=(n_boot, v.size), replace=True).mean(1)
    alpha = (1 - level) / 2
    return float(v.mean()), float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))
