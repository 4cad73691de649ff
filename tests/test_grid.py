"""The landscape grid: results table (atomic parts, tidy frame, shipped CSV + sidecar), resume after a kill, the
Dask LocalCluster and the process pool reproduce the in-process numbers, load_or_run loads or says why it retrained."""

import json
import math
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from latent_geometry.learning.landscape import Job, JobResult
from latent_geometry.runtime.grid import BACKENDS, load_or_run, plan_groups, run_grid
from latent_geometry.runtime.results_table import (COLUMNS, ResultsTable, TableMismatchError, job_keys,
                                                   landscape_config_hash, read_landscape)

sys.path.insert(0, str(Path(__file__).parent))  # the picklable fakes (spawned workers inherit sys.path)
from _grid_jobs import CRASH_CODE, FakeSettings, FakeTrainer, fake_rows, grid_jobs, read_log  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JOBS = grid_jobs()
SETTINGS = FakeSettings()
LOSSES = ["train_loss", "val_loss", "test_loss"]


@pytest.fixture
def reference(tmp_path_factory):
    """The uninterrupted in-process run of the fake grid."""
    return run_grid(JOBS, SETTINGS, tmp_path_factory.mktemp("reference"), train_fn=FakeTrainer())


def assert_same(left, right):
    """Equal frames, floats bit for bit (pandas compares floats with a tolerance unless told otherwise)."""
    pd.testing.assert_frame_equal(left, right, check_exact=True)


def failing_train_fn(jobs, settings, *, device, mode):
    raise AssertionError("train_fn must not be called")


# ---------------------------------------------------------------------------------------------------- planning, hash
job_lists = st.lists(st.builds(Job, st.sampled_from(["mnist", "kmnist"]),
                               st.lists(st.sampled_from([-1, 0, 1]), min_size=1, max_size=4).map(
                                   lambda s: tuple(sorted(s))), st.integers(0, 3)),
                     min_size=1, max_size=30, unique_by=lambda j: j.key)


@settings(max_examples=60, deadline=None)
@given(job_lists, st.one_of(st.none(), st.integers(1, 8)), st.randoms())
def test_plan_groups_partitions_jobs_into_balanced_same_shape_chunks(jobs, cap, rnd):
    chunks = plan_groups(jobs, cap)
    flat = [job for chunk in chunks for job in chunk]
    assert sorted(flat) == sorted(jobs)  # a partition: every job once
    assert all(len({job.group_key for job in chunk}) == 1 for chunk in chunks)
    if cap is not None:
        assert max(map(len, chunks)) <= cap
    sizes: dict = {}
    for chunk in chunks:
        sizes.setdefault(chunk[0].group_key, []).append(len(chunk))
    assert all(max(s) - min(s) <= 1 for s in sizes.values())  # near-equal chunks within a group
    if cap is None:
        assert len(chunks) == len({job.group_key for job in jobs})
    shuffled = list(jobs)
    rnd.shuffle(shuffled)
    assert plan_groups(shuffled, cap) == chunks  # deterministic in the set of jobs
    assert landscape_config_hash(SETTINGS, shuffled) == landscape_config_hash(SETTINGS, jobs)


def test_config_hash_depends_on_settings_and_jobs_only():
    base = landscape_config_hash(SETTINGS, JOBS)
    assert len(base) == 12 and int(base, 16) >= 0
    assert landscape_config_hash({"epochs": 3, "n_train": 64, "setup": "corrected"}, JOBS) == base  # dict == dataclass
    assert landscape_config_hash(replace(SETTINGS, epochs=4), JOBS) != base
    assert landscape_config_hash(SETTINGS, JOBS[:-1]) != base
    assert landscape_config_hash(SETTINGS, JOBS[:-1] + [Job("kmnist", (0, 0), 1)]) != base


# ---------------------------------------------------------------------------------------------------- the table
def test_frame_is_tidy_one_row_per_job_and_epoch(reference):
    assert list(reference.columns) == list(COLUMNS)
    assert len(reference) == len(JOBS) * SETTINGS.epochs
    row = reference[(reference.signature == "H2xE2") & (reference.seed == 1)]
    assert row.dataset.tolist() == ["mnist"] * 3 and row.n_p.tolist() == [2, 2, 2] and row.epoch.tolist() == [1, 2, 3]
    expected = fake_rows(Job("mnist", (-1, 0), 1), SETTINGS.epochs)
    assert row.train_loss.tolist() == [r["train_loss"] for r in expected]
    final = reference.epoch == SETTINGS.epochs
    assert reference.loc[final, "test_loss"].notna().all() and reference.loc[~final, "test_loss"].isna().all()
    assert reference.dtypes[LOSSES + ["seconds"]].eq("float64").all()
    assert reference.dtypes[["n_p", "seed", "epoch"]].eq("int64").all()
    assert set(job_keys(reference)) == {job.key for job in JOBS}


def test_parts_are_one_json_per_job_and_stray_partial_files_never_count(tmp_path):
    table = ResultsTable(tmp_path)
    table.bind(SETTINGS, JOBS)
    first = JobResult(JOBS[0], fake_rows(JOBS[0], 3), 1.5, "cpu")
    path = table.write(first)
    assert path == tmp_path / "parts" / f"{JOBS[0].key}.json"
    assert json.loads(path.read_text())["rows"][0]["test_loss"] is None
    (tmp_path / "parts" / f".{JOBS[1].key}.json.x1y2.tmp").write_text('{"key": "')  # an interrupted atomic write
    (tmp_path / "parts" / f"{JOBS[2].key}.json").write_text('{"key": "' + JOBS[2].key)  # truncated, not atomic
    with pytest.warns(RuntimeWarning, match="unreadable part file"):
        assert table.done() == {JOBS[0].key}
    log = tmp_path / "calls.log"
    with pytest.warns(RuntimeWarning, match="unreadable part file"):
        frame = run_grid(JOBS, SETTINGS, table, train_fn=FakeTrainer(log=str(log)))
    assert sorted(read_log(log)) == sorted(job.key for job in JOBS[1:])  # the finished job is not retrained
    assert table.done() == {job.key for job in JOBS} and len(frame) == 3 * len(JOBS)


def test_write_refuses_jobs_outside_the_grid_and_malformed_rows(tmp_path):
    table = ResultsTable(tmp_path)
    with pytest.raises(RuntimeError, match="not bound"):
        table.write(JobResult(JOBS[0], fake_rows(JOBS[0], 3), 1.0, "cpu"))
    table.bind(SETTINGS, JOBS)
    stranger = Job("mnist", (1, 1, 1), 0)
    with pytest.raises(TableMismatchError, match="not in the grid"):
        table.write(JobResult(stranger, fake_rows(stranger, 3), 1.0, "cpu"))
    with pytest.raises(ValueError, match="'epoch' must be an integer >= 1"):
        table.write(JobResult(JOBS[0], ({"epoch": 0, "train_loss": 1.0},), 1.0, "cpu"))
    with pytest.raises(ValueError, match="unknown keys"):
        table.write(JobResult(JOBS[0], ({"epoch": 1, "loss": 1.0},), 1.0, "cpu"))
    with pytest.raises(TypeError, match="'train_loss' must be a number or None"):
        table.write(JobResult(JOBS[0], ({"epoch": 1, "train_loss": "0.3"},), 1.0, "cpu"))
    assert table.done() == set()


def test_config_hash_mismatch_is_refused(tmp_path):
    run_grid(JOBS, SETTINGS, tmp_path, train_fn=FakeTrainer())
    with pytest.raises(TableMismatchError, match=r"settings differ in epochs \(3 vs 4\)"):
        run_grid(JOBS, replace(SETTINGS, epochs=4), tmp_path, train_fn=failing_train_fn)
    with pytest.raises(TableMismatchError, match=r"job lists differ \(12 vs 11 jobs, 11 in common\)"):
        run_grid(JOBS[:-1], SETTINGS, tmp_path, train_fn=failing_train_fn)
    part = tmp_path / "parts" / f"{JOBS[0].key}.json"
    data = json.loads(part.read_text())
    part.write_text(json.dumps({**data, "config_hash": "0" * 12}))  # a part copied in from another table
    with pytest.raises(TableMismatchError, match="refusing to mix"):
        ResultsTable(tmp_path).frame()


def test_consolidated_csv_and_sidecar_round_trip_with_provenance(tmp_path, reference):
    table = ResultsTable(tmp_path)
    run_grid(JOBS, SETTINGS, table, train_fn=FakeTrainer())
    with pytest.raises(ValueError, match="must not set \\['config_hash'\\]"):
        table.consolidate({"config_hash": "x"})
    csv = table.consolidate({"profile": "smoke", "backend": "batched"})
    frame, sidecar = read_landscape(tmp_path)
    assert_same(frame, reference)  # floats round-trip exactly, empty cells -> NaN
    assert csv.read_text().splitlines()[1].split(",")[COLUMNS.__len__() - 3] == ""  # epoch 1: test_loss empty
    assert sidecar["config_hash"] == landscape_config_hash(SETTINGS, JOBS) == table.config_hash
    assert sidecar["settings"] == {"epochs": 3, "n_train": 64, "setup": "corrected"}
    assert sidecar["profile"] == "smoke" and sidecar["complete"] and sidecar["missing_jobs"] == []
    assert sidecar["jobs"] == sorted(job.key for job in JOBS) and sidecar["devices"] == ["fake-auto"]
    assert {"commit", "dirty"} <= set(sidecar) and {"torch", "pandas", "dask", "python"} <= set(sidecar["versions"])
    assert set(sidecar["columns"]) == set(COLUMNS) and sidecar["columns"]["seconds"]["unit"] == "seconds"
    assert sidecar["non_finite"] == [] and not list(tmp_path.rglob("*.tmp"))


def test_a_diverged_loss_stays_non_finite_and_is_listed(tmp_path):
    table = ResultsTable(tmp_path)
    table.bind(SETTINGS, JOBS[:2])
    rows = ({"epoch": 1, "train_loss": math.nan, "val_loss": math.inf, "test_loss": None},)
    table.write(JobResult(JOBS[0], rows, 1.0, "cpu"))
    frame = table.frame()
    assert math.isnan(frame.train_loss[0]) and frame.val_loss[0] == math.inf
    table.consolidate()
    _, sidecar = read_landscape(tmp_path)
    assert [(c["column"], c["value"]) for c in sidecar["non_finite"]] == [("train_loss", "nan"), ("val_loss", "inf")]
    assert not sidecar["complete"] and sidecar["missing_jobs"] == [JOBS[1].key]


# ---------------------------------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("kwargs, match", [
    ({"backend": "threads"}, "parameter 'backend' must be one of 'batched', 'process', 'dask'"),
    ({"n_workers": 0}, "parameter 'n_workers' must be an integer >= 1"),
    ({"n_workers": 2.0}, "parameter 'n_workers' must be an integer"),
    ({"scheduler_address": "tcp://localhost:8786"}, "'scheduler_address' is used only with backend='dask'"),
    ({"backend": "dask", "scheduler_address": ""}, "'scheduler_address' must be an address"),
    ({"cluster_kwargs": {}}, "'cluster_kwargs' is used only with backend='dask'"),
    ({"max_group_size": 0}, "parameter 'max_group_size' must be an integer >= 1"),
    ({"device": "tpu"}, "parameter 'device' must be one of"),
    ({"mode": "fast"}, "parameter 'mode' must be one of 'auto', 'batched', 'sequential'"),
    ({"train_fn": "train_jobs"}, "parameter 'train_fn' must be callable"),
    ({"progress": "yes"}, "parameter 'progress' must be None, a bool or a callable"),
])
def test_bad_arguments_name_the_parameter_and_the_allowed_values(tmp_path, kwargs, match):
    kwargs = {"train_fn": failing_train_fn, **kwargs}
    with pytest.raises((TypeError, ValueError), match=match):
        run_grid(JOBS, SETTINGS, tmp_path, **kwargs)
    assert not (tmp_path / "grid.json").exists()  # refused before any work


@pytest.mark.parametrize("jobs, settings_, match", [
    ([], SETTINGS, "parameter 'jobs' must hold at least one Job"),
    (JOBS + JOBS[:1], SETTINGS, "holds job .* twice"),
    (JOBS[:1] + [("mnist", (0, 0), 0)], SETTINGS, "parameter 'jobs' must hold only Job instances"),
    (JOBS[0], SETTINGS, "parameter 'jobs' must be a sequence of Job"),
    (JOBS, "corrected", "parameter 'settings' must be a dataclass instance"),
    (JOBS, {"epochs": object()}, "parameter 'settings' must hold only JSON values"),
])
def test_bad_jobs_or_settings_name_the_parameter(tmp_path, jobs, settings_, match):
    with pytest.raises((TypeError, ValueError), match=match):
        run_grid(jobs, settings_, tmp_path, train_fn=failing_train_fn)


def test_a_train_fn_that_drops_jobs_is_an_error(tmp_path):
    def drops_one(jobs, settings, *, device, mode):
        return FakeTrainer()(jobs[1:], settings, device=device, mode=mode)

    with pytest.raises(RuntimeError, match="expected one JobResult per job"):
        run_grid(JOBS, SETTINGS, tmp_path, max_group_size=2, train_fn=drops_one)


def test_progress_callable_sees_every_job_once(tmp_path):
    seen = []
    frame = run_grid(JOBS, SETTINGS, tmp_path, train_fn=FakeTrainer(), device=torch.device("cpu"),
                     progress=lambda k, n, r: seen.append((k, n, r.job)))
    assert set(frame.device) == {"fake-cpu"}  # a torch.device is passed through to train_fn
    assert [k for k, _, _ in seen] == list(range(1, len(JOBS) + 1)) and {n for _, n, _ in seen} == {len(JOBS)}
    assert sorted(job for _, _, job in seen) == sorted(JOBS)


# ---------------------------------------------------------------------------------------------------- resume
def test_killed_grid_restarts_without_retraining(tmp_path, reference):
    table_dir, log1, log2 = tmp_path / "table", tmp_path / "first.log", tmp_path / "second.log"
    script = (f"import sys; sys.path[:0] = [{str(ROOT / 'src')!r}, {str(ROOT / 'tests')!r}]\n"
              "from _grid_jobs import FakeSettings, FakeTrainer, grid_jobs\n"
              "from latent_geometry.runtime.grid import run_grid\n"
              f"run_grid(grid_jobs(), FakeSettings(), {str(table_dir)!r}, max_group_size=2,\n"
              f"         train_fn=FakeTrainer(log={str(log1)!r}, crash_after=4))\n"
              "print('not killed')\n")
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert killed.returncode == CRASH_CODE, killed.stdout + killed.stderr
    finished = ResultsTable(table_dir).done()
    trained_before = read_log(log1)
    # chunks [kmnist], [2 jobs], [2 jobs], ...: two written, the third killed after training one job (unfinished)
    assert len(trained_before) == 4 and len(finished) == 3 and finished < set(trained_before)

    frame = run_grid(JOBS, SETTINGS, table_dir, max_group_size=2, train_fn=FakeTrainer(log=str(log2)))
    retrained = read_log(log2)
    assert not set(retrained) & finished  # no finished job is trained again
    assert sorted(retrained) == sorted({job.key for job in JOBS} - finished)  # every other job exactly once
    assert_same(frame, reference)  # the resumed table equals an uninterrupted run
    assert run_grid(JOBS, SETTINGS, table_dir, train_fn=failing_train_fn).equals(reference)  # complete: no work


# ---------------------------------------------------------------------------------------------------- backends
def test_dask_local_cluster_gives_exactly_the_in_process_numbers(tmp_path, reference):
    log = tmp_path / "calls.log"
    frame = run_grid(JOBS, SETTINGS, tmp_path / "dask", backend="dask", n_workers=2,
                     train_fn=FakeTrainer(log=str(log)))
    assert_same(frame, reference)
    assert sorted(read_log(log)) == sorted(job.key for job in JOBS)  # each job trained once, by the workers


@pytest.mark.slow
def test_process_pool_gives_exactly_the_in_process_numbers(tmp_path, reference):
    frame = run_grid(JOBS, SETTINGS, tmp_path, backend="process", n_workers=2, train_fn=FakeTrainer())
    assert_same(frame, reference)


@pytest.mark.slow
def test_real_train_jobs_on_a_dask_cluster_equal_in_process(tmp_path, one_thread, data_root):
    """The real trainer at tiny scale on a cluster given by address (the many-machines path) vs in-process."""
    landscape = pytest.importorskip("latent_geometry.learning.landscape")
    if not hasattr(landscape, "train_jobs") or not hasattr(landscape, "LandscapeSettings"):
        pytest.skip("learning.landscape.train_jobs / LandscapeSettings are not there yet")
    from dask.distributed import LocalCluster

    tiny = landscape.LandscapeSettings(n_train=64, n_val=64, n_test=64, epochs=1)
    jobs = [Job("mnist", (-1, 0, 0, 0, 0), 0), Job("mnist", (0, 0, 0, 0, 0), 0)]
    local = run_grid(jobs, tiny, tmp_path / "local", max_group_size=1)  # the default train_fn
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_grid(jobs, tiny, tmp_path / "dask", backend="dask", scheduler_address=cluster.scheduler_address,
                          max_group_size=1)
    assert local[LOSSES[:2]].notna().all().all() and local.test_loss.notna().all()  # 1 epoch: the final one
    assert_same(remote[LOSSES], local[LOSSES])
    assert_same(remote.drop(columns=["seconds"]), local.drop(columns=["seconds"]))


def test_backends_are_listed():
    assert BACKENDS == ("batched", "process", "dask")


# ---------------------------------------------------------------------------------------------------- load or run
def test_load_or_run_loads_a_matching_shipped_table_without_training(tmp_path, reference):
    frame, message, info = load_or_run(JOBS, SETTINGS, tmp_path / "work", train_fn=FakeTrainer(),
                                       provenance={"profile": "smoke"})
    assert info["source"] == "trained" and "no shipped table" in message and info["n_trained"] == len(JOBS)
    again, message, info_again = load_or_run(JOBS, SETTINGS, tmp_path / "work", train_fn=failing_train_fn)
    assert info_again["source"] == "trained" and info_again["n_trained"] == 0 and "no training" in message
    assert info_again["n_resumed"] == len(JOBS) and "Loaded the finished table" in message
    assert_same(again, frame)
    shipped = tmp_path / "results" / "ch1_landscape_smoke"
    shipped.mkdir(parents=True)
    for name in ("landscape.csv", "landscape.json"):
        shutil.copy(Path(info["table"]) / name, shipped / name)

    loaded, message, info = load_or_run(JOBS, SETTINGS, tmp_path / "elsewhere", shipped=shipped,
                                        train_fn=failing_train_fn)
    assert info["source"] == "shipped" and info["n_trained"] == 0 and "no training" in message
    assert info["config_hash"] in message and not (tmp_path / "elsewhere").exists()
    assert_same(loaded, reference)
    subset, message, info = load_or_run(JOBS[:3], SETTINGS, tmp_path / "elsewhere", shipped=shipped,
                                        train_fn=FakeTrainer())  # another grid: another hash, so it trains
    assert info["source"] == "trained" and f"job lists differ ({len(JOBS)} vs 3 jobs, 3 in common)" in message
    assert len(subset) == 3 * SETTINGS.epochs


def test_load_or_run_retrains_on_mismatch_says_why_and_resumes(tmp_path, reference):
    work, shipped = tmp_path / "work", tmp_path / "shipped"
    table = ResultsTable(shipped)
    table.bind(SETTINGS, JOBS)
    for job in JOBS[:-1]:  # a shipped table with the right hash but one job short
        table.write(JobResult(job, fake_rows(job, 3), 0.0, "cpu"))
    table.consolidate()

    log = tmp_path / "calls.log"
    frame, message, info = load_or_run(JOBS, replace(SETTINGS, epochs=2), work, shipped=shipped,
                                       train_fn=FakeTrainer(log=str(log)))
    assert info["source"] == "trained" and "settings differ in epochs (3 vs 2)" in message
    assert frame.epoch.max() == 2 and Path(info["table"]).parent == work

    frame, message, info = load_or_run(JOBS, SETTINGS, work, shipped=shipped, train_fn=FakeTrainer(log=str(log)))
    assert f"lacks 1 of {len(JOBS)} jobs" in message and JOBS[-1].key in message
    assert_same(frame, reference)

    # a partial table of the same hash in the working directory resumes: only the missing jobs train
    partial = ResultsTable(work / info["config_hash"])
    (partial.parts / f"{JOBS[0].key}.json").unlink()
    log.unlink()
    frame, message, info = load_or_run(JOBS, SETTINGS, work, shipped=tmp_path / "absent",
                                       train_fn=FakeTrainer(log=str(log)))
    assert read_log(log) == [JOBS[0].key] and info["n_resumed"] == len(JOBS) - 1 and info["n_trained"] == 1
    assert "landscape.csv is missing" in message and f"{len(JOBS) - 1} resumed" in message
    assert_same(frame, reference)
