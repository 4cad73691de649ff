"""Search strategies on a search-space graph, and their hitting times (seed 000, §3.3, §4.3–4.4).

Every strategy takes the graph, an ``objective`` (any callable ``signature -> float``, lower is better, e.g. a
validation loss), a ``budget`` (maximum number of objective evaluations) and a ``numpy.random.Generator``, and
returns a :class:`SearchResult` recording every evaluation in order. Each visit of a node is one evaluation (one
training run in the seed), revisits included; stepping back to an already evaluated node costs nothing.

Strategies:

* :func:`random_walk` — the seed's naive walk: from a uniform random start, step to a neighbour with probability
  p_ij = w_ij / d_i (``weighted=True``, seed §3.3) or uniformly (``weighted=False``).
* :func:`backtracking_walk` — the seed's performance-based backtracking as the paper describes it (§3.3): step to a
  random neighbour; if the objective got worse, step back and try a neighbour not yet tried from there.
* :func:`depth_first_search` — what the authors' code called "backtracking" (their search script): a randomized
  depth-first search that never revisits a node and never looks at the objective.
* :func:`random_search` — uniform sampling of nodes, with or without replacement.
* :func:`greedy_local_search` — steepest descent over graph neighbourhoods with random restarts (never evaluates a
  node twice: it remembers every value it has seen).

Hitting times (expected evaluations until a target is first evaluated, the start counted as evaluation 1, start
uniform over all nodes unless given): :func:`expected_evaluations` (exact, linear algebra on P),
:func:`random_search_expected_evaluations` (closed form) and :func:`simulate_hitting_time`.
"""

import numbers
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from math import sqrt

import networkx as nx
import numpy as np

from latent_geometry._util.checks import check_int
from latent_geometry.manifolds import canonical
from latent_geometry.search.spectral import transition_matrix, weight_matrix

Objective = Callable[[tuple[int, ...]], float]


@dataclass(frozen=True)
class SearchResult:
    """Every evaluation of one search run, in order.

    ``signatures[k]`` was evaluated k-th with value ``values[k]`` (shape (n_evaluations,), float64).
    """

    strategy: str
    signatures: tuple[tuple[int, ...], ...]
    values: np.ndarray

    @property
    def n_evaluations(self) -> int:
        return len(self.signatures)

    @property
    def n_distinct(self) -> int:
        """Number of distinct signatures evaluated."""
        return len(set(self.signatures))

    @property
    def best_so_far(self) -> np.ndarray:
        """Running minimum of the values (the seed's "performance of a walk", §3.3), shape (n_evaluations,)."""
        return np.minimum.accumulate(self.values)

    @property
    def best_value(self) -> float:
        return float(self.values.min())

    @property
    def best_signature(self) -> tuple[int, ...]:
        return self.signatures[int(np.argmin(self.values))]

    def first_hit(self, targets) -> int | None:
        """1-based evaluation count at which a target was first evaluated, or None if never."""
        targets = {canonical(t, unit=True) for t in _as_collection(targets)}
        return next((k + 1 for k, s in enumerate(self.signatures) if s in targets), None)


class _Walker:
    """Node list, neighbour index arrays and their edge weights, plus the evaluation log of one run."""

    def __init__(self, graph: nx.Graph, objective: Objective, budget: int, rng: np.random.Generator,
                 weighted: bool, stop_at) -> None:
        if not isinstance(graph, nx.Graph) or graph.number_of_nodes() == 0:
            raise ValueError("graph must be a non-empty networkx.Graph (see search_space.search_space)")
        if not callable(objective):
            raise TypeError(f"objective must be callable signature -> float, got {type(objective).__name__}")
        check_int(budget, "budget (maximum number of evaluations)", low=1)
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        self.nodes = list(graph)
        self.index = {s: i for i, s in enumerate(self.nodes)}
        self.neighbours = [np.array([self.index[t] for t in graph[s]], dtype=np.int64) for s in self.nodes]
        self.weights = [np.array([graph[s][t]["weight"] if weighted else 1.0 for t in graph[s]], dtype=np.float64)
                        for s in self.nodes]
        self.cumulative = [np.cumsum(w) for w in self.weights]
        self.objective, self.budget, self.rng = objective, int(budget), rng
        self.stop_at = None if stop_at is None else {self.index[_node(graph, t)] for t in _as_collection(stop_at)}
        self.visited: list[int] = []
        self.values: list[float] = []

    def start(self, start) -> int:
        if start is None:
            return int(self.rng.integers(len(self.nodes)))
        sig = canonical(start, unit=True)
        if sig not in self.index:
            raise ValueError(f"start {start!r} is not a node of the graph")
        return self.index[sig]

    def evaluate(self, i: int) -> float:
        raw = self.objective(self.nodes[i])
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise TypeError(f"objective must return a real number (lower is better), got {raw!r} "
                            f"({type(raw).__name__}) for signature {self.nodes[i]}") from None
        if np.isnan(value):
            raise ValueError(f"objective returned NaN for signature {self.nodes[i]}")
        self.visited.append(i)
        self.values.append(value)
        return value

    @property
    def done(self) -> bool:
        """Budget spent, or a ``stop_at`` node evaluated."""
        return len(self.visited) >= self.budget or (self.stop_at is not None and self.visited[-1] in self.stop_at)

    def choose(self, i: int, mask: np.ndarray | None = None) -> int:
        """A neighbour of node i with probability ∝ its edge weight (seed 000, §3.3: p_ij = w_ij / d_i)."""
        nbrs, cum = self.neighbours[i], self.cumulative[i]
        if mask is not None:
            nbrs, cum = nbrs[mask], np.cumsum(self.weights[i][mask])
        return int(nbrs[np.searchsorted(cum, self.rng.random() * cum[-1], side="right")])

    def result(self, strategy: str) -> SearchResult:
        return SearchResult(strategy, tuple(self.nodes[i] for i in self.visited), np.array(self.values, np.float64))


def random_walk(graph: nx.Graph, objective: Objective, budget: int, rng: np.random.Generator, *,
                weighted: bool = False, start=None, stop_at=None) -> SearchResult:
    """Naive random walk (seed 000, §3.3, §4.3): evaluate the start, then step and evaluate ``budget − 1`` times.

    Steps go to neighbour j of i with p_ij = w_ij / d_i (``weighted=True``) or 1 / deg(i) (``weighted=False``);
    the objective never influences the path. ``start=None`` draws the start uniformly; ``stop_at`` (signatures)
    ends the run right after one of them is evaluated. (The authors' code drew uniformly even when "weighted".)
    """
    walk = _Walker(graph, objective, budget, rng, weighted, stop_at)
    i = walk.start(start)
    walk.evaluate(i)
    while not walk.done:
        if walk.neighbours[i].size == 0:
            break
        i = walk.choose(i)
        walk.evaluate(i)
    return walk.result(f"random_walk(weighted={weighted})")


def backtracking_walk(graph: nx.Graph, objective: Objective, budget: int, rng: np.random.Generator, *,
                      weighted: bool = False, start=None, stop_at=None,
                      on_local_minimum: str = "stop") -> SearchResult:
    """The seed's random walk with backtracking, as its §3.3 describes it (never implemented by the authors).

    At node x with value f(x): propose a neighbour y (∝ w_xy if ``weighted``, else uniform) not yet rejected from
    x and evaluate f(y). If f(y) > f(x) ("a step leads to a decrease in performance") step back to x — no
    re-evaluation — and propose another direction; otherwise move to y (ties are accepted, so on a flat objective
    this is the naive walk). When every neighbour of x has been rejected, x is a local minimum of the graph: the
    walk ends (``on_local_minimum="stop"``, the seed's "can get stuck") or restarts at a uniformly drawn node
    (``"restart"``).
    """
    if on_local_minimum not in ("stop", "restart"):
        raise ValueError(f"on_local_minimum must be 'stop' or 'restart', got {on_local_minimum!r}")
    walk = _Walker(graph, objective, budget, rng, weighted, stop_at)
    x = walk.start(start)
    fx = walk.evaluate(x)
    untried = np.ones(walk.neighbours[x].size, dtype=bool)
    while not walk.done:
        if not untried.any():
            if on_local_minimum == "stop":
                break
            x = walk.start(None)
            fx = walk.evaluate(x)
            untried = np.ones(walk.neighbours[x].size, dtype=bool)
            continue
        y = walk.choose(x, untried)
        fy = walk.evaluate(y)
        if fy > fx:  # seed 000, §3.3: worse -> backtrack to the previous manifold, step in a new direction
            untried[np.flatnonzero(walk.neighbours[x] == y)] = False
        else:
            x, fx = y, fy
            untried = np.ones(walk.neighbours[x].size, dtype=bool)
    return walk.result(f"backtracking_walk(weighted={weighted})")


def depth_first_search(graph: nx.Graph, objective: Objective, budget: int, rng: np.random.Generator, *,
                       weighted: bool = False, start=None, stop_at=None) -> SearchResult:
    """What the authors' code ran as "backtracking" (its search script, not seed 000 §3.3): a randomized depth-first search.

    Move to a random *unvisited* neighbour of the current node and evaluate it; when there is none, pop back along
    the path (no evaluation; the paper-era code re-trained the popped node). The objective is never compared, and no
    node is evaluated twice; the run ends when the budget is spent or the start's component is exhausted. On a
    complete graph (the code's paper-era K21) this is random search without replacement.
    """
    walk = _Walker(graph, objective, budget, rng, weighted, stop_at)
    x = walk.start(start)
    walk.evaluate(x)
    visited = np.zeros(len(walk.nodes), dtype=bool)
    visited[x] = True
    path = [x]
    while path and not walk.done:
        unvisited = ~visited[walk.neighbours[path[-1]]]
        if not unvisited.any():
            path.pop()
            continue
        y = walk.choose(path[-1], unvisited)
        visited[y] = True
        path.append(y)
        walk.evaluate(y)
    return walk.result(f"depth_first_search(weighted={weighted})")


def random_search(graph: nx.Graph, objective: Objective, budget: int, rng: np.random.Generator, *,
                  replace: bool = False, stop_at=None) -> SearchResult:
    """Evaluate uniformly drawn nodes: i.i.d. (``replace=True``) or a random ordering (at most N evaluations)."""
    walk = _Walker(graph, objective, budget, rng, False, stop_at)
    n = len(walk.nodes)
    order = None if replace else walk.rng.permutation(n)
    for k in range(walk.budget if replace else min(walk.budget, n)):
        walk.evaluate(int(walk.rng.integers(n)) if replace else int(order[k]))
        if walk.done:
            break
    return walk.result(f"random_search(replace={replace})")


def greedy_local_search(graph: nx.Graph, objective: Objective, budget: int, rng: np.random.Generator, *,
                        start=None, stop_at=None) -> SearchResult:
    """Greedy (steepest-descent) local search with random restarts (``white2021local``).

    At node x evaluate every neighbour not yet evaluated (in random order); if the best neighbour y has
    f(y) < f(x), move to y (no evaluation), else x is a local minimum and the search restarts at a uniformly drawn
    node not yet evaluated. Every node is evaluated at most once (values are remembered), so the run ends after at
    most N evaluations, or when the budget is spent or a ``stop_at`` node is evaluated.
    """
    walk = _Walker(graph, objective, budget, rng, False, stop_at)
    value = np.full(len(walk.nodes), np.nan)
    x = walk.start(start)
    value[x] = walk.evaluate(x)
    while not walk.done:
        nbrs = walk.neighbours[x]
        for y in walk.rng.permutation(nbrs[np.isnan(value[nbrs])]):
            value[y] = walk.evaluate(int(y))
            if walk.done:
                break
        if walk.done:
            break
        if nbrs.size and value[nbrs].min() < value[x]:
            x = int(nbrs[np.argmin(value[nbrs])])  # strict descent: no cycles
            continue
        fresh = np.flatnonzero(np.isnan(value))
        if fresh.size == 0:
            break
        x = int(fresh[walk.rng.integers(fresh.size)])  # local minimum: restart at an unvisited node
        value[x] = walk.evaluate(x)
    return walk.result("greedy_local_search")


STRATEGIES: dict[str, Callable[..., SearchResult]] = {
    "random_walk": partial(random_walk, weighted=False),
    "weighted_random_walk": partial(random_walk, weighted=True),
    "backtracking": partial(backtracking_walk, weighted=False),
    "weighted_backtracking": partial(backtracking_walk, weighted=True),
    "code_dfs": depth_first_search,
    "random_search": partial(random_search, replace=False),
    "random_search_with_replacement": partial(random_search, replace=True),
    "greedy_local_search": greedy_local_search,
}
"""The strategies compared in the chapter, by name: ``STRATEGIES[name](graph, objective, budget, rng, **kw)``."""


def hitting_times(graph: nx.Graph, targets, *, weighted: bool = False) -> np.ndarray:
    """Expected number of random-walk steps h(x) to first reach a target from each node, in ``list(graph)`` order.

    h = 0 on targets and (I − Q) h = 1 on the other nodes, Q = P restricted to them (P = D⁻¹W). ValueError if
    some node cannot reach a target (I − Q singular).
    """
    nodes = list(graph)
    target_idx = {nodes.index(_node(graph, t)) for t in _as_collection(targets)}
    rest = np.array([i for i in range(len(nodes)) if i not in target_idx], dtype=np.int64)
    h = np.zeros(len(nodes))
    if rest.size:
        P = transition_matrix(weight_matrix(graph, weighted))
        A = np.eye(rest.size) - P[np.ix_(rest, rest)]
        if np.linalg.matrix_rank(A) < rest.size:
            raise ValueError("some nodes cannot reach any target (the graph is disconnected); hitting time is infinite")
        h[rest] = np.linalg.solve(A, np.ones(rest.size))  # first-step analysis: h = 1 + Q h
    return h


def expected_evaluations(graph: nx.Graph, targets, *, weighted: bool = False, start=None) -> float:
    """Exact expected evaluations of :func:`random_walk` until a target is first evaluated: 1 + E[h(start)].

    The start counts as evaluation 1; ``start=None`` averages over a uniform start (targets included).
    """
    h = hitting_times(graph, targets, weighted=weighted)
    return 1.0 + (float(h.mean()) if start is None else float(h[list(graph).index(_node(graph, start))]))


def random_search_expected_evaluations(n_nodes: int, n_targets: int = 1, replace: bool = False) -> float:
    """Expected evaluations of random search until one of k targets among N nodes is first drawn.

    With replacement the count is geometric with success probability k/N: N/k. Without replacement the first
    target's position in a uniform random ordering has mean (N + 1)/(k + 1).
    """
    n_nodes, n_targets = check_int(n_nodes, "n_nodes", low=1), check_int(n_targets, "n_targets", low=1)
    if n_targets > n_nodes:
        raise ValueError(f"n_targets ({n_targets}) cannot exceed n_nodes ({n_nodes})")
    return n_nodes / n_targets if replace else (n_nodes + 1) / (n_targets + 1)


@dataclass(frozen=True)
class HittingTimeEstimate:
    """Monte-Carlo estimate of the expected evaluations to the first target: mean ± sem over ``samples``.

    Runs that spent ``max_evaluations`` without a hit are censored (sample = inf); then mean and sem are inf/nan.
    """

    samples: np.ndarray

    @property
    def n_censored(self) -> int:
        return int(np.sum(~np.isfinite(self.samples)))

    @property
    def mean(self) -> float:
        return float(np.mean(self.samples)) if self.n_censored == 0 else float("inf")

    @property
    def sem(self) -> float:
        if self.n_censored or self.samples.size < 2:
            return float("nan")
        return float(np.std(self.samples, ddof=1) / sqrt(self.samples.size))


def simulate_hitting_time(strategy: str, graph: nx.Graph, targets, n_sim: int, rng: np.random.Generator, *,
                          max_evaluations: int, objective: Objective | None = None, **kwargs) -> HittingTimeEstimate:
    """Run ``STRATEGIES[strategy]`` ``n_sim`` times until a target is evaluated; count evaluations per run.

    ``objective`` defaults to the blind indicator (0 on targets, 1 elsewhere), under which the backtracking walk
    accepts every step and equals the naive walk; pass a landscape to see it use the objective.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {sorted(STRATEGIES)}, got {strategy!r}")
    check_int(n_sim, "n_sim", low=1)
    max_evaluations = check_int(max_evaluations, "max_evaluations (evaluations per simulated run before it is "
                                "censored)", low=1)
    target_set = {_node(graph, t) for t in _as_collection(targets)}
    if objective is None:
        def objective(s):
            return 0.0 if s in target_set else 1.0
    search = STRATEGIES[strategy]
    samples = np.empty(n_sim)
    for k in range(n_sim):
        result = search(graph, objective, max_evaluations, rng, stop_at=target_set, **kwargs)
        hit = result.first_hit(target_set)
        samples[k] = np.inf if hit is None else hit
    return HittingTimeEstimate(samples)


def _as_collection(targets) -> Collection:
    """A single signature or a collection of them -> a list of signatures.

    One signature: a string ('H2xE2'), a ProductManifold, or a flat sequence / 1-D array of numbers ((-1, 0, 0),
    [-1, 0, 0], np.array([-1, 0, 0])). Anything else is iterated as a collection of signatures (a 2-D array by rows).
    """
    if isinstance(targets, np.ndarray):
        if targets.ndim == 1 and targets.size and np.issubdtype(targets.dtype, np.number):
            return [tuple(targets.tolist())]
        targets = [tuple(row) for row in targets.tolist()] if targets.ndim == 2 else list(targets)
    if isinstance(targets, str) or hasattr(targets, "curvatures"):
        return [targets]
    if isinstance(targets, (tuple, list)) and targets and all(isinstance(k, numbers.Number) for k in targets):
        return [tuple(targets)]
    try:
        targets = list(targets)
    except TypeError:
        raise TypeError(f"targets must be a signature or a collection of signatures, got {targets!r} "
                        f"({type(targets).__name__})") from None
    if not targets:
        raise ValueError("targets must name at least one signature")
    return targets


def _node(graph: nx.Graph, signature) -> tuple[int, ...]:
    sig = canonical(signature, unit=True)
    if sig not in graph:
        raise ValueError(f"signature {signature!r} is not a node of the graph")
    return sig

