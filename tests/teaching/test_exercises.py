"""Exercises: keys come from the engine, intent is checked, grading is by the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.errors import InputFileError, InvalidInput
from engine.law.definitions import load
from engine.teaching.exercises import (
    DecisiveQuestion,
    Exercise,
    VerdictsQuestion,
    WhatIfQuestion,
    answer_keys,
    exercises,
    exercises_dir,
    grade,
    key_as_answer,
    load_exercise_file,
    parse_exercise,
    wrong_answer,
)

FILES = sorted(exercises_dir().glob("*.yaml"))
IDS = [p.stem for p in FILES]
KINDS = {"classification", "verdicts", "decisive", "what_if"}


def ex(exercise_id: str) -> Exercise:
    return exercises()[exercise_id]


def test_there_are_at_least_twelve_exercises_covering_every_kind_and_every_doctrine() -> None:
    all_ex = exercises()
    assert len(all_ex) >= 12
    kinds = {q.kind for e in all_ex.values() for q in e.doc.questions}
    assert kinds == KINDS
    covered = {d for e in all_ex.values() for d in e.summary()["doctrines"]}
    assert covered == set(load().doctrines)
    # every doctrine is the subject of a decisive or what-if question somewhere, too
    subjects = {q.doctrine for e in all_ex.values() for q in e.doc.questions
                if isinstance(q, DecisiveQuestion | WhatIfQuestion)}
    assert subjects == set(load().doctrines)
    assert all(len(e.doc.teaching_note) > 80 for e in all_ex.values())


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_exercise_file_is_valid_and_the_engine_agrees_with_its_intent(path: Path) -> None:
    load_exercise_file(path, check=True)


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_engines_key_gets_full_marks(exercise_id: str) -> None:
    e = ex(exercise_id)
    answers = {q.id: key_as_answer(e, q) for q in e.doc.questions}
    graded = grade(e, answers)
    assert graded.marks == graded.max_marks == e.max_marks()
    assert all(f.correct for f in graded.feedback)


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_wrong_answer_gets_no_marks(exercise_id: str) -> None:
    e = ex(exercise_id)
    answers = {q.id: wrong_answer(e, q) for q in e.doc.questions}
    graded = grade(e, answers)
    assert graded.marks == 0
    assert not any(f.correct for f in graded.feedback)


@pytest.mark.parametrize("exercise_id", IDS)
def test_no_answer_gets_no_marks_and_feedback_still_explains(exercise_id: str) -> None:
    graded = grade(ex(exercise_id), {})
    assert graded.marks == 0
    assert all(f.explanation for f in graded.feedback)


def test_feedback_explains_with_the_engines_tests_trace_and_sources() -> None:
    e = ex("six-day-war-imminence")
    f = {x.question: x for x in grade(e, {"why-not-caroline": ["necessity"]}).feedback}
    fb = f["why-not-caroline"]
    assert not fb.correct
    d = fb.details[0]
    assert d.doctrine == "caroline" and d.verdict == "not_justified"
    ev = d.decisive[0]
    assert ev.test == "imminence_caroline" and ev.status == "failed"
    assert ev.source == "webster-1842" and "Webster" in ev.citation and ev.passage
    assert "threat.time_known" in ev.facts
    assert any(t["rule"].startswith("test.imminence_caroline") for t in d.trace)
    assert "You missed: imminence_caroline" in fb.explanation


def test_what_if_is_graded_by_re_evaluating_the_students_own_scenario() -> None:
    e = ex("six-day-war-imminence")
    q = e.question("make-it-caroline")
    assert isinstance(q, WhatIfQuestion)
    # another answer than the engine's key (a day ahead, not at once) is graded on its own
    mine = {"changes": {"threat.hours_until": 24, "threat.time_known": True,
                        "threat.intent": "decided"}}
    assert mine["changes"] != answer_keys(e)[q.id]
    fb = grade(e, {q.id: mine}).feedback[-1]
    assert fb.correct and fb.marks == 1 and fb.changes_counted == 3
    assert fb.details[0].verdict == "justified"


def test_the_six_day_war_what_if_is_about_imminence_as_its_teaching_note_says() -> None:
    # The note says Caroline fails on imminence only (time unknown, intent planning): the
    # model answer must supply Webster's facts, not an armed attack that never happened.
    e = ex("six-day-war-imminence")
    key = answer_keys(e)["make-it-caroline"]
    assert key is not None and set(key) == {"threat.hours_until", "threat.time_known",
                                            "threat.intent"}
    assert key["threat.time_known"] is True and key["threat.intent"] == "decided"
    assert 0 <= key["threat.hours_until"] <= 72
    assert "time of the" in e.doc.teaching_note and "planning" in e.doc.teaching_note
    supplied_attack = {"changes": {"armed_attack.status": "launched",
                                   "armed_attack.gravity": "grave",
                                   "armed_attack.attributable": True}}
    fb = grade(e, {"make-it-caroline": supplied_attack}).feedback[-1]
    assert fb.details[0].verdict == "justified"  # the engine would justify it so ...
    assert not fb.correct and "keeps fixed" in fb.explanation  # ... but the question forbids it


def test_what_if_with_too_many_changes_gets_nothing_even_if_the_goal_is_reached() -> None:
    e = ex("cyber-threat-inline")  # max_changes 1
    answer = {"changes": {"threat.hours_until": 12, "threat.evidence": "high",
                          "threat.probability": 0.9}}
    fb = grade(e, {"within-the-window": answer}).feedback[-1]
    assert fb.changes_counted == 2  # evidence was already high: not a change
    assert not fb.correct and fb.marks == 0
    assert "too many changes" in fb.explanation


def test_what_if_that_touches_a_kept_fact_gets_nothing() -> None:
    e = ex("cyber-threat-inline")
    fb = grade(e, {"within-the-window": {"changes": {"security_council.authorisation": True}}}
               ).feedback[-1]
    assert fb.details[0].verdict == "justified"
    assert not fb.correct and "keeps fixed" in fb.explanation


def test_what_if_counts_setting_a_fact_to_unknown_as_a_change() -> None:
    e = ex("low-probability-nuclear-widening")  # nss_2002 must come to reject
    fb = grade(e, {"make-nss-reject": {"changes": {"threat.probability": None}}}).feedback[-1]
    assert fb.changes_counted == 1
    assert fb.details[0].verdict == "indeterminate" and not fb.correct


def test_what_if_accepts_a_whole_changed_scenario() -> None:
    e = ex("cyber-threat-inline")
    doc = e.scenario.model_dump(mode="json", exclude_none=True)
    doc["threat"]["hours_until"] = 20
    fb = grade(e, {"within-the-window": {"scenario": doc}}).feedback[-1]
    assert fb.correct and fb.changes_counted == 1


def test_verdict_questions_give_partial_credit_per_doctrine() -> None:
    e = ex("six-day-war-imminence")
    q = e.question("verdicts")
    assert isinstance(q, VerdictsQuestion)
    key = answer_keys(e)["verdicts"]
    half = {d: (v if i % 2 == 0 else "indeterminate") for i, (d, v) in enumerate(key.items())}
    fb = grade(e, {"verdicts": half}).feedback[1]
    assert 0 < fb.marks < 1 and not fb.correct


@pytest.mark.parametrize("answers", [
    {"kind-of-force": "imminent"},
    {"kind-of-force": 3},
    {"verdicts": {"caroline": "lawful"}},
    {"verdicts": ["justified"]},
    {"why-not-caroline": ["no_such_test"]},
    {"make-it-caroline": {"changes": {"threat.hours_untill": 3}}},
    {"make-it-caroline": {"changes": {"threat.probability": 2}}},
    {"make-it-caroline": {"changes": {"threat.time_known": "yes"}}},
    {"make-it-caroline": {"facts": {}}},
    {"no-such-question": "x"},
])
def test_answers_that_are_not_answers_are_invalid_input(answers: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as info:
        grade(ex("six-day-war-imminence"), answers)
    assert info.value.errors and info.value.errors[0].loc[0] == "answers"


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_student_view_carries_no_answer_key(exercise_id: str) -> None:
    e = ex(exercise_id)
    view = e.student_view()
    text = json.dumps(view)
    assert '"expect"' not in text and '"key"' not in text
    for q in view["questions"]:
        assert set(q) <= {"id", "kind", "points", "prompt", "choices", "doctrines",
                          "doctrine", "verdict", "goal", "max_changes", "keep"}
    # the decisive tests are offered among all the doctrine's tests, never alone
    for q in e.doc.questions:
        if isinstance(q, DecisiveQuestion):
            shown = next(v for v in view["questions"] if v["id"] == q.id)
            assert len(shown["choices"]) > len(answer_keys(e)[q.id])


BASE = """
id: probe
title: Probe
scenario: six-day-war-1967
prompt: p
teaching_note: n
questions:
"""


@pytest.mark.parametrize(("questions", "where", "says"), [
    ("  - {id: a, kind: classification, expect: preventive}\n",
     "questions.0.expect", "classifies this force as pre_emptive"),
    ("  - {id: a, kind: verdicts, doctrines: [caroline], expect: {caroline: justified}}\n",
     "questions.0.expect.caroline", "finds caroline not_justified"),
    ("  - {id: a, kind: decisive, doctrine: pre_emptive, verdict: not_justified}\n",
     "questions.0.verdict", "finds pre_emptive justified"),
    ("  - {id: a, kind: decisive, doctrine: caroline, verdict: not_justified, "
     "expect: [necessity]}\n", "questions.0.expect", "imminence_caroline"),
    ("  - {id: a, kind: what_if, doctrine: pre_emptive, goal: justified, max_changes: 1}\n",
     "questions.0.goal", "already finds this justified"),
    ("  - {id: a, kind: what_if, doctrine: charter_restrictive, goal: justified, "
     "max_changes: 1, keep: [security_council.authorisation]}\n",
     "questions.0.max_changes", "found no way"),
    ("  - {id: a, kind: verdicts, doctrines: [caroline]}\n"
     "  - {id: b, kind: decisive, doctrine: caroline, verdict: not_justified}\n",
     "questions.0.doctrines", "gives its verdict away"),
])
def test_an_exercise_whose_intent_the_engine_contradicts_fails_validation(
        questions: str, where: str, says: str) -> None:
    with pytest.raises(InputFileError) as info:
        parse_exercise(BASE + questions, "probe.yaml")
    err = info.value.errors[0]
    assert err.path == where and says in err.msg
    assert err.line is not None and err.line >= 8  # points at the question in the file


@pytest.mark.parametrize(("doc", "where"), [
    (BASE.replace("six-day-war-1967", "no-such-case") + "  - {id: a, kind: classification}\n",
     "scenario"),
    (BASE + "  - {id: a, kind: guess}\n", "questions.0"),
    (BASE + "  - {id: a, kind: verdicts, doctrines: [bush_doctrine]}\n", "questions.0"),
    (BASE + "  - {id: a, kind: what_if, doctrine: caroline, goal: justified, "
            "max_changes: 9}\n", "questions.0.what_if.max_changes"),
    (BASE.replace("scenario: six-day-war-1967", "scenario: {threat: {hours_until: -1}}")
     + "  - {id: a, kind: classification}\n", "scenario.threat.hours_until"),
])
def test_malformed_exercise_files_name_the_field(doc: str, where: str) -> None:
    with pytest.raises(InputFileError) as info:
        parse_exercise(doc, "probe.yaml")
    assert info.value.errors[0].path == where
