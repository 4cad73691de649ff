"""Chapter 2's goal verdicts and claims table, computed from measured values (seed 001).

Every verdict here comes from a rule of :mod:`latent_geometry.experiments.verdicts` applied to a measurement and a
threshold of :data:`~latent_geometry.experiments.verdicts.THRESHOLDS` (the ``ch2.*`` entries); the chapter only
measures and shows the result. The seed states its two goals in words, with no numbers: the thresholds that make
them checkable are ours, and each claim's note says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from latent_geometry.experiments.ch2.recipe import FlowSummary, Results, VariantPlan, goal_table
from latent_geometry.experiments.verdicts import (
    Claim,
    all_hold,
    exact_verdict,
    goal_verdict,
    interval_verdict,
    statement_verdict,
    threshold,
)

__all__ = ["GOAL1", "GOAL2", "GOALS", "Goal", "GoalOutcome", "chapter_claims", "goal_frame", "goal_outcome"]


@dataclass(frozen=True)
class Goal:
    """A goal of the seed, made checkable: the dataset it is measured on, the summary columns checked against
    THRESHOLDS keys (``checks``: column -> key), and the column that ranks variants and is compared with the
    baseline seed by seed (``metric``, one of the checked columns)."""

    label: str
    statement: str
    dataset: str
    checks: Mapping[str, str]
    metric: str

    def __post_init__(self):
        if self.metric not in self.checks:
            raise ValueError(f"parameter 'metric' must be one of the checked columns {list(self.checks)}, got "
                             f"{self.metric!r}")
        for key in self.checks.values():
            threshold(key)  # an unknown key fails at definition

    @property
    def lower_is_better(self) -> bool:
        return threshold(self.checks[self.metric]).op in ("<", "<=")

    def thresholds(self) -> str:
        """The checks in words, e.g. ``disparity < 0.05, scale_ratio < 1.25``."""
        return ", ".join(f"{column} {threshold(key)}" for column, key in self.checks.items())


GOAL1 = Goal("goal 1", "realign the Gaussian clouds on the same 2d plane, without distortion", "gaussians",
             {"disparity": "ch2.goal1.disparity", "scale_ratio": "ch2.goal1.scale_ratio"}, "disparity")
GOAL2 = Goal("goal 2", "unroll the “doe” without tearing", "roll",
             {"affine_R2": "ch2.goal2.affine_R2", "continuity": "ch2.goal2.continuity"}, "affine_R2")
GOALS = (GOAL1, GOAL2)


@dataclass(frozen=True)
class GoalOutcome:
    """A goal's verdict (:func:`~latent_geometry.experiments.verdicts.goal_verdict` of ``variant``'s seed-means
    ``measured``), with ``variant`` the best regularized variant on the goal's metric among those that meet every
    threshold, or among all when none does; ``met_by`` lists the variants that meet every threshold."""

    verdict: str
    variant: str
    measured: dict
    met_by: tuple[str, ...]


def goal_outcome(goal: Goal, table, plan: VariantPlan) -> GoalOutcome:
    """The verdict of ``goal`` from a summary ``table`` (index = variant names) of the regularized variants."""
    names = [s.name for s in plan.main if not s.is_baseline and s.name in table.index]
    if not names:
        raise ValueError(f"the summary table holds no regularized variant of the plan (index: {list(table.index)})")
    measured = {n: {column: float(table.loc[n, column]) for column in goal.checks} for n in names}
    verdicts = {n: goal_verdict({goal.checks[c]: v for c, v in m.items()}) for n, m in measured.items()}
    met_by = tuple(n for n in names if all_hold({goal.checks[c]: v for c, v in measured[n].items()}))
    sign = 1 if goal.lower_is_better else -1
    best = min(met_by or names, key=lambda n: sign * measured[n][goal.metric])
    return GoalOutcome(verdicts[best], best, measured[best], met_by)


def goal_frame(goal: Goal, results: Results, table):
    """The per-variant goal table of ``goal`` (:func:`~latent_geometry.experiments.ch2.recipe.goal_table`)."""
    return goal_table(results.variants(goal.dataset), table, goal.checks, goal.metric, results.plan.baseline.name)


def _interval(table, name: str, column: str) -> tuple[float, float, float]:
    return tuple(float(table.loc[name, c]) for c in (column, f"{column}_low", f"{column}_high"))


def _unorganized(tables: Mapping, plan: VariantPlan) -> Claim:
    """The baseline's goal-1 metric, with its interval over seeds, against goal 1's threshold: the claim "the AE
    latent space is unorganized" says it lies on the failing side."""
    column, key = GOAL1.metric, GOAL1.checks[GOAL1.metric]
    limit = threshold(key)
    base = plan.baseline.name
    mean, low, high = _interval(tables[GOAL1.dataset], base, column)
    failing_side = 1 if GOAL1.lower_is_better else -1  # unorganized = the organized side's threshold not reached
    others = [f"{c} {tables[GOAL1.dataset].loc[base, c]:.3g}" for c in GOAL1.checks if c != column]
    roll = tables.get(GOAL2.dataset)
    if roll is not None:
        others.append(f"roll {GOAL2.metric} {roll.loc[base, GOAL2.metric]:.3g}")
    return Claim(
        "the AE latent space is unorganized (slide “Unorganized latent space”)",
        f"baseline {column} {mean:.3g} [{low:.3g}, {high:.3g}] over seeds; " + ", ".join(others),
        interval_verdict(low - limit.value, high - limit.value, failing_side),
        f"unorganized (ours): the baseline's {column} interval lies beyond goal 1's threshold ({column} {limit})",
    )


def _goal_claim(goal: Goal, table, plan: VariantPlan) -> Claim:
    outcome = goal_outcome(goal, table, plan)
    values = ", ".join(f"{c} {v:.3g}" for c, v in outcome.measured.items())
    note = f"thresholds ours ({goal.thresholds()}): the seed states the goal in words"
    if goal is GOAL2:
        note += "; the roll is intrinsically flat, so a folded chart has R = 0 as well as an unrolled one"
    return Claim(f"{goal.label}: curvature regularization can {goal.statement}",
                 f"best regularized variant, {outcome.variant}: {values}", outcome.verdict, note)


def _perelman_claim(tables: Mapping, plan: VariantPlan) -> Claim:
    ours = [s for s in plan.main if s.functional in ("F", "W")]
    parts = []
    for s in ours:
        values = [f"{g.metric} {tables[g.dataset].loc[s.name, g.metric]:.3g}" for g in GOALS
                  if g.dataset in tables and s.name in tables[g.dataset].index]
        parts.append(f"{s.name}: " + ", ".join(values))
    evidence = "; ".join(parts) if parts else "not trained in this run (parameter functionals)"
    return Claim("F and W as regularizers (eqs. (2), (3))", evidence, "our reading",
                 "never implemented by the authors; ours: a learned potential, the decoder ascends F or W as Ricci "
                 "flow does and the potential descends to the infimum (the seed gives no sign)")


def chapter_claims(tables: Mapping, plan: VariantPlan, *, route_gap: float, flow: FlowSummary) -> list[Claim]:
    """The claims of seed 001 with our evidence and computed verdicts.

    ``tables``: summary tables (:meth:`~latent_geometry.experiments.ch2.recipe.Results.summary`, with the
    ``_low``/``_high`` interval columns) keyed by dataset (``"gaussians"``, ``"roll"``); ``route_gap``: relative
    gap between the Gauss and Christoffel routes to R on a trained decoder; ``flow``: the conformal Ricci flow run.
    """
    route_verdict = exact_verdict(route_gap, "ch2.route_agreement")
    route = Claim(
        "R = F(∇Ψ, ∇²Ψ, ∇³Ψ) (slide “Ricci flow as a gradient flow”)",
        f"Gauss route (∇Ψ, ∇²Ψ only) = Christoffel route to {route_gap:.1e} relative "
        f"(threshold {threshold('ch2.route_agreement')})",
        route_verdict,
        "true, but ∇³Ψ is not needed: its terms cancel (Gauss equation)" if route_verdict == "confirmed"
        else "the Gauss and Christoffel routes disagree on this decoder",
    )
    flat = Claim(
        "Ricci flow drives a latent metric to a flat one (slide “Ricci flow on manifolds”)",
        f"conformal flow of the learned factor: max|R| {flow.R0:.3g} → {flow.R_end:.2g}, area conserved to "
        f"{flow.area_drift:.0e}",
        statement_verdict(all_hold({"ch2.flow_flat": flow.flattening})),
        f"conformal part only: the fit drops an anisotropy of median κ = {flow.kappa_median:.2f}; flat means "
        f"max|R| end/start {threshold('ch2.flow_flat')}",
    )
    goals = [_goal_claim(g, tables[g.dataset], plan) for g in GOALS if g.dataset in tables]
    return [route, _unorganized(tables, plan), *goals, _perelman_claim(tables, plan), flat]
