"""What the engine relied on for one doctrine, for a student: the tests that decide it,
their sources and the rules that fired, and the same said in words, one thing per line.

The figures and lists come from `evaluate()`; the words from `words` (rules/ through
`engine.law.definitions`). No law here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from engine.law.definitions import Law, load
from engine.result import DoctrineResult, Evaluation
from engine.teaching.words import fact_label, fact_line, route_title, status_label, verdict_label


class Evidence(BaseModel):
    """What the engine relied on: a test, its status, the facts it read and its source."""

    test: str
    title: str
    route: str | None
    status: str
    facts: dict[str, Any]
    facts_read: list[str] = Field(default_factory=list,
                                  description="the facts read, in words ('Intent (threat): "
                                              "decided')")
    source: str
    source_short: str
    citation: str
    passage: str


class DoctrineExplanation(BaseModel):
    doctrine: str
    name: str
    verdict: str
    verdict_label: str = ""
    route: str
    route_title: str = ""
    score: int
    score_max: int
    decisive: list[Evidence]
    missing_facts: list[str]
    widening: list[str]
    trace: list[dict[str, str]]


def evidence(d: DoctrineResult, test_ids: Iterable[str], law: Law) -> list[Evidence]:
    out = []
    for tid in test_ids:
        # the route instance the doctrine reports, else the first one
        tr = next((t for t in d.tests if t.test == tid and t.route == d.route), None) or \
            next((t for t in d.tests if t.test == tid), None)
        if tr is None:
            continue
        src = law.sources.get(tr.source)
        out.append(Evidence(test=tid, title=law.tests[tid].title, route=tr.route,
                            status=tr.status, facts=dict(tr.facts),
                            facts_read=[fact_line(k, v, law) for k, v in tr.facts.items()],
                            source=tr.source,
                            source_short=src.short if src else tr.source,
                            citation=src.citation if src else tr.source,
                            passage=law.tests[tid].passage))
    return out


def explain_doctrine(ev: Evaluation, doctrine: str, law: Law | None = None) -> \
        DoctrineExplanation:
    """One doctrine's answer, with the tests that decide it (or, when it justifies, the
    tests of the route that does), their sources and the rules that fired for them."""
    law = law or load()
    d = ev.doctrines[doctrine]
    shown = d.decisive or [t.test for t in d.tests if t.route == d.route]
    prefixes = tuple(p for t in shown for p in (f"test.{t}.", f"test.{t}["))
    trace = [{"rule": e.rule, "source": e.source} for e in d.trace
             if e.rule.startswith(prefixes) or e.rule.startswith(f"{doctrine}.")
             or any(e.rule.endswith(f".failed_by.{t}") for t in shown)]
    return DoctrineExplanation(
        doctrine=doctrine, name=d.name, verdict=d.verdict,
        verdict_label=verdict_label(d.verdict), route=d.route,
        route_title=route_title(d.route, law), score=d.score,
        score_max=d.score_max, decisive=evidence(d, shown, law),
        missing_facts=list(d.missing_facts), widening=list(d.widening),
        trace=list({(t["rule"], t["source"]): t for t in trace}.values()))


def doctrine_lines(x: DoctrineExplanation, law: Law | None = None) -> list[str]:
    """The doctrine's answer in words, one thing per line: the verdict, the route it was
    judged on, each decisive test (its title, status and source), what to find out."""
    law = law or load()
    lines = [f"{x.name}: {verdict_label(x.verdict)}."]
    if x.verdict == "justified":
        lines.append(f"Justified by the route “{route_title(x.route, law)}”: every one of "
                     "its tests is met.")
        return lines
    lines.append(f"Nearest route: “{route_title(x.route, law)}”.")
    for e in x.decisive:
        lines.append(f"Decisive, {status_label(e.status)}: {e.title} ({e.source_short}).")
    if x.missing_facts:
        lines.append("To settle it, find out: "
                     + "; ".join(fact_label(f, law) for f in x.missing_facts) + ".")
    return lines


__all__ = ["DoctrineExplanation", "Evidence", "doctrine_lines", "evidence",
           "explain_doctrine"]
