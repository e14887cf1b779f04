"""Running the rule network on durable-rules, safely.

durable-rules (2.0.28, unmaintained) keeps global state and has sharp edges, each met here
(see DESIGN.md, "Durable-rules: what bites"):

- *Background threads*: the library's `Host` starts timer threads that misfire under
  concurrent callers. We do not use `Host`: the compiled ruleset is created directly in
  the C engine and this module drives its action loop itself, one evaluation at a time
  under one process-wide lock.
- *Sessions are global, capped, and their ids hashed to 32 bits*: every evaluation uses
  the same fixed session id of its ruleset, and deletes the session when it ends, so
  nothing accumulates and nothing collides.
- *Deleting a session in which no action ran fails*: the `scenario.asserted` and
  `evaluation.complete` rules always fire.
- *Exceptions in actions are swallowed* by the library's own dispatcher: ours calls the
  actions itself, so an exception propagates; the in-flight action is abandoned, the
  session deleted, and an EngineError raised.
- *Facts, not events*; *negation needs ordering*: the end marker that the negation rules
  wait for is asserted only after the first phase has gone quiet.
- *Numbers with an exponent* (`1e-05`, `1e+16`) make the C parser fail, or crash the
  process when it happens inside an action (found by the property tests, not listed in
  DESIGN.md): everything sent to the engine goes through `jsonfmt.dumps`, which writes
  plain decimals.
- *An `$or` condition activates its rule once per matching alternative*: the action
  records a rule's first firing only and asserts each derived fact once.

Rulesets are compiled per parameter set and cached (the default set for the life of the
process, a few others least-recently-used, deleted from the C engine when evicted).
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine as dre

from engine.errors import EngineError
from engine.law.definitions import Law
from engine.law.parameters import canonical, resolve
from engine.reasoning import jsonfmt
from engine.reasoning.logic import field_name
from engine.reasoning.network import END, SCENARIO, SESSION, Action, Network, build


@dataclass
class Run:
    """What the rules derived for one scenario."""

    firings: list[Action] = field(default_factory=list)  # in the order they fired
    tests: dict[str, str] = field(default_factory=dict)  # instance key -> status
    routes: dict[str, str] = field(default_factory=dict)  # instance key -> status
    verdicts: dict[str, str] = field(default_factory=dict)  # doctrine -> verdict
    classes: list[str] = field(default_factory=list)
    asserted: set[str] = field(default_factory=set)
    fired: set[str] = field(default_factory=set)


class _Compiled:
    def __init__(self, net: Network, name: str) -> None:
        self.net = net
        self.name = name
        self.handle = dre.create_ruleset(name, net.ruleset_json())
        self.actions: dict[str, Action] = net.actions

    def delete(self) -> None:
        dre.delete_ruleset(self.handle)


class RuleEngine:
    """One per process. Thread-safe: evaluations are serialised by a lock."""

    def __init__(self, law: Law, cache_size: int = 8) -> None:
        self.law = law
        self.cache_size = cache_size
        self._lock = threading.RLock()
        self._compiled: OrderedDict[str, _Compiled] = OrderedDict()
        self._names = itertools.count()
        self._run: Run | None = None
        self._handle: int | None = None
        self._default_key = canonical(resolve(None, law))

    @contextmanager
    def hold_if_free(self) -> Iterator[bool]:
        """Hold the engine for this thread if no other thread is evaluating; yields
        whether it did. A caller that must not block (an event loop) evaluates inline when
        it gets the engine, and hands the work to a thread when it does not."""
        got = self._lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                self._lock.release()

    def is_compiled(self, params: Mapping[str, Any]) -> bool:
        """Whether the ruleset of this parameter set is compiled (a hint: no lock)."""
        return canonical(dict(params)) in self._compiled

    def network(self, params: Mapping[str, Any]) -> Network:
        with self._lock:
            return self._get(params).net

    def _get(self, params: Mapping[str, Any]) -> _Compiled:
        key = canonical(dict(params))
        compiled = self._compiled.get(key)
        if compiled is not None:
            self._compiled.move_to_end(key)
            return compiled
        compiled = _Compiled(build(self.law, params), f"imminence_{next(self._names)}")
        self._compiled[key] = compiled
        keep = (key, self._default_key)  # the default set lives as long as the process
        while len(self._compiled) > self.cache_size:
            victim = next((k for k in self._compiled if k not in keep), None)
            if victim is None:
                break
            self._compiled.pop(victim).delete()
        return compiled

    def run(self, facts: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[Network, Run]:
        """Assert a scenario's known facts, let the rules chain, collect what they derived."""
        scenario: dict[str, Any] = {field_name(k): v for k, v in facts.items() if v is not None}
        scenario["t"] = SCENARIO
        scenario["sid"] = SESSION
        with self._lock:
            compiled = self._get(params)
            run = Run()
            self._run, self._handle = run, compiled.handle
            try:
                self._assert(compiled, jsonfmt.dumps([scenario]), many=True)
                self._assert(compiled, jsonfmt.dumps({"t": END, "sid": SESSION}), many=False)
            finally:
                self._run = self._handle = None
                try:
                    dre.delete_state(compiled.handle, SESSION)
                except Exception as exc:  # pragma: no cover - would mean a library bug
                    raise EngineError(f"durable-rules could not delete the session: {exc}") \
                        from exc
            return compiled.net, run

    def _assert(self, compiled: _Compiled, payload: str, many: bool) -> None:
        result = (dre.assert_facts if many else dre.assert_fact)(compiled.handle, payload)
        if result[0] == 1:
            raise EngineError(f"no rule matched {payload}")
        state = result[1]
        step = dre.start_action_for_state(compiled.handle, state)
        while step:
            # The message is {"<rule id>": {<matched facts>}}; only the rule id is needed,
            # and rule ids never contain a quote, so it is read without parsing the facts.
            message: str = step[1]
            try:
                self._fire(compiled.actions[message[2:message.index('"', 2)]])
            except BaseException as exc:
                dre.abandon_action(compiled.handle, state)
                raise EngineError(f"a rule action failed: {exc!r}") from exc
            nxt = dre.complete_and_start_action(compiled.handle, state)
            step = (None, nxt) if nxt else None

    def _fire(self, action: Action) -> None:
        run = self._run
        assert run is not None and self._handle is not None
        # durable-rules activates a rule once for each alternative of an `$or` that matches
        # (a test fails for each of its failed parts); the rule is recorded once, the first
        # time, and what it derives is asserted once.
        if action.rule in run.fired:
            return
        run.fired.add(action.rule)
        run.firings.append(action)
        kind = action.kind
        if kind == "test":
            run.tests[action.subject] = action.outcome
        elif kind == "route":
            run.routes.setdefault(action.subject, action.outcome)
        elif kind == "verdict":
            run.verdicts.setdefault(action.subject, action.outcome)
        elif kind == "indeterminate":
            run.verdicts.setdefault(action.subject, "indeterminate")
        elif kind == "class":
            run.classes.append(action.subject)
        if action.payload is not None and action.payload not in run.asserted:
            # a fact is asserted once, however many rules derive it
            run.asserted.add(action.payload)
            dre.assert_fact(self._handle, action.payload)


_ENGINE: RuleEngine | None = None
_ENGINE_LOCK = threading.Lock()


def engine(law: Law) -> RuleEngine:
    """The process-wide rule engine (created on first use)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None or _ENGINE.law is not law:
            _ENGINE = RuleEngine(law)
        return _ENGINE


__all__ = ["RuleEngine", "Run", "engine"]
