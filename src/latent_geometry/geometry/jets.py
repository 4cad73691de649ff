"""Second-order jets of an MLP decoder: value, first and (distinct) second derivatives in one forward pass.

For an ``nn.Sequential`` of ``nn.Linear`` and elementwise activations, the derivatives of every layer's output
a(z) w.r.t. the latent point z ∈ ℝ^d are pushed forward together with its value (the chain rule for 2-jets):

    Linear a ↦ Wa + b:   value ↦ W·value + b,  ∂_i a ↦ W ∂_i a,      ∂_i∂_j a ↦ W ∂_i∂_j a
    elementwise σ:       value ↦ σ(value),     ∂_i a ↦ σ'(a) ∂_i a,  ∂_i∂_j a ↦ σ''(a) ∂_i a ∂_j a + σ'(a) ∂_i∂_j a

keeping only the P = d(d+1)/2 pairs i ≤ j (:func:`pair_indices`): 1 + d + P streams instead of the (1 + d)² of
``jacfwd(jacfwd)``. The d + P derivative streams ("tangent block", rows ∂_1…∂_d then the pairs) share one matmul
per Linear layer; the first Linear acts on the identity (∂_i z = e_i, ∂_i∂_j z = 0), so it costs no matmul, and
the second-order rows stay absent (zero) until the first activation. σ, σ', σ'' come from
:func:`latent_geometry.geometry.activations.derivatives` (closed forms, nested forward mode otherwise).

Output layout (per point, rows over the ambient index a = 1…D): ``value`` (B, D); ``tangent`` (B, d + P, D) with
tangent[b, i] = ∂_i f (i < d, i.e. Jᵀ) and tangent[b, d + p] = ∂_i∂_j f for the p-th pair (i, j).
:func:`isometric_rows` returns the two blocks separately, optionally in an orthonormal basis of the last layer's
range (:func:`output_compression`: w instead of D columns where the last Linear widens w → D), which keeps every
inner product — all the Gauss route of :mod:`latent_geometry.geometry.curvature` needs.
"""

from __future__ import annotations

import torch
from torch import nn

from latent_geometry.geometry.activations import Sine, derivatives

__all__ = ["ELEMENTWISE", "is_jet_mlp", "pair_indices", "mlp_jets", "hessian_from_pairs", "output_compression",
           "isometric_rows"]

ELEMENTWISE = (nn.Tanh, nn.Sigmoid, nn.Softplus, nn.SiLU, nn.ELU, nn.CELU, nn.SELU, nn.GELU, nn.Mish, nn.ReLU,
               nn.LeakyReLU, Sine)


def is_jet_mlp(f) -> bool:
    """Whether ``f`` is an ``nn.Sequential`` of ``nn.Linear`` and elementwise activations (:data:`ELEMENTWISE`)."""
    return isinstance(f, nn.Sequential) and len(f) > 0 and all(isinstance(m, (nn.Linear, *ELEMENTWISE)) for m in f)


def pair_indices(d: int, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """(rows, cols) of the P = d(d+1)/2 pairs i ≤ j in row-major order (0,0), (0,1), …, (0,d−1), (1,1), …"""
    return tuple(torch.triu_indices(d, d, device=device))


def _pair_products(first: torch.Tensor) -> torch.Tensor:
    """(B, P, w): the products ∂_i a ∂_j a over the pairs i ≤ j in :func:`pair_indices` order (slices, no gather)."""
    d = first.shape[1]
    return torch.cat([first[:, i : i + 1] * first[:, i:] for i in range(d)], 1)


def _linear(layer: nn.Linear, value, tangent, d: int, batch_size: int):
    weight = layer.weight
    if value is not None:
        value = nn.functional.linear(value, weight, layer.bias)
    if tangent is None:  # the input is z itself: ∂_i z = e_i, so the rows of ∂_i a are the columns of W
        return value, weight.mT.unsqueeze(0).expand(batch_size, d, weight.shape[0])
    return value, tangent @ weight.mT  # one matmul for the d + P derivative rows; no bias


def _activation(layer: nn.Module, value, tangent, d: int, batch_size: int):
    out, slope, curvature = derivatives(layer, value)
    slope, curvature = slope.unsqueeze(1), curvature.unsqueeze(1)  # (B, 1, w), broadcast over the streams
    if tangent is None:  # the input is z itself
        tangent = torch.eye(d, dtype=value.dtype, device=value.device).expand(batch_size, d, d)
    if tangent.shape[1] > d:  # split, not two slices: one cat in backward instead of zero-filled buffers
        first, second = tangent.split([d, tangent.shape[1] - d], 1)
        pairs = torch.addcmul(slope * second, curvature, _pair_products(first))  # σ'' ∂_i a ∂_j a + σ' ∂_i∂_j a
    else:
        first = tangent
        pairs = curvature * _pair_products(first)
    return out, torch.cat([slope * first, pairs], 1)


def mlp_jets(mlp, z: torch.Tensor, *, value: bool = True):
    """(value (B, D), tangent (B, d + P, D)) of an MLP decoder at z (B, d), layout in the module docstring.

    ``mlp`` is an ``nn.Sequential`` satisfying :func:`is_jet_mlp` or a sequence of such layers (not sliced:
    slicing a Sequential subclass calls its constructor); the result is differentiable w.r.t. the layers'
    parameters and z. With ``value=False`` the layers after the last activation skip the value stream (no
    activation needs it) and the value returned is None.
    """
    batch, d = z.shape
    mlp = list(mlp)
    last_activation = max((k for k, m in enumerate(mlp) if not isinstance(m, nn.Linear)), default=-1)
    out, tangent = z, None  # tangent None: ∂z = identity, ∂²z = 0
    for k, layer in enumerate(mlp):
        if not value and k > last_activation:
            out = None
        step = _linear if isinstance(layer, nn.Linear) else _activation
        out, tangent = step(layer, out, tangent, d, batch)
    if tangent is None:  # an empty stack of layers cannot happen (is_jet_mlp), kept for clarity
        tangent = torch.eye(d, dtype=z.dtype, device=z.device).expand(batch, d, d)
    n_pairs = d * (d + 1) // 2
    if tangent.shape[1] == d:  # no activation at all: an affine decoder, H = 0
        tangent = torch.cat([tangent, tangent.new_zeros(batch, n_pairs, tangent.shape[-1])], 1)
    return out, tangent


def output_compression(mlp: nn.Sequential, n_rows: int) -> torch.Tensor | None:
    """C = WᵀQ (w, w) for a final ``nn.Linear`` W (D, w) that widens (w < D), or None where it does not pay.

    Q (D, w) is an orthonormal basis of a space containing the range of W (reduced QR of W, no gradient), so the
    rows X (n, D) = T Wᵀ of the final layer satisfy X Q = T C and (X Q)(X Q)ᵀ = X Xᵀ: every inner product of
    their linear combinations, all the Gauss route needs, comes from n×w rows instead of n×D. Gradients w.r.t. T
    and W are exact to first order (X lies in range Q; a change of W moves it out of range Q only at second
    order), so backward passes and forward-mode derivatives are right, second derivatives w.r.t. W are not.
    Pays when 4w/(3 n_rows) + w/D < 1/2 (QR and C cost ≈ 4Dw², the compressed rows 3·n_rows·w², against
    3·n_rows·w·D for forward and backward of the full rows); ``n_rows`` = points × (d + P). Float32/float64 only
    (no QR in half precision).
    """
    last = mlp[-1] if len(mlp) > 1 else None
    if not isinstance(last, nn.Linear) or last.weight.dtype not in (torch.float32, torch.float64):
        return None
    width, ambient = last.in_features, last.out_features
    if width >= ambient or 4 * width / (3 * n_rows) + width / ambient >= 0.5:
        return None
    weight = last.weight
    basis = torch.linalg.qr(weight.detach())[0]  # (D, w), orthonormal columns; range ⊇ range W
    return weight.mT @ basis  # C = WᵀQ, differentiable in W


def _rows_times(rows: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    """(B, k, w) @ (w, m) as one 2-D matmul: a strided view times a matrix would otherwise be broadcast to a bmm
    against B copies of the matrix (measured 1.6× slower than the whole stacked product)."""
    batch, k, width = rows.shape
    return (rows.reshape(batch * k, width) @ matrix).view(batch, k, matrix.shape[-1])


def isometric_rows(mlp: nn.Sequential, z: torch.Tensor, compression: torch.Tensor | None = None):
    """(first (B, d, m), pairs (B, P, m)): the tangent block of :func:`mlp_jets` split into Jᵀ and the pair rows,
    m = D, or m = w rows T C when ``compression`` = C from :func:`output_compression` (same inner products).

    A final ``nn.Linear`` maps the two parts by separate matmuls (no D-wide slicing, whose backward would
    zero-fill and copy D-wide buffers).
    """
    d = z.shape[1]
    *head, last = mlp
    if head and isinstance(last, nn.Linear):
        tangent = mlp_jets(head, z, value=False)[1]
        linear = last.weight.mT if compression is None else compression
        first, pairs = tangent.split([d, tangent.shape[1] - d], 1)
        return _rows_times(first, linear), _rows_times(pairs, linear)
    if compression is not None:
        raise ValueError("a compression needs a final nn.Linear (see output_compression)")
    tangent = mlp_jets(mlp, z, value=False)[1]
    return tuple(tangent.split([d, tangent.shape[1] - d], 1))


def hessian_from_pairs(pairs: torch.Tensor, d: int) -> torch.Tensor:
    """H (B, D, d, d), H[b, a, i, j] = ∂_i∂_j f^a, from the pair rows (B, P, D) of :func:`mlp_jets` (a view of one
    gather, symmetric by construction)."""
    rows, cols = pair_indices(d, pairs.device)
    index = torch.empty(d, d, dtype=torch.long, device=pairs.device)
    index[rows, cols] = torch.arange(rows.numel(), device=pairs.device)
    index[cols, rows] = index[rows, cols]
    batch, _, ambient = pairs.shape
    return pairs[:, index.flatten()].view(batch, d, d, ambient).permute(0, 3, 1, 2)
