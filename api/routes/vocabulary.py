"""The vocabulary of the law, read from rules/: the facts, the verdicts and the classes.

    GET /v1/facts        every fact, grouped: kind, values or bounds, meaning, unit, source
    GET /v1/vocabulary   the verdicts, test statuses and classes of force, with labels
    GET /v1/windows      each doctrine's imminence windows (the parameters bounding time)

The web page builds its form and its glossary from /v1/facts, and its labels from
/v1/vocabulary, so that no list of the law is copied into the page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from engine.law import conditions
from engine.law.definitions import load

router = APIRouter(prefix="/v1", tags=["law"])


@router.get("/facts", summary="The fact vocabulary (DOCTRINES §2), grouped, with meanings")
def facts() -> dict[str, Any]:
    """Every legal fact: its group, kind (enum, bool, number, text) and allowed values or
    bounds, its meaning in plain words, its unit and the source that defines it (if one
    does), and for enumerations what each value means. Absent or null is unknown. The web
    page builds its form and its glossary from this."""
    law = load()
    groups: dict[str, list[dict[str, Any]]] = {}
    for name, fd in law.facts_stated().items():
        info: dict[str, Any] = {**fd.catalogue(), "name": name, "label": fd.label,
                                "meaning": fd.meaning, "unit": fd.unit, "source": fd.source}
        scale = law.scale_of.get(name)
        if scale:
            info["scale"] = scale
        if fd.value_meanings:
            info["value_meanings"] = fd.value_meanings
        if fd.kind == "bool":
            info["if_true"], info["if_false"] = fd.if_true, fd.if_false
        if fd.default is not None:
            info["default"] = {"value": fd.default.value,
                               "when": _default_words(fd.default.when)}
        groups.setdefault(fd.group, []).append(info)
    return {"groups": [{"group": g, "facts": items} for g, items in groups.items()],
            "wmd": list(law.wmd)}


def _default_words(node: conditions.Node) -> str:
    law = load()
    if isinstance(node, conditions.FactKnown):
        return f"{law.fact_defs[node.fact].label} is stated"
    return str(node)  # pragma: no cover - no other default rule in rules/


@router.get("/vocabulary", summary="Verdicts, test statuses and classes of force, with labels")
def vocabulary() -> dict[str, Any]:
    """The closed lists of the law, each with its label and meaning (rules/verdicts.yaml,
    rules/classification.yaml): what a doctrine can conclude, what a test can yield, and
    the classes of force (first match wins, in this order)."""
    law = load()
    return {
        "verdicts": [{"id": v.id, "label": v.label, "meaning": v.meaning} for v in law.verdicts],
        "statuses": [{"id": s.id, "label": s.label, "meaning": s.meaning} for s in law.statuses],
        "classes": [{"id": c.id, "label": c.label, "meaning": c.meaning, "source": c.source}
                    for c in law.classes],
    }


@router.get("/windows", summary="Each doctrine's imminence windows, read from rules/")
def windows() -> dict[str, Any]:
    """For each doctrine, its routes that answer a threat (not an attack) and the hours
    parameter that bounds each (`null`: the route has no time limit). The values of the
    parameters are in every evaluation (`parameters`), so a page can draw the windows
    for the reading in force."""
    law = load()
    out: dict[str, Any] = {}
    for d in law.doctrines.values():
        routes = []
        for r_id in d.routes:
            route = law.routes[r_id]
            conds = [law.tests[t].condition for t in route.tests]
            if not any(f.startswith("threat.") for c in conds for f in c.facts()):
                continue
            limits = [b.name for c in conds for op, b in c.bounds("threat.hours_until")
                      if op == "at_most" and isinstance(b, conditions.ParameterRef)]
            routes.append({"route": r_id, "title": route.title,
                           "parameter": limits[0] if limits else None})
        out[d.id] = {"name": d.name, "routes": routes}
    return {"doctrines": out}
