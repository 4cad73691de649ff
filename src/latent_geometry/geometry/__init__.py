"""Geometry of a decoder's pullback metric: derivatives, curvature, curvature functionals, Ricci flow.

For a decoder f: R^d → R^D the pullback metric is g = JᵀJ (seed 001, slide "Riemannian geometry"); its scalar
curvature R comes by the Gauss equation (second derivatives only) or by the Christoffel route the seed describes
(third derivatives), which agree to ~1e-14 in float64. The functionals are seed 001's ∫R² dμ (eq. (1)) and
Perelman's F and W (eqs. (2), (3)), and on a torus latent the flattening losses −λ(g) and the W deficit;
``ricci_flow`` is a conformal Ricci flow ∂ₜg = −2 Ric in two dimensions. ``distortion`` holds seed 002's relaxed
distortion (eq. (16)), ``reparametrize`` diffeomorphisms of the latent.
Everything takes any callable decoder (B, d) → (B, D) and differentiates it with ``torch.func``.
"""

from latent_geometry.geometry.activations import Sine
from latent_geometry.geometry.curvature import (
    METHODS,
    christoffel_derivatives,
    christoffel_symbols,
    intrinsic_scalar_curvature,
    metric_derivatives,
    ricci_tensor,
    riemann_tensor,
    scalar_curvature,
    scalar_curvature_and_metric,
    scalar_curvature_from_derivatives,
    scalar_from_ricci,
    second_fundamental_form,
)
from latent_geometry.geometry.functionals import (
    ESTIMATORS,
    GaussianPotential,
    MLPPotential,
    perelman_F,
    perelman_F_estimate,
    perelman_F_loss,
    perelman_W,
    perelman_W_estimate,
    perelman_W_loss,
    potential_and_gradient,
    squared_curvature,
    squared_curvature_estimate,
)
from latent_geometry.geometry.pullback import (
    hessian,
    jacobian,
    jacobian_and_hessian,
    metric_inverse,
    pullback_metric,
    volume_element,
)
from latent_geometry.geometry.distortion import metric_eigenvalues, relaxed_distortion, relaxed_distortion_hutchinson
from latent_geometry.geometry.functionals import effective_sample_size, perelman_log_weights
from latent_geometry.geometry.reparametrize import Reparametrized, Shear
from latent_geometry.geometry.ricci_flow import RicciFlowTrajectory, ricci_flow
from latent_geometry.geometry.torus import (
    TorusDecoder,
    TorusPotential,
    flatness_deficits,
    torus_F_loss,
    torus_lambda,
    torus_mu,
    torus_W_loss,
)

__all__ = [
    "Sine", "METHODS", "ESTIMATORS",
    "jacobian", "hessian", "jacobian_and_hessian", "pullback_metric", "metric_inverse", "volume_element",
    "second_fundamental_form", "scalar_curvature", "scalar_curvature_and_metric", "scalar_curvature_from_derivatives",
    "metric_derivatives", "christoffel_symbols", "christoffel_derivatives", "riemann_tensor", "ricci_tensor",
    "scalar_from_ricci", "intrinsic_scalar_curvature",
    "squared_curvature", "squared_curvature_estimate", "potential_and_gradient", "MLPPotential", "GaussianPotential",
    "perelman_F", "perelman_W", "perelman_F_estimate", "perelman_W_estimate", "perelman_F_loss", "perelman_W_loss",
    "RicciFlowTrajectory", "ricci_flow",
    "effective_sample_size", "perelman_log_weights",
    "TorusDecoder", "TorusPotential", "flatness_deficits", "torus_lambda", "torus_mu", "torus_F_loss", "torus_W_loss",
    "metric_eigenvalues", "relaxed_distortion", "relaxed_distortion_hutchinson", "Reparametrized", "Shear",
]
