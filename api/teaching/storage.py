"""Durable storage of courses, enrolments and attempts: SQLAlchemy 2, schema by Alembic
migrations.

    store = Store("sqlite:////path/imminence.db")   # or postgresql+psycopg://...
    store.migrate()                                  # alembic upgrade head (idempotent)
    course = store.create_course("Use of force, spring")   # with a fresh join code
    store.enrol(course.id, "ann", "Ann Smith")       # a student joins (idempotent)
    record, created = store.add_attempt(...)         # idempotent on (student, key)

An attempt made in a course carries its `course_id`; free practice has none.

SQLite runs in WAL mode with `synchronous=FULL`: a commit is on disk before `add_attempt`
returns, so an attempt the API has acknowledged survives the process being killed. The
data directory is created on first use.
"""

from __future__ import annotations

import secrets
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
    ForeignKey,
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


class CourseRow(Base):
    """A course: a name and the code its students join with."""

    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("join_code", name="uq_courses_join_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    join_code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EnrolmentRow(Base):
    """A student enrolled in a course, under the name they gave."""

    __tablename__ = "enrolments"

    course_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", name="fk_enrolments_course"), primary_key=True)
    student: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AttemptRow(Base):
    """One graded attempt. `feedback` is the grader's output, stored as given to the
    student, so that what they read can always be shown again."""

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("student", "idempotency_key", name="uq_attempts_student_key"),
        Index("ix_attempts_exercise", "exercise_id", "created_at"),
        Index("ix_attempts_student", "student", "created_at"),
        Index("ix_attempts_course", "course_id", "created_at"),
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
    course_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("courses.id", name="fk_attempts_course"), nullable=True)


def _utc(moment: datetime) -> datetime:
    """SQLite keeps no zone; we always write UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Course:
    id: str
    name: str
    join_code: str
    created_at: datetime

    @classmethod
    def of(cls, row: CourseRow) -> Course:
        return cls(id=row.id, name=row.name, join_code=row.join_code,
                   created_at=_utc(row.created_at))


@dataclass(frozen=True)
class Enrolment:
    course_id: str
    student: str
    name: str
    joined_at: datetime

    @classmethod
    def of(cls, row: EnrolmentRow) -> Enrolment:
        return cls(course_id=row.course_id, student=row.student, name=row.name,
                   joined_at=_utc(row.joined_at))


# Join codes: 8 characters without look-alikes (no 0/O, 1/I/L), shown as XXXX-XXXX.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_join_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_join_code(code: str) -> str:
    """What a student typed, as stored: upper case, the dash where it belongs."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


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
    course_id: str | None = None

    @classmethod
    def of(cls, row: AttemptRow) -> Attempt:
        return cls(id=row.id, exercise_id=row.exercise_id, student=row.student,
                   idempotency_key=row.idempotency_key, request_hash=row.request_hash,
                   answers=dict(row.answers), feedback=dict(row.feedback),
                   marks=float(row.marks), max_marks=float(row.max_marks),
                   created_at=_utc(row.created_at), course_id=row.course_id)


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
                    marks: float, max_marks: float,
                    course_id: str | None = None) -> tuple[Attempt, bool]:
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
                         max_marks=max_marks, created_at=datetime.now(UTC),
                         course_id=course_id)
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
                 course_id: str | None = None, limit: int = 10_000) -> list[Attempt]:
        """Attempts, oldest first, filtered by exercise, student and/or course."""
        q = select(AttemptRow)
        if exercise_id is not None:
            q = q.where(AttemptRow.exercise_id == exercise_id)
        if student is not None:
            q = q.where(AttemptRow.student == student)
        if course_id is not None:
            q = q.where(AttemptRow.course_id == course_id)
        q = q.order_by(AttemptRow.created_at, AttemptRow.id).limit(limit)
        with self._session() as s:
            return [Attempt.of(r) for r in s.scalars(q)]

    # ---- courses

    def create_course(self, name: str) -> Course:
        """A new course with a fresh join code (a clash with an existing code retries)."""
        for _ in range(10):
            row = CourseRow(id=str(uuid.uuid4()), name=name, join_code=new_join_code(),
                            created_at=datetime.now(UTC))
            with self._session() as s:
                s.add(row)
                try:
                    s.commit()
                except IntegrityError:
                    s.rollback()
                    continue
                return Course.of(row)
        raise RuntimeError("could not draw an unused join code")  # pragma: no cover

    def courses(self) -> list[Course]:
        with self._session() as s:
            rows = s.scalars(select(CourseRow).order_by(CourseRow.created_at, CourseRow.id))
            return [Course.of(r) for r in rows]

    def course(self, course_id: str) -> Course | None:
        with self._session() as s:
            row = s.get(CourseRow, course_id)
            return Course.of(row) if row else None

    def course_by_code(self, code: str) -> Course | None:
        with self._session() as s:
            row = s.scalars(select(CourseRow).where(
                CourseRow.join_code == normalise_join_code(code))).first()
            return Course.of(row) if row else None

    def enrol(self, course_id: str, student: str, name: str) -> tuple[Enrolment, bool]:
        """Enrol a student (idempotent: joining again returns the first enrolment)."""
        existing = self.enrolment(course_id, student)
        if existing is not None:
            return existing, False
        row = EnrolmentRow(course_id=course_id, student=student, name=name,
                           joined_at=datetime.now(UTC))
        with self._session() as s:
            s.add(row)
            try:
                s.commit()
            except IntegrityError:  # joined at the same moment from elsewhere
                s.rollback()
                again = self.enrolment(course_id, student)
                if again is None:
                    raise
                return again, False
            return Enrolment.of(row), True

    def enrolment(self, course_id: str, student: str) -> Enrolment | None:
        with self._session() as s:
            row = s.get(EnrolmentRow, (course_id, student))
            return Enrolment.of(row) if row else None

    def roster(self, course_id: str) -> list[Enrolment]:
        """The students of a course, in the order they joined."""
        with self._session() as s:
            rows = s.scalars(select(EnrolmentRow).where(EnrolmentRow.course_id == course_id)
                             .order_by(EnrolmentRow.joined_at, EnrolmentRow.student))
            return [Enrolment.of(r) for r in rows]

    def count(self) -> int:
        from sqlalchemy import func

        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(AttemptRow)) or 0)

    def dispose(self) -> None:
        self.engine.dispose()


__all__ = ["Attempt", "AttemptRow", "Base", "Course", "CourseRow", "Enrolment",
           "EnrolmentRow", "IdempotencyConflict", "Store", "make_engine", "new_join_code",
           "normalise_join_code"]
