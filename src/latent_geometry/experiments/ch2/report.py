"""Chapter 2's tables and derived numbers, from a :class:`~latent_geometry.experiments.ch2.study.Study`.

Every interval is a 95 % Student-t interval over seeds (:func:`latent_geometry.experiments.statistics.t_interval`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from latent_geometry.experiments.ch2.claims import calibrated_scales
from latent_geometry.experiments.ch2.study import Study
from latent_geometry.experiments.statistics import t_interval

__all__ = ["FlowSummary", "baseline_quality", "box_rise", "calibration_frame", "calibration_lookup", "calibrated_runs",
           "ess_frame", "gauss_bonnet_summary", "interval_frame", "own_flattening", "own_log_ratio", "tau_frame"]


def _fmt(iv, digits: int = 3) -> str:
    return f"{iv.mean:.{digits}g} [{iv.low:.{digits}g}, {iv.high:.{digits}g}]"


def baseline_quality(study: Study, dataset: str):
    """Per seed: reconstruction R² (overall and worst class) and the saturated-code fraction of the box baseline,
    and the same R² of the torus baseline — a baseline that collapses is a defect, not a data point."""
    import pandas as pd

    rows = []
    for seed in study.seeds:
        box, torus = study.pick(dataset, "box baseline", seed).metrics, study.pick(dataset, "baseline", seed).metrics
        rows.append({"seed": seed, "box R²": box["recon_R2"], "box R² (worst class)": box["recon_R2_min_class"],
                     "box codes |z| > 0.95": box["saturated"], "torus R²": torus["recon_R2"],
                     "torus R² (worst class)": torus["recon_R2_min_class"]})
    return pd.DataFrame(rows).set_index("seed").round(3)


def calibration_lookup(study: Study, dataset: str) -> dict:
    """{(seed, functional): the baseline's estimate} of every calibrated functional."""
    return {(row["seed"], f): v for row in study.calibration(dataset) for f, v in row.items()
            if f not in ("seed", "recon", "tau")}


def calibrated_runs(study: Study, dataset: str, functionals) -> dict[str, str]:
    """{functional: the run name at its calibrated scale}."""
    return {f: f"{f} ×{c:g}" for f, c in calibrated_scales(study, dataset, functionals).items()}


def own_flattening(study: Study, dataset: str, functionals) -> dict:
    """{functional: t-interval of log10(own grid estimate after / baseline's)} at the calibrated scale."""
    lookup, names = calibration_lookup(study, dataset), calibrated_runs(study, dataset, functionals)
    return {f: t_interval([own_log_ratio(r, lookup[(r.seed, f)]) for r in study.finished(dataset, n)])
            for f, n in names.items()}


def own_log_ratio(run, before: float) -> float:
    """log10 |after| / |before| of the run's own functional (|·|: −λ on a grid can be a hair below 0)."""
    return float(np.log10(abs(run.metrics[f"curv_{run.functional}"]) / abs(before)))


def calibration_frame(study: Study, dataset: str, functionals):
    """Per functional: the calibrated scale c, the λ it means (mean over seeds), the baseline's estimate, and the
    factor by which the functional moved its own estimate (10^mean log10, with the interval)."""
    import pandas as pd

    names, moved = calibrated_runs(study, dataset, functionals), own_flattening(study, dataset, functionals)
    lookup = calibration_lookup(study, dataset)
    rows = []
    for f, name in names.items():
        runs = study.finished(dataset, name)
        iv = moved[f]
        rows.append({"functional": f, "calibrated c": runs[0].scale, "λ (mean over seeds)": np.mean([r.lam for r in runs]),
                     "baseline estimate": np.mean([lookup[(r.seed, f)] for r in runs]),
                     "own estimate ×": f"{10 ** iv.mean:.2g} [{10 ** iv.low:.2g}, {10 ** iv.high:.2g}]",
                     "seeds": len(runs)})
    return pd.DataFrame(rows).set_index("functional")


def interval_frame(study: Study, dataset: str, names, metrics):
    """``mean [low, high]`` over seeds of each metric (columns) for each run (rows)."""
    import pandas as pd

    frame = pd.DataFrame({m: [_fmt(study.interval(dataset, n, m)) for n in names] for m in metrics},
                         index=pd.Index(list(names), name="run"))
    frame.insert(0, "seeds (finished)", [f"{len(study.finished(dataset, n))}/{len(study.runs(dataset, n))}"
                                         for n in names])
    return frame


def box_rise(study: Study, dataset: str, functional: str = "W"):
    """t-interval of log10(∫R² dV after the box ascent of ``functional`` / before) on the box grid."""
    before = study.values(dataset, "box baseline", "curv_uniform")
    after = study.values(dataset, f"box {functional} ascent", "curv_uniform")
    return t_interval(np.log10(after / before))


def ess_frame(study: Study, dataset: str, functionals=("F", "W")):
    """Effective sample size of the importance-sampled F̂/Ŵ (last training epoch's mean, per step of n_curv
    uniform points) for every sweep run of those functionals."""
    import pandas as pd

    rows = []
    for name in study.names(dataset, group="torus"):
        runs = study.finished(dataset, name)
        if runs and runs[0].functional in functionals:
            iv = t_interval([r.metrics["ess"] for r in runs])
            rows.append({"run": name, "ESS per step": _fmt(iv)})
    return pd.DataFrame(rows).set_index("run")


def gauss_bonnet_summary(study: Study, group: str = "torus") -> dict:
    """Over the trained torus decoders of ``group``: the largest |∫R dV| / (V ∫R² dV)^½ on the grid (0 in the
    continuum, by Gauss–Bonnet), the run and seed where it occurs, and the fraction of decoders above
    ``THRESHOLDS['ch2.gauss_bonnet']``."""
    from latent_geometry.experiments.verdicts import threshold

    limit = threshold("ch2.gauss_bonnet")
    values = []
    for seed_runs in study.by_seed:
        for run in seed_runs.runs:
            m = run.metrics
            if run.group == group and "curv_int_R" in m and math.isfinite(m["curv_int_R"]):
                scale = np.sqrt(max(m["curv_volume"] * m["curv_uniform"], 1e-300))
                values.append((abs(m["curv_int_R"]) / scale, f"{seed_runs.dataset}: {run.name}, seed {run.seed}"))
    if not values:
        raise ValueError(f"no trained torus decoder in group {group!r}")
    worst = max(values)
    return {"worst": float(worst[0]), "where": worst[1], "n": len(values),
            "fraction_over": float(np.mean([not limit.holds(v) for v, _ in values]))}


def tau_frame(study: Study, dataset: str, functionals, factors, grid_n: int):
    """The W deficit log(V/4πτ) − 2 − μ(g, τ) at τ = factor · τ_matched, for the first seed's baseline and its
    calibrated W run (an empty frame when W is not among ``functionals``)."""
    import copy

    import pandas as pd

    from latent_geometry.geometry import torus as tg

    if "W" not in functionals:
        return pd.DataFrame({"note": ["W is not among the parameter 'functionals'"]})
    runs = {"baseline": study.pick(dataset, "baseline"),
            "calibrated W": study.pick(dataset, calibrated_runs(study, dataset, ["W"])["W"])}
    rows = []
    for f in factors:
        row = {"τ / matched τ": f}
        for label, run in runs.items():
            decoder = copy.deepcopy(run.model.decoder).double()
            row[f"W deficit, {label}"] = tg.flatness_deficits(decoder, tau=f * run.metrics["curv_tau"], n=grid_n).L_W
        rows.append(row)
    return pd.DataFrame(rows).set_index("τ / matched τ")


@dataclass(frozen=True)
class FlowSummary:
    """A conformal Ricci flow run: max |R| at the start and end, the largest relative area change, the median
    anisotropy κ the conformal fit dropped."""

    R0: float
    R_end: float
    area_drift: float
    kappa_median: float

    @classmethod
    def of(cls, flow, kappa) -> "FlowSummary":
        return cls(float(flow.max_abs_curvature[0]), float(flow.max_abs_curvature[-1]),
                   float((flow.area / flow.area[0] - 1).abs().max()), float(torch.as_tensor(kappa).median()))
