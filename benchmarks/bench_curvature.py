"""Scalar curvature of a decoder's pullback metric: Gauss route vs Christoffel route, side by side in one run.

Decoder: the seed-era sine MLP d-128-256-512-784 (the authors' 2023 curvature autoencoder), weights ~ U(±1/√fan_in) from a seeded
generator. Routes (``latent_geometry.geometry.scalar_curvature``):

- ``gauss``: Gauss equation, second derivatives only; the decoder is an ``nn.Sequential`` so J and H come from the
  second-order jet pass (1 + d + d(d+1)/2 streams);
- ``gauss-generic``: the same Gauss contraction with J, H from ``vmap(jacfwd(jacfwd))`` (the decoder wrapped in a
  lambda, as any non-Sequential decoder is treated);
- ``christoffel``: the seed's route, g, ∂g, ∂²g by three nested ``jacfwd`` → Γ → ∂Γ → Riemann → Ricci → R.

Time: wall clock (``time.perf_counter``) of one call on ``--points`` latent points (d = 2; d = 5 uses a fifth),
routes interleaved in rotating order, ``--repeats`` rounds; reported per 1,000 points (best and median) with the
speed ratio christoffel / gauss. Agreement: max|R_route − R_christoffel| / max|R_christoffel| on the same points.
Peak memory: each route runs once more in a fresh subprocess (``--worker``); after imports, the decoder and a
2-point warm-up, the resident-set high-water mark is reset (Linux ``/proc/self/clear_refs``), and the peak
increase VmHWM − VmRSS over the call is reported (CPU; tracemalloc does not see torch's allocations), also
extrapolated linearly to 1,000 points (the vectorized tensors grow linearly with the batch).

Usage::

    python benchmarks/bench_curvature.py                       # defaults: --points 500 --repeats 3 --threads 2
    python benchmarks/bench_curvature.py --points 100 --no-memory --backward
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import torch

# torch's forward-mode AD scripts its decompositions on first use, which warns inside torch itself
warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from latent_geometry.geometry import scalar_curvature  # noqa: E402
from latent_geometry.learning.models import mlp  # noqa: E402

ROUTES = ("gauss", "gauss-generic", "christoffel")
DTYPES = {"float64": torch.float64, "float32": torch.float32}
WIDTHS = (128, 256, 512)
AMBIENT = 784


def sine_decoder(latent_dim: int, dtype: torch.dtype, seed: int = 0) -> torch.nn.Sequential:
    """Sine MLP latent_dim-128-256-512-784 with seeded U(±1/√fan_in) weights and biases."""
    decoder = mlp([latent_dim, *WIDTHS, AMBIENT], act="sin").to(dtype)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in decoder:
            if isinstance(layer, torch.nn.Linear):
                bound = layer.in_features ** -0.5
                layer.weight.copy_((2 * torch.rand(layer.weight.shape, generator=gen, dtype=dtype) - 1) * bound)
                layer.bias.copy_((2 * torch.rand(layer.bias.shape, generator=gen, dtype=dtype) - 1) * bound)
    return decoder


def latent_points(n: int, latent_dim: int, dtype: torch.dtype, seed: int = 1) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, latent_dim, generator=gen, dtype=torch.float64).to(dtype)


def run_route(route: str, decoder, z: torch.Tensor, backward: bool) -> torch.Tensor:
    f = decoder if route == "gauss" else (lambda x: decoder(x))
    with torch.set_grad_enabled(backward):
        R = scalar_curvature(f, z, "christoffel" if route == "christoffel" else "gauss")
        if backward:
            R.square().mean().backward()
    return R.detach()


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def worker(route: str, latent_dim: int, dtype_name: str, n: int, backward: bool) -> None:
    """Print the peak-RSS increase (MiB) of one call of ``route`` in this fresh process.

    Linux: reset the high-water mark VmHWM (write "5" to /proc/self/clear_refs), read VmRSS, run, read VmHWM.
    """
    dtype = DTYPES[dtype_name]
    decoder = sine_decoder(latent_dim, dtype)
    decoder.requires_grad_(backward)
    z = latent_points(n, latent_dim, dtype)
    run_route(route, decoder, z[:2], backward)  # warm-up: lazy imports, kernels
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    run_route(route, decoder, z, backward)
    print((_status_kib("VmHWM") - before) / 1024)


def peak_memory(route, latent_dim, dtype_name, n, threads, backward) -> float:
    cmd = [sys.executable, __file__, "--worker", route, str(latent_dim), dtype_name, str(n), "--threads",
           str(threads)] + (["--backward"] if backward else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def benchmark(latent_dim, dtype_name, n, repeats, threads, memory, backward):
    dtype = DTYPES[dtype_name]
    decoder = sine_decoder(latent_dim, dtype)
    decoder.requires_grad_(backward)
    z = latent_points(n, latent_dim, dtype)
    for route in ROUTES:  # warm-up
        run_route(route, decoder, z[:2], backward)
    times = {route: [] for route in ROUTES}
    values = {}
    for rep in range(repeats):
        order = ROUTES[rep % len(ROUTES):] + ROUTES[:rep % len(ROUTES)]  # rotate to spread drift over routes
        for route in order:
            decoder.zero_grad(set_to_none=True)
            start = time.perf_counter()
            values[route] = run_route(route, decoder, z, backward)
            times[route].append(time.perf_counter() - start)
    reference = values["christoffel"].double()
    scale = reference.abs().max().item()
    rows = []
    for route in ROUTES:
        per_1000 = [t * 1000 / n for t in times[route]]
        rows.append({
            "route": route,
            "best": min(per_1000),
            "median": statistics.median(per_1000),
            "agreement": (values[route].double() - reference).abs().max().item() / scale,
            "memory": peak_memory(route, latent_dim, dtype_name, n, threads, backward) if memory else float("nan"),
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=500, help="latent points at d = 2 (d = 5: a fifth)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 5])
    parser.add_argument("--dtypes", nargs="+", default=list(DTYPES), choices=list(DTYPES))
    parser.add_argument("--no-memory", action="store_true", help="skip the subprocess peak-RSS measurement")
    parser.add_argument("--backward", action="store_true", help="time R and the backward pass of mean(R²)")
    parser.add_argument("--worker", nargs=4, metavar=("ROUTE", "D", "DTYPE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.points < 5 or args.repeats < 1 or args.threads < 1:
        parser.error("--points must be >= 5, --repeats and --threads >= 1")
    torch.set_num_threads(args.threads)
    if args.worker:
        route, latent_dim, dtype_name, n = args.worker
        worker(route, int(latent_dim), dtype_name, int(n), args.backward)
        return

    what = "R and backward of mean(R²)" if args.backward else "R"
    print(f"Scalar curvature ({what}) of the sine MLP d-128-256-512-{AMBIENT}; torch {torch.__version__}, "
          f"{args.threads} threads, best/median of {args.repeats} interleaved rounds; times per 1,000 points")
    print(f"{'d':>2} {'dtype':>8} {'N':>5} {'route':>14} {'best s':>8} {'median s':>9} {'chr/route':>9} "
          f"{'rel. diff':>10} {'peak MiB':>9} {'MiB/1000':>9} {'chr/route mem':>13}")
    verdicts = []
    for latent_dim in args.dims:
        n = args.points if latent_dim <= 2 else max(5, args.points // 5)
        for dtype_name in args.dtypes:
            rows = benchmark(latent_dim, dtype_name, n, args.repeats, args.threads, not args.no_memory,
                             args.backward)
            chr_row = rows[-1]
            for row in rows:
                speed = chr_row["best"] / row["best"]
                mem = chr_row["memory"] / row["memory"] if row["memory"] > 0 else float("nan")
                print(f"{latent_dim:>2} {dtype_name:>8} {n:>5} {row['route']:>14} {row['best']:>8.3f} "
                      f"{row['median']:>9.3f} {speed:>8.2f}x {row['agreement']:>10.1e} {row['memory']:>9.1f} "
                      f"{row['memory'] * 1000 / n:>9.0f} {mem:>12.2f}x")
            if dtype_name == "float64" and not args.backward:  # the issue's goal is about computing R
                gauss = rows[0]
                verdicts.append((latent_dim, chr_row["best"] / gauss["best"], gauss["agreement"]))
    for latent_dim, speed, agreement in verdicts:
        met = speed >= 5 and agreement <= 1e-10
        print(f"goal (issue 4 item 7) d={latent_dim} float64: gauss {speed:.2f}x faster than christoffel at "
              f"{agreement:.1e} relative agreement -> {'met' if met else 'NOT met'} (>= 5x at <= 1e-10)")


if __name__ == "__main__":
    main()
