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
    submit(client, {"student": "=cmd|calc", "answers": {"kind-of-force": "reactive"}})
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
    assert ",'=cmd|calc," in lines[2]  # no formula injection into spreadsheets


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
    for name in ("app.js", "style.css", "favicon.svg"):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and "https://" not in r.text
    assert client.get("/static/../main.py").status_code == 404
    assert client.get("/static/index.html").status_code == 404
