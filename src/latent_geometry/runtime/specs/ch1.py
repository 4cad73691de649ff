"""Chapter 1 (seed 000, latent geometry search): parameters and their values per profile.

Part 2 trains the landscape: one autoencoder per (signature, seed, dataset). ``n_train``, ``n_val``, ``n_test``,
``epochs``, ``batch_size``, ``lr``, ``setup``, ``final_relu``, ``split_seed`` and ``kmnist_train_source`` are the
fields of :class:`latent_geometry.learning.landscape.LandscapeSettings`, taken from the config whole.
"""

from latent_geometry.runtime.params import Param, all_of, at_least, each, non_empty, non_negative, one_of, positive
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
    Param(
        "kmnist_train_source",
        str,
        default="test-split",
        check=one_of(*KMNIST_TRAIN_SOURCES),
        help="KMNIST training images are absent offline: 'test-split' trains on a seeded part of the test split",
    ),
    Param("setup", str, default="corrected", check=one_of("corrected", "as-seed"),
          help="corrected: validation carved from the training split, targets in [0, 1]; as-seed: the seed's code"),
    # laptop, measured on 2 CPU cores (1 thread per job): 1,000 images x 3 epochs at batch 16, lr 3e-3 take ~5.5 s
    # and reach validation MSE ~0.053 (mean-image predictor 0.068); batch 32, lr 2e-3 stayed at ~0.065.
    Param("n_train", int, {"smoke": 192, "laptop": 1_000, "paper": 0}, check=non_negative, help="0 = all"),
    Param("n_val", int, {"smoke": 64, "laptop": 500, "paper": 0}, check=non_negative,
          help="validation images carved from the training split; 0 = the default 10,000 (KMNIST: 2,000)"),
    Param("n_test", int, {"smoke": 64, "laptop": 1_000, "paper": 0}, check=non_negative,
          help="test images, scored once after training; 0 = all"),
    Param("split_seed", int, default=0, check=non_negative, help="the data split, fixed across training seeds"),
    Param("final_relu", bool, default=False, help="the seed's ReLU before pooling: tangent coordinates >= 0"),
    # paper: seed 000's code trained with Adam 1e-3, batch 64, 10 epochs (its training script)
    *training_params(epochs={"smoke": 1, "laptop": 3, "paper": 10},
                     batch_size={"smoke": 32, "laptop": 16, "paper": 64},
                     lr={"smoke": 3e-3, "laptop": 3e-3, "paper": 1e-3}),
    # Part 1: the search space, its spectrum and blind hitting times (search_space, spectral, walks)
    Param("n_p", int, default=5, check=positive, help="components of the search space (seed 000: 5 -> 55 nodes)"),
    Param("fig1_n_p", tuple, {"smoke": (4, 7), "laptop": (4, 7, 10, 13, 16, 20), "paper": (4, 7, 10, 13, 16, 20)},
          item=int, check=all_of(non_empty, each(positive)), help="one Fig. 1 panel per value (seed: 4 ... 20)"),
    Param("cross_size_weight", float, default=1.0, check=positive,
          help="weight of edges between sizes; 1 = 1/d_GH(point, unit ball), see search_space.RESIZE_D_GH"),
    Param("n_sim", int, {"smoke": 100, "laptop": 2_000, "paper": 5_000}, check=positive,
          help="simulated searches per strategy for the hitting times"),
    Param("cross_size_sweep", tuple, default=(0.25, 0.5, 1.0, 1.5, 2.0, 4.0), item=float,
          check=all_of(non_empty, each(positive)), help="resize-edge weights of the sensitivity table"),
    # Part 2: the landscape grid
    Param("landscape_seeds", int, {"smoke": 2, "laptop": 3, "paper": 5}, check=positive, help="training seeds"),
    Param("landscape_datasets", tuple, {"smoke": ("mnist",), "laptop": ("mnist", "kmnist"),
                                        "paper": ("mnist", "kmnist")}, item=str,
          check=all_of(non_empty, each(one_of(*DATASETS)))),
    Param("mnist_sizes", str, {"smoke": "exactly", "laptop": "all", "paper": "all"}, check=one_of("all", "exactly"),
          help="MNIST landscape: all signatures with <= n_p components (55) or exactly n_p (21)"),
    Param("kmnist_sizes", str, {"smoke": "exactly", "laptop": "exactly", "paper": "all"},
          check=one_of("all", "exactly"), help="the same for KMNIST"),
    Param("grid_backend", str, {"smoke": "batched", "laptop": "process", "paper": "batched"},
          check=one_of("batched", "process", "dask"),
          help="in-process (batched on a GPU), a local process pool, or Dask distributed"),
    Param("n_workers", int, default=2, check=positive, help="workers of the process pool or the LocalCluster"),
    Param("scheduler_address", str, default="", help="a Dask scheduler, e.g. 'tcp://host:8786'; '' = LocalCluster"),
    Param("train_mode", str, default="auto", check=one_of("auto", "batched", "sequential"),
          help="train same-shape geometries in one batched step, or one after another"),
    Param("reuse_results", bool, default=True,
          help="load the shipped landscape table when its configuration matches instead of retraining"),
    Param("compare_signatures", tuple, default=("E2xE2xE2xE2xE2", "H2xE2xE2xE2xE2", "S2xS2xS2xS2xS2",
                                                 "H2xH2xH2xH2xH2"), item=str,
          check=all_of(non_empty, each(signature_check)),
          help="geometries of the as-seed and encoder-ReLU comparisons"),
    Param("compare_seeds", int, {"smoke": 2, "laptop": 3, "paper": 5}, check=positive),
    Param("as_seed_epochs", int, {"smoke": 1, "laptop": 10, "paper": 10}, check=positive,
          help="epochs of the as-seed set-up (the seed's code: 10)"),
    # Part 2: replaying searches on the table, live walks, learned curvature
    Param("n_runs", int, {"smoke": 100, "laptop": 1_000, "paper": 2_000}, check=at_least(2),
          help="replayed runs per strategy"),
    Param("walk_budget", int, default=20, check=positive, help="evaluations per walk (the seed's Fig. 4: 20)"),
    Param("live_reps", int, {"smoke": 1, "laptop": 2, "paper": 5}, check=positive,
          help="seeded repetitions of each live walk (every step trains a model)"),
    Param("live_budget", int, {"smoke": 3, "laptop": 8, "paper": 20}, check=positive, help="steps of a live walk"),
    Param("kappa_seeds", int, {"smoke": 2, "laptop": 3, "paper": 5}, check=positive,
          help="runs of the learned-curvature baseline"),
)
