"""Search strategies: their rules, determinism under a seed, and hitting times (exact vs closed form vs simulated)."""

from itertools import permutations

import networkx as nx
import numpy as np
import pytest

from latent_geometry.search.space import search_space
from latent_geometry.search.spectral import laplacian, stationary_distribution, transition_matrix, weight_matrix
from latent_geometry.search.walks import (
    STRATEGIES,
    backtracking_walk,
    depth_first_search,
    expected_evaluations,
    hitting_times,
    random_search,
    random_search_expected_evaluations,
    random_walk,
    simulate_hitting_time,
)

SEEDS = [0, 1, 2]
GRAPH3 = search_space(3)  # 19 nodes, 57 edges


def relabelled(graph: nx.Graph) -> nx.Graph:
    """An abstract graph with its nodes renamed H2, H2xH2, H2xH2xH2, … so that the walks accept it."""
    names = [(-1,) * (i + 1) for i in range(graph.number_of_nodes())]
    return nx.relabel_nodes(graph, dict(zip(graph.nodes, names)))


def landscape(seed: int):
    """A random objective on GRAPH3's nodes (distinct values)."""
    values = np.random.default_rng(1000 + seed).permutation(GRAPH3.number_of_nodes()).astype(float)
    table = dict(zip(GRAPH3, values))
    return table.__getitem__


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_strategies_are_deterministic_under_a_seed(name, seed):
    objective = landscape(seed)
    a = STRATEGIES[name](GRAPH3, objective, 15, np.random.default_rng(seed))
    b = STRATEGIES[name](GRAPH3, objective, 15, np.random.default_rng(seed))
    assert a.signatures == b.signatures and np.array_equal(a.values, b.values)
    runs = {STRATEGIES[name](GRAPH3, objective, 15, np.random.default_rng(s)).signatures for s in range(5)}
    assert len(runs) > 1
    assert 1 <= a.n_evaluations <= 15
    assert np.array_equal(a.values, [objective(s) for s in a.signatures])
    np.testing.assert_array_equal(a.best_so_far, np.minimum.accumulate(a.values))
    assert a.best_value == a.values.min() and objective(a.best_signature) == a.best_value
    assert a.n_distinct == len(set(a.signatures))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_random_walk_steps_along_edges_and_spends_the_budget(seed, weighted):
    result = random_walk(GRAPH3, landscape(seed), 40, np.random.default_rng(seed), weighted=weighted)
    assert result.n_evaluations == 40
    assert all(GRAPH3.has_edge(a, b) for a, b in zip(result.signatures, result.signatures[1:]))


@pytest.mark.parametrize("weighted", [False, True])
def test_random_walk_first_step_distribution_is_row_of_P(weighted):
    start = (-1, 0)
    nodes = list(GRAPH3)
    P = transition_matrix(weight_matrix(GRAPH3, weighted))
    p = P[nodes.index(start)]
    rng = np.random.default_rng(7)
    n = 4000
    counts = np.zeros(len(nodes))
    for _ in range(n):
        counts[nodes.index(random_walk(GRAPH3, lambda s: 0.0, 2, rng, weighted=weighted, start=start)
                           .signatures[1])] += 1
    se = np.sqrt(n * p * (1 - p)) + 1e-12
    assert np.all(np.abs(counts - n * p) <= 4 * se)
    assert np.all(counts[p == 0] == 0)


def check_backtracking_rule(graph, result, objective):
    """Replays the paper's rule: proposals from the current node x, never a neighbour already rejected from x."""
    x, fx, rejected = result.signatures[0], result.values[0], set()
    for y, fy in zip(result.signatures[1:], result.values[1:]):
        assert graph.has_edge(x, y) and y not in rejected
        assert fy == objective(y)
        if fy > fx:
            rejected.add(y)
        else:
            x, fx, rejected = y, fy, set()
    return x, rejected


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_backtracking_follows_the_papers_rule_and_stops_at_a_local_minimum(seed, weighted):
    objective = landscape(seed)
    result = backtracking_walk(GRAPH3, objective, 500, np.random.default_rng(seed), weighted=weighted)
    x, rejected = check_backtracking_rule(GRAPH3, result, objective)
    assert result.n_evaluations < 500  # stuck: the budget was not needed
    assert rejected == set(GRAPH3[x]) and all(objective(y) > objective(x) for y in GRAPH3[x])
    assert np.all(np.diff(result.best_so_far) <= 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_backtracking_restart_spends_the_budget(seed):
    objective = landscape(seed)
    result = backtracking_walk(GRAPH3, objective, 200, np.random.default_rng(seed), on_local_minimum="restart")
    assert result.n_evaluations == 200


@pytest.mark.parametrize("seed", SEEDS)
def test_backtracking_descends_a_smooth_landscape_to_the_target(seed):
    target = (-1, 0, 0)
    dist = nx.single_source_shortest_path_length(GRAPH3, target)
    result = backtracking_walk(GRAPH3, dist.__getitem__, 500, np.random.default_rng(seed))
    x, _ = check_backtracking_rule(GRAPH3, result, dist.__getitem__)
    # every other node has a strictly better neighbour, so the only place the walk can stop is the target
    assert result.n_evaluations < 500 and x == target == result.best_signature


@pytest.mark.parametrize("seed", SEEDS)
def test_depth_first_search_never_repeats_and_exhausts_the_graph(seed):
    result = depth_first_search(GRAPH3, landscape(seed), 1000, np.random.default_rng(seed))
    assert result.n_evaluations == result.n_distinct == GRAPH3.number_of_nodes()
    for k, y in enumerate(result.signatures[1:], start=1):
        assert any(GRAPH3.has_edge(y, x) for x in result.signatures[:k])


@pytest.mark.parametrize("seed", SEEDS)
def test_random_search_with_and_without_replacement(seed):
    rng = np.random.default_rng(seed)
    without = random_search(GRAPH3, landscape(seed), 100, rng)
    assert without.n_evaluations == without.n_distinct == 19
    with_ = random_search(GRAPH3, landscape(seed), 100, rng, replace=True)
    assert with_.n_evaluations == 100 and with_.n_distinct < 100


@pytest.mark.parametrize("n", [3, 6, 21])
def test_hitting_time_on_complete_graph(n):
    graph = relabelled(nx.complete_graph(n))
    target = list(graph)[0]
    h = hitting_times(graph, target)
    np.testing.assert_allclose(h[1:], n - 1)  # geometric with success probability 1/(n − 1)
    assert expected_evaluations(graph, target) == pytest.approx(1 + (n - 1) ** 2 / n)


@pytest.mark.parametrize("n", [5, 8, 11])
def test_hitting_time_on_cycle(n):
    graph = relabelled(nx.cycle_graph(n))
    h = hitting_times(graph, list(graph)[0])
    k = np.arange(n)
    np.testing.assert_allclose(h, k * (n - k), atol=1e-9)  # gambler's ruin on a cycle


@pytest.mark.parametrize("pair", [((-1,), (1, 1, 1)), ((0, 0), (-1, 0, 1)), ((-1, -1, -1), (1,))])
def test_commute_time_identity_on_weighted_search_space(pair):
    a, b = pair
    nodes = list(GRAPH3)
    W = weight_matrix(GRAPH3, weighted=True)
    L_pinv = np.linalg.pinv(laplacian(W))
    e = np.zeros(len(nodes))
    e[nodes.index(a)], e[nodes.index(b)] = 1.0, -1.0
    commute = W.sum() * (e @ L_pinv @ e)  # h(a,b) + h(b,a) = vol(G) · R_eff(a, b) (Chandra et al. 1989)
    h_ab = hitting_times(GRAPH3, b, weighted=True)[nodes.index(a)]
    h_ba = hitting_times(GRAPH3, a, weighted=True)[nodes.index(b)]
    assert h_ab + h_ba == pytest.approx(commute, rel=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_kac_return_time(weighted):
    nodes = list(GRAPH3)
    P = transition_matrix(weight_matrix(GRAPH3, weighted))
    pi = stationary_distribution(weight_matrix(GRAPH3, weighted))
    for i in (0, 5, 18):
        h = hitting_times(GRAPH3, nodes[i], weighted=weighted)
        assert 1 + P[i] @ h == pytest.approx(1 / pi[i], rel=1e-10)  # Kac: E[return time] = 1/π_x


def test_random_search_closed_forms_against_enumeration():
    n, k = 6, 2
    positions = [1 + min(perm.index(t) for t in range(k)) for perm in permutations(range(n))]
    assert random_search_expected_evaluations(n, k) == pytest.approx(np.mean(positions))  # (N+1)/(k+1)
    assert random_search_expected_evaluations(55, 1) == 28.0  # notes ch1 §6.1 item 11
    assert random_search_expected_evaluations(55, 1, replace=True) == 55.0
    assert random_search_expected_evaluations(21, 3, replace=True) == 7.0


def test_notes_hitting_times_for_the_seeds_best_geometry():
    # notes ch1 §6.1 item 11: 55-node graph, target H2xE2^4: 107.1 unweighted, 98.5 with correct weights
    graph = search_space(5)
    assert expected_evaluations(graph, "H2xE2xE2xE2xE2") == pytest.approx(107.05, abs=0.01)
    assert expected_evaluations(graph, "H2xE2xE2xE2xE2", weighted=True) == pytest.approx(98.55, abs=0.01)


def within(estimate, exact, n_se=4.0):
    return abs(estimate.mean - exact) <= n_se * estimate.sem


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("target", [(-1, 0, 0), ((1,), (0, 0, 0))])
def test_simulated_walk_hitting_time_matches_exact(seed, weighted, target):
    exact = expected_evaluations(GRAPH3, target, weighted=weighted)
    name = "weighted_random_walk" if weighted else "random_walk"
    est = simulate_hitting_time(name, GRAPH3, target, 1500, np.random.default_rng(seed), max_evaluations=10_000)
    assert est.n_censored == 0 and within(est, exact)


@pytest.mark.parametrize("seed", [0, 1])
def test_blind_backtracking_is_the_naive_walk(seed):
    exact = expected_evaluations(GRAPH3, (0, 1), weighted=True)
    est = simulate_hitting_time("weighted_backtracking", GRAPH3, (0, 1), 1500, np.random.default_rng(seed),
                                max_evaluations=10_000)
    assert within(est, exact)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("replace", [False, True])
def test_simulated_random_search_matches_closed_form(seed, replace):
    targets = [(-1,), (0, 0), (1, 1, 1)]
    exact = random_search_expected_evaluations(19, 3, replace=replace)
    name = "random_search_with_replacement" if replace else "random_search"
    est = simulate_hitting_time(name, GRAPH3, targets, 3000, np.random.default_rng(seed), max_evaluations=10_000)
    assert within(est, exact)


@pytest.mark.parametrize("seed", [0, 1])
def test_code_dfs_on_complete_graph_is_random_search_without_replacement(seed):
    graph = relabelled(nx.complete_graph(21))  # the authors' paper-era K21 (notes ch1 §0.1)
    est = simulate_hitting_time("code_dfs", graph, list(graph)[4], 3000, np.random.default_rng(seed),
                                max_evaluations=100)
    assert within(est, random_search_expected_evaluations(21, 1))


def test_censored_runs_are_reported():
    est = simulate_hitting_time("random_walk", GRAPH3, (1, 1, 1), 50, np.random.default_rng(0), max_evaluations=2)
    assert est.n_censored > 0 and est.mean == np.inf and np.isnan(est.sem)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: random_walk(GRAPH3, lambda s: 0.0, 0, np.random.default_rng(0)), ValueError, "budget"),
        (lambda: random_walk(GRAPH3, lambda s: 0.0, 5, 0), TypeError, "rng"),
        (lambda: random_walk(GRAPH3, 3.0, 5, np.random.default_rng(0)), TypeError, "objective"),
        (lambda: random_walk(GRAPH3, lambda s: 0.0, 5, np.random.default_rng(0), start="H2xH2xH2xH2"),
         ValueError, "start"),
        (lambda: random_walk(GRAPH3, lambda s: float("nan"), 5, np.random.default_rng(0)), ValueError, "NaN"),
        (lambda: backtracking_walk(GRAPH3, lambda s: 0.0, 5, np.random.default_rng(0), on_local_minimum="jump"),
         ValueError, "on_local_minimum"),
        (lambda: simulate_hitting_time("bo", GRAPH3, (0,), 5, np.random.default_rng(0), max_evaluations=5),
         ValueError, "strategy"),
        (lambda: simulate_hitting_time("random_walk", GRAPH3, (0,), 0, np.random.default_rng(0), max_evaluations=5),
         ValueError, "n_sim"),
        (lambda: hitting_times(GRAPH3, (0, 0, 0, 0)), ValueError, "not a node"),
        (lambda: hitting_times(GRAPH3, []), ValueError, "targets"),
        (lambda: random_search_expected_evaluations(3, 4), ValueError, "n_targets"),
        (lambda: random_search_expected_evaluations(0, 1), ValueError, "n_nodes"),
        (lambda: random_walk(nx.Graph(), lambda s: 0.0, 5, np.random.default_rng(0)), ValueError, "graph"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_disconnected_target_gives_infinite_hitting_time():
    graph = search_space(3)
    graph.remove_edges_from([(a, b) for a, b, d in graph.edges(data=True) if d["kind"] == "resize"])
    with pytest.raises(ValueError, match="cannot reach"):
        hitting_times(graph, (0,))


# --------------------------------------------------------------------------- regression tests of the numerics review


@pytest.mark.parametrize("target", [[-1, 0, 0], np.array([-1, 0, 0]), [np.int64(-1), 0, 0], (-1.0, 0.0, 0.0),
                                    "H2xE2xE2", np.array([[-1, 0, 0]]), [(-1, 0, 0)]])
def test_a_flat_sequence_of_numbers_is_one_signature(target):
    # before: [-1, 0, 0] and np.array([-1, 0, 0]) were read as the three signatures -1, 0, 0 (a TypeError)
    expected = expected_evaluations(GRAPH3, (-1, 0, 0))
    assert expected_evaluations(GRAPH3, target) == pytest.approx(expected)
    est = simulate_hitting_time("random_walk", GRAPH3, target, 20, np.random.default_rng(0), max_evaluations=500)
    same = simulate_hitting_time("random_walk", GRAPH3, (-1, 0, 0), 20, np.random.default_rng(0), max_evaluations=500)
    np.testing.assert_array_equal(est.samples, same.samples)
    result = random_walk(GRAPH3, landscape(0), 30, np.random.default_rng(1), stop_at=target)
    assert result.first_hit(target) == result.first_hit((-1, 0, 0))


def test_several_targets_as_a_2d_array_or_list():
    two = [(-1, 0, 0), (1, 1, 1)]
    assert expected_evaluations(GRAPH3, np.array(two)) == pytest.approx(expected_evaluations(GRAPH3, two))


@pytest.mark.parametrize("value", [None, "low", object(), [1.0, 2.0]])
def test_objective_must_return_a_number(value):
    # before: a bare "float() argument must be a string or a real number, not 'NoneType'"
    with pytest.raises(TypeError, match=r"objective must return a real number.*for signature \("):
        random_walk(GRAPH3, lambda s: value, 5, np.random.default_rng(0))


def test_objective_may_return_numpy_and_torch_scalars():
    import torch

    for make in (np.float32, np.int64, lambda v: torch.tensor(v)):
        result = random_walk(GRAPH3, lambda s, make=make: make(1.0), 3, np.random.default_rng(0))
        assert result.values.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_max_evaluations_is_named(bad):
    # before: "budget (maximum number of evaluations) must be an integer >= 1, got 0"
    with pytest.raises(ValueError, match=r"max_evaluations"):
        simulate_hitting_time("random_walk", GRAPH3, (0,), 5, np.random.default_rng(0), max_evaluations=bad)


def test_targets_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"targets must be a signature or a collection of signatures"):
        hitting_times(GRAPH3, 3)
