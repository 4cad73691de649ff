"""Riemannian geometry of a decoder's pullback metric: Jacobians, metric, volume, Christoffel symbols, curvature.

A *decoder* is any callable ``f`` mapping a batch of latent points ``z`` of shape (B, d) to (B, D) (or (B, *out),
flattened per sample), the samples being independent (an ``nn.Module`` in eval mode: no BatchNorm statistics,
no dropout). Derivatives are taken per sample with forward-mode ``torch.func`` (``vmap`` over the batch of
``jacfwd`` of ``z ↦ f(z[None])[0]``): d tangents per order, d ≪ D. An ``nn.Sequential`` of ``nn.Linear`` and
elementwise activations (what :func:`latent_geometry.learning.models.mlp` builds) gets (J, H) from an equivalent
second-order jet pass instead (1 + d + d(d+1)/2 streams instead of (1 + d)², closed-form σ', σ''; tested equal;
:mod:`latent_geometry.geometry.jets`).

Public API (shapes: B points, latent dimension d, ambient dimension D)::

    jacobian(f, z, *, chunk_size=None)                       -> J (B, D, d),   J[b, a, i] = ∂_i f^a
    jacobian_and_hessian(f, z, *, chunk_size=None)           -> (J (B, D, d), H (B, D, d, d)), H[b, a, i, j] = ∂_i∂_j f^a
    derivative_rows(f, z, *, chunk_size=None)                -> (Jᵀ (B, d, D), H_ij for i ≤ j (B, P, D)), P = d(d+1)/2
    hessian(f, z, *, chunk_size=None)                        -> H (B, D, d, d)
    pullback_metric(f, z, *, chunk_size=None)                -> g = JᵀJ (B, d, d)
    metric_inverse(g, eps=0.0)                               -> (g + eps·I)⁻¹ (B, d, d)
    volume_element(f, z, eps=0.0, *, chunk_size=None)        -> √det(g + eps·I) (B,)
    second_fundamental_form(J, H)                            -> II = H − J Γ (B, D, d, d), the normal part of H
    scalar_curvature_from_derivatives(J, H, eps=0.0)         -> R (B,)   (Gauss equation, second derivatives only)
    scalar_curvature_and_metric(f, z, eps=0.0, *, chunk_size=None) -> (R (B,), g + eps·I (B, d, d)), one pass
    metric_derivatives(metric, z, *, chunk_size=None)        -> (g, ∂g, ∂²g): (B,d,d), (B,d,d,d), (B,d,d,d,d)
    christoffel_symbols(g_inv, dg)                           -> Γ (B, d, d, d), Γ[b, k, i, j] = Γ^k_ij
    christoffel_derivatives(g_inv, dg, d2g, gamma)           -> ∂Γ (B, d, d, d, d), [b, k, i, j, m] = ∂_m Γ^k_ij
    riemann_tensor(gamma, dgamma)                            -> Rm (B, d, d, d, d), [b, r, s, m, n] = R^r_smn
    ricci_tensor(riemann)                                    -> Ric (B, d, d), Ric_sn = R^r_srn
    scalar_from_ricci(g_inv, ricci)                          -> R = g^sn Ric_sn (B,)
    intrinsic_scalar_curvature(metric, z, eps=0.0, *, chunk_size=None) -> R (B,) of any metric field
    scalar_curvature(f, z, method="gauss", eps=0.0, *, chunk_size=None) -> R (B,); method "gauss" | "christoffel"

Derivative index conventions: ``dg[b, i, j, k] = ∂_k g_ij`` and ``d2g[b, i, j, k, l] = ∂_l∂_k g_ij``
(each derivative index appended last, as ``jacfwd`` does). R = 2K in d = 2 (K the Gaussian curvature); the unit
sphere has R = d(d−1) > 0.

Two routes to R (do Carmo 1992, ch. 4 and 6: ``docarmo1992riemannian`` in book/references.bib), which agree to ~1e-14 relative in float64:

- ``"gauss"``: the Gauss equation R = g^{ij}g^{kl}(M_{ij,kl} − M_{ik,jl}), M_{ij,kl} = ⟨II_ij, II_kl⟩, needs only
  J and H (one second-order pass). It works on rows over the ambient index — Jᵀ (d, D) and the P = d(d+1)/2
  distinct H_ij, i ≤ j (P, D) — and never forms the D×D normal projector: II = H − Ĵ(ĴᵀH) with the g-orthonormal
  frame Ĵᵀ = L⁻¹Jᵀ (g = LLᵀ), M is the P×P Gram matrix of II, and the contraction with g⁻¹ ⊗ g⁻¹ is done in
  d-space by whitening with L⁻¹ (d = 2: R = 2(M_{11,22} − M_{12,12})/det g). Cost O(B·D·P·(d + P)) after the
  derivatives. Only inner products of the rows enter, so a jet MLP whose last layer is a widening ``nn.Linear``
  W (D × w, w < D) may give its rows in an orthonormal basis of range W (w instead of D columns;
  :func:`latent_geometry.geometry.jets.output_compression`), which it does where that is cheaper.
- ``"christoffel"``: the seed's route (seed 001, slide "Ricci flow on manifolds": R = F(∇Ψ, ∇²Ψ, ∇³Ψ)):
  g, ∂g, ∂²g by nested forward-mode Jacobians of z ↦ J(z)ᵀJ(z), then Γ → ∂Γ → Riemann → Ricci → R.
  :func:`intrinsic_scalar_curvature` runs the same chain for any metric field, not only pullbacks.

Regularization (``eps`` ≥ 0, default 0): every route computes the scalar curvature of the metric g + eps·I, which is
exactly the pullback metric of the augmented decoder z ↦ (f(z), √eps·z) ∈ ℝ^{D+d}. So R stays a true scalar
curvature (both routes agree for every eps, tested), and g + eps·I ⪰ eps·I bounds g⁻¹ by 1/eps: R and its gradients
are finite even where det g = 0. The authors used the same Tikhonov term, eps = 0.1 for the Swiss roll (their
code). Singular g (rank-deficient J, e.g. a decoder whose first layer maps d = 3 to 2 units; R is undefined there):
both routes return NaN at exactly the points where g + eps·I fails the rank test of
:mod:`latent_geometry.geometry.pullback` (λ_min of the Jacobi-scaled g + eps·I ≤ 8·d·eps_mach; one shared test,
never an exception), and the other points of the batch are unaffected — values and gradients (the singular points
are factored as g = I internally, so a NaN there does not leak into gradients of a loss that drops it). eps > 0 makes
g + eps·I positive definite: its Jacobi-scaled λ_min is ≥ eps/(max_i g_ii + eps), so R is finite wherever
eps > 8·d·eps_mach·max_i g_ii (d = 2: 3.6e-15·max g_ii in float64, 1.9e-6·max g_ii in float32).
*Precision* depends on cond(g), not on det g: a tiny det g from a small overall or axis-aligned scale is harmless
(tested to det g ~ 1e-18 in float64), but an anisotropic g loses accuracy as ε_mach·cond(g) on the Gauss route
(whitened by Cholesky factors) and as ε_mach·cond(g)² on the Christoffel route (explicit g⁻¹): in float64 the
Gauss route keeps ~1e-8 relative accuracy at cond(g) ~ 1e8 (Christoffel: ~1e-1). Factorizations and inverses
are taken *outside* the ``vmap(jacfwd(…))`` transforms (``torch.linalg.solve`` inside them gave NaN for some batch elements on torch 2.14).

ReLU/LeakyReLU decoders have H = 0 almost everywhere, hence R ≡ 0: use smooth activations.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch.func import jacfwd, vmap

from latent_geometry.geometry.pullback import (
    Decoder,
    _check_chunk_size,
    _check_eps,
    _check_points,
    _factor,
    _gauss_rows,
    _latent_size_error,
    _per_sample,
    _pair_rows,
    _regularized,
)
from latent_geometry.geometry.jets import pair_indices

__all__ = [
    "second_fundamental_form",
    "scalar_curvature_from_derivatives",
    "scalar_curvature_and_metric",
    "metric_derivatives",
    "christoffel_symbols",
    "christoffel_derivatives",
    "riemann_tensor",
    "ricci_tensor",
    "scalar_from_ricci",
    "intrinsic_scalar_curvature",
    "scalar_curvature",
    "METHODS",
]

METHODS = ("gauss", "christoffel")

# -------------------------------------------------------------------------------------- Gauss route (order 2)


def _check_derivatives(jac, hess) -> None:
    if not (isinstance(jac, torch.Tensor) and isinstance(hess, torch.Tensor)):
        raise TypeError("parameters 'J' and 'H' must be torch.Tensors")
    if jac.ndim != 3 or hess.shape != jac.shape + jac.shape[-1:]:
        raise ValueError(f"parameters 'J', 'H' must have shapes (B, D, d) and (B, D, d, d), got "
                         f"{tuple(jac.shape)} and {tuple(hess.shape)}")


def _whitening(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(L⁻¹, singular) with g = LLᵀ (Cholesky), (B, d, d) and (B,): the vectors Σ_i L⁻¹_pi ∂_iΨ are orthonormal for
    g; where g fails the rank test (pullback module docstring) L = I and ``singular`` is True."""
    chol, singular = _factor(g)
    eye = torch.eye(g.shape[-1], dtype=g.dtype, device=g.device).expand_as(g)
    return torch.linalg.solve_triangular(chol, eye, upper=False), singular


def second_fundamental_form(J: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """II_ij = (I − J g⁻¹Jᵀ) H_ij, the normal part of the Hessian, (B, D, d, d) (Gauss formula; do Carmo 1992, ch. 6).

    Projected with an orthonormal tangent frame Ĵ = J L⁻ᵀ (g = JᵀJ = LLᵀ): II = H − Ĵ(ĴᵀH); no D×D projector.
    """
    _check_derivatives(J, H)
    white, singular = _whitening(J.mT @ J)
    frame = J @ white.mT
    hess = H.flatten(-2)  # (B, D, d²)
    normal = (hess - frame @ (frame.mT @ hess)).view_as(H)
    return torch.where(singular[:, None, None, None], torch.nan, normal)  # NaN where g is singular


def _gauss_contraction(gram: torch.Tensor, white: torch.Tensor) -> torch.Tensor:
    """R = g^{ij}g^{kl}(M_{ij,kl} − M_{ik,jl}) from the pair Gram matrix M (B, P, P) and L⁻¹ (B, d, d), (B,).

    d = 2: R = 2K, K = (M_{11,22} − M_{12,12})/det g (Gauss's theorema egregium; do Carmo 1992, ch. 4), with
    1/det g = (L⁻¹_11 L⁻¹_22)². Otherwise M is expanded to d²×d² and whitened, M̂ = (L⁻¹⊗L⁻¹) M (L⁻¹⊗L⁻¹)ᵀ,
    R = Σ_pr M̂_pp,rr − Σ_pq M̂_pq,pq (the same contraction in the g-orthonormal frame).
    """
    batch, d = white.shape[0], white.shape[-1]
    if d == 2:  # pairs (0,0), (0,1), (1,1)
        inv_det = (white[:, 0, 0] * white[:, 1, 1]).square()
        return 2 * (gram[:, 0, 2] - gram[:, 1, 1]) * inv_det
    rows, cols = pair_indices(d, gram.device)
    index = torch.empty(d, d, dtype=torch.long, device=gram.device)
    index[rows, cols] = torch.arange(rows.numel(), device=gram.device)
    index[cols, rows] = index[rows, cols]
    index = index.flatten()
    full = gram[:, index[:, None], index[None, :]]  # M_{ij,kl}, (B, d², d²)
    kron = (white[:, :, None, :, None] * white[:, None, :, None, :]).reshape(batch, d * d, d * d)
    m = (kron @ full @ kron.mT).view(batch, d, d, d, d)  # M̂ in the g-orthonormal frame
    # Gauss equation contracted twice: R = Σ_pr M̂_pp,rr − Σ_pq M̂_pq,pq
    return torch.einsum("bpprr->b", m) - torch.einsum("bpqpq->b", m)


class _Gram(torch.autograd.Function):
    """X Yᵀ for rows X (B, m, D), Y (B, n, D), with the backward as two row-major products (Ḡ Y, Ḡᵀ X): autograd's
    bmm backward would form one of them as a (D×k)-shaped product, several times slower on CPU for k ≪ D
    (measured). ``Y = None`` is the symmetric X Xᵀ, backward (Ḡ + Ḡᵀ) X. Forward mode (jvp), vmap and double
    backward work (all written in differentiable ops)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x, y):
        return x @ (x if y is None else y).mT

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*(t for t in inputs if t is not None))
        ctx.save_for_forward(*(t for t in inputs if t is not None))
        ctx.symmetric = inputs[1] is None

    @staticmethod
    def backward(ctx, grad):
        if ctx.symmetric:
            (x,) = ctx.saved_tensors
            return (grad + grad.mT) @ x, None
        x, y = ctx.saved_tensors
        return grad @ y, grad.mT @ x

    @staticmethod
    def jvp(ctx, dx, dy):
        if ctx.symmetric:
            (x,) = ctx.saved_tensors
            half = dx @ x.mT
            return half + half.mT
        x, y = ctx.saved_tensors
        return (0 if dx is None else dx @ y.mT) + (0 if dy is None else x @ dy.mT)


def _gram(x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
    """X Yᵀ (X Xᵀ when ``y`` is None) over the last dimension, batched: (B, m, D), (B, n, D) -> (B, m, n)."""
    return _Gram.apply(x, y)


def _gauss_from_rows(first: torch.Tensor, pairs: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(R (B,), g + eps·I (B, d, d)) by the Gauss equation from the rows Jᵀ (B, d, D) and H_ij, i ≤ j (B, P, D)
    of :func:`latent_geometry.geometry.pullback.derivative_rows` (or any isometric image of them).

    g = JᵀJ (+ eps·I) = LLᵀ; the orthonormal frame Ĵᵀ = L⁻¹Jᵀ; C = ĴᵀH (d×P); II = H − ĴC on the P pairs;
    M = IIᵀII (P×P; the d²×d² M of the docstring repeats its entries), + eps·ΓᵀΓ, Γ = L⁻ᵀC, for the augmented
    decoder (f, √eps·z). D-sized work: three Gram-type products and two (k×d)·(d×D) products per point.
    """
    g = _regularized(_gram(first), eps)
    white, singular = _whitening(g)  # L⁻¹ (I where g is singular)
    frame = white @ first  # Ĵᵀ = L⁻¹Jᵀ, (B, d, D): orthonormal rows (for eps = 0)
    tangential = _gram(frame, pairs)  # C = ĴᵀH, (B, d, P)
    normal = pairs - tangential.mT @ frame  # II_ij = H_ij − Ĵ C_ij, (B, P, D), without a D×D projector
    gram = _gram(normal)  # M_{ij,kl} = ⟨II_ij, II_kl⟩ over the pairs, (B, P, P)
    if eps > 0:  # normal rows −√eps Γ of the augmented immersion z ↦ (f(z), √eps z), Γ = L⁻ᵀC = g⁻¹JᵀH
        gamma = white.mT @ tangential
        gram = gram + eps * (gamma.mT @ gamma)
    R = _gauss_contraction(gram, white)
    return torch.where(singular, torch.nan, R), g  # NaN where g is singular


def scalar_curvature_from_derivatives(J: torch.Tensor, H: torch.Tensor, eps: float = 0.0) -> torch.Tensor:
    """Scalar curvature from the decoder's first and second derivatives by the Gauss equation, (B,).

    R = g^{ij}g^{kl}(M_{ij,kl} − M_{ik,jl}), M_{ij,kl} = ⟨II_ij, II_kl⟩   (Gauss equation; do Carmo 1992, ch. 6), g = JᵀJ + eps·I.
    II = H − Ĵ(ĴᵀH) with the orthonormal frame Ĵ = JL⁻ᵀ (g = LLᵀ), on the d(d+1)/2 pairs i ≤ j of the symmetric
    part of H; M is their Gram matrix. The contraction with g⁻¹ ⊗ g⁻¹ is done by whitening with L⁻¹
    (d = 2: R = 2(M_{11,22} − M_{12,12})/det g); triangular factors instead of g⁻¹ keep the rounding error
    ∝ cond(g), not cond(g)² (module docstring).
    For eps > 0 the augmented decoder (f, √eps·z) has extra normal rows −√eps Γ (its Hessian rows are 0), with
    Γ = g⁻¹JᵀH = L⁻ᵀĴᵀH the Christoffel symbols: they add eps·ΓᵀΓ to M.
    NaN where g = JᵀJ + eps·I is singular (rank test, module docstring).
    """
    _check_derivatives(J, H)
    eps = _check_eps(eps)
    return _gauss_from_rows(*_pair_rows(J, H), eps)[0]


def scalar_curvature_and_metric(f: Decoder, z: torch.Tensor, eps: float = 0.0, *, chunk_size: int | None = None):
    """(R, g + eps·I) from one forward-over-forward pass (Gauss route): shapes (B,) and (B, d, d).

    What a curvature-regularized objective needs (R and √det g) without differentiating the decoder twice; an
    ``nn.Sequential`` MLP decoder goes through the jet pass straight into the Gauss contraction (no (B, D, d, d)
    Hessian, g formed once).
    """
    _check_points(z, min_dim=2)
    eps = _check_eps(eps)
    return _gauss_from_rows(*_gauss_rows(f, z, chunk_size), eps)


# ---------------------------------------------------------------------------------- Christoffel route (order 3)


def metric_derivatives(metric: Callable, z: torch.Tensor, *, chunk_size: int | None = None):
    """(g, ∂g, ∂²g) of a metric field ``metric: (B, d) -> (B, d, d)`` by nested forward-mode Jacobians.

    Shapes (B, d, d), (B, d, d, d) with dg[b, i, j, k] = ∂_k g_ij, and (B, d, d, d, d) with
    d2g[b, i, j, k, l] = ∂_l∂_k g_ij.
    """
    _check_points(z)
    chunk_size = _check_chunk_size(chunk_size)
    if not callable(metric):
        raise TypeError(f"parameter 'metric' must be a callable (B, d) -> (B, d, d), got {type(metric).__name__}")
    d = z.shape[1]
    try:
        probe = metric(z[:1])
    except (RuntimeError, ValueError, TypeError, IndexError) as error:
        raise _latent_size_error("metric", d, error) from error
    if not isinstance(probe, torch.Tensor) or tuple(probe.shape) != (1, d, d):
        shape = tuple(probe.shape) if isinstance(probe, torch.Tensor) else type(probe).__name__
        raise ValueError(f"parameter 'metric' must map (B, {d}) to (B, {d}, {d}); (1, {d}) gave {shape}")

    def g_twice(z_i):
        g_i = metric(z_i.unsqueeze(0))[0]
        return g_i, g_i

    def dg_twice(z_i):
        dg_i, g_i = jacfwd(g_twice, has_aux=True)(z_i)
        return dg_i, (dg_i, g_i)

    d2g, (dg, g) = vmap(jacfwd(dg_twice, has_aux=True), chunk_size=chunk_size)(z)
    return g, dg, d2g


def _lowered_christoffel(dg: torch.Tensor) -> torch.Tensor:
    """Γ_{l,ij} = ½(∂_i g_jl + ∂_j g_il − ∂_l g_ij), shape (B, d, d, d) indexed [b, l, i, j]."""
    return 0.5 * (dg.permute(0, 2, 3, 1) + dg.permute(0, 2, 1, 3) - dg.permute(0, 3, 1, 2))


def christoffel_symbols(g_inv: torch.Tensor, dg: torch.Tensor) -> torch.Tensor:
    """Γ^k_ij = ½ g^{kl}(∂_i g_jl + ∂_j g_il − ∂_l g_ij) (Levi-Civita connection; do Carmo 1992, ch. 2); Γ[b, k, i, j], shape (B, d, d, d)."""
    return torch.einsum("bkl,blij->bkij", g_inv, _lowered_christoffel(dg))


def christoffel_derivatives(g_inv: torch.Tensor, dg: torch.Tensor, d2g: torch.Tensor, gamma: torch.Tensor):
    """∂_m Γ^k_ij = −g^{kp}(∂_m g_pq)Γ^q_ij + ½ g^{kl}(∂_m∂_i g_jl + ∂_m∂_j g_il − ∂_m∂_l g_ij).

    Differentiates Γ with ∂_m g⁻¹ = −g⁻¹(∂_m g)g⁻¹; dΓ[b, k, i, j, m], shape (B, d, d, d, d).
    """
    # d2g[b, i, j, k, m] = ∂_m∂_k g_ij; lowered[b, l, i, j, m] = ∂_m Γ_{l,ij}
    lowered = 0.5 * (d2g.permute(0, 2, 3, 1, 4) + d2g.permute(0, 2, 1, 3, 4) - d2g.permute(0, 3, 1, 2, 4))
    return torch.einsum("bkl,blijm->bkijm", g_inv, lowered) - torch.einsum(
        "bkp,bpqm,bqij->bkijm", g_inv, dg, gamma
    )


def riemann_tensor(gamma: torch.Tensor, dgamma: torch.Tensor) -> torch.Tensor:
    """R^ρ_σμν = ∂_μΓ^ρ_νσ − ∂_νΓ^ρ_μσ + Γ^ρ_μλΓ^λ_νσ − Γ^ρ_νλΓ^λ_μσ (do Carmo 1992, ch. 4); [b, ρ, σ, μ, ν]."""
    derivative = torch.einsum("brnsm->brsmn", dgamma) - torch.einsum("brmsn->brsmn", dgamma)
    product = torch.einsum("brml,blns->brsmn", gamma, gamma)
    return derivative + product - product.transpose(-1, -2)


def ricci_tensor(riemann: torch.Tensor) -> torch.Tensor:
    """Ric_σν = R^ρ_σρν, shape (B, d, d)."""
    return torch.einsum("brsrn->bsn", riemann)


def scalar_from_ricci(g_inv: torch.Tensor, ricci: torch.Tensor) -> torch.Tensor:
    """R = g^{σν} Ric_σν, shape (B,)."""
    return torch.einsum("bsn,bsn->b", g_inv, ricci)


def intrinsic_scalar_curvature(metric: Callable, z: torch.Tensor, eps: float = 0.0, *,
                               chunk_size: int | None = None) -> torch.Tensor:
    """Scalar curvature of a metric field ``metric: (B, d) -> (B, d, d)`` (plus eps·I) by Christoffel symbols, (B,).

    g, ∂g, ∂²g → Γ → ∂Γ → Riemann → Ricci → R (seed 001, slide "Ricci flow on manifolds"); works for any smooth metric, e.g. a conformal
    metric e^{2u}I or a metric network, not only pullbacks. NaN where g + eps·I is singular (rank test, module
    docstring).
    """
    _check_points(z, min_dim=2)
    eps = _check_eps(eps)
    g, dg, d2g = metric_derivatives(metric, z, chunk_size=chunk_size)
    chol, singular = _factor(_regularized(g, eps))
    g_inv = torch.cholesky_inverse(chol)  # the inverse of I where g is singular: finite, masked below
    gamma = christoffel_symbols(g_inv, dg)
    ricci = ricci_tensor(riemann_tensor(gamma, christoffel_derivatives(g_inv, dg, d2g, gamma)))
    return torch.where(singular, torch.nan, scalar_from_ricci(g_inv, ricci))


# ------------------------------------------------------------------------------------------------ entry point


def scalar_curvature(f: Decoder, z: torch.Tensor, method: str = "gauss", eps: float = 0.0, *,
                     chunk_size: int | None = None) -> torch.Tensor:
    """Scalar curvature R of the pullback metric g = JᵀJ (+ eps·I) at each latent point, shape (B,), d >= 2.

    ``method="gauss"``: Gauss equation, first and second derivatives of f (recommended; 10–14× faster at d = 2,
    20–26× at d = 5, float64, benchmarks/bench_curvature.py). ``method="christoffel"``: the seed's route through
    ∇Ψ, ∇²Ψ, ∇³Ψ (seed 001, slide "Ricci flow on manifolds"). ``chunk_size`` (None or an int ≥ 1) bounds memory (points per vectorized chunk).
    Points where g + eps·I is singular give NaN on both routes (module docstring, "Singular g").
    """
    _check_points(z, min_dim=2)
    _check_chunk_size(chunk_size)
    if method == "gauss":
        return scalar_curvature_and_metric(f, z, eps, chunk_size=chunk_size)[0]
    if method == "christoffel":
        f_single = _per_sample(f, z)

        def metric(z_batch):  # called by metric_derivatives on one point at a time, (1, d) -> (1, d, d)
            jac = jacfwd(f_single)(z_batch[0])
            return (jac.mT @ jac).unsqueeze(0)

        return intrinsic_scalar_curvature(metric, z, eps, chunk_size=chunk_size)
    raise ValueError(f"parameter 'method' must be one of {METHODS}, got {method!r}")

