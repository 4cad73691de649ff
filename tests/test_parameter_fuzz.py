"""Bad chapter parameters, fuzzed from the specs: every wrong-typed or out-of-range value is rejected before any
work, with a message naming the parameter, and nothing is written to the output folder. Values inside a rule's
declared set are accepted (so the rules say what they check)."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latent_geometry.manifolds import parse_signature
from latent_geometry.runtime import pipeline
from latent_geometry.runtime.config import ConfigError, make_config
from latent_geometry.runtime.params import PROFILES, Param, Rule
from latent_geometry.runtime.specs import CHAPTERS

PARAMS = [(chapter, p) for chapter, spec in CHAPTERS.items() for p in spec.params]
IDS = [f"{chapter}.{p.name}" for chapter, p in PARAMS]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _not_signature(text: str) -> bool:
    try:
        parse_signature(text)
    except (TypeError, ValueError):
        return True
    return False


def wrong_type(kind: type):
    """Values no coercion to ``kind`` accepts (None is excluded: it means "the profile's value")."""
    numbers = st.floats(allow_nan=True, allow_infinity=True)
    if kind is int:
        return st.one_of(st.booleans(), numbers, st.text(max_size=5), st.just([1, 2]))
    if kind is float:
        return st.one_of(st.booleans(), st.text(max_size=5), st.sampled_from([math.nan, math.inf, -math.inf]),
                         st.just({"a": 1}))
    if kind is str:
        return st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False))
    if kind is bool:
        return st.one_of(st.integers(), st.text(max_size=5))
    raise AssertionError(kind)


def scalar_outside(rule: Rule, kind: type):
    """Values of the right type outside the set ``rule`` declares (nothing when it declares no limit)."""
    options = []
    if rule.choices is not None:
        options.append(st.text(max_size=12).filter(lambda v: v not in rule.choices))
    if rule.kind == "signature":
        options.append(st.text(alphabet="EHSxK2=()-. 13", max_size=10).filter(_not_signature))
    number = st.integers if kind is int else (lambda **kw: st.floats(allow_nan=False, allow_infinity=False, **kw))
    if rule.low is not None:
        high = rule.low if rule.low_open else (rule.low - 1 if kind is int else rule.low)
        kw = {"max_value": math.floor(high)} if kind is int else {"max_value": high, "exclude_max": not rule.low_open}
        options.append(number(**kw))
    if rule.high is not None:
        options.append(number(min_value=rule.high + 1) if kind is int else
                       number(min_value=rule.high, exclude_min=True))
    return st.one_of(options) if options else None


def scalar_inside(rule: Rule | None, kind: type):
    if rule is None:
        return {int: st.integers(0, 10**6), float: st.floats(-1e6, 1e6), str: st.text(max_size=8),
                bool: st.booleans()}[kind]
    if rule.choices is not None:
        return st.sampled_from(rule.choices)
    if rule.kind == "signature":
        return st.lists(st.sampled_from(["E2", "S2", "H2"]), min_size=1, max_size=6).map("x".join)
    low = rule.low if rule.low is not None else -1e6
    high = rule.high if rule.high is not None else low + 1e6
    if kind is int:
        return st.integers(math.floor(low) + (1 if rule.low_open and float(low).is_integer() else 0), math.floor(high))
    return st.floats(low, high, exclude_min=rule.low_open)


def invalid_values(param: Param):
    if param.kind is tuple:
        item = param.item or str
        rule = param.check or Rule()
        bad_items = [wrong_type(item)]
        if rule.item is not None and scalar_outside(rule.item, item) is not None:
            bad_items.append(scalar_outside(rule.item, item))
        good = scalar_inside(rule.item, item)
        options = [st.tuples(good, st.one_of(bad_items)).map(tuple)]
        if rule.min_len:
            options.append(st.just(()))
        return st.one_of(options)
    options = [wrong_type(param.kind)]
    if param.check is not None and scalar_outside(param.check, param.kind) is not None:
        options.append(scalar_outside(param.check, param.kind))
    return st.one_of(options)


def valid_values(param: Param):
    if param.kind is tuple:
        rule = param.check or Rule()
        return st.lists(scalar_inside(rule.item, param.item or str), min_size=max(rule.min_len or 0, 1),
                        max_size=4).map(tuple)
    return scalar_inside(param.check, param.kind)


@pytest.mark.parametrize("chapter, param", PARAMS, ids=IDS)
@FUZZ
@given(data=st.data())
def test_invalid_values_are_rejected_naming_the_parameter(chapter, param, data):
    value = data.draw(invalid_values(param))
    with pytest.raises(ConfigError, match=repr(param.name)):
        make_config(chapter, "smoke", **{param.name: value})


@pytest.mark.parametrize("chapter, param", PARAMS, ids=IDS)
@FUZZ
@given(data=st.data())
def test_values_inside_the_declared_set_are_accepted(chapter, param, data):
    value = data.draw(valid_values(param))
    try:
        cfg = make_config(chapter, "smoke", **{param.name: value})
    except ConfigError as error:  # only a check *between* parameters may object, and it names a parameter
        assert CHAPTERS[chapter].cross_checks and "parameter '" in str(error)
        return
    assert getattr(cfg, param.name) == param.coerce(value)


@FUZZ
@given(profile=st.text(max_size=10).filter(lambda p: p not in PROFILES))
def test_unknown_profiles_are_rejected(profile):
    for chapter in CHAPTERS:
        with pytest.raises(ConfigError, match="'profile'"):
            make_config(chapter, profile)


@pytest.mark.parametrize("source", pipeline.chapter_sources(), ids=lambda p: p.stem)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_pipeline_rejects_before_writing_anything(source, data, tmp_path_factory):
    """Through the pipeline a reader uses: the chapter's parameters fail before a kernel starts; no file appears."""
    spec = CHAPTERS[pipeline.spec_name(source)]
    out = tmp_path_factory.mktemp("out") / "runs"
    if spec.params:
        param = data.draw(st.sampled_from(spec.params))
        bad = {param.name: data.draw(invalid_values(param))}
        name = param.name
    else:
        bad, name = {"bogus": 1}, "bogus"
    with pytest.raises(ConfigError, match=repr(name)):
        pipeline.execute_chapter(source, out, {"profile": "smoke", **bad}, progress=False)
    with pytest.raises(ConfigError, match=repr(name)):
        pipeline.execute("smoke", out, [source.stem], bad, progress=False)
    assert not out.exists()
