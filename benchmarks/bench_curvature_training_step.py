"""One optimiser step of a curvature-regularized autoencoder vs a plain one (chapter 2, seed 001).

Both variants run the same model (the seed-era sin AE, encoder D-hidden-2 with a final sin, mirrored decoder) on
the same batch through :class:`latent_geometry.experiments.ch2.recipe.CurvatureObjective`:

- plain: λ_curv = 0, loss = mean ‖x̂ − x‖² (forward + backward + Adam step);
- curvature: loss + λ_curv · functional at ``--n-curv`` of the batch codes (R by the Gauss route: one
  forward-over-forward pass for J and H, then backward through it).

They are timed alternately in one run (order swapped every repetition) after a warm-up; medians, the extra cost per
1,000 curvature points and the ratio curvature / plain are printed, for each functional asked for.

    python benchmarks/bench_curvature_training_step.py --dim 784 --hidden 512,256,128 --batch 128 --repeats 11
"""

import argparse
import statistics
import time
import warnings

import torch

from latent_geometry.experiments.ch2.recipe import FUNCTIONALS, CurvatureObjective, curvature_autoencoder


def step_timer(model, objective, batch, optimizer):
    def step():
        optimizer.zero_grad(set_to_none=True)
        objective(model, batch)["loss"].backward()
        optimizer.step()
        if batch[0].is_cuda:
            torch.cuda.synchronize()

    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dim", type=int, default=784, help="ambient dimension D")
    parser.add_argument("--hidden", default="128,256,512", help="encoder widths, comma-separated")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--n-curv", type=int, default=None, help="points carrying the curvature (default: batch)")
    parser.add_argument("--functionals", default="authors", help=f"comma-separated subset of {FUNCTIONALS}")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")
    torch.set_num_threads(args.threads)
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    hidden = tuple(int(h) for h in args.hidden.split(","))
    n_curv = args.n_curv or args.batch
    gen = torch.Generator().manual_seed(0)
    batch = (torch.randn(args.batch, args.dim, generator=gen, dtype=dtype).to(args.device),)
    print(f"D={args.dim} hidden={hidden} B={args.batch} n_curv={n_curv} dtype={args.dtype} device={args.device} "
          f"threads={torch.get_num_threads()} torch={torch.__version__}")
    for functional in args.functionals.split(","):
        models = [curvature_autoencoder(args.dim, hidden, potential=True, seed=0).to(args.device, dtype)
                  for _ in range(2)]
        objectives = [CurvatureObjective(lam_curv=0.0),
                      CurvatureObjective(functional, lam_curv=1.0, n_curv=n_curv, seed=0)]
        steps = [step_timer(m, o, batch, torch.optim.Adam(m.parameters(), lr=1e-4)) for m, o in zip(models, objectives)]
        for step in steps:  # warm-up (first forward-mode call scripts torch's decompositions)
            step()
        times = [[], []]
        for rep in range(args.repeats):
            order = (0, 1) if rep % 2 == 0 else (1, 0)
            for i in order:
                t0 = time.perf_counter()
                steps[i]()
                times[i].append(time.perf_counter() - t0)
        plain, curv = (statistics.median(t) for t in times)
        print(f"{functional:>8}: plain step {plain * 1e3:8.2f} ms   curvature step {curv * 1e3:8.2f} ms   "
              f"extra per 1,000 curvature points {(curv - plain) / n_curv * 1e6:8.0f} ms   ratio curvature/plain {curv / plain:6.1f}x")


if __name__ == "__main__":
    main()
