"""Argument checks shared by the whole library: each returns the value normalized, or raises an error naming it.

``name`` is what the message calls the value (``"n_sim"``, ``"parameter 'epochs'"``). Integers accept Python and
numpy integers but never ``bool``; numbers accept Python and numpy reals (``np.float32(0.1)`` included) and reject
NaN and infinities unless ``finite=False``. Type errors raise :class:`ArgumentTypeError` (a ``TypeError`` and a ``ValueError``), out-of-range values ``ValueError``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection

import torch

__all__ = ["ArgumentTypeError", "check_int", "check_number", "check_choice", "check_tensor", "describe_range"]


class ArgumentTypeError(TypeError, ValueError):
    """A value of the wrong type; also a ``ValueError``, so callers that catch bad values catch it too."""


def describe_range(low=None, high=None, *, low_open: bool = False, high_open: bool = False) -> str:
    """Words for an interval: ``>= 1``, ``> 0``, ``in [0, 1]``, ``in (0, 1]``."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high}"
    return ""


def _in_range(value, low, high, low_open, high_open) -> bool:
    if low is not None and (value <= low if low_open else value < low):
        return False
    if high is not None and (value >= high if high_open else value > high):
        return False
    return True


def check_int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an ``int`` (Python or numpy integer, not bool) inside [low, high]."""
    bounds = describe_range(low, high)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"{name} must be an integer{' ' + bounds if bounds else ''}, got {value!r} "
                        f"({type(value).__name__})")
    value = int(value)
    if not _in_range(value, low, high, False, False):
        raise ValueError(f"{name} must be an integer {bounds}, got {value!r}")
    return value


def check_number(value, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, finite: bool = True) -> float:
    """``value`` as a ``float`` (any real: int, float, numpy scalar; not bool, not a tensor) inside the interval."""
    bounds = describe_range(low, high, low_open=low_open, high_open=high_open)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a real number{' ' + bounds if bounds else ''}, got {value!r} "
                        f"({type(value).__name__})")
    value = float(value)
    if math.isnan(value) or (finite and math.isinf(value)):
        raise ValueError(f"{name} must be a finite number{' ' + bounds if bounds else ''}, got {value!r}")
    if not _in_range(value, low, high, low_open, high_open):
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return value


def check_choice(value, name: str, allowed: Collection):
    """``value`` itself when it is one of ``allowed``."""
    if isinstance(value, bool) != any(isinstance(a, bool) for a in allowed) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


def check_tensor(value, name: str, *, last_dim: int | None = None, ndim: int | None = None,
                 min_ndim: int = 0, what: str = "") -> torch.Tensor:
    """``value`` when it is a floating-point tensor with the given last dimension / number of dimensions."""
    if not isinstance(value, torch.Tensor) or not value.is_floating_point():
        kind = f"a torch.Tensor of dtype {value.dtype}" if isinstance(value, torch.Tensor) else type(value).__name__
        raise TypeError(f"{name} must be a floating-point torch.Tensor, got {kind}")
    detail = f" ({what})" if what else ""
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s){detail}, got shape {tuple(value.shape)}")
    if value.ndim < max(min_ndim, 1 if last_dim is not None else 0):
        raise ValueError(f"{name} must have at least {max(min_ndim, 1)} dimension(s){detail}, "
                         f"got shape {tuple(value.shape)}")
    if last_dim is not None and value.shape[-1] != last_dim:
        raise ValueError(f"{name} must have last dimension {last_dim}{detail}, got shape {tuple(value.shape)}")
    return value
