"""One place per chapter parameter: each chapter's parameters cell defines exactly its spec's names (plus
``profile``), and ``chapter_parameters`` refuses a namespace that lacks one (``-p name value`` would do nothing)."""

import ast
from pathlib import Path

import jupytext
import pytest

from latent_geometry.runtime.config import ConfigError, chapter_parameters, make_config, parameter_names
from latent_geometry.runtime.specs import CHAPTERS

CHAPTER_DIR = Path(__file__).resolve().parents[1] / "book" / "chapters"
SPEC_OF = {"01_latent_geometry_search": "ch1", "02_ricci_flow": "ch2", "environment": "environment",
           "numerical_accuracy": "numerical_accuracy"}


def parameters_cell_names(source: Path) -> list[str]:
    """Names assigned in the cell tagged ``parameters`` of a jupytext chapter source."""
    notebook = jupytext.read(source)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{source.name}: expected one parameters cell, found {len(cells)}"
    tree = ast.parse(cells[0].source)
    return [target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets]


def test_every_chapter_source_has_a_spec():
    assert {p.stem for p in CHAPTER_DIR.glob("*.py")} == set(SPEC_OF)
    assert set(SPEC_OF.values()) == set(CHAPTERS)


@pytest.mark.parametrize("stem", sorted(SPEC_OF))
def test_parameters_cell_names_equal_the_spec(stem):
    names = parameters_cell_names(CHAPTER_DIR / f"{stem}.py")
    assert len(names) == len(set(names)), f"{stem}: a parameter is assigned twice"
    assert names[0] == "profile"
    assert set(names[1:]) == set(parameter_names(SPEC_OF[stem]))


def test_chapter_parameters_rejects_a_dropped_name():
    names = parameter_names("ch2")
    namespace = {name: None for name in names}
    assert chapter_parameters("ch2", namespace) == namespace
    del namespace[names[3]]
    with pytest.raises(ConfigError, match=repr(names[3])):
        chapter_parameters("ch2", namespace)


def test_parameters_cell_values_are_none_so_profiles_decide():
    for stem, chapter in SPEC_OF.items():
        notebook = jupytext.read(CHAPTER_DIR / f"{stem}.py")
        cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
        namespace = {}
        exec(cell.source, namespace)
        values = {n: namespace[n] for n in parameter_names(chapter)}
        assert all(v is None for v in values.values()), stem
        make_config(chapter, namespace["profile"], **values)


def test_cross_parameter_check_lives_in_the_spec():
    with pytest.raises(ConfigError, match="momentum"):
        make_config("ch2", "smoke", optimizer="adam", momentum=0.8)
