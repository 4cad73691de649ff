"""Walk and Laplacian spectra against closed forms (complete graph, cycle, path) and identities (seed 000, §3.3)."""

import networkx as nx
import numpy as np
import pytest

from latent_geometry.search.space import search_space, signature_features
from latent_geometry.search.spectral import (
    degrees,
    fiedler_space,
    fiedler_vector,
    laplacian,
    laplacian_spectrum,
    mixing_time,
    multiple_correlation,
    n_zero_eigenvalues,
    spectral_clustering,
    spectral_gap,
    spectral_summary,
    stationary_distribution,
    transition_matrix,
    transition_spectrum,
    tv_to_stationary,
    weight_matrix,
)

SEEDS = [0, 1, 2]


def random_weighted_graph(seed: int, n: int = 12, p: float = 0.4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    graph = nx.connected_watts_strogatz_graph(n, 4, p, seed=seed)
    for u, v in graph.edges:
        graph[u][v]["weight"] = float(rng.uniform(0.1, 5.0))
    return weight_matrix(graph)


@pytest.mark.parametrize("seed", SEEDS)
def test_transition_matrix_rows_and_stationary_distribution(seed):
    W = random_weighted_graph(seed)
    P = transition_matrix(W)
    d = W.sum(axis=1)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-14)
    np.testing.assert_allclose(P * d[:, None], W, atol=1e-14)  # p_ij = w_ij / d_i
    pi = stationary_distribution(W)
    np.testing.assert_allclose(pi, d / d.sum(), atol=1e-15)  # π ∝ degree
    np.testing.assert_allclose(pi @ P, pi, atol=1e-14)
    # π is the unique left eigenvector for eigenvalue 1 (connected graph): compare with a dense eigensolver
    vals, vecs = np.linalg.eig(P.T)
    v = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
    np.testing.assert_allclose(v / v.sum(), pi, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_laplacians_and_their_spectra_agree(seed):
    W = random_weighted_graph(seed)
    L = laplacian(W)
    np.testing.assert_allclose(L @ np.ones(len(W)), 0.0, atol=1e-12)
    vals, vecs = laplacian_spectrum(W)
    assert vals[0] == pytest.approx(0.0, abs=1e-12) and np.all(vals[1:] > 1e-9)
    np.testing.assert_allclose(L @ vecs, vecs * vals, atol=1e-10)
    sym, _ = laplacian_spectrum(W, "sym")
    rw_vals, rw_vecs = laplacian_spectrum(W, "rw")
    np.testing.assert_allclose(sym, rw_vals)
    np.testing.assert_allclose(laplacian(W, "rw") @ rw_vecs, rw_vecs * rw_vals, atol=1e-10)
    np.testing.assert_allclose(laplacian(W, "rw"), np.eye(len(W)) - transition_matrix(W), atol=1e-14)
    np.testing.assert_allclose(transition_spectrum(W), 1.0 - sym, atol=1e-12)  # eig(P) = 1 − eig(L_sym)
    np.testing.assert_allclose(np.sort(np.real(np.linalg.eigvals(transition_matrix(W)))), (1.0 - sym)[::-1],
                               atol=1e-10)


@pytest.mark.parametrize("n", [3, 5, 21])
def test_complete_graph_closed_forms(n):
    W = weight_matrix(nx.complete_graph(n), weighted=False)
    vals, _ = laplacian_spectrum(W)
    np.testing.assert_allclose(vals, [0.0] + [n] * (n - 1), atol=1e-10)  # L(K_n) = nI − J
    np.testing.assert_allclose(transition_spectrum(W), [1.0] + [-1.0 / (n - 1)] * (n - 1), atol=1e-12)
    gap = spectral_gap(W)
    assert gap["gap"] == pytest.approx(1 + 1 / (n - 1))
    assert gap["absolute_gap"] == pytest.approx(1 - 1 / (n - 1))


@pytest.mark.parametrize("n", [5, 8, 13])
def test_cycle_graph_closed_forms(n):
    W = weight_matrix(nx.cycle_graph(n), weighted=False)
    vals, _ = laplacian_spectrum(W)
    expected = np.sort(2 - 2 * np.cos(2 * np.pi * np.arange(n) / n))
    np.testing.assert_allclose(vals, expected, atol=1e-10)
    np.testing.assert_allclose(transition_spectrum(W), np.sort(np.cos(2 * np.pi * np.arange(n) / n))[::-1],
                               atol=1e-12)
    if n % 2 == 0:  # bipartite: eigenvalue −1, the walk never mixes
        assert spectral_gap(W)["absolute_gap"] == pytest.approx(0.0, abs=1e-12)
        with pytest.raises(ValueError, match="did not mix"):
            mixing_time(W, max_steps=200)


@pytest.mark.parametrize("n", [4, 7, 10])
def test_path_graph_fiedler_vector(n):
    W = weight_matrix(nx.path_graph(n), weighted=False)
    lam, v = fiedler_vector(W, kind="unnormalized")
    assert lam == pytest.approx(2 - 2 * np.cos(np.pi / n))
    expected = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    np.testing.assert_allclose(v, expected / np.linalg.norm(expected), atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_zero_eigenvalues_count_connected_components(seed):
    graph = search_space(4)
    rng = np.random.default_rng(seed)
    edges = list(graph.edges)
    for k in (0, 40, 80, 110):
        pruned = graph.copy()
        drop = rng.choice(len(edges), size=k, replace=False)
        pruned.remove_edges_from([edges[i] for i in drop])
        vals, _ = laplacian_spectrum(weight_matrix(pruned))
        assert n_zero_eigenvalues(vals) == nx.number_connected_components(pruned)


def test_removing_resize_edges_leaves_one_component_per_size():
    graph = search_space(5)
    graph.remove_edges_from([(a, b) for a, b, d in graph.edges(data=True) if d["kind"] == "resize"])
    for weighted in (False, True):
        W = weight_matrix(graph, weighted)
        assert n_zero_eigenvalues(laplacian_spectrum(W)[0]) == 5
        assert n_zero_eigenvalues(laplacian_spectrum(W, "sym")[0]) == 5


@pytest.mark.parametrize("weighted", [False, True])
def test_total_variation_bound_and_monotone_worst_case(weighted):
    W = weight_matrix(search_space(4), weighted)
    pi = stationary_distribution(W)
    tv = tv_to_stationary(W, 60)
    lam_star = 1 - spectral_gap(W)["absolute_gap"]
    t = np.arange(61)[:, None]
    bound = 0.5 * np.sqrt((1 - pi) / pi)[None, :] * lam_star**t  # Levin–Peres–Wilmer (12.13)
    assert np.all(tv <= bound + 1e-12)
    worst = tv.max(axis=1)
    assert np.all(np.diff(worst) <= 1e-12)  # d(t) is non-increasing
    assert worst[0] == pytest.approx(1 - pi.min())
    t_mix = mixing_time(W, eps=0.25)
    assert worst[t_mix] <= 0.25 < worst[t_mix - 1]


def test_search_space_fiedler_structure():
    # Unweighted: every permutation of {E, S, H} is a graph automorphism, so λ₂ is doubly degenerate and its
    # eigenspace is the composition plane (a single eigensolver vector is one arbitrary member of it).
    graph = search_space(5)
    f = signature_features(list(graph))
    lam, basis = fiedler_space(weight_matrix(graph, weighted=False))
    assert lam == pytest.approx(0.1512, abs=5e-5) and basis.shape[1] == 2
    for key in ("frac_h", "frac_e", "frac_s"):
        assert multiple_correlation(basis, f[key]) == pytest.approx(0.868, abs=1e-3)
    assert multiple_correlation(basis, f["n_components"]) == pytest.approx(0.0, abs=1e-6)
    # Hungarian-weighted: λ₂ is simple and the Fiedler vector sorts by number of components
    lam_w, basis_w = fiedler_space(weight_matrix(graph, weighted=True))
    assert basis_w.shape[1] == 1 and lam_w < lam
    assert multiple_correlation(basis_w, f["n_components"]) > 0.9
    # authors' code's weights (first mismatch, resize weight 1): λ₂ = 0.117, corr −0.89
    coded = search_space(5, distance="first_mismatch")
    lam_c, v_c = fiedler_vector(weight_matrix(coded))
    assert lam_c == pytest.approx(0.117, abs=5e-4)
    assert np.corrcoef(v_c, f["n_components"])[0, 1] == pytest.approx(-0.891, abs=1e-3)


def test_spectral_summary_of_a_cycle_against_closed_forms():
    n = 7  # odd cycle: aperiodic, P has eigenvalues cos(2πk/n); λ₂(L_rw) = 1 − cos(2π/n), doubly degenerate
    W = weight_matrix(nx.cycle_graph(n))
    position = np.arange(n, dtype=float)
    s = spectral_summary(W, {"position": position, "cos": np.cos(2 * np.pi * position / n)})
    assert s["n_zero"] == 1 and s["multiplicity"] == 2
    assert s["lambda2"] == pytest.approx(1 - np.cos(2 * np.pi / n))
    assert s["R"]["cos"] == pytest.approx(1.0)  # cos lies in the λ₂ eigenspace
    assert s["absolute_gap"] == pytest.approx(1 - abs(np.cos(2 * np.pi * 3 / n)))  # |μ_N| is the larger here
    assert s["relaxation_time"] == pytest.approx(1 / s["absolute_gap"])
    assert s["t_mix"] == mixing_time(W) and s["pi_ratio"] == pytest.approx(1.0)


def test_spectral_summary_of_a_disconnected_graph():
    graph = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(3))
    s = spectral_summary(weight_matrix(graph))
    assert s["n_zero"] == 2 and s["lambda2"] == pytest.approx(0.0, abs=1e-12)
    assert s["t_mix"] == np.inf and s["R"] == {}
    assert s["pi_ratio"] == pytest.approx(3 / 2)  # degrees 3 and 2


def test_spectral_summary_matches_the_single_functions():
    W = random_weighted_graph(0)
    s = spectral_summary(W, {"x": np.arange(12.0)})
    lam, basis = fiedler_space(W)
    assert s["lambda2"] == lam and s["multiplicity"] == basis.shape[1]
    assert s["R"]["x"] == multiple_correlation(basis, np.arange(12.0))
    assert {k: s[k] for k in ("gap", "absolute_gap", "relaxation_time")} == spectral_gap(W)
    pi = stationary_distribution(W)
    assert s["t_mix"] == mixing_time(W) and s["pi_ratio"] == pytest.approx(pi.max() / pi.min())


@pytest.mark.parametrize("seed", SEEDS)
def test_multiple_correlation_reduces_to_pearson(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=30), rng.normal(size=30)
    assert multiple_correlation(x, y) == pytest.approx(abs(np.corrcoef(x, y)[0, 1]), abs=1e-12)
    assert multiple_correlation(np.column_stack([x, y]), 2 * x - y + 3) == pytest.approx(1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_spectral_clustering_recovers_two_cliques_and_is_seeded(seed):
    graph = nx.barbell_graph(6, 0)
    W = weight_matrix(graph, weighted=False)
    labels = spectral_clustering(W, 2, np.random.default_rng(seed))
    assert len(set(labels[:6])) == 1 and len(set(labels[6:])) == 1 and labels[0] != labels[6]
    np.testing.assert_array_equal(labels, spectral_clustering(W, 2, np.random.default_rng(seed)))
    _, v = fiedler_vector(W)
    assert np.all(np.sign(v[:6]) == np.sign(v[0])) and np.all(np.sign(v[6:]) == -np.sign(v[0]))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: degrees(np.array([[0.0, 1.0], [2.0, 0.0]])), ValueError, "symmetric"),
        (lambda: degrees(np.array([[0.0, -1.0], [-1.0, 0.0]])), ValueError, "non-negative"),
        (lambda: degrees(np.ones((2, 3))), ValueError, "square"),
        (lambda: transition_matrix(np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 0]])), ValueError, "isolated"),
        (lambda: laplacian(np.eye(2), kind="random"), ValueError, "kind"),
        (lambda: tv_to_stationary(np.ones((2, 2)), -1), ValueError, "n_steps"),
        (lambda: mixing_time(np.ones((2, 2)), eps=1.5), ValueError, "eps"),
        (lambda: spectral_clustering(np.ones((3, 3)), 4, np.random.default_rng(0)), ValueError, "n_clusters"),
        (lambda: spectral_clustering(np.ones((3, 3)), 2, 0), TypeError, "rng"),
        (lambda: weight_matrix(nx.Graph()), ValueError, "at least one node"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
