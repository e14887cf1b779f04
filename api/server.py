"""The HTTP protocols `imminence serve` runs: uvicorn's, with a header timeout.

uvicorn closes an *idle* keep-alive connection after `timeout_keep_alive`, but only once a
first response has been sent, and it stops counting at the first byte of the next request:
a client that connects and sends nothing, or sends a request head one byte at a time,
holds its connection (a file descriptor, buffers) for ever. Three hundred such clients
were enough to pin three hundred connections. uvicorn (0.55) has no setting for this.

Both protocols here give each request head a deadline: `header_timeout` seconds (setting
IMMINENCE_HEADER_TIMEOUT, default 10) from the moment the connection is made or the
previous response is complete, until the request line and all headers have arrived.
Past it, a client that has sent part of a head gets `408 Request Timeout` (a problem
document) and the connection is closed; one that has sent nothing is closed silently, as
an idle keep-alive connection is. The body has its own deadline, `body_timeout`, kept by
the app's middleware (api/middleware.py), which works under any server.

- `HeaderTimeoutHttpToolsProtocol`: uvicorn[standard]'s httptools parser (C), the default
  of `imminence serve` where httptools is installed: it writes a response straight to the
  socket (a 75 kB evaluation costs h11 about a tenth of a millisecond to frame);
- `HeaderTimeoutH11Protocol`: uvicorn's pure-Python h11 protocol, the fallback.

    uvicorn.run(..., http="api.server:HeaderTimeoutHttpToolsProtocol")  # as `imminence serve`
"""

from __future__ import annotations

import asyncio
import json
from functools import cache
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.problems import PROBLEM_JSON, problem_body
from api.settings import Settings


@cache
def _header_timeout() -> float:
    """From the environment, once per process (each uvicorn worker reads its own)."""
    return Settings().header_timeout


def _timeout_response(seconds: float) -> bytes:
    body = json.dumps(problem_body(
        408, f"the request head (request line and headers) did not arrive within "
             f"{seconds:g} s (setting IMMINENCE_HEADER_TIMEOUT)",
        kind="header-timeout")).encode()
    head = (f"HTTP/1.1 408 Request Timeout\r\ncontent-type: {PROBLEM_JSON}\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n")
    return head.encode("latin-1") + body


class _HeadDeadline:
    """The deadline for each request head, for a uvicorn HTTP protocol (mixed in first: its
    methods wrap the protocol's own, which `super()` reaches)."""

    header_timeout: float
    _head_timer: asyncio.TimerHandle | None
    _head_bytes: bool  # whether part of the awaited head has arrived
    transport: Any
    loop: asyncio.AbstractEventLoop

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = _header_timeout()
        self._head_timer = None
        self._head_bytes = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head():
            self._head_bytes = True
        super().data_received(data)  # type: ignore[misc]
        self._watch_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def _waiting_for_head(self) -> bool:  # pragma: no cover - each protocol says
        raise NotImplementedError

    def _watch_head(self) -> None:
        if self.transport is None or self.transport.is_closing():
            self._stop_head_timer()
        elif not self._waiting_for_head():
            self._stop_head_timer()
            self._head_bytes = False
        elif self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._waiting_for_head():
            return
        if self._head_bytes:
            self.transport.write(_timeout_response(self.header_timeout))
        self.transport.close()


class HeaderTimeoutH11Protocol(_HeadDeadline, H11Protocol):
    """uvicorn's h11 protocol, with a deadline for every request head."""

    def _waiting_for_head(self) -> bool:
        """No request of this cycle has been read yet (h11 waits for its head)."""
        return self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE


class HeaderTimeoutHttpToolsProtocol(_HeadDeadline, HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline for every request head: waiting for a
    head while every head read so far has had its response."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._heads = self._responses = 0  # before the base class, which may read them
        super().__init__(*args, **kwargs)

    def on_headers_complete(self) -> None:
        self._heads += 1
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        self._responses += 1
        super().on_response_complete()

    def _waiting_for_head(self) -> bool:
        return self._heads == self._responses


__all__ = ["HeaderTimeoutH11Protocol", "HeaderTimeoutHttpToolsProtocol"]
