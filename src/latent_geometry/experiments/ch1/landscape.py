"""What the landscape table says (seed 000 §4.2, claims (a) and (b)): per-geometry intervals, the effect of geometry
against seed noise, and each geometry against the all-Euclidean latent of the same size.

Input: the tidy landscape frame of :class:`latent_geometry.runtime.grid.ResultsTable` (one row per job × epoch,
columns ``dataset``, ``signature`` (e.g. ``"H2xE2xE2xE2xE2"``), ``n_p``, ``seed``, ``epoch``, ``train_loss``,
``val_loss``, ``test_loss``). Every geometry of one seed starts from the same initial weights and sees the same
batches, so comparisons between geometries are paired by seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from latent_geometry.experiments.statistics import paired_difference, t_interval
from latent_geometry.manifolds import canonical, format_signature

SPLITS = ("val", "test")


def final_losses(frame: pd.DataFrame) -> pd.DataFrame:
    """The last epoch of every job: columns dataset, signature, n_p, seed, train_loss, val_loss, test_loss."""
    last = frame.sort_values("epoch").groupby(["dataset", "signature", "seed"], sort=True).tail(1)
    return last.drop(columns=[c for c in ("epoch", "seconds", "device") if c in last]).reset_index(drop=True)


def euclidean(n_p: int) -> str:
    """The all-Euclidean signature with ``n_p`` components, e.g. ``"E2xE2xE2xE2xE2"``."""
    return format_signature((0,) * int(n_p))


def _select(final: pd.DataFrame, dataset: str, split: str) -> pd.DataFrame:
    if split not in SPLITS:
        raise ValueError(f"parameter 'split' must be one of {SPLITS}, got {split!r}")
    rows = final[final["dataset"] == dataset]
    if rows.empty:
        raise ValueError(f"parameter 'dataset': no rows for {dataset!r}; the table has {sorted(final['dataset'].unique())}")
    values = rows[f"{split}_loss"].astype(float)
    if values.isna().any():
        raise ValueError(f"{split} losses missing for {rows.loc[values.isna(), 'signature'].unique()[:3]}")
    return rows


def geometry_table(final: pd.DataFrame, dataset: str, split: str = "val") -> pd.DataFrame:
    """One row per geometry: n_p, number of H²/S² components, seeds, mean loss with its 95 % t-interval, rank
    (1 = lowest mean) within its n_p, and the paired difference to the all-Euclidean latent of the same n_p
    (negative = better than Euclidean) with its t-interval. Sorted by n_p, then mean."""
    rows = _select(final, dataset, split)
    wide = rows.pivot_table(index="seed", columns="signature", values=f"{split}_loss", aggfunc="first")
    out = []
    for signature in wide.columns:
        curv = canonical(signature, unit=True)
        n_p = len(curv)
        ci = t_interval(wide[signature].dropna())
        base = euclidean(n_p)
        diff = (paired_difference(wide[signature], wide[base]) if base in wide and signature != base else None)
        out.append({"signature": signature, "n_p": n_p, "#H²": curv.count(-1), "#S²": curv.count(1),
                    "seeds": ci.n, "mean": ci.mean, "low": ci.low, "high": ci.high,
                    "− Euclidean": np.nan if diff is None else diff.mean,
                    "− Euclidean low": np.nan if diff is None else diff.low,
                    "− Euclidean high": np.nan if diff is None else diff.high})
    table = pd.DataFrame(out).sort_values(["n_p", "mean"])
    table["rank"] = table.groupby("n_p")["mean"].rank(method="min").astype(int)
    return table.set_index("signature")


def geometry_effect(final: pd.DataFrame, dataset: str, n_p: int, split: str = "val") -> dict:
    """Does the geometry matter beyond seed noise, among the signatures with exactly ``n_p`` components?

    One-way ANOVA of the loss on the geometry (scipy ``f_oneway``) and Friedman's rank test blocked by seed (the
    seeds are shared, so each seed is a block); the geometries whose paired interval against the Euclidean latent
    lies wholly below / above 0; the best geometry and its interval against the Euclidean one and against the
    runner-up. Keys: ``anova_F``, ``anova_p``, ``friedman_p``, ``n_geometries``, ``n_seeds``, ``n_better``,
    ``n_worse``, ``better`` (names), ``best``, ``best_minus_euclidean`` (mean, low, high), ``best_minus_second``.
    """
    table = geometry_table(final, dataset, split)
    table = table[table["n_p"] == n_p]
    rows = _select(final, dataset, split)
    wide = rows[rows["n_p"] == n_p].pivot_table(index="seed", columns="signature", values=f"{split}_loss")
    wide = wide.dropna()
    if wide.shape[1] < 3 or wide.shape[0] < 2:
        raise ValueError(f"the effect of geometry needs >= 3 geometries and >= 2 seeds at n_p = {n_p}, "
                         f"got {wide.shape[1]} and {wide.shape[0]}")
    anova = stats.f_oneway(*[wide[c].to_numpy() for c in wide.columns])
    friedman = stats.friedmanchisquare(*[wide[c].to_numpy() for c in wide.columns])
    better = table.index[table["− Euclidean high"] < 0].tolist()
    worse = table.index[table["− Euclidean low"] > 0].tolist()
    order = table.sort_values("mean").index
    best, second = order[0], order[1]
    base = euclidean(n_p)
    d_base = paired_difference(wide[best], wide[base]) if best != base else None
    d_second = paired_difference(wide[best], wide[second])
    return {"anova_F": float(anova.statistic), "anova_p": float(anova.pvalue), "friedman_p": float(friedman.pvalue),
            "n_geometries": int(wide.shape[1]), "n_seeds": int(wide.shape[0]), "n_better": len(better),
            "n_worse": len(worse), "better": better, "best": best, "second": second,
            "best_minus_euclidean": (0.0, 0.0, 0.0) if d_base is None else (d_base.mean, d_base.low, d_base.high),
            "best_minus_second": (d_second.mean, d_second.low, d_second.high)}


def claimed_geometry_gap(final: pd.DataFrame, dataset: str, claimed: str, split: str = "val") -> dict:
    """The claimed best geometry against the best measured one of the same n_p, paired by seed (claim (b)).

    Keys: ``claimed``, ``rank`` (1 = lowest mean of its n_p), ``of`` (geometries with that n_p), ``best``,
    ``gap`` (mean, low, high) of loss(claimed) − loss(best) — 0 when the claimed geometry is the best, in which case
    the interval is that of loss(claimed) − loss(runner-up) instead (negative when it wins beyond noise).
    """
    claimed = format_signature(canonical(claimed, unit=True))
    table = geometry_table(final, dataset, split)
    n_p = int(table.loc[claimed, "n_p"])
    same = table[table["n_p"] == n_p].sort_values("mean")
    rows = _select(final, dataset, split)
    wide = rows[rows["n_p"] == n_p].pivot_table(index="seed", columns="signature", values=f"{split}_loss").dropna()
    best = same.index[0]
    other = same.index[1] if best == claimed else best
    d = paired_difference(wide[claimed], wide[other])
    return {"claimed": claimed, "rank": int(same.loc[claimed, "rank"]), "of": len(same), "best": best,
            "compared_with": other, "gap": (d.mean, d.low, d.high)}


def trajectories(frame: pd.DataFrame, dataset: str, n_p: int, split: str = "val") -> pd.DataFrame:
    """Per-epoch mean loss over seeds of every geometry with ``n_p`` components: index epoch, one column per
    geometry (seed 000's Fig. 3 plots such trajectories)."""
    col = f"{split}_loss" if split in SPLITS else "train_loss"
    rows = frame[(frame["dataset"] == dataset) & (frame["n_p"] == n_p)]
    return rows.pivot_table(index="epoch", columns="signature", values=col, aggfunc="mean")


def mean_landscape(final: pd.DataFrame, dataset: str, nodes, split: str = "val") -> np.ndarray:
    """Seed-mean loss of each node of ``nodes`` (sorted curvature tuples, e.g. ``list(graph)``), shape (N,);
    a node missing from the table is an error."""
    table = geometry_table(final, dataset, split)
    names = [format_signature(n) for n in nodes]
    missing = [n for n in names if n not in table.index]
    if missing:
        raise ValueError(f"the landscape table lacks {len(missing)} nodes of the graph, e.g. {missing[:3]}")
    return table.loc[names, "mean"].to_numpy(dtype=float)
