"""Settings of the teaching feature (env prefix `IMMINENCE_`), apart from the API's own.

    IMMINENCE_DATA_DIR=/var/lib/imminence          # the SQLite file goes here (default ./data)
    IMMINENCE_DATABASE_URL=postgresql+psycopg://u:p@host/db   # PostgreSQL instead
    IMMINENCE_INSTRUCTOR_TOKEN=...                 # enables the instructor endpoints
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class TeachingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMMINENCE_", extra="ignore", frozen=True)

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
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'imminence.db').resolve()}"


__all__ = ["TeachingSettings"]
