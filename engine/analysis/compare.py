"""Where two doctrines, or one doctrine under two readings, differ: exactly, over every
scenario of the space (engine/analysis/space.py).

`compare(a, b)` splits the scenarios where the verdicts differ by the pair of verdicts,
and each pair into a short list of disjoint *regions*. A region is a box over the statuses
of the two doctrines' routes (the routes of rules/routes.yaml, with the tests they join):
a scenario lies in it when each named route has one of the listed statuses. A decision
tree over the exact table of realizable route-status vectors builds them, so that the
regions of a pair cover exactly the scenarios with that pair: a scenario's verdicts
differ exactly when it lies in one of the regions. Each region carries its share, a
sentence, and an example scenario with the fewest stated facts, re-checked on
durable-rules.

Shares count every combination of fact cells with equal weight, each fact independently,
unknown included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EngineError
from ..evaluate import check_doctrines, evaluate, network_for
from ..law.definitions import load
from ..law.parameters import resolve
from .space import STATUS_NAMES, Analysis, Subject

SHARE_NOTE = ("shares count every combination of fact cells with equal weight, each fact "
              "independently, unknown included")


@dataclass
class Side:
    doctrine: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class Region:
    constraints: dict[int, frozenset[int]]  # route var -> allowed statuses
    rows: np.ndarray[Any, Any]


def _tree(vectors: np.ndarray[Any, Any], labels: np.ndarray[Any, Any],
          rows: np.ndarray[Any, Any], constraints: dict[int, frozenset[int]],
          out: list[tuple[Any, Region]]) -> None:
    """Split rows until each leaf has one label; leaves are disjoint boxes."""
    here = labels[rows]
    if len(set(here.tolist())) == 1:
        out.append((here[0], Region(dict(constraints), rows)))
        return
    best: tuple[int, int, dict[int, np.ndarray[Any, Any]]] | None = None
    for r in range(vectors.shape[1]):
        col = vectors[rows, r]
        values = sorted(set(col.tolist()))
        if len(values) < 2:
            continue
        groups = {v: rows[col == v] for v in values}
        score = sum(len(set(labels[g].tolist())) for g in groups.values())
        if best is None or score < best[0]:
            best = (score, r, groups)
    assert best is not None, "rows with equal route vectors have equal verdicts"
    _, r, groups = best
    # values that lead to the same single label share a child; values no row has never
    # occur there (the table holds every realizable vector), so no child needs them
    children: list[tuple[frozenset[int], np.ndarray[Any, Any]]] = []
    pure: dict[Any, list[int]] = {}
    for v, g in groups.items():
        ls = set(labels[g].tolist())
        if len(ls) == 1:
            pure.setdefault(next(iter(ls)), []).append(v)
        else:
            children.append((frozenset({v}), g))
    for values in pure.values():
        children.append((frozenset(values), np.concatenate([groups[v] for v in values])))
    for allowed, g in children:
        _tree(vectors, labels, np.sort(g), {**constraints, r: allowed}, out)


def compare(a: Side, b: Side, *, fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The exact divergence of two doctrines or readings (see the module docstring).
    `fixed`: facts held at a value (None: unknown); the shares are then over the
    combinations of the other facts."""
    law = load()
    check_doctrines([a.doctrine], law, ("a", "doctrine"))
    check_doctrines([b.doctrine], law, ("b", "doctrine"))
    pa = resolve(a.parameters, law, ("a", "parameters"))
    pb = resolve(b.parameters, law, ("b", "parameters"))
    na, nb = network_for(pa), network_for(pb)
    same_reading = pa == pb
    analysis = Analysis([Subject(a.doctrine, na, "" if same_reading else "a"),
                         Subject(b.doctrine, nb, "" if same_reading else "b")], fixed)
    va, vb = analysis.verdicts[:, 0], analysis.verdicts[:, 1]
    labels = np.array([f"{x}|{y}" for x, y in zip(va, vb, strict=True)], dtype=object)
    leaves: list[tuple[Any, Region]] = []
    _tree(analysis.vectors, labels, np.arange(len(labels)), {}, leaves)
    total = analysis.total
    pairs: dict[str, dict[str, Any]] = {}
    differ = 0
    for label, region in leaves:
        x, y = str(label).split("|")
        if x == y:
            continue
        count = int(sum(analysis.counts[region.rows]))
        differ += count
        pair = pairs.setdefault(label, {"a": x, "b": y, "count": 0, "regions": []})
        pair["count"] += count
        row = int(region.rows[np.argmin(analysis.costs[region.rows])])
        example = analysis.scenario(row)
        _check(example, a, pa, b, pb, x, y)
        pair["regions"].append({
            "condition": _condition(analysis, region.constraints),
            "words": _words(analysis, region.constraints),
            "share": count / total, "count": count, "example": example,
            "stated_facts": int(analysis.costs[row]),
        })
    out_pairs = []
    for pair in sorted(pairs.values(), key=lambda p: -p["count"]):
        pair["share"] = pair["count"] / total
        pair["regions"].sort(key=lambda r: -r["count"])
        out_pairs.append(pair)
    return {
        "a": {"doctrine": a.doctrine, "parameters": _overrides(pa)},
        "b": {"doctrine": b.doctrine, "parameters": _overrides(pb)},
        "share_differ": differ / total, "count_differ": differ, "total": total,
        "share_note": SHARE_NOTE, "pairs": out_pairs,
    }


def exact_disagreement(doctrines: list[str], parameters: Mapping[str, Any] | None = None
                       ) -> dict[tuple[str, str], float]:
    """For every pair of doctrines, the exact share of the space where their verdicts
    differ (one analysis of all of them; shares as in SHARE_NOTE)."""
    params = resolve(parameters)
    net = network_for(params)
    ids = check_doctrines(doctrines)
    analysis = Analysis([Subject(d, net) for d in ids])
    total = analysis.total
    out: dict[tuple[str, str], float] = {}
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i < j:
                differ = analysis.verdicts[:, i] != analysis.verdicts[:, j]
                out[(a, b)] = out[(b, a)] = int(sum(analysis.counts[differ])) / total
    return out


def _overrides(params: Mapping[str, Any]) -> dict[str, Any]:
    defaults = resolve({})
    return {k: v for k, v in params.items() if defaults.get(k) != v}


def _check(doc: dict[str, Any], a: Side, pa: Mapping[str, Any], b: Side,
           pb: Mapping[str, Any], x: str, y: str) -> None:
    got_a = evaluate(doc, pa, [a.doctrine]).doctrines[a.doctrine].verdict
    got_b = evaluate(doc, pb, [b.doctrine]).doctrines[b.doctrine].verdict
    if (got_a, got_b) != (x, y):
        raise EngineError(f"compare: example {doc} gives {got_a}/{got_b} on durable-rules, "
                          f"not {x}/{y}")


def _clause(analysis: Analysis, r: int, statuses: frozenset[int]) -> dict[str, Any]:
    rv = analysis.routes[r]
    first = analysis.subjects[rv.subjects[0]]
    clause: dict[str, Any] = {"route": rv.route, "doctrine": first.doctrine}
    if first.label:
        clause["reading"] = first.label
    clause["status"] = [STATUS_NAMES[s] for s in sorted(statuses)]
    clause["tests"] = [analysis.test_info[t][0] for t in rv.tests]
    return clause


def _condition(analysis: Analysis, constraints: Mapping[int, frozenset[int]]) -> dict[str, Any]:
    parts = [_clause(analysis, r, s) for r, s in sorted(constraints.items())
             if s != frozenset(range(3))]
    return {"all": parts}


def _status_words(statuses: frozenset[int]) -> str:
    names = [STATUS_NAMES[s] for s in sorted(statuses)]
    if set(names) == {"failed", "unknown"}:
        return "not satisfied"
    if set(names) == {"satisfied", "unknown"}:
        return "not failed"
    return " or ".join(names)


def _words(analysis: Analysis, constraints: Mapping[int, frozenset[int]]) -> str:
    law = load()
    by_subject: dict[str, list[str]] = {}
    for r, s in sorted(constraints.items()):
        if s == frozenset(range(3)):
            continue
        rv = analysis.routes[r]
        route = law.routes[rv.route]
        whose = " and ".join(analysis.subject_name(i) for i in rv.subjects)
        by_subject.setdefault(whose, []).append(
            f"{route.code} ({route.title.lower()}) {_status_words(s)}")
    if not by_subject:
        return "every scenario"
    return "; ".join(f"{who}: {', '.join(items)}" for who, items in by_subject.items())


__all__ = ["SHARE_NOTE", "Side", "compare", "exact_disagreement"]
