"""The teaching API: exercises without keys, attempts graded and stored, instructor
endpoints behind a bearer token, and problem details for bad attempts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from engine.teaching.exercises import answer_keys, exercises, key_as_answer

TOKEN = "s3cret-instructor-token"
EX = "six-day-war-imminence"
PROBLEM = "application/problem+json"


def make_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                token: str | None) -> TestClient:
    monkeypatch.setenv("IMMINENCE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IMMINENCE_ACCESS_LOG", "false")
    monkeypatch.delenv("IMMINENCE_DATABASE_URL", raising=False)
    if token is None:
        monkeypatch.delenv("IMMINENCE_INSTRUCTOR_TOKEN", raising=False)
    else:
        monkeypatch.setenv("IMMINENCE_INSTRUCTOR_TOKEN", token)
    return TestClient(create_app())


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with make_client(tmp_path, monkeypatch, TOKEN) as c:
        yield c


def full_answers(exercise_id: str = EX) -> dict[str, Any]:
    e = exercises()[exercise_id]
    return {q.id: key_as_answer(e, q) for q in e.doc.questions}


def submit(client: TestClient, body: dict[str, Any], exercise_id: str = EX,
           **headers: str) -> Any:
    return client.post(f"/v1/exercises/{exercise_id}/attempts", json=body, headers=headers)


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_startup_creates_the_sqlite_database_in_the_data_dir(client: TestClient,
                                                            tmp_path: Path) -> None:
    assert (tmp_path / "data" / "imminence.db").exists()


def test_exercises_are_listed_and_served_without_keys(client: TestClient) -> None:
    listed = client.get("/v1/exercises").json()
    assert len(listed) >= 12 and {e["id"] for e in listed} == set(exercises())
    for e in listed:
        view = client.get(f"/v1/exercises/{e['id']}")
        assert view.status_code == 200
        text = view.text
        assert '"expect"' not in text and '"key"' not in text and '"feedback"' not in text
        keys = answer_keys(exercises()[e["id"]])
        for q in view.json()["questions"]:
            if q["kind"] == "what_if":
                assert "key" not in q and "changes" not in q
            if q["kind"] == "decisive":  # the answer is among more choices, never alone
                assert len(q["choices"]) > len(keys[q["id"]])


def test_an_attempt_is_graded_stored_and_readable(client: TestClient) -> None:
    r = submit(client, {"student": "ann", "answers": full_answers()})
    assert r.status_code == 201
    body = r.json()
    assert body["marks"] == body["max_marks"] == 4
    assert r.headers["location"] == f"/v1/attempts/{body['id']}"
    assert all(f["correct"] for f in body["feedback"])
    assert body["teaching_note"]
    again = client.get(f"/v1/attempts/{body['id']}")
    assert again.status_code == 200 and again.json() == body


def test_a_retry_with_the_same_idempotency_key_is_not_stored_twice(client: TestClient) -> None:
    body = {"student": "ann", "answers": full_answers(), "idempotency_key": "try-1"}
    first = submit(client, body)
    second = submit(client, body)
    header = submit(client, {"student": "ann", "answers": {"kind-of-force": "reactive"}},
                    **{"Idempotency-Key": "hdr-1"})
    header_again = submit(client, {"student": "ann", "answers": {"kind-of-force": "reactive"}},
                          **{"Idempotency-Key": "hdr-1"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.headers["idempotent-replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert header.json()["id"] == header_again.json()["id"]
    results = client.get("/v1/instructor/students/ann/results", headers=AUTH).json()
    assert results["attempts"] == 2


def test_reusing_a_key_for_different_answers_is_a_409_problem(client: TestClient) -> None:
    submit(client, {"student": "ann", "answers": {}, "idempotency_key": "k"})
    r = submit(client, {"student": "ann", "answers": {"kind-of-force": "reactive"},
                        "idempotency_key": "k"})
    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("path", [
    f"/v1/instructor/exercises/{EX}/results", "/v1/instructor/students/ann/results",
    "/v1/instructor/results.csv"])
@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": TOKEN}, 401),
    ({"Authorization": f"Basic {TOKEN}"}, 401), ({"Authorization": f"Bearer {TOKEN}x"}, 401),
    (AUTH, 200)])
def test_instructor_endpoints_reject_missing_and_wrong_tokens(
        client: TestClient, path: str, headers: dict[str, str], status: int) -> None:
    r = client.get(path, headers=headers)
    assert r.status_code == status
    if status == 401:
        assert r.headers["content-type"] == PROBLEM
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert "results" not in r.json()


def test_instructor_endpoints_are_disabled_not_open_without_a_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with make_client(tmp_path, monkeypatch, None) as c:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer None"}):
            r = c.get(f"/v1/instructor/exercises/{EX}/results", headers=headers)
            assert r.status_code == 403 and r.headers["content-type"] == PROBLEM
            assert "disabled" in r.json()["detail"]


def test_instructor_results_per_exercise_and_per_student_and_csv(client: TestClient) -> None:
    submit(client, {"student": "ann", "answers": full_answers()})
    submit(client, {"student": "carl", "answers": {"kind-of-force": "reactive"}})
    r = client.get(f"/v1/instructor/exercises/{EX}/results", headers=AUTH).json()
    assert r["attempts"] == 2 and r["students"] == 2 and r["mean"] == 2.0
    q0 = r["questions"][0]
    assert q0["id"] == "kind-of-force" and q0["full_marks"] == 1
    s = client.get("/v1/instructor/students/ann/results", headers=AUTH).json()
    assert s["attempts"] == 1 and s["results"][0]["marks"] == 4
    csv = client.get(f"/v1/instructor/results.csv?exercise={EX}", headers=AUTH)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("attempt_id,created_at,exercise,student,marks,max_marks,"
                               "kind-of-force")
    assert len(lines) == 3


def test_the_feedback_reveals_the_key_only_after_the_attempt_is_stored(
        client: TestClient) -> None:
    r = submit(client, {"student": "bob", "answers": {"kind-of-force": "reactive"}})
    fb = r.json()["feedback"]
    assert fb[0]["key"] == "pre_emptive" and fb[0]["correct"] is False
    stored = client.get(f"/v1/attempts/{r.json()['id']}").json()
    assert stored["feedback"] == fb


@pytest.mark.parametrize(("body", "status"), [
    (b"{not json", 400),
    (b"[]", 422),
    (json.dumps({"answers": {}}).encode(), 422),                       # no student
    (json.dumps({"student": "", "answers": {}}).encode(), 422),
    (json.dumps({"student": "a\x00b", "answers": {}}).encode(), 422),
    (json.dumps({"student": "x" * 101, "answers": {}}).encode(), 422),
    (json.dumps({"student": "a", "answers": [1]}).encode(), 422),
    (json.dumps({"student": "a", "answers": {}, "extra": 1}).encode(), 422),
    (json.dumps({"student": "a", "answers": {}, "idempotency_key": "a b"}).encode(), 422),
    (json.dumps({"student": "a", "answers": {"kind-of-force": "imminent"}}).encode(), 422),
    (json.dumps({"student": "a", "answers": {"make-it-caroline": {"changes": {
        "threat.hours_untill": 5}}}}).encode(), 422),
    (json.dumps({"student": "a", "answers": {"x": "y" * 70_000}}).encode(), 413),
])
def test_malformed_or_oversize_attempts_get_problem_details(
        client: TestClient, body: bytes, status: int) -> None:
    r = client.post(f"/v1/exercises/{EX}/attempts", content=body,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["status"] == status and problem["title"]
    assert "Traceback" not in r.text
    if status == 422:
        assert problem["errors"]
    got = client.get(f"/v1/instructor/exercises/{EX}/results", headers=AUTH).json()
    assert got["attempts"] == 0  # nothing invalid is stored


def test_an_attempt_must_be_json_and_name_a_real_exercise(client: TestClient) -> None:
    r = client.post(f"/v1/exercises/{EX}/attempts", content=b"student=a",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = submit(client, {"student": "a", "answers": {}}, exercise_id="no-such-exercise")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    assert client.get("/v1/attempts/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/v1/attempts/not-an-id").status_code == 422


def test_the_fact_vocabulary_and_windows_feed_the_page(client: TestClient) -> None:
    facts = client.get("/v1/facts").json()
    names = [f["name"] for g in facts["groups"] for f in g["facts"]]
    assert "threat.hours_until" in names and len(names) == len(set(names))
    windows = client.get("/v1/windows").json()["doctrines"]
    assert windows["charter_restrictive"]["routes"] == []
    assert {r["parameter"] for r in windows["pre_emptive"]["routes"]} == {
        "caroline_max_hours", "contextual_max_hours"}
    assert None in {r["parameter"] for r in windows["preventive"]["routes"]}


def test_the_web_page_and_its_files_are_served_offline(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "http://" not in page.text and "https://" not in page.text  # no CDN
    for name in ("app.js", "explorer.js", "compare.js", "exercises.js", "instructor.js",
                 "style.css", "compare.css", "favicon.svg"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and "https://" not in r.text
    assert client.get("/static/../main.py").status_code == 404
    assert client.get("/static/index.html").status_code == 404


# ---- the teaching note, student ids, courses (issues 13 and 14)

def test_the_teaching_note_is_shown_only_once_the_attempt_is_stored(
        client: TestClient) -> None:
    note = exercises()[EX].doc.teaching_note
    view = client.get(f"/v1/exercises/{EX}")
    assert "teaching_note" not in view.json() and note[:40] not in view.text
    attempt = submit(client, {"student": "ann", "answers": {}}).json()
    assert attempt["teaching_note"] == note


@pytest.mark.parametrize(("student", "says"), [
    ("ann/1", "'/' is not allowed"),
    ("=cmd|calc", "'=' is not allowed"),
    ("a%2Fb", "'%' is not allowed"),
    ("back\\slash", "'\\' is not allowed"),
    ("tab\there", "'\\t' is not allowed"),
    (" ann", "may not start or end"),
    ("-ann", "may not start or end"),
    ("", "required"),
    ("x" * 101, "at most 100"),
])
def test_student_ids_outside_the_safe_set_get_a_clear_422(
        client: TestClient, student: str, says: str) -> None:
    r = submit(client, {"student": student, "answers": {}})
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    (err,) = r.json()["errors"]
    assert err["field"] == "student" and says in err["msg"], err
    assert "should match" not in err["msg"]
    got = client.get(f"/v1/instructor/exercises/{EX}/results", headers=AUTH).json()
    assert got["attempts"] == 0


@pytest.mark.parametrize("student", ["Ann Smith", "ann.smith+law@uni.example", "s1234567",
                                     "José Ñúñez", "O'Brien", "李小龍"])
def test_every_accepted_student_id_can_be_looked_up_by_the_instructor(
        client: TestClient, student: str) -> None:
    assert submit(client, {"student": student, "answers": {}}).status_code == 201
    from urllib.parse import quote

    r = client.get(f"/v1/instructor/students/{quote(student, safe='')}/results",
                   headers=AUTH)
    assert r.status_code == 200 and r.json()["attempts"] == 1
    assert r.json()["results"][0]["student"] == student


def test_looking_up_an_unusable_student_id_is_a_422_not_a_404(client: TestClient) -> None:
    r = client.get("/v1/instructor/students/a%3Db/results", headers=AUTH)
    assert r.status_code == 422 and "'=' is not allowed" in r.json()["errors"][0]["msg"]


def make_course(client: TestClient, name: str = "Use of force, spring") -> dict[str, Any]:
    r = client.post("/v1/instructor/courses", json={"name": name}, headers=AUTH)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_course_endpoints_are_behind_the_instructor_token(client: TestClient) -> None:
    assert client.post("/v1/instructor/courses", json={"name": "x"}).status_code == 401
    assert client.get("/v1/instructor/courses").status_code == 401
    course = make_course(client)
    for path in (f"/v1/instructor/courses/{course['id']}",
                 f"/v1/instructor/courses/{course['id']}/results.csv"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get(path, headers=AUTH).status_code == 200


def test_a_student_joins_a_course_and_their_attempts_are_on_its_roster(
        client: TestClient) -> None:
    course = make_course(client)
    code = course["join_code"]
    # the code as a student might type it
    joined = client.post("/v1/courses/join", json={"code": code.lower().replace("-", ""),
                                                   "student": "ann", "name": "Ann Smith"})
    assert joined.status_code == 201
    assert joined.json()["course"]["name"] == "Use of force, spring"
    again = client.post("/v1/courses/join", json={"code": code, "student": "ann"})
    assert again.status_code == 200 and again.json()["name"] == "Ann Smith"
    first = submit(client, {"student": "ann", "course": code,
                            "answers": {"kind-of-force": "reactive"}})
    second = submit(client, {"student": "ann", "course": code, "answers": full_answers()})
    third = submit(client, {"student": "ann", "course": code,
                            "answers": {"kind-of-force": "pre_emptive"}})
    practice = submit(client, {"student": "ann", "answers": full_answers()})
    assert [r.status_code for r in (first, second, third, practice)] == [201] * 4
    assert first.json()["course"] == course["id"] and practice.json()["course"] is None

    roster = client.get(f"/v1/instructor/courses/{course['id']}", headers=AUTH).json()
    assert roster["students"] == 1 and roster["attempts"] == 3  # practice is not in it
    (ann,) = roster["roster"]
    assert ann["name"] == "Ann Smith" and ann["attempts"] == 3
    (row,) = ann["exercises"]
    assert row["attempts"] == 3
    assert row["latest"]["id"] == third.json()["id"] and row["latest"]["marks"] == 1
    assert row["best"]["id"] == second.json()["id"] and row["best"]["marks"] == 4
    # what the student answered, in words, not only the marks
    assert row["latest"]["answers"]["kind-of-force"] == ["Kind of force: pre-emptive"]
    assert any("Hours until" in w or ":" in w
               for w in row["best"]["answers"]["make-it-caroline"])
    listed = client.get("/v1/instructor/courses", headers=AUTH).json()
    assert [(c["name"], c["students"], c["attempts"]) for c in listed] == [
        ("Use of force, spring", 1, 3)]
    # the exercise results can be narrowed to the course, with latest and best per student
    r = client.get(f"/v1/instructor/exercises/{EX}/results?course={course['id']}",
                   headers=AUTH).json()
    assert r["attempts"] == 3
    (ps,) = r["per_student"]
    assert ps["latest"]["marks"] == 1 and ps["best"]["marks"] == 4 and ps["attempts"] == 3


def test_an_attempt_in_a_course_needs_the_student_to_have_joined_it(
        client: TestClient) -> None:
    course = make_course(client)
    r = submit(client, {"student": "bob", "course": course["join_code"], "answers": {}})
    assert r.status_code == 403 and r.json()["type"].endswith("not-enrolled")
    assert "join" in r.json()["detail"]
    r = submit(client, {"student": "bob", "course": "ZZZZ-ZZZZ", "answers": {}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "course"
    r = client.post("/v1/courses/join", json={"code": "ZZZZ-ZZZZ", "student": "bob"})
    assert r.status_code == 404
    r = client.post("/v1/courses/join", json={"code": course["join_code"], "student": "b/c"})
    assert r.status_code == 422
    got = client.get(f"/v1/instructor/exercises/{EX}/results", headers=AUTH).json()
    assert got["attempts"] == 0


def test_a_course_exports_its_attempts_as_csv_with_latest_best_and_answers(
        client: TestClient) -> None:
    import csv
    import io

    course = make_course(client, "=HYPERLINK(\"x\")")  # a name a spreadsheet would run
    other = make_course(client, "Other")
    for c, student in ((course, "ann"), (course, "bob"), (other, "carl")):
        client.post("/v1/courses/join", json={"code": c["join_code"], "student": student})
    submit(client, {"student": "ann", "course": course["join_code"],
                    "answers": full_answers()})
    submit(client, {"student": "ann", "course": course["join_code"],
                    "answers": {"kind-of-force": "reactive"}})
    submit(client, {"student": "bob", "course": course["join_code"],
                    "answers": {"kind-of-force": "pre_emptive"}})
    submit(client, {"student": "carl", "course": other["join_code"], "answers": {}})
    r = client.get(f"/v1/instructor/courses/{course['id']}/results.csv?exercise={EX}",
                   headers=AUTH)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["student"], x["marks"], x["latest"], x["best"]) for x in rows] == [
        ("ann", "4.0", "", "yes"), ("ann", "0.0", "yes", ""), ("bob", "1.0", "yes", "yes")]
    assert {x["course"] for x in rows} == {"'=HYPERLINK(\"x\")"}  # not run as a formula
    assert rows[2]["kind-of-force answer"] == "Kind of force: pre-emptive"
    assert rows[2]["kind-of-force marks"] == "1.0"
    whole = client.get(f"/v1/instructor/courses/{course['id']}/results.csv", headers=AUTH)
    assert len(whole.text.strip().splitlines()) == 4 and "carl" not in whole.text
    missing = client.get("/v1/instructor/courses/00000000-0000-0000-0000-000000000000",
                         headers=AUTH)
    assert missing.status_code == 404


def test_courses_roster_and_csv_work_on_sqlite_and_postgresql(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMMINENCE_DATABASE_URL", database_url)
    monkeypatch.setenv("IMMINENCE_INSTRUCTOR_TOKEN", TOKEN)
    monkeypatch.setenv("IMMINENCE_ACCESS_LOG", "false")
    with TestClient(create_app()) as c:
        course = make_course(c)
        assert c.post("/v1/courses/join", json={"code": course["join_code"],
                                                "student": "José Ñúñez"}).status_code == 201
        r = submit(c, {"student": "José Ñúñez", "course": course["join_code"],
                       "answers": {"kind-of-force": "pre_emptive"}})
        assert r.status_code == 201
        roster = c.get(f"/v1/instructor/courses/{course['id']}", headers=AUTH).json()
        assert roster["roster"][0]["exercises"][0]["best"]["marks"] == 1
        text = c.get(f"/v1/instructor/courses/{course['id']}/results.csv",
                     headers=AUTH).text
        assert "José Ñúñez" in text and "Kind of force: pre-emptive" in text
