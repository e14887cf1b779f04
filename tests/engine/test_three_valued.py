"""The three-valued tests of DOCTRINES §3, case by case: unknown is a value, not false."""

from __future__ import annotations

from typing import Any

import pytest

from engine import evaluate


def status_of(doc: dict[str, Any], test: str, doctrine: str = "caroline",
                params: dict[str, Any] | None = None) -> str:
    r = evaluate(doc, params, [doctrine]).doctrines[doctrine]
    return next(t.status for t in r.tests if t.test == test)



MINOR_UNKNOWN_ACCUMULATION = {"status": "ongoing", "gravity": "minor", "attributable": True}


@pytest.mark.parametrize(("scale", "expected"), [
    ("limited", "satisfied"), ("moderate", "unknown"), ("extensive", "failed"),
    ("full_scale", "failed")])
def test_minor_attack_with_unknown_accumulation_is_minor_or_significant(
        scale: str, expected: str) -> None:
    doc = {"armed_attack": MINOR_UNKNOWN_ACCUMULATION, "response": {"scale": scale}}
    assert status_of(doc, "proportionate_to_attack") == expected


def test_minor_attack_with_unknown_accumulation_meets_a_minor_threshold() -> None:
    doc = {"armed_attack": MINOR_UNKNOWN_ACCUMULATION}
    assert status_of(doc, "armed_attack", "nss_2002") == "satisfied"
    assert status_of(doc, "armed_attack", "caroline") == "unknown"


def test_accumulation_raises_a_minor_attack_to_significant() -> None:
    doc = {"armed_attack": {**MINOR_UNKNOWN_ACCUMULATION, "accumulation": True}}
    assert status_of(doc, "armed_attack", "charter_restrictive") == "satisfied"
    doc["armed_attack"]["accumulation"] = False
    assert status_of(doc, "armed_attack", "charter_restrictive") == "failed"


def test_unknown_response_scale_against_a_catastrophic_attack_is_proportionate() -> None:
    doc = {"armed_attack": {"status": "ongoing", "gravity": "catastrophic"}}
    assert status_of(doc, "proportionate_to_attack") == "satisfied"


# The worked cases of DOCTRINES v2 §3, "The values a fact could take", on both engines.
@pytest.mark.parametrize("engine", ["rete", "fast"])
@pytest.mark.parametrize(("attack", "scale", "expected"), [
    # no attack happened: no response is proportionate to it, whatever `gravity` says
    ({"status": "none"}, "limited", "failed"),
    ({"status": "none", "gravity": "catastrophic"}, "limited", "failed"),
    ({"status": "none"}, None, "failed"),
    # a stated attack of unknown gravity is at least minor: a limited response fits it
    ({"status": "ongoing", "attributable": True}, "limited", "satisfied"),
    ({"status": "concluded"}, "moderate", "unknown"),
    # unknown status: the attack may not have happened (0) or have any gravity
    ({}, "limited", "unknown"),
    ({"gravity": "catastrophic"}, "limited", "unknown"),
])
def test_effective_gravity_of_v2(attack: dict[str, Any], scale: str | None, expected: str,
                                 engine: str) -> None:
    doc = {"armed_attack": attack, "response": {"scale": scale}}
    r = evaluate(doc, doctrines=["caroline"], engine=engine).doctrines["caroline"]  # type: ignore[arg-type]
    assert next(t.status for t in r.tests if t.test == "proportionate_to_attack") == expected


def test_an_ongoing_attack_of_unknown_gravity_met_by_limited_force_is_nss_self_defence() -> None:
    # v1 made this indeterminate under the NSS doctrines, though every gravity says justified
    doc = {"security_council": {"authorisation": False},
           "armed_attack": {"status": "ongoing", "attributable": True},
           "necessity": {"alternatives": "none"},
           "response": {"purpose": "repel", "scale": "limited"},
           "territory": {"is_target_state": True}}
    for engine in ("rete", "fast"):
        d = evaluate(doc, engine=engine).doctrines  # type: ignore[arg-type]
        assert d["nss_2002"].verdict == "justified"
        assert d["nss_2006"].verdict == "justified"
        assert d["caroline"].verdict == "indeterminate"  # gravity threshold significant


def test_an_unknown_magnitude_ranges_over_the_listed_values_only() -> None:
    # minor is the least harm threatened: a limited response is proportionate to any threat
    doc = {"response": {"scale": "limited"}}
    assert status_of(doc, "proportionate_to_threat") == "satisfied"
    assert status_of({"response": {"scale": "moderate"}}, "proportionate_to_threat") == "unknown"


def test_an_unknown_fact_is_never_read_as_false() -> None:
    assert status_of({}, "necessity_caroline") == "unknown"
    assert status_of({"necessity": {"alternatives": "none"}}, "necessity_caroline") == "unknown"
    doc = {"necessity": {"alternatives": "none", "time_to_deliberate": False}}
    assert status_of(doc, "necessity_caroline") == "satisfied"


def test_one_failed_part_fails_an_and_whatever_the_unknowns() -> None:
    doc = {"threat": {"capability": "acquiring"}}  # imminence_caroline needs deployed
    assert status_of(doc, "imminence_caroline") == "failed"


def test_one_satisfied_part_satisfies_an_or_whatever_the_unknowns() -> None:
    assert status_of({"territory": {"consent": True}}, "territorial_basis") == "satisfied"


def test_a_probability_threshold_of_zero_is_met_by_an_unknown_probability() -> None:
    doc = {"threat": {"capability": "possessed", "intent": "planning", "evidence": "high",
                      "last_window": True}}
    assert status_of(doc, "imminence_contextual", "pre_emptive") == "unknown"
    assert status_of(doc, "imminence_contextual", "pre_emptive",
                       {"contextual_min_probability": 0}) == "satisfied"


@pytest.mark.parametrize(("magnitude", "probability", "expected"), [
    ("catastrophic", 0.25, "satisfied"), ("catastrophic", 0.2, "failed"),
    ("grave", 0.5, "satisfied"), ("grave", 0.4, "failed"), (None, 0.4, "unknown"),
    (None, 0.1, "failed"), ("significant", 0.9, "failed")])
def test_nss_probability_falls_as_the_threat_grows(magnitude: str | None, probability: float,
                                                   expected: str) -> None:
    doc = {"target": {"profile": "terrorist"},
           "threat": {"means": "nuclear", "magnitude": magnitude, "intent": "hostile",
                      "capability": "acquiring", "probability": probability}}
    assert status_of(doc, "imminence_nss2002", "nss_2002") == expected


def test_caroline_rejects_an_attack_whose_time_is_unknown_only_as_undecided() -> None:
    doc = {"threat": {"hours_until": 5, "time_known": None, "place_known": True,
                      "capability": "deployed", "intent": "decided"}}
    assert status_of(doc, "imminence_caroline") == "unknown"
    doc["threat"]["time_known"] = False
    assert status_of(doc, "imminence_caroline") == "failed"


def test_international_territory_is_false_once_a_territorial_state_is_named() -> None:
    doc = {"territory": {"state": "B"}}
    r = evaluate(doc, doctrines=["caroline"]).doctrines["caroline"]
    t = next(t for t in r.tests if t.test == "territorial_basis")
    assert t.facts["territory.international"] is False
    r = evaluate({"territory": {}}, doctrines=["caroline"]).doctrines["caroline"]
    t = next(t for t in r.tests if t.test == "territorial_basis")
    assert t.facts["territory.international"] is None


def test_reported_changes_the_score_never_the_verdict() -> None:
    base = {"security_council": {"authorisation": False},
            "armed_attack": {"status": "ongoing", "gravity": "grave", "attributable": True},
            "necessity": {"alternatives": "none"},
            "response": {"purpose": "repel", "scale": "moderate"},
            "territory": {"is_target_state": True}}
    scores = {}
    for reported in (True, False, None):
        doc = {**base, "response": {**base["response"], "reported_to_council": reported}}
        r = evaluate(doc, doctrines=["charter_restrictive"]).doctrines["charter_restrictive"]
        assert r.verdict == "justified"
        scores[reported] = (r.score, r.score_max)
    assert scores == {True: (100, 100), False: (90, 90), None: (90, 100)}


REPORTED_CASE = {"security_council": {"authorisation": False},
                 "armed_attack": {"status": "ongoing", "gravity": "grave", "attributable": True},
                 "necessity": {"alternatives": "none"},
                 "response": {"purpose": "repel", "scale": "moderate"},
                 "territory": {"is_target_state": True}}


@pytest.mark.parametrize("engine", ["rete", "fast"])
@pytest.mark.parametrize(("penalty", "reported", "expected"), [
    (0, False, (100, 100)), (25, False, (75, 75)), (25, None, (75, 100)),
    (100, False, (0, 0)), (25, True, (100, 100)), (12.5, False, (88, 88))])
def test_unreported_penalty_is_a_parameter(penalty: float, reported: bool | None,
                                           expected: tuple[int, int], engine: str) -> None:
    doc = {**REPORTED_CASE, "response": {**REPORTED_CASE["response"],
                                         "reported_to_council": reported}}
    r = evaluate(doc, {"unreported_penalty": penalty}, ["charter_restrictive"],
                 engine=engine).doctrines["charter_restrictive"]  # type: ignore[arg-type]
    assert r.verdict == "justified"
    assert (r.score, r.score_max) == expected


def test_the_council_route_is_never_penalised_for_not_reporting() -> None:
    doc = {"security_council": {"authorisation": True},
           "response": {"reported_to_council": False}}
    r = evaluate(doc, {"unreported_penalty": 50}, ["caroline"]).doctrines["caroline"]
    assert (r.route, r.score, r.score_max) == ("council", 100, 100)


UNWILLING = {"territory": {"state": "T", "is_target_state": False, "consent": False,
                           "unwilling_or_unable": True}}


@pytest.mark.parametrize("engine", ["rete", "fast"])
@pytest.mark.parametrize(("choice", "charter", "others"), [
    ("by_doctrine", "failed", "satisfied"), ("accepted", "satisfied", "satisfied"),
    ("rejected", "failed", "failed")])
def test_unwilling_or_unable_parameter(choice: str, charter: str, others: str,
                                       engine: str) -> None:
    d = evaluate(UNWILLING, {"unwilling_or_unable": choice},
                 engine=engine).doctrines  # type: ignore[arg-type]
    for doctrine, r in d.items():
        want = charter if doctrine == "charter_restrictive" else others
        got = {t.status for t in r.tests if t.test == "territorial_basis"}
        assert got == {want}, doctrine


def test_unwilling_or_unable_refuses_an_unknown_choice() -> None:
    from engine import InvalidInput
    with pytest.raises(InvalidInput) as err:
        evaluate({}, {"unwilling_or_unable": "sometimes"})
    assert "by_doctrine" in str(err.value.errors[0].allowed)
