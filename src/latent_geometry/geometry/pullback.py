"""Derivatives of a decoder and its pullback metric: J, H, g = JᵀJ, g⁻¹, √det g (seed 001, slide "Riemannian geometry").

A *decoder* is any callable ``f`` mapping latent points ``z`` of shape (B, d) to (B, D) (or (B, *out), flattened
per sample), the samples being independent (an ``nn.Module`` in eval mode). Derivatives are per sample, in forward
mode (``vmap`` of ``jacfwd`` of ``z ↦ f(z[None])[0]``): d tangents per order, d ≪ D. An ``nn.Sequential`` of
``nn.Linear`` and elementwise activations takes an equivalent second-order jet pass instead (1 + d + d(d+1)/2
streams instead of (1 + d)², tested equal; :mod:`latent_geometry.geometry.jets`). Shapes: J (B, D, d) with
J[b, a, i] = ∂_i f^a; H (B, D, d, d) with H[b, a, i, j] = ∂_i∂_j f^a; g (B, d, d). :func:`derivative_rows` gives
both as rows over the ambient index, (Jᵀ (B, d, D), H_ij for i ≤ j (B, d(d+1)/2, D)), the Gauss route's layout.

Rank test (what "g is singular" means here, for both curvature routes and :func:`metric_inverse`): g is treated as
singular where it has a non-finite entry or a non-positive diagonal entry, or where the smallest eigenvalue of its
Jacobi-scaled form D^{-1/2} g D^{-1/2} (D = diag g) is at most :func:`rank_tolerance` = 8·d·eps of the dtype
(d = 2: 3.6e-15 in float64, 1.9e-6 in float32, i.e. cond ≳ 3e14 / 5e5 after the scaling). The scaling makes the
test blind to the units of the latent axes (an axis squashed by 1e-8 is fine), and exactly rank-deficient
pullbacks g = JᵀJ land at ≤ 1.8·d·eps after rounding (measured on 10⁴ points of bottlenecked tanh MLPs, d = 2–4,
both dtypes), so the test separates them with a margin of 4 or more.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.func import jacfwd, vmap

from latent_geometry._util.checks import check_int, check_number
from latent_geometry.geometry.jets import (
    hessian_from_pairs,
    is_jet_mlp,
    isometric_rows,
    output_compression,
    pair_indices,
)

__all__ = ["jacobian", "jacobian_and_hessian", "derivative_rows", "hessian", "pullback_metric", "metric_inverse",
           "volume_element", "rank_tolerance"]

Decoder = Callable[[torch.Tensor], torch.Tensor]


# ----------------------------------------------------------------------------------------------- input checks


def _check_points(z, min_dim: int = 1) -> None:
    if not isinstance(z, torch.Tensor):
        raise TypeError(f"parameter 'z' must be a torch.Tensor of shape (B, d), got {type(z).__name__}")
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] < min_dim:
        raise ValueError(f"parameter 'z' must have shape (B, d) with B >= 1 and d >= {min_dim}, got {tuple(z.shape)}")
    if not z.is_floating_point():
        raise ValueError(f"parameter 'z' must be a floating-point tensor, got dtype {z.dtype}")


def _check_eps(eps) -> float:
    return check_number(eps, "parameter 'eps' (Tikhonov term g + eps·I)", low=0)


def _check_chunk_size(chunk_size) -> int | None:
    if chunk_size is None:
        return None
    return check_int(chunk_size, "parameter 'chunk_size' (points per vectorized chunk, or None for all at once)",
                     low=1)


def _latent_size_error(name: str, d: int, error: Exception) -> ValueError:
    return ValueError(f"parameter {name!r} failed on a (1, {d}) batch of parameter 'z' (latent size d = {d}): "
                      f"{type(error).__name__}: {error}. Does the {'decoder' if name == 'f' else 'metric'} take "
                      f"{d}-dimensional latent points?")


def _per_sample(f: Decoder, z: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """``z_i (d,) ↦ f(z_i[None])[0]`` flattened to (D,), after checking that ``f`` keeps the batch dimension."""
    if not callable(f):
        raise TypeError(f"parameter 'f' must be a callable decoder (B, d) -> (B, D), got {type(f).__name__}")
    try:
        probe = f(z[:1])
    except (RuntimeError, ValueError, TypeError, IndexError) as error:  # e.g. "mat1 and mat2 shapes cannot be …"
        raise _latent_size_error("f", z.shape[1], error) from error
    if not isinstance(probe, torch.Tensor) or probe.ndim < 2 or probe.shape[0] != 1:
        shape = tuple(probe.shape) if isinstance(probe, torch.Tensor) else type(probe).__name__
        raise ValueError(f"parameter 'f' must map (B, d) to (B, D) keeping the batch dimension; (1, d) gave {shape}")

    def f_single(z_i: torch.Tensor) -> torch.Tensor:
        return f(z_i.unsqueeze(0)).reshape(-1)

    return f_single


def rank_tolerance(dtype: torch.dtype, d: int) -> float:
    """8·d·eps of ``dtype``: g is singular where λ_min(D^{-1/2} g D^{-1/2}) ≤ this (module docstring)."""
    return 8 * d * torch.finfo(dtype).eps


def _singular(g: torch.Tensor) -> torch.Tensor:
    """Bool (…,): the rank test of the module docstring on g (…, d, d); no gradient."""
    with torch.no_grad():
        d = g.shape[-1]
        diag = g.diagonal(dim1=-2, dim2=-1)
        usable = torch.isfinite(g).all(-1).all(-1) & (diag > 0).all(-1)
        scale = torch.where(usable[..., None], diag, 1.0).rsqrt()
        eye = torch.eye(d, dtype=g.dtype, device=g.device)
        scaled = torch.where(usable[..., None, None], g * scale[..., :, None] * scale[..., None, :], eye)
        if d == 1:
            smallest = scaled[..., 0, 0]
        elif d == 2:  # eigenvalues 1 ± |ρ| of [[1, ρ], [ρ, 1]]
            smallest = 1 - scaled[..., 0, 1].abs()
        else:
            smallest = torch.linalg.eigvalsh(scaled)[..., 0]
        return ~usable | (smallest <= rank_tolerance(g.dtype, d))


def _factor(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(L, singular): the Cholesky factor of g where it passes the rank test, of I where it does not (so that every
    later step, and its gradient, stays finite), and the bool mask (…,) of the singular points."""
    singular = _singular(g)
    eye = torch.eye(g.shape[-1], dtype=g.dtype, device=g.device)
    chol, info = torch.linalg.cholesky_ex(torch.where(singular[..., None, None], eye, g))
    failed = info > 0  # passed the rank test but not Cholesky: never seen, kept as a guard
    return torch.where(failed[..., None, None], eye, chol), singular | failed


# ------------------------------------------------------------------------------------------------ derivatives


def jacobian(f: Decoder, z: torch.Tensor, *, chunk_size: int | None = None) -> torch.Tensor:
    """Decoder Jacobian J[b, a, i] = ∂f^a/∂z_i at each point, shape (B, D, d) (forward mode, d tangents)."""
    _check_points(z)
    chunk_size = _check_chunk_size(chunk_size)
    return vmap(jacfwd(_per_sample(f, z)), chunk_size=chunk_size)(z)


def _check_jet_input(mlp: nn.Sequential, d: int) -> None:
    first = next((m for m in mlp if isinstance(m, nn.Linear)), None)
    if first is not None and first.in_features != d:
        raise _latent_size_error("f", d, RuntimeError(f"its first nn.Linear has in_features = {first.in_features}"))


def _jet_rows(f: nn.Sequential, z: torch.Tensor, chunk_size: int | None, compress: bool):
    """(Jᵀ, pair rows) of a jet MLP by :func:`latent_geometry.geometry.jets.isometric_rows`, chunked over the
    batch; with ``compress`` in the compressed basis of the last layer where that pays (``output_compression``)."""
    _check_jet_input(f, z.shape[1])
    d = z.shape[1]
    chunks = z.split(chunk_size) if chunk_size else (z,)
    compression = output_compression(f, len(chunks[0]) * (d + d * (d + 1) // 2)) if compress else None
    parts = [isometric_rows(f, chunk, compression) for chunk in chunks]
    if len(parts) == 1:
        return parts[0]
    return torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])


def jacobian_and_hessian(f: Decoder, z: torch.Tensor, *, chunk_size: int | None = None):
    """(J, H) in one forward-over-forward pass: J (B, D, d) and H[b, a, i, j] = ∂_i∂_j f^a, (B, D, d, d).

    Generic decoders: ``jacfwd(jacfwd)`` with the inner Jacobian returned as auxiliary output; not
    ``torch.func.hessian`` (``jacfwd(jacrev)``), whose reverse pass would cost D backward passes.
    An ``nn.Sequential`` of ``nn.Linear`` and elementwise activations (tanh, sigmoid, softplus, SiLU, ELU, CELU,
    SELU, GELU, Mish, ReLU, LeakyReLU, :class:`latent_geometry.geometry.activations.Sine`) takes an equivalent,
    faster second-order jet pass (tested equal to the generic pass; :mod:`latent_geometry.geometry.jets`).
    """
    _check_points(z)
    chunk_size = _check_chunk_size(chunk_size)
    if is_jet_mlp(f):
        first, pairs = _jet_rows(f, z, chunk_size, compress=False)
        return first.mT, hessian_from_pairs(pairs, z.shape[1])
    f_single = _per_sample(f, z)

    def jac_twice(z_i):
        jac = jacfwd(f_single)(z_i)
        return jac, jac

    hess, jac = vmap(jacfwd(jac_twice, has_aux=True), chunk_size=chunk_size)(z)
    return jac, hess


def _pair_rows(jac: torch.Tensor, hess: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(Jᵀ (B, d, D), pair rows (B, P, D)) from J (B, D, d) and H (B, D, d, d): the symmetric part
    ½(H_ij + H_ji) of H for the pairs i ≤ j (:func:`latent_geometry.geometry.jets.pair_indices`)."""
    rows, cols = pair_indices(jac.shape[-1], jac.device)
    return jac.mT, (0.5 * (hess[..., rows, cols] + hess[..., cols, rows])).mT


def derivative_rows(f: Decoder, z: torch.Tensor, *, chunk_size: int | None = None):
    """J and H of a decoder as rows over the ambient index: (Jᵀ (B, d, D), pairs (B, P, D)), P = d(d+1)/2, with
    Jᵀ[b, i] = ∂_i f and pairs[b, p] = ∂_i∂_j f for the p-th pair i ≤ j
    (:func:`latent_geometry.geometry.jets.pair_indices`).

    The layout the Gauss route consumes: the jet pass produces it directly (no (B, D, d, d) Hessian is formed),
    other decoders go through :func:`jacobian_and_hessian`.
    """
    return _gauss_rows(f, z, chunk_size, compress=False)


def _gauss_rows(f: Decoder, z: torch.Tensor, chunk_size: int | None, compress: bool = True):
    """:func:`derivative_rows`, with ``compress`` up to an isometry of ℝ^D ((B, d, m), (B, P, m), m ≤ D).

    A jet MLP whose last layer is a widening ``nn.Linear`` gives its rows in an orthonormal basis of that layer's
    range (:func:`latent_geometry.geometry.jets.output_compression`) where that is cheaper; inner products (hence
    g, Γ, M and R) are unchanged.
    """
    _check_points(z)
    chunk_size = _check_chunk_size(chunk_size)
    if is_jet_mlp(f):
        return _jet_rows(f, z, chunk_size, compress)
    return _pair_rows(*jacobian_and_hessian(f, z, chunk_size=chunk_size))


def hessian(f: Decoder, z: torch.Tensor, *, chunk_size: int | None = None) -> torch.Tensor:
    """Decoder Hessian H[b, a, i, j] = ∂_i∂_j f^a, shape (B, D, d, d)."""
    return jacobian_and_hessian(f, z, chunk_size=chunk_size)[1]


def pullback_metric(f: Decoder, z: torch.Tensor, *, chunk_size: int | None = None) -> torch.Tensor:
    """Pullback of the Euclidean metric, g = JᵀJ (seed 001, slide "Latent space and its metric"), (B, d, d)."""
    jac = jacobian(f, z, chunk_size=chunk_size)
    return jac.mT @ jac


def _regularized(g: torch.Tensor, eps: float) -> torch.Tensor:
    eye = torch.eye(g.shape[-1], dtype=g.dtype, device=g.device)
    return g + eps * eye if eps > 0 else g


def metric_inverse(g: torch.Tensor, eps: float = 0.0) -> torch.Tensor:
    """(g + eps·I)⁻¹ by Cholesky, shape of ``g`` (…, d, d); NaN where g + eps·I is singular by the rank test of the
    module docstring (never an exception)."""
    if not isinstance(g, torch.Tensor) or not g.is_floating_point():
        raise TypeError(f"parameter 'g' must be a floating-point torch.Tensor (…, d, d), got "
                        f"{g.dtype if isinstance(g, torch.Tensor) else type(g).__name__}")
    if g.ndim < 2 or g.shape[-1] != g.shape[-2]:
        raise ValueError(f"parameter 'g' must hold square matrices (…, d, d), got shape {tuple(g.shape)}")
    eps = _check_eps(eps)
    chol, singular = _factor(_regularized(g, eps))
    return torch.where(singular[..., None, None], torch.nan, torch.cholesky_inverse(chol))


def volume_element(f: Decoder, z: torch.Tensor, eps: float = 0.0, *, chunk_size: int | None = None) -> torch.Tensor:
    """Riemannian volume density √det(g + eps·I) at each point, shape (B,) (dV = √det g dz)."""
    eps = _check_eps(eps)
    g = _regularized(pullback_metric(f, z, chunk_size=chunk_size), eps)
    return torch.linalg.det(g).clamp_min(0.0).sqrt()


