"""The words the teaching faces use for the law's identifiers: facts, values, verdicts,
kinds of force, tests and doctrines. Everything is read from rules/ (through
`engine.law.definitions`), never spelled out per identifier here; where the law model gives a
label (a fact's `label` or `meaning`) it is used first.

    fact_label("threat.intent")        # "The adversary's intent"
    fact_line("threat.intent", "decided")   # "The adversary's intent: decided"
    verdict_label("not_justified")     # 'not justified'

Labels are the law model's (rules/facts.yaml, rules/verdicts.yaml, rules/classification.yaml);
the fallbacks only serve identifiers the model does not know.
"""

from __future__ import annotations

from typing import Any

from engine.law.definitions import Law, load

DECISIVE_MEANING = (
    "Decisive tests are the ones that decide the answer: when a doctrine rejects the "
    "force, the tests that its nearest route failed; when it is undecided, the tests still "
    "unknown on the routes that failed none.")


def words(identifier: str) -> str:
    """An identifier as words: `time_to_deliberate` → `time to deliberate`."""
    return str(identifier).replace("_", " ")


def _law(law: Law | None) -> Law:
    return law or load()


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def fact_label(dotted: str, law: Law | None = None) -> str:
    """A fact's readable name: its label in the law model ("The adversary's intent")."""
    fd = _law(law).fact_defs.get(dotted)
    if fd is not None and fd.label:
        return _capital(fd.label)
    if "." not in dotted:
        return _capital(words(dotted))
    group, name = dotted.split(".", 1)
    return f"{_capital(words(name))} ({words(group)})"


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
    """`The adversary's intent: decided`, `The time until the anticipated attack: 12 hours`."""
    fd = _law(law).fact_defs.get(dotted)
    said = value_words(value)
    # a unit that is a quantity (hours) is said; a probability is its own unit
    if fd is not None and fd.unit and fd.unit != "probability" \
            and isinstance(value, int | float) and not isinstance(value, bool):
        said += f" {fd.unit}"
    return f"{fact_label(dotted, law)}: {said}"


def _label(items: Any, ident: str) -> str | None:
    for item in items:
        if item.id == ident:
            return str(item.label)
    return None


def verdict_label(verdict: str, law: Law | None = None) -> str:
    return _label(_law(law).verdicts, verdict) or words(verdict)


def status_label(status: str, law: Law | None = None) -> str:
    return _label(_law(law).statuses, status) or words(status)


def class_label(class_id: str, law: Law | None = None) -> str:
    """A kind of force as the law model names it (`pre_emptive` → `pre-emptive`)."""
    return _label(_law(law).classes, class_id) or words(class_id)


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
