"""Datasets: MNIST/KMNIST images (:mod:`.images`) and seeded synthetic data (:mod:`.synthetic`)."""

from latent_geometry.data.images import (
    DatasetNotFoundError,
    ImageSplits,
    data_root,
    load_image_split,
    load_image_splits,
)

__all__ = ["DatasetNotFoundError", "ImageSplits", "data_root", "load_image_split", "load_image_splits"]
