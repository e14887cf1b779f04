"""The vectorised engine gives, scenario by scenario, the answers of the fast path and of
durable-rules: classification, and per doctrine verdict, route, score and score_max.

Scenarios are drawn at random over the whole vocabulary (a third of facts unknown, numbers
both on and between the thresholds), under the default parameters and under overrides
that move every threshold."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import evaluate
from engine.law.parameters import resolve
from engine.reasoning.vector import VectorEngine, engine_for
from tests.strategies import CATALOGUE, HOURS, PROBABILITIES, flat_facts

OVERRIDES: list[dict[str, Any]] = [
    {},
    {"caroline_max_hours": 24, "contextual_max_hours": 1000, "contextual_min_probability": 0.45,
     "max_response_delay_hours": 24},
    {"gravity_threshold": "grave", "nss_gravity_threshold": "significant",
     "preventive_min_probability": 0.9,
     "nss_min_probability": {"grave": 0.05, "catastrophic": 0.95},
     "unreported_penalty": 12.5, "unwilling_or_unable": "accepted"},
    {"unreported_penalty": 0, "unwilling_or_unable": "rejected"},
]


def random_flat(rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fact, info in CATALOGUE.items():
        if rng.random() < 0.33:
            out[fact] = None
        elif info["kind"] in ("enum", "bool"):
            out[fact] = rng.choice(info["values"])
        elif info["max"] == 1.0:
            out[fact] = rng.choice(PROBABILITIES) if rng.random() < 0.5 else rng.random()
        else:
            out[fact] = rng.choice(HOURS) if rng.random() < 0.5 else rng.uniform(0, 3000)
    return out


def expected(doc: dict[str, Any], overrides: dict[str, Any], engine: str) -> dict[str, Any]:
    ev = evaluate(doc, overrides, explain=False, engine=engine)  # type: ignore[arg-type]
    return {"classification": ev.classification,
            "doctrines": {d: {"verdict": r.verdict, "route": r.route, "score": r.score,
                              "score_max": r.score_max} for d, r in ev.doctrines.items()}}


def nested(flat: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for dotted, value in flat.items():
        group, name = dotted.split(".", 1)
        doc.setdefault(group, {})[name] = value
    return doc


@pytest.mark.parametrize("overrides", OVERRIDES,
                         ids=["defaults", "hours", "gravity+penalty", "rejected+no-penalty"])
def test_vector_equals_fast_path_on_thousands_of_scenarios(overrides: dict[str, Any]) -> None:
    rng = random.Random(12 + len(overrides))
    flats = [random_flat(rng) for _ in range(6000)]
    eng = engine_for(resolve(overrides))
    res = eng.run(eng.encode(flats), len(flats))
    for i, flat in enumerate(flats):
        assert res.record(i) == expected(nested(flat), overrides, "fast"), flat


@pytest.mark.parametrize("overrides", OVERRIDES[:3], ids=["defaults", "hours", "gravity+penalty"])
def test_vector_equals_durable_rules(overrides: dict[str, Any]) -> None:
    rng = random.Random(99)
    flats = [random_flat(rng) for _ in range(800)]
    eng = engine_for(resolve(overrides))
    res = eng.run(eng.encode(flats), len(flats))
    for i, flat in enumerate(flats):
        assert res.record(i) == expected(nested(flat), overrides, "rete"), flat


@settings(max_examples=120, deadline=None)
@given(st.lists(flat_facts(), min_size=1, max_size=8))
def test_vector_equals_fast_path_on_hypothesis_scenarios(flats: list[dict[str, Any]]) -> None:
    eng = engine_for(resolve())
    res = eng.run(eng.encode(flats), len(flats))
    for i, flat in enumerate(flats):
        assert res.record(i) == expected(nested(flat), {}, "fast")


def test_numbers_on_a_threshold_fall_in_the_threshold_cell() -> None:
    """The contextual window's bound (contextual_max_hours, here set to 72) is inside the
    window, 72.0001 is not: the cells must tell them apart, as the rules do."""
    eng = engine_for(resolve({"contextual_max_hours": 72}))
    base = {f: None for f in CATALOGUE} | {
        "threat.capability": "possessed", "threat.intent": "planning",
        "threat.probability": 0.9, "threat.evidence": "high",
        "threat.last_window": False, "threat.continuing_pattern": False}
    hours = [0, 71.99, 72, 72.0001, 1e6]
    flats = [base | {"threat.hours_until": h} for h in hours]
    res = eng.run(eng.encode(flats), len(flats))
    st_ = [int(x) for x in res.tests["imminence_contextual"]]
    # failed 0, unknown 1, satisfied 2
    assert st_ == [2, 2, 2, 0, 0]


def test_unknown_is_its_own_cell_and_bad_values_are_refused() -> None:
    eng = engine_for(resolve())
    cells = eng.encode_values("threat.capability", ["none", None, "deployed"])
    assert cells is not None
    assert int(cells[1]) == eng.spaces["threat.capability"].unknown
    with pytest.raises(ValueError, match=r"threat\.capability"):
        eng.encode_values("threat.capability", ["nuclear"])
    assert eng.encode_values("target.name", ["x"]) is None  # read by no rule


def test_engines_are_cached_per_parameter_set() -> None:
    a = engine_for(resolve())
    assert engine_for(resolve()) is a
    assert isinstance(a, VectorEngine)
    assert engine_for(resolve({"caroline_max_hours": 12})) is not a


def test_all_unknown_is_indeterminate_everywhere() -> None:
    eng = engine_for(resolve())
    res = eng.run(eng.unknown_cells(3), 3)
    for arrays in res.doctrines.values():
        assert np.all(arrays.verdict == 2)
    assert res.record(0) == expected({}, {}, "fast")


@pytest.mark.parametrize("overrides", OVERRIDES, ids=["defaults", "hours", "gravity+penalty",
                                                      "rejected+no-penalty"])
def test_table_lookups_equal_the_kleene_interpreter(overrides: dict[str, Any]) -> None:
    """The fast path's per-test tables give each test, and the classification, the status
    the recursive interpreter of the compiled expressions gives."""
    from engine.evaluate import network_for
    from engine.reasoning.logic import Status, status
    from engine.reasoning.vector import tables_for

    net = network_for(resolve(overrides))
    tables = tables_for(net)
    rng = random.Random(3)
    for _ in range(3000):
        flat = random_flat(rng)
        tests, cls = tables.evaluate(flat)
        for inst in [*net.tests.values(), net.weighing]:
            assert tests[inst.key] == status(inst.expr, flat).value, (inst.key, flat)
        assert cls == next(c.cls.id for c in net.classes
                           if status(c.expr, flat) is Status.SATISFIED)
