"""Seeds and devices in one place."""

from __future__ import annotations

import random

import numpy as np
import torch

from latent_geometry._util.checks import check_choice, check_int

DEVICES = ("auto", "cpu", "cuda")  # the one list of device names (configs and resolve_device)


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices) with ``seed``."""
    seed = check_int(seed, "parameter 'seed'", low=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``'auto'``/None -> CUDA when available, else CPU; ``'cuda'`` without a GPU is an error."""
    if isinstance(device, torch.device):
        return device
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    check_choice(device, "parameter 'device'", DEVICES)
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("parameter 'device' is 'cuda' but no CUDA device is available; use 'auto' or 'cpu'")
    return torch.device(device)
