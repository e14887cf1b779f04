"""The four kinds of question, one class each. A question knows its own file format, what
a student sees of it, its answer key (read from the engine), the shape of a valid answer,
how to grade one and how to say it in words.

* `ClassificationQuestion`: what kind of force is this (reactive, interceptive, ...)?
* `VerdictsQuestion`: the verdict under each of some named doctrines.
* `DecisiveQuestion`: which tests make doctrine X reject (or leave undecided) the scenario.
* `WhatIfQuestion`: change at most N facts so that doctrine X justifies (or rejects) it;
  the student's changed scenario is evaluated, and the changes are counted.

A new kind is one more class here with the same methods, and one more member of
`Question`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import ErrorItem, InvalidInput
from engine.evaluate import evaluate, to_scenario
from engine.law.definitions import Law, load
from engine.law.scenario import Scenario, fact_catalogue
from engine.result import Classification, Evaluation, Verdict
from engine.teaching.explain import doctrine_lines, explain_doctrine
from engine.teaching.feedback import Feedback, feedback
from engine.teaching.search import find_changes
from engine.teaching.words import (
    DECISIVE_MEANING,
    class_label,
    doctrine_name,
    fact_label,
    fact_line,
    test_title,
    value_words,
    verdict_label,
)
from engine.validation import validation_errors

if TYPE_CHECKING:
    from engine.teaching.exercise import Exercise

CLASSIFICATIONS: tuple[str, ...] = (
    "reactive", "interceptive", "pre_emptive", "preventive", "reprisal", "regime_change",
    "collective_security", "unclassified",
)
VERDICTS: tuple[str, ...] = ("justified", "not_justified", "indeterminate")
MAX_WHAT_IF_CHANGES = 3
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
Loc = tuple[str | int, ...]


def tests_of(doctrine: str, law: Law | None = None) -> list[str]:
    """The tests of a doctrine's routes, in route order, without repeats."""
    law = law or load()
    out: list[str] = []
    for r in law.doctrines[doctrine].routes:
        out.extend(law.routes[r].tests)
    return list(dict.fromkeys(out))


def _all_or_nothing(ok: bool, points: float) -> float:
    return points if ok else 0.0


class QuestionBase(BaseModel):
    """What every kind of question has, and the methods each kind gives its own answer to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str  # each kind narrows it to its own literal (the discriminator of `Question`)
    id: Slug
    prompt: str | None = Field(default=None, max_length=2000,
                               description="the question as put to students; a default "
                                           "wording is generated when absent")
    points: float = Field(default=1.0, gt=0, le=100)

    # ---- the file
    def doctrines_named(self) -> list[str]:
        """The doctrines the question is about."""
        return []

    def subject(self) -> str | None:
        """The doctrine whose verdict the question itself gives away, if any."""
        return None

    def file_errors(self, loc: Loc, law: Law) -> list[ErrorItem]:
        """Problems with the question as written (beyond its schema)."""
        return [ErrorItem(loc, f"unknown doctrine '{d}'", "enum", list(law.doctrines))
                for d in self.doctrines_named() if d not in law.doctrines]

    def intent_errors(self, ex: Exercise, ev: Evaluation, loc: Loc) -> list[ErrorItem]:
        """Where the question's stated intent and the engine disagree."""
        return []

    # ---- the student's side
    def default_prompt(self, law: Law) -> str:
        raise NotImplementedError

    def student_fields(self, law: Law) -> dict[str, Any]:
        """What a student needs to answer, beyond id, kind, points and prompt."""
        return {}

    def student_view(self, law: Law) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "points": self.points,
                "prompt": self.prompt or self.default_prompt(law), **self.student_fields(law)}

    # ---- keys and grading
    def key(self, ex: Exercise) -> Any:
        """The engine's answer."""
        raise NotImplementedError

    def key_as_answer(self, ex: Exercise) -> Any:
        """The engine's key in the form a student would submit it."""
        return self.key(ex)

    def wrong_answer(self, ex: Exercise) -> Any:
        """An answer that the key marks wrong (for tests and demos)."""
        raise NotImplementedError

    def shape_errors(self, answer: Any, law: Law) -> list[ErrorItem]:
        """Why `answer` (not None) is not an answer to this question at all."""
        return []

    def deep_errors(self, ex: Exercise, answer: Any) -> list[ErrorItem]:
        """Errors only found by using a well-shaped answer (a what-if outside the
        vocabulary)."""
        return []

    def grade(self, ex: Exercise, answer: Any, ev: Evaluation, law: Law) -> Feedback:
        raise NotImplementedError

    def words_of(self, answer: Any, law: Law) -> list[str]:
        """An answer (the student's or the key) in words, one item per line."""
        raise NotImplementedError

    def _base(self, ex: Exercise, answer: Any, key: Any, law: Law) -> dict[str, Any]:
        return {"question": self.id, "kind": self.kind, "max_marks": self.points,
                "answer": answer, "key": key,
                "answer_words": [] if answer is None else self.words_of(answer, law),
                "key_words": [] if key is None else self.words_of(key, law)}


class ClassificationQuestion(QuestionBase):
    kind: Literal["classification"]
    expect: Classification | None = Field(default=None, description="stated intent, checked")

    def default_prompt(self, law: Law) -> str:
        return "What kind of force is this: reactive, interceptive, pre-emptive, " \
               "preventive, a reprisal, regime change, or collective security?"

    def student_fields(self, law: Law) -> dict[str, Any]:
        return {"choices": list(CLASSIFICATIONS)}

    def intent_errors(self, ex: Exercise, ev: Evaluation, loc: Loc) -> list[ErrorItem]:
        if self.expect is not None and self.expect != ev.classification:
            return [ErrorItem((*loc, "expect"), f"the engine classifies this force as "
                              f"{ev.classification}, not {self.expect}", "intent")]
        return []

    def key(self, ex: Exercise) -> Any:
        return ex.evaluation().classification

    def wrong_answer(self, ex: Exercise) -> Any:
        key = self.key(ex)
        return next(c for c in CLASSIFICATIONS if c != key)

    def shape_errors(self, answer: Any, law: Law) -> list[ErrorItem]:
        if isinstance(answer, str) and answer in CLASSIFICATIONS:
            return []
        return [ErrorItem(("answers", self.id), "must be one of the classifications", "enum",
                          list(CLASSIFICATIONS))]

    def words_of(self, answer: Any, law: Law) -> list[str]:
        return [f"Kind of force: {class_label(str(answer))}"]

    def grade(self, ex: Exercise, answer: Any, ev: Evaluation, law: Law) -> Feedback:
        key = ev.classification
        ok = answer == key
        cls = {c.id: c for c in law.classes}
        meaning = cls[key].meaning if key in cls else "none of the kinds matched"
        src = law.sources.get(cls[key].source) if key in cls else None
        lines = [f"The engine classifies this force as {class_label(key)}: "
                 f"{meaning.rstrip('.')}."]
        if src:
            lines.append(f"Source: {src.short}.")
        if not ok and isinstance(answer, str) and answer in cls:
            lines.append(f"You said {class_label(answer)}: {cls[answer].meaning.rstrip('.')}.")
            lines.append("The kinds are tried in order ("
                         + ", ".join(class_label(c.id) for c in law.classes)
                         + ") and the first that matches wins.")
        elif answer is None:
            lines.append("Not answered.")
        return feedback(**self._base(ex, answer, key, law), correct=ok,
                        marks=_all_or_nothing(ok, self.points), lines=lines)


class VerdictsQuestion(QuestionBase):
    kind: Literal["verdicts"]
    doctrines: list[str] = Field(min_length=1, max_length=6)
    expect: dict[str, Verdict] | None = None

    def doctrines_named(self) -> list[str]:
        return list(self.doctrines)

    def file_errors(self, loc: Loc, law: Law) -> list[ErrorItem]:
        errors = super().file_errors(loc, law)
        if self.expect is not None and set(self.expect) != set(self.doctrines):
            errors.append(ErrorItem((*loc, "expect"), "expect must give a verdict for "
                                    "exactly the doctrines asked"))
        return errors

    def intent_errors(self, ex: Exercise, ev: Evaluation, loc: Loc) -> list[ErrorItem]:
        return [ErrorItem((*loc, "expect", d), f"the engine finds {d} "
                          f"{ev.doctrines[d].verdict}, not {v}", "intent")
                for d, v in (self.expect or {}).items() if ev.doctrines[d].verdict != v]

    def default_prompt(self, law: Law) -> str:
        return "What is the verdict under each of these doctrines?"

    def student_fields(self, law: Law) -> dict[str, Any]:
        return {"doctrines": [{"id": d, "name": law.doctrines[d].name} for d in self.doctrines],
                "choices": list(VERDICTS)}

    def key(self, ex: Exercise) -> Any:
        ev = ex.evaluation()
        return {d: ev.doctrines[d].verdict for d in self.doctrines}

    def wrong_answer(self, ex: Exercise) -> Any:
        key = self.key(ex)
        return {d: next(v for v in VERDICTS if v != key[d]) for d in self.doctrines}

    def shape_errors(self, answer: Any, law: Law) -> list[ErrorItem]:
        if not isinstance(answer, dict) or any(
                k not in self.doctrines or v not in (*VERDICTS, None)
                for k, v in answer.items()):
            return [ErrorItem(("answers", self.id), "must map each doctrine asked to a "
                              "verdict", "type_error", list(VERDICTS))]
        return []

    def words_of(self, answer: Any, law: Law) -> list[str]:
        given = answer if isinstance(answer, dict) else {}
        return [f"{doctrine_name(d, law)}: "
                + (verdict_label(given[d]) if given.get(d) else "not answered")
                for d in self.doctrines]

    def grade(self, ex: Exercise, answer: Any, ev: Evaluation, law: Law) -> Feedback:
        key = {d: ev.doctrines[d].verdict for d in self.doctrines}
        given = answer if isinstance(answer, dict) else {}
        right = [d for d in self.doctrines if given.get(d) == key[d]]
        details = [explain_doctrine(ev, d, law) for d in self.doctrines]
        lines: list[str] = []
        for d, x in zip(self.doctrines, details, strict=True):
            said = verdict_label(given[d]) if given.get(d) else "no answer"
            words = doctrine_lines(x, law)
            mark = "✓" if d in right else "✗"
            lines.append(f"{mark} {words[0][:-1]} (you said: {said}).")
            lines.extend(words[1:])
        if any(x.decisive and x.verdict != "justified" for x in details):
            lines.append(DECISIVE_MEANING)
        marks = round(self.points * len(right) / len(self.doctrines), 4)
        return feedback(**self._base(ex, answer, key, law),
                        correct=len(right) == len(self.doctrines), marks=marks, lines=lines,
                        details=details)


class DecisiveQuestion(QuestionBase):
    kind: Literal["decisive"]
    doctrine: str
    verdict: Literal["not_justified", "indeterminate"] = Field(
        description="stated intent: the doctrine rejects (not_justified) or leaves the "
                    "scenario undecided (indeterminate)")
    expect: list[str] | None = None

    def doctrines_named(self) -> list[str]:
        return [self.doctrine]

    def subject(self) -> str | None:
        return self.doctrine

    def file_errors(self, loc: Loc, law: Law) -> list[ErrorItem]:
        errors = super().file_errors(loc, law)
        errors.extend(ErrorItem((*loc, "expect"), f"unknown test '{t}'", "enum",
                                list(law.tests))
                      for t in self.expect or [] if t not in law.tests)
        return errors

    def intent_errors(self, ex: Exercise, ev: Evaluation, loc: Loc) -> list[ErrorItem]:
        got = ev.doctrines[self.doctrine]
        if got.verdict != self.verdict:
            return [ErrorItem((*loc, "verdict"), f"the engine finds {self.doctrine} "
                              f"{got.verdict}, not {self.verdict}: a decisive question needs "
                              "a rejected or undecided scenario", "intent")]
        if self.expect is not None and set(self.expect) != set(got.decisive):
            return [ErrorItem((*loc, "expect"), f"the engine's decisive tests are "
                              f"{', '.join(got.decisive)}", "intent")]
        return []

    def default_prompt(self, law: Law) -> str:
        how = "reject" if self.verdict == "not_justified" else "leave undecided"
        return f"Which tests make {law.doctrines[self.doctrine].name} {how} this use of " \
               f"force? ({DECISIVE_MEANING})"

    def student_fields(self, law: Law) -> dict[str, Any]:
        return {"doctrine": {"id": self.doctrine, "name": law.doctrines[self.doctrine].name},
                "verdict": self.verdict,
                "choices": [{"id": t, "title": law.tests[t].title}
                            for t in tests_of(self.doctrine, law)]}

    def key(self, ex: Exercise) -> Any:
        return list(ex.evaluation().doctrines[self.doctrine].decisive)

    def wrong_answer(self, ex: Exercise) -> Any:
        key = self.key(ex)
        others = [t for t in tests_of(self.doctrine) if t not in key]
        return others[:1] if others else []

    def shape_errors(self, answer: Any, law: Law) -> list[ErrorItem]:
        allowed = tests_of(self.doctrine, law)
        if isinstance(answer, str):
            answer = [answer]
        if not isinstance(answer, list) or any(not isinstance(t, str) or t not in allowed
                                               for t in answer) or len(answer) > len(allowed):
            return [ErrorItem(("answers", self.id), f"must be a list of tests of "
                              f"{self.doctrine}", "enum", allowed)]
        return []

    def words_of(self, answer: Any, law: Law) -> list[str]:
        tests = [answer] if isinstance(answer, str) else list(answer or [])
        return [test_title(t, law) for t in tests] or ["(no test)"]

    def grade(self, ex: Exercise, answer: Any, ev: Evaluation, law: Law) -> Feedback:
        key = list(ev.doctrines[self.doctrine].decisive)
        given = [answer] if isinstance(answer, str) else list(answer or [])
        ok = answer is not None and set(given) == set(key)
        x = explain_doctrine(ev, self.doctrine, law)
        lines = doctrine_lines(x, law)
        if answer is None:
            lines.append("Not answered.")
        elif not ok:
            extra = [t for t in given if t not in key]
            missed = [t for t in key if t not in given]
            if extra:
                lines.append("Not decisive here: "
                             + "; ".join(test_title(t, law) for t in extra) + ".")
            if missed:
                lines.append("You missed: " + "; ".join(test_title(t, law) for t in missed)
                             + ".")
        lines.append(DECISIVE_MEANING)
        return feedback(**self._base(ex, answer, key, law), correct=ok,
                        marks=_all_or_nothing(ok, self.points), lines=lines, details=[x])


class WhatIfQuestion(QuestionBase):
    kind: Literal["what_if"]
    doctrine: str
    goal: Literal["justified", "not_justified"]
    max_changes: int = Field(ge=1, le=MAX_WHAT_IF_CHANGES)
    keep: list[str] = Field(default_factory=list, description="facts that may not be "
                            "changed (e.g. security_council.authorisation, which would "
                            "justify anything)")

    def doctrines_named(self) -> list[str]:
        return [self.doctrine]

    def subject(self) -> str | None:
        return self.doctrine

    def file_errors(self, loc: Loc, law: Law) -> list[ErrorItem]:
        errors = super().file_errors(loc, law)
        errors.extend(ErrorItem((*loc, "keep"), f"unknown fact '{f}'", "enum", list(law.facts))
                      for f in self.keep if f not in law.facts)
        return errors

    def intent_errors(self, ex: Exercise, ev: Evaluation, loc: Loc) -> list[ErrorItem]:
        got = ev.doctrines[self.doctrine]
        if got.verdict == self.goal:
            return [ErrorItem((*loc, "goal"), f"{self.doctrine} already finds this "
                              f"{self.goal}: nothing to change", "intent")]
        if self.key(ex) is None:
            return [ErrorItem((*loc, "max_changes"), f"the engine found no way to make "
                              f"{self.doctrine} {self.goal} with at most {self.max_changes} "
                              "change(s)", "intent")]
        return []

    def default_prompt(self, law: Law) -> str:
        goal = "justify" if self.goal == "justified" else "reject"
        return f"Change at most {self.max_changes} fact(s) so that " \
               f"{law.doctrines[self.doctrine].name} would {goal} this use of force."

    def student_fields(self, law: Law) -> dict[str, Any]:
        return {"doctrine": {"id": self.doctrine, "name": law.doctrines[self.doctrine].name},
                "goal": self.goal, "max_changes": self.max_changes, "keep": list(self.keep)}

    def key(self, ex: Exercise) -> Any:
        """One solution found by searching the engine (a dict of changed facts); grading
        re-evaluates the student's own."""
        return _what_if_key(ex.scenario.model_dump_json(),
                            json.dumps(ex.parameters, sort_keys=True), self.doctrine,
                            self.goal, self.max_changes, tuple(self.keep))

    def key_as_answer(self, ex: Exercise) -> Any:
        return {"changes": self.key(ex)}

    def wrong_answer(self, ex: Exercise) -> Any:
        return {"changes": {}}

    def shape_errors(self, answer: Any, law: Law) -> list[ErrorItem]:
        loc: Loc = ("answers", self.id)
        if not isinstance(answer, dict) or set(answer) - {"changes", "scenario"} or \
                len(answer) != 1:
            return [ErrorItem(loc, 'must be {"changes": {"group.fact": value, ...}} or '
                                   '{"scenario": {...}}', "type_error")]
        if "changes" in answer:
            changes = answer["changes"]
            if not isinstance(changes, dict) or len(changes) > 60:
                return [ErrorItem((*loc, "changes"), "must map dotted fact names to values",
                                  "type_error")]
            facts = fact_catalogue()
            return [ErrorItem((*loc, "changes", str(k)), unknown_fact_message(str(k)),
                              "unknown_field", list(facts)) for k in changes if k not in facts]
        return []

    def deep_errors(self, ex: Exercise, answer: Any) -> list[ErrorItem]:
        try:
            changed_scenario(ex, answer, ("answers", self.id))
        except InvalidInput as exc:
            return list(exc.errors)
        return []

    def words_of(self, answer: Any, law: Law) -> list[str]:
        if isinstance(answer, dict) and isinstance(answer.get("changes"), dict):
            changes = answer["changes"]
        elif isinstance(answer, dict) and "scenario" in answer:
            return ["a whole changed scenario"]
        elif isinstance(answer, dict):  # the key: changes only
            changes = answer
        else:
            return [str(answer)]
        return [fact_line(str(k), v, law) for k, v in changes.items()] or ["(no change)"]

    def grade(self, ex: Exercise, answer: Any, ev: Evaluation, law: Law) -> Feedback:
        key = self.key(ex)
        base = self._base(ex, answer, key, law)
        if answer is None:
            return feedback(**base, correct=False, marks=0.0,
                            lines=["Not answered.", *_example(key, law)])
        new = changed_scenario(ex, answer)
        n, diff = count_changes(ex.scenario, new)
        after = evaluate(new, ex.parameters, [self.doctrine])
        x = explain_doctrine(after, self.doctrine, law)
        reached = after.doctrines[self.doctrine].verdict == self.goal
        touched = [f for f in diff if f in self.keep]
        ok = reached and 0 < n <= self.max_changes and not touched
        before, now = ex.scenario.facts(), new.facts()
        lines = [f"You changed {n} fact{'' if n == 1 else 's'}; at most {self.max_changes} "
                 "allowed."]
        lines.extend(f"{fact_label(f, law)}: {value_words(before[f])} → "
                     f"{value_words(now[f])}" for f in diff)
        words = doctrine_lines(x, law)
        lines.append("With your changes, " + words[0])
        lines.extend(words[1:])
        if touched:
            lines.append("You changed " + "; ".join(fact_label(f, law) for f in touched)
                         + ", which this question keeps fixed.")
        elif reached and n > self.max_changes:
            lines.append("The goal is reached, but with too many changes.")
        elif not reached:
            lines.append(f"The goal was {verdict_label(self.goal)}.")
            lines.extend(_example(key, law))
        if x.decisive and x.verdict != "justified":
            lines.append(DECISIVE_MEANING)
        return feedback(**base, correct=ok, marks=_all_or_nothing(ok, self.points),
                        lines=lines, details=[x], changes_counted=n)


Question = Annotated[
    ClassificationQuestion | VerdictsQuestion | DecisiveQuestion | WhatIfQuestion,
    Field(discriminator="kind"),
]


def default_prompt(q: QuestionBase, law: Law) -> str:
    return q.default_prompt(law)


def unknown_fact_message(name: str) -> str:
    """`unknown fact 'threat.hours_untill'; did you mean 'threat.hours_until'?` — the same
    suggestion as the CLI's unknown-field messages (`engine.law.scenario.did_you_mean`)."""
    from engine.law.scenario import did_you_mean

    return f"unknown fact '{name}'{did_you_mean(name, fact_catalogue())}"


def _example(key: Any, law: Law) -> list[str]:
    if not key:
        return []
    return ["One way the engine found: "
            + "; ".join(fact_line(k, v, law) for k, v in key.items()) + "."]


@lru_cache(maxsize=256)
def _what_if_key(scenario_json: str, params_json: str, doctrine: str, goal: str,
                 max_changes: int, keep: tuple[str, ...]) -> dict[str, Any] | None:
    found = find_changes(Scenario.model_validate_json(scenario_json), json.loads(params_json),
                         doctrine, goal, max_changes, keep=keep)
    return None if found is None else dict(found)


def changed_scenario(ex: Exercise, answer: Mapping[str, Any], loc: Loc = ()) -> Scenario:
    """The student's what-if scenario: the exercise scenario with their changes applied
    (or the whole scenario they sent). InvalidInput if a value is outside the vocabulary."""
    if "scenario" in answer:
        return to_scenario(answer["scenario"], (*loc, "scenario"))
    doc = ex.scenario.model_dump(mode="json", exclude_none=True)
    # the normalised `territory.international` is kept as the exercise stated it
    doc.setdefault("territory", {})
    for fact, value in answer["changes"].items():
        group, name = str(fact).split(".", 1)
        section = doc.setdefault(group, {})
        section[name] = value
    # Re-validate (the vocabulary's types and ranges); errors name the student's fields
    try:
        return Scenario.model_validate(copy.deepcopy(doc))
    except ValidationError as exc:
        items = validation_errors(exc)
        for e in items:
            e.loc = (*loc, "changes", ".".join(str(p) for p in e.loc))
        raise InvalidInput(items) from None


def count_changes(before: Scenario, after: Scenario) -> tuple[int, list[str]]:
    """How many legal facts differ (unknown counts as a value)."""
    a, b = before.facts(), after.facts()
    diff = [f for f in a if a[f] != b[f]]
    return len(diff), diff


__all__ = [
    "CLASSIFICATIONS",
    "MAX_WHAT_IF_CHANGES",
    "VERDICTS",
    "ClassificationQuestion",
    "DecisiveQuestion",
    "Question",
    "QuestionBase",
    "Slug",
    "VerdictsQuestion",
    "WhatIfQuestion",
    "changed_scenario",
    "count_changes",
    "default_prompt",
    "tests_of",
    "unknown_fact_message",
]
