"""The book's verdict vocabulary, every threshold a verdict is computed from, and the claims tables.

A chapter never types a verdict: it measures, then calls one of the rules below with a threshold from
:data:`THRESHOLDS` (the one place they live), and shows the resulting :class:`Claim` rows with
:func:`claims_table`. The vocabulary is ``book/intro.md``'s ("How to read a verdict"), one for the whole book: among others
*inconclusive* (the interval cannot decide), *goal met* / *goal not met* (the source states a goal and shows no
result; we measured whether it can be met) and *not testable as stated*.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from latent_geometry._util.checks import check_choice
from latent_geometry._util.io import atomic_write_text

VERDICTS = (
    "confirmed", "refuted", "reproduced", "partly reproduced", "not reproduced", "inconclusive", "goal met",
    "goal not met", "not testable as stated", "code differs", "our reading",
)


@dataclass(frozen=True)
class Threshold:
    """A named threshold: ``value`` compared by ``op`` ('<', '<=', '>', '>='); ``why`` says where it comes from."""

    value: float
    op: str
    why: str

    def holds(self, measured: float) -> bool:
        """``measured op value``; NaN never holds."""
        if measured is None or (isinstance(measured, float) and math.isnan(measured)):
            return False
        return {"<": measured < self.value, "<=": measured <= self.value,
                ">": measured > self.value, ">=": measured >= self.value}[self.op]

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


THRESHOLDS: dict[str, Threshold] = {
    # exact statements: floating-point agreement in float64
    "exact": Threshold(1e-9, "<=", "float64 agreement of an identity or of two exact computations"),
    "closed_form": Threshold(1e-9, "<=", "float64 agreement with a closed form"),
    # chapter 1
    "ch1.simulation_z": Threshold(3.0, "<=", "a simulated mean within 3 standard errors of its exact value"),
    "ch1.cluster_R": Threshold(0.8, ">=", "multiple correlation at which the Fiedler space 'sorts by' a feature"),
    "ch1.walk_cost": Threshold(1.0, "<=", "a walk explores as well as random search: expected evaluations to a "
                                          "target at most those of sampling without replacement"),
    "ch1.alpha": Threshold(0.05, "<", "significance level of a test: p below it rejects 'no effect'"),
    "ch1.loss_equivalence": Threshold(0.01, "<", "geometries count as equivalent when every paired 95 % interval "
                                                 "against the Euclidean latent lies within 1 % of its loss"),
    "ch1.regret_equivalence": Threshold(0.1, "<", "two searches count as equal when the 95 % interval of their "
                                                  "regret difference lies within 10 % of the reference's regret"),
    "ch1.seed_loss_overlap": Threshold(0.0, "<=", "a reported loss is reproduced when it lies inside the range of "
                                                  "our 95 % intervals (distance outside it <= 0)"),
    # chapter 2 (ours: the seed states goals, no numbers)
    "ch2.goal1.disparity": Threshold(0.05, "<", "per-class Procrustes disparity of an undistorted realignment"),
    "ch2.goal1.scale_ratio": Threshold(1.25, "<", "ratio of per-class scales: one common scale"),
    "ch2.goal2.affine_R2": Threshold(0.9, ">", "affine R² of the unrolled coordinates on the codes"),
    "ch2.goal2.continuity": Threshold(0.95, ">", "continuity (no tearing), k = 10"),
    "ch2.calibration_ratio": Threshold(0.1, "<=", "λ calibration: the sweep scale whose own-estimate ratio "
                                                  "(after/before) is closest to this factor"),
    "ch2.repo_reduction": Threshold(0.1, "<=", "a curvature reduction 'reproduced': at least 10× lower"),
    "ch2.repo_r2_cost": Threshold(0.05, "<", "a reconstruction-R² cost 'small': below 0.05"),
    "ch2.chart_change": Threshold(0.05, ">", "a reparametrization 'changes the chart': affine R² moves by > 0.05"),
    "ch2.gauss_bonnet": Threshold(1e-2, "<=", "the grid resolves R: |∫R dV| / (V ∫R² dV)^½ on it (0 in the "
                                             "continuum, by Gauss–Bonnet on the torus)"),
    "ch2.route_agreement": Threshold(1e-8, "<", "relative gap between the Gauss and Christoffel routes"),
}


def threshold(key: str) -> Threshold:
    """The threshold named ``key`` (a KeyError lists the known names)."""
    try:
        return THRESHOLDS[key]
    except KeyError:
        raise KeyError(f"unknown threshold {key!r}; known: {', '.join(sorted(THRESHOLDS))}") from None


# ------------------------------------------------------------------------------------------------------ rules


def exact_verdict(error: float, key: str = "exact") -> str:
    """A mathematical statement checked to floating-point precision: confirmed or refuted."""
    return "confirmed" if threshold(key).holds(error) else "refuted"


def all_hold(measured: dict[str, float]) -> bool:
    """Every ``THRESHOLDS[key].holds(value)`` for the items of ``measured``."""
    return all(threshold(key).holds(value) for key, value in measured.items())


def goal_verdict(measured: dict[str, float]) -> str:
    """A goal the source states without showing a result: *goal met* when every threshold holds, else *goal not
    met*."""
    return "goal met" if all_hold(measured) else "goal not met"


def interval_verdict(low: float, high: float, claimed_sign: int) -> str:
    """A claimed effect (``claimed_sign`` +1: positive, -1: negative) against a confidence interval [low, high].

    Reproduced when the interval lies wholly on the claimed side of 0, not reproduced when wholly on the other
    side, inconclusive when it contains 0 (or is not finite).
    """
    check_choice(claimed_sign, "claimed_sign", (1, -1))
    if not (math.isfinite(low) and math.isfinite(high)) or low <= 0 <= high:
        return "inconclusive"
    return "reproduced" if (low > 0) == (claimed_sign > 0) else "not reproduced"


def statement_verdict(holds: bool) -> str:
    """A checkable statement about the source's objects (not a number within noise): confirmed or refuted."""
    return "confirmed" if holds else "refuted"


# ----------------------------------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class Claim:
    """One row of a claims table: what the source says, our evidence (with numbers), the computed verdict, a note."""

    claim: str
    evidence: str
    verdict: str
    note: str = ""

    def __post_init__(self):
        check_choice(self.verdict, "verdict", VERDICTS)


def claims_table(claims: list[Claim], source: str = "seed"):
    """A pandas DataFrame of the claims, one row each, columns claim / evidence / verdict / note."""
    import pandas as pd

    frame = pd.DataFrame([asdict(c) for c in claims])
    return frame.rename(columns={"claim": f"{source} says", "evidence": "our evidence"})


def write_claims(claims: list[Claim], path, chapter: str) -> Path:
    """The claims as JSON (atomically), for the replication scorecard to gather."""
    payload = {"chapter": chapter, "claims": [asdict(c) for c in claims]}
    return atomic_write_text(path, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
