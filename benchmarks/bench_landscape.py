"""Landscape training throughput, measured side by side in one run.

(a) ours — :func:`latent_geometry.learning.landscape.train_jobs` (mode ``auto`` unless ``--mode``) on tensors
    prepared once — against a reference loop written the way seed 000's code trains: torchvision's MNIST Dataset
    with per-sample ``ToTensor`` + ``Normalize((0.1307,), (0.3081,))``, a ``DataLoader`` with batch 64 and shuffling,
    one model at a time, the seed's architecture (encoder with its final ReLU), Adam 1e-3, MSE; both train the
    same geometries on the same number of images and score the same number of held-out images per epoch;
(b) the same geometries (n_p = 5) trained in one batched (vmapped) step against one after another.
Optionally (c) ``--processes 2``: the sequential jobs split over processes with one thread each.

Prints images/s (training images × epochs × models / wall seconds) and lines like
"ratio ours / seed-style = 1.42x". Example: ``python benchmarks/bench_landscape.py --images 2000 --models 8``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import torch  # noqa: E402
from torch.utils.data import DataLoader, Subset  # noqa: E402
from torchvision import datasets, transforms  # noqa: E402

from latent_geometry._util.seeding import resolve_device, set_seed  # noqa: E402
from latent_geometry.learning.data.images import data_root  # noqa: E402
from latent_geometry.learning.geometric_ae import GeometricAutoencoder  # noqa: E402
from latent_geometry.learning.landscape import (  # noqa: E402
    Job,
    LandscapeSettings,
    landscape_data,
    train_jobs,
)
from latent_geometry.search.space import signatures  # noqa: E402


def geometries(n_p: int, count: int) -> list[tuple[int, ...]]:
    """The first ``count`` signatures with exactly n_p components, in the search space's order."""
    sigs = signatures(n_p, same_size_only=True)
    if count > len(sigs):
        raise SystemExit(f"--models must be at most {len(sigs)} for n_p = {n_p}")
    return sigs[:count]


def seed_style(sigs, args, device) -> float:
    """Seed 000's way: per-sample PIL → ToTensor → Normalize in a DataLoader, one model at a time."""
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train_set = Subset(datasets.MNIST(str(data_root() / ""), train=True, transform=tf), range(args.images))
    test_set = Subset(datasets.MNIST(str(data_root() / ""), train=False, transform=tf), range(args.held_out))
    t0 = time.perf_counter()
    for i, sig in enumerate(sigs):
        set_seed(i)
        model = GeometricAutoencoder(len(sig), final_relu=True, kappa=sig).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.MSELoss()
        for _ in range(args.epochs):
            model.train()
            for x, _ in DataLoader(train_set, batch_size=64, shuffle=True):
                x = x.to(device)
                opt.zero_grad()
                loss = loss_fn(model(x)[0], x)
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                sum(loss_fn(model(x.to(device))[0], x.to(device)).item() for x, _ in DataLoader(test_set, 64))
    return time.perf_counter() - t0


def _settings(args) -> LandscapeSettings:
    return LandscapeSettings(n_train=args.images, n_val=args.held_out, n_test=args.held_out, epochs=args.epochs,
                             batch_size=64, lr=1e-3, final_relu=True)


def ours(sigs, args, device, mode) -> float:
    settings = _settings(args)
    data = landscape_data(settings, "mnist", device)  # prepared once (cached in-process), not timed
    jobs = [Job("mnist", sig, 0) for sig in sigs]
    t0 = time.perf_counter()
    train_jobs(jobs, settings, device=device, mode=mode, data=data)
    return time.perf_counter() - t0


def _worker(payload):
    sigs, args = payload
    torch.set_num_threads(1)
    return ours(sigs, args, torch.device("cpu"), "sequential")


def split_processes(sigs, args) -> float:
    chunks = [sigs[i::args.processes] for i in range(args.processes)]
    with ProcessPoolExecutor(args.processes) as pool:
        list(pool.map(_worker, [(sigs[:1], argparse.Namespace(**{**vars(args), "epochs": 1, "images": 64}))] *
                      args.processes))  # warm-up: imports and data loading in each process, not timed
        t0 = time.perf_counter()
        list(pool.map(_worker, [(c, args) for c in chunks if c]))
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=2000, help="training images per model and epoch")
    parser.add_argument("--held-out", type=int, default=256, help="validation images scored per epoch")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--models", type=int, default=8, help="geometries with n_p components")
    parser.add_argument("--n-p", type=int, default=5)
    parser.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--mode", default="auto", choices=["auto", "batched", "sequential"], help="ours in (a)")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: leave as is)")
    parser.add_argument("--processes", type=int, default=0, help="(c) also time a split over this many processes")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: a, b")
    parser.add_argument("--repeats", type=int, default=1, help="round-robin repeats; the best time is reported")
    args = parser.parse_args(argv)
    os.environ.setdefault("LATENT_GEOMETRY_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    sigs = geometries(args.n_p, args.models)
    work = args.images * args.epochs * len(sigs)
    print(f"device {device}, {torch.get_num_threads()} threads, torch {torch.__version__}; {len(sigs)} geometries "
          f"(n_p = {args.n_p}) x {args.images} images x {args.epochs} epoch(s), {args.held_out} held-out images")
    ours(sigs[:1], argparse.Namespace(**{**vars(args), "images": 64, "epochs": 1}), device, "sequential")  # warm-up
    skip = set(filter(None, args.skip.split(",")))
    variants = {}
    if "a" not in skip:
        variants["seed-style"] = lambda: seed_style(sigs, args, device)
        variants["ours"] = lambda: ours(sigs, args, device, args.mode)
    if "b" not in skip:
        variants["sequential"] = lambda: ours(sigs, args, device, "sequential")
        variants["batched"] = lambda: ours(sigs, args, device, "batched")
    if args.processes and device.type == "cpu":
        variants["processes"] = lambda: split_processes(sigs, args)
        variants.setdefault("sequential", lambda: ours(sigs, args, device, "sequential"))
    best = {name: float("inf") for name in variants}
    for _ in range(args.repeats):  # round robin: every variant sees the same (shared, noisy) machine
        for name, run in variants.items():
            best[name] = min(best[name], run())
    for name, t in best.items():
        print(f"{name}: {work / t:,.0f} images/s (best of {args.repeats}: {t:.1f} s)")
    if "a" not in skip:
        print(f"(a) ratio ours (mode {args.mode}) / seed-style = {best['seed-style'] / best['ours']:.2f}x")
    if "b" not in skip:
        print(f"(b) ratio batched ({len(sigs)} models in one vmapped step) / sequential = "
              f"{best['sequential'] / best['batched']:.2f}x")
    if "processes" in best:
        print(f"(c) ratio {args.processes} processes x 1 thread / one process = "
              f"{best['sequential'] / best['processes']:.2f}x")

if __name__ == "__main__":
    main()
