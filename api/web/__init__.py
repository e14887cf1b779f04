"""The web page: plain HTML, CSS and JavaScript served by the app, no build step, no CDN.

    GET /                 the page (explorer, compare, exercises, instructor results; hash routes)
    GET /static/{name}    its script and style sheet (a fixed list of files)

The page calls the API only: /v1/facts builds the form, /v1/evaluate answers, the
imminence windows come from the parameters in each evaluation.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from api.problems import ProblemError

STATIC = Path(__file__).resolve().parent / "static"
FILES = {
    "app.js": "text/javascript; charset=utf-8",
    "explorer.js": "text/javascript; charset=utf-8",
    "compare.js": "text/javascript; charset=utf-8",
    "yaml.js": "text/javascript; charset=utf-8",
    "exercises.js": "text/javascript; charset=utf-8",
    "instructor.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "teaching.css": "text/css; charset=utf-8",
    "compare.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; object-src 'none'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
def page() -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                        headers=HEADERS)


@router.get("/static/{name}")
def static(name: str) -> Response:
    media = FILES.get(name)
    if media is None:
        raise ProblemError(404, f"no static file '{name}'", kind="not-found")
    return FileResponse(STATIC / name, media_type=media, headers=HEADERS)


__all__ = ["router"]
