"""The landscape's results table: one atomically written part file per finished job, a tidy frame, a shipped CSV.

A table is a directory bound to one configuration hash (:func:`landscape_config_hash`)::

    <directory>/grid.json              config hash, settings, the grid's job keys (written when the table is bound)
    <directory>/parts/<job.key>.json   one finished job: job, per-epoch rows, seconds, device
    <directory>/landscape.csv          tidy table, one row per job x epoch     (written by ResultsTable.consolidate)
    <directory>/landscape.json         sidecar: provenance, column descriptions and units

A part file is written with an atomic rename (``_util.io``): it is complete or absent, so a job counts as finished
exactly when its part exists; interrupted writes leave only ``.*.tmp`` files, which are never read. A directory bound
to one hash refuses jobs of another (:class:`TableMismatchError`); :func:`~latent_geometry.runtime.grid.load_or_run`
keeps one subdirectory per hash. The layout follows NAS-Bench-201's per-seed, per-epoch tabular benchmark
(``dong2020nasbench201``); ``results/README.md`` describes the shipped format.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from latent_geometry._util.io import atomic_write_json, atomic_write_text
from latent_geometry.learning.landscape import Job, JobResult
from latent_geometry.manifolds import format_signature, parse_signature
from latent_geometry.runtime.provenance import git_state, library_versions

__all__ = ["COLUMNS", "FORMAT_VERSION", "ResultsTable", "TableMismatchError", "landscape_config_hash",
           "job_keys", "read_landscape", "settings_dict"]

FORMAT_VERSION = 1
LOSSES = ("train_loss", "val_loss", "test_loss")
# column -> (description, unit); the sidecar carries this dict, results/README.md restates it
COLUMNS = {
    "dataset": ("dataset of the job (e.g. 'mnist', 'kmnist')", None),
    "signature": ("latent product manifold, components joined by 'x' (H2 = hyperbolic plane, E2 = Euclidean "
                  "plane, S2 = sphere), sorted by curvature", None),
    "n_p": ("number of 2-D components (latent dimension 2 n_p)", None),
    "seed": ("training seed (initialization and batch order)", None),
    "epoch": ("epoch after which the losses were measured, 1-based", None),
    "train_loss": ("mean of the mini-batch reconstruction losses over the epoch, in training mode",
                   "MSE per pixel, on the targets' scale (as-seed: standardized pixels)"),
    "val_loss": ("reconstruction loss on the validation split after the epoch, in eval mode",
                 "MSE per pixel, on the targets' scale (as-seed: standardized pixels)"),
    "test_loss": ("reconstruction loss on the test split; empty where not measured (the corrected set-up "
                  "scores it once, after the last epoch; as-seed: the test split is the validation split)",
                  "MSE per pixel, on the targets' scale (as-seed: standardized pixels)"),
    "seconds": ("wall time of the whole job (its share of a batched step), repeated on each of its rows",
                "seconds"),
    "device": ("where the job ran, e.g. 'cpu' or 'cuda'", None),
}
_EXTRA_VERSIONS = ("pandas", "dask", "distributed")
_RESERVED = ("format", "config_hash", "settings", "jobs", "columns")


class TableMismatchError(ValueError):
    """A results table holds jobs of another configuration hash (or a job outside its grid)."""


def settings_dict(settings) -> dict:
    """The settings as a JSON-safe dict (a dataclass such as ``LandscapeSettings``, or a mapping)."""
    if dataclasses.is_dataclass(settings) and not isinstance(settings, type):
        raw = dataclasses.asdict(settings)
    elif isinstance(settings, Mapping):
        raw = dict(settings)
    else:
        raise TypeError(f"parameter 'settings' must be a dataclass instance (e.g. LandscapeSettings) or a mapping, "
                        f"got {type(settings).__name__}")
    try:  # tuples -> lists, and a clear error for anything JSON cannot hold
        return json.loads(json.dumps(raw, sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as err:
        raise ValueError(f"parameter 'settings' must hold only JSON values (numbers, strings, lists): {err}") from None


def landscape_config_hash(settings, jobs: Iterable[Job]) -> str:
    """sha256 (first 12 hex digits) of the canonical JSON of the settings dict and the sorted job keys.

    Exactly what determines the numbers enters: where or how the jobs ran (backend, device, group sizes) does not,
    it is provenance. The JSON is canonical (sorted keys, no whitespace), so the hash is stable across runs.
    """
    keys = sorted(_check_jobs(jobs))
    canonical = json.dumps({"jobs": keys, "settings": settings_dict(settings)}, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _check_jobs(jobs) -> dict[str, Job]:
    """``{key: job}``; errors name parameter 'jobs'."""
    if isinstance(jobs, (str, bytes, Job)) or not isinstance(jobs, Iterable):
        raise TypeError(f"parameter 'jobs' must be a sequence of Job, got {type(jobs).__name__}")
    out: dict[str, Job] = {}
    for job in jobs:
        if not isinstance(job, Job):
            raise TypeError(f"parameter 'jobs' must hold only Job instances, got {type(job).__name__}: {job!r}")
        if job.key in out:
            raise ValueError(f"parameter 'jobs' holds job {job.key!r} twice")
        out[job.key] = job
    if not out:
        raise ValueError("parameter 'jobs' must hold at least one Job")
    return out


def _versions() -> dict:
    return library_versions(_EXTRA_VERSIONS)


def _loss(value, where: str):
    """A loss as stored: None (not measured) stays None, NaN/inf stay non-finite floats, bool/str are errors."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise TypeError(f"{where} must be a number or None, got {value!r} ({type(value).__name__})")
    return float(value)


def _json_items(extra: Mapping) -> dict:
    """The entries of ``JobResult.extra`` that JSON can hold (model states and tensors stay out of the table)."""
    out = {}
    for name, value in dict(extra).items():
        try:
            out[str(name)] = json.loads(json.dumps(value))
        except (TypeError, ValueError):
            continue
    return out


class ResultsTable:
    """A results table directory (see the module docstring): ``bind``, ``write``, ``done``, ``frame``,
    ``consolidate``."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.parts = self.directory / "parts"

    def __repr__(self):
        return f"ResultsTable({str(self.directory)!r}, config_hash={self.config_hash!r})"

    # ------------------------------------------------------------------------------------------------ binding
    @property
    def meta(self) -> dict | None:
        """The contents of ``grid.json`` (None while the table is unbound)."""
        path = self.directory / "grid.json"
        return json.loads(path.read_text()) if path.exists() else None

    @property
    def config_hash(self) -> str | None:
        meta = self.meta
        return None if meta is None else meta["config_hash"]

    def bind(self, settings, jobs: Iterable[Job]) -> str:
        """Bind the table to the grid ``(settings, jobs)`` and return its config hash.

        A fresh directory records the hash, the settings and the job keys in ``grid.json``; a directory already
        bound to another hash raises :class:`TableMismatchError` (jobs of two configurations never mix).
        """
        keys = sorted(_check_jobs(jobs))
        config_hash = landscape_config_hash(settings, jobs)
        meta = self.meta
        if meta is None:
            atomic_write_json(self.directory / "grid.json", {
                "format": FORMAT_VERSION, "config_hash": config_hash, "settings": settings_dict(settings),
                "jobs": keys, "created": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        elif meta["config_hash"] != config_hash:
            raise TableMismatchError(
                f"results table {self.directory} holds config hash {meta['config_hash']}, this grid has "
                f"{config_hash}{_difference(meta, settings_dict(settings), keys)}; refusing to mix jobs of two "
                f"configurations: use another directory (load_or_run keeps one subdirectory per hash)")
        return config_hash

    def _bound_meta(self) -> dict:
        meta = self.meta
        if meta is None:
            raise RuntimeError(f"results table {self.directory} is not bound to a grid: call bind(settings, jobs) "
                               "first (run_grid does)")
        return meta

    # ------------------------------------------------------------------------------------------------ writing
    def write(self, result: JobResult) -> Path:
        """Write one finished job atomically to ``parts/<job.key>.json`` and return the path.

        The part holds the job, its rows (epoch and the three losses; None = not measured), seconds, device and the
        JSON-serializable entries of ``result.extra``. A job outside the bound grid raises TableMismatchError.
        """
        meta = self._bound_meta()
        if not isinstance(result, JobResult):
            raise TypeError(f"parameter 'result' must be a JobResult, got {type(result).__name__}")
        job = result.job
        if job.key not in set(meta["jobs"]):
            raise TableMismatchError(f"job {job.key!r} is not in the grid of results table {self.directory} "
                                     f"(config hash {meta['config_hash']})")
        rows = []
        for i, row in enumerate(result.rows):
            where = f"result of {job.key}, row {i}"
            if set(row) - {"epoch", *LOSSES}:
                raise ValueError(f"{where} has unknown keys {sorted(set(row) - {'epoch', *LOSSES})}; allowed: "
                                 f"epoch, {', '.join(LOSSES)}")
            epoch = row.get("epoch")
            if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
                raise ValueError(f"{where}: 'epoch' must be an integer >= 1, got {epoch!r}")
            rows.append({"epoch": epoch, **{name: _loss(row.get(name), f"{where}: {name!r}") for name in LOSSES}})
        part = {"format": FORMAT_VERSION, "config_hash": meta["config_hash"], "key": job.key,
                "job": {"dataset": job.dataset, "signature": list(job.signature), "seed": job.seed},
                "rows": rows, "seconds": float(result.seconds), "device": str(result.device),
                "extra": _json_items(result.extra)}
        # json writes NaN/inf as NaN/Infinity (read back by json.loads): a diverged loss stays non-finite
        return atomic_write_json(self.parts / f"{job.key}.json", part)

    # ------------------------------------------------------------------------------------------------ reading
    def _read_parts(self) -> dict[str, dict]:
        """Every complete, readable part of this table's hash, by key; ``*.tmp`` files are never looked at."""
        if not self.parts.is_dir():
            return {}
        meta = self.meta
        out = {}
        for path in sorted(self.parts.glob("*.json")):
            try:
                part = json.loads(path.read_text())
                key = part["key"]
            except (ValueError, KeyError, TypeError) as err:
                warnings.warn(f"ignoring unreadable part file {path} ({err}); its job counts as not finished",
                              RuntimeWarning, stacklevel=3)
                continue
            if key != path.stem:
                warnings.warn(f"ignoring part file {path}: it holds job {key!r}", RuntimeWarning, stacklevel=3)
                continue
            if meta is not None and part.get("config_hash") != meta["config_hash"]:
                raise TableMismatchError(f"part file {path} has config hash {part.get('config_hash')}, the table "
                                         f"{meta['config_hash']}: refusing to mix configurations")
            out[key] = part
        return out

    def done(self) -> set[str]:
        """Keys of the finished jobs (those with a complete part file)."""
        return set(self._read_parts())

    def frame(self):
        """Tidy ``pandas.DataFrame``: one row per job x epoch, columns :data:`COLUMNS`, sorted by dataset, n_p,
        signature (as curvature tuple), seed and epoch.

        ``test_loss`` (and any loss a job did not measure) is NaN where missing; a diverged loss is NaN or inf.
        """
        return _frame(self._read_parts().values())

    # ------------------------------------------------------------------------------------------------ shipping
    def consolidate(self, provenance: Mapping | None = None) -> Path:
        """Write ``landscape.csv`` and its sidecar ``landscape.json`` atomically; return the CSV's path.

        The sidecar holds ``provenance`` (e.g. ``{"profile": "laptop"}``) plus what the table knows: format, config
        hash, settings, the grid's jobs and whether all finished, commit and dirty flag (``git_state``), the devices
        the jobs ran on, library versions, the column descriptions and units, and the non-finite losses.
        """
        meta = self._bound_meta()
        provenance = dict(provenance or {})
        clash = sorted(set(provenance) & set(_RESERVED))
        if clash:
            raise ValueError(f"parameter 'provenance' must not set {clash}: the table fills them in "
                             f"(reserved: {', '.join(_RESERVED)})")
        parts = self._read_parts()
        frame = _frame(parts.values())
        devices = sorted({part["device"] for part in parts.values()})
        non_finite = [{"job": key, "epoch": row["epoch"], "column": name, "value": str(row[name])}
                      for key, part in sorted(parts.items()) for row in part["rows"] for name in LOSSES
                      if row[name] is not None and not math.isfinite(row[name])]
        sidecar = {
            "format": FORMAT_VERSION, "config_hash": meta["config_hash"], "settings": meta["settings"],
            "jobs": meta["jobs"], "complete": set(parts) == set(meta["jobs"]),
            "missing_jobs": sorted(set(meta["jobs"]) - set(parts)), "n_rows": len(frame),
            "devices": devices, "device": ", ".join(devices), **git_state(), "versions": _versions(),
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "job_seconds_total": round(sum(part["seconds"] for part in parts.values()), 3),
            "columns": {name: {"description": d, "unit": u} for name, (d, u) in COLUMNS.items()},
            "non_finite": non_finite,
            **provenance,
        }
        csv = self.directory / "landscape.csv"
        atomic_write_text(csv, frame.to_csv(index=False, na_rep=""))
        atomic_write_json(self.directory / "landscape.json", sidecar)
        return csv


def _frame(parts: Iterable[dict]):
    import pandas as pd

    def job_of(part):  # dataset, then n_p, then signature and seed
        job = part["job"]
        return job["dataset"], len(job["signature"]), tuple(job["signature"]), job["seed"]

    records = []
    for part in sorted(parts, key=job_of):
        job = part["job"]
        for row in sorted(part["rows"], key=lambda r: r["epoch"]):
            records.append({"dataset": job["dataset"], "signature": format_signature(job["signature"]),
                            "n_p": len(job["signature"]), "seed": job["seed"], "epoch": row["epoch"],
                            **{name: row[name] for name in LOSSES}, "seconds": part["seconds"],
                            "device": part["device"]})
    return _typed(pd.DataFrame.from_records(records, columns=list(COLUMNS)))


def _typed(frame):
    """The table's dtypes: int64 ids, float64 losses and seconds (NaN = missing), str names."""
    frame = frame.astype({"n_p": "int64", "seed": "int64", "epoch": "int64", **{c: "float64" for c in LOSSES},
                          "seconds": "float64"})
    for column in ("dataset", "signature", "device"):
        frame[column] = frame[column].astype(object)
    return frame.reset_index(drop=True)


def job_keys(frame):
    """``pandas.Series`` of the ``Job.key`` of each row of a landscape frame (same index)."""
    import pandas as pd

    ids = list(frame[["dataset", "signature", "seed"]].itertuples(index=False, name=None))
    keys = {row: Job(row[0], tuple(sorted(parse_signature(row[1]))), int(row[2])).key for row in set(ids)}
    return pd.Series([keys[row] for row in ids], index=frame.index, dtype=object)


def read_landscape(directory):
    """``(frame, sidecar)`` of a consolidated (e.g. shipped) table: ``landscape.csv`` with the table's dtypes (empty
    cells -> NaN) and the ``landscape.json`` dict. FileNotFoundError names what is missing."""
    import pandas as pd

    directory = Path(directory)
    csv, sidecar = directory / "landscape.csv", directory / "landscape.json"
    for path in (csv, sidecar):
        if not path.is_file():
            raise FileNotFoundError(f"no landscape table at {directory}: {path.name} is missing")
    frame = pd.read_csv(csv, dtype={"dataset": str, "signature": str, "device": str}, keep_default_na=False,
                        na_values={c: [""] for c in LOSSES})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{csv} lacks the columns {missing} (expected {list(COLUMNS)})")
    return _typed(frame[list(COLUMNS)]), json.loads(sidecar.read_text())


def _difference(meta: Mapping, settings: Mapping, keys: list[str]) -> str:
    """Words for what differs between a bound table (``meta``: its settings and job keys) and a grid."""
    old = meta.get("settings", {})
    changed = sorted(k for k in set(old) | set(settings) if old.get(k, _ABSENT) != settings.get(k, _ABSENT))
    words = []
    if changed:
        words.append("settings differ in " + ", ".join(f"{k} ({old.get(k, _ABSENT)!r} vs {settings.get(k, _ABSENT)!r})"
                                                        for k in changed))
    old_keys, new_keys = set(meta.get("jobs", ())), set(keys)
    if old_keys != new_keys:
        words.append(f"the job lists differ ({len(old_keys)} vs {len(new_keys)} jobs, "
                     f"{len(old_keys & new_keys)} in common)")
    return " (" + "; ".join(words) + ")" if words else ""


class _Absent:
    def __repr__(self):
        return "absent"


_ABSENT = _Absent()
