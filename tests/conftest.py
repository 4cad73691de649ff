import os
import shutil
import uuid
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The datasets folder (``$LATENT_GEOMETRY_DATA``, else ../shared/data beside the repository)."""
    root = Path(os.environ.get("LATENT_GEOMETRY_DATA", ROOT.parent / "shared" / "data"))
    if not (root / "MNIST" / "raw").is_dir():
        pytest.fail(f"MNIST not found under {root}: set LATENT_GEOMETRY_DATA (see README)")
    return root


@pytest.fixture(scope="session")
def smoke_run(data_root):
    """All chapters executed at `smoke` into a scratch folder inside the book (the build needs it there)."""
    from latent_geometry.runtime import pipeline

    out = ROOT / "book" / "runs" / f"_pytest-{uuid.uuid4().hex[:8]}"
    try:
        pipeline.execute("smoke", out, progress=False)
        yield out
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.fixture(scope="session")
def smoke_html(smoke_run, tmp_path_factory):
    """The book rendered (-W) from the smoke run; returns the html folder."""
    from latent_geometry.runtime import pipeline

    return pipeline.build(smoke_run, tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="module")
def one_thread():
    """Run a module's tests with one intra-op thread: on tiny tensors a second thread only adds synchronization
    (3x slower on a loaded 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
