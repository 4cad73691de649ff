"""Chapter 2's verdicts are computed: the same claims builder, fed passing or failing measurements, gives different
verdicts, taken from the book's vocabulary with the THRESHOLDS entries; the chapter itself types none and keeps
its code cells short."""

import re
from pathlib import Path

import jupytext
import pytest

from latent_geometry.experiments.ch2.claims import GOAL1, GOAL2, GOALS, chapter_claims, goal_outcome
from latent_geometry.experiments.ch2.recipe import (
    FlowSummary,
    Variant,
    summary_table,
    sweep_summary,
    variants_from_config,
)
from latent_geometry.experiments.verdicts import THRESHOLDS, VERDICTS, Threshold, claims_table
from latent_geometry.runtime.config import make_config

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "chapters" / "02_ricci_flow.py"
PLAN = variants_from_config(make_config("ch2", "smoke", functionals=("authors", "F", "W"),
                                        lam_functionals=(10.0, 0.1, 0.1)))
BASE, AUTHORS, F, W = (s.name for s in PLAN.main)
FLAT = FlowSummary(R0=400.0, R_end=1e-7, area_drift=1e-14, kappa_median=3.2)
GOOD = {"gaussians": {"disparity": 0.02, "scale_ratio": 1.1}, "roll": {"affine_R2": 0.95, "continuity": 0.99}}
BAD = {"gaussians": {"disparity": 0.25, "scale_ratio": 1.5}, "roll": {"affine_R2": 0.03, "continuity": 0.97}}


def _tables(regularized: dict, baseline: dict | None = None, spread: float = 0.01) -> dict:
    """Summary tables over three seeds: every regularized variant measures ``regularized``, the baseline
    ``baseline`` (default: BAD); seeds differ by ±spread."""
    baseline = BAD if baseline is None else baseline
    tables = {}
    for dataset in ("gaussians", "roll"):
        variants = []
        for spec in PLAN.main:
            values = (baseline if spec.is_baseline else regularized)[dataset]
            for seed, shift in enumerate((-spread, 0.0, spread)):
                variants.append(Variant(spec, seed, None, None, {m: v + shift for m, v in values.items()}))
        tables[dataset] = summary_table(variants, list(GOOD[dataset]))
    return tables


def _verdicts(tables, route_gap=1e-14, flow=FLAT) -> list[str]:
    claims = chapter_claims(tables, PLAN, route_gap=route_gap, flow=flow)
    assert all(c.verdict in VERDICTS for c in claims)
    return [c.verdict for c in claims]


def test_goals_follow_the_measurements():
    # claims: route, unorganized, goal 1, goal 2, F/W, flow
    assert _verdicts(_tables(BAD))[2:4] == ["goal not met", "goal not met"]
    assert _verdicts(_tables(GOOD))[2:4] == ["reproduced", "reproduced"]
    half = {"gaussians": GOOD["gaussians"], "roll": BAD["roll"]}
    assert _verdicts(_tables(half))[2:4] == ["reproduced", "goal not met"]


def test_every_threshold_of_a_goal_must_hold():
    distorted = {"gaussians": {"disparity": 0.02, "scale_ratio": 1.5}, "roll": {"affine_R2": 0.95, "continuity": 0.5}}
    assert _verdicts(_tables(distorted))[2:4] == ["goal not met", "goal not met"]
    at_threshold = {"gaussians": {"disparity": 0.05, "scale_ratio": 1.0}, "roll": GOOD["roll"]}
    assert _verdicts(_tables(at_threshold, spread=0.0))[2] == "goal not met"  # '<' is strict


def test_goal_outcome_picks_a_variant_that_meets_the_goal():
    tables = _tables(BAD)
    table = tables["gaussians"].copy()
    table.loc[W, ["disparity", "scale_ratio"]] = [0.01, 1.3]  # best disparity, but the scale ratio fails
    table.loc[F, ["disparity", "scale_ratio"]] = [0.04, 1.2]  # meets both
    outcome = goal_outcome(GOAL1, table, PLAN)
    assert (outcome.verdict, outcome.variant, outcome.met_by) == ("reproduced", F, (F,))
    assert outcome.measured == {"disparity": 0.04, "scale_ratio": 1.2}
    outcome = goal_outcome(GOAL2, tables["roll"], PLAN)
    assert outcome.verdict == "goal not met" and outcome.met_by == ()
    with pytest.raises(ValueError, match="regularized"):
        goal_outcome(GOAL1, table.loc[[BASE]], PLAN)


def test_thresholds_come_from_THRESHOLDS(monkeypatch):
    assert _verdicts(_tables(BAD))[2] == "goal not met"
    monkeypatch.setitem(THRESHOLDS, "ch2.goal1.disparity", Threshold(0.5, "<", "test"))
    monkeypatch.setitem(THRESHOLDS, "ch2.goal1.scale_ratio", Threshold(2.0, "<", "test"))
    assert _verdicts(_tables(BAD))[2] == "reproduced"
    assert "disparity < 0.5" in chapter_claims(_tables(BAD), PLAN, route_gap=0.0, flow=FLAT)[2].note


def test_unorganized_baseline_uses_its_interval_over_seeds():
    assert _verdicts(_tables(GOOD))[1] == "reproduced"  # baseline disparity 0.25 ± 0.01 > 0.05
    assert _verdicts(_tables(GOOD, baseline=GOOD))[1] == "not reproduced"  # 0.02 ± 0.01 < 0.05
    straddling = {"gaussians": {"disparity": 0.05, "scale_ratio": 1.0}, "roll": BAD["roll"]}
    assert _verdicts(_tables(GOOD, baseline=straddling))[1] == "inconclusive"


def test_route_flow_and_perelman_claims():
    tables = _tables(BAD)
    assert _verdicts(tables)[0] == "confirmed" and _verdicts(tables, route_gap=1e-3)[0] == "refuted"
    assert _verdicts(tables)[5] == "confirmed"
    assert _verdicts(tables, flow=FlowSummary(400.0, 4.0, 1e-14, 3.2))[5] == "refuted"  # 1e-2 of the start
    assert _verdicts(tables)[4] == "our reading"
    claims = chapter_claims(tables, PLAN, route_gap=1e-14, flow=FLAT)
    assert F in claims[4].evidence and W in claims[4].evidence
    assert "∇³Ψ is not needed" in claims[0].note and "conformal part only" in claims[5].note
    without = variants_from_config(make_config("ch2", "smoke", functionals=("authors",), lam_functionals=(10.0,)))
    tables_a = {d: t.loc[[BASE, AUTHORS]] for d, t in tables.items()}
    claim = chapter_claims(tables_a, without, route_gap=1e-14, flow=FLAT)[4]
    assert claim.verdict == "our reading" and "not trained" in claim.evidence
    frame = claims_table(claims, source="seed 001")
    assert list(frame.columns) == ["seed 001 says", "our evidence", "verdict", "note"] and len(frame) == 6


def test_goals_name_existing_summary_columns():
    for goal in GOALS:
        assert all(key.startswith("ch2.") and key in THRESHOLDS for key in goal.checks.values())
        assert goal.metric in goal.checks
    assert GOAL1.lower_is_better and not GOAL2.lower_is_better
    assert GOAL1.thresholds() == "disparity < 0.05, scale_ratio < 1.25"


def test_sweep_summary():
    rows = [{"lam": 0.0, "curv_authors": 4.0, "recon_R2": 0.96, "median_kappa": 2.6},
            {"lam": 1000.0, "curv_authors": 0.1, "recon_R2": 0.92, "median_kappa": 1.9}]
    out = sweep_summary(rows)
    assert out == pytest.approx({"lam_max": 1000.0, "curv_ratio": 0.025, "recon_0": 0.96, "recon_max": 0.92,
                                 "kappa_0": 2.6, "kappa_max": 1.9})


# ------------------------------------------------------------------------------------------- the chapter source


def _code_cells():
    return [c for c in jupytext.read(CHAPTER).cells if c.cell_type == "code"]


def test_chapter_types_no_verdict_and_no_threshold():
    code = "\n".join(c.source for c in _code_cells())
    for verdict in VERDICTS:
        assert not re.search(rf"[\"']{re.escape(verdict)}[\"']", code), verdict
    for value in ("0.05", "1.25", "0.95", "1e-3", "1e-8"):
        assert value not in code, value
    assert "goal_table(" not in code and "glue(" not in code.replace("glue_values(", "")
