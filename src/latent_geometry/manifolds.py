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
import numbers
import re
from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = [
    "ALLOWED_COMPONENTS",
    "CHARTS",
    "ModelSpace",
    "ProductManifold",
    "parse_signature",
    "format_signature",
    "canonical",
    "minkowski_inner",
    "euclidean_expmap0",
    "euclidean_logmap0",
    "euclidean_dist",
    "sphere_expmap0",
    "sphere_logmap0",
    "sphere_dist",
    "hyperboloid_expmap0",
    "hyperboloid_logmap0",
    "hyperboloid_dist",
    "max_hyperbolic_radius",
    "stereographic_expmap0",
    "stereographic_logmap0",
    "stereographic_dist",
    "stereographic_to_ambient",
    "ambient_to_stereographic",
]

ALLOWED_COMPONENTS = ("E2", "S2", "H2")
CHARTS = ("ambient", "stereographic")


# --------------------------------------------------------------------------------------------------------------
# Safe elementary functions
# --------------------------------------------------------------------------------------------------------------


def _series_limit(dtype: torch.dtype, order: int) -> float:
    """Below eps**(1/order) a series whose first dropped term is O(t**order) is exact to machine precision."""
    return torch.finfo(dtype).eps ** (1.0 / order)


def _safe_sqrt(q: Tensor) -> Tensor:
    """√q for q ≥ 0, 0 for q ≤ 0; gradient 0 (not inf/NaN) at q = 0."""
    positive = q > 0
    return torch.where(positive, torch.sqrt(torch.where(positive, q, 1.0)), 0.0)


def _norm(v: Tensor) -> Tensor:
    """‖v‖ over the last dim, kept as a size-1 dim: (..., n) → (..., 1); gradient 0 (not NaN) at v = 0.

    Scalars are kept 1-D on purpose: under torch.func forward mode, a Python float times a 0-d tensor gets a float64
    tangent (pytorch/pytorch#90065, #160513, still in torch 2.14), so we only squeeze at the very end.
    """
    return _safe_sqrt((v * v).sum(-1, keepdim=True))


def _sinc(t: Tensor) -> Tensor:
    """sin(t)/t, exact and smooth at t = 0."""
    small = t.abs() < _series_limit(t.dtype, 6)
    t_safe = torch.where(small, 1.0, t)
    t2 = t * t
    return torch.where(small, 1 - t2 / 6 + t2 * t2 / 120, torch.sin(t_safe) / t_safe)


def _sinhc(t: Tensor) -> Tensor:
    """sinh(t)/t, exact and smooth at t = 0."""
    small = t.abs() < _series_limit(t.dtype, 6)
    t_safe = torch.where(small, 1.0, t)
    t2 = t * t
    return torch.where(small, 1 + t2 / 6 + t2 * t2 / 120, torch.sinh(t_safe) / t_safe)


def _asinhc(t: Tensor) -> Tensor:
    """arsinh(t)/t, exact and smooth at t = 0."""
    small = t.abs() < _series_limit(t.dtype, 6)
    t_safe = torch.where(small, 1.0, t)
    t2 = t * t
    return torch.where(small, 1 - t2 / 6 + 3 * t2 * t2 / 40, torch.asinh(t_safe) / t_safe)


def _atan2_ratio(s: Tensor, c: Tensor) -> Tensor:
    """atan2(s, c)/s for s ≥ 0, smooth at s = 0 when c > 0 (value 1/c there); s = 0, c ≤ 0 gives 0."""
    small = (s < _series_limit(s.dtype, 6)) & (c > 0)
    c_safe = torch.where(small, c, 1.0)
    t2 = (s / c_safe) ** 2
    s_safe = torch.where(s > 0, s, 1.0)
    exact = torch.where(s > 0, torch.atan2(s, c) / s_safe, 0.0)
    return torch.where(small, (1 - t2 / 3 + t2 * t2 / 5) / c_safe, exact)


def _acosh(z: Tensor) -> Tensor:
    """arcosh(z) for z ≥ 1 as log(z + √(z−1)√(z+1)): no overflow of z², gradient ≈ 1/z for large z."""
    return torch.log(z + torch.sqrt(z - 1) * torch.sqrt(z + 1))


def _as_curvature(k: float | Tensor, like: Tensor) -> Tensor:
    """K as a tensor of like's dtype; a batched K of shape (...,) gets a trailing size-1 dim to match (..., 1)."""
    k = torch.as_tensor(k, dtype=like.dtype, device=like.device)
    return k[..., None] if k.ndim else k


def _tan_k_ratio(r: Tensor, k: Tensor) -> Tensor:
    """tan_K(r)/r = tan(√K r)/(√K r), 1, tanh(√−K r)/(√−K r) for K >, =, < 0; smooth in r and in K through 0."""
    z = k * r * r
    small = z.abs() < _series_limit(r.dtype, 4)
    a = torch.where(small, 1.0, torch.sqrt(torch.where(small, 1.0, k.abs())) * r)
    exact = torch.where(k > 0, torch.tan(a), torch.tanh(a)) / a
    return torch.where(small, 1 + z / 3 + 2 * z**2 / 15 + 17 * z**3 / 315, exact)


def _artan_k_ratio(y: Tensor, k: Tensor) -> Tensor:
    """artan_K(y)/y = arctan(√K y)/(√K y), 1, artanh(√−K y)/(√−K y) for K >, =, < 0 (artanh argument capped at
    1 − eps); smooth in y and in K through 0."""
    z = k * y * y
    small = z.abs() < _series_limit(y.dtype, 4)
    a = torch.where(small, 1.0, torch.sqrt(torch.where(small, 1.0, k.abs())) * y)
    below_one = a.clamp(max=1 - torch.finfo(y.dtype).eps)
    exact = torch.where(k > 0, torch.atan(a), torch.atanh(below_one)) / a
    return torch.where(small, 1 - z / 3 + z**2 / 5 - z**3 / 7, exact)


# --------------------------------------------------------------------------------------------------------------
# Pure functions per space (ambient chart)
# --------------------------------------------------------------------------------------------------------------


def _check_sign(k: float, sign: int, space: str) -> float:
    if not (isinstance(k, numbers.Real) and math.isfinite(k) and (k > 0 if sign > 0 else k < 0)):
        allowed = "a finite number > 0" if sign > 0 else "a finite number < 0"
        raise ValueError(f"k (curvature of {space}) must be {allowed}, got {k!r}")
    return float(k)


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


# --------------------------------------------------------------------------------------------------------------
# Signatures
# --------------------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"([A-Z])2(?:\(K=([^()]*)\))?")
_SEPARATOR = re.compile(r"(?<=[0-9)])\s*[x×]\s*(?=[A-Za-z])", re.IGNORECASE)
_SIGN = {"E": 0, "S": 1, "H": -1}
_SIGNATURE_HELP = (
    f"allowed components are {', '.join(ALLOWED_COMPONENTS)} (case-insensitive, optionally with a curvature such as "
    "'H2(K=-0.25)'), "
    "joined by 'x', e.g. 'H2xE2xS2'; or a sequence of finite curvatures such as (-1, 0, 1), the sign choosing H/E/S"
)


def _curvature_value(k: float) -> int | float:
    """Integral curvatures as int (so (-1, 0, 1) prints and hashes as the search space's tuples), else float."""
    k = float(k)
    return int(k) if k.is_integer() else k


def parse_signature(signature: str | Sequence[float]) -> tuple[int | float, ...]:
    """Curvature tuple (user order) of a signature string such as 'H2xE2xS2' or 'h2(k=-0.25)xs2', or of a
    sequence of numbers such as (-1, 0, 1.5). Raises ValueError/TypeError naming ``signature``.
    """
    if isinstance(signature, ProductManifold):
        return signature.curvatures
    if isinstance(signature, str):
        text = signature.strip()
        if not text:
            raise ValueError(f"signature must have at least one component; {_SIGNATURE_HELP}")
        curvatures = []
        for token in _SEPARATOR.split(text):
            match = _TOKEN.fullmatch(token.strip().upper())
            if match is None or match.group(1) not in _SIGN:
                raise ValueError(f"signature {signature!r}: unknown component {token.strip()!r}; {_SIGNATURE_HELP}")
            kind, value = match.groups()
            if value is None:
                curvatures.append(_SIGN[kind])
                continue
            try:
                k = float(value)
            except ValueError:
                raise ValueError(f"signature {signature!r}: curvature {value!r} is not a number") from None
            if not math.isfinite(k) or (k > 0) - (k < 0) != _SIGN[kind]:
                raise ValueError(f"signature {signature!r}: {kind}2 needs a finite curvature with sign "
                                 f"{'<0' if kind == 'H' else '>0' if kind == 'S' else '=0'}, got {value}")
            curvatures.append(_curvature_value(k))
        return tuple(curvatures)
    if isinstance(signature, Sequence):
        if len(signature) == 0:
            raise ValueError(f"signature must have at least one component; {_SIGNATURE_HELP}")
        curvatures = []
        for i, k in enumerate(signature):
            if isinstance(k, bool) or not isinstance(k, numbers.Real):
                raise TypeError(f"signature[{i}] must be a real number (a curvature), got {k!r}")
            if not math.isfinite(k):
                raise ValueError(f"signature[{i}]: curvature must be finite, got {k!r}")
            curvatures.append(_curvature_value(k))
        return tuple(curvatures)
    raise TypeError(f"signature must be a string or a sequence of curvatures, got {type(signature).__name__}; "
                    f"{_SIGNATURE_HELP}")


def _component_name(k: int | float) -> str:
    kind = "E" if k == 0 else "S" if k > 0 else "H"
    return f"{kind}2" if k in (-1, 0, 1) else f"{kind}2(K={k!r})"  # repr: exact round trip through parse_signature


def format_signature(curvatures: Sequence[float]) -> str:
    """Canonical string of a curvature tuple, in the given order: (-1, 0, 4) → 'H2xE2xS2(K=4)'."""
    return "x".join(_component_name(k) for k in parse_signature(tuple(curvatures)))


def canonical(signature: str | Sequence[float] | ProductManifold) -> tuple[int | float, ...]:
    """Sorted curvature tuple, the search space's node label: canonical('S2xH2xE2') == (-1, 0, 1)."""
    return tuple(sorted(parse_signature(signature)))


# --------------------------------------------------------------------------------------------------------------
# Thin classes
# --------------------------------------------------------------------------------------------------------------


def _check_tensor(t: Tensor, size: int, name: str, what: str) -> None:
    if not isinstance(t, Tensor) or not t.is_floating_point():
        raise TypeError(f"{name} must be a floating-point torch.Tensor, got {type(t).__name__}"
                        + (f" of dtype {t.dtype}" if isinstance(t, Tensor) else ""))
    if t.ndim == 0 or t.shape[-1] != size:
        raise ValueError(f"{name} must have last dimension {size} ({what}), got shape {tuple(t.shape)}")


def _check_chart(chart: str) -> str:
    if chart not in CHARTS:
        raise ValueError(f"chart must be one of {CHARTS}, got {chart!r}")
    return chart


class ModelSpace:
    """One 2-D model space of constant curvature K: E² (K = 0), S²_K (K > 0), H²_K (K < 0), in a chart.

    Attributes: ``curvature``, ``kind`` ('E'/'S'/'H'), ``name`` ('H2', 'S2(K=4)'), ``radius`` 1/√|K| (inf for E),
    ``chart``, ``latent_dim`` (2), ``ambient_dim`` (2 for E, 3 for S/H), ``point_dim`` (size of a point in the chart).
    """

    latent_dim = 2

    def __init__(self, curvature: float, chart: str = "ambient"):
        if isinstance(curvature, bool) or not isinstance(curvature, numbers.Real):
            raise TypeError(f"curvature must be a real number (<0: H2, 0: E2, >0: S2), got {curvature!r}")
        if not math.isfinite(curvature):
            raise ValueError(f"curvature must be a finite real number (<0: H2, 0: E2, >0: S2), got {curvature!r}")
        self.curvature = _curvature_value(curvature)
        self.chart = _check_chart(chart)
        self.kind = "E" if self.curvature == 0 else "S" if self.curvature > 0 else "H"
        self.name = _component_name(self.curvature)
        self.radius = math.inf if self.kind == "E" else 1 / math.sqrt(abs(self.curvature))
        self.ambient_dim = 2 if self.kind == "E" else 3
        self.point_dim = self.ambient_dim if chart == "ambient" else 2

    def __repr__(self) -> str:
        return f"ModelSpace({self.curvature!r}, chart={self.chart!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSpace) and (self.curvature, self.chart) == (other.curvature, other.chart)

    def __hash__(self) -> int:
        return hash((self.curvature, self.chart))

    def origin(self, dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> Tensor:
        """Base point o, shape (point_dim,): (R, 0, 0) for S/H in the ambient chart, else zeros."""
        o = torch.zeros(self.point_dim, dtype=dtype, device=device)
        if self.chart == "ambient" and self.kind != "E":
            o[0] = self.radius
        return o

    def expmap0(self, u: Tensor) -> Tensor:
        """exp at the base point (seed 000, Table 1): u (..., 2) → point (..., point_dim)."""
        _check_tensor(u, 2, "u", f"tangent vector of {self.name}")
        k = self.curvature
        if self.chart == "stereographic":
            return stereographic_expmap0(u, k)
        if self.kind == "E":
            return euclidean_expmap0(u)
        return sphere_expmap0(u, k) if self.kind == "S" else hyperboloid_expmap0(u, k)

    def logmap0(self, x: Tensor) -> Tensor:
        """Inverse of :meth:`expmap0` (inside the injectivity radius for S): x (..., point_dim) → (..., 2)."""
        _check_tensor(x, self.point_dim, "x", f"point of {self.name} in the {self.chart} chart")
        k = self.curvature
        if self.chart == "stereographic":
            return stereographic_logmap0(x, k)
        if self.kind == "E":
            return euclidean_logmap0(x)
        return sphere_logmap0(x, k) if self.kind == "S" else hyperboloid_logmap0(x, k)

    def dist(self, x: Tensor, y: Tensor) -> Tensor:
        """Geodesic distance (seed 000, Table 1): x, y (..., point_dim), broadcast → (...,)."""
        what = f"point of {self.name} in the {self.chart} chart"
        _check_tensor(x, self.point_dim, "x", what)
        _check_tensor(y, self.point_dim, "y", what)
        k = self.curvature
        if self.chart == "stereographic":
            return stereographic_dist(x, y, k)
        if self.kind == "E":
            return euclidean_dist(x, y)
        return sphere_dist(x, y, k) if self.kind == "S" else hyperboloid_dist(x, y, k)

    def belongs(self, x: Tensor, atol: float | None = None) -> Tensor:
        """Bool (...,): x is a finite point of the space in this chart, up to ``atol`` (default 1000·eps of x.dtype).

        Ambient S: |√K‖x‖ − 1| ≤ atol; ambient H: x₀ > 0 and |K⟨x,x⟩_L − 1| ≤ atol·|K|(x₀² + ‖x_s‖²) (relative, so
        points far out in float32 pass); stereographic H: √−K‖p‖ < 1 + atol; E and stereographic S: finite.
        """
        _check_tensor(x, self.point_dim, "x", f"point of {self.name} in the {self.chart} chart")
        atol = 1000 * torch.finfo(x.dtype).eps if atol is None else atol
        finite = torch.isfinite(x).all(-1)
        k = self.curvature
        if self.kind == "E" or (self.kind == "S" and self.chart == "stereographic"):
            return finite
        if self.chart == "stereographic":
            return finite & (math.sqrt(-k) * _norm(x).squeeze(-1) < 1 + atol)
        if self.kind == "S":
            return finite & ((math.sqrt(k) * _norm(x).squeeze(-1) - 1).abs() <= atol)
        scale = -k * (x * x).sum(-1)
        return finite & (x[..., 0] > 0) & ((k * minkowski_inner(x, x) - 1).abs() <= atol * scale)

    def to_stereographic(self, x: Tensor) -> Tensor:
        """Ambient point (..., ambient_dim) → stereographic chart (..., 2)."""
        _check_tensor(x, self.ambient_dim, "x", f"ambient point of {self.name}")
        return ambient_to_stereographic(x, self.curvature)

    def to_ambient(self, p: Tensor) -> Tensor:
        """Stereographic point (..., 2) → ambient chart (..., ambient_dim)."""
        _check_tensor(p, 2, "p", f"stereographic point of {self.name}")
        return stereographic_to_ambient(p, self.curvature)


class ProductManifold:
    r"""Product of 2-D model spaces, e.g. ``ProductManifold("H2xE2xS2")`` or ``ProductManifold((-1, 0, 1))``.

    The component order is the user's (``canonical`` gives the sorted search-space label). A latent u of shape
    (..., 2·n_p) is split into 2-D tangent vectors, one per component; points are the concatenation of the
    component points in the chosen ``chart`` ('ambient': 2 per E, 3 per S/H; 'stereographic': 2 per component).

    Attributes: ``curvatures`` (tuple in the user's order, ints where integral), ``signature`` (normalized string in
    the same order, e.g. 'H2xE2xS2(K=4)', accepted back by the constructor),
    ``components`` (tuple of :class:`ModelSpace`), ``chart``, ``latent_dim`` (2·n_p), ``ambient_dim``,
    ``point_dim`` (size of a point in the chart), ``canonical`` (sorted curvature tuple).
    """

    def __init__(self, signature: str | Sequence[float], chart: str = "ambient"):
        self.curvatures = parse_signature(signature)
        self.chart = _check_chart(chart)
        self.components = tuple(ModelSpace(k, chart) for k in self.curvatures)
        self.signature = format_signature(self.curvatures)
        self.canonical = tuple(sorted(self.curvatures))
        self.latent_dim = 2 * len(self.components)
        self.ambient_dim = sum(c.ambient_dim for c in self.components)
        self.point_dim = sum(c.point_dim for c in self.components)

    def __repr__(self) -> str:
        return f"ProductManifold({self.signature!r}, chart={self.chart!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProductManifold) and self.components == other.components

    def __hash__(self) -> int:
        return hash(self.components)

    def origin(self, dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> Tensor:
        """Base point (point_dim,): the components' base points, concatenated."""
        return torch.cat([c.origin(dtype, device) for c in self.components])

    def expmap0(self, u: Tensor) -> Tensor:
        """Componentwise exp at the base point (seed 000, Table 1, §3.1): u (..., latent_dim) → (..., point_dim)."""
        _check_tensor(u, self.latent_dim, "u", f"latent_dim = 2 per component of {self.signature}")
        parts = u.split(2, dim=-1)
        return torch.cat([c.expmap0(v) for c, v in zip(self.components, parts)], dim=-1)

    def logmap0(self, x: Tensor) -> Tensor:
        """Componentwise inverse of :meth:`expmap0`: x (..., point_dim) → (..., latent_dim)."""
        _check_tensor(x, self.point_dim, "x", f"point_dim of {self.signature} in the {self.chart} chart")
        parts = x.split([c.point_dim for c in self.components], dim=-1)
        return torch.cat([c.logmap0(p) for c, p in zip(self.components, parts)], dim=-1)

    def dist(self, x: Tensor, y: Tensor) -> Tensor:
        r"""d(x, y) = √(Σ_i d_i(x_i, y_i)²) (seed 000, eq. (1), applied recursively); x, y (..., point_dim) → (...,)."""
        what = f"point_dim of {self.signature} in the {self.chart} chart"
        _check_tensor(x, self.point_dim, "x", what)
        _check_tensor(y, self.point_dim, "y", what)
        sizes = [c.point_dim for c in self.components]
        squares = [c.dist(a, b) ** 2 for c, a, b in zip(self.components, x.split(sizes, -1), y.split(sizes, -1))]
        return _safe_sqrt(sum(squares))  # seed 000, eq. (1)

    def belongs(self, x: Tensor, atol: float | None = None) -> Tensor:
        """Bool (...,): every component of x belongs to its space (see :meth:`ModelSpace.belongs`)."""
        _check_tensor(x, self.point_dim, "x", f"point_dim of {self.signature} in the {self.chart} chart")
        parts = x.split([c.point_dim for c in self.components], dim=-1)
        return torch.stack([c.belongs(p, atol) for c, p in zip(self.components, parts)], dim=-1).all(-1)

    def to_stereographic(self, x: Tensor) -> Tensor:
        """Ambient points (..., ambient_dim) → stereographic chart (..., latent_dim)."""
        _check_tensor(x, self.ambient_dim, "x", f"ambient_dim of {self.signature}")
        parts = x.split([c.ambient_dim for c in self.components], dim=-1)
        return torch.cat([ambient_to_stereographic(p, c.curvature) for c, p in zip(self.components, parts)], dim=-1)

    def to_ambient(self, p: Tensor) -> Tensor:
        """Stereographic points (..., latent_dim) → ambient chart (..., ambient_dim)."""
        _check_tensor(p, self.latent_dim, "p", f"2 per component of {self.signature}")
        parts = p.split(2, dim=-1)
        return torch.cat([stereographic_to_ambient(q, c.curvature) for c, q in zip(self.components, parts)], dim=-1)
