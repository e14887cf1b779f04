"""Shared dependencies, as `Annotated` aliases for route signatures.

    def route(settings: SettingsDep, law: LawDep) -> ...
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.definitions import Law, load

from .problems import ProblemError
from .settings import Settings


def get_settings(request: Request) -> Settings:
    """The settings the app was created with (`create_app(settings)`)."""
    settings: Settings = request.app.state.settings
    return settings


def get_law() -> Law:
    """The law from rules/ (loaded once per process)."""
    return load()


def require_json(request: Request) -> None:
    """415 unless the body is declared as JSON (`application/json` or `+json`)."""
    ctype = request.headers.get("content-type", "")
    media = ctype.split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/")
                                            and media.endswith("+json")):
        raise ProblemError(415, f"expected Content-Type: application/json, got "
                                f"{media or 'none'}", kind="unsupported-media-type")


SettingsDep = Annotated[Settings, Depends(get_settings)]
LawDep = Annotated[Law, Depends(get_law)]
JsonBody = Depends(require_json)

__all__ = ["JsonBody", "LawDep", "SettingsDep", "get_law", "get_settings", "require_json"]
