# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# (numerical-accuracy)=
# # Numerical accuracy
#
# The model spaces of chapter 1 can be represented in two charts: the *ambient* chart (the sphere and the
# hyperboloid in $\mathbb{R}^3$) and the *κ-stereographic* chart (two coordinates per component, the Poincaré disc
# for $\mathbb{H}^2$). In exact arithmetic both give the same geodesic distances. In floating point they do not,
# and which one to use depends on how far from the base point the latents go. This appendix measures the
# distances of `latent_geometry.manifolds` against a high-precision reference and states where each chart can be
# trusted.

# %% tags=["parameters"]
profile = "laptop"

# %% tags=["remove-input"]
from latent_geometry.runtime.config import make_config
from latent_geometry.runtime.provenance import Run

run = Run(make_config("numerical_accuracy", profile))

# %% [markdown]
# ## What is measured
#
# For each space ($\mathbb{E}^2$, $\mathbb{S}^2$ and $\mathbb{H}^2$ with $K = 0, \pm 1$), chart and dtype, latent
# vectors $u$ are drawn in bins of the radius $\theta = \sqrt{|K|}\,\lVert u\rVert$, mapped by `expmap0`, and
# paired in three ways: a point with itself, a point with one at geodesic distance {glue:text}`acc_gap` in a random
# direction, and two independent points of the same bin. Both latents are rounded to the dtype first, and the
# reference is the exact distance between the points of these rounded latents, computed with mpmath at
# {glue:text}`acc_digits` significant digits from a haversine form with no cancellation. The error of a pair is
# $|d - d_{\mathrm{ref}}| / \max(d_{\mathrm{ref}}, 1)$: relative, and absolute below distance 1. Each bin holds
# {glue:text}`acc_pairs_per_bin` pairs of each kind, and a bin passes when its largest error is at most
# {glue:text}`acc_tolerance:.0e`. The bins reach the largest radius the hyperboloid's exponential map allows,
# $\theta_{\max} =$ {glue:text}`acc_theta_max32:.1f` in float32 and {glue:text}`acc_theta_max64:.1f` in float64.

# %%
from latent_geometry.experiments.glue import glue_values
from latent_geometry.experiments.accuracy_figures import error_figure
from latent_geometry.manifolds.accuracy import (PAIRS_PER_BIN, accurate_ranges, distance_accuracy,
                                                headline)

table = distance_accuracy(PAIRS_PER_BIN[profile])
summary = accurate_ranges(table)
values = headline(table, summary)
glue_values("acc", values)

view = summary[summary["space"] != "E2"].pivot_table(index=["space", "chart"], columns=["dtype", "pair"],
                                                      values="accurate_to", sort=False)
view.style.format("{:g}").set_caption("θ up to which every bin has error ≤ tolerance (from θ = 0)")

# %% [markdown]
# The table gives, for each chart, dtype and kind of pair, the radius $\theta$ up to which every bin passes. A
# point and itself are at distance exactly zero in every chart, space and dtype (worst error
# {glue:text}`acc_identical_worst:g`), and $\mathbb{E}^2$ is exact to rounding everywhere (worst error
# {glue:text}`acc_e_worst:.1e`), so it is left out of the table. The figure shows how the errors of $\mathbb{H}^2$
# grow with $\theta$.

# %%
error_figure(table);

# %% [markdown]
# ## Which chart where
#
# **Hyperbolic plane.** The ambient chart computes the distance from the spatial coordinates by the hyperbolic
# haversine formula, a sum of two non-negative terms, so nothing cancels. Two independent points of a bin, which
# are nearly always far apart, are accurate over the whole range in float64 (every bin passes, up to
# $\theta =$ {glue:text}`acc_ambient64_random_to:g`, largest median error {glue:text}`acc_ambient64_random_median:.0e`).
# In float32 their typical error stays at rounding level over the whole range (largest median error per bin
# {glue:text}`acc_ambient32_random_median:.0e`); the worst pair of every bin passes up to $\theta =$
# {glue:text}`acc_ambient32_random_to:g`, beyond which an occasional pair at a small angle meets the limit described
# next. Pairs {glue:text}`acc_gap` apart stay accurate up to $\theta =$ {glue:text}`acc_ambient32_near_to:g` in
# float32 and {glue:text}`acc_ambient64_near_to:g` in float64. Beyond that, the points themselves are too coarse: a
# coordinate with relative precision $\varepsilon$ places a point only to $\varepsilon \sinh\theta$ in the angular
# direction. This reaches {glue:text}`acc_gap` at $\theta \approx$ {glue:text}`acc_resolution32:.1f` in float32 and
# {glue:text}`acc_resolution64:.1f` in float64, and no chart can do better.
#
# The Poincaré disc stores $1 - \sqrt{-K}\lVert p\rVert \approx 2e^{-\theta}$ only to $\varepsilon$, so its errors
# grow like $\varepsilon e^{\theta}$. Nearby pairs stay accurate up to $\theta =$
# {glue:text}`acc_stereo32_near_to:g` in float32 and {glue:text}`acc_stereo64_near_to:g` in float64. Distant pairs
# fail much earlier, beyond $\theta =$ {glue:text}`acc_stereo32_random_to:g` in float32 (largest error
# {glue:text}`acc_stereo32_random_at4:.0e` for $\theta$ in {glue:text}`acc_bin4` and
# {glue:text}`acc_stereo32_random_at8:.1f` in {glue:text}`acc_bin8`) and beyond {glue:text}`acc_stereo64_random_to:g`
# in float64 ({glue:text}`acc_stereo64_random_at16:.0e` in {glue:text}`acc_bin16`). From $\theta \approx$
# {glue:text}`acc_saturation32:.1f` (float32) and {glue:text}`acc_saturation64:.1f` (float64) every point rounds
# onto the boundary circle: distances are capped and their gradients vanish.
#
# **Sphere.** Both charts are accurate in float64 over the whole range (worst error
# {glue:text}`acc_s64_worst:.0e`). In float32 they are accurate up to $\theta =$ {glue:text}`acc_s32_to:g`. Beyond
# that the error grows like $\varepsilon\,\theta$, the rounding of $\lVert u\rVert$ itself. The stereographic
# distance uses $(1 + K\langle p, q\rangle)^2 + K^2 (p \times q)^2$, which stays accurate near the antipode, where
# $p$ is large.
#
# **Advice.** Use the ambient chart for hyperbolic components whenever distances matter far from the base point.
# It is at least as accurate as the Poincaré disc for nearby points, and it stays accurate for distant points over
# the whole range, where the disc fails. Use float64 when nearby points far out must be told apart. The
# stereographic chart's advantages are structural (two coordinates per component, continuity in $K$ through 0), not
# numerical. The `latent_geometry.manifolds.maps` module docstring summarizes these ranges.

# %% tags=["remove-input"]
run.finish();
