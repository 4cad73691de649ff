"""The claims of chapter 1, part 2 — seed 000's (a)–(e), its loss values, and NLGS's search claim — with verdicts
computed from the landscape, the replayed searches and the smoothness statistics.

Every rule compares a measurement (with its interval) to a named threshold of
:data:`~latent_geometry.experiments.verdicts.THRESHOLDS`; nothing here types a verdict for a particular outcome.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
from scipy import stats

from latent_geometry.experiments.verdicts import Claim, interval_verdict, threshold

# ------------------------------------------------------------------------------------------------------ rules


def geometry_matters_verdict(p_value: float, max_relative_gap: float) -> str:
    """Claim (a), "the choice of latent geometry has a significant impact" (seed 000 §4.2).

    Reproduced when the seed-blocked test rejects "no effect" (``ch1.alpha``); not reproduced when it does not and
    every geometry is equivalent to the Euclidean latent (``max_relative_gap``: the largest |bound| of the paired
    intervals against it, relative to its loss, below ``ch1.loss_equivalence``); inconclusive otherwise.
    """
    if threshold("ch1.alpha").holds(p_value):
        return "reproduced"
    return "not reproduced" if threshold("ch1.loss_equivalence").holds(max_relative_gap) else "inconclusive"


def best_geometry_verdict(rank: int, gap: tuple[float, float, float]) -> str:
    """Claim (b), "H²×(E²)⁴ converged to the lowest loss": ``gap`` = (mean, low, high) of loss(claimed) − loss(other),
    other = the best measured geometry, or the runner-up when the claimed one ranks first.

    Reproduced when it ranks first and beats the runner-up beyond noise (high < 0); not reproduced when the best
    geometry beats it beyond noise (low > 0); inconclusive otherwise.
    """
    _, low, high = gap
    if rank == 1 and high < 0:
        return "reproduced"
    return "not reproduced" if low > 0 else "inconclusive"


def better_search_verdict(difference: tuple[float, float]) -> str:
    """A claim "search A beats search B": ``difference`` = 95 % interval of regret(B) − regret(A) (positive = A
    better), decided by :func:`~latent_geometry.experiments.verdicts.interval_verdict`."""
    return interval_verdict(*difference, claimed_sign=1)


def no_worse_verdict(difference: tuple[float, float], reference: float) -> str:
    """A claim "A performs about as well as or better than B": ``difference`` = interval of regret(B) − regret(A).

    Reproduced when A is at most a margin worse (low > −margin, margin = ``ch1.regret_equivalence`` × ``reference``,
    B's mean regret); not reproduced when A is worse beyond the margin (high < −margin); else inconclusive.
    """
    low, high = difference
    margin = threshold("ch1.regret_equivalence").value * reference
    if not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive"
    if low > -margin:
        return "reproduced"
    return "not reproduced" if high < -margin else "inconclusive"


def beats_random_search_verdict(interval: tuple[float, float], random_search: float, n_censored: int) -> str:
    """"Strategy S finds the best geometry in fewer evaluations than random search": the 95 % interval of S's
    expected evaluations to the best against (N + 1)/2. Censored runs (never found) make a low mean unreliable, so
    they turn a "reproduced" into "inconclusive"."""
    low, high = interval
    if not (math.isfinite(low) and math.isfinite(high)):
        return "inconclusive"
    if high < random_search:
        return "reproduced" if n_censored == 0 else "inconclusive"
    return "not reproduced" if low > random_search else "inconclusive"


def smoother_verdict(p_value: float) -> str:
    """Claim (e), "performance is smoother within spectral clusters": reproduced when the within-cluster spread is
    smaller than under random relabelling at ``ch1.alpha``; inconclusive otherwise (a non-significant permutation
    test does not show equal spread)."""
    return "reproduced" if threshold("ch1.alpha").holds(p_value) else "inconclusive"


def reported_loss_verdict(reported, low: float, high: float) -> str:
    """Loss values the seed reports (a number or a sequence), against the range [low, high] our as-seed runs' 95 %
    intervals span: reproduced when all lie inside (``ch1.seed_loss_overlap``), else not reproduced."""
    values = [reported] if isinstance(reported, (int, float)) else list(reported)
    outside = max(max(low - v, v - high, 0.0) for v in values)
    return "reproduced" if threshold("ch1.seed_loss_overlap").holds(outside) else "not reproduced"


def resolved_verdict(verdict: str, landscape_p: float) -> str:
    """A search claim measured on a table ranks strategies by how fast they find the table's best geometry. When no
    geometry differs from another beyond seed noise (the landscape test's p is not below ``ch1.alpha``), that best
    geometry is chosen by noise and the comparison cannot support the claim either way: inconclusive."""
    return verdict if threshold("ch1.alpha").holds(landscape_p) else "inconclusive"


# ------------------------------------------------------------------------------------------------- helpers


def regret_at(curves: pd.DataFrame, strategy: str, k: int, costing: str = "retrained") -> tuple[float, float]:
    """(mean regret, its standard error) of ``strategy`` after ``k`` evaluations, from replay curves."""
    row = curves[(curves["strategy"] == strategy) & (curves["k"] == k) & (curves["costing"] == costing)]
    if len(row) != 1:
        raise ValueError(f"no replay curve for strategy {strategy!r}, k = {k}, costing {costing!r}")
    row = row.iloc[0]
    se = (row["regret_high"] - row["regret_mean"]) / stats.t.ppf(0.975, row["n_runs"] - 1)
    return float(row["regret_mean"]), float(se)


def regret_difference(curves: pd.DataFrame, a: str, b: str, k: int, costing: str = "retrained") -> tuple[float, float]:
    """95 % interval of regret(b) − regret(a) at ``k`` evaluations (independent runs: normal approximation with the
    two standard errors combined; positive = ``a`` better)."""
    (ma, sa), (mb, sb) = regret_at(curves, a, k, costing), regret_at(curves, b, k, costing)
    half = stats.norm.ppf(0.975) * math.hypot(sa, sb)
    return (mb - ma - half, mb - ma + half)


# -------------------------------------------------------------------------------------------------- claims


def part2_claims(*, effect: Mapping, relative_gap: float, claimed: Mapping, curves: pd.DataFrame,
                 hitting: pd.DataFrame, n_nodes: int, budget: int, smooth: Mapping, as_seed: Mapping,
                 kmnist_effect: Mapping | None = None) -> list[Claim]:
    """The part-2 claims with computed verdicts.

    ``effect``: :func:`~latent_geometry.experiments.ch1.landscape.geometry_effect` on MNIST (n_p = 5);
    ``relative_gap``: the largest |bound| of its paired intervals against the Euclidean latent over that latent's
    loss; ``claimed``: :func:`~latent_geometry.experiments.ch1.landscape.claimed_geometry_gap`; ``curves``/``hitting``:
    a replay's ``curves`` and ``hitting``; ``n_nodes``: N of the replayed graph; ``budget``: the seed's walk length;
    ``smooth``: ``within_p`` (permutation p of the within-cluster spread), ``energy_gh``, ``energy_unit`` and
    their null p-values ``energy_gh_p``, ``energy_unit_p``; ``as_seed``: ``low``, ``high`` (range of our as-seed
    95 % intervals), ``baseline`` (the mean-image predictor's loss on that scale), ``reported`` (the seed's
    reported minima).
    """
    k = budget
    back = regret_difference(curves, "backtracking", "random_walk", k)
    weighted = regret_difference(curves, "weighted_random_walk", "random_walk", k)
    ref, _ = regret_at(curves, "random_walk", k)
    rs = (n_nodes + 1) / 2
    hit = hitting[hitting["costing"] == "retrained"].set_index("strategy")
    bo = hit.loc["bo_gh"]
    m, lo, hi = effect["best_minus_euclidean"]
    p_land = effect["friedman_p"]
    noise_note = ("" if threshold("ch1.alpha").holds(p_land) else
                  f"; on this table no geometry differs beyond seed noise (Friedman p = {p_land:.2g}), so the "
                  "replay ranks strategies on noise")
    rows = [
        Claim("(a) on MNIST the choice of latent geometry has a significant impact on the loss",
              f"Friedman test over {effect['n_geometries']} geometries × {effect['n_seeds']} seeds: p = "
              f"{effect['friedman_p']:.2g} (ANOVA p = {effect['anova_p']:.2g}); {effect['n_better']} geometries beat "
              f"the Euclidean latent beyond their 95 % interval, {effect['n_worse']} are worse",
              geometry_matters_verdict(effect["friedman_p"], relative_gap),
              f"best {effect['best']}: {m:+.2g} [{lo:+.2g}, {hi:+.2g}] vs all-Euclidean"),
        Claim("(b) H²×(E²)⁴ converges to the lowest loss",
              f"{claimed['claimed']} ranks {claimed['rank']} of {claimed['of']}; loss − {claimed['compared_with']}: "
              f"{claimed['gap'][0]:+.2g} [{claimed['gap'][1]:+.2g}, {claimed['gap'][2]:+.2g}]",
              best_geometry_verdict(claimed["rank"], claimed["gap"]),
              "the seed's evidence: one unseeded run of the as-seed set-up"),
        Claim("(c) backtracking beats the naive random walk",
              f"regret after {k} evaluations, naive − backtracking: [{back[0]:+.2g}, {back[1]:+.2g}]",
              resolved_verdict(better_search_verdict(back), p_land),
              "the paper's performance-based backtracking, replayed on the table; the seed's code ran a DFS"
              + noise_note),
        Claim("(d) the 1/d_GH-weighted walk performs similarly to or better than the unweighted walk",
              f"regret after {k} evaluations, unweighted − weighted: [{weighted[0]:+.2g}, {weighted[1]:+.2g}] "
              f"(unweighted {ref:.2g})", resolved_verdict(no_worse_verdict(weighted, ref), p_land),
              f"margin {threshold('ch1.regret_equivalence').value:.0%} of the unweighted regret; the seed's "
              "code ignored the weights" + noise_note),
        Claim("(e) performance is smoother within spectral clusters of the weighted graph",
              f"within-cluster spread vs random relabelling: p = {smooth['within_p']:.2g}; Dirichlet energy "
              f"{smooth['energy_gh']:.2f} (GH weights, null p = {smooth['energy_gh_p']:.2g}), "
              f"{smooth['energy_unit']:.2f} (unit weights, p = {smooth['energy_unit_p']:.2g})",
              smoother_verdict(smooth["within_p"]),
              "products with exactly n_p components (no capacity confound); energy 1 = as rough as random"),
        Claim("NLGS: GP-BO on the GH-weighted graph needs fewer evaluations than random search",
              f"expected evaluations to the best: {bo['mean']:.1f} [{bo['ci_low']:.1f}, {bo['ci_high']:.1f}] vs "
              f"(N+1)/2 = {rs:.1f}; {int(bo['n_censored'])} of {int(bo['n_runs'])} runs censored",
              resolved_verdict(beats_random_search_verdict((bo["ci_low"], bo["ci_high"]), rs,
                                                           int(bo["n_censored"])), p_land),
              "replayed on our table; NLGS's own numbers could not be read" + noise_note),
        Claim("Fig. 4: the best losses found are " + " and ".join(f"{v:.3f}" for v in as_seed["reported"]) + " (MSE)",
              f"our as-seed runs span [{as_seed['low']:.3f}, {as_seed['high']:.3f}]; the mean-image predictor scores "
              f"{as_seed['baseline']:.3f} on that scale", reported_loss_verdict(as_seed["reported"], as_seed["low"],
                                                                               as_seed["high"]),
              "sigmoid outputs against standardized targets: the level of predicting the mean image"),
    ]
    if kmnist_effect is not None:
        rows.append(Claim("KMNIST is studied as well (§4)", f"not in the seed; ours: Friedman p = "
                          f"{kmnist_effect['friedman_p']:.2g}, best {kmnist_effect['best']}", "not testable as stated",
                          "the seed shows no KMNIST result"))
    return rows


def conclusion(claims: list[Claim]) -> str:
    """One sentence per verdict class, naming the claims (by their label, e.g. "(a)") that received it."""
    groups: dict[str, list[str]] = {}
    for c in claims:
        label = c.claim.split(")")[0] + ")" if c.claim.startswith("(") else c.claim.split(":")[0]
        groups.setdefault(c.verdict, []).append(label)
    parts = [f"{v.capitalize()}: {', '.join(labels)}." for v, labels in groups.items()]
    return " ".join(parts)
