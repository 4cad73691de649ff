"""The fast Gauss route in float64: closed-form activation derivatives, the second-order jet pass, the compressed
last layer and the Gram-based contraction, each against the generic routes (nested jvp, vmap(jacfwd(jacfwd)),
the Christoffel route), values and parameter gradients."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.func import jvp

from latent_geometry.geometry import (
    Sine,
    jacobian_and_hessian,
    metric_inverse,
    scalar_curvature,
    scalar_curvature_and_metric,
    scalar_curvature_from_derivatives,
    second_fundamental_form,
)
from latent_geometry.geometry import activations, jets
from latent_geometry.geometry.curvature import _gram
from latent_geometry.geometry.pullback import _gauss_rows, derivative_rows

from decoders import random_mlp, random_points  # noqa: E402  (tests/decoders.py)

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
PROPERTY = settings(max_examples=20, deadline=None, database=None)


def _nested_jvp(layer, x):
    ones = torch.ones_like(x)
    value, slope = jvp(layer, (x,), (ones,))
    return value, slope, jvp(lambda a: jvp(layer, (a,), (ones,))[1], (x,), (ones,))[1]


def _params_grad(decoder, loss):
    grads = torch.autograd.grad(loss, list(decoder.parameters()), allow_unused=True)
    return torch.cat([torch.zeros_like(p).flatten() if g is None else g.flatten()
                      for p, g in zip(decoder.parameters(), grads)])


# -------------------------------------------------------------------------------------- activation derivatives


CLOSED = [Sine(), nn.Tanh(), nn.Sigmoid(), nn.Softplus(), nn.Softplus(beta=2.5, threshold=3.0), nn.SiLU(), nn.ELU(),
          nn.ELU(alpha=0.7), nn.ReLU(), nn.LeakyReLU(0.05)]


@pytest.mark.parametrize("layer", CLOSED, ids=lambda m: repr(m))
def test_closed_form_derivatives_equal_nested_forward_mode(layer):
    # across softplus' threshold (βx = 3 at x = 1.2), through 0 for ELU/ReLU/LeakyReLU, and far out
    x = torch.cat([torch.linspace(-6, 6, 101, dtype=F64), torch.tensor([0.0, 1.2, 50.0, -50.0], dtype=F64)])
    assert type(layer) in activations.CLOSED_FORM
    for mine, ref in zip(activations.derivatives(layer, x), _nested_jvp(layer, x)):
        torch.testing.assert_close(mine, ref, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("layer", [Sine(), nn.Tanh(), nn.Sigmoid(), nn.Softplus(beta=2.5), nn.SiLU(), nn.ELU()],
                         ids=lambda m: repr(m))
def test_closed_forms_differentiate_consistently(layer):
    # d/dx σ = σ' and d/dx σ' = σ'' through autograd of the closed forms themselves (what training backpropagates)
    x = torch.linspace(-3, 3, 41, dtype=F64, requires_grad=True)
    value, slope, curvature = activations.derivatives(layer, x)
    torch.testing.assert_close(torch.autograd.grad(value.sum(), x, retain_graph=True)[0], slope.detach())
    torch.testing.assert_close(torch.autograd.grad(slope.sum(), x)[0], curvature.detach(), rtol=1e-12, atol=1e-14)


def test_other_modules_fall_back_to_forward_mode():
    class ShiftedTanh(nn.Tanh):  # a subclass overriding forward must not take tanh's closed form
        def forward(self, x):
            return torch.tanh(x - 0.3)

    x = torch.linspace(-2, 2, 9, dtype=F64)
    for layer in (nn.GELU(), nn.Mish(), nn.CELU(0.5), ShiftedTanh()):
        for mine, ref in zip(activations.derivatives(layer, x), _nested_jvp(layer, x)):
            torch.testing.assert_close(mine, ref, rtol=0, atol=0)
    assert not torch.allclose(activations.derivatives(ShiftedTanh(), x)[0], torch.tanh(x))


# ------------------------------------------------------------------------------------------ jets, compression


ACTS = {"sin": Sine, "tanh": nn.Tanh, "softplus": nn.Softplus}


@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize("d", [2, 3, 5])
def test_derivative_rows_are_j_and_h(act, d):
    decoder = random_mlp(d, (d, 9, 7, 12), ACTS[act])
    z = random_points(d, 5, d)
    first, pairs = derivative_rows(decoder, z)
    jac, hess = jacobian_and_hessian(lambda x: decoder(x), z)  # generic vmap(jacfwd(jacfwd))
    rows, cols = jets.pair_indices(d)
    torch.testing.assert_close(first, jac.mT, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(pairs, hess[..., rows, cols].mT, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(jets.hessian_from_pairs(pairs, d), hess, rtol=1e-12, atol=1e-14)


def test_affine_and_activation_ended_stacks():
    z = random_points(0, 4, 3)
    for decoder in (nn.Sequential(nn.Linear(3, 5, dtype=F64)),  # affine: H = 0
                    nn.Sequential(nn.Linear(3, 5, dtype=F64), nn.Linear(5, 6, dtype=F64)),
                    nn.Sequential(nn.Tanh(), nn.Linear(3, 6, dtype=F64), nn.Sigmoid())):  # activation first and last
        for mine, ref in zip(jacobian_and_hessian(decoder, z), jacobian_and_hessian(lambda x: decoder(x), z)):
            torch.testing.assert_close(mine, ref, rtol=1e-12, atol=1e-14)


def test_output_compression_is_an_isometry_where_it_pays():
    decoder = random_mlp(0, (2, 6, 5, 300), nn.Tanh)  # widening last layer 5 → 300
    z = random_points(0, 40, 2)
    compression = jets.output_compression(decoder, 40 * 5)
    assert compression is not None and compression.shape == (5, 5)
    full, small = derivative_rows(decoder, z), _gauss_rows(decoder, z, None)
    assert small[0].shape[-1] == 5 and full[0].shape[-1] == 300
    both_full, both_small = torch.cat(full, 1), torch.cat(small, 1)
    torch.testing.assert_close(both_small @ both_small.mT, both_full @ both_full.mT, rtol=1e-12, atol=1e-13)
    # where it does not pay: a narrowing or wide last layer, a final activation, a single layer
    assert jets.output_compression(random_mlp(0, (2, 64, 20), nn.Tanh), 1000) is None
    assert jets.output_compression(random_mlp(0, (2, 512, 784), nn.Tanh), 640) is None
    assert jets.output_compression(nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 300), nn.Tanh()), 200) is None
    assert jets.output_compression(nn.Sequential(nn.Linear(2, 300)), 200) is None


# ------------------------------------------------------------------------- fast Gauss route vs generic routes


def _routes(decoder, z, eps):
    """(R, ∂ mean R²/∂θ) for the fast route, the generic vmap(jacfwd(jacfwd)) Gauss route, the Christoffel route."""
    out = []
    for f, method in ((decoder, "gauss"), (lambda x: decoder(x), "gauss"), (decoder, "christoffel")):
        R = scalar_curvature(f, z, method, eps)
        out.append((R.detach(), _params_grad(decoder, R.square().mean())))
    return out


@pytest.mark.parametrize("act", sorted(ACTS))
@pytest.mark.parametrize("d", [2, 3, 5])
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_fast_gauss_route_equals_generic_and_christoffel_routes(act, d, eps):
    decoder = random_mlp(10 + d, (d, 10, 8, 14), ACTS[act])
    z = random_points(d, 6, d)
    (fast, grad_fast), (generic, grad_generic), (christoffel, grad_christoffel) = _routes(decoder, z, eps)
    assert torch.isfinite(fast).all() and fast.abs().max() > 1e-3
    torch.testing.assert_close(fast, generic, rtol=1e-11, atol=1e-12)
    torch.testing.assert_close(fast, christoffel, rtol=1e-9, atol=1e-10)
    torch.testing.assert_close(grad_fast, grad_generic, rtol=1e-10, atol=1e-11)
    torch.testing.assert_close(grad_fast, grad_christoffel, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("d", [2, 3, 5])
def test_compressed_route_equals_generic_route_with_gradients(d):
    # small hidden width, wide output and enough points: the compressed last layer is taken (checked)
    decoder = random_mlp(20 + d, (d, 8, 6, 120), Sine)
    z = random_points(d, 30, d)
    assert jets.output_compression(decoder, 30 * (d + d * (d + 1) // 2)) is not None
    (fast, grad_fast), (generic, grad_generic), _ = _routes(decoder, z, 0.0)
    torch.testing.assert_close(fast, generic, rtol=1e-11, atol=1e-12)
    torch.testing.assert_close(grad_fast, grad_generic, rtol=1e-10, atol=1e-11)
    R, g = scalar_curvature_and_metric(decoder, z)
    jac = jacobian_and_hessian(lambda x: decoder(x), z)[0]
    torch.testing.assert_close(g, jac.mT @ jac, rtol=1e-12, atol=1e-13)  # g from the compressed rows


def test_compressed_route_chunks_and_torch_func():
    decoder = random_mlp(3, (2, 8, 6, 120), Sine)
    z = random_points(3, 30, 2)
    R = scalar_curvature(decoder, z)
    torch.testing.assert_close(scalar_curvature(decoder, z, chunk_size=7), R, rtol=1e-12, atol=1e-13)
    jac_fwd = torch.func.jacfwd(lambda x: scalar_curvature(decoder, x))(z)  # forward mode through the compressed path
    jac_rev = torch.autograd.functional.jacobian(lambda x: scalar_curvature(decoder, x), z)
    torch.testing.assert_close(jac_fwd, jac_rev, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------- Gauss contraction


@st.composite
def derivative_arrays(draw):
    """Random (J, H) in float64: J (B, D, d) well conditioned, H symmetric in its last two indices."""
    d = draw(st.integers(1, 4))
    ambient = draw(st.integers(d + 1, 9))
    gen = torch.Generator().manual_seed(draw(st.integers(0, 10_000)))
    jac = torch.randn(3, ambient, d, generator=gen, dtype=F64) + 2 * torch.eye(ambient, d, dtype=F64)
    hess = torch.randn(3, ambient, d, d, generator=gen, dtype=F64)
    return jac, hess + hess.transpose(-1, -2)


@PROPERTY
@given(derivative_arrays(), st.sampled_from([0.0, 0.3]))
def test_gauss_contraction_equals_the_einsum_formula(arrays, eps):
    # R = g^{ij}g^{kl}(⟨II_ij, II_kl⟩ − ⟨II_ik, II_jl⟩) with the D-space II and explicit g⁻¹ (do Carmo 1992, ch. 6),
    # eps through the augmented immersion (J; √eps I), (H; 0); d = 2 takes the closed form, d = 1 gives 0
    jac, hess = arrays
    batch, ambient, d = jac.shape
    if eps > 0:
        jac_aug = torch.cat([jac, math.sqrt(eps) * torch.eye(d, dtype=F64).expand(batch, d, d)], 1)
        hess_aug = torch.cat([hess, hess.new_zeros(batch, d, d, d)], 1)
    else:
        jac_aug, hess_aug = jac, hess
    second = second_fundamental_form(jac_aug, hess_aug)
    g_inv = metric_inverse(jac_aug.mT @ jac_aug)
    m = torch.einsum("baij,bakl->bijkl", second, second)
    expected = torch.einsum("bij,bkl,bijkl->b", g_inv, g_inv, m) - torch.einsum("bij,bkl,bikjl->b", g_inv, g_inv, m)
    torch.testing.assert_close(scalar_curvature_from_derivatives(jac, hess, eps), expected, rtol=1e-10, atol=1e-11)


def test_gram_autograd_function():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 4, 9, generator=gen, dtype=F64, requires_grad=True)
    y = torch.randn(3, 2, 9, generator=gen, dtype=F64, requires_grad=True)
    torch.testing.assert_close(_gram(x), x @ x.mT)
    torch.testing.assert_close(_gram(x, y), x @ y.mT)
    for fn, inputs in ((lambda a: _gram(a), (x,)), (_gram, (x, y))):
        assert torch.autograd.gradcheck(fn, inputs, check_forward_ad=True, check_batched_grad=True)
        assert torch.autograd.gradgradcheck(fn, inputs)
