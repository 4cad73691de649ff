"""The benchmark scripts run end to end on tiny sizes and print their ratios (no timing is asserted)."""

import re
import subprocess
import sys

import pytest

from latent_geometry.runtime.pipeline import ROOT

pytestmark = pytest.mark.slow

CASES = {
    "bench_replay.py": ["--n-p", "2", "--runs", "20", "--sequential-runs", "3", "--repeats", "1"],
    "bench_manifolds.py": ["--batch", "64", "--repeats", "3"],
    "bench_curvature.py": ["--points", "8", "--repeats", "1", "--dims", "2", "--dtypes", "float64", "--no-memory"],
    "bench_curvature_training_step.py": ["--dim", "32", "--hidden", "16,16", "--batch", "8", "--n-curv", "4",
                                         "--repeats", "3", "--functionals", "authors"],
    "bench_landscape.py": ["--images", "64", "--held-out", "32", "--models", "2", "--epochs", "1"],
}


@pytest.mark.parametrize("script", sorted(CASES))
def test_benchmark_prints_a_ratio(script):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *CASES[script]],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    ratios = re.findall(r"(\d+\.\d+)x\b", proc.stdout)  # e.g. "ratio geomstats / ours = 2.1x"
    assert ratios and all(float(r) > 0 for r in ratios), proc.stdout[-2000:]
