"""Datasets: MNIST/KMNIST images (:mod:`.images`) and seeded synthetic data (:mod:`.synthetic`)."""

from latent_geometry.learning.data.synthetic import ToyDataset, gaussian_planes, swiss_roll
from latent_geometry.learning.data.images import (
    DatasetNotFoundError,
    ImageSplits,
    data_root,
    load_image_split,
    load_image_splits,
)

__all__ = ["DatasetNotFoundError", "ImageSplits", "data_root", "load_image_split", "load_image_splits",
           "ToyDataset", "gaussian_planes", "swiss_roll"]
