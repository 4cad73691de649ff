"""GP-BO on graph nodes: the diffusion kernel, the GP posterior and EI against BoTorch/GPyTorch and scipy closed
forms, the marginal likelihood against scipy, and the batched lock-step engine against the single-run formulas."""

import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.linalg import expm
from scipy.stats import multivariate_normal, norm

from latent_geometry.search.bayesopt import (
    BETAS,
    NOISES,
    batched_bayes_opt,
    bayes_opt,
    diffusion_kernel,
    expected_improvement,
    gp_posterior,
    log_marginal_likelihood,
    shuffled_weight_matrix,
)
from latent_geometry.search.space import search_space
from latent_geometry.search.spectral import laplacian, weight_matrix

PROPERTY = settings(max_examples=int(os.environ.get("LG_EXAMPLES", 40)), deadline=None, database=None)
GRAPH3 = search_space(3)  # 19 nodes
W3 = weight_matrix(GRAPH3, True)


def fixed_problem(seed=0, n_obs=6):
    rng = np.random.default_rng(seed)
    K = diffusion_kernel(W3, 0.7)
    observed = rng.choice(K.shape[0], n_obs, replace=False)
    y = 0.8 + 0.05 * rng.normal(size=n_obs)
    return K, observed, y


@pytest.mark.parametrize("beta", [0.0, 0.05, 0.7, 4.0])
def test_diffusion_kernel_is_the_normalized_matrix_exponential(beta):
    E = expm(-beta * laplacian(W3))
    np.testing.assert_allclose(diffusion_kernel(W3, beta), E / np.mean(np.diag(E)), rtol=1e-10, atol=1e-12)
    K = diffusion_kernel(W3, beta)
    assert np.isclose(np.trace(K), K.shape[0]) and np.allclose(K, K.T)
    assert np.linalg.eigvalsh(K).min() > -1e-12  # positive semi-definite up to rounding
    np.testing.assert_allclose(diffusion_kernel(W3, [beta, 1.0])[0], K)


def test_diffusion_kernel_limits_and_errors():
    np.testing.assert_allclose(diffusion_kernel(W3, 0.0), np.eye(19), atol=1e-12)
    np.testing.assert_allclose(diffusion_kernel(W3, 200.0), np.ones((19, 19)), atol=1e-6)  # K → 11ᵀ
    for bad in (-1.0, float("nan"), [[1.0]]):
        with pytest.raises(ValueError, match="beta"):
            diffusion_kernel(W3, bad)


def test_shuffled_weights_permute_the_edge_weights_over_the_same_edges():
    Ws = shuffled_weight_matrix(GRAPH3, np.random.default_rng(0))
    assert np.array_equal(Ws > 0, W3 > 0) and np.allclose(Ws, Ws.T)
    np.testing.assert_allclose(np.sort(Ws[np.triu_indices(19, 1)]), np.sort(W3[np.triu_indices(19, 1)]))
    assert not np.allclose(Ws, W3)


def test_log_marginal_likelihood_matches_scipy_multivariate_normal():
    K, observed, y = fixed_problem()
    m, s = y.mean(), y.std(ddof=1)
    for noise in (1e-3, 0.1, 1.0):
        cov = s**2 * (K[np.ix_(observed, observed)] + noise * np.eye(observed.size))
        expected = multivariate_normal(mean=np.full(observed.size, m), cov=cov).logpdf(y)
        assert math.isclose(log_marginal_likelihood(K, observed, y, noise), expected, rel_tol=1e-10)


def test_posterior_matches_the_dense_gaussian_conditioning_formula():
    K, observed, y = fixed_problem(seed=1)
    m, s = y.mean(), y.std(ddof=1)
    noise = 0.05
    rest = np.setdiff1d(np.arange(19), observed)
    # condition the joint Gaussian [f_rest, y] with a dense inverse (independent of the Cholesky path)
    Kyy_inv = np.linalg.inv(K[np.ix_(observed, observed)] + noise * np.eye(observed.size))
    mu = m + s * K[np.ix_(rest, observed)] @ Kyy_inv @ ((y - m) / s)
    var = s**2 * (np.diag(K)[rest] - np.einsum("ij,jk,ik->i", K[np.ix_(rest, observed)], Kyy_inv,
                                                K[np.ix_(rest, observed)]))
    mean, variance = gp_posterior(K, observed, y, noise)
    np.testing.assert_allclose(mean[rest], mu, rtol=1e-10)
    np.testing.assert_allclose(variance[rest], var, rtol=1e-8)


def _botorch_model(K, observed, y, noise):
    """A BoTorch SingleTaskGP whose kernel is the fixed matrix s²K (inputs are node indices), mean m, noise s²σ²."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("botorch")
    import gpytorch
    from botorch.models import SingleTaskGP

    m, s = float(y.mean()), float(y.std(ddof=1))
    Kt = torch.tensor(s**2 * K)

    class FixedKernel(gpytorch.kernels.Kernel):
        def forward(self, x1, x2, diag=False, **params):
            i, j = x1[..., 0].round().long(), x2[..., 0].round().long()
            if diag:
                return Kt[i, j]
            return Kt[i.unsqueeze(-1), j.unsqueeze(-2)]

    X = torch.tensor(observed, dtype=torch.float64).unsqueeze(-1)
    Y = torch.tensor(y).unsqueeze(-1)
    mean = gpytorch.means.ConstantMean()
    mean.constant.data.fill_(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BoTorch warns that node indices are not scaled to the unit cube
        model = SingleTaskGP(X, Y, train_Yvar=torch.full_like(Y, s**2 * noise), covar_module=FixedKernel(),
                             mean_module=mean, outcome_transform=None)
    model.eval()
    return model


def test_posterior_and_expected_improvement_match_botorch():
    torch = pytest.importorskip("torch")
    pytest.importorskip("botorch")
    from botorch.acquisition.analytic import ExpectedImprovement

    K, observed, y = fixed_problem(seed=2, n_obs=7)
    noise = 0.02
    model = _botorch_model(K, observed, y, noise)
    Xall = torch.arange(19, dtype=torch.float64).unsqueeze(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        post = model.posterior(Xall)
        ei_botorch = ExpectedImprovement(model, best_f=float(y.min()), maximize=False)(Xall.unsqueeze(-2))
    mean, var = gp_posterior(K, observed, y, noise)
    np.testing.assert_allclose(mean, post.mean.squeeze(-1).detach().numpy(), rtol=1e-7)  # gpytorch adds jitter
    np.testing.assert_allclose(var, post.variance.squeeze(-1).detach().numpy(), rtol=1e-6, atol=1e-14)
    ei = expected_improvement(mean, np.sqrt(var), float(y.min()))
    np.testing.assert_allclose(ei, ei_botorch.detach().numpy(), rtol=1e-5, atol=1e-8)  # EI ~ 1e-3 here
    # the model's marginal likelihood is ours too (gpytorch's ExactMarginalLogLikelihood is per observation)
    import gpytorch
    model.train()
    mll = gpytorch.mlls.ExactMarginalLogLikelihood(model.likelihood, model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = mll(model(*model.train_inputs), model.train_targets).item() * observed.size
    assert math.isclose(log_marginal_likelihood(K, observed, y, noise), ours, rel_tol=1e-8)


@PROPERTY
@given(mu=st.floats(-5, 5), sigma=st.floats(1e-3, 5), best=st.floats(-5, 5))
def test_expected_improvement_is_the_expected_gain_below_the_incumbent(mu, sigma, best):
    b = (best - mu) / sigma  # E[max(f* − Y, 0)] = σ ∫_{u<b} (b − u) φ(u) du with Y = μ + σu; no mass beyond |u| = 12
    integral = sigma * quad(lambda u: (b - u) * norm.pdf(u), -12.0, min(b, 12.0), epsabs=1e-13)[0] if b > -12 else 0.0
    ei = float(expected_improvement(mu, sigma, best))
    assert ei >= max(best - mu, 0.0) - 1e-12
    assert math.isclose(ei, integral, rel_tol=1e-6, abs_tol=1e-10)


def test_expected_improvement_at_zero_sigma_and_errors():
    np.testing.assert_allclose(expected_improvement([0.0, 2.0], [0.0, 0.0], 1.0), [1.0, 0.0])
    with pytest.raises(ValueError, match="std"):
        expected_improvement([0.0], [-1.0], 1.0)
    K, observed, y = fixed_problem()
    with pytest.raises(ValueError, match="noise"):
        gp_posterior(K, observed, y, 0.0)
    with pytest.raises(ValueError, match="distinct"):
        gp_posterior(K, [0, 0], [1.0, 2.0], 0.1)
    with pytest.raises(ValueError, match="finite"):
        log_marginal_likelihood(K, [0, 1], [1.0, np.nan], 0.1)


def _reference_choice(Ks, observed, y):
    """Grid point of largest marginal likelihood and the unvisited node of largest EI, from the single-run forms."""
    lml = np.array([[log_marginal_likelihood(K, observed, y, s) for s in NOISES] for K in Ks]).ravel()
    g = int(np.argmax(lml))
    mean, var = gp_posterior(Ks[g // len(NOISES)], observed, y, NOISES[g % len(NOISES)])
    ei = expected_improvement(mean, np.sqrt(var), y.min())
    ei[observed] = -1.0
    return g, ei


@pytest.mark.parametrize("per_run", [False, True])
def test_batched_engine_follows_the_single_run_formulas_at_every_step(per_run):
    rng = np.random.default_rng(3)
    f = rng.normal(size=19)
    table = f[:, None] + 0.2 * rng.normal(size=(19, 3))
    n_runs = 4
    W = np.stack([shuffled_weight_matrix(GRAPH3, rng) for _ in range(n_runs)]) if per_run else W3
    nodes, values, grid = batched_bayes_opt(
        W, lambda runs, idx: table[idx, rng.integers(3, size=idx.size)], n_runs, 19, rng, chunk_size=3,
        return_trace=True)
    assert nodes.shape == values.shape == (n_runs, 19)
    for r in range(n_runs):
        assert sorted(nodes[r]) == list(range(19))  # never repeats; budget N evaluates every node
        Ks = diffusion_kernel(W[r] if per_run else W, BETAS)
        for t in range(2, 18):
            g, ei = _reference_choice(Ks, nodes[r, :t], values[r, :t])
            assert grid[r, t - 1] == g
            assert ei[nodes[r, t]] >= ei.max() * (1 - 1e-9)


def test_bayes_opt_strategy_on_any_objective():
    f = dict(zip(GRAPH3, np.random.default_rng(4).permutation(19).astype(float)))
    calls = []

    def objective(s):
        calls.append(s)
        return f[s]

    a = bayes_opt(GRAPH3, objective, 12, np.random.default_rng(0), weights="unit")
    b = bayes_opt(GRAPH3, f.__getitem__, 12, np.random.default_rng(0), weights="unit")
    assert a.signatures == b.signatures and a.n_evaluations == a.n_distinct == 12 and len(calls) == 12
    best = min(f, key=f.get)
    c = bayes_opt(GRAPH3, f.__getitem__, 50, np.random.default_rng(1), stop_at=best)
    assert c.signatures[-1] == best and c.n_distinct == c.n_evaluations <= 19
    with pytest.raises(ValueError, match="weights"):
        bayes_opt(GRAPH3, f.__getitem__, 5, np.random.default_rng(0), weights="hungarian")
    with pytest.raises(ValueError, match="NaN"):
        bayes_opt(GRAPH3, lambda s: float("nan"), 5, np.random.default_rng(0))


def test_bayes_opt_finds_the_minimum_of_a_smooth_landscape_faster_than_random_search():
    # f = two low-frequency Laplacian eigenvectors (smooth on the graph); random search needs (N + 1)/2 = 10
    W = weight_matrix(GRAPH3, False)
    U = np.linalg.eigh(laplacian(W))[1]
    f = U[:, 1] + 0.5 * U[:, 2]
    nodes, _ = batched_bayes_opt(W, lambda runs, idx: f[idx], 100, 19, np.random.default_rng(0))
    hits = (nodes == np.argmin(f)).argmax(axis=1) + 1
    assert hits.mean() + 3 * hits.std(ddof=1) / 10 < 6.0
    f_rough = np.random.default_rng(1).permutation(f)  # the same values scattered: no structure to exploit
    nodes, _ = batched_bayes_opt(W, lambda runs, idx: f_rough[idx], 100, 19, np.random.default_rng(0))
    assert ((nodes == np.argmin(f_rough)).argmax(axis=1) + 1).mean() > hits.mean() + 2
