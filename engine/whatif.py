"""Which fact would change the answer: single-fact counterfactuals, doctrine by doctrine.

For every stated or unknown fact, and every value the rules can tell apart for it (enum
values, true/false, and for numbers one value in each interval between the thresholds the
rules compare it with), the scenario is re-evaluated with that one fact changed; each change
that turns a doctrine's verdict is reported, the nearest such value per fact and outcome.

It runs on the fast path (the same compiled rules as durable-rules, differential-tested),
re-deciding only the tests that read the changed fact, so a full sweep costs a few
milliseconds rather than hundreds of evaluations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.evaluate import check_doctrines, network_for, to_scenario
from engine.law.definitions import load
from engine.law.parameters import resolve
from engine.law.scenario import Scenario
from engine.reasoning.logic import All, AnyOf, Atom, Expr, FactCells, Not, Status, status
from engine.reasoning.network import Network, doctrine_verdict, route_status


@dataclass(frozen=True)
class Change:
    fact: str
    was: Any  # None: unknown
    value: Any
    verdict: str  # the doctrine's verdict with this one change
    route: str | None  # the route that would justify it, if it would

    def describe(self) -> str:
        was = "unknown" if self.was is None else repr(self.was)
        return f"{self.fact}: {was} -> {self.value!r} gives {self.verdict}"


def _atoms(expr: Expr) -> Iterable[Atom]:
    if isinstance(expr, Atom):
        yield expr
    elif isinstance(expr, All | AnyOf):
        for p in expr.parts:
            yield from _atoms(p)
    elif isinstance(expr, Not):
        yield from _atoms(expr.part)


def candidates(net: Network) -> dict[str, list[Any]]:
    """For each fact the rules read, the values they can tell apart (cached per network)."""
    cached: dict[str, list[Any]] | None = net.explain_cache.get("candidates")
    if cached is not None:
        return cached
    cells: dict[str, list[FactCells]] = {}
    for inst in net.tests.values():
        for atom in _atoms(inst.expr):
            for fc in atom.cells:
                cells.setdefault(fc.fact, []).append(fc)
    out: dict[str, list[Any]] = {}
    for fact, fcs in cells.items():
        first = fcs[0]
        if first.kind == "number":
            values = {fc.representative(i) for fc in fcs for i in range(fc.real)}
            out[fact] = sorted(values)
        else:
            out[fact] = [first.values[i] for i in range(first.real)]
    net.explain_cache["candidates"] = out
    return out


def candidate_values(net: Network, fact: str, current: Any = None) -> list[Any]:
    """The values worth trying for one fact (the one generator what-if and the exercise
    grader share): those the rules can tell apart, from the compiled model's cells (enum
    values, true/false, one number in each interval between the thresholds the rules
    compare it with), nearest the stated value first, then unknown."""
    values = candidates(net).get(fact, [])
    here = current if isinstance(current, int | float) and not isinstance(current, bool) \
        else 0.0
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        values = sorted(values, key=lambda x: (abs(float(x) - here), x))
    return [*values, None]


def _verdicts(net: Network, tests: Mapping[str, Status]) -> dict[str, tuple[str, str | None]]:
    """Each doctrine's verdict, and the earliest route that justifies it, if one does."""
    out: dict[str, tuple[str, str | None]] = {}
    for d_id, plan in net.doctrines.items():
        routes = [route_status(tests[t.key].value for t in r.tests) for r in plan.routes]
        verdict = doctrine_verdict(routes)
        justifying = plan.routes[routes.index("satisfied")].route.id \
            if verdict == "justified" else None
        out[d_id] = (verdict, justifying)
    return out


def changes(scenario: Scenario | Mapping[str, Any], parameters: Mapping[str, Any] | None = None,
            doctrines: Iterable[str] | None = None) -> dict[str, list[Change]]:
    """Per doctrine, the single-fact changes that would change its verdict."""
    law = load()
    sc = to_scenario(scenario)
    net = network_for(resolve(parameters, law))
    wanted = check_doctrines(doctrines, law)
    facts = sc.facts()
    base_tests = {k: status(t.expr, facts) for k, t in net.tests.items()}
    base = _verdicts(net, base_tests)
    readers: dict[str, list[str]] = {}
    for key, inst in net.tests.items():
        for f in inst.facts:
            readers.setdefault(f, []).append(key)

    found: dict[str, dict[tuple[str, str], Change]] = {d: {} for d in wanted}
    for fact, values in candidates(net).items():
        current = facts.get(fact)

        def distance(v: Any, current: Any = current) -> float:
            if isinstance(v, int | float) and isinstance(current, int | float) \
                    and not isinstance(v, bool):
                return abs(float(v) - float(current))
            return 0.0

        for value in sorted(values, key=distance):
            if value == current and current is not None:
                continue
            changed = dict(facts, **{fact: value})
            tests = dict(base_tests)
            for key in readers.get(fact, []):
                tests[key] = status(net.tests[key].expr, changed)
            after = _verdicts(net, tests)
            for d in wanted:
                if after[d][0] != base[d][0]:
                    found[d].setdefault((fact, after[d][0]),
                                        Change(fact, current, value, after[d][0], after[d][1]))
    order = {f: i for i, f in enumerate(facts)}
    return {d: sorted(v.values(), key=lambda c: (order.get(c.fact, 0), c.verdict))
            for d, v in found.items()}


def as_json(found: Mapping[str, list[Change]]) -> dict[str, list[dict[str, Any]]]:
    """The changes as plain data (the `what_if` key of the CLI's and the API's JSON)."""
    return {d: [{"fact": c.fact, "was": c.was, "value": c.value, "verdict": c.verdict,
                 "route": c.route} for c in cs] for d, cs in found.items()}


__all__ = ["Change", "as_json", "candidate_values", "candidates", "changes"]
