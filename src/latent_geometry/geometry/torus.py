"""Perelman's F and W on a torus latent T^d = [−π, π)^d: decoders, grid evaluators and training losses.

Public API (angles φ (B, d); the grid evaluators need d = 2)::

    TorusDecoder(inner, latent_dim=None)                       # φ (B, d) -> inner(cat(cos φ, sin φ))
    TorusPotential(dim, hidden=(32, 32), activation="tanh", *, generator=None, dtype=torch.float32)  # periodic f
    FourierPotential(values)                                   # trigonometric interpolant of grid values (n, n)
    torus_grid(n, *, dtype=torch.float64)                      -> (n², 2) angles, quadrature weights (2π/n)²
    matched_tau(volume)                                        -> Vol/24
    torus_eigenvalues(decoder, k=1, n=32, *, eps=0.0)          -> (k,) lowest eigenvalues of −4Δ_g + R
    torus_lambda(decoder, n=32, *, eps=0.0, return_state=False) -> λ(g)  [, u (n, n)]
    torus_mu(decoder, tau, n=32, *, eps=0.0, return_state=False) -> μ(g, τ)  [, ψ (n, n)]
    flatness_deficits(decoder, tau=None, n=32, *, eps=0.0)     -> TorusDeficits (λ, μ, L_F, L_W, Vol, ∫R dV, ∫R² dV)
    torus_F_loss(decoder, potential, phi, *, eps=0.0, chunk_size=None)      -> (−F̂, {"ess", "F"})
    torus_W_loss(decoder, potential, phi, tau, *, eps=0.0, chunk_size=None) -> (L̂_W, {"ess", "W", "volume"})

**Why a torus.** On a closed surface, Gauss–Bonnet gives ∫R dV = 4πχ, and χ(T²) = 0. With f = const (normalized,
e^{−f} = 1/Vol) Perelman's F (Perelman 2002, ``perelman2002entropy``) is ∫R dV/Vol = 0, so
λ(g) = inf_f F ≤ 0, with equality iff the constant is the ground state of −4Δ_g + R, i.e. iff R ≡ 0 (its
eigen-equation −4Δ1 + R·1 = λ·1 forces R = λ, and ∫R dV = 0 then gives λ = 0). Hence

    L_F(g) = −λ(g) ≥ 0, = 0 exactly on flat metrics.

(On the box [−1, 1]² there is no such bound: ascent of F there need not flatten.)

**W (n = 2).** W(g, f, τ) = ∫[τ(R + |∇f|²) + f − n](4πτ)^{−n/2}e^{−f} dV under ∫(4πτ)^{−n/2}e^{−f} dV = 1
(Perelman 2002, §3). The constant allowed by the constraint is f = log(Vol/(4πτ)), so
W(g, const, τ) = τ∫R dV/Vol + log(Vol/(4πτ)) − 2 = log(Vol/(4πτ)) − 2 (Gauss–Bonnet kills the R term), and

    L_W(g, τ) = log(Vol_g/(4πτ)) − 2 − μ(g, τ) ≥ 0,   μ(g, τ) = inf_f W.

If L_W = 0 the constant attains the infimum, so it solves W's Euler–Lagrange equation
τ(2Δf − |∇f|² + R) + f − n − μ = 0 (Perelman 2002, §3), which at f = const reads τR = const: R = 0 by
Gauss–Bonnet. Conversely on a flat torus the constant is a critical point; it is the minimizer iff
τ ≥ 1/(2λ₁), λ₁ the first non-zero eigenvalue of −Δ_g: with ψ = (1 + εh)/√Vol, ∫h dV = 0, the second variation
is W − W(const) = (ε²/Vol)(4τ∫|∇h|² − 2∫h²) + O(ε³) ≥ 0 for all h iff 4τλ₁ ≥ 2 (the linearized log-Sobolev
inequality, i.e. the Poincaré inequality; on flat *rectangular* tori the log-Sobolev constant of the circle equals
its spectral gap and tensorizes, so the condition is also global there). Below it, L_W > 0 even for a flat metric.

**Matched τ.** τ = ½·(per-axis variance of the codes in metric units), so that the Gaussian soliton N(0, 2τ I)
matches uniform codes: an isotropic flat torus of area Vol has metric c²I with c² = Vol/(2π)², an angle uniform on
[−π, π) has variance π²/3, so :func:`matched_tau` = ½ · (Vol/(4π²)) · (π²/3) = Vol/24. On that flat square
torus λ₁ = 1/c² = 4π²/Vol, the condition reads Vol/24 ≥ Vol/(8π²) (8π² ≈ 79 > 24) and holds; on a flat
(2πa)×(2πb) torus (a ≥ b, λ₁ = 1/a²) it holds iff π²ab/6 ≥ a²/2, i.e. a/b ≤ π²/3 ≈ 3.29.

**Grid evaluators** (float64, numpy/scipy; the decoder is copied to float64 when it is an ``nn.Module`` with other
dtypes). On the n×n grid of :func:`torus_grid`, trial functions are real trigonometric polynomials of degree < n/2
per axis (the basis Q ⊗ Q of grid-orthonormal cos/sin modes; the Nyquist mode is left out because its grid
derivative vanishes, which would give spurious zero-energy modes), differentiated exactly; with weights
w = (2π/n)², the Rayleigh quotient of −4Δ_g + R (Perelman 2002, §2) is discretized as

    K = 4 Σ_ij B_iᵀ diag(w g^{ij}√g) B_j + Eᵀ diag(w R√g) E,   M = Eᵀ diag(w √g) E,

E = Q ⊗ Q, B_1 = Q' ⊗ Q, B_2 = Q ⊗ Q', and λ is the lowest eigenvalue of K c = λ M c (``scipy.linalg.eigh``).
The rule is spectrally accurate for smooth decoders; it is exact for trigonometric-polynomial metrics of low
degree. μ is computed with ψ = e^{−f/2}(4πτ)^{−1/2} (so ψ² is the density of the weighted measure w.r.t. dV and
∫ψ² dV = 1; Perelman 2002, §3):

    W = ∫[4τ|∇ψ|²_g + τRψ² − ψ² log ψ²] dV − n − (n/2) log(4πτ),

minimized over ψ (scale-free form: ψ ↦ ψ/‖ψ‖) by L-BFGS with the analytic gradient, from the constant and from
the constant plus the lowest non-constant mode (which steps off the constant where it is a saddle), keeping the
lower minimum. A singular or non-finite metric at a grid point gives NaN (never an exception). The dense
linear algebra (matrices of size ~(n − 1)², 961 at n = 32) runs on one BLAS thread: multi-threaded OpenBLAS was
40× slower on a loaded 2-core machine (3.8 s against 0.10 s for one n = 24 evaluation).

**Training losses** (differentiable; φ ~ Unif(T^d), log q = −d log 2π; same sign convention as
:func:`latent_geometry.geometry.functionals.perelman_F_loss`): the decoder descends the loss, i.e. ascends F̂ (Ŵ),
while the potential's gradient is reversed so it descends F̂ (Ŵ) towards the inner infimum; at the saddle
:func:`torus_F_loss` → −λ̂ ≥ 0 and :func:`torus_W_loss` → L̂_W ≥ 0 (up to Monte-Carlo error). The potential must be
periodic (:class:`TorusPotential`). Each returns (loss, diagnostics) with Kish's effective sample size "ess" of
the importance weights e^{−f}√det g/q.

:class:`TorusDecoder` is an ``nn.Sequential`` [frozen Linear φ ↦ (φ + π/2, φ), Sine, *inner layers], so that a
sequential MLP ``inner`` keeps the fast second-order jet path of :mod:`latent_geometry.geometry.pullback`
(sin(φ + π/2) = cos φ); its feature layer holds buffers, not parameters (do not re-initialize it).
"""

from __future__ import annotations

import copy
import functools
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import scipy.linalg
import scipy.optimize
import torch
from threadpoolctl import threadpool_limits
from torch import nn

from latent_geometry._util.checks import check_int, check_number
from latent_geometry.geometry.activations import Sine
from latent_geometry.geometry.curvature import scalar_curvature_and_metric
from latent_geometry.geometry.functionals import (
    MLPPotential,
    effective_sample_size,
    perelman_F_estimate,
    perelman_log_weights,
    perelman_W_estimate,
    potential_and_gradient,
    reverse_gradient,
)

__all__ = ["TorusDecoder", "TorusPotential", "FourierPotential", "TorusDeficits", "torus_grid", "matched_tau",
           "torus_eigenvalues", "torus_lambda", "torus_mu", "flatness_deficits", "torus_F_loss", "torus_W_loss"]

TWO_PI = 2 * math.pi


# ------------------------------------------------------------------------------------------ decoders, potentials


class _AngleFeatures(nn.Linear):
    """φ (B, d) ↦ (φ + π/2, φ) (B, 2d): a frozen ``nn.Linear`` whose weight and bias are buffers (no parameters);
    followed by :class:`Sine` it gives (cos φ, sin φ)."""

    def __init__(self, d: int, dtype: torch.dtype):
        nn.Module.__init__(self)  # not nn.Linear.__init__: no trainable weight/bias
        self.in_features, self.out_features = d, 2 * d
        eye = torch.eye(d, dtype=dtype)
        self.register_buffer("weight", torch.cat([eye, eye]))
        self.register_buffer("bias", torch.cat([torch.full((d,), math.pi / 2, dtype=dtype),
                                                torch.zeros(d, dtype=dtype)]))

    def forward(self, phi: torch.Tensor) -> torch.Tensor:  # exact in any dtype: weights are 0/1, bias π/2 or 0
        return nn.functional.linear(phi, self.weight.to(phi.dtype), self.bias.to(phi.dtype))


def _first_linear(module: nn.Module):
    return next((m for m in module.modules() if isinstance(m, nn.Linear)), None)


def _float_dtype(module: nn.Module) -> torch.dtype:
    tensor = next((t for t in [*module.parameters(), *module.buffers()] if t.is_floating_point()), None)
    return torch.get_default_dtype() if tensor is None else tensor.dtype


class TorusDecoder(nn.Sequential):
    """Decoder on the torus: forward(φ (B, d)) = inner(cat(cos φ, sin φ)), inner taking (B, 2d) inputs.

    The pullback metric and curvature are w.r.t. the angles φ ∈ [−π, π)^d and are periodic. ``latent_dim`` d is
    read from inner's first ``nn.Linear`` (in_features = 2d) when not given. An ``nn.Sequential`` inner is
    flattened into this one (fast jet path for Linear/elementwise layers); :attr:`inner` returns it.
    """

    def __init__(self, inner: nn.Module, latent_dim: int | None = None):
        if not isinstance(inner, nn.Module):
            raise TypeError(f"parameter 'inner' must be an nn.Module taking (B, 2d) inputs, got {type(inner).__name__}")
        if latent_dim is None:
            first = _first_linear(inner)
            if first is None or first.in_features % 2:
                raise ValueError("parameter 'latent_dim' is required: inner has no first nn.Linear with an even "
                                 "in_features = 2d")
            latent_dim = first.in_features // 2
        d = check_int(latent_dim, "parameter 'latent_dim'", low=1)
        flat = isinstance(inner, nn.Sequential)
        super().__init__(_AngleFeatures(d, _float_dtype(inner)), Sine(), *(inner if flat else [inner]))
        self.latent_dim = d
        self._flat = flat

    @property
    def inner(self) -> nn.Module:
        """The wrapped decoder of (cos φ, sin φ) (an ``nn.Sequential`` view sharing the layers when flattened)."""
        return nn.Sequential(*list(self)[2:]) if self._flat else self[2]


class TorusPotential(nn.Module):
    """Periodic learned potential f(φ) = MLPPotential(cat(cos φ, sin φ)); forward (B, d) -> (B,)."""

    def __init__(self, dim: int, hidden: Sequence[int] = (32, 32), activation: str = "tanh", *,
                 generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.dim = check_int(dim, "parameter 'dim'", low=1)
        self.mlp = MLPPotential(2 * self.dim, hidden, activation, generator=generator, dtype=dtype)

    def forward(self, phi: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([torch.cos(phi), torch.sin(phi)], -1))


class FourierPotential(nn.Module):
    """The trigonometric interpolant of values (n, n) given on :func:`torus_grid` (n) (fixed, no parameters);
    forward φ (B, 2) -> (B,), differentiable in φ. E.g. the exact ground-state potential f = −2 log u of
    :func:`torus_lambda`. For even n the Nyquist modes enter as cos (half weight on ±n/2), so the interpolant is
    real and takes the grid values exactly."""

    def __init__(self, values):
        super().__init__()
        values = np.asarray(values.detach().cpu() if isinstance(values, torch.Tensor) else values, dtype=float)
        if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] < 2:
            raise ValueError(f"parameter 'values' must have shape (n, n), n >= 2, got {values.shape}")
        if not np.isfinite(values).all():
            raise ValueError("parameter 'values' must be finite")
        n = values.shape[0]
        coef = np.fft.fft2(values) / n**2  # values on x_j = φ_j + π = 2πj/n
        k = np.arange(-(n // 2), n // 2 + 1)
        weight = np.where(np.abs(k) * 2 == n, 0.5, 1.0)
        k1, k2 = np.meshgrid(k, k, indexing="ij")
        c = coef[k1 % n, k2 % n] * np.outer(weight, weight)
        self.register_buffer("wavenumbers", torch.tensor(np.stack([k1.ravel(), k2.ravel()], 1), dtype=torch.float64))
        self.register_buffer("cos_coef", torch.tensor(c.real.ravel()))
        self.register_buffer("sin_coef", torch.tensor(c.imag.ravel()))

    def forward(self, phi: torch.Tensor) -> torch.Tensor:
        phase = (phi + math.pi) @ self.wavenumbers.to(phi.dtype).T  # (B, P)
        return torch.cos(phase) @ self.cos_coef.to(phi.dtype) - torch.sin(phase) @ self.sin_coef.to(phi.dtype)


# ------------------------------------------------------------------------------------------------ the grid


def torus_grid(n: int, *, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """(n², 2) angles φ_ij = (−π + 2πi/n, −π + 2πj/n), row i·n + j ('ij' order: values reshape to (n, n) with
    axis 0 = φ₁); the periodic trapezoid rule with weights (2π/n)² is spectrally accurate on it."""
    n = check_int(n, "parameter 'n'", low=2)
    axis = -math.pi + TWO_PI * torch.arange(n, dtype=dtype) / n
    return torch.stack(torch.meshgrid(axis, axis, indexing="ij"), -1).reshape(-1, 2)


def matched_tau(volume: float) -> float:
    """τ = Vol/24: half the per-axis variance of uniform angles in metric units (module docstring, *Matched τ*)."""
    volume = check_number(volume, "parameter 'volume'", low=0, low_open=True)
    return volume / 24  # ½ · Vol/(4π²) · π²/3


def _fourier_basis(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(Q, Q') (n, m): grid-orthonormal cos/sin modes of degree < n/2 on x_j = 2πj/n and their exact derivatives."""
    x = TWO_PI * np.arange(n) / n
    cols, dcols = [np.full(n, n ** -0.5)], [np.zeros(n)]
    scale = math.sqrt(2 / n)
    for k in range(1, (n + 1) // 2):  # k < n/2: the Nyquist mode is left out
        cols += [scale * np.cos(k * x), scale * np.sin(k * x)]
        dcols += [-k * scale * np.sin(k * x), k * scale * np.cos(k * x)]
    return np.stack(cols, 1), np.stack(dcols, 1)


def _as_float64(decoder):
    if isinstance(decoder, nn.Module) and any(t.is_floating_point() and t.dtype != torch.float64
                                              for t in [*decoder.parameters(), *decoder.buffers()]):
        return copy.deepcopy(decoder).double()
    return decoder


@dataclass(frozen=True)
class _Discrete:
    """The discretized pencil (K, M) of −4Δ_g + R on the grid, with what μ and the diagnostics need."""

    n: int
    finite: bool
    volume: float
    int_R: float
    int_R2: float
    E: np.ndarray | None = None  # (n², m) trial basis on the grid
    K: np.ndarray | None = None  # (m, m)
    M: np.ndarray | None = None  # (m, m)
    mass: np.ndarray | None = None  # (n²,) w √g


def _discretize(decoder, n, eps) -> _Discrete:
    n = check_int(n, "parameter 'n'", low=3)
    if not callable(decoder):
        raise TypeError(f"parameter 'decoder' must be a callable (B, 2) -> (B, D), got {type(decoder).__name__}")
    with torch.no_grad():
        R, g = scalar_curvature_and_metric(_as_float64(decoder), torus_grid(n), eps)
    R, g = R.double().cpu().numpy(), g.double().cpu().numpy()
    w = (TWO_PI / n) ** 2
    det = g[:, 0, 0] * g[:, 1, 1] - g[:, 0, 1] * g[:, 1, 0]
    sqrt_det = np.sqrt(np.where(det > 0, det, np.nan))
    mass = w * sqrt_det
    volume, int_R, int_R2 = (float(np.sum(v * mass)) for v in (1.0, R, R**2))
    if not (np.isfinite(R).all() and np.isfinite(sqrt_det).all()):
        return _Discrete(n, False, volume, int_R, int_R2)
    Q, dQ = _fourier_basis(n)
    E, B1, B2 = np.kron(Q, Q), np.kron(dQ, Q), np.kron(Q, dQ)
    a11, a22, a12 = w * g[:, 1, 1] / sqrt_det, w * g[:, 0, 0] / sqrt_det, -w * g[:, 0, 1] / sqrt_det  # w g^{ij}√g
    cross = B1.T @ (a12[:, None] * B2)
    K = 4 * (B1.T @ (a11[:, None] * B1) + B2.T @ (a22[:, None] * B2) + cross + cross.T)  # Perelman 2002, §2
    K += E.T @ ((w * R * sqrt_det)[:, None] * E)
    M = E.T @ (mass[:, None] * E)
    return _Discrete(n, True, volume, int_R, int_R2, E, (K + K.T) / 2, (M + M.T) / 2, mass)


def _eigen(disc: _Discrete, k: int):
    """(eigenvalues (k,), coefficient vectors (m, k)) of K c = λ M c, normalized cᵀMc = 1."""
    return scipy.linalg.eigh(disc.K, disc.M, subset_by_index=[0, k - 1])


def _one_blas_thread(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper


@_one_blas_thread
def torus_eigenvalues(decoder: Callable, k: int = 1, n: int = 32, *, eps: float = 0.0) -> np.ndarray:
    """The k lowest eigenvalues (k,) of −4Δ_g + R on the torus, g the decoder's pullback metric (+ eps·I) on the
    n×n grid (module docstring); NaN where g is singular or non-finite at a grid point."""
    k = check_int(k, "parameter 'k'", low=1)
    disc = _discretize(decoder, n, _check_eps(eps))
    if k > (disc.n - 1 + disc.n % 2) ** 2:
        raise ValueError(f"parameter 'k' must be at most the number of trial modes, got {k}")
    if not disc.finite:
        return np.full(k, np.nan)
    return _eigen(disc, k)[0]


def _ground_state(disc: _Discrete, vectors: np.ndarray) -> np.ndarray:
    u = disc.E @ vectors[:, 0]
    return (u if u.sum() >= 0 else -u).reshape(disc.n, disc.n)


@_one_blas_thread
def torus_lambda(decoder: Callable, n: int = 32, *, eps: float = 0.0, return_state: bool = False):
    """λ(g) = inf_f F(g, f) = lowest eigenvalue of −4Δ_g + R (Perelman 2002, §2) on the n×n grid.

    ``return_state``: also the ground state u (n, n) on :func:`torus_grid` (n), ∫u² dV = 1, u > 0 (e^{−f} = u²).
    """
    disc = _discretize(decoder, n, _check_eps(eps))
    if not disc.finite:
        return (math.nan, np.full((disc.n, disc.n), np.nan)) if return_state else math.nan
    values, vectors = _eigen(disc, 1)
    lam = float(values[0])
    return (lam, _ground_state(disc, vectors)) if return_state else lam


def _w_functional(disc: _Discrete, tau: float):
    """c ↦ (W, ∂W/∂c) for ψ = E c (scale-free: W(ψ/‖ψ‖_{L²(dV)})), n = 2 (module docstring)."""
    const = -2 - math.log(4 * math.pi * tau)
    A, M, E, mass = tau * disc.K, disc.M, disc.E, disc.mass

    def fun(c):
        psi = E @ c
        sq = psi**2
        log_sq = np.log(np.where(sq > 0, sq, 1.0))
        q, nrm = c @ A @ c, c @ M @ c
        ent = np.sum(mass * sq * log_sq)
        value = q / nrm - ent / nrm + math.log(nrm) + const  # Perelman 2002, §3, with ψ² = (4πτ)^{−1}e^{−f}
        dq, dn = 2 * A @ c, 2 * M @ c
        dent = E.T @ (mass * 2 * psi * (log_sq + 1))
        grad = dq / nrm - q * dn / nrm**2 - dent / nrm + ent * dn / nrm**2 + dn / nrm
        return value, grad

    return fun


def _minimize_w(disc: _Discrete, tau: float, second_mode: np.ndarray):
    fun = _w_functional(disc, tau)
    precondition = np.sqrt(np.abs(np.diag(tau * disc.K)) + np.diag(disc.M))  # c = y / p (R√g may make K_ii < 0)
    constant = disc.E.T @ np.ones(disc.E.shape[0])
    bump = second_mode * (np.linalg.norm(constant) * 0.3 / np.abs(disc.E @ second_mode).max())
    best = None
    for start in (constant, constant + bump):  # the constant, and a step off it (module docstring)
        y0 = start * precondition
        y0 /= np.linalg.norm(y0)

        def scaled(y):
            value, grad = fun(y / precondition)
            return value, grad / precondition

        result = scipy.optimize.minimize(scaled, y0, jac=True, method="L-BFGS-B",
                                         options={"maxiter": 5000, "maxcor": 20, "ftol": 1e-15, "gtol": 1e-11})
        if not np.isfinite(result.fun):
            failure = result.message
            continue  # a start that diverges is dropped; the other may converge
        if best is None or result.fun < best[0]:
            best = (float(result.fun), result.x / precondition)
    if best is None:
        raise RuntimeError(f"the minimization of W diverged from both starts: {failure}")
    return best


def _psi(disc: _Discrete, c: np.ndarray) -> np.ndarray:
    psi = disc.E @ c
    psi /= math.sqrt(np.sum(disc.mass * psi**2))
    return (psi if psi.sum() >= 0 else -psi).reshape(disc.n, disc.n)


def _check_eps(eps) -> float:
    return check_number(eps, "parameter 'eps' (Tikhonov term g + eps·I)", low=0)


def _check_tau(tau) -> float:
    return check_number(tau, "parameter 'tau'", low=0, low_open=True)


@_one_blas_thread
def torus_mu(decoder: Callable, tau: float, n: int = 32, *, eps: float = 0.0, return_state: bool = False):
    """μ(g, τ) = inf_f W(g, f, τ) (Perelman 2002, §3) on the n×n grid by L-BFGS over ψ (module docstring).

    ``return_state``: also the minimizer ψ (n, n) on :func:`torus_grid` (n), ∫ψ² dV = 1
    (f = −log ψ² − log 4πτ).
    """
    tau = _check_tau(tau)
    disc = _discretize(decoder, n, _check_eps(eps))
    if not disc.finite:
        return (math.nan, np.full((disc.n, disc.n), np.nan)) if return_state else math.nan
    _, vectors = _eigen(disc, 2)
    mu, c = _minimize_w(disc, tau, vectors[:, 1])
    return (mu, _psi(disc, c)) if return_state else mu


@dataclass(frozen=True)
class TorusDeficits:
    """Flatness deficits of a decoder's torus latent on the n×n grid (module docstring).

    lam = λ(g), mu = μ(g, τ), L_F = −λ ≥ 0, L_W = log(Vol/(4πτ)) − 2 − μ ≥ 0 (both 0 iff flat; L_W needs
    τ ≥ 1/(2λ₁) on flat tori), volume = ∫√det g dφ, int_R = ∫R dV (0 by Gauss–Bonnet: a quadrature check),
    int_R2 = ∫R² dV, tau the τ used, n the grid size."""

    lam: float
    mu: float
    L_F: float
    L_W: float
    volume: float
    int_R: float
    int_R2: float
    tau: float
    n: int


@_one_blas_thread
def flatness_deficits(decoder: Callable, tau: float | None = None, n: int = 32, *,
                      eps: float = 0.0, with_mu: bool = True) -> TorusDeficits:
    """λ, μ, L_F, L_W and the diagnostics of :class:`TorusDeficits`, from one discretization; ``tau`` None ->
    :func:`matched_tau` (Vol). NaN entries where g is singular or non-finite at a grid point; ``with_mu=False``
    skips μ (mu and L_W NaN)."""
    if tau is not None:
        tau = _check_tau(tau)
    disc = _discretize(decoder, n, _check_eps(eps))
    if tau is None:
        tau = matched_tau(disc.volume) if math.isfinite(disc.volume) and disc.volume > 0 else math.nan
    if not disc.finite:
        return TorusDeficits(math.nan, math.nan, math.nan, math.nan, disc.volume, disc.int_R, disc.int_R2, tau,
                             disc.n)
    values, vectors = _eigen(disc, 2)
    lam = float(values[0])
    if not with_mu:  # μ needs a nonlinear minimization: skip it when only λ is wanted
        return TorusDeficits(lam, math.nan, 0.0 - lam, math.nan, disc.volume, disc.int_R, disc.int_R2, tau, disc.n)
    mu, _ = _minimize_w(disc, tau, vectors[:, 1])
    deficit = math.log(disc.volume / (4 * math.pi * tau)) - 2 - mu
    return TorusDeficits(lam, mu, 0.0 - lam, deficit, disc.volume, disc.int_R, disc.int_R2, tau, disc.n)


# ------------------------------------------------------------------------------------------- training losses


def _check_angles(phi) -> torch.Tensor:
    if not isinstance(phi, torch.Tensor):
        raise TypeError(f"parameter 'phi' must be a torch.Tensor of angles (B, d), got {type(phi).__name__}")
    if not phi.is_floating_point() or phi.ndim != 2 or phi.shape[0] == 0:
        raise ValueError(f"parameter 'phi' must be a floating-point tensor of angles (B, d), B >= 1, got "
                         f"{getattr(phi, 'shape', type(phi).__name__)}")
    return phi


def _saddle_fields(decoder, potential, phi, eps, chunk_size):
    R, g = scalar_curvature_and_metric(decoder, phi, eps, chunk_size=chunk_size)
    f, grad_f = potential_and_gradient(potential, phi)
    return R, g, reverse_gradient(f), reverse_gradient(grad_f)  # decoder ascends, potential descends


def torus_F_loss(decoder: Callable, potential: Callable, phi: torch.Tensor, *, eps: float = 0.0,
                 chunk_size: int | None = None) -> tuple[torch.Tensor, dict]:
    """(−F̂, {"ess", "F"}): −(normalized F) at angles φ (B, d) ~ Unif(T^d) (log q = −d log 2π), the potential's
    gradient reversed (module docstring); → −λ̂(g) ≥ 0 at the saddle. Diagnostics are detached."""
    phi = _check_angles(phi)
    R, g, f, grad_f = _saddle_fields(decoder, potential, phi, eps, chunk_size)
    log_q = -phi.shape[1] * math.log(TWO_PI)
    value = perelman_F_estimate(R, g, f, grad_f, log_q)  # Perelman 2002, §1; seed 001 eq. (2)
    ess = effective_sample_size(perelman_log_weights(g.detach(), f.detach(), log_q))
    return -value, {"ess": ess, "F": value.detach()}


def torus_W_loss(decoder: Callable, potential: Callable, phi: torch.Tensor, tau: float, *, eps: float = 0.0,
                 chunk_size: int | None = None) -> tuple[torch.Tensor, dict]:
    """(L̂_W, {"ess", "W", "volume"}): log(V̂/(4πτ)) − 2 − Ŵ at angles φ (B, 2) ~ Unif(T²), V̂ = 4π² mean √det g,
    Ŵ the normalized W with the potential's gradient reversed (module docstring); → L_W ≥ 0 at the saddle."""
    phi = _check_angles(phi)
    tau = _check_tau(tau)
    if phi.shape[1] != 2:
        raise ValueError(f"parameter 'phi' must have d = 2 columns (the W deficit uses Gauss–Bonnet in 2-D), got "
                         f"d = {phi.shape[1]}")
    R, g, f, grad_f = _saddle_fields(decoder, potential, phi, eps, chunk_size)
    log_q = -2 * math.log(TWO_PI)
    value = perelman_W_estimate(R, g, f, grad_f, log_q, tau)  # Perelman 2002, §3; seed 001 eq. (3)
    chol, _ = torch.linalg.cholesky_ex(g)
    log_sqrt_det = torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)
    log_volume = torch.logsumexp(log_sqrt_det, 0) - math.log(phi.shape[0]) - log_q  # V̂ = 4π² mean √det g
    loss = log_volume - math.log(4 * math.pi * tau) - 2 - value  # W(g, const, τ) − Ŵ, Gauss–Bonnet
    ess = effective_sample_size(perelman_log_weights(g.detach(), f.detach(), log_q))
    return loss, {"ess": ess, "W": value.detach(), "volume": torch.exp(log_volume).detach()}
