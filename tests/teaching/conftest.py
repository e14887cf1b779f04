"""Fixtures of the teaching tests: stores on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.teaching.storage import Store

from .servers import Postgres, create_database, start_postgres

_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster for the session; the tests that need it skip, with the reason,
    where none can be started."""
    pg = start_postgres()
    if isinstance(pg, str):
        pytest.skip(f"PostgreSQL storage tests skipped: {pg}")
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'imminence.db'}"
    pg: Postgres = request.getfixturevalue("postgres")
    return create_database(pg, f"t{next(_counter)}_{request.node.name[:20].lower()}"
                           .replace("[", "_").replace("]", "").replace("-", "_"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store(database_url)
    s.migrate()
    yield s
    s.dispose()
