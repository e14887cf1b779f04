"""`evaluate(scenario, parameters=None, doctrines=None)`: the one evaluation function.

Every interface (CLI, HTTP API, batch runner, exercise grader, web page) calls this and
renders its result; none re-implements law. The authoritative path runs the rules on
durable-rules (`engine="rete"`, the default). `engine="fast"` evaluates the same compiled
rule network directly in Python (no trace); differential tests check that both give the
same answers on generated scenarios.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar

from engine import explain as explanation
from engine.errors import ErrorItem, InvalidInput
from engine.fast import fast_answers
from engine.law.definitions import Law, load
from engine.law.parameters import Parameters, canonical, resolve
from engine.law.scenario import Scenario
from engine.reasoning.network import Action, Network, build
from engine.reasoning.runtime import engine as rule_engine
from engine.result import DoctrineResult, Evaluation, TestResult, construct
from engine.validation import to_scenario, validation_errors

EngineName = Literal["rete", "fast"]
_log = logging.getLogger("imminence.engine")
T = TypeVar("T")


def check_doctrines(ids: Iterable[str] | None, law: Law | None = None,
                    loc: tuple[str, ...] = ("doctrines",)) -> list[str]:
    law = law or load()
    if ids is None:
        return list(law.doctrines)
    ids = list(ids)
    bad = [d for d in ids if d not in law.doctrines]
    if bad:
        raise InvalidInput([ErrorItem((*loc, d), f"unknown doctrine '{d}'", "enum",
                                      list(law.doctrines)) for d in bad])
    return [d for d in law.doctrines if d in ids]


FAST_CACHE_SIZE = 16  # compiled networks of the fast path kept (the default set always)
_networks: OrderedDict[str, Network] = OrderedDict()
_networks_lock = threading.Lock()


def _network(key: str) -> Network:
    """The compiled network for a canonical parameter set, least recently used evicted
    beyond FAST_CACHE_SIZE, except the default set: a flood of new parameter sets does
    not make every ordinary request compile again."""
    with _networks_lock:
        net = _networks.get(key)
        if net is not None:
            _networks.move_to_end(key)
            return net
    import json

    net = build(load(), json.loads(key))
    with _networks_lock:
        _networks[key] = net
        keep = (key, canonical(resolve(None)))
        while len(_networks) > FAST_CACHE_SIZE:
            victim = next((k for k in _networks if k not in keep), None)
            if victim is None:
                break
            del _networks[victim]
    return net


_DEFAULT: list[tuple[Law, Parameters, Network]] = []  # the defaults' network, by value


def network_for(params: Parameters) -> Network:
    """The compiled rule network for a parameter set (cached). The default parameters are
    recognised by comparison, without serialising them (the common case, per evaluation)."""
    law = load()
    if _DEFAULT and _DEFAULT[0][0] is law and _DEFAULT[0][1] == params:
        return _DEFAULT[0][2]
    net = _network(canonical(params))
    if params == resolve(None, law):
        _DEFAULT[:] = [(law, copy.deepcopy(params), net)]
    return net


def is_compiled(parameters: Mapping[str, Any] | None = None, *,
                engine: EngineName = "rete") -> bool:
    """Whether evaluating with these parameter overrides on `engine` needs no compilation
    (the rules for that parameter set are cached). A caller on an event loop evaluates
    inline only then, and hands a new parameter set (tens of ms to compile) to a thread.
    Invalid overrides count as compiled: they are refused before anything is compiled."""
    law = load()
    try:
        params = resolve(parameters, law)
    except InvalidInput:
        return True
    if engine == "rete":
        return rule_engine(law).is_compiled(params)
    return canonical(params) in _networks


def evaluate(
    scenario: Scenario | Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
    doctrines: Iterable[str] | None = None,
    *,
    explain: bool = True,
    engine: EngineName = "rete",
) -> Evaluation:
    """Evaluate a scenario under each doctrine.

    scenario: a Scenario or a dict in the vocabulary of DOCTRINES §2.
    parameters: overrides of the interpretive parameters (rules/parameters.yaml).
    doctrines: which doctrines to report (default: all six, in order).
    explain: include per-test facts and the trace (the rete engine always records them).
    engine: "rete" (durable-rules, authoritative) or "fast" (same rules, plain Python).
    Raises InvalidInput for a bad scenario, parameter or doctrine id.
    """
    law = load()
    sc = to_scenario(scenario, ("scenario",) if not isinstance(scenario, Scenario) else ())
    params = resolve(parameters, law)
    wanted = check_doctrines(doctrines, law)
    facts = sc.facts()
    if engine == "rete":
        net, run = rule_engine(law).run(facts, params)
        classification = next((c.cls.id for c in net.classes if c.cls.id in run.classes),
                              "unclassified")
        # the answers to what durable-rules derived, from the fast path's remembered pieces
        # once its tables are checked to agree with every status derived (engine/fast.py)
        answers = fast_answers(net).assemble(facts, wanted, explain, run.tests, run.routes,
                                             run.verdicts, classification, run.firings)
        if answers is not None:
            return construct(Evaluation, scenario_id=sc.id, classification=classification,
                             parameters=params, doctrines=answers)
        _log.error("the tables disagree with durable-rules on scenario %r; answered from "
                   "the rules' derivation alone", sc.id)
        return assemble(net, sc, facts, params, wanted, run.tests, run.routes, run.verdicts,
                        classification, run.firings, explain)
    if engine != "fast":
        raise InvalidInput([ErrorItem(("engine",), f"unknown engine {engine!r}", "enum",
                                      ["rete", "fast"])])
    # each test one lookup in its table over the cells of the facts it reads (built from
    # the same compiled expressions; engine.reasoning.vector), the answers made by
    # engine/explain.py and remembered (engine/fast.py)
    classification, out = fast_answers(network_for(params)).evaluate(facts, wanted, explain)
    return construct(Evaluation, scenario_id=sc.id, classification=classification,
                     parameters=params, doctrines=out)


def run_if_free(work: Callable[[], T]) -> tuple[bool, T | None]:
    """Run `work` (which evaluates on the rule engine) now if the engine is free, without
    waiting: (True, its result), or (False, None) when another thread holds the engine.

    For a caller that must not block (an event loop): it evaluates inline when the engine
    is free and hands the work to a thread when it is not. The caller never touches the
    engine's lock."""
    with rule_engine(load()).hold_if_free() as free:
        if not free:
            return False, None
        return True, work()


def assemble(net: Network, sc: Scenario, facts: Mapping[str, Any], params: Parameters,
             wanted: list[str], tests: Mapping[str, str], routes: Mapping[str, str],
             verdicts: Mapping[str, str], classification: str,
             firings: list[Action] | None, explain: bool) -> Evaluation:
    """Turn what the rules derived into the §5 result (the reasons: engine/explain.py)."""
    reported = explanation.entry(net, net.weighing, None,
                                 tests.get(net.weighing.key, "unknown"), facts, explain)
    out: dict[str, DoctrineResult] = {}
    shared: dict[tuple[str, str], TestResult] = {}  # doctrines share test instances
    for d_id in wanted:
        out[d_id] = explanation.doctrine(net, net.doctrines[d_id], facts, tests, routes,
                                         verdicts.get(d_id), reported, firings, explain,
                                         shared, classification)
    return construct(Evaluation, scenario_id=sc.id, classification=classification,
                      parameters=params, doctrines=out)


__all__ = [
    "EngineName",
    "check_doctrines",
    "evaluate",
    "is_compiled",
    "network_for",
    "run_if_free",
    "to_scenario",
    "validation_errors",
]
