"""Chapter 2's study: what is trained, per dataset and seed, and how every trained model is scored.

Per seed (``cfg.seed … cfg.seed + cfg.n_seeds − 1``) and dataset, :func:`train_seed` trains

1. ``box``: the authors' 2023 box-latent sin AE (plain, ``cfg.epochs``) — its quality per seed is reported (it
   saturates its final sin) — and, from it, the box *ascent* of F and W (the documented negative result);
2. ``torus``: the TorusAE baseline (plain + the uniformity term, ``cfg.epochs``), then, for ``cfg.finetune_epochs``
   more epochs each, the λ = 0 baseline and every functional of ``cfg.functionals`` at every scale c of
   ``cfg.lam_scales``, with λ calibrated per functional and seed: λ_f = c · recon_base / L_f(base), so that at
   c = 1 the penalty starts equal to the reconstruction term whatever the functional's own scale;
3. ``repository`` (the roll only): the authors' TorusAE experiment from the first epoch (λ_curv ∈ {0, 1}, their
   side terms), with detached and with non-detached codes;
4. ``control``: the isometry-regularized AE (relaxed distortion of seed 002 eq. (16)), the positive control.

Every model is scored by :func:`evaluate` on held-out points; the curvature estimates after training are
re-evaluated on a fine grid of the latent (no importance sampling).
"""

from __future__ import annotations

import copy
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from typing import Mapping, Sequence

import numpy as np
import torch

from latent_geometry._util.checks import check_int, check_number
from latent_geometry.experiments.ch2.objective import BOX, CodeRegression, CurvatureObjective, Penalty
from latent_geometry.experiments.statistics import t_interval
from latent_geometry.geometry import scalar_curvature_and_metric
from latent_geometry.geometry import torus as tg
from latent_geometry.geometry.reparametrize import affine_r2
from latent_geometry.geometry.functionals import (
    MLPPotential,
    perelman_F_estimate,
    perelman_W_estimate,
    potential_and_gradient,
)
from latent_geometry.learning.embedding_metrics import (
    condition_numbers,
    distance_spearman,
    per_class_procrustes,
    trustworthiness_continuity,
)
from latent_geometry.learning.torus_ae import (
    TorusAutoencoder,
    box_autoencoder,
    data_input_scale,
    euclidean_autoencoder,
    unwrap_angles,
)
from latent_geometry.learning.training import History, TrainSettings, train

__all__ = ["Run", "SeedRuns", "Study", "curvature_estimates", "evaluate", "invariance_demo",
           "seeds_from_config",
           "split_indices", "train_seed", "train_study"]

SATURATION = 0.95  # a box code |z_k| above this sits on the flat top of the final sin


def seeds_from_config(cfg) -> tuple[int, ...]:
    """The training seeds ``cfg.seed, …, cfg.seed + cfg.n_seeds − 1``."""
    return tuple(range(cfg.seed, cfg.seed + cfg.n_seeds))


def split_indices(n: int, val_fraction: float = 0.2, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded random train/held-out split of range(n) (the authors' 80/20 ``random_split``)."""
    check_number(val_fraction, "parameter 'val_fraction'", low=0, high=1, low_open=True, high_open=True)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = max(1, int(round(val_fraction * n)))
    return perm[n_val:], perm[:n_val]


# ------------------------------------------------------------------------------------------------ scoring


def _codes(model, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model.encode(x)


def curvature_estimates(model, z: torch.Tensor, latent: str, *, tau: float | None = None, grid_n: int = 32,
                        max_points: int = 1000, with_mu: bool = True) -> dict:
    """Curvature of ``model.decoder`` after training: at the codes z (N, d) the authors' estimator
    mean R²√det g and mean R² ("data"); on the whole latent, on a grid (no sampling): ∫R² dV ("uniform"), and on
    the torus −λ(g) ("F"), log(V/4πτ) − 2 − μ(g, τ) ("W", τ matched to the latent when None), ∫R dV (0 by
    Gauss–Bonnet) and the area V (W only ``with_mu``: it needs a nonlinear minimization); median κ(g) at the
    codes."""
    points = z[:max_points].double()
    decoder = copy.deepcopy(model.decoder).double()
    with torch.no_grad():
        R, g = scalar_curvature_and_metric(decoder, points)
    sqrt_det = torch.linalg.det(g).clamp_min(0).sqrt()
    out = {"authors": float((R.square() * sqrt_det).mean()), "data": float(R.square().mean()),
           "median_kappa": float(np.median(condition_numbers(g.numpy())))}
    if latent == "torus":
        deficits = tg.flatness_deficits(decoder, tau=tau, n=grid_n, with_mu=with_mu)
        out.update(uniform=deficits.int_R2, F=deficits.L_F, int_R=deficits.int_R, volume=deficits.volume,
                   tau=deficits.tau, **({"W": deficits.L_W} if with_mu else {}))
    elif latent == "box":
        side = torch.linspace(BOX[0], BOX[1], grid_n + 1, dtype=torch.float64)
        centers = (side[:-1] + side[1:]) / 2  # midpoint rule on the box
        grid = torch.stack(torch.meshgrid(centers, centers, indexing="ij"), -1).reshape(-1, 2)
        with torch.no_grad():
            R_grid, g_grid = scalar_curvature_and_metric(decoder, grid)
        cell = float((BOX[1] - BOX[0]) ** 2) / len(grid)
        out["uniform"] = float((R_grid.square() * torch.linalg.det(g_grid).clamp_min(0).sqrt()).sum() * cell)
    return out


def evaluate(model, data, idx: torch.Tensor, latent: str, *, tau: float | None = None, grid_n: int = 32,
             n_neighbors: int = 10, seed: int = 0, with_mu: bool = True) -> dict:
    """Our metrics of the seed's goals on the held-out points ``idx`` of ``data`` (module docstring of
    :mod:`latent_geometry.learning.embedding_metrics` for each): reconstruction R² overall and its minimum over
    classes, the fraction of saturated box codes, per-class Procrustes disparity and scale ratio, trustworthiness
    and continuity, the affine R² of each ground-truth coordinate on the codes (its minimum over coordinates,
    averaged over classes), distance Spearman ρ — on torus codes unwrapped at their largest gap — and
    :func:`curvature_estimates`."""
    model.eval()
    x, truth, labels = data.x[idx], data.coords[idx].double().numpy(), data.labels[idx].numpy()
    with torch.no_grad():
        x_hat, z = model(x)
    classes = np.unique(labels)
    per_class = [1 - float((x_hat[labels == c] - x[labels == c]).square().sum()
                           / (x[labels == c] - x[labels == c].mean(0)).square().sum()) for c in classes]
    codes = z.double().numpy()
    if latent == "torus":  # a chart of each class, cut where its codes leave the largest gap on each circle
        codes = np.concatenate([unwrap_angles(codes[labels == c]) for c in classes])
        order = np.concatenate([np.flatnonzero(labels == c) for c in classes])
        truth, labels = truth[order], labels[order]
    procrustes = per_class_procrustes(codes, truth, labels)
    sizes = [int((labels == c).sum()) for c in classes]
    k = max(1, min(n_neighbors, (min(sizes) - 2) // 2))
    tc = [trustworthiness_continuity(truth[labels == c], codes[labels == c], k, 3000, seed) for c in classes]
    affine = np.array([affine_r2(codes[labels == c], truth[labels == c]) for c in classes])  # (k, m)
    out = {
        "recon_R2": 1 - float((x_hat - x).square().sum() / (x - x.mean(0)).square().sum()),
        "recon_R2_min_class": float(min(per_class)),
        "saturated": float((z.abs() > SATURATION).any(1).float().mean()) if latent == "box" else 0.0,
        "disparity": float(procrustes["disparity"].mean()),
        "scale_ratio": float(procrustes["scale_ratio"]),
        "trustworthiness": float(np.mean([t["trustworthiness"] for t in tc])),
        "continuity": float(np.mean([t["continuity"] for t in tc])),
        "affine_R2": float(affine.min(1).mean()),
        **{f"affine_R2_{j}": float(affine[:, j].mean()) for j in range(affine.shape[1])},
        "distance_spearman": float(np.mean([distance_spearman(codes[labels == c], truth[labels == c], seed=seed)
                                            for c in classes])),
    }
    if latent != "euclidean":
        out.update({f"curv_{key}": value for key, value in
                    curvature_estimates(model, z, latent, tau=tau, grid_n=grid_n, with_mu=with_mu).items()})
    return out


# ------------------------------------------------------------------------------------------------ training


@dataclass
class Run:
    """One trained model: its ``name``, ``group`` (box, torus, repository, control), functional and scale c (None
    when not calibrated), the λ it trained with, seed, dataset, metrics and history (models kept for seed 0)."""

    name: str
    group: str
    functional: str | None
    scale: float | None
    lam: float
    seed: int
    dataset: str
    metrics: dict
    history: History | None = None
    model: torch.nn.Module | None = None


@dataclass
class SeedRuns:
    """Everything trained for one (dataset, seed): the runs and the calibration (baseline estimates and
    reconstruction loss, the λ of each functional at c = 1)."""

    dataset: str
    seed: int
    runs: list[Run] = field(default_factory=list)
    calibration: dict = field(default_factory=dict)


def _settings(cfg, seed: int, **overrides) -> TrainSettings:
    return replace(TrainSettings.from_config(cfg), seed=seed, **overrides)


def _objective(penalty: Penalty, latent: str, cfg, seed: int, tau: float) -> CurvatureObjective:
    return CurvatureObjective(penalty, latent, n_curv=cfg.n_curv, eps=cfg.eps, tau=tau,
                              n_moments=cfg.n_moments, seed=seed)


def _attach_potential(model, seed: int) -> None:
    """A periodic learned potential f(φ) on the torus (an MLP on (cos φ, sin φ))."""
    model.potential = tg.TorusPotential(model.latent_dim, generator=torch.Generator().manual_seed(seed + 1))


def _box_potential(model, seed: int) -> None:
    model.potential = MLPPotential(2, generator=torch.Generator().manual_seed(seed + 1))


def _warm_up_potential(model, functional: str, tau: float, cfg, seed: int) -> None:
    """Fit the potential to the fixed baseline decoder before the fine-tuning: ``cfg.potential_steps`` Adam steps
    descending F̂ (or Ŵ) in f on one fixed sample of uniform angles, whose R and g are computed once. The saddle of
    F/W then starts near its inner infimum instead of at a random f."""
    gen = torch.Generator().manual_seed(seed + 7)
    phi = (2 * torch.rand(cfg.n_curv * 8, model.latent_dim, generator=gen) - 1) * math.pi
    with torch.no_grad():
        R, g = scalar_curvature_and_metric(model.decoder, phi, cfg.eps)
    log_q = -model.latent_dim * math.log(2 * math.pi)
    optimizer = torch.optim.Adam(model.potential.parameters(), lr=1e-2)
    for _ in range(cfg.potential_steps):
        f, grad_f = potential_and_gradient(model.potential, phi)
        if functional == "F":  # seed 001 eq. (2)
            value = perelman_F_estimate(R, g, f, grad_f, log_q)
        else:  # eq. (3)
            value = perelman_W_estimate(R, g, f, grad_f, log_q, tau)
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()


def _record(seed_runs: SeedRuns, model, history, data, idx, cfg, *, name, group, latent, functional=None,
            scale=None, lam=0.0, tau=None, keep=False, with_mu=False) -> Run:
    start = time.perf_counter()
    metrics = evaluate(model, data, idx, latent, tau=tau, grid_n=cfg.grid_n, seed=seed_runs.seed, with_mu=with_mu)
    metrics["train_seconds"] = history.seconds if history is not None else 0.0
    metrics["eval_seconds"] = time.perf_counter() - start
    if history is not None and history.train and "ess" in history.train[-1]:
        metrics["ess"] = history.train[-1]["ess"]
    run = Run(name, group, functional, scale, lam, seed_runs.seed, seed_runs.dataset, metrics, history,
              model if keep else None)
    seed_runs.runs.append(run)
    return run


def train_seed(dataset: str, data, cfg, seed: int, device=None) -> SeedRuns:
    """Train and score everything of the module docstring for one ``dataset`` (a ToyDataset) and ``seed``."""
    train_idx, held_out = split_indices(len(data), seed=cfg.seed)
    x_tr, x_va = data.x[train_idx[: len(train_idx) * 7 // 8]], data.x[train_idx[len(train_idx) * 7 // 8:]]
    ev = held_out[: cfg.metric_points]
    keep = seed == cfg.seed
    scale_in = data_input_scale(x_tr) if cfg.input_scaling else 1.0
    out = SeedRuns(dataset, seed)
    plain = _settings(cfg, seed)
    fine = _settings(cfg, seed, epochs=cfg.finetune_epochs)
    D = data.x.shape[1]

    # 1. the authors' 2023 box latent, and the box ascent of F and W
    box = box_autoencoder(D, cfg.hidden, input_scale=scale_in, seed=seed)
    history = train(box, _objective(Penalty(), "box", cfg, seed, cfg.box_tau), x_tr, x_va, settings=plain,
                    device=device, progress=False)
    _record(out, box, history, data, ev, cfg, name="box baseline", group="box", latent="box", keep=keep)
    for functional in cfg.box_ascent:
        model = copy.deepcopy(box)
        _box_potential(model, seed)
        penalty = Penalty(functional, cfg.box_lam)
        history = train(model, _objective(penalty, "box", cfg, seed, cfg.box_tau), x_tr, x_va, settings=fine,
                        device=device, progress=False)
        _record(out, model, history, data, ev, cfg, name=f"box {functional} ascent", group="box", latent="box",
                functional=functional, lam=cfg.box_lam, keep=keep)

    # 2. the torus baseline, calibration, and the calibrated sweeps
    base = TorusAutoencoder(D, cfg.hidden, input_scale=scale_in, seed=seed)
    side = Penalty(lam_unif=cfg.lam_unif)
    history = train(base, _objective(side, "torus", cfg, seed, 1.0), x_tr, x_va, settings=plain, device=device,
                    progress=False)
    base_est = curvature_estimates(base, _codes(base, x_va), "torus", grid_n=cfg.grid_n,
                                   with_mu="W" in cfg.functionals)
    tau = base_est["tau"] * cfg.tau_factor  # W's τ matched to the baseline's latent variance in metric units
    recon = history.final("recon", "train")
    out.calibration = {"recon": recon, "tau": tau, **{f: base_est[f] for f in cfg.functionals}}
    model = copy.deepcopy(base)
    history = train(model, _objective(side, "torus", cfg, seed, tau), x_tr, x_va, settings=fine, device=device,
                    progress=False)
    _record(out, model, history, data, ev, cfg, name="baseline", group="torus", latent="torus", scale=0.0, tau=tau,
            keep=keep, with_mu="W" in cfg.functionals)
    for functional in cfg.functionals:
        if not math.isfinite(base_est[functional]) or base_est[functional] == 0:
            raise FloatingPointError(f"the baseline's {functional!r} estimate is {base_est[functional]!r}: "
                                     "cannot calibrate λ against it")
        for c in cfg.lam_scales:  # |·|: on a grid too coarse to resolve R, −λ can come out slightly negative
            lam = c * recon / abs(base_est[functional])
            model = copy.deepcopy(base)
            if functional in ("F", "W"):
                _attach_potential(model, seed)
                _warm_up_potential(model, functional, tau, cfg, seed)
            penalty = replace(side, functional=functional, lam=lam)
            name = f"{functional} ×{c:g}"
            try:
                history = train(model, _objective(penalty, "torus", cfg, seed, tau), x_tr, x_va, settings=fine,
                                device=device, progress=False)
            except FloatingPointError as error:  # a diverged run is recorded as such, never averaged away
                out.runs.append(Run(name, "torus", functional, c, lam, seed, dataset, {"diverged": 1.0,
                                    "error": str(error)[:200]}))
                continue
            _record(out, model, history, data, ev, cfg, name=name, group="torus", latent="torus",
                    functional=functional, scale=c, lam=lam, tau=tau, keep=keep, with_mu=functional == "W")

    # 3. the authors' repository experiment (roll): from the first epoch, their side terms and settings
    if dataset == "roll" and cfg.repository:
        repo = replace(plain, epochs=cfg.repo_epochs, batch_size=cfg.repo_batch_size, lr=cfg.repo_lr,
                       optimizer="adam", momentum=0.0, lr_schedule="constant")
        for lam, detach in ((0.0, True), (1.0, True), (1.0, False)):
            model = TorusAutoencoder(D, cfg.hidden, input_scale=scale_in, seed=seed)
            penalty = Penalty("authors" if lam else None, lam, detach, lam_unif=cfg.repo_lam_unif,
                              lam_jac=cfg.repo_lam_jac)
            objective = CurvatureObjective(penalty, "torus", n_curv=cfg.repo_batch_size, eps=cfg.repo_eps,
                                           n_moments=cfg.n_moments, seed=seed)
            name = f"repository λ={lam:g}" + ("" if detach else " (codes not detached)")
            try:
                history = train(model, objective, x_tr, x_va, settings=repo, device=device, progress=False)
            except FloatingPointError as error:
                out.runs.append(Run(name, "repository", penalty.functional, None, lam, seed, dataset,
                                    {"diverged": 1.0, "error": str(error)[:200]}))
                continue
            _record(out, model, history, data, ev, cfg, name=name, group="repository", latent="torus",
                    functional="authors" if lam else None, lam=lam, tau=tau, keep=keep)

    # 4. the positive control: an isometry-regularized AE (seed 002, eq. (16))
    control, history = _isometry_control(D, x_tr, x_va, cfg, seed, scale_in, device)
    _record(out, control, history, data, ev, cfg, name="isometry control", group="control", latent="euclidean",
            keep=keep)
    return out


def isomap_codes(x: torch.Tensor, n_neighbors: int = 10) -> torch.Tensor:
    """Isomap coordinates of x (N, D) (scikit-learn, ``n_neighbors``-NN graph; Tenenbaum et al. 2000), centred
    and scaled to unit largest standard deviation, (N, 2) float32. A graph of several components (the Gaussian
    clouds) is completed by scikit-learn with edges between their closest points."""
    import warnings

    from sklearn.manifold import Isomap

    with warnings.catch_warnings():  # separate clouds: scikit-learn joins the graph's components by closest pairs
        warnings.filterwarnings("ignore", message="The number of connected components")
        warnings.filterwarnings("ignore", message="Changing the sparsity structure")  # inside that completion
        y = torch.as_tensor(Isomap(n_neighbors=n_neighbors, n_components=2).fit_transform(x.double().numpy()))
    y = y - y.mean(0)
    return (y / y.std(0).max()).float()


def _isometry_control(D: int, x_tr, x_va, cfg, seed: int, input_scale: float, device) -> tuple:
    """The positive control: a Euclidean-latent AE trained on reconstruction + ``cfg.lam_iso`` · relaxed distortion
    at the codes (seed 002, eq. (16)) for ``cfg.epochs``. With ``cfg.control_start == "isomap"`` it starts from an
    encoder fitted to the Isomap coordinates of the training points and a decoder trained on those frozen codes
    (each ``cfg.epochs`` plain epochs): from a random start the isometry term is met at the codes while the chart
    tears (measured), so the start is what lets the control show the goal metrics can be met. Returns (model,
    history of the last stage)."""
    model = euclidean_autoencoder(D, cfg.hidden, input_scale=input_scale, seed=seed)
    plain = _settings(cfg, seed)
    if cfg.control_start == "isomap":
        target = isomap_codes(x_tr, cfg.isomap_neighbors)
        train(model, CodeRegression(), (x_tr, target), None, settings=plain, device=device, progress=False)
        for p in model.encoder.parameters():
            p.requires_grad_(False)
        train(model, _objective(Penalty(), "euclidean", cfg, seed, 1.0), x_tr, None, settings=plain, device=device,
              progress=False)
        for p in model.encoder.parameters():
            p.requires_grad_(True)
    history = train(model, _objective(Penalty(lam_iso=cfg.lam_iso), "euclidean", cfg, seed, 1.0), x_tr, x_va,
                    settings=plain, device=device, progress=False)
    return model, history


def _train_seed_task(args) -> SeedRuns:
    import warnings

    dataset, data, cfg, seed, device = args
    torch.set_num_threads(1)
    # torch warns from inside itself the first time forward-mode AD runs in a fresh process (the chapter filters it)
    warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")
    return train_seed(dataset, data, cfg, seed, device)


@dataclass
class Study:
    """All :class:`SeedRuns` of the chapter, with the look-ups its cells need."""

    seeds: tuple[int, ...]
    by_seed: list[SeedRuns]
    seconds: float = 0.0

    def runs(self, dataset: str, name: str | None = None, group: str | None = None) -> list[Run]:
        return [r for s in self.by_seed if s.dataset == dataset for r in s.runs
                if (name is None or r.name == name) and (group is None or r.group == group)]

    def names(self, dataset: str, group: str | None = None) -> list[str]:
        return list(dict.fromkeys(r.name for r in self.runs(dataset, group=group)))

    def pick(self, dataset: str, name: str, seed: int | None = None) -> Run:
        seed = self.seeds[0] if seed is None else seed
        for r in self.runs(dataset, name):
            if r.seed == seed:
                return r
        raise KeyError(f"no run {name!r} with seed {seed} on {dataset!r}")

    def finished(self, dataset: str, name: str) -> list[Run]:
        """The runs ``name`` that trained to the end (not diverged), in seed order."""
        runs = sorted(self.runs(dataset, name), key=lambda r: r.seed)
        if not runs:
            raise KeyError(f"no run {name!r} on {dataset!r}; known: {self.names(dataset)}")
        return [r for r in runs if not r.metrics.get("diverged")]

    def n_diverged(self, dataset: str, name: str) -> int:
        """How many seeds of run ``name`` diverged (a non-finite training loss)."""
        return sum(1 for r in self.runs(dataset, name) if r.metrics.get("diverged"))

    def values(self, dataset: str, name: str, metric: str) -> np.ndarray:
        """The per-seed values of ``metric`` for run ``name`` over the seeds that finished, in seed order
        (:meth:`n_diverged` says how many did not; tables show it)."""
        runs = self.finished(dataset, name)
        if not runs:
            raise ValueError(f"every seed of run {name!r} on {dataset!r} diverged")
        return np.array([r.metrics[metric] for r in runs], dtype=np.float64)

    def seeds_of(self, dataset: str, name: str) -> list[int]:
        """The seeds of :meth:`values`."""
        return [r.seed for r in self.finished(dataset, name)]

    def interval(self, dataset: str, name: str, metric: str):
        """The t-interval over seeds of ``metric`` for run ``name``."""
        return t_interval(self.values(dataset, name, metric))

    def calibration(self, dataset: str) -> list[dict]:
        return [{"seed": s.seed, **s.calibration} for s in self.by_seed if s.dataset == dataset]


def train_study(datasets: Mapping[str, object], cfg, device=None) -> Study:
    """:func:`train_seed` for every dataset and seed; with ``cfg.workers`` > 1 on the CPU, seeds run in that many
    spawned processes (one torch thread each)."""
    check_int(cfg.workers, "parameter 'workers'", low=1)
    tasks = [(name, data, cfg, seed, device) for name, data in datasets.items() for seed in seeds_from_config(cfg)]
    start = time.perf_counter()
    on_cpu = device is None or str(device) == "cpu"
    if cfg.workers > 1 and on_cpu and len(tasks) > 1:
        with ProcessPoolExecutor(min(cfg.workers, len(tasks), os.cpu_count() or 1),
                                 mp_context=get_context("spawn")) as pool:
            by_seed = list(pool.map(_train_seed_task, tasks))
    else:
        by_seed = [train_seed(*task) for task in tasks]
    return Study(seeds_from_config(cfg), by_seed, time.perf_counter() - start)


def invariance_demo(model, data, idx: torch.Tensor, latent: str = "euclidean", shear: float = 0.8) -> dict:
    """A trained decoder Ψ reparametrized by the shear φ(z₁, z₂) = (z₁, z₂ + a sin z₁)
    (:class:`~latent_geometry.geometry.reparametrize.Shear`, a diffeomorphism of the plane and of the torus): the
    largest relative change of R at corresponding points (``R_gap``), and the worst-output affine R² of the ground
    truth on the codes before and after (torus codes unwrapped at their largest gap, which the periodic decoder
    does not see), with the relaxed distortion before and after."""
    from latent_geometry.geometry.reparametrize import Shear, invariance_report

    decoder = copy.deepcopy(model.decoder).double()
    codes = _codes(model, data.x[idx]).double()
    z = torch.from_numpy(unwrap_angles(codes.numpy())) if latent == "torus" else codes
    report = invariance_report(decoder, Shear(shear), z, data.coords[idx].double().numpy())
    return {"R_gap": float(report["curvature_max_rel_diff"]), "affine_before": float(np.min(report["r2_before"])),
            "affine_after": float(np.min(report["r2_after"])), "distortion_before": report["distortion_before"],
            "distortion_after": report["distortion_after"]}
