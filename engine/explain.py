"""Why each doctrine decided as it did: the one home of explanation.

From what the rules derived (test, route and verdict statuses, by durable-rules or by the
fast path), this module makes a doctrine's §5 answer and its reasons: the route reported
(the justifying one, or the best: most satisfied tests, ties to the route that fits the
classification, then the earliest), the score, the decisive tests, the missing facts, the
widening, a summary of every route, each test's condition in words and, for a failed or
unknown test, `because` (which part failed or is unknown, and what it needs), and one
sentence for the doctrine.

Wording comes from engine/law/words.py; the static words of a test (its condition as the
doctrine reads it) are made once per compiled network, only `because` per evaluation and
only when explain=True. Both engines go through here, so their answers are the same by
construction (the differential tests compare them, words included).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from engine.errors import EngineError
from engine.law import words
from engine.law.definitions import Law, LegalTest
from engine.reasoning.logic import All, AnyOf, Atom, Const, Expr, Not, Status, status
from engine.reasoning.network import (
    Action,
    DoctrinePlan,
    Network,
    RouteInstance,
    TestInstance,
    doctrine_verdict,
)
from engine.result import DoctrineResult, RouteSummary, TestResult, TraceEntry, construct


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def _floor0(x: float) -> int:
    """A score less a penalty: not below 0, an integer (rounded half up)."""
    return max(0, _round(x))


# ------------------------------------------------------------------------ words


def condition_words(net: Network, inst: TestInstance) -> str:
    """A test instance's condition in words (cached on the network: it is static)."""
    cache: dict[str, str] = net.explain_cache.setdefault("condition", {})
    text = cache.get(inst.key)
    if text is None:
        text = cache[inst.key] = words.condition(net.law, inst.test.condition, net.params,
                                                 inst.settings)
    return text


def _culprits(expr: Expr, facts: Mapping[str, Any], want: Status,
              negated: bool = False) -> Iterator[tuple[Atom, bool]]:
    """The comparisons that make `expr` come out `want` (failed or unknown)."""
    if isinstance(expr, Atom):
        if expr.status(facts) is want:
            yield expr, negated
    elif isinstance(expr, Const):
        return
    elif isinstance(expr, Not):
        flip = {Status.FAILED: Status.SATISFIED, Status.SATISFIED: Status.FAILED}.get(want, want)
        yield from _culprits(expr.part, facts, flip, not negated)
    elif isinstance(expr, All | AnyOf):
        for p in expr.parts:
            if status(p, facts) is want:
                yield from _culprits(p, facts, want, negated)


# Per network, the `because` texts and the test entries remembered (a sweep or a class
# repeats them); bounded, so memory stays flat however many scenarios are evaluated.
BECAUSE_CACHE = 8192
ENTRY_CACHE = 4096


def because(net: Network, inst: TestInstance, facts: Mapping[str, Any], outcome: str) -> str:
    """Which part of a failed or unknown test failed or is unknown, and what it needs."""
    memo: dict[tuple[Any, ...], str] = net.explain_cache.setdefault("because", {})
    key = (inst.key, outcome, *(facts.get(f) for f in inst.facts))
    text = memo.get(key)
    if text is None:
        if len(memo) >= BECAUSE_CACHE:
            memo.clear()
        text = memo[key] = _because(net, inst, facts, outcome)
    return text


def _need(net: Network, inst: TestInstance, atom: Atom, negated: bool) -> str:
    """What one comparison of a test instance asks, in words (static: cached)."""
    cache: dict[tuple[str, int, bool], str] = net.explain_cache.setdefault("need", {})
    key = (inst.key, id(atom), negated)
    text = cache.get(key)
    if text is None:
        assert atom.node is not None
        text = words.leaf(net.law, atom.node, net.params, inst.settings)
        if negated:
            text = f"it is not the case that {text}"
        cache[key] = text
    return text


def _because(net: Network, inst: TestInstance, facts: Mapping[str, Any], outcome: str) -> str:
    want = Status(outcome)
    law = net.law
    parts: list[str] = []
    for atom, negated in _culprits(inst.expr, facts, want):
        states = [words.state(law, f, facts.get(f)) for f in atom.facts]
        parts.append(words.unmet(states, _need(net, inst, atom, negated)))
    if not parts:
        return f"on this doctrine's reading the test cannot be met: {condition_words(net, inst)}"
    lead = ""
    if isinstance(inst.expr, AnyOf) and want is Status.FAILED and len(parts) > 1:
        lead = "None of its alternatives holds. "
    return lead + " ".join(_capital(p) + "." for p in parts)


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def _lower(s: str) -> str:
    return s[:1].lower() + s[1:] if s[1:2].islower() or len(s) == 1 else s


def entry(net: Network, inst: TestInstance, route: str | None, test_status: str,
          facts: Mapping[str, Any], explain: bool) -> TestResult:
    """One test of one route as the result lists it. Results are frozen and depend only on
    the facts the test reads, so they are remembered per network (a sweep repeats them)."""
    memo: dict[tuple[Any, ...], TestResult] = net.explain_cache.setdefault("entries", {})
    values = tuple(facts.get(f) for f in inst.facts) if explain else ()
    key = (inst.key, route, test_status, explain, *values)
    found = memo.get(key)
    if found is not None:
        return found
    if len(memo) >= ENTRY_CACHE:
        memo.clear()
    t: LegalTest = inst.test
    found = memo[key] = construct(
        TestResult, test=t.id, route=route, status=test_status,
        facts=dict(zip(inst.facts, values, strict=True)) if explain else {},
        source=t.source, condition=condition_words(net, inst),
        because=because(net, inst, facts, test_status)
        if explain and test_status != "satisfied" else None,
        passage=t.passage, passage_kind=t.passage_kind,
        citation=net.law.sources[t.source].short)
    return found


# ----------------------------------------------------------------------- doctrine


def best_route(plan: DoctrinePlan, verdict: str, route_statuses: Sequence[str],
               per_route: Sequence[Sequence[str]], classification: str) -> int:
    """The route reported: the earliest that justifies, else the most satisfied tests,
    ties to a route that fits the classification, then the earliest (DOCTRINES §5)."""
    if verdict == "justified":
        return list(route_statuses).index("satisfied")
    counts = [s.count("satisfied") for s in per_route]
    top = max(counts)
    tied = [i for i, c in enumerate(counts) if c == top]
    return next((i for i in tied if classification in plan.routes[i].route.fits), tied[0])


def _titles(law: Law, ids: Sequence[str]) -> str:
    return words.or_list([f"{_lower(law.tests[t].title)} ({t})" for t in ids], "and")


def _route_name(ri: RouteInstance) -> str:
    return f"{ri.route.code} {ri.route.id} ({ri.route.title})"


def sentence(net: Network, plan: DoctrinePlan, verdict: str, chosen: RouteInstance,
             decisive: Sequence[str], missing: Sequence[str], widening: Sequence[str],
             open_routes: Sequence[RouteInstance]) -> str:
    """One sentence: why the doctrine decided as it did, naming the decisive tests."""
    law = net.law
    name = plan.doctrine.short_name
    if verdict == "justified":
        out = f"{name}: justified, because every test of {_route_name(chosen)} is met"
        if widening:
            widened = law.routes[chosen.route.widens or ""].code if chosen.route.widens else ""
            out += (f"; it widens {widened} {chosen.route.widens}, where "
                    f"{_titles(law, widening)} failed")
        return out + "."
    if verdict == "not_justified":
        return (f"{name}: not justified, because every route fails; on the nearest, "
                f"{_route_name(chosen)}, it fails on: {_titles(law, decisive)}.")
    labels = words.or_list([law.fact_defs[f].label for f in missing], "and")
    routes = words.or_list([f"{r.route.code} {r.route.id}" for r in open_routes])
    out = (f"{name}: indeterminate, because no route is met but {routes} has no failed test; "
           f"it turns on whether {_titles(law, decisive)}, which the facts stated leave "
           f"unknown")
    return out + (f" (find out: {labels})." if labels else ".")


def doctrine(net: Network, plan: DoctrinePlan, facts: Mapping[str, Any],
             tests: Mapping[str, str], routes: Mapping[str, str], verdict: str | None,
             reported: TestResult, firings: list[Action] | None, explain: bool,
             shared: dict[tuple[str, str], TestResult], classification: str) -> DoctrineResult:
    """One doctrine's answer (DOCTRINES §5) and its reasons."""
    d = plan.doctrine
    route_statuses = [routes.get(r.key, "unknown") for r in plan.routes]
    if verdict is None:
        raise EngineError(f"no verdict was derived for {d.id}")
    expected = doctrine_verdict(route_statuses)
    if verdict != expected:
        raise EngineError(f"{d.id}: the rules derived {verdict} but its routes say {expected}")

    per_route = [[tests.get(t.key, "unknown") for t in r.tests] for r in plan.routes]
    best = best_route(plan, verdict, route_statuses, per_route, classification)
    chosen, st = plan.routes[best], per_route[best]
    n, k, u = len(st), st.count("satisfied"), st.count("unknown")
    score, score_max = _round(100 * k / n), _round(100 * (k + u) / n)
    if chosen.route.self_defence:
        penalty = net.params["unreported_penalty"]
        if reported.status == "failed":
            score, score_max = _floor0(score - penalty), _floor0(score_max - penalty)
        elif reported.status == "unknown":
            score = _floor0(score - penalty)

    decisive: list[str] = []
    missing: list[str] = []
    open_routes: list[RouteInstance] = []
    if verdict == "not_justified":
        decisive = [t.test.id for t, s in zip(chosen.tests, st, strict=True) if s == "failed"]
    elif verdict == "indeterminate":
        for r, rs in zip(plan.routes, per_route, strict=True):
            if "failed" in rs:
                continue
            open_routes.append(r)
            for t, s in zip(r.tests, rs, strict=True):
                if s == "unknown":
                    decisive.append(t.test.id)
                    missing.extend(f for f in t.facts if facts.get(f) is None)
    decisive = list(dict.fromkeys(decisive))
    missing = list(dict.fromkeys(missing))

    widening: list[str] = []
    if verdict == "justified" and chosen.route.widens:
        i = next((i for i, r in enumerate(plan.routes) if r.route.id == chosen.route.widens), None)
        if i is not None:
            asked = set(chosen.route.tests)
            widening = [t.test.id for t, s in zip(plan.routes[i].tests, per_route[i], strict=True)
                        if s == "failed" and t.test.id not in asked]

    test_results = []
    summaries = []
    for r, rs, r_status in zip(plan.routes, per_route, route_statuses, strict=True):
        for t, s in zip(r.tests, rs, strict=True):
            tr = shared.get((t.key, r.route.id))
            if tr is None:
                tr = shared[(t.key, r.route.id)] = entry(net, t, r.route.id, s, facts,
                                                               explain)
            test_results.append(tr)
        summaries.append(_summary(net, r, r_status, rs))
    trace: list[TraceEntry] = []
    if explain and firings is not None:
        mine = rules_of(net, d.id)
        trace = [f.trace_entry for f in firings if f.rule in mine]
    # Built from trusted parts, so not validated again (validation cost more than the rules);
    # a test checks that every result validates against these models.
    return construct(DoctrineResult,
        name=d.name, standing=d.standing, verdict=verdict,
        route=chosen.route.id, score=score, score_max=score_max, tests=test_results,
        reported=reported, decisive=decisive, missing_facts=missing, widening=widening,
        trace=trace,
        sentence=sentence(net, plan, verdict, chosen, decisive, missing, widening, open_routes),
        routes=summaries)


def _summary(net: Network, r: RouteInstance, r_status: str, rs: list[str]) -> RouteSummary:
    """A route's status and its failed and unknown tests (frozen: remembered per network)."""
    memo: dict[tuple[str, ...], RouteSummary] = net.explain_cache.setdefault("routes", {})
    key = (r.key, r_status, *rs)
    found = memo.get(key)
    if found is None:
        found = memo[key] = construct(
            RouteSummary, route=r.route.id, code=r.route.code, title=r.route.title,
            status=r_status,
            failed=[t.test.id for t, s in zip(r.tests, rs, strict=True) if s == "failed"],
            unknown=[t.test.id for t, s in zip(r.tests, rs, strict=True) if s == "unknown"])
    return found


def rules_of(net: Network, d_id: str) -> frozenset[str]:
    """The rule ids that belong to one doctrine's reasoning (its trace)."""
    cached = net.trace_rules.get(d_id)
    if cached is not None:
        return cached
    plan = net.doctrines[d_id]
    prefixes = [f"test.{t.key}." for r in plan.routes for t in r.tests]
    prefixes += [f"test.{net.weighing.key}."]
    prefixes += [f"route.{r.key}." for r in plan.routes]
    prefixes += [f"{d_id}."]
    mine = frozenset(rid for rid in net.rules
                     if rid == "scenario.asserted" or any(rid.startswith(p) for p in prefixes))
    net.trace_rules[d_id] = mine
    return mine


__all__ = [
    "because",
    "best_route",
    "condition_words",
    "doctrine",
    "entry",
    "rules_of",
    "sentence",
]
