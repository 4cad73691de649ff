"""Smooth activations the decoder-geometry layer recognizes, and their first two derivatives (seed 001).

:func:`derivatives` gives (σ(x), σ'(x), σ''(x)) of an elementwise activation module in closed form for the common
ones (sin, tanh, sigmoid, softplus, SiLU, ELU, ReLU, LeakyReLU) and by nested forward mode (``torch.func.jvp``)
for any other elementwise module; the second-order jet pass of :mod:`latent_geometry.geometry.jets` needs them at
every hidden layer. The closed forms follow torch's own backward formulas (e.g. softplus is linear above its
``threshold``, and ReLU's derivative at 0 is 0), so both give the same numbers to rounding (tested).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from torch.func import jvp

__all__ = ["Sine", "derivatives", "CLOSED_FORM"]


class Sine(nn.Module):
    """x ↦ sin(x): the authors' smooth activation for curvature-regularized decoders (seed 001)."""

    def forward(self, x):
        return torch.sin(x)


Triple = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def _sine(layer, x) -> Triple:
    value = torch.sin(x)
    return value, torch.cos(x), -value  # sin'' = −sin


def _tanh(layer, x) -> Triple:
    t = torch.tanh(x)
    slope = 1 - t * t  # tanh' = 1 − tanh²
    return t, slope, -2 * t * slope  # tanh'' = −2 tanh · tanh'


def _sigmoid(layer, x) -> Triple:
    s = torch.sigmoid(x)
    slope = s * (1 - s)
    return s, slope, slope * (1 - 2 * s)


def _softplus(layer: nn.Softplus, x) -> Triple:
    """softplus_β(x) = log(1 + e^{βx})/β, linear (x) where βx > threshold, as torch computes it (and, like torch's
    double backward, σ'' = 0 already at βx = threshold)."""
    beta, threshold = layer.beta, layer.threshold
    scaled = beta * x
    s = torch.sigmoid(scaled)
    slope = torch.where(scaled > threshold, 1.0, s)
    curvature = torch.where(scaled < threshold, beta * s * (1 - s), 0.0)
    return nn.functional.softplus(x, beta, threshold), slope, curvature


def _silu(layer, x) -> Triple:
    s = torch.sigmoid(x)
    value = x * s
    # (xs)' = s + x s(1 − s), (xs)'' = s(1 − s)(2 + x(1 − 2s))
    return value, s + value * (1 - s), s * (1 - s) * (2 + x * (1 - 2 * s))


def _elu(layer: nn.ELU, x) -> Triple:
    """α(eˣ − 1) for x ≤ 0, x above, with torch's conventions at 0 (σ'(0) = α, σ''(0) = 0); exp of min(x, 0)
    keeps the unused branch finite, so no inf·0 reaches the gradient."""
    grow = layer.alpha * torch.exp(torch.clamp(x, max=0))
    return nn.functional.elu(x, layer.alpha), torch.where(x > 0, 1.0, grow), torch.where(x < 0, grow, 0.0)


def _relu(layer, x) -> Triple:
    slope = (x > 0).to(x.dtype)  # torch's ReLU derivative at 0 is 0
    return torch.relu(x), slope, torch.zeros_like(x)


def _leaky_relu(layer: nn.LeakyReLU, x) -> Triple:
    slope = torch.where(x > 0, torch.ones_like(x), torch.full_like(x, layer.negative_slope))
    return nn.functional.leaky_relu(x, layer.negative_slope), slope, torch.zeros_like(x)


CLOSED_FORM: dict[type, Callable[[nn.Module, torch.Tensor], Triple]] = {
    Sine: _sine, nn.Tanh: _tanh, nn.Sigmoid: _sigmoid, nn.Softplus: _softplus, nn.SiLU: _silu, nn.ELU: _elu,
    nn.ReLU: _relu, nn.LeakyReLU: _leaky_relu,
}


def _forward_mode(layer: nn.Module, x: torch.Tensor) -> Triple:
    """(σ, σ', σ'') of any elementwise module by nested ``jvp`` with unit tangents (the generic fallback)."""
    ones = torch.ones_like(x)
    value, slope = jvp(layer, (x,), (ones,))
    curvature = jvp(lambda a: jvp(layer, (a,), (ones,))[1], (x,), (ones,))[1]
    return value, slope, curvature


def derivatives(layer: nn.Module, x: torch.Tensor) -> Triple:
    """(σ(x), σ'(x), σ''(x)) of an elementwise activation module ``layer``, each of the shape of ``x``.

    Closed form for the exact types in :data:`CLOSED_FORM`, nested forward mode for any other module (a subclass
    that overrides ``forward`` is not mistaken for its parent). Differentiable in ``x`` (double backward works).
    """
    rule = CLOSED_FORM.get(type(layer))
    return rule(layer, x) if rule is not None else _forward_mode(layer, x)
