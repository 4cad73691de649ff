"""Curvature functionals in float64: ∫R² estimators, Perelman's F and W (closed forms, invariances, signs), and the
2-D identity "functional (1) is F's dissipation along Ricci flow at constant f" (seed 001 eqs. (1), (2);
Perelman 2002)."""

import math

import pytest
import torch
from torch import nn

from latent_geometry.geometry.functionals import (
    GaussianPotential,
    MLPPotential,
    perelman_F,
    perelman_F_estimate,
    perelman_F_loss,
    perelman_W,
    perelman_W_loss,
    potential_and_gradient,
    squared_curvature,
    squared_curvature_estimate,
)
from latent_geometry.geometry import intrinsic_scalar_curvature, scalar_curvature_and_metric

from decoders import random_mlp as _mlp  # noqa: E402  (tests/decoders.py: shared seeded decoders)
from decoders import random_points as _points, stereographic_sphere, torus_of_revolution  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")  # tiny tensors: one intra-op thread is faster

F64 = torch.float64
SEEDS = [0, 1, 2]
TWO_PI = 2 * math.pi




def _grid(n, d, low, high):
    """Cell centres of an n^d grid on [low, high]^d: the midpoint rule, spectrally accurate for periodic or
    rapidly decaying integrands. Returns (points, cell volume)."""
    axis = low + (torch.arange(n, dtype=F64) + 0.5) * (high - low) / n
    points = torch.stack(torch.meshgrid(*[axis] * d, indexing="ij"), -1).reshape(-1, d)
    return points, ((high - low) / n) ** d




def flat_decoder(seed, d, ambient, c):
    """Ψ(z) = c Q z with Q (ambient × d) orthonormal columns: g = c² I, R = 0."""
    gen = torch.Generator().manual_seed(3000 + seed)
    q = torch.linalg.qr(torch.randn(ambient, d, generator=gen, dtype=F64))[0]
    return lambda z: c * z @ q.T


def zero_potential(z):
    return 0.0 * z[:, 0]


# ----------------------------------------------------------------------------------------------- (1) ∫ R² dμ


@pytest.mark.parametrize("seed", SEEDS)
def test_estimators_on_the_sphere(seed):
    # R = 2/r² everywhere; √det g = 4r²/(1+|z|²)² for the stereographic chart
    radius = 2.0
    z = _points(seed, 20, 2, scale=2.0)
    volume = 4 * radius**2 / (1 + (z * z).sum(-1)) ** 2
    decoder = stereographic_sphere(radius)
    assert abs(squared_curvature(decoder, z, "data").item() - 4 / radius**4) < 1e-13
    torch.testing.assert_close(squared_curvature(decoder, z), (4 / radius**4 * volume).mean(), rtol=1e-12, atol=0)


def test_uniform_estimator_is_the_riemannian_integral():
    # torus of revolution (a=3, b=1): ∫R² dV = (8π/b)·2π(a²/√(a²−b²) − a)/b² (R = 2cos u/(b(a + b cos u)))
    a, b = 3.0, 1.0
    z, _ = _grid(40, 2, 0.0, TWO_PI)
    exact = 8 * math.pi / b * TWO_PI * (a * a / math.sqrt(a * a - b * b) - a) / b**2
    estimate = squared_curvature(torus_of_revolution(a, b), z, "uniform", domain_volume=TWO_PI**2)
    assert abs(estimate.item() - exact) < 1e-10 * exact


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dim", [2, 3])
def test_invariant_estimators_under_latent_rescaling(seed, dim):
    # z′ = z/s, Ψ′(z′) = Ψ(s z′) is the same manifold; the authors' estimator is multiplied by s^d,
    # "data" and "uniform" (with |Ω′| = |Ω|/s^d) are unchanged
    decoder = _mlp(seed, (dim, 16, 7), nn.Tanh)
    z = _points(seed, 12, dim)
    s = 0.25
    rescaled = lambda x: decoder(s * x)  # noqa: E731
    for estimator, factor, volumes in [("authors", s**dim, (None, None)), ("data", 1.0, (None, None)),
                                       ("uniform", 1.0, (2.0**dim, 2.0**dim / s**dim))]:
        before = squared_curvature(decoder, z, estimator, domain_volume=volumes[0])
        after = squared_curvature(rescaled, z / s, estimator, domain_volume=volumes[1])
        torch.testing.assert_close(after, factor * before, rtol=1e-10, atol=0)
    assert squared_curvature(decoder, z, "data") > 1e-3


# ------------------------------------------------------------------------------------------- (2), (3): F and W


@pytest.mark.parametrize("seed", SEEDS)
def test_F_of_round_sphere_with_constant_potential(seed):
    # round S²_r with f constant: F = λ = 2/r² (normalized), whatever the proposal
    radius = 1.5
    z = _points(seed, 30, 2, scale=3.0)
    F = perelman_F(stereographic_sphere(radius), zero_potential, z, log_q=-math.log(36.0))
    assert abs(F.item() - 2 / radius**2) < 1e-12


@pytest.mark.parametrize("seed", SEEDS)
def test_gauss_bonnet_on_the_torus_latent(seed):
    # a periodic decoder has ∫R dV = 0 (Gauss–Bonnet, χ = 0), so F(g, 0) = 0 on the
    # torus latent. Decoder: the flat torus in ℝ⁴ bent by a random periodic tanh MLP (g ⪰ I, no pinching)
    mlp = _mlp(seed, (4, 16, 6), nn.Tanh)

    def periodic(z):
        circles = torch.cat([torch.cos(z), torch.sin(z)], -1)
        return torch.cat([circles, 0.3 * mlp(circles)], -1)

    z, _ = _grid(64, 2, 0.0, TWO_PI)
    R, g = scalar_curvature_and_metric(periodic, z)
    scale = (R.abs() * torch.linalg.det(g).sqrt()).mean() * TWO_PI**2  # ∫|R| dV
    F = perelman_F(periodic, zero_potential, z, log_q=-2 * math.log(TWO_PI), normalize=False)
    assert scale > 1.0 and abs(F.item()) < 1e-10 * scale.item()


@pytest.mark.parametrize("seed, dim, n, ratios", [(0, 2, 48, (1.0, 2.0, 0.5)), (1, 2, 48, (1.0, 2.0, 0.5)),
                                                   (2, 2, 48, (1.0, 2.0, 0.5)), (0, 3, 22, (1.0, 0.5))])
def test_flat_decoder_with_gaussian_potential_closed_forms(seed, dim, n, ratios):
    # Ψ = cQz, f = c²|z|²/(4τ′): e^{−f}dV ∝ N(0, 2τ′/c²); R = 0, |∇f|²_g = c²|z|²/(4τ′²). With r = τ/τ′:
    # normalized F = n/(2τ′), W = (n/2)(r − 1 − log r) ≥ 0, which is 0 for τ′ = τ;
    # unnormalized (∫(4πτ)^{−n/2}e^{−f}dV = r^{−n/2}) W = r^{−n/2}(n/2)(r − 1)
    gen = torch.Generator().manual_seed(seed)
    c, tau = 0.5 + torch.rand((), generator=gen).item(), 0.3 + torch.rand((), generator=gen).item()
    decoder = flat_decoder(seed, dim, dim + 3, c)
    half_width = 7 * math.sqrt(4 * tau) / c  # covers the widest Gaussian (r = 0.5)
    z, _ = _grid(n, dim, -half_width, half_width)
    log_q = -dim * math.log(2 * half_width)  # grid = uniform proposal on the box
    for r in ratios:
        potential = GaussianPotential(tau / r, metric=c**2 * torch.eye(dim, dtype=F64))
        F = perelman_F(decoder, potential, z, log_q)
        assert abs(F.item() - dim * r / (2 * tau)) < 1e-7 * F.item()
        W = perelman_W(decoder, potential, z, tau, log_q)
        assert abs(W.item() - dim / 2 * (r - 1 - math.log(r))) < 1e-7
        W = perelman_W(decoder, potential, z, tau, log_q, normalize=False)
        assert abs(W.item() - r ** (-dim / 2) * dim / 2 * (r - 1)) < 1e-7


@pytest.mark.parametrize("seed", SEEDS)
def test_W_vanishes_for_flat_decoder_with_gaussian_codes(seed):
    # Gaussian soliton, by Monte Carlo: codes z ~ N(0, 2τ/c² I), the proposal is the soliton
    # measure itself, so Ŵ = mean(2f) − n with 2f ~ χ²_n: |Ŵ| below 4 standard errors √(2n/N)
    dim, c, tau, n_codes = 2, 1.7, 0.4, 4000
    gen = torch.Generator().manual_seed(seed)
    sigma = math.sqrt(2 * tau) / c
    z = sigma * torch.randn(n_codes, dim, generator=gen, dtype=F64)
    log_q = -(z * z).sum(-1) / (2 * sigma**2) - dim * math.log(sigma * math.sqrt(TWO_PI))
    potential = GaussianPotential(tau, metric=c**2 * torch.eye(dim, dtype=F64))
    W = perelman_W(flat_decoder(seed, dim, 784, c), potential, z, tau, log_q)
    assert abs(W.item()) < 4 * math.sqrt(2 * dim / n_codes)


@pytest.mark.parametrize("seed", SEEDS)
def test_perelman_scale_invariance(seed):
    # W(cg, f, cτ) = W(g, f, τ) and F(cg, f) = F(g, f)/c (normalized), sample by sample: g → cg is Ψ → √c Ψ
    decoder = _mlp(seed, (2, 16, 9), nn.Tanh)
    potential = MLPPotential(2, (8,), generator=torch.Generator().manual_seed(seed), dtype=F64)
    z = _points(seed, 50, 2, scale=1.5)
    c, tau = 3.0, 0.7
    scaled = lambda x: math.sqrt(c) * decoder(x)  # noqa: E731
    for normalize in (True, False):
        torch.testing.assert_close(perelman_W(scaled, potential, z, c * tau, -math.log(9.0), normalize=normalize),
                                   perelman_W(decoder, potential, z, tau, -math.log(9.0), normalize=normalize),
                                   rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(perelman_F(scaled, potential, z, 0.0), perelman_F(decoder, potential, z, 0.0) / c,
                               rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------------------- the 2-D dissipation identity


def test_functional_one_is_the_dissipation_of_F_in_two_dimensions():
    # Perelman 2002, in 2-D. Conformal metric g = e^{2u}I on the flat torus [0, 2π)², f ≡ 0 at t = 0. Ricci flow
    # ∂_t u = e^{−2u}Δu (closed form, not our R), with f carried so that e^{−f}dV stays fixed (f = 2(u_t − u_0)),
    # has dF/dt = 2∫|Ric + ∇²f|² e^{−f} dV = 2∫|Ric|² dV = ∫R² dV: finite-difference F along the flow and compare
    # with functional (1) (uniform estimator = ∫R² dV). Midpoint rule on the torus: spectrally accurate.

    def u(z):
        x, y = z[:, 0], z[:, 1]
        return 0.3 * torch.cos(x) + 0.2 * torch.sin(2 * y) + 0.15 * torch.cos(x + y)

    def laplacian_u(z):
        x, y = z[:, 0], z[:, 1]
        return -0.3 * torch.cos(x) - 0.8 * torch.sin(2 * y) - 0.3 * torch.cos(x + y)

    def velocity(z):  # ∂_t u under 2-D Ricci flow ∂_t g = −2Ric = −R g, R = −2e^{−2u}Δu
        return torch.exp(-2 * u(z)) * laplacian_u(z)

    def metric_at(s):
        return lambda z: torch.exp(2 * (u(z) + s * velocity(z)))[:, None, None] * torch.eye(2, dtype=F64)

    z, _ = _grid(48, 2, 0.0, TWO_PI)
    log_q = -2 * math.log(TWO_PI)

    def F_at(s):
        metric = metric_at(s)
        R = intrinsic_scalar_curvature(metric, z)
        f, grad_f = potential_and_gradient(lambda x: 2 * s * velocity(x), z)  # e^{−f}e^{2u_s} = e^{2u} fixed
        return perelman_F_estimate(R, metric(z), f, grad_f, log_q, normalize=False)

    R0 = intrinsic_scalar_curvature(metric_at(0.0), z)
    torch.testing.assert_close(R0, -2 * torch.exp(-2 * u(z)) * laplacian_u(z), rtol=1e-12, atol=1e-12)
    functional_one = squared_curvature_estimate(R0, metric_at(0.0)(z), "uniform", domain_volume=TWO_PI**2)
    step = 1e-4
    dissipation = (F_at(step) - F_at(-step)) / (2 * step)
    assert abs(F_at(0.0).item()) < 1e-12  # Gauss–Bonnet on the torus
    assert functional_one > 1.0
    assert abs(dissipation.item() - functional_one.item()) < 1e-6 * functional_one.item()


# --------------------------------------------------------------------------------------------------- signs


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("which", ["F", "W"])
def test_loss_signs(seed, which):
    # our reading of seed 001 eqs. (2), (3): loss = −F; descent moves the decoder up F and the potential down F
    decoder = _mlp(seed, (2, 12, 6), nn.Tanh)
    potential = MLPPotential(2, (8,), generator=torch.Generator().manual_seed(seed), dtype=F64)
    z = _points(seed, 40, 2)
    tau = 0.5
    args = (decoder, potential, z) + ((tau,) if which == "W" else ()) + (-math.log(4.0),)
    functional, loss = (perelman_F, perelman_F_loss) if which == "F" else (perelman_W, perelman_W_loss)

    def gradients(value):
        params = list(decoder.parameters()) + list(potential.parameters())
        grads = torch.autograd.grad(value, params, allow_unused=True)
        return [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]

    value = functional(*args)
    value_grads = gradients(value)
    loss_value = loss(*args)
    loss_grads = gradients(loss_value)
    n_decoder = len(list(decoder.parameters()))
    torch.testing.assert_close(loss_value, -value, rtol=1e-13, atol=1e-13)
    for i, (gv, gl) in enumerate(zip(value_grads, loss_grads)):
        torch.testing.assert_close(gl, -gv if i < n_decoder else gv, rtol=1e-12, atol=1e-14)
    assert sum(g.abs().sum() for g in value_grads[n_decoder:]) > 1e-6


# ---------------------------------------------------------------------------------------- potentials, inputs


@pytest.mark.parametrize("seed", SEEDS)
def test_potential_gradient_and_seeded_init(seed):
    potential = MLPPotential(3, (8, 8), "softplus", generator=torch.Generator().manual_seed(seed), dtype=F64)
    twin = MLPPotential(3, (8, 8), "softplus", generator=torch.Generator().manual_seed(seed), dtype=F64)
    other = MLPPotential(3, (8, 8), "softplus", generator=torch.Generator().manual_seed(seed + 7), dtype=F64)
    z = _points(seed, 5, 3).requires_grad_(True)
    values, grads = potential_and_gradient(potential, z)
    expected = torch.autograd.grad(potential(z).sum(), z)[0]
    torch.testing.assert_close(values, potential(z))
    torch.testing.assert_close(grads, expected, rtol=1e-12, atol=1e-14)
    assert torch.equal(twin(z), potential(z)) and not torch.equal(other(z), potential(z))


def test_bad_input_raises():
    z = _points(0, 4, 2)
    decoder = stereographic_sphere(1.0)
    with pytest.raises(ValueError, match="estimator"):
        squared_curvature(decoder, z, "mean")
    with pytest.raises(ValueError, match="domain_volume"):
        squared_curvature(decoder, z, "uniform")
    with pytest.raises(ValueError, match="domain_volume"):
        squared_curvature(decoder, z, "authors", domain_volume=1.0)
    with pytest.raises(ValueError, match="tau"):
        perelman_W(decoder, zero_potential, z, 0.0, 0.0)
    with pytest.raises(ValueError, match="log_q"):
        perelman_F(decoder, zero_potential, z, torch.zeros(3, dtype=F64))
    with pytest.raises(TypeError, match="log_q"):
        perelman_F(decoder, zero_potential, z, None)
    with pytest.raises(ValueError, match="potential"):
        perelman_F(decoder, lambda x: x, z, 0.0)
    with pytest.raises(ValueError, match="activation"):
        MLPPotential(2, activation="relu")
    with pytest.raises(ValueError, match="tau"):
        GaussianPotential(-1.0)


def test_reverse_gradient_keeps_the_value_and_negates_the_gradient():
    from latent_geometry.geometry.functionals import reverse_gradient

    x = torch.tensor([0.3, -1.7, 2.5], dtype=F64, requires_grad=True)
    y = reverse_gradient(x)
    assert torch.equal(y, x.detach())
    (grad,) = torch.autograd.grad((y * torch.tensor([1.0, 2.0, 3.0], dtype=F64)).sum(), x)
    assert torch.equal(grad, -torch.tensor([1.0, 2.0, 3.0], dtype=F64))
