"""Smoothness of a landscape on the search graph: the Dirichlet energy ratio (closed form, invariances, bounds),
its permutation null (power on clustered landscapes, size on random ones) and the cluster ANOVA."""

import os

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import f_oneway

from latent_geometry.search.smoothness import cluster_spread, dirichlet_energy_ratio, smoothness_test
from latent_geometry.search.space import search_space
from latent_geometry.search.spectral import laplacian_spectrum, weight_matrix

PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 40)), deadline=None, database=None)
GRAPH3 = search_space(3)
W3 = weight_matrix(GRAPH3, True)


def two_clusters(n=10, bridge=0.05):
    """Two cliques of n nodes joined by one weak edge; labels 0/1."""
    W = np.zeros((2 * n, 2 * n))
    W[:n, :n] = W[n:, n:] = 1.0
    np.fill_diagonal(W, 0.0)
    W[0, n] = W[n, 0] = bridge
    return W, np.repeat([0, 1], n)


def test_energy_matches_the_edge_sum():
    f = np.random.default_rng(0).normal(size=19)
    nodes = list(GRAPH3)
    edge_sum = sum(w * (f[nodes.index(a)] - f[nodes.index(b)]) ** 2 for a, b, w in GRAPH3.edges(data="weight"))
    assert np.isclose(dirichlet_energy_ratio(f, W3), edge_sum / np.sum((f - f.mean()) ** 2), rtol=1e-12)
    batch = np.stack([f, 2 * f])
    np.testing.assert_allclose(dirichlet_energy_ratio(batch, W3), [edge_sum / np.sum((f - f.mean()) ** 2)] * 2)


@PROPERTY
@given(seed=st.integers(0, 10**6), scale=st.floats(1e-3, 1e3), shift=st.floats(-1e3, 1e3))
def test_energy_is_affine_invariant_and_between_lambda2_and_lambda_max(seed, scale, shift):
    f = np.random.default_rng(seed).normal(size=19)
    e = dirichlet_energy_ratio(f, W3)
    assert np.isclose(dirichlet_energy_ratio(scale * f + shift, W3), e, rtol=1e-7)
    lam = laplacian_spectrum(W3)[0]
    assert lam[1] - 1e-9 <= e <= lam[-1] + 1e-9


def test_energy_attains_lambda2_at_the_fiedler_vector():
    lam, vecs = laplacian_spectrum(W3)
    assert np.isclose(dirichlet_energy_ratio(vecs[:, 1], W3), lam[1], rtol=1e-10)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="constant"):
        dirichlet_energy_ratio(np.ones(19), W3)
    with pytest.raises(ValueError, match="finite"):
        dirichlet_energy_ratio(np.r_[np.nan, np.zeros(18)], W3)
    with pytest.raises(ValueError, match="19 nodes"):
        dirichlet_energy_ratio(np.arange(5.0), W3)
    with pytest.raises(ValueError, match="clusters"):
        cluster_spread(np.arange(4.0), [0, 0, 0, 0], 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_perm"):
        smoothness_test(np.arange(19.0), W3, 0, np.random.default_rng(0))


def test_cluster_constant_landscape_on_weakly_linked_clusters_is_far_smoother_than_the_null():
    W, labels = two_clusters()
    f = labels + 0.01 * np.random.default_rng(0).normal(size=labels.size)
    res = smoothness_test(f, W, 999, np.random.default_rng(1))
    assert res.observed < 0.05 * res.null_mean and res.observed < res.null_low
    assert res.p_value == 1 / 1000 and res.n_perm == 999
    spread = cluster_spread(f, labels, 999, np.random.default_rng(2))
    assert spread.eta_squared > 0.99 and spread.permutation.p_value == 1 / 1000 and spread.p_anova < 1e-10


def test_random_landscapes_are_rejected_at_about_the_nominal_rate():
    rng = np.random.default_rng(3)
    p = np.array([smoothness_test(rng.normal(size=19), W3, 99, rng).p_value for _ in range(400)])
    assert 0.02 < np.mean(p <= 0.05) < 0.09  # α = 0.05; sampling sd ≈ 0.011
    labels = np.arange(19) % 3
    p = np.array([cluster_spread(rng.normal(size=19), labels, 99, rng).permutation.p_value for _ in range(400)])
    assert 0.02 < np.mean(p <= 0.05) < 0.09


def test_cluster_spread_matches_scipy_one_way_anova():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, size=19)
    f = labels * 0.3 + rng.normal(size=19)
    res = cluster_spread(f, labels, 199, rng)
    ref = f_oneway(*[f[labels == k] for k in range(3)])
    assert np.isclose(res.f_stat, ref.statistic, rtol=1e-10) and np.isclose(res.p_anova, ref.pvalue, rtol=1e-8)
    assert np.isclose(res.ss_within + res.ss_between, np.sum((f - f.mean()) ** 2))
    assert res.n_clusters == 3 and np.isclose(res.between_var / res.within_var, res.f_stat)


def test_string_cluster_labels_work_on_the_real_graph():
    # f = number of H² components: constant on the "n_h" classes, smooth under the swap/resize edges
    f = np.array([GRAPH3.nodes[s]["n_h"] for s in GRAPH3], dtype=float)
    labels = np.array([f"h{int(v)}" for v in f])
    assert cluster_spread(f + 0.01 * np.arange(19), labels, 99, np.random.default_rng(0)).eta_squared > 0.99
    res = smoothness_test(f, weight_matrix(GRAPH3, False), 199, np.random.default_rng(0))
    assert res.observed < res.null_low
    assert nx.is_connected(GRAPH3)
