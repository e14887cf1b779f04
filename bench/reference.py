"""The plain-Python baseline of the benchmarks (issue 12): a reference evaluator.

It reads the scenario through pydantic's model_dump, the same compiled network
(engine.reasoning.network.build, once per parameter set) and evaluates each test with
the recursive Kleene interpreter
(engine.reasoning.logic.status), then follows DOCTRINES §4–§5 in plain Python to a result
of plain dicts: classification, and per doctrine verdict, route, score, score_max, the
status and facts of every test, decisive tests, missing facts and widening. No pydantic
models, no caches beyond the network, no tables, no numpy: what a straightforward Python
implementation of the contract costs, so that each engine's speed is a ratio to it
measured in the same run. It is deliberately independent of engine/evaluate.py, whose
fast path it is compared with (the benchmark checks both give the same answers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from engine.law.definitions import load
from engine.law.parameters import resolve
from engine.law.scenario import GROUPS, Scenario
from engine.reasoning.logic import Status, status
from engine.reasoning.network import Network, build

_GROUPS = set(GROUPS)


class Reference:
    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self.params = resolve(overrides)
        self.net: Network = build(load(), self.params)

    def evaluate(self, scenario: Scenario) -> dict[str, Any]:
        net = self.net
        doc = scenario.model_dump(include=_GROUPS)  # its own reading of the scenario
        facts = {f"{g}.{k}": v for g, group in doc.items() for k, v in group.items()}
        tests = {k: status(t.expr, facts).value for k, t in net.tests.items()}
        reported = status(net.weighing.expr, facts).value
        classification = next(c.cls.id for c in net.classes
                              if status(c.expr, facts) is Status.SATISFIED)
        doctrines = {}
        for d_id, plan in net.doctrines.items():
            per_route = [[tests[t.key] for t in r.tests] for r in plan.routes]
            route_st = ["failed" if "failed" in s else "unknown" if "unknown" in s
                        else "satisfied" for s in per_route]
            if "satisfied" in route_st:
                verdict, best = "justified", route_st.index("satisfied")
            else:
                verdict = ("not_justified" if all(s == "failed" for s in route_st)
                           else "indeterminate")
                counts = [s.count("satisfied") for s in per_route]
                tied = [i for i, c in enumerate(counts) if c == max(counts)]
                best = next((i for i in tied if classification in plan.routes[i].route.fits),
                            tied[0])
            chosen, st = plan.routes[best], per_route[best]
            n, k, u = len(st), st.count("satisfied"), st.count("unknown")
            score = math.floor(100 * k / n + 0.5)
            score_max = math.floor(100 * (k + u) / n + 0.5)
            if chosen.route.self_defence:
                p = self.params["unreported_penalty"]
                if reported == "failed":
                    score = max(0, math.floor(score - p + 0.5))
                    score_max = max(0, math.floor(score_max - p + 0.5))
                elif reported == "unknown":
                    score = max(0, math.floor(score - p + 0.5))
            decisive: list[str] = []
            missing: list[str] = []
            if verdict == "not_justified":
                decisive = [t.test.id for t, s in zip(chosen.tests, st, strict=True)
                            if s == "failed"]
            elif verdict == "indeterminate":
                for r, rs in zip(plan.routes, per_route, strict=True):
                    if "failed" not in rs:
                        for t, s in zip(r.tests, rs, strict=True):
                            if s == "unknown":
                                decisive.append(t.test.id)
                                missing += [f for f in t.facts if facts.get(f) is None]
            widening: list[str] = []
            if verdict == "justified" and chosen.route.widens:
                for r, rs in zip(plan.routes, per_route, strict=True):
                    if r.route.id == chosen.route.widens:
                        widening = [t.test.id for t, s in zip(r.tests, rs, strict=True)
                                    if s == "failed" and t.test.id not in chosen.route.tests]
            doctrines[d_id] = {
                "name": plan.doctrine.name, "verdict": verdict, "route": chosen.route.id,
                "score": score, "score_max": score_max,
                "tests": [{"test": t.test.id, "route": r.route.id, "status": tests[t.key],
                           "facts": {f: facts.get(f) for f in t.facts},
                           "source": t.test.source}
                          for r in plan.routes for t in r.tests],
                "reported": {"test": net.weighing.test.id, "status": reported},
                "decisive": list(dict.fromkeys(decisive)),
                "missing_facts": list(dict.fromkeys(missing)), "widening": widening}
        return {"scenario_id": scenario.id, "classification": classification,
                "parameters": self.params, "doctrines": doctrines}


__all__ = ["Reference"]
