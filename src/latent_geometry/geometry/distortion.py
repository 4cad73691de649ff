"""Relaxed distortion of a decoder: how far it is from a scaled isometry (seed 002, §2.3.2 and §3.3; IRAE).

Public API (latent points z (B, m); a decoder is any callable (B, m) -> (B, D) or (B, *out), flattened per sample,
its samples independent — an ``nn.Module`` in eval mode; scalars are 0-dim tensors)::

    metric_eigenvalues(decoder, z, *, chunk_size=None)                      -> λ (B, m), ascending, of g = JᵀJ
    relaxed_distortion(decoder, z, *, chunk_size=None)                      -> scalar, exact (full g), eq. (16)
    relaxed_distortion_hutchinson(decoder, z, *, generator=None, augment_eta=None) -> scalar, estimate, eq. (21)
    local_distortion(decoder, z, *, scale="batch", chunk_size=None)         -> (B,), the integrand of eq. (16)
    latent_mixup(z, eta, *, generator=None)                                 -> (B, m), the authors' augmentation

**The measure** (seed 002, eq. (16); Lee et al. 2022, ``lee2022irae``), with λ_j(z) the eigenvalues of g = JᵀJ
(ambient metric H = I) and ν the distribution of the codes (here: the batch),

    D(f) = ∫ Σ_j (1 − λ_j(z)/λ̄)² dν,   λ̄ = ∫ Σ_i λ_i/m dν = E[tr g]/m,
         = m²·E[tr g²]/E[tr g]² − m   (seed 002, §3.3: eq. (16) rewritten with ∫·dν = E_ν).

D ≥ 0, and D = 0 iff g(z) = c·I with one constant c on the support of ν (a scaled isometry). It depends only on
the eigenvalues of g, so it is invariant under orthogonal changes of the latent basis and under rescaling the data
(f ↦ s·f), but not under general reparametrizations of the latent: it measures the chart, not the manifold.
Example: G = diag(1, 4) everywhere gives 2²·17/25 − 2 = 0.72. Since Σ_j (1 − λ_j/λ̄)² = ‖I − g/λ̄‖²_F, the exact
value is computed in that form (non-negative by construction, no cancellation near 0, no eigendecomposition).

**The estimator** (seed 002, eq. (21), the IRAE regularizer; the authors' ``relaxed_distortion_measure``): one
probe v ~ N(0, I_m) per sample ("v = w"), Jv by ``torch.func.jvp``, JᵀJv by ``torch.func.vjp``, and the ratio of
batch means E‖JᵀJv‖²/(E‖Jv‖²)² ≈ E[tr g²]/E[tr g]² (Hutchinson 1989: E_v vᵀAv = tr A), returned in the same
normalized form m²·ratio − m so that both functions estimate the same number. A ratio of means is consistent but
biased at finite batch size B (O(1/B); +2.8/B for G = diag(1, 4)) and noisy (sd ≈ 2.9/√B there), and it can be
negative. ``augment_eta`` = η applies the authors' mixup first: z_aug = αz + (1−α)z_perm, α ~ U[−η, 1+η] per
sample, z_perm a random permutation of the batch (their default η = 0.2). Everything stays differentiable (with
respect to the decoder's parameters and to z); nothing is detached.

Degenerate input: where E[tr g] = 0 (a constant decoder) both forms are 0/0 and return NaN (the authors' later
copies clip the denominator at 1e-8 instead, which would turn it into a number).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch.func import jvp, vjp

from latent_geometry._util.checks import check_choice, check_number
from latent_geometry.geometry.pullback import _check_chunk_size, _check_points, pullback_metric

__all__ = ["metric_eigenvalues", "relaxed_distortion", "relaxed_distortion_hutchinson", "local_distortion",
           "latent_mixup", "SCALES"]

Decoder = Callable[[torch.Tensor], torch.Tensor]
SCALES = ("batch", "point")
_CALL_ERRORS = (RuntimeError, ValueError, TypeError, IndexError)  # e.g. "mat1 and mat2 shapes cannot be …"


# ----------------------------------------------------------------------------------------------- input checks


def _check_decoder_output(out, batch: int) -> None:
    if not isinstance(out, torch.Tensor) or out.ndim < 2 or out.shape[0] != batch:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"parameter 'decoder' must map (B, m) to (B, D) keeping the batch dimension; a batch of "
                         f"{batch} gave {shape}")


def _call_error(z: torch.Tensor, error: Exception) -> ValueError:
    return ValueError(f"parameter 'decoder' failed on parameter 'z' of shape {tuple(z.shape)} (latent size m = "
                      f"{z.shape[1]}): {type(error).__name__}: {error}. Does the decoder take {z.shape[1]}-dimensional "
                      f"latent points?")


def _check_decoder(decoder, z: torch.Tensor) -> None:
    """``decoder`` is callable and maps a (1, m) slice of ``z`` to (1, D…); raises naming the parameter."""
    if not callable(decoder):
        raise TypeError(f"parameter 'decoder' must be a callable (B, m) -> (B, D), got {type(decoder).__name__}")
    try:
        with torch.no_grad():
            out = decoder(z[:1])
    except _CALL_ERRORS as error:
        raise _call_error(z, error) from error
    _check_decoder_output(out, 1)


def _check_generator(generator) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"parameter 'generator' must be a torch.Generator or None, got {type(generator).__name__}")


def _metric(decoder: Decoder, z: torch.Tensor, chunk_size) -> torch.Tensor:
    _check_points(z)
    _check_chunk_size(chunk_size)
    _check_decoder(decoder, z)
    return pullback_metric(decoder, z, chunk_size=chunk_size)


# ------------------------------------------------------------------------------------------------- the measure


def metric_eigenvalues(decoder: Decoder, z: torch.Tensor, *, chunk_size: int | None = None) -> torch.Tensor:
    """Eigenvalues λ_1 ≤ … ≤ λ_m of the pullback metric g = JᵀJ at each point (seed 002, §2.3.2), shape (B, m)."""
    return torch.linalg.eigvalsh(_metric(decoder, z, chunk_size))


def _frobenius_distortion(g: torch.Tensor, mean_eigenvalue: torch.Tensor) -> torch.Tensor:
    """Σ_j (1 − λ_j/λ̄)² = ‖I − g/λ̄‖²_F per point, (B,), for g (B, m, m) and λ̄ of shape () or (B,)."""
    eye = torch.eye(g.shape[-1], dtype=g.dtype, device=g.device)
    return (eye - g / mean_eigenvalue.reshape(-1, 1, 1)).square().sum((-2, -1))


def relaxed_distortion(decoder: Decoder, z: torch.Tensor, *, chunk_size: int | None = None) -> torch.Tensor:
    """Relaxed distortion D = mean_b Σ_j (1 − λ_j(z_b)/λ̄)², λ̄ = mean_b tr g(z_b)/m (seed 002, eq. (16)), a scalar.

    Equal to m²·E[tr g²]/E[tr g]² − m (seed 002, §3.3, eq. (16) rewritten); computed from the full g
    (B Jacobians, fine for small m) as ‖I − g/λ̄‖²_F. 0 iff g = c·I on the batch; differentiable; NaN if E[tr g] = 0.
    """
    g = _metric(decoder, z, chunk_size)
    mean_eigenvalue = g.diagonal(dim1=-2, dim2=-1).sum(-1).mean() / g.shape[-1]  # λ̄ = E[tr g]/m, eq. (16)
    return _frobenius_distortion(g, mean_eigenvalue).mean()  # seed 002, eq. (16)


def local_distortion(decoder: Decoder, z: torch.Tensor, *, scale: str = "batch",
                     chunk_size: int | None = None) -> torch.Tensor:
    """Per-point distortion Σ_j (1 − λ_j(z)/λ̄)², shape (B,), a diagnostic for plots.

    ``scale="batch"``: λ̄ = mean_b tr g/m, the integrand of seed 002 eq. (16) (its batch mean is
    :func:`relaxed_distortion`); 0 where g = λ̄·I. ``scale="point"``: λ̄ = tr g(z)/m at each point, 0 where f is
    conformal there (seed 002, eq. (12)), whatever the local scale.
    """
    check_choice(scale, "parameter 'scale'", SCALES)
    g = _metric(decoder, z, chunk_size)
    trace = g.diagonal(dim1=-2, dim2=-1).sum(-1)
    mean_eigenvalue = (trace.mean() if scale == "batch" else trace) / g.shape[-1]
    return _frobenius_distortion(g, mean_eigenvalue)


# ----------------------------------------------------------------------------------------------- the estimator


def latent_mixup(z: torch.Tensor, eta: float, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """The authors' latent augmentation z_aug = αz + (1−α)z[π], α ~ U[−η, 1+η] per sample, π a random permutation
    of the batch (``lee2022irae``, code ``relaxed_distortion_measure``), shape (B, m); η ≥ 0 extrapolates beyond
    the segments. All randomness from ``generator`` (None: the global generator)."""
    _check_points(z)
    eta = check_number(eta, "parameter 'eta' (mixup range α ~ U[−eta, 1 + eta])", low=0)
    _check_generator(generator)
    batch = z.shape[0]
    perm = torch.randperm(batch, generator=generator, device=z.device)
    alpha = torch.rand(batch, 1, generator=generator, dtype=z.dtype, device=z.device) * (1 + 2 * eta) - eta
    return alpha * z + (1 - alpha) * z[perm]


def _probe_products(decoder: Decoder, z: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(Jv (B, D), JᵀJv (B, m)) per sample, by one jvp and one vjp through the batched decoder (samples independent,
    so the batch Jacobian is block diagonal)."""
    try:
        out, jv = jvp(decoder, (z,), (v,))
    except _CALL_ERRORS as error:
        raise _call_error(z, error) from error
    _check_decoder_output(out, z.shape[0])
    _, pullback = vjp(decoder, z)
    (jtjv,) = pullback(jv)
    return jv.flatten(1), jtjv


def relaxed_distortion_hutchinson(decoder: Decoder, z: torch.Tensor, *, generator: torch.Generator | None = None,
                                  augment_eta: float | None = None) -> torch.Tensor:
    """Stochastic relaxed distortion m²·E‖JᵀJv‖²/(E‖Jv‖²)² − m, one v ~ N(0, I_m) per sample, a scalar.

    Seed 002, eq. (21) (IRAE, ``lee2022irae``) in the normalized form of eq. (16), so it estimates
    :func:`relaxed_distortion` (consistent; O(1/B) bias, see the module docstring). ``augment_eta``: None (no
    augmentation) or η ≥ 0 for :func:`latent_mixup` first (the authors use 0.2). ``generator`` drives the
    permutation, the mixup weights and the probes. Differentiable in the decoder's parameters and in z.
    """
    _check_points(z)
    if not callable(decoder):
        raise TypeError(f"parameter 'decoder' must be a callable (B, m) -> (B, D), got {type(decoder).__name__}")
    _check_generator(generator)
    if augment_eta is not None:
        check_number(augment_eta, "parameter 'augment_eta' (mixup range, or None for no augmentation)", low=0)
        z = latent_mixup(z, augment_eta, generator=generator)
    v = torch.randn(z.shape, generator=generator, dtype=z.dtype, device=z.device)  # seed 002: one probe, v = w
    jv, jtjv = _probe_products(decoder, z, v)
    trace_g = jv.square().sum(1).mean()  # E_v ‖Jv‖² = tr g (Hutchinson), eq. (17)
    trace_g2 = jtjv.square().sum(1).mean()  # E_v ‖JᵀJv‖² = tr g²
    m = z.shape[1]
    return m**2 * trace_g2 / trace_g**2 - m  # seed 002, eq. (21), normalized as eq. (16) rewritten in §3.3
