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
from dataclasses import dataclass
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
    route_status,
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
        text = memo[key] = because_text(net, inst, facts, outcome)
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


def _parts(net: Network, inst: TestInstance, facts: Mapping[str, Any], want: Status,
           found: Sequence[tuple[Atom, bool]] | None) -> list[tuple[tuple[str, ...], str]]:
    """The failing (or unknown) comparisons of a test: the facts each reads, what it needs.
    `found`: the comparisons, when the caller has read them from a table."""
    if found is None:
        found = list(_culprits(inst.expr, facts, want))
    return [(atom.facts, _need(net, inst, atom, negated)) for atom, negated in found]


def because_text(net: Network, inst: TestInstance, facts: Mapping[str, Any], outcome: str,
                 culprits: Sequence[tuple[Atom, bool]] | None = None) -> str:
    """`because` made (not remembered): the parts that fail, the facts' states in words.
    `culprits`: the comparisons that fail (engine.reasoning.vector.Tables.culprits), if the
    caller has them; else the expression is walked."""
    want = Status(outcome)
    law = net.law
    found = _parts(net, inst, facts, want, culprits)
    if not found:
        return f"on this doctrine's reading the test cannot be met: {condition_words(net, inst)}"
    parts = [words.unmet([words.state(law, f, facts.get(f)) for f in names], need)
             for names, need in found]
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
    found = memo[key] = make_entry(
        net, inst, route, test_status,
        dict(zip(inst.facts, values, strict=True)) if explain else {},
        because(net, inst, facts, test_status)
        if explain and test_status != "satisfied" else None)
    return found


def make_entry(net: Network, inst: TestInstance, route: str | None, test_status: str,
               facts_read: dict[str, Any], because_words: str | None) -> TestResult:
    """A test's entry from its parts: the stated values it read (empty without explain) and
    `because` (None for a satisfied test or without explain)."""
    t: LegalTest = inst.test
    return construct(
        TestResult, test=t.id, route=route, status=test_status, facts=facts_read,
        source=t.source, condition=condition_words(net, inst), because=because_words,
        passage=t.passage, passage_kind=t.passage_kind,
        citation=net.law.sources[t.source].short)


# ----------------------------------------------------------------------- doctrine


def best_route(plan: DoctrinePlan, verdict: str, route_statuses: Sequence[str],
               counts: Sequence[int], classification: str) -> int:
    """The route reported: the earliest that justifies, else the most satisfied tests
    (`counts`, per route), ties to a route that fits the classification, then the earliest
    (DOCTRINES §5)."""
    if verdict == "justified":
        return list(route_statuses).index("satisfied")
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


@dataclass(frozen=True)
class RoutePiece:
    """One route instance's part of a doctrine's answer, for one pattern of its tests'
    statuses (and of which facts of its unknown tests are unknown); frozen, remembered per
    network (engine/fast.py keeps them by the tests' table signatures)."""

    status: str
    satisfied: int
    unknown: int
    size: int
    failed: tuple[str, ...]  # the ids of its failed tests, in order
    unknowns: tuple[str, ...]  # the ids of its unknown tests, in order
    missing: tuple[str, ...]  # the unknown facts its unknown tests read, in order
    summary: RouteSummary
    entries: tuple[TestResult, ...]  # its tests as an answer lists them without values


def route_piece(net: Network, r: RouteInstance, rs: Sequence[str],
                facts: Mapping[str, Any]) -> RoutePiece:
    """Make a route's piece from its tests' statuses `rs` (DOCTRINES §4: a route is the
    Kleene AND of its tests) and the facts (only which are unknown is read)."""
    st = route_status(rs)
    failed = tuple(t.test.id for t, s in zip(r.tests, rs, strict=True) if s == "failed")
    unknowns = tuple(t.test.id for t, s in zip(r.tests, rs, strict=True) if s == "unknown")
    missing = tuple(f for t, s in zip(r.tests, rs, strict=True) if s == "unknown"
                    for f in t.facts if facts.get(f) is None)
    summary = construct(RouteSummary, route=r.route.id, code=r.route.code,
                        title=r.route.title, status=st, failed=list(failed),
                        unknown=list(unknowns))
    entries = tuple(entry(net, t, r.route.id, s, facts, False)
                    for t, s in zip(r.tests, rs, strict=True))
    return RoutePiece(st, len(rs) - len(failed) - len(unknowns), len(unknowns), len(rs),
                      failed, unknowns, missing, summary, entries)


PIECE_CACHE = 16384  # route pieces remembered per network (by statuses and unknown facts)


def cached_piece(net: Network, r: RouteInstance, rs: Sequence[str],
                 facts: Mapping[str, Any]) -> RoutePiece:
    memo: dict[tuple[Any, ...], RoutePiece] = net.explain_cache.setdefault("pieces", {})
    key = (r.key, *rs, *(f for t, s in zip(r.tests, rs, strict=True) if s == "unknown"
                         for f in t.facts if facts.get(f) is None))
    found = memo.get(key)
    if found is None:
        if len(memo) >= PIECE_CACHE:
            memo.clear()
        found = memo[key] = route_piece(net, r, rs, facts)
    return found


def doctrine(net: Network, plan: DoctrinePlan, facts: Mapping[str, Any],
             tests: Mapping[str, str], routes: Mapping[str, str], verdict: str | None,
             reported: TestResult, firings: list[Action] | None, explain: bool,
             shared: dict[tuple[str, str], TestResult], classification: str) -> DoctrineResult:
    """One doctrine's answer (DOCTRINES §5) and its reasons, from what the rules derived:
    the statuses of its tests, routes and verdict."""
    d = plan.doctrine
    if verdict is None:
        raise EngineError(f"no verdict was derived for {d.id}")
    pieces = [cached_piece(net, r, [tests.get(t.key, "unknown") for t in r.tests], facts)
              for r in plan.routes]
    for r, p in zip(plan.routes, pieces, strict=True):
        derived = routes.get(r.key, "unknown")
        if derived != p.status:
            raise EngineError(f"{d.id}: the rules derived {derived} for route {r.key} but its "
                              f"tests say {p.status}")
    entries: list[TestResult] | None = None
    if explain:
        entries = []
        for r in plan.routes:
            for t in r.tests:
                tr = shared.get((t.key, r.route.id))
                if tr is None:
                    tr = shared[(t.key, r.route.id)] = entry(
                        net, t, r.route.id, tests.get(t.key, "unknown"), facts, True)
                entries.append(tr)
    trace: list[TraceEntry] = []
    if explain and firings is not None:
        mine = rules_of(net, d.id)
        trace = [f.trace_entry for f in firings if f.rule in mine]
    return answer(net, plan, pieces, verdict, reported, entries, trace, classification)


def answer(net: Network, plan: DoctrinePlan, pieces: Sequence[RoutePiece], verdict: str | None,
           reported: TestResult, entries: list[TestResult] | None, trace: list[TraceEntry],
           classification: str) -> DoctrineResult:
    """A doctrine's answer from its routes' pieces (DOCTRINES §5): the route reported, the
    score, the decisive tests, the missing facts, the widening and the sentence. `verdict`:
    the one the rules derived (checked against the routes), or None to take it from them.
    `entries`: the tests with their stated values, or None for the pieces' (explain off)."""
    route_statuses = [p.status for p in pieces]
    expected = doctrine_verdict(route_statuses)
    if verdict is None:
        verdict = expected
    elif verdict != expected:
        raise EngineError(f"{plan.doctrine.id}: the rules derived {verdict} but its routes "
                          f"say {expected}")
    best = best_route(plan, verdict, route_statuses, [p.satisfied for p in pieces],
                      classification)
    chosen, c = plan.routes[best], pieces[best]
    score, score_max = _round(100 * c.satisfied / c.size), _round(100 * (c.satisfied + c.unknown)
                                                                  / c.size)
    if chosen.route.self_defence:
        penalty = net.params["unreported_penalty"]
        if reported.status == "failed":
            score, score_max = _floor0(score - penalty), _floor0(score_max - penalty)
        elif reported.status == "unknown":
            score = _floor0(score - penalty)

    decisive: Sequence[str] = ()
    missing: Sequence[str] = ()
    open_routes: list[int] = []
    if verdict == "not_justified":
        decisive = c.failed
    elif verdict == "indeterminate":
        open_routes = [i for i, p in enumerate(pieces) if not p.failed]
        decisive = list(dict.fromkeys(t for i in open_routes for t in pieces[i].unknowns))
        missing = list(dict.fromkeys(f for i in open_routes for f in pieces[i].missing))

    widening: Sequence[str] = ()
    if verdict == "justified" and chosen.route.widens:
        i = next((i for i, r in enumerate(plan.routes) if r.route.id == chosen.route.widens), None)
        if i is not None:
            asked = chosen.route.tests
            widening = [t for t in pieces[i].failed if t not in asked]

    key = (plan.doctrine.id, verdict, best, tuple(decisive), tuple(missing), tuple(widening),
           tuple(open_routes))
    said: dict[tuple[Any, ...], str] = net.explain_cache.setdefault("sentences", {})
    text = said.get(key)
    if text is None:
        if len(said) >= PIECE_CACHE:
            said.clear()
        text = said[key] = sentence(net, plan, verdict, chosen, decisive, missing, widening,
                                    [plan.routes[i] for i in open_routes])
    # Built from trusted parts, so not validated again (validation cost more than the rules);
    # a test checks that every result validates against these models.
    return construct(DoctrineResult,
        name=plan.doctrine.name, standing=plan.doctrine.standing, verdict=verdict,
        route=chosen.route.id, score=score, score_max=score_max,
        tests=[e for p in pieces for e in p.entries] if entries is None else entries,
        reported=reported, decisive=list(decisive), missing_facts=list(missing),
        widening=list(widening), trace=trace, sentence=text,
        routes=[p.summary for p in pieces])


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
    "PIECE_CACHE",
    "RoutePiece",
    "answer",
    "because",
    "because_text",
    "best_route",
    "cached_piece",
    "condition_words",
    "doctrine",
    "entry",
    "make_entry",
    "route_piece",
    "rules_of",
    "sentence",
]
