"""Model spaces E², S², H² of any curvature K, their products, and the maps of seed 000.

Exponential and logarithmic maps at the base point and geodesic distances (seed 000, Table 1), the product metric
d² = Σ d_i² (seed 000, eq. (1)), in the ambient chart (the true surfaces in R³) or the κ-stereographic chart
(2 coordinates per component, continuous in K through 0; Bachmann et al. 2020). Signatures (``"H2xE2xS2"`` or
``(-1, 0, 1)``) name products in one vocabulary. ``ModelSpace`` and ``ProductManifold`` are thin classes over the
pure functions in ``maps``; the chart to use where is measured on the book's numerical-accuracy page.
"""

from latent_geometry.manifolds.maps import (
    ambient_to_stereographic,
    euclidean_dist,
    euclidean_expmap0,
    euclidean_logmap0,
    hyperboloid_dist,
    hyperboloid_expmap0,
    hyperboloid_logmap0,
    max_hyperbolic_radius,
    minkowski_inner,
    sphere_dist,
    sphere_expmap0,
    sphere_logmap0,
    stereographic_dist,
    stereographic_expmap0,
    stereographic_logmap0,
    stereographic_to_ambient,
)
from latent_geometry.manifolds.kappa import kappa_cos_sin, kappa_expmap0, kappa_product_expmap0
from latent_geometry.manifolds.model_space import CHARTS, ModelSpace
from latent_geometry.manifolds.product import ProductManifold
from latent_geometry.manifolds.signatures import (
    ALLOWED_COMPONENTS,
    UNIT_CURVATURES,
    canonical,
    component_name,
    format_signature,
    parse_signature,
)

__all__ = [
    "ALLOWED_COMPONENTS", "CHARTS", "UNIT_CURVATURES", "ModelSpace", "ProductManifold",
    "parse_signature", "format_signature", "canonical", "component_name",
    "minkowski_inner", "euclidean_expmap0", "euclidean_logmap0", "euclidean_dist",
    "sphere_expmap0", "sphere_logmap0", "sphere_dist",
    "hyperboloid_expmap0", "hyperboloid_logmap0", "hyperboloid_dist", "max_hyperbolic_radius",
    "stereographic_expmap0", "stereographic_logmap0", "stereographic_dist",
    "stereographic_to_ambient", "ambient_to_stereographic",
    "kappa_cos_sin", "kappa_expmap0", "kappa_product_expmap0",
]
