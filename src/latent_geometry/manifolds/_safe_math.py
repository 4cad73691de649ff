"""Elementary functions that stay exact and finite where their textbook form is 0/0 or overflows.

sin(t)/t, sinh(t)/t, arsinh(t)/t, tan_K(r)/r, artan_K(y)/y use a Taylor series below a dtype-dependent threshold
and the exact expression above it (``torch.where`` with a safe denominator), so values and gradients at 0 are exact.
Every mask is written so that NaN fails the test that would replace the value (``q <= 0``, not ``q > 0``): a NaN
argument reaches the exact branch and comes out NaN, never 0. Series are evaluated on their argument masked to the
small range (``torch.where(small, t, 0)``): a large argument's t⁶ would overflow to inf in the unused branch and turn
its zero gradient into 0·inf = NaN.
"""

from __future__ import annotations

import torch
from torch import Tensor

from latent_geometry._util.checks import check_number

def _series_limit(dtype: torch.dtype, order: int) -> float:
    """Below eps**(1/order) a series whose first dropped term is O(t**order) is exact to machine precision."""
    return torch.finfo(dtype).eps ** (1.0 / order)


def _safe_sqrt(q: Tensor) -> Tensor:
    """√q for q > 0, 0 for q ≤ 0 (rounding below 0 included), NaN for NaN; gradient 0 (not inf/NaN) at q ≤ 0.

    The mask is ``q <= 0`` (False for NaN): ``where(q > 0, ·, 0)`` would send NaN to 0 and hide it.
    """
    zero = q <= 0
    return torch.where(zero, 0.0, torch.sqrt(torch.where(zero, 1.0, q)))


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
    t_series = torch.where(small, t, 0.0)
    t2 = t_series * t_series
    return torch.where(small, 1 - t2 / 6 + t2 * t2 / 120, torch.sin(t_safe) / t_safe)


def _sinhc(t: Tensor) -> Tensor:
    """sinh(t)/t, exact and smooth at t = 0."""
    small = t.abs() < _series_limit(t.dtype, 6)
    t_safe = torch.where(small, 1.0, t)
    t_series = torch.where(small, t, 0.0)
    t2 = t_series * t_series
    return torch.where(small, 1 + t2 / 6 + t2 * t2 / 120, torch.sinh(t_safe) / t_safe)


def _asinhc(t: Tensor) -> Tensor:
    """arsinh(t)/t, exact and smooth at t = 0."""
    small = t.abs() < _series_limit(t.dtype, 6)
    t_safe = torch.where(small, 1.0, t)
    t_series = torch.where(small, t, 0.0)
    t2 = t_series * t_series
    return torch.where(small, 1 - t2 / 6 + 3 * t2 * t2 / 40, torch.asinh(t_safe) / t_safe)


def _atan2_ratio(s: Tensor, c: Tensor) -> Tensor:
    """atan2(s, c)/s for s ≥ 0, smooth at s = 0 when c > 0 (value 1/c there); s = 0, c ≤ 0 gives 0; NaN stays NaN."""
    small = (s < _series_limit(s.dtype, 6)) & (c > 0)
    c_safe = torch.where(small, c, 1.0)
    t2 = (torch.where(small, s, 0.0) / c_safe) ** 2
    zero = s == 0
    s_safe = torch.where(zero, 1.0, s)
    exact = torch.where(zero, 0.0, torch.atan2(s, c) / s_safe)
    return torch.where(small, (1 - t2 / 3 + t2 * t2 / 5) / c_safe, exact)


def _is_traced(t: Tensor) -> bool:
    """True under torch.func transforms (vmap, jacfwd, grad) or torch.compile, where a data-dependent check
    (``bool(mask.any())``) is impossible; argument checks that need the values are skipped there."""
    return torch._C._functorch.is_functorch_wrapped_tensor(t) or torch.compiler.is_compiling()


def _as_curvature(k: float | Tensor, like: Tensor) -> Tensor:
    """K as a tensor of like's dtype; a batched K of shape (...,) gets a trailing size-1 dim to match (..., 1).

    A number K must be finite (ValueError naming k); a tensor K must be real and finite (checked outside
    torch.func transforms, which is a host synchronization).
    """
    if isinstance(k, Tensor):
        if k.is_complex() or k.dtype == torch.bool:
            raise TypeError(f"k (curvature) must be a real number or a real tensor, got a tensor of dtype {k.dtype}")
        if not _is_traced(k) and not bool(torch.isfinite(k).all()):
            raise ValueError(f"k (curvature) must be finite, got {k.flatten()[:4].tolist()}")
    else:
        k = check_number(k, "k (curvature)")
    k = torch.as_tensor(k, dtype=like.dtype, device=like.device)
    return k[..., None] if k.ndim else k


def _tan_k_ratio(r: Tensor, k: Tensor) -> Tensor:
    """tan_K(r)/r = tan(√K r)/(√K r), 1, tanh(√−K r)/(√−K r) for K >, =, < 0; smooth in r and in K through 0."""
    z = k * r * r
    small = z.abs() < _series_limit(r.dtype, 4)
    a = torch.where(small, 1.0, torch.sqrt(torch.where(small, 1.0, k.abs())) * r)
    exact = torch.where(k > 0, torch.tan(a), torch.tanh(a)) / a
    z = torch.where(small, z, 0.0)
    return torch.where(small, 1 + z / 3 + 2 * z**2 / 15 + 17 * z**3 / 315, exact)


def _artan_k_ratio(y: Tensor, k: Tensor) -> Tensor:
    """artan_K(y)/y = arctan(√K y)/(√K y), 1, artanh(√−K y)/(√−K y) for K >, =, < 0 (artanh argument capped at
    1 − eps); smooth in y and in K through 0."""
    z = k * y * y
    small = z.abs() < _series_limit(y.dtype, 4)
    a = torch.where(small, 1.0, torch.sqrt(torch.where(small, 1.0, k.abs())) * y)
    below_one = a.clamp(max=1 - torch.finfo(y.dtype).eps)
    exact = torch.where(k > 0, torch.atan(a), torch.atanh(below_one)) / a
    z = torch.where(small, z, 0.0)
    return torch.where(small, 1 - z / 3 + z**2 / 5 - z**3 / 7, exact)

