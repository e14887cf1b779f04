"""Proofs over every scenario: the nestings of DOCTRINES §4 and refinement monotonicity.

`prove(parameters)` answers, for the parameters in force, each claim "justified under A ⇒
justified under B" exactly, over the whole space (engine/analysis/space.py): it holds when
no realizable combination of route statuses has A justified and B not; otherwise the
counterexample is a scenario with the fewest stated facts (minimum over the whole space,
by min-plus variable elimination), re-checked on durable-rules.

Refinement monotonicity ("stating an unknown fact never turns a justified verdict into
not_justified or back") is proved in two steps, both over the compiled objects: every
test's table keeps a definite status when any unknown fact of it is stated (tables over
the facts as stated, the territory default included), and every doctrine's verdict, as
read by `network.doctrine_verdict`, keeps a definite verdict when an unknown route is
decided. Routes are Kleene ANDs (checked in space.py), which preserve it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import EngineError
from ..evaluate import evaluate, network_for
from ..law.definitions import Law, ParameterDef, load
from ..law.parameters import resolve
from ..reasoning.network import Network, doctrine_verdict
from .space import STATUS_NAMES, UNKNOWN, Analysis, Space, Subject

# DOCTRINES §4 (version 2): the nestings the engine must keep with the default parameters
NESTINGS: tuple[tuple[str, str], ...] = (
    ("charter_restrictive", "caroline"),
    ("caroline", "pre_emptive"),
    ("pre_emptive", "preventive"),
    ("caroline", "nss_2002"),
    ("pre_emptive", "nss_2002"),
    ("pre_emptive", "nss_2006"),
    ("nss_2006", "nss_2002"),
)
MONOTONICITY = "refinement monotonicity"


@dataclass
class Claim:
    claim: str
    holds: bool
    counterexample: dict[str, Any] | None = None
    share: float = 0.0  # share of the space where it fails (every combination equal weight)
    count: int = 0
    verdicts: Mapping[str, str] | None = None  # in the counterexample, on durable-rules
    stated: int | None = None  # stated facts in the counterexample (the fewest possible)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"claim": self.claim, "holds": self.holds,
                "counterexample": self.counterexample, "share": self.share,
                "count": self.count, "stated_facts": self.stated, "verdicts": self.verdicts,
                "note": self.note}


def nesting(analysis: Analysis, a: int, b: int, parameters: Mapping[str, Any]) -> Claim:
    """Claim 'justified under subject a ⇒ justified under subject b' over the analysis."""
    sa, sb = analysis.subjects[a], analysis.subjects[b]
    name = f"{sa.doctrine} => {sb.doctrine}"
    bad = np.flatnonzero((analysis.verdicts[:, a] == "justified")
                         & (analysis.verdicts[:, b] != "justified"))
    if len(bad) == 0:
        return Claim(name, True)
    row = int(bad[np.argmin(analysis.costs[bad])])
    doc = analysis.scenario(row)
    count = int(sum(analysis.counts[bad]))
    ev = evaluate(doc, parameters, [sa.doctrine, sb.doctrine])
    got = {d: r.verdict for d, r in ev.doctrines.items()}
    if got[sa.doctrine] != "justified" or got[sb.doctrine] == "justified":
        raise EngineError(f"{name}: the counterexample does not hold on durable-rules: {got}")
    return Claim(name, False, doc, count / analysis.total, count, got,
                 int(analysis.costs[row]))


def _test_violation(space: Space, net: Network) -> tuple[str, dict[str, Any], str, Any] | None:
    """A test and a scenario of its facts where stating one unknown fact flips a definite
    status (satisfied <-> failed, or to unknown), if any."""
    for key, inst in net.tests.items():
        facts, table = space.table(inst.expr, defaults=False)
        for axis, f in enumerate(facts):
            before = np.take(table, 0, axis=axis)
            for o in range(1, space.axes[f].size):
                after = np.take(table, o, axis=axis)
                bad = np.argwhere((before != UNKNOWN) & (after != before))
                if len(bad):
                    rest = [x for x in facts if x != f]
                    options = {x: int(v) for x, v in zip(rest, bad[0], strict=True)}
                    return key, space.document(options), f, space.axes[f].value(o)
    return None


def _verdict_violation(net: Network) -> tuple[str, list[str], int] | None:
    for d_id, plan in net.doctrines.items():
        n = len(plan.routes)
        for combo in itertools.product(STATUS_NAMES, repeat=n):
            v = doctrine_verdict(list(combo))
            if v == "indeterminate":
                continue
            for i, s in enumerate(combo):
                if s != "unknown":
                    continue
                for t in ("failed", "satisfied"):
                    w = doctrine_verdict([*combo[:i], t, *combo[i + 1:]])
                    if w != v:
                        return d_id, list(combo), i
    return None


def monotonicity(net: Network) -> Claim:
    space = Space([net])
    found = _test_violation(space, net)
    if found is not None:
        key, doc, fact, value = found
        return Claim(MONOTONICITY, False, doc,
                     note=f"test {key}: stating {fact} = {value!r} changes a definite status")
    bad = _verdict_violation(net)
    if bad is not None:
        d_id, combo, i = bad
        return Claim(MONOTONICITY, False, None,
                     note=f"{d_id}: deciding route {i} of route statuses {combo} changes "
                          "a definite verdict")
    filled = ", ".join(f"{f} ({str(v).lower()} when {t} is named)"
                       for f, (t, v) in space.fillers.items())
    return Claim(MONOTONICITY, True, note=(
        "every test keeps a definite status when an unknown fact is stated, and every "
        "doctrine a definite verdict when an unknown route is decided. A fact the scenario "
        f"model fills by default is not unknown: {filled}; stating it otherwise is a "
        "revision, not a refinement"))


def prove(parameters: Mapping[str, Any] | None = None, *, monotonic: bool = True
          ) -> list[Claim]:
    """Every claim (the seven nestings, then monotonicity) under these parameters."""
    params = resolve(parameters)
    net = network_for(params)
    ids = list(net.doctrines)
    analysis = Analysis([Subject(d, net) for d in ids])
    claims = [nesting(analysis, ids.index(a), ids.index(b), params) for a, b in NESTINGS]
    if monotonic:
        claims.append(monotonicity(net))
    return claims


def _trial_values(p: ParameterDef, law: Law) -> list[Any]:
    """Values of one parameter to try: every value of a closed list; numbers at the ends of
    their range and around the default."""
    if p.type == "choice":
        return list(p.values)
    if p.type == "hours":
        d = float(p.default)
        return [0, d / 2, d * 2, 10 * d + 1000]
    if p.type in ("probability", "points"):
        top = 1.0 if p.type == "probability" else 100
        return [0, top / 4, top / 2, 3 * top / 4, top]
    if p.type == "probability_by_harm":
        return [{k: v} for k in p.keys for v in (0.0, 0.5, 1.0)]
    return list(law.scales["harm"])


def parameter_conditions(parameters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """For each nesting, the condition on the parameters under which it holds: every
    combination of the harm thresholds, and each other parameter alone over its range
    (the others as given), each decided exactly by `prove`."""
    law = load()
    base = dict(parameters or {})
    harm = [p.name for p in law.parameters.values() if p.type == "harm"]
    scale = list(law.scales["harm"])
    trials: list[dict[str, Any]] = [dict(zip(harm, combo, strict=True))
                                    for combo in itertools.product(scale, repeat=len(harm))]
    for p in law.parameters.values():
        if p.type != "harm":
            trials += [{p.name: v} for v in _trial_values(p, law) if v != p.default]
    fails: dict[str, list[dict[str, Any]]] = {f"{a} => {b}": [] for a, b in NESTINGS}
    holds_harm: dict[str, set[tuple[str, ...]]] = {k: set() for k in fails}
    for trial in trials:
        for c in prove({**base, **trial}, monotonic=False):
            if not c.holds:
                fails[c.claim].append(trial)
            elif set(trial) == set(harm):
                holds_harm[c.claim].add(tuple(trial[h] for h in harm))
    out = []
    for claim, bad in fails.items():
        others = [t for t in bad if set(t) != set(harm)]
        words = _harm_words(harm, scale, holds_harm[claim])
        if others:
            words += "; it fails with " + "; ".join(
                ", ".join(f"{k}={v}" for k, v in t.items()) for t in others)
        out.append({"claim": claim, "condition": words, "fails_under": bad})
    return out


def _harm_words(harm: list[str], scale: list[str], holds: set[tuple[str, ...]]) -> str:
    everything = set(itertools.product(scale, repeat=len(harm)))
    if holds == everything:
        return "holds for every value of " + " and ".join(harm)
    if not holds:
        return "fails for every value of " + " and ".join(harm)
    if len(harm) == 2:
        rank = {v: i for i, v in enumerate(scale)}
        a, b = harm
        for text, rel in ((f"{b} <= {a}", lambda x, y: rank[y] <= rank[x]),
                          (f"{b} >= {a}", lambda x, y: rank[y] >= rank[x]),
                          (f"{a} = {b}", lambda x, y: x == y)):
            if holds == {t for t in everything if rel(*t)}:
                return f"holds exactly when {text} (on the harm scale)"
    return "holds only for " + "; ".join(", ".join(f"{h}={v}" for h, v in zip(harm, t,
                                                                            strict=True))
                                         for t in sorted(holds))


__all__ = ["MONOTONICITY", "NESTINGS", "Claim", "monotonicity", "nesting", "parameter_conditions",
           "prove"]
