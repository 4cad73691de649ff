"""Atomic writes: a result file is either complete or absent, never half-written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import torch


def _atomic(path, write, mode: str):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # atomic on POSIX: readers see the old file or the new one
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def atomic_write_text(path, text: str) -> Path:
    return _atomic(path, lambda h: h.write(text), "w")


def atomic_write_json(path, obj) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=1, sort_keys=True) + "\n")


def atomic_torch_save(path, obj) -> Path:
    return _atomic(path, lambda h: torch.save(obj, h), "wb")
