"""Chapter 2 (seed 001, Ricci-type curvature regularization): parameters and their values per profile.

``paper`` uses the authors' dataset sizes and architecture (the authors' code: 6 000 points per plane, 18 000
Swiss-roll points, sin MLP D-512-256-128-2, batch 32, 30 epochs); ``laptop`` is a reduced replication for 2 CPU
cores; ``smoke`` exercises every code path on tiny data. ``epochs`` is the plain pre-training every variant
starts from, ``finetune_epochs`` the further epochs each variant (the λ = 0 baseline included) then trains.
"""

from latent_geometry.runtime.params import (
    Param,
    all_of,
    at_least,
    each,
    in_range,
    non_empty,
    non_negative,
    one_of,
    positive,
)
from latent_geometry.runtime.specs.common import device_param, seed_param, training_params

# Mirrors of latent_geometry.learning.data.synthetic.PLANE_KINDS and latent_geometry.experiments.ch2.recipe.FUNCTIONALS (kept
# literal so that resolving any chapter's config imports no model code; tests/test_ricci_objectives.py checks them).
PLANE_KINDS = ("uniform_qr", "haar")
FUNCTIONALS = ("authors", "data", "uniform", "F", "W")

PARAMS = (
    seed_param(),
    device_param(),
    Param("n_seeds", int, {"smoke": 2, "laptop": 3, "paper": 5}, check=positive,
          help="training seeds seed, seed+1, …: metric tables report means and bootstrap CIs over them"),
    Param("n_per_plane", int, {"smoke": 100, "laptop": 1000, "paper": 6000}, check=positive,
          help="points per Gaussian plane (the authors: 6000)"),
    Param("ambient_dim", int, default=784, check=at_least(3),
          help="D of the Gaussian-planes data (the authors: 784)"),
    Param("planes", str, default="uniform_qr", check=one_of(*PLANE_KINDS),
          help="'uniform_qr' = the authors' QR(torch.rand) planes (quirk kept), 'haar' = Haar-random planes"),
    Param("n_roll", int, {"smoke": 240, "laptop": 3000, "paper": 18000}, check=positive,
          help="Swiss-roll points (the authors: 18000)"),
    Param("roll_noise", float, default=0.05, check=non_negative, help="Swiss-roll noise (the authors: 0.05)"),
    Param("hidden", tuple, {"smoke": (16,), "laptop": (64, 64), "paper": (512, 256, 128)}, item=int,
          check=all_of(non_empty, each(positive)), help="encoder widths; the decoder mirrors them"),
    *training_params(epochs={"smoke": 2, "laptop": 60, "paper": 30}, batch_size={"smoke": 64, "laptop": 64,
                     "paper": 32}, lr=3e-3),
    Param("finetune_epochs", int, {"smoke": 1, "laptop": 8, "paper": 10}, check=positive),
    Param("functionals", tuple, default=FUNCTIONALS, item=str, check=all_of(non_empty, each(one_of(*FUNCTIONALS))),
          help="curvature functionals compared with the baseline"),
    Param("lam_functionals", tuple, default=(10.0, 10.0, 10.0, 0.1, 0.1), item=float,
          check=all_of(non_empty, each(non_negative)), help="λ_curv of each functional, in the same order"),
    Param("lam_sweep", tuple, {"smoke": (1.0, 100.0), "laptop": (1.0, 10.0, 100.0, 1000.0),
                               "paper": (0.1, 1.0, 10.0, 100.0, 1000.0)}, item=float,
          check=all_of(non_empty, each(non_negative)), help="λ_curv values of the authors' functional (first seed)"),
    Param("n_curv", int, {"smoke": 8, "laptop": 32, "paper": 32}, check=at_least(2),
          help="latent points per step that carry the curvature term"),
    Param("tau", float, default=0.5, check=positive, help="time scale τ of Perelman's W"),
    Param("eps", float, default=0.0, check=non_negative, help="Tikhonov term g + eps·I in the curvature"),
    Param("flow_grid", int, {"smoke": 16, "laptop": 48, "paper": 64}, check=in_range(8, 256),
          help="grid points per side of the Ricci-flow illustration"),
    Param("embed_points", int, {"smoke": 150, "laptop": 1000, "paper": 3600}, check=positive,
          help="points in the t-SNE figure (the authors: the 3600 test points)"),
    Param("metric_points", int, {"smoke": 150, "laptop": 1000, "paper": 3000}, check=positive,
          help="held-out points per metric evaluation (trustworthiness costs O(N²) memory)"),
)


def _one_lambda_per_functional(values) -> str | None:
    if len(values["functionals"]) != len(values["lam_functionals"]):
        return (f"parameter 'lam_functionals' must hold one λ per entry of 'functionals' "
                f"({len(values['functionals'])}), got {len(values['lam_functionals'])}")
    return None


CROSS_CHECKS = (_one_lambda_per_functional,)
