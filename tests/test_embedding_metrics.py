"""Embedding metrics on known cases: similarities are perfect, distortions are detected, scipy/sklearn agree."""

import numpy as np
import pytest
import torch
from scipy.spatial import procrustes as scipy_procrustes

from latent_geometry.learning.embedding_metrics import (
    affine_r2,
    bootstrap_ci,
    condition_numbers,
    curvature_summary,
    distance_spearman,
    per_class_procrustes,
    procrustes_fit,
    trustworthiness_continuity,
)

SEEDS = [0, 1, 2]


def _rotation(rng, reflect=False):
    q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    return q @ np.diag([1.0, -1.0]) if reflect else q


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reflect", [False, True])
def test_similarity_is_perfect(seed, reflect):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((400, 2))
    scale = rng.uniform(0.1, 5)
    z = y @ _rotation(rng, reflect) / scale + rng.standard_normal(2)  # an isometry up to scale
    fit = procrustes_fit(z, y)
    assert fit.disparity < 1e-12 and fit.scale == pytest.approx(scale, rel=1e-12)
    assert affine_r2(z, y) == pytest.approx(1.0, abs=1e-12)
    assert distance_spearman(z, y) == pytest.approx(1.0, abs=1e-12)
    tc = trustworthiness_continuity(y, z, n_neighbors=10)
    assert tc["trustworthiness"] == pytest.approx(1.0) and tc["continuity"] == pytest.approx(1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_disparity_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((300, 2))
    z = np.tanh(y @ rng.standard_normal((2, 2))) + 0.1 * rng.standard_normal((300, 2))
    _, _, expected = scipy_procrustes(y, z)
    fit = procrustes_fit(torch.as_tensor(z), torch.as_tensor(y))
    assert fit.disparity == pytest.approx(expected, rel=1e-10)
    assert 0.01 < fit.disparity < 1


@pytest.mark.parametrize("seed", SEEDS)
def test_per_class_scale_ratio(seed):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((600, 2))
    labels = np.repeat([0, 1, 2], 200)
    scales = np.array([1.0, 2.0, 4.0])
    z = y / scales[labels, None] + 3.0 * labels[:, None]  # same shape per class, different scale
    out = per_class_procrustes(z, y, labels)
    np.testing.assert_allclose(out["disparity"], 0, atol=1e-12)
    np.testing.assert_allclose(out["scale"], scales, rtol=1e-12)
    assert out["scale_ratio"] == pytest.approx(4.0)


def test_tearing_lowers_continuity_and_folding_lowers_trustworthiness():
    rng = np.random.default_rng(0)
    y = rng.uniform(0, 1, size=(1500, 2))
    torn = y.copy()
    torn[:, 0] = np.where(y[:, 1] > 0.5, y[:, 0], y[:, 0] + 5.0)  # cut the square along h = 0.5: tearing
    folded = np.stack([np.abs(y[:, 0] - 0.5), y[:, 1]], 1)  # fold the square in half: false neighbours
    t_torn = trustworthiness_continuity(y, torn, n_neighbors=10)
    t_fold = trustworthiness_continuity(y, folded, n_neighbors=10)
    assert t_torn["continuity"] < 0.995 and t_torn["trustworthiness"] > t_torn["continuity"]
    assert t_fold["trustworthiness"] < 0.95 and t_fold["continuity"] > t_fold["trustworthiness"]


def test_condition_numbers():
    rng = np.random.default_rng(1)
    q = np.stack([_rotation(rng) for _ in range(5)])
    lam = np.array([[1, 1], [1, 2], [3, 1], [0.5, 5], [2, 2]], dtype=float)
    g = q @ (lam[:, :, None] * np.eye(2)) @ q.transpose(0, 2, 1)
    np.testing.assert_allclose(condition_numbers(g), lam.max(1) / lam.min(1), rtol=1e-12)
    with pytest.raises(ValueError, match="positive definite"):
        condition_numbers(np.zeros((2, 2, 2)))


def test_curvature_summary():
    r = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    g = torch.diag_embed(torch.tensor([[1.0, 1.0], [0.5, 0.5], [4.0, 1.0]], dtype=torch.float64))  # √det g = 1, ½, 2
    out = curvature_summary(r, g)
    assert out == pytest.approx({"mean_abs_R": 2.0, "median_abs_R": 2.0, "mean_R2": 14 / 3,
                                 "authors_R2_sqrtdetg": (1 + 2 + 18) / 3})
    assert set(curvature_summary(r)) == {"mean_abs_R", "median_abs_R", "mean_R2"}
    with pytest.raises(ValueError, match="metric"):
        curvature_summary(r, g[:2])


def test_curvature_summary_reuses_the_authors_estimator():
    from latent_geometry.geometry.functionals import squared_curvature_estimate

    gen = torch.Generator().manual_seed(0)
    r = torch.randn(20, generator=gen, dtype=torch.float64)
    a = torch.randn(20, 2, 2, generator=gen, dtype=torch.float64)
    g = a @ a.transpose(1, 2) + 0.1 * torch.eye(2, dtype=torch.float64)
    expected = squared_curvature_estimate(r, g, "authors")
    assert curvature_summary(r, g)["authors_R2_sqrtdetg"] == pytest.approx(float(expected), rel=1e-14)
    assert curvature_summary(r.float(), g.float())["authors_R2_sqrtdetg"] == pytest.approx(float(expected), rel=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_bootstrap_ci_contains_the_mean_and_shrinks(seed):
    rng = np.random.default_rng(seed)
    small, large = rng.normal(1.0, 1.0, size=5), rng.normal(1.0, 1.0, size=500)
    m, lo, hi = bootstrap_ci(small, seed=seed)
    assert lo <= m <= hi and m == pytest.approx(small.mean())
    _, lo2, hi2 = bootstrap_ci(large, seed=seed)
    assert hi2 - lo2 < hi - lo
    assert hi2 - lo2 == pytest.approx(2 * 1.96 * large.std() / np.sqrt(500), rel=0.15)  # normal-theory width
    assert bootstrap_ci([2.5]) == (2.5, 2.5, 2.5)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: procrustes_fit(np.zeros((5, 2)), np.ones((4, 2))), "same number of rows"),
        (lambda: procrustes_fit(np.zeros((5, 2)), np.ones((5, 3))), "same dimension"),
        (lambda: procrustes_fit(np.zeros((5, 2)), np.random.default_rng(0).random((5, 2))), "constant"),
        (lambda: affine_r2(np.full((5, 2), np.nan), np.ones((5, 2))), "finite"),
        (lambda: bootstrap_ci([]), "values"),
        (lambda: bootstrap_ci([1.0], level=1.5), "level"),
        (lambda: per_class_procrustes(np.ones((5, 2)), np.ones((5, 2)), np.zeros(4)), "labels"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
