"""What a graded attempt says: per question, the marks, and the answer, the engine's key
and the explanation in words (one thing per line)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from engine.teaching.explain import DoctrineExplanation


class Feedback(BaseModel):
    question: str
    kind: str
    correct: bool
    marks: float
    max_marks: float
    answer: Any
    key: Any
    explanation: str = Field(description="the lines below, joined by newlines")
    lines: list[str] = Field(default_factory=list,
                             description="the explanation, one thing per line")
    answer_words: list[str] = Field(default_factory=list,
                                    description="the student's answer in words")
    key_words: list[str] = Field(default_factory=list,
                                 description="the engine's answer in words (the model "
                                             "answer, as readable facts)")
    details: list[DoctrineExplanation] = Field(default_factory=list)
    changes_counted: int | None = None


class Graded(BaseModel):
    exercise: str
    marks: float
    max_marks: float
    feedback: list[Feedback]


def feedback(*, lines: list[str], **fields: Any) -> Feedback:
    """A Feedback whose `explanation` is its lines, one per line."""
    return Feedback(explanation="\n".join(lines), lines=lines, **fields)


__all__ = ["Feedback", "Graded", "feedback"]
