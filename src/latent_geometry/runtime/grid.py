"""The landscape grid on an executor: in-process batched, a local process pool, or Dask distributed.

The landscape is an embarrassingly parallel grid of (dataset, signature, seed) jobs. :func:`run_grid` skips the
jobs its :class:`~latent_geometry.runtime.results_table.ResultsTable` already holds, groups the rest by
``Job.group_key`` (same data and parameter shapes, so the batched trainer takes a group in one step), and trains the
groups on one of three backends:

* ``"batched"`` — in this process, one group after another (the default; on one GPU the batched step is the
  parallelism);
* ``"process"`` — ``concurrent.futures.ProcessPoolExecutor`` (spawn context) with ``n_workers`` processes of
  ``cores // n_workers`` torch threads each;
* ``"dask"`` — ``dask.distributed``: a ``LocalCluster(n_workers, threads_per_worker=1, processes=True)`` by default,
  or the cluster at ``scheduler_address`` (e.g. ``"tcp://host:8786"``, or a dask-cuda cluster with one worker per
  GPU), so the same grid runs unchanged on many machines.

Each finished job is written atomically to the table as its group completes, so an interrupted grid resumes where
it stopped and never retrains a finished job. :func:`load_or_run` loads a shipped table instead of training when its
configuration hash matches, and says why it retrained otherwise.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import torch

from latent_geometry._util.checks import check_choice, check_int
from latent_geometry._util.seeding import DEVICES
from latent_geometry.learning.landscape import TRAIN_MODES, Job, JobResult
from latent_geometry.runtime.results_table import (ResultsTable, TableMismatchError, _check_jobs, _difference,
                                                   job_keys, landscape_config_hash, read_landscape, settings_dict)

__all__ = ["BACKENDS", "ResultsTable", "TableMismatchError", "landscape_config_hash", "load_or_run", "plan_groups",
           "read_landscape", "run_grid"]

BACKENDS = ("batched", "process", "dask")


# ---------------------------------------------------------------------------------------------------- planning
def plan_groups(jobs, max_group_size: int | None = None) -> list[list[Job]]:
    """Jobs grouped by ``Job.group_key`` (sorted), each group split into near-equal chunks of at most
    ``max_group_size`` jobs (None: no cap). Deterministic: the same jobs always give the same chunks."""
    jobs = sorted(_check_jobs(jobs).values())
    if max_group_size is not None:
        max_group_size = check_int(max_group_size, "parameter 'max_group_size'", low=1)
    groups: dict[tuple, list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.group_key, []).append(job)
    chunks = []
    for key in sorted(groups):
        group = groups[key]
        n = 1 if max_group_size is None else math.ceil(len(group) / max_group_size)
        size, extra = divmod(len(group), n)
        start = 0
        for i in range(n):
            stop = start + size + (i < extra)
            chunks.append(group[start:stop])
            start = stop
    return chunks


def _default_train_fn():
    from latent_geometry.learning.landscape import train_jobs  # imported late: the grid is usable with any trainer

    return train_jobs


def _train_chunk(train_fn, jobs, settings, device, mode, threads: int | None = None) -> list[JobResult]:
    """One chunk on a worker (module level, so process pools and Dask can pickle it); ``threads``: torch's
    intra-op threads there (None: leave the worker's setting)."""
    if threads is not None:
        _set_torch_threads(threads)
    return list(train_fn(list(jobs), settings, device=device, mode=mode))


def _set_torch_threads(threads: int) -> None:
    """``threads`` intra-op threads per worker, the cores shared by the workers (process-pool initializer)."""
    import torch

    torch.set_num_threads(threads)


def _threads_per_worker(n_workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // n_workers)


# ---------------------------------------------------------------------------------------------------- running
def run_grid(jobs, settings, table, *, backend: str = "batched", n_workers: int = 2,
             scheduler_address: str | None = None, device: str = "auto", mode: str = "auto",
             max_group_size: int | None = None, train_fn: Callable | None = None,
             progress: bool | Callable | None = None, cluster_kwargs: Mapping | None = None):
    """Train the jobs the table lacks and return the table's frame (one row per job x epoch).

    jobs: sequence of ``Job`` (no duplicates); settings: the training set-up (``LandscapeSettings``) passed to
    ``train_fn``; table: a :class:`ResultsTable` or its directory, bound to ``landscape_config_hash(settings, jobs)``
    (a table of another hash raises :class:`TableMismatchError`).
    backend: ``"batched"`` | ``"process"`` | ``"dask"`` (module docstring). n_workers: processes of the pool or of the
    LocalCluster (with ``scheduler_address``: only the number of chunks a group is split into).
    max_group_size: cap on the jobs trained in one call; None = a whole group in-process, and ``ceil(len /
    n_workers)`` on the parallel backends so every worker gets a chunk. train_fn: ``train_fn(jobs, settings, *,
    device, mode) -> list[JobResult]``, default ``learning.landscape.train_jobs`` (a picklable module-level callable
    for the parallel backends). progress: True prints one line per finished job; a callable gets ``(n_done, n_total,
    result)``. cluster_kwargs: extra ``LocalCluster`` arguments (default: no dashboard).
    """
    backend = check_choice(backend, "parameter 'backend'", BACKENDS)
    n_workers = check_int(n_workers, "parameter 'n_workers'", low=1)
    if not isinstance(device, torch.device):
        check_choice(device, "parameter 'device'", DEVICES)
    check_choice(mode, "parameter 'mode'", TRAIN_MODES)
    if max_group_size is not None:
        max_group_size = check_int(max_group_size, "parameter 'max_group_size'", low=1)
    if scheduler_address is not None:
        if backend != "dask":
            raise ValueError(f"parameter 'scheduler_address' is used only with backend='dask', got backend={backend!r}")
        if not isinstance(scheduler_address, str) or not scheduler_address:
            raise ValueError(f"parameter 'scheduler_address' must be an address such as 'tcp://host:8786', got "
                             f"{scheduler_address!r}")
    if cluster_kwargs is not None and (backend != "dask" or scheduler_address is not None):
        raise ValueError("parameter 'cluster_kwargs' is used only with backend='dask' and its own LocalCluster "
                         "(no scheduler_address)")
    if train_fn is None:
        train_fn = _default_train_fn()
    elif not callable(train_fn):
        raise TypeError(f"parameter 'train_fn' must be callable, got {type(train_fn).__name__}")
    if not (progress is None or isinstance(progress, bool) or callable(progress)):
        raise TypeError(f"parameter 'progress' must be None, a bool or a callable, got {type(progress).__name__}")
    by_key = _check_jobs(jobs)
    settings_dict(settings)  # a clear error before any work
    if not isinstance(table, ResultsTable):
        table = ResultsTable(table)
    table.bind(settings, by_key.values())

    finished = table.done()
    todo = [job for key, job in by_key.items() if key not in finished]
    if max_group_size is None and backend != "batched":
        largest = max((sum(j.group_key == k for j in todo) for k in {j.group_key for j in todo}), default=1)
        max_group_size = max(1, math.ceil(largest / n_workers))
    chunks = plan_groups(todo, max_group_size) if todo else []
    report = _Reporter(progress, len(todo))

    def finish(chunk, results):
        results = list(results)
        expected = {job.key for job in chunk}
        got = [r.job.key if isinstance(r, JobResult) else r for r in results]
        if sorted(got) != sorted(expected):
            raise RuntimeError(f"train_fn returned results for {sorted(map(str, got))}, expected one JobResult per "
                               f"job of {sorted(expected)}")
        for result in results:
            table.write(result)
            report(result)

    if backend == "batched":
        for chunk in chunks:
            finish(chunk, _train_chunk(train_fn, chunk, settings, device, mode))
    elif backend == "process" and chunks:
        ctx = get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_set_torch_threads,
                                 initargs=(_threads_per_worker(n_workers),)) as pool:
            futures = {pool.submit(_train_chunk, train_fn, chunk, settings, device, mode): chunk for chunk in chunks}
            try:
                for future in as_completed(futures):
                    finish(futures[future], future.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # what finished is written; a rerun resumes
                raise
    elif backend == "dask" and chunks:
        _run_dask(chunks, finish, train_fn, settings, device, mode, n_workers, scheduler_address, cluster_kwargs,
                  table.config_hash)
    return table.frame()


def _run_dask(chunks, finish, train_fn, settings, device, mode, n_workers, scheduler_address, cluster_kwargs,
              config_hash):
    try:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as err:  # pragma: no cover - dask is in the requirements
        raise ImportError("backend='dask' needs dask[distributed]: pip install 'dask[distributed]'") from err
    cluster = None
    if scheduler_address is None:
        kwargs = {"dashboard_address": None, **(cluster_kwargs or {})}
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, **kwargs)
        client = Client(cluster)
    else:
        client = Client(scheduler_address)
    threads = _threads_per_worker(n_workers) if cluster is not None else None  # a remote cluster keeps its own
    try:
        futures = {}
        for i, chunk in enumerate(chunks):
            key = f"landscape-{config_hash}-{i:04d}-{chunk[0].key}"
            futures[client.submit(_train_chunk, train_fn, chunk, settings, device, mode, threads, key=key,
                                   pure=False)] = chunk
        try:
            for future in dask_completed(list(futures)):
                finish(futures[future], future.result())
        except BaseException:
            client.cancel(list(futures))
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Reporter:
    def __init__(self, progress, total):
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, result):
        self.done += 1
        if self.progress is True:
            print(f"[{self.done}/{self.total}] {result.job.key}  {result.seconds:.1f} s  ({result.device})",
                  file=sys.stderr, flush=True)
        elif callable(self.progress):
            self.progress(self.done, self.total, result)


# ---------------------------------------------------------------------------------------------------- load or run
def load_or_run(jobs, settings, directory, shipped=None, *, provenance: Mapping | None = None, **grid_kwargs):
    """The landscape of ``(settings, jobs)``: loaded from ``shipped`` when it matches, else trained (resuming).

    shipped: a consolidated table directory (``landscape.csv`` + ``landscape.json``, e.g.
    ``results/ch1_landscape_laptop``) or None. It is loaded, with no training, when its config hash equals
    ``landscape_config_hash(settings, jobs)`` and it holds every job. Otherwise the grid runs in
    ``directory/<config hash>/`` (one subdirectory per hash, so a partial table of the same configuration resumes and
    one of another never mixes in), is consolidated there with ``provenance`` (plus the backend used), and the message
    says why it retrained.
    grid_kwargs go to :func:`run_grid`.

    Returns ``(frame, message, info)``; info: ``source`` ("shipped", or "trained": the working table, trained by this
    call or, when ``n_trained`` is 0, by an earlier one), ``config_hash``, ``table`` (the directory read), ``reason``
    (why not the shipped table; None when loaded from it), ``n_jobs``, ``n_trained``, ``n_resumed``.
    """
    by_key = _check_jobs(jobs)
    config_hash = landscape_config_hash(settings, by_key.values())
    info = {"config_hash": config_hash, "n_jobs": len(by_key)}
    reason = _shipped_mismatch(shipped, settings, sorted(by_key), config_hash)
    if reason is None:
        frame, _ = read_landscape(shipped)
        frame = frame[job_keys(frame).isin(set(by_key))].reset_index(drop=True)
        info.update(source="shipped", table=str(shipped), reason=None, n_trained=0, n_resumed=0)
        return frame, (f"Loaded the shipped landscape table {shipped} (config {config_hash}, {len(by_key)} jobs): "
                       "no training."), info
    table = ResultsTable(Path(directory) / config_hash)
    table.bind(settings, by_key.values())
    resumed = len(table.done() & set(by_key))
    frame = run_grid(list(by_key.values()), settings, table, **grid_kwargs)
    table.consolidate({"backend": grid_kwargs.get("backend", "batched"), **(provenance or {})})
    n_trained = len(by_key) - resumed
    info.update(source="trained", table=str(table.directory), reason=reason, n_trained=n_trained, n_resumed=resumed)
    if not n_trained:
        return frame, (f"Loaded the finished table {table.directory} (config {config_hash}, {len(by_key)} jobs; "
                       f"not the shipped one: {reason}): no training."), info
    done = f"trained {n_trained} of {len(by_key)} jobs" + (f", {resumed} resumed from the partial table" if resumed
                                                          else "")
    return frame, f"Retrained ({reason}): {done} in {table.directory} (config {config_hash}).", info


def _shipped_mismatch(shipped, settings, keys, config_hash) -> str | None:
    """Why the shipped table cannot stand in for the grid (None when it can)."""
    if shipped is None:
        return "no shipped table was given"
    try:
        frame, sidecar = read_landscape(shipped)
    except FileNotFoundError as err:
        return str(err)
    if sidecar.get("config_hash") != config_hash:
        detail = _difference(sidecar, settings_dict(settings), keys)
        return f"the shipped table {shipped} has config {sidecar.get('config_hash')}, this run {config_hash}{detail}"
    missing = sorted(set(keys) - set(job_keys(frame)))
    if missing:
        return (f"the shipped table {shipped} lacks {len(missing)} of {len(keys)} jobs (e.g. "
                f"{', '.join(missing[:3])})")
    return None
