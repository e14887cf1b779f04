"""The service's settings: one class, read from `IMMINENCE_*` environment variables.

    IMMINENCE_HOST=0.0.0.0 IMMINENCE_PORT=8080 imminence serve
    IMMINENCE_MAX_BODY_BYTES=2097152 IMMINENCE_BATCH_LIMIT=5000 imminence serve
    IMMINENCE_DATA_DIR=/var/lib/imminence          # the SQLite file goes here (default ./data)
    IMMINENCE_DATABASE_URL=postgresql+psycopg://u:p@host/db   # PostgreSQL instead
    IMMINENCE_INSTRUCTOR_TOKEN=...                 # enables the instructor endpoints

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
