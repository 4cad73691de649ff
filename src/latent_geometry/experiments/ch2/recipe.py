"""Chapter 2 objectives and recipe: reconstruction + λ_curv · curvature functional (seed 001, slide "Loss function").

    L = λ_recon · MSE + λ_curv · L_curv,      MSE = mean_batch ‖x̂ − x‖²  (the authors' code: Σ_batch ‖x̂−x‖²/B)

L_curv is one of (``FUNCTIONALS``; functionals from :mod:`latent_geometry.geometry.functionals`):

- ``"authors"``: mean R²√det g at the (detached) encoded batch — seed 001 eq. (1) as the authors coded it;
  not coordinate-invariant (it changes under a rescaling of the latent coordinates).
- ``"data"``: mean R² at the encoded batch = ∫R² dμ with μ the code distribution (invariant; ours).
- ``"uniform"``: |Ω| mean R²√det g at uniform samples of the latent box Ω = ∫_Ω R² dV_g (invariant; ours).
- ``"F"``, ``"W"``: −F(g, f) and −W(g, f, τ) with a learned potential f (seed 001 eqs. (2), (3); our reading:
  the decoder ascends F/W as Ricci flow does, the potential descends to the infimum —
  :func:`~latent_geometry.geometry.functionals.perelman_F_loss` and ``perelman_W_loss``, whose module docstring
  gives the sign convention), at uniform samples of Ω (known proposal q).

Codes are detached in the curvature term (the authors' latest code): the encoder cannot move codes into flat
regions; only the decoder (and the potential) receive curvature gradients. The encoder ends with ``sin`` so that
Ω = [−1, 1]² bounds the latent scale (the authors' 2023 choice).

The recipe (:func:`pretrain` then :func:`finetune`) trains a plain autoencoder, then continues from it for a few
epochs with each objective, so that every variant — the λ = 0 baseline included — gets the same total training
(the authors fine-tuned their best Swiss-roll model the same way). A chapter describes its variants with
:class:`VariantSpec` (:func:`variants_from_config` builds them and the λ sweep from the validated config) and
trains them with :func:`train_chapter`, which returns a :class:`Results` container.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import numpy as np
import torch

from latent_geometry._util.checks import check_choice, check_int, check_number
from latent_geometry._util.seeding import set_seed
from latent_geometry.experiments.verdicts import threshold
from latent_geometry.geometry import functionals as cf
from latent_geometry.geometry import scalar_curvature_and_metric
from latent_geometry.learning.embedding_metrics import (
    affine_r2,
    bootstrap_ci,
    condition_numbers,
    curvature_summary,
    distance_spearman,
    per_class_procrustes,
    trustworthiness_continuity,
)
from latent_geometry.learning.models import Autoencoder, mlp
from latent_geometry.learning.training import History, TrainSettings, train

FUNCTIONALS = ("authors", "data", "uniform", "F", "W")
SWEEP_FUNCTIONAL = "authors"  # the λ sweep (``cfg.lam_sweep``) uses the authors' functional
LATENT_BOX = (-1.0, 1.0)  # Ω = [−1, 1]², the range of the encoder's final sin

__all__ = [
    "FUNCTIONALS",
    "LATENT_BOX",
    "SWEEP_FUNCTIONAL",
    "CurvatureObjective",
    "DatasetRuns",
    "FlowSummary",
    "Results",
    "Variant",
    "VariantPlan",
    "VariantSpec",
    "curvature_autoencoder",
    "curvature_probe",
    "embedding_metrics",
    "encode",
    "finetune",
    "goal_table",
    "paired_difference",
    "pretrain",
    "probe_grid",
    "seeds_from_config",
    "split_indices",
    "summary_table",
    "train_chapter",
    "train_variants",
    "variants_from_config",
]


# ------------------------------------------------------------------------------------------------ objective


class CurvatureObjective:
    """``objective(model, batch) -> {"loss", "recon", "curv"}`` with loss = λ_recon·recon + λ_curv·curv.

    ``functional`` is one of ``FUNCTIONALS``, or None for the plain reconstruction loss (then λ_curv must be 0).
    ``n_curv`` points per step carry the curvature term (the first n_curv codes of the shuffled batch, or n_curv
    uniform samples of Ω for "uniform", "F", "W"; drawn from this objective's own seeded generator). ``eps`` is
    the Tikhonov term of :func:`latent_geometry.geometry.scalar_curvature_and_metric`; ``tau`` is W's time scale.
    Models need ``.encoder``/``.decoder`` (and ``.potential`` for "F"/"W", see :func:`curvature_autoencoder`).
    With λ_curv = 0 the curvature term is skipped (a plain autoencoder step).
    """

    def __init__(self, functional: str | None = "authors", lam_curv: float = 1e-3, lam_recon: float = 1.0, *,
                 n_curv: int = 32, eps: float = 0.0, tau: float = 0.5, seed: int = 0):
        if functional is not None:
            check_choice(functional, "parameter 'functional'", FUNCTIONALS)
        for name, value in (("lam_curv", lam_curv), ("lam_recon", lam_recon), ("eps", eps)):
            check_number(value, f"parameter {name!r}", low=0)
        if functional is None and lam_curv != 0:
            raise ValueError(f"parameter 'lam_curv' must be 0 without a functional, got {lam_curv!r}")
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
        if self.functional is None:
            raise ValueError("a plain objective (functional None) has no curvature term")
        if self.functional in ("F", "W") and not isinstance(getattr(model, "potential", None), torch.nn.Module):
            raise ValueError(f"functional {self.functional!r} needs a model with a learned potential "
                             "(build it with curvature_autoencoder(..., potential=True))")
        if self.functional in ("authors", "data"):
            points = z.detach()[: self.n_curv]
        else:
            points = self._uniform_points(z)
        volume = (LATENT_BOX[1] - LATENT_BOX[0]) ** z.shape[1]
        if self.functional in ("authors", "data"):  # seed 001 eq. (1)
            return cf.squared_curvature(model.decoder, points, self.functional, eps=self.eps)
        if self.functional == "uniform":
            return cf.squared_curvature(model.decoder, points, "uniform", domain_volume=volume, eps=self.eps)
        log_q = -math.log(volume)  # uniform proposal on Ω
        if self.functional == "F":  # seed 001 eq. (2), our reading
            return cf.perelman_F_loss(model.decoder, model.potential, points, log_q, eps=self.eps)
        return cf.perelman_W_loss(model.decoder, model.potential, points, self.tau, log_q, eps=self.eps)  # eq. (3)

    def __call__(self, model, batch) -> dict[str, torch.Tensor]:
        x = batch[0]
        x_hat, z = model(x)
        recon = (x_hat - x).square().sum(-1).mean()  # the authors' Σ_batch ‖x̂ − x‖² / B
        if self.lam_curv == 0:
            return {"loss": self.lam_recon * recon, "recon": recon}
        curv = self.curvature_term(model, z)
        return {"loss": self.lam_recon * recon + self.lam_curv * curv, "recon": recon, "curv": curv}


# ---------------------------------------------------------------------------------------- model and probes


def curvature_autoencoder(input_dim: int, hidden: Sequence[int] = (128, 64), *, activation: str = "sin",
                          latent_dim: int = 2, bounded: bool = True, potential: bool = False,
                          seed: int = 0) -> Autoencoder:
    """The authors' 2023 curvature AE: encoder D-hidden-d with ``activation`` after every layer (incl. a final sin
    when ``bounded``: codes in [−1, 1]^d), decoder d-reversed(hidden)-D with a linear output.
    With ``potential=True`` a learned potential f (:class:`~latent_geometry.geometry.functionals.MLPPotential`)
    is attached as ``model.potential``, so the training loop optimises it with the autoencoder."""
    if activation in ("relu",):
        raise ValueError("parameter 'activation' must be smooth: ReLU decoders have R ≡ 0 (piecewise-linear maps "
                         "have zero second derivatives)")
    set_seed(seed)
    encoder = mlp([input_dim, *hidden, latent_dim], activation, last_act="sin" if bounded else None)
    decoder = mlp([latent_dim, *reversed(tuple(hidden)), input_dim], activation)
    model = Autoencoder(encoder, decoder)
    if potential:
        model.potential = cf.MLPPotential(latent_dim, generator=torch.Generator().manual_seed(seed + 1))
    return model


def encode(model: Autoencoder, x: torch.Tensor) -> torch.Tensor:
    """The codes of ``x`` (N, D) on the CPU, computed on the model's device in eval mode without gradients."""
    model.eval()
    with torch.no_grad():
        return model.encode(x.to(next(model.parameters()).device)).cpu()


def probe_grid(n: int = 8, half_width: float = 0.9) -> torch.Tensor:
    """A fixed n × n latent grid on [−half_width, half_width]², (n², 2): where :func:`curvature_probe` looks."""
    check_int(n, "parameter 'n'", low=2)
    check_number(half_width, "parameter 'half_width'", low=0, low_open=True)
    side = torch.linspace(-half_width, half_width, n)
    return torch.stack(torch.meshgrid(side, side, indexing="ij"), -1).reshape(-1, 2)


def _curvature_metrics(decoder, points: torch.Tensor, eps: float = 0.0) -> dict:
    """mean |R|, mean R², the authors' estimator and the median κ(g) of ``decoder`` at ``points``."""
    with torch.no_grad():
        R, g = scalar_curvature_and_metric(decoder, points, eps)
    summary = curvature_summary(R, g)
    return {"curv_authors": summary["authors_R2_sqrtdetg"], "mean_R2": summary["mean_R2"],
            "mean_abs_R": summary["mean_abs_R"], "median_kappa": float(np.median(condition_numbers(g)))}


def curvature_probe(points: torch.Tensor, eps: float = 0.0):
    """Training-loop callback ``(epoch, model) -> dict``: curvature and anisotropy of the decoder at fixed latent
    ``points`` (N, 2) — authors' estimator, mean R², mean |R| and the median condition number κ(g)."""

    def callback(epoch, model):
        p = points.to(next(model.parameters()).device, next(model.parameters()).dtype)
        return _curvature_metrics(model.decoder, p, eps)

    return callback


def split_indices(n: int, val_fraction: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded random train/validation split of range(n) (the authors' 80/20 ``random_split``)."""
    check_number(val_fraction, "parameter 'val_fraction'", low=0, high=1, low_open=True, high_open=True)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, int(round(val_fraction * n)))
    return perm[n_val:], perm[:n_val]


def embedding_metrics(model: Autoencoder, x: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, *,
                      n_neighbors: int = 10, max_points: int = 2000, seed: int = 0) -> dict:
    """Our metrics of the seed's goals on held-out data: reconstruction R² (1 − MSE/Var), per-class Procrustes
    disparity (mean) and scale ratio, trustworthiness/continuity (mean over classes), affine R² and distance
    Spearman ρ (over classes, for one-class data such as the roll), mean |R| and median κ(g) at the codes.
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
    curv = _curvature_metrics(model.decoder, z[:max_points])
    out.update(mean_abs_R=curv["mean_abs_R"], curv_authors=curv["curv_authors"], median_kappa=curv["median_kappa"])
    return out


# ------------------------------------------------------------------------------------------------- variants


@dataclass(frozen=True)
class VariantSpec:
    """What one variant of the chapter trains: a name, a functional (None for the baseline) and its λ_curv.

    Build them with :meth:`baseline` (plain reconstruction, λ = 0, ``is_baseline`` True) and :meth:`regularized`
    (one functional of ``FUNCTIONALS`` with its λ); :meth:`objective` turns one into the training objective.
    """

    name: str
    functional: str | None
    lam_curv: float
    is_baseline: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"parameter 'name' must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "lam_curv", check_number(self.lam_curv, "parameter 'lam_curv'", low=0))
        if self.is_baseline:
            if self.functional is not None or self.lam_curv != 0:
                raise ValueError("the baseline has no functional and λ_curv = 0")
        else:
            check_choice(self.functional, "parameter 'functional'", FUNCTIONALS)

    @classmethod
    def baseline(cls, name: str = "baseline (λ=0)") -> "VariantSpec":
        """The λ_curv = 0 variant: the same fine-tuning as the others, reconstruction only."""
        return cls(name, None, 0.0, is_baseline=True)

    @classmethod
    def regularized(cls, functional: str, lam_curv: float) -> "VariantSpec":
        """Reconstruction + ``lam_curv`` · ``functional``, named like ``"authors (λ=10)"``."""
        lam = check_number(lam_curv, "parameter 'lam_curv'", low=0)
        return cls(f"{functional} (λ={lam:g})", functional, lam)

    def objective(self, cfg, seed: int) -> CurvatureObjective:
        """The training objective of this variant with the config's ``n_curv``, ``eps`` and ``tau``."""
        return CurvatureObjective(self.functional, self.lam_curv, n_curv=cfg.n_curv, eps=cfg.eps, tau=cfg.tau,
                                  seed=seed)


@dataclass(frozen=True)
class VariantPlan:
    """The chapter's variants: ``main`` (every seed; ``main[0]`` is the baseline) and ``sweep`` (the first seed
    only: the authors' functional at the λ values of ``cfg.lam_sweep`` that ``main`` does not already train)."""

    main: tuple[VariantSpec, ...]
    sweep: tuple[VariantSpec, ...] = ()

    def __post_init__(self):
        if not self.main or not self.main[0].is_baseline or any(s.is_baseline for s in self.main[1:] + self.sweep):
            raise ValueError("parameter 'main' must start with the one baseline variant")

    @property
    def baseline(self) -> VariantSpec:
        return self.main[0]

    @property
    def regularized(self) -> VariantSpec:
        """The variant the figures show beside the baseline: the authors' functional when listed, else the first
        regularized variant (the baseline when there is none)."""
        others = self.main[1:]
        authors = [s for s in others if s.functional == SWEEP_FUNCTIONAL]
        return (authors or others or [self.baseline])[0]

    @property
    def sweep_series(self) -> tuple[VariantSpec, ...]:
        """The baseline and every variant of the sweep's functional, main and sweep alike (the λ sweep)."""
        return (self.baseline, *(s for s in self.main[1:] + self.sweep if s.functional == SWEEP_FUNCTIONAL))


def variants_from_config(cfg) -> VariantPlan:
    """The chapter's :class:`VariantPlan` from a validated ch2 config: the baseline, one variant per
    ``(functional, λ)`` of ``cfg.functionals``/``cfg.lam_functionals``, and the sweep over ``cfg.lam_sweep``."""
    main = (VariantSpec.baseline(),
            *(VariantSpec.regularized(f, lam) for f, lam in zip(cfg.functionals, cfg.lam_functionals)))
    sweep = tuple(s for s in (VariantSpec.regularized(SWEEP_FUNCTIONAL, lam) for lam in cfg.lam_sweep)
                  if s not in main)
    return VariantPlan(main, sweep)


def seeds_from_config(cfg) -> tuple[int, ...]:
    """The training seeds ``cfg.seed, …, cfg.seed + cfg.n_seeds − 1``."""
    return tuple(range(cfg.seed, cfg.seed + cfg.n_seeds))


@dataclass
class Variant:
    """One trained model of the chapter: its :class:`VariantSpec`, seed, model, history and metrics."""

    spec: VariantSpec
    seed: int
    model: Autoencoder | None
    history: History | None
    metrics: dict

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def lam_curv(self) -> float:
        return self.spec.lam_curv


# ------------------------------------------------------------------------------------------------- training


def pretrain(x_train: torch.Tensor, x_val: torch.Tensor, hidden: Sequence[int], settings: TrainSettings, *,
             potential: bool = True, device=None) -> tuple[Autoencoder, History]:
    """The plain (λ_curv = 0) sin autoencoder every variant starts from, seeded by ``settings.seed``; the
    potential rides along unused."""
    model = curvature_autoencoder(x_train.shape[1], hidden, potential=potential, seed=settings.seed)
    history = train(model, CurvatureObjective(None, lam_curv=0.0), x_train, x_val, settings=settings, device=device,
                    progress=False)
    return model, history


def finetune(base: Autoencoder, objective: CurvatureObjective, x_train, x_val, settings: TrainSettings, *,
             probe_points: torch.Tensor | None = None, device=None) -> tuple[Autoencoder, History]:
    """A copy of ``base`` trained ``settings.epochs`` more epochs on ``objective`` (optional curvature probe)."""
    model = copy.deepcopy(base)
    callbacks = (curvature_probe(probe_points),) if probe_points is not None else ()
    history = train(model, objective, x_train, x_val, settings=settings, device=device, callbacks=callbacks,
                    progress=False)
    return model, history


@dataclass
class DatasetRuns:
    """Everything trained on one dataset: the data, its (train, validation) split, the pre-trained base of each
    seed (model, history) and the fine-tuned :class:`Variant` list."""

    data: object
    split: tuple[torch.Tensor, torch.Tensor]
    pretrained: dict[int, tuple[Autoencoder, History]] = field(default_factory=dict)
    variants: list[Variant] = field(default_factory=list)


def train_variants(data, split, plan: VariantPlan, cfg, *, probe_points: torch.Tensor | None = None,
                   device=None) -> DatasetRuns:
    """For each seed of ``cfg``: :func:`pretrain` once (``TrainSettings.from_config(cfg)``), then :func:`finetune`
    a copy per variant of ``plan.main`` — and, for the first seed, of ``plan.sweep`` — for ``cfg.finetune_epochs``
    epochs, and score it with :func:`embedding_metrics` on the first ``cfg.metric_points`` held-out points.

    ``data`` is a :class:`~latent_geometry.learning.data.synthetic.ToyDataset`, ``split`` its (train, validation)
    indices; the model width is ``cfg.hidden``, the curvature settings ``cfg.n_curv``, ``cfg.eps``, ``cfg.tau``.
    """
    train_idx, val_idx = split
    x_tr, x_va = data.x[train_idx], data.x[val_idx]
    ev = val_idx[: cfg.metric_points]
    pretraining = TrainSettings.from_config(cfg)
    finetuning = TrainSettings.from_config(cfg, epochs=cfg.finetune_epochs)
    runs = DatasetRuns(data, (train_idx, val_idx))
    for k, seed in enumerate(seeds_from_config(cfg)):
        base, base_history = pretrain(x_tr, x_va, cfg.hidden, replace(pretraining, seed=seed), device=device)
        runs.pretrained[seed] = (base, base_history)
        for spec in plan.main + (plan.sweep if k == 0 else ()):
            model, history = finetune(base, spec.objective(cfg, seed), x_tr, x_va, replace(finetuning, seed=seed),
                                      probe_points=probe_points, device=device)
            metrics = embedding_metrics(model, data.x[ev], data.coords[ev], data.labels[ev], seed=seed)
            runs.variants.append(Variant(spec, seed, model, history, metrics))
    return runs


@dataclass
class Results:
    """The chapter's trained variants per dataset, with the look-ups its cells need."""

    plan: VariantPlan
    seeds: tuple[int, ...]
    runs: dict[str, DatasetRuns]

    def variants(self, dataset: str) -> list[Variant]:
        return self.runs[dataset].variants

    def pick(self, dataset: str, variant: VariantSpec | str, seed: int | None = None) -> Variant:
        """The trained ``variant`` (a spec or its name) of ``dataset`` for ``seed`` (default: the first seed)."""
        name = variant.name if isinstance(variant, VariantSpec) else variant
        seed = self.seeds[0] if seed is None else seed
        for v in self.variants(dataset):
            if v.name == name and v.seed == seed:
                return v
        raise KeyError(f"no variant {name!r} with seed {seed} was trained on {dataset!r}")

    def pretrained(self, dataset: str, seed: int | None = None) -> Autoencoder:
        """The pre-trained base model every variant of ``seed`` (default: the first) started from."""
        return self.runs[dataset].pretrained[self.seeds[0] if seed is None else seed][0]

    def held_out(self, dataset: str, n: int) -> torch.Tensor:
        """The first ``n`` validation indices of ``dataset`` (the points the figures show)."""
        return self.runs[dataset].split[1][:n]

    def summary(self, dataset: str, metrics: Sequence[str], level: float = 0.95):
        """:func:`summary_table` of the main variants (every seed) of ``dataset``."""
        main = set(self.plan.main)
        return summary_table([v for v in self.variants(dataset) if v.spec in main], metrics, level)

    def sweep_rows(self, dataset: str) -> list[dict]:
        """One row ``{"lam": λ, **metrics}`` per variant of the λ sweep (first seed), sorted by λ."""
        rows = [{"lam": s.lam_curv, **self.pick(dataset, s).metrics} for s in self.plan.sweep_series]
        return sorted(rows, key=lambda r: r["lam"])

    @property
    def seconds(self) -> float:
        """Total training time: pre-training and every fine-tuning, all datasets."""
        histories = [h for r in self.runs.values() for _, h in r.pretrained.values()]
        histories += [v.history for r in self.runs.values() for v in r.variants]
        return sum(h.seconds for h in histories)


def train_chapter(datasets: Mapping[str, object], plan: VariantPlan, cfg, *,
                  probe_points: torch.Tensor | None = None, device=None) -> Results:
    """:func:`train_variants` on each named dataset, with the seeded split ``split_indices(len, seed=cfg.seed)``."""
    runs = {name: train_variants(data, split_indices(len(data), seed=cfg.seed), plan, cfg,
                                 probe_points=probe_points, device=device)
            for name, data in datasets.items()}
    return Results(plan, seeds_from_config(cfg), runs)


def sweep_summary(rows: Sequence[dict]) -> dict:
    """The ends of a λ sweep (:meth:`Results.sweep_rows`): the largest λ, its curvature estimate relative to
    λ = 0, and reconstruction R² and median κ(g) at both ends."""
    first, last = rows[0], rows[-1]
    return {"lam_max": last["lam"], "curv_ratio": last["curv_authors"] / max(first["curv_authors"], 1e-300),
            "recon_0": first["recon_R2"], "recon_max": last["recon_R2"],
            "kappa_0": first["median_kappa"], "kappa_max": last["median_kappa"]}


@dataclass(frozen=True)
class FlowSummary:
    """The numbers of a conformal Ricci flow run: max |R| at the start and end, the largest relative area change,
    and the median anisotropy κ that the conformal fit dropped."""

    R0: float
    R_end: float
    area_drift: float
    kappa_median: float

    @classmethod
    def of(cls, flow, kappa) -> "FlowSummary":
        """From a :class:`~latent_geometry.geometry.ricci_flow.RicciFlowTrajectory` and the dropped κ field."""
        return cls(float(flow.max_abs_curvature[0]), float(flow.max_abs_curvature[-1]),
                   float((flow.area / flow.area[0] - 1).abs().max()), float(torch.as_tensor(kappa).median()))

    @property
    def flattening(self) -> float:
        """max |R| at the end relative to the start."""
        return self.R_end / self.R0 if self.R0 > 0 else 0.0


# --------------------------------------------------------------------------------------------------- tables


def summary_table(variants: Sequence[Variant], metrics: Sequence[str], level: float = 0.95):
    """A pandas DataFrame: one row per variant name, for each metric the mean over seeds and its
    percentile-bootstrap CI (:func:`~latent_geometry.learning.embedding_metrics.bootstrap_ci`), plus n."""
    import pandas as pd

    rows = {}
    for v in variants:
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
    by_seed = {(v.name, v.seed): v.metrics[metric] for v in variants if v.name in (name, baseline)}
    seeds = sorted({s for (n, s) in by_seed if n == name} & {s for (n, s) in by_seed if n == baseline})
    if not seeds:
        raise ValueError(f"no seed has both variants {name!r} and {baseline!r}")
    return bootstrap_ci([by_seed[(name, s)] - by_seed[(baseline, s)] for s in seeds], level=level)


def goal_table(variants: Sequence[Variant], table, checks: Mapping[str, str], metric: str, baseline: str):
    """Per variant of a summary ``table`` (index = variant names): the seed-mean of each checked column, whether
    every ``THRESHOLDS[key]`` of ``checks`` (column -> threshold key) holds for it, and, for the non-baseline
    variants, the paired difference of ``metric`` against ``baseline`` with its 95 % bootstrap interval
    (:func:`paired_difference`). Returns a DataFrame."""
    import pandas as pd

    limits = {column: threshold(key) for column, key in checks.items()}  # unknown keys fail here
    rows = []
    for name in table.index:
        row = {"variant": name}
        row.update({f"{column} ({limit})": f"{table.loc[name, column]:.3g}" for column, limit in limits.items()})
        met = all(limit.holds(table.loc[name, column]) for column, limit in limits.items())
        row["goal met"] = "yes" if met else "no"
        if name != baseline:
            mean, low, high = paired_difference(variants, name, baseline, metric)
            row[f"Δ {metric} vs baseline [95% CI]"] = f"{mean:+.3g} [{low:+.3g}, {high:+.3g}]"
        rows.append(row)
    return pd.DataFrame(rows).set_index("variant")
