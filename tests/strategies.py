"""Hypothesis strategies: scenarios over the whole fact vocabulary, unknowns included."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from engine.law.scenario import fact_catalogue

CATALOGUE = {k: v for k, v in fact_catalogue().items() if v["kind"] != "text"}

# Numbers near the default thresholds (and the thresholds themselves) matter most.
HOURS = [0, 1, 8, 24, 71.5, 72, 72.5, 100, 719, 720, 721, 5000]
PROBABILITIES = [0.0, 0.1, 0.25, 0.29, 0.3, 0.4, 0.5, 0.6, 0.69, 0.7, 0.8, 1.0]


def value_of(fact: str) -> st.SearchStrategy[Any]:
    info = CATALOGUE[fact]
    if info["kind"] in ("enum", "bool"):
        return st.sampled_from(info["values"])
    pool = PROBABILITIES if info["max"] == 1.0 else HOURS
    upper = info["max"] if info["max"] is not None else 10_000.0
    return st.one_of(st.sampled_from(pool),
                     st.floats(min_value=0.0, max_value=upper, allow_nan=False))


@st.composite
def flat_facts(draw: st.DrawFn, unknown_weight: float = 0.35) -> dict[str, Any]:
    """A flat {dotted fact: value or None} over every legal fact."""
    out: dict[str, Any] = {}
    for fact in CATALOGUE:
        if draw(st.floats(0, 1)) < unknown_weight:
            out[fact] = None
        else:
            out[fact] = draw(value_of(fact))
    return out


def to_document(flat: dict[str, Any], *, state_named: bool = False) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for dotted, value in flat.items():
        group, name = dotted.split(".", 1)
        doc.setdefault(group, {})[name] = value
    if state_named:
        doc.setdefault("territory", {})["state"] = "State T"
    return doc


scenarios = flat_facts().map(to_document)
