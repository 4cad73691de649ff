"""GP-BO replayed on a landscape table: all runs in lock-step (``batched_bayes_opt``) vs one run after another
(``bayes_opt``), and the wall time of the chapter's whole replay (every strategy).

Both GP variants run the same algorithm (diffusion kernel, β and noise by marginal likelihood on the grid, EI) on the
same synthetic 55-node, 3-seed table; they are timed alternately in one run and the ratio sequential / batched is
printed. Then ``replay("all", ...)`` is timed once with ``--runs`` runs per strategy (the chapter's replay section).

    python benchmarks/bench_replay.py --runs 1000 --sequential-runs 20
"""

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from latent_geometry.manifolds import format_signature
from latent_geometry.search.bayesopt import batched_bayes_opt, bayes_opt
from latent_geometry.search.replay import TableObjective, replay
from latent_geometry.search.space import search_space
from latent_geometry.search.spectral import weight_matrix


def synthetic_table(graph, n_seeds: int, rng: np.random.Generator) -> pd.DataFrame:
    f = rng.normal(size=graph.number_of_nodes())
    return pd.DataFrame([{"signature": format_signature(s), "seed": k, "loss": f[i] + 0.3 * rng.normal()}
                         for i, s in enumerate(graph) for k in range(n_seeds)])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-p", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1000, help="runs per strategy of the full replay")
    parser.add_argument("--sequential-runs", type=int, default=20, help="GP-BO runs timed in each variant")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    graph = search_space(args.n_p)
    n = graph.number_of_nodes()
    rng = np.random.default_rng(0)
    table = synthetic_table(graph, 3, rng)
    objective = TableObjective(table, rng)
    losses = {s: table.loc[table["signature"] == format_signature(s), "loss"].to_numpy() for s in graph}
    padded = np.stack([losses[s] for s in graph])
    W = weight_matrix(graph)

    def evaluate(_runs, idx):
        return padded[idx, rng.integers(padded.shape[1], size=idx.size)]

    times = {"sequential": [], "batched": []}
    for r in range(args.repeats):
        for name in (("sequential", "batched") if r % 2 == 0 else ("batched", "sequential")):
            t = time.perf_counter()
            if name == "sequential":
                for _ in range(args.sequential_runs):
                    bayes_opt(graph, objective, n, rng)
            else:
                batched_bayes_opt(W, evaluate, args.sequential_runs, n, rng)
            times[name].append(time.perf_counter() - t)
    seq, bat = statistics.median(times["sequential"]), statistics.median(times["batched"])
    print(f"GP-BO, {args.sequential_runs} runs of {n} evaluations on {n} nodes: sequential {seq:.2f} s, "
          f"batched {bat:.2f} s; ratio sequential / batched = {seq / bat:.2f}x")

    t = time.perf_counter()
    result = replay("all", graph, table, args.runs, n, rng)
    total = time.perf_counter() - t
    per = ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items())
    print(f"full replay, every strategy x {args.runs} runs: {total:.1f} s ({per})")


if __name__ == "__main__":
    main()
