"""The geometric autoencoder with κ as data, the two set-ups' data, and landscape training: batched == sequential
(the book's train()) in float64 with batch norm, several geometries and two seeds; learned κ."""

import math
import pickle
from types import SimpleNamespace

import pytest
import torch

from latent_geometry.learning.geometric_ae import GeometricAutoencoder
from latent_geometry.learning.landscape import (
    KMNIST_FALLBACK,
    SEED_MEAN,
    SEED_STD,
    Job,
    LandscapeData,
    LandscapeSettings,
    landscape_data,
    landscape_model,
    train_jobs,
    train_learned_kappa,
)
from latent_geometry.manifolds import ModelSpace

pytestmark = pytest.mark.usefixtures("one_thread")
F64 = torch.float64


def tiny_data(n_train=20, n_val=12, n_test=10, dtype=F64, seed=0) -> LandscapeData:
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n_train + n_val + n_test, 1, 28, 28, generator=g, dtype=dtype) ** 3  # mostly dark, like MNIST
    a, b = n_train, n_train + n_val
    return LandscapeData(x[:a], x[a:b], x[b:], {"inputs": "[0, 1]"}, "synthetic")


def tiny_settings(**kw) -> LandscapeSettings:
    return LandscapeSettings(**{"epochs": 2, "batch_size": 8, "lr": 3e-3, "width": 4, **kw})


# --- the model -------------------------------------------------------------------------------------------------

def test_model_shapes_and_latent_point():
    model = GeometricAutoencoder(3, final_relu=False, width=4, kappa=(-1, 0, 1)).double().eval()
    x = torch.rand(5, 1, 28, 28, dtype=F64)
    x_hat, z = model(x)
    assert x_hat.shape == x.shape and z.shape == (5, 9)
    u = model.encoder(x)
    torch.testing.assert_close(z[:, :3], ModelSpace(-1.0).expmap0(u[:, :2]))
    torch.testing.assert_close(z[:, 3:6], torch.cat([torch.ones(5, 1, dtype=F64), u[:, 2:4]], -1))
    torch.testing.assert_close(z[:, 6:], ModelSpace(1.0).expmap0(u[:, 4:]))


def test_initial_weights_depend_only_on_the_seed():
    s = tiny_settings()
    a = landscape_model(Job("mnist", (-1, 0, 0), 3), s).state_dict()
    b = landscape_model(Job("mnist", (1, 1, 0), 3), s).state_dict()
    c = landscape_model(Job("mnist", (-1, 0, 0), 4), s).state_dict()
    assert not torch.equal(a["kappa"], b["kappa"])
    assert all(torch.equal(a[k], b[k]) for k in a if k != "kappa")
    assert not torch.equal(a["encoder.net.0.weight"], c["encoder.net.0.weight"])


def test_final_relu_makes_tangent_coordinates_nonnegative():
    model = GeometricAutoencoder(2, final_relu=True, width=4).eval()
    assert bool((model.encoder(torch.rand(6, 1, 28, 28)) >= 0).all())
    assert "kappa" in dict(model.named_buffers()) and "kappa" not in dict(model.named_parameters())
    learned = GeometricAutoencoder(2, final_relu=False, width=4, learn_kappa=True)
    assert "kappa" in dict(learned.named_parameters())


def test_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_p = 2"):
        GeometricAutoencoder(2, final_relu=False, kappa=(0, 0, 0))
    with pytest.raises(ValueError, match="kappa"):
        GeometricAutoencoder(2, final_relu=False, kappa=(0, math.nan))
    with pytest.raises(TypeError, match="final_relu"):
        GeometricAutoencoder(2, final_relu=1)


# --- settings ---------------------------------------------------------------------------------------------------

def test_settings_defaults_validation_pickle_and_config():
    assert LandscapeSettings().n_train == 0 and LandscapeSettings(setup="as-seed").n_train == 300
    s = LandscapeSettings(epochs=3, lr=2e-3)
    assert pickle.loads(pickle.dumps(s)) == s
    with pytest.raises(ValueError, match="setup"):
        LandscapeSettings(setup="seed")
    with pytest.raises(ValueError, match="kmnist_train_source"):
        LandscapeSettings(kmnist_train_source="train")
    with pytest.raises(ValueError, match="n_train"):
        LandscapeSettings(n_train=-1)
    with pytest.raises(ValueError, match="lr"):
        LandscapeSettings(lr=math.nan)
    with pytest.raises(ValueError, match="final_relu"):
        LandscapeSettings(final_relu="yes")
    cfg = SimpleNamespace(n_train=5_000, n_val=1_000, epochs=4, batch_size=32, lr=2e-3, seed=7, dataset="mnist",
                          kmnist_train_source="test-split")
    s = LandscapeSettings.from_config(cfg, setup="as-seed", n_train=300)
    assert (s.n_train, s.n_val, s.epochs, s.batch_size, s.lr, s.setup) == (300, 1_000, 4, 32, 2e-3, "as-seed")


# --- data -------------------------------------------------------------------------------------------------------

def _rows_of(x):
    return {bytes(row.numpy()) for row in (x * 255).round().to(torch.uint8).flatten(1)}


def test_corrected_split_is_carved_from_the_training_split(data_root):
    from latent_geometry.learning.data.images import load_image_split

    s = LandscapeSettings(n_train=500, n_val=300, n_test=200)
    d = landscape_data(s, "mnist", root=data_root)
    assert (len(d.train), len(d.val), len(d.test)) == (500, 300, 200)
    assert float(d.train.min()) >= 0 and float(d.train.max()) <= 1
    official_train = _rows_of(load_image_split("mnist", "train", root=data_root)[0])
    official_test = _rows_of(load_image_split("mnist", "test", root=data_root)[0])
    assert _rows_of(d.val) <= official_train and _rows_of(d.train) <= official_train  # never from the test split
    assert not _rows_of(d.val) & _rows_of(d.train)
    assert _rows_of(d.test) <= official_test
    again = landscape_data(s, "mnist", root=data_root)
    assert torch.equal(again.train, d.train) and torch.equal(again.val, d.val)
    other = landscape_data(LandscapeSettings(n_train=500, n_val=300, n_test=200, split_seed=1), "mnist",
                           root=data_root)
    assert not torch.equal(other.val, d.val)


def test_as_seed_standardizes_and_uses_test_as_validation(data_root):
    d = landscape_data(LandscapeSettings(setup="as-seed", n_test=100), "mnist", root=data_root)
    assert len(d.train) == 300 and torch.equal(d.val, d.test) and len(d.val) == 100
    assert math.isclose(float(d.train.min()), -SEED_MEAN / SEED_STD, rel_tol=1e-6)
    assert "0.3081" in d.transform["inputs"]


def test_kmnist_fallback_split(data_root):
    d = landscape_data(LandscapeSettings(), "kmnist", root=data_root)
    assert (len(d.train), len(d.val), len(d.test)) == KMNIST_FALLBACK
    from latent_geometry.learning.data.images import load_image_split

    official_test = _rows_of(load_image_split("kmnist", "test", root=data_root)[0])
    parts = [_rows_of(t) for t in d[:3]]
    assert all(p <= official_test for p in parts)
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert "fallback" in d.source and "6,000" in d.source
    with pytest.raises(ValueError, match="n_train"):
        landscape_data(LandscapeSettings(n_train=7_000), "kmnist", root=data_root)


# --- training ---------------------------------------------------------------------------------------------------

GEOMETRIES = [(-1, 0), (0, 0), (1, -1)]


@pytest.mark.parametrize("setup", ["corrected", "as-seed"])
def test_batched_equals_sequential_in_float64(setup):
    data = tiny_data()
    settings = tiny_settings(setup=setup, final_relu=setup == "as-seed")
    jobs = [Job("mnist", g, seed) for g in GEOMETRIES for seed in (0, 5)]
    seq = train_jobs(jobs, settings, device="cpu", mode="sequential", data=data, keep_state=True)
    bat = train_jobs(jobs, settings, device="cpu", mode="batched", data=data, keep_state=True)
    assert [r.job for r in bat] == jobs and {r.extra["mode"] for r in bat} == {"batched"}
    for a, b in zip(seq, bat):
        assert len(a.rows) == settings.epochs
        for ra, rb in zip(a.rows, b.rows):
            assert ra["epoch"] == rb["epoch"]
            for key in ("train_loss", "val_loss", "test_loss"):
                if ra[key] is None:
                    assert rb[key] is None
                else:
                    assert abs(ra[key] - rb[key]) <= 1e-9 * max(1.0, abs(ra[key])), (a.job, key, ra, rb)
        assert a.extra["state"].keys() == b.extra["state"].keys()
        for key, value in a.extra["state"].items():
            torch.testing.assert_close(b.extra["state"][key], value, rtol=1e-9, atol=1e-10, msg=key)
    # training moved the weights, and the geometries ended apart (the test can fail)
    assert not torch.allclose(seq[0].extra["state"]["decoder.net.0.weight"],
                              seq[2].extra["state"]["decoder.net.0.weight"])
    assert any(r.extra["state"]["encoder.net.1.num_batches_tracked"] == 3 * settings.epochs for r in seq)


def test_rows_follow_the_setup():
    data = tiny_data()
    jobs = [Job("mnist", (0,), 0), Job("mnist", (-1, 1), 1)]  # two groups (n_p = 1 and 2)
    corrected = train_jobs(jobs, tiny_settings(epochs=2), device="cpu", data=data)
    assert [r.job for r in corrected] == jobs
    rows = corrected[1].rows
    assert rows[0]["test_loss"] is None and rows[1]["test_loss"] is not None
    seed = train_jobs(jobs[:1], tiny_settings(epochs=2, setup="as-seed"), device="cpu", data=data)[0].rows
    assert all(r["test_loss"] == r["val_loss"] for r in seed)


@pytest.mark.parametrize("mode", ["sequential", "batched"])
def test_non_finite_loss_names_the_job(mode):
    data = tiny_data()
    bad = LandscapeData(data.train.clone().index_fill_(0, torch.tensor([3]), math.nan), *data[1:])
    jobs = [Job("mnist", (-1, 0), 2), Job("mnist", (0, 0), 2)]
    with pytest.raises(FloatingPointError, match="mnist__"):
        train_jobs(jobs, tiny_settings(epochs=1), device="cpu", mode=mode, data=bad)


def test_train_jobs_rejects_bad_arguments():
    data = tiny_data()
    with pytest.raises(ValueError, match="mode"):
        train_jobs([Job("mnist", (0,), 0)], tiny_settings(), mode="fast", data=data)
    with pytest.raises(ValueError, match="one dataset"):
        train_jobs([Job("mnist", (0,), 0), Job("kmnist", (0,), 0)], tiny_settings(), data=data)
    with pytest.raises(TypeError, match="jobs"):
        train_jobs([], tiny_settings(), data=data)
    with pytest.raises(TypeError, match="settings"):
        train_jobs([Job("mnist", (0,), 0)], {"epochs": 1}, data=data)


def test_learned_kappa_gets_gradients_and_moves():
    data = tiny_data(dtype=torch.float32)
    model = GeometricAutoencoder(2, final_relu=False, width=4, learn_kappa=True)
    model.train()
    loss = ((model(data.train[:8])[0] - data.train[:8]) ** 2).mean()
    loss.backward()
    assert model.kappa.grad is not None and bool(torch.isfinite(model.kappa.grad).all())
    assert float(model.kappa.grad.abs().sum()) > 0  # differentiable through κ = 0
    result = train_learned_kappa(2, 0, tiny_settings(epochs=3, lr=0.05), data=data, device="cpu")
    assert result.kappa_init == (0.0, 0.0) and len(result.kappa) == 3
    assert all(math.isfinite(k) for k in result.final_kappa) and result.final_kappa != (0.0, 0.0)
    assert all(math.isfinite(r["train_loss"]) for r in result.rows)
