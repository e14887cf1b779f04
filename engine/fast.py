"""The fast path's answers, built from remembered pieces (issue 12).

`engine.evaluate(..., engine="fast")` comes here, and so do durable-rules' derivations
(`engine="rete"`, `FastAnswers.assemble`, once the tables are checked to agree with every
status the rules derived). Nothing in this module decides law: each test's status is one
lookup in its table (engine.reasoning.vector, derived from the compiled network), and
engine/explain.py makes every piece of every answer; this module remembers the pieces, so
that the next scenario that needs one gets it without making it again:

- a *route piece* (its status, counts, failed and unknown tests, missing facts, summary
  and its tests' entries without values: `explain.route_piece`) depends only on the
  *signatures* of its tests (each test's status and, when unknown, which of its facts are
  unknown: `Tables.signatures`);
- a doctrine's answer without the stated values (explain=false: verdict, route, scores,
  decisive tests, missing facts, widening, sentence, every test's status, condition,
  citation and passage) depends only on its tests' signatures, the weighing test's and
  the classification (ties between routes): made once from its route pieces by
  `explain.answer`;
- with explain=true, a test's entries (status, the stated values it read, `because`)
  depend only on those values: made once per test instance and values (`because` from
  the comparisons that fail, read from a table: `Tables.culprits`). The doctrine's answer
  is then the remembered one with its tests' and the weighing test's entries in place.

On distinct random scenarios most answers are new (their status patterns rarely repeat),
and the path costs what making the words costs; on scenarios seen before (a class, a
sweep, a server asked the same questions) it is a few lookups. Every cache is per compiled
network and bounded (cleared when full), so memory stays flat however many scenarios are
evaluated. The differential tests compare this path with durable-rules, words and values
included, with the caches cold, warm and overflowing (tests/engine/test_fast.py).
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine import explain as explanation
from engine.explain import PIECE_CACHE, RoutePiece
from engine.reasoning.network import Action, DoctrinePlan, Network, RouteInstance
from engine.reasoning.vector import STATUS_NAMES, Tables, tables_for
from engine.result import FRAGMENTS, DoctrineResult, TestResult, construct

# answers kept per compiled network (cleared when full; a sweep or a class repeats them)
ANSWER_CACHE = 20_000  # doctrine answers without stated values (~3 kB each)
VALUES_CACHE = 20_000  # test entries with stated values, per test instance and values
SEEN_LIMIT = 200_000  # keys seen once (a piece is remembered the second time it is made)


def _values_getter(names: Sequence[str]) -> Callable[[Mapping[str, Any]], Any]:
    """The values of `names` in a flat fact dict, as a key (a tuple, or one value)."""
    if not names:
        return lambda facts: ()
    get = operator.itemgetter(*names)

    def values(facts: Mapping[str, Any]) -> Any:
        try:
            return get(facts)
        except KeyError:  # a partial dict: absent is unknown
            got = tuple(facts.get(f) for f in names)
            return got if len(got) > 1 else got[0]

    return values


class _Route:
    """One route instance as positions into the signatures of Tables.keys."""

    def __init__(self, ri: RouteInstance, pos: Mapping[str, int]) -> None:
        self.ri = ri
        self.positions = [pos[t.key] for t in ri.tests]
        self.key: Callable[[Sequence[int]], Any] = (
            operator.itemgetter(*self.positions) if self.positions else lambda sigs: ())
        self.pieces: dict[Any, RoutePiece] = {}


class _Doctrine:
    """One doctrine's plan as positions into the signatures of Tables.keys."""

    def __init__(self, plan: DoctrinePlan, pos: Mapping[str, int], weighing: int,
                 slots: Mapping[tuple[int, str | None], int],
                 routes: Mapping[str, _Route]) -> None:
        self.plan = plan
        used = list(dict.fromkeys(pos[t.key] for r in plan.routes for t in r.tests))
        self.positions = [*used, weighing]
        self.key: Callable[[Sequence[int]], tuple[int, ...]] = operator.itemgetter(
            *self.positions)
        self.routes = [routes[r.key] for r in plan.routes]
        self.pairs = [(pos[t.key], slots[(pos[t.key], r.route.id)])
                      for r in plan.routes for t in r.tests]
        self.answers: dict[tuple[Any, ...], DoctrineResult] = {}


class FastAnswers:
    """The fast path of one compiled network."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.tables: Tables = tables_for(net)
        keys = self.tables.keys
        pos = {k: i for i, k in enumerate(keys)}
        self.instances = [net.weighing if k == net.weighing.key else net.tests[k] for k in keys]
        self.weighing = pos[net.weighing.key]
        # every (test instance, route) an answer lists, as a slot of the instance
        routes: list[list[str | None]] = [[] for _ in keys]
        routes[self.weighing].append(None)
        for plan in net.doctrines.values():
            for r in plan.routes:
                for t in r.tests:
                    if r.route.id not in routes[pos[t.key]]:
                        routes[pos[t.key]].append(r.route.id)
        self.routes = routes
        slots = {(i, rid): j for i, rs in enumerate(routes) for j, rid in enumerate(rs)}
        self.route_plans = {k: _Route(ri, pos) for k, ri in net.routes.items()}
        self.doctrines = {d: _Doctrine(p, pos, self.weighing, slots, self.route_plans)
                          for d, p in net.doctrines.items()}
        self.reported = {code: explanation.entry(net, net.weighing, None, STATUS_NAMES[code],
                                                 {}, False) for code in range(3)}
        self.values = [_values_getter(inst.facts) for inst in self.instances]
        self.entries: list[dict[Any, tuple[TestResult, ...]]] = [{} for _ in keys]
        self._entry_count = 0
        self._answer_count = 0
        self._piece_count = 0
        self._seen: set[Any] = set()
        self._lock = threading.Lock()

    def _admit(self, key: Any) -> bool:
        """Whether a piece made for `key` is worth remembering: only from the second time
        its key is seen. A piece made once dies young, which the garbage collector finds
        cheap; remembering every piece of a stream of new scenarios would promote each to
        the oldest generation, whose full collections then cost more than the pieces
        save (measured: twice the time of an explain-off evaluation). The keys (tuples of
        small ints and stated values) are not tracked by the collector once it has seen
        them."""
        seen = self._seen
        if key in seen:
            return True
        if len(seen) >= SEEN_LIMIT:
            seen.clear()
        seen.add(key)
        return False

    def evaluate(self, facts: Mapping[str, Any], wanted: Sequence[str],
                 explain: bool) -> tuple[str, dict[str, DoctrineResult]]:
        """(classification, doctrine id -> answer) for one scenario's flat facts."""
        sigs, cells, classification = self.tables.signatures(facts)
        return classification, self._answers(facts, wanted, explain, sigs, cells,
                                             classification, None)

    def assemble(self, facts: Mapping[str, Any], wanted: Sequence[str], explain: bool,
                 tests: Mapping[str, str], routes: Mapping[str, str],
                 verdicts: Mapping[str, str], classification: str,
                 firings: list[Action]) -> dict[str, DoctrineResult] | None:
        """The answers to what durable-rules derived (test, route and verdict statuses, the
        classification, the rules that fired: the trace), from the same remembered pieces,
        once the tables are checked to agree with every status it derived. None if they do
        not (a bug the differential tests exist to catch): the caller then makes the
        answers from the derivation alone (engine.evaluate.assemble)."""
        sigs, cells, cls = self.tables.signatures(facts)
        if cls != classification or any(STATUS_NAMES[s % 3] != tests.get(k, "unknown")
                                         for k, s in zip(self.tables.keys, sigs, strict=True)):
            return None
        out = self._answers(facts, wanted, explain, sigs, cells, classification, firings)
        for d_id, answer in out.items():
            plan = self.net.doctrines[d_id]
            if answer.verdict != verdicts.get(d_id) or any(
                    s.status != routes.get(r.key, "unknown")
                    for r, s in zip(plan.routes, answer.routes, strict=True)):
                return None
        return out

    def _answers(self, facts: Mapping[str, Any], wanted: Sequence[str], explain: bool,
                 sigs: Sequence[int], cells: Sequence[int], classification: str,
                 firings: list[Action] | None) -> dict[str, DoctrineResult]:
        out: dict[str, DoctrineResult] = {}
        entries: dict[int, tuple[TestResult, ...]] = {}
        for d_id in wanted:
            d = self.doctrines[d_id]
            key = (*d.key(sigs), classification)
            answer = d.answers.get(key)
            if answer is None:
                answer = self._answer(d, sigs, facts, classification, key)
            if explain:
                for p in d.positions:
                    if p not in entries:
                        entries[p] = self._entries(p, sigs[p], cells[p], facts)
                values = dict(answer.__dict__)
                values["tests"] = [entries[p][slot] for p, slot in d.pairs]
                values["reported"] = entries[self.weighing][0]
                if firings is not None:
                    mine = explanation.rules_of(self.net, d_id)
                    values["trace"] = [f.trace_entry for f in firings if f.rule in mine]
                answer = construct(DoctrineResult, **values)
            out[d_id] = answer
        return out

    def _answer(self, d: _Doctrine, sigs: Sequence[int], facts: Mapping[str, Any],
                classification: str, key: tuple[Any, ...]) -> DoctrineResult:
        """A doctrine's answer without stated values, from its routes' pieces."""
        pieces = []
        for r in d.routes:
            rkey = r.key(sigs)
            piece = r.pieces.get(rkey)
            if piece is None:
                piece = self._piece(r, rkey, sigs, facts)
            pieces.append(piece)
        reported = self.reported[sigs[self.weighing] % 3]
        answer = explanation.answer(self.net, d.plan, pieces, None, reported, None, [],
                                    classification)
        if not self._admit((0, id(d), key)):
            return answer
        with self._lock:
            if self._answer_count >= ANSWER_CACHE:
                for other in self.doctrines.values():
                    other.answers.clear()
                self._answer_count = 0
            d.answers[key] = answer
            self._answer_count += 1
        FRAGMENTS.remember(answer)
        return answer

    def _piece(self, r: _Route, rkey: Any, sigs: Sequence[int],
               facts: Mapping[str, Any]) -> RoutePiece:
        piece = explanation.route_piece(self.net, r.ri,
                                        [STATUS_NAMES[sigs[p] % 3] for p in r.positions], facts)
        if not self._admit((1, id(r), rkey)):
            return piece
        with self._lock:
            if self._piece_count >= PIECE_CACHE:
                for other in self.route_plans.values():
                    other.pieces.clear()
                self._piece_count = 0
            r.pieces[rkey] = piece
            self._piece_count += 1
        return piece

    def _entries(self, p: int, sig: int, cell: int,
                 facts: Mapping[str, Any]) -> tuple[TestResult, ...]:
        """A test instance's entries (one per route that lists it) for the stated values."""
        values = self.values[p](facts)
        memo = self.entries[p]
        found = memo.get(values)
        if found is not None:
            return found
        inst = self.instances[p]
        st = STATUS_NAMES[sig % 3]
        read = {f: facts.get(f) for f in inst.facts}
        text = None if st == "satisfied" else explanation.because_text(
            self.net, inst, facts, st, self.tables.culprits(p, cell))
        found = tuple(explanation.make_entry(self.net, inst, rid, st, read, text)
                      for rid in self.routes[p])
        if not self._admit((2, p, values)):
            return found
        with self._lock:
            if self._entry_count >= VALUES_CACHE:
                for m in self.entries:
                    m.clear()
                self._entry_count = 0
            memo[values] = found
            self._entry_count += 1
        return found


_FAST: dict[int, tuple[Network, FastAnswers]] = {}
_FAST_LOCK = threading.Lock()


def fast_answers(net: Network) -> FastAnswers:
    """The fast path of a compiled network (made once, kept while the network is)."""
    hit = _FAST.get(id(net))
    if hit is not None and hit[0] is net:
        return hit[1]
    made = FastAnswers(net)
    with _FAST_LOCK:
        if len(_FAST) >= 16:
            _FAST.pop(next(iter(_FAST)))
        _FAST[id(net)] = (net, made)
    return made


__all__ = ["ANSWER_CACHE", "SEEN_LIMIT", "VALUES_CACHE", "FastAnswers", "fast_answers"]
