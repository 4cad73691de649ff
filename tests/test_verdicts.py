"""The verdict vocabulary and rules: verdicts follow from measured values and THRESHOLDS, never from typing."""

import math
import re
from pathlib import Path

import pytest

from latent_geometry.experiments.verdicts import (
    THRESHOLDS,
    VERDICTS,
    Claim,
    Threshold,
    all_hold,
    claims_table,
    exact_verdict,
    goal_verdict,
    interval_verdict,
    statement_verdict,
    threshold,
    write_claims,
)

INTRO = Path(__file__).resolve().parents[1] / "book" / "intro.md"


def test_vocabulary_is_the_books():
    """intro.md's table lists exactly the book's verdict vocabulary."""
    text = INTRO.read_text()
    listed = set()
    for cells in re.findall(r"^\| (\*\*.+?) \|", text, flags=re.M):
        listed |= set(re.findall(r"\*\*(.+?)\*\*", cells))
    assert listed == set(VERDICTS)


@pytest.mark.parametrize("op, value, inside, outside", [("<", 1.0, 0.5, 1.0), ("<=", 1.0, 1.0, 1.5),
                                                         (">", 0.0, 0.1, 0.0), (">=", 2.0, 2.0, 1.9)])
def test_threshold_directions(op, value, inside, outside):
    t = Threshold(value, op, "test")
    assert t.holds(inside) and not t.holds(outside)
    assert not t.holds(math.nan)


def test_rules_follow_the_numbers():
    assert exact_verdict(1e-12) == "confirmed" and exact_verdict(1e-3) == "refuted"
    assert exact_verdict(math.nan) == "refuted"
    assert statement_verdict(True) == "confirmed" and statement_verdict(False) == "refuted"
    good = {"ch2.goal1.disparity": 0.01, "ch2.goal1.scale_ratio": 1.1}
    assert all_hold(good) and goal_verdict(good) == "goal met"
    assert goal_verdict({**good, "ch2.goal1.disparity": 0.3}) == "goal not met"
    assert interval_verdict(0.1, 0.5, +1) == "reproduced"
    assert interval_verdict(0.1, 0.5, -1) == "not reproduced"
    assert interval_verdict(-0.1, 0.5, +1) == "inconclusive"
    assert interval_verdict(math.nan, 0.5, +1) == "inconclusive"
    with pytest.raises(ValueError, match="claimed_sign"):
        interval_verdict(0.1, 0.5, 0)


def test_unknown_threshold_and_verdict_are_refused():
    with pytest.raises(KeyError, match="known"):
        threshold("no.such.threshold")
    with pytest.raises(ValueError, match="verdict must be one of"):
        Claim("x", "y", "true, but")


def test_every_threshold_is_documented():
    for key, t in THRESHOLDS.items():
        assert t.op in ("<", "<=", ">", ">=") and t.why, key


def test_claims_table_and_json(tmp_path):
    claims = [Claim("eq. (4) counts", "55 nodes", "confirmed", "closed form"), Claim("goal", "0.3", "goal not met")]
    frame = claims_table(claims)
    assert list(frame.columns) == ["seed says", "our evidence", "verdict", "note"]
    assert frame["verdict"].tolist() == ["confirmed", "goal not met"]
    path = write_claims(claims, tmp_path / "claims.json", chapter="ch1")
    assert '"goal not met"' in path.read_text()
