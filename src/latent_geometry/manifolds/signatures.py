"""Signatures: the one vocabulary for naming a product of 2-D model spaces (seed 000, §3.1–3.2).

A signature is written as a string of components joined by ``x`` (``"H2xE2xS2"``, optionally with a curvature,
``"S2(K=4)"``) or as a sequence of curvatures (``(-1, 0, 1)``: the sign chooses H²/E²/S²). ``parse_signature``
keeps the user's order, ``canonical`` sorts it (the search-space node label; ``unit=True`` also requires
K ∈ {-1, 0, 1}), ``format_signature`` writes the normalized string, ``component_name`` names one component.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from latent_geometry._util.checks import check_number

ALLOWED_COMPONENTS = ("E2", "S2", "H2")
UNIT_CURVATURES = (-1, 0, 1)  # the search space's components, in sorted order: H², E², S²

_TOKEN = re.compile(r"([A-Z])2(?:\(K=([^()]*)\))?")
_SEPARATOR = re.compile(r"(?<=[0-9)])\s*[x×]\s*(?=[A-Za-z])", re.IGNORECASE)
_SIGN = {"E": 0, "S": 1, "H": -1}
_SIGNATURE_HELP = (
    f"allowed components are {', '.join(ALLOWED_COMPONENTS)} (case-insensitive, optionally with a curvature such as "
    "'H2(K=-0.25)'), "
    "joined by 'x', e.g. 'H2xE2xS2'; or a sequence of finite curvatures such as (-1, 0, 1), the sign choosing H/E/S"
)


def _curvature_value(k: float) -> int | float:
    """Integral curvatures as int (so (-1, 0, 1) prints and hashes as the search space's tuples), else float."""
    k = float(k)
    return int(k) if k.is_integer() else k


def parse_signature(signature) -> tuple[int | float, ...]:
    """Curvature tuple (user order) of a signature string such as 'H2xE2xS2' or 'h2(k=-0.25)xs2', of a
    sequence or 1-D array of numbers such as (-1, 0, 1.5), or of a ``ProductManifold``.
    Raises ValueError/TypeError naming ``signature``.
    """
    if hasattr(signature, "curvatures") and not isinstance(signature, (str, Sequence)):  # a ProductManifold
        return tuple(signature.curvatures)
    if isinstance(signature, np.ndarray):
        if signature.ndim != 1:
            raise ValueError(f"signature as an array must be 1-D (one curvature per component), got shape "
                             f"{signature.shape}")
        signature = tuple(signature.tolist())
    if isinstance(signature, str):
        text = signature.strip()
        if not text:
            raise ValueError(f"signature must have at least one component; {_SIGNATURE_HELP}")
        curvatures = []
        for token in _SEPARATOR.split(text):
            match = _TOKEN.fullmatch(token.strip().upper())
            if match is None or match.group(1) not in _SIGN:
                raise ValueError(f"signature {signature!r}: unknown component {token.strip()!r}; {_SIGNATURE_HELP}")
            kind, value = match.groups()
            if value is None:
                curvatures.append(_SIGN[kind])
                continue
            try:
                k = float(value)
            except ValueError:
                raise ValueError(f"signature {signature!r}: curvature {value!r} is not a number") from None
            if not math.isfinite(k) or (k > 0) - (k < 0) != _SIGN[kind]:
                raise ValueError(f"signature {signature!r}: {kind}2 needs a finite curvature with sign "
                                 f"{'<0' if kind == 'H' else '>0' if kind == 'S' else '=0'}, got {value}")
            curvatures.append(_curvature_value(k))
        return tuple(curvatures)
    if isinstance(signature, Sequence):
        if len(signature) == 0:
            raise ValueError(f"signature must have at least one component; {_SIGNATURE_HELP}")
        return tuple(_curvature_value(check_number(k, f"signature[{i}] (a curvature)"))
                     for i, k in enumerate(signature))
    raise TypeError(f"signature must be a string or a sequence of curvatures, got {type(signature).__name__}; "
                    f"{_SIGNATURE_HELP}")


def component_name(k: int | float) -> str:
    """Name of one component: 0 → 'E2', -1 → 'H2', 4 → 'S2(K=4)'."""
    kind = "E" if k == 0 else "S" if k > 0 else "H"
    return f"{kind}2" if k in (-1, 0, 1) else f"{kind}2(K={k!r})"  # repr: exact round trip through parse_signature


def format_signature(curvatures: Sequence[float]) -> str:
    """Canonical string of a curvature tuple, in the given order: (-1, 0, 4) → 'H2xE2xS2(K=4)'."""
    return "x".join(component_name(k) for k in parse_signature(tuple(curvatures)))


def canonical(signature, unit: bool = False) -> tuple[int | float, ...]:
    """Sorted curvature tuple, the search space's node label: canonical('S2xH2xE2') == (-1, 0, 1).

    ``unit=True`` (the search space) also requires every curvature to be -1, 0 or 1 (ValueError otherwise).
    """
    curvatures = tuple(sorted(parse_signature(signature)))
    if unit:
        bad = [k for k in curvatures if k not in UNIT_CURVATURES]
        if bad:
            raise ValueError(f"signature {signature!r}: the search space uses curvatures -1 (H2), 0 (E2) and 1 (S2) "
                             f"only; bad entries {bad}")
    return curvatures

