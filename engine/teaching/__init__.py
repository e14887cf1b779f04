"""Teaching: exercises graded by the engine.

    ex = load_exercise("six-day-war-imminence")      # from scenarios/exercises/
    ex.student_view()                                # what a student may see: no keys
    graded = grade(ex, {"kind-of-force": "pre_emptive", ...})
    graded.marks, graded.max_marks, graded.feedback[0].lines

The package, by job:

* `questions`: the four kinds of question, one class each (file format, student view,
  key, answer shape, grading, words);
* `exercise`: the exercise file and the validated exercise;
* `loading`: reading and checking exercise files;
* `grading`: answers checked, then graded question by question;
* `explain`, `feedback`, `words`: what the engine relied on and how it is said;
* `search`: what-if keys, found by asking the engine.

This package holds no law. Every key is read from `evaluate()`; titles, passages and
citations come from rules/ through `engine.law.definitions`. An exercise file may state its
intent (`expect`, a decisive question's `verdict`, a what-if `goal` that must be
reachable); when the engine disagrees the file fails validation, so a teacher's
mistaken belief about the law never becomes an answer key.
"""

from __future__ import annotations

from engine.teaching.exercise import (
    Exercise,
    ExerciseFile,
    answer_key,
    answer_keys,
    doctrines_covered,
    key_as_answer,
    wrong_answer,
)
from engine.teaching.explain import DoctrineExplanation, Evidence, doctrine_lines, explain_doctrine
from engine.teaching.feedback import Feedback, Graded
from engine.teaching.grading import grade, validate_answers
from engine.teaching.loading import (
    check_intent,
    exercises,
    exercises_dir,
    load_exercise,
    load_exercise_file,
    parse_exercise,
    validate_all,
)
from engine.teaching.questions import (
    CLASSIFICATIONS,
    MAX_WHAT_IF_CHANGES,
    VERDICTS,
    ClassificationQuestion,
    DecisiveQuestion,
    Question,
    QuestionBase,
    VerdictsQuestion,
    WhatIfQuestion,
    changed_scenario,
    count_changes,
    default_prompt,
    tests_of,
    unknown_fact_message,
)
from engine.teaching.search import find_changes

__all__ = [
    "CLASSIFICATIONS",
    "MAX_WHAT_IF_CHANGES",
    "VERDICTS",
    "ClassificationQuestion",
    "DecisiveQuestion",
    "DoctrineExplanation",
    "Evidence",
    "Exercise",
    "ExerciseFile",
    "Feedback",
    "Graded",
    "Question",
    "QuestionBase",
    "VerdictsQuestion",
    "WhatIfQuestion",
    "answer_key",
    "answer_keys",
    "changed_scenario",
    "check_intent",
    "count_changes",
    "default_prompt",
    "doctrine_lines",
    "doctrines_covered",
    "exercises",
    "exercises_dir",
    "explain_doctrine",
    "find_changes",
    "grade",
    "key_as_answer",
    "load_exercise",
    "load_exercise_file",
    "parse_exercise",
    "tests_of",
    "unknown_fact_message",
    "validate_all",
    "validate_answers",
    "wrong_answer",
]
