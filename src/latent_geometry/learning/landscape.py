"""Chapter 1's geometry landscape: one autoencoder per (signature, seed, dataset), trained with the geometry as data.

A :class:`Job` names one training run; :func:`train_jobs` trains a list of jobs that share a dataset and a number of
components n_p, either one after another through the book's training loop or all at once in one batched step (the
curvature vector κ ∈ {−1, 0, 1}^{n_p} is the only thing that differs between geometries, so every model has the same
parameter shapes). A :class:`JobResult` holds the per-epoch rows the landscape table stores.

The two set-ups of the chapter (:data:`SETUPS`):

* ``"corrected"`` — the official training split minus a validation split carved from it, targets = inputs in
  [0, 1] (matched to the decoder's sigmoid), the official test split scored once after the last epoch;
* ``"as-seed"`` — what seed 000's code ran: a 300-image (0.5 %) training subset, inputs *and* targets standardized
  with MNIST's mean 0.1307 and std 0.3081 (no sigmoid output reaches them), the test split used as validation.

Training is seeded per job: the model's initial weights depend only on the job's seed (common random numbers across
geometries), the data split only on ``LandscapeSettings.split_seed`` (fixed across seeds), and each job's shuffles
are the ones :func:`~latent_geometry.learning.training.train` draws for that seed, so the batched path reproduces the
sequential one (tested in float64 to ~1e-9).
"""

from __future__ import annotations

import copy
import functools
import math
import time
from dataclasses import dataclass, field, fields
from typing import NamedTuple, Sequence

import torch
from torch.func import functional_call, grad, stack_module_state, vmap

from latent_geometry._util.checks import check_choice, check_int, check_number
from latent_geometry._util.seeding import resolve_device, set_seed
from latent_geometry.learning.data.images import DATASETS, KMNIST_TRAIN_SOURCES, data_root, load_image_split
from latent_geometry.learning.geometric_ae import GeometricAutoencoder
from latent_geometry.learning.objectives import Reconstruction
from latent_geometry.learning.training import TrainSettings, train
from latent_geometry.manifolds import canonical, format_signature

SETUPS = ("corrected", "as-seed")
TRAIN_MODES = ("auto", "batched", "sequential")


@dataclass(frozen=True, order=True)
class Job:
    """One training run of the landscape: ``signature`` is a sorted curvature tuple such as (-1, 0, 0, 0, 0)."""

    dataset: str
    signature: tuple[int, ...]
    seed: int

    @property
    def n_p(self) -> int:
        return len(self.signature)

    @property
    def key(self) -> str:
        """A file-name-safe unique name, e.g. ``mnist__H2xE2xE2xE2xE2__s3``."""
        return f"{self.dataset}__{format_signature(self.signature)}__s{self.seed}"

    @property
    def group_key(self) -> tuple[str, int]:
        """Jobs with the same group key can be trained in one batched step (same data and parameter shapes)."""
        return (self.dataset, self.n_p)


@dataclass(frozen=True)
class JobResult:
    """The outcome of one :class:`Job`.

    ``rows`` has one dict per epoch with keys ``epoch`` (1-based), ``train_loss``, ``val_loss`` and ``test_loss``
    (``None`` except after the last epoch in the corrected set-up; every epoch in the as-seed set-up, where the test
    split is the validation split). ``seconds`` is the job's share of the wall time, ``device`` where it ran.
    """

    job: Job
    rows: tuple[dict, ...]
    seconds: float
    device: str
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------------------
# Settings and data
# ---------------------------------------------------------------------------------------------------------------

SEED_MEAN, SEED_STD = 0.1307, 0.3081  # seed 000's code: Normalize((0.1307,), (0.3081,)) on inputs and targets
AS_SEED_N_TRAIN = 300  # seed 000's code: subsample_percent = 0.005 of MNIST's 60,000 training images
MNIST_N_VAL = 10_000  # corrected set-up, n_val = 0: 10,000 of the official training split are held out
KMNIST_FALLBACK = (6_000, 2_000, 2_000)  # KMNIST test-split fallback: training pool / validation / test
OBJECTIVE = Reconstruction("mse")  # both set-ups: MSE between the sigmoid output and the (transformed) input


@dataclass(frozen=True)
class LandscapeSettings:
    """The set-up and schedule of one landscape (frozen, picklable, validated).

    ``n_train`` (None: 0 = all in ``"corrected"``, 300 in ``"as-seed"``), ``n_val`` (0 = the pool's default:
    10,000 held out of MNIST's training split, the 2,000 of the KMNIST fallback), ``n_test`` (0 = all) are image
    counts; ``split_seed`` fixes the data split for every seed; ``width`` is the conv width (seed 000: 20).
    """

    setup: str = "corrected"
    n_train: int | None = None
    n_val: int = 0
    n_test: int = 0
    epochs: int = 10
    batch_size: int = 64
    lr: float = 1e-3
    final_relu: bool = False
    kmnist_train_source: str = "test-split"
    split_seed: int = 0
    width: int = 20

    def __post_init__(self):
        check_choice(self.setup, "parameter 'setup'", SETUPS)
        check_choice(self.kmnist_train_source, "parameter 'kmnist_train_source'", KMNIST_TRAIN_SOURCES)
        if self.n_train is None:
            object.__setattr__(self, "n_train", AS_SEED_N_TRAIN if self.setup == "as-seed" else 0)
        for name in ("n_train", "n_val", "n_test", "split_seed"):
            check_int(getattr(self, name), f"parameter {name!r} (0 = all)" if name != "split_seed"
                      else "parameter 'split_seed'", low=0)
        for name in ("epochs", "batch_size", "width"):
            check_int(getattr(self, name), f"parameter {name!r}", low=1)
        object.__setattr__(self, "lr", check_number(self.lr, "parameter 'lr'", low=0, low_open=True))
        check_choice(self.final_relu, "parameter 'final_relu'", (True, False))

    @classmethod
    def from_config(cls, cfg, **overrides) -> "LandscapeSettings":
        """Every field a validated chapter config has (``n_train``, ``epochs``, ``lr``, ...), then ``overrides``."""
        values = {f.name: getattr(cfg, f.name) for f in fields(cls) if hasattr(cfg, f.name)}
        return cls(**{**values, **overrides})

    def train_settings(self, seed: int) -> TrainSettings:
        """The book's training-loop settings for one job's seed."""
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, seed=seed)


class LandscapeData(NamedTuple):
    """Images (N, 1, 28, 28) for training, validation and test (targets = inputs), how they were transformed, and
    a sentence for the page saying where they came from."""

    train: torch.Tensor
    val: torch.Tensor
    test: torch.Tensor
    transform: dict
    source: str


@functools.lru_cache(maxsize=8)
def _official_images(dataset: str, split: str, root: str) -> torch.Tensor:
    """One official split's images on the CPU in [0, 1], loaded once per process (many jobs share them)."""
    return load_image_split(dataset, split, root=root, download=False)[0]


def _take(pool: torch.Tensor, n: int, name: str) -> torch.Tensor:
    if n > len(pool):
        raise ValueError(f"parameter {name!r} must be at most {len(pool):,} (the size of its pool), got {n:,}")
    return pool if n == 0 else pool[:n]


def landscape_data(settings: LandscapeSettings, dataset: str, device="cpu", *, dtype=torch.float32,
                   root=None) -> LandscapeData:
    """The fixed (``settings.split_seed``) training / validation / test images of a set-up; see :data:`SETUPS`.

    corrected: validation = ``n_val`` images of a permutation of the official training split, training =
    ``n_train`` of the rest, test = the official test split (a seeded ``n_test`` subset); inputs in [0, 1].
    as-seed: ``n_train`` (default 300) images of the permuted training split, validation = test = the test split
    (``n_test`` subset); inputs standardized (x − 0.1307)/0.3081. KMNIST with ``kmnist_train_source='test-split'``
    (its training images are missing here): the official test split permuted by ``split_seed`` gives a 6,000-image
    training pool, 2,000 validation and 2,000 test images, and ``source`` says so.
    """
    if not isinstance(settings, LandscapeSettings):
        raise TypeError(f"parameter 'settings' must be a LandscapeSettings, got {type(settings).__name__}")
    check_choice(dataset, "parameter 'dataset'", DATASETS)
    root = str(root if root is not None else data_root())
    gen = torch.Generator().manual_seed(settings.split_seed)
    seed = settings.split_seed
    if dataset == "kmnist" and settings.kmnist_train_source == "test-split":
        x = _official_images(dataset, "test", root)
        perm = torch.randperm(len(x), generator=gen)
        a, b, _ = KMNIST_FALLBACK
        train_pool, val_pool, test_pool = x[perm[:a]], x[perm[a:a + b]], x[perm[a + b:]]
        source = (f"KMNIST fallback: the official training images are unavailable, so the official test split "
                  f"({len(x):,} images) was permuted with seed {seed} into a {a:,}-image training pool, {b:,} "
                  f"validation and {len(x) - a - b:,} test images.")
    else:
        x = _official_images(dataset, "train", root)
        perm = torch.randperm(len(x), generator=gen)
        n_val = settings.n_val or MNIST_N_VAL
        if settings.setup == "corrected":
            if n_val >= len(x):
                raise ValueError(f"parameter 'n_val' must be below {len(x):,} (the training split), got {n_val:,}")
            val_pool, train_pool = x[perm[:n_val]], x[perm[n_val:]]
        else:
            val_pool, train_pool = None, x[perm]
        test_pool = _official_images(dataset, "test", root)
        if settings.n_test:
            test_pool = test_pool[torch.randperm(len(test_pool), generator=gen)]
        source = f"{dataset.upper()}: official training split (permuted with seed {seed}) and official test split."
    train_x = _take(train_pool, settings.n_train, "n_train")
    test_x = _take(test_pool, settings.n_test, "n_test")
    if settings.setup == "corrected":
        val_x = _take(val_pool, settings.n_val, "n_val")
        transform = {"inputs": "[0, 1]", "targets": "inputs", "loss": "MSE(sigmoid output, target)"}
        source += (f" Corrected set-up: {len(train_x):,} training and {len(val_x):,} validation images (held out "
                   f"of the training pool), test loss on {len(test_x):,} test images after the last epoch.")
    else:
        val_x = test_x
        train_x, val_x = ((t - SEED_MEAN) / SEED_STD for t in (train_x, val_x))  # seed 000's Normalize
        test_x = val_x
        transform = {"inputs": f"(x - {SEED_MEAN}) / {SEED_STD}", "targets": "inputs",
                     "loss": "MSE(sigmoid output, standardized target)"}
        source += (f" As-seed set-up: {len(train_x):,} training images, the {len(test_x):,} test images used as "
                   f"validation; inputs and targets standardized with mean {SEED_MEAN}, std {SEED_STD}.")
    move = dict(device=resolve_device(device), dtype=dtype)
    return LandscapeData(train_x.to(**move), val_x.to(**move), test_x.to(**move), transform, source)


# ---------------------------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------------------------

# mode="auto" on CPU: benchmarks/bench_landscape.py --images 512 --models 4 --repeats 2 --threads 1 on the shared
# 2-core machine (load ~3): sequential (channels_last) 734 images/s, batched (vmap, 4 models) 373 images/s (0.51x),
# so the CPU trains one model after another; the batched step is for CUDA, where small models leave the GPU idle.
CPU_AUTO_MODE = "sequential"


def _memory_format(device: torch.device) -> torch.memory_format:
    """channels_last on the CPU: oneDNN's convolutions then skip their layout reorders. Measured on 2 CPU cores,
    one training step of the seed's autoencoder (batch 64, float32): 557 → 904 images/s (1.6x); 1 thread 395 → 554."""
    return torch.channels_last if device.type == "cpu" else torch.contiguous_format


def landscape_model(job: Job, settings: LandscapeSettings, dtype=None) -> GeometricAutoencoder:
    """The job's autoencoder: initial weights from ``set_seed(job.seed)`` only, κ = the job's signature."""
    set_seed(job.seed)
    model = GeometricAutoencoder(job.n_p, final_relu=settings.final_relu, width=settings.width,
                                 kappa=job.signature)
    return model if dtype is None else model.to(dtype)


def _check_jobs(jobs) -> list[Job]:
    jobs = list(jobs)
    if not jobs or not all(isinstance(j, Job) for j in jobs):
        raise TypeError("parameter 'jobs' must be a non-empty sequence of Job")
    if len(set(jobs)) != len(jobs):
        raise ValueError("parameter 'jobs' holds the same job twice")
    return jobs


def _rows(settings: LandscapeSettings, train_losses, val_losses, test_loss) -> tuple[dict, ...]:
    rows = []
    for i, (tr, va) in enumerate(zip(train_losses, val_losses)):
        last = i == len(train_losses) - 1
        test = va if settings.setup == "as-seed" else (test_loss if last else None)
        rows.append({"epoch": i + 1, "train_loss": float(tr), "val_loss": float(va),
                     "test_loss": None if test is None else float(test)})
    return tuple(rows)


def _check_finite(name: str, epoch: int, **losses) -> None:
    bad = {k: v for k, v in losses.items() if v is not None and not math.isfinite(v)}
    if bad:
        raise FloatingPointError(f"{name}: non-finite loss at epoch {epoch}: {bad}")


@torch.no_grad()
def _eval_loss(model, x: torch.Tensor, batch_size: int) -> float:
    """Sample-weighted mean of the objective over ``x`` in eval mode (as the training loop's validation pass)."""
    model.eval()
    total = 0.0
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        total = total + OBJECTIVE(model, (batch,))["loss"] * len(batch)
    return float(total) / len(x)


def _train_sequential(job: Job, settings: LandscapeSettings, data: LandscapeData, device, keep_state: bool):
    t0 = time.perf_counter()
    model = landscape_model(job, settings, data.train.dtype).to(memory_format=_memory_format(device))
    try:
        history = train(model, OBJECTIVE, data.train, data.val, settings=settings.train_settings(job.seed),
                        device=device, progress=False)
    except FloatingPointError as error:
        raise FloatingPointError(f"job {job.key}: {error}") from error
    train_losses = [row["loss"] for row in history.train]
    val_losses = [row["loss"] for row in history.val]
    for epoch, (tr, va) in enumerate(zip(train_losses, val_losses), 1):
        _check_finite(f"job {job.key}", epoch, train_loss=tr, val_loss=va)
    test = _eval_loss(model, data.test.to(device), settings.batch_size) if settings.setup == "corrected" else None
    _check_finite(f"job {job.key}", settings.epochs, test_loss=test)
    extra = {"mode": "sequential"}
    if keep_state:
        extra["state"] = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    return JobResult(job, _rows(settings, train_losses, val_losses, test), time.perf_counter() - t0, str(device),
                     extra)


def _train_batched(jobs: list[Job], settings: LandscapeSettings, data: LandscapeData, device, keep_state: bool):
    """All ``jobs`` (one group) in one vmapped step: stacked parameters, per-model BN buffers and κ, per-model
    shuffles drawn exactly as :func:`train` draws them, one Adam over the stacked parameters (elementwise, hence
    equal to one Adam per model)."""
    t0 = time.perf_counter()
    models = [landscape_model(j, settings, data.train.dtype).to(device) for j in jobs]
    base = copy.deepcopy(models[0]).to("meta")
    params, buffers = stack_module_state(models)
    params = {k: v.detach().requires_grad_(True) for k, v in params.items()}
    del models

    def call(p, b):
        return lambda x: functional_call(base, (p, b), (x,))

    def loss_and_buffers(p, b, x):
        b = {k: v.clone() for k, v in b.items()}  # batch norm updates these in place: return them
        loss = OBJECTIVE(call(p, b), (x,))["loss"]
        return loss, (loss.detach(), b)

    step = vmap(grad(loss_and_buffers, has_aux=True))
    evaluate = vmap(lambda p, b, x: OBJECTIVE(call(p, b), (x,))["loss"], in_dims=(0, 0, None))
    optimizer = torch.optim.Adam(list(params.values()), lr=settings.lr)
    generators = [torch.Generator().manual_seed(j.seed) for j in jobs]  # the generator train() draws from
    train_x, val_x = data.train.to(device), data.val.to(device)
    n, bs, m = len(train_x), settings.batch_size, len(jobs)

    def eval_pass(x):
        base.eval()
        with torch.no_grad():
            total = torch.zeros(m, dtype=x.dtype, device=device)
            for start in range(0, len(x), bs):
                batch = x[start:start + bs]
                total = total + evaluate(params, buffers, batch) * len(batch)
        return (total / len(x)).tolist()

    curves = [[] for _ in jobs], [[] for _ in jobs]
    for epoch in range(1, settings.epochs + 1):
        orders = torch.stack([torch.randperm(n, generator=g) for g in generators]).to(device)  # (M, N)
        base.train()
        total = torch.zeros(m, dtype=train_x.dtype, device=device)
        for start in range(0, n, bs):
            idx = orders[:, start:start + bs]
            grads, (loss, buffers) = step(params, buffers, train_x[idx])
            for name, p in params.items():
                p.grad = grads[name]
            optimizer.step()
            total = total + loss * idx.shape[1]
        train_losses = (total / n).tolist()
        val_losses = eval_pass(val_x)
        for j, job in enumerate(jobs):
            _check_finite(f"job {job.key}", epoch, train_loss=train_losses[j], val_loss=val_losses[j])
            curves[0][j].append(train_losses[j])
            curves[1][j].append(val_losses[j])
    tests = eval_pass(data.test.to(device)) if settings.setup == "corrected" else [None] * m
    seconds = (time.perf_counter() - t0) / m
    results = []
    for j, job in enumerate(jobs):
        _check_finite(f"job {job.key}", settings.epochs, test_loss=tests[j])
        extra = {"mode": "batched", "group_size": m}
        if keep_state:
            extra["state"] = {k: v[j].detach().cpu().clone() for k, v in {**params, **buffers}.items()}
        results.append(JobResult(job, _rows(settings, curves[0][j], curves[1][j], tests[j]), seconds, str(device),
                                 extra))
    return results


def train_jobs(jobs: Sequence[Job], settings: LandscapeSettings, *, device="auto", mode: str = "auto",
               data: LandscapeData | None = None, keep_state: bool = False) -> list[JobResult]:
    """Train every job and return their results in the order given.

    Jobs are grouped by :attr:`Job.group_key` (dataset, n_p); ``mode="batched"`` trains each group in one vmapped
    step, ``"sequential"`` one model after another through :func:`~latent_geometry.learning.training.train`,
    ``"auto"`` batches on CUDA and uses :data:`CPU_AUTO_MODE` on the CPU (a one-job group always runs sequentially
    under ``"auto"``). ``data`` (a :class:`LandscapeData`) replaces :func:`landscape_data`'s images; then all jobs
    must share one dataset. ``keep_state`` adds each trained model's parameters and buffers (CPU tensors) to
    ``JobResult.extra["state"]``. A non-finite loss raises FloatingPointError naming the job.
    """
    jobs = _check_jobs(jobs)
    if not isinstance(settings, LandscapeSettings):
        raise TypeError(f"parameter 'settings' must be a LandscapeSettings, got {type(settings).__name__}")
    check_choice(mode, "parameter 'mode'", TRAIN_MODES)
    device = resolve_device(device)
    datasets = sorted({j.dataset for j in jobs})
    if data is not None and len(datasets) > 1:
        raise ValueError(f"parameter 'data' serves one dataset, but the jobs use {datasets}; train them separately")
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.group_key, []).append(job)
    done: dict[Job, JobResult] = {}
    for (dataset, _), group in groups.items():
        group_data = data if data is not None else landscape_data(settings, dataset, device)
        chosen = mode
        if mode == "auto":
            chosen = "batched" if device.type == "cuda" else CPU_AUTO_MODE
            if len(group) == 1:
                chosen = "sequential"
        if chosen == "batched":
            done.update((r.job, r) for r in _train_batched(group, settings, group_data, device, keep_state))
        else:
            done.update((j, _train_sequential(j, settings, group_data, device, keep_state)) for j in group)
    return [done[j] for j in jobs]


# ---------------------------------------------------------------------------------------------------------------
# The continuous baseline: learn κ
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LearnedKappa:
    """One run with learned curvatures: ``kappa[e]`` is κ (n_p values) after epoch e + 1, ``rows`` the per-epoch
    losses in the landscape table's format, ``kappa_init`` the starting κ."""

    n_p: int
    seed: int
    dataset: str
    kappa_init: tuple[float, ...]
    kappa: tuple[tuple[float, ...], ...]
    rows: tuple[dict, ...]
    seconds: float

    @property
    def final_kappa(self) -> tuple[float, ...]:
        return self.kappa[-1]


def train_learned_kappa(n_p: int, seed: int, settings: LandscapeSettings, dataset: str = "mnist", *,
                        kappa_init: float | Sequence[float] = 0.0, device="auto",
                        data: LandscapeData | None = None) -> LearnedKappa:
    """Train one :class:`GeometricAutoencoder` with ``learn_kappa=True`` (κ an ``nn.Parameter`` updated by the same
    Adam as the weights, differentiable through κ = 0) through the book's training loop; record κ after each epoch.
    """
    n_p = check_int(n_p, "parameter 'n_p'", low=1)
    seed = check_int(seed, "parameter 'seed'", low=0)
    if not isinstance(settings, LandscapeSettings):
        raise TypeError(f"parameter 'settings' must be a LandscapeSettings, got {type(settings).__name__}")
    device = resolve_device(device)
    data = data if data is not None else landscape_data(settings, dataset, device)
    set_seed(seed)
    model = GeometricAutoencoder(n_p, final_relu=settings.final_relu, width=settings.width, kappa=kappa_init,
                                 learn_kappa=True).to(data.train.dtype)
    init = tuple(model.kappa.detach().tolist())
    name = f"learned-κ run (n_p={n_p}, seed={seed}, {dataset})"
    t0 = time.perf_counter()
    try:
        history = train(model, OBJECTIVE, data.train, data.val, settings=settings.train_settings(seed),
                        device=device, progress=False,
                        callbacks=[lambda epoch, m: {"kappa": m.kappa.detach().cpu().tolist()}])
    except FloatingPointError as error:
        raise FloatingPointError(f"{name}: {error}") from error
    train_losses = [row["loss"] for row in history.train]
    val_losses = [row["loss"] for row in history.val]
    test = _eval_loss(model, data.test.to(device), settings.batch_size) if settings.setup == "corrected" else None
    for epoch, (tr, va) in enumerate(zip(train_losses, val_losses), 1):
        _check_finite(name, epoch, train_loss=tr, val_loss=va)
    kappa = tuple(tuple(row["kappa"]) for row in history.extra)
    if not all(math.isfinite(k) for row in kappa for k in row):
        raise FloatingPointError(f"{name}: non-finite κ {kappa[-1]}")
    return LearnedKappa(n_p, seed, dataset, init, kappa, _rows(settings, train_losses, val_losses, test),
                        time.perf_counter() - t0)


# ---------------------------------------------------------------------------------------------------------------
# A search objective that trains: "geometry search for my model"
# ---------------------------------------------------------------------------------------------------------------

class TrainingObjective:
    """``signature -> loss`` by training: each call trains ``Job(dataset, signature, seed)`` with ``settings`` and
    returns its final validation loss. ``trainings`` counts the training runs; wrap it in
    :class:`latent_geometry.search.replay.CachedObjective` so a revisited geometry is not retrained.

    Any callable ``signature tuple -> float`` serves the search strategies the same way (your own model's loss).
    """

    def __init__(self, settings: LandscapeSettings, dataset: str = "mnist", seed: int = 0, *, device="auto"):
        if not isinstance(settings, LandscapeSettings):
            raise TypeError(f"parameter 'settings' must be a LandscapeSettings, got {type(settings).__name__}")
        self.settings, self.dataset = settings, dataset
        self.seed = check_int(seed, "parameter 'seed'", low=0)
        self.device = device
        self.trainings = 0
        self.seconds = 0.0

    def __call__(self, signature) -> float:
        job = Job(self.dataset, canonical(signature, unit=True), self.seed)
        (result,) = train_jobs([job], self.settings, device=self.device, mode="sequential")
        self.trainings += 1
        self.seconds += result.seconds
        return float(result.rows[-1]["val_loss"])
