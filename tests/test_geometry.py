"""Decoder geometry in float64: closed-form curvatures (notes ch2 §7), route agreement, invariances, regularization."""

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn

from latent_geometry.geometry import Sine
from latent_geometry.geometry import (
    METHODS,
    christoffel_derivatives,
    christoffel_symbols,
    hessian,
    intrinsic_scalar_curvature,
    jacobian,
    jacobian_and_hessian,
    metric_derivatives,
    metric_inverse,
    pullback_metric,
    ricci_tensor,
    riemann_tensor,
    scalar_curvature,
    scalar_curvature_and_metric,
    scalar_curvature_from_derivatives,
    scalar_from_ricci,
    second_fundamental_form,
    volume_element,
)

from decoders import random_mlp as _mlp  # noqa: E402  (tests/decoders.py: shared seeded decoders)
from decoders import random_points as _points, stereographic_sphere, torus_of_revolution  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny tensors: one intra-op thread is faster

F64 = torch.float64
SEEDS = [0, 1, 2]




class Sin(nn.Module):
    def forward(self, x):
        return torch.sin(x)


def _orthonormal_columns(seed, rows, cols):
    gen = torch.Generator().manual_seed(2000 + seed)
    return torch.linalg.qr(torch.randn(rows, cols, generator=gen, dtype=F64))[0]


# ------------------------------------------------------------------------------------------- closed-form decoders



def paraboloid(a, b):
    def f(z):
        x, y = z[:, 0], z[:, 1]
        return torch.stack([x, y, (a * x * x + b * y * y) / 2], -1)

    return f


def cylinder(rho):
    def f(z):
        u, v = z[:, 0], z[:, 1]
        return torch.stack([rho * torch.cos(u / rho), rho * torch.sin(u / rho), v], -1)

    return f


def flat_torus(z):
    u, v = z[:, 0], z[:, 1]
    return torch.stack([torch.cos(u), torch.sin(u), torch.cos(v), torch.sin(v)], -1)



def pseudosphere(a):
    def f(z):
        u, v = z[:, 0], z[:, 1]
        return a * torch.stack([torch.cos(v) / torch.cosh(u), torch.sin(v) / torch.cosh(u), u - torch.tanh(u)], -1)

    return f


# ------------------------------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dim, radius", [(2, 1.0), (2, 2.0), (3, 2.0), (4, 2.0), (3, 0.7)])
def test_spheres(method, seed, dim, radius):
    # notes ch2 §7 items 1–2: R = n(n−1)/r² everywhere (S² r=2: 0.5; S³: 1.5; S⁴: 3.0)
    z = _points(seed, 5, dim, scale=2.0)
    R = scalar_curvature(stereographic_sphere(radius), z, method)
    torch.testing.assert_close(R, torch.full_like(R, dim * (dim - 1) / radius**2), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_sphere_reference_point(method):
    # notes ch2 §7 item 1: r = 2 at (0.3, −0.7) gives 0.500000
    R = scalar_curvature(stereographic_sphere(2.0), torch.tensor([[0.3, -0.7]], dtype=F64), method)
    assert abs(R.item() - 0.5) < 1e-13


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_paraboloid(method, seed):
    # notes ch2 §7 item 3: K = ab/(1 + a²x² + b²y²)², R = 2K; a=1, b=3: R(0) = 6, R(0.3, −0.7) = 0.198347
    a, b = 1.0, 3.0
    z = torch.cat([torch.tensor([[0.0, 0.0], [0.3, -0.7]], dtype=F64), _points(seed, 4, 2, scale=1.5)])
    R = scalar_curvature(paraboloid(a, b), z, method)
    x, y = z[:, 0], z[:, 1]
    torch.testing.assert_close(R, 2 * a * b / (1 + a * a * x * x + b * b * y * y) ** 2, rtol=1e-12, atol=1e-14)
    assert abs(R[0].item() - 6.0) < 1e-12 and abs(R[1].item() - 0.198347) < 5e-7


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("decoder", [cylinder(0.6), flat_torus], ids=["cylinder", "flat_torus_R4"])
def test_flat_surfaces(method, seed, decoder):
    # notes ch2 §7 item 4: R = 0
    R = scalar_curvature(decoder, _points(seed, 6, 2, scale=3.0), method)
    torch.testing.assert_close(R, torch.zeros_like(R), rtol=0, atol=1e-12)


def test_flat_torus_has_second_fundamental_form():
    # notes ch2 §7 item 4: II ≠ 0 although R = 0, so the Gauss-equation terms really cancel
    jac, hess = jacobian_and_hessian(flat_torus, _points(0, 4, 2, scale=3.0))
    assert second_fundamental_form(jac, hess).abs().amax() > 0.5


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
def test_torus_of_revolution(method, seed):
    # notes ch2 §7 item 5 (R_b = 3, r_s = 1, u the tube angle): R = 2cos u/(r_s(R_b + r_s cos u)); R(0.3, ·) = 0.483062
    big, small = 3.0, 1.0
    z = torch.cat([torch.tensor([[0.3, 1.0]], dtype=F64), _points(seed, 5, 2, scale=math.pi)])
    R = scalar_curvature(torus_of_revolution(big, small), z, method)
    u = z[:, 0]
    torch.testing.assert_close(R, 2 * torch.cos(u) / (small * (big + small * torch.cos(u))), rtol=1e-12, atol=1e-13)
    assert abs(R[0].item() - 0.483062) < 5e-7


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("a", [1.0, 0.5])
def test_pseudosphere(method, seed, a):
    # notes ch2 §7 item 6: K = −1/a², R = −2/a² (u > 0)
    z = _points(seed, 5, 2, scale=1.0) + torch.tensor([1.5, 0.0], dtype=F64)
    R = scalar_curvature(pseudosphere(a), z, method)
    torch.testing.assert_close(R, torch.full_like(R, -2 / a**2), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("dim", [2, 3])
def test_intrinsic_route_on_hyperbolic_half_space(dim):
    # g = I/x_d² on {x_d > 0} has sectional curvature −1, so R = −d(d−1) (a metric with no decoder)
    z = _points(0, 5, dim) + torch.cat([torch.zeros(dim - 1), torch.tensor([2.0])]).to(F64)

    def metric(x):
        return torch.eye(dim, dtype=F64) / x[:, -1, None, None] ** 2

    R = intrinsic_scalar_curvature(metric, z)
    torch.testing.assert_close(R, torch.full_like(R, -dim * (dim - 1.0)), rtol=1e-12, atol=1e-12)


# -------------------------------------------------------------------------------------------- route agreement


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "dims, act",
    [((2, 16, 16, 9), nn.Tanh), ((2, 32, 50), Sin), ((3, 16, 16, 12), Sin), ((3, 24, 40), nn.Tanh),
     ((2, 16, 20), nn.Softplus)],
    ids=["tanh-d2", "sin-d2", "sin-d3", "tanh-d3", "softplus-d2"],
)
def test_gauss_and_christoffel_routes_agree_on_random_mlps(seed, dims, act):
    # notes ch2 §1.4: the two routes agree to machine precision (~1e-14 relative) in float64
    decoder = _mlp(seed, dims, act)
    z = _points(seed, 16, dims[0], scale=1.5)
    gauss = scalar_curvature(decoder, z, "gauss")
    christoffel = scalar_curvature(decoder, z, "christoffel")
    assert gauss.abs().amax() > 1e-3  # a curved decoder: the comparison is not between zeros
    assert (gauss - christoffel).abs().amax() / gauss.abs().amax() < 1e-10


def test_geomstats_autograd_oracle():
    # notes ch2 §1.6, §7 item 12: geomstats' PullbackMetric (autograd backend) as an independent oracle
    # geomstats is pinned in requirements.txt but absent on the bare GPU machine; the wrapper sets the backend first
    gs = pytest.importorskip("latent_geometry._util.geomstats_shim").gs
    from geomstats.geometry.base import ImmersedSet
    from geomstats.geometry.euclidean import Euclidean

    class Surface(ImmersedSet):
        def __init__(self):
            super().__init__(dim=2)

        def _define_embedding_space(self):
            return Euclidean(dim=4)

        def immersion(self, p):
            x, y = p[..., 0], p[..., 1]
            return gs.stack([x, y, gs.sin(x) * gs.cos(y) + 0.3 * x * y**2, gs.exp(0.2 * x) * gs.sin(y)], axis=-1)

    def decoder(z):
        x, y = z[:, 0], z[:, 1]
        return torch.stack([x, y, torch.sin(x) * torch.cos(y) + 0.3 * x * y**2, torch.exp(0.2 * x) * torch.sin(y)], -1)

    points = np.array([[0.3, -0.7], [1.1, 0.4], [-0.5, 0.9]])
    expected = torch.as_tensor(np.asarray(Surface().metric.scalar_curvature(points)), dtype=F64)
    assert expected.abs().amin() > 1e-2
    for method in METHODS:
        torch.testing.assert_close(scalar_curvature(decoder, torch.as_tensor(points), method), expected,
                                   rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------------------------- invariances


@pytest.mark.parametrize("seed", SEEDS)
def test_orthonormal_embedding_into_784(seed):
    # notes ch2 §7 item 7: R(QΨ) = R(Ψ) for Q with orthonormal columns
    q3 = _orthonormal_columns(seed, 784, 3)
    z = _points(seed, 6, 2, scale=1.5)
    embedded = scalar_curvature(lambda x: stereographic_sphere(2.0)(x) @ q3.T, z)
    torch.testing.assert_close(embedded, torch.full_like(embedded, 0.5), rtol=1e-12, atol=1e-12)
    decoder = _mlp(seed, (2, 16, 8), nn.Tanh)
    q8 = _orthonormal_columns(seed + 10, 784, 8)
    plain = scalar_curvature(decoder, z)
    for method in METHODS:
        torch.testing.assert_close(scalar_curvature(lambda x: decoder(x) @ q8.T, z, method), plain,
                                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS)
def test_reparametrization_invariance(seed, method):
    # notes ch2 §7 item 7: R(Ψ∘φ)(w) = R(Ψ)(φ(w)), φ linear invertible or a nonlinear diffeomorphism
    decoder = _mlp(seed, (2, 16, 16, 10), Sin)
    gen = torch.Generator().manual_seed(seed)
    a = torch.eye(2, dtype=F64) + 0.5 * torch.randn(2, 2, generator=gen, dtype=F64)
    shift = torch.randn(2, generator=gen, dtype=F64)
    w = _points(seed, 8, 2)

    def linear(x):
        return x @ a.T + shift

    def nonlinear(x):  # identity + a 0.3-Lipschitz map: a diffeomorphism of ℝ²
        return x + 0.3 * torch.sin(x.flip(-1))

    for phi in (linear, nonlinear):
        reparametrized = scalar_curvature(lambda x: decoder(phi(x)), w, method)
        torch.testing.assert_close(reparametrized, scalar_curvature(decoder, phi(w), method), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("c", [0.1, 3.0])
def test_scaling(seed, c):
    # notes ch2 §7 item 7: Ψ → cΨ gives R → R/c²
    decoder = _mlp(seed, (3, 16, 12), nn.Tanh)
    z = _points(seed, 6, 3)
    torch.testing.assert_close(scalar_curvature(lambda x: c * decoder(x), z), scalar_curvature(decoder, z) / c**2,
                               rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("act", [nn.ReLU, nn.LeakyReLU])
def test_relu_decoders_have_zero_curvature(method, act):
    # notes ch2 §0 item 5, §7 item 9: piecewise-linear decoders have H = 0 almost everywhere, hence R ≡ 0
    R = scalar_curvature(_mlp(0, (2, 32, 32, 20), act), _points(0, 10, 2, scale=2.0), method)
    assert torch.equal(R, torch.zeros_like(R))


# ------------------------------------------------------------------------------------- pieces and identities


@pytest.mark.parametrize("seed", SEEDS)
def test_derivatives_against_independent_autograd(seed):
    decoder = _mlp(seed, (3, 8, 5), nn.Tanh)
    z = _points(seed, 4, 3)
    jac, hess = jacobian_and_hessian(decoder, z)
    for b in range(z.shape[0]):
        def single(x):
            return decoder(x[None])[0]

        torch.testing.assert_close(jac[b], torch.autograd.functional.jacobian(single, z[b]), rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(hess[b], torch.func.hessian(single)(z[b]), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(jacobian(decoder, z), jac)
    torch.testing.assert_close(hessian(decoder, z), hess)
    torch.testing.assert_close(pullback_metric(decoder, z), jac.mT @ jac)


@pytest.mark.parametrize("act", [nn.Tanh, nn.Sigmoid, nn.Softplus, nn.SiLU, nn.ELU, nn.CELU, nn.SELU, nn.GELU,
                                 nn.Mish, nn.ReLU, nn.LeakyReLU, Sine])
def test_sequential_jets_equal_generic_forward_mode(act):
    # an nn.Sequential of Linear + elementwise activations takes the second-order jet pass; a lambda wrapper
    # forces the generic vmap(jacfwd(jacfwd)) pass: values and parameter gradients of R must coincide
    decoder = _mlp(0, (3, 12, 10, 7), act)
    z = _points(0, 6, 3, scale=1.5)
    jets = jacobian_and_hessian(decoder, z, chunk_size=4)
    generic = jacobian_and_hessian(lambda x: decoder(x), z)
    for a, b in zip(jets, generic):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-13)
    grads = []
    for f in (decoder, lambda x: decoder(x)):
        decoder.zero_grad()
        scalar_curvature(f, z).square().sum().backward()
        grads.append(torch.cat([torch.zeros_like(p).flatten() if p.grad is None else p.grad.flatten()
                                for p in decoder.parameters()]))
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_batched_equals_per_point(seed):
    decoder = _mlp(seed, (2, 16, 16, 10), Sin)
    z = _points(seed, 7, 2, scale=2.0)
    for method in METHODS:
        batched = scalar_curvature(decoder, z, method, chunk_size=3)
        single = torch.cat([scalar_curvature(decoder, z[i : i + 1], method) for i in range(len(z))])
        torch.testing.assert_close(batched, single, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_volume_element(seed):
    # stereographic sphere: g = 4r²/(1+|z|²)² I, so √det g = 4r²/(1+|z|²)² in d = 2
    z = _points(seed, 6, 2, scale=2.0)
    expected = 4 * 4.0 / (1 + (z * z).sum(-1)) ** 2
    torch.testing.assert_close(volume_element(stereographic_sphere(2.0), z), expected, rtol=1e-13, atol=0)
    torch.testing.assert_close(volume_element(stereographic_sphere(2.0), z, eps=0.3),
                               torch.sqrt((expected + 0.3) ** 2), rtol=1e-13, atol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_second_fundamental_form_of_sphere(seed):
    # ⟨Ψ, Ψ⟩ = r² ⇒ ⟨H_ij, Ψ⟩ = −g_ij, and the normal is Ψ/r: II_ij = −g_ij Ψ / r²
    radius = 1.7
    decoder = stereographic_sphere(radius)
    z = _points(seed, 5, 2, scale=2.0)
    jac, hess = jacobian_and_hessian(decoder, z)
    expected = -torch.einsum("bij,ba->baij", jac.mT @ jac, decoder(z)) / radius**2
    torch.testing.assert_close(second_fundamental_form(jac, hess), expected, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dim", [2, 3])
def test_gauss_contraction_equals_mean_curvature_identity(seed, dim):
    # R = |tr_g II|² − |II|²_g computed from the D-space second fundamental form (notes ch2 §1.3)
    decoder = _mlp(seed, (dim, 16, 11), nn.Tanh)
    jac, hess = jacobian_and_hessian(decoder, _points(seed, 6, dim))
    second = second_fundamental_form(jac, hess)
    g_inv = metric_inverse(jac.mT @ jac)
    mean_vector = torch.einsum("bij,baij->ba", g_inv, second)
    norm_sq = torch.einsum("bik,bjl,baij,bakl->b", g_inv, g_inv, second, second)
    torch.testing.assert_close(scalar_curvature_from_derivatives(jac, hess), mean_vector.square().sum(-1) - norm_sq,
                               rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("seed", SEEDS)
def test_ricci_in_two_dimensions(seed):
    # d = 2: Ric = (R/2) g (Einstein), so 2|Ric|²_g = R² (notes ch2 §3.3); not so in d = 3
    for dim in (2, 3):
        decoder = _mlp(seed, (dim, 16, 9), Sin)
        z = _points(seed, 5, dim)
        g, dg, d2g = metric_derivatives(lambda x: pullback_metric(decoder, x), z)
        g_inv = metric_inverse(g)
        gamma = christoffel_symbols(g_inv, dg)
        riemann = riemann_tensor(gamma, christoffel_derivatives(g_inv, dg, d2g, gamma))
        ricci = ricci_tensor(riemann)
        R = scalar_from_ricci(g_inv, ricci)
        torch.testing.assert_close(R, scalar_curvature(decoder, z), rtol=1e-10, atol=1e-12)
        riemann_lowered = torch.einsum("bpr,brsmn->bpsmn", g, riemann)
        torch.testing.assert_close(riemann_lowered, -riemann_lowered.transpose(1, 2), rtol=1e-9, atol=1e-11)
        torch.testing.assert_close(riemann_lowered, riemann_lowered.permute(0, 3, 4, 1, 2), rtol=1e-9, atol=1e-11)
        ricci_sq = torch.einsum("bik,bjl,bij,bkl->b", g_inv, g_inv, ricci, ricci)
        if dim == 2:
            torch.testing.assert_close(ricci, 0.5 * R[:, None, None] * g, rtol=1e-9, atol=1e-11)
            torch.testing.assert_close(2 * ricci_sq, R.square(), rtol=1e-9, atol=1e-11)
        else:
            assert (2 * ricci_sq - R.square()).abs().amax() > 1e-3


# --------------------------------------------------------------------------------------------- regularization


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("squash", [1e-4, 1e-8])
def test_tiny_det_g_stays_accurate(method, squash):
    # φ(w) = (w₁, squash·w₂) makes det g ~ squash² (down to ~1e-18) while R(Ψ∘φ)(w) = R(Ψ)(φ(w))
    decoder = _mlp(1, (2, 16, 16, 10), Sin)
    scale = torch.tensor([1.0, squash], dtype=F64)
    w = _points(1, 6, 2)
    R = scalar_curvature(lambda x: decoder(x * scale), w, method)
    assert torch.linalg.det(pullback_metric(lambda x: decoder(x * scale), w)).amax() < 1e4 * squash**2
    torch.testing.assert_close(R, scalar_curvature(decoder, w * scale), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method, squash, tol", [("gauss", 1e-4, 1e-6), ("christoffel", 1e-3, 1e-4)])
def test_ill_conditioned_metric(method, squash, tol):
    # a rotated squash gives cond(g) ~ squash⁻²: Gauss loses ~ε·cond(g), Christoffel ~ε·cond(g)² (module docstring)
    decoder = _mlp(1, (2, 16, 16, 10), Sin)
    c, s = math.cos(0.7), math.sin(0.7)
    rotation = torch.tensor([[c, -s], [s, c]], dtype=F64)
    a = rotation @ torch.diag(torch.tensor([1.0, squash], dtype=F64)) @ rotation.T
    w = _points(1, 6, 2)
    R = scalar_curvature(lambda x: decoder(x @ a.T), w, method)
    expected = scalar_curvature(decoder, w @ a.T)
    assert (R - expected).abs().amax() < tol * expected.abs().amax()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("eps", [1e-3, 0.1])
def test_regularization_is_the_augmented_decoder(seed, eps):
    # g + eps·I is the pullback metric of z ↦ (Ψ(z), √eps z): both routes return exactly that curvature
    decoder = _mlp(seed, (2, 16, 12), nn.Tanh)
    z = _points(seed, 6, 2)
    augmented = scalar_curvature(lambda x: torch.cat([decoder(x), math.sqrt(eps) * x], -1), z)
    for method in METHODS:
        torch.testing.assert_close(scalar_curvature(decoder, z, method, eps=eps), augmented, rtol=1e-10, atol=1e-12)
    R, g = scalar_curvature_and_metric(decoder, z, eps)
    torch.testing.assert_close(g, pullback_metric(decoder, z) + eps * torch.eye(2, dtype=F64))


@pytest.mark.parametrize("method", METHODS)
def test_degenerate_decoder_is_finite_with_eps(method):
    # Ψ(z) = MLP(z₁, z₂³) has ∂₂Ψ = 0 and det g = 0 exactly on z₂ = 0: with eps > 0 the curvature and its parameter
    # gradient are finite there, and off the degenerate line they converge to the eps = 0 values as eps → 0
    decoder = _mlp(0, (2, 16, 8), nn.Tanh)

    def degenerate(z):
        return decoder(torch.stack([z[:, 0], z[:, 1] ** 3], -1))

    z = _points(0, 6, 2)
    z[:3, 1] = 0.0
    assert (torch.linalg.det(pullback_metric(degenerate, z[:3])) == 0).all()
    R = scalar_curvature(degenerate, z, method, eps=1e-2)
    R.square().sum().backward()
    grads = [p.grad for p in decoder.parameters() if p.grad is not None]
    assert torch.isfinite(R).all() and R.abs().amax() > 1e-3
    assert all(torch.isfinite(g).all() for g in grads) and sum(g.abs().sum() for g in grads) > 0
    with torch.no_grad():
        close = scalar_curvature(degenerate, z[3:], method, eps=1e-12)
        torch.testing.assert_close(close, scalar_curvature(degenerate, z[3:], method), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_parameter_gradients_agree_between_routes(seed):
    decoder = _mlp(seed, (2, 12, 7), Sin)
    z = _points(seed, 5, 2)
    grads = []
    for method in METHODS:
        decoder.zero_grad()
        scalar_curvature(decoder, z, method).square().mean().backward()
        grads.append(torch.cat([p.grad.flatten() for p in decoder.parameters() if p.grad is not None]))
    assert grads[0].abs().amax() > 1e-4
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-9, atol=1e-11)


def test_float32_close_to_float64_and_works_under_no_grad():
    # notes ch2 §1.4: float32 median relative error ~3e-6; we allow 1e-3 on the median, no NaN anywhere
    decoder64 = _mlp(0, (2, 32, 32, 40), Sin)
    decoder32 = copy.deepcopy(decoder64).float()
    z = _points(0, 50, 2)
    with torch.no_grad():
        R32 = scalar_curvature(decoder32, z.float())
        R64 = scalar_curvature(decoder64, z)
    assert torch.isfinite(R32).all() and R32.dtype == torch.float32
    assert ((R32.double() - R64).abs() / R64.abs().clamp_min(1e-3)).median() < 1e-3


# ------------------------------------------------------------------------------------------------- bad input


def test_bad_input_raises():
    z = _points(0, 3, 2)
    with pytest.raises(ValueError, match="method"):
        scalar_curvature(flat_torus, z, method="brioschi")
    with pytest.raises(ValueError, match="eps"):
        scalar_curvature(flat_torus, z, eps=-1.0)
    with pytest.raises(ValueError, match="'z'"):
        scalar_curvature(flat_torus, z[:, :1])
    with pytest.raises(ValueError, match="'z'"):
        pullback_metric(flat_torus, z[0])
    with pytest.raises(TypeError, match="'z'"):
        pullback_metric(flat_torus, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="'f'"):
        pullback_metric(lambda x: x.sum(), z)
    with pytest.raises(TypeError, match="'f'"):
        jacobian(3, z)
    with pytest.raises(ValueError, match="'metric'"):
        intrinsic_scalar_curvature(lambda x: x, z)
    with pytest.raises(ValueError, match="'J', 'H'"):
        scalar_curvature_from_derivatives(torch.zeros(2, 3, 2), torch.zeros(2, 3, 2))


# --------------------------------------------------------------------------- regression tests of the numerics review


def _rank_deficient_decoder():
    """The review's reproducer: Linear(3, 2) first, so J has rank ≤ 2 < d = 3 and g = JᵀJ is singular everywhere."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 10)).double()


def test_singular_metric_gives_nan_on_both_routes():
    # before: Gauss [-8.0, nan, 3.625, 1.25, 0.0, nan] (finite garbage), Christoffel torch._C._LinAlgError
    decoder = _rank_deficient_decoder()
    z = torch.randn(6, 3, dtype=F64)
    for method in METHODS:
        R = scalar_curvature(decoder, z, method)
        assert torch.isnan(R).all(), (method, R)
        assert torch.isnan(scalar_curvature(lambda x: decoder(x), z, method)).all()  # generic pass too
    g = pullback_metric(decoder, z)
    assert torch.isnan(metric_inverse(g)).all()  # no exception either
    jac, hess = jacobian_and_hessian(decoder, z)
    assert torch.isnan(second_fundamental_form(jac, hess)).all()


@pytest.mark.parametrize("method", METHODS)
def test_singular_points_are_nan_and_the_others_unaffected(method):
    # Ψ(z) = MLP(z₁, z₂³) is singular exactly on z₂ = 0: NaN there, the eps = 0 values elsewhere, and the parameter
    # gradient of a loss over the finite points is finite (the NaN points are factored as g = I internally)
    decoder = _mlp(0, (2, 16, 8), nn.Tanh)

    def degenerate(z):
        return decoder(torch.stack([z[:, 0], z[:, 1] ** 3], -1))

    z = _points(0, 6, 2)
    z[:3, 1] = 0.0
    R = scalar_curvature(degenerate, z, method)
    assert torch.isnan(R[:3]).all() and torch.isfinite(R[3:]).all()
    torch.testing.assert_close(R[3:], scalar_curvature(degenerate, z[3:], method), rtol=1e-12, atol=1e-14)
    decoder.zero_grad()
    R[3:].square().sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in decoder.parameters() if p.grad is not None)
    assert torch.isfinite(scalar_curvature(degenerate, z, method, eps=1e-2)).all()  # eps > 0: finite everywhere


def test_rank_test_tolerance_and_scale_invariance():
    from latent_geometry.geometry.pullback import _singular, rank_tolerance

    assert rank_tolerance(F64, 2) == 16 * torch.finfo(F64).eps
    assert rank_tolerance(torch.float32, 3) == 24 * torch.finfo(torch.float32).eps
    squash = torch.diag(torch.tensor([1.0, 1e-16], dtype=F64))  # axis-aligned tiny scale: not singular
    rotation = torch.tensor([[0.6, -0.8], [0.8, 0.6]], dtype=F64)
    nearly = rotation @ torch.diag(torch.tensor([1.0, 1e-15], dtype=F64)) @ rotation.T  # cond 1e15, rotated: singular
    cond_1e8 = rotation @ torch.diag(torch.tensor([1.0, 1e-8], dtype=F64)) @ rotation.T
    g = torch.stack([squash, nearly, cond_1e8, torch.zeros(2, 2, dtype=F64), torch.full((2, 2), torch.nan, dtype=F64)])
    assert _singular(g).tolist() == [False, True, False, True, True]
    g3 = torch.eye(3, dtype=F64).expand(2, 3, 3).clone()
    g3[1] = torch.outer(torch.tensor([1.0, 2.0, 3.0], dtype=F64), torch.tensor([1.0, 2.0, 3.0], dtype=F64))
    assert _singular(g3).tolist() == [False, True]


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError), (True, TypeError)])
def test_chunk_size_is_validated_on_every_path(bad, error):
    # before: chunk_size=0 accepted by the jet path and rejected by vmap; -2 gave "split expects split_size be
    # non-negative"
    decoder = _mlp(0, (2, 8, 5), nn.Tanh)
    z = _points(0, 4, 2)
    calls = [lambda: jacobian(decoder, z, chunk_size=bad), lambda: jacobian_and_hessian(decoder, z, chunk_size=bad),
             lambda: jacobian_and_hessian(lambda x: decoder(x), z, chunk_size=bad),
             lambda: scalar_curvature(decoder, z, chunk_size=bad),
             lambda: scalar_curvature(decoder, z, "christoffel", chunk_size=bad),
             lambda: metric_derivatives(lambda x: pullback_metric(decoder, x), z, chunk_size=bad),
             lambda: volume_element(decoder, z, chunk_size=bad)]
    for call in calls:
        with pytest.raises(error, match="chunk_size"):
            call()
    torch.testing.assert_close(scalar_curvature(decoder, z, chunk_size=1), scalar_curvature(decoder, z))


def test_latent_size_mismatch_names_f_z_and_the_size():
    # before: "mat1 and mat2 shapes cannot be multiplied (24x2 and 3x8)"
    decoder = _mlp(0, (3, 8, 4), nn.Tanh)
    z = _points(0, 4, 2)
    for call in (lambda: scalar_curvature(decoder, z), lambda: scalar_curvature(lambda x: decoder(x), z),
                 lambda: scalar_curvature(decoder, z, "christoffel"), lambda: pullback_metric(decoder, z),
                 lambda: intrinsic_scalar_curvature(lambda x: pullback_metric(decoder, x), z)):
        with pytest.raises(ValueError, match=r"parameter '(f|metric)' failed on a \(1, 2\) batch of parameter 'z' "
                                             r"\(latent size d = 2\)"):
            call()


@pytest.mark.parametrize("eps", [np.float32(0.1), np.float64(0.1), 0.1, 1])
def test_eps_accepts_any_real_number(eps):
    decoder = _mlp(0, (2, 8, 5), nn.Tanh)
    z = _points(0, 4, 2)
    expected = scalar_curvature(decoder, z, eps=float(eps))
    jac, hess = jacobian_and_hessian(decoder, z)
    for value in (scalar_curvature(decoder, z, eps=eps), scalar_curvature(decoder, z, "christoffel", eps=eps),
                  scalar_curvature_and_metric(decoder, z, eps)[0], scalar_curvature_from_derivatives(jac, hess, eps),
                  intrinsic_scalar_curvature(lambda x: pullback_metric(decoder, x), z, eps)):
        torch.testing.assert_close(value, expected, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(volume_element(decoder, z, eps), volume_element(decoder, z, float(eps)))
    torch.testing.assert_close(metric_inverse(pullback_metric(decoder, z), eps),
                               metric_inverse(pullback_metric(decoder, z), float(eps)))
    for bad in (np.nan, -0.1, "0.1", torch.tensor(0.1)):
        with pytest.raises((ValueError, TypeError), match="eps"):
            scalar_curvature(decoder, z, eps=bad)
