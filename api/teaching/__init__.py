"""Teaching: exercises graded by the engine, attempts stored durably, instructor results.

`install(app)` adds the routers (and the web page at `/`) to the API app and runs the
database migrations when the app starts (and, failing that, on first use).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from api.teaching.settings import TeachingSettings
from api.teaching.storage import Store


def install(app: FastAPI, settings: TeachingSettings | None = None,
            store: Store | None = None, *, web: bool = True) -> None:
    """Add the teaching routers (and the web page) to `app`; migrate on startup."""
    from api.teaching.routes import instructor, router
    from api.web import router as web_router

    settings = settings or TeachingSettings()
    app.state.teaching_settings = settings
    app.state.teaching_store = store = store or Store(settings.url())
    app.include_router(router)
    app.include_router(instructor)
    if web:
        app.include_router(web_router)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        await run_in_threadpool(store.migrate)
        async with inner(a) as state:
            yield state

    app.router.lifespan_context = lifespan


__all__ = ["Store", "TeachingSettings", "install"]
