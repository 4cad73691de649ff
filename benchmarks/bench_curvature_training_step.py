"""One optimiser step of a curvature-regularized autoencoder vs a plain one (chapter 2, seed 001).

Both variants run the same model on the same batch through chapter 2's objective
(:class:`latent_geometry.experiments.ch2.objective.CurvatureObjective`):

- model: ``--latent box`` (default) the seed-era sin AE (encoder D-hidden-2 with a final sin, mirrored decoder,
  :func:`latent_geometry.learning.torus_ae.box_autoencoder`), or ``--latent torus`` the authors' TorusAE;
- plain: no penalty, loss = mean ‖x̂ − x‖² (forward + backward + Adam step);
- curvature: loss + 1 · functional at ``--n-curv`` points (R by the Gauss route: the second-order jet pass for J
  and H straight into the Gauss contraction, then backward through it).

They are timed alternately in one run (order swapped every repetition) after a warm-up; medians, the extra cost per
1,000 curvature points and the ratio curvature / plain are printed, for each functional asked for.
``--profile`` also prints a torch.profiler summary of ``--profile-steps`` curvature steps (ops grouped by name and
input shapes, sorted by self CPU time) — where the extra time goes.

    python benchmarks/bench_curvature_training_step.py --dim 784 --hidden 512,256,128 --batch 128 --repeats 11
    python benchmarks/bench_curvature_training_step.py --dim 784 --hidden 64,64 --batch 128 --profile
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from latent_geometry.experiments.ch2.objective import FUNCTIONALS, CurvatureObjective, Penalty  # noqa: E402
from latent_geometry.geometry.functionals import MLPPotential  # noqa: E402
from latent_geometry.geometry.torus import TorusPotential  # noqa: E402
from latent_geometry.learning.torus_ae import TorusAutoencoder, box_autoencoder  # noqa: E402


def build_model(latent: str, dim: int, hidden: tuple, seed: int = 0):
    """The chapter's AE for ``latent`` with a learned potential attached (used by "F"/"W" only)."""
    if latent == "torus":
        model = TorusAutoencoder(dim, hidden, seed=seed)
        model.potential = TorusPotential(model.latent_dim, generator=torch.Generator().manual_seed(seed + 1))
    else:
        model = box_autoencoder(dim, hidden, seed=seed)
        model.potential = MLPPotential(2, generator=torch.Generator().manual_seed(seed + 1))
    return model


def step_timer(model, objective, batch, optimizer):
    def step():
        optimizer.zero_grad(set_to_none=True)
        objective(model, batch)["loss"].backward()
        optimizer.step()
        if batch[0].is_cuda:
            torch.cuda.synchronize()

    return step


def profile_summary(step, steps: int, rows: int) -> str:
    """torch.profiler table of ``steps`` calls of ``step``: ops grouped by input shape, sorted by self CPU time."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
    with profile(activities=activities, record_shapes=True) as prof:
        for _ in range(steps):
            step()
    return prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dim", type=int, default=784, help="ambient dimension D")
    parser.add_argument("--hidden", default="128,256,512", help="encoder widths, comma-separated")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--n-curv", type=int, default=None, help="points carrying the curvature (default: batch)")
    parser.add_argument("--functionals", default="authors", help=f"comma-separated subset of {FUNCTIONALS}")
    parser.add_argument("--latent", choices=("box", "torus"), default="box")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="print a torch.profiler summary of the curvature step")
    parser.add_argument("--profile-steps", type=int, default=5)
    parser.add_argument("--profile-rows", type=int, default=25)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")
    torch.set_num_threads(args.threads)
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    hidden = tuple(int(h) for h in args.hidden.split(","))
    n_curv = args.n_curv or args.batch
    gen = torch.Generator().manual_seed(0)
    batch = (torch.randn(args.batch, args.dim, generator=gen, dtype=dtype).to(args.device),)
    print(f"D={args.dim} hidden={hidden} B={args.batch} n_curv={n_curv} latent={args.latent} dtype={args.dtype} "
          f"device={args.device} threads={torch.get_num_threads()} torch={torch.__version__}")
    for functional in args.functionals.split(","):
        models = [build_model(args.latent, args.dim, hidden).to(args.device, dtype) for _ in range(2)]
        objectives = [CurvatureObjective(Penalty(), args.latent, n_curv=n_curv, seed=0),
                      CurvatureObjective(Penalty(functional, 1.0), args.latent, n_curv=n_curv, seed=0)]
        steps = [step_timer(m, o, batch, torch.optim.Adam(m.parameters(), lr=1e-4)) for m, o in zip(models, objectives)]
        for step in steps:  # warm-up (first forward-mode call scripts torch's decompositions)
            step()
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
              f"extra per 1,000 curvature points {(curv - plain) / n_curv * 1e6:8.0f} ms   "
              f"ratio curvature/plain {curv / plain:6.2f}x")
        if args.profile:
            print(f"torch.profiler, {args.profile_steps} curvature steps ({functional}):")
            print(profile_summary(steps[1], args.profile_steps, args.profile_rows))


if __name__ == "__main__":
    main()
