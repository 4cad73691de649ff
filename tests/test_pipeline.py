"""The book pipeline end to end: every chapter executes at `smoke`, the book builds with -W, the published notebooks
match their sources, bad parameters fail before any work and leave nothing behind."""

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from latent_geometry.runtime import pipeline
from latent_geometry.runtime.provenance import read_record

ROOT = pipeline.ROOT
pytestmark = pytest.mark.slow


def toc_pages(toc_text: str) -> list[str]:
    return [line.split("file:")[1].strip() for line in toc_text.splitlines() if "file:" in line]


def code_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]


def test_every_chapter_executes_without_errors(smoke_run):
    names = sorted(p.stem for p in pipeline.chapter_sources())
    assert sorted(p.stem for p in smoke_run.glob("*.ipynb")) == names
    for path in smoke_run.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                assert out.output_type != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
                assert "Traceback" not in out.get("text", ""), f"{path.name}: traceback in a stream output"
        record = read_record(path)
        assert record is not None and record["profile"] == "smoke", f"{path.name} has no provenance block"
        assert record["wall_seconds"] is not None, f"{path.name}: Run.finish() was not called"


def test_smoke_book_builds_with_every_page_and_offline_math(smoke_run, smoke_html):
    toc = (smoke_run / "_toc.yml").read_text()
    for page in toc_pages(toc) + ["book/intro"]:
        assert (smoke_html / f"{page}.html").is_file(), page
    intro = (smoke_html / "book" / "intro.html").read_text()
    assert "mathjax/tex-svg.js" in intro and "cdn.jsdelivr" not in intro
    assert (smoke_html / "_static" / "mathjax" / "tex-svg.js").is_file()
    for page in toc_pages(toc):
        if "/runs/" in page:  # every executed page shows its provenance block
            assert 'class="provenance"' in (smoke_html / f"{page}.html").read_text(), page


def test_published_book_builds(tmp_path):
    """What readers see: the committed results in book/executed render with -W."""
    html = pipeline.build(pipeline.PUBLISHED_DIR, tmp_path)
    for page in toc_pages((ROOT / "_toc.yml").read_text()):
        assert (html / f"{page}.html").is_file(), page


@pytest.mark.parametrize("source", pipeline.chapter_sources(), ids=lambda p: p.stem)
def test_published_notebook_matches_its_source(source):
    """Staleness check: the committed executed notebook ran exactly the code of its chapter source."""
    published = pipeline.PUBLISHED_DIR / f"{source.stem}.ipynb"
    assert published.is_file(), f"{published} is missing: run `make publish` and commit it"
    executed = nbformat.read(published, as_version=4)
    assert code_sources(executed) == code_sources(jupytext.read(source)), (
        f"{published.name} is stale: re-execute it (make publish) after changing {source.name}"
    )
    assert read_record(published) is not None


@pytest.mark.parametrize("bad, name", [("profile bogus", "'profile'"), ("epochs -1", "'epochs'"),
                                       ("compare_signatures H3", "'compare_signatures'")])
def test_papermill_rejects_bad_parameters(tmp_path, bad, name):
    source = next(p for p in pipeline.chapter_sources() if p.stem.startswith("01"))
    notebook = tmp_path / "in.ipynb"
    nbformat.write(jupytext.read(source), notebook)
    out = tmp_path / "out.ipynb"
    key, value = bad.split()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "papermill"), str(notebook), str(out), "-p", key, value,
         "-k", "python3", "--log-level", "ERROR"], capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode != 0
    assert "ConfigError" in proc.stderr and name in proc.stderr
    failed = json.loads(out.read_text())  # papermill records where it stopped: before any data was loaded
    executed = [c for c in failed["cells"] if c["cell_type"] == "code" and c.get("execution_count")]
    assert len(executed) <= 3


def test_pipeline_rejects_bad_profile_and_chapter_before_writing(tmp_path):
    out = tmp_path / "runs"
    with pytest.raises(ValueError, match="'profile'"):
        pipeline.execute("bogus", out)
    with pytest.raises(ValueError, match="'chapter'"):
        pipeline.execute("smoke", out, chapters=["99"])
    assert not out.exists()


def test_failed_chapter_leaves_previous_result_untouched(tmp_path, data_root):
    source = next(p for p in pipeline.chapter_sources() if p.stem.startswith("01"))
    previous = tmp_path / f"{source.stem}.ipynb"
    previous.write_text("previous result")
    with pytest.raises(Exception, match="epochs"):
        pipeline.execute_chapter(source, tmp_path, {"profile": "smoke", "epochs": -1}, progress=False)
    assert previous.read_text() == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == [previous.name]


def test_every_chapter_source_is_in_the_toc():
    assert sorted(pipeline.toc_notebooks()) == sorted(p.stem for p in pipeline.chapter_sources())
