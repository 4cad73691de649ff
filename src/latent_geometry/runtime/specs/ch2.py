"""Chapter 2 (seed 001, Ricci-type curvature regularization): parameters and their values per profile.

``paper`` is the authors' set-up (their code: 6 000 points per plane, 18 000 Swiss-roll points, sin MLP widths
512-256-128, RMSprop 1e-4 with momentum 0.8, batch 32, 30 epochs); ``laptop`` a faithful reduced version for 2 CPU
cores (smaller widths and data, Adam 3e-3 so that every seed's baseline is well trained in 60 epochs); ``smoke``
exercises every code path on tiny data. ``epochs`` is the plain training every variant starts from,
``finetune_epochs`` the further epochs each variant (the λ = 0 baseline included) then trains; the repository
experiment trains from the first epoch with the authors' later settings (``repo_*``).
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

# Mirrors of latent_geometry.learning.data.synthetic.PLANE_KINDS, learning.training.OPTIMIZERS/LR_SCHEDULES and
# experiments.ch2.objective.FUNCTIONALS (kept literal so that resolving any chapter's config imports no model code;
# tests/test_ricci_objectives.py checks them).
PLANE_KINDS = ("uniform_qr", "haar")
FUNCTIONALS = ("authors", "data", "uniform", "F", "W")
OPTIMIZERS = ("adam", "rmsprop")
LR_SCHEDULES = ("constant", "cosine")

PARAMS = (
    seed_param(),
    device_param(),
    Param("n_seeds", int, {"smoke": 2, "laptop": 5, "paper": 10}, check=at_least(2),
          help="training seeds seed, seed+1, …: tables report means and 95 % t-intervals over them"),
    Param("workers", int, {"smoke": 1, "laptop": 2, "paper": 1}, check=positive,
          help="processes that train seeds in parallel on the CPU (one torch thread each)"),
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
                     "paper": 32}, lr={"smoke": 3e-3, "laptop": 3e-3, "paper": 1e-4}),
    Param("optimizer", str, {"smoke": "adam", "laptop": "adam", "paper": "rmsprop"}, check=one_of(*OPTIMIZERS),
          help="'rmsprop' (with momentum) is the authors' optimizer"),
    Param("momentum", float, {"smoke": 0.0, "laptop": 0.0, "paper": 0.8}, check=in_range(0, 0.999),
          help="RMSprop momentum (0 with Adam)"),
    Param("lr_schedule", str, default="constant", check=one_of(*LR_SCHEDULES)),
    Param("input_scaling", bool, default=True,
          help="scale the encoder's first-layer init by √D / mean‖x‖ (our fix; False: PyTorch's default init)"),
    Param("finetune_epochs", int, {"smoke": 1, "laptop": 8, "paper": 10}, check=positive),
    Param("functionals", tuple, default=FUNCTIONALS, item=str, check=all_of(non_empty, each(one_of(*FUNCTIONALS))),
          help="curvature functionals of the calibrated sweeps (torus latent)"),
    Param("lam_scales", tuple, {"smoke": (1.0,), "laptop": (0.1, 1.0, 10.0), "paper": (0.01, 0.1, 1.0, 10.0, 100.0)},
          item=float, check=all_of(non_empty, each(positive)),
          help="sweep scales c: λ_f = c · recon_base / L_f(base) per functional and seed"),
    Param("n_curv", int, {"smoke": 8, "laptop": 32, "paper": 32}, check=at_least(2),
          help="latent points per step that carry the curvature term"),
    Param("tau_factor", float, default=1.0, check=positive,
          help="W's τ as a multiple of the matched τ (the latent variance in metric units, halved)"),
    Param("tau_grid", tuple, default=(0.5, 1.0, 2.0), item=float, check=all_of(non_empty, each(positive)),
          help="multiples of the matched τ at which the trained models' W deficit is re-evaluated"),
    Param("eps", float, default=0.0, check=non_negative, help="Tikhonov term g + eps·I in the curvature"),
    Param("grid_n", int, {"smoke": 12, "laptop": 32, "paper": 48}, check=in_range(8, 128),
          help="grid points per side for the curvature estimates after training (λ, μ, ∫R² dV)"),
    Param("potential_steps", int, {"smoke": 5, "laptop": 100, "paper": 300}, check=non_negative,
          help="Adam steps fitting the potential f to the baseline decoder before F/W fine-tuning"),
    Param("lam_unif", float, default=0.01, check=non_negative,
          help="weight of the TorusAE uniformity term (squared Fourier moments of the angles)"),
    Param("n_moments", int, default=4, check=positive, help="Fourier moments in the uniformity term"),
    Param("box_ascent", tuple, default=("F", "W"), item=str, check=each(one_of("F", "W")),
          help="F/W ascended on the box latent (the documented negative result); () to skip"),
    Param("box_lam", float, default=0.1, check=positive, help="λ of the box ascent"),
    Param("box_tau", float, default=0.5, check=positive, help="τ of the box ascent of W"),
    Param("repository", bool, default=True, help="run the authors' repository experiment on the roll"),
    Param("repo_epochs", int, {"smoke": 1, "laptop": 100, "paper": 30}, check=positive,
          help="epochs of the repository experiment (the authors: 30 on 14,400 points; laptop: 100 on 2,100 points, "
               "a similar number of steps)"),
    Param("repo_batch_size", int, {"smoke": 64, "laptop": 128, "paper": 128}, check=positive,
          help="batch size of the repository experiment (the authors: 128); the curvature uses the whole batch"),
    Param("repo_lr", float, default=1e-3, check=positive, help="Adam learning rate there (the authors: 1e-3)"),
    Param("repo_lam_unif", float, default=0.5, check=non_negative, help="their λ_unif (exp62/63: 0.5)"),
    Param("repo_lam_jac", float, default=0.0075, check=non_negative,
          help="their decoder Jacobian penalty (exp62/63: 0.0075)"),
    Param("repo_eps", float, default=0.1, check=non_negative,
          help="their Tikhonov term g + eps·I in the curvature during training (Swiss roll: 0.1)"),
    Param("lam_iso", float, default=1.0, check=positive,
          help="weight of the relaxed distortion in the isometry control"),
    Param("control_start", str, default="isomap", check=one_of("isomap", "random"),
          help="the isometry control starts from Isomap codes (encoder fitted, then decoder) or from random weights"),
    Param("isomap_neighbors", int, default=10, check=at_least(2), help="k of the Isomap graph"),
    Param("flow_grid", int, {"smoke": 16, "laptop": 48, "paper": 64}, check=in_range(8, 256),
          help="grid points per side of the Ricci-flow illustration"),
    Param("embed_points", int, {"smoke": 150, "laptop": 1000, "paper": 3600}, check=positive,
          help="points in the t-SNE figure (the authors: the 3600 test points)"),
    Param("metric_points", int, {"smoke": 150, "laptop": 600, "paper": 3000}, check=positive,
          help="held-out points per metric evaluation (trustworthiness costs O(N²) memory)"),
)


def _momentum_needs_rmsprop(values) -> str | None:
    if values["optimizer"] == "adam" and values["momentum"] != 0:
        return f"parameter 'momentum' must be 0 with optimizer 'adam' (it is RMSprop's), got {values['momentum']!r}"
    return None


CROSS_CHECKS = (_momentum_needs_rmsprop,)
