"""MNIST and KMNIST as tensors, through ``torchvision.datasets``, with seeded subsets and an honest KMNIST fallback.

Files are looked up under ``root`` (default: :func:`data_root`, i.e. ``$LATENT_GEOMETRY_DATA`` or
``~/.cache/latent_geometry``) in torchvision's layout ``<root>/<MNIST|KMNIST>/raw/<prefix>-images-idx3-ubyte``.
Only the files of the requested split are required (torchvision's own check wants all four, which fails for the
partial KMNIST copy on these machines). When they are missing, torchvision downloads them if ``download`` is true
and the network allows; otherwise :class:`DatasetNotFoundError` says which files are missing and where to put them.

Images come back once as a float tensor ``(N, 1, 28, 28)`` in [0, 1] on the requested device: no per-sample
PIL transform ever runs in a training loop.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch
from torchvision import datasets

DATASETS = ("mnist", "kmnist")
SPLITS = ("train", "test")
KMNIST_TRAIN_SOURCES = ("official", "test-split")
KMNIST_FALLBACK_TRAIN = 8_000  # of the 10,000 KMNIST test images, this many form the fallback training pool


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset split are not on disk and could not be downloaded."""


def data_root() -> Path:
    """``$LATENT_GEOMETRY_DATA`` if set, else ``~/.cache/latent_geometry``."""
    env = os.environ.get("LATENT_GEOMETRY_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "latent_geometry"


class _OneSplit:
    """Mixin for torchvision's MNIST-style datasets: require only the files of the split being loaded."""

    folder: str

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.folder, "raw")

    def _check_exists(self) -> bool:
        return all(os.path.isfile(p) for p in split_files(self.root, self.folder, self.train))

    @property
    def resources(self):  # download (or extract from .gz) only this split's two files
        prefix = "train" if self.train else "t10k"
        return [(name, md5) for name, md5 in super().resources if name.startswith(prefix)]


class _MNIST(_OneSplit, datasets.MNIST):
    folder = "MNIST"


class _KMNIST(_OneSplit, datasets.KMNIST):
    folder = "KMNIST"


_CLASSES = {"mnist": _MNIST, "kmnist": _KMNIST}


def split_files(root, folder: str, train: bool) -> list[str]:
    """Paths of the uncompressed IDX files torchvision reads for one split."""
    prefix = "train" if train else "t10k"
    raw = os.path.join(root, folder, "raw")
    return [os.path.join(raw, f"{prefix}-{kind}") for kind in ("images-idx3-ubyte", "labels-idx1-ubyte")]


def load_image_split(dataset: str, split: str, *, root=None, download: bool = True, device="cpu"):
    """Load one official split as ``(x, y)``: x float32 ``(N, 1, 28, 28)`` in [0, 1], y int64 ``(N,)``."""
    if dataset not in DATASETS:
        raise ValueError(f"parameter 'dataset' must be one of {DATASETS}, got {dataset!r}")
    if split not in SPLITS:
        raise ValueError(f"parameter 'split' must be one of {SPLITS}, got {split!r}")
    root = Path(root) if root is not None else data_root()
    cls = _CLASSES[dataset]
    train = split == "train"
    missing = [p for p in split_files(root, cls.folder, train) if not os.path.isfile(p)]
    reason = ""
    if missing and download:
        try:
            return _to_tensors(cls(str(root), train=train, download=True), device)
        except Exception as error:  # no network, read-only root, checksum mismatch: report below
            reason = f" Download failed: {type(error).__name__}: {str(error).strip().splitlines()[0]}."
    if missing:
        hint = ""
        if dataset == "kmnist" and train:
            hint = (
                " The KMNIST training images are not shipped with ../shared/data on these machines; pass"
                " kmnist_train_source='test-split' to train on a seeded part of the official test split instead."
            )
        raise DatasetNotFoundError(
            f"{dataset} {split} split not found under {root}: missing {', '.join(missing)} (or their .gz). "
            f"Put torchvision's files there or set LATENT_GEOMETRY_DATA to a folder that has them.{reason}{hint}"
        )
    return _to_tensors(cls(str(root), train=train, download=False), device)


def _to_tensors(ds, device):
    x = ds.data.to(device=device, dtype=torch.float32).div_(255.0).unsqueeze(1)
    return x, ds.targets.to(device=device, dtype=torch.int64)


@dataclass(frozen=True)
class ImageSplits:
    """Training and validation tensors plus a sentence saying where they came from (shown on the page)."""

    train: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor]
    source: str


def _seeded_subset(x, y, n: int, generator: torch.Generator, name: str):
    if n > len(x):
        raise ValueError(f"parameter {name!r} must be at most {len(x)} (the size of its pool), got {n}")
    if n == 0 or n == len(x):
        return x, y
    idx = torch.randperm(len(x), generator=generator)[:n].to(x.device)
    return x[idx], y[idx]


def load_image_splits(
    dataset: str,
    *,
    n_train: int = 0,
    n_val: int = 0,
    seed: int = 0,
    kmnist_train_source: str = "official",
    root=None,
    download: bool = True,
    device="cpu",
) -> ImageSplits:
    """Seeded training/validation sets for a chapter (``n_* = 0`` keeps the whole pool).

    Training pool: the official training split; validation pool: the official test split. For KMNIST with
    ``kmnist_train_source='test-split'`` both pools come from a seeded permutation of the official test split
    (first 8,000 for training, the other 2,000 for validation), because the training images are unavailable here.
    """
    if kmnist_train_source not in KMNIST_TRAIN_SOURCES:
        raise ValueError(
            f"parameter 'kmnist_train_source' must be one of {KMNIST_TRAIN_SOURCES}, got {kmnist_train_source!r}"
        )
    gen = torch.Generator().manual_seed(seed)
    if dataset == "kmnist" and kmnist_train_source == "test-split":
        x, y = load_image_split(dataset, "test", root=root, download=download, device=device)
        perm = torch.randperm(len(x), generator=gen).to(x.device)
        cut = KMNIST_FALLBACK_TRAIN
        pools = ((x[perm[:cut]], y[perm[:cut]]), (x[perm[cut:]], y[perm[cut:]]))
        source = (
            f"KMNIST fallback: the official training images are unavailable, so the official test split "
            f"(10,000 images) was permuted with seed {seed}; {cut:,} images form the training pool and "
            f"{len(x) - cut:,} the validation pool."
        )
    else:
        pools = tuple(load_image_split(dataset, s, root=root, download=download, device=device) for s in SPLITS)
        source = f"{dataset.upper()}: training pool = official training split, validation pool = official test split."
    train = _seeded_subset(*pools[0], n_train, gen, "n_train")
    val = _seeded_subset(*pools[1], n_val, gen, "n_val")
    source += f" Seeded subsets (seed {seed}): {len(train[0]):,} training and {len(val[0]):,} validation images."
    return ImageSplits(train=train, val=val, source=source)
