"""Reparametrizing a decoder by a diffeomorphism of its latent plane: what changes and what does not.

Public API (latent points z (B, 2))::

    Shear(a)                       # φ(z1, z2) = (z1, z2 + a·sin z1);   φ⁻¹(w1, w2) = (w1, w2 − a·sin w1)
    RadialTwist(b)                 # φ(z) = Rot(b·|z|²) z;               φ⁻¹(w) = Rot(−b·|w|²) w
    Reparametrized(decoder, phi)   # Ψ' = Ψ ∘ φ⁻¹: the code z' = φ(z) decodes to Ψ(z)
    affine_r2(inputs, targets)     -> (k,) R² = 1 − SS_res/SS_tot of each target column on an affine map of inputs
    invariance_report(decoder, phi, z, truth, *, eps=0.0) -> dict (below)

A decoder Ψ and Ψ' = Ψ ∘ φ⁻¹ decode the same surface, with the same points: only the chart changes. So the scalar
curvature, an intrinsic scalar of the pullback metric g' = (Dφ⁻¹)ᵀ g Dφ⁻¹, is the same at corresponding points,
R'(φ(z)) = R(z) (do Carmo 1992, ch. 4: curvature is a property of the surface). The relaxed distortion (seed 002,
eq. (16)) measures how far the chart is from a scaled isometry and changes with φ; so does how well the codes
recover the ground-truth coordinates of the data by an affine map (affine R²). Both φ here are diffeomorphisms of
ℝ² for every real parameter (explicit inverses), and each fixes the origin.

``invariance_report`` returns ``curvature_max_abs_diff`` = max_b |R'(φ(z_b)) − R(z_b)|, ``curvature_max_rel_diff``
= that divided by max_b |R(z_b)| (the absolute value if R ≡ 0), ``distortion_before`` / ``distortion_after`` (the
exact relaxed distortion of Ψ on z and of Ψ' on φ(z)), and ``r2_before`` / ``r2_after`` (affine R² of ``truth``
per column regressed on z and on φ(z)). NaN anywhere in R propagates to the curvature entries.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch import nn

from latent_geometry._util.checks import check_number
from latent_geometry.geometry.curvature import scalar_curvature
from latent_geometry.geometry.distortion import relaxed_distortion
from latent_geometry.geometry.pullback import _check_eps, _check_points

__all__ = ["LatentDiffeomorphism", "Shear", "RadialTwist", "Reparametrized", "affine_r2", "invariance_report"]

Decoder = Callable[[torch.Tensor], torch.Tensor]


class LatentDiffeomorphism(nn.Module):
    """An invertible smooth map φ of the latent plane ℝ² with a closed-form inverse: ``forward`` and ``inverse``
    both take and return (B, 2) tensors."""

    @staticmethod
    def _check(z) -> None:
        _check_points(z, min_dim=2)
        if z.shape[1] != 2:
            raise ValueError(f"parameter 'z' must have shape (B, 2) (a map of the latent plane), got {tuple(z.shape)}")

    def inverse(self, w: torch.Tensor) -> torch.Tensor:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class Shear(LatentDiffeomorphism):
    """φ(z1, z2) = (z1, z2 + a·sin z1), φ⁻¹(w1, w2) = (w1, w2 − a·sin w1); det Dφ = 1 (area preserving)."""

    def __init__(self, a: float):
        super().__init__()
        self.a = check_number(a, "parameter 'a' (shear amplitude)")

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        self._check(z)
        return torch.stack([z[:, 0], z[:, 1] + self.a * torch.sin(z[:, 0])], 1)

    def inverse(self, w: torch.Tensor) -> torch.Tensor:
        self._check(w)
        return torch.stack([w[:, 0], w[:, 1] - self.a * torch.sin(w[:, 0])], 1)

    def extra_repr(self) -> str:
        return f"a={self.a}"


def _rotate(z: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    cos, sin = torch.cos(angle), torch.sin(angle)
    return torch.stack([cos * z[:, 0] - sin * z[:, 1], sin * z[:, 0] + cos * z[:, 1]], 1)


class RadialTwist(LatentDiffeomorphism):
    """φ(z) = Rot(b·|z|²) z: each circle |z| = r turns rigidly by b·r²; |φ(z)| = |z|, so φ⁻¹(w) = Rot(−b·|w|²) w."""

    def __init__(self, b: float):
        super().__init__()
        self.b = check_number(b, "parameter 'b' (twist rate, radians per unit |z|²)")

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        self._check(z)
        return _rotate(z, self.b * z.square().sum(1))

    def inverse(self, w: torch.Tensor) -> torch.Tensor:
        self._check(w)
        return _rotate(w, -self.b * w.square().sum(1))

    def extra_repr(self) -> str:
        return f"b={self.b}"


class Reparametrized(nn.Module):
    """The decoder Ψ' = Ψ ∘ φ⁻¹ (B, 2) -> (B, D): codes z' = φ(z) decode to the same points Ψ(z)."""

    def __init__(self, decoder: Decoder, phi: LatentDiffeomorphism):
        super().__init__()
        if not callable(decoder):
            raise TypeError(f"parameter 'decoder' must be a callable (B, 2) -> (B, D), got {type(decoder).__name__}")
        if not callable(getattr(phi, "inverse", None)):
            raise TypeError(f"parameter 'phi' must be a latent diffeomorphism with an 'inverse' method (e.g. Shear, "
                            f"RadialTwist), got {type(phi).__name__}")
        self.decoder, self.phi = decoder, phi

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.phi.inverse(w))


# ------------------------------------------------------------------------------------------------ diagnostics


def _as_matrix(values, name: str) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    if not isinstance(values, np.ndarray) or not np.issubdtype(values.dtype, np.number):
        raise TypeError(f"parameter {name!r} must be a numeric numpy array or torch tensor, "
                        f"got {type(values).__name__}")
    values = values.astype(np.float64)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError(f"parameter {name!r} must have shape (N,) or (N, k) with N >= 1, got {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError(f"parameter {name!r} must be finite (it has NaN or infinite entries)")
    return values


def affine_r2(inputs, targets) -> np.ndarray:
    """Coefficient of determination of each target column on the best affine map of ``inputs``, shape (k,).

    R²_c = 1 − SS_res,c/SS_tot,c with the least-squares fit y_c ≈ X a_c + b_c (``numpy.linalg.lstsq``), X the
    (N, d) inputs and y the (N,) or (N, k) targets, in float64. 1 iff column c is exactly affine in X; NaN for a
    constant column (SS_tot = 0, R² undefined).
    """
    x, y = _as_matrix(inputs, "inputs"), _as_matrix(targets, "targets")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"parameters 'inputs' and 'targets' must have the same number of rows, got {x.shape[0]} "
                         f"and {y.shape[0]}")
    design = np.concatenate([x, np.ones((x.shape[0], 1))], 1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    ss_res = np.square(y - design @ coef).sum(0)
    ss_tot = np.square(y - y.mean(0)).sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)


def _relative(diff: float, scale: float) -> float:
    if math.isnan(diff) or math.isnan(scale):
        return math.nan
    return diff / scale if scale > 0 else diff


def invariance_report(decoder: Decoder, phi: LatentDiffeomorphism, z: torch.Tensor, truth, *,
                      eps: float = 0.0) -> dict:
    """What a reparametrization Ψ' = Ψ ∘ φ⁻¹ changes, at the codes z (B, 2) with ground truth ``truth`` (B,)/(B, k).

    Keys (module docstring): ``curvature_max_abs_diff``, ``curvature_max_rel_diff`` (R'(φ(z)) vs R(z); scalar
    curvature with Tikhonov ``eps``, Gauss route), ``distortion_before``, ``distortion_after`` (seed 002,
    eq. (16)), ``r2_before``, ``r2_after`` ((k,) arrays of :func:`affine_r2` of ``truth`` on z and on φ(z)).
    """
    LatentDiffeomorphism._check(z)
    eps = _check_eps(eps)
    moved = Reparametrized(decoder, phi)
    with torch.no_grad():
        w = phi(z)
    R = scalar_curvature(decoder, z, eps=eps).detach()
    R_moved = scalar_curvature(moved, w, eps=eps).detach()
    abs_diff = (R_moved - R).abs().max().item()  # NaN propagates through max
    return {
        "curvature_max_abs_diff": abs_diff,
        "curvature_max_rel_diff": _relative(abs_diff, R.abs().max().item()),
        "distortion_before": relaxed_distortion(decoder, z).item(),
        "distortion_after": relaxed_distortion(moved, w).item(),
        "r2_before": affine_r2(z, truth),
        "r2_after": affine_r2(w, truth),
    }
