"""Autoencoders of chapter 2 (seed 001): the authors' 2023 box-latent sin AE, their later torus-latent AE, and a
Euclidean-latent AE for the isometry control.

- :func:`box_autoencoder`: encoder D-hidden-d with ``sin`` after every layer, the last included, so the codes lie
  in the box [−1, 1]^d (the authors' 2023 curvature AE); mirrored decoder with a linear output.
- :class:`TorusAutoencoder`: the authors' thesis-era "TorusAE" (``ricci_regularization/Architectures.py``): the
  encoder D-hidden-2d outputs one planar vector per latent circle, the code is its angle φ ∈ [−π, π)^d, and the
  decoder reads (cos φ, sin φ) ∈ ℝ^{2d} (:class:`latent_geometry.geometry.torus.TorusDecoder`). The latent is a
  closed flat torus, so Gauss–Bonnet (∫R dV = 0) holds for every decoder and −λ is a flattening loss.
- :func:`euclidean_autoencoder`: the same encoder without the final bound (codes in ℝ^d).

``input_scale`` multiplies the encoder's first-layer weights (our initialisation fix): the toy data have a tiny
per-coordinate scale (a 2-D cloud spread over D = 784 coordinates), so with PyTorch's default fan-in init the first
sin layer starts nearly linear and training often stalls at the class means; ``data_input_scale(x)`` = √D / mean ‖x‖
gives the first layer unit-scale inputs.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from latent_geometry._util.checks import check_int, check_number
from latent_geometry._util.seeding import set_seed
from latent_geometry.geometry.torus import TorusDecoder
from latent_geometry.learning.models import Autoencoder, mlp

__all__ = ["TorusAutoencoder", "TorusEncoder", "box_autoencoder", "data_input_scale", "euclidean_autoencoder",
           "uniformity_loss", "unwrap_angles", "wrap_angle"]


def data_input_scale(x: torch.Tensor) -> float:
    """√D / mean ‖x_i‖ for data x (N, D): the first-layer weight factor that gives unit-scale pre-activations."""
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or len(x) == 0:
        raise ValueError("parameter 'x' must be a non-empty (N, D) tensor")
    mean_norm = float(x.norm(dim=1).mean())
    if not math.isfinite(mean_norm) or mean_norm <= 0:
        raise ValueError(f"parameter 'x' must have a finite, positive mean norm, got {mean_norm!r}")
    return math.sqrt(x.shape[1]) / mean_norm


def _scale_first_layer(net: nn.Sequential, input_scale: float) -> None:
    check_number(input_scale, "parameter 'input_scale'", low=0, low_open=True)
    first = next(m for m in net if isinstance(m, nn.Linear))
    with torch.no_grad():
        first.weight.mul_(input_scale)


def _check_smooth(activation: str) -> None:
    if activation in ("relu", "leaky_relu"):
        raise ValueError("parameter 'activation' must be smooth: piecewise-linear decoders have R ≡ 0")


def box_autoencoder(input_dim: int, hidden: Sequence[int], *, latent_dim: int = 2, activation: str = "sin",
                    input_scale: float = 1.0, seed: int = 0) -> Autoencoder:
    """The authors' 2023 curvature AE: codes sin(·) ∈ [−1, 1]^d, mirrored sin decoder, linear output."""
    _check_smooth(activation)
    set_seed(seed)
    encoder = mlp([input_dim, *hidden, latent_dim], activation, last_act="sin")
    decoder = mlp([latent_dim, *reversed(tuple(hidden)), input_dim], activation)
    _scale_first_layer(encoder, input_scale)
    return Autoencoder(encoder, decoder)


def euclidean_autoencoder(input_dim: int, hidden: Sequence[int], *, latent_dim: int = 2, activation: str = "sin",
                          input_scale: float = 1.0, seed: int = 0) -> Autoencoder:
    """The same networks with unbounded codes in ℝ^d (linear last encoder layer)."""
    _check_smooth(activation)
    set_seed(seed)
    encoder = mlp([input_dim, *hidden, latent_dim], activation)
    decoder = mlp([latent_dim, *reversed(tuple(hidden)), input_dim], activation)
    _scale_first_layer(encoder, input_scale)
    return Autoencoder(encoder, decoder)


def wrap_angle(phi: torch.Tensor) -> torch.Tensor:
    """φ mapped into [−π, π)."""
    return torch.remainder(phi + math.pi, 2 * math.pi) - math.pi


class TorusEncoder(nn.Module):
    """x (B, D) -> φ (B, d): an MLP to 2d outputs, read as d planar vectors (a_k, b_k), φ_k = atan2(b_k, a_k)."""

    def __init__(self, net: nn.Sequential, latent_dim: int):
        super().__init__()
        self.net, self.latent_dim = net, latent_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        planar = self.net(x).view(-1, self.latent_dim, 2)
        return torch.atan2(planar[..., 1], planar[..., 0])


class TorusAutoencoder(Autoencoder):
    """The authors' TorusAE: encoder D-hidden-2d -> angles φ ∈ [−π, π)^d; decoder (cos φ, sin φ)-reversed(hidden)-D
    with ``activation`` hidden layers and a linear output. Initial weights depend only on ``seed``."""

    def __init__(self, input_dim: int, hidden: Sequence[int], *, latent_dim: int = 2, activation: str = "sin",
                 input_scale: float = 1.0, seed: int = 0):
        check_int(input_dim, "parameter 'input_dim'", low=1)
        check_int(latent_dim, "parameter 'latent_dim'", low=1)
        _check_smooth(activation)
        set_seed(seed)
        net = mlp([input_dim, *hidden, 2 * latent_dim], activation)
        _scale_first_layer(net, input_scale)
        inner = mlp([2 * latent_dim, *reversed(tuple(hidden)), input_dim], activation)
        super().__init__(TorusEncoder(net, latent_dim), TorusDecoder(inner))
        self.latent_dim = latent_dim


def uniformity_loss(phi: torch.Tensor, n_moments: int = 4) -> torch.Tensor:
    """Σ_{k=1..K} Σ_j |mean_i e^{i k φ_ij}|²: the squared empirical Fourier moments of each latent angle (0 for
    codes spread uniformly over the circle). The authors' TorusAE equidistribution term (their code; per-circle
    marginals up to order ``n_moments`` — our reading of which moments enter)."""
    check_int(n_moments, "parameter 'n_moments'", low=1)
    if phi.ndim != 2:
        raise ValueError(f"parameter 'phi' must have shape (B, d), got {tuple(phi.shape)}")
    k = torch.arange(1, n_moments + 1, dtype=phi.dtype, device=phi.device)
    angles = phi.unsqueeze(-1) * k  # (B, d, K)
    return (angles.cos().mean(0).square() + angles.sin().mean(0).square()).sum()


def unwrap_angles(phi) -> "np.ndarray":
    """A chart of torus codes: each angle column of φ (N, d) cut at the middle of its largest circular gap and
    shifted to [0, 2π), so that codes occupying part of a circle become an interval (N, d) (float64 numpy)."""
    import numpy as np

    phi = np.asarray(phi, dtype=np.float64)
    if phi.ndim != 2 or len(phi) == 0:
        raise ValueError(f"parameter 'phi' must be a non-empty (N, d) array, got shape {phi.shape}")
    out = np.empty_like(phi)
    for j in range(phi.shape[1]):
        s = np.sort(np.remainder(phi[:, j], 2 * np.pi))
        gaps = np.diff(np.append(s, s[0] + 2 * np.pi))
        k = int(np.argmax(gaps))
        cut = s[k] + gaps[k] / 2
        out[:, j] = np.remainder(phi[:, j] - cut, 2 * np.pi)
    return out
