"""Smooth activations the decoder-geometry layer recognizes (curvature needs second derivatives; seed 001)."""

import torch
from torch import nn


class Sine(nn.Module):
    """x ↦ sin(x): the authors' smooth activation for curvature-regularized decoders (seed 001)."""

    def forward(self, x):
        return torch.sin(x)
