"""What version 2 of DOCTRINES changed, as users rely on it: the §5 route tie-break, the
`regime_change` class, and the NSS doctrines' contextual route R3."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from engine import evaluate
from engine.law.definitions import load
from tests.strategies import scenarios

# DOCTRINES v2 §5, written out here from the contract (not read from rules/)
FITS = {"collective_security": {"council"}, "reactive": {"reactive"},
        "interceptive": {"reactive"},
        "pre_emptive": {"anticipatory", "pre_emptive", "nss_2002", "nss_2006"},
        "preventive": {"preventive", "nss_2002", "nss_2006"}}


def test_rules_routes_fit_the_classes_of_doctrines_v2() -> None:
    law = load()
    got: dict[str, set[str]] = {}
    for r in law.routes.values():
        for c in r.fits:
            got.setdefault(c, set()).add(r.id)
    assert got == FITS


@given(scenarios)
def test_ties_between_best_routes_go_to_the_route_fitting_the_classification(
        doc: dict[str, Any]) -> None:
    result = evaluate(doc, engine="fast")
    fits = FITS.get(result.classification, set())
    law = load()
    for d_id, r in result.doctrines.items():
        if r.verdict == "justified":
            continue
        counts = {route: sum(1 for t in r.tests if t.route == route and t.status == "satisfied")
                  for route in law.doctrines[d_id].routes}
        top = max(counts.values())
        tied = [route for route, c in counts.items() if c == top]  # in the doctrine's order
        fitting = [route for route in tied if route in fits]
        assert r.route == (fitting or tied)[0], (d_id, counts, result.classification)


def test_a_tie_between_reactive_and_anticipatory_goes_to_anticipatory_for_pre_emptive_force(
        ) -> None:
    # no attack, a deployed threat with intent planning: Caroline's R1 and R2 both have three
    # satisfied tests (necessity, purpose, territory / necessity_caroline, proportionality...)
    doc = {"security_council": {"authorisation": False},
           "armed_attack": {"status": "none"},
           "threat": {"capability": "deployed", "intent": "planning", "hours_until": 500,
                      "time_known": True, "place_known": True, "magnitude": "grave"},
           "necessity": {"alternatives": "exhausted", "time_to_deliberate": True},
           "response": {"purpose": "forestall", "scale": "limited",
                        "reported_to_council": True},
           "territory": {"is_target_state": True}}
    r = evaluate(doc)
    assert r.classification == "pre_emptive"
    c = r.doctrines["caroline"]
    # R1: armed_attack F, timely F, necessity S, proportionate_to_attack F, purpose S, territory S
    # R2: imminence F, necessity_caroline F, proportionate_to_threat S, purpose S, territory S
    assert (c.verdict, c.route, c.score) == ("not_justified", "anticipatory", 60)
    assert c.decisive == ["imminence_caroline", "necessity_caroline"]


@pytest.mark.parametrize(("purpose", "council", "expected"), [
    ("regime_change", False, "regime_change"), ("regime_change", None, "regime_change"),
    ("deter", False, "reprisal"), ("punish", None, "reprisal"),
    ("regime_change", True, "collective_security")])
def test_regime_change_is_its_own_class_before_reprisal(purpose: str, council: bool | None,
                                                        expected: str) -> None:
    doc = {"security_council": {"authorisation": council},
           "armed_attack": {"status": "ongoing"}, "response": {"purpose": purpose}}
    for engine in ("rete", "fast"):
        assert evaluate(doc, engine=engine).classification == expected  # type: ignore[arg-type]


def test_both_nss_doctrines_justify_contextual_imminence_through_r3() -> None:
    # an ordinary state threatening significant conventional harm: the NSS widening (R5/R6)
    # does not reach it, the traditional pre-emptive route R3 does
    doc = {"security_council": {"authorisation": False},
           "target": {"profile": "ordinary"},
           "armed_attack": {"status": "none"},
           "threat": {"capability": "possessed", "intent": "planning", "probability": 0.8,
                      "evidence": "high", "last_window": True, "magnitude": "significant",
                      "means": "conventional"},
           "necessity": {"alternatives": "exhausted"},
           "response": {"purpose": "forestall", "scale": "limited", "reported_to_council": True},
           "territory": {"is_target_state": True}}
    d = evaluate(doc).doctrines
    for nss in ("nss_2002", "nss_2006"):
        assert (d[nss].verdict, d[nss].route) == ("justified", "pre_emptive")
        assert d[nss].widening == []  # R3 is not the widening
    assert d["caroline"].verdict == "not_justified"
