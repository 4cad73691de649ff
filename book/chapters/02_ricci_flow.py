# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. Metric regularization of latent spaces via Ricci-type flows
#
# Seed 001 is a slide deck (A. Lazarev, IMT Toulouse, 16/11/2023; advisors R. Chhaibi and F. Costantino). An
# autoencoder's decoder $\Psi$ pulls the Euclidean metric back to the latent space, $g = \nabla\Psi^\top\nabla\Psi$,
# and the deck proposes to regularize that metric with a curvature functional — $\int_M R^2\,d\mu$ (1), or
# Perelman's $\mathcal{F}$ (2) and $\mathcal{W}$ (3) — added to the reconstruction loss,
# $\mathcal{L} = \lambda_{\text{recon}}\,\text{MSE} + \lambda_{\text{curv}}\,\mathcal{L}_{\text{curv}}$, "following
# Perelman's view of Ricci flow as a gradient flow". It states two goals on two toy datasets: *realign three
# Gaussian clouds, living in random 2-D planes of $\mathbb{R}^{784}$, on one plane without distortion*, and *unroll
# the Swiss roll without tearing*. The deck shows figures only, no numbers.
#
# What the authors' code did (notes on seed 001, §0): only functional (1) was ever implemented, estimated as the
# mean of $R^2\sqrt{\det g}$ at encoded points — an estimator that is not coordinate-invariant; $\mathcal{F}$ and
# $\mathcal{W}$ never were, so every result for them below is **our reading** (a learned potential, the decoder
# ascending the functional as Ricci flow does). The scalar curvature needs only $\nabla\Psi$ and $\nabla^2\Psi$ (Gauss
# equation), not $\nabla^3\Psi$ as the slide says; both routes are in the library and checked against each other
# below. Decoders use `sin` activations: a ReLU decoder has $R \equiv 0$.
#
# Every metric that scores the two goals is **ours** (the seed has none); each is named where it is used.

# %% tags=["parameters"]
profile = "laptop"  # smoke | laptop | paper
seed = None  # None: the profile's value
device = None  # auto | cpu | cuda
n_seeds = None
n_per_plane = None
ambient_dim = None
planes = None  # uniform_qr (the authors' generator) | haar
n_roll = None
roll_noise = None
hidden = None
epochs = None  # plain pre-training
batch_size = None
lr = None
finetune_epochs = None  # each variant, the baseline included
functionals = None  # subset of ("authors", "data", "uniform", "F", "W")
lam_functionals = None  # one λ_curv per functional
lam_sweep = None
n_curv = None
tau = None
eps = None
flow_grid = None
embed_points = None
metric_points = None

# %%
import warnings

import pandas as pd
import torch
from IPython.display import Markdown
from myst_nb import glue

from latent_geometry.runtime.config import chapter_parameters, make_config
from latent_geometry.runtime.provenance import Run

# torch warns from inside itself the first time forward-mode AD runs (it scripts its decompositions)
warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")

cfg = make_config("ch2", profile, **chapter_parameters("ch2", globals()))
run = Run(cfg)

# %% [markdown]
# ## The datasets, as the authors generated them
#
# **Three Gaussians in random planes.** Each class $j$ draws $y \sim \mathcal{N}(0, I_2)$ and embeds it as
# $x = Q_j y + s_j$ in $\mathbb{R}^D$, with a small random shift $s_j$. The authors' planes $Q_j$ come from the QR
# factorization of `torch.rand(D, 2)` — uniform $[0, 1]$ entries — so every plane contains a direction close to
# $(1,\dots,1)/\sqrt{D}$: the "random" planes are strongly aligned. We keep that quirk (parameter `planes`), and
# show Haar-random planes beside it. The ground truth of each point is its plane coordinate $y$, exactly.
#
# **Swiss roll.** scikit-learn's `make_swiss_roll` (the authors' call: noise 0.05, `random_state=1`); its isometric
# coordinates are the arc length $s(t)$ of the spiral $t \mapsto (t\cos t, t\sin t)$ and the height $h$.

# %%
from latent_geometry.learning.data.synthetic import gaussian_planes, max_principal_cosines, random_planes, swiss_roll

gauss = gaussian_planes(cfg.n_per_plane, D=cfg.ambient_dim, planes=cfg.planes, seed=cfg.seed)
roll = swiss_roll(cfg.n_roll, noise=cfg.roll_noise, seed=cfg.seed + 1)  # seed 0 -> the authors' random_state=1
quirk_cos = max_principal_cosines(random_planes(3, 784, torch.Generator().manual_seed(cfg.seed), "uniform_qr"))
haar_cos = max_principal_cosines(random_planes(3, 784, torch.Generator().manual_seed(cfg.seed), "haar"))
glue("ch2_quirk_cos_min", float(quirk_cos.min()), display=False)
glue("ch2_quirk_cos_max", float(quirk_cos.max()), display=False)
glue("ch2_haar_cos_max", float(haar_cos.max()), display=False)
glue("ch2_n_gauss", len(gauss), display=False)
glue("ch2_n_roll", len(roll), display=False)
glue("ch2_planes", Markdown(f"`{cfg.planes}`"), display=False)  # markdown: strings render unquoted

# %% [markdown]
# Between the three `torch.rand` planes in $D = 784$ the largest principal-angle cosines lie between
# {glue:text}`ch2_quirk_cos_min:.2f` and {glue:text}`ch2_quirk_cos_max:.2f`; for Haar-random planes the largest is
# {glue:text}`ch2_haar_cos_max:.2f`. This page uses {glue:text}`ch2_n_gauss` Gaussian points
# (planes: {glue:md}`ch2_planes`) and {glue:text}`ch2_n_roll` Swiss-roll points.
#
# The seed's "3D representation" slides: the same generator in $D = 3$ (the authors' illustration used a larger
# shift, standard deviation 2, and variance 0.75), and the roll coloured by $t$.

# %%
from latent_geometry.experiments.ch2.figures import scatter3d_figure

gauss3 = gaussian_planes(min(cfg.n_per_plane, 2000), D=3, var_class=0.75, interclass_sd=2.0, seed=cfg.seed)
scatter3d_figure(gauss3.x, gauss3.labels, "three Gaussians in planes of R³", azim=155, elev=15);

# %%
scatter3d_figure(roll.x, roll.t, "Swiss roll, coloured by t", azim=-70, elev=15);

# %% [markdown]
# ## Training: one baseline, one regularized autoencoder per functional, a λ sweep
#
# The autoencoder is the authors' 2023 curvature AE (notes §5.2): encoder $D$–hidden–2 with `sin` after every layer,
# including the last (codes in $[-1, 1]^2$, which fixes the latent scale that the authors' estimator is sensitive
# to), and the mirrored decoder with a linear output. Each seed first trains a plain autoencoder (`epochs`); every
# variant then continues from it for `finetune_epochs` epochs — the baseline with $\lambda_{\text{curv}} = 0$, the
# others with one curvature functional — so all get the same amount of training. (The deck's "AE latent space"
# came from a vanilla AE with LeakyReLU layers, whose pullback metric has $R \equiv 0$; our baseline is the same
# `sin` autoencoder as the regularized ones, with $\lambda_{\text{curv}} = 0$.) The curvature term uses the
# detached codes of the batch (the authors' final choice) or uniform samples of $[-1, 1]^2$:
#
# | functional | estimates | status |
# | --- | --- | --- |
# | `authors` | mean $R^2\sqrt{\det g}$ at codes | eq. (1) as the authors coded it |
# | `data` | mean $R^2$ at codes $= \int R^2 d\mu$, $\mu$ the code distribution | ours: coordinate-invariant |
# | `uniform` | $\int_{[-1,1]^2} R^2\, dV_g$ | ours: coordinate-invariant |
# | `F`, `W` | $-\mathcal{F}(g, f)$, $-\mathcal{W}(g, f, \tau)$, learned $f$ | ours: eqs. (2), (3); decoder ascends, $f$ descends |
#
# Optimizer: the book's training loop (Adam); the authors used RMSprop. The λ values per functional are ours
# (the functionals have different scales); the λ sweep uses the authors' functional on the first seed.

# %%
from latent_geometry.experiments.ch2.recipe import split_indices, summary_table, train_variants

seeds = list(range(cfg.seed, cfg.seed + cfg.n_seeds))
BASELINE = "baseline (λ=0)"
variants = [(BASELINE, None, 0.0)] + [(f"{f} (λ={lam:g})", f, lam)
                                      for f, lam in zip(cfg.functionals, cfg.lam_functionals)]
sweep = [(f"authors (λ={lam:g})", "authors", lam) for lam in cfg.lam_sweep
         if f"authors (λ={lam:g})" not in {v[0] for v in variants}]
side = torch.linspace(-0.9, 0.9, 8)
probe = torch.stack(torch.meshgrid(side, side, indexing="ij"), -1).reshape(-1, 2)  # fixed latent probe grid

results, splits = {}, {}
for name, data in (("gaussians", gauss), ("roll", roll)):
    splits[name] = split_indices(len(data), seed=cfg.seed)
    results[name] = train_variants(
        data, *splits[name], variants, seeds=seeds, hidden=cfg.hidden, epochs=cfg.epochs,
        finetune_epochs=cfg.finetune_epochs, batch_size=cfg.batch_size, lr=cfg.lr, n_curv=cfg.n_curv, tau=cfg.tau,
        eps=cfg.eps, probe_points=probe, metric_points=cfg.metric_points, first_seed_variants=sweep,
        device=run.device,
    )


def pick(dataset, name, seed=seeds[0]):
    return next(v for v in results[dataset] if v.name == name and v.seed == seed)


REGULARIZED = variants[1][0] if len(variants) > 1 else BASELINE  # the authors' functional when it is listed
glue("ch2_seeds", len(seeds), display=False)
glue("ch2_regularized", Markdown(REGULARIZED), display=False)
glue("ch2_train_seconds", sum(v.history.seconds for r in results.values() for v in r), display=False)

# %% [markdown]
# {glue:text}`ch2_seeds` seeds per variant; total training time {glue:text}`ch2_train_seconds:.0f` s. The figures
# below show the first seed; "regularized" is {glue:md}`ch2_regularized`.
#
# ## Synthetic Gaussians: the seed's figures and ours
#
# The slides show the data's t-SNE embedding, the AE latent space and an "ideal 2D representation" (each cloud an
# undistorted copy of its plane, one common scale; where the clouds sit is arbitrary). We add the latent space of the
# curvature-regularized AE.

# %%
from latent_geometry.experiments.ch2.figures import ideal_layout, panels_figure, tsne_embedding


def codes(model, x):
    model.eval()
    with torch.no_grad():
        return model.encode(x.to(next(model.parameters()).device)).cpu()


val_g = splits["gaussians"][1][: cfg.embed_points]
tsne_g = tsne_embedding(gauss.x[val_g], seed=123)  # the authors' TSNE(random_state=123) on the test points
panels_figure([
    (tsne_g, gauss.labels[val_g], "t-SNE of the data"),
    (codes(pick("gaussians", BASELINE).model, gauss.x[val_g]), gauss.labels[val_g], "AE latent space"),
    (codes(pick("gaussians", REGULARIZED).model, gauss.x[val_g]), gauss.labels[val_g], f"{REGULARIZED}"),
    (ideal_layout(gauss.coords[val_g], gauss.labels[val_g]), gauss.labels[val_g], "ideal 2-D representation"),
]);

# %% [markdown]
# ## Swiss roll: unrolled or not
#
# The same panels for the roll, coloured by $t$; the last panel is the unrolled sheet $(s, h)$ — what "unrolling
# without tearing" would produce up to a similarity.

# %%
val_r = splits["roll"][1][: cfg.embed_points]
tsne_r = tsne_embedding(roll.x[val_r], perplexity=40.0, seed=0)  # the authors' settings for the roll
panels_figure([
    (tsne_r, roll.t[val_r], "t-SNE of the data"),
    (codes(pick("roll", BASELINE).model, roll.x[val_r]), roll.t[val_r], "AE latent space"),
    (codes(pick("roll", REGULARIZED).model, roll.x[val_r]), roll.t[val_r], f"{REGULARIZED}"),
    (roll.coords[val_r], roll.t[val_r], "unrolled sheet (s, h)"),
]);

# %% [markdown]
# ## Ricci flow of a learned latent metric, and its discrete counterpart in training
#
# The slides' "Ricci flow on manifolds" figure, for the baseline Swiss-roll decoder. In two dimensions Ricci flow
# stays in a conformal class: for $g = e^{2u}g_0$, $\partial_t u = e^{-2u}\Delta u$ and $R = -2e^{-2u}\Delta u$.
# We fit the conformal factor of the decoder's pullback metric on the latent box, $u = \tfrac14\log\det g$ (same
# area element), which drops the metric's anisotropy $\kappa = \lambda_{\max}/\lambda_{\min}$ (shown on the right),
# reflect the box evenly into a torus (the flow then has Neumann conditions on the box) and flow: a pseudo-spectral,
# area-conserving exponential integrator, stable for any step (`latent_geometry.geometry.ricci_flow`). The flow ends at the
# flat metric with the same area.

# %%
from latent_geometry.experiments.ch2.figures import flow_figure, training_trajectory_figure
from latent_geometry.geometry.ricci_flow import even_extension, flattening_time, pullback_conformal_factor, ricci_flow

flow_model = pick("roll", BASELINE).model.cpu()
_, u_box, kappa_box = pullback_conformal_factor(flow_model.decoder, (-1.0, -1.0), (1.0, 1.0), n=cfg.flow_grid)
u_torus = even_extension(u_box)
t_flat = flattening_time(u_torus, length=4.0, decades=4)
flow = ricci_flow(u_torus, t_final=t_flat, dt=t_flat / 2000, length=4.0, n_snapshots=9, spacing="geometric")
glue("ch2_flow_kappa_median", float(kappa_box.median()), display=False)
glue("ch2_flow_R0", float(flow.max_abs_curvature[0]), display=False)
glue("ch2_flow_R_end", float(flow.max_abs_curvature[-1]), display=False)
glue("ch2_flow_area_drift", float((flow.area / flow.area[0] - 1).abs().max()), display=False)
flow_figure(flow, kappa_box, n_show=4, crop=tuple(u_box.shape));

# %% [markdown]
# The even reflection makes $u$ continuous but not smooth across the box's edges, so $R$ at $t = 0$ carries a
# frame of large values there (the boundary's geodesic curvature, in this picture); the flow smooths it first.
# The flow takes max $|R|$ from {glue:text}`ch2_flow_R0:.3g` to {glue:text}`ch2_flow_R_end:.2g` while the area
# changes by at most {glue:text}`ch2_flow_area_drift:.1e` (relative). The conformal fit drops an anisotropy of
# median $\kappa$ = {glue:text}`ch2_flow_kappa_median:.2f`: the decoder's metric is not conformal in its latent
# coordinates, so this picture flows only the area element.
#
# The discrete counterpart is the training itself: the curvature probe below evaluates the decoder on a fixed
# latent grid before (epoch 0) and after every fine-tuning epoch — the authors' $\int R^2 d\mu$ estimator and the
# median $\kappa(g)$ — for the baseline and the regularized roll decoders.

# %%
from latent_geometry.experiments.ch2.recipe import curvature_probe

traj_names = [BASELINE, REGULARIZED]
start = curvature_probe(probe)(0, pick("roll", "pretrained").model)  # epoch 0: the shared pre-trained model
curves = [[start, *pick("roll", n).history.extra] for n in traj_names]
training_trajectory_figure(curves, labels=traj_names, first_epoch=0);
reg_curve = curves[1]
glue("ch2_traj_curv_first", float(reg_curve[0]["curv_authors"]), display=False)
glue("ch2_traj_curv_last", float(reg_curve[-1]["curv_authors"]), display=False)
glue("ch2_traj_kappa_last", float(reg_curve[-1]["median_kappa"]), display=False)

# %% [markdown]
# For {glue:md}`ch2_regularized` the probe's estimator goes from {glue:text}`ch2_traj_curv_first:.3g` for
# the pre-trained model to {glue:text}`ch2_traj_curv_last:.3g` after the last, with median anisotropy
# {glue:text}`ch2_traj_kappa_last:.2f` at the end. Unlike the flow above, training lowers curvature only where it
# is measured and trades it against reconstruction; nothing forces the metric to become conformal.
#
# ## Metrics with seeds and confidence intervals (ours)
#
# Held-out points; mean over seeds and a 95 % percentile-bootstrap interval (with few seeds the interval is narrow by
# construction: it cannot exceed the range of the seeds' values). Columns: reconstruction $R^2 = 1 - $ MSE/Var;
# per-class Procrustes disparity (residual after the best similarity, 0 ideal) and the ratio of the per-class
# scales (1: one common scale); trustworthiness $T$ and continuity $C$ (scikit-learn, $k = 10$; $C < 1$ means
# tearing, $T < 1$ folding); $R^2$ of the affine regression of the ground truth on the codes and Spearman $\rho$
# of pairwise distances (1 when unrolled); median condition number $\kappa(g)$ (1 for a conformal decoder); mean
# $|R|$ and the authors' estimator at the codes.

# %%
from latent_geometry.experiments.ch2.figures import format_summary

GAUSS_METRICS = ["recon_R2", "disparity", "scale_ratio", "trustworthiness", "continuity", "median_kappa",
                 "mean_abs_R", "curv_authors"]
ROLL_METRICS = ["recon_R2", "affine_R2", "distance_spearman", "trustworthiness", "continuity", "disparity",
                "median_kappa", "mean_abs_R", "curv_authors"]
main_names = [v[0] for v in variants]
table_g = summary_table([v for v in results["gaussians"] if v.name in main_names], GAUSS_METRICS)
table_r = summary_table([v for v in results["roll"] if v.name in main_names], ROLL_METRICS)
print("Synthetic Gaussians")
format_summary(table_g, GAUSS_METRICS)

# %%
print("Swiss roll")
for metric in ("curv_authors", "recon_R2", "median_kappa", "trustworthiness"):
    glue(f"ch2_roll_base_{metric}", float(table_r.loc[BASELINE, metric]), display=False)
    glue(f"ch2_roll_reg_{metric}", float(table_r.loc[REGULARIZED, metric]), display=False)
format_summary(table_r, ROLL_METRICS)

# %% [markdown]
# On the roll, {glue:md}`ch2_regularized` takes the authors' curvature estimate from
# {glue:text}`ch2_roll_base_curv_authors:.3g` (baseline) to {glue:text}`ch2_roll_reg_curv_authors:.3g`, at a
# reconstruction $R^2$ of {glue:text}`ch2_roll_reg_recon_R2:.3f` against {glue:text}`ch2_roll_base_recon_R2:.3f`;
# the median anisotropy $\kappa(g)$ goes from {glue:text}`ch2_roll_base_median_kappa:.2f` to
# {glue:text}`ch2_roll_reg_median_kappa:.2f` and trustworthiness from
# {glue:text}`ch2_roll_base_trustworthiness:.3f` to {glue:text}`ch2_roll_reg_trustworthiness:.3f`. Nothing in
# the loss asks the codes to follow the sheet's own coordinates, and a flatter metric need not be a conformal one;
# whether the smaller curvature integral buys a more faithful chart is what the verdicts below measure.
#
# ## The λ sweep: reconstruction against curvature
#
# The authors' functional with increasing $\lambda_{\text{curv}}$ (first seed): each point is one model.

# %%
from latent_geometry.experiments.ch2.figures import tradeoff_figure

sweep_names = [BASELINE] + [n for n, f, _ in variants[1:] + sweep if f == "authors"]
sweep_rows = {ds: sorted(({"lam": pick(ds, n).lam_curv, **pick(ds, n).metrics} for n in sweep_names),
                         key=lambda r: r["lam"]) for ds in results}
tradeoff_figure(sweep_rows["gaussians"], title="Gaussians: λ sweep (authors' functional)");

# %%
tradeoff_figure(sweep_rows["roll"], title="Swiss roll: λ sweep (authors' functional)");
lam_max = sweep_rows["roll"][-1]
glue("ch2_sweep_lam_max", float(lam_max["lam"]), display=False)
glue("ch2_sweep_curv_ratio_roll",
     float(lam_max["curv_authors"] / max(sweep_rows["roll"][0]["curv_authors"], 1e-300)), display=False)
glue("ch2_sweep_recon_roll_0", float(sweep_rows["roll"][0]["recon_R2"]), display=False)
glue("ch2_sweep_recon_roll_max", float(lam_max["recon_R2"]), display=False)
glue("ch2_sweep_kappa_roll_0", float(sweep_rows["roll"][0]["median_kappa"]), display=False)
glue("ch2_sweep_kappa_roll_max", float(lam_max["median_kappa"]), display=False)

# %% [markdown]
# On the roll, λ = {glue:text}`ch2_sweep_lam_max:g` multiplies the authors' curvature estimate by
# {glue:text}`ch2_sweep_curv_ratio_roll:.2g` relative to λ = 0, while the reconstruction $R^2$ moves from
# {glue:text}`ch2_sweep_recon_roll_0:.3f` to {glue:text}`ch2_sweep_recon_roll_max:.3f` and the median anisotropy
# $\kappa(g)$ from {glue:text}`ch2_sweep_kappa_roll_0:.2f` to {glue:text}`ch2_sweep_kappa_roll_max:.2f`.
#
# ## Verdicts on the seed's two goals
#
# Thresholds are ours: goal 1 is met when a regularized model's mean per-class disparity is below 0.05 and its
# scale ratio below 1.25; goal 2 when the affine $R^2$ of $(s, h)$ on the codes exceeds 0.9 and continuity exceeds
# 0.95. Each regularized variant is also compared with the baseline seed by seed (paired bootstrap interval of the
# difference).

# %%
from latent_geometry.experiments.ch2.recipe import goal_table

goal1_checks = [("disparity", "<", 0.05), ("scale_ratio", "<", 1.25)]
goal2_checks = [("affine_R2", ">", 0.9), ("continuity", ">", 0.95)]
verdict_g = goal_table(results["gaussians"], table_g, goal1_checks, "disparity", BASELINE)
verdict_r = goal_table(results["roll"], table_r, goal2_checks, "affine_R2", BASELINE)
goal1 = "reproduced" if (verdict_g.drop(index=BASELINE)["goal met"] == "yes").any() else "not reproduced"
goal2 = "reproduced" if (verdict_r.drop(index=BASELINE)["goal met"] == "yes").any() else "not reproduced"
glue("ch2_goal1", Markdown(goal1), display=False)
glue("ch2_goal2", Markdown(goal2), display=False)
glue("ch2_base_disparity", float(table_g.loc[BASELINE, "disparity"]), display=False)
glue("ch2_base_scale_ratio", float(table_g.loc[BASELINE, "scale_ratio"]), display=False)
glue("ch2_best_disparity", float(table_g.drop(index=BASELINE)["disparity"].min()), display=False)
glue("ch2_base_affine", float(table_r.loc[BASELINE, "affine_R2"]), display=False)
glue("ch2_best_affine", float(table_r.drop(index=BASELINE)["affine_R2"].max()), display=False)
verdict_g

# %%
verdict_r

# %% [markdown]
# **Goal 1, realign the Gaussian clouds on one plane without distortion: {glue:md}`ch2_goal1`.** The baseline's
# mean per-class disparity is {glue:text}`ch2_base_disparity:.3f` with scale ratio
# {glue:text}`ch2_base_scale_ratio:.2f`; the best regularized variant reaches {glue:text}`ch2_best_disparity:.3f`.
#
# **Goal 2, unroll the Swiss roll without tearing: {glue:md}`ch2_goal2`.** The affine $R^2$ of the unrolled
# coordinates on the codes is {glue:text}`ch2_base_affine:.3f` for the baseline and at best
# {glue:text}`ch2_best_affine:.3f` with a curvature penalty. Our argument for why: the roll is intrinsically flat,
# so the pullback metric of *any* decoder that reproduces it — unrolled chart or folded one — has $R = 0$; a penalty
# on the intrinsic curvature of the latent metric cannot tell the two apart.
#
# ## Claims
#
# The scalar-curvature claim is checked on the trained baseline roll decoder (float64 copy, held-out codes): the
# seed's Christoffel route ($\nabla\Psi, \nabla^2\Psi, \nabla^3\Psi$) against the Gauss route (second derivatives only).

# %%
import copy

from latent_geometry.geometry import scalar_curvature

decoder64 = copy.deepcopy(flow_model.decoder).double()
z_check = codes(flow_model, roll.x[val_r][:64]).double()
r_gauss = scalar_curvature(decoder64, z_check, method="gauss").detach()
r_chris = scalar_curvature(decoder64, z_check, method="christoffel").detach()
route_gap = float((r_gauss - r_chris).abs().max() / r_chris.abs().max())  # relative to the largest |R|
glue("ch2_route_gap", route_gap, display=False)


def fmt(table, name, metric):
    return f"{table.loc[name, metric]:.3g}"


baseline_organized = table_g.loc[BASELINE, "disparity"] < 0.05 and table_g.loc[BASELINE, "scale_ratio"] < 1.25
flow_flat = bool(flow.max_abs_curvature[-1] < 1e-3 * flow.max_abs_curvature[0])


claims = pd.DataFrame([
    {"claim (seed 001)": "R = F(∇Ψ, ∇²Ψ, ∇³Ψ)",
     "our evidence": f"Gauss route (∇Ψ, ∇²Ψ only) = Christoffel route to {route_gap:.1e} relative",
     "verdict": "true, but ∇³Ψ is not needed" if route_gap < 1e-8 else "routes disagree"},
    {"claim (seed 001)": "the AE latent space is unorganized",
     "our evidence": f"baseline disparity {fmt(table_g, BASELINE, 'disparity')}, scale ratio "
                     f"{fmt(table_g, BASELINE, 'scale_ratio')}; roll affine R² {fmt(table_r, BASELINE, 'affine_R2')}",
     "verdict": "not reproduced" if baseline_organized else "reproduced"},
    {"claim (seed 001)": "goal 1: curvature regularization realigns the Gaussian clouds without distortion",
     "our evidence": f"best regularized disparity {table_g.drop(index=BASELINE)['disparity'].min():.3g}",
     "verdict": goal1},
    {"claim (seed 001)": "goal 2: it unrolls the Swiss roll without tearing",
     "our evidence": f"best regularized affine R² {table_r.drop(index=BASELINE)['affine_R2'].max():.3g}",
     "verdict": goal2},
    {"claim (seed 001)": "F and W as regularizers (eqs. (2), (3))",
     "our evidence": "never implemented by the authors; our reading trained above (tables)",
     "verdict": "our reading only"},
    {"claim (seed 001)": "Ricci flow drives a latent metric to a flat one",
     "our evidence": f"conformal flow of the learned factor: max|R| {flow.max_abs_curvature[0]:.3g} → "
                     f"{flow.max_abs_curvature[-1]:.2g}, area conserved to {float((flow.area / flow.area[0] - 1).abs().max()):.0e}",
     "verdict": "illustrated (conformal part only)" if flow_flat else "not flat at the end of the run"},
]).set_index("claim (seed 001)")
claims

# %%
run.finish();
