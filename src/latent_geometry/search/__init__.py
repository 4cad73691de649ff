"""The search over latent geometries: the Gromov–Hausdorff-weighted graph of products, its spectrum, and walks.

Nodes are products of E², S², H² (sorted curvature tuples, seed 000 §3.2); swap edges carry 1/d_GH with d_GH the
Hungarian-matched sum of Table 2 distances, resize edges a convention (``RESIZE_D_GH``). The node count is eq. (4).
``spectral`` gives the Laplacians, Fiedler vectors, stationary distribution and mixing of the walk P = D⁻¹W (§3.3),
all of one graph at once in ``spectral_summary``;
``walks`` the seed's random walks, its performance-based backtracking, the authors' depth-first search, random
search, greedy local search with restarts, and exact and simulated hitting times;
``bayesopt`` GP Bayesian optimization with the graph diffusion kernel exp(−βL) and expected improvement (COMBO/NLGS);
``replay`` the strategies replayed on a landscape table (:class:`TableObjective`) or run on any objective with a
cache (:class:`CachedObjective`), with regret, P(best found within k) and evaluations to the best;
``smoothness`` the Dirichlet energy of a landscape on the graph and the cluster ANOVA, against permutation nulls.

Geometry search for your own model: ``bayes_opt(search_space(5), CachedObjective(train_and_validate), 20, rng)``
with ``train_and_validate(signature) -> validation loss``.
"""

from latent_geometry.search.bayesopt import (
    batched_bayes_opt,
    bayes_opt,
    diffusion_kernel,
    expected_improvement,
    gp_posterior,
    log_marginal_likelihood,
)
from latent_geometry.search.replay import (
    STRATEGY_NAMES,
    CachedObjective,
    ReplayResult,
    TableObjective,
    landscape_means,
    replay,
)
from latent_geometry.search.smoothness import cluster_spread, dirichlet_energy_ratio, smoothness_test
from latent_geometry.search.space import (
    PAIR_NAMES,
    RESIZE_D_GH,
    TABLE2_D_GH,
    brute_force_product_distance,
    component_distance,
    edge_counts,
    first_mismatch_distance,
    product_distance,
    search_space,
    search_space_size,
    seed_code_graph,
    signature_features,
    signatures,
    swap_edge_report,
)
from latent_geometry.search.spectral import (
    fiedler_space,
    fiedler_vector,
    laplacian,
    laplacian_spectrum,
    mixing_time,
    spectral_clustering,
    spectral_gap,
    spectral_summary,
    stationary_distribution,
    transition_matrix,
    weight_matrix,
)
from latent_geometry.search.walks import (
    STRATEGIES,
    SearchResult,
    backtracking_walk,
    depth_first_search,
    expected_evaluations,
    greedy_local_search,
    hitting_times,
    random_search,
    random_search_expected_evaluations,
    random_walk,
    simulate_hitting_time,
)

__all__ = [
    "PAIR_NAMES", "RESIZE_D_GH", "TABLE2_D_GH", "brute_force_product_distance", "component_distance",
    "edge_counts", "first_mismatch_distance", "product_distance", "search_space", "search_space_size",
    "seed_code_graph", "signature_features", "signatures", "swap_edge_report",
    "fiedler_space", "fiedler_vector", "laplacian", "laplacian_spectrum", "mixing_time", "spectral_clustering",
    "spectral_gap", "spectral_summary", "stationary_distribution", "transition_matrix", "weight_matrix",
    "STRATEGIES", "SearchResult", "backtracking_walk", "depth_first_search", "expected_evaluations", "hitting_times",
    "random_search", "random_search_expected_evaluations", "random_walk", "simulate_hitting_time",
    "greedy_local_search",
    "batched_bayes_opt", "bayes_opt", "diffusion_kernel", "expected_improvement", "gp_posterior",
    "log_marginal_likelihood",
    "STRATEGY_NAMES", "CachedObjective", "ReplayResult", "TableObjective", "landscape_means", "replay",
    "cluster_spread", "dirichlet_energy_ratio", "smoothness_test",
]
