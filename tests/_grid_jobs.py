"""Picklable fake trainers for tests/test_grid.py: deterministic numbers from the job key, a call log, a crash.

``FakeTrainer`` has ``train_jobs``'s signature. Its losses are a hash of (job key, epoch) — nothing random, so any
backend must reproduce them exactly — and it can append each job it trains to a log file (one key per line, shared
by all processes) and ``os._exit`` before training a job once the log holds ``crash_after`` lines (a killed grid).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from latent_geometry.learning.landscape import Job, JobResult

CRASH_CODE = 17


@dataclass(frozen=True)
class FakeSettings:
    """Stands in for LandscapeSettings (a frozen, picklable dataclass)."""

    epochs: int = 3
    n_train: int = 64
    setup: str = "corrected"


def unit(*parts) -> float:
    """A number in [0, 1) determined by ``parts``."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def fake_rows(job: Job, epochs: int) -> tuple[dict, ...]:
    rows = []
    for epoch in range(1, epochs + 1):
        rows.append({"epoch": epoch, "train_loss": 0.1 + unit(job.key, epoch, "train") / epoch,
                     "val_loss": 0.1 + unit(job.key, epoch, "val") / epoch,
                     "test_loss": 0.1 + unit(job.key, "test") if epoch == epochs else None})
    return tuple(rows)


@dataclass(frozen=True)
class FakeTrainer:
    log: str | None = None
    crash_after: int | None = None
    delay: float = 0.0

    def __call__(self, jobs, settings, *, device="auto", mode="auto"):
        out = []
        for job in jobs:
            if self.crash_after is not None and self.log and _lines(self.log) >= self.crash_after:
                os._exit(CRASH_CODE)  # killed mid-grid: no cleanup, nothing after this point is written
            if self.log:
                with open(self.log, "a") as handle:
                    handle.write(job.key + "\n")
            if self.delay:
                time.sleep(self.delay)
            out.append(JobResult(job, fake_rows(job, settings.epochs), seconds=round(unit(job.key, "s"), 6),
                                 device=f"fake-{device}", extra={"mode": mode}))
        return out


def _lines(path) -> int:
    path = Path(path)
    return len(path.read_text().splitlines()) if path.exists() else 0


def read_log(path) -> list[str]:
    return Path(path).read_text().splitlines() if Path(path).exists() else []


def grid_jobs() -> list[Job]:
    """A small grid with three groups: (mnist, 2) x 7 jobs, (mnist, 3) x 4, (kmnist, 2) x 1 (12 jobs)."""
    jobs = [Job("mnist", s, seed) for s in [(-1, 0), (0, 0), (0, 1), (-1, 0, 0), (0, 0, 0)] for seed in (0, 1)]
    return jobs + [Job("mnist", (-1, 1), 0), Job("kmnist", (0, 0), 0)]
