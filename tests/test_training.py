"""The shared training loop: it optimizes, is deterministic on CPU, records named terms, checkpoints atomically."""

import json

import pytest
import torch

from latent_geometry.learning.models import MLPAutoencoder, conv_autoencoder
from latent_geometry.learning.objectives import Reconstruction, mean_predictor_mse
from latent_geometry._util.seeding import set_seed
from latent_geometry.learning.training import History, TrainSettings, train


def toy_data(seed=0, n=256, dim=12):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(n, 2, generator=g)
    return torch.tanh(z @ torch.randn(2, dim, generator=g))  # points on a 2-D surface in R^12


def fit(seed=0, epochs=3, data=None, **kw):
    data = toy_data() if data is None else data
    set_seed(seed)
    model = MLPAutoencoder(data.shape[1], 2, hidden=(16,), activation="tanh")
    settings = TrainSettings(epochs=epochs, batch_size=32, lr=1e-2, seed=seed)
    return model, train(model, Reconstruction(), data[:200], data[200:], settings=settings, device="cpu", **kw)


def test_a_step_lowers_the_loss_on_a_fixed_batch():
    data = toy_data()[:64]
    set_seed(1)
    model = MLPAutoencoder(12, 2, hidden=(16,), activation="tanh")
    objective = Reconstruction()
    before = float(objective(model, (data,))["loss"].detach())
    train(model, objective, data, settings=TrainSettings(epochs=1, batch_size=64, lr=1e-2, seed=1), device="cpu")
    after = float(objective(model, (data,))["loss"].detach())
    assert after < before


def test_training_beats_the_mean_predictor():
    data = toy_data()
    _, history = fit(epochs=30)
    assert history.final("recon", "val") < 0.5 * mean_predictor_mse(data[:200], data[200:])


def test_same_seed_same_numbers_and_other_seed_differs():
    m1, h1 = fit(seed=3)
    m2, h2 = fit(seed=3)
    _, h3 = fit(seed=4)
    assert h1.train == h2.train and h1.val == h2.val
    assert all(torch.equal(a, b) for a, b in zip(m1.state_dict().values(), m2.state_dict().values()))
    assert h1.train != h3.train


def test_history_records_named_terms_and_callbacks(tmp_path):
    calls = []

    def callback(epoch, model):
        calls.append(epoch)
        return {"decoder_norm": float(sum(p.norm() for p in model.decoder.parameters()))}

    _, history = fit(epochs=2, callbacks=[callback])
    assert calls == [0, 1]
    assert set(history.train[0]) == {"loss", "recon"} and len(history.val) == 2
    assert history.curve("decoder_norm", "extra").shape == (2,)
    with pytest.raises(ValueError, match="'term'"):
        history.curve("nope")
    path = history.save(tmp_path / "h.json")
    assert History.load(path) == history
    assert json.loads(path.read_text())["settings"]["epochs"] == 2
    assert not list(tmp_path.glob(".*tmp"))  # atomic write leaves no temporary file


def test_checkpoint_resume_equals_uninterrupted_run(tmp_path):
    ckpt = tmp_path / "run.pt"
    _, full = fit(seed=5, epochs=4)
    fit(seed=5, epochs=2, checkpoint_path=ckpt)  # "interrupted" after 2 epochs ...
    state = torch.load(ckpt, weights_only=False)
    state["history"]["settings"]["epochs"] = 4  # ... of a 4-epoch run
    torch.save(state, ckpt)
    _, resumed = fit(seed=5, epochs=4, checkpoint_path=ckpt)
    assert resumed.train == full.train and resumed.val == full.val


def test_checkpoint_with_other_settings_is_refused(tmp_path):
    ckpt = tmp_path / "run.pt"
    fit(seed=5, epochs=1, checkpoint_path=ckpt)
    with pytest.raises(ValueError, match="other settings"):
        fit(seed=6, epochs=1, checkpoint_path=ckpt)


def test_non_finite_loss_stops_training():
    data = toy_data()
    data[3, 0] = float("nan")
    with pytest.raises(FloatingPointError, match="non-finite"):
        fit(data=data)


@pytest.mark.parametrize(
    "kwargs, name",
    [(dict(epochs=0), "'epochs'"), (dict(batch_size=-1), "'batch_size'"), (dict(lr=0), "'lr'"),
     (dict(seed=-1), "'seed'"), (dict(grad_clip=0), "'grad_clip'"), (dict(epochs=1.5), "'epochs'")],
)
def test_bad_settings(kwargs, name):
    base = dict(epochs=1, batch_size=8, lr=1e-3)
    with pytest.raises(ValueError, match=name):
        TrainSettings(**{**base, **kwargs})


def test_mismatched_tensors_and_cuda_request():
    model = MLPAutoencoder(12, 2)
    settings = TrainSettings(epochs=1, batch_size=8, lr=1e-3)
    with pytest.raises(ValueError, match="first dimension"):
        train(model, Reconstruction(), (torch.zeros(10, 12), torch.zeros(9)), settings=settings, device="cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'device'"):
            train(model, Reconstruction(), torch.zeros(10, 12), settings=settings, device="cuda")


def test_conv_autoencoder_shapes_and_latent_map():
    set_seed(0)
    model = conv_autoencoder(4, decoder_in_dim=6, latent_map=lambda u: torch.cat([u, u[:, :2]], dim=1))
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        x_hat, z = model(x)
    assert x_hat.shape == x.shape and z.shape == (3, 6)
    assert float(x_hat.min()) > 0 and float(x_hat.max()) < 1
