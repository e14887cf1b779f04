"""The fast path's answers are built from remembered pieces (engine/fast.py): they must be
durable-rules' answers, words and stated values included, whatever was evaluated before
and however full the caches are.

Scenarios are drawn at random over the whole vocabulary (a third of facts unknown, numbers
on and between the thresholds), under the default parameters and under overrides that move
every threshold (tests/engine/test_vector.py)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from engine import evaluate
from engine import fast as fastpath
from engine.evaluate import network_for
from engine.explain import _culprits
from engine.law.parameters import resolve
from engine.reasoning.logic import Status, status
from engine.reasoning.vector import STATUS_NAMES
from engine.result import evaluation_bytes, evaluation_json
from tests.engine.test_vector import OVERRIDES, nested, random_flat


def _without_trace(ev: Any) -> dict[str, Any]:
    out: dict[str, Any] = ev.model_dump(mode="json")
    for d in out["doctrines"].values():
        d.pop("trace")
    return out


@pytest.fixture
def fresh() -> Iterator[None]:
    """Every cache of the fast path emptied before and after (the networks stay compiled)."""
    def clear() -> None:
        fastpath._FAST.clear()
        for params in [resolve(o) for o in OVERRIDES]:
            network_for(params).explain_cache.clear()
    clear()
    yield
    clear()


def _docs(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [nested(random_flat(rng)) for _ in range(n)]


@pytest.mark.parametrize("overrides", OVERRIDES,
                         ids=["defaults", "hours", "gravity+penalty", "rejected+no-penalty"])
def test_fast_path_gives_durable_rules_answers_with_words_and_values(
        overrides: dict[str, Any], fresh: None) -> None:
    for doc in _docs(40 + len(overrides), 250):
        for explain in (True, False):
            got = evaluate(doc, overrides, explain=explain, engine="fast")
            want = evaluate(doc, overrides, explain=explain, engine="rete")
            assert _without_trace(got) == _without_trace(want), (doc, explain)


def test_a_remembered_answer_is_the_answer_made_afresh(fresh: None) -> None:
    docs = _docs(7, 400)
    first = [_without_trace(evaluate(d, engine="fast")) for d in docs]
    brief = [evaluate(d, engine="fast", explain=False).model_dump(mode="json") for d in docs]
    fastpath._FAST.clear()
    network_for(resolve()).explain_cache.clear()
    # the other way round, and each twice: now mostly from what the first ones left behind
    for i in reversed(range(len(docs))):
        for _ in range(2):
            assert evaluate(docs[i], engine="fast", explain=False).model_dump(
                mode="json") == brief[i]
            assert _without_trace(evaluate(docs[i], engine="fast")) == first[i]


def test_answers_stay_right_and_caches_bounded_when_they_overflow(
        monkeypatch: pytest.MonkeyPatch, fresh: None) -> None:
    monkeypatch.setattr(fastpath, "ANSWER_CACHE", 7)
    monkeypatch.setattr(fastpath, "VALUES_CACHE", 5)
    monkeypatch.setattr(fastpath, "PIECE_CACHE", 3)
    fa = fastpath.fast_answers(network_for(resolve()))
    for doc in _docs(8, 150):
        for explain in (True, False):
            got = evaluate(doc, explain=explain, engine="fast")
            assert _without_trace(got) == _without_trace(
                evaluate(doc, explain=explain, engine="rete"))
            assert sum(len(d.answers) for d in fa.doctrines.values()) <= 7
            assert sum(len(m) for m in fa.entries) <= 5
            assert sum(len(r.pieces) for r in fa.route_plans.values()) <= 3


def test_the_culprit_tables_find_what_walking_the_expression_finds() -> None:
    net = network_for(resolve(OVERRIDES[2]))
    fa = fastpath.fast_answers(net)
    rng = random.Random(5)
    checked = 0
    for _ in range(400):
        facts = random_flat(rng)
        sigs, cells, _ = fa.tables.signatures(facts)
        for p, inst in enumerate(fa.instances):
            st = status(inst.expr, facts)
            assert STATUS_NAMES[sigs[p] % 3] == st.value
            if st is Status.SATISFIED:
                continue
            found = fa.tables.culprits(p, cells[p])
            assert found is not None
            assert list(found) == list(_culprits(inst.expr, facts, st)), (inst.key, facts)
            checked += 1
    assert checked > 2000


def test_a_partial_fact_dict_reads_absent_facts_as_unknown() -> None:
    net = network_for(resolve())
    fa = fastpath.fast_answers(net)
    rng = random.Random(11)
    for _ in range(100):
        flat = random_flat(rng)
        partial = {k: v for k, v in flat.items() if v is not None}
        cls, got = fa.evaluate(partial, list(net.doctrines), True)
        want = evaluate(nested(flat), engine="rete")
        assert cls == want.classification
        assert {d: r.model_dump(exclude={"trace"}) for d, r in got.items()} == {
            d: r.model_dump(exclude={"trace"}) for d, r in want.doctrines.items()}


@pytest.mark.parametrize(("engine", "explain"), [("fast", False), ("fast", True),
                                                 ("rete", True)])
def test_the_spliced_json_is_pydantics_json_byte_for_byte(engine: str, explain: bool) -> None:
    for doc in _docs(3, 60):
        for overrides in (None, {"caroline_max_hours": 48.5, "unreported_penalty": 12.5}):
            for _ in range(2):  # the second time from remembered answers and their JSON
                ev = evaluate(doc, overrides, explain=explain, engine=engine)  # type: ignore[arg-type]
                assert evaluation_json(ev) == ev.model_dump_json()
                assert evaluation_bytes(ev) == ev.model_dump_json().encode()


def test_durable_rules_answers_come_from_its_own_derivation_when_the_tables_disagree(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        fresh: None) -> None:
    """The rete path takes the shared pieces only once the tables agree with every status
    durable-rules derived; made to disagree, it answers from the derivation alone (the same
    answer, here, since only the check was tampered with) and says so in the log."""
    docs = _docs(21, 40)
    want = [_without_trace(evaluate(d)) for d in docs]
    traces = [{k: r.trace for k, r in evaluate(d).doctrines.items()} for d in docs]
    real = fastpath.Tables.signatures

    def wrong(self: Any, facts: Any) -> Any:
        sigs, cells, cls = real(self, facts)
        return [(s + 1) % 3 for s in sigs], cells, cls

    monkeypatch.setattr(fastpath.Tables, "signatures", wrong)
    fastpath._FAST.clear()
    with caplog.at_level("ERROR", logger="imminence.engine"):
        for d, w, tr in zip(docs, want, traces, strict=True):
            ev = evaluate(d)
            assert _without_trace(ev) == w
            assert {k: r.trace for k, r in ev.doctrines.items()} == tr
    assert sum("disagree with durable-rules" in r.getMessage() for r in caplog.records) == 40


def test_the_tables_agree_with_durable_rules_on_every_generated_scenario(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("ERROR", logger="imminence.engine"):
        for overrides in OVERRIDES:
            for doc in _docs(60 + len(overrides), 150):
                evaluate(doc, overrides)
    assert not [r for r in caplog.records if "disagree" in r.getMessage()]
