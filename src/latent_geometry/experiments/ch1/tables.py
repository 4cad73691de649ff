"""Tables and measured values of chapter 1, part 1 (seed 000: Table 1, Table 2, eq. (4), Fig. 1, §3.3).

Each function measures one thing the chapter shows and returns a pandas DataFrame (what the reader sees) or a
dict of plain numbers and words (what the prose glues, with :func:`latent_geometry.experiments.glue.glue_values`).
The claims builder (:mod:`latent_geometry.experiments.ch1.claims`) turns the same values into verdicts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from math import comb, log

import networkx as nx
import numpy as np
import pandas as pd
import torch

from latent_geometry._util.checks import check_int
from latent_geometry.manifolds import ModelSpace, ProductManifold, format_signature
from latent_geometry.search.space import (
    PAIR_NAMES,
    RESIZE_D_GH,
    TABLE2_D_GH,
    edge_counts,
    first_mismatch_distance,
    product_distance,
    search_space,
    search_space_size,
    seed_code_graph,
    signatures,
    swap_edge_report,
)
from latent_geometry.search.spectral import laplacian_spectrum, n_zero_eigenvalues, spectral_summary, weight_matrix
from latent_geometry.search.walks import expected_evaluations, random_search_expected_evaluations, simulate_hitting_time

N_S = 3  # model spaces E², S², H²
WEIGHTINGS = {"unweighted": "unw", "seed (Hungarian)": "hu", "authors' code": "code"}
"""The three weightings of the spectral comparison, with the short keys of their glued values."""
STRATEGIES = ("random_walk", "weighted_random_walk", "backtracking", "code_dfs", "random_search",
              "random_search_with_replacement")
"""The strategies of the hitting-time table, in the order they draw from the generator."""


# ------------------------------------------------------------------------------------- Table 1, eq. (1)


def exp_map_check(seed: int, n_rays: int = 500, n_pairs: int = 300, max_norm: float = 3.0) -> dict:
    """The ray identity d(o, exp_o u) = ‖u‖ on E², S², H² and eq. (1) against geomstats (seed 000, Table 1).

    Tangent vectors of norm < ``max_norm`` (< π, inside S²'s cut locus) are drawn from a ``torch.Generator``
    seeded with ``seed``, in float64. Returns ``ray_error`` (max |d(o, exp u) − ‖u‖| over the three spaces),
    ``gs_product_error`` (max |d_ours − d_geomstats| on H2xE2xS2, geomstats' ``ProductManifold`` of Hyperboloid,
    Euclidean and Hypersphere in the same ambient coordinates) and ``on_manifold`` (every mapped point lies on
    its manifold to 1e-9).
    """
    from latent_geometry._util.geomstats_shim import geomstats  # noqa: F401  (sets the backend first)
    from geomstats.geometry.euclidean import Euclidean
    from geomstats.geometry.hyperboloid import Hyperboloid
    from geomstats.geometry.hypersphere import Hypersphere
    from geomstats.geometry.product_manifold import ProductManifold as GsProductManifold

    gen = torch.Generator().manual_seed(check_int(seed, "seed", low=0))
    direction = torch.nn.functional.normalize(torch.randn(n_rays, 2, generator=gen, dtype=torch.float64), dim=-1)
    u = max_norm * torch.rand(n_rays, 1, generator=gen, dtype=torch.float64) * direction
    ray_error = max(float((space.dist(space.origin(torch.float64), space.expmap0(u)) - u.norm(dim=-1)).abs().max())
                    for space in (ModelSpace(0), ModelSpace(1), ModelSpace(-1)))
    product = ProductManifold("H2xE2xS2")
    a, b = (torch.randn(n_pairs, 6, generator=gen, dtype=torch.float64) for _ in range(2))
    x, y = product.expmap0(a), product.expmap0(b)
    gs_product = GsProductManifold([Hyperboloid(2), Euclidean(2), Hypersphere(2)])
    gs_error = float(np.abs(product.dist(x, y).numpy() - gs_product.metric.dist(x.numpy(), y.numpy())).max())
    return {"ray_error": ray_error, "gs_product_error": gs_error,
            "on_manifold": bool(product.belongs(x, atol=1e-9).all())}


def exp_map_values(check: Mapping) -> dict:
    """The prose's words and numbers from an :func:`exp_map_check`: ``on_manifold`` becomes "all" / "NOT all"."""
    return {**check, "on_manifold": "all" if check["on_manifold"] else "NOT all"}


# ------------------------------------------------------------------------------------------ Table 2


def table2_frame() -> pd.DataFrame:
    """Seed 000's Table 2: the Gromov–Hausdorff distance of each pair of model spaces and its edge weight 1/d_GH."""
    return pd.DataFrame([{"pair": PAIR_NAMES[key], "d_GH (seed Table 2)": d, "edge weight 1/d_GH": 1 / d}
                         for key, d in TABLE2_D_GH.items()])


def matching_values(graph: nx.Graph, far_pair=("H2xH2xE2", "S2xS2xE2"), example=("H2xE2", "H2xS2")) -> dict:
    """The Hungarian matching on the swap edges of ``graph`` and off them (seed 000, §3.2, Table 2).

    ``swap_edges``, ``wrong_edges`` (where the authors' first-mismatch rule differs), ``edge_error`` (the larger
    of :func:`~latent_geometry.search.space.swap_edge_report`'s Table 2 and brute-force errors), ``far_pair`` and
    ``far_d`` (two products that are not neighbours, and their distance), ``fm_example`` / ``hu_example`` (the
    first-mismatch and Hungarian distances of ``example``), ``triangle`` (Table 2's triangle inequality, in words)
    and ``resize_d`` (:data:`~latent_geometry.search.space.RESIZE_D_GH`).
    """
    report = swap_edge_report(graph)
    d = {name: TABLE2_D_GH[key] for key, name in PAIR_NAMES.items()}
    return {
        "far_pair": " and ".join(far_pair), "far_d": product_distance(*far_pair),
        "wrong_edges": report["first_mismatch_wrong"], "swap_edges": report["swap_edges"],
        "edge_error": max(report["table2_error"], report["brute_force_error"]),
        "fm_example": first_mismatch_distance(*example), "hu_example": product_distance(*example),
        "triangle": f"{d['E2-S2']:g} + {d['E2-H2']:g} ≥ {d['S2-H2']:g}",
        "resize_d": RESIZE_D_GH,
    }


# ----------------------------------------------------------------------------------- eq. (4), Fig. 1


def count_table(n_ps: Iterable[int]) -> pd.DataFrame:
    """Node and edge counts of ``search_space(n_p)`` for each n_p against eq. (4) and the closed forms (seed 000).

    Index ``n_p``; columns ``nodes``, ``eq. (4)`` (:func:`search_space_size`), ``edges``, ``closed form``
    (:func:`edge_counts`), the edge count of each Fig. 1 colour (``resize``, ``E2-H2``, ``S2-H2``, ``E2-S2``),
    ``colours = closed form`` and ``build (s)`` (wall time of building the graph).
    """
    rows = []
    for n_p in sorted({check_int(n, "n_p", low=1) for n in n_ps}):
        t0 = time.perf_counter()
        g = search_space(n_p)
        seconds = time.perf_counter() - t0
        counts = edge_counts(n_p)
        colours = pd.Series([d["pair"] if d["kind"] == "swap" else "resize" for *_, d in g.edges(data=True)])
        colours = colours.value_counts()
        rows.append({
            "n_p": n_p, "nodes": g.number_of_nodes(), "eq. (4)": search_space_size(N_S, n_p),
            "edges": g.number_of_edges(), "closed form": sum(counts.values()),
            **{k: int(colours.get(k, 0)) for k in ("resize", "E2-H2", "S2-H2", "E2-S2")},
            "colours = closed form": all(int(colours.get(k, 0)) == v for k, v in counts.items()),
            "build (s)": round(seconds, 3),
        })
    return pd.DataFrame(rows).set_index("n_p")


def count_error(table: pd.DataFrame) -> int:
    """Largest disagreement in a :func:`count_table`: |nodes − eq. (4)|, |edges − closed form|, 1 for a colour."""
    return int(max((table["nodes"] - table["eq. (4)"]).abs().max(), (table["edges"] - table["closed form"]).abs().max(),
                   int((~table["colours = closed form"].astype(bool)).any())))


def count_values(table: pd.DataFrame, fig1_n_p: Iterable[int]) -> dict:
    """The prose's numbers from a :func:`count_table`: ``counts_match``, ``nodes_1_to_5`` and the largest Fig. 1
    panel's ``fig1_max_n_p``, ``fig1_max_nodes``, ``fig1_max_edges``, ``fig1_max_seconds``."""
    largest = max(fig1_n_p)
    return {
        "counts_match": "match" if count_error(table) == 0 else "DO NOT match",
        "nodes_1_to_5": ", ".join(str(table.loc[n, "nodes"]) for n in range(1, 6) if n in table.index),
        "fig1_max_n_p": largest, "fig1_max_nodes": int(table.loc[largest, "nodes"]),
        "fig1_max_edges": int(table.loc[largest, "edges"]), "fig1_max_seconds": float(table.loc[largest, "build (s)"]),
    }


def size_values(n_p: int, n_ps: Iterable[int] = (5, 10, 20, 40)) -> dict:
    """How eq. (4) grows (seed 000, eq. (4)): ``sizes`` s(n_p) at ``n_ps``; ``cubic_error``, the largest
    |s(n) − (C(n+3, 3) − 1)| for n = 1…max(n_ps) (0: s is a polynomial of degree n_s = 3); ``loglog_slope``
    between the two largest n_ps (→ 3 for a cubic, unbounded for an exponential); and, at ``n_p``, the number of
    products of all sizes 1…n_p (``all_sizes_nodes``, eq. (4)) and of exactly n_p components (``same_size_nodes``).
    """
    n_ps = sorted(n_ps)
    sizes = {n: search_space_size(N_S, n) for n in n_ps}
    cubic = max(abs(search_space_size(N_S, n) - (comb(n + N_S, N_S) - 1)) for n in range(1, n_ps[-1] + 1))
    return {"sizes": sizes, "cubic_error": cubic,
            "loglog_slope": log(sizes[n_ps[-1]] / sizes[n_ps[-2]]) / log(n_ps[-1] / n_ps[-2]),
            "all_sizes_nodes": search_space_size(N_S, n_p), "same_size_nodes": len(signatures(n_p, True))}


# ------------------------------------------------------------------------------------------- §3.3 spectrum


def weightings(graph: nx.Graph, coded_graph: nx.Graph) -> dict[str, np.ndarray]:
    """The three weight matrices compared (keys of :data:`WEIGHTINGS`): unweighted, seed (Hungarian 1/d_GH, resize
    weight from ``graph``), and the authors' code (``coded_graph``: first-mismatch rule, resize weight 1)."""
    return {"unweighted": weight_matrix(graph, False), "seed (Hungarian)": weight_matrix(graph, True),
            "authors' code": weight_matrix(coded_graph, True)}


def summary_table(W: Mapping[str, np.ndarray], features: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One row per weight matrix of :func:`~latent_geometry.search.spectral.spectral_summary` (seed 000, §3.3).

    Columns ``λ2 (L_rw)``, ``multiplicity of λ2``, ``R(Fiedler, fraction H)``, ``R(Fiedler, fraction E)``,
    ``R(Fiedler, #components)`` (``features`` from :func:`signature_features` of the graph's nodes), ``absolute
    gap``, ``relaxation time``, ``t_mix(1/4)``, ``max π / min π``, ``zero eigenvalues``; index ``graph``.
    """
    named = {"fraction H": features["frac_h"], "fraction E": features["frac_e"],
             "#components": features["n_components"]}
    rows = []
    for name, w in W.items():
        s = spectral_summary(w, named)
        rows.append({"graph": name, "λ2 (L_rw)": s["lambda2"], "multiplicity of λ2": s["multiplicity"],
                     **{f"R(Fiedler, {k})": r for k, r in s["R"].items()},
                     "absolute gap": s["absolute_gap"], "relaxation time": s["relaxation_time"],
                     "t_mix(1/4)": s["t_mix"], "max π / min π": s["pi_ratio"], "zero eigenvalues": s["n_zero"]})
    return pd.DataFrame(rows).set_index("graph")


def spectral_values(table: pd.DataFrame) -> dict:
    """The prose's numbers from a :func:`summary_table` of :data:`WEIGHTINGS`: ``lam2_<key>``, ``mult_<key>``,
    ``rh_<key>``, ``rn_<key>``, ``tmix_<key>``, ``pi_ratio_<key>`` per weighting, and ``mixing_verb`` (whether the
    seed's weights slow mixing against the unweighted walk)."""
    values = {}
    for name, key in WEIGHTINGS.items():
        row = table.loc[name]
        values |= {f"lam2_{key}": float(row["λ2 (L_rw)"]), f"mult_{key}": int(row["multiplicity of λ2"]),
                   f"rh_{key}": float(row["R(Fiedler, fraction H)"]),
                   f"rn_{key}": float(row["R(Fiedler, #components)"]),
                   f"tmix_{key}": int(row["t_mix(1/4)"]), f"pi_ratio_{key}": float(row["max π / min π"])}
    slower = table.loc["seed (Hungarian)", "t_mix(1/4)"] > table.loc["unweighted", "t_mix(1/4)"]
    return values | {"mixing_verb": "slows" if slower else "does not slow"}


def zero_eigenvalues(graph: nx.Graph) -> dict:
    """Zero eigenvalues of L = D − W (seed weights) with and without the resize edges, beside the numbers of
    connected components (seed 000, §3.3): ``zeros_full``, ``components_full``, ``zeros_pruned``,
    ``components_pruned``."""
    pruned = graph.copy()
    pruned.remove_edges_from([(s, t) for s, t, d in graph.edges(data=True) if d["kind"] == "resize"])
    return {"zeros_full": n_zero_eigenvalues(laplacian_spectrum(weight_matrix(graph))[0]),
            "components_full": nx.number_connected_components(graph),
            "zeros_pruned": n_zero_eigenvalues(laplacian_spectrum(weight_matrix(pruned))[0]),
            "components_pruned": nx.number_connected_components(pruned)}


# ------------------------------------------------------------------------------------------- hitting times


def default_target(n_p: int) -> tuple[int, ...]:
    """The seed's best MNIST geometry H²×(E²)⁴ at n_p ≥ 5, else H²×(E²)^(n_p−1)."""
    n_p = check_int(n_p, "n_p", low=1)
    return (-1, 0, 0, 0, 0) if n_p >= 5 else (-1,) + (0,) * (n_p - 1)


def hitting_table(graph: nx.Graph, target, n_sim: int, rng: np.random.Generator) -> pd.DataFrame:
    """Expected evaluations until a blind search first evaluates ``target``: exact and simulated (seed 000, §3.3).

    Exact values solve (I − Q)h = 1 (:func:`~latent_geometry.search.walks.expected_evaluations`; the backtracking
    walk under a blind objective accepts every step, so it equals the naive walk; the authors' depth-first search
    has no closed form: NaN) or are random search's closed forms. Each strategy of :data:`STRATEGIES` is simulated
    ``n_sim`` times from ``rng`` in that order. Columns ``exact``, ``simulated``, ``sem``, ``|sim − exact| / sem``.
    """
    n_nodes = graph.number_of_nodes()
    walk = expected_evaluations(graph, target)
    exact = {"random_walk": walk, "weighted_random_walk": expected_evaluations(graph, target, weighted=True),
             "backtracking": walk, "code_dfs": float("nan"),
             "random_search": random_search_expected_evaluations(n_nodes),
             "random_search_with_replacement": random_search_expected_evaluations(n_nodes, replace=True)}
    rows = []
    for name in STRATEGIES:
        est = simulate_hitting_time(name, graph, target, n_sim, rng, max_evaluations=200 * n_nodes)
        z = abs(est.mean - exact[name]) / est.sem if np.isfinite(exact[name]) else np.nan
        rows.append({"strategy": name, "exact": exact[name], "simulated": est.mean, "sem": est.sem,
                     "|sim − exact| / sem": z})
    return pd.DataFrame(rows).set_index("strategy")


def hitting_values(graph: nx.Graph, table: pd.DataFrame, target) -> dict:
    """The prose's numbers from a :func:`hitting_table`: ``target``, ``hit_rw``, ``hit_wrw``, ``hit_rs``,
    ``hit_rsr``, ``hit_dfs`` ± ``hit_dfs_sem``, ``hit_max_z``, ``hit_ratio`` (walk / random search without
    replacement) and ``hit_avg_rw``, ``hit_avg_wrw`` (exact expectations averaged over every target)."""
    avg = {w: float(np.mean([expected_evaluations(graph, t, weighted=w) for t in graph])) for w in (False, True)}
    exact = table["exact"]
    return {"target": format_signature(target), "hit_rw": float(exact["random_walk"]),
            "hit_wrw": float(exact["weighted_random_walk"]), "hit_rs": float(exact["random_search"]),
            "hit_rsr": float(exact["random_search_with_replacement"]),
            "hit_dfs": float(table.loc["code_dfs", "simulated"]), "hit_dfs_sem": float(table.loc["code_dfs", "sem"]),
            "hit_max_z": float(table["|sim − exact| / sem"].max()),
            "hit_avg_rw": avg[False], "hit_avg_wrw": avg[True],
            "hit_ratio": float(exact["random_walk"] / exact["random_search"])}


def seed_code_values(n_sim: int, rng: np.random.Generator, n_p: int = 5) -> dict:
    """The authors' paper-era graph, the complete graph on the products of exactly n_p components: ``k21_nodes``,
    ``k21_edges``, ``k21_naive`` (exact walk), ``k21_dfs`` (its depth-first search is sampling without replacement:
    (N + 1)/2) and ``k21_dfs_sim`` ± ``k21_dfs_sem`` (``n_sim`` simulated runs from ``rng``)."""
    graph, target = seed_code_graph(n_p), default_target(n_p)
    budget = max(100, graph.number_of_nodes())
    est = simulate_hitting_time("code_dfs", graph, target, n_sim, rng, max_evaluations=budget)
    return {"k21_nodes": graph.number_of_nodes(), "k21_edges": graph.number_of_edges(),
            "k21_naive": expected_evaluations(graph, target),
            "k21_dfs": random_search_expected_evaluations(graph.number_of_nodes()),
            "k21_dfs_sim": est.mean, "k21_dfs_sem": est.sem}


# ------------------------------------------------------------------------------------------ autoencoder


def reconstruction_values(history, baseline: float) -> dict:
    """The prose's numbers of one training run: ``val_mse`` (final validation reconstruction MSE), ``baseline_mse``
    (the mean-training-image predictor's), ``baseline_ratio`` (their ratio) and ``train_seconds``."""
    final = float(history.final("recon", "val"))
    return {"val_mse": final, "baseline_mse": float(baseline), "baseline_ratio": final / float(baseline),
            "train_seconds": float(history.seconds)}


__all__ = ["N_S", "WEIGHTINGS", "STRATEGIES", "exp_map_check", "exp_map_values", "reconstruction_values",
           "table2_frame", "matching_values", "count_table",
           "count_error", "count_values", "size_values", "weightings", "summary_table", "spectral_values",
           "zero_eigenvalues", "default_target", "hitting_table", "hitting_values", "seed_code_values"]
