"""Profiles + overrides -> validated, frozen, hashable configs; every bad value names its parameter."""

import json

import pytest

from latent_geometry.runtime.config import PROFILES, Config, ConfigError, make_config
from latent_geometry.runtime.specs import CHAPTERS


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_resolves(chapter, profile):
    cfg = make_config(chapter, profile)
    assert cfg.profile == profile and cfg.chapter == chapter
    assert Config.from_dict(json.loads(cfg.to_json())) == cfg  # JSON round trip re-validates


def test_overrides_and_none_defaults():
    base = make_config("ch1", "smoke")
    cfg = make_config("ch1", "smoke", epochs=3, seed=None)
    assert cfg.epochs == 3 and cfg.seed == base.seed
    assert make_config("ch1", "smoke", lr=1).lr == 1.0  # ints are accepted for floats and stored as floats


def test_hash_is_stable_and_sensitive():
    a, b = make_config("ch1", "smoke"), make_config("ch1", "smoke")
    assert a.hash == b.hash and len(a.hash) == 12
    assert make_config("ch1", "smoke", seed=1).hash != a.hash
    assert make_config("ch1", "laptop").hash != a.hash


def test_config_is_frozen():
    cfg = make_config("ch1", "smoke")
    with pytest.raises(AttributeError, match="frozen"):
        cfg.epochs = 5
    with pytest.raises(AttributeError, match="no parameter 'bogus'"):
        cfg.bogus


BAD = [
    (dict(profile="bogus"), "'profile'"),
    (dict(chapter="ch9"), "'chapter'"),
    (dict(epochs=-1), "'epochs'"),
    (dict(epochs=0), "'epochs'"),
    (dict(epochs=2.5), "'epochs'"),
    (dict(seed=1.5), "'seed'"),
    (dict(seed="one"), "'seed'"),
    (dict(seed=-3), "'seed'"),
    (dict(seed=True), "'seed'"),
    (dict(landscape_datasets=("cifar10",)), "'landscape_datasets'"),
    (dict(compare_signatures=("H3xE2",)), "'compare_signatures'"),
    (dict(compare_signatures=("H2xx E2",)), "'compare_signatures'"),
    (dict(compare_signatures=("",)), "'compare_signatures'"),
    (dict(setup="seed"), "'setup'"),
    (dict(grid_backend="ray"), "'grid_backend'"),
    (dict(final_relu=1), "'final_relu'"),
    (dict(lr=0.0), "'lr'"),
    (dict(lr=float("nan")), "'lr'"),
    (dict(lr="fast"), "'lr'"),
    (dict(batch_size=0), "'batch_size'"),
    (dict(n_train=-5), "'n_train'"),
    (dict(device="tpu"), "'device'"),
    (dict(kmnist_train_source="web"), "'kmnist_train_source'"),
    (dict(learning_rate=0.1), "'learning_rate'"),
]


@pytest.mark.parametrize("bad, name", BAD, ids=[str(b) for b, _ in BAD])
def test_bad_values_name_the_parameter(bad, name):
    args = {"chapter": "ch1", "profile": "smoke", **bad}
    chapter, profile = args.pop("chapter"), args.pop("profile")
    with pytest.raises(ConfigError, match=name):
        make_config(chapter, profile, **args)


def test_error_lists_what_is_allowed():
    with pytest.raises(ConfigError, match="'smoke', 'laptop', 'paper'"):
        make_config("ch1", "huge")
    with pytest.raises(ConfigError, match="'mnist', 'kmnist'"):
        make_config("ch1", "smoke", landscape_datasets=("fashion",))
