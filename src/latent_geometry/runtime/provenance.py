"""Provenance of an executed chapter: configuration and hash, git commit, device, library versions, wall time.

A chapter opens a :class:`Run` right after its ``parameters`` cell and closes it in its last cell::

    run = Run(cfg)          # shows a collapsible "Provenance" block at the top of the page
    ...
    run.finish()            # fills in the wall time (updates the same block) and returns the record

The block's output carries the record as JSON (its ``text/plain`` part), so the appendix "Environment and runs"
tabulates every chapter from the executed notebooks with :func:`read_record`.
"""

from __future__ import annotations

import html
import json
import os
import platform
import subprocess
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import torch

from latent_geometry.runtime.config import Config
from latent_geometry._util.seeding import resolve_device

LIBRARIES = ("torch", "numpy", "scipy", "networkx", "matplotlib", "scikit-learn", "geomstats", "papermill",
             "jupyter-book")
REPO_ROOT = Path(__file__).resolve().parents[3]


def git_state(root: Path = REPO_ROOT) -> dict:
    """``{"commit": sha or None, "dirty": bool or None}`` of the repository holding the library.

    Where the tree is a copy without ``.git`` (e.g. shipped to a GPU machine), the launcher may state the commit in
    ``LATENT_GEOMETRY_COMMIT`` (and ``LATENT_GEOMETRY_DIRTY=1`` if the copy had uncommitted changes).
    """
    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=20)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode == 0:
            status = git("status", "--porcelain", "--untracked-files=no")
            return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        pass
    stated = os.environ.get("LATENT_GEOMETRY_COMMIT")
    if stated:
        return {"commit": stated, "dirty": os.environ.get("LATENT_GEOMETRY_DIRTY", "0") == "1"}
    return {"commit": None, "dirty": None}


def library_versions(extra: tuple[str, ...] = ()) -> dict:
    """Python's version and each installed version of :data:`LIBRARIES` and ``extra`` ("not installed" if absent)."""
    versions = {"python": platform.python_version()}
    for name in (*LIBRARIES, *extra):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def device_description(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


class Run:
    """Provenance of one chapter execution; see the module docstring."""

    def __init__(self, cfg: Config, display: bool = True):
        self.cfg = cfg
        self.device = resolve_device(getattr(cfg, "device", "auto"))
        self._t0 = time.perf_counter()
        self.record = {
            "chapter": cfg.chapter,
            "profile": cfg.profile,
            "config": cfg.to_dict()["params"],
            "config_hash": cfg.hash,
            **git_state(),
            "device": device_description(self.device),
            "versions": library_versions(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "wall_seconds": None,
        }
        self._handle = None
        if display:
            from IPython.display import display as show

            self._handle = show(self._bundle(), raw=True, display_id=True)

    def finish(self) -> dict:
        """Stamp the wall time, update the displayed block and return the record."""
        self.record["wall_seconds"] = round(time.perf_counter() - self._t0, 1)
        if self._handle is not None:
            self._handle.update(self._bundle(), raw=True)
        return self.record

    def _bundle(self) -> dict:
        return {"text/html": to_html(self.record), "text/plain": json.dumps(self.record, indent=1)}


def to_html(record: dict) -> str:
    """The collapsible block shown on the page."""
    wall = "running" if record["wall_seconds"] is None else f"{record['wall_seconds']:.1f} s"
    commit = record["commit"][:10] if record["commit"] else "unknown"
    if record["dirty"]:
        commit += " (uncommitted changes)"
    rows = [("profile", record["profile"]), ("config hash", record["config_hash"]), ("commit", commit),
            ("device", record["device"]), ("started (UTC)", record["started"]), ("wall time", wall),
            ("parameters", json.dumps(record["config"], sort_keys=True)),
            ("versions", ", ".join(f"{k} {v}" for k, v in record["versions"].items()))]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(str(v))}</code></td></tr>" for k, v in rows)
    summary = f"Provenance: profile <b>{html.escape(record['profile'])}</b>, config {record['config_hash']}, {wall}"
    return (f'<details class="provenance"><summary>{summary}</summary>'
            f'<table class="provenance-table">{body}</table>'
            "</details>")


def read_record(notebook_path) -> dict | None:
    """The provenance record of an executed notebook (from its provenance block's output), or None."""
    def joined(text):  # nbformat stores multi-line strings as lists of lines
        return "".join(text) if isinstance(text, list) else text or ""

    nb = json.loads(Path(notebook_path).read_text())
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if 'class="provenance"' in joined(data.get("text/html")):
                return json.loads(joined(data["text/plain"]))
    return None


def runs_table(folder, exclude=()) -> "pandas.DataFrame":
    """One row per executed notebook in ``folder`` that carries a provenance record (``exclude``: page names)."""
    import pandas as pd

    rows = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        record = None if path.stem in exclude else read_record(path)
        if record is None:
            continue
        commit = (record["commit"] or "unknown")[:10] + (" (dirty)" if record["dirty"] else "")
        rows.append({"page": path.stem, "profile": record["profile"], "config hash": record["config_hash"],
                     "commit": commit, "device": record["device"], "started (UTC)": record["started"],
                     "wall time (s)": record["wall_seconds"], "torch": record["versions"].get("torch")})
    return pd.DataFrame(rows)
