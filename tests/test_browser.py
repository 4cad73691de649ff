"""Headless Chromium opens the built smoke book: every page renders, shows no error output, its images exist and its
math is typeset by the vendored MathJax. Screenshots go to the pytest temporary folder (and $BOOK_SCREENSHOTS)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=8000"]


@pytest.fixture(scope="module")
def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return exe


def run_chromium(exe, *args, profile_dir):
    return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args],
                          capture_output=True, text=True, timeout=120)


def pages(html_root: Path, smoke_run: Path) -> list[Path]:
    toc = (smoke_run / "_toc.yml").read_text()
    files = [line.split("file:")[1].strip() for line in toc.splitlines() if "file:" in line]
    return [html_root / "book" / "intro.html"] + [html_root / f"{f}.html" for f in files]


def test_pages_render_without_errors(chromium, smoke_html, smoke_run, tmp_path):
    shots = Path(os.environ.get("BOOK_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    for page in pages(smoke_html, smoke_run):
        dom = run_chromium(chromium, "--dump-dom", page.as_uri(), profile_dir=tmp_path / "profile").stdout
        assert "<body" in dom, f"{page.name}: chromium returned no DOM"
        assert "Traceback" not in dom and "output traceback" not in dom, f"{page.name} shows an error output"
        for src in re.findall(r'<img[^>]+src="([^"]+)"', dom):
            if not src.startswith(("data:", "http")):
                assert (page.parent / src).resolve().is_file(), f"{page.name}: missing image {src}"
        if "$" in page.read_text() or "math notranslate" in page.read_text():
            assert "mjx-container" in dom, f"{page.name}: math was not typeset offline"
        shot = shots / f"{page.stem}.png"
        run_chromium(chromium, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri(),
                     profile_dir=tmp_path / "profile")
        assert shot.is_file() and shot.stat().st_size > 10_000, f"no screenshot of {page.name}"
