"""Profiles + overrides -> one frozen, validated, JSON-serializable configuration with a stable hash.

Every chapter declares its parameters once (``latent_geometry.configs.<chapter>``) as a tuple of :class:`Param`,
each with a type, a value per profile and a check. A chapter's ``parameters`` cell then calls::

    cfg = make_config("ch1", profile, epochs=epochs, seed=seed)   # None = "take the profile's value"

and gets a :class:`Config`: attribute access (``cfg.epochs``), ``cfg.to_dict()``, ``cfg.hash`` (sha256 of the
canonical JSON, 12 hex digits). Everything is validated before any work starts; a bad value raises
:class:`ConfigError` (a ``ValueError``) whose message names the parameter and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

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
    type_name = kind.__name__
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"parameter {name!r} must be a bool (True or False), got {value!r}")
    if kind is int:
        # papermill passes ints as ints; a float such as 3.0 or a bool is not an integer parameter
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"parameter {name!r} must be an integer, got {value!r} ({type(value).__name__})")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"parameter {name!r} must be a number, got {value!r} ({type(value).__name__})")
        if not math.isfinite(value):
            raise ConfigError(f"parameter {name!r} must be finite, got {value!r}")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"parameter {name!r} must be a string, got {value!r}")
        return value
    raise TypeError(f"unsupported parameter kind {type_name} for {name!r}")


# ---------------------------------------------------------------------------------------------------- config
class Config:
    """A frozen chapter configuration: attribute access, ``to_dict()``, ``to_json()``, ``hash``."""

    __slots__ = ("_chapter", "_profile", "_values")

    def __init__(self, chapter: str, profile: str, values: Mapping[str, Any]):
        object.__setattr__(self, "_chapter", chapter)
        object.__setattr__(self, "_profile", profile)
        object.__setattr__(self, "_values", MappingProxyType(dict(values)))

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"config of {self._chapter!r} has no parameter {name!r}") from None

    def __setattr__(self, name, value):
        raise AttributeError("Config is frozen: pass overrides to make_config instead")

    def __eq__(self, other):
        return isinstance(other, Config) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(self.hash)

    def __repr__(self):
        body = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Config({self._chapter}, profile={self._profile!r}, {body})"

    @property
    def chapter(self) -> str:
        return self._chapter

    @property
    def profile(self) -> str:
        return self._profile

    def to_dict(self) -> dict:
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in self._values.items()}
        return {"chapter": self._chapter, "profile": self._profile, "params": values}

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=indent)

    @property
    def hash(self) -> str:
        """sha256 of the canonical JSON (sorted keys, no whitespace), first 12 hex digits."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    @classmethod
    def from_dict(cls, data: Mapping) -> "Config":
        """Rebuild (and re-validate) a config serialized by :meth:`to_dict`."""
        return make_config(data["chapter"], data["profile"], **data["params"])


def make_config(chapter: str, profile: str = "laptop", /, **overrides) -> Config:
    """Resolve ``profile`` + ``overrides`` for ``chapter`` into a validated :class:`Config`.

    Overrides equal to ``None`` mean "use the profile's value" (the chapters' parameters cells default to None).
    Raises ConfigError naming the offending parameter: unknown chapter, profile, parameter name, wrong type,
    or a value its check rejects.
    """
    from latent_geometry.configs import CHAPTERS  # late import: the specs import this module

    if chapter not in CHAPTERS:
        raise ConfigError(f"parameter 'chapter' must be one of {', '.join(map(repr, CHAPTERS))}, got {chapter!r}")
    if profile not in PROFILES:
        raise ConfigError(f"parameter 'profile' must be one of {', '.join(map(repr, PROFILES))}, got {profile!r}")
    spec = {p.name: p for p in CHAPTERS[chapter]}
    unknown = sorted(set(overrides) - set(spec))
    if unknown:
        raise ConfigError(
            f"unknown parameter {unknown[0]!r} for {chapter}; allowed parameters: {', '.join(sorted(spec))}"
        )
    values = {}
    for name, param in spec.items():
        raw = overrides.get(name)
        value = param.coerce(param.value_for(profile) if raw is None else raw)
        problem = param.check(value) if param.check else None
        if problem:
            raise ConfigError(f"parameter {name!r} {problem}, got {value!r}")
        values[name] = value
    return Config(chapter, profile, values)
