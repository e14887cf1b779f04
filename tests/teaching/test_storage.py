"""Storage on SQLite and on a real PostgreSQL server: attempts persist, retries with an
idempotency key do not duplicate, the schema comes from the Alembic migrations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from api.teaching.storage import VERSION_TABLE, IdempotencyConflict, Store

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
    assert version == "0001_attempts" and "attempts" in tables


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
