"""Courses: the instructor creates one and gives its join code to the class; a student joins
with the code and their name; their attempts then belong to the course.

    POST /v1/courses/join                         {code, student, name?}: join (201; 200 again)
    POST /v1/instructor/courses                   {name}: a new course with a join code (201)
    GET  /v1/instructor/courses                   the courses, with their counts
    GET  /v1/instructor/courses/{id}              the roster: per student, per exercise,
                                                  the latest and the best attempt, answers
    GET  /v1/instructor/courses/{id}/results.csv  one row per attempt in the course

Free practice (an attempt without `course`) stays possible and belongs to no course.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.problems import ProblemError, problem_responses
from api.teaching.results import attempt_row, latest_and_best, per_student
from api.teaching.routes import (
    CourseId,
    Instructor,
    JoinCode,
    StoreDep,
    Student,
    _cell,
    instructor,
    router,
)
from api.teaching.storage import Course, Enrolment, Store
from engine.teaching.exercises import exercises


class JoinRequest(BaseModel):
    """A student joining a course."""

    model_config = ConfigDict(extra="forbid")

    code: JoinCode
    student: Student
    name: str | None = Field(None, min_length=1, max_length=200,
                             description="the name the instructor sees (default: the "
                                         "student id)")


class CourseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="e.g. 'Use of force, spring'")


def course_view(c: Course) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "join_code": c.join_code,
            "created_at": c.created_at.isoformat()}


def enrolment_view(e: Enrolment, c: Course) -> dict[str, Any]:
    return {"course": {"id": c.id, "name": c.name, "join_code": c.join_code},
            "student": e.student, "name": e.name, "joined_at": e.joined_at.isoformat()}


def _course(store: Store, course_id: str) -> Course:
    c = store.course(course_id)
    if c is None:
        raise ProblemError(404, f"no course '{course_id}'; GET /v1/instructor/courses lists "
                                "them", kind="unknown-course")
    return c


@router.post("/courses/join", status_code=201, summary="Join a course with its code",
             responses=problem_responses(400, 404, 413, 415))
async def join_course(req: JoinRequest, store: StoreDep) -> Response:
    """Enrol in the course whose join code the instructor gave. Joining again is harmless
    (200, the first enrolment)."""
    import json

    def work() -> tuple[dict[str, Any], bool]:
        course = store.course_by_code(req.code)
        if course is None:
            raise ProblemError(404, f"no course has the join code '{req.code}'; check the "
                                    "code your instructor gave", kind="unknown-course")
        e, created = store.enrol(course.id, req.student, req.name or req.student)
        return enrolment_view(e, course), created

    body, created = await run_in_threadpool(work)
    return Response(json.dumps(body), status_code=201 if created else 200,
                    media_type="application/json")


@instructor.post("/courses", status_code=201, dependencies=Instructor,
                 summary="Create a course; its join code is for the students",
                 responses=problem_responses(400, 401, 403, 413, 415))
def create_course(req: CourseRequest, store: StoreDep) -> dict[str, Any]:
    return course_view(store.create_course(req.name))


@instructor.get("/courses", dependencies=Instructor, summary="The courses",
                responses=problem_responses(401, 403))
def list_courses(store: StoreDep) -> list[dict[str, Any]]:
    out = []
    for c in store.courses():
        out.append({**course_view(c), "students": len(store.roster(c.id)),
                    "attempts": len(store.attempts(course_id=c.id))})
    return out


@instructor.get("/courses/{course_id}", dependencies=Instructor,
                summary="A course's roster: per student the latest and best attempt of each "
                        "exercise, with the answers", responses=problem_responses(401, 403, 404))
def course_roster(course_id: CourseId, store: StoreDep) -> dict[str, Any]:
    c = _course(store, course_id)
    attempts = store.attempts(course_id=c.id)
    found = exercises()
    roster = []
    for e in store.roster(c.id):
        mine = [a for a in attempts if a.student == e.student]
        by_exercise: dict[str, list[Any]] = {}
        for a in mine:
            by_exercise.setdefault(a.exercise_id, []).append(a)
        rows = []
        for exercise_id, group in by_exercise.items():
            ex = found.get(exercise_id)
            latest, best = latest_and_best(group)
            rows.append({"exercise": exercise_id, "title": ex.doc.title if ex else exercise_id,
                         "attempts": len(group), "latest": attempt_row(latest, ex),
                         "best": attempt_row(best, ex)})
        roster.append({"student": e.student, "name": e.name,
                       "joined_at": e.joined_at.isoformat(), "attempts": len(mine),
                       "exercises": rows})
    names = {e.student: e.name for e in store.roster(c.id)}
    return {**course_view(c), "students": len(roster), "attempts": len(attempts),
            "roster": roster, "per_student": per_student(attempts, names)}


@instructor.get("/courses/{course_id}/results.csv", dependencies=Instructor,
                response_class=Response,
                summary="A course's attempts as CSV (one row per attempt, with the answers in "
                        "words; per-question columns when filtered by exercise)",
                responses=problem_responses(401, 403, 404))
def course_csv(course_id: CourseId, store: StoreDep,
               exercise: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    c = _course(store, course_id)
    found = exercises()
    if exercise is not None and exercise not in found:
        raise ProblemError(404, f"no exercise '{exercise}'; GET /v1/exercises lists them",
                           kind="unknown-exercise")
    qids = [q.id for q in found[exercise].doc.questions] if exercise else []
    names = {e.student: e.name for e in store.roster(c.id)}
    attempts = store.attempts(course_id=c.id, exercise_id=exercise)
    flags: dict[str, set[str]] = {}
    groups: dict[tuple[str, str], list[Any]] = {}
    for a in attempts:
        groups.setdefault((a.student, a.exercise_id), []).append(a)
    for group in groups.values():
        latest, best = latest_and_best(group)
        flags.setdefault(latest.id, set()).add("latest")
        flags.setdefault(best.id, set()).add("best")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["course", "student", "name", "exercise", "attempt_id", "created_at", "marks",
                "max_marks", "latest", "best",
                *(col for q in qids for col in (f"{q} marks", f"{q} answer")),
                *([] if qids else ["answers"])])
    for a in attempts:
        r = attempt_row(a, found.get(a.exercise_id))
        answers = r["answers"]
        tags = flags.get(a.id, set())
        per_q = [cell for q in qids for cell in (r["questions"].get(q, 0.0),
                                                 _cell("; ".join(answers.get(q, []))))]
        summary = [] if qids else [_cell(" | ".join(f"{q}: {'; '.join(v)}"
                                                    for q, v in answers.items()))]
        w.writerow([_cell(c.name), _cell(a.student), _cell(names.get(a.student, a.student)),
                    _cell(a.exercise_id), _cell(a.id), r["created_at"], a.marks, a.max_marks,
                    "yes" if "latest" in tags else "", "yes" if "best" in tags else "",
                    *per_q, *summary])
    name = f"imminence-course-{c.join_code}{'-' + exercise if exercise else ''}.csv"
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


__all__ = ["CourseRequest", "JoinRequest"]
