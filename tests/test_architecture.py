"""The library's layout: imports only go down the layers (import-linter contract in pyproject.toml), no import
cycles between modules, the public import lines work, and no old flat-layout module name survives."""

import importlib
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_layers_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_import_cycles_between_modules():
    graph = grimp.build_graph("latent_geometry")
    modules = sorted(graph.modules)
    deps = nx.DiGraph()
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith("latent_geometry") and not _is_package_reexport(module, imported):
                deps.add_edge(module, imported)
    cycles = list(nx.simple_cycles(deps))
    assert not cycles, f"import cycles: {cycles[:3]}"


def _is_package_reexport(module: str, imported: str) -> bool:
    """A package's __init__ importing its own submodules (and they importing siblings) is not a cycle of layers."""
    return imported.startswith(module + ".")


def test_public_import_lines():
    from latent_geometry.geometry import pullback_metric, scalar_curvature  # noqa: F401
    from latent_geometry.manifolds import ProductManifold  # noqa: F401
    from latent_geometry.search import product_distance, search_space, search_space_size  # noqa: F401

    assert search_space_size(3, 5) == 55


@pytest.mark.parametrize("old", [
    "io", "reproducibility", "_geomstats", "curvature_functionals", "ricci_flow", "search_space", "spectral",
    "walks", "models", "objectives", "training", "embedding_metrics", "data", "config", "configs", "provenance",
    "pipeline", "ricci_objectives", "plots_ricci", "plots_search", "plotting",
])
def test_old_flat_module_names_are_gone(old):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"latent_geometry.{old}")


def test_every_subpackage_documents_itself():
    for name in ("manifolds", "geometry", "search", "learning", "runtime", "experiments", "_util"):
        module = importlib.import_module(f"latent_geometry.{name}")
        assert module.__doc__ and len(module.__doc__.split()) >= 12, name
