"""Curvature functionals of a decoder's pullback metric (seed 001, slide "Ricci flow as a gradient flow").

Public API (B latent points z (B, d), n = d; scalars are 0-dim tensors)::

    ESTIMATORS = ("authors", "data", "uniform")
    squared_curvature(decoder, z, estimator="authors", *, domain_volume=None, eps=0.0, chunk_size=None) -> scalar
    squared_curvature_estimate(R, g, estimator="authors", *, domain_volume=None)                       -> scalar
    potential_and_gradient(potential, z)                      -> (f (B,), ∇f (B, d))   (Euclidean gradient ∂f)
    perelman_F_estimate(R, g, f, grad_f, log_q, *, normalize=True)                                     -> scalar
    perelman_W_estimate(R, g, f, grad_f, log_q, tau, *, normalize=True)                                -> scalar
    perelman_F(decoder, potential, z, log_q, *, normalize=True, eps=0.0, chunk_size=None)              -> scalar
    perelman_W(decoder, potential, z, tau, log_q, *, normalize=True, eps=0.0, chunk_size=None)         -> scalar
    perelman_F_loss(decoder, potential, z, log_q, *, eps=0.0, chunk_size=None)        -> scalar, = −F (see signs)
    perelman_W_loss(decoder, potential, z, tau, log_q, *, eps=0.0, chunk_size=None)   -> scalar, = −W (see signs)
    reverse_gradient(x)                                       -> x in value, −∂ in backward (see signs)
    perelman_log_weights(g, f, log_q)                         -> log w (B,), the importance weights of F and W
    effective_sample_size(log_w)                              -> scalar, Kish's (Σw)²/Σw² ∈ [1, B]
    MLPPotential(dim, hidden=(32, 32), activation="tanh", *, generator=None, dtype=torch.float32)  # z -> f(z) (B,)
    GaussianPotential(tau, mean=None, metric=None)            # f(z) = (z − m)ᵀG(z − m)/(4τ), (B,)

Here R (B,) and g (B, d, d) come from :func:`latent_geometry.geometry.scalar_curvature_and_metric` (or any metric
field, e.g. :func:`latent_geometry.geometry.intrinsic_scalar_curvature`); dV = √det g dz.

**(1) ∫R² dμ** (seed 001, eq. (1)). The authors' estimator is ``mean_i R(z_i)² √det g(z_i)`` over encoded points
z_i (the authors' code, ``redachhaibi/ricci_regularization``). Those points are samples of the code density ρ,
so the average already integrates against ρ dz; multiplying by √det g as well gives ∫R²√det g ρ dz — neither
∫R² dV_g nor E_ρ[R²] — and it changes under latent rescaling (×s² in d = 2 for z′ = z/s): spreading the codes
lowers it without changing the decoded manifold (the authors bound the latent domain to control it).
Coordinate-invariant variants, both labelled ours:

- ``"data"``: ``mean_i R(z_i)²`` = ∫R² dμ with μ the distribution of the codes (the push-forward of the data).
  R is a scalar and the codes move with any reparametrization, so the estimate is unchanged sample by sample.
- ``"uniform"``: ``|Ω| mean_i R(z_i)² √det g(z_i)`` with z_i ~ Unif(Ω) = ∫_Ω R² dV_g, the Riemannian integral
  over the whole (compact) latent domain Ω; pass ``domain_volume = |Ω|``.

**(2) Perelman's F and (3) W** (seed 001, eqs. (2), (3); Perelman 2002; our reading — the authors' code never
implemented them):

  F(g, f) = ∫ (R + |∇f|²_g) e^{−f} dV,   W(g, f, τ) = ∫ [τ(R + |∇f|²_g) + f − n] (4πτ)^{−n/2} e^{−f} dV,

with |∇f|²_g = ∂fᵀ g⁻¹ ∂f. *Estimation*: the points z_i are drawn from a proposal density q (``log_q`` = log q(z_i),
a (B,) tensor, or a float for a constant density such as −log|Ω| for Unif(Ω)), and ∫h e^{−f} dV =
E_q[h e^{−f}√det g / q] is estimated with the importance weights w_i = e^{−f_i}√det g_i / q_i (in log space).
With ``normalize=True`` (default) Perelman's constraint is imposed by shifting f by log Ẑ, Ẑ the estimate of
∫e^{−f}dV for F and of ∫(4πτ)^{−n/2}e^{−f}dV for W; F becomes the self-normalized average Σw(R+|∇f|²)/Σw (q
needed only up to a constant), and W = Σw[τ(R+|∇f|²) + f + log Ẑ − n]/Σw (q must be normalized). With
``normalize=False`` the plain importance-sampling mean is returned (e.g. quadrature on a uniform grid).

*Signs.* Ricci flow ascends F and W (Perelman's monotonicity, dF/dt = 2∫|Ric + ∇²f|² e^{−f} dV ≥ 0), so
minimizing λ_curv·F or λ_curv·W by gradient descent runs the backward, ill-posed flow (F is unbounded below).
Our reading: λ(g) = inf_f F and μ(g, τ) = inf_f W; the decoder *ascends* them, the potential approximates the
inner infimum. :func:`perelman_F_loss` returns −F with the gradient reaching the potential's parameters reversed
(:func:`reverse_gradient`), so one descent step moves the decoder along +∇F and the potential along −∇F; at the
saddle the loss is −λ̂(g) (on a torus latent, f = const gives λ ≤ 4πχ/Vol = 0, with equality exactly for flat
metrics, so −λ ≥ 0 vanishes only there).
Likewise :func:`perelman_W_loss` = −W → −μ̂(g, τ). Pass detached codes: gradients reaching z mix both directions.

In 2-D, Ric = (R/2)g and 2∫|Ric|² dV = ∫R² dV: functional (1) with dμ = dV is F's dissipation dF/dt along Ricci
flow at constant f, checked numerically in tests/test_curvature_functionals.py.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import torch
from torch import nn
from torch.func import jacfwd, vmap

from latent_geometry._util.checks import check_int, check_number
from latent_geometry.geometry.curvature import scalar_curvature_and_metric
from latent_geometry.geometry.pullback import metric_inverse

__all__ = [
    "ESTIMATORS",
    "squared_curvature",
    "squared_curvature_estimate",
    "potential_and_gradient",
    "perelman_F_estimate",
    "perelman_W_estimate",
    "perelman_F",
    "perelman_W",
    "perelman_F_loss",
    "perelman_W_loss",
    "reverse_gradient",
    "perelman_log_weights",
    "effective_sample_size",
    "MLPPotential",
    "GaussianPotential",
]

ESTIMATORS = ("authors", "data", "uniform")

_ACTIVATIONS = {"tanh": nn.Tanh, "softplus": nn.Softplus, "silu": nn.SiLU}


# --------------------------------------------------------------------------------------------- checks, helpers


def _check_fields(R, g) -> None:
    if not (isinstance(R, torch.Tensor) and isinstance(g, torch.Tensor)):
        raise TypeError("parameters 'R' and 'g' must be torch.Tensors")
    if R.ndim != 1 or g.ndim != 3 or g.shape[0] != R.shape[0] or g.shape[1] != g.shape[2]:
        raise ValueError(f"parameters 'R', 'g' must have shapes (B,) and (B, d, d), got {tuple(R.shape)}, "
                         f"{tuple(g.shape)}")


def _half_logdet(g: torch.Tensor) -> torch.Tensor:
    """log √det g by Cholesky, (B,)."""
    chol, _ = torch.linalg.cholesky_ex(g)
    return torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)


def _log_q(log_q, batch: int, like: torch.Tensor) -> torch.Tensor:
    if isinstance(log_q, bool) or not isinstance(log_q, (int, float, torch.Tensor)):
        raise TypeError(f"parameter 'log_q' must be a float or a (B,) tensor of log proposal densities, got "
                        f"{type(log_q).__name__}")
    log_q = torch.as_tensor(log_q, dtype=like.dtype, device=like.device)
    if log_q.ndim not in (0, 1) or (log_q.ndim == 1 and log_q.shape[0] != batch):
        raise ValueError(f"parameter 'log_q' must be a float or have shape ({batch},), got {tuple(log_q.shape)}")
    return log_q.expand(batch)


def _check_tau(tau) -> float:
    return check_number(tau, "parameter 'tau'", low=0, low_open=True)


def reverse_gradient(x: torch.Tensor) -> torch.Tensor:
    """Identity in value (2x − x is exact in floating point), −1 times the gradient in backward.

    The potential of :func:`perelman_F_loss` and :func:`perelman_W_loss` passes through it, so that one descent
    step moves the decoder up F (or W) and the potential down (towards the infimum over f).
    """
    return 2 * x.detach() - x


# ------------------------------------------------------------------------------------------- (1) ∫ R² dμ


def squared_curvature_estimate(R: torch.Tensor, g: torch.Tensor, estimator: str = "authors", *,
                               domain_volume: float | None = None) -> torch.Tensor:
    """Monte-Carlo estimate of functional (1), ∫R² dμ, from R (B,) and g (B, d, d) at the sample points.

    ``"authors"``: mean R²√det g (seed 001 eq. (1) as the authors coded it); ``"data"``: mean R² (μ = code
    distribution); ``"uniform"``: domain_volume · mean R²√det g (μ = dV_g on Ω, samples ~ Unif(Ω)).
    """
    _check_fields(R, g)
    if estimator not in ESTIMATORS:
        raise ValueError(f"parameter 'estimator' must be one of {ESTIMATORS}, got {estimator!r}")
    if (estimator == "uniform") != (domain_volume is not None):
        raise ValueError("parameter 'domain_volume' (|Ω| > 0) is required for estimator 'uniform' and only for it")
    if estimator == "data":
        return R.square().mean()  # E_ρ[R²], ρ the code distribution
    weighted = (R.square() * torch.exp(_half_logdet(g))).mean()  # seed 001 eq. (1), as the authors coded it
    if estimator == "authors":
        return weighted
    volume = check_number(domain_volume, "parameter 'domain_volume'", low=0, low_open=True)
    return volume * weighted  # (|Ω|/N) Σ R²√det g with z ~ Unif(Ω) = ∫_Ω R² dV_g


def squared_curvature(decoder: Callable, z: torch.Tensor, estimator: str = "authors", *,
                      domain_volume: float | None = None, eps: float = 0.0,
                      chunk_size: int | None = None) -> torch.Tensor:
    """Functional (1) of the decoder's pullback metric (+ eps·I) at latent points z (B, d); see
    :func:`squared_curvature_estimate` for the estimators. R by the Gauss route.

    ``eps`` regularizes consistently: R and √det g are those of the metric g + eps·I (geometry module docstring).
    The authors' code added eps·I inside g⁻¹ only; the two agree to O(eps/λ_min(g)).
    """
    R, g = scalar_curvature_and_metric(decoder, z, eps, chunk_size=chunk_size)
    return squared_curvature_estimate(R, g, estimator, domain_volume=domain_volume)


# ----------------------------------------------------------------------------------------------- potentials


def potential_and_gradient(potential: Callable, z: torch.Tensor):
    """Values f(z_i) (B,) and Euclidean gradients ∂f(z_i) (B, d) of a potential ``(B, d) -> (B,)`` (forward mode)."""
    if not callable(potential):
        raise TypeError(f"parameter 'potential' must be a callable (B, d) -> (B,), got {type(potential).__name__}")
    if not isinstance(z, torch.Tensor) or z.ndim != 2:
        raise ValueError(f"parameter 'z' must be a tensor of shape (B, d), got {getattr(z, 'shape', type(z))}")
    probe = potential(z[:1])
    if not isinstance(probe, torch.Tensor) or tuple(probe.shape) != (1,):
        shape = tuple(probe.shape) if isinstance(probe, torch.Tensor) else type(probe).__name__
        raise ValueError(f"parameter 'potential' must map (B, d) to (B,); (1, d) gave {shape}")

    def value_twice(z_i):
        value = potential(z_i.unsqueeze(0))[0]
        return value, value

    grad, value = vmap(jacfwd(value_twice, has_aux=True))(z)
    return value, grad


class MLPPotential(nn.Module):
    """Learned potential f_φ: ℝ^d → ℝ, a small smooth MLP (our reading of seed 001's f); forward (B, d) -> (B,).

    Weights ~ U(−1/√fan_in, 1/√fan_in) drawn from ``generator`` (biases 0), so a seed fixes the initialization.
    """

    def __init__(self, dim: int, hidden: Sequence[int] = (32, 32), activation: str = "tanh", *,
                 generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32):
        super().__init__()
        check_int(dim, "parameter 'dim'", low=1)
        for i, h in enumerate(hidden):
            check_int(h, f"parameter 'hidden[{i}]'", low=1)
        if activation not in _ACTIVATIONS:
            raise ValueError(f"parameter 'activation' must be one of {sorted(_ACTIVATIONS)} (smooth), got "
                             f"{activation!r}")
        sizes = [dim, *hidden, 1]
        layers: list[nn.Module] = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            linear = nn.Linear(fan_in, fan_out, dtype=dtype)
            with torch.no_grad():
                nn.init.uniform_(linear.weight, -fan_in ** -0.5, fan_in ** -0.5, generator=generator)
                linear.bias.zero_()
            layers.append(linear)
            if i < len(sizes) - 2:
                layers.append(_ACTIVATIONS[activation]())
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).squeeze(-1)


class GaussianPotential(nn.Module):
    """Fixed Gaussian potential f(z) = (z − m)ᵀ G (z − m) / (4τ) (Perelman 2002's Gaussian soliton); (B, d) -> (B,).

    With G the (constant) metric of a flat decoder, e^{−f}dV ∝ N(m, 2τ G⁻¹): the shrinking Gaussian soliton, for
    which W = 0. Defaults: m = 0, G = I (dimension taken from z).
    """

    def __init__(self, tau: float, mean: torch.Tensor | None = None, metric: torch.Tensor | None = None):
        super().__init__()
        self.tau = _check_tau(tau)
        if metric is not None and (not isinstance(metric, torch.Tensor) or metric.ndim != 2
                                   or metric.shape[0] != metric.shape[1]):
            raise ValueError(f"parameter 'metric' must be a (d, d) tensor, got {getattr(metric, 'shape', metric)}")
        if mean is not None and (not isinstance(mean, torch.Tensor) or mean.ndim != 1):
            raise ValueError(f"parameter 'mean' must be a (d,) tensor, got {getattr(mean, 'shape', mean)}")
        self.register_buffer("mean", mean)
        self.register_buffer("metric", metric)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = z if self.mean is None else z - self.mean
        gx = x if self.metric is None else x @ self.metric
        return (gx * x).sum(-1) / (4 * self.tau)  # |z − m|²_g / (4τ)


# ---------------------------------------------------------------------------------------- (2) F and (3) W


def _log_weights(g, f, log_q):
    """log w_i = −f_i + log √det g_i − log q_i: importance weights of ∫· e^{−f} dV under z_i ~ q."""
    return -f + _half_logdet(g) - log_q


def perelman_log_weights(g: torch.Tensor, f: torch.Tensor, log_q) -> torch.Tensor:
    """log w_i = −f_i + log √det g_i − log q_i (B,): the importance weights of ∫· e^{−f} dV under z_i ~ q, as used
    by :func:`perelman_F_estimate` and (up to the constant −(n/2)log 4πτ) :func:`perelman_W_estimate`.

    g (B, d, d), f (B,), ``log_q`` a float or a (B,) tensor (module docstring).
    """
    if not (isinstance(g, torch.Tensor) and isinstance(f, torch.Tensor)):
        raise TypeError("parameters 'g' and 'f' must be torch.Tensors")
    if g.ndim != 3 or g.shape[1] != g.shape[2] or f.shape != g.shape[:1]:
        raise ValueError(f"parameters 'g', 'f' must have shapes (B, d, d) and (B,), got {tuple(g.shape)}, "
                         f"{tuple(f.shape)}")
    return _log_weights(g, f, _log_q(log_q, f.shape[0], f))


def effective_sample_size(log_w: torch.Tensor) -> torch.Tensor:
    """Kish's effective sample size (Σw)²/Σw² of importance weights given as log w (B,), in log space:
    exp(2 logsumexp(log w) − logsumexp(2 log w)); B for equal weights, → 1 when one weight dominates.

    A scalar tensor (differentiable; detach it for diagnostics). NaN in ``log_w`` gives NaN; −inf entries (zero
    weights) are allowed, but not all of them.
    """
    if not isinstance(log_w, torch.Tensor) or not log_w.is_floating_point():
        raise TypeError(f"parameter 'log_w' must be a floating-point torch.Tensor, got {type(log_w).__name__}")
    if log_w.ndim != 1 or log_w.shape[0] == 0:
        raise ValueError(f"parameter 'log_w' must have shape (B,) with B >= 1, got {tuple(log_w.shape)}")
    if bool((log_w == math.inf).any()):
        raise ValueError("parameter 'log_w' must not contain +inf (an infinite weight)")
    if bool((log_w == -math.inf).all()):
        raise ValueError("parameter 'log_w' must have at least one finite entry (all weights are zero)")
    return torch.exp(2 * torch.logsumexp(log_w, 0) - torch.logsumexp(2 * log_w, 0))  # Kish: (Σw)²/Σw²


def _check_potential_fields(R, g, f, grad_f) -> None:
    _check_fields(R, g)
    if not (isinstance(f, torch.Tensor) and isinstance(grad_f, torch.Tensor)):
        raise TypeError("parameters 'f' and 'grad_f' must be torch.Tensors")
    if f.shape != R.shape or grad_f.shape != g.shape[:2]:
        raise ValueError(f"parameters 'f', 'grad_f' must have shapes {tuple(R.shape)} and {tuple(g.shape[:2])}, "
                         f"got {tuple(f.shape)} and {tuple(grad_f.shape)}")


def _grad_norm_sq(g, grad_f):
    """|∇f|²_g = ∂fᵀ g⁻¹ ∂f, (B,)."""
    return torch.einsum("bi,bij,bj->b", grad_f, metric_inverse(g), grad_f)


def perelman_F_estimate(R, g, f, grad_f, log_q, *, normalize: bool = True) -> torch.Tensor:
    """F(g, f) = ∫(R + |∇f|²_g) e^{−f} dV (seed 001 eq. (2)) from fields at z_i ~ q; see the module docstring.

    ``normalize=True``: f shifted so that ∫e^{−f}dV = 1 (self-normalized importance sampling).
    """
    _check_potential_fields(R, g, f, grad_f)
    integrand = R + _grad_norm_sq(g, grad_f)  # seed 001 eq. (2)
    log_w = _log_weights(g, f, _log_q(log_q, R.shape[0], R))
    if normalize:
        return (torch.softmax(log_w, 0) * integrand).sum()
    return (torch.exp(log_w) * integrand).mean()


def perelman_W_estimate(R, g, f, grad_f, log_q, tau: float, *, normalize: bool = True) -> torch.Tensor:
    """W(g, f, τ) = ∫[τ(R + |∇f|²_g) + f − n](4πτ)^{−n/2} e^{−f} dV (seed 001 eq. (3)), n = d, from fields at z_i ~ q.

    ``normalize=True``: f shifted by log Ẑ so that ∫(4πτ)^{−n/2}e^{−f}dV = 1 (needs a normalized q).
    """
    _check_potential_fields(R, g, f, grad_f)
    tau = _check_tau(tau)
    n = g.shape[-1]
    log_w = _log_weights(g, f, _log_q(log_q, R.shape[0], R)) - 0.5 * n * math.log(4 * math.pi * tau)
    if normalize:
        log_z = torch.logsumexp(log_w, 0) - math.log(R.shape[0])  # log Ẑ, Ẑ = MC estimate of ∫(4πτ)^{-n/2}e^{-f}dV
        integrand = tau * (R + _grad_norm_sq(g, grad_f)) + (f + log_z) - n  # seed 001 eq. (3) with f → f + log Ẑ
        return (torch.softmax(log_w, 0) * integrand).sum()
    integrand = tau * (R + _grad_norm_sq(g, grad_f)) + f - n  # seed 001 eq. (3)
    return (torch.exp(log_w) * integrand).mean()


def _fields(decoder, potential, z, eps, chunk_size, reverse_potential: bool):
    R, g = scalar_curvature_and_metric(decoder, z, eps, chunk_size=chunk_size)
    f, grad_f = potential_and_gradient(potential, z)
    if reverse_potential:
        f, grad_f = reverse_gradient(f), reverse_gradient(grad_f)
    return R, g, f, grad_f


def perelman_F(decoder, potential, z, log_q, *, normalize: bool = True, eps: float = 0.0,
               chunk_size: int | None = None) -> torch.Tensor:
    """Perelman's F of the decoder's pullback metric (+ eps·I) with potential f at z (B, d) drawn from q."""
    R, g, f, grad_f = _fields(decoder, potential, z, eps, chunk_size, reverse_potential=False)
    return perelman_F_estimate(R, g, f, grad_f, log_q, normalize=normalize)


def perelman_W(decoder, potential, z, tau: float, log_q, *, normalize: bool = True, eps: float = 0.0,
               chunk_size: int | None = None) -> torch.Tensor:
    """Perelman's W(g, f, τ) of the decoder's pullback metric (+ eps·I) at z (B, d) drawn from q."""
    R, g, f, grad_f = _fields(decoder, potential, z, eps, chunk_size, reverse_potential=False)
    return perelman_W_estimate(R, g, f, grad_f, log_q, tau, normalize=normalize)


def perelman_F_loss(decoder, potential, z, log_q, *, eps: float = 0.0,
                    chunk_size: int | None = None) -> torch.Tensor:
    """Loss −F (normalized F), our reading of seed 001 eq. (2) as a regularizer (module docstring, *Signs*).

    Descent moves the decoder up F (Ricci flow's direction) and, by gradient reversal, the potential down F
    (towards λ(g) = inf_f F); its value tends to −λ̂(g).
    """
    R, g, f, grad_f = _fields(decoder, potential, z, eps, chunk_size, reverse_potential=True)
    return -perelman_F_estimate(R, g, f, grad_f, log_q, normalize=True)


def perelman_W_loss(decoder, potential, z, tau: float, log_q, *, eps: float = 0.0,
                    chunk_size: int | None = None) -> torch.Tensor:
    """Loss −W (normalized W), our reading of seed 001 eq. (3) as a regularizer (module docstring, *Signs*).

    Descent moves the decoder up W and, by gradient reversal, the potential down W (towards μ(g, τ) = inf_f W).
    """
    R, g, f, grad_f = _fields(decoder, potential, z, eps, chunk_size, reverse_potential=True)
    return -perelman_W_estimate(R, g, f, grad_f, log_q, tau, normalize=True)
