"""Chapter 1, part 2 analyses: the landscape statistics, the claim rules, the part-1 revisions and the grids."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from latent_geometry.experiments.ch1.landscape import (
    claimed_geometry_gap,
    final_losses,
    geometry_effect,
    geometry_table,
    mean_landscape,
    trajectories,
)
from latent_geometry.experiments.ch1.part1_revised import (
    distinct_hitting_table,
    eigenpair_table,
    resize_sweep,
    sweep_values,
    unit_ball_gh_bounds,
)
from latent_geometry.experiments.ch1.part2_claims import (
    beats_random_search_verdict,
    best_geometry_verdict,
    conclusion,
    geometry_matters_verdict,
    no_worse_verdict,
    regret_difference,
    reported_loss_verdict,
    resolved_verdict,
    smoother_verdict,
)
from latent_geometry.experiments.ch1.part2_values import (
    hitting_summary,
    landscape_graph,
    loss_baselines,
    relu_table,
    smoothness_frame,
)
from latent_geometry.experiments.ch1.walk_runs import WALKS, walk_values
from latent_geometry.experiments.statistics import paired_difference, t_interval
from latent_geometry.experiments.verdicts import Claim
from latent_geometry.manifolds import format_signature
from latent_geometry.search.replay import TableObjective
from latent_geometry.search.space import search_space, signatures


def landscape_frame(effect=0.0, n_seeds=4, noise=1e-3, seed=0, n_p=5, epochs=2):
    """A synthetic landscape: loss = 0.05 + effect·#H² + seed offset + noise (seed offsets shared by geometries)."""
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0, 5e-3, n_seeds)
    rows = []
    for s in signatures(n_p):
        for k in range(n_seeds):
            base = 0.05 + effect * s.count(-1) + offsets[k] + rng.normal(0, noise)
            for e in range(1, epochs + 1):
                rows.append({"dataset": "mnist", "signature": format_signature(s), "n_p": len(s), "seed": k,
                             "epoch": e, "train_loss": base + 0.01 / e, "val_loss": base + 0.01 * (e < epochs),
                             "test_loss": base if e == epochs else None})
    return pd.DataFrame(rows)


def test_t_interval_matches_scipy_and_refuses_nan():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    ci = t_interval(x)
    low, high = stats.t.interval(0.95, 3, loc=x.mean(), scale=stats.sem(x))
    assert math.isclose(ci.low, low) and math.isclose(ci.high, high) and ci.n == 4
    with pytest.raises(ValueError, match="finite"):
        t_interval([1.0, float("nan"), 2.0])
    with pytest.raises(ValueError, match="at least 2"):
        t_interval([1.0])
    d = paired_difference([1.0, 2.0, 3.0], [0.5, 1.0, 2.5])
    assert math.isclose(d.mean, np.mean([0.5, 1.0, 0.5]))


def test_final_losses_takes_the_last_epoch():
    final = final_losses(landscape_frame())
    assert len(final) == 55 * 4 and final["test_loss"].notna().all()


def test_a_real_geometry_effect_is_detected_and_a_null_one_is_not():
    strong = final_losses(landscape_frame(effect=2e-3))
    e = geometry_effect(strong, "mnist", 5)
    assert e["friedman_p"] < 1e-6 and e["n_worse"] > 0 and "H2" not in e["best"]
    assert geometry_matters_verdict(e["friedman_p"], 0.5) == "reproduced"
    null = final_losses(landscape_frame(effect=0.0, noise=1e-4))
    n = geometry_effect(null, "mnist", 5)
    assert n["friedman_p"] > 1e-3


def test_claimed_geometry_loses_when_hyperbolic_components_hurt():
    final = final_losses(landscape_frame(effect=2e-3))
    claimed = claimed_geometry_gap(final, "mnist", "H2xE2xE2xE2xE2")
    assert claimed["rank"] > 1 and claimed["gap"][1] > 0
    assert best_geometry_verdict(claimed["rank"], claimed["gap"]) == "not reproduced"
    helps = claimed_geometry_gap(final_losses(landscape_frame(effect=-2e-3, noise=2e-4)), "mnist", "H2xH2xH2xH2xH2")
    assert helps["rank"] == 1 and best_geometry_verdict(helps["rank"], helps["gap"]) == "reproduced"


def test_geometry_table_pairs_with_the_euclidean_latent_of_the_same_size():
    table = geometry_table(final_losses(landscape_frame(effect=1e-3)), "mnist")
    assert np.isnan(table.loc["E2xE2", "− Euclidean"])
    assert math.isclose(table.loc["H2xE2", "− Euclidean"], 1e-3, rel_tol=0.5)
    assert set(table["rank"][table["n_p"] == 5]) <= set(range(1, 22))


def test_trajectories_and_mean_landscape_shapes():
    frame = landscape_frame(epochs=3)
    assert trajectories(frame, "mnist", 5).shape == (3, 21)
    graph = search_space(5)
    assert mean_landscape(final_losses(frame), "mnist", list(graph)).shape == (55,)
    with pytest.raises(ValueError, match="lacks"):
        mean_landscape(final_losses(frame[frame["n_p"] == 5]), "mnist", list(graph))


def test_claim_rules():
    assert geometry_matters_verdict(0.5, 0.001) == "not reproduced"
    assert geometry_matters_verdict(0.5, 0.2) == "inconclusive"
    assert no_worse_verdict((-0.01, 0.05), reference=1.0) == "reproduced"
    assert no_worse_verdict((-0.5, -0.3), reference=1.0) == "not reproduced"
    assert no_worse_verdict((-0.5, 0.3), reference=1.0) == "inconclusive"
    assert beats_random_search_verdict((5.0, 7.0), 11.0, 0) == "reproduced"
    assert beats_random_search_verdict((5.0, 7.0), 11.0, 3) == "inconclusive"
    assert beats_random_search_verdict((12.0, 14.0), 11.0, 0) == "not reproduced"
    assert smoother_verdict(0.01) == "reproduced" and smoother_verdict(0.3) == "inconclusive"
    assert resolved_verdict("not reproduced", 0.001) == "not reproduced"
    assert resolved_verdict("not reproduced", 0.5) == "inconclusive"
    assert reported_loss_verdict((0.79, 0.81), 0.78, 0.82) == "reproduced"
    assert reported_loss_verdict(0.70, 0.78, 0.82) == "not reproduced"
    text = conclusion([Claim("(a) x", "e", "reproduced"), Claim("(b) y", "e", "inconclusive"),
                       Claim("(c) z", "e", "reproduced")])
    assert text == "Reproduced: (a), (c). Inconclusive: (b)."


def test_regret_difference_from_curves():
    curves = pd.DataFrame([{"strategy": s, "k": 20, "costing": "retrained", "regret_mean": m, "n_runs": 1000,
                            "regret_high": m + stats.t.ppf(0.975, 999) * 0.01} for s, m in (("a", 0.1), ("b", 0.3))])
    low, high = regret_difference(curves, "a", "b", 20)
    half = stats.norm.ppf(0.975) * math.hypot(0.01, 0.01)
    assert math.isclose(low, 0.2 - half) and math.isclose(high, 0.2 + half)


def test_hitting_summary_lets_only_the_lower_bound_decide_when_runs_are_censored():
    hitting = pd.DataFrame([
        {"label": "A", "costing": "retrained", "mean": 5.0, "ci_low": 4.0, "ci_high": 6.0, "n_censored": 0,
         "n_runs": 100, "lower_bound": 5.0},
        {"label": "B", "costing": "retrained", "mean": 5.0, "ci_low": 4.0, "ci_high": 6.0, "n_censored": 40,
         "n_runs": 100, "lower_bound": 9.0},
        {"label": "C", "costing": "retrained", "mean": 5.0, "ci_low": 4.0, "ci_high": 6.0, "n_censored": 40,
         "n_runs": 100, "lower_bound": 30.0}])
    words = hitting_summary(hitting, 21)["vs (N+1)/2"].tolist()
    assert words == ["fewer", "undecided (censored)", "more"]


def test_loss_baselines_on_standardized_targets():
    import torch

    x = torch.rand(50, 1, 4, 4)
    z = (x - 0.1307) / 0.3081
    b = loss_baselines(z, z, standardized=True)
    assert b["floor"] <= b["clipped_mean"] and math.isclose(b["zero"], float((z ** 2).mean()), rel_tol=1e-6)
    assert set(loss_baselines(x, x, standardized=False)) == {"mean_image"}


def test_relu_table_pairs_by_seed():
    a = landscape_frame(n_seeds=3)
    b = a.assign(val_loss=a["val_loss"] + 0.01)
    table = relu_table(b, a, landscape_has_relu=False)  # b = the ReLU runs, worse by 0.01
    assert np.allclose(table["with − without"], 0.01) and (table["low"] > 0).all()


def test_smoothness_frame_on_a_smooth_landscape():
    graph = search_space(5)
    f = np.array([s.count(-1) + 0.01 * len(s) for s in graph], dtype=float)  # smooth in the H² count
    values, table = smoothness_frame(f, graph, n_clusters=3, n_perm=200, rng=np.random.default_rng(0))
    assert values["energy_unit"] < 1 and values["energy_unit_p"] < 0.05 and len(table) == 2
    sub = landscape_graph(graph, "exactly", 5)
    assert sub.number_of_nodes() == 21 and all(len(s) == 5 for s in sub)


def test_walk_values_shapes_and_table_values():
    graph = search_space(2)
    table = pd.DataFrame([{"signature": s, "seed": k, "loss": float(len(s) + k)} for s in graph for k in range(2)])
    rng = np.random.default_rng(0)
    values = walk_values(graph, lambda r: TableObjective(table, rng), 5, 6, rng)
    assert set(values) == set(WALKS) and all(v.shape == (5, 6) for v in values.values())
    observed = np.concatenate([v[np.isfinite(v)] for v in values.values()])
    assert set(np.unique(observed)) <= set(table["loss"])


def test_part1_revisions_on_the_seed_graph():
    from latent_geometry.search.space import signature_features
    from latent_geometry.search.spectral import weight_matrix

    graph = search_space(5)
    pairs = eigenpair_table({"seed (Hungarian)": weight_matrix(graph)}, signature_features(list(graph)))
    row = pairs.loc["seed (Hungarian)"]
    assert row["λ2"] <= row["λ3"] and 0 <= row["(λ3 − λ2)/λ2"] < 0.2  # λ2 and λ3 are close (~7 %)
    sweep = resize_sweep(5, (0.25, 4.0), (-1, 0, 0, 0, 0))
    assert sweep.loc[0.25, "v2 follows"] == "#components" and sweep.loc[4.0, "v2 follows"] == "fraction H"
    assert sweep_values(sweep)["sweep_flip"] == "4"
    bounds = unit_ball_gh_bounds(8, 24)
    assert (bounds.iloc[:, 0] < bounds["Table 2"]).all() and (bounds.iloc[:, 0] > 0).all()


def test_cached_costing_never_exceeds_the_retrained_one():
    graph = search_space(3)
    table = distinct_hitting_table(graph, (-1, 0, 0), 200, np.random.default_rng(1))
    assert (table["cached"] <= table["retrained"] + 1e-12).all()
    rs = table.loc["random_search"]
    assert rs["cached"] == rs["retrained"] and abs(rs["cached"] - 10) < 4 * rs["sem (cached)"]


def test_chapter_grids_follow_the_config():
    from latent_geometry.runtime.ch1_grids import as_seed_grid, landscape_grid, relu_grid
    from latent_geometry.runtime.config import make_config

    cfg = make_config("ch1", "laptop")
    land = landscape_grid(cfg)
    assert len(land.jobs) == 55 * 3 + 21 * 3 and land.settings.n_train == cfg.n_train
    seed = as_seed_grid(cfg)
    assert seed.settings.setup == "as-seed" and seed.settings.n_train == 300 and seed.settings.final_relu
    assert relu_grid(cfg).settings.final_relu is (not cfg.final_relu)
