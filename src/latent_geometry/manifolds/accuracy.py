r"""Accuracy of the geodesic distances of :class:`ModelSpace`, measured against mpmath at 50 significant digits.

For each space (E², S²_K, H²_K), chart (ambient, stereographic) and dtype (float32, float64), latent vectors u are
drawn in bins of the hyperbolic / spherical radius θ = √|K|‖u‖ (θ = ‖u‖ on E²), mapped by ``expmap0`` and paired
three ways:

- ``"identical"``: d(x, x), whose true value is 0;
- ``"0.5 apart"``: y at geodesic distance 0.5·R from x (R = 1/√|K|, R = 1 on E²) in a random direction, built in
  polar geodesic coordinates by the law of cosines of the space (mpmath, with the working precision raised by
  2θ/ln 10 digits where the law of cosines cancels);
- ``"random"``: two independent latents of the same bin.

Both latents of a pair are rounded to the dtype first, and the reference is the true distance between the points
of these rounded latents, from the haversine forms sinh²(d/2R) = sinh²((θ₁−θ₂)/2) + sinh θ₁ sinh θ₂ sin²(Δφ/2)
(H; sin on S), which have no cancellation, at 50 digits. So the error measured is the library's own (exp map and
distance in the dtype), not the rounding of the inputs. The error of one pair is |d − d_ref| / max(d_ref, 1):
relative, and absolute below distance 1 (identical pairs). NaN or inf counts as an infinite error.

:func:`distance_accuracy` returns the long table (one row per space × chart × dtype × pair kind × θ bin) and
:func:`accurate_ranges` its summary: from θ = 0, the range of θ over which the error stays ≤ ``tolerance``
(default 1e-6), the bins beyond it that fail, and the worst error; :func:`headline` picks the numbers the book's
"Numerical accuracy" appendix quotes and ``latent_geometry.experiments.accuracy_figures.error_figure`` draws its figure. The ``maps`` module docstring states
the resulting advice. References: seed 000, Table 1 (the distances);
F. Johansson et al., mpmath (the reference arithmetic).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import mpmath
import numpy as np
import pandas as pd
import torch

from latent_geometry._util.checks import check_choice, check_int, check_number
from latent_geometry.manifolds.maps import max_hyperbolic_radius
from latent_geometry.manifolds.model_space import CHARTS, ModelSpace

__all__ = ["PAIRS", "PAIRS_PER_BIN", "DTYPES", "TOLERANCE", "DIGITS", "GAP", "theta_edges", "reference_distance",
           "distance_accuracy", "accurate_ranges", "saturation_radius", "headline"]

PAIRS = ("identical", "0.5 apart", "random")
DTYPES = {"float32": torch.float32, "float64": torch.float64}
TOLERANCE = 1e-6
PAIRS_PER_BIN = {"smoke": 2, "laptop": 64, "paper": 256}
"""Pairs per θ bin and pair kind, by profile (the appendix page reads it with its profile)."""

DIGITS = 50
"""Significant digits of the mpmath reference."""
GAP = 0.5
"""Geodesic distance of the "0.5 apart" pairs, in units of R."""


def theta_edges(dtype: torch.dtype) -> list[float]:
    """Bin edges of θ = √|K|‖u‖: steps of 2 up to 20, then coarser up to :func:`max_hyperbolic_radius` of dtype."""
    limit = max_hyperbolic_radius(dtype)
    edges = [0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 25.0, 30.0, 35.0, 40.0]
    edges += [60.0, 80.0, 100.0, 150.0, 200.0, 250.0, 300.0]
    return [e for e in edges if e < limit] + [math.floor(limit * 100) / 100]


# ------------------------------------------------------------------------------------------- mpmath reference


def _polar(k: float, u) -> tuple:
    """(θ, unit vector) of a latent u (two Python floats) in mpmath: θ = √|K|‖u‖ (‖u‖ on E²)."""
    u1, u2 = mpmath.mpf(u[0]), mpmath.mpf(u[1])
    norm = mpmath.sqrt(u1 * u1 + u2 * u2)
    unit = (u1 / norm, u2 / norm) if norm else (mpmath.mpf(1), mpmath.mpf(0))
    return norm * (mpmath.sqrt(abs(k)) if k else 1), unit


def reference_distance(k: float, u, v) -> float:
    """True distance between exp_o(u) and exp_o(v) on the model space of curvature k (haversine form, 50 digits)."""
    with mpmath.workdps(DIGITS):
        if k == 0:
            return float(mpmath.sqrt((mpmath.mpf(u[0]) - v[0]) ** 2 + (mpmath.mpf(u[1]) - v[1]) ** 2))
        (t1, e1), (t2, e2) = _polar(k, u), _polar(k, v)
        hav_phi = ((e1[0] - e2[0]) ** 2 + (e1[1] - e2[1]) ** 2) / 4  # sin²(Δφ/2)
        radius = 1 / mpmath.sqrt(abs(k))
        if k < 0:  # sinh²(d/2R), a sum of non-negative terms
            q = mpmath.sinh((t1 - t2) / 2) ** 2 + mpmath.sinh(t1) * mpmath.sinh(t2) * hav_phi
            return float(2 * radius * mpmath.asinh(mpmath.sqrt(q)))
        q = mpmath.sin((t1 - t2) / 2) ** 2 + mpmath.sin(t1) * mpmath.sin(t2) * hav_phi  # valid for any θ
        return float(2 * radius * mpmath.asin(mpmath.sqrt(min(max(q, 0), 1))))


def _partner(k: float, u, alpha: float) -> tuple[float, float]:
    """A latent v with d(exp_o u, exp_o v) = 0.5·R, leaving exp_o(u) at angle alpha to the outward radial direction."""
    theta = math.sqrt(abs(k)) * math.hypot(*u) if k else math.hypot(*u)
    with mpmath.workdps(DIGITS + int(0.87 * theta) + 10):  # the law of cosines cancels ~ e^{2θ} on H
        t1, (e1, e2) = _polar(k, u)
        phi1 = mpmath.atan2(e2, e1)
        s, a = mpmath.mpf(GAP), mpmath.mpf(alpha)
        if k == 0:
            return (float(u[0] + s * mpmath.cos(phi1 + a)), float(u[1] + s * mpmath.sin(phi1 + a)))
        if k > 0:  # S: canonical polar radius in [0, π]
            t1 = t1 % (2 * mpmath.pi)
            if t1 > mpmath.pi:
                t1, phi1 = 2 * mpmath.pi - t1, phi1 + mpmath.pi
            cos2 = mpmath.cos(t1) * mpmath.cos(s) + mpmath.sin(t1) * mpmath.sin(s) * mpmath.cos(a)
            t2 = mpmath.acos(max(min(cos2, 1), -1))
            sin_dphi = mpmath.sin(s) * mpmath.sin(a) / mpmath.sin(t2)
            cos_dphi = (mpmath.cos(s) - mpmath.cos(t1) * mpmath.cos(t2)) / (mpmath.sin(t1) * mpmath.sin(t2)) \
                if t1 else mpmath.cos(a)
        else:  # H
            t2 = mpmath.acosh(mpmath.cosh(t1) * mpmath.cosh(s) + mpmath.sinh(t1) * mpmath.sinh(s) * mpmath.cos(a))
            sin_dphi = mpmath.sinh(s) * mpmath.sin(a) / mpmath.sinh(t2)
            cos_dphi = (mpmath.cosh(t1) * mpmath.cosh(t2) - mpmath.cosh(s)) / (mpmath.sinh(t1) * mpmath.sinh(t2)) \
                if t1 else mpmath.cos(a)
        phi2 = phi1 + mpmath.atan2(sin_dphi, cos_dphi)
        r2 = t2 / mpmath.sqrt(abs(k))
        return (float(r2 * mpmath.cos(phi2)), float(r2 * mpmath.sin(phi2)))


# --------------------------------------------------------------------------------------------------- the table


def _latents(rng: np.random.Generator, k: float, lo: float, hi: float, n: int) -> np.ndarray:
    theta = rng.uniform(lo, hi, n)
    phi = rng.uniform(0, 2 * math.pi, n)
    norm = theta / math.sqrt(abs(k)) if k else theta
    return np.stack([norm * np.cos(phi), norm * np.sin(phi)], -1)


def _space_name(k: float) -> str:
    return ModelSpace(k).name


def distance_accuracy(n_pairs: int = 16, *, curvatures: Sequence[float] = (0, 1, -1),
                      charts: Sequence[str] = CHARTS, dtypes: Sequence[str] = ("float32", "float64"),
                      pairs: Sequence[str] = PAIRS, seed: int = 0) -> pd.DataFrame:
    """Distance errors against the 50-digit reference, one row per space × chart × dtype × pair kind × θ bin.

    Columns: ``space`` ('E2', 'S2', 'H2(K=-4)'…), ``K``, ``chart``, ``dtype``, ``pair``, ``theta_lo``,
    ``theta_hi`` (the bin [theta_lo, theta_hi) of θ = √|K|‖u‖ of the first point), ``n`` (pairs),
    ``median_distance`` (of the reference: far out, a latent of the dtype cannot place a point 0.5·R from another in
    most directions, as its angular resolution sinh θ·eps exceeds 0.5, so "0.5 apart" pairs drift apart there),
    ``max_error``, ``median_error`` (error = |d − d_ref| / max(d_ref, 1); inf for a non-finite d). Deterministic in
    ``seed``; the same latents serve both charts, so the charts are compared on identical pairs.
    """
    n_pairs = check_int(n_pairs, "n_pairs (pairs per θ bin and pair kind)", low=1)
    seed = check_int(seed, "seed", low=0)
    curvatures = [check_number(k, f"curvatures[{i}]") for i, k in enumerate(curvatures)]
    charts = [check_choice(c, "charts[i]", CHARTS) for c in charts]
    dtypes = [check_choice(d, "dtypes[i]", tuple(DTYPES)) for d in dtypes]
    pairs = [check_choice(p, "pairs[i]", PAIRS) for p in pairs]
    rows = []
    for ki, k in enumerate(curvatures):
        for di, dtype_name in enumerate(dtypes):
            dtype = DTYPES[dtype_name]
            edges = theta_edges(dtype)
            rng = np.random.default_rng([seed, ki, di])
            for lo, hi in zip(edges[:-1], edges[1:]):
                u = torch.as_tensor(_latents(rng, k, lo, hi, n_pairs)).to(dtype)
                partners = {}
                u64 = u.double().tolist()
                if "0.5 apart" in pairs:
                    alphas = rng.uniform(0, 2 * math.pi, n_pairs)
                    partners["0.5 apart"] = torch.tensor([_partner(k, a, al) for a, al in zip(u64, alphas)],
                                                         dtype=torch.float64).to(dtype)
                if "random" in pairs:
                    partners["random"] = torch.as_tensor(_latents(rng, k, lo, hi, n_pairs)).to(dtype)
                references = {"identical": np.zeros(n_pairs)}
                for kind, v in partners.items():
                    references[kind] = np.array([reference_distance(k, a, b)
                                                 for a, b in zip(u64, v.double().tolist())])
                for chart in charts:
                    space = ModelSpace(k, chart)
                    x = space.expmap0(u)
                    for kind in pairs:
                        y = x if kind == "identical" else space.expmap0(partners[kind])
                        d = space.dist(x, y).double().numpy()
                        ref = references[kind]
                        error = np.where(np.isfinite(d), np.abs(d - ref) / np.maximum(ref, 1.0), np.inf)
                        rows.append({"space": _space_name(k), "K": k, "chart": chart, "dtype": dtype_name,
                                     "pair": kind, "theta_lo": lo, "theta_hi": hi, "n": n_pairs,
                                     "median_distance": float(np.median(ref)),
                                     "max_error": float(error.max()), "median_error": float(np.median(error))})
    return pd.DataFrame(rows)


def _format_ranges(bins: list[tuple[float, float]]) -> str:
    """Merge adjacent bins: [(6, 8), (8, 10), (14, 16)] -> '[6, 10), [14, 16)'."""
    merged: list[list[float]] = []
    for lo, hi in bins:
        if merged and merged[-1][1] == lo:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi])
    return ", ".join(f"[{lo:g}, {hi:g})" for lo, hi in merged)


def accurate_ranges(table: pd.DataFrame, tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Summary of :func:`distance_accuracy`: one row per space × chart × dtype × pair kind.

    Columns: ``accurate_to`` (θ: every bin from 0 up to it has max error ≤ ``tolerance``; 0 if the first bin
    fails), ``measured_to`` (the end of the measured range), ``failing`` (the bins with max error > tolerance,
    merged, '' if none), ``worst_error`` (the largest max error over all bins).
    """
    tolerance = check_number(tolerance, "tolerance", low=0, low_open=True)
    keys = ["space", "K", "chart", "dtype", "pair"]
    rows = []
    for key, group in table.groupby(keys, sort=False):
        group = group.sort_values("theta_lo")
        ok = (group["max_error"] <= tolerance).to_numpy()
        prefix = int(np.argmin(ok)) if not ok.all() else len(ok)
        accurate_to = float(group["theta_hi"].iloc[prefix - 1]) if prefix else 0.0
        failing = [(lo, hi) for lo, hi, good in zip(group["theta_lo"], group["theta_hi"], ok) if not good]
        rows.append({**dict(zip(keys, key)), "accurate_to": accurate_to,
                     "measured_to": float(group["theta_hi"].iloc[-1]), "failing": _format_ranges(failing),
                     "worst_error": float(group["max_error"].max())})
    return pd.DataFrame(rows)


def saturation_radius(dtype: torch.dtype) -> float:
    """The smallest θ (to 0.01) at which the stereographic exp map of H² puts the point on the boundary ‖p‖ = R."""
    theta = torch.arange(0, max_hyperbolic_radius(dtype), 0.01, dtype=torch.float64)
    p = ModelSpace(-1, "stereographic").expmap0(torch.stack([theta, torch.zeros_like(theta)], -1).to(dtype))
    return float(theta[(p.norm(dim=-1) >= 1).nonzero()[0, 0]])


def headline(table: pd.DataFrame, summary: pd.DataFrame) -> dict:
    """The numbers the "Numerical accuracy" appendix quotes, from :func:`distance_accuracy` and its
    :func:`accurate_ranges`: tolerances and sizes, θ ranges per chart × dtype × pair kind of H², worst errors."""
    def accurate_to(space, chart, dtype, pair):
        rows = summary[(summary["space"] == space) & (summary["chart"] == chart) & (summary["dtype"] == dtype)
                       & (summary["pair"] == pair)]
        return float(rows["accurate_to"].min())

    def rows(space=None, chart=None, dtype=None, pair=None):
        mask = np.ones(len(table), dtype=bool)
        for column, value in (("space", space), ("chart", chart), ("dtype", dtype), ("pair", pair)):
            if value is not None:
                mask &= (table[column] == value).to_numpy()
        return table[mask]

    def error_at(chart, dtype, pair, theta):
        bin_ = rows("H2", chart, dtype, pair)
        return float(bin_[bin_["theta_lo"] == theta]["max_error"].max())

    def label(dtype, theta):
        edges = theta_edges(DTYPES[dtype])
        return f"[{theta:g}, {edges[edges.index(theta) + 1]:g})"

    values = {
        "tolerance": TOLERANCE, "digits": DIGITS, "gap": GAP, "pairs_per_bin": int(table["n"].iloc[0]),
        "theta_max32": max_hyperbolic_radius(torch.float32), "theta_max64": max_hyperbolic_radius(torch.float64),
        "identical_worst": float(rows(pair="identical")["max_error"].max()),
        "e_worst": float(rows("E2")["max_error"].max()),
        "s32_to": min(accurate_to("S2", c, "float32", p) for c in CHARTS for p in PAIRS[1:]),
        "s64_worst": float(rows("S2", dtype="float64")["max_error"].max()),
        "saturation32": saturation_radius(torch.float32), "saturation64": saturation_radius(torch.float64),
        "resolution32": math.asinh(GAP / torch.finfo(torch.float32).eps),
        "resolution64": math.asinh(GAP / torch.finfo(torch.float64).eps),
        "stereo32_random_at4": error_at("stereographic", "float32", "random", 4.0),
        "stereo32_random_at8": error_at("stereographic", "float32", "random", 8.0),
        "stereo64_random_at16": error_at("stereographic", "float64", "random", 16.0),
        "bin4": label("float32", 4.0), "bin8": label("float32", 8.0), "bin16": label("float64", 16.0),
    }
    for chart, short in (("ambient", "ambient"), ("stereographic", "stereo")):
        for dtype in ("float32", "float64"):
            bits = dtype[-2:]
            values[f"{short}{bits}_near_to"] = accurate_to("H2", chart, dtype, "0.5 apart")
            values[f"{short}{bits}_random_to"] = accurate_to("H2", chart, dtype, "random")
            values[f"{short}{bits}_random_median"] = float(rows("H2", chart, dtype, "random")["median_error"].max())
    return values
