"""What reaches durable-rules is JSON without exponents (its parser crashes on them)."""

from __future__ import annotations

import json
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from engine import evaluate
from engine.reasoning.jsonfmt import dumps

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3), max_leaves=8)


@given(VALUES)
def test_dumps_round_trips_and_never_writes_an_exponent(value: object) -> None:
    text = dumps(value)
    assert json.loads(text) == value
    outside_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)  # "\u001e" is no exponent
    for token in re.findall(r"-?[0-9][0-9.eE+-]*", outside_strings):
        assert "e" not in token.lower(), token


@given(st.sampled_from([1e-05, 5e-324, 1e-300, 0.1 + 0.2, 1 - 1e-16]))
def test_tiny_and_odd_probabilities_evaluate_identically_on_both_engines(p: float) -> None:
    doc = {"threat": {"probability": p, "capability": "possessed", "intent": "planning",
                      "evidence": "high", "last_window": True}}
    assert math.isfinite(p)
    rete = evaluate(doc).model_dump()
    fast = evaluate(doc, engine="fast").model_dump()
    for d in (*rete["doctrines"].values(), *fast["doctrines"].values()):
        d.pop("trace")
    assert rete == fast


def test_huge_hours_evaluate_identically_on_both_engines() -> None:
    doc = {"threat": {"hours_until": 1e16}, "armed_attack": {"status": "concluded",
                                                             "hours_since_end": 1.7e308}}
    rete = evaluate(doc).model_dump()
    fast = evaluate(doc, engine="fast").model_dump()
    for d in (*rete["doctrines"].values(), *fast["doctrines"].values()):
        d.pop("trace")
    assert rete == fast
