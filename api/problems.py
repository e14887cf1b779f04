"""Errors as RFC 9457 problem details (`application/problem+json`), never a stack trace.

    {"type": "urn:imminence:problem:invalid-input", "title": "Invalid input", "status": 422,
     "detail": "scenario.threat.probability: Input should be less than or equal to 1",
     "instance": "/v1/evaluate", "request_id": "4f3c...",
     "errors": [{"loc": ["scenario", "threat", "probability"],
                 "field": "scenario.threat.probability", "msg": "...", "type": "less_than_equal",
                 "allowed": "a number from 0 to 1"}]}

Handlers here map, in one place: the engine's `InvalidInput` (422), FastAPI's request
validation (422; 400 for a body that is not JSON at all), Starlette's HTTP errors (404, 405,
...; a `ProblemHTTPException` carries its own problem type), `ProblemError` raised by the
routes (400, 413, 415, ...), the database failing (507 `storage-full` when the disk or the
database is full, 503 `storage-unavailable` when it cannot be reached), and anything
unexpected (500, logged with its traceback server-side, answered with the request id only).

Problem types (`urn:imminence:problem:<kind>`) are one per kind of failure, whichever code
path meets it: e.g. a body over the limit is `body-too-large` whether its declared length
or its streamed bytes give it away.
"""

from __future__ import annotations

import errno
import json
import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import EngineError, ErrorItem, InvalidInput
from engine.validation import request_errors

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("imminence.api")


class ProblemField(BaseModel):
    """One problem with the input: where it is and what would be accepted."""

    loc: list[str | int] = Field(description="path to the field, e.g. "
                                             "[\"scenario\", \"threat\", \"probability\"]")
    field: str = Field(description="the same path, dotted")
    msg: str
    type: str
    allowed: Any | None = Field(None, description="the values that would be accepted")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = Field("about:blank", description="a URI reference naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(None, description="the request path")
    request_id: str | None = None
    errors: list[ProblemField] | None = None


class ProblemError(Exception):
    """Raised by a route to answer with a problem (400, 404, 413, 415, ...)."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None,
                 errors: list[ErrorItem] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors or []
        self.headers = dict(headers or {})


class ProblemHTTPException(StarletteHTTPException):
    """An HTTP error raised below the routes (while the body is read, say) with its own
    problem type; an HTTPException so that FastAPI's body parsing lets it through."""

    def __init__(self, status: int, detail: str, kind: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, detail, headers=dict(headers or {}))
        self.kind = kind


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status: int, detail: str | None = None, *, kind: str | None = None,
                 title: str | None = None, errors: Iterable[ErrorItem] = (),
                 instance: str | None = None, request_id: str | None = None) -> dict[str, Any]:
    """The problem document as a dict (also used for error records in batch results)."""
    body: dict[str, Any] = {
        "type": f"urn:imminence:problem:{kind}" if kind else "about:blank",
        "title": title or _title(status),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    items = [e.as_dict() for e in errors]
    if items:
        body["errors"] = items
    return body


def problem_response(request: Request | None, status: int, detail: str | None = None, *,
                     kind: str | None = None, title: str | None = None,
                     errors: Iterable[ErrorItem] = (),
                     headers: Mapping[str, str] | None = None) -> JSONResponse:
    instance = request.url.path if request is not None else None
    rid = getattr(request.state, "request_id", None) if request is not None else None
    body = problem_body(status, detail, kind=kind, title=title, errors=errors,
                        instance=instance, request_id=rid)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON,
                        headers=dict(headers or {}))


def invalid_input_body(exc: InvalidInput, instance: str | None = None,
                       request_id: str | None = None) -> dict[str, Any]:
    return problem_body(422, _summary(exc.errors), kind="invalid-input", title="Invalid input",
                        errors=exc.errors, instance=instance, request_id=request_id)


def _summary(errors: list[ErrorItem]) -> str:
    text = "; ".join(f"{e.path}: {e.msg}" for e in errors[:5])
    if len(errors) > 5:
        text += f"; and {len(errors) - 5} more"
    return text


def request_validation_items(errors: Iterable[Mapping[str, Any]]) -> list[ErrorItem]:
    """FastAPI's validation errors as ErrorItems (engine/validation.py words them)."""
    return request_errors(errors)


async def _on_invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return JSONResponse(invalid_input_body(exc, request.url.path,
                                           getattr(request.state, "request_id", None)),
                        status_code=422, media_type=PROBLEM_JSON)


async def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        where = next((e.get("ctx", {}).get("error") for e in errors
                      if e.get("type") == "json_invalid"), None)
        return problem_response(request, 400, "the request body is not valid JSON"
                                + (f": {where}" if where else ""), kind="malformed-body")
    items = request_validation_items(errors)
    return problem_response(request, 422, _summary(items), kind="invalid-input",
                            title="Invalid input", errors=items)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}; the API is described at /openapi.json"
    elif exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow")
        detail = f"{request.method} is not allowed here" + (f"; allowed: {allow}" if allow
                                                            else "")
    return problem_response(request, exc.status_code, detail,
                            kind=getattr(exc, "kind", None), headers=exc.headers)


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    title = "Invalid input" if exc.kind == "invalid-input" else None
    return problem_response(request, exc.status, exc.detail, kind=exc.kind, title=title,
                            errors=exc.errors, headers=exc.headers)


async def _on_engine_error(request: Request, exc: Exception) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    log.error("engine error (request %s): %s", rid, exc, exc_info=exc)
    return problem_response(request, 500, "the rule engine failed on this request; it has "
                            "been logged under the request id", kind="engine-error")


_SQLITE_FULL = 13  # SQLITE_FULL: "database or disk is full"
_PG_DISK_FULL = "53100"  # SQLSTATE disk_full
_FULL_MESSAGES = ("database or disk is full", "no space left on device", "disk quota exceeded")


def storage_is_full(exc: BaseException) -> bool:
    """Whether an error (or what caused it: the DBAPI error under SQLAlchemy's, an OSError)
    says the disk or the database is full: SQLite's SQLITE_FULL, PostgreSQL's disk_full,
    ENOSPC or EDQUOT."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if getattr(e, "sqlite_errorcode", None) == _SQLITE_FULL \
                or getattr(e, "sqlstate", None) == _PG_DISK_FULL:
            return True
        if any(m in str(e).lower() for m in _FULL_MESSAGES):
            return True
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return False


STORAGE_FULL_DETAIL = ("the server's storage is full: nothing was stored; try again later "
                       "(the operator has been told in the log)")


async def _on_storage(request: Request, exc: Exception) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    if storage_is_full(exc):
        log.error("storage full (request %s): %s", rid, exc)
        return problem_response(request, 507, STORAGE_FULL_DETAIL, kind="storage-full",
                                title="Insufficient Storage")
    if isinstance(exc, OperationalError):
        log.error("storage unavailable (request %s): %s", rid, exc, exc_info=exc)
        return problem_response(request, 503, "the database is unavailable: nothing was "
                                "stored; try again later", kind="storage-unavailable",
                                headers={"Retry-After": "5"})
    return await _on_unexpected(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    rid = getattr(request.state, "request_id", None)
    log.error("unhandled error (request %s)", rid, exc_info=exc)
    return problem_response(request, 500, "an unexpected error occurred; it has been logged "
                            "under the request id")


def install(app: FastAPI) -> None:
    """Register every problem-details handler on the app."""
    app.add_exception_handler(InvalidInput, _on_invalid_input)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(EngineError, _on_engine_error)
    app.add_exception_handler(DBAPIError, _on_storage)
    app.add_exception_handler(OSError, _on_storage)
    app.add_exception_handler(Exception, _on_unexpected)


_DESCRIPTIONS = {
    400: "Malformed request: the body is not JSON (or NDJSON) at all",
    404: "No such resource (doctrine, scenario or path)",
    405: "Method not allowed on this path",
    408: "The request head or body arrived too slowly (IMMINENCE_HEADER_TIMEOUT, "
         "IMMINENCE_BODY_TIMEOUT)",
    413: "Request body or batch larger than the configured limit",
    415: "Unsupported content type",
    422: "Invalid input: the field path and the allowed values are named in `errors`",
    500: "Unexpected server error (logged under the request id; no details leak)",
    503: "Not ready, or the database is unavailable",
    507: "The server's storage is full: nothing was stored",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the given error statuses (always 422 and 500)."""
    schema = {"$ref": "#/components/schemas/Problem"}
    out: dict[int | str, dict[str, Any]] = {}
    for code in sorted({*codes, 422, 500}):
        out[code] = {"description": _DESCRIPTIONS.get(code, _title(code)),
                     "content": {PROBLEM_JSON: {"schema": schema}}}
    return out


__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemError",
    "ProblemField",
    "ProblemHTTPException",
    "install",
    "invalid_input_body",
    "problem_body",
    "problem_response",
    "problem_responses",
    "request_validation_items",
    "storage_is_full",
]
