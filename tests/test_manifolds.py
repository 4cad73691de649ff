"""Model spaces, products and charts (seed 000, Table 1 and eq. (1)) against closed forms, identities and geomstats."""

import math

import numpy as np
import pytest
import torch
from torch.func import jacfwd

from latent_geometry._util.geomstats_shim import geomstats  # noqa: F401  (sets the autograd backend before the imports below)
from latent_geometry.manifolds import (
    CHARTS,
    ModelSpace,
    ProductManifold,
    canonical,
    format_signature,
    hyperboloid_dist,
    max_hyperbolic_radius,
    minkowski_inner,
    parse_signature,
    sphere_dist,
    sphere_expmap0,
    stereographic_dist,
    stereographic_expmap0,
)
from latent_geometry.manifolds.accuracy import reference_distance
from geomstats.geometry.euclidean import Euclidean  # noqa: E402
from geomstats.geometry.hyperboloid import Hyperboloid  # noqa: E402
from geomstats.geometry.hypersphere import Hypersphere  # noqa: E402
from geomstats.geometry.product_manifold import ProductManifold as GsProductManifold  # noqa: E402

SEEDS = [0, 1, 2]
CURVATURES = [-1, -0.25, 0, 1, 4]
SIGNATURES = ["H2", "E2", "S2", "H2xE2xS2", (-0.25, 4, 0, -1)]
F64 = torch.float64


def tangent(n: int, latent_dim: int, seed: int, max_norm: float, dtype=F64) -> torch.Tensor:
    """n tangent vectors with uniform random directions per 2-D piece and piece norms uniform in (0, max_norm)."""
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(n, latent_dim // 2, 2, generator=g, dtype=dtype)
    norms = max_norm * torch.rand(n, latent_dim // 2, 1, generator=g, dtype=dtype)
    return (u / u.norm(dim=-1, keepdim=True) * norms).reshape(n, latent_dim)


def injectivity_norm(curvatures) -> float:
    """A per-piece tangent norm safely inside every spherical component's injectivity radius π/√K."""
    positive = [k for k in curvatures if k > 0]
    return 0.95 * math.pi / math.sqrt(max(positive)) if positive else 3.0


# ---------------------------------------------------------------------------------------------------------------
# Points on the manifold, radii, curvature
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", CURVATURES)
def test_exp_lands_on_the_model_space(seed, k):
    space = ModelSpace(k)
    u = tangent(200, 2, seed, max_norm=6.0)
    x = space.expmap0(u)
    if k > 0:  # sphere of radius 1/√K in R³
        torch.testing.assert_close(x.norm(dim=-1), torch.full((200,), 1 / math.sqrt(k), dtype=F64), atol=1e-6, rtol=0)
    elif k < 0:  # upper sheet of ⟨x, x⟩_L = 1/K
        torch.testing.assert_close(minkowski_inner(x, x), torch.full((200,), 1 / k, dtype=F64), atol=1e-6, rtol=1e-9)
        assert (x[:, 0] > 0).all()
    else:
        torch.testing.assert_close(x, u, atol=0, rtol=0)
    assert space.belongs(x, atol=1e-6).all()


@pytest.mark.parametrize("k, radius", [(4, 0.5), (-0.25, 2.0), (1, 1.0), (-1, 1.0)])
def test_radius_origin_and_antipode_for_non_unit_curvature(k, radius):
    space = ModelSpace(k)
    assert space.radius == pytest.approx(radius)
    torch.testing.assert_close(space.origin(F64), torch.tensor([radius, 0.0, 0.0], dtype=F64))
    if k > 0:  # the antipode of the base point lies at distance πR, half a great circle of length 2πR
        antipode = space.expmap0(torch.tensor([math.pi * radius, 0.0], dtype=F64))
        torch.testing.assert_close(antipode, torch.tensor([-radius, 0.0, 0.0], dtype=F64), atol=1e-12, rtol=0)
        assert space.dist(space.origin(F64), antipode).item() == pytest.approx(math.pi * radius, rel=1e-12)
    else:  # a point at hyperbolic radius t has time coordinate R cosh(t/R)
        x = space.expmap0(torch.tensor([0.0, 3.0], dtype=F64))
        assert x[0].item() == pytest.approx(radius * math.cosh(3.0 / radius), rel=1e-12)


def test_belongs_rejects_points_off_the_manifold():
    sphere, hyperboloid = ModelSpace(4), ModelSpace(-1)
    x = sphere.expmap0(torch.tensor([[0.3, 0.1]], dtype=F64))
    assert sphere.belongs(x).item() and not sphere.belongs(1.01 * x).item()
    y = hyperboloid.expmap0(torch.tensor([[0.3, 0.1]], dtype=F64))
    assert hyperboloid.belongs(y).item()
    assert not hyperboloid.belongs(-y).item()  # lower sheet
    assert not hyperboloid.belongs(1.01 * y).item()
    assert not ModelSpace(-1, "stereographic").belongs(torch.tensor([[1.2, 0.0]], dtype=F64)).item()


# ---------------------------------------------------------------------------------------------------------------
# Distances: exp is radially isometric, metric axioms, eq. (1)
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("signature", SIGNATURES)
def test_distance_from_origin_equals_tangent_norm(seed, chart, signature):
    manifold = ProductManifold(signature, chart=chart)
    u = tangent(100, manifold.latent_dim, seed, max_norm=injectivity_norm(manifold.curvatures))
    d = manifold.dist(manifold.expmap0(torch.zeros_like(u)), manifold.expmap0(u))
    torch.testing.assert_close(d, u.norm(dim=-1), atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("signature", SIGNATURES)
def test_metric_axioms(seed, chart, signature):
    manifold = ProductManifold(signature, chart=chart)
    x, y, z = (manifold.expmap0(tangent(300, manifold.latent_dim, seed + 10 * i, max_norm=4.0)) for i in range(3))
    d_xy, d_yx = manifold.dist(x, y), manifold.dist(y, x)
    torch.testing.assert_close(d_xy, d_yx, atol=1e-12, rtol=1e-12)
    assert (d_xy >= 0).all()
    torch.testing.assert_close(manifold.dist(x, x), torch.zeros(300, dtype=F64), atol=1e-7, rtol=0)
    assert (manifold.dist(x, z) <= d_xy + manifold.dist(y, z) + 1e-10).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_product_distance_is_eq1(seed):
    manifold = ProductManifold((-1, 0, 4))
    x, y = (manifold.expmap0(tangent(100, 6, seed + i, max_norm=1.5)) for i in range(2))
    d_h = hyperboloid_dist(x[:, 0:3], y[:, 0:3], -1)
    d_e = (x[:, 3:5] - y[:, 3:5]).norm(dim=-1)
    d_s = 0.5 * torch.arccos(4 * (x[:, 5:8] * y[:, 5:8]).sum(-1))  # seed 000, Table 1, spherical row
    torch.testing.assert_close(manifold.dist(x, y), torch.sqrt(d_h**2 + d_e**2 + d_s**2), atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_distance_closed_forms_of_table1(seed):
    """The stable evaluations equal Table 1's arccos / arcosh formulas away from their ill-conditioned ends."""
    u, v = tangent(200, 2, seed, 2.0), tangent(200, 2, seed + 5, 2.0)
    for k in (1, 4):
        x, y = sphere_expmap0(u, k), sphere_expmap0(v, k)
        expected = torch.arccos((k * (x * y).sum(-1)).clamp(-1, 1)) / math.sqrt(k)
        torch.testing.assert_close(sphere_dist(x, y, k), expected, atol=1e-7, rtol=1e-7)
    for k in (-1, -0.25):
        space = ModelSpace(k)
        x, y = space.expmap0(u), space.expmap0(v)
        expected = torch.arccosh((k * minkowski_inner(x, y)).clamp(min=1)) / math.sqrt(-k)
        torch.testing.assert_close(space.dist(x, y), expected, atol=1e-7, rtol=1e-7)


@pytest.mark.parametrize("k", [-1, -0.25, 1, 4])
def test_distance_is_accurate_near_zero(k):
    """Two points 1e-9 apart on a ray from o: Table 1's arccos / arcosh of 1 − O(1e-18) is lost to rounding (0 or
    ~1e-8); the atan2 form on S and the chord form 2R arsinh(‖x − y‖_L / 2R) on H recover 1e-9."""
    space = ModelSpace(k)
    u = torch.tensor([0.6, 0.8], dtype=F64)
    x, y = space.expmap0(u), space.expmap0(u * (1 + 1e-9))
    assert space.dist(x, y).item() == pytest.approx(1e-9, rel=1e-5)
    if k < 0:
        naive = torch.arccosh((k * minkowski_inner(x, y)).clamp(min=1)) / math.sqrt(-k)  # Table 1 as written
    else:
        naive = torch.arccos((k * (x * y).sum(-1)).clamp(max=1)) / math.sqrt(k)
    assert naive.item() != pytest.approx(1e-9, rel=0.1)


# ---------------------------------------------------------------------------------------------------------------
# Exp / log, charts
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("signature", SIGNATURES)
def test_exp_log_round_trip(seed, chart, signature):
    manifold = ProductManifold(signature, chart=chart)
    u = tangent(100, manifold.latent_dim, seed, max_norm=injectivity_norm(manifold.curvatures))
    torch.testing.assert_close(manifold.logmap0(manifold.expmap0(u)), u, atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("signature", SIGNATURES)
def test_stereographic_and_ambient_charts_agree(seed, signature):
    ambient, stereo = ProductManifold(signature), ProductManifold(signature, chart="stereographic")
    assert stereo.point_dim == ambient.latent_dim
    u, v = (tangent(100, ambient.latent_dim, seed + i, max_norm=3.0) for i in range(2))
    x, p = ambient.expmap0(u), stereo.expmap0(u)
    torch.testing.assert_close(ambient.to_stereographic(x), p, atol=1e-10, rtol=1e-10)
    torch.testing.assert_close(ambient.to_ambient(p), x, atol=1e-10, rtol=1e-10)
    d_stereo, d_ambient = stereo.dist(p, stereo.expmap0(v)), ambient.dist(x, ambient.expmap0(v))
    torch.testing.assert_close(d_stereo, d_ambient, atol=1e-10, rtol=1e-10)
    assert stereo.belongs(p).all()


def _mobius_add(x, y, k):
    """Möbius addition of the κ-stereographic model (Bachmann et al. 2020, eq. (2)), written out in full."""
    xy, x2, y2 = (x * y).sum(-1, keepdim=True), (x * x).sum(-1, keepdim=True), (y * y).sum(-1, keepdim=True)
    return ((1 - 2 * k * xy - k * y2) * x + (1 + k * x2) * y) / (1 - 2 * k * xy + k**2 * x2 * y2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [-1, -0.25, 0.5, 2])
def test_stereographic_distance_matches_mobius_form_and_poincare_formula(seed, k):
    u, v = tangent(100, 2, seed, 2.5), tangent(100, 2, seed + 3, 2.5)
    p, q = stereographic_expmap0(u, k), stereographic_expmap0(v, k)
    y = _mobius_add(-p, q, k).norm(dim=-1)
    sk = math.sqrt(abs(k))
    expected = 2 * (torch.atan(sk * y) if k > 0 else torch.atanh(sk * y)) / sk  # d = 2 artan_K ‖(−p) ⊕_K q‖
    torch.testing.assert_close(stereographic_dist(p, q, k), expected, atol=1e-10, rtol=1e-10)
    if k == -1:  # Poincaré disc: d = arcosh(1 + 2‖p − q‖² / ((1 − ‖p‖²)(1 − ‖q‖²)))
        poincare = torch.arccosh(1 + 2 * ((p - q) ** 2).sum(-1) / ((1 - (p * p).sum(-1)) * (1 - (q * q).sum(-1))))
        torch.testing.assert_close(stereographic_dist(p, q, k), poincare, atol=1e-8, rtol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_stereographic_chart_is_differentiable_in_curvature_through_zero(seed):
    """tan_K(r/2)/(r/2) = 1 + K r²/12 + O(K²), so ∂p/∂K at K = 0 is u‖u‖²/24; K = ±1e-9 agrees with K = 0."""
    u, v = tangent(50, 2, seed, 2.0), tangent(50, 2, seed + 1, 2.0)
    k = torch.zeros(50, dtype=F64)
    dp_dk = jacfwd(lambda kk: stereographic_expmap0(u, kk))(k).diagonal(dim1=0, dim2=2).T
    torch.testing.assert_close(dp_dk, u * (u * u).sum(-1, keepdim=True) / 24, atol=1e-12, rtol=1e-10)
    for tiny in (1e-9, -1e-9):
        torch.testing.assert_close(stereographic_expmap0(u, tiny), u / 2, atol=1e-8, rtol=0)
        p, q = stereographic_expmap0(u, tiny), stereographic_expmap0(v, tiny)
        torch.testing.assert_close(stereographic_dist(p, q, tiny), (u - v).norm(dim=-1), atol=1e-8, rtol=0)

    def total_distance(kk):
        return stereographic_dist(stereographic_expmap0(u, kk), stereographic_expmap0(v, kk), kk).sum()

    assert torch.isfinite(torch.func.grad(total_distance)(k)).all()


# ---------------------------------------------------------------------------------------------------------------
# Numerics at u = 0 and at large norms
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("signature", ["H2", "E2", "S2", "H2xE2xS2"])
def test_exact_values_and_gradients_at_zero(dtype, chart, signature):
    manifold = ProductManifold(signature, chart=chart)
    zero = torch.zeros(manifold.latent_dim, dtype=dtype)
    torch.testing.assert_close(manifold.expmap0(zero), manifold.origin(dtype), atol=0, rtol=0)
    jac = jacfwd(manifold.expmap0)(zero)  # d exp_0 at 0 embeds u: identity on x_s (ambient), ½·identity (stereographic)
    scale = 1.0 if chart == "ambient" else 0.5
    blocks = []
    for i, c in enumerate(manifold.components):
        block = torch.zeros(c.point_dim, manifold.latent_dim, dtype=dtype)
        block[c.point_dim - 2 :, 2 * i : 2 * i + 2] = scale * torch.eye(2, dtype=dtype)
        blocks.append(block)
    expected = torch.cat(blocks)
    torch.testing.assert_close(jac, expected, atol=1e-7, rtol=0)
    w = tangent(1, manifold.latent_dim, 0, 1.0, dtype)[0]
    u = zero.clone().requires_grad_()
    (grad,) = torch.autograd.grad(manifold.dist(manifold.expmap0(u), manifold.expmap0(w)), u)
    torch.testing.assert_close(grad, -w / w.norm(), atol=1e-5, rtol=1e-5)  # ∇_u d(exp u, exp w) at 0 = −w/‖w‖
    forward = jacfwd(lambda a: manifold.dist(manifold.expmap0(a), manifold.expmap0(w)))(zero)
    torch.testing.assert_close(forward, -w / w.norm(), atol=1e-5, rtol=1e-5)  # also checks the dtype (pytorch#90065)
    x = manifold.expmap0(u)
    (grad_self,) = torch.autograd.grad(manifold.dist(x, x.detach()), u)  # d(x, x): a kink; the subgradient 0
    assert torch.isfinite(grad_self).all()


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("signature", ["H2", "S2", "H2xE2xS2"])
@pytest.mark.parametrize("norm", [40.0, 1e4])
def test_large_norms_stay_finite_in_float32(chart, signature, norm):
    manifold = ProductManifold(signature, chart=chart)
    u, v = (tangent(8, manifold.latent_dim, seed, 1.0, torch.float32) for seed in (0, 1))
    u = (u / u.norm(dim=-1, keepdim=True) * norm).requires_grad_()
    v = (v / v.norm(dim=-1, keepdim=True) * norm).requires_grad_()
    x, y = manifold.expmap0(u), manifold.expmap0(v)
    d = manifold.dist(x, y)
    grads = torch.autograd.grad(d.sum(), (u, v))
    assert all(torch.isfinite(t).all() for t in (x, y, d, *grads))


@pytest.mark.parametrize("seed", SEEDS)
def test_float32_hyperbolic_distance_at_norm_40_matches_float64(seed):
    """At ‖u‖ = 40 (x₀ ≈ cosh 40 ≈ 1e17) float32 distances and gradients between well-separated points are accurate."""
    space = ModelSpace(-1)
    angles = torch.rand(2, generator=torch.Generator().manual_seed(seed), dtype=F64) * 2 * math.pi
    angles[1] = angles[0] + math.pi / 2
    results = []
    for dtype in (torch.float32, F64):
        uv = (40 * torch.stack([torch.cos(angles), torch.sin(angles)], dim=-1)).to(dtype).requires_grad_()
        d = space.dist(space.expmap0(uv[0]), space.expmap0(uv[1]))
        results.append((d.detach().double(), torch.autograd.grad(d, uv)[0].double()))
    (d32, g32), (d64, g64) = results
    torch.testing.assert_close(d32, d64, atol=0, rtol=1e-5)
    torch.testing.assert_close(g32, g64, atol=1e-4, rtol=1e-4)


def test_hyperbolic_radius_is_clipped_to_the_stated_maximum():
    space = ModelSpace(-1)
    assert max_hyperbolic_radius(torch.float32) == pytest.approx(0.5 * math.log(torch.finfo(torch.float32).max) - 1)
    u = torch.tensor([600.0, 800.0], dtype=F64)  # ‖u‖ = 1000 > θ_max ≈ 353.9 in float64
    x = space.expmap0(u)
    assert space.dist(space.origin(F64), x).item() == pytest.approx(max_hyperbolic_radius(F64), rel=1e-12)
    torch.testing.assert_close(space.logmap0(x), u / 1000 * max_hyperbolic_radius(F64), atol=1e-9, rtol=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# geomstats as the oracle (autograd backend, float64 numpy)
# ---------------------------------------------------------------------------------------------------------------


def _embed(u: np.ndarray) -> np.ndarray:
    """Tangent vector (0, u) at the base point (1, 0, 0): the first (pole / time) coordinate is zero."""
    return np.concatenate([np.zeros(u.shape[:-1] + (1,)), u], axis=-1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k, gs_space", [(1, Hypersphere(2)), (-1, Hyperboloid(2)), (0, Euclidean(2))])
def test_agrees_with_geomstats_on_each_space(seed, k, gs_space):
    space = ModelSpace(k)
    u, v = tangent(50, 2, seed, 2.5), tangent(50, 2, seed + 7, 2.5)
    base = space.origin(F64).numpy()
    embed = (lambda a: a) if k == 0 else _embed
    gx, gy = (gs_space.metric.exp(embed(a.numpy()), base) for a in (u, v))
    x, y = space.expmap0(u), space.expmap0(v)
    np.testing.assert_allclose(x.numpy(), gx, atol=1e-10, rtol=1e-10)
    np.testing.assert_allclose(space.dist(x, y).numpy(), gs_space.metric.dist(gx, gy), atol=1e-8, rtol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_agrees_with_geomstats_on_a_product(seed):
    manifold = ProductManifold("H2xE2xS2")
    gs_product = GsProductManifold([Hyperboloid(2), Euclidean(2), Hypersphere(2)])
    u, v = tangent(50, 6, seed, 2.5), tangent(50, 6, seed + 7, 2.5)
    base = manifold.origin(F64).numpy()

    def embed(a):
        a = a.numpy()
        return np.concatenate([_embed(a[:, 0:2]), a[:, 2:4], _embed(a[:, 4:6])], axis=-1)

    gx, gy = gs_product.metric.exp(embed(u), base), gs_product.metric.exp(embed(v), base)
    x, y = manifold.expmap0(u), manifold.expmap0(v)
    np.testing.assert_allclose(x.numpy(), gx, atol=1e-10, rtol=1e-10)
    np.testing.assert_allclose(manifold.dist(x, y).numpy(), gs_product.metric.dist(gx, gy), atol=1e-8, rtol=1e-8)


# ---------------------------------------------------------------------------------------------------------------
# Signatures and errors
# ---------------------------------------------------------------------------------------------------------------


def test_signature_forms_and_dimensions():
    manifold = ProductManifold("h2xE2 × s2")
    assert manifold.curvatures == (-1, 0, 1) and manifold.signature == "H2xE2xS2"
    assert (manifold.latent_dim, manifold.ambient_dim, manifold.point_dim) == (6, 8, 8)
    assert ProductManifold("S2xH2xE2", chart="stereographic").point_dim == 6
    assert ProductManifold("S2xH2xE2").curvatures == (1, -1, 0)  # the user's order is kept
    assert canonical("S2xH2xE2") == (-1, 0, 1) == ProductManifold("S2xH2xE2").canonical
    assert canonical((0.0, -1.0, 0.0)) == (-1, 0, 0) and all(type(k) is int for k in canonical((0.0, -1.0)))
    assert ProductManifold((-0.25, 4, 0)).signature == "H2(K=-0.25)xS2(K=4)xE2"
    assert parse_signature("H2(K=-0.25)xS2(K=4)xE2") == (-0.25, 4, 0)
    odd = ProductManifold((-0.123456789123, 1e-12))
    assert ProductManifold(odd.signature) == odd  # the string round-trips exactly
    assert format_signature(parse_signature("E2xH2")) == "E2xH2"
    assert ProductManifold("H2xE2") == ProductManifold((-1, 0)) != ProductManifold((-1, 0), chart="stereographic")
    assert [c.name for c in ProductManifold((2.5, -1)).components] == ["S2(K=2.5)", "H2"]


@pytest.mark.parametrize(
    "signature, error, match",
    [
        ("X2xE2", ValueError, r"signature .*unknown component 'X2'.*E2, S2, H2"),
        ("H3", ValueError, r"signature .*unknown component 'H3'"),
        ("", ValueError, r"signature must have at least one component"),
        ((), ValueError, r"signature must have at least one component"),
        ((-1, math.inf), ValueError, r"signature\[1\] \(a curvature\) must be a finite number"),
        ((0, math.nan), ValueError, r"signature\[1\] \(a curvature\) must be a finite number"),
        ("H2(K=0.5)", ValueError, r"signature .*H2 needs a finite curvature with sign <0"),
        ("S2(K=inf)", ValueError, r"signature .*S2 needs a finite curvature"),
        ((True, 0), TypeError, r"signature\[0\] \(a curvature\) must be a real number"),
        (3, TypeError, r"signature must be a string or a sequence"),
    ],
)
def test_bad_signatures_raise_naming_the_parameter(signature, error, match):
    with pytest.raises(error, match=match):
        ProductManifold(signature)


def test_bad_inputs_raise_naming_the_parameter():
    manifold = ProductManifold("H2xE2xS2")
    with pytest.raises(ValueError, match=r"u must have last dimension 6 \(latent_dim"):
        manifold.expmap0(torch.zeros(4, 5))
    with pytest.raises(ValueError, match=r"x must have last dimension 8"):
        manifold.dist(torch.zeros(4, 6), torch.zeros(4, 8))
    with pytest.raises(TypeError, match=r"u must be a floating-point torch.Tensor"):
        manifold.expmap0(torch.zeros(4, 6, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"chart must be one of 'ambient', 'stereographic'"):
        ProductManifold("H2", chart="poincare")
    with pytest.raises(ValueError, match=r"curvature \(<0: H2, 0: E2, >0: S2\) must be a finite number"):
        ModelSpace(math.nan)
    with pytest.raises(TypeError, match=r"curvature \(<0: H2, 0: E2, >0: S2\) must be a real number"):
        ModelSpace("H2")
    with pytest.raises(ValueError, match=r"k \(curvature of S2\) must be > 0"):
        sphere_expmap0(torch.zeros(2), -1.0)


# ---------------------------------------------------------------------------------------------------------------
# Regression tests of the outside numerics review (reproducers on the code before the fix, with the old values)
# ---------------------------------------------------------------------------------------------------------------


def test_hyperbolic_distance_of_identical_points_far_out_is_zero():
    """The branch was chosen by z = −⟨x, y⟩_L < 2, which cancels far out: d(x, x) was 3.46 (float64, θ = 20) and
    6.93 (float32 product); ~30 % of points far out had d(x, x) ≠ 0, up to 123 in float64."""
    space = ModelSpace(-1)
    x = space.expmap0(torch.tensor([[20 * math.cos(0.3), 20 * math.sin(0.3)]], dtype=F64))
    assert space.dist(x, x).item() == 0.0
    product = ProductManifold("H2xE2")
    y = product.expmap0(torch.tensor([[7.2, 9.6, 0.1, 0.2]]))
    assert product.dist(y, y).item() == 0.0
    for dtype in (torch.float32, F64):
        theta_max = max_hyperbolic_radius(dtype)
        for k in (-1, -0.25, -4):
            space = ModelSpace(k)
            u = tangent(2000, 2, 3, theta_max / math.sqrt(-k), dtype).requires_grad_()
            x = space.expmap0(u)
            d = space.dist(x, x)
            assert torch.equal(d, torch.zeros_like(d)), (dtype, k, d.abs().max())
            (grad,) = torch.autograd.grad(d.sum(), u)
            assert torch.isfinite(grad).all() and grad.abs().max() == 0


def test_hyperbolic_distance_of_far_apart_points_with_different_radii():
    """A branch chosen by the chord ⟨x − y, x − y⟩_L (the other difference of large numbers) gave d = 0 here."""
    space = ModelSpace(-1)
    u = torch.tensor([[101 * math.cos(2.0), 101 * math.sin(2.0)], [143 * math.cos(-0.7), 143 * math.sin(-0.7)]],
                     dtype=F64)
    d = space.dist(space.expmap0(u[:1]), space.expmap0(u[1:])).item()
    exact = reference_distance(-1, *u.tolist())  # 50 digits, haversine form
    assert d == pytest.approx(exact, rel=1e-14) and exact > 240


@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_nearby_hyperbolic_points_far_out_are_accurate_in_the_ambient_chart(dtype):
    """Pairs 0.5 apart at θ = 16 (float64) / 3.5 (float32) along rays, across them and diagonally, 20 directions
    each: the arcosh and chord forms lose ~eps·e^{2θ} once x₀ − y₀ ≠ 0 (errors 0.1 / 1e-3 here); the haversine form
    keeps ~eps·sinh θ (measured ≤ 3e-9 / 3e-6)."""
    space = ModelSpace(-1)
    theta = 16.0 if dtype == F64 else 3.5
    dphi = 2 * math.asin(math.sinh(0.25) / math.sinh(theta))  # sinh²(d/2) = sinh²θ sin²(Δφ/2) with d = 0.5
    phi = torch.linspace(0, 2 * math.pi, 20, dtype=F64)[:, None]
    ray = torch.cat([torch.cos(phi), torch.sin(phi)], -1)
    across = torch.cat([torch.cos(phi + dphi), torch.sin(phi + dphi)], -1)
    diagonal = torch.cat([torch.cos(phi + dphi / 2), torch.sin(phi + dphi / 2)], -1)
    u = theta * ray.repeat(3, 1)
    v = torch.cat([(theta + 0.5) * ray, theta * across, (theta + 0.35) * diagonal])
    d = space.dist(space.expmap0(u.to(dtype)), space.expmap0(v.to(dtype))).double()
    # the 50-digit reference for the rounded latents (they are only about 0.5 apart after rounding)
    pairs = zip(u.to(dtype).double().tolist(), v.to(dtype).double().tolist())
    exact = torch.tensor([reference_distance(-1, a, b) for a, b in pairs], dtype=F64)
    assert ((exact - 0.5).abs() < 0.2).all()
    torch.testing.assert_close(d, exact, atol=1e-7 if dtype == F64 else 1e-5, rtol=0)


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("signature", ["E2", "S2", "H2", "S2(K=4)", "H2(K=-0.25)", "H2xE2xS2"])
def test_nan_propagates_through_distances(chart, signature):
    """_safe_sqrt used where(q > 0), which sends NaN to 0: ModelSpace(0).dist((nan, 0), 0) returned 0 and a NaN in a
    product's E² part was dropped. Now a NaN anywhere gives NaN; q = 0 keeps value 0 and gradient 0."""
    assert torch.isnan(ModelSpace(0).dist(torch.tensor([[float("nan"), 0.0]]), torch.zeros(1, 2))).all()
    manifold = ProductManifold(signature, chart=chart)
    x = manifold.expmap0(tangent(4, manifold.latent_dim, 0, 1.0))
    for i in range(manifold.point_dim):
        bad = x.clone()
        bad[0, i] = float("nan")
        d = manifold.dist(bad, x)
        assert torch.isnan(d[0]) and torch.isfinite(d[1:]).all(), (i, d)
        assert torch.isnan(manifold.dist(x, bad)[0])
    u = torch.zeros(1, manifold.latent_dim, dtype=F64, requires_grad=True)
    d = manifold.dist(manifold.expmap0(u), manifold.origin(F64))
    (grad,) = torch.autograd.grad(d.sum(), u)
    assert d.item() == 0 and torch.equal(grad, torch.zeros_like(grad))


def test_stereographic_sphere_distance_near_the_antipode():
    """The denominator (1 + K|p|²)(1 + K|q|²) − K|p − q|² cancelled for large |p|: 3.1415927 instead of 3.1409094."""
    space = ModelSpace(1, "stereographic")
    u = torch.tensor([[2.973980665206909, 1.0103222131729126]])
    p = space.expmap0(u)
    assert space.dist(torch.zeros_like(p), p).item() == pytest.approx(u.double().norm().item(), abs=1e-6)
    for k in (1, 4):  # near the antipode in both dtypes, several directions
        for dtype in (torch.float32, F64):
            v = tangent(200, 2, 5, 1.0, dtype)
            v = v / v.norm(dim=-1, keepdim=True) * (math.pi - 1e-3 * torch.rand(200, 1, dtype=dtype)) / math.sqrt(k)
            q = stereographic_expmap0(v, k)
            d = stereographic_dist(torch.zeros_like(q), q, k)
            tol = 2e-6 if dtype == torch.float32 else 1e-12
            torch.testing.assert_close(d.double(), v.double().norm(dim=-1), atol=tol, rtol=0)


def test_off_manifold_points_are_rejected_by_the_classes():
    """H.dist((0.5, 0, 0), o) returned 0; stereographic |p| > R returned 16.6 (float32)."""
    space = ModelSpace(-1)
    o = space.origin(F64)
    with pytest.raises(ValueError, match=r"x is not a point of H2 in the ambient chart.*x = \[0\.5, 0\.0, 0\.0\]"):
        space.dist(torch.tensor([0.5, 0.0, 0.0], dtype=F64), o)
    with pytest.raises(ValueError, match=r"y is not a point of H2"):
        space.dist(o, -o)  # lower sheet
    with pytest.raises(ValueError, match=r"y is not a point of S2\(K=4\)"):
        ModelSpace(4).dist(ModelSpace(4).origin(), torch.tensor([1.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match=r"x is not a point of H2 in the stereographic chart"):
        ModelSpace(-1, "stereographic").dist(torch.tensor([[2.0, 0.0]]), torch.zeros(1, 2))
    product = ProductManifold("E2xH2xS2")
    x = product.expmap0(tangent(5, 6, 0, 2.0))
    bad = x.clone()
    bad[3, 2] = 7.0  # x₀ of the H² component of point 3
    with pytest.raises(ValueError, match=r"y is not a point of H2 \(component 1 of E2xH2xS2\).*y\[3\]"):
        product.dist(x, bad)
    assert product.belongs(x).all() and not product.belongs(bad)[3]
    # the pure functions do not check: NaN outside the Poincaré disc, a garbage value for the off-sheet point
    assert torch.isnan(stereographic_dist(torch.tensor([[2.0, 0.0]]), torch.zeros(1, 2), -1)).all()
    assert torch.isfinite(hyperboloid_dist(torch.tensor([0.5, 0.0, 0.0], dtype=F64), o))
    # E and the stereographic S accept any finite point; NaN points pass the check (NaN out)
    assert ModelSpace(0).dist(torch.tensor([1e10, 0.0]), torch.zeros(2)).item() == pytest.approx(1e10)
    assert torch.isnan(space.dist(torch.full((3,), float("nan"), dtype=F64), o))


def test_saturated_stereographic_points_are_accepted():
    """Points the exp map saturates onto |p| = R (θ ≳ 17 in float32) are points of the chart: finite, capped."""
    space = ModelSpace(-1, "stereographic")
    p = space.expmap0(torch.tensor([[30.0, 0.0], [0.0, 40.0]]))
    assert space.belongs(p).all()
    d = space.dist(p[:1], p[1:])
    assert torch.isfinite(d).all() and d.item() <= 2 * math.atanh(1 - torch.finfo(torch.float32).eps) + 1e-3


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sphere_expmap0(torch.zeros(4, 3)), r"u must have last dimension 2"),
        (lambda: minkowski_inner(torch.ones(4, 2), torch.ones(4, 2)), r"x must have last dimension 3"),
        (lambda: hyperboloid_dist(torch.ones(4, 3), torch.ones(4, 2)), r"y must have last dimension 3"),
        (lambda: sphere_dist(torch.ones(2), torch.ones(3)), r"x must have last dimension 3"),
        (lambda: stereographic_dist(torch.ones(4, 3), torch.ones(4, 2), -1.0), r"p must have last dimension 2"),
        (lambda: stereographic_expmap0(torch.ones(4, 3), 1.0), r"u must have last dimension 2"),
        (lambda: stereographic_expmap0(torch.ones(4, 2), float("nan")), r"k \(curvature\) must be a finite"),
        (lambda: stereographic_expmap0(torch.ones(4, 2), math.inf), r"k \(curvature\) must be a finite"),
        (lambda: stereographic_dist(torch.ones(4, 2), torch.ones(4, 2), torch.tensor(float("nan"))),
         r"k \(curvature\) must be finite"),
        (lambda: stereographic_expmap0(torch.ones(4, 2), "H2"), r"k \(curvature\) must be a real number"),
        (lambda: ModelSpace(-1).belongs(torch.ones(3), atol=-1.0), r"atol must be >= 0"),
    ],
)
def test_exported_functions_check_their_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_tensor_curvature_still_works_under_torch_func():
    """The finiteness check of a tensor K is skipped under transforms (it would need the value)."""
    u = tangent(6, 2, 0, 1.0)
    k = torch.full((6,), -0.5, dtype=F64)
    jac = jacfwd(lambda kk: stereographic_expmap0(u, kk))(k)
    assert torch.isfinite(jac).all()
