"""durable-rules keeps global state; evaluations from many threads must still be isolated."""

from __future__ import annotations

import threading
from typing import Any

from engine import evaluate
from engine.loader import library
from tests.conftest import SCENARIOS


def answers(doc: Any) -> dict[str, Any]:
    ev = evaluate(doc)
    return {"classification": ev.classification,
            **{d: (r.verdict, r.route, r.score, r.score_max, tuple(r.decisive),
                   tuple(x.rule for x in r.trace)) for d, r in ev.doctrines.items()}}


def test_eight_threads_of_300_evaluations_give_the_sequential_answers() -> None:
    scenarios = [e.scenario for e in library(SCENARIOS)]
    sequential = [answers(s) for s in scenarios]
    mismatches: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def worker(w: int) -> None:
        try:
            for i in range(300):
                k = (w * 7 + i) % len(scenarios)
                if answers(scenarios[k]) != sequential[k]:
                    mismatches.append((w, i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert mismatches == []


def test_an_evaluation_leaves_nothing_behind_for_the_next() -> None:
    scenarios = [e.scenario for e in library(SCENARIOS)]
    first = [answers(s) for s in scenarios]
    again = [answers(s) for s in reversed(scenarios)]
    assert first == list(reversed(again))
