"""Chapter 1's training grids (part 2), built from a validated chapter config: the landscape, the as-seed comparison and
the encoder-ReLU comparison.

Each grid is a list of :class:`~latent_geometry.learning.landscape.Job` and one
:class:`~latent_geometry.learning.landscape.LandscapeSettings`; :func:`run` loads the shipped table
``results/ch1_<name>_<profile>/`` when its configuration hash matches (no training) and otherwise trains through
:func:`latent_geometry.runtime.grid.load_or_run` (resuming a partial table under ``book/runs/ch1_grids/``). A run
with the profile's own configuration (``laptop`` or ``paper``) that had to train ships its table back to
``results/``, so the published chapter and the table always agree.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from latent_geometry._util.io import atomic_write_text
from latent_geometry.learning.landscape import Job, LandscapeSettings
from latent_geometry.manifolds import canonical
from latent_geometry.runtime.config import make_config
from latent_geometry.runtime.grid import load_or_run
from latent_geometry.runtime.pipeline import ROOT
from latent_geometry.search.space import signatures

RESULTS = ROOT / "results"
WORK = ROOT / "book" / "runs" / "ch1_grids"
GRIDS = ("landscape", "as-seed", "relu")
SHIPPED_PROFILES = ("laptop", "paper")  # smoke tables are not shipped: CI's smoke run must exercise the training


@dataclass(frozen=True)
class Grid:
    """A named grid: its jobs and training settings."""

    name: str
    jobs: tuple[Job, ...]
    settings: LandscapeSettings


def landscape_grid(cfg) -> Grid:
    """Every signature with <= n_p components (``*_sizes = "all"``: 55 at n_p = 5) or exactly n_p (21), per dataset of
    ``landscape_datasets``, × ``landscape_seeds`` seeds, in the corrected (or configured) set-up."""
    jobs = []
    for dataset in cfg.landscape_datasets:
        sizes = cfg.mnist_sizes if dataset == "mnist" else cfg.kmnist_sizes
        nodes = signatures(cfg.n_p, same_size_only=sizes == "exactly")
        jobs += [Job(dataset, tuple(s), seed) for s in nodes for seed in range(cfg.landscape_seeds)]
    return Grid("landscape", tuple(jobs), LandscapeSettings.from_config(cfg))


def _comparison_jobs(cfg) -> tuple[Job, ...]:
    return tuple(Job("mnist", canonical(s, unit=True), seed) for s in cfg.compare_signatures
                 for seed in range(cfg.compare_seeds))


def as_seed_grid(cfg) -> Grid:
    """The seed code's set-up (300 training images, standardized targets, test split as validation,
    ``as_seed_epochs``, the encoder's final ReLU, batch 64, Adam 1e-3) on ``compare_signatures``."""
    settings = LandscapeSettings.from_config(cfg, setup="as-seed", n_train=None, epochs=cfg.as_seed_epochs,
                                             batch_size=64, lr=1e-3, final_relu=True)
    return Grid("as-seed", _comparison_jobs(cfg), settings)


def relu_grid(cfg) -> Grid:
    """The landscape's set-up with the encoder's final ReLU switched to the other value, on ``compare_signatures``."""
    return Grid("relu", _comparison_jobs(cfg), LandscapeSettings.from_config(cfg, final_relu=not cfg.final_relu))


BUILDERS = {"landscape": landscape_grid, "as-seed": as_seed_grid, "relu": relu_grid}


def shipped_directory(name: str, profile: str) -> Path:
    return RESULTS / f"ch1_{name}_{profile}"


def run(grid: Grid, cfg, *, device: str, provenance: dict | None = None) -> tuple[pd.DataFrame, str, dict]:
    """Load or train ``grid``: ``(frame, message for the page, info)`` (see :func:`~latent_geometry.runtime.grid.
    load_or_run`). ``cfg`` gives the backend (``grid_backend``, ``n_workers``, ``scheduler_address``,
    ``train_mode``) and whether a shipped table may be reused (``reuse_results``)."""
    shipped = shipped_directory(grid.name, cfg.profile)
    frame, message, info = load_or_run(
        list(grid.jobs), grid.settings, WORK / grid.name,
        shipped=shipped if cfg.reuse_results and (shipped / "landscape.csv").exists() else None,
        provenance={"profile": cfg.profile, "grid": grid.name, **(provenance or {})},
        backend=cfg.grid_backend, n_workers=cfg.n_workers, scheduler_address=cfg.scheduler_address or None,
        device=device, mode=cfg.train_mode, max_group_size=_group_size(device, cfg.train_mode))
    if info["source"] == "trained" and cfg.profile in SHIPPED_PROFILES and _is_profile_grid(grid, cfg):
        _ship(Path(info["table"]), shipped)
        message += f" Shipped to {shipped.relative_to(ROOT)}."
    return frame, message.replace(f"{ROOT}/", ""), info  # paths relative to the project, not this machine


def _group_size(device: str, mode: str) -> int | None:
    """Jobs per task: whole groups where they train in one batched step (CUDA, or ``train_mode="batched"``), else one
    job per task, so each finished job reaches the table at once."""
    import torch

    on_cuda = str(device).startswith("cuda") or (device == "auto" and torch.cuda.is_available())
    batched = mode == "batched" or (mode == "auto" and on_cuda)
    return None if batched else 1


def _is_profile_grid(grid: Grid, cfg) -> bool:
    """True when ``grid`` is exactly what the profile's default configuration builds."""
    default = BUILDERS[grid.name](make_config("ch1", cfg.profile))
    return default.jobs == grid.jobs and default.settings == grid.settings


def _ship(table: Path, shipped: Path) -> None:
    shipped.mkdir(parents=True, exist_ok=True)
    for name in ("landscape.json", "landscape.csv"):  # the csv last: its presence marks a complete table
        tmp = shipped / f".{name}.tmp"
        shutil.copyfile(table / name, tmp)
        tmp.replace(shipped / name)
    readme = shipped / "README.md"
    if not readme.exists():
        atomic_write_text(readme, f"A chapter-1 results table ({shipped.name}); the format is described in "
                                  "../README.md.\n")
