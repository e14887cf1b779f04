"""`imminence serve`: the HTTP API under uvicorn.

    imminence serve                       # http://127.0.0.1:8000 (docs at /docs)
    imminence serve --host 0.0.0.0 --port 8080 --workers 2

Other settings come from IMMINENCE_* environment variables (api/settings.py), among them
the limits on slow clients, which `serve` hands to uvicorn:

    IMMINENCE_HEADER_TIMEOUT=10      seconds for a request's whole head (then 408, closed)
    IMMINENCE_BODY_TIMEOUT=60        seconds for its whole body once the head is in (408)
    IMMINENCE_KEEP_ALIVE_TIMEOUT=5   seconds an idle keep-alive connection stays open
    IMMINENCE_HTTP=auto              httptools (C) where installed, else h11; or either

The header timeout needs the server's HTTP protocol (api/server.py: uvicorn's httptools, or
h11 without it, with a deadline per request head): under a bare
`uvicorn api.main:create_app --factory` only the body and keep-alive timeouts apply.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the imminence CLI."""

    @app.command("serve")
    def serve(
        host: Annotated[str | None, typer.Option(
            metavar="HOST",
            help="Interface to bind (default 127.0.0.1, or IMMINENCE_HOST).")] = None,
        port: Annotated[int | None, typer.Option(
            metavar="PORT", help="TCP port (default 8000, or IMMINENCE_PORT).")] = None,
        workers: Annotated[int | None, typer.Option(
            metavar="N",
            help="uvicorn worker processes (default 1, or IMMINENCE_WORKERS); each has "
                 "its own rule engine.")] = None,
    ) -> None:
        """Serve the HTTP API (OpenAPI at /openapi.json, interactive docs at /docs).

        Slow clients are cut off: IMMINENCE_HEADER_TIMEOUT (default 10 s for a request
        head), IMMINENCE_BODY_TIMEOUT (60 s for a body), IMMINENCE_KEEP_ALIVE_TIMEOUT
        (5 s idle)."""
        import uvicorn

        from api.settings import Settings

        base = Settings()
        settings = base.model_copy(update={
            k: v for k, v in {"host": host, "port": port, "workers": workers}.items()
            if v is not None})
        shown = f"[{settings.host}]" if ":" in settings.host else settings.host
        url = f"http://{shown}:{settings.port}"
        typer.echo(f"imminence API at {url}  (docs: {url}/docs, OpenAPI: {url}/openapi.json)",
                   err=True)
        uvicorn.run("api.main:create_app", factory=True, host=settings.host,
                    port=settings.port, workers=settings.workers, access_log=False,
                    log_level=settings.log_level, server_header=False,
                    http=_protocol(settings.http),
                    timeout_keep_alive=settings.keep_alive_timeout, loop=_best("uvloop", "asyncio"),
                    **_slow_start())


def _slow_start() -> dict[str, Any]:
    """A worker loads the law and compiles the rules before it answers; on a busy machine
    that takes longer than uvicorn's 5 s health check, which then kills and restarts the
    workers in a loop. Give them a minute (where this uvicorn has the setting)."""
    import inspect

    import uvicorn

    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        return {"timeout_worker_healthcheck": 60}
    return {}


def _protocol(choice: str) -> str:
    """The HTTP protocol, with the header timeout (api/server.py): httptools' C parser where
    uvicorn[standard] installed it (or where IMMINENCE_HTTP asks for it), else h11."""
    if choice == "httptools" or (choice == "auto" and _best("httptools", "h11") == "httptools"):
        return "api.server:HeaderTimeoutHttpToolsProtocol"
    return "api.server:HeaderTimeoutH11Protocol"


def _best(fast: str, fallback: str) -> str:
    """uvicorn[standard]'s httptools and uvloop when installed (with them, two workers
    serve about twice what one does; without, they barely help), else the pure-Python
    ones."""
    import importlib.util

    return fast if importlib.util.find_spec(fast) is not None else fallback


__all__ = ["register"]
