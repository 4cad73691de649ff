"""Chapter-2 objective, autoencoders and training settings: values against direct formulas (float64), gradient
routing (detached codes, reversed potential), flat decoders, the side terms, bad input, the TorusAE helpers
(periodicity, uniformity, unwrapping, input scale), RMSprop/cosine actually used by ``train``, config mirrors."""

import math
import os

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from latent_geometry.experiments.ch2 import objective as ob
from latent_geometry.experiments.ch2.objective import CurvatureObjective, Penalty, latent_volume
from latent_geometry.geometry import functionals as cf
from latent_geometry.geometry import pullback_metric, scalar_curvature
from latent_geometry.geometry import torus as tg
from latent_geometry.geometry.distortion import relaxed_distortion
from latent_geometry.learning import training
from latent_geometry.learning.models import Autoencoder
from latent_geometry.learning.torus_ae import (
    TorusAutoencoder,
    box_autoencoder,
    data_input_scale,
    euclidean_autoencoder,
    uniformity_loss,
    unwrap_angles,
    wrap_angle,
)
from latent_geometry.learning.training import TrainSettings, train
from latent_geometry.runtime.config import make_config

pytestmark = pytest.mark.usefixtures("one_thread")

F64 = torch.float64
SEEDS = [0, 1, 2]
LATENTS = ["box", "torus"]
PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 20)), deadline=None, database=None)


def _model(seed, latent="torus", potential=False, D=7):
    """A float64 chapter-2 AE (hidden 16-8) with, optionally, the potential its F/W terms need."""
    if latent == "torus":
        model = TorusAutoencoder(D, (16, 8), seed=seed).double()
        if potential:
            model.potential = tg.TorusPotential(2, generator=torch.Generator().manual_seed(seed + 1), dtype=F64)
    else:
        model = box_autoencoder(D, (16, 8), seed=seed).double()
        if potential:
            model.potential = cf.MLPPotential(2, generator=torch.Generator().manual_seed(seed + 1), dtype=F64)
    return model


def _batch(seed, n=12, D=7):
    return (torch.randn(n, D, generator=torch.Generator().manual_seed(100 + seed), dtype=F64),)


def _uniform(seed, n, latent):
    """What the objective's seeded generator draws first: n uniform points of Ω."""
    u = torch.rand(n, 2, generator=torch.Generator().manual_seed(seed), dtype=F64)
    return (2 * u - 1) * math.pi if latent == "torus" else -1 + 2 * u


def _grads(value, params):
    """Gradients of ``value`` w.r.t. ``params``, unused ones read as 0."""
    grads = torch.autograd.grad(value, params, allow_unused=True, retain_graph=True)
    return [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]


# ------------------------------------------------------------------------------------------- the objective


@pytest.mark.parametrize("latent", [*LATENTS, "euclidean"])
@pytest.mark.parametrize("seed", SEEDS)
def test_plain_objective_is_the_authors_mse(seed, latent):
    model = _model(seed, "box" if latent == "euclidean" else latent)
    batch = _batch(seed)
    terms = CurvatureObjective(Penalty(), latent)(model, batch)
    x_hat, _ = model(batch[0])
    expected = ((x_hat - batch[0]) ** 2).sum(1).mean()  # Σ_batch ‖x̂ − x‖² / B
    torch.testing.assert_close(terms["loss"], expected, rtol=0, atol=0)
    assert set(terms) == {"loss", "recon"}
    assert set(CurvatureObjective(Penalty("authors", 0.0), latent)(model, batch)) == {"loss", "recon"}  # λ = 0


@pytest.mark.parametrize("latent", LATENTS)
@pytest.mark.parametrize("functional", ["authors", "data"])
@pytest.mark.parametrize("seed", SEEDS)
def test_batch_functionals_match_direct_formula(seed, functional, latent):
    model, batch = _model(seed, latent), _batch(seed)
    objective = CurvatureObjective(Penalty(functional, 0.3), latent, n_curv=5)
    terms = objective(model, batch)
    z = model.encode(batch[0])[:5].detach()
    R = scalar_curvature(model.decoder, z, method="christoffel")  # the other route, as an independent check
    weight = torch.linalg.det(pullback_metric(model.decoder, z)).sqrt() if functional == "authors" else 1.0
    torch.testing.assert_close(terms["curv"], (R**2 * weight).mean(), rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(terms["loss"], terms["recon"] + 0.3 * terms["curv"], rtol=1e-14, atol=0)


@pytest.mark.parametrize("latent, volume", [("box", 4.0), ("torus", 4 * math.pi**2)])
@pytest.mark.parametrize("seed", SEEDS)
def test_uniform_functional_samples_the_latent(seed, latent, volume):
    model, batch = _model(seed, latent), _batch(seed)
    objective = CurvatureObjective(Penalty("uniform", 1.0), latent, n_curv=6, seed=seed)
    value = objective(model, batch)["curv"]
    points = _uniform(seed, 6, latent)
    R = scalar_curvature(model.decoder, points, method="christoffel")
    expected = volume * (R**2 * torch.linalg.det(pullback_metric(model.decoder, points)).sqrt()).mean()
    torch.testing.assert_close(value, expected, rtol=1e-9, atol=0)
    assert latent_volume(latent) == pytest.approx(volume, rel=1e-15)
    again = objective(model, batch)["curv"]  # the generator moves on: fresh points every step
    assert not torch.equal(value, again)


def test_uniform_points_cover_the_latent():
    like = torch.zeros(1, 2, dtype=F64)
    box = CurvatureObjective(Penalty(), "box", n_curv=4000).uniform_points(like)
    torus = CurvatureObjective(Penalty(), "torus", n_curv=4000).uniform_points(like)
    assert box.shape == torus.shape == (4000, 2) and box.dtype == torus.dtype == F64
    assert box.min() >= -1 and box.max() <= 1 and box.min() < -0.99 and box.max() > 0.99
    assert torus.min() >= -math.pi and torus.max() <= math.pi and torus.abs().max() > 3.1


def test_latent_volume():
    assert latent_volume("box") == 4.0 and latent_volume("box", 3) == 8.0
    assert latent_volume("torus", 3) == pytest.approx((2 * math.pi) ** 3, rel=1e-15)
    with pytest.raises(ValueError, match="latent"):
        latent_volume("euclidean")


@pytest.mark.parametrize("latent, functional", [("box", "authors"), ("box", "uniform"), ("box", "F"),
                                                ("torus", "authors"), ("torus", "data"), ("torus", "W")])
@pytest.mark.parametrize("seed", SEEDS)
def test_detached_codes_give_no_encoder_gradient(seed, latent, functional):
    model, batch = _model(seed, latent, potential=True), _batch(seed)
    objective = CurvatureObjective(Penalty(functional, 1.0), latent, n_curv=4, seed=seed)
    _, z = model(batch[0])
    term, _ = objective.curvature_term(model, z)
    assert all(g.abs().max() == 0 for g in _grads(term, list(model.encoder.parameters())))
    assert any(g.abs().max() > 0 for g in _grads(term, list(model.decoder.parameters())))


@pytest.mark.parametrize("latent", LATENTS)
@pytest.mark.parametrize("functional", ["authors", "data"])
def test_codes_not_detached_give_encoder_gradient(functional, latent):
    """detach=False (the authors' 2023 notebook): the encoder can move codes into flat regions."""
    model, batch = _model(0, latent), _batch(0)
    objective = CurvatureObjective(Penalty(functional, 1.0, detach=False), latent, n_curv=4)
    _, z = model(batch[0])
    term, _ = objective.curvature_term(model, z)
    assert any(g.abs().max() > 0 for g in _grads(term, list(model.encoder.parameters())))


@pytest.mark.parametrize("functional", ["F", "W"])
@pytest.mark.parametrize("seed", SEEDS)
def test_box_ascent_is_minus_perelman_with_reversed_potential(seed, functional):
    model, batch = _model(seed, "box", potential=True), _batch(seed)
    objective = CurvatureObjective(Penalty(functional, 1.0), "box", n_curv=8, tau=0.7, seed=seed)
    _, z = model(batch[0])
    term, info = objective.curvature_term(model, z)
    points = _uniform(seed, 8, "box")
    if functional == "F":  # seed 001 eq. (2), q = Unif([−1, 1]²)
        value = cf.perelman_F(model.decoder, model.potential, points, -math.log(4.0))
    else:  # eq. (3)
        value = cf.perelman_W(model.decoder, model.potential, points, 0.7, -math.log(4.0))
    torch.testing.assert_close(term, -value, rtol=1e-10, atol=1e-12)
    assert info == {}
    params = [*model.decoder.parameters(), *model.potential.parameters()]
    g_term, g_value = _grads(term, params), _grads(value, params)
    n_dec = len(list(model.decoder.parameters()))
    assert all(g.abs().max() > 0 for g in g_value[n_dec:])
    for a, b in zip(g_term[:n_dec], g_value[:n_dec]):
        torch.testing.assert_close(a, -b)  # decoder: descent on −F is ascent on F
    for a, b in zip(g_term[n_dec:], g_value[n_dec:]):
        torch.testing.assert_close(a, b)  # potential: descent on F (towards inf_f F)


@pytest.mark.parametrize("functional", ["F", "W"])
@pytest.mark.parametrize("seed", SEEDS)
def test_torus_terms_are_the_flattening_losses(seed, functional):
    model, batch = _model(seed, "torus", potential=True), _batch(seed)
    objective = CurvatureObjective(Penalty(functional, 0.5), "torus", n_curv=8, tau=0.7, seed=seed)
    terms = objective(model, batch)
    points = _uniform(seed, 8, "torus")
    if functional == "F":
        loss, info = tg.torus_F_loss(model.decoder, model.potential, points)
    else:
        loss, info = tg.torus_W_loss(model.decoder, model.potential, points, 0.7)
    torch.testing.assert_close(terms["curv"], loss, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(terms["ess"], torch.as_tensor(float(info["ess"])))
    assert 1 <= float(terms["ess"]) <= 8  # Kish's ESS of 8 weights
    torch.testing.assert_close(terms["loss"], terms["recon"] + 0.5 * terms["curv"], rtol=1e-14, atol=0)
    params = [*model.decoder.parameters(), *model.potential.parameters()]
    for a, b in zip(_grads(terms["curv"], params), _grads(loss, params)):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


def _flat_torus_decoder(a=1.3, b=0.8, D=5):
    """(a cos φ1, b cos φ2, a sin φ1, b sin φ2, 0, …): the flat (2πa) × (2πb) torus, g = diag(a², b²), R ≡ 0."""
    linear = nn.Linear(4, D, bias=True, dtype=F64)
    with torch.no_grad():
        linear.weight.zero_()
        linear.weight[:4].copy_(torch.diag(torch.tensor([a, b, a, b], dtype=F64)))
    return tg.TorusDecoder(nn.Sequential(linear))


@pytest.mark.parametrize("latent", LATENTS)
@pytest.mark.parametrize("functional", ["authors", "data", "uniform"])
def test_flat_decoder_has_zero_curvature_term(functional, latent):
    if latent == "box":
        encoder, decoder = nn.Sequential(nn.Linear(5, 2), nn.Tanh()), nn.Linear(2, 5)  # R ≡ 0: Ψ affine
    else:
        encoder, decoder = TorusAutoencoder(5, (6,)).encoder, _flat_torus_decoder()
    model = Autoencoder(encoder, decoder).double()
    terms = CurvatureObjective(Penalty(functional, 1.0), latent, n_curv=4)(model, _batch(0, D=5))
    assert abs(terms["curv"].item()) < 1e-20
    torch.testing.assert_close(terms["loss"], terms["recon"], rtol=1e-15, atol=1e-20)


def test_side_terms_match_their_formulas():
    model, batch = _model(0, "torus"), _batch(0)
    penalty = Penalty("authors", 0.3, lam_unif=0.2, lam_jac=0.1, lam_iso=0.05)
    objective = CurvatureObjective(penalty, "torus", n_curv=5, n_moments=3)
    assert objective.needs_grad
    terms = objective(model, batch)
    assert set(terms) == {"loss", "recon", "curv", "unif", "jac", "iso"}
    z = model.encode(batch[0])
    torch.testing.assert_close(terms["unif"], uniformity_loss(z, 3), rtol=1e-14, atol=0)
    jac = torch.stack([torch.autograd.functional.jacobian(lambda p: model.decoder(p[None])[0], p) for p in z[:5]])
    torch.testing.assert_close(terms["jac"], jac.square().sum((1, 2)).mean(), rtol=1e-10, atol=0)  # mean ‖J‖²_F
    torch.testing.assert_close(terms["iso"], relaxed_distortion(model.decoder, z), rtol=1e-12, atol=0)
    expected = terms["recon"] + 0.3 * terms["curv"] + 0.2 * terms["unif"] + 0.1 * terms["jac"] + 0.05 * terms["iso"]
    torch.testing.assert_close(terms["loss"], expected, rtol=1e-14, atol=0)
    assert not CurvatureObjective(Penalty(lam_unif=0.2), "torus").needs_grad  # no decoder derivative needed


def test_seeded_objectives_repeat_their_points():
    model, batch = _model(0, "torus"), _batch(0)
    values = [CurvatureObjective(Penalty("uniform", 1.0), "torus", n_curv=4, seed=s)(model, batch)["curv"]
              for s in (5, 5, 6)]
    assert torch.equal(values[0], values[1]) and not torch.equal(values[0], values[2])


@pytest.mark.parametrize(
    "kwargs, name",
    [({"functional": "ricci"}, "functional"), ({"functional": "authors", "lam": -1.0}, "'lam'"),
     ({"functional": "authors", "lam": float("nan")}, "'lam'"), ({"lam_unif": -0.1}, "lam_unif"),
     ({"lam_jac": -0.1}, "lam_jac"), ({"lam_iso": -1.0}, "lam_iso"), ({"lam": 1.0}, "'lam'")],
)
def test_bad_penalty(kwargs, name):
    with pytest.raises(ValueError, match=name):
        Penalty(**kwargs)


def test_penalty_type_errors():
    with pytest.raises(TypeError, match="detach"):
        Penalty("authors", 1.0, detach=1)
    with pytest.raises(TypeError, match="'lam'"):
        Penalty("authors", "1")
    with pytest.raises(TypeError, match="penalty"):
        CurvatureObjective("authors")


@pytest.mark.parametrize(
    "kwargs, name",
    [({"latent": "sphere"}, "latent"), ({"n_curv": 1}, "n_curv"), ({"tau": 0.0}, "tau"), ({"eps": -0.1}, "eps"),
     ({"n_moments": 0}, "n_moments"), ({"tau": float("nan")}, "tau"),
     ({"latent": "box", "penalty": Penalty(lam_unif=0.1)}, "lam_unif"),
     ({"latent": "euclidean", "penalty": Penalty(lam_unif=0.1)}, "lam_unif"),
     ({"latent": "euclidean", "penalty": Penalty("uniform", 1.0)}, "compact"),
     ({"latent": "euclidean", "penalty": Penalty("F", 1.0)}, "compact")],
)
def test_bad_objective(kwargs, name):
    with pytest.raises(ValueError, match=name):
        CurvatureObjective(**kwargs)


def test_unneeded_or_missing_parts():
    model, batch = _model(0, "torus"), _batch(0)
    with pytest.raises(ValueError, match="potential"):
        CurvatureObjective(Penalty("F", 1.0), "torus", n_curv=4)(model, batch)
    with pytest.raises(ValueError, match="functional"):
        CurvatureObjective(Penalty(), "torus").curvature_term(model, model.encode(batch[0]))
    assert CurvatureObjective(Penalty("authors", 1.0), "euclidean").penalty.curvature  # batch codes: any latent


# ---------------------------------------------------------------------------------------- the autoencoders


@pytest.mark.parametrize("seed", SEEDS)
def test_torus_codes_are_angles_and_the_decoder_is_periodic(seed):
    model = TorusAutoencoder(6, (8,), seed=seed).double()
    x = 10 * torch.randn(200, 6, generator=torch.Generator().manual_seed(seed), dtype=F64)
    z = model.encode(x)
    assert z.shape == (200, 2) and z.min() >= -math.pi and z.max() <= math.pi
    assert z.min() < -2 and z.max() > 2  # angles, not a squashed range
    shifts = 2 * math.pi * torch.randint(-3, 4, z.shape, generator=torch.Generator().manual_seed(seed)).to(F64)
    torch.testing.assert_close(model.decoder(z + shifts), model.decoder(z), rtol=1e-12, atol=1e-12)
    x_hat, z_again = model(x)
    assert torch.equal(z_again, z) and x_hat.shape == x.shape


@PROPERTY
@given(seed=st.integers(0, 1000), k1=st.integers(-5, 5), k2=st.integers(-5, 5))
def test_torus_decoder_periodic_in_each_angle(seed, k1, k2):
    decoder = TorusAutoencoder(4, (6,), seed=seed).double().decoder
    phi = (2 * torch.rand(5, 2, generator=torch.Generator().manual_seed(seed), dtype=F64) - 1) * math.pi
    shifted = phi + 2 * math.pi * torch.tensor([k1, k2], dtype=F64)
    torch.testing.assert_close(decoder(shifted), decoder(phi), rtol=1e-11, atol=1e-11)


def test_box_and_euclidean_codes():
    x = 10 * torch.randn(100, 6, generator=torch.Generator().manual_seed(0))
    box = box_autoencoder(6, (8,), seed=0).encode(x)
    euclid = euclidean_autoencoder(6, (8,), seed=0, input_scale=5.0).encode(x)
    assert box.abs().max() <= 1 and euclid.shape == box.shape == (100, 2)
    assert euclid.abs().max() > 1  # a linear last layer: unbounded codes
    for build in (box_autoencoder, euclidean_autoencoder):
        with pytest.raises(ValueError, match="activation"):
            build(6, (8,), activation="relu")
    with pytest.raises(ValueError, match="activation"):
        TorusAutoencoder(6, (8,), activation="leaky_relu")


@pytest.mark.parametrize("build", [box_autoencoder, euclidean_autoencoder, TorusAutoencoder])
def test_input_scale_multiplies_the_first_layer_only(build):
    plain, scaled = build(6, (8, 4), seed=3), build(6, (8, 4), input_scale=2.5, seed=3)
    pairs = list(zip(plain.encoder.parameters(), scaled.encoder.parameters()))
    torch.testing.assert_close(pairs[0][1], 2.5 * pairs[0][0], rtol=1e-6, atol=0)  # first weight
    for a, b in pairs[1:]:
        assert torch.equal(a, b)
    for a, b in zip(plain.decoder.parameters(), scaled.decoder.parameters()):
        assert torch.equal(a, b)
    with pytest.raises(ValueError, match="input_scale"):
        build(6, (8,), input_scale=0.0)


def test_data_input_scale_on_known_data():
    x = torch.tensor([[3.0, 4.0], [0.0, 5.0], [-5.0, 0.0]])  # every ‖x_i‖ = 5
    assert data_input_scale(x) == pytest.approx(math.sqrt(2) / 5, rel=1e-12)
    assert data_input_scale(0.01 * torch.ones(10, 784)) == pytest.approx(1 / 0.01, rel=1e-5)  # √D/(c√D) = 1/c
    for bad in (torch.zeros(3, 2), torch.ones(4), torch.ones(0, 3), torch.tensor([[float("nan"), 1.0]])):
        with pytest.raises(ValueError, match="'x'"):
            data_input_scale(bad)


def test_uniformity_loss_closed_forms():
    n, d, K = 24, 3, 4
    even = (2 * math.pi * torch.arange(n, dtype=F64) / n - math.pi)[:, None].repeat(1, d)
    assert uniformity_loss(even, K).item() < 1e-28  # Σ_i e^{ikφ_i} = 0 for k = 1..K < n
    same = torch.full((n, d), 0.7, dtype=F64)
    assert uniformity_loss(same, K).item() == pytest.approx(K * d, rel=1e-14)  # |mean e^{ikφ}|² = 1 each
    half = torch.cat([torch.zeros(n // 2, 1), torch.full((n // 2, 1), math.pi)]).to(F64)
    # φ ∈ {0, π}: mean e^{ikφ} = (1 + (−1)^k)/2 -> 1 for even k, 0 for odd k
    assert uniformity_loss(half, K).item() == pytest.approx(K // 2, rel=1e-14)
    with pytest.raises(ValueError, match="n_moments"):
        uniformity_loss(even, 0)
    with pytest.raises(ValueError, match="phi"):
        uniformity_loss(even[:, 0])


@PROPERTY
@given(seed=st.integers(0, 10_000), shift=st.floats(-10, 10), K=st.integers(1, 6))
def test_uniformity_loss_is_the_fourier_moment_sum(seed, shift, K):
    """Σ_k Σ_j |mean_i e^{ikφ_ij}|² by complex exponentials, in [0, K·d], invariant under a rotation of the circle."""
    phi = 4 * torch.randn(15, 2, generator=torch.Generator().manual_seed(seed), dtype=F64)
    k = torch.arange(1, K + 1, dtype=F64)
    direct = torch.exp(1j * phi[..., None] * k).mean(0).abs().square().sum()
    value = uniformity_loss(phi, K)
    torch.testing.assert_close(value, direct, rtol=1e-12, atol=1e-14)
    assert 0 <= value.item() <= 2 * K + 1e-12
    torch.testing.assert_close(uniformity_loss(phi + shift, K), value, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_unwrap_angles_makes_a_cluster_around_pi_contiguous(seed):
    rng = np.random.default_rng(seed)
    raw = math.pi + rng.uniform(-0.6, 0.6, size=(50, 2))
    raw[:, 1] -= 1.5  # the second circle's cluster sits elsewhere, away from the cut
    wrapped = wrap_angle(torch.from_numpy(raw)).numpy()  # straddles ±π on the first circle
    assert wrapped.min() >= -math.pi and wrapped.max() < math.pi
    assert np.ptp(wrapped[:, 0]) > 2 * math.pi - 1.3  # torn apart by the chart [−π, π)
    out = unwrap_angles(wrapped)
    assert out.shape == raw.shape and out.dtype == np.float64 and out.min() >= 0 and out.max() < 2 * math.pi
    for j in range(2):
        assert np.ptp(out[:, j]) < math.pi
        np.testing.assert_allclose(np.ptp(out[:, j]), np.ptp(raw[:, j]), rtol=0, atol=1e-12)  # cluster width kept
        diff = (out[:, j, None] - out[None, :, j]) - (raw[:, j, None] - raw[None, :, j])
        np.testing.assert_allclose(diff, 0, atol=1e-12)  # a translation of the circle: differences kept
    with pytest.raises(ValueError, match="phi"):
        unwrap_angles(np.zeros(3))


# ------------------------------------------------------------------------------------------ training settings


def _tiny_problem():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(16, 3, generator=gen, dtype=F64)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]], dtype=F64) + 0.1 * torch.randn(16, 1, generator=gen, dtype=F64)
    torch.manual_seed(0)
    model = nn.Linear(3, 1, dtype=F64)

    def objective(m, batch):
        return {"loss": (m(batch[0]) - batch[1]).square().mean()}

    return model, objective, (x, y)


def _manual(model, objective, data, optimizer, lrs):
    """Full-batch steps with learning rate lrs[t] at step t: the reference for train()."""
    for lr in lrs:
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad()
        objective(model, data)["loss"].backward()
        optimizer.step()
    return torch.cat([p.detach().ravel() for p in model.parameters()])


def _trained(settings):
    model, objective, data = _tiny_problem()
    train(model, objective, data, settings=settings, device="cpu", progress=False)
    return torch.cat([p.detach().ravel() for p in model.parameters()])


def test_train_uses_rmsprop_with_momentum():
    settings = TrainSettings(epochs=3, batch_size=16, lr=1e-2, optimizer="rmsprop", momentum=0.8)
    model, objective, data = _tiny_problem()
    optimizer = settings.make_optimizer(model.parameters())
    assert type(optimizer) is torch.optim.RMSprop and optimizer.param_groups[0]["momentum"] == 0.8
    expected = _manual(model, objective, data, torch.optim.RMSprop(model.parameters(), lr=1e-2, momentum=0.8),
                       [1e-2] * 3)
    torch.testing.assert_close(_trained(settings), expected, rtol=1e-12, atol=1e-14)
    no_momentum = _trained(TrainSettings(epochs=3, batch_size=16, lr=1e-2, optimizer="rmsprop"))
    adam = _trained(TrainSettings(epochs=3, batch_size=16, lr=1e-2))
    assert not torch.allclose(no_momentum, expected) and not torch.allclose(adam, expected)
    assert type(TrainSettings(epochs=1, batch_size=1, lr=1.0).make_optimizer(model.parameters())) is torch.optim.Adam


def test_train_anneals_the_cosine_schedule_per_step():
    epochs, lr = 4, 1e-2
    settings = TrainSettings(epochs=epochs, batch_size=16, lr=lr, lr_schedule="cosine")  # one step per epoch
    model, objective, data = _tiny_problem()
    lrs = [lr * (1 + math.cos(math.pi * t / epochs)) / 2 for t in range(epochs)]  # lr, lr(1+cos(π/4))/2, …
    expected = _manual(model, objective, data, torch.optim.Adam(model.parameters(), lr=lr), lrs)
    cosine = _trained(settings)
    torch.testing.assert_close(cosine, expected, rtol=1e-12, atol=1e-14)
    assert not torch.allclose(cosine, _trained(TrainSettings(epochs=epochs, batch_size=16, lr=lr)))
    scheduler = settings.make_scheduler(settings.make_optimizer(model.parameters()), steps_per_epoch=3)
    assert scheduler.T_max == 12
    assert TrainSettings(epochs=1, batch_size=1, lr=1.0).make_scheduler(None, 3) is None


@pytest.mark.parametrize(
    "kwargs, name",
    [({"optimizer": "sgd"}, "optimizer"), ({"lr_schedule": "step"}, "lr_schedule"),
     ({"optimizer": "adam", "momentum": 0.5}, "momentum"), ({"optimizer": "rmsprop", "momentum": 1.0}, "momentum"),
     ({"optimizer": "rmsprop", "momentum": -0.1}, "momentum")],
)
def test_bad_train_settings(kwargs, name):
    with pytest.raises(ValueError, match=name):
        TrainSettings(epochs=1, batch_size=4, lr=1e-3, **kwargs)


def test_train_settings_from_the_chapter_config():
    paper = TrainSettings.from_config(make_config("ch2", "paper"))
    assert (paper.optimizer, paper.momentum, paper.lr, paper.batch_size) == ("rmsprop", 0.8, 1e-4, 32)
    cfg = make_config("ch2", "smoke", lr_schedule="cosine")
    smoke = TrainSettings.from_config(cfg, epochs=cfg.finetune_epochs)
    assert (smoke.optimizer, smoke.momentum, smoke.lr_schedule, smoke.epochs) == ("adam", 0.0, "cosine", 1)


# ------------------------------------------------------------------------------------------ config mirrors


def test_config_mirrors_the_library():
    from latent_geometry.learning.data.synthetic import PLANE_KINDS
    from latent_geometry.runtime.specs import ch2

    assert ch2.FUNCTIONALS == ob.FUNCTIONALS and ch2.PLANE_KINDS == PLANE_KINDS
    assert ch2.OPTIMIZERS == training.OPTIMIZERS and ch2.LR_SCHEDULES == training.LR_SCHEDULES
    for profile in ("smoke", "laptop", "paper"):
        cfg = make_config("ch2", profile)
        assert set(cfg.functionals) <= set(ob.FUNCTIONALS) and set(cfg.box_ascent) <= {"F", "W"}
        TrainSettings.from_config(cfg)  # every profile's schedule is valid for the training loop


@pytest.mark.parametrize(
    "overrides, name",
    [({"functionals": ("ricci",)}, "functionals"), ({"momentum": 0.5}, "momentum"),
     ({"optimizer": "sgd"}, "optimizer"), ({"lr_schedule": "step"}, "lr_schedule"),
     ({"box_ascent": ("authors",)}, "box_ascent"), ({"lam_scales": ()}, "lam_scales")],
)
def test_config_refuses(overrides, name):
    with pytest.raises(ValueError, match=name):
        make_config("ch2", "smoke", **overrides)


def test_config_accepts_rmsprop_momentum():
    cfg = make_config("ch2", "smoke", optimizer="rmsprop", momentum=0.8)
    assert (cfg.optimizer, cfg.momentum) == ("rmsprop", 0.8)
    with pytest.raises(ValueError, match="momentum"):
        make_config("ch2", "paper", optimizer="adam")  # the paper profile's momentum 0.8 is RMSprop's
