"""A JSON index at `/` (only when no other router serves `/`, e.g. a web page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from engine import __version__

router = APIRouter(tags=["meta"])


@router.get("/", summary="Index of the API")
def index(request: Request) -> dict[str, Any]:
    """Where things are: the OpenAPI document, the interactive docs, the endpoints."""
    paths = request.app.openapi().get("paths", {})
    return {"name": "imminence", "version": __version__, "openapi": "/openapi.json",
            "docs": "/docs",
            "endpoints": [f"{m.upper()} {p}" for p, ops in paths.items() for m in ops]}
