"""The service's settings: one class, read from `IMMINENCE_*` environment variables.

    IMMINENCE_HOST=0.0.0.0 IMMINENCE_PORT=8080 imminence serve
    IMMINENCE_MAX_BODY_BYTES=2097152 IMMINENCE_BATCH_LIMIT=5000 imminence serve
    IMMINENCE_DATA_DIR=/var/lib/imminence          # the SQLite file goes here (default ./data)
    IMMINENCE_DATABASE_URL=postgresql+psycopg://u:p@host/db   # PostgreSQL instead
    IMMINENCE_INSTRUCTOR_TOKEN=...                 # enables the instructor endpoints
    IMMINENCE_HEADER_TIMEOUT=5 IMMINENCE_BODY_TIMEOUT=30 imminence serve

Limits on what one client may send (each answered with a problem document):
`max_body_bytes`/`max_batch_body_bytes` (413), `batch_limit` (413), `max_json_depth` (400),
and on how slowly: `header_timeout` and `body_timeout` (408, then the connection is
closed), `keep_alive_timeout` (an idle connection is closed). The three timeouts are
enforced by `imminence serve` (the header timeout by its HTTP protocol, api/server.py; the
body timeout by the app's middleware, under any server).

Every setting has an embedded default, so the service starts with no configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Configuration of the HTTP service (env prefix `IMMINENCE_`)."""

    model_config = SettingsConfigDict(env_prefix="IMMINENCE_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="interface `imminence serve` binds to")
    port: int = Field(8000, ge=0, le=65535, description="TCP port `imminence serve` listens on")
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes")
    max_body_bytes: int = Field(MIB, ge=1, description="largest request body (413 beyond)")
    max_batch_body_bytes: int = Field(
        32 * MIB, ge=1, description="largest body of POST /v1/evaluate/batch (413 beyond)")
    batch_limit: int = Field(1000, ge=1, description="most scenarios in one batch (413 beyond)")
    evaluation_threads: int = Field(
        2, ge=1, le=64, description="threads that run evaluations (CPU-bound: more threads "
                                   "than cores only starve the event loop of the GIL)")
    max_json_depth: int = Field(
        64, ge=2, le=500, description="deepest nesting of arrays and objects in a JSON body "
                                      "or an NDJSON line (400 json-too-deep beyond); a "
                                      "scenario needs 3, a batch 5")
    keep_alive_timeout: int = Field(
        5, ge=1, description="seconds an idle keep-alive connection stays open "
                             "(uvicorn's timeout_keep_alive)")
    header_timeout: float = Field(
        10.0, gt=0, description="seconds a client has to send a complete request head "
                                "(request line and headers), counted from connecting or "
                                "from the end of the previous response; then 408 and the "
                                "connection is closed (`imminence serve` only)")
    body_timeout: float = Field(
        60.0, gt=0, description="seconds a client has to send the whole request body once "
                                "its head has arrived; then 408 and the connection is closed")
    http: Literal["auto", "httptools", "h11"] = Field(
        "auto", description="the HTTP parser of `imminence serve`: httptools (C, from "
                            "uvicorn[standard]) or h11 (pure Python); auto: httptools "
                            "where installed. Both keep the header timeout")
    express: bool = Field(
        True, description="answer POST /v1/evaluate with explain=false past the framework's "
                          "routing and validation layers (the same answer, about twice the "
                          "requests/s); false: every request through the route")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    access_log: bool = Field(True, description="one structured JSON line per request")
    request_id_header: str = "X-Request-ID"

    # teaching: exercises and attempts (api/teaching/)
    data_dir: Path = Field(Path("data"), description="where the default SQLite file lives; "
                                                     "created on first run")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite "
                                                       "file imminence.db in data_dir")
    instructor_token: SecretStr | None = Field(
        None, description="bearer token of the instructor endpoints; unset: they are "
                          "disabled (403), never open")
    max_attempt_bytes: int = Field(64 * 1024, ge=256, description="largest attempt body "
                                                                  "(413 beyond)")

    def url(self) -> str:
        """The database of the teaching feature."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'imminence.db').resolve()}"


__all__ = ["MIB", "Settings"]
