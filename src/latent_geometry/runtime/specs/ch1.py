"""Chapter 1 (seed 000, latent geometry search): parameters and their values per profile."""

from latent_geometry.runtime.params import Param, all_of, each, non_empty, non_negative, one_of, positive
from latent_geometry.runtime.specs.common import (
    DATASETS,
    KMNIST_TRAIN_SOURCES,
    device_param,
    seed_param,
    signature_check,
    training_params,
)

PARAMS = (
    seed_param(),
    device_param(),
    Param("dataset", str, default="mnist", check=one_of(*DATASETS)),
    Param(
        "kmnist_train_source",
        str,
        default="test-split",
        check=one_of(*KMNIST_TRAIN_SOURCES),
        help="KMNIST training images are absent offline: 'test-split' trains on a seeded part of the test split",
    ),
    # laptop, measured on 2 idle CPU cores: 4,000 images x 4 epochs at batch 32, lr 2e-3 took 39 s and reached
    # validation MSE 0.054 (mean-image predictor 0.067); batch 128, lr 1e-3, 3 epochs stayed above the baseline.
    Param("n_train", int, {"smoke": 512, "laptop": 5_000, "paper": 0}, check=non_negative, help="0 = all"),
    Param("n_val", int, {"smoke": 256, "laptop": 1_000, "paper": 0}, check=non_negative, help="0 = all"),
    # paper: seed 000's code trained with Adam 1e-3, batch 64, 10 epochs (its training script)
    *training_params(epochs={"smoke": 1, "laptop": 4, "paper": 10},
                     batch_size={"smoke": 64, "laptop": 32, "paper": 64},
                     lr={"smoke": 2e-3, "laptop": 2e-3, "paper": 1e-3}),
    Param("signature", str, default="E2", check=signature_check, help="latent product manifold, e.g. 'H2xE2'"),
    # Part 1: the search space, its spectrum and blind hitting times (search_space, spectral, walks)
    Param("n_p", int, default=5, check=positive, help="components of the search space (seed 000: 5 -> 55 nodes)"),
    Param("fig1_n_p", tuple, {"smoke": (4, 7), "laptop": (4, 7, 10, 13, 16, 20), "paper": (4, 7, 10, 13, 16, 20)},
          item=int, check=all_of(non_empty, each(positive)), help="one Fig. 1 panel per value (seed: 4 ... 20)"),
    Param("cross_size_weight", float, default=1.0, check=positive,
          help="weight of edges between sizes; 1 = 1/d_GH(point, unit ball), see search_space.RESIZE_D_GH"),
    Param("n_sim", int, {"smoke": 100, "laptop": 2_000, "paper": 5_000}, check=positive,
          help="simulated searches per strategy for the hitting times"),
)
