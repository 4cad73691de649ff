"""Forward + backward of exp at the base point and the product distance: latent_geometry.manifolds vs geomstats.

Both variants compute the same scalar, L(v, w) = Σ_batch d(exp_o(v), exp_o(w)) on a product such as H2xE2xS2
(seed 000, Table 1 and eq. (1)), and its gradient with respect to both latent batches:

- ours: torch forward, then ``torch.autograd.grad`` (reverse mode), in the chosen dtype on the CPU;
- geomstats 2.8 (autograd backend, float64 numpy): ``autograd.grad`` of the same scalar function, built from the
  factors' ``metric.exp`` / ``metric.dist`` (geomstats' ProductManifold is not autograd-traceable, see
  ``geomstats_loss_and_grad``); each
  2-D latent piece is lifted to the tangent vector (0, u) at the base point by a constant matrix in the function.

The two are timed alternately in one run (order swapped every repetition) after a warm-up; medians and the ratio
geomstats / ours are printed. Gradients are cross-checked before timing.

    python benchmarks/bench_manifolds.py --batch 4096 --repeats 21 --dtype float32
"""

import argparse
import statistics
import time

import numpy as np
import torch

from latent_geometry._util.geomstats_shim import BACKEND, geomstats, gs
from latent_geometry.manifolds import ProductManifold

import autograd  # noqa: E402  (geomstats' autograd backend is imported above)
from geomstats.geometry.euclidean import Euclidean  # noqa: E402
from geomstats.geometry.hyperboloid import Hyperboloid  # noqa: E402
from geomstats.geometry.hypersphere import Hypersphere  # noqa: E402

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def geomstats_loss_and_grad(signature: str):
    """autograd.grad of (v, w) ↦ Σ d(exp_o(v), exp_o(w)), built from geomstats' factor metrics.

    geomstats 2.8's ``ProductManifold`` cannot be traced by autograd: it splits only arguments for which
    ``gs.is_array`` holds (``type(x) is np.ndarray``), which is false for autograd's ArrayBox. So each factor's
    ``metric.exp`` / ``metric.dist`` is called on its slice, and the product distance is assembled by eq. (1).
    """
    manifold = ProductManifold(signature)
    if any(k not in (-1, 0, 1) for k in manifold.curvatures):
        raise ValueError(f"signature must have curvatures in {{-1, 0, 1}} for geomstats, got {manifold.signature}")
    factors = [{"E": Euclidean(2), "S": Hypersphere(2), "H": Hyperboloid(2)}[c.kind] for c in manifold.components]
    bases = [c.origin(torch.float64).numpy() for c in manifold.components]
    lifts = [np.eye(c.ambient_dim)[-2:] for c in manifold.components]  # u ↦ (0, u) on S/H (pole/time first), u on E

    def loss(v, w):
        squares = 0.0
        for i, (factor, base, lift) in enumerate(zip(factors, bases, lifts)):
            x = factor.metric.exp(v[:, 2 * i : 2 * i + 2] @ lift, base)
            y = factor.metric.exp(w[:, 2 * i : 2 * i + 2] @ lift, base)
            squares = squares + factor.metric.dist(x, y) ** 2
        return gs.sum(gs.sqrt(squares))  # seed 000, eq. (1)

    return autograd.grad(loss, argnum=(0, 1))


def ours_grad(manifold: ProductManifold):
    """torch.autograd.grad of (v, w) ↦ Σ manifold.dist(manifold.expmap0(v), manifold.expmap0(w))."""

    def grad(v, w):
        v, w = v.detach().requires_grad_(), w.detach().requires_grad_()
        loss = manifold.dist(manifold.expmap0(v), manifold.expmap0(w)).sum()
        return torch.autograd.grad(loss, (v, w))

    return grad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32", help="dtype of ours (geomstats: float64)")
    parser.add_argument("--signature", default="H2xE2xS2", help="product with curvatures in {-1, 0, 1}")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (numpy runs single-threaded)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.batch < 1 or args.repeats < 1:
        parser.error(f"--batch and --repeats must be >= 1, got {args.batch} and {args.repeats}")
    torch.set_num_threads(args.threads)

    manifold = ProductManifold(args.signature)
    generator = torch.Generator().manual_seed(args.seed)
    v64, w64 = (torch.randn(args.batch, manifold.latent_dim, generator=generator, dtype=torch.float64) for _ in "vw")
    v, w = v64.to(DTYPES[args.dtype]), w64.to(DTYPES[args.dtype])
    v_np, w_np = v64.numpy(), w64.numpy()
    ours, theirs = ours_grad(manifold), geomstats_loss_and_grad(args.signature)

    reference = ours(v64, w64)
    check = theirs(v_np, w_np)
    error = max(np.abs(a.numpy() - b).max() for a, b in zip(reference, check))
    print(f"gradient check (float64, ours vs geomstats): max |difference| = {error:.2e}")

    def time_once(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    variants = {"ours": lambda: ours(v, w), "geomstats": lambda: theirs(v_np, w_np)}
    for fn in variants.values():  # warm-up
        fn(), fn()
    times = {name: [] for name in variants}
    for repeat in range(args.repeats):
        order = list(variants) if repeat % 2 == 0 else list(variants)[::-1]
        for name in order:
            times[name].append(time_once(variants[name]))
    medians = {name: statistics.median(t) for name, t in times.items()}

    print(f"signature {manifold.signature}, batch {args.batch}, repeats {args.repeats} (interleaved), "
          f"torch {torch.__version__} with {torch.get_num_threads()} thread(s), geomstats {geomstats.__version__} "
          f"({BACKEND} backend), numpy {np.__version__}")
    print("task: forward exp_o(v), exp_o(w), Σ dist, then the gradient w.r.t. (v, w)")
    print(f"  ours      ({args.dtype}, torch forward + torch.autograd.grad backward): "
          f"median {1e3 * medians['ours']:.2f} ms")
    print(f"  geomstats (float64 numpy, autograd.grad of the scalar function):     "
          f"median {1e3 * medians['geomstats']:.2f} ms")
    print("  (geomstats side: factor metric.exp / metric.dist combined by eq. (1); geomstats' ProductManifold "
          "is not autograd-traceable)")
    print(f"  ratio geomstats / ours = {medians['geomstats'] / medians['ours']:.1f}x")


if __name__ == "__main__":
    main()
