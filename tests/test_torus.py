"""Perelman's F and W on the torus latent (float64): the grid evaluators against closed forms (flat tori, the torus
of revolution, Gauss–Bonnet), the flat-torus condition τ ≥ 1/(2λ₁), scale covariance, the sign of one training
step, the Monte-Carlo losses against the grid values, and the effective sample size (Perelman 2002)."""

import math
import os

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from latent_geometry.geometry import jacobian_and_hessian, scalar_curvature_and_metric
from latent_geometry.geometry import torus as tg
from latent_geometry.geometry.functionals import effective_sample_size, perelman_log_weights

from decoders import random_mlp  # noqa: E402  (tests/decoders.py)

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
TWO_PI = 2 * math.pi
PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 6)), deadline=None, database=None)


# ------------------------------------------------------------------------------------------------ decoders


def flat_torus(a=1.0, b=None):
    """Ψ(φ) = (a cos φ1, b cos φ2, a sin φ1, b sin φ2): the flat (2πa) × (2πb) torus, g = diag(a², b²)."""
    b = a if b is None else b
    linear = nn.Linear(4, 4, bias=False, dtype=F64)
    with torch.no_grad():
        linear.weight.copy_(torch.diag(torch.tensor([a, b, a, b], dtype=F64)))
    return tg.TorusDecoder(nn.Sequential(linear))


class _Bump(nn.Module):
    """(cos φ1, cos φ2, sin φ1, sin φ2) ↦ (the same, a sin φ1 sin φ2): a graph over the flat torus, a learnable."""

    def __init__(self, a):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(float(a), dtype=F64))

    def forward(self, x):
        return torch.cat([x, (self.a * x[:, 2] * x[:, 3])[:, None]], -1)


def bumpy_torus(a=1.0):
    return tg.TorusDecoder(_Bump(a), latent_dim=2)


class _Revolution(nn.Module):
    def __init__(self, big, small):
        super().__init__()
        self.big, self.small = big, small

    def forward(self, x):
        cu, cv, su, sv = x.unbind(-1)
        ring = self.big + self.small * cu
        return torch.stack([ring * cv, ring * sv, self.small * su], -1)


def torus_of_revolution(big=3.0, small=1.0):
    """φ ↦ ((R + r cos φ1) cos φ2, (R + r cos φ1) sin φ2, r sin φ1) as a TorusDecoder."""
    return tg.TorusDecoder(_Revolution(big, small), latent_dim=2)


class _Perturbed(nn.Module):
    """x ↦ x + amp · MLP(x) on the features x = (cos φ, sin φ): a random smooth periodic decoder."""

    def __init__(self, seed, amp):
        super().__init__()
        self.mlp, self.amp = random_mlp(seed, (4, 16, 16, 4)), amp

    def forward(self, x):
        return x + self.amp * self.mlp(x)


def uniform_angles(seed, batch, d=2):
    gen = torch.Generator().manual_seed(seed)
    return (2 * torch.rand(batch, d, generator=gen, dtype=F64) - 1) * math.pi


# --------------------------------------------------------------------------------------- TorusDecoder, grid


def test_torus_decoder_reads_cos_sin_features_and_keeps_the_jet_path():
    inner = random_mlp(0, (4, 8, 5))
    decoder = tg.TorusDecoder(inner)
    phi = uniform_angles(0, 7)
    features = torch.cat([phi.cos(), phi.sin()], -1)
    torch.testing.assert_close(decoder(phi), inner(features), rtol=0, atol=1e-14)
    assert decoder.latent_dim == 2
    assert {id(p) for p in decoder.parameters()} == {id(p) for p in inner.parameters()}  # feature layer frozen
    torch.testing.assert_close(decoder.inner(features), inner(features))
    jet = jacobian_and_hessian(decoder, phi)  # nn.Sequential of Linear/Sine/Tanh: the jet pass
    generic = jacobian_and_hessian(lambda z: inner(torch.cat([z.cos(), z.sin()], -1)), phi)
    for mine, ref in zip(jet, generic):
        torch.testing.assert_close(mine, ref, rtol=0, atol=1e-12)
    assert decoder.double()[0].weight.dtype == F64


def test_torus_decoder_rejects_bad_inner():
    with pytest.raises(TypeError, match="inner"):
        tg.TorusDecoder(lambda x: x)
    with pytest.raises(ValueError, match="latent_dim"):
        tg.TorusDecoder(_Bump(0.1))
    with pytest.raises(ValueError, match="latent_dim"):
        tg.TorusDecoder(nn.Sequential(nn.Linear(3, 2)))


def test_torus_grid_and_matched_tau():
    grid = tg.torus_grid(4)
    assert grid.shape == (16, 2) and grid.dtype == F64
    torch.testing.assert_close(grid[:4, 1], torch.tensor([-math.pi, -math.pi / 2, 0, math.pi / 2], dtype=F64))
    assert (grid[:4, 0] == -math.pi).all()  # 'ij' order: axis 0 = φ1
    assert tg.matched_tau(24.0) == 1.0
    for bad in (0.0, -1.0, math.nan):
        with pytest.raises(ValueError, match="volume"):
            tg.matched_tau(bad)
    with pytest.raises(ValueError, match="'n'"):
        tg.torus_lambda(flat_torus(), n=2)


def test_fourier_potential_interpolates_trigonometric_polynomials():
    n = 8
    f = lambda p: 0.3 + torch.cos(p[:, 0]) * torch.sin(2 * p[:, 1]) - 0.5 * torch.sin(3 * p[:, 0])  # noqa: E731
    potential = tg.FourierPotential(f(tg.torus_grid(n)).reshape(n, n))
    phi = uniform_angles(1, 20)
    torch.testing.assert_close(potential(phi), f(phi), rtol=0, atol=1e-13)
    with pytest.raises(ValueError, match="values"):
        tg.FourierPotential(np.ones((3, 4)))


# ------------------------------------------------------------------------------------------- grid evaluators


@pytest.mark.parametrize("c", [1.0, 0.4])
def test_flat_torus_has_zero_deficits(c):
    decoder = flat_torus(c)
    R, _ = scalar_curvature_and_metric(decoder, uniform_angles(2, 50))
    assert R.abs().max() < 1e-12
    deficits = tg.flatness_deficits(decoder, n=16)
    assert abs(deficits.lam) < 1e-8 and abs(deficits.L_F) < 1e-8
    assert abs(deficits.L_W) < 1e-10
    assert abs(deficits.int_R) < 1e-12 and deficits.int_R2 < 1e-20
    assert deficits.volume == pytest.approx(4 * math.pi**2 * c**2, rel=1e-13)
    assert deficits.tau == pytest.approx(deficits.volume / 24)


def test_flat_torus_spectrum_is_exact():
    """−4Δ on the flat (2πa) × (2πb) torus: eigenvalues 4(k1²/a² + k2²/b²), the second 4/max(a, b)²."""
    a, b = 1.5, 0.7
    exact = sorted(4 * (k1**2 / a**2 + k2**2 / b**2) for k1 in range(-4, 5) for k2 in range(-4, 5))
    values = tg.torus_eigenvalues(flat_torus(a, b), k=10, n=16)
    np.testing.assert_allclose(values, exact[:10], rtol=1e-11, atol=1e-11)
    assert values[1] == pytest.approx(4 / max(a, b) ** 2, rel=1e-12)


def test_flat_torus_condition_on_tau():
    """On the flat square torus the constant minimizes W iff τ ≥ 1/(2λ₁) (λ₁ of −Δ); matched τ satisfies it."""
    decoder = flat_torus(1.0)
    lambda_1 = tg.torus_eigenvalues(decoder, k=2, n=16)[1] / 4
    threshold = 1 / (2 * lambda_1)
    volume = tg.flatness_deficits(decoder, n=16).volume
    assert tg.matched_tau(volume) >= threshold
    for factor in (1.0, 1.1, 3.0):
        assert abs(tg.flatness_deficits(decoder, tau=factor * threshold, n=16).L_W) < 1e-10
    for factor in (0.5, 0.9):  # below the condition the flat torus has L_W > 0
        assert tg.flatness_deficits(decoder, tau=factor * threshold, n=16).L_W > 1e-3


def test_torus_of_revolution_closed_forms():
    big, small = 3.0, 1.0
    deficits = tg.flatness_deficits(torus_of_revolution(big, small), n=32)
    phi = uniform_angles(4, 5)  # parameter-free inner: the feature layer follows the input's dtype
    torch.testing.assert_close(torus_of_revolution(big, small)(phi)[:, 2], small * phi[:, 0].sin())
    assert deficits.volume == pytest.approx(4 * math.pi**2 * big * small, rel=1e-12)  # 118.4353
    assert deficits.volume == pytest.approx(118.4353, abs=1e-4)
    # R = 2 cos u / (r(R + r cos u)): ∫R² dV = 16π²(R²/(r²√(R² − r²)) − R/r²)
    int_R2 = 16 * math.pi**2 * (big**2 / (small**2 * math.sqrt(big**2 - small**2)) - big / small**2)
    assert deficits.int_R2 == pytest.approx(int_R2, rel=1e-9)
    assert abs(deficits.int_R) < 1e-10 * math.sqrt(deficits.volume * deficits.int_R2)  # Gauss–Bonnet, χ = 0
    assert deficits.lam < -1e-3 and deficits.L_F == -deficits.lam
    assert deficits.L_W > 1e-2
    coarse = tg.flatness_deficits(torus_of_revolution(big, small), n=16)  # spectral convergence
    assert coarse.lam == pytest.approx(deficits.lam, rel=1e-8)
    assert coarse.L_W == pytest.approx(deficits.L_W, rel=1e-8)


def test_bumpy_torus_is_strictly_not_flat():
    deficits = tg.flatness_deficits(bumpy_torus(0.6), n=16)
    assert deficits.lam < 0 and deficits.L_F > 1e-3 and deficits.L_W > 1e-3
    assert abs(deficits.int_R) < 1e-12 * deficits.volume
    lam, u = tg.torus_lambda(bumpy_torus(0.6), n=16, return_state=True)
    assert lam == pytest.approx(deficits.lam, rel=1e-12)
    assert u.shape == (16, 16) and (u > 0).all()
    mu, psi = tg.torus_mu(bumpy_torus(0.6), deficits.tau, n=16, return_state=True)
    assert mu == pytest.approx(deficits.mu, rel=1e-12) and (psi > 0).all()


@PROPERTY
@given(st.integers(0, 10_000), st.floats(0.05, 0.2))
def test_gauss_bonnet_and_signs_on_random_periodic_decoders(seed, amp):
    deficits = tg.flatness_deficits(tg.TorusDecoder(_Perturbed(seed, amp), latent_dim=2), n=24)
    scale = math.sqrt(deficits.volume * deficits.int_R2)  # ≥ ∫|R| dV (Cauchy–Schwarz)
    assert abs(deficits.int_R) <= 1e-2 * scale  # ∫R dV = 4πχ = 0 up to quadrature error
    assert deficits.lam <= deficits.int_R / deficits.volume + 1e-12  # Rayleigh quotient of the constant
    assert deficits.L_W >= -deficits.tau * abs(deficits.int_R) / deficits.volume - 1e-12
    assert deficits.L_F > 0 and deficits.L_W > 0


def test_scale_covariance():
    """λ(c²g) = λ(g)/c², W(c²g, c²τ) = W(g, τ): L_W(cΨ, c²τ) = L_W(Ψ, τ)."""
    decoder, c = bumpy_torus(0.8), 1.7
    scaled = lambda z: c * decoder(z)  # noqa: E731
    base = tg.flatness_deficits(decoder, tau=2.0, n=16)
    big = tg.flatness_deficits(scaled, tau=2.0 * c**2, n=16)
    assert big.lam == pytest.approx(base.lam / c**2, rel=1e-10)
    assert big.L_W == pytest.approx(base.L_W, rel=1e-7)
    assert big.volume == pytest.approx(c**2 * base.volume, rel=1e-12)
    assert tg.flatness_deficits(scaled, n=16).L_W == pytest.approx(tg.flatness_deficits(decoder, n=16).L_W, rel=1e-7)


def test_singular_metric_gives_nan():
    circle = tg.TorusDecoder(nn.Sequential(nn.Linear(4, 2, dtype=F64)))
    with torch.no_grad():
        circle[2].weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 0, 1.0, 0]], dtype=F64))  # (cos φ1, sin φ1)
        circle[2].bias.zero_()
    deficits = tg.flatness_deficits(circle, n=8)
    assert math.isnan(deficits.lam) and math.isnan(deficits.L_W)
    assert math.isnan(tg.torus_lambda(circle, n=8)) and np.isnan(tg.torus_eigenvalues(circle, 2, n=8)).all()
    assert math.isnan(tg.torus_mu(circle, 1.0, n=8))


# ----------------------------------------------------------------------------------------- training losses


def _ground_state_potential(decoder, n):
    lam, u = tg.torus_lambda(decoder, n, return_state=True)
    return lam, tg.FourierPotential(-2 * np.log(u))  # e^{−f} = u²


def _w_minimizer_potential(decoder, tau, n):
    mu, psi = tg.torus_mu(decoder, tau, n, return_state=True)
    return mu, tg.FourierPotential(-np.log(psi**2) - math.log(4 * math.pi * tau))  # ψ² = (4πτ)^{−1}e^{−f}


def test_losses_on_the_grid_equal_the_grid_values():
    """With the exact inner minimizers and the grid as (uniform) sample, −F̂ = −λ and L̂_W = L_W; and the decoder
    gradient of the F loss is −dλ/da (envelope theorem)."""
    n = 16
    decoder = bumpy_torus(1.0)
    lam, potential = _ground_state_potential(decoder, n)
    loss, info = tg.torus_F_loss(decoder, potential, tg.torus_grid(n))
    assert loss.item() == pytest.approx(-lam, rel=1e-6)
    assert 1 < info["ess"].item() <= n * n + 1e-9 and info["F"].item() == pytest.approx(lam, rel=1e-6)
    loss.backward()
    step = 1e-5
    with torch.no_grad():
        values = []
        for a in (1.0 + step, 1.0 - step):
            decoder[2].a.fill_(a)
            values.append(tg.torus_lambda(decoder, n))
        decoder[2].a.fill_(1.0)
    assert decoder[2].a.grad.item() == pytest.approx(-(values[0] - values[1]) / (2 * step), rel=1e-5)
    deficits = tg.flatness_deficits(decoder, n=n)
    mu, potential = _w_minimizer_potential(decoder, deficits.tau, n)
    loss, info = tg.torus_W_loss(decoder, potential, tg.torus_grid(n), deficits.tau)
    assert loss.item() == pytest.approx(deficits.L_W, rel=1e-6)
    assert info["volume"].item() == pytest.approx(deficits.volume, rel=1e-12)


def test_monte_carlo_losses_agree_with_the_grid_within_mc_error():
    n, batch, repeats = 16, 1024, 8
    decoder = bumpy_torus(1.0)
    deficits = tg.flatness_deficits(decoder, n=n)
    _, f_potential = _ground_state_potential(decoder, n)
    _, w_potential = _w_minimizer_potential(decoder, deficits.tau, n)
    f_losses, w_losses = [], []
    for r in range(repeats):
        phi = uniform_angles(100 + r, batch)
        f_loss, f_info = tg.torus_F_loss(decoder, f_potential, phi)
        w_loss, w_info = tg.torus_W_loss(decoder, w_potential, phi, deficits.tau)
        f_losses.append(f_loss.item())
        w_losses.append(w_loss.item())
        assert batch / 2 < f_info["ess"].item() <= batch and batch / 2 < w_info["ess"].item() <= batch
    for values, exact in ((f_losses, deficits.L_F), (w_losses, deficits.L_W)):
        error = np.std(values, ddof=1) / math.sqrt(repeats)
        assert abs(np.mean(values) - exact) < 4 * error


def test_one_descent_step_on_the_F_loss_flattens():
    """Ψ_a = flat torus + a·bump: one SGD step on torus_F_loss (the training loss, exact inner potential,
    Monte-Carlo samples) lowers |a| and ∫R² dV."""
    decoder = bumpy_torus(1.0)
    before = tg.flatness_deficits(decoder, n=16)
    _, potential = _ground_state_potential(decoder, 16)
    optimizer = torch.optim.SGD(decoder.parameters(), lr=1.0)
    loss, _ = tg.torus_F_loss(decoder, potential, uniform_angles(7, 1024))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    a = decoder[2].a.item()
    after = tg.flatness_deficits(decoder, n=16)
    assert 0 < a < 1.0
    assert after.int_R2 < before.int_R2 and after.L_F < before.L_F


def test_w_loss_needs_two_angles_and_positive_tau():
    potential = tg.TorusPotential(3, dtype=F64)
    decoder = tg.TorusDecoder(random_mlp(0, (6, 8, 5)))
    tg.torus_F_loss(decoder, potential, uniform_angles(0, 4, d=3))  # F: any d
    with pytest.raises(ValueError, match="phi"):
        tg.torus_W_loss(decoder, potential, uniform_angles(0, 4, d=3), 1.0)
    with pytest.raises(ValueError, match="tau"):
        tg.torus_W_loss(bumpy_torus(), tg.TorusPotential(2, dtype=F64), uniform_angles(0, 4), 0.0)
    with pytest.raises(ValueError, match="phi"):
        tg.torus_F_loss(decoder, potential, torch.zeros(4))
    with pytest.raises(TypeError, match="phi"):
        tg.torus_F_loss(decoder, potential, [[0.0, 0.0, 0.0]])


def test_torus_potential_is_periodic():
    potential = tg.TorusPotential(2, generator=torch.Generator().manual_seed(0), dtype=F64)
    phi = uniform_angles(3, 10)
    torch.testing.assert_close(potential(phi + TWO_PI * torch.tensor([1.0, -2.0], dtype=F64)), potential(phi))


def test_trained_potential_approaches_the_saddle_value():
    """Adam on the potential alone (decoder frozen, the training loss on Monte-Carlo samples) drives F(g, f) down to
    λ(g): on the 32×32 grid (quadrature, no sampling noise) −F ≤ −λ always (F ≥ λ) and ends within 15% of it
    (untrained: −F ≈ −0.003 against −λ = 0.031)."""
    decoder = bumpy_torus(1.0)
    exact = tg.flatness_deficits(decoder, n=16).L_F
    for p in decoder.parameters():
        p.requires_grad_(False)
    potential = tg.TorusPotential(2, generator=torch.Generator().manual_seed(1), dtype=F64)
    grid = tg.torus_grid(32)
    untrained = tg.torus_F_loss(decoder, potential, grid)[0].item()
    optimizer = torch.optim.Adam(potential.parameters(), lr=1e-2)
    for step in range(100):
        loss, _ = tg.torus_F_loss(decoder, potential, uniform_angles(1000 + step, 256))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    trained = tg.torus_F_loss(decoder, potential, grid)[0].item()
    assert untrained < 0.5 * exact
    assert 0.85 * exact < trained <= exact + 1e-9


# ------------------------------------------------------------------------------------ effective sample size


def test_effective_sample_size_on_known_weights():
    assert effective_sample_size(torch.zeros(50, dtype=F64)).item() == pytest.approx(50, rel=1e-14)
    assert effective_sample_size(torch.full((50,), -700.0, dtype=F64)).item() == pytest.approx(50, rel=1e-12)
    dominant = torch.full((50,), -40.0, dtype=F64)
    dominant[3] = 0.0
    assert effective_sample_size(dominant).item() == pytest.approx(1.0, abs=1e-12)
    log_w = torch.randn(30, generator=torch.Generator().manual_seed(0), dtype=F64)
    w = log_w.exp().numpy()
    assert effective_sample_size(log_w).item() == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert effective_sample_size(log_w + 123.0).item() == pytest.approx(effective_sample_size(log_w).item())
    zeros = torch.tensor([0.0, -math.inf, -math.inf], dtype=F64)
    assert effective_sample_size(zeros).item() == pytest.approx(1.0)
    assert math.isnan(effective_sample_size(torch.tensor([0.0, math.nan], dtype=F64)).item())
    for bad, error in ((torch.zeros(2, 2), ValueError), (torch.zeros(0), ValueError), ([0.0], TypeError),
                       (torch.tensor([0.0, math.inf]), ValueError), (torch.full((2,), -math.inf), ValueError)):
        with pytest.raises(error, match="log_w"):
            effective_sample_size(bad)


def test_perelman_log_weights():
    g = torch.diag_embed(torch.tensor([[4.0, 9.0], [1.0, 1.0]], dtype=F64))
    f = torch.tensor([0.5, -1.0], dtype=F64)
    expected = -f + torch.log(torch.tensor([6.0, 1.0], dtype=F64)) + math.log(4 * math.pi**2)
    torch.testing.assert_close(perelman_log_weights(g, f, -math.log(4 * math.pi**2)), expected)
    with pytest.raises(ValueError, match="'g'"):
        perelman_log_weights(g[0], f, 0.0)
