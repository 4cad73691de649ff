"""The κ-ambient exponential map (manifolds.kappa): the unit sphere / hyperboloid / padded plane for κ = 1 / −1 / 0,
C² + κS² = 1 everywhere, smooth in κ through 0, finite values and gradients at u = 0, κ = 0 and far out."""

import math
import os

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from latent_geometry.manifolds import ModelSpace
from latent_geometry.manifolds.kappa import kappa_expmap0, kappa_product_expmap0

pytestmark = pytest.mark.usefixtures("one_thread")

PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 40)), deadline=None, database=None)
F64 = torch.float64
REALS = st.floats(-3.0, 3.0, allow_nan=False)


def _u(seed: int, n: int = 16, scale: float = 2.0, dim: int = 2) -> torch.Tensor:
    return scale * torch.randn(n, dim, generator=torch.Generator().manual_seed(seed), dtype=F64)


@pytest.mark.parametrize("k", [1.0, -1.0])
def test_unit_curvature_is_the_model_space_point(k):
    u = _u(0)
    torch.testing.assert_close(kappa_expmap0(u, k), ModelSpace(k).expmap0(u), rtol=1e-13, atol=1e-13)


def test_zero_curvature_is_the_plane_padded_with_one():
    u = _u(1)
    x = kappa_expmap0(u, 0.0)
    assert torch.equal(x[:, 0], torch.ones(len(u), dtype=F64))
    assert torch.equal(x[:, 1:], u)


def test_product_is_the_components_side_by_side():
    kappa = torch.tensor([-1.0, 0.0, 1.0, 0.0], dtype=F64)
    u = _u(2, dim=8)
    x = kappa_product_expmap0(u, kappa)
    assert x.shape == (16, 12)
    for i, k in enumerate(kappa.tolist()):
        piece = u[:, 2 * i:2 * i + 2]
        expected = torch.cat([torch.ones(16, 1, dtype=F64), piece], -1) if k == 0 else ModelSpace(k).expmap0(piece)
        torch.testing.assert_close(x[:, 3 * i:3 * i + 3], expected, rtol=1e-13, atol=1e-13)


def test_product_accepts_a_batch_of_curvatures():
    kappa = torch.tensor([[-1.0, 1.0], [0.5, 0.0]], dtype=F64)  # (batch, n_p): one κ vector per sample
    u = _u(3, n=2, dim=4)
    x = kappa_product_expmap0(u, kappa)
    torch.testing.assert_close(x[1], kappa_product_expmap0(u[1], kappa[1]))
    torch.testing.assert_close(x[0, :3], ModelSpace(-1.0).expmap0(u[0, :2]))


@PROPERTY
@given(k=REALS, seed=st.integers(0, 2**16), scale=st.sampled_from([1e-6, 1e-3, 0.1, 1.0, 3.0]))
def test_c_squared_plus_kappa_s_squared_is_one(k, seed, scale):
    x = kappa_expmap0(_u(seed, scale=scale), k)
    c, s2 = x[:, 0], (x[:, 1:] ** 2).sum(-1)
    torch.testing.assert_close(c * c + k * s2, torch.ones_like(c), rtol=0, atol=1e-12 * float((c * c).max()))
    # S_κ(r) = sin(√κ r)/√κ ... has the sign of r near 0 and S/r > 0 for κ ≤ 0
    if k <= 0:
        assert bool((c >= 1).all())


@PROPERTY
@given(seed=st.integers(0, 2**16), scale=st.sampled_from([0.1, 1.0, 2.0]))
def test_kappa_derivative_is_continuous_through_zero(seed, scale):
    u = _u(seed, n=4, scale=scale)

    def f(k):
        return kappa_expmap0(u, k)

    zero = torch.zeros((), dtype=F64)
    d0 = torch.autograd.functional.jacobian(f, zero)  # (4, 3)
    h = 1e-4
    fd = (f(torch.tensor(h, dtype=F64)) - f(torch.tensor(-h, dtype=F64))) / (2 * h)
    r2 = (u * u).sum(-1, keepdim=True)
    closed = torch.cat([-r2 / 2, -r2 * u / 6], -1)  # d/dκ of (1 − κr²/2, (1 − κr²/6) u) at κ = 0
    torch.testing.assert_close(d0, closed, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(fd, d0, rtol=1e-6, atol=1e-8)
    for k in (h, -h):  # one-sided autograd derivatives approach the one at 0
        dk = torch.autograd.functional.jacobian(f, torch.tensor(k, dtype=F64))
        torch.testing.assert_close(dk, d0, rtol=1e-3, atol=1e-3 * float(r2.max()) ** 2)


@pytest.mark.parametrize("k", [-2.0, -1.0, -1e-5, 0.0, 1e-5, 0.7, 1.0])
@pytest.mark.parametrize("scale", [0.0, 1e-3, 1.5])
def test_gradcheck_in_u_and_kappa(k, scale):
    u = (_u(4, n=3, scale=scale) if scale else torch.zeros(3, 2, dtype=F64)).requires_grad_(True)
    kappa = torch.full((3,), k, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(kappa_expmap0, (u, kappa))
    assert torch.autograd.gradgradcheck(kappa_expmap0, (u, kappa))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("k", [-1.0, 0.0, 1.0, -1e-30])
@pytest.mark.parametrize("r", [0.0, 1e-20, 1.0, 60.0, 1e4])
def test_finite_values_and_gradients(dtype, k, r):
    u = torch.tensor([[r * 0.6, r * 0.8]], dtype=dtype, requires_grad=True)
    kappa = torch.tensor([k], dtype=dtype, requires_grad=True)
    x = kappa_expmap0(u, kappa)
    assert bool(torch.isfinite(x).all()), x
    x.sum().backward()
    assert bool(torch.isfinite(u.grad).all()) and bool(torch.isfinite(kappa.grad).all()), (u.grad, kappa.grad)


def test_hyperbolic_radius_is_clipped_like_the_hyperboloid():
    u = torch.tensor([[400.0, 0.0]], dtype=F64)
    torch.testing.assert_close(kappa_expmap0(u, -1.0), ModelSpace(-1.0).expmap0(u))


def test_nan_in_nan_out():
    u = torch.tensor([[math.nan, 0.0], [0.1, 0.2]], dtype=F64)
    x = kappa_expmap0(u, torch.tensor([-1.0, 0.0], dtype=F64))
    assert bool(torch.isnan(x[0]).all()) and bool(torch.isfinite(x[1]).all())


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="kappa"):
        kappa_expmap0(torch.zeros(2), math.nan)
    with pytest.raises(ValueError, match="kappa"):
        kappa_expmap0(torch.zeros(2), torch.tensor(math.inf))
    with pytest.raises(ValueError, match="u"):
        kappa_expmap0(torch.zeros(3), 1.0)
    with pytest.raises(ValueError, match="2·n_p"):
        kappa_product_expmap0(torch.zeros(4, 5), torch.zeros(2))
    with pytest.raises(TypeError, match="kappa"):
        kappa_product_expmap0(torch.zeros(4, 4), [0.0, 1.0])
