"""The search-space graph against eq. (4), closed-form edge counts, Table 2 and brute-force matching (seed 000)."""

from collections import Counter
from itertools import combinations_with_replacement
from math import comb

import networkx as nx
import numpy as np
import pytest

from latent_geometry.manifolds import canonical, format_signature
from latent_geometry.search.space import (
    PAIR_NAMES,
    RESIZE_D_GH,
    brute_force_product_distance,
    edge_counts,
    first_mismatch_distance,
    product_distance,
    search_space,
    search_space_size,
    seed_code_graph,
    signature_features,
    signatures,
    swap_edge_report,
)

SEEDS = [0, 1, 2]


def test_node_counts_for_n_p_1_to_5():
    # seed 000, eq. (4)
    assert [search_space(n).number_of_nodes() for n in range(1, 6)] == [3, 9, 19, 34, 55]


@pytest.mark.parametrize("n_s, n_p", [(3, 1), (3, 5), (3, 20), (1, 4), (2, 6), (5, 3)])
def test_eq4_equals_hockey_stick_closed_form(n_s, n_p):
    assert search_space_size(n_s, n_p) == comb(n_s + n_p, n_p) - 1


def test_eq4_values():
    assert [search_space_size(3, n) for n in (1, 2, 3, 4, 5, 20)] == [3, 9, 19, 34, 55, 1770]
    assert search_space(20).number_of_nodes() == search_space_size(3, 20)


@pytest.mark.parametrize("n_p", [1, 2, 3, 4, 5, 7, 10])
def test_edge_counts_by_colour_match_closed_forms(n_p):
    graph = search_space(n_p)
    colours = Counter(d["pair"] if d["kind"] == "swap" else "resize" for _, _, d in graph.edges(data=True))
    assert dict(colours) == {k: v for k, v in edge_counts(n_p).items() if v}
    # grey = 3·s(n_p − 1), s from seed 000, eq. (4); same-length edges of size i = Σ_j j·C(3, j)·C(i−1, j−1)
    grey = 3 * search_space_size(3, n_p - 1) if n_p > 1 else 0
    same = sum(j * comb(3, j) * comb(i - 1, j - 1) for i in range(1, n_p + 1) for j in range(1, 4))
    assert colours["resize"] == grey
    assert graph.number_of_edges() == grey + same


@pytest.mark.parametrize("n_p, nodes, edges", [(4, 34, 117), (5, 55, 207), (7, 119, 501), (10, 285, 1317),
                                               (13, 559, 2727), (16, 968, 4893), (20, 1770, 9237)])
def test_figure1_sizes(n_p, nodes, edges):
    graph = search_space(n_p)  # seed 000, Fig. 1 (sizes also checked against the authors' code for n_p ≤ 10)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)


def test_edges_are_exactly_single_edits_by_pair_scan():
    graph = search_space(4)
    nodes = list(graph)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            ca, cb = Counter(a), Counter(b)
            removed, added = sum((ca - cb).values()), sum((cb - ca).values())
            single_edit = (removed, added) in {(1, 1), (1, 0), (0, 1)}
            assert graph.has_edge(a, b) == single_edit, (a, b)


def test_same_size_only_graph():
    graph = search_space(5, same_size_only=True)
    assert graph.number_of_nodes() == comb(7, 2) == 21  # seed 000, §3.2: products of exactly n_p components
    assert graph.number_of_edges() == 3 * comb(6, 2) == 45
    assert {d["kind"] for _, _, d in graph.edges(data=True)} == {"swap"}


def test_graph_is_connected_and_nodes_sorted_tuples():
    graph = search_space(5)
    assert nx.is_connected(graph)
    assert all(list(s) == sorted(s) for s in graph)
    assert list(graph)[:3] == [(-1,), (0,), (1,)]


@pytest.mark.parametrize("seed", SEEDS)
def test_hungarian_equals_brute_force_on_random_pairs(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        n = int(rng.integers(1, 7))
        a, b = rng.integers(-1, 2, size=n), rng.integers(-1, 2, size=n)
        assert product_distance(a, b) == pytest.approx(brute_force_product_distance(a, b), abs=1e-12)


def test_hand_checkable_distances():
    assert product_distance("E2", "S2") == pytest.approx(0.23)
    assert product_distance((0, 0), (-1, 1)) == pytest.approx(0.77 + 0.23)  # E→H and E→S, the only matching
    assert product_distance((0, 1), (-1, 0)) == pytest.approx(0.84)  # E→E, S→H (0.84) beats E→H, S→E (1.00)
    assert product_distance("H2xE2", "E2xH2") == 0.0
    assert product_distance("H2xE2xE2", "S2xS2xS2") == pytest.approx(0.84 + 0.23 + 0.23)
    assert product_distance("H2xE2", "H2xS2") == pytest.approx(0.23)
    assert first_mismatch_distance("H2xE2", "H2xS2") == pytest.approx(0.77)  # the authors' rule: first mismatch


def test_swap_edges_carry_table2_distance_of_the_swapped_pair():
    table = {"E2-S2": 0.23, "E2-H2": 0.77, "S2-H2": 0.84}
    for a, b, d in search_space(5).edges(data=True):
        if d["kind"] == "swap":
            assert d["d_gh"] == pytest.approx(table[d["pair"]])
            assert d["d_gh"] == pytest.approx(brute_force_product_distance(a, b))
            assert d["weight"] == pytest.approx(1.0 / d["d_gh"])
        else:
            assert d["weight"] == 1.0 / RESIZE_D_GH and d["d_gh"] == RESIZE_D_GH
            assert abs(len(a) - len(b)) == 1


@pytest.mark.parametrize("n_p", [1, 3, 5])
def test_swap_edge_report(n_p):
    report = swap_edge_report(search_space(n_p))
    assert report["swap_edges"] == 3 * comb(n_p + 2, 3)
    assert report["table2_error"] == pytest.approx(0.0, abs=1e-15)
    assert report["brute_force_error"] == pytest.approx(0.0, abs=1e-15)
    wrong = {1: 0, 3: None, 5: 20}[n_p]
    assert wrong is None or report["first_mismatch_wrong"] == wrong


def test_swap_edge_report_sees_a_wrong_weight():
    graph = search_space(3)
    a, b = next((a, b) for a, b, d in graph.edges(data=True) if d["kind"] == "swap")
    graph[a][b]["d_gh"] += 0.1
    assert swap_edge_report(graph)["table2_error"] == pytest.approx(0.1)
    coded = swap_edge_report(search_space(5, distance="first_mismatch"))
    assert coded["table2_error"] == pytest.approx(0.77 - 0.23)  # the authors' rule on an E↔S edge next to an H


def test_cross_size_weight_parameter():
    graph = search_space(3, cross_size_weight=1 / 0.23)
    resize = [d for _, _, d in graph.edges(data=True) if d["kind"] == "resize"]
    assert all(d["weight"] == pytest.approx(1 / 0.23) and d["d_gh"] == pytest.approx(0.23) for d in resize)
    added = Counter(d["added"] for d in resize)
    assert added == {"H2": 9, "E2": 9, "S2": 9}


def test_first_mismatch_rule_differs_on_20_of_105_edges():
    # the authors' first-mismatch rule: an E↔S swap with an H present gets 0.77 instead of 0.23
    graph = search_space(5, distance="first_mismatch")
    swaps = [(a, b, d) for a, b, d in graph.edges(data=True) if d["kind"] == "swap"]
    wrong = [(a, b) for a, b, d in swaps if abs(d["d_gh"] - product_distance(a, b)) > 1e-12]
    assert len(swaps) == 105 and len(wrong) == 20
    assert all(-1 in a and -1 in b for a, b in wrong)


def test_seed_code_graph_is_complete_k21():
    graph = seed_code_graph(5)
    assert graph.number_of_nodes() == 21 and graph.number_of_edges() == 210
    assert Counter(round(d["d_gh"], 2) for _, _, d in graph.edges(data=True)) == {0.77: 140, 0.23: 35, 0.84: 35}


def test_signature_parsing_and_names():
    assert _node("H2xE2xS2") == (-1, 0, 1)
    assert _node("S2×h2") == (-1, 1)
    assert _node((1, 0, -1)) == (-1, 0, 1)
    assert _node(np.array([0.0, -1.0])) == (-1, 0)
    assert format_signature((-1, 0, 0, 0, 1)) == "H2xE2xE2xE2xS2"  
    assert signatures(2) == [(-1,), (0,), (1,)] + list(combinations_with_replacement((-1, 0, 1), 2))


def test_signature_features():
    f = signature_features([(-1, 0), (1,), (-1, -1, 0)])
    np.testing.assert_allclose(f["n_components"], [2, 1, 3])
    np.testing.assert_allclose(f["frac_h"], [0.5, 0, 2 / 3])
    np.testing.assert_allclose(f["frac_h"] + f["frac_e"] + f["frac_s"], 1.0)


def test_pair_names_cover_table2():
    assert sorted(PAIR_NAMES.values()) == ["E2-H2", "E2-S2", "S2-H2"]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: search_space(0), "n_p"),
        (lambda: search_space(-2), "n_p"),
        (lambda: search_space(2.0), "n_p"),
        (lambda: search_space(3, cross_size_weight=0.0), "cross_size_weight"),
        (lambda: search_space(3, cross_size_weight=float("inf")), "cross_size_weight"),
        (lambda: search_space(3, distance="euclid"), "distance"),
        (lambda: search_space_size(0, 3), "n_s"),
        (lambda: search_space_size(3, 0), "n_p"),
        (lambda: product_distance("H2xE2", "H2"), "equal numbers of components"),
        (lambda: product_distance("H2xR2", "H2xE2"), "unknown component"),
        (lambda: _node((0, 2)), "curvatures -1 \\(H2\\), 0 \\(E2\\) and 1 \\(S2\\) only"),
        (lambda: _node(()), "at least one component"),
        (lambda: _node(""), "at least one component"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_signature_type_raises_type_error():
    with pytest.raises(TypeError, match="signature"):
        _node((True, 0))  # a bool is not a curvature
    with pytest.raises(TypeError, match="signature"):
        _node(3)


def _node(signature):
    return canonical(signature, unit=True)
