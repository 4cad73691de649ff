import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The datasets folder (``$LATENT_GEOMETRY_DATA``, else ../shared/data beside the repository)."""
    root = Path(os.environ.get("LATENT_GEOMETRY_DATA", ROOT.parent / "shared" / "data"))
    if not (root / "MNIST" / "raw").is_dir():
        pytest.fail(f"MNIST not found under {root}: set LATENT_GEOMETRY_DATA (see README)")
    return root
