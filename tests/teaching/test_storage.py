"""Storage on SQLite and on a real PostgreSQL server: attempts persist, retries with an
idempotency key do not duplicate, the schema comes from the Alembic migrations."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.teaching.storage import (
    MIGRATIONS,
    VERSION_TABLE,
    IdempotencyConflict,
    Store,
    normalise_join_code,
)

from .servers import ROOT


def add(store: Store, key: str | None = "k1", student: str = "ann",
        request_hash: str = "h1", marks: float = 2.0) -> Any:
    return store.add_attempt(exercise_id="six-day-war-imminence", student=student,
                             idempotency_key=key, request_hash=request_hash,
                             answers={"kind-of-force": "pre_emptive"},
                             feedback={"feedback": [{"question": "kind-of-force",
                                                     "marks": marks}]},
                             marks=marks, max_marks=4.0)


def test_an_attempt_persists_and_reads_back_from_a_new_connection(database_url: str) -> None:
    first = Store(database_url)
    attempt, created = add(first)
    first.dispose()
    again = Store(database_url)
    got = again.get(attempt.id)
    again.dispose()
    assert created and got is not None
    assert got == attempt
    assert got.answers == {"kind-of-force": "pre_emptive"}
    assert got.created_at.tzinfo is not None


def test_an_idempotent_retry_returns_the_stored_attempt_and_adds_nothing(store: Store) -> None:
    a, created = add(store)
    b, created_again = add(store)
    assert created and not created_again
    assert a.id == b.id and store.count() == 1


def test_the_same_key_with_different_answers_is_a_conflict(store: Store) -> None:
    add(store)
    with pytest.raises(IdempotencyConflict):
        add(store, request_hash="other")
    assert store.count() == 1


def test_keys_are_per_student_and_attempts_without_key_are_all_kept(store: Store) -> None:
    add(store, key="k1", student="ann")
    add(store, key="k1", student="bob")
    add(store, key=None)
    add(store, key=None)
    assert store.count() == 4
    assert [a.student for a in store.attempts(student="bob")] == ["bob"]
    assert len(store.attempts(exercise_id="six-day-war-imminence")) == 4


def test_concurrent_retries_with_one_key_store_one_attempt(store: Store) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: add(store, key="race"), range(16)))
    assert len({a.id for a, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert store.count() == 1


def test_migrations_are_idempotent_and_recorded(database_url: str) -> None:
    for _ in range(2):
        s = Store(database_url)
        s.migrate()
        s.dispose()
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        version = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        tables = sa.inspect(conn).get_table_names()
    engine.dispose()
    assert version == "0002_courses"
    assert {"attempts", "courses", "enrolments"} <= set(tables)


def test_sqlite_file_and_directory_are_created_with_wal_and_full_sync(tmp_path: Path) -> None:
    db = tmp_path / "new" / "dir" / "imminence.db"
    store = Store(f"sqlite:///{db}")
    add(store)
    with store.engine.connect() as conn:
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    store.dispose()
    assert db.exists()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sync == 2  # FULL


def test_several_processes_starting_at_once_migrate_once(database_url: str) -> None:
    code = ("import sys; from api.teaching.storage import Store; "
            "s = Store(sys.argv[1]); s.migrate(); print(s.count())")
    procs = [subprocess.Popen([sys.executable, "-c", code, database_url], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-800:] for _, err in outs]
    store = Store(database_url)
    add(store)
    assert store.count() == 1
    store.dispose()


# ---- courses, enrolments, attempts in a course

def test_a_course_gets_a_join_code_and_students_join_it_once(store: Store) -> None:
    course = store.create_course("Use of force, spring term")
    other = store.create_course("Another course")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", course.join_code)
    assert course.join_code != other.join_code
    # what a student types: any case, with or without the dash
    typed = course.join_code.replace("-", "").lower()
    assert normalise_join_code(typed) == course.join_code
    assert store.course_by_code(typed) == course
    assert store.course_by_code("ZZZZ-ZZZZ") is None
    ann, created = store.enrol(course.id, "ann", "Ann Smith")
    again, created_again = store.enrol(course.id, "ann", "Ann S.")
    store.enrol(course.id, "bob", "Bob")
    store.enrol(other.id, "ann", "Ann")
    assert created and not created_again and again == ann and again.name == "Ann Smith"
    assert [e.student for e in store.roster(course.id)] == ["ann", "bob"]
    assert [e.student for e in store.roster(other.id)] == ["ann"]
    assert [c.name for c in store.courses()] == ["Use of force, spring term", "Another course"]


def test_attempts_belong_to_their_course_and_free_practice_has_none(store: Store) -> None:
    course = store.create_course("C")
    store.enrol(course.id, "ann", "Ann")
    in_course, _ = store.add_attempt(
        exercise_id="six-day-war-imminence", student="ann", idempotency_key=None,
        request_hash="h", answers={}, feedback={"feedback": []}, marks=1.0, max_marks=4.0,
        course_id=course.id)
    practice, _ = add(store, key=None)
    assert store.get(in_course.id) == in_course and in_course.course_id == course.id
    assert practice.course_id is None
    assert [a.id for a in store.attempts(course_id=course.id)] == [in_course.id]
    assert len(store.attempts(student="ann")) == 2


def test_an_attempt_cannot_name_a_course_that_does_not_exist(store: Store) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        store.add_attempt(exercise_id="x", student="ann", idempotency_key=None,
                          request_hash="h", answers={}, feedback={}, marks=0.0,
                          max_marks=1.0, course_id="no-such-course")


def test_the_courses_migration_keeps_the_attempts_stored_before_it(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(database_url)
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True,
                                                                   exist_ok=True)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001_attempts")
        conn.execute(sa.text(
            "INSERT INTO attempts (id, exercise_id, student, idempotency_key, request_hash, "
            "answers, feedback, marks, max_marks, created_at) VALUES ('a1', 'e', 'ann', "
            "NULL, 'h', '{}', '{}', 2, 4, '2026-01-05 10:00:00+00:00')"))
    engine.dispose()
    store = Store(database_url)
    store.migrate()
    old = store.get("a1")
    course = store.create_course("after the upgrade")
    store.dispose()
    assert old is not None and old.student == "ann" and old.course_id is None
    assert old.marks == 2.0 and course.join_code
