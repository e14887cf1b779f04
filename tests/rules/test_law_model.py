"""The typed model of the law: the vocabulary owns the facts, every test is stated in words
that name what it reads, and the closed lists are defined once."""

from __future__ import annotations

import subprocess
import sys
import typing

import pytest

from engine.errors import RulesError
from engine.law import conditions, words
from engine.law.definitions import load
from engine.law.parameters import resolve
from engine.law.scenario import GROUPS, Scenario
from engine.law.vocabulary import parse_fact, vocabulary
from engine.result import Classification, Verdict

LAW = load()
DEFAULTS = resolve(None, LAW)


def _pairs() -> list[tuple[str, str]]:
    """Every (doctrine, test) the doctrines read, the weighing factor included."""
    out = []
    for d in LAW.doctrines.values():
        tests = [t for r in d.routes for t in LAW.routes[r].tests]
        out += [(d.id, t) for t in dict.fromkeys([*tests, LAW.weighing_test().id])]
    return out


def _names(fact: str) -> list[str]:
    """How a condition's words may name a fact: its label, or (booleans) its sentence."""
    fd = LAW.fact_defs[fact]
    return [fd.label, fd.if_true, fd.if_false, *fd.say.values()]


@pytest.mark.parametrize(("doctrine", "test"), _pairs())
def test_every_rendered_condition_names_each_fact_and_parameter_it_reads(
        doctrine: str, test: str) -> None:
    d, t = LAW.doctrines[doctrine], LAW.tests[test]
    text = words.condition(LAW, t.condition, DEFAULTS, d.setting_values)
    folded = words.fold(LAW, t.condition, DEFAULTS, d.setting_values)
    read = folded.facts() if isinstance(folded, conditions.Node) else ()
    assert read or text in (words.ALWAYS, words.NEVER)
    for fact in read:
        assert any(n and n in text for n in _names(fact)), f"{fact} not named in: {text}"
    for param in t.condition.parameters(d.setting_values):
        assert param in text, f"{param} not named in: {text}"


def test_a_condition_reads_the_parameters_behind_its_doctrine_settings() -> None:
    gravity = LAW.tests["armed_attack"].condition
    assert gravity.parameters(LAW.doctrines["caroline"].setting_values) == ("gravity_threshold",)
    assert gravity.parameters(LAW.doctrines["nss_2002"].setting_values) == (
        "nss_gravity_threshold",)
    territory = LAW.tests["territorial_basis"].condition
    assert territory.parameters(LAW.doctrines["caroline"].setting_values) == (
        "unwilling_or_unable",)
    assert territory.settings_used() == {"accepts_unwilling_or_unable"}


def test_bounds_name_the_hour_limit_of_each_imminence_test() -> None:
    caroline = LAW.tests["imminence_caroline"].condition.bounds("threat.hours_until")
    assert caroline == (("at_most", conditions.ParameterRef("caroline_max_hours")),)
    assert LAW.tests["preventive_threat"].condition.bounds("threat.hours_until") == ()


def test_caroline_imminence_reads_as_the_formula() -> None:
    text = words.condition(LAW, LAW.tests["imminence_caroline"].condition, DEFAULTS, {})
    assert text.startswith("the time until the anticipated attack is at most 72 hours "
                           "(caroline_max_hours)")
    assert "the adversary's decision to attack is taken" in text
    assert "the adversary's means are deployed" in text


def test_a_parameter_override_changes_the_words() -> None:
    params = resolve({"caroline_max_hours": 24}, LAW)
    text = words.condition(LAW, LAW.tests["imminence_caroline"].condition, params, {})
    assert "at most 24 hours (caroline_max_hours)" in text


@pytest.mark.parametrize(("raw", "where"), [
    ({"fact": "threat.intent", "is": "decided"}, "is"),
    ({"fact": "threat.intent", "equals": 3}, "unsupported"),
    ({"al": []}, "unsupported"),
    ({"all": {"fact": "x"}}, "list"),
])
def test_a_malformed_condition_is_refused_at_load_naming_its_place(raw: object,
                                                                    where: str) -> None:
    with pytest.raises(RulesError, match=r"tests.yaml: t") as err:
        conditions.parse(raw, "rules/tests.yaml: t")
    assert where in str(err.value)


# ---- the vocabulary owns the facts ----------------------------------------------------

def _scenario_facts() -> dict[str, typing.Any]:
    return {f"{g}.{n}": f for g, m in GROUPS.items() for n, f in m.model_fields.items()}


def test_every_scenario_fact_has_a_meaning_in_facts_yaml_and_the_reverse() -> None:
    vocab = vocabulary()
    assert set(_scenario_facts()) == set(vocab)
    for name, fd in vocab.items():
        assert fd.meaning and fd.label, name


def _literal_values(annotation: typing.Any) -> tuple[typing.Any, ...] | None:
    for arg in typing.get_args(annotation) or (annotation,):
        if typing.get_origin(arg) is typing.Literal:
            return typing.get_args(arg)
    return None


def test_the_scenario_model_accepts_exactly_what_facts_yaml_says() -> None:
    for name, field in _scenario_facts().items():
        fd = vocabulary()[name]
        group, key = name.split(".")
        if fd.kind == "enum":
            assert _literal_values(field.annotation) == fd.values, name
            with pytest.raises(ValueError):
                Scenario.model_validate({group: {key: "not-a-value"}})
        elif fd.kind == "bool":
            assert Scenario.model_validate({group: {key: True}}).facts()[name] is True
            with pytest.raises(ValueError):
                Scenario.model_validate({group: {key: "yes"}})
        elif fd.kind == "number":
            assert fd.minimum is not None
            Scenario.model_validate({group: {key: fd.minimum}})
            with pytest.raises(ValueError):
                Scenario.model_validate({group: {key: fd.minimum - 1}})
            if fd.maximum is not None:
                with pytest.raises(ValueError):
                    Scenario.model_validate({group: {key: fd.maximum + 1}})
            else:
                Scenario.model_validate({group: {key: 1e12}})


def test_international_defaults_to_false_when_the_territorial_state_is_named() -> None:
    assert Scenario.model_validate({"territory": {"state": "Pakistan"}}).facts()[
        "territory.international"] is False
    assert Scenario.model_validate({}).facts()["territory.international"] is None
    stated = Scenario.model_validate({"territory": {"state": "X", "international": True}})
    assert stated.facts()["territory.international"] is True
    assert vocabulary()["territory.international"].default is not None


def test_a_fact_without_its_words_is_refused() -> None:
    with pytest.raises(RulesError, match="if_true"):
        parse_fact("threat.x", {"kind": "bool", "label": "x", "meaning": "x"})
    with pytest.raises(RulesError, match="unit"):
        parse_fact("threat.y", {"kind": "number", "min": 0, "label": "y", "meaning": "y"})


# ---- closed lists defined once ---------------------------------------------------------

def test_verdicts_and_classes_of_the_result_model_are_those_of_rules() -> None:
    assert typing.get_args(Verdict) == tuple(v.id for v in LAW.verdicts)
    assert set(typing.get_args(Classification)) == {c.id for c in LAW.classes}
    assert all(c.label for c in LAW.classes)


# ---- the library imports no face -------------------------------------------------------

def test_import_engine_loads_no_face() -> None:
    code = ("import sys, engine, engine.explain, engine.whatif, engine.validation\n"
            "engine.evaluate({'threat': {'intent': 'planning'}}, explain=True)\n"
            "bad = sorted({m.split('.')[0] for m in sys.modules} & "
            "{'api', 'cli', 'fastapi', 'uvicorn', 'typer', 'rich', 'starlette'})\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
