"""Property-based tests (Hypothesis) of the decoder geometry: small float64 tanh MLP decoders from drawn seeds.

R is a scalar: invariant under an affine reparametrization z ↦ Az + b of the latent (well-conditioned A);
the Gauss and Christoffel routes agree where g is well conditioned; and where g is singular (a decoder whose first
layer has fewer units than the latent dimension, as in the numerics review's reproducer) both return NaN, while
eps > 0 makes them finite.
"""

import math
import os

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from latent_geometry.geometry import METHODS, pullback_metric, scalar_curvature

from decoders import random_mlp, random_points  # noqa: E402  (tests/decoders.py)

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 20)), deadline=None, database=None)
SEEDS = st.integers(0, 10_000)


@st.composite
def decoders(draw, bottleneck: bool = False):
    """(seed, dims) of a tanh MLP d → … → D; ``bottleneck``: the first layer has r < d units (rank J ≤ r)."""
    d = draw(st.integers(2, 3))
    hidden = [draw(st.integers(4, 12)) for _ in range(draw(st.integers(1, 2)))]
    if bottleneck:
        hidden = [draw(st.integers(1, d - 1))] + hidden
    out = draw(st.integers(d + 1, 10))
    return draw(SEEDS), (d, *hidden, out)


def condition(decoder, z) -> float:
    eig = torch.linalg.eigvalsh(pullback_metric(decoder, z).detach())
    return float((eig[:, -1] / eig[:, 0]).max())


def allowed(cond: float, R: torch.Tensor) -> float:
    """Rounding of the Christoffel route grows like eps·cond(g)² (geometry.curvature module docstring)."""
    return max(1e-10, 100 * torch.finfo(F64).eps * cond**2) * max(R.abs().max().item(), 1.0)


@PROPERTY
@given(decoders(), SEEDS, st.sampled_from(METHODS))
def test_curvature_is_invariant_under_affine_reparametrization(spec, seed, method):
    seed_decoder, dims = spec
    decoder, d = random_mlp(seed_decoder, dims, nn.Tanh), dims[0]
    gen = torch.Generator().manual_seed(seed)
    q1, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=F64))
    q2, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=F64))
    scales = 0.5 + 1.5 * torch.rand(d, generator=gen, dtype=F64)  # cond(A) ≤ 4
    a = q1 @ torch.diag(scales) @ q2
    b = torch.randn(d, generator=gen, dtype=F64)
    w = random_points(seed, 5, d)
    z = w @ a.T + b
    cond = condition(decoder, z) * 16  # cond(AᵀgA) ≤ cond(A)² cond(g)
    assume(cond < 1e5)
    R = scalar_curvature(decoder, z, method)
    reparametrized = scalar_curvature(lambda x: decoder(x @ a.T + b), w, method)
    assert torch.isfinite(R).all()
    assert (reparametrized - R).abs().max() <= allowed(cond, R), (dims, R, reparametrized)


@PROPERTY
@given(decoders(), SEEDS)
def test_gauss_and_christoffel_routes_agree(spec, seed):
    seed_decoder, dims = spec
    decoder = random_mlp(seed_decoder, dims, nn.Tanh)
    z = random_points(seed, 6, dims[0], scale=1.5)
    cond = condition(decoder, z)
    assume(cond < 1e4)
    gauss, christoffel = scalar_curvature(decoder, z, "gauss"), scalar_curvature(decoder, z, "christoffel")
    assert torch.isfinite(gauss).all()
    assert (gauss - christoffel).abs().max() <= allowed(cond, gauss), (dims, cond, gauss, christoffel)


@PROPERTY
@given(decoders(bottleneck=True), SEEDS, st.sampled_from([1.0, 3.0]))
def test_singular_metric_gives_nan_on_both_routes(spec, seed, scale):
    seed_decoder, dims = spec
    decoder = random_mlp(seed_decoder, dims, nn.Tanh)
    z = random_points(seed, 5, dims[0], scale=scale)
    for method in METHODS:
        R = scalar_curvature(decoder, z, method)
        assert torch.isnan(R).all(), (dims, method, R)
        regularized = scalar_curvature(decoder, z, method, eps=1e-3)
        assert torch.isfinite(regularized).all(), (dims, method, regularized)


@PROPERTY
@given(decoders(), SEEDS, st.floats(1e-3, 1.0))
def test_regularized_routes_agree_with_the_augmented_decoder(spec, seed, eps):
    seed_decoder, dims = spec
    decoder = random_mlp(seed_decoder, dims, nn.Tanh)
    z = random_points(seed, 4, dims[0])
    augmented = scalar_curvature(lambda x: torch.cat([decoder(x), math.sqrt(eps) * x], -1), z)
    g = pullback_metric(decoder, z).detach() + eps * torch.eye(dims[0], dtype=F64)
    eig = torch.linalg.eigvalsh(g)
    cond = float((eig[:, -1] / eig[:, 0]).max())
    for method in METHODS:
        R = scalar_curvature(decoder, z, method, eps=eps)
        assert (R - augmented).abs().max() <= allowed(cond, augmented), (dims, method, R, augmented)
