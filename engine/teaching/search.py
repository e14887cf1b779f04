"""What-if answer keys: a few fact changes after which a doctrine reaches a goal, found by
asking the engine repeatedly. No law here, only facts, values and statuses; the values
worth trying are `engine.whatif.candidate_values` (the values the rules can tell apart),
the one generator the evaluation's what-if uses too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.evaluate import evaluate, network_for
from engine.law.parameters import resolve
from engine.law.scenario import Scenario
from engine.result import DoctrineResult
from engine.whatif import candidate_values


def set_fact(sc: Scenario, fact: str, value: Any) -> Scenario:
    group, name = fact.split(".", 1)
    model = getattr(sc, group)
    return sc.model_copy(update={group: model.model_copy(update={name: value})})


def progress(d: DoctrineResult, goal: str) -> list[tuple[int, int]]:
    """How far a doctrine result is from the goal (smaller is nearer): to justify, the
    routes' (failed, unknown) counts, nearest route first; to reject, the routes not yet
    failed and their open tests."""
    routes: dict[str, list[str]] = {}
    for t in d.tests:
        if t.route is not None:
            routes.setdefault(t.route, []).append(t.status)
    if goal == "justified":
        return sorted((s.count("failed"), s.count("unknown")) for s in routes.values())
    open_routes = [s for s in routes.values() if "failed" not in s]
    return [(len(open_routes), sum(s.count("unknown") for s in open_routes))]


def find_changes(scenario: Scenario, parameters: Mapping[str, Any], doctrine: str,
                 goal: str, max_changes: int, beam: int = 12,
                 keep: Iterable[str] = ()) -> dict[str, Any] | None:
    """A set of at most `max_changes` fact changes after which the engine gives `goal` for
    `doctrine`, found by a beam search over single-fact changes; None if none was found.

    Each step tries every value the rules tell apart for every fact the doctrine's tests
    read (and unknown), keeping the changes that bring the doctrine's routes nearest the
    goal. Exhaustive for one change.
    """
    params = dict(parameters)
    net = network_for(resolve(params))
    base = evaluate(scenario, params, [doctrine])
    read = list(dict.fromkeys(f for t in base.doctrines[doctrine].tests for f in t.facts))
    kept = set(keep)
    stated = scenario.facts()
    candidates = [(f, v) for f in read if f not in kept
                  for v in candidate_values(net, f, stated.get(f)) if f in stated]
    frontier: list[tuple[dict[str, Any], Scenario]] = [({}, scenario)]
    seen: set[str] = set()
    for _depth in range(max_changes):
        scored: list[tuple[list[tuple[int, int]], int, dict[str, Any], Scenario]] = []
        for changes, sc in frontier:
            for fact, value in candidates:
                if fact in changes or sc.facts().get(fact) == value:
                    continue
                trial = {**changes, fact: value}
                key = repr(sorted(trial.items()))
                if key in seen:
                    continue
                seen.add(key)
                new = set_fact(sc, fact, value)
                d = evaluate(new, params, [doctrine], engine="fast", explain=False)
                result = d.doctrines[doctrine]
                if result.verdict == goal:
                    return trial
                scored.append((progress(result, goal), len(scored), trial, new))
        scored.sort(key=lambda x: (x[0], x[1]))
        frontier = [(c, s) for _, _, c, s in scored[:beam]]
        if not frontier:
            break
    return None


__all__ = ["find_changes", "progress", "set_fact"]
