"""The words of an evaluation: each failed or unknown test says which part failed or is
unknown and what it needs; each doctrine says in one sentence why it decided as it did.
The expected words are written by hand from rules/facts.yaml and DOCTRINES §3."""

from __future__ import annotations

from typing import Any

import pytest

from engine import evaluate
from engine.result import TestResult

IMMINENT = {"hours_until": 12, "time_known": True, "place_known": True,
            "capability": "deployed", "intent": "decided"}


def _test(doc: dict[str, Any], doctrine: str, test: str, route: str | None = None,
          **kw: Any) -> TestResult:
    ev = evaluate(doc, **kw)
    return next(t for t in ev.doctrines[doctrine].tests
                if t.test == test and (route is None or t.route == route))


def test_intent_short_of_a_decision_is_named_with_what_caroline_needs() -> None:
    t = _test({"threat": {**IMMINENT, "intent": "planning"}}, "caroline", "imminence_caroline")
    assert t.status == "failed"
    assert t.because == ("The adversary's intent is planning; this test needs: the "
                         "adversary's decision to attack is taken.")


def test_an_attack_too_far_off_names_the_hours_and_the_parameter() -> None:
    t = _test({"threat": {**IMMINENT, "hours_until": 300}}, "caroline", "imminence_caroline")
    assert t.because is not None
    assert t.because.startswith("The time until the anticipated attack is 300 hours;")
    assert "at most 72 hours (caroline_max_hours)" in t.because
    assert "intent" not in t.because and "means" not in t.because


def test_the_parameter_in_force_is_the_one_named() -> None:
    t = _test({"threat": {**IMMINENT, "hours_until": 30}}, "caroline", "imminence_caroline",
              parameters={"caroline_max_hours": 24})
    assert t.because is not None and "at most 24 hours (caroline_max_hours)" in t.because


def test_an_unknown_part_says_it_is_not_stated() -> None:
    doc = {"threat": {k: v for k, v in IMMINENT.items() if k != "time_known"}}
    t = _test(doc, "caroline", "imminence_caroline")
    assert t.status == "unknown"
    assert t.because == ("It is not stated whether the time of the anticipated attack is "
                         "known; this test needs: the time of the anticipated attack is known.")


def test_a_failed_alternative_lists_every_alternative() -> None:
    doc = {"territory": {"state": "X", "is_target_state": False, "consent": False,
                         "unwilling_or_unable": False}}
    t = _test(doc, "caroline", "territorial_basis", route="reactive")
    assert t.because is not None and t.because.startswith("None of its alternatives holds.")
    for part in ("the force is used within some state's territory",
                 "the territorial state does not consent",
                 "the territorial state is willing and able to stop the threat"):
        assert part in t.because.lower()


def test_a_comparison_of_two_facts_names_both() -> None:
    doc = {"threat": {"magnitude": "significant"}, "response": {"scale": "extensive"}}
    t = _test(doc, "caroline", "proportionate_to_threat", route="anticipatory")
    assert t.because == ("The scale of the force used is extensive and the harm threatened "
                         "is significant; this test needs: the scale of the force used is no "
                         "greater than the harm threatened.")


def test_a_probability_below_the_nss_threshold_names_the_keyed_parameter() -> None:
    doc = {"target": {"profile": "rogue_state"},
           "threat": {"means": "nuclear", "magnitude": "grave", "intent": "hostile",
                      "capability": "possessed", "probability": 0.3}}
    t = _test(doc, "nss_2002", "imminence_nss2002")
    assert t.status == "failed"
    assert t.because is not None
    assert t.because.startswith("The probability of the attack is 0.3 and the harm "
                                "threatened is grave")
    assert "nss_min_probability" in t.because
    assert "means" not in t.because and "profile" not in t.because


def test_a_satisfied_test_has_no_because_and_explain_false_has_none_at_all() -> None:
    doc = {"security_council": {"authorisation": True}}
    assert _test(doc, "caroline", "council_authorisation").because is None
    failed = _test({"threat": {**IMMINENT, "intent": "planning"}}, "caroline",
                   "imminence_caroline", explain=False, engine="fast")
    assert failed.status == "failed" and failed.because is None
    assert failed.condition  # the condition in words is static: always there


def test_every_test_carries_its_condition_and_its_passage() -> None:
    ev = evaluate({})
    for d in ev.doctrines.values():
        for t in d.tests:
            assert t.condition and t.passage and t.citation
            assert t.passage_kind in ("quotation", "summary")
            assert t.status != "unknown" or t.because


def test_the_sentence_names_the_decisive_tests_of_a_rejection() -> None:
    ev = evaluate({"threat": {**IMMINENT, "intent": "planning"},
                   "necessity": {"alternatives": "none", "time_to_deliberate": False},
                   "response": {"purpose": "forestall", "scale": "limited"},
                   "territory": {"is_target_state": True},
                   "armed_attack": {"status": "none"},
                   "security_council": {"authorisation": False}})
    d = ev.doctrines["caroline"]
    assert d.verdict == "not_justified"
    assert d.sentence.startswith("Caroline: not justified")
    for test in d.decisive:
        assert f"({test})" in d.sentence


def test_the_sentence_of_an_indeterminate_doctrine_says_what_to_find_out() -> None:
    d = evaluate({}).doctrines["charter_restrictive"]
    assert d.verdict == "indeterminate"
    assert "indeterminate" in d.sentence and "find out:" in d.sentence
    assert "the Security Council's authorisation" in d.sentence


def test_every_route_is_summarised_with_its_failed_and_unknown_tests() -> None:
    ev = evaluate({"security_council": {"authorisation": False},
                   "threat": {**IMMINENT, "intent": "planning"}})
    d = ev.doctrines["caroline"]
    assert [r.route for r in d.routes] == ["council", "reactive", "anticipatory"]
    council, _, anticipatory = d.routes
    assert council.status == "failed" and council.failed == ["council_authorisation"]
    assert anticipatory.status == "failed" and "imminence_caroline" in anticipatory.failed
    assert "necessity_caroline" in anticipatory.unknown


@pytest.mark.parametrize("engine", ["rete", "fast"])
def test_a_justified_doctrine_names_its_route(engine: str) -> None:
    ev = evaluate({"security_council": {"authorisation": True}}, engine=engine)  # type: ignore[arg-type]
    d = ev.doctrines["nss_2006"]
    assert d.verdict == "justified"
    assert d.sentence == ("NSS 2006: justified, because every test of R0 council (Security "
                          "Council authorisation) is met.")
