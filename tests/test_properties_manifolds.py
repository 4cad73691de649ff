"""Property-based tests (Hypothesis) of the model spaces and their products (seed 000, Table 1 and eq. (1)).

Every model space (E², S²_K, H²_K with unit and non-unit K), both charts, products of up to three components, in
float32 and float64, over the whole range of latent norms the module supports (θ = √|K|‖u‖ up to θ_max of the dtype,
where H is clipped): d(x, x) = 0, symmetry, the triangle inequality, d(o, exp_o u) = ‖u‖ (wrapped on S), points on
the manifold, finite values and gradients, NaN propagation. Where a chart loses accuracy by design (the Poincaré
disc far out, nearby points far out) the tolerance follows the error model of the ``maps`` module docstring, and
the accuracy itself is measured by ``latent_geometry.manifolds.accuracy`` (tests/test_accuracy.py).
"""

import math
import os

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from latent_geometry.manifolds import CHARTS, ModelSpace, ProductManifold, max_hyperbolic_radius

pytestmark = pytest.mark.usefixtures("one_thread")

PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 40)), deadline=None, database=None)
CURVATURES = st.sampled_from([-4.0, -1.0, -0.25, 0.0, 0.25, 1.0, 4.0])
DTYPES = st.sampled_from([torch.float32, torch.float64])
F64 = torch.float64


def eps(dtype) -> float:
    return torch.finfo(dtype).eps


@st.composite
def manifolds(draw, max_components: int = 3):
    curvatures = tuple(draw(st.lists(CURVATURES, min_size=1, max_size=max_components)))
    return ProductManifold(curvatures, chart=draw(st.sampled_from(CHARTS)))


def theta_cap(component: ModelSpace, dtype, purpose: str) -> float:
    """Largest θ drawn for a component: the whole range, or the range where a property holds to rounding."""
    full = max_hyperbolic_radius(dtype)
    if purpose == "full" or component.kind != "H":
        return full
    if purpose == "radial":  # d(o, exp u): the Poincaré disc saturates at θ ≈ 17 / 37
        return full if component.chart == "ambient" else (12.0 if dtype == torch.float32 else 30.0)
    return 3.0 if dtype == torch.float32 else 12.0  # "pairs": nearby points far out lose ~eps·sinh θ (ambient)


@st.composite
def latents(draw, manifold: ProductManifold, dtype, purpose: str = "full", n: int | None = None):
    """(n, latent_dim) latents in dtype: per component a norm θ/√|K| with θ ∈ [0, cap] and a direction."""
    n = draw(st.integers(1, 6)) if n is None else n
    columns = []
    for c in manifold.components:
        cap = theta_cap(c, dtype, purpose)
        thetas = draw(st.lists(st.floats(0, cap, allow_nan=False), min_size=n, max_size=n))
        phis = draw(st.lists(st.floats(0, 2 * math.pi), min_size=n, max_size=n))
        scale = 1 / math.sqrt(abs(c.curvature)) if c.curvature else 1.0
        columns.append(torch.tensor([[t * scale * math.cos(p), t * scale * math.sin(p)]
                                     for t, p in zip(thetas, phis)], dtype=F64))
    return torch.cat(columns, -1).to(dtype)


def component_error(component: ModelSpace, theta: torch.Tensor, dtype) -> torch.Tensor:
    """Error model of one distance involving points at radius θ (maps module docstring), in units of R."""
    e = eps(dtype)
    if component.kind == "H" and component.chart == "stereographic":
        return 64 * e * (torch.exp(theta) + theta + 1)
    if component.kind == "H":
        return 64 * e * (torch.sinh(theta) + theta + 1)
    return 64 * e * (theta + 1)


def radii(manifold: ProductManifold, u: torch.Tensor) -> torch.Tensor:
    """θ = √|K|‖u_i‖ per component, (n, n_p) in float64."""
    pieces = u.double().view(u.shape[0], -1, 2).norm(dim=-1)
    scale = torch.tensor([math.sqrt(abs(c.curvature)) if c.curvature else 1.0 for c in manifold.components],
                         dtype=F64)
    return pieces * scale


def tolerance(manifold: ProductManifold, dtype, *us: torch.Tensor) -> torch.Tensor:
    """Absolute tolerance of a product distance between points of latents us: Σ_i R_i · (error model)_i."""
    theta = torch.stack([radii(manifold, u) for u in us]).amax(0)
    radius = torch.tensor([c.radius if c.kind != "E" else 1.0 for c in manifold.components], dtype=F64)
    errors = torch.stack([component_error(c, theta[:, i], dtype) for i, c in enumerate(manifold.components)], -1)
    return (radius * errors).sum(-1)


@PROPERTY
@given(st.data(), manifolds(), DTYPES)
def test_distance_to_itself_is_exactly_zero(data, manifold, dtype):
    u = data.draw(latents(manifold, dtype)).requires_grad_()
    x = manifold.expmap0(u)
    d = manifold.dist(x, x)
    assert torch.equal(d, torch.zeros_like(d)), d
    (grad,) = torch.autograd.grad(d.sum(), u)
    assert torch.isfinite(grad).all()


@PROPERTY
@given(st.data(), manifolds(), DTYPES)
def test_distance_is_symmetric_and_non_negative(data, manifold, dtype):
    u, v = data.draw(latents(manifold, dtype, n=4)), data.draw(latents(manifold, dtype, n=4))
    x, y = manifold.expmap0(u), manifold.expmap0(v)
    d_xy, d_yx = manifold.dist(x, y), manifold.dist(y, x)
    assert torch.equal(d_xy, d_yx), (d_xy, d_yx)
    assert (d_xy >= 0).all()


@PROPERTY
@given(st.data(), manifolds(), DTYPES)
def test_triangle_inequality(data, manifold, dtype):
    u, v, w = (data.draw(latents(manifold, dtype, "pairs", n=4)) for _ in range(3))
    x, y, z = (manifold.expmap0(a) for a in (u, v, w))
    d_xz, d_xy, d_yz = manifold.dist(x, z).double(), manifold.dist(x, y).double(), manifold.dist(y, z).double()
    slack = 3 * tolerance(manifold, dtype, u, v, w)
    assert (d_xz <= d_xy + d_yz + slack).all(), (d_xz, d_xy + d_yz, slack)


def wrapped(component: ModelSpace, norm: torch.Tensor) -> torch.Tensor:
    """d(o, exp_o u) for ‖u‖ = norm: ‖u‖ on E and H (H clipped at θ_max), the wrapped value on S."""
    if component.kind == "S":
        period = 2 * math.pi * component.radius
        return (torch.remainder(norm + period / 2, period) - period / 2).abs()
    if component.kind == "H":
        return norm.clamp(max=max_hyperbolic_radius(torch.float64) * component.radius)
    return norm


@PROPERTY
@given(st.data(), manifolds(), DTYPES)
def test_distance_from_the_origin_is_the_tangent_norm(data, manifold, dtype):
    u = data.draw(latents(manifold, dtype, "radial"))
    x = manifold.expmap0(u)
    d = manifold.dist(manifold.origin(dtype), x).double()
    norms = u.double().view(u.shape[0], -1, 2).norm(dim=-1)
    theta_max = max_hyperbolic_radius(dtype)
    expected = torch.stack([wrapped(c, norms[:, i]).clamp(max=theta_max * c.radius) if c.kind == "H"
                            else wrapped(c, norms[:, i]) for i, c in enumerate(manifold.components)], -1)
    expected = expected.norm(dim=-1)  # seed 000, eq. (1)
    error, allowed = (d - expected).abs(), tolerance(manifold, dtype, u)
    assert (error <= allowed).all(), (manifold, dtype, u, d, expected, allowed)


@PROPERTY
@given(st.data(), manifolds(), DTYPES)
def test_exp_lands_on_the_manifold_and_stays_finite(data, manifold, dtype):
    u = data.draw(latents(manifold, dtype)).requires_grad_()
    v = data.draw(latents(manifold, dtype, n=u.shape[0])).requires_grad_()
    x, y = manifold.expmap0(u), manifold.expmap0(v)
    assert manifold.belongs(x).all() and manifold.belongs(y).all()
    d = manifold.dist(x, y)
    grads = torch.autograd.grad(d.sum(), (u, v))
    assert all(torch.isfinite(t).all() for t in (x, y, d, *grads))
    assert d.dtype == dtype


@PROPERTY
@given(st.data(), manifolds(), DTYPES)
def test_nan_anywhere_gives_nan(data, manifold, dtype):
    u = data.draw(latents(manifold, dtype, n=3))
    x = manifold.expmap0(u)
    coordinate = data.draw(st.integers(0, manifold.point_dim - 1))
    bad = x.clone()
    bad[1, coordinate] = float("nan")
    for d in (manifold.dist(bad, x), manifold.dist(x, bad)):
        assert torch.isnan(d[1]) and torch.isfinite(d[[0, 2]]).all(), d
    latent = data.draw(st.integers(0, manifold.latent_dim - 1))
    u_bad = u.clone()
    u_bad[0, latent] = float("nan")
    assert torch.isnan(manifold.dist(manifold.expmap0(u_bad), x)[0])


@PROPERTY
@given(st.data(), CURVATURES, st.sampled_from(CHARTS), DTYPES)
def test_exp_log_round_trip_inside_the_injectivity_radius(data, k, chart, dtype):
    space = ModelSpace(k, chart)
    manifold = ProductManifold((k,), chart=chart)
    u = data.draw(latents(manifold, dtype, "pairs"))
    if space.kind == "S":  # inside the injectivity radius π/√K
        norms = u.norm(dim=-1, keepdim=True).clamp(min=torch.finfo(dtype).tiny)
        u = torch.where(norms * math.sqrt(k) < 3.0, u, u / norms * 3.0 / math.sqrt(k))
    back = space.logmap0(space.expmap0(u))
    theta = radii(manifold, u)[:, 0]
    error = component_error(space, theta, dtype) * (space.radius if space.kind != "E" else 1.0)
    if space.kind == "S":  # the log map's condition number grows like 1/sin θ towards the antipode
        error = error / torch.sin(theta.clamp(max=3.0)).clamp(min=0.1)
    assert ((back - u).double().norm(dim=-1) <= error * (1 + theta)).all()
