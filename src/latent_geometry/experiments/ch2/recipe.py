"""Chapter 2 objectives and recipe: reconstruction + λ_curv · curvature functional (seed 001, slide "Loss function").

    L = λ_recon · MSE + λ_curv · L_curv,      MSE = mean_batch ‖x̂ − x‖²  (the authors' Σ‖x̂−x‖²/B, notes ch2 §2)

L_curv is one of (``FUNCTIONALS``; functionals from :mod:`latent_geometry.geometry.functionals`):

- ``"authors"``: mean R²√det g at the (detached) encoded batch — seed 001 eq. (1) as the authors coded it;
  not coordinate-invariant (notes ch2 §0 item 7).
- ``"data"``: mean R² at the encoded batch = ∫R² dμ with μ the code distribution (invariant; ours).
- ``"uniform"``: |Ω| mean R²√det g at uniform samples of the latent box Ω = ∫_Ω R² dV_g (invariant; ours).
- ``"F"``, ``"W"``: −F(g, f) and −W(g, f, τ) with a learned potential f (seed 001 eqs. (2), (3); our reading:
  the decoder ascends F/W as Ricci flow does, the potential descends to the infimum — sign convention and
  justification in :mod:`latent_geometry.geometry.functionals`), at uniform samples of Ω (known proposal q).

Codes are detached in the curvature term (the authors' HEAD, notes ch2 §6): the encoder cannot move codes into
flat regions; only the decoder (and the potential) receive curvature gradients. The encoder ends with ``sin`` so
that Ω = [−1, 1]² bounds the latent scale (the authors' 2023 choice, notes ch2 §5.2).

The recipe (:func:`pretrain` then :func:`finetune`) trains a plain autoencoder, then continues from it for a few
epochs with each objective, so that every variant — the λ = 0 baseline included — gets the same total training
(the authors fine-tuned their best Swiss-roll model the same way, notes ch2 §5.3 exp89).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from latent_geometry._util.checks import check_int, check_number

from latent_geometry.geometry import functionals as cf
from latent_geometry.learning.embedding_metrics import (
    affine_r2,
    condition_numbers,
    curvature_summary,
    distance_spearman,
    per_class_procrustes,
    trustworthiness_continuity,
)
from latent_geometry.geometry import scalar_curvature_and_metric
from latent_geometry.learning.models import Autoencoder, mlp
from latent_geometry._util.seeding import set_seed
from latent_geometry.learning.training import History, TrainSettings, train

FUNCTIONALS = ("authors", "data", "uniform", "F", "W")
LATENT_BOX = (-1.0, 1.0)  # Ω = [−1, 1]², the range of the encoder's final sin

__all__ = [
    "FUNCTIONALS",
    "LATENT_BOX",
    "CurvatureObjective",
    "Variant",
    "curvature_autoencoder",
    "curvature_probe",
    "embedding_metrics",
    "finetune",
    "pretrain",
    "paired_difference",
    "split_indices",
    "summary_table",
    "train_variants",
]


def _reverse_gradient(x: torch.Tensor) -> torch.Tensor:
    """Same value, negated gradient (the potential descends F while the decoder ascends it)."""
    return 2 * x.detach() - x


class CurvatureObjective:
    """``objective(model, batch) -> {"loss", "recon", "curv"}`` with loss = λ_recon·recon + λ_curv·curv.

    ``n_curv`` points per step carry the curvature term (the first n_curv codes of the shuffled batch, or n_curv
    uniform samples of Ω for "uniform", "F", "W"; drawn from this objective's own seeded generator). ``eps`` is
    the Tikhonov term of :func:`latent_geometry.geometry.scalar_curvature_and_metric`; ``tau`` is W's time scale.
    Models need ``.encoder``/``.decoder`` (and ``.potential`` for "F"/"W", see :func:`curvature_autoencoder`).
    With λ_curv = 0 the curvature term is skipped (a plain autoencoder step).
    """

    def __init__(self, functional: str = "authors", lam_curv: float = 1e-3, lam_recon: float = 1.0, *,
                 n_curv: int = 32, eps: float = 0.0, tau: float = 0.5, seed: int = 0):
        if functional not in FUNCTIONALS:
            raise ValueError(f"parameter 'functional' must be one of {FUNCTIONALS}, got {functional!r}")
        for name, value in (("lam_curv", lam_curv), ("lam_recon", lam_recon), ("eps", eps)):
            check_number(value, f"parameter {name!r}", low=0)
        check_int(n_curv, "parameter 'n_curv'", low=2)
        check_number(tau, "parameter 'tau'", low=0, low_open=True)
        self.functional, self.lam_curv, self.lam_recon = functional, float(lam_curv), float(lam_recon)
        self.n_curv, self.eps, self.tau = n_curv, float(eps), float(tau)
        self.generator = torch.Generator().manual_seed(seed)
        self.needs_grad = self.lam_curv > 0  # validation differentiates the decoder (training loop contract)

    def _uniform_points(self, like: torch.Tensor) -> torch.Tensor:
        low, high = LATENT_BOX
        u = torch.rand(self.n_curv, like.shape[1], generator=self.generator, dtype=like.dtype)
        return (low + (high - low) * u).to(like.device)

    def curvature_term(self, model, z: torch.Tensor) -> torch.Tensor:
        """L_curv at detached codes z (B, d) of the current batch (module docstring)."""
        if self.functional in ("F", "W") and not isinstance(getattr(model, "potential", None), torch.nn.Module):
            raise ValueError(f"functional {self.functional!r} needs a model with a learned potential "
                             "(build it with curvature_autoencoder(..., potential=True))")
        if self.functional in ("authors", "data"):
            points = z.detach()[: self.n_curv]
        else:
            points = self._uniform_points(z)
        volume = (LATENT_BOX[1] - LATENT_BOX[0]) ** z.shape[1]
        R, g = scalar_curvature_and_metric(model.decoder, points, self.eps)
        if self.functional in ("authors", "data"):
            return cf.squared_curvature_estimate(R, g, self.functional)  # seed 001 eq. (1)
        if self.functional == "uniform":
            return cf.squared_curvature_estimate(R, g, "uniform", domain_volume=volume)
        f, grad_f = cf.potential_and_gradient(model.potential, points)
        f, grad_f = _reverse_gradient(f), _reverse_gradient(grad_f)  # sign convention of curvature_functionals
        log_q = -math.log(volume)  # uniform proposal on Ω
        if self.functional == "F":
            return -cf.perelman_F_estimate(R, g, f, grad_f, log_q)  # seed 001 eq. (2), our reading
        return -cf.perelman_W_estimate(R, g, f, grad_f, log_q, self.tau)  # seed 001 eq. (3), our reading

    def __call__(self, model, batch) -> dict[str, torch.Tensor]:
        x = batch[0]
        x_hat, z = model(x)
        recon = (x_hat - x).square().sum(-1).mean()  # notes ch2 §2: Σ_batch ‖x̂ − x‖² / B
        if self.lam_curv == 0:
            return {"loss": self.lam_recon * recon, "recon": recon}
        curv = self.curvature_term(model, z)
        return {"loss": self.lam_recon * recon + self.lam_curv * curv, "recon": recon, "curv": curv}


def curvature_autoencoder(input_dim: int, hidden: Sequence[int] = (128, 64), *, activation: str = "sin",
                          latent_dim: int = 2, bounded: bool = True, potential: bool = False,
                          seed: int = 0) -> Autoencoder:
    """The seed-era curvature AE (notes ch2 §5.2): encoder D-hidden-d with ``activation`` after every layer
    (incl. a final sin when ``bounded``: codes in [−1, 1]^d), decoder d-reversed(hidden)-D with a linear output.
    With ``potential=True`` a learned potential f (:class:`~latent_geometry.geometry.functionals.MLPPotential`)
    is attached as ``model.potential``, so the training loop optimises it with the autoencoder."""
    if activation in ("relu",):
        raise ValueError("parameter 'activation' must be smooth: ReLU decoders have R ≡ 0 (notes ch2 §0 item 5)")
    set_seed(seed)
    encoder = mlp([input_dim, *hidden, latent_dim], activation, last_act="sin" if bounded else None)
    decoder = mlp([latent_dim, *reversed(tuple(hidden)), input_dim], activation)
    model = Autoencoder(encoder, decoder)
    if potential:
        model.potential = cf.MLPPotential(latent_dim, generator=torch.Generator().manual_seed(seed + 1))
    return model


def curvature_probe(points: torch.Tensor, eps: float = 0.0):
    """Training-loop callback ``(epoch, model) -> dict``: curvature and anisotropy of the decoder at fixed latent
    ``points`` (N, 2) — authors' estimator, mean R², mean |R| and the median condition number κ(g)."""

    def callback(epoch, model):
        p = points.to(next(model.parameters()).device, next(model.parameters()).dtype)
        with torch.no_grad():
            R, g = scalar_curvature_and_metric(model.decoder, p, eps)
        summary = curvature_summary(R, torch.linalg.det(g).clamp_min(0).sqrt())
        return {"curv_authors": summary["authors_R2_sqrtdetg"], "mean_R2": summary["mean_R2"],
                "mean_abs_R": summary["mean_abs_R"], "median_kappa": float(np.median(condition_numbers(g)))}

    return callback


def split_indices(n: int, val_fraction: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded random train/validation split of range(n) (the authors' 80/20 ``random_split``, notes ch2 §4.1)."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"parameter 'val_fraction' must lie in (0, 1), got {val_fraction!r}")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, int(round(val_fraction * n)))
    return perm[n_val:], perm[:n_val]


@dataclass
class Variant:
    """One trained model of the chapter: its name, objective settings, model, history and metrics."""

    name: str
    functional: str | None
    lam_curv: float
    seed: int
    model: Autoencoder
    history: History
    metrics: dict


def pretrain(x_train: torch.Tensor, x_val: torch.Tensor, *, hidden, epochs: int, batch_size: int, lr: float,
             seed: int, potential: bool = True, device=None) -> tuple[Autoencoder, History]:
    """The plain (λ_curv = 0) sin autoencoder every variant starts from; the potential rides along unused."""
    model = curvature_autoencoder(x_train.shape[1], hidden, potential=potential, seed=seed)
    settings = TrainSettings(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    history = train(model, CurvatureObjective(lam_curv=0.0), x_train, x_val, settings=settings, device=device,
                    progress=False)
    return model, history


def finetune(base: Autoencoder, objective: CurvatureObjective, x_train, x_val, *, epochs: int, batch_size: int,
             lr: float, seed: int, probe_points: torch.Tensor | None = None, device=None):
    """A copy of ``base`` trained ``epochs`` more epochs on ``objective`` (with an optional curvature probe)."""
    model = copy.deepcopy(base)
    settings = TrainSettings(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    callbacks = (curvature_probe(probe_points),) if probe_points is not None else ()
    history = train(model, objective, x_train, x_val, settings=settings, device=device, callbacks=callbacks,
                    progress=False)
    return model, history


def embedding_metrics(model: Autoencoder, x: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, *,
                      n_neighbors: int = 10, max_points: int = 2000, seed: int = 0) -> dict:
    """Our metrics of the seed's goals on held-out data (notes ch2 §4): reconstruction R² (1 − MSE/Var), per-class
    Procrustes disparity (mean) and scale ratio, trustworthiness/continuity (mean over classes), affine R² and
    distance Spearman ρ (over classes, for one-class data such as the roll), mean |R| and median κ(g) at the codes.
    T and C use k = min(n_neighbors, (smallest class − 2) // 2) neighbours (scikit-learn needs k < N/2)."""
    model.eval()
    device = next(model.parameters()).device
    x = x.to(device)
    with torch.no_grad():
        x_hat, z = model(x)
    r2_recon = 1 - float((x_hat - x).square().sum() / (x - x.mean(0)).square().sum())
    z_np, y_np, lab = z.cpu().double().numpy(), coords.cpu().double().numpy(), labels.cpu().numpy()
    classes = np.unique(lab)
    procrustes = per_class_procrustes(z_np, y_np, lab)
    sizes = [int((lab == c).sum()) for c in classes]
    k = max(1, min(n_neighbors, (min(sizes) - 2) // 2))  # tiny (smoke) classes: fewer neighbours
    tc = [trustworthiness_continuity(y_np[lab == c], z_np[lab == c], k, max_points, seed) for c in classes]
    out = {
        "recon_R2": r2_recon,
        "disparity": float(procrustes["disparity"].mean()),
        "scale_ratio": procrustes["scale_ratio"],
        "trustworthiness": float(np.mean([t["trustworthiness"] for t in tc])),
        "continuity": float(np.mean([t["continuity"] for t in tc])),
        "affine_R2": float(np.mean([affine_r2(z_np[lab == c], y_np[lab == c]) for c in classes])),
        "distance_spearman": float(np.mean([distance_spearman(z_np[lab == c], y_np[lab == c], seed=seed)
                                            for c in classes])),
    }
    with torch.no_grad():
        R, g = scalar_curvature_and_metric(model.decoder, z[:max_points])
    curv = curvature_summary(R, torch.linalg.det(g).clamp_min(0).sqrt())
    out.update(mean_abs_R=curv["mean_abs_R"], curv_authors=curv["authors_R2_sqrtdetg"],
               median_kappa=float(np.median(condition_numbers(g))))
    return out


def train_variants(data, train_idx, val_idx, variants: Sequence[tuple], *, seeds: Sequence[int], hidden,
                   epochs: int, finetune_epochs: int, batch_size: int, lr: float, n_curv: int, tau: float = 0.5,
                   eps: float = 0.0, probe_points: torch.Tensor | None = None, metric_points: int = 1000,
                   first_seed_variants: Sequence[tuple] = (), device=None) -> list[Variant]:
    """For each seed: :func:`pretrain` once, then :func:`finetune` a copy per ``(name, functional, lam_curv)`` in
    ``variants`` and score it with :func:`embedding_metrics` on at most ``metric_points`` held-out points.

    ``first_seed_variants`` are trained for the first seed only (e.g. a λ sweep).
    ``data`` is a :class:`~latent_geometry.learning.data.synthetic.ToyDataset`; functional None or λ = 0 is the baseline.
    The returned variants keep their trained models; the pre-trained base of each seed is stored under the name
    ``"pretrained"`` (its history is the pre-training's).
    """
    x_tr, x_va = data.x[train_idx], data.x[val_idx]
    ev = val_idx[:metric_points]
    out = []
    for k, seed in enumerate(seeds):
        base, base_history = pretrain(x_tr, x_va, hidden=hidden, epochs=epochs, batch_size=batch_size, lr=lr,
                                      seed=seed, device=device)
        out.append(Variant("pretrained", None, 0.0, seed, base, base_history, {}))
        for name, functional, lam in [*variants, *(first_seed_variants if k == 0 else ())]:
            objective = CurvatureObjective(functional or "authors", lam_curv=lam if functional else 0.0,
                                           n_curv=n_curv, eps=eps, tau=tau, seed=seed)
            model, history = finetune(base, objective, x_tr, x_va, epochs=finetune_epochs, batch_size=batch_size,
                                      lr=lr, seed=seed, probe_points=probe_points, device=device)
            metrics = embedding_metrics(model, data.x[ev], data.coords[ev], data.labels[ev], seed=seed)
            out.append(Variant(name, functional, float(lam) if functional else 0.0, seed, model, history, metrics))
    return out


def summary_table(variants: Sequence[Variant], metrics: Sequence[str], level: float = 0.95):
    """A pandas DataFrame: one row per variant name (pre-trained bases excluded), for each metric the mean over
    seeds and its percentile-bootstrap CI (:func:`~latent_geometry.learning.embedding_metrics.bootstrap_ci`), plus n."""
    import pandas as pd

    from latent_geometry.learning.embedding_metrics import bootstrap_ci

    rows = {}
    for v in variants:
        if v.name != "pretrained":
            rows.setdefault(v.name, []).append(v.metrics)
    records = []
    for name, runs in rows.items():
        record = {"variant": name, "n_seeds": len(runs)}
        for m in metrics:
            mean, low, high = bootstrap_ci([r[m] for r in runs], level=level)
            record[m], record[f"{m}_low"], record[f"{m}_high"] = mean, low, high
        records.append(record)
    return pd.DataFrame.from_records(records).set_index("variant")


def paired_difference(variants: Sequence[Variant], name: str, baseline: str, metric: str, level: float = 0.95):
    """(mean, low, high) of metric(name) − metric(baseline) over the seeds both share (paired bootstrap CI)."""
    from latent_geometry.learning.embedding_metrics import bootstrap_ci

    by_seed = {(v.name, v.seed): v.metrics[metric] for v in variants if v.name in (name, baseline)}
    seeds = sorted({s for (n, s) in by_seed if n == name} & {s for (n, s) in by_seed if n == baseline})
    if not seeds:
        raise ValueError(f"no seed has both variants {name!r} and {baseline!r}")
    return bootstrap_ci([by_seed[(name, s)] - by_seed[(baseline, s)] for s in seeds], level=level)


GOAL_OPERATORS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b}


def goal_table(variants: Sequence[Variant], table, checks, metric: str, baseline: str):
    """Per variant of a summary ``table`` (index = variant names): whether every check ``(column, "<"|">",
    threshold)`` holds for its seed-mean, and, for the non-baseline variants, the paired difference of ``metric``
    against ``baseline`` with its 95 % bootstrap interval (:func:`paired_difference`). Returns a DataFrame."""
    import pandas as pd

    for column, op, _ in checks:
        if op not in GOAL_OPERATORS:
            raise ValueError(f"parameter 'checks' must use operators '<' or '>', got {op!r} for {column!r}")
    rows = []
    for name in table.index:
        met = all(GOAL_OPERATORS[op](table.loc[name, column], threshold) for column, op, threshold in checks)
        row = {"variant": name, "goal met": "yes" if met else "no"}
        if name != baseline:
            mean, low, high = paired_difference(variants, name, baseline, metric)
            row[f"Δ {metric} vs baseline [95% CI]"] = f"{mean:+.3g} [{low:+.3g}, {high:+.3g}]"
        rows.append(row)
    return pd.DataFrame(rows).set_index("variant")
