"""Which fact would change the answer: single-fact counterfactuals, doctrine by doctrine.

The N = 1 case of `engine.analysis.minimal.minimal_changes`: for each doctrine and each
verdict it does not give, every fact whose change alone would give it, with the nearest
such value (enum values, true/false, and for numbers the nearest value of each interval
between the thresholds the rules compare it with). It runs on the compiled tests' tables,
so a full sweep costs milliseconds rather than hundreds of evaluations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.evaluate import check_doctrines, network_for, to_scenario
from engine.law.definitions import load
from engine.law.parameters import resolve
from engine.law.scenario import Scenario
from engine.reasoning.logic import FactCells, Status, atoms, status
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


def candidates(net: Network) -> dict[str, list[Any]]:
    """For each fact the rules read, the values they can tell apart (cached per network)."""
    cached: dict[str, list[Any]] | None = net.explain_cache.get("candidates")
    if cached is not None:
        return cached
    cells: dict[str, list[FactCells]] = {}
    for inst in net.tests.values():
        for atom in atoms(inst.expr):
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
    """Per doctrine, the single-fact changes that would change its verdict: the N = 1 case
    of `engine.analysis.minimal.minimal_changes`, one per fact and resulting verdict, the
    nearest value (a fact is not made unknown here)."""
    from .analysis.minimal import minimal_changes

    law = load()
    sc = to_scenario(scenario)
    params = resolve(parameters, law)
    wanted = check_doctrines(doctrines, law)
    base = _verdicts(network_for(params), {k: status(t.expr, sc.facts())
                                           for k, t in network_for(params).tests.items()})
    order = {f: i for i, f in enumerate(sc.facts())}
    out: dict[str, list[Change]] = {}
    for d in wanted:
        found = []
        for to in ("justified", "not_justified", "indeterminate"):
            if to == base[d][0]:
                continue
            for sol in minimal_changes(scenario, d, to, max_changes=1, parameters=params,
                                       unknown=False, verify=False):
                (c,) = sol.changes
                found.append(Change(c.fact, c.was, c.to, sol.verdict, sol.route))
        out[d] = sorted(found, key=lambda c: (order.get(c.fact, 0), c.verdict))
    return out


def as_json(found: Mapping[str, list[Change]]) -> dict[str, list[dict[str, Any]]]:
    """The changes as plain data (the `what_if` key of the CLI's and the API's JSON)."""
    return {d: [{"fact": c.fact, "was": c.was, "value": c.value, "verdict": c.verdict,
                 "route": c.route} for c in cs] for d, cs in found.items()}


__all__ = ["Change", "as_json", "candidate_values", "candidates", "changes"]
