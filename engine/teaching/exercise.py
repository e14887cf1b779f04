"""An exercise: the file format (`ExerciseFile`) and the validated exercise (`Exercise`),
with its scenario resolved and its parameters effective, and its keys from the engine."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.evaluate import evaluate
from engine.law.definitions import load
from engine.law.scenario import Scenario
from engine.result import Evaluation
from engine.teaching.questions import Question, Slug


class ExerciseFile(BaseModel):
    """An exercise document (scenarios/exercises/*.yaml) before its scenario is resolved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: str = Field(max_length=200)
    scenario: Slug | dict[str, Any] = Field(
        description="a library case id (scenarios/*.yaml) or the facts inline")
    parameters: dict[str, Any] | None = None
    prompt: str = Field(max_length=5000)
    teaching_note: str = Field(max_length=5000)
    questions: list[Question] = Field(min_length=1, max_length=20)


@dataclass(frozen=True)
class Exercise:
    """A validated exercise: its scenario resolved, its parameters effective."""

    doc: ExerciseFile
    scenario: Scenario
    scenario_ref: str | None
    parameters: dict[str, Any]
    path: Path | None = None

    @property
    def id(self) -> str:
        return self.doc.id

    def question(self, qid: str) -> Question:
        for q in self.doc.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def evaluation(self) -> Evaluation:
        """The engine's answer on the exercise scenario (cached)."""
        return _evaluation(self.scenario.model_dump_json(),
                           json.dumps(self.parameters, sort_keys=True))

    def max_marks(self) -> float:
        return float(sum(q.points for q in self.doc.questions))

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.doc.title,
                "kinds": sorted({q.kind for q in self.doc.questions}),
                "doctrines": doctrines_covered(self),
                "questions": len(self.doc.questions), "max_marks": self.max_marks()}

    def student_view(self) -> dict[str, Any]:
        """Everything a student needs to answer, and no answer key. The teaching note is
        not here: it belongs to the feedback, shown once an attempt is stored."""
        law = load()
        return {
            "id": self.id, "title": self.doc.title, "prompt": self.doc.prompt,
            "scenario_ref": self.scenario_ref,
            "scenario": self.scenario.model_dump(mode="json", exclude_none=True),
            "parameters": self.parameters,
            "changed_parameters": {k: v for k, v in self.parameters.items()
                                   if law.parameters[k].default != v},
            "questions": [q.student_view(law) for q in self.doc.questions],
            "max_marks": self.max_marks(),
        }


def doctrines_covered(ex: Exercise) -> list[str]:
    return list(dict.fromkeys(d for q in ex.doc.questions for d in q.doctrines_named()))


@lru_cache(maxsize=256)
def _evaluation(scenario_json: str, params_json: str) -> Evaluation:
    return evaluate(json.loads(scenario_json), json.loads(params_json))


def answer_key(ex: Exercise, q: Question) -> Any:
    """The engine's answer to one question. For a what-if question: one solution found by
    searching the engine (a dict of changed facts); grading re-evaluates the student's own."""
    return q.key(ex)


def answer_keys(ex: Exercise) -> dict[str, Any]:
    return {q.id: q.key(ex) for q in ex.doc.questions}


def wrong_answer(ex: Exercise, q: Question) -> Any:
    """An answer that the key marks wrong (for tests and demos)."""
    return q.wrong_answer(ex)


def key_as_answer(ex: Exercise, q: Question) -> Any:
    """The engine's key in the form a student would submit it."""
    return q.key_as_answer(ex)


__all__ = ["Exercise", "ExerciseFile", "answer_key", "answer_keys", "doctrines_covered",
           "key_as_answer", "wrong_answer"]
