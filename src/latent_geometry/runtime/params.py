"""Chapter parameters: :class:`Param` (a name, a type, a value per profile, a check) and the checks they use.

Each chapter's spec (``latent_geometry.runtime.specs.<chapter>``) is a tuple of ``Param``; a check receives the
already coerced value and returns an error text, or None when the value is fine. Type coercion goes through the
library's one argument-check module (``latent_geometry._util.checks``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from latent_geometry._util.checks import check_int, check_number

PROFILES = ("smoke", "laptop", "paper")


class ConfigError(ValueError):
    """A parameter value that is not allowed; the message names the parameter."""


# ---------------------------------------------------------------------------------------------------- checks
# A check receives the (already type-coerced) value and returns an error text, or None when the value is fine.
Check = Callable[[Any], "str | None"]


def positive(value) -> str | None:
    return None if value > 0 else "must be > 0"


def non_negative(value) -> str | None:
    return None if value >= 0 else "must be >= 0"


def one_of(*allowed) -> Check:
    def check(value):
        return None if value in allowed else f"must be one of {', '.join(map(repr, allowed))}"

    return check


def in_range(low: float, high: float) -> Check:
    def check(value):
        return None if low <= value <= high else f"must lie in [{low}, {high}]"

    return check


def each(item_check: Check) -> Check:
    """Apply ``item_check`` to every element of a tuple-valued parameter."""

    def check(values):
        for v in values:
            problem = item_check(v)
            if problem:
                return f"every element {problem} (got {v!r})"
        return None

    return check


def non_empty(values) -> str | None:
    return None if len(values) > 0 else "must not be empty"


def all_of(*checks: Check) -> Check:
    def check(value):
        for c in checks:
            problem = c(value)
            if problem:
                return problem
        return None

    return check


# ---------------------------------------------------------------------------------------------------- params
@dataclass(frozen=True)
class Param:
    """One chapter parameter.

    ``kind`` is ``int``, ``float``, ``bool``, ``str`` or ``tuple`` (``item`` then gives the element type);
    ``profiles`` maps each profile name to its value (or give ``default`` for all profiles); ``check`` validates.
    """

    name: str
    kind: type
    profiles: Mapping[str, Any] = field(default_factory=dict)
    default: Any = None
    check: Check | None = None
    item: type | None = None
    help: str = ""

    def value_for(self, profile: str):
        if profile in self.profiles:
            return self.profiles[profile]
        if self.default is None:
            raise KeyError(f"parameter {self.name!r} has no value for profile {profile!r}")
        return self.default

    def coerce(self, value):
        """Convert ``value`` to this parameter's type, or raise ConfigError naming the parameter."""
        if self.kind is tuple:
            if isinstance(value, str) or not hasattr(value, "__iter__"):
                value = (value,)
            return tuple(_coerce_scalar(self.name, self.item or str, v) for v in value)
        return _coerce_scalar(self.name, self.kind, value)


def _coerce_scalar(name: str, kind: type, value):
    label = f"parameter {name!r}"
    try:
        if kind is bool:
            if not isinstance(value, bool):
                raise TypeError(f"{label} must be a bool (True or False), got {value!r}")
            return value
        if kind is int:  # papermill passes ints as ints; 3.0 or a bool is not an integer parameter
            return check_int(value, label)
        if kind is float:
            return check_number(value, label)
        if kind is str:
            if not isinstance(value, str):
                raise TypeError(f"{label} must be a string, got {value!r} ({type(value).__name__})")
            return value
    except (TypeError, ValueError) as error:
        raise ConfigError(str(error)) from None
    raise TypeError(f"unsupported parameter kind {kind.__name__} for {name!r}")


@dataclass(frozen=True)
class ChapterSpec:
    """A chapter's parameters and the checks between them (each returns an error text naming a parameter, or None)."""

    params: tuple[Param, ...]
    cross_checks: tuple[Callable[[Mapping[str, Any]], "str | None"], ...] = ()
