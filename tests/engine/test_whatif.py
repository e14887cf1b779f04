"""Which fact would change the answer: every change reported really changes the verdict
(checked on durable-rules), and no enumerated single-fact change that would is missed."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from engine import evaluate
from engine.law.scenario import fact_catalogue
from engine.whatif import changes
from tests.strategies import flat_facts, to_document


def with_fact(flat: dict[str, Any], fact: str, value: Any) -> dict[str, Any]:
    return to_document(dict(flat, **{fact: value}))


@settings(max_examples=40)
@given(flat_facts())
def test_every_reported_change_changes_the_verdict_on_durable_rules(flat: dict[str, Any]) -> None:
    for doctrine, found in changes(to_document(flat)).items():
        for c in found:
            after = evaluate(with_fact(flat, c.fact, c.value), doctrines=[doctrine])
            assert after.doctrines[doctrine].verdict == c.verdict, c.describe()


@settings(max_examples=25)
@given(flat_facts())
def test_no_enumerated_change_that_flips_a_verdict_is_missed(flat: dict[str, Any]) -> None:
    base = evaluate(to_document(flat), engine="fast").doctrines
    reported = {(d, c.fact, c.verdict) for d, cs in changes(to_document(flat)).items()
                for c in cs}
    for fact, info in fact_catalogue().items():
        if info["kind"] not in ("enum", "bool"):
            continue
        for value in info["values"]:
            if value == flat.get(fact):
                continue
            after = evaluate(with_fact(flat, fact, value), engine="fast").doctrines
            for d, r in after.items():
                if r.verdict != base[d].verdict:
                    assert (d, fact, r.verdict) in reported, (d, fact, value)


def test_the_caroline_case_would_be_justified_under_caroline_had_means_been_exhausted() -> None:
    from engine.loader import load_scenario_file
    from tests.conftest import SCENARIOS

    scenario, _ = load_scenario_file(SCENARIOS / "caroline-1837.yaml")
    found = changes(scenario, doctrines=["caroline"])["caroline"]
    assert any(c.fact == "necessity.alternatives" and c.verdict == "justified" for c in found)
