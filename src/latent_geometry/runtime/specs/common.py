"""Parameters every chapter shares (seed, device, training schedule), with per-profile values."""

from __future__ import annotations

from latent_geometry._util.seeding import DEVICES
from latent_geometry.manifolds import parse_signature
from latent_geometry.runtime.params import Param, Rule, non_negative, one_of, positive

DATASETS = ("mnist", "kmnist")
KMNIST_TRAIN_SOURCES = ("official", "test-split")


def _parses_as_signature(value: str) -> str | None:
    try:
        parse_signature(value)
    except (TypeError, ValueError) as error:
        return f"must be components E2, S2, H2 joined by 'x', e.g. 'H2xE2xS2' ({error})"
    return None


signature_check = Rule(kind="signature", test=_parses_as_signature)
"""A product signature such as ``"H2xE2xS2"`` (see :func:`latent_geometry.manifolds.parse_signature`)."""


def seed_param(default: int = 0) -> Param:
    return Param("seed", int, default=default, check=non_negative, help="master random seed")


def device_param() -> Param:
    return Param("device", str, default="auto", check=one_of(*DEVICES), help="auto = CUDA when available")


def training_params(epochs: dict, batch_size: dict, lr: float | dict) -> tuple[Param, ...]:
    """``epochs``, ``batch_size`` (per profile) and ``lr`` (one value, or one per profile)."""
    lr_values = lr if isinstance(lr, dict) else {}
    return (
        Param("epochs", int, epochs, check=positive, help="passes over the training set"),
        Param("batch_size", int, batch_size, check=positive),
        Param("lr", float, lr_values, default=None if lr_values else lr, check=positive, help="Adam learning rate"),
    )
