"""The claims of chapter 1, part 1: seed 000's statements, our evidence, and verdicts computed from the measurements.

No verdict is typed: each row's verdict comes from a rule of :mod:`latent_geometry.experiments.verdicts`
(``exact_verdict``, ``all_hold``) or from one of the small rules below, which compare a measurement with a named
threshold of :data:`~latent_geometry.experiments.verdicts.THRESHOLDS`. The qualifying words go to the ``note``.
The measurements come from :mod:`latent_geometry.experiments.ch1.tables`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from latent_geometry.experiments.ch1.tables import count_error
from latent_geometry.experiments.verdicts import Claim, all_hold, exact_verdict, threshold

# ------------------------------------------------------------------------------------------------ rules


def growth_verdict(cubic_error: float) -> str:
    """The claim "s grows exponentially in n_p" (seed 000, eq. (4)).

    Refuted when eq. (4) equals the cubic C(n_p+3, 3) − 1 to ``closed_form`` precision (a polynomial of degree
    n_s = 3); inconclusive otherwise (no identity then decides the growth).
    """
    return "refuted" if threshold("closed_form").holds(cubic_error) else "inconclusive"


def reading_verdict(count_gap: float) -> str:
    """Two descriptions of one object in the seed: confirmed when they agree (``closed_form``), else *our reading*
    (they disagree, so the page builds one reading of them, and says which)."""
    return "confirmed" if threshold("closed_form").holds(count_gap) else "our reading"


def reproduced_verdict(error: float, key: str = "closed_form") -> str:
    """A figure or table of the seed rebuilt from its construction: reproduced when ``error`` meets ``key``."""
    return "reproduced" if all_hold({key: error}) else "not reproduced"


def cluster_verdict(r_type: float, r_size: float, slows: bool) -> str:
    """The claim "weighting by 1/d_GH keeps the walk within clusters of geometrically similar products" (§3.3).

    Reproduced when the weighted Fiedler space sorts the products by curvature type (``r_type``, the larger
    multiple correlation with the fraction of H² or E², meets ``ch1.cluster_R``) and the weights slow mixing;
    partly reproduced when it sorts them by some feature (type or size, ``r_size`` with the number of components)
    but not both parts hold; not reproduced when it sorts them by neither.
    """
    by_type, by_size = threshold("ch1.cluster_R").holds(r_type), threshold("ch1.cluster_R").holds(r_size)
    if by_type and slows:
        return "reproduced"
    return "partly reproduced" if by_type or by_size else "not reproduced"


def walk_verdict(walk: float, random_search: float, max_z: float) -> str:
    """The claim "random walks are a simple way to explore the graph" (seed 000, §3.3), for a blind objective.

    Inconclusive when a simulation strays from its exact value by more than ``ch1.simulation_z`` standard errors;
    not reproduced when the walk never reaches the target (infinite expectation); reproduced when it needs no more
    evaluations than random search without replacement (``ch1.walk_cost``); partly reproduced otherwise (the walk
    explores the whole graph, at a higher cost).
    """
    if not threshold("ch1.simulation_z").holds(max_z):
        return "inconclusive"
    if not math.isfinite(walk):
        return "not reproduced"
    return "reproduced" if threshold("ch1.walk_cost").holds(walk / random_search) else "partly reproduced"


# ----------------------------------------------------------------------------------------------- claims


def part1_claims(*, maps: Mapping, counts: pd.DataFrame, sizes: Mapping, matching: Mapping, zeros: Mapping,
                 spectral: pd.DataFrame, hitting: pd.DataFrame, target: str, fig1_n_p: Iterable[int],
                 eigenpairs: pd.DataFrame | None = None, costings: pd.DataFrame | None = None) -> list[Claim]:
    """The nine claims of part 1 with computed verdicts.

    ``maps``: :func:`~latent_geometry.experiments.ch1.tables.exp_map_check`; ``counts``: a ``count_table`` with
    n_p = 1…5 in it; ``sizes``: ``size_values``; ``matching``: ``matching_values``; ``zeros``:
    ``zero_eigenvalues``; ``spectral``: a ``summary_table`` of the three ``WEIGHTINGS``; ``hitting``: a
    ``hitting_table``; ``target``: its target's name; ``fig1_n_p``: the Fig. 1 panels drawn; optional
    ``eigenpairs`` (``part1_revised.eigenpair_table``) and ``costings`` (``part1_revised.distinct_hitting_table``)
    add λ₃ and the cached costing to the notes.
    """
    map_error = max(maps["ray_error"], maps["gs_product_error"]) if maps["on_manifold"] else math.inf
    node_error = float((counts["nodes"] - counts["eq. (4)"]).abs().max())
    nodes = ", ".join(str(counts.loc[n, "nodes"]) for n in range(1, 6))
    s = sizes["sizes"]
    zero_gap = max(abs(zeros["zeros_full"] - zeros["components_full"]),
                   abs(zeros["zeros_pruned"] - zeros["components_pruned"]))
    hu, unw = spectral.loc["seed (Hungarian)"], spectral.loc["unweighted"]
    r_type = max(hu["R(Fiedler, fraction H)"], hu["R(Fiedler, fraction E)"])
    r_size, slows = hu["R(Fiedler, #components)"], bool(hu["t_mix(1/4)"] > unw["t_mix(1/4)"])
    walk, rs = float(hitting.loc["random_walk", "exact"]), float(hitting.loc["random_search", "exact"])
    max_z = float(hitting["|sim − exact| / sem"].max())
    sorts = threshold("ch1.cluster_R")
    cluster_note = ""
    if eigenpairs is not None:
        e = eigenpairs.loc["seed (Hungarian)"]
        cluster_note = (f"; λ3 only {e['(λ3 − λ2)/λ2']:.0%} above λ2, and v3 follows the H² fraction "
                        f"(|r| = {e['|r(v3, fraction H)|']:.2f}): which mode is 'slowest' depends on the resize weight")
    walk_note = f"a blind walk costs {walk / rs:.1f}x random search: it revisits nodes"
    if costings is not None:
        c = costings.loc["random_walk", "cached"] / costings.loc["random_search", "cached"]
        walk_note += f" (retrained); {c:.2f}x with cached evaluations"
    return [
        Claim("Table 1: exp maps take tangent vectors onto the manifold; distances as given",
              f"d(o, exp u) = |u| to {maps['ray_error']:.0e}; product distance vs geomstats "
              f"{maps['gs_product_error']:.0e}; {'all' if maps['on_manifold'] else 'NOT all'} points on the manifold",
              exact_verdict(map_error), "for our maps; the authors' code's 2-D outputs do not lie on S² or H²"),
        Claim("eq. (4): s = Σ C(n_s+i−1, i)", f"node counts {nodes} for n_p = 1…5 (largest gap {node_error:g})",
              exact_verdict(node_error, "closed_form")),
        Claim("the search space grows exponentially in n_p",
              f"s = C(n_p+3, 3) − 1 (gap {sizes['cubic_error']:g}): "
              + ", ".join(f"{v}" for v in s.values()) + f" for n_p = {', '.join(map(str, s))}; "
              f"log-log slope {sizes['loglog_slope']:.2f}",
              growth_verdict(sizes["cubic_error"]), "for n_s = 3: polynomial of degree n_s, not exponential"),
        Claim("edges join products differing in one component, weighted 1/d_GH by Hungarian matching",
              f"built so; on every swap edge the matching equals the swapped pair's Table 2 value (gap "
              f"{matching['edge_error']:.1g}); the authors' rule differs on "
              f"{matching['wrong_edges']}/{matching['swap_edges']} edges",
              exact_verdict(matching["edge_error"]),
              "the matching is trivial on edges; it matters between non-neighbours"),
        Claim("§3.2: the graph is over products with the same n_p; different sizes get distance 0 (no edge)",
              f"{sizes['same_size_nodes']} products of exactly n_p components; eq. (4) and Fig. 1 count "
              f"{sizes['all_sizes_nodes']} of all sizes 1…n_p, with grey edges between sizes",
              reading_verdict(abs(sizes["same_size_nodes"] - sizes["all_sizes_nodes"])),
              "inconsistent within the seed; both graphs built (same_size_only); this page uses all sizes"),
        Claim("Fig. 1: graphs for n_p = 4 … 20 with grey/red/blue/black edges",
              f"drawn for n_p = {', '.join(map(str, fig1_n_p))}; counts vs closed forms: largest gap "
              f"{count_error(counts)}", reproduced_verdict(count_error(counts)),
              "layout is networkx's seeded spring layout, not the seed's"),
        Claim("multiplicity of eigenvalue 0 = number of connected components",
              f"{zeros['zeros_full']} for the connected graph, {zeros['zeros_pruned']} without resize edges "
              f"({zeros['components_pruned']} components: one per size)", exact_verdict(zero_gap)),
        Claim("weighting by 1/d_GH keeps the walk within clusters of geometrically similar products",
              f"weighted Fiedler space: R = {r_size:.2f} with #components, {r_type:.2f} with the H² or E² fraction; "
              f"t_mix {hu['t_mix(1/4)']:g} vs {unw['t_mix(1/4)']:g} steps unweighted",
              cluster_verdict(r_type, r_size, slows),
              f"clusters by {'curvature type' if sorts.holds(r_type) else 'size, not curvature type'} "
              f"(R {sorts}); weighting {'slows' if slows else 'does not slow'} mixing" + cluster_note),
        Claim("random walks are a simple way to explore the graph",
              f"a blind walk needs {walk:.0f} evaluations to hit {target}, random search without replacement "
              f"{rs:.0f}; simulations within {max_z:.1f} standard errors of the exact values",
              walk_verdict(walk, rs, max_z), walk_note),
    ]


__all__ = ["growth_verdict", "reading_verdict", "reproduced_verdict", "cluster_verdict", "walk_verdict",
           "part1_claims"]
