"""Chapter 1, part 1 revisited: the resize-edge convention, λ₂ beside λ₃, and what a cached evaluation costs.

* :func:`eigenpair_table` — λ₂ and λ₃ of L_rw together, each eigenvector's correlation with the product features
  (seed 000, §3.3: the walk's slow modes). Under the seed's weights λ₂ and λ₃ are close, so "the" Fiedler vector
  is fragile.
* :func:`resize_sweep` — the same facts (and the weighted walk's cost) as the resize-edge weight
  ``cross_size_weight`` varies: d_GH = 1 on resize edges is a convention, so the page shows what depends on it.
* :func:`cluster_crosstabs` — the spectral clusters against the number of components and the number of H²
  components.
* :func:`distinct_hitting_table` — evaluations to a target when a revisit is free (cached) beside when every visit
  retrains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from latent_geometry.search.space import search_space, signature_features
from latent_geometry.search.spectral import laplacian_spectrum, mixing_time, multiple_correlation, weight_matrix
from latent_geometry.search.walks import STRATEGIES, _as_collection, _node, expected_evaluations

FEATURES = {"#components": "n_components", "fraction H": "frac_h", "fraction E": "frac_e"}
"""Product features correlated with the eigenvectors: column label -> key of ``signature_features``."""


def eigenpair_table(W: Mapping[str, np.ndarray], features: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """For each weighting: λ₂, λ₃ of L_rw = I − D⁻¹W, their relative gap (λ₃ − λ₂)/λ₂, and |corr| of v₂ and v₃ with
    each feature of :data:`FEATURES` (von Luxburg 2007, §3). Index: weighting name."""
    rows = []
    for name, w in W.items():
        vals, vecs = laplacian_spectrum(w, "rw")
        row = {"weighting": name, "λ2": vals[1], "λ3": vals[2], "(λ3 − λ2)/λ2": (vals[2] - vals[1]) / vals[1]}
        for k, label in ((1, "v2"), (2, "v3")):
            for feature, key in FEATURES.items():
                row[f"|r({label}, {feature})|"] = multiple_correlation(vecs[:, k], features[key])
        rows.append(row)
    return pd.DataFrame(rows).set_index("weighting")


def resize_sweep(n_p: int, weights: Sequence[float], target) -> pd.DataFrame:
    """What the resize-edge weight changes (seed weights on swap edges, weight ``w`` on resize edges).

    Columns: λ₂, λ₃ of L_rw and their relative gap, the feature |v₂ correlates with most (and that correlation),
    |corr(v₂, fraction H)|, the mixing time t_mix(1/4) of P = D⁻¹W, and the weighted walk's exact expected
    evaluations to ``target`` (eq. (ch1-hitting)). Index: ``cross_size_weight``.
    """
    rows = []
    for w in weights:
        graph = search_space(n_p, cross_size_weight=float(w))
        feats = signature_features(list(graph))
        W = weight_matrix(graph)
        vals, vecs = laplacian_spectrum(W, "rw")
        corr = {f: multiple_correlation(vecs[:, 1], feats[k]) for f, k in FEATURES.items()}
        best = max(corr, key=corr.get)
        rows.append({"cross_size_weight": float(w), "λ2": vals[1], "λ3": vals[2],
                     "(λ3 − λ2)/λ2": (vals[2] - vals[1]) / vals[1], "v2 follows": best, "|r(v2, ·)|": corr[best],
                     "|r(v2, fraction H)|": corr["fraction H"], "t_mix(1/4)": mixing_time(W),
                     "weighted walk: E[evaluations]": expected_evaluations(graph, target, weighted=True)})
    return pd.DataFrame(rows).set_index("cross_size_weight")


def cluster_crosstabs(labels: np.ndarray, features: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Cluster sizes broken down by number of components and by number of H² components, side by side."""
    n = np.asarray(features["n_components"]).astype(int)
    n_h = np.rint(np.asarray(features["frac_h"]) * n).astype(int)
    cluster = pd.Series(labels, name="cluster")
    by_size = pd.crosstab(cluster, pd.Series(n, name="#components"))
    by_h = pd.crosstab(cluster, pd.Series(n_h, name="#H² components"))
    return pd.concat({"#components": by_size, "#H² components": by_h}, axis=1)


def distinct_hitting_table(graph: nx.Graph, target, n_sim: int, rng: np.random.Generator,
                           strategies: Iterable[str] = ("random_walk", "weighted_random_walk", "code_dfs",
                                                        "random_search", "random_search_with_replacement"),
                           ) -> pd.DataFrame:
    """Evaluations until a blind search first evaluates ``target``, costed two ways (simulated ``n_sim`` times).

    *retrained*: every visit is a training run (revisits included); *cached*: a revisit reuses the stored result,
    so only distinct nodes cost. Columns: mean and standard error of each. Index: strategy.
    """
    targets = {_node(graph, t) for t in _as_collection(target)}
    budget = 200 * graph.number_of_nodes()

    def blind(signature):
        return 0.0 if signature in targets else 1.0

    rows = []
    for name in strategies:
        retrained, cached = np.empty(n_sim), np.empty(n_sim)
        for k in range(n_sim):
            result = STRATEGIES[name](graph, blind, budget, rng, stop_at=targets)
            hit = result.first_hit(targets)
            if hit is None:
                raise RuntimeError(f"strategy {name!r} did not reach the target within {budget} evaluations")
            retrained[k], cached[k] = hit, len(set(result.signatures[:hit]))
        sem = np.sqrt(n_sim)
        rows.append({"strategy": name, "retrained": retrained.mean(), "sem (retrained)": retrained.std(ddof=1) / sem,
                     "cached": cached.mean(), "sem (cached)": cached.std(ddof=1) / sem})
    return pd.DataFrame(rows).set_index("strategy")


def unit_ball_gh_bounds(n_radii: int = 12, n_angles: int = 48) -> pd.DataFrame:
    """Upper bounds on the Gromov–Hausdorff distance between the unit geodesic balls of E², S², H² (K = 0, ±1).

    The exponential maps at the base points identify both balls with the unit tangent disc, which is a
    correspondence, so d_GH(B₁, B₂) ≤ ½ sup_{u,v} |d₁(exp u, exp v) − d₂(exp u, exp v)| (Burago–Burago–Ivanov,
    Thm. 7.3.25). The sup is taken over a polar grid of the disc (``n_radii`` × ``n_angles`` points, all pairs).
    Columns: pair, bound, and seed 000's Table 2 value for comparison.
    """
    import torch

    from latent_geometry.manifolds import ModelSpace
    from latent_geometry.search.space import TABLE2_D_GH

    r = torch.linspace(0, 1, n_radii, dtype=torch.float64)[1:]
    a = torch.linspace(0, 2 * np.pi, n_angles + 1, dtype=torch.float64)[:-1]
    u = (r[:, None, None] * torch.stack([a.cos(), a.sin()], -1)[None]).reshape(-1, 2)
    u = torch.cat([torch.zeros(1, 2, dtype=torch.float64), u])
    i, j = torch.triu_indices(len(u), len(u), 1)
    dist = {}
    for k in (0, 1, -1):
        space = ModelSpace(k)
        x = space.expmap0(u)
        dist[k] = space.dist(x[i], x[j])
    rows = []
    for (k1, k2), name in (((0, 1), "E2-S2"), ((0, -1), "E2-H2"), ((1, -1), "S2-H2")):
        bound = 0.5 * float((dist[k1] - dist[k2]).abs().max())
        rows.append({"pair": name, "d_GH(unit balls) <=": bound, "Table 2": TABLE2_D_GH[frozenset((k1, k2))]})
    return pd.DataFrame(rows).set_index("pair")


def sweep_values(sweep: pd.DataFrame) -> dict:
    """The prose's words from a :func:`resize_sweep`: ``sweep_first`` (the smallest weight) and the feature v₂
    follows there, and ``sweep_flip``: the smallest weight at which v₂ follows the H² fraction ("no weight" if
    none does)."""
    follows_h = sweep.index[sweep["v2 follows"] == "fraction H"]
    first = sweep.index[0]
    words = {"#components": "the number of components", "fraction H": "the fraction of H² components",
             "fraction E": "the fraction of E² components"}
    return {"sweep_first": f"{first:g}", "sweep_first_feature": words[sweep.loc[first, "v2 follows"]],
            "sweep_flip": f"{follows_h.min():g}" if len(follows_h) else "no weight"}


def distinct_hitting_values(table: pd.DataFrame) -> dict:
    """The prose's numbers from a :func:`distinct_hitting_table`: cached and retrained costs of the unweighted walk
    and of random search without replacement, and the walk's cost ratio under each costing."""
    walk, rs = table.loc["random_walk"], table.loc["random_search"]
    return {"cached_rw": float(walk["cached"]), "retrained_rw": float(walk["retrained"]),
            "cached_rs": float(rs["cached"]), "cached_ratio": float(walk["cached"] / rs["cached"]),
            "retrained_ratio": float(walk["retrained"] / rs["retrained"])}
