"""Ricci flow of a 2-D conformal metric on a flat torus (seed 001, slide "Ricci flow on manifolds").

In two dimensions Ric = (R/2) g, so Ricci flow ∂ₜg = −2 Ric = −R g keeps a metric in its conformal class. For
g = e^{2u} g₀ with g₀ = dx² + dy² flat,

    R = −2 e^{−2u} Δu          (Δ the flat Laplacian; R = 2K, K Gauss curvature)
    ∂ₜu = −R/2 = e^{−2u} Δu,   equivalently  ∂ₜw = Δ log w  for the area density w = e^{2u}.

On a torus ∫R dA = 0 (Gauss–Bonnet, χ = 0), so the area A = ∫w dx is constant (dA/dt = ∫Δ log w = 0) and the
flow converges to the flat metric with the same area, u∞ = ½ log(A/|T|) (Hamilton 1988, "The Ricci flow on
surfaces"; Chow 1991). The linearisation at u = const = c is ∂ₜu = e^{−2c} Δu: a Fourier mode e^{ik·x} decays as
exp(−|k|² e^{−2c} t).

Numerics (:func:`ricci_flow`): pseudo-spectral (FFT) on a periodic grid, stepping the conservative form
∂ₜw = Δ log w with a stabilised first-order exponential integrator (ETD1; Cox & Matthews 2002). Splitting
Δ log w = aΔw + Δ(log w − a w) with a = max e^{−2u} and integrating the linear part exactly gives

    ŵ⁺ = ŵ − ((1 − e^{−a|k|²dt}) / a) · F[log w](k).

Properties: the k = 0 mode — the area — is unchanged to rounding; the scheme is exact for the linearised flow
at constant u; for frozen coefficients c = e^{−2u} ≤ a every mode is multiplied by 1 − (c/a)(1 − e^{−a|k|²dt})
∈ [0, 1], so it is stable for any dt (no CFL bound); the error is first order in dt.

:func:`pullback_conformal_factor` turns a learned decoder's pullback metric g on a latent box into a conformal
factor u = ¼ log det g (the metric √det g · I with the same area element) and reports the anisotropy κ = λmax/λmin
that this conformal approximation drops; :func:`even_extension` makes the box a torus by even reflection (the flow
on the doubled torus is the flow on the box with Neumann boundary conditions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from latent_geometry._util.checks import check_int
from latent_geometry.geometry.pullback import pullback_metric

__all__ = [
    "RicciFlowTrajectory",
    "conformal_area",
    "conformal_fit",
    "conformal_scalar_curvature",
    "even_extension",
    "flat_limit",
    "flattening_time",
    "pullback_conformal_factor",
    "ricci_flow",
    "spectral_laplacian",
]


def _lengths(length) -> tuple[float, float]:
    lengths = (length, length) if isinstance(length, (int, float)) else tuple(length)
    if len(lengths) != 2 or not all(isinstance(v, (int, float)) and v > 0 for v in lengths):
        raise ValueError(f"length must be a positive number or a pair of them, got {length!r}")
    return float(lengths[0]), float(lengths[1])


def _check_grid(u: torch.Tensor) -> None:
    if not isinstance(u, torch.Tensor) or u.ndim < 2 or min(u.shape[-2:]) < 4:
        raise ValueError(f"u must be a tensor (..., n1, n2) with n1, n2 >= 4, got {getattr(u, 'shape', type(u))}")
    if not u.is_floating_point():
        raise TypeError(f"u must be a floating-point tensor, got dtype {u.dtype}")


def _wavenumbers_squared(shape, lengths, dtype, device) -> torch.Tensor:
    k1 = 2 * math.pi * torch.fft.fftfreq(shape[0], d=lengths[0] / shape[0], dtype=dtype, device=device)
    k2 = 2 * math.pi * torch.fft.fftfreq(shape[1], d=lengths[1] / shape[1], dtype=dtype, device=device)
    return k1[:, None] ** 2 + k2[None, :] ** 2


def spectral_laplacian(u: torch.Tensor, length=2 * math.pi) -> torch.Tensor:
    """Flat Laplacian Δu = ∂₁²u + ∂₂²u of periodic grid values u (..., n1, n2) on [0, L1) × [0, L2) (FFT)."""
    _check_grid(u)
    lengths = _lengths(length)
    k2 = _wavenumbers_squared(u.shape[-2:], lengths, u.dtype, u.device)
    return torch.fft.ifft2(-k2 * torch.fft.fft2(u)).real


def conformal_scalar_curvature(u: torch.Tensor, length=2 * math.pi) -> torch.Tensor:
    """Scalar curvature of g = e^{2u} g₀: R = −2 e^{−2u} Δu (2-D conformal change; R = 2K), shape of u."""
    return -2 * torch.exp(-2 * u) * spectral_laplacian(u, length)


def conformal_area(u: torch.Tensor, length=2 * math.pi) -> torch.Tensor:
    """Area ∫ e^{2u} dx of the torus (rectangle rule, spectrally accurate for periodic u), shape u.shape[:-2]."""
    _check_grid(u)
    l1, l2 = _lengths(length)
    return torch.exp(2 * u).mean(dim=(-2, -1)) * (l1 * l2)


def flat_limit(u: torch.Tensor) -> torch.Tensor:
    """The constant the flow converges to, u∞ = ½ log(mean e^{2u}) (area is conserved), shape u.shape[:-2]."""
    _check_grid(u)
    return 0.5 * torch.log(torch.exp(2 * u).mean(dim=(-2, -1)))


def flattening_time(u0: torch.Tensor, length=2 * math.pi, decades: float = 6.0) -> float:
    """Time after which the slowest linearised mode near the flat limit has decayed by 10^−decades:
    t = decades · ln 10 · e^{2u∞} / k_min², k_min = 2π / max(L1, L2) (linear rate e^{−2u∞}|k|², module docstring)."""
    lengths = _lengths(length)
    k_min = 2 * math.pi / max(lengths)
    return float(decades * math.log(10) * torch.exp(2 * flat_limit(u0)) / k_min**2)


@dataclass(frozen=True)
class RicciFlowTrajectory:
    """Snapshots of the flow: ``times`` (T,), ``u`` (T, n1, n2), ``area`` (T,), ``max_abs_curvature`` (T,)."""

    times: torch.Tensor
    u: torch.Tensor
    area: torch.Tensor
    max_abs_curvature: torch.Tensor
    length: tuple[float, float]


def ricci_flow(
    u0: torch.Tensor, t_final: float, dt: float, *, length=2 * math.pi, n_snapshots: int = 11,
    spacing: str = "linear",
) -> RicciFlowTrajectory:
    """Run ∂ₜu = e^{−2u} Δu from ``u0`` (n1, n2) on the torus [0, L1) × [0, L2) up to ``t_final``.

    ETD1 step on w = e^{2u} (module docstring): area-conserving, unconditionally stable, first order in ``dt``.
    Returns ``n_snapshots`` states (fewer if steps coincide) at step indices spaced ``"linear"``ly or
    ``"geometric"``ally (dense early, where the flow is fast); the first is u0, the last t_final (the last step is
    shortened so that t_final is hit exactly).
    """
    if spacing not in ("linear", "geometric"):
        raise ValueError(f"spacing must be 'linear' or 'geometric', got {spacing!r}")
    _check_grid(u0)
    if u0.ndim != 2:
        raise ValueError(f"u0 must have shape (n1, n2), got {tuple(u0.shape)}")
    if not (t_final >= 0 and dt > 0):
        raise ValueError(f"t_final must be >= 0 and dt > 0, got t_final={t_final!r}, dt={dt!r}")
    check_int(n_snapshots, "n_snapshots", low=2)
    lengths = _lengths(length)
    k2 = _wavenumbers_squared(u0.shape, lengths, u0.dtype, u0.device)
    n_steps = max(1, math.ceil(t_final / dt - 1e-12))
    if spacing == "linear":
        keep = {round(i * n_steps / (n_snapshots - 1)) for i in range(n_snapshots)}
    else:
        keep = {0} | {round(n_steps ** (i / (n_snapshots - 2))) for i in range(n_snapshots - 1)}
    u, t = u0.clone(), 0.0
    times, states = [], []
    for step in range(n_steps + 1):
        if step in keep:
            times.append(t)
            states.append(u.clone())
        if step == n_steps:
            break
        h = min(dt, t_final - t)
        a = torch.exp(-2 * u).max()  # stabilisation constant: a ≥ e^{−2u} everywhere
        w_hat = torch.fft.fft2(torch.exp(2 * u))
        w_hat = w_hat - (-torch.expm1(-a * k2 * h) / a) * torch.fft.fft2(2 * u)  # ETD1 for ∂ₜw = Δ log w
        w = torch.fft.ifft2(w_hat).real
        if not bool((w > 0).all()):
            raise RuntimeError("the area density became non-positive; use a smaller dt or a finer grid")
        u, t = 0.5 * torch.log(w), t + h
    u_all = torch.stack(states)
    return RicciFlowTrajectory(
        times=torch.tensor(times, dtype=u0.dtype),
        u=u_all,
        area=conformal_area(u_all, lengths),
        max_abs_curvature=conformal_scalar_curvature(u_all, lengths).abs().amax(dim=(-2, -1)),
        length=lengths,
    )


def conformal_fit(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Conformal approximation of 2×2 metrics g (..., 2, 2): (u, κ).

    u = ¼ log det g, so that e^{2u} I = √det g · I has the same area element as g; κ = λmax/λmin ≥ 1 is the
    anisotropy the approximation drops (κ = 1 iff g is conformal to the coordinate metric at that point).
    """
    if not isinstance(g, torch.Tensor) or g.shape[-2:] != (2, 2):
        raise ValueError(f"g must be a tensor of 2×2 metrics (..., 2, 2), got {getattr(g, 'shape', type(g))}")
    eig = torch.linalg.eigvalsh(g)
    if not bool((eig[..., 0] > 0).all()):
        raise ValueError("g must be positive definite at every point (a degenerate decoder Jacobian)")
    return 0.25 * torch.log(eig[..., 0] * eig[..., 1]), eig[..., 1] / eig[..., 0]


def even_extension(u: torch.Tensor) -> torch.Tensor:
    """Reflect grid values (n1, n2) on a box evenly to (2 n1, 2 n2) on the doubled torus (Neumann ↔ periodic)."""
    _check_grid(u)
    u = torch.cat([u, u.flip(-2)], dim=-2)
    return torch.cat([u, u.flip(-1)], dim=-1)


def pullback_conformal_factor(decoder, low, high, n: int = 64, dtype=torch.float64):
    """Conformal factor of a decoder's pullback metric on the latent box [low1, high1] × [low2, high2].

    Evaluates g = JᵀJ (:func:`latent_geometry.geometry.pullback_metric`) at the n × n cell centres and returns
    ``(grid, u, kappa)``: grid (n, n, 2) latent points (axis 0 ↔ z₁), u = ¼ log det g and κ = λmax/λmin
    (:func:`conformal_fit`), both (n, n).
    """

    check_int(n, "n", low=4)
    low, high = torch.as_tensor(low, dtype=dtype), torch.as_tensor(high, dtype=dtype)
    if low.shape != (2,) or high.shape != (2,) or not bool((high > low).all()):
        raise ValueError(f"low and high must be 2-vectors with high > low, got {low.tolist()}, {high.tolist()}")
    centres = [low[i] + (torch.arange(n, dtype=dtype) + 0.5) * (high[i] - low[i]) / n for i in range(2)]
    grid = torch.stack(torch.meshgrid(*centres, indexing="ij"), dim=-1)
    params = list(decoder.parameters()) if isinstance(decoder, torch.nn.Module) else []
    z = grid.reshape(-1, 2).to(params[0].dtype if params else dtype)
    with torch.no_grad():
        g = pullback_metric(decoder, z)
    u, kappa = conformal_fit(g.reshape(n, n, 2, 2).to(dtype))
    return grid, u, kappa
