"""Tables and glued values of chapter 1, part 2 that are not the landscape's statistics: the loss scales of the two
set-ups, the encoder-ReLU comparison, the replay summaries, the learned curvatures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from latent_geometry.experiments.ch1.landscape import final_losses, geometry_table
from latent_geometry.experiments.statistics import paired_difference, t_interval

SEED_REPORTED = {"best naive walk": 0.8064, "best backtracking walk": 0.7863}
"""The seed's Fig. 4 minima (its plotting notebook's numbers): unweighted naive walk and weighted backtracking."""


def loss_baselines(train: torch.Tensor, val: torch.Tensor, standardized: bool) -> dict:
    """Reference losses on a set-up's validation images (targets = inputs).

    Always ``mean_image``: MSE of predicting the mean training image. With ``standardized`` targets (the seed's
    code) also ``floor``: the lowest MSE any output in [0, 1] (a sigmoid) can reach, E(x − clip(x, 0, 1))²;
    ``clipped_mean``: the mean training image clipped to [0, 1]; ``zero``: predicting 0 everywhere.
    """
    mean = train.mean(0, keepdim=True)
    out = {"mean_image": float(((mean - val) ** 2).mean())}
    if standardized:
        out |= {"floor": float(((val - val.clamp(0, 1)) ** 2).mean()),
                "clipped_mean": float(((mean.clamp(0, 1) - val) ** 2).mean()),
                "zero": float((val ** 2).mean())}
    return out


def setup_table(as_seed: pd.DataFrame, corrected: pd.DataFrame, baselines: Mapping[str, Mapping]) -> pd.DataFrame:
    """Per geometry of the comparison: final validation loss (mean and 95 % t-interval over seeds) in the as-seed and
    the corrected set-up, each beside the mean-image predictor's loss on the same scale (ratio < 1: the model beats
    predicting the average digit)."""
    rows = []
    for name, frame in (("as-seed", as_seed), ("corrected", corrected)):
        table = geometry_table(final_losses(frame), "mnist")
        base = baselines[name]["mean_image" if name == "corrected" else "clipped_mean"]
        for signature, row in table.iterrows():
            rows.append({"set-up": name, "signature": signature, "val loss": row["mean"], "low": row["low"],
                         "high": row["high"], "mean-image loss": base, "ratio": row["mean"] / base})
    return pd.DataFrame(rows).set_index(["set-up", "signature"])


def setup_comparison(as_seed: pd.DataFrame, landscape: pd.DataFrame, data: Mapping) -> tuple[pd.DataFrame, dict]:
    """The two set-ups side by side on the as-seed grid's geometries (MNIST): :func:`setup_table` and the baselines
    of :func:`loss_baselines` per set-up. ``data``: ``{"as-seed": LandscapeData, "corrected": LandscapeData}``."""
    baselines = {name: loss_baselines(d.train, d.val, standardized=name == "as-seed") for name, d in data.items()}
    compared = landscape[landscape["signature"].isin(as_seed["signature"].unique()) & (landscape["dataset"] == "mnist")]
    return setup_table(as_seed, compared, baselines), baselines


def as_seed_values(table: pd.DataFrame, baselines: Mapping) -> dict:
    """Glue values of :func:`setup_table`: the range of the as-seed intervals, the baselines, the corrected ratios."""
    seed_rows, corrected = table.loc["as-seed"], table.loc["corrected"]
    return {"as_seed_low": float(seed_rows["low"].min()), "as_seed_high": float(seed_rows["high"].max()),
            "as_seed_ratio_min": float(seed_rows["ratio"].min()), "floor": baselines["as-seed"]["floor"],
            "clipped_mean": baselines["as-seed"]["clipped_mean"], "zero_loss": baselines["as-seed"]["zero"],
            "corrected_mean_image": baselines["corrected"]["mean_image"],
            "corrected_ratio_max": float(corrected["ratio"].max()),
            "corrected_ratio_min": float(corrected["ratio"].min())}


def relu_table(other: pd.DataFrame, landscape: pd.DataFrame, landscape_has_relu: bool) -> pd.DataFrame:
    """Per geometry: final validation loss with and without the encoder's final ReLU and the paired difference
    (with − without, same seeds) with its 95 % t-interval. ``landscape``: the landscape's runs of these geometries;
    ``other``: the same jobs with the ReLU switched; ``landscape_has_relu``: the landscape's setting."""
    a, b = (landscape, other) if landscape_has_relu else (other, landscape)
    a, b = final_losses(a), final_losses(b)
    rows = []
    for signature in sorted(set(a["signature"]) & set(b["signature"])):
        x = a[(a["signature"] == signature) & (a["dataset"] == "mnist")].sort_values("seed")
        y = b[(b["signature"] == signature) & (b["dataset"] == "mnist")].sort_values("seed")
        if list(x["seed"]) != list(y["seed"]):
            raise ValueError(f"the two ReLU grids have different seeds for {signature}")
        d = paired_difference(x["val_loss"], y["val_loss"])
        rows.append({"signature": signature, "with ReLU": x["val_loss"].mean(), "without": y["val_loss"].mean(),
                     "with − without": d.mean, "low": d.low, "high": d.high})
    return pd.DataFrame(rows).set_index("signature")


def relu_values(table: pd.DataFrame) -> dict:
    """Glue values of :func:`relu_table`: how many geometries the ReLU makes worse / better beyond their interval,
    and the mean relative change of the loss."""
    return {"relu_worse": int((table["low"] > 0).sum()), "relu_better": int((table["high"] < 0).sum()),
            "relu_n": len(table), "relu_rel": float((table["with − without"] / table["without"]).mean())}


def hitting_summary(hitting: pd.DataFrame, n_nodes: int) -> pd.DataFrame:
    """Expected evaluations to the best geometry per strategy and costing, against random search without
    replacement's (N + 1)/2: columns mean and 95 % interval over the runs that found it, censored runs,
    ``lower_bound`` (mean of min(T, budget + 1), a lower bound of E[T]) and whether E[T] lies below (N + 1)/2
    ("fewer"), above ("more") or across it ("same"); with censored runs only the lower bound can decide ("more")."""
    rs = (n_nodes + 1) / 2
    out = hitting[["label", "costing", "mean", "ci_low", "ci_high", "n_censored", "n_runs", "lower_bound"]].copy()
    censored = out["n_censored"] > 0
    word = np.where(out["ci_high"] < rs, "fewer", np.where(out["ci_low"] > rs, "more", "same"))
    # with censored runs the mean over the runs that found the best is biased low; only the lower bound decides
    word = np.where(censored, np.where(out["lower_bound"] > rs, "more", "undecided (censored)"), word)
    out["vs (N+1)/2"] = word
    return out.set_index(["label", "costing"])


def kappa_table(runs: Sequence) -> pd.DataFrame:
    """Where the learned curvatures went: one row per run (``LearnedKappa``), final κ sorted, the number of components
    with κ < −0.5 / |κ| ≤ 0.5 / κ > 0.5, and the final validation loss."""
    rows = []
    for r in runs:
        k = np.sort(np.asarray(r.final_kappa))
        rows.append({"seed": r.seed, "final κ (sorted)": ", ".join(f"{v:+.2f}" for v in k),
                     "κ < −0.5": int((k < -0.5).sum()), "|κ| ≤ 0.5": int((np.abs(k) <= 0.5).sum()),
                     "κ > 0.5": int((k > 0.5).sum()), "val loss": r.rows[-1]["val_loss"]})
    return pd.DataFrame(rows).set_index("seed")


def kappa_values(runs: Sequence) -> dict:
    """Glue values: the mean |κ| over components and runs, the largest |κ|, and the learned runs' mean loss with
    its t-interval."""
    k = np.array([r.final_kappa for r in runs], dtype=float)
    loss = [r.rows[-1]["val_loss"] for r in runs]
    ci = t_interval(loss) if len(loss) > 1 else None
    return {"kappa_mean_abs": float(np.abs(k).mean()), "kappa_max_abs": float(np.abs(k).max()),
            "kappa_loss": float(np.mean(loss)), "kappa_loss_low": ci.low if ci else float("nan"),
            "kappa_loss_high": ci.high if ci else float("nan")}


def kappa_map_check(seed: int, n: int = 500) -> dict:
    """The κ-map against the model spaces' exponential maps (float64, ``n`` tangent vectors of norm < 3): the largest
    deviation from ``ModelSpace(±1).expmap0`` and from the plane padded with a constant 1, and of C² + κS² from 1."""
    from latent_geometry.manifolds import ModelSpace, kappa_expmap0

    gen = torch.Generator().manual_seed(seed)
    u = 3 * torch.rand(n, 1, generator=gen, dtype=torch.float64) * torch.nn.functional.normalize(
        torch.randn(n, 2, generator=gen, dtype=torch.float64), dim=-1)
    errors = {}
    for k, name in ((1, "sphere"), (-1, "hyperboloid")):
        errors[name] = float((kappa_expmap0(u, k) - ModelSpace(k).expmap0(u)).abs().max())
    plane = torch.cat([torch.ones(n, 1, dtype=torch.float64), u], dim=-1)
    errors["plane"] = float((kappa_expmap0(u, 0.0) - plane).abs().max())
    k = 4 * torch.rand(n, 1, generator=gen, dtype=torch.float64) - 2
    x = kappa_expmap0(u, k[:, 0])
    errors["identity"] = float((x[:, :1] ** 2 + k * (x[:, 1:] ** 2).sum(-1, keepdim=True) - 1).abs().max())
    return {f"kappa_{name}_error": e for name, e in errors.items()} | {"kappa_map_error": max(errors.values())}


def effect_frame(effects: Mapping[str, Mapping]) -> pd.DataFrame:
    """One row per dataset of :func:`~latent_geometry.experiments.ch1.landscape.geometry_effect` results."""
    rows = []
    for dataset, e in effects.items():
        m, lo, hi = e["best_minus_euclidean"]
        rows.append({"dataset": dataset, "geometries": e["n_geometries"], "seeds": e["n_seeds"],
                     "Friedman p": e["friedman_p"], "ANOVA p": e["anova_p"], "better than Euclidean": e["n_better"],
                     "worse than Euclidean": e["n_worse"], "best": e["best"],
                     "best − Euclidean": f"{m:+.4f} [{lo:+.4f}, {hi:+.4f}]"})
    return pd.DataFrame(rows).set_index("dataset")


def _interval_text(t: Sequence[float]) -> str:
    return f"{t[0]:+.4f} [{t[1]:+.4f}, {t[2]:+.4f}]"


def effect_values(effects: Mapping[str, Mapping], claimed: Mapping, table: pd.DataFrame, n_p: int) -> dict:
    """Glue values of the geometry effect (per dataset) and of the claimed geometry's gap, plus (on ``table``'s
    dataset) ``relative_gap``: the largest |bound| of the paired intervals against the Euclidean latent (n_p
    components) over its loss, and the mean losses ``euclid_mean`` and ``best_mean``."""
    values = {}
    for dataset, e in effects.items():
        values |= {f"friedman_p_{dataset}": e["friedman_p"], f"n_better_{dataset}": e["n_better"],
                   f"n_worse_{dataset}": e["n_worse"], f"best_{dataset}": e["best"],
                   f"best_gap_{dataset}": _interval_text(e["best_minus_euclidean"])}
    rows = table[table["n_p"] == n_p]
    base = float(rows.loc[(rows["#H²"] == 0) & (rows["#S²"] == 0), "mean"].iloc[0])
    values |= {"euclid_mean": base, "best_mean": float(rows["mean"].min())}
    bound = float(np.nanmax(np.abs(rows[["− Euclidean low", "− Euclidean high"]].to_numpy())))
    return values | {"n_geometries": len(rows), "claimed": claimed["claimed"], "claimed_rank": claimed["rank"],
                     "claimed_of": claimed["of"], "claimed_other": claimed["compared_with"],
                     "claimed_gap": _interval_text(claimed["gap"]), "relative_gap": bound / base}


def test_table(final: pd.DataFrame, dataset: str, signatures: Sequence[str]) -> pd.DataFrame:
    """Test loss (mean and 95 % t-interval over seeds) of the named geometries, measured once after training."""
    rows = []
    for signature in dict.fromkeys(signatures):
        values = final[(final["dataset"] == dataset) & (final["signature"] == signature)]["test_loss"].astype(float)
        ci = t_interval(values)
        rows.append({"signature": signature, "test loss": ci.mean, "low": ci.low, "high": ci.high, "seeds": ci.n})
    return pd.DataFrame(rows).set_index("signature")


def landscape_graph(graph, sizes: str, n_p: int):
    """The search graph over the landscape's nodes: ``graph`` itself (``sizes="all"``) or its subgraph of the
    products with exactly ``n_p`` components, joined by swap edges (``"exactly"``)."""
    if sizes == "all":
        return graph
    return graph.subgraph([s for s in graph if len(s) == n_p]).copy()


def smoothness_frame(f: np.ndarray, graph, *, n_clusters: int, n_perm: int,
                     rng: np.random.Generator) -> tuple[dict, pd.DataFrame]:
    """Dirichlet energy ratio of the node losses ``f`` (in ``list(graph)`` order) under the seed's GH weights and
    under unit weights, each relative to its permutation null's mean, and the share of the variance of f explained
    by the ``n_clusters`` spectral clusters of the GH-weighted graph, with its permutation p-value (claim (e)).

    Returns the glue values (``energy_gh``, ``energy_gh_p``, ``energy_unit``, ``energy_unit_p``, ``eta2``,
    ``within_p``) and a table with one row per weighting.
    """
    from latent_geometry.search.smoothness import cluster_spread, smoothness_test

    from latent_geometry.search.spectral import spectral_clustering, weight_matrix

    weights = {"seed (Hungarian)": weight_matrix(graph), "unweighted": weight_matrix(graph, weighted=False)}
    labels = spectral_clustering(weights["seed (Hungarian)"], n_clusters, rng)
    rows, tests = [], {}
    for name, w in weights.items():
        t = smoothness_test(f, w, n_perm, rng)
        tests[name] = t
        rows.append({"weighting": name, "energy": t.observed, "null mean": t.null_mean,
                     "null 95 % range": f"[{t.null_low:.3f}, {t.null_high:.3f}]", "energy / null mean":
                     t.observed / t.null_mean, "p (smoother than random)": t.p_value})
    spread = cluster_spread(f, labels, n_perm, rng)
    gh, unit = tests["seed (Hungarian)"], tests["unweighted"]
    values = {"energy_gh": gh.observed / gh.null_mean, "energy_gh_p": gh.p_value,
              "energy_unit": unit.observed / unit.null_mean, "energy_unit_p": unit.p_value,
              "eta2": spread.eta_squared, "within_p": spread.permutation.p_value}
    return values, pd.DataFrame(rows).set_index("weighting")


def as_seed_summary(table: pd.DataFrame, baselines: Mapping, reported: Mapping[str, float]) -> dict:
    """What claim "Fig. 4's losses" needs: the range of the as-seed 95 % intervals, the clipped mean-image loss and
    the seed's reported minima."""
    rows = table.loc["as-seed"]
    return {"low": float(rows["low"].min()), "high": float(rows["high"].max()),
            "baseline": baselines["as-seed"]["clipped_mean"], "reported": tuple(reported.values())}


def smoothness_by_graph(final: pd.DataFrame, graph, *, sizes: str, n_p: int, n_perm: int,
                        rng: np.random.Generator) -> tuple[dict, pd.DataFrame]:
    """:func:`smoothness_frame` of the MNIST seed-mean losses on the landscape's graph and, when it spans several
    sizes, also on its products with exactly ``n_p`` components (latent dimension fixed: no capacity confound).

    Glue values: those of the fixed-size graph (the claim's evidence) unsuffixed, the all-sizes ones with ``_all``;
    the table has one row per (graph, weighting).
    """
    from latent_geometry.experiments.ch1.landscape import mean_landscape

    graphs = {f"exactly {n_p} components": landscape_graph(graph, "exactly", n_p)}
    if sizes == "all":
        graphs = {f"1…{n_p} components": graph, **graphs}
    values, tables = {}, {}
    for i, (name, g) in enumerate(graphs.items()):
        f = mean_landscape(final, "mnist", list(g))
        v, t = smoothness_frame(f, g, n_clusters=3, n_perm=n_perm, rng=rng)
        last = i == len(graphs) - 1
        values |= v if last else {f"{k}_all": x for k, x in v.items()}
        tables[name] = t
    return values, pd.concat(tables, names=["graph"])


def replay_values(hitting: pd.DataFrame, n_nodes: int) -> dict:
    """Glue values of a replay's hitting table (retrained costing): expected evaluations to the best geometry of
    GP-BO (GH weights), greedy local search, the backtracking walk and random search without replacement, and
    (N + 1)/2."""
    h = hitting[hitting["costing"] == "retrained"].set_index("strategy")
    keys = {"bo_gh": "bo", "greedy_local_search": "greedy", "backtracking": "back", "random_search": "rs"}
    out = {"rs_closed": (n_nodes + 1) / 2}
    for name, key in keys.items():
        row = h.loc[name]
        out |= {f"replay_{key}": float(row["mean"]), f"replay_{key}_low": float(row["ci_low"]),
                f"replay_{key}_high": float(row["ci_high"]), f"replay_{key}_censored": int(row["n_censored"])}
    return out
