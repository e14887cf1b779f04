"""Instructor results in the form a teacher reads them: per attempt its marks and what the
student answered (in words), per student the latest and the best attempt, and the identifiers
students may use.

    student_id_problem("ann/1")     # "'/' is not allowed in a student id; ..."
    per_student(attempts, exercise) # [{student, attempts, latest, best}, ...]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from api.teaching.storage import Attempt
from engine.law.definitions import load
from engine.teaching.exercises import Exercise, exercises

# A student id travels in URLs (/v1/instructor/students/{student}/results) and CSV files:
# letters and digits of any script, spaces inside, and . _ @ + ' - (e-mail addresses,
# student numbers, names). Nothing else, so that every stored id can be looked up again.
STUDENT_ID = re.compile(r"\w(?:[\w .@+'-]{0,98}[\w.@+'-])?")
STUDENT_ID_RULE = ("1-100 characters: letters, digits, spaces (not first or last) and "
                   ". _ @ + ' -")


def student_id_problem(value: str) -> str | None:
    """Why `value` is not a usable student id, or None if it is."""
    if STUDENT_ID.fullmatch(value):
        return None
    if not value:
        return f"a student id is required ({STUDENT_ID_RULE})"
    if len(value) > 100:
        return f"a student id is at most 100 characters, got {len(value)}"
    bad = next((ch for ch in value if not re.fullmatch(r"[\w .@+'-]", ch)), None)
    if bad is not None:
        shown = repr(bad) if not bad.isprintable() or bad.isspace() else f"'{bad}'"
        return f"{shown} is not allowed in a student id; use {STUDENT_ID_RULE}"
    return f"a student id may not start or end with a space or a sign; use {STUDENT_ID_RULE}"


def answer_words(a: Attempt, ex: Exercise | None) -> dict[str, list[str]]:
    """What the student answered, per question, in words: as the feedback said it when it
    was graded, else as the exercise says it now, else the raw answer."""
    said = {f["question"]: f.get("answer_words") for f in a.feedback.get("feedback", [])}
    law = load()
    out: dict[str, list[str]] = {}
    for qid, answer in a.answers.items():
        words = said.get(qid)
        if not words and ex is not None:
            try:
                words = ex.question(qid).words_of(answer, law)
            except (KeyError, TypeError, ValueError, AttributeError):
                words = None
        out[qid] = list(words) if words else [str(answer)]
    return out


def attempt_row(a: Attempt, ex: Exercise | None = None) -> dict[str, Any]:
    """One attempt for the instructor: marks per question and the answers in words."""
    per_question = {f["question"]: f["marks"] for f in a.feedback.get("feedback", [])}
    return {"id": a.id, "exercise": a.exercise_id, "student": a.student,
            "course": a.course_id, "created_at": a.created_at.isoformat(),
            "marks": a.marks, "max_marks": a.max_marks, "questions": per_question,
            "answers": answer_words(a, ex)}


def latest_and_best(attempts: list[Attempt]) -> tuple[Attempt, Attempt]:
    """The latest attempt, and the best (most marks; the earliest of equals)."""
    latest = max(attempts, key=lambda a: (a.created_at, a.id))
    best = min(attempts, key=lambda a: (-a.marks, a.created_at, a.id))
    return latest, best


def per_student(attempts: Iterable[Attempt], names: dict[str, str] | None = None
                ) -> list[dict[str, Any]]:
    """Per student and exercise: how many attempts, the latest and the best, in the order
    students first attempted."""
    groups: dict[tuple[str, str], list[Attempt]] = {}
    for a in attempts:
        groups.setdefault((a.student, a.exercise_id), []).append(a)
    found = exercises()
    out = []
    for (student, exercise_id), group in groups.items():
        ex = found.get(exercise_id)
        latest, best = latest_and_best(group)
        out.append({"student": student, "name": (names or {}).get(student, student),
                    "exercise": exercise_id, "title": ex.doc.title if ex else exercise_id,
                    "attempts": len(group), "latest": attempt_row(latest, ex),
                    "best": attempt_row(best, ex)})
    return out


__all__ = ["STUDENT_ID", "STUDENT_ID_RULE", "answer_words", "attempt_row", "latest_and_best",
           "per_student", "student_id_problem"]
