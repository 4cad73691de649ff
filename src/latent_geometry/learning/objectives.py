"""Objectives: callables ``objective(model, batch) -> dict[str, Tensor]``.

The dict holds ``"loss"`` (the scalar that is minimized) and any named terms worth recording; the training loop
averages every term over each epoch. Chapter-specific objectives live beside their chapter's library code.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

RECONSTRUCTION_LOSSES = ("mse", "bce")


class Reconstruction:
    """Mean reconstruction error of an autoencoder, ``"mse"`` (per pixel) or ``"bce"`` (outputs in (0, 1)).

    ``batch[0]`` is the input; targets are the inputs themselves (on their own scale, e.g. [0, 1] for images:
    seed 000's code compared sigmoid outputs with standardized targets, which no sigmoid can reach).
    """

    def __init__(self, kind: str = "mse"):
        if kind not in RECONSTRUCTION_LOSSES:
            raise ValueError(f"parameter 'kind' must be one of {RECONSTRUCTION_LOSSES}, got {kind!r}")
        self.kind = kind

    def __call__(self, model, batch) -> dict[str, torch.Tensor]:
        x = batch[0]
        x_hat, _ = model(x)
        if self.kind == "mse":
            recon = F.mse_loss(x_hat, x)
        else:
            recon = F.binary_cross_entropy(x_hat.clamp(1e-6, 1 - 1e-6), x)
        return {"loss": recon, "recon": recon}


def mean_predictor_mse(train_x: torch.Tensor, val_x: torch.Tensor) -> float:
    """MSE on ``val_x`` of the constant predictor "mean training image": the floor any useful AE must beat
    (seed 000's reported losses sat at this baseline)."""
    return float(F.mse_loss(train_x.mean(0, keepdim=True).expand_as(val_x), val_x))
