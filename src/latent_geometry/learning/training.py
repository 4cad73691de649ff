"""The one training loop of the book: model + objective + data + settings -> History.

Every chapter trains through :func:`train`; chapters differ only in their objective and data. An objective is a
callable ``objective(model, batch) -> dict[str, Tensor]`` whose ``"loss"`` entry is minimized (see
:mod:`latent_geometry.learning.objectives`). Data are tensors (or tuples of tensors sharing the first dimension) that are
moved to the device once; batches are index slices, so no per-sample Python runs in the hot path.

Reproducibility: model initialisation is the caller's (seed it with :func:`~latent_geometry._util.seeding.set_seed`
before building the model); the loop seeds torch with ``settings.seed`` and draws its shuffles from its own
generator, so the same settings on CPU give identical numbers.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from tqdm import tqdm

from latent_geometry._util.checks import check_choice, check_int, check_number
from latent_geometry._util.io import atomic_torch_save, atomic_write_json
from latent_geometry._util.seeding import resolve_device

Batch = tuple[torch.Tensor, ...]
Objective = Callable[[torch.nn.Module, Batch], dict]
Callback = Callable[[int, torch.nn.Module], dict]
OPTIMIZERS = ("adam", "rmsprop")
LR_SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class TrainSettings:
    """Optimisation settings. ``optimizer`` is ``"adam"`` or ``"rmsprop"`` (with ``momentum``, the authors' choice in
    seed 001's code); ``lr_schedule`` ``"constant"`` or ``"cosine"`` (annealed per step to 0 over ``epochs``);
    ``grad_clip`` clips the global gradient norm when set."""

    epochs: int
    batch_size: int
    lr: float
    seed: int = 0
    weight_decay: float = 0.0
    grad_clip: float | None = None
    optimizer: str = "adam"
    momentum: float = 0.0
    lr_schedule: str = "constant"

    def __post_init__(self):
        for name in ("epochs", "batch_size"):
            check_int(getattr(self, name), f"parameter {name!r}", low=1)
        check_int(self.seed, "parameter 'seed'", low=0)
        object.__setattr__(self, "lr", check_number(self.lr, "parameter 'lr'", low=0, low_open=True))
        object.__setattr__(self, "weight_decay", check_number(self.weight_decay, "parameter 'weight_decay'", low=0))
        if self.grad_clip is not None:
            check_number(self.grad_clip, "parameter 'grad_clip' (None or a number)", low=0, low_open=True)
        check_choice(self.optimizer, "parameter 'optimizer'", OPTIMIZERS)
        check_choice(self.lr_schedule, "parameter 'lr_schedule'", LR_SCHEDULES)
        object.__setattr__(self, "momentum", check_number(self.momentum, "parameter 'momentum'", low=0, high=1,
                                                          high_open=True))
        if self.optimizer == "adam" and self.momentum != 0:
            raise ValueError("parameter 'momentum' applies to optimizer 'rmsprop' only (Adam has its own betas); "
                             f"got momentum={self.momentum!r} with optimizer 'adam'")

    def make_optimizer(self, parameters) -> torch.optim.Optimizer:
        """The optimizer these settings describe, over ``parameters``."""
        if self.optimizer == "rmsprop":
            return torch.optim.RMSprop(parameters, lr=self.lr, momentum=self.momentum,
                                       weight_decay=self.weight_decay)
        return torch.optim.Adam(parameters, lr=self.lr, weight_decay=self.weight_decay)

    def make_scheduler(self, optimizer, steps_per_epoch: int):
        """A per-step LR scheduler (cosine annealing to 0 over all steps), or None for a constant rate."""
        if self.lr_schedule == "constant":
            return None
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, self.epochs * steps_per_epoch))

    @classmethod
    def from_config(cls, cfg, **overrides) -> "TrainSettings":
        """The schedule of a validated chapter config: every field the config has (``epochs``, ``batch_size``,
        ``lr``, ``seed``, ...), then ``overrides`` (e.g. ``epochs=cfg.finetune_epochs``)."""
        values = {f.name: getattr(cfg, f.name) for f in fields(cls) if hasattr(cfg, f.name)}
        return cls(**{**values, **overrides})


@dataclass
class History:
    """Per-epoch means of every objective term, for training and validation, plus callback metrics."""

    settings: dict
    device: str
    train: list[dict] = field(default_factory=list)
    val: list[dict] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def curve(self, term: str = "loss", split: str = "train") -> np.ndarray:
        """The per-epoch values of ``term`` in ``split`` (``"train"``, ``"val"`` or ``"extra"``)."""
        if split not in ("train", "val", "extra"):
            raise ValueError(f"parameter 'split' must be 'train', 'val' or 'extra', got {split!r}")
        rows = getattr(self, split)
        if rows and term not in rows[0]:
            raise ValueError(f"parameter 'term' must be one of {sorted(rows[0])}, got {term!r}")
        return np.array([row[term] for row in rows], dtype=float)

    def final(self, term: str = "loss", split: str = "val") -> float:
        return float(self.curve(term, split)[-1])

    def to_dict(self) -> dict:
        return asdict(self)

    def save(self, path) -> Path:
        """Write the history as JSON, atomically."""
        return atomic_write_json(path, self.to_dict())

    @classmethod
    def load(cls, path) -> "History":
        return cls(**json.loads(Path(path).read_text()))


def as_batch(data) -> Batch:
    """A tensor or a tuple/list of tensors sharing the first dimension -> tuple of tensors."""
    batch = (data,) if isinstance(data, torch.Tensor) else tuple(data)
    if not batch or not all(isinstance(t, torch.Tensor) for t in batch):
        raise TypeError("parameter 'train_data'/'val_data' must be a tensor or a tuple of tensors")
    n = len(batch[0])
    if any(len(t) != n for t in batch):
        raise ValueError(f"tensors in one dataset must share their first dimension, got {[len(t) for t in batch]}")
    return batch


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return sys.stderr.isatty() and not os.environ.get("CI")


def _epoch(model, objective, data: Batch, settings: TrainSettings, optimizer, generator, device,
           scheduler=None) -> dict:
    """One pass over ``data`` (training when ``optimizer`` is given); returns sample-weighted means of each term."""
    n = len(data[0])
    order = torch.randperm(n, generator=generator).to(device) if optimizer else torch.arange(n, device=device)
    sums: dict[str, torch.Tensor] = {}  # accumulated on the device: no host sync per batch
    for start in range(0, n, settings.batch_size):
        idx = order[start:start + settings.batch_size]
        batch = tuple(t[idx] for t in data)
        terms = objective(model, batch)
        if "loss" not in terms:
            raise KeyError("the objective must return a dict with a 'loss' entry")
        if optimizer is not None:
            optimizer.zero_grad(set_to_none=True)
            terms["loss"].backward()
            if settings.grad_clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
        for name, value in terms.items():
            sums[name] = sums.get(name, 0.0) + value.detach() * len(idx)
    return {name: float(total) / n for name, total in sums.items()}


def train(
    model: torch.nn.Module,
    objective: Objective,
    train_data,
    val_data=None,
    *,
    settings: TrainSettings,
    device: str | torch.device | None = "auto",
    callbacks: Sequence[Callback] = (),
    checkpoint_path: str | Path | None = None,
    progress: bool | None = None,
) -> History:
    """Train ``model`` on ``objective`` with the optimizer and schedule of ``settings``; return its :class:`History`.

    ``callbacks`` are called after every epoch as ``callback(epoch, model)`` and return a dict of extra metrics
    (e.g. a curvature estimate), stored in ``history.extra``; they run in eval mode under ``torch.no_grad``. With ``checkpoint_path``, model, optimizer,
    generator and history are saved atomically after every epoch, and a run finds and resumes its own checkpoint
    (same settings) when restarted. Validation runs in ``eval`` mode without autograd unless the objective sets
    ``needs_grad = True`` (e.g. it differentiates the decoder).
    """
    if not isinstance(settings, TrainSettings):
        raise TypeError("parameter 'settings' must be a TrainSettings")
    device = resolve_device(device)
    train_batch = tuple(t.to(device) for t in as_batch(train_data))
    val_batch = tuple(t.to(device) for t in as_batch(val_data)) if val_data is not None else None
    model.to(device)
    torch.manual_seed(settings.seed)
    generator = torch.Generator().manual_seed(settings.seed)
    optimizer = settings.make_optimizer(model.parameters())
    scheduler = settings.make_scheduler(optimizer, math.ceil(len(train_batch[0]) / settings.batch_size))
    history = History(settings=asdict(settings), device=str(device))
    start_epoch = 0
    if checkpoint_path is not None and Path(checkpoint_path).exists():
        state = torch.load(checkpoint_path, map_location=device, weights_only=False)
        if state["history"]["settings"] != asdict(settings):
            raise ValueError(f"checkpoint {checkpoint_path} was written with other settings; remove it or rename")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(state["scheduler"])
        generator.set_state(state["generator"])
        torch.set_rng_state(state["torch_rng"])
        history = History(**state["history"])
        start_epoch = len(history.train)

    t0 = time.perf_counter() - history.seconds
    bar = tqdm(range(start_epoch, settings.epochs), desc="train", unit="epoch", disable=not _progress_enabled(progress),
               initial=start_epoch, total=settings.epochs)
    for epoch in bar:
        model.train()
        history.train.append(_epoch(model, objective, train_batch, settings, optimizer, generator, device,
                                    scheduler))
        if val_batch is not None:
            model.eval()
            with torch.set_grad_enabled(getattr(objective, "needs_grad", False)):
                history.val.append(_epoch(model, objective, val_batch, settings, None, generator, device))
        if callbacks:
            model.eval()
            extra = {}
            with torch.no_grad():  # torch.func transforms (jacfwd, hessian, ...) still differentiate in here
                for callback in callbacks:
                    extra.update(callback(epoch, model))
            history.extra.append(extra)
        history.seconds = time.perf_counter() - t0
        bar.set_postfix(loss=f"{history.train[-1]['loss']:.4g}")
        if not all(math.isfinite(v) for v in history.train[-1].values()):
            raise FloatingPointError(f"non-finite training loss at epoch {epoch}: {history.train[-1]}")
        if checkpoint_path is not None:
            atomic_torch_save(checkpoint_path, {
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict() if scheduler is not None else None,
                "generator": generator.get_state(), "torch_rng": torch.get_rng_state(),
                "history": history.to_dict(),
            })
    model.eval()
    return history
