"""Property tests over generated scenarios: nesting, three-valued logic, scores, and the
agreement of the fast path with durable-rules."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from engine import Evaluation, evaluate
from tests.strategies import flat_facts, scenarios, to_document, value_of

# justified under the left doctrine implies justified under the right one (DOCTRINES §4)
# (all seven of version 2, with the default parameters)
UPWARD = [("charter_restrictive", "caroline"), ("caroline", "pre_emptive"),
          ("pre_emptive", "preventive"), ("caroline", "nss_2002"),
          ("pre_emptive", "nss_2002"), ("pre_emptive", "nss_2006"), ("nss_2006", "nss_2002")]


def test_the_nestings_are_the_seven_of_doctrines_v2() -> None:
    assert len(set(UPWARD)) == 7


@given(scenarios)
def test_justified_propagates_up_the_nesting(doc: dict[str, Any]) -> None:
    d = evaluate(doc).doctrines
    for narrow, wide in UPWARD:
        if d[narrow].verdict == "justified":
            assert d[wide].verdict == "justified", (narrow, wide)


@given(scenarios)
def test_not_justified_propagates_down_the_nesting(doc: dict[str, Any]) -> None:
    d = evaluate(doc).doctrines
    for narrow, wide in UPWARD:
        if d[wide].verdict == "not_justified":
            assert d[narrow].verdict == "not_justified", (narrow, wide)


@given(flat_facts(), st.data())
def test_learning_an_unknown_fact_never_reverses_a_settled_verdict(
        flat: dict[str, Any], data: st.DataObject) -> None:
    unknown = [f for f, v in flat.items() if v is None]
    if not unknown:
        return
    fact = data.draw(st.sampled_from(unknown))
    refined = dict(flat, **{fact: data.draw(value_of(fact))})
    before = evaluate(to_document(flat), engine="fast").doctrines
    after = evaluate(to_document(refined), engine="fast").doctrines
    for d, r in before.items():
        if r.verdict != "indeterminate":
            assert after[d].verdict == r.verdict, (d, fact)
        # and no test changes a settled status either
        for t_before, t_after in zip(r.tests, after[d].tests, strict=True):
            if t_before.status != "unknown":
                assert t_after.status == t_before.status, (d, t_before.test, fact)


@given(scenarios)
def test_every_result_validates_against_the_result_models(doc: dict[str, Any]) -> None:
    for engine in ("rete", "fast"):
        result = evaluate(doc, engine=engine)
        assert Evaluation.model_validate(result.model_dump()) == result


@given(scenarios)
def test_the_trace_records_each_rule_once_and_the_rule_that_decided(doc: dict[str, Any]) -> None:
    for d, r in evaluate(doc).doctrines.items():
        rules = [t.rule for t in r.trace]
        assert len(rules) == len(set(rules))
        assert rules[0] == "scenario.asserted"
        decided = {"justified": f"{d}.justified.{r.route}", "not_justified": f"{d}.not_justified",
                   "indeterminate": f"{d}.indeterminate"}[r.verdict]
        assert decided in rules
        for t in r.tests:  # every test that was decided shows the rule that decided it
            if t.status != "unknown":
                assert any(x.startswith(f"test.{t.test}") and x.endswith(t.status)
                           for x in rules), t.test


@given(scenarios)
def test_scores_are_percentages_and_score_never_exceeds_score_max(doc: dict[str, Any]) -> None:
    for r in evaluate(doc).doctrines.values():
        assert 0 <= r.score <= r.score_max <= 100


@given(scenarios)
def test_fast_path_agrees_with_durable_rules(doc: dict[str, Any]) -> None:
    rete = evaluate(doc).model_dump(mode="json")
    fast = evaluate(doc, engine="fast").model_dump(mode="json")
    for d in rete["doctrines"].values():
        d.pop("trace")
    for d in fast["doctrines"].values():
        d.pop("trace")
    assert fast == rete


@given(scenarios)
def test_verdicts_follow_the_routes(doc: dict[str, Any]) -> None:
    """A doctrine is justified iff a route is fully satisfied, not justified iff every
    route has a failed test (DOCTRINES §4)."""
    for r in evaluate(doc).doctrines.values():
        by_route: dict[str, list[str]] = {}
        for t in r.tests:
            by_route.setdefault(t.route or "", []).append(t.status)
        any_satisfied = any(all(s == "satisfied" for s in v) for v in by_route.values())
        all_failed = all("failed" in v for v in by_route.values())
        expected = ("justified" if any_satisfied else
                    "not_justified" if all_failed else "indeterminate")
        assert r.verdict == expected


@given(scenarios, st.sampled_from([6, 24, 48, 72, 168]))
def test_a_longer_caroline_window_never_rejects_what_a_shorter_one_allowed(
        doc: dict[str, Any], hours: int) -> None:
    short = evaluate(doc, {"caroline_max_hours": hours}, ["caroline"]).doctrines["caroline"]
    long = evaluate(doc, {"caroline_max_hours": hours * 2}, ["caroline"]).doctrines["caroline"]
    if short.verdict == "justified":
        assert long.verdict == "justified"
