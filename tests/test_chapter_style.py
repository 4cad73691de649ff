"""Chapters narrate, the library computes: short code cells, no verdict or threshold typed in a chapter,
plumbing cells hidden from the rendered page."""

import ast
from pathlib import Path

import jupytext
import pytest

from latent_geometry.experiments.verdicts import THRESHOLDS, VERDICTS

CHAPTER_DIR = Path(__file__).resolve().parents[1] / "book" / "chapters"
SOURCES = sorted(CHAPTER_DIR.glob("*.py"))
MAX_LINES = 15


def code_cells(source: Path):
    return [c for c in jupytext.read(source).cells if c.cell_type == "code"]


def code_lines(cell) -> list[str]:
    return [line for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_code_cell_is_long(source):
    """The parameters cell is exempt: it is the chapter's one list of its parameters."""
    long = [(i, len(code_lines(c))) for i, c in enumerate(code_cells(source))
            if len(code_lines(c)) > MAX_LINES and "parameters" not in c.metadata.get("tags", [])]
    assert not long, f"{source.name}: cells (index, code lines) over {MAX_LINES}: {long}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_verdict_is_typed_in_a_chapter(source):
    """A verdict word as a string literal in a code cell means a verdict typed by hand instead of computed."""
    typed = []
    for cell in code_cells(source):
        for node in ast.walk(ast.parse(cell.source.replace("%matplotlib", "# %matplotlib"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip().lower()
                if any(text == v or text.startswith(v + " ") or text.startswith(v + ";") for v in VERDICTS):
                    typed.append(node.value)
    assert not typed, f"{source.name}: verdicts typed in code cells: {typed}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_threshold_value_is_typed_next_to_a_comparison(source):
    """Threshold values of the verdicts live in THRESHOLDS; a chapter comparing against one of them typed it."""
    values = {t.value for t in THRESHOLDS.values()}
    typed = []
    for cell in code_cells(source):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Compare):
                for side in [node.left, *node.comparators]:
                    if isinstance(side, ast.Constant) and isinstance(side.value, float) and side.value in values:
                        typed.append(side.value)
    assert not typed, f"{source.name}: threshold values typed in comparisons: {typed}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_plumbing_cells_hide_their_input(source):
    """The cell that builds the config and the provenance record, and glue-only cells, hide their code."""
    for cell in code_cells(source):
        tags = cell.metadata.get("tags", [])
        lines = code_lines(cell)
        plumbing = any("Run(" in line or "run.finish" in line for line in lines) or (lines and all(
            line.startswith(("glue", "glue_values", "from ", "import ")) or line.startswith(" ") or line == ")"
            for line in lines) and any(line.startswith("glue") for line in lines))
        if plumbing and "parameters" not in tags:
            assert {"remove-input", "hide-input"} & set(tags), f"{source.name}: plumbing cell shows its input:\n" + \
                cell.source[:200]
