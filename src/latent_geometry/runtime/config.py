"""Profiles + overrides -> one frozen, validated, JSON-serializable configuration with a stable hash.

Every chapter declares its parameters once (``latent_geometry.runtime.specs.<chapter>``) as a tuple of :class:`Param`,
each with a type, a value per profile and a check. A chapter's ``parameters`` cell then calls::

    cfg = make_config("ch1", profile, **chapter_parameters("ch1", globals()))   # None = the profile's value

and gets a :class:`Config`: attribute access (``cfg.epochs``), ``cfg.to_dict()``, ``cfg.hash`` (sha256 of the
canonical JSON, 12 hex digits). Everything is validated before any work starts; a bad value raises
:class:`ConfigError` (a ``ValueError``) whose message names the parameter and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from types import MappingProxyType
from typing import Any, Mapping

from latent_geometry.runtime.params import PROFILES, ConfigError
from latent_geometry.runtime.specs import CHAPTERS

__all__ = ["Config", "ConfigError", "PROFILES", "chapter_parameters", "make_config", "parameter_names"]


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

    def __reduce__(self):  # pickles (e.g. to worker processes) as its validated values
        return (Config, (self._chapter, self._profile, dict(self._values)))

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
    if chapter not in CHAPTERS:
        raise ConfigError(f"parameter 'chapter' must be one of {', '.join(map(repr, CHAPTERS))}, got {chapter!r}")
    if profile not in PROFILES:
        raise ConfigError(f"parameter 'profile' must be one of {', '.join(map(repr, PROFILES))}, got {profile!r}")
    spec = {p.name: p for p in CHAPTERS[chapter].params}
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
    for cross_check in CHAPTERS[chapter].cross_checks:  # checks between parameters live in the spec
        problem = cross_check(values)
        if problem:
            raise ConfigError(problem)
    return Config(chapter, profile, values)


def parameter_names(chapter: str) -> tuple[str, ...]:
    """The names a chapter's parameters cell must define besides ``profile``, in spec order."""
    if chapter not in CHAPTERS:
        raise ConfigError(f"parameter 'chapter' must be one of {', '.join(map(repr, CHAPTERS))}, got {chapter!r}")
    return tuple(p.name for p in CHAPTERS[chapter].params)


def chapter_parameters(chapter: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The chapter's parameter values from its notebook namespace (``globals()``), for :func:`make_config`.

    One place per parameter: the parameters cell is the only list a chapter writes. A spec name missing from the
    namespace raises ConfigError (the cell dropped it, so ``-p name value`` would silently do nothing).
    """
    names = parameter_names(chapter)
    missing = [n for n in names if n not in namespace]
    if missing:
        raise ConfigError(f"the parameters cell of {chapter} does not define {', '.join(map(repr, missing))}; "
                          f"it must define every parameter of the spec: {', '.join(names)}")
    return {n: namespace[n] for n in names}
