r"""The κ-ambient exponential map: one formula for S², E² and H² whose curvature κ is data (and differentiable).

For a tangent vector u ∈ R² at the base point and a curvature κ ∈ R, with r = ‖u‖ and û = u/r,

    exp_κ(u) = (C_κ(r), S_κ(r) û) ∈ R³,
    C_κ(r) = cos(√κ r) | 1 | cosh(√−κ r),   S_κ(r) = sin(√κ r)/√κ | r | sinh(√−κ r)/√−κ   (κ >, =, < 0),

so C_κ² + κ S_κ² = 1. For κ = +1 / −1 this is the unit sphere / hyperboloid point of seed 000, Table 1 in the
ambient chart (base point (1, 0, 0), :func:`~latent_geometry.manifolds.maps.sphere_expmap0`,
:func:`~latent_geometry.manifolds.maps.hyperboloid_expmap0`); for κ = 0 it is the plane padded with a constant
coordinate 1. Every geometry with n_p components therefore has the same decoder input width 3·n_p, and the
curvature vector κ ∈ {−1, 0, 1}^{n_p} is the only thing that differs between them (so many geometries train in one
batched step, and κ can be learned: a continuous relaxation in the spirit of Skopek et al. 2020's learnable
curvature, here in the ambient chart).

Numerics. Both functions depend on u only through z = κ r² = κ ‖u‖², and S_κ(r) û = (S_κ(r)/r) u, so no ‖u‖
(whose gradient is singular at 0) is ever formed: C = cos √z | cosh √−z and S/r = sin √z/√z | sinh √−z/√−z are
entire functions of z, evaluated by their Taylor series up to z³ for |z| below eps^{1/4} (exact to rounding) and
exactly above it, with masked arguments so that neither branch can produce inf/NaN gradients. Values and gradients
are therefore finite and exact at u = 0, at κ = 0, and smooth in κ through 0. On the hyperbolic side the radius
√−z is clipped to :func:`~latent_geometry.manifolds.maps.max_hyperbolic_radius` by rescaling u (direction kept),
as :func:`~latent_geometry.manifolds.maps.hyperboloid_expmap0` does, so cosh stays finite in float32 at any r.
NaN in u or κ comes out NaN (every mask is False for NaN).
"""

from __future__ import annotations

import torch
from torch import Tensor

from latent_geometry._util.checks import check_int, check_number, check_tensor
from latent_geometry.manifolds._safe_math import _is_traced, _safe_sqrt, _series_limit
from latent_geometry.manifolds.maps import max_hyperbolic_radius

__all__ = ["kappa_cos_sin", "kappa_expmap0", "kappa_product_expmap0"]


def _curvature(kappa, like: Tensor, name: str = "kappa") -> Tensor:
    """κ as a tensor of like's dtype/device; numbers and tensors must be real and finite (NaN never passes)."""
    if isinstance(kappa, Tensor):
        if kappa.is_complex() or kappa.dtype == torch.bool:
            raise TypeError(f"parameter {name!r} must be a real number or a real tensor, got dtype {kappa.dtype}")
        if not _is_traced(kappa) and not bool(torch.isfinite(kappa).all()):
            raise ValueError(f"parameter {name!r} must be finite, got {kappa.flatten()[:4].tolist()}")
        return kappa.to(dtype=like.dtype, device=like.device)
    return torch.as_tensor(check_number(kappa, f"parameter {name!r}"), dtype=like.dtype, device=like.device)


def kappa_cos_sin(z: Tensor) -> tuple[Tensor, Tensor]:
    r"""C = cos √z | 1 | cosh √−z and S/r = sin √z/√z | 1 | sinh √−z/√−z as functions of z = κ r² (elementwise).

    Taylor series in z below |z| < eps^{1/4} (first dropped term O(z⁴)), the closed form above; both are entire in
    z, so values and derivatives are smooth through z = 0. No clipping here (see :func:`kappa_expmap0`).
    """
    small = z.abs() < _series_limit(z.dtype, 4)
    zs = torch.where(small, z, 0.0)  # series on a masked argument: no overflow in the unused branch
    c_series = 1 - zs / 2 + zs**2 / 24 - zs**3 / 720
    s_series = 1 - zs / 6 + zs**2 / 120 - zs**3 / 5040
    zx = torch.where(small, 1.0, z)  # closed form on a masked argument: |z| >= the limit, a > 0
    a = _safe_sqrt(zx.abs())
    a_safe = torch.where(small, 1.0, a)
    pos = zx > 0
    a_h = torch.where(pos, 0.0, a)  # cosh/sinh never see the spherical side's large a (inf · 0 = NaN gradients)
    c_exact = torch.where(pos, torch.cos(a), torch.cosh(a_h))
    s_exact = torch.where(pos, torch.sin(a), torch.sinh(a_h)) / a_safe
    return torch.where(small, c_series, c_exact), torch.where(small, s_series, s_exact)


def kappa_expmap0(u: Tensor, kappa: float | Tensor) -> Tensor:
    r"""exp_κ(u) = (C_κ(r), (S_κ(r)/r) u) for u (..., 2) and κ a number or a tensor broadcastable to u's batch
    shape (...,); returns (..., 3). Equals the unit sphere (κ = 1) / hyperboloid (κ = −1) point of seed 000,
    Table 1 in the ambient chart, and (1, u) for κ = 0. Differentiable in u and κ everywhere, κ = 0 included.
    """
    check_tensor(u, "u", last_dim=2, what="tangent vector of one component")
    k = _curvature(kappa, u)[..., None]
    r2 = (u * u).sum(-1, keepdim=True)  # r² directly: no ‖u‖, no singular gradient at u = 0
    z = k * r2
    # H: clip the hyperbolic radius √−z to θ_max by rescaling u (as maps.hyperboloid_expmap0 does)
    theta_max = max_hyperbolic_radius(u.dtype)
    theta = _safe_sqrt(-z)
    clipped = theta > theta_max
    scale = torch.where(clipped, theta_max / torch.where(clipped, theta, 1.0), 1.0)
    u, z = u * scale, z * scale * scale
    c, s_over_r = kappa_cos_sin(z)
    return torch.cat([c, s_over_r * u], dim=-1)  # seed 000, Table 1: (cos|cosh)(√|K| r) o + (sin|sinh)(·) v/(√|K| r)


def kappa_product_expmap0(u: Tensor, kappa: Tensor) -> Tensor:
    r"""exp_κ on a product of n_p components: u (..., 2·n_p), κ (n_p,) or (..., n_p) → (..., 3·n_p).

    Component i reads u[..., 2i:2i+2] and κ[..., i] and writes out[..., 3i:3i+3] = exp_{κ_i}(u_i).
    """
    if not isinstance(kappa, Tensor):
        raise TypeError(f"parameter 'kappa' must be a tensor of shape (n_p,) or (..., n_p), got {type(kappa).__name__}")
    if kappa.ndim < 1:
        raise ValueError(f"parameter 'kappa' must have shape (n_p,) or (..., n_p), got shape {tuple(kappa.shape)}")
    n_p = check_int(kappa.shape[-1], "the last dimension of 'kappa' (n_p)", low=1)
    check_tensor(u, "u", last_dim=2 * n_p, what=f"2·n_p = {2 * n_p} tangent coordinates for n_p = {n_p}")
    pieces = u.reshape(*u.shape[:-1], n_p, 2)
    x = kappa_expmap0(pieces, kappa)
    return x.reshape(*u.shape[:-1], 3 * n_p)
