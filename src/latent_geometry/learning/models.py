"""Autoencoders shared by the chapters: MLP and convolutional encoders/decoders, and an optional latent map.

An :class:`Autoencoder` is ``decoder(latent_map(encoder(x)))``. ``latent_map`` turns the encoder's output into
the latent point the decoder reads, e.g. a product manifold's exponential map at its base point (chapter 1,
seed 000 §3.1); by default it is the identity.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch
from torch import nn

from latent_geometry.geometry.activations import Sine

ACTIVATIONS = {
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "tanh": nn.Tanh,
    "softplus": nn.Softplus,
    "silu": nn.SiLU,
    "sigmoid": nn.Sigmoid,
}



ACTIVATIONS["sin"] = Sine


def activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"parameter 'activation' must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


def mlp(dims: Sequence[int], act: str = "elu", last_act: str | None = None) -> nn.Sequential:
    """Linear layers ``dims[0] -> … -> dims[-1]`` with ``act`` between them (and ``last_act`` after the last)."""
    if len(dims) < 2 or any(int(d) <= 0 for d in dims):
        raise ValueError(f"parameter 'dims' must hold at least two positive sizes, got {list(dims)}")
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(dims) - 2:
            layers.append(activation(act))
    if last_act is not None:
        layers.append(activation(last_act))
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """``x -> z = latent_map(encoder(x)) -> decoder(z)``; ``forward`` returns ``(x_hat, z)``."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent_map: Callable | None = None):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.latent_map = latent_map

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        h = self.encoder(x)
        return h if self.latent_map is None else self.latent_map(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor):
        z = self.encode(x)
        return self.decode(z), z


class MLPAutoencoder(Autoencoder):
    """MLP encoder ``input_dim -> hidden -> latent_dim`` and the mirrored decoder (inputs flattened to (B, D))."""

    def __init__(self, input_dim: int, latent_dim: int, hidden: Sequence[int] = (128, 128), activation: str = "elu",
                 output_activation: str | None = None):
        encoder = mlp([input_dim, *hidden, latent_dim], activation)
        decoder = mlp([latent_dim, *reversed(hidden), input_dim], activation, output_activation)
        super().__init__(encoder, decoder)


class ConvEncoder(nn.Module):
    """(B, 1, 28, 28) -> (B, out_dim). Seed 000 Fig. 2: six 3×3 convolutions with batch norm (one of stride 2),
    a last convolution to ``out_dim`` channels and global average pooling. The authors' final ReLU (before the
    pooling) forced every latent coordinate to be >= 0; ``final_relu`` keeps it available as an option."""

    def __init__(self, out_dim: int, width: int = 20, final_relu: bool = False):
        super().__init__()

        def block(c_in, c_out, stride=1):
            return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1), nn.BatchNorm2d(c_out), nn.ReLU()]

        layers = [*block(1, width), *block(width, width), *block(width, width, 2), *block(width, width),
                  *block(width, width), nn.Conv2d(width, out_dim, 3, padding=1), nn.BatchNorm2d(out_dim)]
        if final_relu:
            layers.append(nn.ReLU())
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class ConvDecoder(nn.Module):
    """(B, in_dim) -> (B, 1, 28, 28) in (0, 1). Seed 000 Fig. 2: Linear to 20·7·7, two stride-2 transposed
    convolutions back to 28×28, a 3×3 convolution to one channel and a sigmoid."""

    def __init__(self, in_dim: int, width: int = 20):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, width * 7 * 7), nn.ReLU(), nn.Unflatten(1, (width, 7, 7)),
            nn.ConvTranspose2d(width, width, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.BatchNorm2d(width),
            nn.ConvTranspose2d(width, width, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.BatchNorm2d(width),
            nn.Conv2d(width, 1, 3, padding=1), nn.Sigmoid(),
        )

    def forward(self, z):
        return self.net(z)


def conv_autoencoder(latent_dim: int, decoder_in_dim: int | None = None, latent_map: Callable | None = None,
                     width: int = 20, final_relu: bool = False) -> Autoencoder:
    """Seed 000's convolutional AE: encoder to ``latent_dim`` tangent coordinates, ``latent_map`` to the decoder's
    input of width ``decoder_in_dim`` (default ``latent_dim``)."""
    return Autoencoder(ConvEncoder(latent_dim, width, final_relu), ConvDecoder(decoder_in_dim or latent_dim, width),
                       latent_map)
