"""The FastAPI application factory.

    from api.main import create_app
    app = create_app()                        # settings from IMMINENCE_* env variables
    app = create_app(Settings(batch_limit=10), routers=[*ROUTERS, exercises.router])

The API is a thin layer over `engine.evaluate`: it validates, calls the engine and renders;
it never re-implements law. This is the one place routers are assembled: one per file in
api/routes/, the teaching routers (api/teaching/routes.py), then the web page (api/web/);
a test or an extension adds its own through `routers=` or `extra_routers=`. The JSON index
at `/` is included only when no other router serves `/`.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema
from starlette.routing import Match

from api import problems
from api.middleware import RequestContextMiddleware, configure_logging
from api.models import BatchItem, BatchRecord, BatchRequest, BatchResponse
from api.routes import (
    analysis,
    docs,
    doctrines,
    health,
    index,
    parameters,
    scenarios,
    sources,
    vocabulary,
)
from api.routes import evaluate as evaluate_routes
from api.settings import Settings
from api.teaching import courses as _courses  # noqa: F401  (course endpoints, on those routers)
from api.teaching import install as install_teaching
from api.teaching import routes as teaching
from api.web import router as web_page
from engine import __version__, evaluate
from engine.law.definitions import load

# Every router of the service is assembled here: ROUTERS, then TEACHING, then the web page
# and the JSON index (both answer `GET /`; the index only when nothing else does).
# A request is matched against the routers in this order, so the busiest come first.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    evaluate_routes.router,
    doctrines.router,
    sources.router,
    parameters.router,
    vocabulary.router,
    scenarios.router,
    docs.router,
    analysis.router,
)
# The teaching feature's routers, after ROUTERS and any extra ones (which may replace them).
TEACHING: tuple[APIRouter, ...] = (teaching.router, teaching.instructor)

DESCRIPTION = """\
Self-defence in international law, doctrine by doctrine: Article 51 (restrictive reading),
anticipatory self-defence (Caroline), pre-emptive self-defence (contextual imminence),
preventive self-defence, and the US National Security Strategies of 2002 and 2006.

State the facts of a use of force once (`POST /v1/evaluate`) and see, for each doctrine, the
verdict, the route, the score, the decisive tests, the facts to find out and the source of
every rule. A fact that is absent or null is **unknown**, never false. The interpretive
parameters (`GET /v1/parameters`) can be overridden per request.

With `explain: false` the answer comes from the engine's fast path (the same compiled rules
in plain Python, differential-tested against durable-rules): identical verdicts, routes,
scores and decisive tests, without the trace and the per-test facts, about twice as fast.

Errors are RFC 9457 problem details (`application/problem+json`) naming the field path and
the allowed values. Every response carries an `X-Request-ID` header.
"""


def _warm_up() -> None:
    """Compile the rules and answer once before serving (so /readyz is cheap and the first
    client does not pay for compilation)."""
    load()
    evaluate({"security_council": {"authorisation": True}})
    scenarios._summaries()


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes, separate_input_output_schemas=False)
    _, defs = models_json_schema(
        [(m, "validation") for m in (problems.Problem, BatchItem, BatchRequest, BatchRecord,
                                     BatchResponse)],
        ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in defs.get("$defs", {}).items():
        components.setdefault(name, definition)
    # Batch items are validated one by one (an invalid one gives an error record), so their
    # models are loose; the schema says what each should be.
    components["BatchItem"]["properties"]["scenario"] = {
        "$ref": "#/components/schemas/Scenario", "description": "the facts, as in "
                                                                "POST /v1/evaluate"}
    components["BatchRequest"]["properties"]["items"]["items"] = {
        "$ref": "#/components/schemas/BatchItem"}
    app.openapi_schema = schema
    return schema


def _serves_root(app: FastAPI) -> bool:
    """Whether some route already answers `GET /` (e.g. the web page)."""
    scope = {"type": "http", "method": "GET", "path": "/", "root_path": "",
             "headers": [], "query_string": b""}
    return any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)


def create_app(settings: Settings | None = None, *,
               routers: Sequence[APIRouter] = ROUTERS,
               extra_routers: Iterable[APIRouter] = ()) -> FastAPI:
    """Build the service. `settings` defaults to the environment (IMMINENCE_*)."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from fastapi.concurrency import run_in_threadpool

        await run_in_threadpool(_warm_up)
        # What start-up built (the law, the default rule network, the schemas) lives as
        # long as the process: out of the collector's sight, a full collection walks only
        # what came later (it stops every thread, the event loop's included).
        gc.collect()
        gc.freeze()
        yield

    app = FastAPI(title="imminence", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan,
                  separate_input_output_schemas=False)
    app.state.settings = settings
    for router in (*routers, *extra_routers, *TEACHING, web_page):
        app.include_router(router)
    install_teaching(app, settings)  # the attempt store, migrated on startup
    if not _serves_root(app):
        app.include_router(index.router)
    docs.mount_assets(app)
    problems.install(app)
    express = (evaluate_routes.express
               if settings.express and evaluate_routes.router in routers else None)
    app.add_middleware(RequestContextMiddleware, settings=settings, express=express)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


__all__ = ["ROUTERS", "TEACHING", "create_app"]
