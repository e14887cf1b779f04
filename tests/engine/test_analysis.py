"""Exact analysis (engine/analysis) against brute force and durable-rules.

With all but a handful of facts fixed, every combination of the free facts' options is
enumerated and evaluated one by one on the fast path (and a sample on durable-rules): the
shares, the region membership and the counterexamples must be those of `compare` and
`prove` over that sub-space. Minimal changes are checked by trying every change set.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import evaluate
from engine.analysis.compare import Side, compare
from engine.analysis.minimal import apply, minimal_changes, space_for, to_find_out
from engine.analysis.prove import NESTINGS, nesting, prove
from engine.analysis.space import Analysis, Space, Subject
from engine.evaluate import network_for
from engine.law.parameters import resolve
from engine.reasoning.network import route_status
from tests.strategies import flat_facts, to_document

THREAT = ["threat.hours_until", "threat.capability", "threat.intent", "threat.probability",
          "threat.magnitude", "threat.time_known", "response.scale", "target.profile",
          "threat.means", "threat.evidence"]
ATTACK = ["armed_attack.status", "armed_attack.gravity", "armed_attack.accumulation",
          "armed_attack.attributable", "response.scale", "necessity.alternatives",
          "response.purpose", "territory.international", "territory.state"]


def combos(space: Space, free: list[str]) -> list[dict[str, Any]]:
    """Every combination of options of the free facts, as fact values (None: unknown)."""
    axes = [space.axes[f] for f in free]
    return [{f: ax.value(o) for f, ax, o in zip(free, axes, opts, strict=True)}
            for opts in itertools.product(*(range(ax.size) for ax in axes))]


def document(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    flat = {**base, **values}
    return to_document({k: v for k, v in flat.items() if v is not None})


def route_statuses(ev: Any, doctrine: str) -> dict[str, str]:
    r = ev.doctrines[doctrine]
    routes = dict.fromkeys(t.route for t in r.tests)
    return {route: route_status(t.status for t in r.tests if t.route == route)
            for route in routes}


def in_region(condition: Mapping[str, Any], statuses: Mapping[tuple[str, str], dict[str, str]]
              ) -> bool:
    return all(statuses[(c["doctrine"], c.get("reading", ""))][c["route"]] in c["status"]
               for c in condition["all"])


# a few facts free (about a thousand combinations each), all others fixed
CASES = [
    (Side("caroline"), Side("nss_2002"),
     ["threat.capability", "threat.intent", "threat.magnitude", "target.profile",
      "necessity.alternatives"]),
    (Side("caroline"), Side("caroline", {"caroline_max_hours": 24}),
     ["threat.hours_until", "threat.time_known", "threat.capability", "threat.intent",
      "necessity.time_to_deliberate"]),
    (Side("charter_restrictive"), Side("nss_2006", {"nss_gravity_threshold": "grave"}),
     ["armed_attack.status", "armed_attack.gravity", "armed_attack.accumulation",
      "response.scale", "territory.international", "territory.state"]),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(base=flat_facts(), seed=st.integers(0, 10**6))
def test_compare_equals_brute_force_on_a_sub_space(case: int, base: dict[str, Any],
                                                   seed: int) -> None:
    a, b, free = CASES[case]
    pa, pb = resolve(a.parameters), resolve(b.parameters)
    space = Space([network_for(pa), network_for(pb)])
    fixed = {f: base.get(f) for f in space.facts if f not in free}
    result = compare(a, b, fixed=fixed)
    regions = [(p["a"], p["b"], r) for p in result["pairs"] for r in p["regions"]]
    label_a = "" if pa == pb else "a"
    label_b = "" if pa == pb else "b"
    seen: Counter[tuple[str, str]] = Counter()
    all_combos = combos(space, free)
    rng = random.Random(seed)
    on_rete = set(rng.sample(range(len(all_combos)), 5))
    for i, values in enumerate(all_combos):
        doc = document(fixed, values)
        engine = "rete" if i in on_rete else "fast"
        ea = evaluate(doc, pa, [a.doctrine], engine=engine)
        eb = evaluate(doc, pb, [b.doctrine], engine=engine)
        pair = (ea.doctrines[a.doctrine].verdict, eb.doctrines[b.doctrine].verdict)
        seen[pair] += 1
        statuses = {(a.doctrine, label_a): route_statuses(ea, a.doctrine),
                    (b.doctrine, label_b): route_statuses(eb, b.doctrine)}
        inside = [(x, y) for x, y, r in regions if in_region(r["condition"], statuses)]
        # exact and disjoint: in exactly one region when the verdicts differ, else in none
        assert inside == ([pair] if pair[0] != pair[1] else []), (values, inside, pair)
    total = len(all_combos)
    assert result["total"] == total
    differ = sum(n for (x, y), n in seen.items() if x != y)
    assert result["count_differ"] == differ
    for p in result["pairs"]:
        assert p["count"] == seen[(p["a"], p["b"])]
        assert sum(r["count"] for r in p["regions"]) == p["count"]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_every_region_example_lands_in_its_pair_on_durable_rules(case: int) -> None:
    a, b, _ = CASES[case]
    result = compare(a, b)
    assert result["pairs"], "these two readings differ somewhere"
    for p in result["pairs"]:
        for r in p["regions"]:
            got_a = evaluate(r["example"], a.parameters, [a.doctrine]).doctrines[a.doctrine]
            got_b = evaluate(r["example"], b.parameters, [b.doctrine]).doctrines[b.doctrine]
            assert (got_a.verdict, got_b.verdict) == (p["a"], p["b"])


def test_thresholds_near_the_largest_float_still_give_examples_in_their_cells() -> None:
    # Found by schemathesis: the midpoint of two cells near 1e308 overflowed to inf,
    # which lies outside the number's domain, and POST /v1/compare answered 500.
    huge = {"contextual_max_hours": 8.18e307, "caroline_max_hours": 1.05e308,
            "max_response_delay_hours": 9.03e307}
    a, b = Side("pre_emptive"), Side("nss_2002", huge)
    result = compare(a, b)
    for p in result["pairs"]:
        for r in p["regions"]:
            got_a = evaluate(r["example"], a.parameters, [a.doctrine]).doctrines[a.doctrine]
            got_b = evaluate(r["example"], b.parameters, [b.doctrine]).doctrines[b.doctrine]
            assert (got_a.verdict, got_b.verdict) == (p["a"], p["b"])


def test_a_doctrine_compared_with_itself_never_differs() -> None:
    assert compare(Side("preventive"), Side("preventive"))["share_differ"] == 0


def stated(doc: Mapping[str, Any]) -> int:
    return sum(1 for g in doc.values() if isinstance(g, dict) for v in g.values()
               if v is not None)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(base=flat_facts(unknown_weight=0.6))
def test_prove_equals_brute_force_on_a_sub_space(base: dict[str, Any]) -> None:
    params = resolve({"nss_gravity_threshold": "grave"})
    net = network_for(params)
    free = ["armed_attack.status", "armed_attack.gravity", "armed_attack.attributable",
            "response.scale", "security_council.authorisation"]
    ids = list(net.doctrines)
    space = Space([net])
    fixed = {f: base.get(f) for f in space.facts if f not in free}
    analysis = Analysis([Subject(d, net) for d in ids], fixed)
    docs = [document(fixed, v) for v in combos(space, free)]
    verdicts = [{d: r.verdict for d, r in evaluate(doc, params, engine="fast").doctrines.items()}
                for doc in docs]
    for a, b in NESTINGS:
        claim = nesting(analysis, ids.index(a), ids.index(b), params)
        bad = [doc for doc, v in zip(docs, verdicts, strict=True)
               if v[a] == "justified" and v[b] != "justified"]
        assert claim.holds == (not bad), (a, b)
        assert claim.count == len(bad)
        if bad:
            assert claim.stated == min(stated(doc) for doc in bad)
            assert claim.counterexample is not None
            assert stated(claim.counterexample) == claim.stated


def test_a_gravity_threshold_above_the_icj_one_breaks_caroline_within_nss_2002() -> None:
    claims = {c.claim: c for c in prove({"nss_gravity_threshold": "grave"})}
    broken = claims["caroline => nss_2002"]
    assert not broken.holds and broken.counterexample is not None
    ev = evaluate(broken.counterexample, {"nss_gravity_threshold": "grave"})
    assert ev.doctrines["caroline"].verdict == "justified"
    assert ev.doctrines["nss_2002"].verdict != "justified"
    assert ev.doctrines["caroline"].route == "reactive"  # the attack, graver for the NSS


def test_every_nesting_of_doctrines_4_holds_with_the_default_parameters() -> None:
    claims = prove()
    assert [c.claim for c in claims][:7] == [f"{a} => {b}" for a, b in NESTINGS]
    assert all(c.holds for c in claims), [c.claim for c in claims if not c.holds]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(flat=flat_facts(unknown_weight=0.5), fact=st.sampled_from(THREAT + ATTACK[:4]),
       data=st.data())
def test_stating_an_unknown_fact_never_turns_justified_into_rejected(
        flat: dict[str, Any], fact: str, data: st.DataObject) -> None:
    # the claim prove() makes, sampled directly on the fast path
    space = space_for(network_for(resolve({})))
    flat = {**flat, fact: None}
    value = data.draw(st.sampled_from(combos(space, [fact])[1:]))[fact]
    before = evaluate(to_document(flat), engine="fast").doctrines
    after = evaluate(to_document({**flat, fact: value}), engine="fast").doctrines
    for d, r in before.items():
        if r.verdict != "indeterminate":
            assert after[d].verdict == r.verdict


# ------------------------------------------------------------------- minimal changes


def brute_minimal(doc: dict[str, Any], doctrine: str, to: str, free: list[str], n: int,
                  space: Space) -> set[frozenset[str]]:
    """The fact sets of the smallest change sets (<= n facts among `free`) giving `to`."""
    flat = {f"{g}.{k}": v for g, part in doc.items() if isinstance(part, dict)
            for k, v in part.items()}
    current = {f: space.axes[f].option_of(flat.get(f)) for f in free}
    now = evaluate(doc, engine="fast", doctrines=[doctrine]).doctrines[doctrine].verdict
    if now == to or (to == "decided" and now != "indeterminate"):
        return set()  # nothing to change
    for k in range(1, n + 1):
        found: set[frozenset[str]] = set()
        for subset in itertools.combinations(free, k):
            choices = [[o for o in range(space.axes[f].size) if o != current[f]]
                       for f in subset]
            for opts in itertools.product(*choices):
                changed = dict(flat, **{f: space.axes[f].value(o, flat.get(f))
                                        for f, o in zip(subset, opts, strict=True)})
                v = evaluate(to_document({x: y for x, y in changed.items() if y is not None}),
                             engine="fast", doctrines=[doctrine]).doctrines[doctrine].verdict
                if v == to or (to == "decided" and v != "indeterminate"):
                    found.add(frozenset(subset))
                    break
        if found:
            return found
    return set()


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(flat=flat_facts(), doctrine=st.sampled_from(["charter_restrictive", "caroline",
                                                    "pre_emptive", "nss_2002"]),
       to=st.sampled_from(["justified", "not_justified", "decided"]),
       free=st.lists(st.sampled_from(THREAT + ATTACK[:-1]), min_size=3, max_size=3,
                     unique=True))
def test_minimal_changes_equal_brute_force(flat: dict[str, Any], doctrine: str, to: str,
                                           free: list[str]) -> None:
    doc = to_document({k: v for k, v in flat.items() if v is not None})
    now = evaluate(doc, engine="fast", doctrines=[doctrine]).doctrines[doctrine].verdict
    assume(now != to and not (to == "decided" and now != "indeterminate"))
    space = space_for(network_for(resolve({})))
    free = [f for f in free if f in space.axes]
    sols = minimal_changes(doc, doctrine, to, max_changes=3, only=free)
    expected = brute_minimal(doc, doctrine, to, free, 3, space)
    assert {frozenset(c.fact for c in s.changes) for s in sols} == expected
    for s in sols:  # re-verified on durable-rules
        got = evaluate(apply(doc, s.changes), doctrines=[doctrine]).doctrines[doctrine]
        assert got.verdict == s.verdict
        assert to in (s.verdict, "decided")


def test_keep_forbids_changing_a_fact() -> None:
    doc = {"armed_attack": {"status": "none"}, "security_council": {"authorisation": False}}
    free = minimal_changes(doc, "caroline", "justified", max_changes=1)
    assert any(c.fact == "security_council.authorisation" for s in free for c in s.changes)
    kept = minimal_changes(doc, "caroline", "justified", max_changes=3,
                           keep=["security_council.authorisation"])
    assert all(c.fact != "security_council.authorisation" for s in kept for c in s.changes)


def test_what_to_find_out_decides_an_indeterminate_doctrine_on_durable_rules() -> None:
    doc = {"security_council": {"authorisation": False}, "armed_attack": {"status": "none"},
           "threat": {"hours_until": 10, "time_known": True, "place_known": True,
                      "capability": "deployed", "intent": "decided", "magnitude": "grave"},
           "necessity": {"alternatives": "none", "time_to_deliberate": False},
           "response": {"purpose": "forestall", "scale": "limited"},
           "territory": {"is_target_state": True}}
    assert evaluate(doc).doctrines["caroline"].verdict == "justified"
    del doc["necessity"]["time_to_deliberate"]
    assert evaluate(doc).doctrines["caroline"].verdict == "indeterminate"
    found = to_find_out(doc, "caroline")
    assert found and all(len(f.facts) == 1 for f in found)
    for item in found:
        for values, want in [(v, "justified") for v in item.justify] + \
                            [(v, "not_justified") for v in item.reject]:
            changed = document({}, {**{f"{g}.{k}": v for g, p in doc.items()
                                       for k, v in p.items()}, **values})
            assert evaluate(changed).doctrines["caroline"].verdict == want


def test_the_batch_report_shows_the_exact_matrix_beside_the_sampled_one() -> None:
    from engine.analysis.compare import exact_disagreement
    from engine.batch.report import collect, tables

    records = [evaluate(e.scenario, engine="fast").model_dump(mode="json")
               for e in __import__("engine.loader", fromlist=["library"]).library()]
    titles = {t[0]: t for t in tables(collect(records))}
    exact = next(t for name, t in titles.items() if name.startswith("Exact disagreement"))
    shares = exact_disagreement(list(records[0]["doctrines"]))
    share = compare(Side("caroline"), Side("nss_2002"))["share_differ"]
    assert shares[("caroline", "nss_2002")] == pytest.approx(share)
    row = next(r for r in exact[2] if r[0] == "caroline")
    assert row[1 + exact[1][1:].index("nss_2002")] == f"{100 * share:.3g}%"


HOURS = st.one_of(st.sampled_from([0, 1, 24, 72, 720]),
                  st.floats(0, 1e308, allow_nan=False, allow_infinity=False))
PROB = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 1, allow_nan=False))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(params=st.fixed_dictionaries({}, optional={
    "caroline_max_hours": HOURS, "contextual_max_hours": HOURS,
    "max_response_delay_hours": HOURS, "preventive_min_probability": PROB,
    "contextual_min_probability": PROB,
    "gravity_threshold": st.sampled_from(["minor", "significant", "grave", "catastrophic"]),
    "nss_gravity_threshold": st.sampled_from(["minor", "significant", "grave", "catastrophic"]),
    "unwilling_or_unable": st.sampled_from(["by_doctrine", "accepted", "rejected"])}),
    a=st.sampled_from(["caroline", "preventive", "nss_2006"]))
def test_examples_hold_on_durable_rules_under_any_reading(params: dict[str, Any], a: str) -> None:
    # compare() re-checks every example on durable-rules and raises if one misses: extreme
    # thresholds (1e308 hours, a probability of 1e-195) must still give values inside cells
    result = compare(Side(a, params), Side("caroline"))
    assert 0 <= result["share_differ"] <= 1


def test_the_parameter_condition_of_each_nesting_agrees_with_prove() -> None:
    from engine.analysis.prove import parameter_conditions

    found = {c["claim"]: c for c in parameter_conditions()}
    assert set(found) == {f"{a} => {b}" for a, b in NESTINGS}
    harm = ["minor", "significant", "grave", "catastrophic"]
    for g, n in itertools.product(harm, repeat=2):
        trial = {"gravity_threshold": g, "nss_gravity_threshold": n}
        for c in prove(trial, monotonic=False):
            assert (trial in found[c.claim]["fails_under"]) == (not c.holds), (c.claim, trial)
    assert "nss_gravity_threshold" in found["caroline => nss_2002"]["condition"]
