"""The graph search space of product manifolds (seed 000, §3.2, Table 2, eq. (4), Fig. 1).

A *signature* is a product of 2-dimensional model spaces, written as the sorted tuple of their curvatures:
``(-1, 0, 0)`` is H²×E²×E² ("H2xE2xE2"). Components commute, so a signature is a multiset and is stored sorted
(H² first, then E², then S²). The graph joins two signatures that differ in one component:

* **swap** edges (same number of components, one component exchanged) carry ``d_gh``, the Hungarian-matched sum
  of the seed's Table 2 distances between the two products, and ``weight = 1 / d_gh`` (seed §3.2);
* **resize** edges (one component added or removed; the seed's grey edges) carry ``d_gh = 1 / cross_size_weight``.
  The seed gives no distance for them; see :data:`RESIZE_D_GH` for the value we use and why.

Nodes are inserted in size-then-lexicographic order, so ``list(graph)`` is a reproducible node order.
"""

from collections.abc import Sequence
from itertools import combinations_with_replacement, permutations
from math import comb

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

from latent_geometry._util.checks import check_int, check_number
from latent_geometry.manifolds import UNIT_CURVATURES, canonical, component_name, format_signature

CURVATURES = UNIT_CURVATURES  # sorted order of the components: H², E², S²

# seed 000, Table 2: Gromov–Hausdorff distances between the 2-D model spaces (identical spaces: 0).
TABLE2_D_GH = {frozenset((0, 1)): 0.23, frozenset((0, -1)): 0.77, frozenset((1, -1)): 0.84}
# Table 2 pairs named as the seed's Fig. 1 legend names them (the edge attribute ``pair``).
PAIR_NAMES = {frozenset((0, 1)): "E2-S2", frozenset((0, -1)): "E2-H2", frozenset((1, -1)): "S2-H2"}

RESIZE_D_GH = 1.0
"""Distance we give a resize edge, M ↔ M×X (the seed is silent; its code used weight 1).

Table 2's finite values can only refer to compact pieces of the model spaces (the full spaces are at infinite
GH distance). Take those pieces to be geodesic unit balls B(X) around the base point, as the exp-map latent codes
are. Then, for any product M, the correspondence m ↔ (m, x) has distortion at most diam B(X), so
``d_GH(M, M×B(X)) ≤ diam B(X) / 2 = d_GH(point, B(X)) = 1``, with equality when M is a point; and diam B(X) = 2
for all of E², S², H² (2 < π on S²), so one value serves every added component. The bound respects Table 2 through
the triangle inequality (d_GH(S², H²) = 0.84 ≤ d_GH(S², point) + d_GH(point, H²) = 2), and it reproduces the
authors' code's constant weight 1, now with a reason. Being an upper bound, it makes resize edges the weakest
plausible links; ``cross_size_weight`` changes it.
"""


def component_distance(a: int, b: int) -> float:
    """Table 2 distance between two model spaces given by curvature; 0 for identical spaces (seed 000, Table 2)."""
    return 0.0 if a == b else TABLE2_D_GH[frozenset((a, b))]


def _node(signature) -> tuple[int, ...]:
    """The search-space node of a signature: sorted curvatures in {-1, 0, 1} (``canonical(..., unit=True)``)."""
    return canonical(signature, unit=True)


_COST = np.array([[component_distance(a, b) for b in CURVATURES] for a in CURVATURES])


def product_distance(a, b) -> float:
    """Hungarian-matched distance between two products with the same number of components (seed 000, §3.2).

    ``min over bijections σ of Σ_i d_GH(a_i, b_σ(i))`` with d_GH from Table 2, solved by
    ``scipy.optimize.linear_sum_assignment`` on the n_p × n_p cost matrix.
    Raises ValueError when the numbers of components differ (the seed assigns no distance then).
    """
    a, b = _node(a), _node(b)
    if len(a) != len(b):
        raise ValueError(
            f"product_distance needs signatures with equal numbers of components, got {len(a)} (a={a}) and "
            f"{len(b)} (b={b})"
        )
    cost = _COST[np.ix_(np.array(a) + 1, np.array(b) + 1)]  # cost[i, j] = d_GH(a_i, b_j), seed 000 Table 2
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].sum())


def brute_force_product_distance(a, b) -> float:
    """The same minimum as :func:`product_distance`, by enumerating all n_p! bijections (a test oracle, n_p ≤ 8)."""
    a, b = _node(a), _node(b)
    if len(a) != len(b):
        raise ValueError(f"signatures must have equal numbers of components, got {len(a)} and {len(b)}")
    return min(sum(component_distance(x, y) for x, y in zip(a, perm)) for perm in permutations(b))


def first_mismatch_distance(a, b) -> float:
    """The distance the authors' code used instead of Hungarian matching (not seed 000's §3.2 rule).

    Both component lists are sorted by name (E2 < H2 < S2) and the Table 2 distance of the first position where
    they differ is returned (0 for equal signatures). It disagrees with :func:`product_distance`, e.g. for
    H2xE2 vs H2xS2 it gives d(E2, H2) = 0.77 instead of d(E2, S2) = 0.23.
    """
    a, b = _node(a), _node(b)
    if len(a) != len(b):
        raise ValueError(f"signatures must have equal numbers of components, got {len(a)} and {len(b)}")
    by_name = sorted(a, key=component_name), sorted(b, key=component_name)
    for x, y in zip(*by_name):
        if x != y:
            return component_distance(x, y)
    return 0.0


_DISTANCES = {"hungarian": product_distance, "first_mismatch": first_mismatch_distance}


def search_space_size(n_s: int, n_p: int) -> int:
    """Number of products of 1…n_p components from n_s model spaces: ``s = Σ_{i=1}^{n_p} C(n_s+i−1, i)``.

    seed 000, eq. (4); by the hockey-stick identity it equals C(n_s + n_p, n_p) − 1.
    """
    n_s, n_p = check_int(n_s, "n_s", low=1), check_int(n_p, "n_p", low=1)
    return sum(comb(n_s + i - 1, i) for i in range(1, n_p + 1))  # seed 000, eq. (4)


def signatures(n_p: int, same_size_only: bool = False) -> list[tuple[int, ...]]:
    """All signatures with 1…n_p components (or exactly n_p), in size-then-lexicographic order."""
    _check_n_p(n_p)
    sizes = [n_p] if same_size_only else range(1, n_p + 1)
    return [c for i in sizes for c in combinations_with_replacement(CURVATURES, i)]


def search_space(
    n_p: int,
    same_size_only: bool = False,
    cross_size_weight: float = 1.0 / RESIZE_D_GH,
    distance: str = "hungarian",
) -> nx.Graph:
    """The seed's graph search space over products of 1…n_p two-dimensional model spaces (seed 000, §3.2, Fig. 1).

    Nodes: sorted curvature tuples (attributes ``name``, ``n_components``, ``n_h``, ``n_e``, ``n_s``).
    Edges between signatures differing in one component, generated directly from each node's neighbours
    (O(3² · nodes), no pair scan):

    * ``kind="swap"`` (same size): ``pair`` (e.g. ``"E2-H2"``, the exchanged components), ``d_gh`` and
      ``weight = 1 / d_gh``; ``distance="hungarian"`` is the seed's rule (:func:`product_distance`),
      ``"first_mismatch"`` the authors' code's (:func:`first_mismatch_distance`);
    * ``kind="resize"`` (one component added): ``added`` (its name), ``weight = cross_size_weight`` and
      ``d_gh = 1 / cross_size_weight`` (default from :data:`RESIZE_D_GH`; the seed's code used weight 1).

    ``same_size_only=True`` keeps only the signatures with exactly n_p components (the seed's §3.2 formulation).
    Sizes: C(n_p+3, 3) − 1 nodes, 3·C(n_p+2, 3) swap edges (C(n_p+2, 3) of each pair) and 3·C(n_p+2, 3) − 3
    resize edges (see :func:`edge_counts`).
    """
    _check_n_p(n_p)
    if distance not in _DISTANCES:
        raise ValueError(f"distance must be one of {sorted(_DISTANCES)}, got {distance!r}")
    cross_size_weight = check_number(cross_size_weight, "cross_size_weight", low=0, low_open=True)
    dist = _DISTANCES[distance]
    graph = nx.Graph(n_p=n_p, same_size_only=same_size_only, distance=distance)
    nodes = signatures(n_p, same_size_only)
    for sig in nodes:
        graph.add_node(sig, name=format_signature(sig), n_components=len(sig),
                       n_h=sig.count(-1), n_e=sig.count(0), n_s=sig.count(1))
    for sig in nodes:
        for old in set(sig):  # swap one copy of `old` for a different component `new`
            rest = list(sig)
            rest.remove(old)
            for new in CURVATURES:
                if new != old:
                    other = tuple(sorted(rest + [new]))
                    if not graph.has_edge(sig, other):
                        d = dist(sig, other)
                        graph.add_edge(sig, other, kind="swap", pair=PAIR_NAMES[frozenset((old, new))],
                                       d_gh=d, weight=1.0 / d)
        if not same_size_only and len(sig) < n_p:
            for new in CURVATURES:  # add one component; removals are the same edges seen from the other end
                graph.add_edge(sig, tuple(sorted(sig + (new,))), kind="resize", added=component_name(new),
                               d_gh=1.0 / float(cross_size_weight), weight=float(cross_size_weight))
    return graph


def seed_code_graph(n_p: int) -> nx.Graph:
    """The graph the authors' paper-era code actually searched (not seed 000's §3.2 description).

    Only the signatures with exactly n_p components, every pair joined (the complete graph, 210 edges at n_p = 5),
    weighted by :func:`first_mismatch_distance`: ``d_gh`` and ``weight = 1 / d_gh``. Edges carry ``kind="code"``
    and ``pair`` (the Table 2 pair whose distance was used).
    """
    nodes = signatures(n_p, same_size_only=True)
    graph = nx.Graph(n_p=n_p, same_size_only=True, distance="first_mismatch")
    for sig in nodes:
        graph.add_node(sig, name=format_signature(sig), n_components=len(sig),
                       n_h=sig.count(-1), n_e=sig.count(0), n_s=sig.count(1))
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            d = first_mismatch_distance(a, b)
            pair = next(name for key, name in PAIR_NAMES.items() if TABLE2_D_GH[key] == d)
            graph.add_edge(a, b, kind="code", pair=pair, d_gh=d, weight=1.0 / d)
    return graph


def edge_counts(n_p: int) -> dict[str, int]:
    """Closed-form edge counts of ``search_space(n_p)`` by Fig. 1 colour.

    A swap edge {c+x, c+y} is fixed by its common part c (a multiset of size i−1: C(i+1, 2) choices) and the pair
    {x, y}, so each Table 2 pair has Σ_{i=1}^{n_p} C(i+1, 2) = C(n_p+2, 3) edges. A resize edge c ↔ c+x is fixed by
    c (size 1…n_p−1) and x: 3·(C(n_p+2, 3) − 1) = 3·s(n_p − 1) edges, with s from seed 000, eq. (4).
    """
    _check_n_p(n_p)
    per_pair = comb(n_p + 2, 3)
    counts = {name: per_pair for name in PAIR_NAMES.values()}
    counts["resize"] = 3 * (per_pair - 1)
    return counts


def swap_edge_report(graph: nx.Graph) -> dict:
    """How the swap edges of ``search_space(...)`` are weighted, checked edge by edge (seed 000, §3.2, Table 2).

    ``swap_edges``: their number; ``table2_error``: max |d_gh − Table 2 distance of the swapped pair| (0 when the
    Hungarian matching on an edge is the swapped pair, as the triangle inequality of Table 2 implies);
    ``brute_force_error``: max |:func:`product_distance` − :func:`brute_force_product_distance`| (n_p ≤ 8);
    ``first_mismatch_wrong``: the number of edges where :func:`first_mismatch_distance` (the authors' rule)
    differs from the Hungarian distance by more than 1e-12.
    """
    by_name = {name: TABLE2_D_GH[key] for key, name in PAIR_NAMES.items()}
    swaps = [(s, t, d) for s, t, d in graph.edges(data=True) if d["kind"] == "swap"]
    hungarian = [product_distance(s, t) for s, t, _ in swaps]
    brute = [brute_force_product_distance(s, t) for s, t, _ in swaps]
    code = [first_mismatch_distance(s, t) for s, t, _ in swaps]
    return {
        "swap_edges": len(swaps),
        "table2_error": max((abs(d["d_gh"] - by_name[d["pair"]]) for *_, d in swaps), default=0.0),
        "brute_force_error": max((abs(h - b) for h, b in zip(hungarian, brute)), default=0.0),
        "first_mismatch_wrong": sum(abs(c - h) > 1e-12 for h, c in zip(hungarian, code)),
    }


def signature_features(nodes: Sequence) -> dict[str, np.ndarray]:
    """Per-node descriptors used to read spectral clusters: number of components and fractions of H, E, S."""
    sigs = [_node(s) for s in nodes]
    n = np.array([len(s) for s in sigs], dtype=float)
    return {
        "n_components": n,
        "frac_h": np.array([s.count(-1) for s in sigs]) / n,
        "frac_e": np.array([s.count(0) for s in sigs]) / n,
        "frac_s": np.array([s.count(1) for s in sigs]) / n,
    }


def _check_n_p(n_p) -> None:
    check_int(n_p, "n_p (number of components)", low=1)
