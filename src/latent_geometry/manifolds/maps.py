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

Numerics (float32-safe; measured against 50-digit mpmath on the book's "Numerical accuracy" appendix, computed by
:mod:`latent_geometry.manifolds.accuracy`):

- sin(r)/r, sinh(r)/r, tan_K(r)/r, ... are evaluated by a Taylor series below a dtype-dependent threshold and
  exactly above it (``torch.where`` with a safe denominator), so values and gradients at u = 0 are exact and finite.
  Every mask lets NaN through: a NaN coordinate gives a NaN distance (never 0), also inside a product.
- H (ambient chart): the hyperbolic radius θ = √−K‖u‖ is clipped to θ_max = ½ ln(float max) − 1 (≈ 43.4 in
  float32, ≈ 353.9 in float64), like gradient-norm clipping: the direction is kept, the norm's gradient is zero
  beyond θ_max. This keeps x₀y₀ ≤ cosh²θ_max finite, so distances and their gradients stay finite.
- H distance: the hyperbolic haversine sinh²(d/2R) = sinh²((θ_x − θ_y)/2) + sinh θ_x sinh θ_y sin²(Δφ/2) from the
  spatial coordinates (:func:`hyperboloid_dist`), a sum of non-negative terms. Table 1's arcosh(K⟨x, y⟩_L) and the
  chord ⟨x − y, x − y⟩_L both cancel far from o (d(x, x) came out up to 123 in float64 when the formula was chosen
  by K⟨x, y⟩_L < 2, and pairs 0.5 apart had errors ~1 from θ ≈ 6 (float32) / 14 (float64)).
- S distance: 2R·atan2(‖x − y‖, ‖x + y‖) (stable near 0 and π). S is periodic, so any ‖u‖ is fine.
- Stereographic chart: S cannot represent the antipode −o (‖u‖ = π/√K mod 2π/√K, where p → ∞); its distance uses
  (1 + K⟨p, q⟩)² + K²(p × q)², which does not cancel there. The Poincaré disc stores 1 − √−K‖p‖ ≈ 2e^{−θ} only to
  eps, so H points lose accuracy like eps·e^θ and saturate (‖p‖ rounds to R, distances are capped at
  2R·artanh(1 − eps), gradients vanish) for θ ≳ 17 in float32, ≳ 37 in float64.
- Checks: every exported function checks the last dimension of its tensors and the curvature (finite; its sign for
  the ambient maps). :meth:`ModelSpace.dist` and :meth:`ProductManifold.dist` also reject finite points off the
  space (ValueError naming x or y); the functions here do not, except that :func:`stereographic_dist` returns NaN
  for hyperbolic points outside the closed disc.

Measured accuracy (error ≤ 1e-6, relative, absolute below distance 1; θ = √|K|‖u‖ of the points; laptop sample):

- every chart: d(x, x) = 0 exactly; E² exact to rounding at every θ.
- S², both charts: float64 over the whole range (θ up to 354); float32 to θ ≈ 10–16 (the error grows like eps·θ,
  the rounding of ‖u‖ itself).
- H², ambient: two independent points (nearly always far apart) over the whole range in float64; in float32 their
  median error stays ~6e-8 up to θ_max, the worst pair of a bin passing to θ ≈ 12. Pairs 0.5 apart to θ ≈ 4
  (float32) and 20 (float64), beyond which the points' own angular resolution eps·sinh θ dominates (it reaches 0.5
  at θ ≈ 16 / 36: a latent cannot place two points 0.5 apart in most directions any more).
- H², stereographic: pairs 0.5 apart to θ ≈ 2 (float32) and 20 (float64); independent points only to θ ≈ 2
  (float32; error 1e-4 at θ ∈ [4, 6), 0.2 at [8, 10)) and 14 (float64; 4e-3 at [16, 18)).

Advice: for hyperbolic components use the ambient chart wherever distances matter beyond θ ≈ 2 (float32) or 14
(float64) — it is as accurate as the stereographic chart for nearby points and accurate at every θ for distant
ones; use float64 for nearby points beyond θ ≈ 4. The stereographic chart's advantages are structural (two
coordinates per component, continuity in K through 0), not numerical.

References: seed 000 (Table 1, eq. (1)); G. Bachmann, G. Bécigneul, O.-E. Ganea, "Constant curvature graph
convolutional networks", ICML 2020; O. Skopek, O.-E. Ganea, G. Bécigneul, "Mixed-curvature variational
autoencoders", ICLR 2020.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from latent_geometry._util.checks import check_number, check_tensor
from latent_geometry.manifolds._safe_math import (
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


def _check_input(t: Tensor, name: str, size: int, what: str) -> None:
    """Shape check of the exported functions: a floating tensor whose last dimension is ``size``."""
    check_tensor(t, name, last_dim=size, what=what)


def _minkowski(x: Tensor, y: Tensor) -> Tensor:
    """⟨x, y⟩_L over the last dim (time first), kept as a size-1 dim; no checks (internal)."""
    return -x[..., :1] * y[..., :1] + (x[..., 1:] * y[..., 1:]).sum(-1, keepdim=True)


def minkowski_inner(x: Tensor, y: Tensor, keepdim: bool = False) -> Tensor:
    """⟨x, y⟩_L = −x₀y₀ + x₁y₁ + x₂y₂ (time coordinate first); x, y (..., 3) → (...,) (or (..., 1) with keepdim)."""
    _check_input(x, "x", 3, "ambient point of H2: (x0, x1, x2), time first")
    _check_input(y, "y", 3, "ambient point of H2: (x0, x1, x2), time first")
    inner = _minkowski(x, y)
    return inner if keepdim else inner.squeeze(-1)


def euclidean_expmap0(u: Tensor) -> Tensor:
    """exp_0(u) = u on E² (seed 000, Table 1, Euclidean row); (..., 2) → (..., 2)."""
    _check_input(u, "u", 2, "tangent vector of E2")
    return u


def euclidean_logmap0(x: Tensor) -> Tensor:
    """log_0(x) = x on E²; (..., 2) → (..., 2)."""
    _check_input(x, "x", 2, "point of E2")
    return x


def euclidean_dist(x: Tensor, y: Tensor) -> Tensor:
    """d(x, y) = ‖x − y‖ (seed 000, Table 1); (..., 2) → (...,), gradient 0 at x = y; NaN in, NaN out."""
    _check_input(x, "x", 2, "point of E2")
    _check_input(y, "y", 2, "point of E2")
    return _norm(x - y).squeeze(-1)  # seed 000, Table 1, Euclidean row


def sphere_expmap0(u: Tensor, k: float = 1.0) -> Tensor:
    r"""Exponential map of S²_K at o = (R, 0, 0), R = 1/√K, of the tangent vector v = (0, u).

    exp_o(v) = cos(√K‖u‖) o + sin(√K‖u‖) v / (√K‖u‖)  (seed 000, Table 1, spherical row), i.e.
    x₀ = R cos θ, (x₁, x₂) = (sin θ / θ) u with θ = √K‖u‖. Shapes (..., 2) → (..., 3). Periodic in ‖u‖.
    """
    k = _check_sign(k, +1, "S2")
    _check_input(u, "u", 2, "tangent vector of S2")
    theta = math.sqrt(k) * _norm(u)
    x0 = torch.cos(theta) / math.sqrt(k)  # seed 000, Table 1: cos(√K‖v‖) x_p
    xs = _sinc(theta) * u  # seed 000, Table 1: sin(√K‖v‖) v / (√K‖v‖)
    return torch.cat([x0, xs], dim=-1)


def sphere_logmap0(x: Tensor, k: float = 1.0) -> Tensor:
    """Inverse of :func:`sphere_expmap0` inside the injectivity radius ‖u‖ < π/√K: u = θ x_s / (√K‖x_s‖) with
    θ = atan2(√K‖x_s‖, √K x₀). Shapes (..., 3) → (..., 2); the antipode −o (cut locus) returns 0.
    """
    k = _check_sign(k, +1, "S2")
    _check_input(x, "x", 3, "ambient point of S2")
    sk = math.sqrt(k)
    return _atan2_ratio(sk * _norm(x[..., 1:]), sk * x[..., :1]) * x[..., 1:]


def sphere_dist(x: Tensor, y: Tensor, k: float = 1.0) -> Tensor:
    r"""Geodesic distance on S²_K: d = arccos(K⟨x, y⟩)/√K (seed 000, Table 1), evaluated as
    2R·atan2(‖x − y‖, ‖x + y‖) (Kahan's angle formula: ‖x ∓ y‖ = 2R sin, cos of half the angle), which is stable
    near 0 and π and exactly 0 at x = y (gradient 0 there). Shapes (..., 3) → (...,); NaN in, NaN out.
    """
    k = _check_sign(k, +1, "S2")
    _check_input(x, "x", 3, "ambient point of S2")
    _check_input(y, "y", 3, "ambient point of S2")
    angle = 2 * torch.atan2(_norm(x - y), _norm(x + y))  # seed 000, Table 1, spherical row: arccos(K⟨x, y⟩)
    return (angle / math.sqrt(k)).squeeze(-1)


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
    _check_input(u, "u", 2, "tangent vector of H2")
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
    _check_input(x, "x", 3, "ambient point of H2")
    return _asinhc(math.sqrt(-k) * _norm(x[..., 1:])) * x[..., 1:]


def hyperboloid_dist(x: Tensor, y: Tensor, k: float = -1.0) -> Tensor:
    r"""Geodesic distance on H²_K: d = arcosh(K⟨x, y⟩_L)/√−K (seed 000, Table 1). Shapes (..., 3) → (...,).

    Evaluated in geodesic polar coordinates, from the spatial parts only: with x̃ = √−K x (unit hyperboloid),
    sinh θ_x = ‖x̃_s‖ and unit directions e_x = x̃_s/‖x̃_s‖,

        sinh²(d/2R) = sinh²((θ_x − θ_y)/2) + sinh θ_x sinh θ_y ‖e_x − e_y‖²/4,

    a sum of two non-negative terms (the hyperbolic haversine), so nothing cancels: d(x, x) = 0 exactly, d is
    symmetric bit for bit, and nearby points far from o keep the accuracy their coordinates carry (a relative error
    ~eps·sinh θ / d, from the angular resolution eps of e_x). Table 1's z = K⟨x, y⟩_L and the chord ⟨x − y, x − y⟩_L
    are each a difference of numbers ~cosh²θ: choosing the formula by z < 2 gave d(x, x) up to 123 (float64), by
    the chord gave d = 0 for points 247 apart at radii 101 and 143, and either form loses ~eps·e^{2θ} between nearby
    points (measured on the book's "Numerical accuracy" appendix). sinh θ is computed as √(sinh²θ + tiny), which
    changes nothing beyond ~√tiny and keeps the gradient at o exact (∇_x d = −e_y there, from the angular term) with
    no special case. x₀ enters only as 0·x₀ (so that NaN in x₀ gives NaN): x is taken as the point of the upper sheet
    with spatial part x_s (:meth:`ModelSpace.dist` checks that x is on it). NaN in, NaN out.
    """
    k = _check_sign(k, -1, "H2")
    _check_input(x, "x", 3, "ambient point of H2")
    _check_input(y, "y", 3, "ambient point of H2")
    tiny, unit = torch.finfo(x.dtype).tiny, k == -1  # K = −1 skips the scalings

    def sinh_theta(p: Tensor) -> Tensor:  # √(sinh²θ + tiny), sinh²θ = −K‖p_s‖² (+ 0·p₀: a NaN in p₀ gives NaN)
        squares = (p[..., 1:] ** 2).sum(-1, keepdim=True) + 0.0 * p[..., :1]
        return torch.sqrt((squares if unit else squares * -k) + tiny)

    nx, ny = sinh_theta(x), sinh_theta(y)
    sk = math.sqrt(-k)
    if unit:  # e = x̃_s / sinh θ (a unit vector except within √tiny of o)
        ex, ey = x[..., 1:] / nx, y[..., 1:] / ny
    else:
        ex, ey = x[..., 1:] * (sk / nx), y[..., 1:] * (sk / ny)
    # seed 000, Table 1, hyperbolic row, as cosh(d/R) − 1 = 2 sinh²(d/2R) split into radial and angular parts
    q = torch.sinh(0.5 * (torch.asinh(nx) - torch.asinh(ny))) ** 2 + (0.25 * nx * ny) * ((ex - ey) ** 2).sum(
        -1, keepdim=True)
    d = 2 * torch.asinh(_safe_sqrt(q))
    return (d if unit else d / sk).squeeze(-1)


# --------------------------------------------------------------------------------------------------------------
# κ-stereographic chart (2 coordinates per component, any K including 0; K may be a tensor)
# --------------------------------------------------------------------------------------------------------------


def stereographic_expmap0(u: Tensor, k: float | Tensor) -> Tensor:
    r"""exp_0(u) = tan_K(‖u‖/2) u/‖u‖ in the κ-stereographic chart (κ = K), so that d(0, exp_0(u)) = ‖u‖.

    Equals geoopt's ``Stereographic(k).expmap0(u / 2)`` and the projection of the ambient exp map (seed 000,
    Table 1). u (..., 2) → (..., 2); k a finite float or a tensor broadcastable to u.shape[:-1] (differentiable in
    k). S: p → ∞ at the antipode ‖u‖ = π/√K; H: ‖p‖ < R, and 1 − √−K‖p‖ ≈ 2e^{−θ} is resolved only to eps, so
    points lose accuracy ∝ eps·e^θ and saturate at ‖p‖ = R for θ = √−K‖u‖ ≳ 17 (float32), 37 (float64).
    """
    _check_input(u, "u", 2, "tangent vector in the stereographic chart")
    return 0.5 * _tan_k_ratio(0.5 * _norm(u), _as_curvature(k, u)) * u


def stereographic_logmap0(p: Tensor, k: float | Tensor) -> Tensor:
    """Inverse of :func:`stereographic_expmap0`: u = 2 artan_K(‖p‖) p/‖p‖. Shapes (..., 2) → (..., 2)."""
    _check_input(p, "p", 2, "point in the stereographic chart")
    return 2 * _artan_k_ratio(_norm(p), _as_curvature(k, p)) * p


def stereographic_dist(p: Tensor, q: Tensor, k: float | Tensor) -> Tensor:
    r"""Geodesic distance in the κ-stereographic chart: d = 2 artan_K(‖(−p) ⊕_K q‖) (Bachmann et al. 2020).

    ‖(−p) ⊕_K q‖ = ‖p − q‖ / √Δ with Δ = (1 + K‖p‖²)(1 + K‖q‖²) − K‖p − q‖² = (1 + K⟨p, q⟩)² + K²(p × q)²
    (p × q = p₁q₂ − p₂q₁, Lagrange's identity). Each K takes the form that is a sum of non-negative terms: the
    squares for K > 0 (the product form cancels near the antipode, where ‖p‖ → ∞: d(0, p) came out π instead of
    3.1409 in float32), the product form for K < 0 (both terms positive in the disc). Shapes (..., 2) → (...,);
    K = 0 gives 2‖p − q‖. Hyperbolic K: points outside the closed disc, √−K‖p‖ > 1 + 1000·eps (not a point of the
    chart, e.g. a decoder's raw output), give NaN; points in [1, 1 + 1000·eps] (saturated exp maps) give distances
    capped at 2R·artanh(1 − eps). NaN in, NaN out.
    """
    _check_input(p, "p", 2, "point in the stereographic chart")
    _check_input(q, "q", 2, "point in the stereographic chart")
    kt = _as_curvature(k, p)
    sign = None if isinstance(k, Tensor) else (k > 0) - (k < 0)  # a number picks one form; a tensor K gets both
    gap = _norm(p - q)
    if sign != 1:
        pp, qq = (p * p).sum(-1, keepdim=True), (q * q).sum(-1, keepdim=True)
        product_form = (1 + kt * pp) * (1 + kt * qq) - kt * gap * gap
    if sign is None or sign == 1:
        cross = p[..., :1] * q[..., 1:] - p[..., 1:] * q[..., :1]  # p × q
        squares_form = (1 + kt * (p * q).sum(-1, keepdim=True)) ** 2 + (kt * cross) ** 2
    denom = squares_form if sign == 1 else product_form if sign is not None else torch.where(
        kt > 0, squares_form, product_form)
    y = gap / torch.sqrt(denom.clamp(min=torch.finfo(p.dtype).tiny))
    d = 2 * y * _artan_k_ratio(y, kt)
    if sign is None or sign < 0:  # hyperbolic K: NaN outside the closed Poincaré disc of radius R (up to 1000·eps)
        limit = (1 + 1000 * torch.finfo(p.dtype).eps) ** 2
        outside = -kt * torch.maximum(pp, qq) > limit
        d = torch.where(outside if sign is not None else outside & (kt < 0), torch.nan, d)
    return d.squeeze(-1)


def stereographic_to_ambient(p: Tensor, k: float) -> Tensor:
    r"""Inverse stereographic projection to the ambient chart: x₀ = R(1 − K‖p‖²)/(1 + K‖p‖²), x_s = 2p/(1 + K‖p‖²)
    for K ≠ 0 ((..., 2) → (..., 3)); x = 2p for K = 0 ((..., 2) → (..., 2)).
    """
    k = check_number(k, "k (curvature)")
    _check_input(p, "p", 2, "point in the stereographic chart")
    if k == 0:
        return 2 * p
    kp2 = k * (p * p).sum(-1, keepdim=True)
    return torch.cat([(1 - kp2) / ((1 + kp2) * math.sqrt(abs(k))), 2 * p / (1 + kp2)], dim=-1)


def ambient_to_stereographic(x: Tensor, k: float) -> Tensor:
    r"""Stereographic projection from the pole −o: p = x_s / (1 + √|K| x₀) for K ≠ 0 ((..., 3) → (..., 2));
    p = x/2 for K = 0 ((..., 2) → (..., 2)). S: the antipode −o has no image.
    """
    k = check_number(k, "k (curvature)")
    _check_input(x, "x", 2 if k == 0 else 3, "ambient point" + (" of E2" if k == 0 else ""))
    if k == 0:
        return x / 2
    return x[..., 1:] / (1 + math.sqrt(abs(k)) * x[..., :1])
