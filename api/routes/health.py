"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.problems import PROBLEM_JSON, problem_body, problem_responses
from engine import evaluate
from engine.law.definitions import load

router = APIRouter(tags=["health"])

# A scenario every reading of the law answers the same way: a Chapter VII authorisation.
_PROBE: dict[str, Any] = {"security_council": {"authorisation": True}}


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    doctrines: int
    engine: str


@router.get("/healthz", response_model=Health, summary="Liveness",
            responses=problem_responses())
async def healthz() -> dict[str, str]:
    """The process is up and serving HTTP. Does not touch the engine."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, summary="Readiness",
            responses=problem_responses(503))
def readyz() -> Any:
    """The rules are compiled and durable-rules answers: a probe scenario is evaluated on
    the authoritative engine and must be justified by the `council` route everywhere."""
    try:
        ev = evaluate(_PROBE, explain=False)
        ok = all(d.verdict == "justified" and d.route == "council"
                 for d in ev.doctrines.values()) and len(ev.doctrines) == len(load().doctrines)
    except Exception:  # any failure means not ready; details go to the log, not the client
        ok = False
    if not ok:
        return JSONResponse(problem_body(503, "the rule engine did not answer the probe "
                                              "scenario correctly", kind="not-ready"),
                            status_code=503, media_type=PROBLEM_JSON)
    return {"status": "ready", "doctrines": len(ev.doctrines), "engine": "durable-rules"}
