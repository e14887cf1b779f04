"""Teaching exercises: a scenario, a prompt, questions; answer keys computed by the engine.

    ex = load_exercise("six-day-war-imminence")      # from scenarios/exercises/
    ex.student_view()                                # what a student may see: no keys
    graded = grade(ex, {"kind-of-force": "pre_emptive", ...})
    graded.marks, graded.max_marks, graded.feedback[0].explanation

Four kinds of question (DOCTRINES §5 gives the vocabulary of the answers):

* ``classification``: what kind of force is this (reactive, interceptive, ...)?
* ``verdicts``: the verdict under each of some named doctrines.
* ``decisive``: which tests make doctrine X reject (or leave undecided) the scenario.
* ``what_if``: change at most N facts so that doctrine X justifies (or rejects) it; the
  student's changed scenario is evaluated, and the changes are counted.

This module holds no law. Every key is read from `evaluate()`; titles, passages and
citations come from rules/ through `engine.law.definitions`. An exercise file may state its
intent (`expect`, a decisive question's `verdict`, a what-if `goal` that must be
reachable); when the engine disagrees the file fails validation, so a teacher's
mistaken belief about the law never becomes an answer key.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import ErrorItem, InputFileError, InvalidInput
from engine.evaluate import evaluate, network_for, to_scenario, validation_errors
from engine.law.definitions import Law, load
from engine.law.parameters import resolve
from engine.law.scenario import Scenario, fact_catalogue
from engine.loader import line_of, parse_text, read_text, scenarios_dir
from engine.result import Classification, DoctrineResult, Evaluation, Verdict
from engine.whatif import candidate_values

CLASSIFICATIONS: tuple[str, ...] = (
    "reactive", "interceptive", "pre_emptive", "preventive", "reprisal", "regime_change",
    "collective_security", "unclassified",
)
VERDICTS: tuple[str, ...] = ("justified", "not_justified", "indeterminate")
MAX_WHAT_IF_CHANGES = 3
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]


# --------------------------------------------------------------------------- the format


class _Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    prompt: str | None = Field(default=None, max_length=2000,
                               description="the question as put to students; a default "
                                           "wording is generated when absent")
    points: float = Field(default=1.0, gt=0, le=100)


class ClassificationQuestion(_Question):
    kind: Literal["classification"]
    expect: Classification | None = Field(default=None, description="stated intent, checked")


class VerdictsQuestion(_Question):
    kind: Literal["verdicts"]
    doctrines: list[str] = Field(min_length=1, max_length=6)
    expect: dict[str, Verdict] | None = None


class DecisiveQuestion(_Question):
    kind: Literal["decisive"]
    doctrine: str
    verdict: Literal["not_justified", "indeterminate"] = Field(
        description="stated intent: the doctrine rejects (not_justified) or leaves the "
                    "scenario undecided (indeterminate)")
    expect: list[str] | None = None


class WhatIfQuestion(_Question):
    kind: Literal["what_if"]
    doctrine: str
    goal: Literal["justified", "not_justified"]
    max_changes: int = Field(ge=1, le=MAX_WHAT_IF_CHANGES)
    keep: list[str] = Field(default_factory=list, description="facts that may not be "
                            "changed (e.g. security_council.authorisation, which would "
                            "justify anything)")


Question = Annotated[
    ClassificationQuestion | VerdictsQuestion | DecisiveQuestion | WhatIfQuestion,
    Field(discriminator="kind"),
]


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
        return _evaluation(self.scenario.model_dump_json(), _params_key(self.parameters))

    def max_marks(self) -> float:
        return float(sum(q.points for q in self.doc.questions))

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.doc.title,
                "kinds": sorted({q.kind for q in self.doc.questions}),
                "doctrines": doctrines_covered(self),
                "questions": len(self.doc.questions), "max_marks": self.max_marks()}

    def student_view(self) -> dict[str, Any]:
        """Everything a student needs to answer, and no answer key."""
        law = load()
        questions = []
        for q in self.doc.questions:
            item: dict[str, Any] = {"id": q.id, "kind": q.kind, "points": q.points,
                                    "prompt": q.prompt or default_prompt(q, law)}
            if isinstance(q, ClassificationQuestion):
                item["choices"] = list(CLASSIFICATIONS)
            elif isinstance(q, VerdictsQuestion):
                item["doctrines"] = [{"id": d, "name": law.doctrines[d].name}
                                     for d in q.doctrines]
                item["choices"] = list(VERDICTS)
            elif isinstance(q, DecisiveQuestion):
                item["doctrine"] = {"id": q.doctrine, "name": law.doctrines[q.doctrine].name}
                item["verdict"] = q.verdict
                item["choices"] = [{"id": t, "title": law.tests[t].title}
                                   for t in tests_of(q.doctrine, law)]
            else:
                item["doctrine"] = {"id": q.doctrine, "name": law.doctrines[q.doctrine].name}
                item["goal"] = q.goal
                item["max_changes"] = q.max_changes
                item["keep"] = list(q.keep)
            questions.append(item)
        return {
            "id": self.id, "title": self.doc.title, "prompt": self.doc.prompt,
            "teaching_note": self.doc.teaching_note,
            "scenario_ref": self.scenario_ref,
            "scenario": self.scenario.model_dump(mode="json", exclude_none=True),
            "parameters": self.parameters,
            "changed_parameters": {k: v for k, v in self.parameters.items()
                                   if law.parameters[k].default != v},
            "questions": questions, "max_marks": self.max_marks(),
        }


def default_prompt(q: Question, law: Law) -> str:
    if isinstance(q, ClassificationQuestion):
        return "What kind of force is this: reactive, interceptive, pre-emptive, preventive, " \
               "a reprisal, regime change, or collective security?"
    if isinstance(q, VerdictsQuestion):
        return "What is the verdict under each of these doctrines?"
    name = law.doctrines[q.doctrine].name
    if isinstance(q, DecisiveQuestion):
        how = "reject" if q.verdict == "not_justified" else "leave undecided"
        return f"Which tests make {name} {how} this use of force?"
    goal = "justify" if q.goal == "justified" else "reject"
    return f"Change at most {q.max_changes} fact(s) so that {name} would {goal} this use " \
           f"of force."


def tests_of(doctrine: str, law: Law | None = None) -> list[str]:
    """The tests of a doctrine's routes, in route order, without repeats."""
    law = law or load()
    out: list[str] = []
    for r in law.doctrines[doctrine].routes:
        out.extend(law.routes[r].tests)
    return list(dict.fromkeys(out))


def doctrines_covered(ex: Exercise) -> list[str]:
    out: list[str] = []
    for q in ex.doc.questions:
        if isinstance(q, VerdictsQuestion):
            out.extend(q.doctrines)
        elif isinstance(q, DecisiveQuestion | WhatIfQuestion):
            out.append(q.doctrine)
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- the engine


def _params_key(params: Mapping[str, Any]) -> str:
    import json

    return json.dumps(params, sort_keys=True)


@lru_cache(maxsize=256)
def _evaluation(scenario_json: str, params_json: str) -> Evaluation:
    import json

    return evaluate(json.loads(scenario_json), json.loads(params_json))


def answer_key(ex: Exercise, q: Question) -> Any:
    """The engine's answer to one question. For a what-if question: one solution found by
    searching the engine (a dict of changed facts); grading re-evaluates the student's own."""
    ev = ex.evaluation()
    if isinstance(q, ClassificationQuestion):
        return ev.classification
    if isinstance(q, VerdictsQuestion):
        return {d: ev.doctrines[d].verdict for d in q.doctrines}
    if isinstance(q, DecisiveQuestion):
        return list(ev.doctrines[q.doctrine].decisive)
    return _what_if_key(ex.scenario.model_dump_json(), _params_key(ex.parameters),
                        q.doctrine, q.goal, q.max_changes, tuple(q.keep))


@lru_cache(maxsize=256)
def _what_if_key(scenario_json: str, params_json: str, doctrine: str, goal: str,
                 max_changes: int, keep: tuple[str, ...]) -> dict[str, Any] | None:
    import json

    found = find_changes(Scenario.model_validate_json(scenario_json), json.loads(params_json),
                         doctrine, goal, max_changes, keep=keep)
    return None if found is None else dict(found)


def answer_keys(ex: Exercise) -> dict[str, Any]:
    return {q.id: answer_key(ex, q) for q in ex.doc.questions}


# ---- what-if search: the engine, asked repeatedly; no law here, only facts and statuses


def _set_fact(sc: Scenario, fact: str, value: Any) -> Scenario:
    group, name = fact.split(".", 1)
    model = getattr(sc, group)
    return sc.model_copy(update={group: model.model_copy(update={name: value})})


def _progress(d: DoctrineResult, goal: str) -> list[tuple[int, int]]:
    """How far a doctrine result is from the goal (smaller is nearer): to justify, the
    routes' (failed, unknown) counts, nearest route first; to reject, the routes not yet
    failed and their open tests."""
    routes: dict[str, list[str]] = {}
    for t in d.tests:
        if t.route is not None:
            routes.setdefault(t.route, []).append(t.status)
    if goal == "justified":
        return sorted((s.count("failed"), s.count("unknown")) for s in routes.values())
    open_routes = [s for s in routes.values() if "failed" not in s]
    return [(len(open_routes), sum(s.count("unknown") for s in open_routes))]


def find_changes(scenario: Scenario, parameters: Mapping[str, Any], doctrine: str,
                 goal: str, max_changes: int, beam: int = 12,
                 keep: Iterable[str] = ()) -> dict[str, Any] | None:
    """A set of at most `max_changes` fact changes after which the engine gives `goal` for
    `doctrine`, found by a beam search over single-fact changes; None if none was found.

    Each step tries every value of every fact the doctrine's tests read (enum and boolean
    values, unknown, and numbers at the parameters' thresholds), keeping the changes that
    bring the doctrine's routes nearest the goal. Exhaustive for one change.
    """
    catalogue = fact_catalogue()
    params = dict(parameters)
    base = evaluate(scenario, params, [doctrine])
    read = list(dict.fromkeys(f for t in base.doctrines[doctrine].tests for f in t.facts))
    kept = set(keep)
    net = network_for(resolve(params))
    stated = scenario.facts()
    candidates = [(f, v) for f in read if f in catalogue and f not in kept
                  for v in candidate_values(net, f, stated.get(f))]
    frontier: list[tuple[dict[str, Any], Scenario]] = [({}, scenario)]
    seen: set[str] = set()
    for _depth in range(max_changes):
        scored: list[tuple[list[tuple[int, int]], int, dict[str, Any], Scenario]] = []
        for changes, sc in frontier:
            for fact, value in candidates:
                if fact in changes or sc.facts().get(fact) == value:
                    continue
                trial = {**changes, fact: value}
                key = repr(sorted(trial.items()))
                if key in seen:
                    continue
                seen.add(key)
                new = _set_fact(sc, fact, value)
                d = evaluate(new, params, [doctrine], engine="fast", explain=False)
                result = d.doctrines[doctrine]
                if result.verdict == goal:
                    return trial
                scored.append((_progress(result, goal), len(scored), trial, new))
        scored.sort(key=lambda x: (x[0], x[1]))
        frontier = [(c, s) for _, _, c, s in scored[:beam]]
        if not frontier:
            break
    return None


# --------------------------------------------------------------------------- loading


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
        named = q.doctrines if isinstance(q, VerdictsQuestion) else (
            [q.doctrine] if isinstance(q, DecisiveQuestion | WhatIfQuestion) else [])
        for d in named:
            if d not in law.doctrines:
                errors.append(ErrorItem(("questions", i), f"unknown doctrine '{d}'", "enum",
                                        list(law.doctrines)))
        if isinstance(q, VerdictsQuestion) and q.expect is not None \
                and set(q.expect) != set(q.doctrines):
            errors.append(ErrorItem(("questions", i, "expect"),
                                    "expect must give a verdict for exactly the doctrines asked"))
        if isinstance(q, WhatIfQuestion):
            for f in q.keep:
                if f not in law.facts:
                    errors.append(ErrorItem(("questions", i, "keep"), f"unknown fact '{f}'",
                                            "enum", list(law.facts)))
        if isinstance(q, DecisiveQuestion) and q.expect is not None:
            for t in q.expect:
                if t not in law.tests:
                    errors.append(ErrorItem(("questions", i, "expect"), f"unknown test '{t}'",
                                            "enum", list(law.tests)))
    # A decisive or what-if question names its doctrine's verdict (or what it is not):
    # asking that verdict in the same exercise would give the answer away.
    named_elsewhere = {q.doctrine for q in doc.questions
                       if isinstance(q, DecisiveQuestion | WhatIfQuestion)}
    for i, q in enumerate(doc.questions):
        if isinstance(q, VerdictsQuestion):
            for d in q.doctrines:
                if d in named_elsewhere:
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
    errors: list[ErrorItem] = []
    for i, q in enumerate(ex.doc.questions):
        loc: tuple[str | int, ...] = ("questions", i)
        if isinstance(q, ClassificationQuestion):
            if q.expect is not None and q.expect != ev.classification:
                errors.append(ErrorItem((*loc, "expect"), f"the engine classifies this force "
                                        f"as {ev.classification}, not {q.expect}", "intent"))
        elif isinstance(q, VerdictsQuestion):
            for d, v in (q.expect or {}).items():
                if ev.doctrines[d].verdict != v:
                    errors.append(ErrorItem((*loc, "expect", d), f"the engine finds {d} "
                                            f"{ev.doctrines[d].verdict}, not {v}", "intent"))
        elif isinstance(q, DecisiveQuestion):
            got = ev.doctrines[q.doctrine]
            if got.verdict != q.verdict:
                errors.append(ErrorItem((*loc, "verdict"), f"the engine finds {q.doctrine} "
                                        f"{got.verdict}, not {q.verdict}: a decisive question "
                                        "needs a rejected or undecided scenario", "intent"))
            elif q.expect is not None and set(q.expect) != set(got.decisive):
                errors.append(ErrorItem((*loc, "expect"), f"the engine's decisive tests are "
                                        f"{', '.join(got.decisive)}", "intent"))
        else:
            got = ev.doctrines[q.doctrine]
            if got.verdict == q.goal:
                errors.append(ErrorItem((*loc, "goal"), f"{q.doctrine} already finds this "
                                        f"{q.goal}: nothing to change", "intent"))
            elif answer_key(ex, q) is None:
                errors.append(ErrorItem((*loc, "max_changes"), f"the engine found no way to "
                                        f"make {q.doctrine} {q.goal} with at most "
                                        f"{q.max_changes} change(s)", "intent"))
    return errors


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


# --------------------------------------------------------------------------- grading


class Evidence(BaseModel):
    """What the engine relied on: a test, its status, the facts it read and its source."""

    test: str
    title: str
    route: str | None
    status: str
    facts: dict[str, Any]
    source: str
    source_short: str
    citation: str
    passage: str


class DoctrineExplanation(BaseModel):
    doctrine: str
    name: str
    verdict: str
    route: str
    score: int
    score_max: int
    decisive: list[Evidence]
    missing_facts: list[str]
    widening: list[str]
    trace: list[dict[str, str]]


class Feedback(BaseModel):
    question: str
    kind: str
    correct: bool
    marks: float
    max_marks: float
    answer: Any
    key: Any
    explanation: str
    details: list[DoctrineExplanation] = Field(default_factory=list)
    changes_counted: int | None = None


class Graded(BaseModel):
    exercise: str
    marks: float
    max_marks: float
    feedback: list[Feedback]


def _evidence(d: DoctrineResult, test_ids: Iterable[str], law: Law) -> list[Evidence]:
    wanted = list(test_ids)
    out = []
    for tid in wanted:
        # the route instance the doctrine reports, else the first one
        tr = next((t for t in d.tests if t.test == tid and t.route == d.route), None) or \
            next((t for t in d.tests if t.test == tid), None)
        if tr is None:
            continue
        src = law.sources.get(tr.source)
        out.append(Evidence(test=tid, title=law.tests[tid].title, route=tr.route,
                            status=tr.status, facts=dict(tr.facts), source=tr.source,
                            source_short=src.short if src else tr.source,
                            citation=src.citation if src else tr.source,
                            passage=law.tests[tid].passage))
    return out


def explain_doctrine(ev: Evaluation, doctrine: str, law: Law | None = None) -> \
        DoctrineExplanation:
    """One doctrine's answer, with the tests that decide it (or, when it justifies, the
    tests of the route that does), their sources and the rules that fired for them."""
    law = law or load()
    d = ev.doctrines[doctrine]
    shown = d.decisive or [t.test for t in d.tests if t.route == d.route]
    prefixes = tuple(p for t in shown for p in (f"test.{t}.", f"test.{t}["))
    trace = [{"rule": e.rule, "source": e.source} for e in d.trace
             if e.rule.startswith(prefixes) or e.rule.startswith(f"{doctrine}.")
             or any(e.rule.endswith(f".failed_by.{t}") for t in shown)]
    return DoctrineExplanation(
        doctrine=doctrine, name=d.name, verdict=d.verdict, route=d.route, score=d.score,
        score_max=d.score_max, decisive=_evidence(d, shown, law),
        missing_facts=list(d.missing_facts), widening=list(d.widening),
        trace=list({(t["rule"], t["source"]): t for t in trace}.values()))


def _verdict_words(v: str) -> str:
    return {"justified": "justified", "not_justified": "not justified",
            "indeterminate": "indeterminate (open)"}.get(v, v)


def _sentence(x: DoctrineExplanation) -> str:
    head = f"{x.name}: {_verdict_words(x.verdict)} (route {x.route}, score {x.score}"
    head += f"–{x.score_max})." if x.score != x.score_max else ")."
    if x.verdict == "justified":
        return head + f" Every test of the {x.route} route is satisfied."
    parts = [f"{e.test} is {e.status} ({e.title}; {e.source_short})"
             for e in x.decisive]
    why = " Decisive: " + "; ".join(parts) + "." if parts else ""
    if x.missing_facts:
        why += " To settle it, find out: " + ", ".join(x.missing_facts) + "."
    return head + why


def _check_answer_shape(q: Question, answer: Any, law: Law) -> list[ErrorItem]:
    loc: tuple[str | int, ...] = ("answers", q.id)
    if answer is None:
        return []
    if isinstance(q, ClassificationQuestion):
        ok = isinstance(answer, str) and answer in CLASSIFICATIONS
        return [] if ok else [ErrorItem(loc, "must be one of the classifications", "enum",
                                        list(CLASSIFICATIONS))]
    if isinstance(q, VerdictsQuestion):
        if not isinstance(answer, dict) or any(
                k not in q.doctrines or v not in (*VERDICTS, None) for k, v in answer.items()):
            return [ErrorItem(loc, "must map each doctrine asked to a verdict", "type_error",
                              list(VERDICTS))]
        return []
    if isinstance(q, DecisiveQuestion):
        allowed = tests_of(q.doctrine, law)
        if isinstance(answer, str):
            answer = [answer]
        if not isinstance(answer, list) or any(not isinstance(t, str) or t not in allowed
                                               for t in answer) or len(answer) > len(allowed):
            return [ErrorItem(loc, f"must be a list of tests of {q.doctrine}", "enum", allowed)]
        return []
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
        bad = [k for k in changes if k not in facts]
        if bad:
            return [ErrorItem((*loc, "changes", str(k)), f"unknown fact '{k}'", "unknown_field",
                              list(facts)) for k in bad]
    return []


def changed_scenario(ex: Exercise, answer: Mapping[str, Any],
                     loc: tuple[str | int, ...] = ()) -> Scenario:
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
        errors.extend(_check_answer_shape(q, answers.get(q.id), law))
        if isinstance(q, WhatIfQuestion) and not errors and answers.get(q.id) is not None:
            try:
                changed_scenario(ex, answers[q.id], ("answers", q.id))
            except InvalidInput as exc:
                errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors)


def grade(ex: Exercise, answers: Mapping[str, Any]) -> Graded:
    """Grade answers against the engine. Unanswered questions score nothing."""
    validate_answers(ex, answers)
    law = load()
    ev = ex.evaluation()
    feedback = [_grade_one(ex, q, answers.get(q.id), ev, law) for q in ex.doc.questions]
    marks = round(sum(f.marks for f in feedback), 4)
    return Graded(exercise=ex.id, marks=marks, max_marks=ex.max_marks(), feedback=feedback)


def _grade_one(ex: Exercise, q: Question, answer: Any, ev: Evaluation, law: Law) -> Feedback:
    base: dict[str, Any] = {"question": q.id, "kind": q.kind, "max_marks": q.points,
                            "answer": answer}
    key: Any
    given: Any
    if isinstance(q, ClassificationQuestion):
        key = ev.classification
        ok = answer == key
        cls = {c.id: c for c in law.classes}
        meaning = cls[key].meaning if key in cls else "none of the kinds matched"
        src = law.sources.get(cls[key].source) if key in cls else None
        text = (f"The engine classifies this force as {key}: {meaning}")
        if src:
            text += f" ({src.short})."
        if not ok and isinstance(answer, str) and answer in cls:
            text += (f" You said {answer}: {cls[answer].meaning} The kinds are tried in order "
                     f"({', '.join(c.id for c in law.classes)}) and the first that matches wins.")
        return Feedback(**base, correct=ok, marks=q.points if ok else 0.0, key=key,
                        explanation=text)
    if isinstance(q, VerdictsQuestion):
        key = {d: ev.doctrines[d].verdict for d in q.doctrines}
        given = answer if isinstance(answer, dict) else {}
        right = [d for d in q.doctrines if given.get(d) == key[d]]
        details = [explain_doctrine(ev, d, law) for d in q.doctrines]
        lines = [("✓ " if d in right else "✗ ") + _sentence(x)
                 for d, x in zip(q.doctrines, details, strict=True)]
        marks = round(q.points * len(right) / len(q.doctrines), 4)
        return Feedback(**base, correct=len(right) == len(q.doctrines), marks=marks, key=key,
                        explanation=" ".join(lines), details=details)
    if isinstance(q, DecisiveQuestion):
        key = list(ev.doctrines[q.doctrine].decisive)
        given = [answer] if isinstance(answer, str) else list(answer or [])
        ok = answer is not None and set(given) == set(key)
        x = explain_doctrine(ev, q.doctrine, law)
        text = _sentence(x)
        if not ok and answer is not None:
            extra = [t for t in given if t not in key]
            missed = [t for t in key if t not in given]
            if extra:
                text += " Not decisive here: " + ", ".join(extra) + "."
            if missed:
                text += " You missed: " + ", ".join(missed) + "."
        return Feedback(**base, correct=ok, marks=q.points if ok else 0.0, key=key,
                        explanation=text, details=[x])
    # what-if: evaluate the student's scenario
    key = answer_key(ex, q)
    if answer is None:
        return Feedback(**base, correct=False, marks=0.0, key=key,
                        explanation="Not answered. " + _example(key))
    new = changed_scenario(ex, answer)
    n, diff = count_changes(ex.scenario, new)
    after = evaluate(new, ex.parameters, [q.doctrine])
    x = explain_doctrine(after, q.doctrine, law)
    reached = after.doctrines[q.doctrine].verdict == q.goal
    touched = [f for f in diff if f in q.keep]
    ok = reached and 0 < n <= q.max_changes and not touched
    text = (f"You changed {n} fact(s)" + (f" ({', '.join(diff)})" if diff else "") +
            f"; at most {q.max_changes} allowed. With your changes, " + _sentence(x))
    if touched:
        text += f" You changed {', '.join(touched)}, which this question keeps fixed."
    elif reached and n > q.max_changes:
        text += " The goal is reached, but with too many changes."
    elif not reached:
        text += f" The goal was {_verdict_words(q.goal)}. " + _example(key)
    return Feedback(**base, correct=ok, marks=q.points if ok else 0.0, key=key,
                    explanation=text, details=[x], changes_counted=n)


def _example(key: Any) -> str:
    if not key:
        return ""
    return "One way the engine found: " + ", ".join(f"{k} = {v}" for k, v in key.items()) + "."


def wrong_answer(ex: Exercise, q: Question) -> Any:
    """An answer that the key marks wrong (for tests and demos)."""
    key = answer_key(ex, q)
    if isinstance(q, ClassificationQuestion):
        return next(c for c in CLASSIFICATIONS if c != key)
    if isinstance(q, VerdictsQuestion):
        return {d: next(v for v in VERDICTS if v != key[d]) for d in q.doctrines}
    if isinstance(q, DecisiveQuestion):
        others = [t for t in tests_of(q.doctrine) if t not in key]
        return others[:1] if others else []
    return {"changes": {}}


def key_as_answer(ex: Exercise, q: Question) -> Any:
    """The engine's key in the form a student would submit it."""
    key = answer_key(ex, q)
    if isinstance(q, WhatIfQuestion):
        return {"changes": key}
    return key


__all__ = [
    "CLASSIFICATIONS",
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
    "VerdictsQuestion",
    "WhatIfQuestion",
    "answer_key",
    "answer_keys",
    "changed_scenario",
    "count_changes",
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
    "validate_all",
    "validate_answers",
    "wrong_answer",
]
