r"""Model spaces E², S², H² of curvature K, their products, and exponential maps at the base point.

A latent vector u ∈ R^{2·n_p} is cut into 2-D pieces; piece i is a tangent vector at the base point o of
component i and is sent onto the component by the exponential map (seed 000, Table 1). Distances on the product
follow seed 000, eq. (1).

Two charts (point representations) of the same spaces:

``"ambient"`` (default): the true manifolds in their ambient spaces, ambient dimension 2 per E and 3 per S/H.

- E²: the plane R², o = (0, 0), exp_o(u) = u.
- S²_K (K > 0): the sphere ‖x‖ = R = 1/√K in R³, o = (R, 0, 0), tangent vector v = (0, u).
- H²_K (K < 0): the upper sheet of ⟨x, x⟩_L = 1/K, ⟨x, y⟩_L = −x₀y₀ + x₁y₁ + x₂y₂ (time coordinate first, as in
  geomstats' ``Hyperboloid``), o = (R, 0, 0) with R = 1/√−K, tangent vector v = (0, u).

``"stereographic"``: the κ-stereographic model (Bachmann et al. 2020; Skopek et al. 2020; geoopt ``Stereographic``)
with κ = K; every component has 2 coordinates, so all geometries with n_p components share one decoder width
2·n_p. A point p is the stereographic projection of the ambient point from the pole −o onto the plane x₀ = 0:
p = x_s / (1 + √|K| x₀) (sphere minus −o → R²; hyperboloid → Poincaré disc of radius R). Its metric is
λ_p² ‖dp‖² with λ_p = 2 / (1 + K‖p‖²), hence λ_0 = 2 and exp_0(u) = tan_K(‖u‖/2) u/‖u‖, where tan_K(r) is
tan(√K r)/√K, r, tanh(√−K r)/√−K for K > 0, = 0, < 0. This is geoopt's ``expmap0(u/2)``: our u is measured in
the Riemannian norm at the origin, so both charts send the same u to the same point of the manifold. The family is
continuous (and differentiable) in K through 0; at K = 0 it is the plane with chart coordinate p = u/2 and
d(p, q) = 2‖p − q‖.

Numerics (float32-safe):

- sin(r)/r, sinh(r)/r, tan_K(r)/r, ... are evaluated by a Taylor series below a dtype-dependent threshold and
  exactly above it (``torch.where`` with a safe denominator), so values and gradients at u = 0 are exact and finite.
- H (ambient chart): the hyperbolic radius √−K‖u‖ is clipped to θ_max = ½ ln(float max) − 1 (≈ 43.4 in float32,
  ≈ 353.9 in float64), like gradient-norm clipping: the direction is kept, the norm's gradient is zero beyond
  θ_max. This keeps x₀y₀ ≤ cosh²θ_max finite, so distances and their gradients stay finite. Far from the origin
  float32 coordinates lose the absolute precision needed for distances between nearby points (x₀ ≈ cosh θ).
- H distance: 2R·arsinh(‖x − y‖_L / 2R) below d = R·arcosh 2 (no cancellation near 0), R·arcosh(K⟨x, y⟩_L) above
  it, with arcosh z = log(z + √(z−1)√(z+1)) (no overflow of z²).
- S distance: R·atan2(‖x × y‖, ⟨x, y⟩) (stable near 0 and π). S is periodic, so any ‖u‖ is fine.
- Stereographic chart: S cannot represent the antipode −o (‖u‖ = π/√K mod 2π/√K, where p → ∞); the Poincaré
  disc saturates (‖p‖ rounds to R) for √−K‖u‖ ≳ 17 in float32 (≳ 37 in float64): such points collapse onto
  the boundary, distances are capped at 2R·artanh(1 − eps) and their gradients vanish. Use the ambient chart for
  large hyperbolic latents.

References: seed 000 (Table 1, eq. (1)); G. Bachmann, G. Bécigneul, O.-E. Ganea, "Constant curvature graph
convolutional networks", ICML 2020; O. Skopek, O.-E. Ganea, G. Bécigneul, "Mixed-curvature variational
autoencoders", ICLR 2020.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from latent_geometry._util.checks import check_number
from latent_geometry.manifolds._safe_math import (
    _acosh,
    _artan_k_ratio,
    _as_curvature,
    _asinhc,
    _atan2_ratio,
    _norm,
    _safe_sqrt,
    _sinc,
    _sinhc,
    _tan_k_ratio,
)

def _check_sign(k: float, sign: int, space: str) -> float:
    if sign > 0:
        return check_number(k, f"k (curvature of {space})", low=0, low_open=True)
    return check_number(k, f"k (curvature of {space})", high=0, high_open=True)


def minkowski_inner(x: Tensor, y: Tensor, keepdim: bool = False) -> Tensor:
    """⟨x, y⟩_L = −x₀y₀ + x₁y₁ + x₂y₂ (time coordinate first); x, y (..., 3) → (...,) (or (..., 1) with keepdim)."""
    inner = -x[..., :1] * y[..., :1] + (x[..., 1:] * y[..., 1:]).sum(-1, keepdim=True)
    return inner if keepdim else inner.squeeze(-1)


def euclidean_expmap0(u: Tensor) -> Tensor:
    """exp_0(u) = u on E² (seed 000, Table 1, Euclidean row); (..., 2) → (..., 2)."""
    return u


def euclidean_logmap0(x: Tensor) -> Tensor:
    """log_0(x) = x on E²; (..., 2) → (..., 2)."""
    return x


def euclidean_dist(x: Tensor, y: Tensor) -> Tensor:
    """d(x, y) = ‖x − y‖ (seed 000, Table 1); (..., 2) → (...,), gradient 0 at x = y."""
    return _norm(x - y).squeeze(-1)  # seed 000, Table 1, Euclidean row


def sphere_expmap0(u: Tensor, k: float = 1.0) -> Tensor:
    r"""Exponential map of S²_K at o = (R, 0, 0), R = 1/√K, of the tangent vector v = (0, u).

    exp_o(v) = cos(√K‖u‖) o + sin(√K‖u‖) v / (√K‖u‖)  (seed 000, Table 1, spherical row), i.e.
    x₀ = R cos θ, (x₁, x₂) = (sin θ / θ) u with θ = √K‖u‖. Shapes (..., 2) → (..., 3). Periodic in ‖u‖.
    """
    k = _check_sign(k, +1, "S2")
    theta = math.sqrt(k) * _norm(u)
    x0 = torch.cos(theta) / math.sqrt(k)  # seed 000, Table 1: cos(√K‖v‖) x_p
    xs = _sinc(theta) * u  # seed 000, Table 1: sin(√K‖v‖) v / (√K‖v‖)
    return torch.cat([x0, xs], dim=-1)


def sphere_logmap0(x: Tensor, k: float = 1.0) -> Tensor:
    """Inverse of :func:`sphere_expmap0` inside the injectivity radius ‖u‖ < π/√K: u = θ x_s / (√K‖x_s‖) with
    θ = atan2(√K‖x_s‖, √K x₀). Shapes (..., 3) → (..., 2); the antipode −o (cut locus) returns 0.
    """
    k = _check_sign(k, +1, "S2")
    sk = math.sqrt(k)
    return _atan2_ratio(sk * _norm(x[..., 1:]), sk * x[..., :1]) * x[..., 1:]


def sphere_dist(x: Tensor, y: Tensor, k: float = 1.0) -> Tensor:
    r"""Geodesic distance on S²_K: d = arccos(K⟨x, y⟩)/√K (seed 000, Table 1), evaluated as
    R·atan2(‖x × y‖, ⟨x, y⟩), which is stable near 0 and π. Shapes (..., 3) → (...,).
    """
    k = _check_sign(k, +1, "S2")
    x, y = torch.broadcast_tensors(x, y)
    angle = torch.atan2(_norm(torch.linalg.cross(x, y, dim=-1)), (x * y).sum(-1, keepdim=True))
    return (angle / math.sqrt(k)).squeeze(-1)  # seed 000, Table 1, spherical row (arccos(K⟨x,y⟩) = angle on S)


def max_hyperbolic_radius(dtype: torch.dtype) -> float:
    """θ_max = ½ ln(float max) − 1: hyperbolic radii √−K‖u‖ are clipped to it (43.36 for float32, 353.9 for float64)."""
    return 0.5 * math.log(torch.finfo(dtype).max) - 1.0


def hyperboloid_expmap0(u: Tensor, k: float = -1.0) -> Tensor:
    r"""Exponential map of H²_K at o = (R, 0, 0), R = 1/√−K, of the tangent vector v = (0, u).

    exp_o(v) = cosh(√−K‖u‖) o + sinh(√−K‖u‖) v / (√−K‖u‖)  (seed 000, Table 1, hyperbolic row), i.e.
    x₀ = R cosh θ, (x₁, x₂) = (sinh θ / θ) u with θ = √−K‖u‖. θ is first clipped to
    :func:`max_hyperbolic_radius` (u rescaled, direction kept). Shapes (..., 2) → (..., 3).
    """
    k = _check_sign(k, -1, "H2")
    theta = math.sqrt(-k) * _norm(u)
    theta_max = max_hyperbolic_radius(u.dtype)
    clipped = theta > theta_max
    scale = torch.where(clipped, theta_max / torch.where(clipped, theta, 1.0), 1.0)
    u, theta = u * scale, theta * scale
    x0 = torch.cosh(theta) / math.sqrt(-k)  # seed 000, Table 1: cosh(√−K‖v‖) x_p
    xs = _sinhc(theta) * u  # seed 000, Table 1: sinh(√−K‖v‖) v / (√−K‖v‖)
    return torch.cat([x0, xs], dim=-1)


def hyperboloid_logmap0(x: Tensor, k: float = -1.0) -> Tensor:
    """Inverse of :func:`hyperboloid_expmap0`: u = arsinh(√−K‖x_s‖) x_s / (√−K‖x_s‖). Shapes (..., 3) → (..., 2)."""
    k = _check_sign(k, -1, "H2")
    return _asinhc(math.sqrt(-k) * _norm(x[..., 1:])) * x[..., 1:]


def hyperboloid_dist(x: Tensor, y: Tensor, k: float = -1.0) -> Tensor:
    r"""Geodesic distance on H²_K: d = arcosh(K⟨x, y⟩_L)/√−K (seed 000, Table 1). Shapes (..., 3) → (...,).

    With x̃ = √−K x (unit hyperboloid), z = −⟨x̃, ỹ⟩_L = cosh(d/R) and ⟨x̃ − ỹ, x̃ − ỹ⟩_L = 4 sinh²(d/2R): for
    z < 2 we use d = 2R·arsinh(½‖x̃ − ỹ‖_L) (no cancellation near d = 0, gradient 0 at x = y), else
    d = R·arcosh(z) with an overflow-free arcosh.
    """
    k = _check_sign(k, -1, "H2")
    sk = math.sqrt(-k)
    xt, yt = sk * x, sk * y
    z = -minkowski_inner(xt, yt, keepdim=True)  # = K⟨x, y⟩_L, seed 000 Table 1
    near = z < 2
    diff = xt - yt
    chord = minkowski_inner(diff, diff, keepdim=True)  # = 4 sinh²(d/2R) ≥ 0 on the manifold
    d_near = 2 * torch.asinh(0.5 * _safe_sqrt(torch.where(near, chord, 0.0)))
    d_far = _acosh(torch.where(near, 2.0, z))  # seed 000, Table 1, hyperbolic row
    return (torch.where(near, d_near, d_far) / sk).squeeze(-1)


# --------------------------------------------------------------------------------------------------------------
# κ-stereographic chart (2 coordinates per component, any K including 0; K may be a tensor)
# --------------------------------------------------------------------------------------------------------------


def stereographic_expmap0(u: Tensor, k: float | Tensor) -> Tensor:
    r"""exp_0(u) = tan_K(‖u‖/2) u/‖u‖ in the κ-stereographic chart (κ = K), so that d(0, exp_0(u)) = ‖u‖.

    Equals geoopt's ``Stereographic(k).expmap0(u / 2)`` and the projection of the ambient exp map (seed 000,
    Table 1). u (..., 2) → (..., 2); k a float or a tensor broadcastable to u.shape[:-1] (differentiable in k).
    S: p → ∞ at the antipode ‖u‖ = π/√K; H: ‖p‖ < R (saturates at R for √−K‖u‖ ≳ 17 in float32, 37 in float64).
    """
    return 0.5 * _tan_k_ratio(0.5 * _norm(u), _as_curvature(k, u)) * u


def stereographic_logmap0(p: Tensor, k: float | Tensor) -> Tensor:
    """Inverse of :func:`stereographic_expmap0`: u = 2 artan_K(‖p‖) p/‖p‖. Shapes (..., 2) → (..., 2)."""
    return 2 * _artan_k_ratio(_norm(p), _as_curvature(k, p)) * p


def stereographic_dist(p: Tensor, q: Tensor, k: float | Tensor) -> Tensor:
    r"""Geodesic distance in the κ-stereographic chart: d = 2 artan_K(‖(−p) ⊕_K q‖) (Bachmann et al. 2020), using
    ‖(−p) ⊕_K q‖ = ‖p − q‖ / √((1 + K‖p‖²)(1 + K‖q‖²) − K‖p − q‖²). Shapes (..., 2) → (...,); K = 0 gives 2‖p − q‖.
    """
    k = _as_curvature(k, p)
    gap = _norm(p - q)
    denom = (1 + k * (p * p).sum(-1, keepdim=True)) * (1 + k * (q * q).sum(-1, keepdim=True)) - k * gap * gap
    y = gap / torch.sqrt(denom.clamp(min=torch.finfo(p.dtype).tiny))
    return (2 * y * _artan_k_ratio(y, k)).squeeze(-1)


def stereographic_to_ambient(p: Tensor, k: float) -> Tensor:
    r"""Inverse stereographic projection to the ambient chart: x₀ = R(1 − K‖p‖²)/(1 + K‖p‖²), x_s = 2p/(1 + K‖p‖²)
    for K ≠ 0 ((..., 2) → (..., 3)); x = 2p for K = 0 ((..., 2) → (..., 2)).
    """
    k = float(k)
    if k == 0:
        return 2 * p
    kp2 = k * (p * p).sum(-1, keepdim=True)
    return torch.cat([(1 - kp2) / ((1 + kp2) * math.sqrt(abs(k))), 2 * p / (1 + kp2)], dim=-1)


def ambient_to_stereographic(x: Tensor, k: float) -> Tensor:
    r"""Stereographic projection from the pole −o: p = x_s / (1 + √|K| x₀) for K ≠ 0 ((..., 3) → (..., 2));
    p = x/2 for K = 0 ((..., 2) → (..., 2)). S: the antipode −o has no image.
    """
    k = float(k)
    if k == 0:
        return x / 2
    return x[..., 1:] / (1 + math.sqrt(abs(k)) * x[..., :1])

