"""Reading exercise files: parse, resolve the scenario and parameters, check each question
as written and, with `check`, its stated intent against the engine."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.errors import ErrorItem, InputFileError, InvalidInput
from engine.evaluate import to_scenario
from engine.law.definitions import load
from engine.law.scenario import Scenario
from engine.loader import line_of, parse_text, read_text, scenarios_dir
from engine.teaching.exercise import Exercise, ExerciseFile
from engine.validation import validation_errors


def exercises_dir() -> Path:
    """Where exercises live: $IMMINENCE_EXERCISES, else scenarios/exercises/."""
    env = os.environ.get("IMMINENCE_EXERCISES")
    return Path(env) if env else scenarios_dir() / "exercises"


def _fail(name: str, lines: dict[tuple[Any, ...], int], items: list[ErrorItem]) -> InputFileError:
    for e in items:
        if e.line is None:
            e.line = line_of(lines, e.loc)
    return InputFileError(items, file=name)


def parse_exercise(text: str, name: str = "<exercise>", *, check: bool = True) -> Exercise:
    """Read and validate one exercise document. With `check`, every stated intent is
    compared with the engine and a what-if goal must be reachable; InputFileError names
    the line of each problem."""
    data, lines = parse_text(text, name)
    if not isinstance(data, dict):
        raise InputFileError([ErrorItem((), "an exercise must be a mapping", "type_error",
                                        line=1)], file=name)
    try:
        doc = ExerciseFile.model_validate(data)
    except ValidationError as exc:
        raise _fail(name, lines, validation_errors(exc)) from None
    return _resolve(doc, lines, name, check=check)


def _resolve(doc: ExerciseFile, lines: dict[tuple[Any, ...], int], name: str, *,
             check: bool) -> Exercise:
    from engine.law.parameters import resolve
    from engine.loader import library

    law = load()
    errors: list[ErrorItem] = []
    ref: str | None = None
    scenario: Scenario | None = None
    if isinstance(doc.scenario, str):
        ref = doc.scenario
        entry = next((e for e in library() if e.id == ref), None)
        if entry is None:
            errors.append(ErrorItem(("scenario",), f"no library case '{ref}'", "unknown_case",
                                    [e.id for e in library()]))
        else:
            scenario = entry.scenario
    else:
        try:
            scenario = to_scenario(doc.scenario, ("scenario",))
        except InvalidInput as exc:
            errors.extend(exc.errors)
    try:
        params = resolve(doc.parameters)
    except InvalidInput as exc:
        errors.extend(exc.errors)
        params = resolve(None)
    ids = [q.id for q in doc.questions]
    for i, q in enumerate(doc.questions):
        if ids.count(q.id) > 1:
            errors.append(ErrorItem(("questions", i, "id"), f"duplicate question id '{q.id}'"))
        errors.extend(q.file_errors(("questions", i), law))
    # A decisive or what-if question names its doctrine's verdict (or what it is not):
    # asking that verdict in the same exercise would give the answer away.
    subjects = {s for q in doc.questions if (s := q.subject()) is not None}
    for i, q in enumerate(doc.questions):
        if q.kind == "verdicts":
            for d in q.doctrines_named():
                if d in subjects:
                    errors.append(ErrorItem(("questions", i, "doctrines"), f"{d} is the "
                                            "subject of a decisive or what-if question here, "
                                            "which gives its verdict away; ask another "
                                            "doctrine's verdict", "gives_away"))
    if errors or scenario is None:
        raise _fail(name, lines, errors)
    ex = Exercise(doc=doc, scenario=scenario, scenario_ref=ref, parameters=params)
    if check:
        errors = check_intent(ex)
        if errors:
            raise _fail(name, lines, errors)
    return ex


def check_intent(ex: Exercise) -> list[ErrorItem]:
    """Where the exercise's stated intent and the engine disagree, one error each."""
    ev = ex.evaluation()
    return [e for i, q in enumerate(ex.doc.questions)
            for e in q.intent_errors(ex, ev, ("questions", i))]


def load_exercise_file(path: str | Path, *, check: bool = True) -> Exercise:
    p = Path(path)
    ex = parse_exercise(read_text(p), str(p), check=check)
    if ex.id != p.stem:
        raise InputFileError([ErrorItem(("id",), f"id '{ex.id}' must equal the file name "
                                        f"'{p.stem}'", line=1)], file=str(p))
    return Exercise(doc=ex.doc, scenario=ex.scenario, scenario_ref=ex.scenario_ref,
                    parameters=ex.parameters, path=p)


@lru_cache(maxsize=4)
def _all(directory: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, Exercise]:
    # Intent is checked by the test suite and by `validate_all`; serving does not redo the
    # what-if searches on every start.
    out = {}
    for name, _ in stamp:
        ex = load_exercise_file(Path(directory) / name, check=False)
        out[ex.id] = ex
    return out


def exercises(directory: str | Path | None = None) -> dict[str, Exercise]:
    """Every exercise in the folder, by id (reloaded when a file changes)."""
    d = Path(directory or exercises_dir())
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(d.glob("*.yaml")))
    return _all(str(d), stamp)


def load_exercise(exercise_id: str, directory: str | Path | None = None) -> Exercise:
    found = exercises(directory).get(exercise_id)
    if found is None:
        raise InvalidInput([ErrorItem(("exercise",), f"no exercise '{exercise_id}'", "enum",
                                      list(exercises(directory)))])
    return found


def validate_all(directory: str | Path | None = None) -> list[str]:
    """Check every exercise file, intent included; `file:line: field: message` lines."""
    d = Path(directory or exercises_dir())
    problems: list[str] = []
    for p in sorted(d.glob("*.yaml")):
        try:
            load_exercise_file(p)
        except InputFileError as exc:
            problems.extend(exc.lines())
    return problems


__all__ = ["check_intent", "exercises", "exercises_dir", "load_exercise",
           "load_exercise_file", "parse_exercise", "validate_all"]
