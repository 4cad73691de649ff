"""The distance-accuracy table of latent_geometry.manifolds.accuracy: its mpmath reference, its summary, and the
facts the "Numerical accuracy" appendix and the maps module docstring state, on a small sample."""

import math

import mpmath
import numpy as np
import pandas as pd
import pytest
import torch

from latent_geometry.manifolds.accuracy import (
    PAIRS,
    PAIRS_PER_BIN,
    _partner,
    accurate_ranges,
    distance_accuracy,
    reference_distance,
    theta_edges,
)
from latent_geometry.manifolds import max_hyperbolic_radius


@pytest.fixture(scope="module")
def table():
    return distance_accuracy(3, seed=1)


def bins(table, space, chart, dtype, pair):
    return table[(table["space"] == space) & (table["chart"] == chart) & (table["dtype"] == dtype)
                 & (table["pair"] == pair)]


@pytest.fixture(scope="module")
def summary(table):
    return accurate_ranges(table).set_index(["space", "chart", "dtype", "pair"])


def law_of_cosines(k, u, v, digits=400):
    """The textbook arccos / arcosh of Table 1 (seed 000) in polar coordinates, at enough digits to survive its
    cancellation: an oracle independent of the haversine form the reference uses."""
    with mpmath.workdps(digits):
        if k == 0:
            return float(mpmath.sqrt((mpmath.mpf(u[0]) - v[0]) ** 2 + (mpmath.mpf(u[1]) - v[1]) ** 2))
        s = mpmath.sqrt(abs(k))
        t1, t2 = s * mpmath.sqrt(mpmath.mpf(u[0]) ** 2 + u[1] ** 2), s * mpmath.sqrt(mpmath.mpf(v[0]) ** 2 + v[1] ** 2)
        cos_dphi = (mpmath.mpf(u[0]) * v[0] + mpmath.mpf(u[1]) * v[1]) / (t1 * t2 / s**2)
        if k < 0:
            return float(mpmath.acosh(mpmath.cosh(t1) * mpmath.cosh(t2) - mpmath.sinh(t1) * mpmath.sinh(t2) * cos_dphi) / s)
        return float(mpmath.acos(mpmath.cos(t1) * mpmath.cos(t2) + mpmath.sin(t1) * mpmath.sin(t2) * cos_dphi) / s)


@pytest.mark.parametrize("k", [0, 1, -1, 4, -0.25])
def test_reference_distance_and_partners(k):
    rng = np.random.default_rng(0)
    for theta in (0.3, 2.0, 3.1, 7.0, 40.0, 120.0):
        r = theta / math.sqrt(abs(k)) if k else theta
        phi, psi = rng.uniform(0, 2 * math.pi, 2)
        u, v = (r * math.cos(phi), r * math.sin(phi)), (0.7 * r * math.cos(psi), 0.7 * r * math.sin(psi))
        assert reference_distance(k, u, v) == pytest.approx(law_of_cosines(k, u, v), rel=1e-13, abs=1e-13)
        w = _partner(k, u, rng.uniform(0, 2 * math.pi))  # 0.5·R away, before rounding to float64
        radius = 1 / math.sqrt(abs(k)) if k else 1.0
        if theta < 30:  # further out a float64 latent cannot hold the partner's angle (the table's point)
            assert reference_distance(k, u, w) == pytest.approx(0.5 * radius, rel=1e-9)
    assert reference_distance(-1, (5.0, 0.0), (5.0, 0.0)) == 0.0


def test_table_shape_and_determinism(table):
    edges = {d: theta_edges(getattr(torch, d)) for d in ("float32", "float64")}
    assert edges["float32"][-1] <= max_hyperbolic_radius(torch.float32)
    assert edges["float64"][-1] == pytest.approx(max_hyperbolic_radius(torch.float64), abs=0.01)
    bins = sum(len(e) - 1 for e in edges.values())
    assert len(table) == 3 * 2 * len(PAIRS) * bins  # spaces × charts × pair kinds × bins of both dtypes
    assert set(table.columns) >= {"space", "K", "chart", "dtype", "pair", "theta_lo", "theta_hi", "n",
                                  "median_distance", "max_error", "median_error"}
    pd.testing.assert_frame_equal(table, distance_accuracy(3, seed=1))
    assert set(PAIRS_PER_BIN) == {"smoke", "laptop", "paper"}


def test_identical_pairs_are_exactly_zero_everywhere(table):
    identical = table[table["pair"] == "identical"]
    assert (identical["max_error"] == 0).all(), identical[identical["max_error"] > 0]


def test_known_facts_of_the_charts(table, summary):
    f64, f32 = "float64", "float32"
    for chart in ("ambient", "stereographic"):
        for dtype in (f32, f64):  # E² is exact to rounding at every θ
            assert summary.loc[("E2", chart, dtype, "random"), "worst_error"] < 4 * torch.finfo(getattr(torch, dtype)).eps
        assert summary.loc[("S2", chart, f64, "random"), "failing"] == ""  # S², float64: the whole range
    # hyperbolic plane, float64: the stereographic chart is accurate to θ ≥ 10 for nearby and distant pairs
    assert summary.loc[("H2", "stereographic", f64, "0.5 apart"), "accurate_to"] >= 10
    assert summary.loc[("H2", "stereographic", f64, "random"), "accurate_to"] >= 10
    # ... and then fails (the disc stores 1 − ‖p‖ ≈ 2e^{−θ} to eps), while the ambient chart holds distant pairs
    # over the whole range in both dtypes and nearby pairs at least as far
    assert summary.loc[("H2", "stereographic", f64, "random"), "accurate_to"] < 20
    assert summary.loc[("H2", "ambient", f64, "random"), "failing"] == ""
    # random pairs are nearly always far apart (one may land close by chance, with a nearby pair's error)
    assert (bins(table, "H2", "ambient", f32, "random")["median_error"] < 1e-6).all()
    far = bins(table, "H2", "stereographic", f32, "random")
    assert (far[far["theta_lo"] >= 8]["median_error"] > 1e-3).all()
    for dtype in (f32, f64):
        assert (summary.loc[("H2", "ambient", dtype, "0.5 apart"), "accurate_to"]
                >= summary.loc[("H2", "stereographic", dtype, "0.5 apart"), "accurate_to"])


def test_accurate_ranges_on_a_synthetic_table():
    rows = [{"space": "H2", "K": -1, "chart": "ambient", "dtype": "float32", "pair": "random", "theta_lo": lo,
             "theta_hi": hi, "max_error": err} for lo, hi, err in
            [(0, 1, 1e-8), (1, 2, 1e-7), (2, 4, 1e-3), (4, 6, 1e-2), (6, 8, 1e-9), (8, 10, np.inf)]]
    out = accurate_ranges(pd.DataFrame(rows)).iloc[0]
    assert out["accurate_to"] == 2 and out["measured_to"] == 10
    assert out["failing"] == "[2, 6), [8, 10)" and out["worst_error"] == np.inf
    first_fails = accurate_ranges(pd.DataFrame(rows[2:])).iloc[0]
    assert first_fails["accurate_to"] == 0
    with pytest.raises(ValueError, match="tolerance"):
        accurate_ranges(pd.DataFrame(rows), tolerance=0)
    with pytest.raises(ValueError, match="n_pairs"):
        distance_accuracy(0)
    with pytest.raises(ValueError, match=r"charts\[i\]"):
        distance_accuracy(1, charts=("poincare",))


def test_headline_and_figure_of_the_appendix(table, summary):
    import matplotlib

    matplotlib.use("Agg")
    from latent_geometry.experiments.accuracy_figures import error_figure
    from latent_geometry.manifolds.accuracy import headline

    values = headline(table, accurate_ranges(table))
    assert values["identical_worst"] == 0 and values["pairs_per_bin"] == 3
    assert values["ambient64_random_to"] == pytest.approx(max_hyperbolic_radius(torch.float64), abs=0.01)
    assert values["bin4"] == "[4, 6)" and values["bin16"] == "[16, 18)"
    assert 16 < values["saturation32"] < 18 and 36 < values["saturation64"] < 38  # where the disc saturates
    fig = error_figure(table)
    assert len(fig.axes) == 2 and all(len(ax.lines) == 5 for ax in fig.axes)
    matplotlib.pyplot.close(fig)
