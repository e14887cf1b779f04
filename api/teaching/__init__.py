"""Teaching: exercises graded by the engine, attempts stored durably, instructor results.

Its routers (`routes.router`, `routes.instructor`) are assembled in api/main.py with the
others; `install(app, settings)` gives the app its attempt store and runs the database
migrations when the app starts (and, failing that, on first use). Its settings are fields
of the one `api.settings.Settings` (IMMINENCE_DATA_DIR, IMMINENCE_DATABASE_URL,
IMMINENCE_INSTRUCTOR_TOKEN, IMMINENCE_MAX_ATTEMPT_BYTES).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from api.settings import Settings
from api.teaching.storage import Store


def install(app: FastAPI, settings: Settings, store: Store | None = None) -> None:
    """Give `app` its attempt store; migrate the database on startup."""
    app.state.teaching_store = store = store or Store(settings.url())
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        await run_in_threadpool(store.migrate)
        async with inner(a) as state:
            yield state

    app.router.lifespan_context = lifespan


__all__ = ["Store", "install"]
