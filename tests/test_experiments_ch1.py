"""Chapter 1's table builders and claims (experiments/ch1): tables against eq. (4), closed forms and the spectral
facts of seed 000 §3.3; verdicts that follow from the measurements (a failing measurement changes the verdict);
and the chapter source that narrates them (glue through glue_values, every {eq} reference labelled)."""

import math
import re
from math import comb
from pathlib import Path

import jupytext
import numpy as np
import pytest

from latent_geometry.experiments.ch1.claims import (
    cluster_verdict,
    growth_verdict,
    part1_claims,
    reading_verdict,
    walk_verdict,
)
from latent_geometry.experiments.ch1.tables import (
    STRATEGIES,
    WEIGHTINGS,
    count_error,
    count_table,
    count_values,
    default_target,
    exp_map_check,
    exp_map_values,
    hitting_table,
    hitting_values,
    matching_values,
    seed_code_values,
    size_values,
    spectral_values,
    summary_table,
    table2_frame,
    weightings,
    zero_eigenvalues,
)
from latent_geometry.experiments.verdicts import VERDICTS, claims_table
from latent_geometry.manifolds import format_signature
from latent_geometry.search.space import search_space, search_space_size, signature_features

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "chapters" / "01_latent_geometry_search.py"
SPECTRAL_COLUMNS = ["λ2 (L_rw)", "multiplicity of λ2", "R(Fiedler, fraction H)", "R(Fiedler, fraction E)",
                    "R(Fiedler, #components)", "absolute gap", "relaxation time", "t_mix(1/4)", "max π / min π",
                    "zero eigenvalues"]


# ------------------------------------------------------------------------------------------------- tables


def test_count_table_matches_eq4_and_closed_forms():
    table = count_table(range(1, 6))
    assert list(table.index) == [1, 2, 3, 4, 5]
    assert table["nodes"].tolist() == [3, 9, 19, 34, 55] == [search_space_size(3, n) for n in range(1, 6)]
    assert (table["nodes"] == table["eq. (4)"]).all() and (table["edges"] == table["closed form"]).all()
    for n_p, row in table.iterrows():
        assert row["E2-H2"] == row["S2-H2"] == row["E2-S2"] == comb(n_p + 2, 3)
        assert row["resize"] == 3 * comb(n_p + 2, 3) - 3
    assert count_error(table) == 0
    values = count_values(table, (4, 5))
    assert values["counts_match"] == "match" and values["nodes_1_to_5"] == "3, 9, 19, 34, 55"
    assert (values["fig1_max_n_p"], values["fig1_max_nodes"], values["fig1_max_edges"]) == (5, 55, 207)


def test_count_error_sees_a_wrong_count():
    table = count_table([1, 2, 3])
    table.loc[2, "nodes"] += 1
    assert count_error(table) == 1 and count_values(table, [3])["counts_match"] == "DO NOT match"
    table = count_table([1, 2, 3])
    table.loc[3, "colours = closed form"] = False
    assert count_error(table) == 1


def test_size_values_are_cubic():
    sizes = size_values(5)
    assert sizes["sizes"] == {5: 55, 10: 285, 20: 1770, 40: 12340}
    assert sizes["cubic_error"] == 0 and 2.5 < sizes["loglog_slope"] < 3
    assert (sizes["all_sizes_nodes"], sizes["same_size_nodes"]) == (55, 21)


def test_table2_and_matching_values():
    frame = table2_frame()
    assert sorted(frame["d_GH (seed Table 2)"]) == [0.23, 0.77, 0.84]
    np.testing.assert_allclose(frame["edge weight 1/d_GH"], 1 / frame["d_GH (seed Table 2)"])
    m = matching_values(search_space(5))
    assert (m["wrong_edges"], m["swap_edges"]) == (20, 105) and m["edge_error"] == pytest.approx(0, abs=1e-15)
    assert m["far_d"] == pytest.approx(1.68) and (m["fm_example"], m["hu_example"]) == (0.77, 0.23)
    assert m["triangle"] == "0.23 + 0.77 ≥ 0.84" and m["resize_d"] == 1.0


def test_exp_map_check():
    maps = exp_map_check(0, n_rays=50, n_pairs=20)
    assert maps["ray_error"] < 1e-12 and maps["gs_product_error"] < 1e-12 and maps["on_manifold"] is True
    assert exp_map_values(maps)["on_manifold"] == "all"
    assert exp_map_values({**maps, "on_manifold": False})["on_manifold"] == "NOT all"


def test_summary_table_of_a_small_graph():
    graph = search_space(3)
    table = summary_table(weightings(graph, search_space(3, distance="first_mismatch")),
                          signature_features(list(graph)))
    assert list(table.columns) == SPECTRAL_COLUMNS and list(table.index) == list(WEIGHTINGS)
    assert (table["zero eigenvalues"] == 1).all()  # connected
    assert table.loc["unweighted", "multiplicity of λ2"] == 2  # relabelling E, S, H is an automorphism
    assert table.loc["seed (Hungarian)", "multiplicity of λ2"] == 1
    assert (table["λ2 (L_rw)"] > 0).all() and (table["relaxation time"] >= 1).all()
    assert table.loc["unweighted", "R(Fiedler, #components)"] == pytest.approx(0, abs=1e-6)
    values = spectral_values(table)
    assert {f"{k}_{w}" for k in ("lam2", "mult", "rh", "rn", "tmix", "pi_ratio")
            for w in WEIGHTINGS.values()} | {"mixing_verb"} == set(values)
    slows = table.loc["seed (Hungarian)", "t_mix(1/4)"] > table.loc["unweighted", "t_mix(1/4)"]
    assert values["mixing_verb"] == ("slows" if slows else "does not slow")


@pytest.mark.parametrize("n_p", [2, 4])
def test_zero_eigenvalues_with_and_without_resize_edges(n_p):
    zeros = zero_eigenvalues(search_space(n_p))
    assert zeros == {"zeros_full": 1, "components_full": 1, "zeros_pruned": n_p, "components_pruned": n_p}


def test_hitting_table_and_values():
    graph, target = search_space(3), default_target(3)
    assert format_signature(target) == "H2xE2xE2" and default_target(7) == (-1, 0, 0, 0, 0)
    table = hitting_table(graph, target, 300, np.random.default_rng(0))
    n = graph.number_of_nodes()
    assert list(table.index) == list(STRATEGIES)
    assert table.loc["random_search", "exact"] == (n + 1) / 2
    assert table.loc["random_search_with_replacement", "exact"] == n
    assert table.loc["backtracking", "exact"] == table.loc["random_walk", "exact"]
    assert math.isnan(table.loc["code_dfs", "exact"]) and math.isnan(table.loc["code_dfs", "|sim − exact| / sem"])
    assert (table["|sim − exact| / sem"].dropna() < 5).all()
    values = hitting_values(graph, table, target)
    assert values["target"] == "H2xE2xE2" and values["hit_ratio"] == pytest.approx(values["hit_rw"] / values["hit_rs"])
    again = hitting_table(graph, target, 300, np.random.default_rng(0))
    assert again.equals(table)  # seeded


def test_seed_code_values():
    values = seed_code_values(200, np.random.default_rng(0))
    assert (values["k21_nodes"], values["k21_edges"], values["k21_dfs"]) == (21, 210, 11.0)
    assert values["k21_naive"] == pytest.approx(1 + 20 * 20 / 21)  # uniform over the 20 others: 20 steps, 20/21 starts
    assert abs(values["k21_dfs_sim"] - 11.0) < 5 * values["k21_dfs_sem"]


# ------------------------------------------------------------------------------------------------- claims


@pytest.fixture(scope="module")
def measured():
    graph = search_space(5)
    return dict(
        maps=exp_map_check(0, n_rays=50, n_pairs=20), counts=count_table([1, 2, 3, 4, 5]), sizes=size_values(5),
        matching=matching_values(graph), zeros=zero_eigenvalues(graph),
        spectral=summary_table(weightings(graph, search_space(5, distance="first_mismatch")),
                               signature_features(list(graph))),
        hitting=hitting_table(graph, default_target(5), 200, np.random.default_rng(0)),
        target="H2xE2xE2xE2xE2", fig1_n_p=(4, 5))


EXPECTED = ["confirmed", "confirmed", "refuted", "confirmed", "our reading", "reproduced", "confirmed",
            "partly reproduced", "partly reproduced"]


def verdicts(**measured):
    return [c.verdict for c in part1_claims(**measured)]


def test_claims_of_the_measured_values(measured):
    claims = part1_claims(**measured)
    assert [c.verdict for c in claims] == EXPECTED
    assert all(c.verdict in VERDICTS for c in claims)
    frame = claims_table(claims, source="seed 000")
    assert list(frame.columns) == ["seed 000 says", "our evidence", "verdict", "note"]
    assert "3, 9, 19, 34, 55" in claims[1].evidence and "20/105" in claims[3].evidence
    assert "3.8x random search" in claims[8].note


def _changed(measured, row, **kw):
    """The verdict of claim ``row`` after replacing the named measurements."""
    return verdicts(**{**measured, **kw})[row]


def test_failing_measurements_change_the_verdicts(measured):
    m = measured
    assert _changed(m, 0, maps={**m["maps"], "ray_error": 1e-3}) == "refuted"
    assert _changed(m, 0, maps={**m["maps"], "on_manifold": False}) == "refuted"
    counts = m["counts"].copy()
    counts.loc[4, "nodes"] += 1
    assert _changed(m, 1, counts=counts) == "refuted" and _changed(m, 5, counts=counts) == "not reproduced"
    assert _changed(m, 2, sizes={**m["sizes"], "cubic_error": 1}) == "inconclusive"
    assert _changed(m, 4, sizes={**m["sizes"], "same_size_nodes": 55}) == "confirmed"
    assert _changed(m, 3, matching={**m["matching"], "edge_error": 0.54}) == "refuted"
    assert _changed(m, 6, zeros={**m["zeros"], "zeros_pruned": 4}) == "refuted"


def test_cluster_and_walk_verdicts_follow_their_thresholds(measured):
    m = measured
    spectral = m["spectral"].copy()
    spectral.loc["seed (Hungarian)", "R(Fiedler, #components)"] = 0.5
    assert _changed(m, 7, spectral=spectral) == "not reproduced"
    spectral.loc["seed (Hungarian)", "R(Fiedler, fraction H)"] = 0.9
    assert _changed(m, 7, spectral=spectral) == "reproduced"  # sorts by type, and the weights slow mixing
    spectral.loc["seed (Hungarian)", "t_mix(1/4)"] = 1
    assert _changed(m, 7, spectral=spectral) == "partly reproduced"
    hitting = m["hitting"].copy()
    hitting.loc["random_walk", "exact"] = 20.0  # cheaper than random search without replacement (28)
    assert _changed(m, 8, hitting=hitting) == "reproduced"
    hitting.loc["random_walk", "|sim − exact| / sem"] = 5.0  # simulation disagrees with the exact value
    assert _changed(m, 8, hitting=hitting) == "inconclusive"
    assert cluster_verdict(0.5, 0.5, True) == "not reproduced" and cluster_verdict(0.8, 0.1, True) == "reproduced"
    assert walk_verdict(math.inf, 28, 1.0) == "not reproduced" and walk_verdict(28, 28, 1.0) == "reproduced"
    assert walk_verdict(29, 28, 3.0) == "partly reproduced" and walk_verdict(29, 28, 3.01) == "inconclusive"
    assert growth_verdict(0) == "refuted" and reading_verdict(1) == "our reading"


# ------------------------------------------------------------------------------------------- chapter source


def test_chapter_glues_only_through_glue_values():
    """Short cells and untyped verdicts are tests/test_chapter_style.py's; here: no loop of myst_nb glue calls."""
    source = "\n".join(c.source for c in jupytext.read(CHAPTER).cells if c.cell_type == "code")
    assert "glue_values(" in source and "glue(" not in source.replace("glue_values(", "")
    assert "myst_nb" not in source


def test_chapter_equation_references_are_labelled():
    text = CHAPTER.read_text()
    labels = set(re.findall(r"^# \$\$ \(([\w-]+)\)$", text, flags=re.M))
    refs = set(re.findall(r"\{eq\}`([\w-]+)`", text))
    assert {"ch1-exp-maps", "ch1-distances", "ch1-product-distance", "ch1-node-count", "ch1-walk",
            "ch1-hitting"} <= labels
    assert refs and refs <= labels
