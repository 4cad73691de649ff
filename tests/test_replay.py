"""Replay of search strategies on a landscape table: objectives (table draws, cache), regret and hitting-time
summaries, random search's closed forms, the blind walks' lock-step law, and greedy local search."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from latent_geometry.manifolds import format_signature
from latent_geometry.search.replay import (
    STRATEGY_NAMES,
    CachedObjective,
    EvaluationBudgetExhausted,
    TableObjective,
    landscape_means,
    replay,
)
from latent_geometry.search.space import search_space
from latent_geometry.search.walks import expected_evaluations, greedy_local_search

GRAPH3 = search_space(3)  # 19 nodes
GRAPH5 = search_space(5)  # 55 nodes


def synthetic_table(graph, n_seeds=3, seed=0, noise=0.3, strings=False):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=graph.number_of_nodes())
    return pd.DataFrame([{"signature": format_signature(s) if strings else s, "seed": k,
                          "loss": f[i] + noise * rng.normal()} for i, s in enumerate(graph) for k in range(n_seeds)])


def test_table_objective_draws_each_seed_uniformly_and_accepts_strings():
    table = synthetic_table(GRAPH3, strings=True)
    objective = TableObjective(table, np.random.default_rng(0))
    sig = (-1, 0, 0)
    draws = np.array([objective(sig) for _ in range(3000)])
    expected = np.sort(table.loc[table.signature == "H2xE2xE2", "loss"].to_numpy())
    values, counts = np.unique(draws, return_counts=True)
    np.testing.assert_allclose(values, expected)
    assert np.all(np.abs(counts / 3000 - 1 / 3) < 4 * math.sqrt(2 / 9 / 3000))
    assert objective("E2xE2xH2") in expected  # any spelling of the same signature
    np.testing.assert_allclose(landscape_means(table, GRAPH3)[list(GRAPH3).index(sig)], expected.mean())


def test_table_errors_name_the_problem():
    table = synthetic_table(GRAPH3)
    with pytest.raises(ValueError, match="no rows for 1 of the graph's 19 nodes"):
        replay("random_search", GRAPH3, table.iloc[3:], 5, 19, np.random.default_rng(0))
    with pytest.raises(ValueError, match="lacks column"):
        TableObjective(table.drop(columns="seed"), np.random.default_rng(0))
    bad = table.copy()
    bad.loc[4, "loss"] = np.nan
    with pytest.raises(ValueError, match="finite"):
        TableObjective(bad, np.random.default_rng(0))
    with pytest.raises(ValueError, match="repeated"):
        TableObjective(pd.concat([table, table.iloc[:1]]), np.random.default_rng(0))
    with pytest.raises(ValueError, match="strategy must be"):
        replay("annealing", GRAPH3, table, 5, 19, np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown option"):
        replay("random_search", GRAPH3, table, 5, 19, np.random.default_rng(0), temperature=1)
    # extra nodes in the table (a 55-node table for a 19-node graph) are fine
    replay("random_search", GRAPH3, synthetic_table(GRAPH5), 5, 19, np.random.default_rng(0))


def test_cached_objective_never_calls_the_wrapped_objective_twice_for_a_signature():
    calls = []

    def objective(sig):
        calls.append(sig)
        return float(len(calls))  # a different value on every real call

    cached = CachedObjective(objective, max_evaluations=3)
    rng = np.random.default_rng(0)
    spellings = {(-1, 0): ["H2xE2", "E2xH2", (0, -1), (-1, 0)], (0,): ["E2", (0,)], (1, 1): ["S2xS2", (1, 1)]}
    first = {}
    for _ in range(50):
        key = list(spellings)[rng.integers(3)]
        value = cached(spellings[key][rng.integers(len(spellings[key]))])
        assert first.setdefault(key, value) == value
    assert sorted(calls) == sorted(spellings) and len(calls) == len(set(calls)) == 3
    assert cached.calls == 50 and cached.evaluations == 3 and len(cached.queries) == 50
    with pytest.raises(EvaluationBudgetExhausted):
        cached((1,))
    assert cached("S2xS2") == first[(1, 1)]  # repeats stay free after the budget is spent
    with pytest.raises(ValueError, match="NaN"):
        CachedObjective(lambda s: float("nan"))((0,))


@pytest.fixture(scope="module")
def small_replay():
    table = synthetic_table(GRAPH3, n_seeds=2, seed=3)
    return replay("all", GRAPH3, table, 60, 25, np.random.default_rng(1))


def test_replay_outputs_have_the_right_shapes_and_regret_is_monotone(small_replay):
    res, names = small_replay, list(STRATEGY_NAMES)
    assert len(res.curves) == len(names) * 2 * 25 and len(res.hitting) == len(names) * 2
    assert set(res.curves.columns) >= {"strategy", "label", "costing", "k", "regret_mean", "regret_low",
                                       "regret_high", "p_found", "p_found_low", "p_found_high"}
    assert res.n_nodes == 19 and len(res.best) == 1 and set(res.seconds) == set(names)
    for (_, _), block in res.curves.groupby(["strategy", "costing"]):
        block = block.sort_values("k")
        assert list(block.k) == list(range(1, 26))
        assert np.all(np.diff(block.regret_mean) <= 1e-12) and np.all(block.regret_mean >= 0)
        assert np.all(block.regret_low <= block.regret_mean + 1e-12)
        assert np.all(block.regret_mean <= block.regret_high + 1e-12)
        assert np.all(np.diff(block.p_found) >= 0) and np.all((block.p_found >= 0) & (block.p_found <= 1))
    h = res.hitting.set_index(["strategy", "costing"])
    assert (h.n_censored.loc[["random_search", "bo_gh", "code_dfs", "greedy_local_search"]] == 0).all()
    assert np.all(h.lower_bound >= h["mean"] - 1e-9)  # censored runs count budget + 1 in the lower bound
    # strategies that never repeat a query cost the same under both costings
    for name in ("random_search", "code_dfs", "greedy_local_search", "bo_gh", "bo_unit", "bo_shuffled"):
        assert h.loc[(name, "cached"), "mean"] == h.loc[(name, "retrained"), "mean"]
    # a repeating strategy is cheaper (or equal) when repeats are free
    for name in ("random_search_with_replacement", "random_walk", "weighted_random_walk", "backtracking"):
        assert h.loc[(name, "cached"), "lower_bound"] <= h.loc[(name, "retrained"), "lower_bound"] + 1.0


def test_random_search_without_replacement_matches_its_closed_forms():
    n_runs, N = 1000, GRAPH5.number_of_nodes()
    res = replay("random_search", GRAPH5, synthetic_table(GRAPH5, seed=5), n_runs, N, np.random.default_rng(2))
    row = res.hitting.query("costing == 'retrained'").iloc[0]
    se = math.sqrt((N * N - 1) / 12 / n_runs)  # T is uniform on 1..N
    assert row.n_censored == 0 and abs(row["mean"] - (N + 1) / 2) < 4 * se
    assert row.ci_low < (N + 1) / 2 < row.ci_high or abs(row["mean"] - (N + 1) / 2) < 4 * se
    curve = res.curves.query("costing == 'retrained'")
    p, k = curve.p_found.to_numpy(), curve.k.to_numpy()
    assert np.all(np.abs(p - k / N) <= 4 * np.sqrt(k / N * (1 - k / N) / n_runs) + 1e-12)
    assert curve.regret_mean.iloc[-1] == 0.0 and curve.p_found.iloc[-1] == 1.0


@pytest.mark.parametrize("name,weighted", [("random_walk", False), ("weighted_random_walk", True)])
def test_lockstep_blind_walks_hit_the_best_node_as_the_exact_hitting_time_says(name, weighted):
    table = synthetic_table(GRAPH3, seed=7, noise=0.0)
    res = replay(name, GRAPH3, table, 1000, 600, np.random.default_rng(3))
    row = res.hitting.query("costing == 'retrained'").iloc[0]
    exact = expected_evaluations(GRAPH3, res.best, weighted=weighted)
    assert row.n_censored == 0
    assert abs(row["mean"] - exact) < 4 * (row.ci_high - row["mean"]) / 1.96


def test_greedy_local_search_descends_restarts_and_never_repeats():
    target = (-1, 0, 1)
    dist = nx.single_source_shortest_path_length(GRAPH3, target)
    for seed in range(5):  # a landscape without local minima: greedy reaches the target without restarting
        r = greedy_local_search(GRAPH3, lambda s: float(dist[s]), 19, np.random.default_rng(seed), stop_at=target)
        assert r.signatures[-1] == target and r.n_distinct == r.n_evaluations
    values = dict(zip(GRAPH3, np.random.default_rng(0).permutation(19).astype(float)))
    r = greedy_local_search(GRAPH3, values.__getitem__, 100, np.random.default_rng(0))
    assert r.n_evaluations == r.n_distinct == 19  # restarts until every node is evaluated, never repeating
