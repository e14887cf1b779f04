"""Durable storage of attempts: SQLAlchemy 2, schema by Alembic migrations.

    store = Store("sqlite:////path/imminence.db")   # or postgresql+psycopg://...
    store.migrate()                                  # alembic upgrade head (idempotent)
    record, created = store.add_attempt(...)         # idempotent on (student, key)

SQLite runs in WAL mode with `synchronous=FULL`: a commit is on disk before `add_attempt`
returns, so an attempt the API has acknowledged survives the process being killed. The
data directory is created on first use.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    Float,
    Index,
    String,
    UniqueConstraint,
    create_engine,
    event,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "teaching_alembic_version"
_MIGRATING = threading.Lock()  # alembic's context is process-global: one migration at a time


class Base(DeclarativeBase):
    pass


class AttemptRow(Base):
    """One graded attempt. `feedback` is the grader's output, stored as given to the
    student, so that what they read can always be shown again."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("student", "idempotency_key", name="uq_attempts_student_key"),
        Index("ix_attempts_exercise", "exercise_id", "created_at"),
        Index("ix_attempts_student", "student", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(100))
    student: Mapped[str] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback: Mapped[dict[str, Any]] = mapped_column(JSON)
    marks: Mapped[float] = mapped_column(Float)
    max_marks: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Attempt:
    id: str
    exercise_id: str
    student: str
    idempotency_key: str | None
    request_hash: str
    answers: dict[str, Any]
    feedback: dict[str, Any]
    marks: float
    max_marks: float
    created_at: datetime

    @classmethod
    def of(cls, row: AttemptRow) -> Attempt:
        created = row.created_at
        if created.tzinfo is None:  # SQLite keeps no zone; we always write UTC
            created = created.replace(tzinfo=UTC)
        return cls(id=row.id, exercise_id=row.exercise_id, student=row.student,
                   idempotency_key=row.idempotency_key, request_hash=row.request_hash,
                   answers=dict(row.answers), feedback=dict(row.feedback),
                   marks=float(row.marks), max_marks=float(row.max_marks), created_at=created)


class IdempotencyConflict(Exception):
    """The idempotency key was used before with a different request."""

    def __init__(self, existing: Attempt) -> None:
        super().__init__(existing.id)
        self.existing = existing


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`; for SQLite, the directory is created and durability set."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """Attempts, in the database at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrated = False
        self._lock = threading.Lock()

    def migrate(self) -> None:
        """Bring the schema to the latest migration (idempotent; once per Store)."""
        with self._lock, _MIGRATING:
            if self._migrated:
                return
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            # Several server processes may start at once: PostgreSQL serialises them with
            # an advisory lock; SQLite with its write lock, and a loser retries.
            for attempt in range(5):
                try:
                    with self.engine.begin() as conn:
                        if conn.dialect.name == "postgresql":
                            conn.execute(text("SELECT pg_advisory_xact_lock(7446217)"))
                        cfg.attributes["connection"] = conn
                        command.upgrade(cfg, "head")
                    break
                except DBAPIError:
                    if attempt == 4:
                        raise
                    time.sleep(0.2 * (attempt + 1))
            self._migrated = True

    def _session(self) -> Session:
        if not self._migrated:
            self.migrate()
        return self.sessions()

    def add_attempt(self, *, exercise_id: str, student: str, idempotency_key: str | None,
                    request_hash: str, answers: dict[str, Any], feedback: dict[str, Any],
                    marks: float, max_marks: float) -> tuple[Attempt, bool]:
        """Store an attempt and commit it; (attempt, True). A retry with the same student
        and idempotency key returns the stored attempt, (attempt, False), or raises
        IdempotencyConflict when the request differs."""
        if idempotency_key is not None:
            existing = self.find_by_key(student, idempotency_key)
            if existing is not None:
                return self._replay(existing, request_hash)
        row = AttemptRow(id=str(uuid.uuid4()), exercise_id=exercise_id, student=student,
                         idempotency_key=idempotency_key, request_hash=request_hash,
                         answers=answers, feedback=feedback, marks=marks,
                         max_marks=max_marks, created_at=datetime.now(UTC))
        with self._session() as s:
            s.add(row)
            try:
                s.commit()
            except IntegrityError:
                s.rollback()
                if idempotency_key is None:
                    raise
                existing = self.find_by_key(student, idempotency_key)
                if existing is None:
                    raise
                return self._replay(existing, request_hash)
            return Attempt.of(row), True

    @staticmethod
    def _replay(existing: Attempt, request_hash: str) -> tuple[Attempt, bool]:
        if existing.request_hash != request_hash:
            raise IdempotencyConflict(existing)
        return existing, False

    def find_by_key(self, student: str, idempotency_key: str) -> Attempt | None:
        with self._session() as s:
            row = s.scalars(select(AttemptRow).where(
                AttemptRow.student == student,
                AttemptRow.idempotency_key == idempotency_key)).first()
            return Attempt.of(row) if row else None

    def get(self, attempt_id: str) -> Attempt | None:
        with self._session() as s:
            row = s.get(AttemptRow, attempt_id)
            return Attempt.of(row) if row else None

    def attempts(self, *, exercise_id: str | None = None, student: str | None = None,
                 limit: int = 10_000) -> list[Attempt]:
        """Attempts, oldest first, filtered by exercise and/or student."""
        q = select(AttemptRow)
        if exercise_id is not None:
            q = q.where(AttemptRow.exercise_id == exercise_id)
        if student is not None:
            q = q.where(AttemptRow.student == student)
        q = q.order_by(AttemptRow.created_at, AttemptRow.id).limit(limit)
        with self._session() as s:
            return [Attempt.of(r) for r in s.scalars(q)]

    def count(self) -> int:
        from sqlalchemy import func

        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(AttemptRow)) or 0)

    def dispose(self) -> None:
        self.engine.dispose()


__all__ = ["Attempt", "AttemptRow", "Base", "IdempotencyConflict", "Store", "make_engine"]
