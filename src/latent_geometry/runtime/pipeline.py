"""Execute the chapters with papermill and render the book with Jupyter Book 1.x.

    python -m latent_geometry.runtime.pipeline execute --profile smoke --out book/runs/smoke [--chapter 01] [-p epochs 3]
    python -m latent_geometry.runtime.pipeline build --executed book/runs/smoke

Sources are jupytext py:percent files in ``book/chapters/``; each is converted in memory and executed by papermill
into a temporary file, which replaces ``<out>/<name>.ipynb`` only when the whole notebook ran without error
(so a failed or interrupted run leaves the folder as it was). The book's ``_toc.yml`` points at the published
results ``book/executed/``; ``build --executed DIR`` renders another folder of executed notebooks by writing a copy
of the TOC whose paths point into DIR.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CHAPTER_DIR = ROOT / "book" / "chapters"
PUBLISHED_DIR = ROOT / "book" / "executed"
LAST = "environment"  # the appendix tabulates the other chapters, so it runs last


def chapter_sources(selected: list[str] | None = None) -> list[Path]:
    """Chapter sources in execution order; ``selected`` filters by name prefix (e.g. ``"01"``)."""
    sources = sorted(CHAPTER_DIR.glob("*.py"), key=lambda p: (p.stem == LAST, p.stem))
    if selected:
        chosen = [p for p in sources if any(p.stem.startswith(s) for s in selected)]
        unknown = [s for s in selected if not any(p.stem.startswith(s) for p in sources)]
        if unknown:
            names = ", ".join(p.stem for p in sources)
            raise ValueError(f"parameter 'chapter' {unknown[0]!r} matches no chapter; chapters: {names}")
        return chosen
    return sources


def spec_name(source: Path) -> str:
    """The parameter spec a chapter source validates against: the name in its ``make_config("<name>", ...)`` call."""
    match = re.search(r"make_config\(\s*[\"'](\w+)[\"']", Path(source).read_text())
    if match is None:
        raise ValueError(f"{Path(source).name} calls no make_config(\"<chapter>\", ...): every chapter needs a config")
    return match.group(1)


def validate_parameters(source: Path, parameters: dict):
    """Resolve ``parameters`` (``profile`` plus overrides) against the chapter's spec before any kernel starts.

    Returns the validated Config; raises ConfigError naming the parameter (unknown names included, so a
    misspelt ``-p`` is never silently ignored).
    """
    from latent_geometry.runtime.config import make_config

    overrides = dict(parameters)
    profile = overrides.pop("profile", "laptop")
    return make_config(spec_name(source), profile, **overrides)


def _parse_value(text: str):
    """papermill-style ``-p name value``: Python literals are parsed, anything else stays a string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def execute_chapter(source: Path, out_dir: Path, parameters: dict, progress: bool = True) -> Path:
    """Run one chapter with papermill into ``out_dir/<stem>.ipynb`` (atomically); return that path."""
    import jupytext
    import nbformat
    import papermill

    validate_parameters(source, parameters)  # bad parameters fail here: no kernel, nothing written
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}.ipynb"
    with tempfile.TemporaryDirectory(prefix="lg-run-") as tmp:
        src_nb = Path(tmp) / f"{source.stem}.ipynb"
        nbformat.write(jupytext.read(source), src_nb)
        partial = Path(tmp) / "executed.ipynb"
        env_path = os.environ.get("PYTHONPATH", "")
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env_path) if p)
        papermill.execute_notebook(
            str(src_nb), str(partial), parameters=parameters, kernel_name="python3", language="python",
            progress_bar=progress, cwd=str(out_dir), log_output=False,
        )
        staged = out_dir / f".{source.stem}.ipynb.tmp"
        shutil.copyfile(partial, staged)
        os.replace(staged, target)
    return target


def execute(profile: str, out_dir: Path, chapters: list[str] | None = None, parameters: dict | None = None,
            progress: bool = True) -> list[Path]:
    """Execute the (selected) chapters at ``profile``; returns the executed notebooks' paths."""
    from latent_geometry.runtime.config import PROFILES

    from latent_geometry.runtime.config import ConfigError, parameter_names

    if profile not in PROFILES:  # fail before starting any kernel
        raise ConfigError(f"parameter 'profile' must be one of {', '.join(PROFILES)}, got {profile!r}")
    sources = chapter_sources(chapters)
    parameters = dict(parameters or {})
    known = {source: set(parameter_names(spec_name(source))) for source in sources}
    orphans = sorted(set(parameters) - set().union(*known.values()))
    if orphans:
        raise ConfigError(f"unknown parameter {orphans[0]!r}: no selected chapter defines it")
    runs = {s: {"profile": profile, **{k: v for k, v in parameters.items() if k in known[s]}} for s in sources}
    for source, run_parameters in runs.items():  # every chapter's parameters are checked before the first runs
        validate_parameters(source, run_parameters)
    done = []
    for source, run_parameters in runs.items():
        t0 = time.perf_counter()
        print(f"[{profile}] executing {source.name} -> {out_dir}", flush=True)
        done.append(execute_chapter(source, out_dir, run_parameters, progress))
        print(f"[{profile}] {source.stem} done in {time.perf_counter() - t0:.1f} s", flush=True)
    return done


def toc_notebooks() -> list[str]:
    """Names of the executed notebooks that ``_toc.yml`` renders (its ``book/executed/<name>`` entries)."""
    text = (ROOT / "_toc.yml").read_text()
    return [line.split("book/executed/")[1].strip() for line in text.splitlines() if "file: book/executed/" in line]


def toc_for(executed_dir: Path) -> Path:
    """A copy of ``_toc.yml`` whose ``book/executed/`` entries point into ``executed_dir`` (written inside it)."""
    executed_dir = Path(executed_dir).resolve()
    if executed_dir == PUBLISHED_DIR:
        return ROOT / "_toc.yml"
    relative = executed_dir.relative_to(ROOT).as_posix()
    text = (ROOT / "_toc.yml").read_text().replace("book/executed/", f"{relative}/")
    toc = executed_dir / "_toc.yml"
    toc.write_text(text)
    return toc


def build(executed_dir: Path = PUBLISHED_DIR, path_output: Path = ROOT, strict: bool = True) -> Path:
    """Clean build of the book from ``executed_dir`` into ``path_output/_build/html`` (``-W -n --keep-going``)."""
    executed_dir = Path(executed_dir).resolve()
    missing = [name for name in toc_notebooks() if not (executed_dir / f"{name}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(f"no executed notebook for {', '.join(missing)} in {executed_dir}: execute first")
    path_output = Path(path_output).resolve()
    shutil.rmtree(path_output / "_build", ignore_errors=True)  # incremental builds can hide failures
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output", str(path_output),
           "--toc", str(toc_for(executed_dir))]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    subprocess.run(cmd, check=True)
    return path_output / "_build" / "html"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m latent_geometry.runtime.pipeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("execute", help="execute chapters with papermill")
    ex.add_argument("--profile", default="laptop")
    ex.add_argument("--out", type=Path, required=True, help="folder for the executed notebooks")
    ex.add_argument("--chapter", action="append", help="name prefix, e.g. 01 (repeatable; default: all)")
    ex.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    ex.add_argument("--no-progress", action="store_true")
    bd = sub.add_parser("build", help="render the book from a folder of executed notebooks")
    bd.add_argument("--executed", type=Path, default=PUBLISHED_DIR)
    bd.add_argument("--path-output", type=Path, default=ROOT, help="the HTML goes to PATH_OUTPUT/_build/html")
    args = parser.parse_args(argv)
    if args.command == "execute":
        params = {name: _parse_value(value) for name, value in args.parameter}
        progress = not args.no_progress and not os.environ.get("CI")
        from latent_geometry.runtime.config import ConfigError

        try:
            execute(args.profile, args.out, args.chapter, params, progress)
        except ConfigError as error:  # a bad parameter: one clear line, nothing executed
            parser.exit(2, f"error: {error}\n")
    else:
        html = build(args.executed, args.path_output)
        print(f"book rendered: {html / 'index.html'}")


if __name__ == "__main__":
    main()
