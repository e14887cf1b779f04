"""OpenAPI examples taken from the scenario library (scenarios/*.yaml), not invented."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine import evaluate
from engine.loader import LibraryEntry, library

EXAMPLE_IDS = ("caroline-1837", "six-day-war-1967", "osirak-1981", "soleimani-2020",
               "fuelled-missiles-hypothetical")


def _entries() -> list[LibraryEntry]:
    by_id = {e.id: e for e in library()}
    return [by_id[i] for i in EXAMPLE_IDS if i in by_id] or list(library()[:3])


def scenario_facts(entry: LibraryEntry) -> dict[str, Any]:
    """The scenario as a client would send it: known facts only, no narrative."""
    data = entry.scenario.model_dump(mode="json", exclude_none=True,
                                     exclude={"summary", "sources"})
    return {k: v for k, v in data.items() if v != {}}


@lru_cache(maxsize=1)
def evaluate_examples() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for e in _entries():
        out[e.id] = {"summary": e.scenario.title or e.id,
                     "value": {"scenario": scenario_facts(e), "explain": False}}
    fuelled = next((e for e in _entries() if e.id == "fuelled-missiles-hypothetical"), None)
    if fuelled is not None:
        out["fuelled-missiles-6-hour-caroline"] = {
            "summary": "A 6-hour reading of Caroline, Caroline doctrine only",
            "value": {"scenario": scenario_facts(fuelled),
                      "parameters": {"caroline_max_hours": 6}, "doctrines": ["caroline"],
                      "explain": True}}
    return out


@lru_cache(maxsize=1)
def evaluation_example() -> dict[str, Any]:
    e = _entries()[0]
    ev = evaluate(e.scenario, doctrines=["caroline", "nss_2002"], explain=False, engine="fast")
    return ev.model_dump(mode="json")


@lru_cache(maxsize=1)
def batch_example() -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"scenario": scenario_facts(e), "explain": False}
                                   for e in _entries()[:2]]
    items.append({"scenario": {"threat": {"probability": 1.5}}})
    return {"items": items}


def ndjson_example() -> str:
    import json

    return "\n".join(json.dumps(i) for i in batch_example()["items"]) + "\n"


__all__ = ["batch_example", "evaluate_examples", "evaluation_example", "ndjson_example",
           "scenario_facts"]
