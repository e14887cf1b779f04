"""`imminence serve`: the HTTP API under uvicorn.

    imminence serve                       # http://127.0.0.1:8000 (docs at /docs)
    imminence serve --host 0.0.0.0 --port 8080 --workers 2

Other settings come from IMMINENCE_* environment variables (api/settings.py).
"""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the imminence CLI."""

    @app.command("serve")
    def serve(
        host: Annotated[str | None, typer.Option(
            help="Interface to bind (default 127.0.0.1, or IMMINENCE_HOST).")] = None,
        port: Annotated[int | None, typer.Option(
            help="TCP port (default 8000, or IMMINENCE_PORT).")] = None,
        workers: Annotated[int | None, typer.Option(
            help="uvicorn worker processes (default 1, or IMMINENCE_WORKERS); each has "
                 "its own rule engine.")] = None,
    ) -> None:
        """Serve the HTTP API (OpenAPI at /openapi.json, interactive docs at /docs)."""
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
                    log_level=settings.log_level, server_header=False)


__all__ = ["register"]
