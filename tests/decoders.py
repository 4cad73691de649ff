"""Seeded random smooth decoders and latent points shared by the curvature tests (float64)."""

import math

import torch
from torch import nn

F64 = torch.float64


def random_points(seed, n, d, scale=1.0, shift=0.0):
    """n points uniform in shift + scale·[-1, 1]^d."""
    gen = torch.Generator().manual_seed(seed)
    return shift + scale * (2 * torch.rand(n, d, generator=gen, dtype=F64) - 1)


def random_mlp(seed, dims, act=nn.Tanh):
    """MLP decoder dims[0] -> … -> dims[-1] with seeded weights (std 1.5/√fan_in) and biases N(0, 0.5²)."""
    gen = torch.Generator().manual_seed(1000 + seed)
    layers = []
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        lin = nn.Linear(a, b, dtype=F64)
        with torch.no_grad():
            lin.weight.copy_(1.5 * torch.randn(b, a, generator=gen, dtype=F64) / math.sqrt(a))
            lin.bias.copy_(0.5 * torch.randn(b, generator=gen, dtype=F64))
        layers.append(lin)
        if i < len(dims) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def stereographic_sphere(radius):
    """Inverse stereographic projection ℝ^n → S^n_r ⊂ ℝ^{n+1}: r(2z, |z|² − 1)/(|z|² + 1) (notes ch2 §7 items 1–2)."""

    def f(z):
        s = (z * z).sum(-1, keepdim=True)
        return radius * torch.cat([2 * z, s - 1], -1) / (s + 1)

    return f


def torus_of_revolution(big, small):
    """(u, v) ↦ ((R + r cos u) cos v, (R + r cos u) sin v, r sin u) in ℝ³."""

    def f(z):
        u, v = z[:, 0], z[:, 1]
        ring = big + small * torch.cos(u)
        return torch.stack([ring * torch.cos(v), ring * torch.sin(v), small * torch.sin(u)], -1)

    return f
