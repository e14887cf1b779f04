"""Teaching endpoints: exercises, attempts, instructor results, and the fact vocabulary.

    GET  /v1/exercises                           exercise summaries
    GET  /v1/exercises/{id}                      an exercise as a student sees it: no keys
    POST /v1/exercises/{id}/attempts             answer; graded feedback (201; 200 replay)
    GET  /v1/attempts/{id}                       a stored attempt and its feedback
    GET  /v1/instructor/exercises/{id}/results   (bearer token) results of an exercise
    GET  /v1/instructor/students/{s}/results     (bearer token) results of a student
    GET  /v1/instructor/results.csv              (bearer token) CSV export

Keys exist only inside the grader: a student sees one after the attempt is committed, in
the feedback of that attempt. Instructor endpoints answer 403 when no token is configured
(disabled, never open) and 401 for a missing or wrong token.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.jsonbody import is_json_media, media_type
from api.problems import ProblemError, problem_responses, request_validation_items
from api.settings import Settings
from api.teaching.storage import Attempt, IdempotencyConflict, Store
from engine.errors import ErrorItem, InvalidInput
from engine.teaching.exercises import Exercise, exercises, grade

router = APIRouter(prefix="/v1", tags=["teaching"])
instructor = APIRouter(prefix="/v1/instructor", tags=["instructor"])

Student = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$",
                               description="the student's identifier (name, number, e-mail)")]
Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
ExerciseId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
AttemptId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


class AttemptRequest(BaseModel):
    """An attempt: who, and an answer per question id (see scenarios/exercises/README.md)."""

    model_config = ConfigDict(extra="forbid")

    student: Student
    answers: dict[str, Any] = Field(max_length=50)
    idempotency_key: Key | None = Field(
        None, description="retrying with the same key (per student) returns the stored "
                          "attempt instead of a new one; also accepted as the "
                          "Idempotency-Key header")


def get_store(request: Request) -> Store:
    store: Store | None = getattr(request.app.state, "teaching_store", None)
    if store is None:  # an app built without install(): configure from the environment
        store = request.app.state.teaching_store = Store(get_settings(request).url())
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings | None = getattr(request.app.state, "settings", None)
    return settings or Settings()


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _exercise(exercise_id: str) -> Exercise:
    found = exercises().get(exercise_id)
    if found is None:
        raise ProblemError(404, f"no exercise '{exercise_id}'; GET /v1/exercises lists them",
                           kind="unknown-exercise")
    return found


# ---- public ----------------------------------------------------------------------------

@router.get("/exercises", summary="Teaching exercises")
def list_exercises() -> list[dict[str, Any]]:
    return [ex.summary() for ex in exercises().values()]


@router.get("/exercises/{exercise_id}", summary="One exercise, as a student sees it (no key)",
            responses=problem_responses(404))
def get_exercise(exercise_id: ExerciseId) -> dict[str, Any]:
    return _exercise(exercise_id).student_view()


def attempt_view(a: Attempt, ex: Exercise | None) -> dict[str, Any]:
    return {"id": a.id, "exercise": a.exercise_id, "student": a.student,
            "created_at": a.created_at.isoformat(), "marks": a.marks,
            "max_marks": a.max_marks, "answers": a.answers,
            "feedback": a.feedback.get("feedback", []),
            "teaching_note": ex.doc.teaching_note if ex else None}


def _request_hash(exercise_id: str, req: AttemptRequest) -> str:
    doc = {"exercise": exercise_id, "student": req.student, "answers": req.answers}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _parse_attempt(raw: bytes, limit: int) -> AttemptRequest:
    if len(raw) > limit:
        raise ProblemError(413, f"an attempt is at most {limit} bytes "
                                "(setting IMMINENCE_MAX_ATTEMPT_BYTES)", kind="body-too-large")
    try:
        data = json.loads(raw)  # the middleware has refused bodies nested too deep
    except RecursionError:
        raise ProblemError(400, "the request body nests arrays and objects too deeply "
                                "(setting IMMINENCE_MAX_JSON_DEPTH)",
                           kind="json-too-deep") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProblemError(400, f"the request body is not valid JSON: {exc}",
                           kind="malformed-body") from None
    if not isinstance(data, dict):
        raise InvalidInput([ErrorItem((), "an attempt is an object {student, answers, "
                                          "idempotency_key?}", "type_error")])
    try:
        return AttemptRequest.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(request_validation_items(exc.errors(include_url=False))) from None


@router.post(
    "/exercises/{exercise_id}/attempts", status_code=201,
    summary="Submit answers; the attempt is stored, then graded feedback is returned",
    responses=problem_responses(400, 404, 409, 413, 415, 503, 507),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": AttemptRequest.model_json_schema()}}}},
)
async def submit_attempt(
    exercise_id: ExerciseId, request: Request, store: StoreDep, settings: SettingsDep,
    idempotency_header: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """Grade the answers with the engine, commit the attempt, then answer. A retry with
    the same idempotency key returns the stored attempt (200) instead of a second one."""
    ctype = media_type(request.headers.get("content-type"))
    if not is_json_media(ctype):  # the API's one rule: application/json or */*+json
        raise ProblemError(415, f"expected Content-Type: application/json, got "
                                f"{ctype or 'none'}", kind="unsupported-media-type")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_attempt_bytes:
        raise ProblemError(413, f"an attempt is at most {settings.max_attempt_bytes} bytes "
                                "(setting IMMINENCE_MAX_ATTEMPT_BYTES)", kind="body-too-large")
    raw = await request.body()
    req = _parse_attempt(raw, settings.max_attempt_bytes)
    ex = _exercise(exercise_id)
    key = req.idempotency_key or idempotency_header
    if key is not None and not re.fullmatch(r"[A-Za-z0-9._:-]{1,100}", key):
        raise InvalidInput([ErrorItem(("Idempotency-Key",), "1-100 characters of "
                                      "A-Z a-z 0-9 . _ : -", "pattern")])
    return await run_in_threadpool(_store_attempt, ex, req, key, store)


def _store_attempt(ex: Exercise, req: AttemptRequest, key: str | None,
                   store: Store) -> Response:
    digest = _request_hash(ex.id, req)
    if key is not None:
        existing = store.find_by_key(req.student, key)
        if existing is not None:
            return _replayed(existing, digest, ex)
    graded = grade(ex, req.answers)  # InvalidInput (422) for answers that are not answers
    try:
        attempt, created = store.add_attempt(
            exercise_id=ex.id, student=req.student, idempotency_key=key,
            request_hash=digest, answers=req.answers,
            feedback=graded.model_dump(mode="json"), marks=graded.marks,
            max_marks=graded.max_marks)
    except IdempotencyConflict as exc:
        return _replayed(exc.existing, digest, ex)
    body = json.dumps(attempt_view(attempt, ex))
    return Response(body, status_code=201 if created else 200, media_type="application/json",
                    headers={"Location": f"/v1/attempts/{attempt.id}",
                             **({} if created else {"Idempotent-Replayed": "true"})})


def _replayed(existing: Attempt, digest: str, ex: Exercise) -> Response:
    if existing.request_hash != digest or existing.exercise_id != ex.id:
        raise ProblemError(409, "this idempotency key was already used by this student for "
                                "a different attempt; use a new key for new answers",
                           kind="idempotency-conflict")
    return Response(json.dumps(attempt_view(existing, ex)), media_type="application/json",
                    headers={"Location": f"/v1/attempts/{existing.id}",
                             "Idempotent-Replayed": "true"})


@router.get("/attempts/{attempt_id}", summary="A stored attempt and its feedback",
            responses=problem_responses(404))
def get_attempt(attempt_id: AttemptId, store: StoreDep) -> dict[str, Any]:
    a = store.get(attempt_id)
    if a is None:
        raise ProblemError(404, f"no attempt '{attempt_id}'", kind="unknown-attempt")
    return attempt_view(a, exercises().get(a.exercise_id))


# ---- instructor ------------------------------------------------------------------------

def require_instructor(
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    token = settings.instructor_token
    if token is None or not token.get_secret_value():
        raise ProblemError(403, "instructor endpoints are disabled: the server has no "
                                "IMMINENCE_INSTRUCTOR_TOKEN", kind="instructor-disabled")
    challenge = {"WWW-Authenticate": 'Bearer realm="imminence-instructor"'}
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ProblemError(401, "instructor endpoints need 'Authorization: Bearer <token>'",
                           kind="unauthorized", headers=challenge)
    given = authorization[7:].strip().encode()
    if not hmac.compare_digest(given, token.get_secret_value().encode()):
        raise ProblemError(401, "wrong instructor token", kind="unauthorized",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


Instructor = [Depends(require_instructor)]


def _row(a: Attempt) -> dict[str, Any]:
    per_question = {f["question"]: f["marks"] for f in a.feedback.get("feedback", [])}
    return {"id": a.id, "exercise": a.exercise_id, "student": a.student,
            "created_at": a.created_at.isoformat(), "marks": a.marks, "max_marks": a.max_marks,
            "questions": per_question}


@instructor.get("/exercises/{exercise_id}/results", dependencies=Instructor,
                summary="Every attempt at an exercise, with per-question rates",
                responses=problem_responses(401, 403, 404))
def exercise_results(exercise_id: ExerciseId, store: StoreDep) -> dict[str, Any]:
    ex = _exercise(exercise_id)
    rows = [_row(a) for a in store.attempts(exercise_id=exercise_id)]
    questions = []
    for q in ex.doc.questions:
        got = [r["questions"].get(q.id, 0.0) for r in rows]
        questions.append({"id": q.id, "kind": q.kind, "points": q.points,
                          "full_marks": sum(1 for g in got if g >= q.points),
                          "mean": round(sum(got) / len(got), 4) if got else None})
    marks = [r["marks"] for r in rows]
    return {"exercise": ex.id, "title": ex.doc.title, "max_marks": ex.max_marks(),
            "attempts": len(rows), "students": len({r["student"] for r in rows}),
            "mean": round(sum(marks) / len(marks), 4) if marks else None,
            "questions": questions, "results": rows}


@instructor.get("/students/{student}/results", dependencies=Instructor,
                summary="Every attempt by one student", responses=problem_responses(401, 403))
def student_results(student: Annotated[str, Path(max_length=100)],
                    store: StoreDep) -> dict[str, Any]:
    rows = [_row(a) for a in store.attempts(student=student)]
    return {"student": student, "attempts": len(rows), "results": rows}


# A spreadsheet reads a cell as a formula when its first character, after any spaces (a
# no-break or an ideographic space, a zero-width one, a byte-order mark included), is one
# of these, in ASCII or full width (OWASP "CSV injection"; spreadsheets normalise ＝ to =).
_FORMULA_START = frozenset("=+-@\t\r＝＋－＠")
_LEADING_BLANKS = " \t\r\n\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
                  "\u2007\u2008\u2009\u200a\u200b\u202f\u205f\u2060\u3000\ufeff"


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: one that would be is
    prefixed with an apostrophe (shown as text, the value otherwise unchanged)."""
    text = "" if value is None else str(value)
    first, head = text[:1], text.lstrip(_LEADING_BLANKS)[:1]
    return "'" + text if first in _FORMULA_START or head in _FORMULA_START else text


@instructor.get("/results.csv", dependencies=Instructor, response_class=Response,
                summary="Results as CSV (one row per attempt; per-question marks when "
                        "filtered by exercise)", responses=problem_responses(401, 403, 404))
def results_csv(
    store: StoreDep,
    exercise: Annotated[str | None, Query(max_length=100)] = None,
    student: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    qids = [q.id for q in _exercise(exercise).doc.questions] if exercise else []
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["attempt_id", "created_at", "exercise", "student", "marks", "max_marks",
                *qids])
    for a in store.attempts(exercise_id=exercise, student=student):
        r = _row(a)
        w.writerow([_cell(r["id"]), r["created_at"], _cell(r["exercise"]), _cell(r["student"]),
                    r["marks"], r["max_marks"], *(r["questions"].get(q, 0.0) for q in qids)])
    name = f"imminence-results{'-' + exercise if exercise else ''}.csv"
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


__all__ = ["AttemptRequest", "get_store", "instructor", "router"]
