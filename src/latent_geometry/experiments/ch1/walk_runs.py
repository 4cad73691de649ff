"""The four walks of seed 000's Fig. 4 (naive and performance-based backtracking, each unweighted and 1/d_GH-weighted),
run many times on a table objective or a few times on a live, training objective.

:func:`walk_values` returns, per walk, the loss evaluated at each step of each run, shape (runs, budget) — what
Fig. 4a–e plot (:func:`~latent_geometry.experiments.ch1.landscape_figures.walk_panels_figure`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import networkx as nx
import numpy as np

from latent_geometry._util.checks import check_int
from latent_geometry.search.walks import backtracking_walk, random_walk

WALKS: dict[str, Callable] = {
    "naive, unweighted": partial(random_walk, weighted=False),
    "naive, weighted": partial(random_walk, weighted=True),
    "backtracking, unweighted": partial(backtracking_walk, weighted=False, on_local_minimum="restart"),
    "backtracking, weighted": partial(backtracking_walk, weighted=True, on_local_minimum="restart"),
}
"""Fig. 4's walks (seed 000 §4.3–4.4): the seed's p_ij = w_ij/d_i for the weighted ones; backtracking as the paper
describes it (step back when the loss got worse; restart at a random node from a local minimum, as the replay
does), not the authors' depth-first search."""


def walk_values(graph: nx.Graph, objective_for_run: Callable[[int], Callable], n_runs: int, budget: int,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Run every walk of :data:`WALKS` ``n_runs`` times for ``budget`` evaluations.

    ``objective_for_run(r)`` gives run r's objective (``signature -> loss``); the four walks of one run share it, so
    a caching objective trains each geometry once per run. Returns ``{walk: values}``, values (n_runs, budget) in
    evaluation order (NaN after a walk that stopped early).
    """
    n_runs = check_int(n_runs, "n_runs", low=1)
    budget = check_int(budget, "budget", low=1)
    out = {name: np.full((n_runs, budget), np.nan) for name in WALKS}
    for r in range(n_runs):
        objective = objective_for_run(r)
        for name, walk in WALKS.items():
            values = walk(graph, objective, budget, rng).values
            out[name][r, :len(values)] = values
    return out


def best_after(values: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """Per walk, the lowest loss among each run's first ``k`` evaluations, shape (n_runs,)."""
    return {name: np.nanmin(v[:, :k], axis=1) for name, v in values.items()}


def fig4_values(values: dict[str, np.ndarray], table, budget: int) -> dict:
    """Glue values: the mean lowest *observed* loss of the weighted naive walk after ``budget`` steps, the table's best
    seed-mean loss, and whether the first lies below or above the second (``table``: signature, seed, loss)."""
    observed = float(np.mean(best_after(values, budget)["naive, weighted"]))
    best = float(table.groupby("signature")["loss"].mean().min())
    return {"walk_budget": budget, "fig4_observed": observed, "fig4_true_best": best,
            "fig4_relation": "below" if observed < best else "above"}
