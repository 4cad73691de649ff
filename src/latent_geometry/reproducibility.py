"""Seeds and devices in one place."""

from __future__ import annotations

import random

import numpy as np
import torch

DEVICES = ("auto", "cpu", "cuda")


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices) with ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"parameter 'seed' must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``'auto'``/None -> CUDA when available, else CPU; ``'cuda'`` without a GPU is an error."""
    if isinstance(device, torch.device):
        return device
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device not in DEVICES:
        raise ValueError(f"parameter 'device' must be one of {DEVICES}, got {device!r}")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("parameter 'device' is 'cuda' but no CUDA device is available; use 'auto' or 'cpu'")
    return torch.device(device)
