"""Search strategies replayed on a landscape table, and the objectives they query (as NAS-Bench, ``ying2019nasbench``).

A *landscape table* is a pandas DataFrame with columns ``signature`` (a curvature tuple such as (-1, 0, 0, 0, 0) or
its string "H2xE2xE2xE2xE2"), ``seed`` (int) and ``loss`` (float, lower is better): one row per trained run.

* :class:`TableObjective` — each query of a signature returns one of its seeds' losses, drawn uniformly at random
  (a noisy replay of the table: a query "retrains" the geometry).
* :class:`CachedObjective` — wraps any ``signature -> loss`` callable (a table, or a function that trains your
  model) so a repeated query returns the first value; counts calls and distinct evaluations.
* :func:`replay` — ``n_runs`` runs of each strategy of :data:`STRATEGY_NAMES` against a :class:`TableObjective`,
  with two costings: ``"retrained"`` (every query costs one evaluation and draws a fresh seed) and ``"cached"``
  (the objective is a :class:`CachedObjective`; only distinct queries cost). Strategies that never query a node
  twice (random search without replacement, the DFS, greedy local search, GP-BO) give identical runs under both.

With true values μ(x) = the seed-mean of node x, the regret after k evaluations is r_k = min μ(x) over the nodes
evaluated so far − min_x μ(x) ≥ 0 (non-increasing in k). The *incumbent regret* μ(x̂_k) − min μ uses instead the
node x̂_k of the lowest *observed* value so far (what a user would pick); under seed noise it can rise with k.
The *best node* is argmin μ (all of them if tied); T = the evaluation count at which a run first evaluates it (censored if never within the budget).
Random search without replacement has E[T] = (N + 1)/2 and P(T ≤ k) = k/N.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import networkx as nx
import numpy as np
import pandas as pd
from scipy.stats import norm, t as student_t

from latent_geometry._util.checks import check_int
from latent_geometry.manifolds import canonical
from latent_geometry.search.bayesopt import BETAS, NOISES, _graph_weights, batched_bayes_opt
from latent_geometry.search.spectral import transition_matrix, weight_matrix
from latent_geometry.search.walks import backtracking_walk, depth_first_search, greedy_local_search, random_search

COSTINGS = ("retrained", "cached")


class EvaluationBudgetExhausted(RuntimeError):
    """Raised by :class:`CachedObjective` when a new signature is queried after ``max_evaluations`` distinct ones."""


def _node_losses(table: pd.DataFrame) -> dict[tuple, np.ndarray]:
    """{canonical signature: losses of its seeds (float64, in table order)} with the table's columns checked."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame with columns signature, seed, loss; got "
                        f"{type(table).__name__}")
    missing = [c for c in ("signature", "seed", "loss") if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {missing}; a landscape table needs signature, seed and loss")
    if table.empty:
        raise ValueError("table has no rows")
    loss = pd.to_numeric(table["loss"], errors="coerce").to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(loss)):
        bad = table.loc[~np.isfinite(loss), ["signature", "seed", "loss"]].head(3).to_dict("records")
        raise ValueError(f"table column 'loss' must be finite numbers; {int(np.sum(~np.isfinite(loss)))} row(s) are "
                         f"not, e.g. {bad}")
    sigs = [canonical(s, unit=True) for s in table["signature"]]
    keys = list(zip(sigs, table["seed"].tolist()))
    if len(set(keys)) != len(keys):
        raise ValueError("table has repeated (signature, seed) rows; each seed of a geometry must appear once")
    out: dict[tuple, list[float]] = {}
    for sig, value in zip(sigs, loss):
        out.setdefault(sig, []).append(float(value))
    return {sig: np.array(v) for sig, v in out.items()}


def _check_covers(losses: dict, graph: nx.Graph) -> list:
    if not isinstance(graph, nx.Graph) or graph.number_of_nodes() == 0:
        raise ValueError("graph must be a non-empty networkx.Graph (see search_space.search_space)")
    nodes = list(graph)
    absent = [n for n in nodes if n not in losses]
    if absent:
        raise ValueError(f"the table has no rows for {len(absent)} of the graph's {len(nodes)} nodes, e.g. "
                         f"{absent[:3]}; replay needs every node of the graph in the table")
    return nodes


def landscape_means(table: pd.DataFrame, graph: nx.Graph) -> np.ndarray:
    """Seed-mean loss of every node of ``graph``, shape (N,), in ``list(graph)`` order (the "true" landscape)."""
    losses = _node_losses(table)
    return np.array([losses[n].mean() for n in _check_covers(losses, graph)])


class TableObjective:
    """``signature -> loss``: each call returns one seed's loss of that signature, drawn uniformly with ``rng``."""

    def __init__(self, table: pd.DataFrame, rng: np.random.Generator) -> None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        self.losses = _node_losses(table)
        self.rng = rng

    @classmethod
    def _from_losses(cls, losses: dict, rng: np.random.Generator) -> "TableObjective":
        self = cls.__new__(cls)
        self.losses, self.rng = losses, rng
        return self

    def __call__(self, signature) -> float:
        values = self.losses.get(signature) if isinstance(signature, tuple) else None
        if values is None:
            key = canonical(signature, unit=True)
            if key not in self.losses:
                raise KeyError(f"signature {signature!r} is not in the table")
            values = self.losses[key]
        return float(values[self.rng.integers(values.size)])


class CachedObjective:
    """Wrap ``objective`` (signature -> float) so each distinct signature is evaluated once.

    A repeated query (same canonical signature) returns the first value without calling ``objective``.
    ``calls`` counts queries, ``evaluations`` distinct evaluations, ``queries`` lists the queried signatures in
    order. With ``max_evaluations``, querying a new signature after that many distinct ones raises
    :class:`EvaluationBudgetExhausted` (repeats stay free).
    """

    def __init__(self, objective: Callable, max_evaluations: int | None = None) -> None:
        if not callable(objective):
            raise TypeError(f"objective must be callable signature -> float, got {type(objective).__name__}")
        self.objective = objective
        self.max_evaluations = None if max_evaluations is None else check_int(max_evaluations, "max_evaluations",
                                                                              low=0)
        self.cache: dict[tuple, float] = {}
        self.queries: list[tuple] = []

    @property
    def calls(self) -> int:
        return len(self.queries)

    @property
    def evaluations(self) -> int:
        return len(self.cache)

    def __call__(self, signature) -> float:
        key = signature if isinstance(signature, tuple) and signature in self.cache else canonical(signature)
        if key not in self.cache:
            if self.max_evaluations is not None and len(self.cache) >= self.max_evaluations:
                raise EvaluationBudgetExhausted(f"{self.max_evaluations} distinct evaluations spent")
            value = float(self.objective(key))
            if math.isnan(value):
                raise ValueError(f"objective returned NaN for signature {key}")
            self.cache[key] = value
        self.queries.append(key)
        return self.cache[key]


@dataclass(frozen=True)
class _Spec:
    label: str
    run: Callable | None  # walks-style strategy; None for GP-BO (batched) and the blind walks (lock-step)
    repeats: bool  # may query a node twice (then the costings differ)
    weights: str | None = None  # GP-BO edge weights
    blind: str | None = None  # lock-step blind strategy: "iid" (random search with replacement), "unit", "gh" walk


_REGISTRY: dict[str, _Spec] = {
    "random_search": _Spec("Random search (without replacement)", partial(random_search, replace=False), False),
    "random_search_with_replacement": _Spec("Random search (with replacement)", None, True, blind="iid"),
    "random_walk": _Spec("Naive walk (unweighted)", None, True, blind="unit"),
    "weighted_random_walk": _Spec("Naive walk (weighted, p_ij = w_ij/d_i)", None, True, blind="gh"),
    "backtracking": _Spec("Performance-based backtracking (paper)", backtracking_walk, True),
    "code_dfs": _Spec("Depth-first search (seed code's 'backtracking')", depth_first_search, False),
    "greedy_local_search": _Spec("Greedy local search with restarts", greedy_local_search, False),
    "bo_gh": _Spec("GP-BO, diffusion kernel, GH weights", None, False, "gh"),
    "bo_unit": _Spec("GP-BO, diffusion kernel, unit weights", None, False, "unit"),
    "bo_shuffled": _Spec("GP-BO, diffusion kernel, shuffled GH weights", None, False, "shuffled"),
}
STRATEGY_NAMES: dict[str, str] = {name: spec.label for name, spec in _REGISTRY.items()}
"""Strategy name -> readable label, in the order the chapter lists them."""

_OPTIONS = ("max_queries", "on_local_minimum", "n_initial", "betas", "noises")


@dataclass(frozen=True)
class ReplayResult:
    """Tidy outputs of :func:`replay`.

    ``curves``: one row per (strategy, costing, k = 1..budget): ``regret_mean``, ``regret_low``, ``regret_high``
    (95 % t-interval across runs), ``p_found`` = P(T ≤ k) with its 95 % Wilson interval ``p_found_low/high``,
    ``incumbent_regret_mean/low/high`` likewise.
    ``hitting``: one row per (strategy, costing): ``n_runs``, ``n_censored`` (runs with T > budget), ``mean``,
    ``ci_low``, ``ci_high`` of T over the runs that found the best node (a lower bound of E[T] when runs are
    censored) and ``lower_bound`` = mean of min(T, budget + 1) over all runs (also ≤ E[T]).
    ``seconds``: wall time per strategy; ``best``: the best node(s) by seed-mean; ``n_nodes``: N.
    """

    curves: pd.DataFrame
    hitting: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    best: tuple = ()
    n_nodes: int = 0


def _trajectory(nodes: np.ndarray, values: np.ndarray, budget: int, mu: np.ndarray, is_best: np.ndarray,
                cached: bool) -> tuple[np.ndarray, np.ndarray, float]:
    """Regret and incumbent regret r_1..r_budget (carried forward past the run's end) and T of one run (inf if the
    best node is not evaluated within the budget)."""
    if cached:  # only first queries cost; a repeat returns the cached value, so it cannot change the running best
        _, first = np.unique(nodes, return_index=True)
        keep = np.sort(first)
        nodes, values = nodes[keep], values[keep]
    nodes, values = nodes[:budget], values[:budget]
    k = np.arange(values.size)
    previous = np.concatenate([[np.inf], np.minimum.accumulate(values)[:-1]])
    incumbent = nodes[np.maximum.accumulate(np.where(values < previous, k, 0))]  # lowest observed value so far
    regret, chosen = np.empty(budget), np.empty(budget)
    regret[:values.size] = np.minimum.accumulate(mu[nodes]) - mu.min()
    chosen[:values.size] = mu[incumbent] - mu.min()
    regret[values.size:], chosen[values.size:] = regret[values.size - 1], chosen[values.size - 1]
    hits = np.flatnonzero(is_best[nodes])
    return regret, chosen, float(hits[0] + 1) if hits.size else math.inf


def _t_interval(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95 % Student-t interval along ``axis`` (zero width for one sample)."""
    n = x.shape[axis]
    mean = x.mean(axis=axis)
    half = student_t.ppf(0.975, n - 1) * x.std(axis=axis, ddof=1) / math.sqrt(n) if n > 1 else np.zeros_like(mean)
    return mean, mean - half, mean + half


def _wilson(p: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    z = norm.ppf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _summarize(name: str, costing: str, regret: np.ndarray, chosen: np.ndarray, hits: np.ndarray, budget: int):
    n = regret.shape[0]
    mean, low, high = _t_interval(regret)
    c_mean, c_low, c_high = _t_interval(chosen)
    k = np.arange(1, budget + 1)
    p = (hits[:, None] <= k[None, :]).mean(axis=0)
    p_low, p_high = _wilson(p, n)
    curves = pd.DataFrame({"strategy": name, "label": STRATEGY_NAMES[name], "costing": costing, "k": k,
                           "regret_mean": mean, "regret_low": np.maximum(low, 0.0), "regret_high": high,
                           "p_found": p, "p_found_low": p_low, "p_found_high": p_high,
                           "incumbent_regret_mean": c_mean, "incumbent_regret_low": np.maximum(c_low, 0.0),
                           "incumbent_regret_high": c_high, "n_runs": n})
    found = hits[np.isfinite(hits)]
    m, lo, hi = _t_interval(found) if found.size else (math.nan, math.nan, math.nan)
    hitting = {"strategy": name, "label": STRATEGY_NAMES[name], "costing": costing, "n_runs": n,
               "n_censored": int(n - found.size), "mean": float(m), "ci_low": float(lo), "ci_high": float(hi),
               "lower_bound": float(np.minimum(hits, budget + 1).mean())}
    return curves, hitting


def _run_walks(spec: _Spec, graph, table_objective, n_runs, budget, rng, cached, max_queries, kwargs):
    """(nodes, values) per run for a walks-style strategy; node indices in ``list(graph)`` order."""
    index = {s: i for i, s in enumerate(graph)}
    runs = []
    for _ in range(n_runs):
        if cached:
            objective = CachedObjective(table_objective, max_evaluations=budget)
            try:
                spec.run(graph, objective, max_queries, rng, **kwargs)
            except EvaluationBudgetExhausted:
                pass
            runs.append((np.array([index[s] for s in objective.queries], dtype=np.int64),
                         np.array([objective.cache[s] for s in objective.queries])))
        else:
            result = spec.run(graph, table_objective, budget, rng, **kwargs)
            runs.append((np.array([index[s] for s in result.signatures], dtype=np.int64), result.values))
    return runs


def _blind_runs(kind: str, graph: nx.Graph, n_runs: int, n_queries: int, rng: np.random.Generator) -> np.ndarray:
    """(n_runs, n_queries) nodes of blind strategies in lock-step; the same laws as ``random_search(replace=True)``
    and ``random_walk`` (uniform start, then p_ij = w_ij / d_i, or 1/deg(i) for unit weights; seed 000 §3.3)."""
    N = graph.number_of_nodes()
    if kind == "iid":
        return rng.integers(N, size=(n_runs, n_queries))
    cum = np.cumsum(transition_matrix(weight_matrix(graph, kind == "gh")), axis=1)
    cum[:, -1] = np.inf  # rows sum to 1 up to rounding
    out = np.empty((n_runs, n_queries), dtype=np.int64)
    out[:, 0] = x = rng.integers(N, size=n_runs)
    for q in range(1, n_queries):
        x = (cum[x] <= rng.random(n_runs)[:, None]).sum(axis=1)  # first j with cum_j > u: P(j) = p_xj
        out[:, q] = x
    return out


def replay(strategy, graph: nx.Graph, table: pd.DataFrame, n_runs: int, budget: int, rng: np.random.Generator,
           **options) -> ReplayResult:
    """Replay strategies ``n_runs`` times each on ``table`` over ``graph`` and summarize regret and hitting times.

    ``strategy``: a name of :data:`STRATEGY_NAMES`, a sequence of names, or ``"all"``. ``budget``: evaluations per
    run (k = 1..budget; use budget ≥ N so that random search without replacement always finds the best node).
    Each query draws one seed's loss at random (:class:`TableObjective`). ``options``:

    * ``max_queries`` (default 20·budget) — cap on the queries of a repeating strategy under the cached costing;
    * ``on_local_minimum`` (default ``"restart"``) — for the backtracking walk (``"stop"`` is the seed's
      "can get stuck");
    * ``n_initial`` (default 2), ``betas``, ``noises`` (default :data:`~latent_geometry.search.bayesopt.BETAS`,
      :data:`~latent_geometry.search.bayesopt.NOISES`) — for GP-BO.

    Every node of ``graph`` must be in the table (ValueError naming the missing ones). GP-BO runs all ``n_runs`` in
    lock-step (:func:`~latent_geometry.search.bayesopt.batched_bayes_opt`), as do the blind walks and random search
    with replacement (whose paths ignore the values); the other strategies run one by one through ``walks``.
    """
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise ValueError(f"unknown option(s) {unknown}; replay accepts {list(_OPTIONS)}")
    names = list(STRATEGY_NAMES) if strategy == "all" else [strategy] if isinstance(strategy, str) else list(strategy)
    bad = [n for n in names if n not in _REGISTRY]
    if bad or not names:
        raise ValueError(f"strategy must be 'all', one of {list(STRATEGY_NAMES)} or a non-empty sequence of them; "
                         f"got {strategy!r}")
    n_runs = check_int(n_runs, "n_runs", low=2)
    budget = check_int(budget, "budget (evaluations per run)", low=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    max_queries = check_int(options.get("max_queries", 20 * budget), "max_queries", low=budget)
    on_local_minimum = options.get("on_local_minimum", "restart")
    n_initial = options.get("n_initial", 2)
    losses = _node_losses(table)
    nodes = _check_covers(losses, graph)
    N = len(nodes)
    mu = np.array([losses[n].mean() for n in nodes])
    is_best = np.isclose(mu, mu.min(), rtol=0, atol=1e-12 * max(1.0, abs(mu.min())))
    counts = np.array([losses[n].size for n in nodes])
    padded = np.zeros((N, counts.max()))
    for i, n in enumerate(nodes):
        padded[i, :counts[i]] = losses[n]

    def draw(_runs, idx):  # one seed per query, uniformly (vectorized TableObjective)
        return padded[idx, (rng.random(idx.size) * counts[idx]).astype(np.int64)]

    curves, hitting, seconds = [], [], {}
    for name in names:
        spec = _REGISTRY[name]
        start = time.perf_counter()
        per_costing = {}
        for costing in COSTINGS:
            cached = costing == "cached"
            if cached and not spec.repeats:
                per_costing[costing] = per_costing["retrained"]
                continue
            if spec.blind is not None:
                idx = _blind_runs(spec.blind, graph, n_runs, max_queries if cached else budget, rng)
                if cached:  # a cached run sees one fixed draw per node
                    fixed = padded[np.arange(N), (rng.random((n_runs, N)) * counts).astype(np.int64)]
                    vals = np.take_along_axis(fixed, idx, axis=1)
                else:
                    vals = draw(None, idx.ravel()).reshape(idx.shape)
                runs = list(zip(idx, vals))
            elif spec.run is None:
                W = _graph_weights(graph, spec.weights, n_runs, rng)
                idx, vals = batched_bayes_opt(W, draw, n_runs, min(budget, N), rng, n_initial=n_initial,
                                              betas=options.get("betas", BETAS), noises=options.get("noises", NOISES))
                runs = list(zip(idx, vals))
            else:
                kwargs = {"on_local_minimum": on_local_minimum} if name == "backtracking" else {}
                runs = _run_walks(spec, graph, TableObjective._from_losses(losses, rng), n_runs, budget, rng, cached,
                                  max_queries, kwargs)
            per_costing[costing] = [_trajectory(n_, v_, budget, mu, is_best, cached) for n_, v_ in runs]
        for costing in COSTINGS:
            regret = np.stack([r for r, _, _ in per_costing[costing]])
            chosen = np.stack([c for _, c, _ in per_costing[costing]])
            hits = np.array([h for _, _, h in per_costing[costing]])
            c, h = _summarize(name, costing, regret, chosen, hits, budget)
            curves.append(c)
            hitting.append(h)
        seconds[name] = time.perf_counter() - start
    return ReplayResult(pd.concat(curves, ignore_index=True), pd.DataFrame(hitting), seconds,
                        tuple(nodes[i] for i in np.flatnonzero(is_best)), N)


__all__ = ["COSTINGS", "STRATEGY_NAMES", "CachedObjective", "EvaluationBudgetExhausted", "ReplayResult",
           "TableObjective", "landscape_means", "replay"]
