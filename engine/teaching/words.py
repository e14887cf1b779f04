"""The words the teaching faces use for the law's identifiers: facts, values, verdicts,
kinds of force, tests and doctrines. Everything is read from rules/ (through
`engine.law.definitions`), never spelled out per identifier here; where the law model gives a
label (a fact's `label` or `meaning`) it is used first.

    fact_label("threat.intent")        # 'Intent (threat)'
    fact_line("threat.intent", "decided")   # 'Intent (threat): decided'
    verdict_label("not_justified")     # 'not justified'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.law.definitions import Law, load

VERDICT_LABELS: dict[str, str] = {
    "justified": "justified",
    "not_justified": "not justified",
    "indeterminate": "undecided (indeterminate)",
}
STATUS_LABELS: dict[str, str] = {"satisfied": "met", "failed": "failed", "unknown": "unknown"}
DECISIVE_MEANING = (
    "Decisive tests are the ones that decide the answer: when a doctrine rejects the "
    "force, the tests that its nearest route failed; when it is undecided, the tests still "
    "unknown on the routes that failed none.")


def words(identifier: str) -> str:
    """An identifier as words: `time_to_deliberate` → `time to deliberate`."""
    return str(identifier).replace("_", " ")


def _law(law: Law | None) -> Law:
    return law or load()


def fact_label(dotted: str, law: Law | None = None) -> str:
    """A fact's readable name: its label in the law model, else its name and group."""
    info: Mapping[str, Any] = _law(law).facts.get(dotted, {})
    label = info.get("label")
    if isinstance(label, str) and label:
        return label
    if "." not in dotted:
        return words(dotted).capitalize()
    group, name = dotted.split(".", 1)
    return f"{words(name).capitalize()} ({words(group)})"


def value_words(value: Any) -> str:
    """A fact's value as a reader says it: unknown, yes/no, words, plain numbers."""
    if value is None:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return words(value)
    return str(value)


def fact_line(dotted: str, value: Any, law: Law | None = None) -> str:
    """`Intent (threat): decided`."""
    return f"{fact_label(dotted, law)}: {value_words(value)}"


def verdict_label(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, words(verdict))


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, words(status))


def class_label(class_id: str) -> str:
    """A kind of force as written in prose (`pre_emptive` → `pre-emptive`)."""
    text = words(class_id)
    return text.replace("pre emptive", "pre-emptive")


def doctrine_name(doctrine: str, law: Law | None = None) -> str:
    d = _law(law).doctrines.get(doctrine)
    return d.name if d else words(doctrine)


def test_title(test: str, law: Law | None = None) -> str:
    t = _law(law).tests.get(test)
    return t.title if t else words(test)


def route_title(route: str, law: Law | None = None) -> str:
    r = _law(law).routes.get(route)
    return r.title if r else words(route)


def source_short(source: str, law: Law | None = None) -> str:
    s = _law(law).sources.get(source)
    return s.short if s else source


__all__ = [
    "DECISIVE_MEANING",
    "STATUS_LABELS",
    "VERDICT_LABELS",
    "class_label",
    "doctrine_name",
    "fact_label",
    "fact_line",
    "route_title",
    "source_short",
    "status_label",
    "test_title",
    "value_words",
    "verdict_label",
    "words",
]
