"""Spectral view of a search-space graph: random-walk matrix, Laplacians, clusters, mixing (seed 000, §3.3).

Everything works on the dense symmetric weight matrix W (N × N, float64) of an undirected graph, obtained with
:func:`weight_matrix` in the graph's node order. With degrees d_i = Σ_j w_ij and D = diag(d):

* transition matrix P = D⁻¹W, p_ij = w_ij / d_i (seed 000, §3.3);
* Laplacians L = D − W (seed 000, §3.3), L_sym = D^{-1/2} L D^{-1/2}, L_rw = D⁻¹L = I − P (von Luxburg 2007, §3);
* stationary distribution π_i = d_i / Σ_j d_j (πP = π because W is symmetric);
* eigenvalues of P are 1 − eig(L_sym); the absolute spectral gap is 1 − max(|μ| : μ ≠ 1 eigenvalue of P).
"""

import networkx as nx
import numpy as np
from sklearn.cluster import KMeans

from latent_geometry._util.checks import check_int

LAPLACIANS = ("unnormalized", "sym", "rw")


def weight_matrix(graph: nx.Graph, weighted: bool = True) -> np.ndarray:
    """Dense N × N float64 matrix W in ``list(graph)`` order: edge ``weight`` if ``weighted`` else 1 per edge."""
    if graph.number_of_nodes() == 0:
        raise ValueError("graph must have at least one node")
    return nx.to_numpy_array(graph, weight="weight" if weighted else None, dtype=np.float64)


def degrees(W: np.ndarray) -> np.ndarray:
    """d_i = Σ_j w_ij, shape (N,); validates W (square, symmetric, non-negative, finite)."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"W must be a non-empty square matrix, got shape {W.shape}")
    if not np.all(np.isfinite(W)) or np.any(W < 0) or not np.allclose(W, W.T, rtol=0, atol=1e-12):
        raise ValueError("W must be finite, non-negative and symmetric (an undirected weighted graph)")
    return W.sum(axis=1)


def _positive_degrees(W: np.ndarray) -> np.ndarray:
    d = degrees(W)
    if np.any(d <= 0):
        raise ValueError(f"W has {int(np.sum(d <= 0))} isolated node(s); P = D⁻¹W needs every degree d_i > 0")
    return d


def transition_matrix(W: np.ndarray) -> np.ndarray:
    """Random-walk matrix P = D⁻¹W (rows sum to 1), p_ij = w_ij / d_i (seed 000, §3.3)."""
    return np.asarray(W, dtype=np.float64) / _positive_degrees(W)[:, None]  # seed 000, §3.3: p_ij = w_ij / d_i


def laplacian(W: np.ndarray, kind: str = "unnormalized") -> np.ndarray:
    """L = D − W (seed 000, §3.3), or its normalizations ``"sym"`` D^{-1/2}LD^{-1/2} and ``"rw"`` D⁻¹L."""
    if kind not in LAPLACIANS:
        raise ValueError(f"kind must be one of {LAPLACIANS}, got {kind!r}")
    W = np.asarray(W, dtype=np.float64)
    if kind == "unnormalized":
        return np.diag(degrees(W)) - W  # seed 000, §3.3: L = D − A
    d = _positive_degrees(W)
    L = np.diag(d) - W
    if kind == "rw":
        return L / d[:, None]
    s = 1.0 / np.sqrt(d)
    return s[:, None] * L * s[None, :]


def laplacian_spectrum(W: np.ndarray, kind: str = "unnormalized") -> tuple[np.ndarray, np.ndarray]:
    """Ascending eigenvalues (N,) and eigenvectors (N, N; columns) of a Laplacian, via ``numpy.linalg.eigh``.

    For ``"unnormalized"`` and ``"sym"`` the eigenvectors are orthonormal. L_rw (``"rw"``) is not symmetric: its
    eigenvalues are those of L_sym and its eigenvectors are D^{-1/2} v for the eigenvectors v of L_sym (so they are
    D-orthonormal, not orthonormal).
    """
    if kind not in LAPLACIANS:
        raise ValueError(f"kind must be one of {LAPLACIANS}, got {kind!r}")
    vals, vecs = np.linalg.eigh(laplacian(W, "sym" if kind == "rw" else kind))
    if kind == "rw":
        vecs = vecs / np.sqrt(_positive_degrees(W))[:, None]
    return vals, vecs


def n_zero_eigenvalues(eigenvalues: np.ndarray, tol: float = 1e-9) -> int:
    """Multiplicity of eigenvalue 0 (|λ| ≤ tol · max(1, max|λ|)); equals the number of connected components."""
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    return int(np.sum(np.abs(eigenvalues) <= tol * max(1.0, float(np.max(np.abs(eigenvalues))))))


def fiedler_vector(W: np.ndarray, kind: str = "rw") -> tuple[float, np.ndarray]:
    """λ₂ and its eigenvector (the Fiedler vector) of the chosen Laplacian, sign fixed so its first entry ≥ 0.

    Default L_rw (von Luxburg 2007 recommends it). When λ₂ is degenerate (see :func:`fiedler_space`) the vector is
    one arbitrary member of a larger eigenspace; use :func:`fiedler_space` and :func:`multiple_correlation` then.
    """
    if np.asarray(W).shape[0] < 2:
        raise ValueError("the Fiedler vector needs a graph with at least 2 nodes")
    vals, vecs = laplacian_spectrum(W, kind)
    v = vecs[:, 1]
    return float(vals[1]), v if v[0] >= 0 else -v


def fiedler_space(W: np.ndarray, kind: str = "rw", rtol: float = 1e-8) -> tuple[float, np.ndarray]:
    """λ₂ and a basis (N, m) of its whole eigenspace; m > 1 when a graph symmetry makes λ₂ degenerate.

    Eigenvalues within ``rtol · max(1, λ₂)`` of λ₂ count as equal.
    """
    if np.asarray(W).shape[0] < 2:
        raise ValueError("the Fiedler space needs a graph with at least 2 nodes")
    vals, vecs = laplacian_spectrum(W, kind)
    same = np.abs(vals - vals[1]) <= rtol * max(1.0, abs(vals[1]))
    same[0] = False
    return float(vals[1]), vecs[:, same]


def multiple_correlation(basis: np.ndarray, feature: np.ndarray) -> float:
    """max over v in span(basis) of |corr(v, feature)|: R of the least-squares fit of the feature on [1, basis].

    ``basis`` has shape (N,) or (N, m); for m = 1 this is |Pearson correlation|.
    """
    B = np.asarray(basis, dtype=np.float64).reshape(len(feature), -1)
    y = np.asarray(feature, dtype=np.float64)
    X = np.column_stack([np.ones(len(y)), B])
    fit = X @ np.linalg.lstsq(X, y, rcond=None)[0]
    yc = y - y.mean()
    if not np.any(yc):
        raise ValueError("feature is constant; its correlation is undefined")
    return float(np.sqrt(max(0.0, 1.0 - np.sum((y - fit) ** 2) / np.sum(yc**2))))


def spectral_clustering(W: np.ndarray, n_clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Normalized spectral clustering (Ng–Jordan–Weiss; von Luxburg 2007, §4): labels, shape (N,).

    Rows of the first ``n_clusters`` eigenvectors of L_sym, scaled to unit length, are clustered by k-means
    (10 restarts, seeded from ``rng``).
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    n = np.asarray(W).shape[0]
    n_clusters = check_int(n_clusters, "n_clusters", low=1, high=n)
    _, vecs = laplacian_spectrum(W, "sym")
    U = vecs[:, :n_clusters]
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    kmeans = KMeans(n_clusters=n_clusters, n_init=10, random_state=int(rng.integers(2**31 - 1)))
    return kmeans.fit_predict(U)


def stationary_distribution(W: np.ndarray) -> np.ndarray:
    """π_i = d_i / Σ_j d_j, the stationary distribution of P = D⁻¹W on an undirected graph (πP = π)."""
    d = _positive_degrees(W)
    return d / d.sum()


def transition_spectrum(W: np.ndarray) -> np.ndarray:
    """Eigenvalues of P = D⁻¹W, descending; real because P is similar to D^{-1/2}WD^{-1/2} = I − L_sym."""
    d = _positive_degrees(W)
    s = 1.0 / np.sqrt(d)
    return np.linalg.eigvalsh(s[:, None] * np.asarray(W, dtype=np.float64) * s[None, :])[::-1]


def spectral_gap(W: np.ndarray) -> dict[str, float]:
    """Gaps of the walk P: ``gap`` = 1 − μ₂, ``absolute_gap`` = 1 − max(|μ₂|, |μ_N|), ``relaxation_time`` = 1/abs gap.

    μ₁ = 1 > μ₂ ≥ … ≥ μ_N are the eigenvalues of P (a connected graph is assumed: μ₂ < 1).
    """
    mu = transition_spectrum(W)
    if mu.size < 2:
        raise ValueError("spectral_gap needs a graph with at least 2 nodes")
    absolute = 1.0 - max(abs(mu[1]), abs(mu[-1]))
    return {"gap": float(1.0 - mu[1]), "absolute_gap": float(absolute),
            "relaxation_time": float(np.inf if absolute <= 0 else 1.0 / absolute)}


def tv_to_stationary(W: np.ndarray, n_steps: int) -> np.ndarray:
    """Total-variation distance ‖P^t(x, ·) − π‖_TV = ½ Σ_y |P^t(x, y) − π_y| for t = 0…n_steps and every start x.

    Returns shape (n_steps + 1, N); the worst case over starts, d(t), is ``.max(axis=1)``.
    """
    n_steps = check_int(n_steps, "n_steps", low=0)
    P = transition_matrix(W)
    pi = stationary_distribution(W)
    Pt = np.eye(P.shape[0])
    out = np.empty((n_steps + 1, P.shape[0]))
    for t in range(n_steps + 1):
        out[t] = 0.5 * np.abs(Pt - pi[None, :]).sum(axis=1)
        Pt = Pt @ P
    return out


def mixing_time(W: np.ndarray, eps: float = 0.25, max_steps: int = 10_000) -> int:
    """t_mix(ε) = min{t : max_x ‖P^t(x, ·) − π‖_TV ≤ ε}; ValueError if not reached within ``max_steps``."""
    if not 0 < eps < 1:
        raise ValueError(f"eps must lie in (0, 1), got {eps!r}")
    P = transition_matrix(W)
    pi = stationary_distribution(W)
    Pt = np.eye(P.shape[0])
    for t in range(max_steps + 1):
        if 0.5 * np.abs(Pt - pi[None, :]).sum(axis=1).max() <= eps:
            return t
        Pt = Pt @ P
    raise ValueError(f"the walk did not mix to eps={eps} within max_steps={max_steps} (periodic or disconnected?)")


def spectral_summary(W: np.ndarray, features=None, eps: float = 0.25) -> dict:
    """The spectral facts of one weighted graph in one dict (seed 000, §3.3; von Luxburg 2007).

    Keys: ``n_zero`` (multiplicity of eigenvalue 0 of L = D − W: the number of connected components), ``lambda2``
    and ``multiplicity`` (λ₂ of L_rw and the dimension of its eigenspace, :func:`fiedler_space`), ``R`` (for each
    ``name: feature`` of ``features``, the multiple correlation of the feature with that eigenspace,
    :func:`multiple_correlation`), ``gap``, ``absolute_gap`` and ``relaxation_time`` (:func:`spectral_gap`),
    ``t_mix`` (:func:`mixing_time` at ``eps``; ``inf`` when the walk never mixes: a disconnected or bipartite
    graph) and ``pi_ratio`` (max π / min π of the stationary distribution).
    """
    W = np.asarray(W, dtype=np.float64)
    n_zero = n_zero_eigenvalues(laplacian_spectrum(W)[0])
    lam2, basis = fiedler_space(W)
    gap = spectral_gap(W)
    pi = stationary_distribution(W)
    never_mixes = n_zero > 1 or gap["absolute_gap"] <= 1e-12
    return {
        "n_zero": n_zero, "lambda2": lam2, "multiplicity": int(basis.shape[1]),
        "R": {name: multiple_correlation(basis, f) for name, f in (features or {}).items()},
        **gap,
        "t_mix": float("inf") if never_mixes else mixing_time(W, eps),
        "pi_ratio": float(pi.max() / pi.min()),
    }
