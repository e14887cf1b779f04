"""Shared dependencies, as `Annotated` aliases for route signatures.

    def route(settings: SettingsDep, law: LawDep) -> ...
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request

from api.jsonbody import is_json_media, media_type
from api.problems import ProblemError
from api.settings import Settings
from engine.law.definitions import Law, load

T = TypeVar("T")


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with (`create_app(settings)`)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_law() -> Law:
    """The law from rules/ (loaded once per process)."""
    return load()


async def require_json(request: Request) -> None:
    """415 unless the body is declared as JSON (`application/json` or `+json`)."""
    media = media_type(request.headers.get("content-type"))
    if not is_json_media(media):
        raise ProblemError(415, f"expected Content-Type: application/json (or "
                                f"application/*+json), got {media or 'none'}",
                           kind="unsupported-media-type")


async def run_evaluation(request: Request, func: Callable[..., T], *args: Any) -> T:
    """Run a CPU-bound evaluation off the event loop, in a small dedicated pool.

    Evaluation holds the GIL (and, on the rete path, the engine's process lock): with as
    many threads as requests (Starlette's default pool has 40) the event loop would get the
    GIL a fraction of the time and every request, /healthz included, would slow down. A
    capacity limiter of `evaluation_threads` (default 2) keeps the loop responsive and
    the queue first come, first served."""
    state = request.app.state
    limiter: CapacityLimiter | None = getattr(state, "evaluation_limiter", None)
    if limiter is None:  # created on the loop thread, on first use (anyio needs a loop)
        limiter = state.evaluation_limiter = CapacityLimiter(
            state.settings.evaluation_threads)
    return await to_thread.run_sync(partial(func, *args), limiter=limiter)


SettingsDep = Annotated[Settings, Depends(get_settings)]
LawDep = Annotated[Law, Depends(get_law)]
JsonBody = Depends(require_json)

__all__ = ["JsonBody", "LawDep", "SettingsDep", "get_law", "get_settings", "require_json",
           "run_evaluation"]
