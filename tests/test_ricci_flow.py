"""2-D conformal Ricci flow: closed forms, conservation laws, linear decay, convergence, curvature formula."""

import math

import pytest
import torch
from torch.func import jacfwd, vmap

from latent_geometry.geometry.ricci_flow import (
    conformal_area,
    conformal_fit,
    conformal_scalar_curvature,
    even_extension,
    flat_limit,
    flattening_time,
    ricci_flow,
    spectral_laplacian,
)

SEEDS = [0, 1, 2]
TWO_PI = 2 * math.pi


def _grid(n, lengths=(TWO_PI, TWO_PI)):
    x = torch.arange(n, dtype=torch.float64) * lengths[0] / n
    y = torch.arange(n, dtype=torch.float64) * lengths[1] / n
    return torch.meshgrid(x, y, indexing="ij")


def _random_smooth_u(seed, n=32, modes=3, amplitude=0.3):
    gen = torch.Generator().manual_seed(seed)
    x, y = _grid(n)
    u = torch.zeros(n, n, dtype=torch.float64)
    for p in range(-modes, modes + 1):
        for q in range(-modes, modes + 1):
            a, b = amplitude * torch.randn(2, generator=gen, dtype=torch.float64) / (1 + p * p + q * q)
            u = u + a * torch.cos(p * x + q * y) + b * torch.sin(p * x + q * y)
    return u


# ---------------------------------------------------- an explicit conformal embedding of the square torus in ℝ⁴
P0 = torch.tensor([0.3, 0.1, -0.2, 0.25], dtype=torch.float64)  # inversion centre, off the flat torus
RHO = 1.5


def _inverted_flat_torus(z):
    """Sphere inversion (conformal) of the flat torus (cos x, sin x, cos y, sin y): g = e^{2u} (dx² + dy²)."""
    t = torch.stack([torch.cos(z[0]), torch.sin(z[0]), torch.cos(z[1]), torch.sin(z[1])])
    d = t - P0
    return P0 + RHO**2 * d / (d @ d)


def _u_inverted_flat_torus(x, y):
    t = torch.stack([torch.cos(x), torch.sin(x), torch.cos(y), torch.sin(y)], dim=-1)
    return torch.log(RHO**2 / ((t - P0) ** 2).sum(-1))  # inversion scales lengths by ρ²/|p − p₀|²


def _gauss_equation_curvature(psi, z):
    """R = 2K with K = (⟨II₁₁, II₂₂⟩ − |II₁₂|²)/det g, II the normal part of the Hessian (independent oracle)."""
    jac = vmap(jacfwd(psi))(z)
    hess = vmap(jacfwd(jacfwd(psi)))(z)
    g = jac.mT @ jac
    proj = torch.eye(jac.shape[1], dtype=z.dtype) - jac @ torch.linalg.solve(g, jac.mT)
    second = torch.einsum("bpq,bqij->bpij", proj, hess)
    k = (second[..., 0, 0] * second[..., 1, 1]).sum(-1) - (second[..., 0, 1] ** 2).sum(-1)
    return 2 * k / torch.linalg.det(g)


# -------------------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("lengths", [(TWO_PI, TWO_PI), (3.0, 5.0)])
def test_spectral_laplacian_of_fourier_modes(lengths):
    x, y = _grid(24, lengths)
    k1, k2 = 2 * TWO_PI / lengths[0], 3 * TWO_PI / lengths[1]
    u = torch.sin(k1 * x) * torch.cos(k2 * y)
    torch.testing.assert_close(spectral_laplacian(u, lengths), -(k1**2 + k2**2) * u, atol=1e-11, rtol=0)


def test_conformal_curvature_matches_the_embedding():
    n = 64
    x, y = _grid(n)
    u = _u_inverted_flat_torus(x, y)
    z = torch.stack([x.reshape(-1), y.reshape(-1)], dim=1)
    jac = vmap(jacfwd(_inverted_flat_torus))(z)
    g = jac.mT @ jac
    expected_g = torch.exp(2 * u).reshape(-1, 1, 1) * torch.eye(2, dtype=torch.float64)
    torch.testing.assert_close(g, expected_g, atol=1e-12, rtol=1e-12)  # the embedding really is conformal
    r_embedding = _gauss_equation_curvature(_inverted_flat_torus, z).reshape(n, n)
    assert r_embedding.abs().max() > 0.5  # a genuinely curved torus
    torch.testing.assert_close(conformal_scalar_curvature(u), r_embedding, atol=1e-9, rtol=1e-9)
    gauss_bonnet = (conformal_scalar_curvature(u) * torch.exp(2 * u)).mean() * TWO_PI**2
    assert abs(gauss_bonnet.item()) < 1e-10  # ∫R dA = 4πχ = 0 on a torus


def test_conformal_curvature_matches_geometry_module():
    geometry = pytest.importorskip("latent_geometry.geometry")
    n = 64  # the spectral Laplacian needs a fine grid for this (non-band-limited) u
    x, y = _grid(n)
    u = _u_inverted_flat_torus(x, y)
    z = torch.stack([x.reshape(-1), y.reshape(-1)], dim=1)
    decoder = vmap(_inverted_flat_torus)
    r = geometry.scalar_curvature(decoder, z, method="gauss").reshape(n, n)
    torch.testing.assert_close(conformal_scalar_curvature(u), r, atol=1e-8, rtol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_area_is_conserved(seed):
    u0 = _random_smooth_u(seed)
    traj = ricci_flow(u0, t_final=1.0, dt=0.01)
    assert traj.u.shape == (11, 32, 32) and traj.times[-1].item() == pytest.approx(1.0)
    torch.testing.assert_close(traj.area, conformal_area(u0).expand(11), atol=0, rtol=1e-12)
    assert traj.max_abs_curvature[-1] < 0.5 * traj.max_abs_curvature[0]


@pytest.mark.parametrize("c", [-0.4, 0.0, 0.7])
def test_constant_u_is_stationary(c):
    u0 = torch.full((16, 16), c, dtype=torch.float64)
    traj = ricci_flow(u0, t_final=2.0, dt=0.1)
    torch.testing.assert_close(traj.u, u0.expand_as(traj.u), atol=1e-14, rtol=0)
    assert traj.max_abs_curvature.max() < 1e-12


@pytest.mark.parametrize("c, p, q", [(0.0, 1, 0), (0.3, 2, 1), (-0.2, 1, 3)])
@pytest.mark.parametrize("dt", [0.05, 0.005])
def test_small_mode_decays_at_linearised_rate(c, p, q, dt):
    eps, t_final = 1e-6, 0.3
    x, y = _grid(32)
    u0 = c + eps * torch.cos(p * x + q * y)
    traj = ricci_flow(u0, t_final=t_final, dt=dt, n_snapshots=2)
    amplitude = 2 * torch.fft.fft2(traj.u[-1] - c)[p, q % 32].real.item() / 32**2
    expected = eps * math.exp(-(p * p + q * q) * math.exp(-2 * c) * t_final)  # ∂ₜu = e^{−2c} Δu
    assert amplitude == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_converges_to_the_flat_metric_of_equal_area(seed):
    u0 = _random_smooth_u(seed, n=24) + 0.5 * _u_inverted_flat_torus(*_grid(24))
    t_final = flattening_time(u0, decades=10)  # slowest mode decays as exp(−t e^{−2u∞})
    assert t_final == pytest.approx(10 * math.log(10) * math.exp(2 * flat_limit(u0).item()))
    traj = ricci_flow(u0, t_final=t_final, dt=t_final / 400)
    assert traj.max_abs_curvature[-1] < 1e-6 * traj.max_abs_curvature[0]
    torch.testing.assert_close(traj.u[-1], flat_limit(u0).expand(24, 24), atol=1e-8, rtol=0)
    assert bool((traj.max_abs_curvature[1:] <= traj.max_abs_curvature[:-1] * (1 + 1e-9)).all())


@pytest.mark.parametrize("seed", SEEDS)
def test_first_order_convergence_in_dt(seed):
    u0 = _random_smooth_u(seed, n=16, amplitude=0.3)
    finals = [ricci_flow(u0, t_final=0.4, dt=0.4 / m, n_snapshots=2).u[-1] for m in (16, 32, 64)]
    d1, d2 = (finals[0] - finals[1]).abs().max().item(), (finals[1] - finals[2]).abs().max().item()
    assert d1 / d2 == pytest.approx(2.0, rel=0.15)  # halving dt halves the error: first order


@pytest.mark.parametrize("seed", SEEDS)
def test_huge_steps_stay_stable(seed):
    u0 = _random_smooth_u(seed, n=16, amplitude=0.3)
    t_final = 40 * math.exp(2 * u0.max().item())
    traj = ricci_flow(u0, t_final=t_final, dt=t_final / 10)  # dt ≥ 20: an explicit scheme needs dt ≲ h²/4 ≈ 0.04
    assert torch.isfinite(traj.u).all()
    torch.testing.assert_close(traj.area, conformal_area(u0).expand(11), atol=0, rtol=1e-12)
    assert traj.max_abs_curvature[-1] < 1e-6 * traj.max_abs_curvature[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_conformal_fit_recovers_factor_and_anisotropy(seed):
    gen = torch.Generator().manual_seed(seed)
    c = torch.randn(10, generator=gen, dtype=torch.float64)
    lam = torch.rand(10, 2, generator=gen, dtype=torch.float64) + 0.2
    theta = torch.rand(10, generator=gen, dtype=torch.float64) * TWO_PI
    rot = torch.stack([torch.cos(theta), -torch.sin(theta), torch.sin(theta), torch.cos(theta)], -1).reshape(10, 2, 2)
    g = torch.exp(2 * c)[:, None, None] * rot @ torch.diag_embed(lam) @ rot.mT
    u, kappa = conformal_fit(g)
    torch.testing.assert_close(u, c + 0.25 * torch.log(lam.prod(-1)))
    torch.testing.assert_close(kappa, lam.max(-1).values / lam.min(-1).values)


def test_even_extension_is_symmetric_and_periodic_smooth():
    x, y = _grid(16, (math.pi, math.pi))
    u = torch.cos(x) * torch.cos(2 * y) + 0.1
    ext = even_extension(u)
    assert ext.shape == (32, 32)
    assert torch.equal(ext, ext.flip(0)) and torch.equal(ext, ext.flip(1))  # even about the box edges
    torch.testing.assert_close(ext[:16, :16], u)
    torch.testing.assert_close(ext[16:, :16], u.flip(0))
    flowed = ricci_flow(ext, t_final=0.5, dt=0.01, length=2 * math.pi).u[-1]
    torch.testing.assert_close(flowed, flowed.flip(0), atol=1e-13, rtol=0)  # the flow keeps the symmetry (Neumann)


def test_bad_input():
    with pytest.raises(ValueError, match="u must"):
        spectral_laplacian(torch.zeros(3))
    with pytest.raises(ValueError, match="dt"):
        ricci_flow(torch.zeros(8, 8, dtype=torch.float64), t_final=1.0, dt=0.0)
    with pytest.raises(ValueError, match="length"):
        conformal_area(torch.zeros(8, 8), length=(1.0, -1.0))
    with pytest.raises(ValueError, match="positive definite"):
        conformal_fit(torch.zeros(3, 2, 2))
    with pytest.raises(ValueError, match="n_snapshots"):
        ricci_flow(torch.zeros(8, 8, dtype=torch.float64), t_final=1.0, dt=0.1, n_snapshots=1)


def test_geometric_snapshots_start_dense():
    u0 = _random_smooth_u(0, n=8, amplitude=0.1)
    traj = ricci_flow(u0, t_final=1.0, dt=0.001, n_snapshots=5, spacing="geometric")
    times = traj.times.tolist()
    assert times[0] == 0.0 and times[-1] == pytest.approx(1.0) and times == sorted(times)
    assert times[1] == pytest.approx(0.001) and times[2] < 0.05  # 1000 steps: steps 1, 10, 100, 1000 (+ 0)
    with pytest.raises(ValueError, match="spacing"):
        ricci_flow(u0, t_final=1.0, dt=0.1, spacing="log")
