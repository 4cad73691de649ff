"""Provenance records: what a page states about its run, and how the appendix reads it back."""

import json
import subprocess

import nbformat
import pytest

from latent_geometry.runtime import pipeline
from latent_geometry.runtime.config import make_config
from latent_geometry.runtime.provenance import Run, git_state, read_record, runs_table, to_html


@pytest.fixture
def record():
    run = Run(make_config("ch1", "smoke", seed=3), display=False)
    return run.finish()


def test_record_holds_config_hash_device_versions_and_wall_time(record):
    cfg = make_config("ch1", "smoke", seed=3)
    assert record["config"] == cfg.to_dict()["params"] and record["config_hash"] == cfg.hash
    assert record["profile"] == "smoke" and record["device"].startswith(("cpu", "cuda"))
    assert {"torch", "numpy", "geomstats", "python"} <= set(record["versions"])
    assert record["wall_seconds"] >= 0
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=pipeline.ROOT, capture_output=True, text=True)
    if head.returncode == 0:
        assert record["commit"] == head.stdout.strip() and isinstance(record["dirty"], bool)


def test_html_block_is_collapsible_and_names_the_run(record):
    html = to_html(record)
    assert html.startswith('<details class="provenance">') and html.endswith("</details>")
    assert record["config_hash"] in html and "smoke" in html


def test_read_record_and_runs_table_from_a_notebook(record, tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("run = Run(cfg)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": to_html(record),
                                                                  "text/plain": json.dumps(record)})]
    nb.cells = [cell, nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nb, tmp_path / "01_page.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "02_no_record.ipynb")
    assert read_record(tmp_path / "01_page.ipynb") == record
    assert read_record(tmp_path / "02_no_record.ipynb") is None
    table = runs_table(tmp_path)
    assert table["page"].tolist() == ["01_page"] and table.loc[0, "config hash"] == record["config_hash"]
    assert runs_table(tmp_path, exclude=["01_page"]).empty


def test_stated_commit_is_used_only_without_git(tmp_path, monkeypatch):
    monkeypatch.setenv("LATENT_GEOMETRY_COMMIT", "abc123")
    monkeypatch.setenv("LATENT_GEOMETRY_DIRTY", "1")
    assert git_state(tmp_path) == {"commit": "abc123", "dirty": True}  # tmp_path is no git repository
    monkeypatch.delenv("LATENT_GEOMETRY_COMMIT")
    assert git_state(tmp_path) == {"commit": None, "dirty": None}


@pytest.mark.parametrize("text, value", [("3", 3), ("0.5", 0.5), ("H2xE2", "H2xE2"), ("[4, 7]", [4, 7]),
                                         ("None", None), ("'laptop'", "laptop")])
def test_cli_parameter_values_parse_like_papermill(text, value):
    assert pipeline._parse_value(text) == value
