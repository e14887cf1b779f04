"""The request context: a request id, limits on the body, structured access logs, and a
last-resort 500 problem. One pure-ASGI middleware (cheaper than BaseHTTPMiddleware).

- Request id: the client's `X-Request-ID` when it is a sane token, else a fresh one; it is
  in `request.state.request_id`, in every problem document, in the response header, and
  in the access log line.
- Body limit: a declared `Content-Length` above the limit is refused with 413 before the
  body is read; a streamed body is counted as it arrives and cut off at the limit (413,
  the same problem type, `body-too-large`, and the connection closed).
- Body timeout: the whole body must arrive within `body_timeout` seconds of the request
  head (408 `body-timeout`, connection closed), so a client trickling a body cannot hold a
  connection and a task for ever. (Slow *heads* are the server's to cut: api/server.py.)
- JSON depth: a JSON body (application/json or */*+json, the one rule of api/jsonbody.py)
  is read here whole and refused with 400 `json-too-deep` when it nests deeper than
  `max_json_depth`, before any parser recurses into it; the app then reads the same bytes.
  NDJSON batches are checked line by line by their route, so one bad line is one error
  record.
- Access log: one JSON line per request on the `imminence.access` logger.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.jsonbody import is_json_media, media_type, too_deep, too_deep_detail
from api.problems import PROBLEM_JSON, ProblemHTTPException, problem_body
from api.settings import Settings

access_log = logging.getLogger("imminence.access")
error_log = logging.getLogger("imminence.api")

_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
BATCH_PATH = "/v1/evaluate/batch"


_CLOSE = {"Connection": "close"}  # the rest of the body is unread: end the connection
_SCAN_OFF_LOOP = 256 * 1024  # bodies larger than this are scanned in a worker thread


class BodyTooLarge(ProblemHTTPException):
    """The request body went past the configured limit while being read (an HTTPException,
    so that FastAPI's body parsing lets it through to the 413 problem handler)."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail, "body-too-large", headers=_CLOSE)


class BodyTimeout(ProblemHTTPException):
    """The request body did not arrive within the body timeout."""

    def __init__(self, detail: str) -> None:
        super().__init__(408, detail, "body-timeout", headers=_CLOSE)


Express = Callable[[Scope, bytes, Send], Awaitable[bool]]
EVALUATE_PATH = "/v1/evaluate"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, express: Express | None = None) -> None:
        self.app = app
        self.settings = settings
        self.express = express  # answers some POST /v1/evaluate itself (api/routes/evaluate)
        self.header = settings.request_id_header.lower().encode("latin-1")

    def _limit(self, path: str) -> int:
        if path == BATCH_PATH:
            return self.settings.max_batch_body_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        rid = ""
        length: int | None = None
        ctype = ""
        for name, value in scope["headers"]:
            if name == self.header:
                candidate = value.decode("latin-1")
                if _TOKEN.match(candidate):
                    rid = candidate
            elif name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = None
            elif name == b"content-type":
                ctype = value.decode("latin-1")
        rid = rid or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        rid_header = (self.header, rid.encode("latin-1"))
        path: str = scope.get("path", "")
        limit = self._limit(path)
        status = 0
        sent = 0
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started, sent
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), rid_header]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        received = 0
        body_done = False
        deadline = time.monotonic() + self.settings.body_timeout

        async def receive_wrapper() -> Message:
            nonlocal received, body_done
            if body_done:  # e.g. waiting for the client to disconnect: no deadline
                return await receive()
            with anyio.move_on_after(deadline - time.monotonic()) as scope_:
                message = await receive()
            if scope_.cancelled_caught:
                raise BodyTimeout(too_slow)
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(too_large)
                body_done = not message.get("more_body", False)
            return message

        async def problem(code: int, detail: str, kind: str | None = None,
                          close: bool = False) -> None:
            body = json.dumps(problem_body(code, detail, kind=kind, instance=path,
                                           request_id=rid)).encode()
            headers = [(b"content-type", PROBLEM_JSON.encode()),
                       (b"content-length", str(len(body)).encode())]
            if close:
                headers.append((b"connection", b"close"))
            await send_wrapper({"type": "http.response.start", "status": code,
                                "headers": headers})
            await send_wrapper({"type": "http.response.body", "body": body})

        env = "MAX_BATCH_BODY_BYTES" if path == BATCH_PATH else "MAX_BODY_BYTES"
        too_large = (f"the request body is larger than the limit of {limit} bytes "
                     f"(setting IMMINENCE_{env})")
        too_slow = (f"the request body did not arrive within {self.settings.body_timeout:g} "
                    "s (setting IMMINENCE_BODY_TIMEOUT)")
        try:
            if length is not None and length > limit:
                await problem(413, too_large, "body-too-large", close=True)
            elif is_json_media(media_type(ctype)):
                checked = await self._checked_json(receive_wrapper, receive)
                if checked is None:  # too deep: refused before anything parses it
                    await problem(400, too_deep_detail(self.settings.max_json_depth),
                                  "json-too-deep")
                else:
                    app_receive, body = checked
                    if (self.express is None or body is None or path != EVALUATE_PATH
                            or scope.get("method") != "POST"
                            or not await self.express(scope, body, send_wrapper)):
                        await self.app(scope, app_receive, send_wrapper)
            else:
                await self.app(scope, receive_wrapper, send_wrapper)
        except ProblemHTTPException as exc:  # raised while this middleware read the body
            if not started:
                await problem(exc.status_code, exc.detail, exc.kind, close=True)
        except Exception as exc:
            error_log.error("unhandled error (request %s)", rid, exc_info=exc)
            if not started:
                await problem(500, "an unexpected error occurred; it has been logged under "
                              "the request id")
        finally:
            if self.settings.access_log and access_log.isEnabledFor(logging.INFO):
                record: dict[str, Any] = {
                    "event": "access", "request_id": rid, "method": scope.get("method"),
                    "path": path, "status": status or 500, "bytes_in": received,
                    "bytes_out": sent,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 3),
                    "client": (scope.get("client") or ("", 0))[0],
                }
                access_log.info(json.dumps(record))

    async def _checked_json(self, read: Receive,
                            receive: Receive) -> tuple[Receive, bytes | None] | None:
        """Read a JSON body whole; None when it nests too deep, else a `receive` that gives
        the app the same body (then passes on to the server's, for the disconnect) and the
        body (None if the client went away before sending it all)."""
        chunks: list[bytes] = []
        while True:
            message = await read()
            if message["type"] != "http.request":  # the client went away
                first: Message = message
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                first = {"type": "http.request", "body": b"".join(chunks),
                         "more_body": False}
                break
        body: bytes = first.get("body", b"")
        depth = self.settings.max_json_depth
        if len(body) > _SCAN_OFF_LOOP:  # a few ms per MB: not on the event loop
            deep = await to_thread.run_sync(too_deep, body, depth)
        else:
            deep = too_deep(body, depth)
        if deep:
            return None
        whole = body if first["type"] == "http.request" else None
        given = False

        async def replay() -> Message:
            nonlocal given
            if not given:
                given = True
                return first
            return await receive()

        return replay, whole


class JsonLineFormatter(logging.Formatter):
    """Log records as one JSON object per line: time, level, logger, then the message
    (merged in when it is itself a JSON object, as access records are)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                  + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name,
        }
        msg = record.getMessage()
        if msg.startswith("{"):
            try:
                out.update(json.loads(msg))
            except ValueError:
                out["msg"] = msg
        else:
            out["msg"] = msg
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out)


def configure_logging(level: str) -> None:
    """Send the service's loggers to stderr as JSON lines (once per process)."""
    root = logging.getLogger("imminence")
    if not any(getattr(h, "_imminence", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonLineFormatter())
        handler._imminence = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(level.upper())


__all__ = ["BATCH_PATH", "BodyTimeout", "BodyTooLarge", "JsonLineFormatter",
           "RequestContextMiddleware", "configure_logging"]
