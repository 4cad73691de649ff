"""Chapter-2 objectives: values against direct formulas, gradient routing (detached codes, reversed potential),
flat decoders, the variants a config describes, the recipe end to end on tiny data, determinism."""

import math

import pytest
import torch
from torch import nn

from latent_geometry.geometry import functionals as cf
from latent_geometry.runtime.config import make_config
from latent_geometry.learning.data.synthetic import gaussian_planes
from latent_geometry.geometry import pullback_metric, scalar_curvature
from latent_geometry.learning.models import Autoencoder
from latent_geometry.experiments.ch2.recipe import (
    FUNCTIONALS,
    CurvatureObjective,
    Variant,
    VariantPlan,
    VariantSpec,
    curvature_autoencoder,
    curvature_probe,
    embedding_metrics,
    finetune,
    pretrain,
    split_indices,
    train_chapter,
    variants_from_config,
)
from latent_geometry.learning.training import TrainSettings

SEEDS = [0, 1, 2]


def _model(seed, potential=True, D=7):
    return curvature_autoencoder(D, (16, 8), potential=potential, seed=seed).double()


def _batch(seed, n=12, D=7):
    return (torch.randn(n, D, generator=torch.Generator().manual_seed(100 + seed), dtype=torch.float64),)


@pytest.mark.parametrize("seed", SEEDS)
def test_plain_objective_is_the_authors_mse(seed):
    model, batch = _model(seed), _batch(seed)
    terms = CurvatureObjective(lam_curv=0.0)(model, batch)
    x_hat, _ = model(batch[0])
    expected = ((x_hat - batch[0]) ** 2).sum(1).mean()  # Σ_batch ‖x̂ − x‖² / B
    torch.testing.assert_close(terms["loss"], expected)
    assert set(terms) == {"loss", "recon"}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("functional", ["authors", "data"])
def test_batch_functionals_match_direct_formula(seed, functional):
    model, batch = _model(seed), _batch(seed)
    objective = CurvatureObjective(functional, lam_curv=0.3, n_curv=5)
    terms = objective(model, batch)
    z = model.encode(batch[0])[:5].detach()
    R = scalar_curvature(model.decoder, z, method="christoffel")  # the other route, as an independent check
    weight = torch.linalg.det(pullback_metric(model.decoder, z)).sqrt() if functional == "authors" else 1.0
    torch.testing.assert_close(terms["curv"], (R**2 * weight).mean(), rtol=1e-9, atol=1e-12)
    torch.testing.assert_close(terms["loss"], terms["recon"] + 0.3 * terms["curv"])


@pytest.mark.parametrize("seed", SEEDS)
def test_uniform_functional_samples_the_latent_box(seed):
    model, batch = _model(seed), _batch(seed)
    objective = CurvatureObjective("uniform", lam_curv=1.0, n_curv=6, seed=seed)
    value = objective(model, batch)["curv"]
    points = -1 + 2 * torch.rand(6, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    R = scalar_curvature(model.decoder, points)
    expected = 4.0 * (R**2 * torch.linalg.det(pullback_metric(model.decoder, points)).sqrt()).mean()  # |Ω| = 4
    torch.testing.assert_close(value, expected)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("functional", ["authors", "uniform", "F"])
def test_curvature_gradient_reaches_decoder_not_encoder(seed, functional):
    model, batch = _model(seed), _batch(seed)
    objective = CurvatureObjective(functional, lam_curv=1.0, n_curv=4, seed=seed)
    _, z = model(batch[0])
    objective.curvature_term(model, z).backward()
    assert all(p.grad is None or p.grad.abs().max() == 0 for p in model.encoder.parameters())  # detached codes
    assert any(p.grad is not None and p.grad.abs().max() > 0 for p in model.decoder.parameters())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("functional", ["F", "W"])
def test_perelman_terms_ascend_for_decoder_and_descend_for_potential(seed, functional):
    model, batch = _model(seed), _batch(seed)
    objective = CurvatureObjective(functional, lam_curv=1.0, n_curv=8, tau=0.7, seed=seed)
    _, z = model(batch[0])
    term = objective.curvature_term(model, z)
    points = -1 + 2 * torch.rand(8, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    if functional == "F":
        value = cf.perelman_F(model.decoder, model.potential, points, -math.log(4.0))
    else:
        value = cf.perelman_W(model.decoder, model.potential, points, 0.7, -math.log(4.0))
    torch.testing.assert_close(term, -value, rtol=1e-10, atol=1e-12)
    params = [*model.decoder.parameters(), *model.potential.parameters()]
    # the decoder's output bias moves neither g nor R: its gradient is None (unused), read as 0
    g_term = [torch.zeros_like(p) if g is None else g for p, g in
              zip(params, torch.autograd.grad(term, params, allow_unused=True))]
    g_value = [torch.zeros_like(p) if g is None else g for p, g in
               zip(params, torch.autograd.grad(value, params, allow_unused=True))]
    n_dec = len(list(model.decoder.parameters()))
    assert all(g.abs().max() > 0 for g in g_value[n_dec:])
    for a, b in zip(g_term[:n_dec], g_value[:n_dec]):
        torch.testing.assert_close(a, -b)  # decoder: descent on −F is ascent on F
    for a, b in zip(g_term[n_dec:], g_value[n_dec:]):
        torch.testing.assert_close(a, b)  # potential: descent on F (towards inf_f F)


@pytest.mark.parametrize("functional", ["authors", "data", "uniform"])
def test_flat_decoder_has_zero_curvature_term(functional):
    encoder = nn.Sequential(nn.Linear(5, 2), nn.Tanh())
    decoder = nn.Linear(2, 5)
    model = Autoencoder(encoder, decoder).double()
    terms = CurvatureObjective(functional, lam_curv=1.0, n_curv=4)(model, _batch(0, D=5))
    assert abs(terms["curv"].item()) < 1e-20
    probe = curvature_probe(torch.rand(10, 2, dtype=torch.float64))(0, model)
    assert probe["mean_abs_R"] < 1e-10
    w = decoder.weight.detach()
    eig = torch.linalg.eigvalsh(w.T @ w)
    assert probe["median_kappa"] == pytest.approx((eig[1] / eig[0]).item(), rel=1e-10)


def test_recipe_runs_and_is_deterministic():
    data = gaussian_planes(80, D=12, seed=0, dtype=torch.float32)
    train_idx, val_idx = split_indices(len(data), seed=0)
    assert len(set(train_idx.tolist()) | set(val_idx.tolist())) == len(data) and len(val_idx) == 48

    settings = TrainSettings(epochs=2, batch_size=32, lr=1e-2, seed=3)

    def run():
        base, _ = pretrain(data.x[train_idx], data.x[val_idx], (8,), settings, device="cpu")
        objective = CurvatureObjective("authors", lam_curv=0.1, n_curv=4, seed=3)
        model, history = finetune(base, objective, data.x[train_idx], data.x[val_idx], settings,
                                  probe_points=torch.rand(5, 2), device="cpu")
        return base, model, history

    base, model, history = run()
    _, _, again = run()
    assert history.train == again.train and history.extra == again.extra
    assert set(history.train[0]) == {"loss", "recon", "curv"} and set(history.val[0]) == {"loss", "recon", "curv"}
    assert set(history.extra[0]) == {"curv_authors", "mean_R2", "mean_abs_R", "median_kappa"}
    assert not torch.equal(next(base.decoder.parameters()), next(model.decoder.parameters()))  # a copy moved
    metrics = embedding_metrics(model, data.x[val_idx], data.coords[val_idx], data.labels[val_idx], n_neighbors=3)
    assert 0 <= metrics["disparity"] <= 1 and metrics["scale_ratio"] >= 1 and metrics["median_kappa"] >= 1
    assert 0 <= metrics["trustworthiness"] <= 1 and math.isfinite(metrics["mean_abs_R"])


@pytest.mark.parametrize(
    "kwargs, name",
    [({"functional": "ricci"}, "functional"), ({"lam_curv": -1.0}, "lam_curv"), ({"n_curv": 1}, "n_curv"),
     ({"tau": 0.0}, "tau"), ({"eps": -0.1}, "eps")],
)
def test_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        CurvatureObjective(**kwargs)


def test_perelman_functionals_need_a_potential():
    model, batch = _model(0, potential=False), _batch(0)
    with pytest.raises(ValueError, match="potential"):
        CurvatureObjective("F", lam_curv=1.0, n_curv=4)(model, batch)


def test_config_mirrors_the_library():
    from latent_geometry.runtime.specs import ch2
    from latent_geometry.learning.data.synthetic import PLANE_KINDS

    assert ch2.FUNCTIONALS == FUNCTIONALS and ch2.PLANE_KINDS == PLANE_KINDS
    for profile in ("smoke", "laptop", "paper"):
        cfg = make_config("ch2", profile)
        assert len(cfg.functionals) == len(cfg.lam_functionals)
    with pytest.raises(ValueError, match="functionals"):
        make_config("ch2", "smoke", functionals=("ricci",))
    with pytest.raises(ValueError, match="activation"):
        curvature_autoencoder(4, activation="relu")


def _variants(values):
    """Fake trained variants: {name: [metric value per seed]} -> Variant list (no model needed)."""
    spec = {"base": VariantSpec.baseline("base"), "reg": VariantSpec("reg", "authors", 1.0)}
    return [Variant(spec[name], seed, None, None, {"disparity": v, "scale_ratio": 1.0})
            for name, per_seed in values.items() for seed, v in enumerate(per_seed)]


def test_summary_paired_difference_and_goal_table():
    from latent_geometry.experiments.ch2.recipe import goal_table, paired_difference, summary_table

    variants = _variants({"base": [0.30, 0.20, 0.25], "reg": [0.04, 0.02, 0.03]})
    table = summary_table(variants, ["disparity", "scale_ratio"])
    assert table.loc["base", "disparity"] == pytest.approx(0.25) and table.loc["reg", "n_seeds"] == 3
    mean, low, high = paired_difference(variants, "reg", "base", "disparity")
    assert mean == pytest.approx(-0.22) and low <= mean <= high < 0  # every paired difference is negative
    checks = {"disparity": "ch2.goal1.disparity", "scale_ratio": "ch2.goal1.scale_ratio"}  # THRESHOLDS keys
    goals = goal_table(variants, table, checks, "disparity", "base")
    assert goals["goal met"].to_dict() == {"base": "no", "reg": "yes"}
    assert list(goals.columns[:2]) == ["disparity (< 0.05)", "scale_ratio (< 1.25)"]
    assert goals.loc["reg", "Δ disparity vs baseline [95% CI]"].startswith("-0.22")
    with pytest.raises(KeyError, match="known"):
        goal_table(variants, table, {"disparity": "ch2.no_such_goal"}, "disparity", "base")


def test_variant_specs_say_what_they_are():
    base = VariantSpec.baseline()
    assert base.is_baseline and base.functional is None and base.lam_curv == 0.0 and base.name == "baseline (λ=0)"
    reg = VariantSpec.regularized("authors", 10)
    assert not reg.is_baseline and reg == VariantSpec("authors (λ=10)", "authors", 10.0)
    with pytest.raises(ValueError, match="baseline"):
        VariantSpec("b", "authors", 0.0, is_baseline=True)
    with pytest.raises(ValueError, match="functional"):
        VariantSpec("no functional", None, 1.0)
    with pytest.raises(ValueError, match="lam_curv"):
        VariantSpec.regularized("data", -1.0)
    with pytest.raises(ValueError, match="lam_curv"):
        CurvatureObjective(None, lam_curv=1.0)
    with pytest.raises(ValueError, match="baseline"):
        VariantPlan((reg,))
    cfg = make_config("ch2", "smoke", n_curv=5, eps=0.01, tau=0.3)
    objective = base.objective(cfg, seed=4)
    assert objective.functional is None and objective.lam_curv == 0 and not objective.needs_grad
    objective = reg.objective(cfg, seed=4)
    assert (objective.functional, objective.lam_curv, objective.n_curv, objective.eps, objective.tau) == \
        ("authors", 10.0, 5, 0.01, 0.3)


def test_variants_from_config_builds_the_plan_and_the_sweep():
    cfg = make_config("ch2", "smoke", functionals=("data", "authors", "F"), lam_functionals=(1.0, 10.0, 0.1),
                      lam_sweep=(1.0, 10.0, 100.0))
    plan = variants_from_config(cfg)
    assert [s.name for s in plan.main] == ["baseline (λ=0)", "data (λ=1)", "authors (λ=10)", "F (λ=0.1)"]
    assert [s.lam_curv for s in plan.sweep] == [1.0, 100.0]  # authors (λ=10) is trained on every seed already
    assert all(s.functional == "authors" for s in plan.sweep)
    assert plan.baseline.is_baseline and plan.regularized.name == "authors (λ=10)"  # the authors' functional
    assert [s.lam_curv for s in plan.sweep_series] == [0.0, 10.0, 1.0, 100.0]
    no_authors = variants_from_config(make_config("ch2", "smoke", functionals=("W",), lam_functionals=(0.1,)))
    assert no_authors.regularized.name == "W (λ=0.1)"


def test_train_chapter_takes_the_config_whole():
    data = gaussian_planes(30, D=9, seed=0, dtype=torch.float32)
    cfg = make_config("ch2", "smoke", n_seeds=2, hidden=(6,), epochs=2, finetune_epochs=1, batch_size=32,
                      functionals=("authors", "F"), lam_functionals=(10.0, 0.1), lam_sweep=(10.0, 100.0), n_curv=4,
                      metric_points=40)
    plan = variants_from_config(cfg)
    results = train_chapter({"g": data}, plan, cfg, probe_points=torch.rand(3, 2), device="cpu")
    assert results.seeds == (cfg.seed, cfg.seed + 1)
    names = [(v.name, v.seed) for v in results.variants("g")]
    first, second = results.seeds
    assert names == [(s.name, first) for s in plan.main + plan.sweep] + [(s.name, second) for s in plan.main]
    for seed, (_, history) in results.runs["g"].pretrained.items():  # TrainSettings.from_config(cfg)
        assert history.settings == {**history.settings, "epochs": 2, "batch_size": 32, "lr": cfg.lr, "seed": seed}
    for v in results.variants("g"):  # TrainSettings.from_config(cfg, epochs=cfg.finetune_epochs)
        assert (v.history.settings["epochs"], v.history.settings["seed"]) == (1, v.seed)
        assert len(v.history.extra) == 1 and set(v.metrics) >= {"disparity", "affine_R2", "curv_authors"}
    assert results.pick("g", plan.baseline).spec is plan.baseline
    assert results.pick("g", "F (λ=0.1)", second).seed == second
    assert [r["lam"] for r in results.sweep_rows("g")] == [0.0, 10.0, 100.0]
    assert list(results.summary("g", ["disparity"]).index) == [s.name for s in plan.main]
    assert len(results.held_out("g", 5)) == 5 and results.seconds > 0
    with pytest.raises(KeyError, match="no variant"):
        results.pick("g", "authors (λ=100)", second)  # the sweep runs on the first seed only
