"""Interval estimates the chapters report: Student-t intervals over seeds, and paired differences.

With n seeds, the 95 % t-interval is mean ± t_{0.975, n−1} · sd/√n; it is exact for normal errors and keeps its
nominal coverage at n = 3 (where a percentile bootstrap would be just [min, max]). NaN inputs are refused, not
dropped: a run that diverged must be visible, not silently averaged away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean with its two-sided ``level`` t-interval [low, high] over ``n`` values (``sd`` their sample sd)."""

    mean: float
    low: float
    high: float
    sd: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def t_interval(values, level: float = LEVEL) -> Interval:
    """Student-t interval of the mean of ``values`` (1-D, finite, at least 2 of them)."""
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"a t-interval needs at least 2 values, got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"values must be finite (a NaN or inf means a failed run), got {x[~np.isfinite(x)][:3]}")
    if not 0 < level < 1:
        raise ValueError(f"parameter 'level' must lie in (0, 1), got {level!r}")
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1)) * sd / math.sqrt(x.size)
    return Interval(mean, mean - half, mean + half, sd, int(x.size))


def paired_difference(a, b, level: float = LEVEL) -> Interval:
    """t-interval of mean(a − b) for paired values (same seeds, same order)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired values must have the same shape, got {a.shape} and {b.shape}")
    return t_interval(a - b, level)
