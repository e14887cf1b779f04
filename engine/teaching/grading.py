"""Grading: answers checked for shape, then each question graded by its own kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import ErrorItem, InvalidInput
from engine.law.definitions import load
from engine.teaching.exercise import Exercise
from engine.teaching.feedback import Graded


def validate_answers(ex: Exercise, answers: Mapping[str, Any]) -> None:
    """Raise InvalidInput for answers that are not answers (wrong shape, unknown question,
    a what-if change outside the vocabulary). A wrong answer is not invalid."""
    law = load()
    errors: list[ErrorItem] = []
    ids = {q.id for q in ex.doc.questions}
    for k in answers:
        if k not in ids:
            errors.append(ErrorItem(("answers", str(k)), f"no question '{k}' in {ex.id}",
                                    "unknown_field", sorted(ids)))
    for q in ex.doc.questions:
        answer = answers.get(q.id)
        if answer is None:
            continue
        errors.extend(q.shape_errors(answer, law))
        if not errors:
            errors.extend(q.deep_errors(ex, answer))
    if errors:
        raise InvalidInput(errors)


def grade(ex: Exercise, answers: Mapping[str, Any]) -> Graded:
    """Grade answers against the engine. Unanswered questions score nothing."""
    validate_answers(ex, answers)
    law = load()
    ev = ex.evaluation()
    feedback = [q.grade(ex, answers.get(q.id), ev, law) for q in ex.doc.questions]
    marks = round(sum(f.marks for f in feedback), 4)
    return Graded(exercise=ex.id, marks=marks, max_marks=ex.max_marks(), feedback=feedback)


__all__ = ["grade", "validate_answers"]
