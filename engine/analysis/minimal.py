"""The least that would have to change: minimal sets of fact changes, and what to find out.

`minimal_changes(scenario, doctrine, to)` finds every set of fact changes with the fewest
facts (up to `max_changes`) that gives the doctrine the target verdict (`justified`,
`not_justified`, `indeterminate`, or `decided`: either of the first two); each set with the
nearest values (the smallest distance on ordinal scales and numbers), re-verified on
durable-rules. A change may set a fact to any of its cells (a number: the value of that
cell nearest the current one) or to unknown (`to: None`).

The search is exact: for each candidate set of k facts it evaluates every combination of
their options at once, from the compiled tests' tables (engine/analysis/space.py), for
k = 1, 2, ... until a set works. A set is tried only if it touches every test that must
change (a route to satisfy needs all its unsatisfied tests touched; a doctrine to reject
needs one test touched in every route not yet failed).

`to_find_out(...)`, for an indeterminate doctrine: the smallest sets of unknown facts whose
values can decide it, with the values that justify and those that reject.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..errors import EngineError, ErrorItem, InvalidInput
from ..evaluate import check_doctrines, evaluate, network_for, to_scenario
from ..law.definitions import load
from ..law.parameters import resolve
from ..law.scenario import Scenario
from ..reasoning.network import Network
from .space import FAILED, SATISFIED, Space

Target = Literal["justified", "not_justified", "indeterminate", "decided"]
TARGETS = ("justified", "not_justified", "indeterminate", "decided")

_SPACES: dict[int, tuple[Network, Space]] = {}


def space_for(net: Network) -> Space:
    """The space of one network (cached with it)."""
    hit = _SPACES.get(id(net))
    if hit is None or hit[0] is not net:
        if len(_SPACES) > 16:
            _SPACES.clear()
        hit = _SPACES[id(net)] = (net, Space([net]))
    return hit[1]


@dataclass(frozen=True)
class FactChange:
    fact: str
    was: Any  # None: unknown
    to: Any  # None: unknown

    def as_json(self) -> dict[str, Any]:
        return {"fact": self.fact, "from": self.was, "to": self.to}


@dataclass
class Solution:
    changes: tuple[FactChange, ...]
    distance: float
    verdict: str
    route: str | None  # the route that justifies it, if it is justified

    def as_json(self) -> dict[str, Any]:
        return {"changes": [c.as_json() for c in self.changes], "distance": self.distance,
                "verdict": self.verdict, "route": self.route}


@dataclass
class FindOut:
    facts: tuple[str, ...]
    justify: list[dict[str, Any]] = field(default_factory=list)
    reject: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"facts": list(self.facts), "justify": self.justify, "reject": self.reject}


@dataclass
class _Problem:
    """One doctrine of one scenario, ready for the vectorised search."""

    space: Space
    net: Network
    doctrine: str
    tests: list[tuple[tuple[str, ...], np.ndarray[Any, Any]]]
    routes: list[list[int]]  # per route: indices into tests
    route_ids: list[str]
    current: dict[str, int]
    values: dict[str, Any]  # the stated (raw) value of each fact of the space
    facts: list[str]  # the facts the doctrine's tests read
    base: list[int]  # each test's current status

    def statuses(self, subset: Sequence[str]) -> list[Any]:
        """Each test's status for every combination of options of `subset` (broadcast)."""
        k = len(subset)
        out: list[Any] = []
        for (facts, table), st in zip(self.tests, self.base, strict=True):
            hit = [f for f in facts if f in subset]
            if not hit:
                out.append(st)
                continue
            idx = tuple(slice(None) if f in subset else self.current[f] for f in facts)
            arr = table[idx]
            order = [subset.index(f) for f in facts if f in subset]
            arr = np.transpose(arr, np.argsort(order))
            shape = [1] * k
            for f in facts:
                if f in subset:
                    shape[subset.index(f)] = self.space.axes[f].size
            out.append(arr.reshape(shape))
        return out

    def verdict_masks(self, subset: Sequence[str]) -> tuple[Any, Any]:
        st = self.statuses(subset)
        routes = []
        for r in self.routes:
            acc: Any = SATISFIED
            for i in r:
                acc = np.minimum(acc, st[i])
            routes.append(acc)
        justified: Any = False
        all_failed: Any = True
        for r_st in routes:
            justified = np.logical_or(justified, np.equal(r_st, SATISFIED))
            all_failed = np.logical_and(all_failed, np.equal(r_st, FAILED))
        return justified, all_failed

    def verdict_of(self, options: Mapping[str, int]) -> tuple[str, str | None]:
        cur = dict(self.current, **options)
        st = [int(table[tuple(cur[f] for f in facts)]) for facts, table in self.tests]
        routes = [min([SATISFIED, *(st[i] for i in r)]) for r in self.routes]
        if SATISFIED in routes:
            return "justified", self.route_ids[routes.index(SATISFIED)]
        if all(r == FAILED for r in routes):
            return "not_justified", None
        return "indeterminate", None


def _raw_values(data: Scenario | Mapping[str, Any], sc: Scenario, space: Space) -> dict[str, Any]:
    facts = sc.facts()
    raw = {f: facts.get(f) for f in space.axes}
    if isinstance(data, Mapping):
        for f in space.fillers:
            group, name = f.split(".", 1)
            raw[f] = (data.get(group) or {}).get(name)
    for text, _ in space.fillers.values():
        group, name = text.split(".", 1)
        raw[text] = getattr(getattr(sc, group), name)
    return raw


def _problem(data: Scenario | Mapping[str, Any], doctrine: str, net: Network) -> _Problem:
    sc = to_scenario(data, ("scenario",) if not isinstance(data, Scenario) else ())
    space = space_for(net)
    raw = _raw_values(data, sc, space)
    current = {f: space.axes[f].option_of(raw[f]) for f in space.axes}
    plan = net.doctrines[doctrine]
    index: dict[str, int] = {}
    tests: list[tuple[tuple[str, ...], np.ndarray[Any, Any]]] = []
    routes: list[list[int]] = []
    for ri in plan.routes:
        mine = []
        for inst in ri.tests:
            if inst.key not in index:
                index[inst.key] = len(tests)
                tests.append(space.table(inst.expr))
            mine.append(index[inst.key])
        routes.append(mine)
    facts = list(dict.fromkeys(f for fs, _ in tests for f in fs))
    base = [int(t[tuple(current[f] for f in fs)]) for fs, t in tests]
    return _Problem(space, net, doctrine, tests, routes, [r.route.id for r in plan.routes],
                    current, raw, facts, base)


def _viable(p: _Problem, subset: set[str], to: str) -> bool:
    """Cheap necessary condition: the changed facts touch every test that must change."""
    touches = [bool(subset & set(facts)) for facts, _ in p.tests]
    route_st = [min([SATISFIED, *(p.base[i] for i in r)]) for r in p.routes]

    def can_justify() -> bool:
        return any(all(touches[i] for i in r if p.base[i] != SATISFIED) for r in p.routes)

    def can_reject() -> bool:
        return all(s == FAILED or any(touches[i] for i in r)
                   for r, s in zip(p.routes, route_st, strict=True))

    if to == "justified":
        return can_justify()
    if to == "not_justified":
        return can_reject()
    if to == "decided":
        return can_justify() or can_reject()
    return any(touches[i] for r in p.routes for i in r)


def _target_mask(p: _Problem, subset: list[str], to: str) -> Any:
    justified, rejected = p.verdict_masks(subset)
    if to == "justified":
        return justified
    if to == "not_justified":
        return rejected
    if to == "decided":
        return np.logical_or(justified, rejected)
    return np.logical_not(np.logical_or(justified, rejected))


def _check_fact_names(names: Iterable[str], loc: str) -> list[str]:
    known = set(load().facts)
    names = list(names)
    bad = [n for n in names if n not in known]
    if bad:
        raise InvalidInput([ErrorItem((loc, n), f"unknown fact '{n}'", "enum", sorted(known))
                            for n in bad])
    return names


def minimal_changes(scenario: Scenario | Mapping[str, Any], doctrine: str, to: str,
                    max_changes: int = 3, keep: Iterable[str] = (), only: Iterable[str] = (),
                    parameters: Mapping[str, Any] | None = None, *, unknown: bool = True,
                    verify: bool = True) -> list[Solution]:
    """Every set of fact changes with the fewest facts (<= max_changes) giving `doctrine`
    the verdict `to`, each with its nearest values, sorted by distance. Empty when the
    doctrine already has it or no such set exists. `keep`: facts that may not change;
    `only`: the facts that may (default: every fact the doctrine reads); `unknown`: a fact
    may become unknown. Each solution is re-verified on durable-rules unless verify=False.
    """
    law = load()
    to_scenario(scenario, ("scenario",) if not isinstance(scenario, Scenario) else ())
    if to not in TARGETS:
        raise InvalidInput([ErrorItem(("to",), f"unknown target {to!r}", "enum", list(TARGETS))])
    check_doctrines([doctrine], law, ("doctrine",))
    if isinstance(max_changes, bool) or not isinstance(max_changes, int) \
            or not 1 <= max_changes <= 6:
        raise InvalidInput([ErrorItem(("max_changes",), "must be a whole number from 1 to 6",
                                      "range_error", ["1..6"])])
    keep_s = set(_check_fact_names(keep, "keep"))
    only_s = set(_check_fact_names(only, "only"))
    params = resolve(parameters, law)
    net = network_for(params)
    p = _problem(scenario, doctrine, net)
    verdict_now = p.verdict_of({})[0]
    if verdict_now == to or (to == "decided" and verdict_now != "indeterminate"):
        return []
    candidates = [f for f in p.facts if f not in keep_s and (not only_s or f in only_s)]
    for k in range(1, max_changes + 1):
        found: list[Solution] = []
        for subset in itertools.combinations(candidates, k):
            if not _viable(p, set(subset), to):
                continue
            found.extend(_solve(p, list(subset), to, unknown))
        if found:
            found.sort(key=lambda s: (s.distance, [c.fact for c in s.changes]))
            if verify:
                for s in found:
                    _verify(scenario, s, doctrine, params, to)
            return found
    return []


def _solve(p: _Problem, subset: list[str], to: str, unknown: bool) -> list[Solution]:
    mask = np.array(_target_mask(p, subset, to), dtype=bool)
    mask = np.broadcast_to(mask, tuple(p.space.axes[f].size for f in subset)).copy()
    for axis, f in enumerate(subset):  # every fact in the set changes
        sl: list[Any] = [slice(None)] * len(subset)
        sl[axis] = p.current[f]
        mask[tuple(sl)] = False
        if not unknown:
            sl[axis] = 0
            mask[tuple(sl)] = False
    hits = np.argwhere(mask)
    if len(hits) == 0:
        return []
    best: tuple[float, tuple[int, ...]] | None = None
    for hit in hits:
        d = sum(p.space.axes[f].distance(p.current[f], int(o), p.values.get(f))
                for f, o in zip(subset, hit, strict=True))
        if best is None or d < best[0]:
            best = (d, tuple(int(o) for o in hit))
    assert best is not None
    d, opts = best
    changes = tuple(FactChange(f, p.values.get(f), p.space.axes[f].value(o, p.values.get(f)))
                    for f, o in zip(subset, opts, strict=True))
    verdict, route = p.verdict_of(dict(zip(subset, opts, strict=True)))
    return [Solution(changes, round(d, 6), verdict, route)]


def apply(scenario: Scenario | Mapping[str, Any], changes: Iterable[FactChange]
          ) -> dict[str, Any]:
    """The scenario document with these changes made (None: the fact becomes unknown)."""
    if isinstance(scenario, Scenario):
        doc = scenario.model_dump(mode="json", exclude_none=True)
    else:
        doc = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in scenario.items()}
    for c in changes:
        group, name = c.fact.split(".", 1)
        part = dict(doc.get(group) or {})
        if c.to is None:
            part.pop(name, None)
        else:
            part[name] = c.to
        doc[group] = part
    return doc


def _verify(scenario: Scenario | Mapping[str, Any], s: Solution, doctrine: str,
            params: Mapping[str, Any], to: str) -> None:
    got = evaluate(apply(scenario, s.changes), params, [doctrine]).doctrines[doctrine].verdict
    ok = got == to or (to == "decided" and got != "indeterminate")
    if not ok or got != s.verdict:
        raise EngineError(f"whatif: {[c.as_json() for c in s.changes]} gives {got} on "
                          f"durable-rules, not {to}")


def to_find_out(scenario: Scenario | Mapping[str, Any], doctrine: str, max_facts: int = 3,
                parameters: Mapping[str, Any] | None = None, limit: int = 12) -> list[FindOut]:
    """For an indeterminate doctrine: the smallest sets of unknown facts whose values can
    decide it, with (up to `limit` of) the value combinations that justify and reject."""
    params = resolve(parameters)
    net = network_for(params)
    p = _problem(scenario, doctrine, net)
    if p.verdict_of({})[0] != "indeterminate":
        return []
    unknown_facts = [f for f in p.facts if p.current[f] == 0]
    for k in range(1, max_facts + 1):
        out: list[FindOut] = []
        for subset in itertools.combinations(unknown_facts, k):
            sub = list(subset)
            if not _viable(p, set(sub), "decided"):
                continue
            justified, rejected = p.verdict_masks(sub)
            shape = tuple(p.space.axes[f].size for f in sub)
            known = np.ones(shape, dtype=bool)
            for axis in range(k):
                sl: list[Any] = [slice(None)] * k
                sl[axis] = 0
                known[tuple(sl)] = False
            j = np.broadcast_to(np.asarray(justified, dtype=bool), shape) & known
            r = np.broadcast_to(np.asarray(rejected, dtype=bool), shape) & known
            if not (j.any() or r.any()):
                continue
            item = FindOut(tuple(sub))
            for mask, into in ((j, item.justify), (r, item.reject)):
                for hit in np.argwhere(mask)[:limit]:
                    into.append({f: p.space.axes[f].value(int(o)) for f, o in
                                 zip(sub, hit, strict=True)})
            out.append(item)
        if out:
            return out
    return []


__all__ = ["TARGETS", "FactChange", "FindOut", "Solution", "apply", "minimal_changes",
           "space_for", "to_find_out"]
