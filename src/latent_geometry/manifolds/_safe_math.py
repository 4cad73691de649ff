"""Elementary functions that stay exact and finite where their textbook form is 0/0 or overflows.

sin(t)/t, sinh(t)/t, arsinh(t)/t, tan_K(r)/r, artan_K(y)/y use a Taylor series below a dtype-dependent threshold
and the exact expression above it (``torch.where`` with a safe denominator), so values and gradients at 0 are exact.
"""

from __future__ import annotations

import torch
from torch import Tensor

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

