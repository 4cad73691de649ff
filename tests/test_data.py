"""MNIST/KMNIST loading: shapes, ranges, class counts, seeded subsets, the KMNIST fallback and the offline errors."""

import shutil
from urllib.error import URLError

import pytest
import torch

from latent_geometry.learning.data import DatasetNotFoundError, load_image_split, load_image_splits
from latent_geometry.learning.data import images

# class counts from ../shared/data/README.md (the official MNIST files)
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist(data_root):
    return {s: load_image_split("mnist", s, root=data_root, download=False) for s in ("train", "test")}


def test_mnist_shapes_ranges_and_counts(mnist):
    for split, n, counts in (("train", 60_000, MNIST_TRAIN_COUNTS), ("test", 10_000, MNIST_TEST_COUNTS)):
        x, y = mnist[split]
        assert x.shape == (n, 1, 28, 28) and x.dtype == torch.float32
        assert y.shape == (n,) and y.dtype == torch.int64
        assert float(x.min()) == 0.0 and float(x.max()) == 1.0
        assert torch.bincount(y, minlength=10).tolist() == counts
    assert mnist["train"][1][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist["test"][1][:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_kmnist_test_split(data_root):
    x, y = load_image_split("kmnist", "test", root=data_root, download=False)
    assert x.shape == (10_000, 1, 28, 28)
    assert torch.bincount(y).tolist() == [1000] * 10
    assert y[:10].tolist() == [2, 9, 3, 8, 3, 3, 8, 3, 2, 5]


def test_kmnist_train_missing_names_files_and_fallback(data_root):
    with pytest.raises(DatasetNotFoundError, match="train-images-idx3-ubyte") as err:
        load_image_split("kmnist", "train", root=data_root, download=False)
    assert str(data_root) in str(err.value) and "test-split" in str(err.value)


def test_kmnist_fallback_is_a_seeded_disjoint_split(data_root):
    a = load_image_splits("kmnist", kmnist_train_source="test-split", seed=3, root=data_root, download=False)
    b = load_image_splits("kmnist", kmnist_train_source="test-split", seed=3, root=data_root, download=False)
    assert len(a.train[0]) == 8_000 and len(a.val[0]) == 2_000
    assert torch.equal(a.train[0], b.train[0]) and torch.equal(a.val[1], b.val[1])
    flat_train = {bytes(row.numpy()) for row in (a.train[0] * 255).to(torch.uint8).flatten(1)}
    overlap = sum(bytes(row.numpy()) in flat_train for row in (a.val[0] * 255).to(torch.uint8).flatten(1))
    assert overlap <= 5  # KMNIST has a handful of exact duplicate images; a leaky split would share ~2,000
    assert "fallback" in a.source and "seed 3" in a.source


def test_seeded_subsets(data_root):
    a = load_image_splits("mnist", n_train=100, n_val=50, seed=7, root=data_root, download=False)
    b = load_image_splits("mnist", n_train=100, n_val=50, seed=7, root=data_root, download=False)
    c = load_image_splits("mnist", n_train=100, n_val=50, seed=8, root=data_root, download=False)
    assert a.train[0].shape == (100, 1, 28, 28) and a.val[0].shape == (50, 1, 28, 28)
    assert torch.equal(a.train[1], b.train[1]) and torch.equal(a.val[0], b.val[0])
    assert not torch.equal(a.train[0], c.train[0])
    with pytest.raises(ValueError, match="'n_val'"):
        load_image_splits("mnist", n_val=10_001, root=data_root, download=False)


def test_offline_missing_files_give_a_clear_error(tmp_path, monkeypatch):
    with pytest.raises(DatasetNotFoundError, match="t10k-images-idx3-ubyte") as err:
        load_image_split("mnist", "test", root=tmp_path, download=False)
    assert str(tmp_path) in str(err.value) and "LATENT_GEOMETRY_DATA" in str(err.value)

    def offline(*args, **kwargs):
        raise URLError("no network")

    monkeypatch.setattr(images.datasets.mnist, "download_and_extract_archive", offline)
    with pytest.raises(DatasetNotFoundError, match="Download failed"):
        load_image_split("mnist", "test", root=tmp_path, download=True)


def test_only_gz_files_are_extracted_offline(data_root, tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(data_root / "MNIST" / "raw" / name, raw / name)
    x, y = load_image_split("mnist", "test", root=tmp_path, download=True)  # md5 matches: extract, no network
    assert x.shape == (10_000, 1, 28, 28) and torch.bincount(y).tolist() == MNIST_TEST_COUNTS


def test_bad_names(data_root):
    with pytest.raises(ValueError, match="'dataset'"):
        load_image_split("cifar", "train", root=data_root)
    with pytest.raises(ValueError, match="'split'"):
        load_image_split("mnist", "validation", root=data_root)
    with pytest.raises(ValueError, match="'kmnist_train_source'"):
        load_image_splits("kmnist", kmnist_train_source="internet", root=data_root)


def test_data_root_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LATENT_GEOMETRY_DATA", str(tmp_path))
    assert images.data_root() == tmp_path
    monkeypatch.delenv("LATENT_GEOMETRY_DATA")
    assert images.data_root().name == "latent_geometry"
