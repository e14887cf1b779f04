"""`evaluate(scenario, parameters=None, doctrines=None)`: the one evaluation function.

Every interface (CLI, HTTP API, batch runner, exercise grader, web page) calls this and
renders its result; none re-implements law. The authoritative path runs the rules on
durable-rules (`engine="rete"`, the default). `engine="fast"` evaluates the same compiled
rule network directly in Python (no trace); differential tests check that both give the
same answers on generated scenarios.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Literal

from pydantic import ValidationError

from engine.errors import EngineError, ErrorItem, InvalidInput
from engine.law.definitions import Law, load
from engine.law.parameters import Parameters, canonical, resolve
from engine.law.scenario import Scenario, unknown_field_message
from engine.reasoning.network import (
    Action,
    DoctrinePlan,
    Network,
    build,
    doctrine_verdict,
    route_status,
)
from engine.reasoning.runtime import engine as rule_engine
from engine.reasoning.vector import tables_for
from engine.result import DoctrineResult, Evaluation, TestResult, TraceEntry, construct

EngineName = Literal["rete", "fast"]


def _allowed_values(loc: tuple[Any, ...]) -> list[Any] | None:
    dotted = ".".join(str(p) for p in loc)
    info = load().facts.get(dotted)
    if info and "values" in info:
        return list(info["values"])
    return None


def validation_errors(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[ErrorItem]:
    """pydantic's errors as ErrorItems that name the field and the allowed values."""
    items = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        allowed = _allowed_values(loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg, allowed = unknown_field_message(loc)
            items.append(ErrorItem((*prefix, *loc), msg, "unknown_field", allowed))
            continue
        if err["type"] == "bool_type" or (allowed == [True, False] and "boolean" in msg):
            msg = f"must be true or false (or null for unknown), got {err.get('input')!r}"
        elif allowed is not None and err["type"] == "literal_error":
            msg = (f"{err.get('input')!r} is not allowed; allowed: "
                   f"{', '.join(map(str, allowed))} (or null for unknown)")
        items.append(ErrorItem((*prefix, *loc), msg, err["type"], allowed))
    return items


def to_scenario(data: Scenario | Mapping[str, Any], prefix: tuple[str | int, ...] = ()) -> Scenario:
    """Validate a scenario document; InvalidInput names each bad field."""
    if isinstance(data, Scenario):
        return data
    if not isinstance(data, Mapping):
        raise InvalidInput([ErrorItem(prefix, "a scenario must be an object (a mapping of "
                                              "fact groups)", "type_error")])
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(validation_errors(exc, prefix)) from None


def check_doctrines(ids: Iterable[str] | None, law: Law | None = None,
                    loc: tuple[str, ...] = ("doctrines",)) -> list[str]:
    law = law or load()
    if ids is None:
        return list(law.doctrines)
    ids = list(ids)
    bad = [d for d in ids if d not in law.doctrines]
    if bad:
        raise InvalidInput([ErrorItem((*loc, d), f"unknown doctrine '{d}'", "enum",
                                      list(law.doctrines)) for d in bad])
    return [d for d in law.doctrines if d in ids]


@lru_cache(maxsize=16)
def _network(key: str) -> Network:
    import json

    return build(load(), json.loads(key))


_DEFAULT: list[tuple[Law, Parameters, Network]] = []  # the defaults' network, by value


def network_for(params: Parameters) -> Network:
    """The compiled rule network for a parameter set (cached). The default parameters are
    recognised by comparison, without serialising them (the common case, per evaluation)."""
    law = load()
    if _DEFAULT and _DEFAULT[0][0] is law and _DEFAULT[0][1] == params:
        return _DEFAULT[0][2]
    net = _network(canonical(params))
    if params == resolve(None, law):
        _DEFAULT[:] = [(law, copy.deepcopy(params), net)]
    return net


def evaluate(
    scenario: Scenario | Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
    doctrines: Iterable[str] | None = None,
    *,
    explain: bool = True,
    engine: EngineName = "rete",
) -> Evaluation:
    """Evaluate a scenario under each doctrine.

    scenario: a Scenario or a dict in the vocabulary of DOCTRINES §2.
    parameters: overrides of the interpretive parameters (rules/parameters.yaml).
    doctrines: which doctrines to report (default: all six, in order).
    explain: include per-test facts and the trace (the rete engine always records them).
    engine: "rete" (durable-rules, authoritative) or "fast" (same rules, plain Python).
    Raises InvalidInput for a bad scenario, parameter or doctrine id.
    """
    law = load()
    sc = to_scenario(scenario, ("scenario",) if not isinstance(scenario, Scenario) else ())
    params = resolve(parameters, law)
    wanted = check_doctrines(doctrines, law)
    facts = sc.facts()
    if engine == "rete":
        net, run = rule_engine(law).run(facts, params)
        classification = next((c.cls.id for c in net.classes if c.cls.id in run.classes),
                              "unclassified")
        return assemble(net, sc, facts, params, wanted, run.tests, run.routes, run.verdicts,
                        classification, run.firings, explain)
    if engine != "fast":
        raise InvalidInput([ErrorItem(("engine",), f"unknown engine {engine!r}", "enum",
                                      ["rete", "fast"])])
    net = network_for(params)
    # each test one lookup in its table over the cells of the facts it reads (built from
    # the same compiled expressions; engine.reasoning.vector)
    tests, classification = tables_for(net).evaluate(facts)
    routes = {k: route_status(tests[t.key] for t in r.tests) for k, r in net.routes.items()}
    verdicts = {d_id: doctrine_verdict([routes[r.key] for r in plan.routes])
                for d_id, plan in net.doctrines.items()}
    return assemble(net, sc, facts, params, wanted, tests, routes, verdicts, classification,
                    None, explain)


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def _floor0(x: float) -> int:
    """A score less a penalty: not below 0, an integer (rounded half up)."""
    return max(0, _round(x))


def assemble(net: Network, sc: Scenario, facts: Mapping[str, Any], params: Parameters,
             wanted: list[str], tests: Mapping[str, str], routes: Mapping[str, str],
             verdicts: Mapping[str, str], classification: str,
             firings: list[Action] | None, explain: bool) -> Evaluation:
    """Turn what the rules derived into the §5 result: routes, scores, decisive tests."""
    reported_status = tests.get(net.weighing.key, "unknown")
    reported = construct(TestResult,
        test=net.weighing.test.id, route=None, status=reported_status,
        facts={f: facts.get(f) for f in net.weighing.facts} if explain else {},
        source=net.weighing.test.source)
    out: dict[str, DoctrineResult] = {}
    shared: dict[tuple[str, str], TestResult] = {}  # doctrines share test instances
    for d_id in wanted:
        plan = net.doctrines[d_id]
        out[d_id] = _doctrine(net, plan, facts, tests, routes, verdicts.get(d_id),
                              reported_status, reported, firings, explain, shared,
                              classification)
    return construct(Evaluation, scenario_id=sc.id, classification=classification,
                      parameters=params, doctrines=out)


def _doctrine(net: Network, plan: DoctrinePlan, facts: Mapping[str, Any],
              tests: Mapping[str, str], routes: Mapping[str, str], verdict: str | None,
              reported_status: str, reported: TestResult, firings: list[Action] | None,
              explain: bool, shared: dict[tuple[str, str], TestResult],
              classification: str) -> DoctrineResult:
    d = plan.doctrine
    route_status = [routes.get(r.key, "unknown") for r in plan.routes]
    if verdict is None:
        raise EngineError(f"no verdict was derived for {d.id}")
    expected = doctrine_verdict(route_status)
    if verdict != expected:
        raise EngineError(f"{d.id}: the rules derived {verdict} but its routes say {expected}")

    per_route = [[tests.get(t.key, "unknown") for t in r.tests] for r in plan.routes]
    if verdict == "justified":
        best = route_status.index("satisfied")
    else:  # most satisfied tests; ties to a route fitting the classification, then the earliest
        counts = [s.count("satisfied") for s in per_route]
        top = max(counts)
        tied = [i for i, c in enumerate(counts) if c == top]
        best = next((i for i in tied if classification in plan.routes[i].route.fits), tied[0])
    chosen, st = plan.routes[best], per_route[best]
    n, k, u = len(st), st.count("satisfied"), st.count("unknown")
    score, score_max = _round(100 * k / n), _round(100 * (k + u) / n)
    if chosen.route.self_defence:
        penalty = net.params["unreported_penalty"]
        if reported_status == "failed":
            score, score_max = _floor0(score - penalty), _floor0(score_max - penalty)
        elif reported_status == "unknown":
            score = _floor0(score - penalty)

    decisive: list[str] = []
    missing: list[str] = []
    if verdict == "not_justified":
        decisive = [t.test.id for t, s in zip(chosen.tests, st, strict=True) if s == "failed"]
    elif verdict == "indeterminate":
        for r, rs in zip(plan.routes, per_route, strict=True):
            if "failed" in rs:
                continue
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
    for r in plan.routes:
        for t in r.tests:
            tr = shared.get((t.key, r.route.id))
            if tr is None:
                tr = shared[(t.key, r.route.id)] = construct(TestResult,
                    test=t.test.id, route=r.route.id,
                    status=tests.get(t.key, "unknown"),
                    facts={f: facts.get(f) for f in t.facts} if explain else {},
                    source=t.test.source)
            test_results.append(tr)
    trace: list[TraceEntry] = []
    if explain and firings is not None:
        mine = _rules_of(net, d.id)
        trace = [f.trace_entry for f in firings if f.rule in mine]
    # Built from trusted parts, so not validated again (validation cost more than the rules);
    # a test checks that every result validates against these models.
    return construct(DoctrineResult,
        name=d.name, standing=d.standing, verdict=verdict,
        route=chosen.route.id, score=score, score_max=score_max, tests=test_results,
        reported=reported, decisive=decisive, missing_facts=missing, widening=widening,
        trace=trace)


def _rules_of(net: Network, d_id: str) -> frozenset[str]:
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


__all__ = ["EngineName", "check_doctrines", "evaluate", "network_for", "to_scenario",
           "validation_errors"]
