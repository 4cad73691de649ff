"""One 2-D model space of constant curvature, in the ambient or the κ-stereographic chart (seed 000, Table 1)."""

from __future__ import annotations

import math
from functools import partial

import torch
from torch import Tensor

from latent_geometry._util.checks import check_choice, check_number, check_tensor
from latent_geometry.manifolds._safe_math import _is_traced
from latent_geometry.manifolds.maps import (
    ambient_to_stereographic,
    euclidean_dist,
    euclidean_expmap0,
    euclidean_logmap0,
    hyperboloid_dist,
    hyperboloid_expmap0,
    hyperboloid_logmap0,
    sphere_dist,
    sphere_expmap0,
    sphere_logmap0,
    stereographic_dist,
    stereographic_expmap0,
    stereographic_logmap0,
    stereographic_to_ambient,
)
from latent_geometry.manifolds.signatures import _curvature_value, component_name

CHARTS = ("ambient", "stereographic")

def _check_tensor(t: Tensor, size: int, name: str, what: str) -> None:
    check_tensor(t, name, last_dim=size, what=what)


def _check_chart(chart: str) -> str:
    return check_choice(chart, "chart", CHARTS)


# (chart, kind) -> (expmap0, logmap0, dist), each taking the curvature as keyword ``k``
_OPERATIONS = {
    ("ambient", "E"): (lambda u, k: euclidean_expmap0(u), lambda x, k: euclidean_logmap0(x),
                       lambda x, y, k: euclidean_dist(x, y)),
    ("ambient", "S"): (sphere_expmap0, sphere_logmap0, sphere_dist),
    ("ambient", "H"): (hyperboloid_expmap0, hyperboloid_logmap0, hyperboloid_dist),
    **{("stereographic", kind): (stereographic_expmap0, stereographic_logmap0, stereographic_dist)
       for kind in "ESH"},
}



class ModelSpace:
    """One 2-D model space of constant curvature K: E² (K = 0), S²_K (K > 0), H²_K (K < 0), in a chart.

    Attributes: ``curvature``, ``kind`` ('E'/'S'/'H'), ``name`` ('H2', 'S2(K=4)'), ``radius`` 1/√|K| (inf for E),
    ``chart``, ``latent_dim`` (2), ``ambient_dim`` (2 for E, 3 for S/H), ``point_dim`` (size of a point in the chart).
    """

    latent_dim = 2

    def __init__(self, curvature: float, chart: str = "ambient"):
        self.curvature = _curvature_value(check_number(curvature, "curvature (<0: H2, 0: E2, >0: S2)"))
        self.chart = _check_chart(chart)
        self.kind = "E" if self.curvature == 0 else "S" if self.curvature > 0 else "H"
        self.name = component_name(self.curvature)
        self.radius = math.inf if self.kind == "E" else 1 / math.sqrt(abs(self.curvature))
        self.ambient_dim = 2 if self.kind == "E" else 3
        self.point_dim = self.ambient_dim if chart == "ambient" else 2
        expmap0, logmap0, dist = _OPERATIONS[(self.chart, self.kind)]
        self._expmap0, self._logmap0, self._dist = (partial(f, k=self.curvature) for f in (expmap0, logmap0, dist))

    def __repr__(self) -> str:
        return f"ModelSpace({self.curvature!r}, chart={self.chart!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSpace) and (self.curvature, self.chart) == (other.curvature, other.chart)

    def __hash__(self) -> int:
        return hash((self.curvature, self.chart))

    def origin(self, dtype: torch.dtype | None = None, device: torch.device | str | None = None) -> Tensor:
        """Base point o, shape (point_dim,): (R, 0, 0) for S/H in the ambient chart, else zeros."""
        o = torch.zeros(self.point_dim, dtype=dtype, device=device)
        if self.chart == "ambient" and self.kind != "E":
            o[0] = self.radius
        return o

    def expmap0(self, u: Tensor) -> Tensor:
        """exp at the base point (seed 000, Table 1): u (..., 2) → point (..., point_dim)."""
        _check_tensor(u, 2, "u", f"tangent vector of {self.name}")
        return self._expmap0(u)

    def logmap0(self, x: Tensor) -> Tensor:
        """Inverse of :meth:`expmap0` (inside the injectivity radius for S): x (..., point_dim) → (..., 2)."""
        _check_tensor(x, self.point_dim, "x", f"point of {self.name} in the {self.chart} chart")
        return self._logmap0(x)

    def dist(self, x: Tensor, y: Tensor) -> Tensor:
        """Geodesic distance (seed 000, Table 1): x, y (..., point_dim), broadcast → (...,).

        Points that break the space's constraint (:meth:`belongs`, e.g. (0.5, 0, 0) for H2) raise a ValueError
        naming x or y; NaN coordinates pass and give NaN distances. The check is a few vectorized operations per
        argument and one host synchronization per call, ≈ 10 % of exp + dist + backward of H2xE2xS2 on the CPU
        (0.2–0.5 ms for 64–4096 float32 points, benchmarks/bench_manifolds.py's task); it is skipped under torch.func
        transforms (vmap, jacfwd) and torch.compile, and for E and the stereographic S, where every finite point is
        on the space. The pure functions of :mod:`latent_geometry.manifolds.maps` do not check.
        """
        what = f"point of {self.name} in the {self.chart} chart"
        _check_tensor(x, self.point_dim, "x", what)
        _check_tensor(y, self.point_dim, "y", what)
        _check_on_space([self], [(x,)], [(y,)])
        return self._dist(x, y)

    @property
    def _constrained(self) -> bool:
        """Whether some finite points of the chart are not on the space (ambient S and H, stereographic H)."""
        return self.kind == "H" or (self.kind == "S" and self.chart == "ambient")

    def belongs(self, x: Tensor, atol: float | None = None) -> Tensor:
        """Bool (...,): x is a finite point of the space in this chart, up to ``atol`` (default 1000·eps of x.dtype).

        Ambient S: |√K‖x‖ − 1| ≤ atol; ambient H: x₀ > 0 and |K⟨x,x⟩_L − 1| ≤ atol·|K|(x₀² + ‖x_s‖²) (relative, so
        points far out in float32 pass); stereographic H: √−K‖p‖ < 1 + atol; E and stereographic S: finite.
        """
        _check_tensor(x, self.point_dim, "x", f"point of {self.name} in the {self.chart} chart")
        atol = None if atol is None else check_number(atol, "atol", low=0)
        finite = torch.isfinite(x).all(-1)
        return finite if not self._constrained else finite & ~self._violation(x, atol)

    def _violation(self, x: Tensor, atol: float | None = None) -> Tensor:
        """Bool (...,): x breaks the constraint of :meth:`belongs` (never True for NaN: every test is a ``>``); no
        shape check. Few operations, as :meth:`dist` evaluates it on every call (no gradient is recorded)."""
        atol = 1000 * torch.finfo(x.dtype).eps if atol is None else atol
        k = self.curvature
        with torch.no_grad():
            if self.chart == "stereographic":  # H: √−K‖p‖ ≥ 1 + atol
                return torch.linalg.vector_norm(x, dim=-1) >= (1 + atol) / math.sqrt(-k)
            if self.kind == "S":  # |√K‖x‖ − 1| > atol
                return (torch.linalg.vector_norm(x, dim=-1).mul_(math.sqrt(k)).sub_(1)).abs_() > atol
            squares = x * x
            total = squares.sum(-1)  # x₀² + ‖x_s‖²
            inner = torch.sub(total, squares[..., 0], alpha=2)  # ⟨x, x⟩_L
            return ((inner.mul_(k).sub_(1)).abs_() > total.mul_(-k * atol)) | (x[..., 0] <= 0)

    def to_stereographic(self, x: Tensor) -> Tensor:
        """Ambient point (..., ambient_dim) → stereographic chart (..., 2)."""
        _check_tensor(x, self.ambient_dim, "x", f"ambient point of {self.name}")
        return ambient_to_stereographic(x, self.curvature)

    def to_ambient(self, p: Tensor) -> Tensor:
        """Stereographic point (..., 2) → ambient chart (..., ambient_dim)."""
        _check_tensor(p, 2, "p", f"stereographic point of {self.name}")
        return stereographic_to_ambient(p, self.curvature)



def _check_on_space(spaces, x_parts, y_parts, product: str | None = None) -> None:
    """ValueError naming x or y when a finite point fails ``belongs`` on one of ``spaces``; one synchronization.

    ``x_parts`` / ``y_parts``: per space, a 1-tuple with the slice of x / y that lives on it; ``product``: the
    signature when the spaces are the components of a product (named in the message).
    """
    checked = [(c, a[0], b[0], i) for i, (c, a, b) in enumerate(zip(spaces, x_parts, y_parts)) if c._constrained]
    if not checked or any(_is_traced(t) for _, a, b, _ in checked for t in (a, b)):
        return
    flags = torch.stack([m.any() for c, a, b, _ in checked for m in (c._violation(a), c._violation(b))])
    if not bool(flags.any()):
        return
    flags = flags.tolist()
    for i, (c, a, b, component) in enumerate(checked):
        for name, t, bad in (("x", a, flags[2 * i]), ("y", b, flags[2 * i + 1])):
            if bad:
                index = tuple(torch.nonzero(c._violation(t))[0].tolist())
                rule = {("ambient", "S"): f"‖x‖ = R = {c.radius:g}",
                        ("ambient", "H"): f"⟨x, x⟩_L = −R² = {-c.radius ** 2:g} with x₀ > 0 (time first)",
                        ("stereographic", "H"): f"‖p‖ ≤ R = {c.radius:g}"}[(c.chart, c.kind)]
                part = "" if product is None else f" (component {component} of {product})"
                raise ValueError(
                    f"{name} is not a point of {c.name}{part} in the {c.chart} chart ({rule}, up to 1000·eps): "
                    f"{name}{list(index) if index else ''} = {t[index].tolist()}; map latents with expmap0 "
                    f"(the pure functions such as hyperboloid_dist do not check)")
