"""Toy datasets of chapter 2: shapes, plane geometry, exact ground truth, arc length, determinism."""

import math

import pytest
import torch
from scipy.integrate import quad

from latent_geometry.learning.data.synthetic import (
    gaussian_planes,
    max_principal_cosines,
    random_planes,
    spiral_arc_length,
    swiss_roll,
)

SEEDS = [0, 1, 7]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("planes", ["uniform_qr", "haar"])
def test_gaussian_planes_shapes_and_exact_ground_truth(seed, planes):
    data = gaussian_planes(n_per_plane=200, k=3, D=50, planes=planes, seed=seed, dtype=torch.float64)
    assert data.x.shape == (600, 50) and data.coords.shape == (600, 2) and data.labels.shape == (600,)
    assert data.bases.shape == (3, 50, 2) and data.shifts.shape == (3, 50)
    assert torch.equal(data.labels, torch.arange(3).repeat_interleave(200))
    for j in range(3):
        q, y, x = data.bases[j], data.coords[data.labels == j], data.x[data.labels == j]
        torch.testing.assert_close(q.T @ q, torch.eye(2, dtype=torch.float64), atol=1e-14, rtol=0)
        torch.testing.assert_close(y @ q.T + data.shifts[j], x, atol=1e-13, rtol=0)  # reconstruct from truth
        torch.testing.assert_close((x - data.shifts[j]) @ q, y, atol=1e-13, rtol=0)  # y = Qᵀ(x − shift)
        centred = x - x.mean(0)
        s = torch.linalg.svdvals(centred)
        assert s[1] > 1.0 and s[2] < 1e-10 * s[0]  # each class spans exactly a 2-D affine plane


@pytest.mark.parametrize("seed", SEEDS)
def test_plane_statistics(seed):
    data = gaussian_planes(n_per_plane=4000, k=3, D=20, var_class=2.0, interclass_sd=0.5, seed=seed,
                           dtype=torch.float64)
    cov = torch.cov(data.coords[data.labels == 0].T)
    torch.testing.assert_close(cov, 2.0 * torch.eye(2, dtype=torch.float64), atol=0.2, rtol=0)
    assert data.shifts.pow(2).mean().item() == pytest.approx(0.25, rel=0.5)


@pytest.mark.parametrize("seed", SEEDS)
def test_uniform_qr_quirk_vs_haar(seed):
    gen = torch.Generator().manual_seed(seed)
    quirk = random_planes(3, 784, gen, kind="uniform_qr")
    haar = random_planes(3, 784, gen, kind="haar")
    # the authors' quirk: largest principal-angle cosine ≈ 0.85 with torch.rand planes, ≈ 0.1 with Haar planes
    assert max_principal_cosines(quirk).shape == (3,)
    assert all(0.75 < c < 0.95 for c in max_principal_cosines(quirk))
    assert all(c < 0.25 for c in max_principal_cosines(haar))
    ones = torch.ones(784, dtype=torch.float64) / math.sqrt(784)
    assert all(torch.linalg.norm(q.T @ ones) > 0.8 for q in quirk)  # every quirk plane nearly contains (1,…,1)/√D


def test_determinism_and_seed_dependence():
    a, b = gaussian_planes(50, D=30, seed=3), gaussian_planes(50, D=30, seed=3)
    c = gaussian_planes(50, D=30, seed=4)
    assert torch.equal(a.x, b.x) and torch.equal(a.coords, b.coords)
    assert not torch.equal(a.x, c.x)
    r1, r2 = swiss_roll(300, seed=5), swiss_roll(300, seed=5)
    assert torch.equal(r1.x, r2.x) and torch.equal(r1.coords, r2.coords)
    assert not torch.equal(r1.x, swiss_roll(300, seed=6).x)


@pytest.mark.parametrize("t", [0.0, 0.5, 1.5 * math.pi, 3.0 * math.pi, 4.5 * math.pi])
def test_arc_length_matches_numerical_integration(t):
    numeric, _ = quad(lambda s: math.hypot(math.cos(s) - s * math.sin(s), math.sin(s) + s * math.cos(s)), 0, t,
                      epsabs=1e-13, epsrel=1e-13, limit=200)
    assert spiral_arc_length(t) == pytest.approx(numeric, rel=1e-12, abs=1e-14)
    assert spiral_arc_length(torch.tensor(t, dtype=torch.float64)).item() == pytest.approx(numeric, rel=1e-12,
                                                                                            abs=1e-14)


def test_unrolled_sheet_length():
    length = spiral_arc_length(4.5 * math.pi) - spiral_arc_length(1.5 * math.pi)
    assert length == pytest.approx(89.373, abs=1e-3)  # s(4.5π) − s(1.5π): the sheet's length along t


@pytest.mark.parametrize("seed", SEEDS)
def test_swiss_roll_ground_truth(seed):
    clean = swiss_roll(500, noise=0.0, seed=seed, dtype=torch.float64)
    t, (s, h) = clean.t, clean.coords.T
    expected = torch.stack([t * torch.cos(t), h, t * torch.sin(t)], dim=1)
    torch.testing.assert_close(clean.x, expected, atol=1e-12, rtol=0)  # X is exactly rebuilt from (t, h)
    torch.testing.assert_close(s, spiral_arc_length(t))
    assert t.min() >= 1.5 * math.pi and t.max() <= 4.5 * math.pi and h.min() >= 0 and h.max() <= 21
    noisy = swiss_roll(500, noise=0.05, seed=seed, dtype=torch.float64)
    torch.testing.assert_close(noisy.coords, clean.coords, atol=0, rtol=0)  # same stream, same sheet
    residual = (noisy.x - clean.x).std().item()
    assert residual == pytest.approx(0.05, rel=0.15)


def test_arc_length_is_the_local_chord_length():
    # s is an isometric coordinate along the spiral: a short chord equals the difference of s
    t0 = torch.linspace(5.0, 13.0, 50, dtype=torch.float64)
    dt = 1e-5
    chord = torch.hypot((t0 + dt) * torch.cos(t0 + dt) - t0 * torch.cos(t0),
                        (t0 + dt) * torch.sin(t0 + dt) - t0 * torch.sin(t0))
    torch.testing.assert_close(chord, spiral_arc_length(t0 + dt) - spiral_arc_length(t0), rtol=1e-6, atol=0)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"n_per_plane": 0}, "n_per_plane"), ({"planes": "gauss"}, "planes"), ({"var_class": -1.0}, "var_class"),
     ({"D": 1}, "D"), ({"k": 0}, "k")],
)
def test_bad_input_names_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        gaussian_planes(**{"n_per_plane": 10, "D": 10, **kwargs})


def test_swiss_roll_bad_input():
    with pytest.raises(ValueError, match="noise"):
        swiss_roll(10, noise=-1.0)
    with pytest.raises(ValueError, match="n must"):
        swiss_roll(0)


def test_principal_cosines_of_known_frames():
    e = torch.eye(4, dtype=torch.float64)
    frames = torch.stack([e[:, [0, 1]], e[:, [1, 2]], e[:, [2, 3]]])
    expected = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)  # share e1; orthogonal; share e2
    torch.testing.assert_close(max_principal_cosines(frames), expected)
