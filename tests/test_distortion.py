"""Relaxed distortion (seed 002, eqs. (16), (21)) and latent reparametrizations, in float64 against closed forms.

Closed forms: a (scaled) isometry has distortion 0; a constant metric G = diag(1, 4) has 2²·17/25 − 2 = 0.72; for a
linear map A the value is ‖AᵀA/λ̄ − I‖²_F, λ̄ = tr(AᵀA)/m. The Hutchinson estimator is checked by its mean over many
seeded draws (within 3 standard errors; its O(1/B) bias is ≪ 1 SE at the batch sizes used). Scalar curvature is
invariant under the reparametrizations, relaxed distortion and affine recoverability of the truth are not.
"""

import math
import os

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from latent_geometry.geometry import Sine, scalar_curvature
from latent_geometry.geometry.distortion import (
    latent_mixup,
    local_distortion,
    metric_eigenvalues,
    relaxed_distortion,
    relaxed_distortion_hutchinson,
)
from latent_geometry.geometry.reparametrize import (
    RadialTwist,
    Reparametrized,
    Shear,
    affine_r2,
    invariance_report,
)

from decoders import random_mlp, random_points  # noqa: E402  (tests/decoders.py)

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 20)), deadline=None, database=None)
SEEDS = st.integers(0, 10_000)


def linear(a: torch.Tensor):
    """The decoder z ↦ A z for A (D, m), batched: z (B, m) -> (B, D)."""
    return lambda z: z @ a.T


def orthonormal_columns(seed: int, rows: int, cols: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(rows, cols, generator=gen, dtype=F64))
    return q


def anisotropic(z):  # Ψ(z) = (z1, 2 z2): G = diag(1, 4) everywhere
    return torch.stack([z[:, 0], 2 * z[:, 1]], 1)


def hutchinson_draws(decoder, m, *, draws, batch, seed=0, **kwargs) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.stack([relaxed_distortion_hutchinson(decoder, torch.randn(batch, m, generator=gen, dtype=F64),
                                                      generator=gen, **kwargs) for _ in range(draws)])


def assert_within_3_se(values: torch.Tensor, target: float) -> None:
    se = values.std().item() / math.sqrt(len(values))
    assert abs(values.mean().item() - target) <= 3 * se, (values.mean().item(), target, se)


# ------------------------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_isometry_and_scaled_isometry_have_zero_distortion(scale):
    q = scale * orthonormal_columns(0, 5, 2)
    z = random_points(1, 40, 2, scale=2.0)
    assert abs(relaxed_distortion(linear(q), z).item()) <= 1e-13
    torch.testing.assert_close(metric_eigenvalues(linear(q), z), torch.full((40, 2), scale**2, dtype=F64))
    assert local_distortion(linear(q), z).abs().max().item() <= 1e-13
    assert_within_3_se(hutchinson_draws(linear(q), 2, draws=200, batch=5000), 0.0)


def test_hutchinson_on_an_isometry_is_m2_over_mean_probe_norm():
    # ‖Jv‖² = ‖JᵀJv‖² = ‖v‖² for an isometry, so the estimate is m²/mean‖v‖² − m with the generator's probes
    q = orthonormal_columns(2, 5, 3)
    z = random_points(3, 64, 3)
    value = relaxed_distortion_hutchinson(linear(q), z, generator=torch.Generator().manual_seed(7))
    v = torch.randn(z.shape, generator=torch.Generator().manual_seed(7), dtype=F64)
    torch.testing.assert_close(value, 9 / v.square().sum(1).mean() - 3, rtol=1e-13, atol=1e-13)


def test_constant_anisotropic_metric_gives_0_72():
    z = random_points(4, 30, 2, scale=3.0)
    assert relaxed_distortion(anisotropic, z).item() == pytest.approx(2**2 * 17 / 25 - 2, rel=1e-14)  # 0.72
    torch.testing.assert_close(metric_eigenvalues(anisotropic, z), torch.tensor([[1.0, 4.0]], dtype=F64).expand(30, 2))
    torch.testing.assert_close(local_distortion(anisotropic, z), torch.full((30,), 0.72, dtype=F64))


def test_hutchinson_mean_is_within_3_standard_errors_of_0_72():
    values = hutchinson_draws(anisotropic, 2, draws=200, batch=20_000)
    assert_within_3_se(values, 0.72)
    # the spread matches the delta method for this G: sd ≈ 4·√(0.509/B) = 2.85/√B
    assert values.std().item() * math.sqrt(20_000) == pytest.approx(2.854, rel=0.15)


def test_exact_value_equals_the_rewritten_form_on_a_curved_decoder():
    decoder = random_mlp(5, (2, 12, 12, 4))
    z = random_points(6, 50, 2, scale=1.5)
    lam = metric_eigenvalues(decoder, z).detach().numpy()
    rewritten = 2**2 * (lam**2).sum(1).mean() / lam.sum(1).mean() ** 2 - 2  # seed 002, §3.3
    eq16 = ((1 - lam / (lam.sum(1).mean() / 2)) ** 2).sum(1).mean()  # seed 002, eq. (16)
    value = relaxed_distortion(decoder, z).item()
    assert value == pytest.approx(rewritten, rel=1e-12) and value == pytest.approx(eq16, rel=1e-12)
    assert value > 0.05  # a tanh MLP is far from a scaled isometry
    assert local_distortion(decoder, z).mean().item() == pytest.approx(value, rel=1e-13)


def test_hutchinson_estimates_the_exact_value_on_a_curved_decoder():
    decoder = random_mlp(5, (2, 12, 12, 4))
    gen = torch.Generator().manual_seed(8)
    z = random_points(9, 4000, 2, scale=1.5)
    exact = relaxed_distortion(decoder, z).item()
    values = torch.stack([relaxed_distortion_hutchinson(decoder, z, generator=gen) for _ in range(100)]).detach()
    assert_within_3_se(values, exact)


def test_local_distortion_point_scale_is_zero_exactly_where_conformal():
    def conformal(z):  # z ↦ e^{z1}(cos z2, sin z2): g = e^{2 z1} I, conformal, not a scaled isometry
        return torch.exp(z[:, :1]) * torch.stack([torch.cos(z[:, 1]), torch.sin(z[:, 1])], 1)

    z = random_points(10, 20, 2)
    assert local_distortion(conformal, z, scale="point").abs().max().item() <= 1e-13
    assert local_distortion(conformal, z).max().item() > 1e-1  # the scale e^{2 z1} varies over the batch
    assert relaxed_distortion(conformal, z).item() > 1e-2


# ------------------------------------------------------------------------------------------- invariances


def test_invariant_under_orthogonal_change_of_latent_basis_but_not_under_stretching():
    decoder = random_mlp(11, (3, 10, 6))
    z = random_points(12, 40, 3)
    q = orthonormal_columns(13, 3, 3)
    w = z @ q  # q w_b = z_b
    rotated = lambda x: decoder(x @ q.T)  # noqa: E731
    torch.testing.assert_close(metric_eigenvalues(rotated, w), metric_eigenvalues(decoder, z), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(relaxed_distortion(rotated, w), relaxed_distortion(decoder, z), rtol=1e-12, atol=0)
    stretch = torch.diag(torch.tensor([1.0, 2.0, 0.5], dtype=F64))
    stretched = lambda x: decoder(x @ stretch.T)  # noqa: E731
    w_stretched = z @ torch.linalg.inv(stretch).T
    assert abs(relaxed_distortion(stretched, w_stretched).item() - relaxed_distortion(decoder, z).item()) > 1e-2


def test_invariant_under_rescaling_the_data():
    decoder = random_mlp(14, (2, 8, 5))
    z = random_points(15, 30, 2)
    torch.testing.assert_close(relaxed_distortion(lambda x: 7.0 * decoder(x), z), relaxed_distortion(decoder, z),
                               rtol=1e-12, atol=0)


@st.composite
def linear_maps(draw):
    m = draw(st.integers(2, 3))
    out = draw(st.integers(m, 6))
    gen = torch.Generator().manual_seed(draw(SEEDS))
    return torch.randn(out, m, generator=gen, dtype=F64) * draw(st.floats(0.1, 10.0))


@PROPERTY
@given(linear_maps())
def test_distortion_of_a_linear_map_is_its_gram_closed_form(a):
    # D(A) = ‖AᵀA/λ̄ − I‖²_F ≥ 0, zero iff AᵀA = λ̄ I (orthogonal columns of equal norms)
    gram = (a.T @ a).numpy()
    m = a.shape[1]
    closed = np.square(gram / (np.trace(gram) / m) - np.eye(m)).sum()
    value = relaxed_distortion(linear(a), random_points(0, 8, m)).item()
    assert value >= 0
    assert value == pytest.approx(closed, rel=1e-10, abs=1e-14)


@PROPERTY
@given(SEEDS, st.integers(2, 4), st.floats(0.1, 10.0), st.floats(0.05, 1.0))
def test_zero_iff_orthogonal_columns_with_equal_norms(seed, m, scale, spread):
    q = orthonormal_columns(seed, 6, m)
    z = random_points(seed, 6, m)
    assert abs(relaxed_distortion(linear(scale * q), z).item()) <= 1e-12  # orthogonal, equal norms
    norms = scale * (1 + spread * torch.arange(m, dtype=F64) / (m - 1))
    assert relaxed_distortion(linear(q * norms), z).item() > 1e-3  # orthogonal, unequal norms
    shear = torch.eye(m, dtype=F64)
    shear[0, 1] = spread
    sheared = scale * q @ shear  # non-orthogonal columns
    assert relaxed_distortion(linear(sheared), z).item() > 1e-3


# ------------------------------------------------------------------------------- estimator: randomness, grads


def test_generator_drives_all_randomness():
    decoder = random_mlp(16, (2, 8, 4))
    z = random_points(17, 32, 2)

    def run(seed):
        return relaxed_distortion_hutchinson(decoder, z, generator=torch.Generator().manual_seed(seed),
                                             augment_eta=0.2).item()

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_mixup_stays_on_the_extended_segments():
    z = torch.stack([torch.arange(1000, dtype=F64), torch.zeros(1000, dtype=F64)], 1)
    for eta in (0.0, 0.2):
        aug = latent_mixup(z, eta, generator=torch.Generator().manual_seed(0))
        assert aug.shape == z.shape and torch.equal(aug[:, 1], z[:, 1])  # collinear points stay on their line
        assert aug[:, 0].min() >= -eta * 999 - 1e-9 and aug[:, 0].max() <= 999 * (1 + eta) + 1e-9
        outside = ((aug[:, 0] < 0) | (aug[:, 0] > 999)).any().item()
        assert outside == (eta > 0)  # η > 0 extrapolates beyond the convex hull
    same = torch.ones(5, 2, dtype=F64)
    torch.testing.assert_close(latent_mixup(same, 0.2), same)


def test_mixup_leaves_a_constant_metric_estimate_unbiased():
    values = hutchinson_draws(anisotropic, 2, draws=100, batch=20_000, augment_eta=0.2)
    assert_within_3_se(values, 0.72)


def test_estimator_handles_image_shaped_outputs_and_passes_gradients_to_z():
    decoder = random_mlp(18, (2, 8, 6))
    z = random_points(19, 16, 2).requires_grad_()
    flat = relaxed_distortion_hutchinson(decoder, z, generator=torch.Generator().manual_seed(1))
    image = relaxed_distortion_hutchinson(lambda x: decoder(x).view(-1, 2, 3), z,
                                          generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(image, flat, rtol=1e-14, atol=0)
    (grad,) = torch.autograd.grad(flat, z)
    assert torch.isfinite(grad).all() and grad.abs().max() > 0


def _anisotropic_linear_decoder():
    layer = nn.Linear(2, 3, bias=False, dtype=F64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], dtype=F64))
    return layer


def test_gradient_step_on_exact_distortion_lowers_it():
    decoder = _anisotropic_linear_decoder()
    z = random_points(20, 32, 2)
    before = relaxed_distortion(decoder, z)
    assert before.item() == pytest.approx(0.72, rel=1e-12)
    before.backward()
    with torch.no_grad():
        decoder.weight -= 0.05 * decoder.weight.grad
    after = relaxed_distortion(decoder, z).item()
    assert after < before.item() - 1e-3


def test_training_on_the_estimator_lowers_the_exact_distortion():
    decoder = _anisotropic_linear_decoder()
    z = random_points(21, 256, 2)
    gen = torch.Generator().manual_seed(2)
    optimizer = torch.optim.Adam(decoder.parameters(), lr=0.02)
    for _ in range(60):
        optimizer.zero_grad()
        relaxed_distortion_hutchinson(decoder, z, generator=gen, augment_eta=0.2).backward()
        optimizer.step()
    assert relaxed_distortion(decoder, z).item() < 0.1


# ------------------------------------------------------------------------------------------ dtypes, errors


def test_float32_matches_float64():
    decoder64 = random_mlp(22, (2, 8, 4))
    decoder32 = random_mlp(22, (2, 8, 4)).float()
    z = random_points(23, 32, 2)
    value32 = relaxed_distortion(decoder32, z.float())
    assert value32.dtype == torch.float32
    assert value32.item() == pytest.approx(relaxed_distortion(decoder64, z).item(), rel=1e-4)
    est32 = relaxed_distortion_hutchinson(decoder32, z.float(), generator=torch.Generator().manual_seed(0))
    assert est32.dtype == torch.float32 and torch.isfinite(est32)
    assert metric_eigenvalues(decoder32, z.float()).dtype == torch.float32


def test_constant_decoder_gives_nan_not_a_number():
    z = random_points(24, 8, 2)
    constant = lambda x: torch.zeros(x.shape[0], 3, dtype=x.dtype) + 0 * x.sum(1, keepdim=True)  # noqa: E731
    assert math.isnan(relaxed_distortion(constant, z).item())
    assert math.isnan(relaxed_distortion_hutchinson(constant, z, generator=torch.Generator()).item())


@pytest.mark.parametrize("function", [relaxed_distortion, relaxed_distortion_hutchinson, metric_eigenvalues,
                                      local_distortion])
def test_bad_inputs_raise_naming_the_parameter(function):
    decoder = random_mlp(25, (2, 8, 4))
    z = random_points(26, 8, 2)
    with pytest.raises(TypeError, match="'z'"):
        function(decoder, z.numpy())
    with pytest.raises(ValueError, match="'z'"):
        function(decoder, z[0])
    with pytest.raises(ValueError, match="'z'"):
        function(decoder, torch.ones(4, 2, dtype=torch.int64))
    with pytest.raises(TypeError, match="'decoder'"):
        function("not a decoder", z)
    with pytest.raises(ValueError, match="'decoder'.*latent size m = 3"):
        function(decoder, random_points(26, 8, 3))
    with pytest.raises(ValueError, match="'decoder'.*batch dimension"):
        function(lambda x: decoder(x).sum(0), z)


def test_bad_options_raise_naming_the_parameter():
    decoder = random_mlp(27, (2, 8, 4))
    z = random_points(28, 8, 2)
    with pytest.raises(ValueError, match="'augment_eta'"):
        relaxed_distortion_hutchinson(decoder, z, augment_eta=-0.1)
    with pytest.raises(ValueError, match="'augment_eta'"):
        relaxed_distortion_hutchinson(decoder, z, augment_eta=float("nan"))
    with pytest.raises(TypeError, match="'generator'"):
        relaxed_distortion_hutchinson(decoder, z, generator=0)
    with pytest.raises(ValueError, match="'scale'"):
        local_distortion(decoder, z, scale="global")
    with pytest.raises(ValueError, match="'eta'"):
        latent_mixup(z, -1.0)


# --------------------------------------------------------------------------------------- reparametrization


PHIS = [Shear(0.7), Shear(-2.5), RadialTwist(0.4), RadialTwist(-1.3)]


@pytest.mark.parametrize("phi", PHIS, ids=repr)
def test_inverse_undoes_forward(phi):
    z = random_points(29, 200, 2, scale=3.0)
    torch.testing.assert_close(phi.inverse(phi(z)), z, rtol=0, atol=1e-12)
    torch.testing.assert_close(phi(phi.inverse(z)), z, rtol=0, atol=1e-12)


@PROPERTY
@given(SEEDS, st.floats(-5, 5), st.sampled_from([Shear, RadialTwist]))
def test_inverse_undoes_forward_for_any_parameter(seed, parameter, family):
    phi, z = family(parameter), random_points(seed, 20, 2, scale=2.0)
    assert (phi.inverse(phi(z)) - z).abs().max().item() <= 1e-12


def test_closed_forms_of_the_maps():
    z = random_points(30, 50, 2, scale=2.0)
    twist = RadialTwist(0.9)(z)
    torch.testing.assert_close(twist.norm(dim=1), z.norm(dim=1), rtol=1e-14, atol=0)  # circles turn rigidly
    angle = torch.atan2(z[:, 0] * twist[:, 1] - z[:, 1] * twist[:, 0], (z * twist).sum(1))
    torch.testing.assert_close(torch.remainder(angle - 0.9 * z.square().sum(1) + math.pi, 2 * math.pi) - math.pi,
                               torch.zeros(50, dtype=F64), rtol=0, atol=1e-12)
    sheared = Shear(1.5)(z)
    torch.testing.assert_close(sheared, torch.stack([z[:, 0], z[:, 1] + 1.5 * torch.sin(z[:, 0])], 1))


@pytest.mark.parametrize("phi", PHIS, ids=repr)
def test_curvature_is_the_same_at_corresponding_points(phi):
    decoder = random_mlp(31, (2, 16, 16, 3), Sine)
    z = random_points(32, 24, 2, scale=1.5)
    moved = Reparametrized(decoder, phi)
    w = phi(z)
    torch.testing.assert_close(moved(w), decoder(z), rtol=0, atol=1e-12)  # z' = φ(z) decodes to Ψ(z)
    R, R_moved = scalar_curvature(decoder, z), scalar_curvature(moved, w)
    assert R.abs().max() > 1e-2
    assert (R_moved - R).abs().max().item() <= 1e-9 * R.abs().max().item()


def test_affine_r2_closed_forms():
    z = random_points(33, 100, 2, scale=3.0)
    np.testing.assert_allclose(affine_r2(z, z), [1.0, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(affine_r2(z, 3 * z[:, :1] - z[:, 1:] + 2), [1.0], rtol=0, atol=1e-12)
    x = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(affine_r2(x, x**2), [0.0], atol=1e-15)  # Cov(x, x²) = 0 on a symmetric grid
    r2 = affine_r2(Shear(2.0)(z), z)  # z1 is a coordinate of φ(z); z2 = w2 − 2 sin w1 is not affine in w
    assert r2[0] == pytest.approx(1.0, abs=1e-12) and r2[1] < 0.9
    assert math.isnan(affine_r2(z, np.ones(100))[0])  # constant column: R² undefined


def test_affine_r2_rejects_bad_input():
    z = random_points(34, 10, 2)
    with pytest.raises(ValueError, match="same number of rows"):
        affine_r2(z, z[:5])
    with pytest.raises(ValueError, match="'inputs'"):
        affine_r2(torch.full((10, 2), float("nan"), dtype=F64), z)
    with pytest.raises(TypeError, match="'targets'"):
        affine_r2(z, "truth")


def test_invariance_report():
    decoder = random_mlp(35, (2, 16, 16, 3), Sine)
    z = random_points(36, 48, 2, scale=3.0)
    report = invariance_report(decoder, Shear(2.0), z, z)
    assert report["curvature_max_rel_diff"] <= 1e-9
    assert report["curvature_max_abs_diff"] <= 1e-9 * scalar_curvature(decoder, z).abs().max().item()
    assert report["distortion_before"] == pytest.approx(relaxed_distortion(decoder, z).item(), rel=1e-14)
    assert abs(report["distortion_after"] - report["distortion_before"]) > 1e-2  # distortion measures the chart
    np.testing.assert_allclose(report["r2_before"], [1.0, 1.0], atol=1e-12)
    assert report["r2_after"][0] == pytest.approx(1.0, abs=1e-12) and report["r2_after"][1] < 0.9


def test_reparametrize_rejects_bad_input():
    with pytest.raises(ValueError, match="'a'"):
        Shear(float("nan"))
    with pytest.raises(TypeError, match="'b'"):
        RadialTwist("1")
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        Shear(1.0)(random_points(37, 4, 3))
    with pytest.raises(TypeError, match="'phi'"):
        Reparametrized(random_mlp(38, (2, 4, 3)), lambda z: z)
    with pytest.raises(TypeError, match="'decoder'"):
        Reparametrized(None, Shear(1.0))
