"""Fixtures for the API tests: the real ASGI app, driven through httpx."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

# The app includes the teaching feature, whose SQLite file defaults to ./data: keep test
# runs from writing into the work tree.
os.environ.setdefault("IMMINENCE_DATA_DIR", tempfile.mkdtemp(prefix="imminence-api-tests-"))

from api.main import create_app
from api.settings import Settings


@pytest.fixture(scope="session")
def app() -> FastAPI:
    return create_app(Settings(access_log=False))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client of the app with its lifespan run (rules compiled), errors as responses."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def small_client() -> Iterator[TestClient]:
    """The app with tiny limits, for the 413 cases."""
    app = create_app(Settings(access_log=False, max_body_bytes=2000,
                              max_batch_body_bytes=4000, batch_limit=3))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
