"""Seeded toy datasets of chapter 2 (seed 001, slide "Datasets"), each with exact ground-truth 2-D coordinates.

* :func:`gaussian_planes` — k Gaussian clouds, each in its own random 2-D plane of ℝ^D, as the authors generated
  them (``ricci_regularization/SyntheticDataset.py`` of the authors' repository):
  ``x = Q_j y + shift_j`` with ``y ~ N(0, var_class·I₂)`` and ``shift_j ~ N(0, interclass_sd²·I_D)``.
  The authors' planes are ``Q_j = QR(torch.rand(D, 2))``: uniform [0, 1] entries, so every plane contains a
  direction close to (1,…,1)/√D and the planes are far from independent (largest principal-angle cosine ≈ 0.85 at
  D = 784). ``planes="uniform_qr"`` keeps that quirk (the faithful default); ``planes="haar"`` draws Haar-random
  orthonormal frames (cosines ≈ 0.1).
* :func:`swiss_roll` — ``sklearn.datasets.make_swiss_roll`` (the authors' call: n = 18 000, noise = 0.05,
  ``random_state=1``) with the isometric coordinates (s(t), h): s(t) the arc length of the spiral t ↦ (t cos t,
  t sin t) and h the height, which scikit-learn draws but does not return (we replay its random stream).

Every generator takes an explicit ``seed``; the same seed gives the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import make_swiss_roll

from latent_geometry._util.checks import check_int

PLANE_KINDS = ("uniform_qr", "haar")

__all__ = [
    "PLANE_KINDS",
    "ToyDataset",
    "gaussian_planes",
    "max_principal_cosines",
    "random_planes",
    "spiral_arc_length",
    "swiss_roll",
]


@dataclass(frozen=True)
class ToyDataset:
    """Data ``x`` (N, D), ground-truth intrinsic coordinates ``coords`` (N, 2), integer ``labels`` (N,).

    ``labels``: plane index for :func:`gaussian_planes`, 0 for :func:`swiss_roll`. ``bases`` (k, D, 2) and
    ``shifts`` (k, D) describe the planes (None for the roll); ``t`` (N,) is the roll's spiral parameter.
    """

    x: torch.Tensor
    coords: torch.Tensor
    labels: torch.Tensor
    bases: torch.Tensor | None = None
    shifts: torch.Tensor | None = None
    t: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.x.shape[0]


def _check_positive_int(name: str, value) -> None:
    check_int(value, name, low=1)


def random_planes(
    k: int, D: int, generator: torch.Generator, kind: str = "uniform_qr", dtype=torch.float64
) -> torch.Tensor:
    """k orthonormal D×2 frames, shape (k, D, 2).

    ``"uniform_qr"``: Q of the QR factorisation of ``torch.rand(D, 2)`` (the authors' generator).
    ``"haar"``: Q of ``torch.randn(D, 2)`` with the signs of diag(R) made positive, which is Haar-distributed on the
    Stiefel manifold (Mezzadri 2007, "How to generate random matrices from the classical compact groups").
    """
    if kind not in PLANE_KINDS:
        raise ValueError(f"planes must be one of {PLANE_KINDS}, got {kind!r}")
    _check_positive_int("k", k)
    if isinstance(D, bool) or not isinstance(D, int) or D < 2:
        raise ValueError(f"D must be an integer >= 2, got {D!r}")
    frames = []
    for _ in range(k):
        if kind == "uniform_qr":
            q, _ = torch.linalg.qr(torch.rand(D, 2, generator=generator, dtype=dtype))  # the authors' QR(torch.rand)
        else:
            q, r = torch.linalg.qr(torch.randn(D, 2, generator=generator, dtype=dtype))
            q = q * torch.sign(torch.diagonal(r))  # Haar measure (Mezzadri 2007, §5)
        frames.append(q)
    return torch.stack(frames)


def max_principal_cosines(bases: torch.Tensor) -> torch.Tensor:
    """Largest principal-angle cosine σ_max(Q_iᵀQ_j) for every pair i < j of orthonormal frames (k, D, 2), shape
    (k(k−1)/2,). Near 1: the planes share a direction (the ``uniform_qr`` quirk gives ≈ 0.85 at D = 784)."""
    if bases.ndim != 3:
        raise ValueError(f"bases must have shape (k, D, p), got {tuple(bases.shape)}")
    k = bases.shape[0]
    return torch.stack([torch.linalg.svdvals(bases[i].T @ bases[j])[0] for i in range(k) for j in range(i + 1, k)])


def gaussian_planes(
    n_per_plane: int = 6000,
    k: int = 3,
    D: int = 784,
    *,
    var_class: float = 1.0,
    interclass_sd: float = 0.1,
    planes: str = "uniform_qr",
    seed: int = 0,
    dtype=torch.float32,
) -> ToyDataset:
    """Three Gaussians in random 2-D planes (seed 001, slide "Datasets" 1, as the authors generated them).

    For j = 0..k−1: ``y ~ N(0, var_class·I₂)`` (n_per_plane samples), ``x = Q_j y + shift_j`` with
    ``shift_j ~ N(0, interclass_sd²·I_D)`` — the authors' ``intercl_var`` is this standard deviation. Rows are
    stacked in class order; ``coords`` = y, so that ``x = coords @ Q_jᵀ + shift_j`` holds exactly (up to rounding).
    The authors' class-mean offset ``shift_class`` is 0 in every configuration they used and is omitted.
    Random draws follow the authors' order (all planes, then per class: samples, shift), from one
    ``torch.Generator`` seeded with ``seed``; the values are generated in float64 and cast to ``dtype``.
    """
    _check_positive_int("n_per_plane", n_per_plane)
    if not var_class > 0:
        raise ValueError(f"var_class must be > 0, got {var_class!r}")
    if not interclass_sd >= 0:
        raise ValueError(f"interclass_sd must be >= 0, got {interclass_sd!r}")
    gen = torch.Generator().manual_seed(seed)
    bases = random_planes(k, D, gen, kind=planes)
    coords, xs, shifts = [], [], []
    for j in range(k):
        y = var_class**0.5 * torch.randn(n_per_plane, 2, generator=gen, dtype=torch.float64)
        shift = interclass_sd * torch.randn(D, generator=gen, dtype=torch.float64)
        xs.append(y @ bases[j].T + shift)  # x = Q_j y + shift_j
        coords.append(y)
        shifts.append(shift)
    labels = torch.arange(k).repeat_interleave(n_per_plane)
    return ToyDataset(
        x=torch.cat(xs).to(dtype),
        coords=torch.cat(coords).to(dtype),
        labels=labels,
        bases=bases.to(dtype),
        shifts=torch.stack(shifts).to(dtype),
    )


def spiral_arc_length(t):
    """Arc length of t ↦ (t cos t, t sin t) from 0: s(t) = ½(t√(1+t²) + asinh t).

    |d/dt (t cos t, t sin t)| = √(1+t²), whose antiderivative vanishing at 0 is the formula above.
    Works on numpy arrays and torch tensors.
    """
    if isinstance(t, torch.Tensor):
        return 0.5 * (t * torch.sqrt(1 + t**2) + torch.asinh(t))
    t = np.asarray(t, dtype=float)
    return 0.5 * (t * np.sqrt(1 + t**2) + np.arcsinh(t))


def swiss_roll(n: int = 18_000, noise: float = 0.05, *, seed: int = 1, dtype=torch.float32) -> ToyDataset:
    """The Swiss roll of seed 001 (slide "Datasets" 2): ``make_swiss_roll(n, noise=noise, random_state=seed)``.

    scikit-learn draws t = 1.5π(1 + 2U₁), h = 21U₂ and returns X = (t cos t, h, t sin t) + noise·N(0, I₃) and t.
    ``coords`` = (s(t), h) are isometric coordinates of the noise-free sheet (s from :func:`spiral_arc_length`;
    the sheet is ≈ 89.37 × 21); h is recovered by replaying scikit-learn's RandomState stream, and the replay is
    checked against the returned t. The authors' seed-era call used ``random_state=1``.
    """
    _check_positive_int("n", n)
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    x, t = make_swiss_roll(n_samples=n, noise=noise, random_state=seed)
    replay = np.random.RandomState(seed)
    t_replayed = 1.5 * np.pi * (1 + 2 * replay.uniform(size=n))
    h = 21 * replay.uniform(size=n)
    if not np.array_equal(t_replayed, t):
        raise RuntimeError("scikit-learn's make_swiss_roll changed its sampling order; cannot recover the height")
    coords = np.stack([spiral_arc_length(t), h], axis=1)
    return ToyDataset(
        x=torch.as_tensor(x, dtype=dtype),
        coords=torch.as_tensor(coords, dtype=dtype),
        labels=torch.zeros(n, dtype=torch.long),
        t=torch.as_tensor(t, dtype=dtype),
    )
