r"""Seed 000's geometric autoencoder with the geometry as data: encoder → exp_κ per component → decoder.

``GeometricAutoencoder(n_p, final_relu=...)`` = :class:`~latent_geometry.learning.models.ConvEncoder` to 2·n_p
tangent coordinates, the κ-ambient exponential map of each 2-D piece
(:func:`~latent_geometry.manifolds.kappa.kappa_product_expmap0`, (B, 2·n_p) → (B, 3·n_p)), and
:class:`~latent_geometry.learning.models.ConvDecoder` from 3·n_p inputs (seed 000, §3.3 and Fig. 2). The curvature
vector κ ∈ R^{n_p} is a buffer (a signature such as (−1, 0, 0, 0, 0) = H²×E²⁴) or, with ``learn_kappa``, an
``nn.Parameter`` (the continuous baseline). Every geometry with the same n_p has the same parameter shapes and, for
one seed, the same initial weights: construction draws random numbers only for the layers, never for κ.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from latent_geometry._util.checks import check_int, check_number
from latent_geometry.learning.models import Autoencoder, ConvDecoder, ConvEncoder
from latent_geometry.manifolds.kappa import kappa_product_expmap0

__all__ = ["GeometricAutoencoder"]


class GeometricAutoencoder(Autoencoder):
    """x (B, 1, 28, 28) → u = encoder(x) (B, 2·n_p) → z = exp_κ(u) (B, 3·n_p) → decoder(z) (B, 1, 28, 28) in (0, 1).

    ``kappa``: None (all Euclidean), a number (every component) or a sequence/tensor of n_p curvatures (e.g. the
    signature). ``forward`` returns ``(x_hat, z)`` like every :class:`Autoencoder`.
    """

    def __init__(self, n_p: int, *, final_relu: bool, width: int = 20, kappa: float | Sequence[float] | None = None,
                 learn_kappa: bool = False):
        n_p = check_int(n_p, "parameter 'n_p'", low=1)
        width = check_int(width, "parameter 'width'", low=1)
        if not isinstance(final_relu, bool) or not isinstance(learn_kappa, bool):
            raise TypeError("parameters 'final_relu' and 'learn_kappa' must be bool")
        super().__init__(ConvEncoder(2 * n_p, width, final_relu), ConvDecoder(3 * n_p, width))
        self.n_p = n_p
        kappa_t = _kappa_vector(kappa, n_p, torch.get_default_dtype())
        if learn_kappa:
            self.kappa = nn.Parameter(kappa_t)
        else:
            self.register_buffer("kappa", kappa_t)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return kappa_product_expmap0(self.encoder(x), self.kappa)


def _kappa_vector(kappa, n_p: int, dtype) -> torch.Tensor:
    if kappa is None:
        return torch.zeros(n_p, dtype=dtype)
    if isinstance(kappa, torch.Tensor):
        values = kappa.detach().to(dtype).flatten()
    elif isinstance(kappa, (int, float)) and not isinstance(kappa, bool):
        values = torch.full((n_p,), check_number(kappa, "parameter 'kappa'"), dtype=dtype)
    else:
        values = torch.tensor([check_number(k, "parameter 'kappa' (each curvature)") for k in kappa], dtype=dtype)
    if values.shape != (n_p,):
        raise ValueError(f"parameter 'kappa' must hold n_p = {n_p} curvatures, got shape {tuple(values.shape)}")
    if not bool(torch.isfinite(values).all()):
        raise ValueError(f"parameter 'kappa' must be finite, got {values.tolist()}")
    return values.clone()
