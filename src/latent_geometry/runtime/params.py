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
@dataclass(frozen=True)
class Rule:
    """A check that also declares the set it accepts, so tests can draw values inside and outside it.

    Calling a rule with an (already type-coerced) value returns an error text, or None when the value is fine.
    The declared set: numbers in [low, high] (``low_open``: low excluded), one of ``choices``, a sequence of at least
    ``min_len`` items each accepted by ``item``, or a custom ``kind`` (e.g. ``"signature"``) tested by ``test``.
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple | None = None
    min_len: int | None = None
    item: "Rule | None" = None
    kind: str | None = None
    test: Callable[[Any], "str | None"] | None = None

    def __call__(self, value) -> str | None:
        if self.choices is not None and value not in self.choices:
            return f"must be one of {', '.join(map(repr, self.choices))}"
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return f"must be {'>' if self.low_open else '>='} {self.low:g}" + (
                f" and <= {self.high:g}" if self.high is not None else "")
        if self.high is not None and value > self.high:
            return f"must lie in [{self.low:g}, {self.high:g}]" if self.low is not None else f"must be <= {self.high:g}"
        if self.min_len is not None and len(value) < self.min_len:
            return "must not be empty" if self.min_len == 1 else f"must hold at least {self.min_len} values"
        if self.item is not None:
            for v in value:
                problem = self.item(v)
                if problem:
                    return f"every element {problem} (got {v!r})"
        return self.test(value) if self.test is not None else None


Check = Callable[[Any], "str | None"]

positive = Rule(low=0, low_open=True)
non_negative = Rule(low=0)
non_empty = Rule(min_len=1)


def at_least(low: float) -> Rule:
    return Rule(low=low)


def one_of(*allowed) -> Rule:
    return Rule(choices=tuple(allowed))


def in_range(low: float, high: float) -> Rule:
    return Rule(low=low, high=high)


def each(item_rule: Rule) -> Rule:
    """Apply ``item_rule`` to every element of a tuple-valued parameter."""
    return Rule(item=item_rule)


def all_of(*rules: Rule) -> Rule:
    """One rule accepting what every rule accepts (their declared sets merged; a conflict is a spec error)."""
    merged = {}
    for rule in rules:
        for name in ("low", "high", "low_open", "choices", "min_len", "item", "kind", "test"):
            value = getattr(rule, name)
            if value not in (None, False):
                if name in merged and merged[name] != value:
                    if name == "low":  # the stricter lower bound wins
                        value = max(merged[name], value)
                    else:
                        raise ValueError(f"all_of: conflicting {name!r} in {rules}")
                merged[name] = value
    return Rule(**merged)


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
