"""Products of 2-D model spaces with the product metric (seed 000, eq. (1))."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from latent_geometry.manifolds._safe_math import _safe_sqrt
from latent_geometry.manifolds.maps import ambient_to_stereographic, stereographic_to_ambient
from latent_geometry.manifolds.model_space import ModelSpace, _check_chart, _check_on_space, _check_tensor
from latent_geometry.manifolds.signatures import format_signature, parse_signature

class ProductManifold:
    r"""Product of 2-D model spaces, e.g. ``ProductManifold("H2xE2xS2")`` or ``ProductManifold((-1, 0, 1))``.

    The component order is the user's (``canonical`` gives the sorted search-space label). A latent u of shape
    (..., 2·n_p) is split into 2-D tangent vectors, one per component; points are the concatenation of the
    component points in the chosen ``chart`` ('ambient': 2 per E, 3 per S/H; 'stereographic': 2 per component).

    Attributes: ``curvatures`` (tuple in the user's order, ints where integral), ``signature`` (normalized string in
    the same order, e.g. 'H2xE2xS2(K=4)', accepted back by the constructor),
    ``components`` (tuple of :class:`ModelSpace`), ``chart``, ``latent_dim`` (2·n_p), ``ambient_dim``,
    ``point_dim`` (size of a point in the chart), ``canonical`` (sorted curvature tuple).
    """

    def __init__(self, signature: str | Sequence[float], chart: str = "ambient"):
        self.curvatures = parse_signature(signature)
        self.chart = _check_chart(chart)
        self.components = tuple(ModelSpace(k, chart) for k in self.curvatures)
        self.signature = format_signature(self.curvatures)
        self.canonical = tuple(sorted(self.curvatures))
        self.latent_dim = 2 * len(self.components)
        self.ambient_dim = sum(c.ambient_dim for c in self.components)
        self.point_dim = sum(c.point_dim for c in self.components)

    def __repr__(self) -> str:
        return f"ProductManifold({self.signature!r}, chart={self.chart!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProductManifold) and self.components == other.components

    def __hash__(self) -> int:
        return hash(self.components)

    def origin(self, dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> Tensor:
        """Base point (point_dim,): the components' base points, concatenated."""
        return torch.cat([c.origin(dtype, device) for c in self.components])

    def expmap0(self, u: Tensor) -> Tensor:
        """Componentwise exp at the base point (seed 000, Table 1, §3.1): u (..., latent_dim) → (..., point_dim)."""
        _check_tensor(u, self.latent_dim, "u", f"latent_dim = 2 per component of {self.signature}")
        parts = u.split(2, dim=-1)
        return torch.cat([c.expmap0(v) for c, v in zip(self.components, parts)], dim=-1)

    def logmap0(self, x: Tensor) -> Tensor:
        """Componentwise inverse of :meth:`expmap0`: x (..., point_dim) → (..., latent_dim)."""
        _check_tensor(x, self.point_dim, "x", f"point_dim of {self.signature} in the {self.chart} chart")
        parts = x.split([c.point_dim for c in self.components], dim=-1)
        return torch.cat([c.logmap0(p) for c, p in zip(self.components, parts)], dim=-1)

    def dist(self, x: Tensor, y: Tensor) -> Tensor:
        r"""d(x, y) = √(Σ_i d_i(x_i, y_i)²) (seed 000, eq. (1), applied recursively); x, y (..., point_dim) → (...,).

        A NaN in any component gives NaN. Finite points off the product (a component fails
        :meth:`ModelSpace.belongs`) raise a ValueError naming x or y, with one synchronization for all components
        (see :meth:`ModelSpace.dist`).
        """
        what = f"point_dim of {self.signature} in the {self.chart} chart"
        _check_tensor(x, self.point_dim, "x", what)
        _check_tensor(y, self.point_dim, "y", what)
        sizes = [c.point_dim for c in self.components]
        x_parts, y_parts = x.split(sizes, -1), y.split(sizes, -1)
        _check_on_space(self.components, [(a,) for a in x_parts], [(b,) for b in y_parts], self.signature)
        squares = [c._dist(a, b) ** 2 for c, a, b in zip(self.components, x_parts, y_parts)]
        return _safe_sqrt(sum(squares))  # seed 000, eq. (1)

    def belongs(self, x: Tensor, atol: float | None = None) -> Tensor:
        """Bool (...,): every component of x belongs to its space (see :meth:`ModelSpace.belongs`)."""
        _check_tensor(x, self.point_dim, "x", f"point_dim of {self.signature} in the {self.chart} chart")
        parts = x.split([c.point_dim for c in self.components], dim=-1)
        return torch.stack([c.belongs(p, atol) for c, p in zip(self.components, parts)], dim=-1).all(-1)

    def to_stereographic(self, x: Tensor) -> Tensor:
        """Ambient points (..., ambient_dim) → stereographic chart (..., latent_dim)."""
        _check_tensor(x, self.ambient_dim, "x", f"ambient_dim of {self.signature}")
        parts = x.split([c.ambient_dim for c in self.components], dim=-1)
        return torch.cat([ambient_to_stereographic(p, c.curvature) for c, p in zip(self.components, parts)], dim=-1)

    def to_ambient(self, p: Tensor) -> Tensor:
        """Stereographic points (..., latent_dim) → ambient chart (..., ambient_dim)."""
        _check_tensor(p, self.latent_dim, "p", f"2 per component of {self.signature}")
        parts = p.split(2, dim=-1)
        return torch.cat([stereographic_to_ambient(q, c.curvature) for c, q in zip(self.components, parts)], dim=-1)

