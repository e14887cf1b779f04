"""The rule network: rules/ compiled, for one parameter set, into durable-rules rules.

Forward chaining in four levels, each rule recording itself in the trace:

    scenario fact ──► test facts ──► route facts ──► verdict facts
    (stated facts)    test.<id>.satisfied / .failed
                                     route.<id>.satisfied (a join of its tests)
                                     route.<id>.failed_by.<test>
                                                     <doctrine>.justified.<route>
                                                     <doctrine>.not_justified (a join of
                                                     its failed routes)

then, once the first phase is quiet, an end marker fact lets the negation rules judge what
nothing derived: `test.<id>.unknown`, `<doctrine>.indeterminate`, and the catch-all
`evaluation.complete` (some rule must always fire: durable-rules cannot delete a session
in which no action ran).

Tests that read a doctrine's settings (gravity threshold, allowed purposes, acceptance of
"unwilling or unable") become one *test instance* per distinct setting; routes become one
*route instance* per distinct combination of test instances. Doctrines that read a route
the same way share its instance, so the network stays small and each rule fires once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.law.conditions import ChoiceRef, ParameterRef, SettingValue
from engine.law.definitions import ClassDef, DoctrineDef, Law, LegalTest, RouteDef
from engine.reasoning import jsonfmt
from engine.reasoning.logic import FALSE, TRUE, Compiler, Expr, Status, condition, facts_read
from engine.result import TraceEntry, construct

# every evaluation runs in this one session id of its ruleset, deleted after each
SESSION = "0"

# fact types inside the durable-rules session
SCENARIO, TEST, ROUTE, VERDICT, END = "s", "t", "r", "v", "end"

# Priorities: lower fires first. Route and doctrine rules outrank the test rules, so a
# route fails as soon as its first test fails; its other failing tests then find the route
# already failed (the negation in `route.<id>.failed_by.<test>`) and fire nothing. That
# halves the firings of a typical evaluation without changing what is derived.
PRI_ROUTE, PRI_DOCTRINE, PRI_SCENARIO, PRI_TEST = 1, 2, 3, 4
PRI_UNKNOWN, PRI_INDETERMINATE, PRI_COMPLETE = 5, 6, 9


@dataclass
class TestInstance:
    key: str  # also the label used in rule ids
    test: LegalTest
    expr: Expr
    facts: list[str]
    settings: dict[str, SettingValue]


@dataclass
class RouteInstance:
    key: str
    route: RouteDef
    tests: tuple[TestInstance, ...]
    doctrines: list[str] = field(default_factory=list)


@dataclass
class DoctrinePlan:
    doctrine: DoctrineDef
    routes: tuple[RouteInstance, ...]


@dataclass
class ClassPlan:
    cls: ClassDef
    expr: Expr


@dataclass(frozen=True)
class Action:
    """What a rule does when it fires: record itself, maybe assert one fact."""

    rule: str
    source: str
    kind: str  # scenario | test | route | verdict | class | unknown | indeterminate | complete
    subject: str  # test/route instance key, doctrine id, or class id
    outcome: str = ""
    fact: dict[str, Any] | None = None

    @cached_property
    def trace_entry(self) -> TraceEntry:
        return construct(TraceEntry, rule=self.rule, source=self.source)

    @cached_property
    def payload(self) -> str | None:
        """The fact as durable-rules receives it (JSON, in the evaluation's session)."""
        if self.fact is None:
            return None
        return jsonfmt.dumps({**self.fact, "sid": SESSION})


@dataclass
class Network:
    law: Law
    params: dict[str, Any]
    tests: dict[str, TestInstance]
    routes: dict[str, RouteInstance]
    doctrines: dict[str, DoctrinePlan]
    classes: list[ClassPlan]
    weighing: TestInstance
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    trace_rules: dict[str, frozenset[str]] = field(default_factory=dict)
    explain_cache: dict[str, Any] = field(default_factory=dict)  # static words (explain.py)

    def ruleset_json(self) -> str:
        return jsonfmt.dumps(self.rules)


def _show(value: Any) -> str:
    if isinstance(value, ChoiceRef):
        return _show(value.by_doctrine)
    if isinstance(value, ParameterRef):
        return value.name
    if isinstance(value, tuple):
        return "+".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def build(law: Law, params: Mapping[str, Any]) -> Network:
    """Compile the law for `params` into test/route instances and durable-rules rules."""
    compiler = Compiler(law, params)

    # --- test instances, one per distinct reading of the doctrine settings it uses ----
    wanted: dict[tuple[str, str], tuple[LegalTest, dict[str, SettingValue]]] = {}
    per_doctrine: dict[str, dict[str, tuple[str, str]]] = {}
    for d in law.doctrines.values():
        per_doctrine[d.id] = {}
        for r_id in d.routes:
            for t_id in law.routes[r_id].tests:
                test = law.tests[t_id]
                used = {s: d.setting_values[s] for s in sorted(test.condition.settings_used())}
                ident = (t_id, repr(sorted(used.items())))
                wanted.setdefault(ident, (test, used))
                per_doctrine[d.id][t_id] = ident
    variants: dict[str, int] = {}
    for t_id, _ in wanted:
        variants[t_id] = variants.get(t_id, 0) + 1
    tests: dict[str, TestInstance] = {}
    by_ident: dict[tuple[str, str], TestInstance] = {}
    for ident, (test, used) in wanted.items():
        key = test.id
        if variants[test.id] > 1:
            key += "[" + ",".join(f"{k}={_show(v)}" for k, v in used.items()) + "]"
        expr = compiler.compile(test.condition, used)
        inst = TestInstance(key, test, expr, facts_read(expr), used)
        tests[key] = by_ident[ident] = inst
    weighing_def = law.weighing_test()
    w_expr = compiler.compile(weighing_def.condition, {})
    weighing = TestInstance(weighing_def.id, weighing_def, w_expr, facts_read(w_expr), {})

    # --- route instances ------------------------------------------------------------
    route_by_sig: dict[tuple[str, ...], RouteInstance] = {}
    doctrines: dict[str, DoctrinePlan] = {}
    for d in law.doctrines.values():
        chosen = []
        for r_id in d.routes:
            route = law.routes[r_id]
            insts = tuple(by_ident[per_doctrine[d.id][t]] for t in route.tests)
            sig = (r_id, *(i.key for i in insts))
            ri = route_by_sig.get(sig)
            if ri is None:
                ri = route_by_sig[sig] = RouteInstance(key=r_id, route=route, tests=insts)
            ri.doctrines.append(d.id)
            chosen.append(ri)
        doctrines[d.id] = DoctrinePlan(d, tuple(chosen))
    counts: dict[str, int] = {}
    for ri in route_by_sig.values():
        counts[ri.route.id] = counts.get(ri.route.id, 0) + 1
    routes: dict[str, RouteInstance] = {}
    for ri in route_by_sig.values():
        if counts[ri.route.id] > 1:
            ri.key = f"{ri.route.id}({','.join(ri.doctrines)})"
        routes[ri.key] = ri

    classes = [ClassPlan(c, compiler.compile(c.condition, {})) for c in law.classes]
    net = Network(law, dict(params), tests, routes, doctrines, classes, weighing)
    _emit_rules(net)
    return net


def route_status(test_statuses: Iterable[str]) -> str:
    """A route is an AND of its tests (Kleene): failed if one failed, satisfied if all are.

    The Python reading of the `route.*` rules below, for the fast path, the what-if sweep and
    the engine's self-check; property tests keep it equal to what durable-rules derives."""
    out = "satisfied"
    for s in test_statuses:
        if s == "failed":
            return "failed"
        if s == "unknown":
            out = "unknown"
    return out


def doctrine_verdict(route_statuses: Sequence[str]) -> str:
    """Justified if a route is satisfied, not justified if every route failed (DOCTRINES §4);
    the Python reading of the `<doctrine>.*` rules below."""
    if "satisfied" in route_statuses:
        return "justified"
    if all(s == "failed" for s in route_statuses):
        return "not_justified"
    return "indeterminate"


# ------------------------------------------------------------------ durable rules


def _on_scenario(cond: Any) -> dict[str, Any]:
    if cond is TRUE:
        return {"t": SCENARIO}
    return {"$and": [{"t": SCENARIO}, cond]}


def _emit_rules(net: Network) -> None:
    rules, actions = net.rules, net.actions

    def add(rule_id: str, when: list[dict[str, Any]], pri: int, action: Action) -> None:
        rules[rule_id] = {"all": when, "pri": pri}
        actions[rule_id] = action

    add("scenario.asserted", [{"m": {"t": SCENARIO}}], PRI_SCENARIO,
        Action("scenario.asserted", "un-charter-2-4", "scenario", "scenario"))

    for inst in [*net.tests.values(), net.weighing]:
        for outcome in (Status.SATISFIED, Status.FAILED):
            cond = condition(inst.expr, outcome)
            if cond is FALSE:
                continue
            rid = f"test.{inst.key}.{outcome.value}"
            fact = {"t": TEST, "k": inst.key, "v": outcome.value}
            add(rid, [{"m": _on_scenario(cond)}], PRI_TEST,
                Action(rid, inst.test.source, "test", inst.key, outcome.value, fact))
        rid = f"test.{inst.key}.unknown"
        add(rid, [{"m_0": {"t": END}}, {"m_1$not": {"$and": [{"t": TEST}, {"k": inst.key}]}}],
            PRI_UNKNOWN, Action(rid, inst.test.source, "unknown", inst.key, "unknown"))

    for ri in net.routes.values():
        rid = f"route.{ri.key}.satisfied"
        when = [{f"m_{i}": {"$and": [{"t": TEST}, {"k": t.key}, {"v": "satisfied"}]}}
                for i, t in enumerate(ri.tests)]
        add(rid, when, PRI_ROUTE, Action(rid, ri.route.source, "route", ri.key, "satisfied",
                                         {"t": ROUTE, "k": ri.key, "v": "satisfied"}))
        for t in ri.tests:
            rid = f"route.{ri.key}.failed_by.{t.test.id}"
            add(rid, [{"m_0": {"$and": [{"t": TEST}, {"k": t.key}, {"v": "failed"}]}},
                      {"m_1$not": {"$and": [{"t": ROUTE}, {"k": ri.key}, {"v": "failed"}]}}],
                PRI_ROUTE,
                Action(rid, t.test.source, "route", ri.key, "failed",
                       {"t": ROUTE, "k": ri.key, "v": "failed"}))

    for d_id, plan in net.doctrines.items():
        src = plan.doctrine.quote["source"]
        for ri in plan.routes:
            rid = f"{d_id}.justified.{ri.route.id}"
            add(rid, [{"m": {"$and": [{"t": ROUTE}, {"k": ri.key}, {"v": "satisfied"}]}}],
                PRI_DOCTRINE, Action(rid, ri.route.source, "verdict", d_id, "justified",
                                     {"t": VERDICT, "d": d_id, "v": "justified"}))
        rid = f"{d_id}.not_justified"
        when = [{f"m_{i}": {"$and": [{"t": ROUTE}, {"k": ri.key}, {"v": "failed"}]}}
                for i, ri in enumerate(plan.routes)]
        add(rid, when, PRI_DOCTRINE, Action(rid, src, "verdict", d_id, "not_justified",
                                            {"t": VERDICT, "d": d_id, "v": "not_justified"}))
        rid = f"{d_id}.indeterminate"
        add(rid, [{"m_0": {"t": END}}, {"m_1$not": {"$and": [{"t": VERDICT}, {"d": d_id}]}}],
            PRI_INDETERMINATE, Action(rid, src, "indeterminate", d_id, "indeterminate"))

    for cp in net.classes:
        cond = condition(cp.expr, Status.SATISFIED)
        if cond is FALSE:
            continue
        rid = f"classification.{cp.cls.id}"
        add(rid, [{"m": _on_scenario(cond)}], PRI_TEST,
            Action(rid, cp.cls.source, "class", cp.cls.id))

    add("evaluation.complete", [{"m": {"t": END}}], PRI_COMPLETE,
        Action("evaluation.complete", "un-charter-2-4", "complete", "end"))


__all__ = [
    "Action",
    "ClassPlan",
    "DoctrinePlan",
    "Network",
    "RouteInstance",
    "TestInstance",
    "build",
    "doctrine_verdict",
    "route_status",
]
