"""Liveness and readiness.

`/healthz` says the process serves HTTP and touches nothing else (so it stays cheap under
any load). `/readyz` says the service can do its work: the rule engine answers a probe
scenario correctly, and the database (when the teaching feature has one) can commit a
write. A full disk or an unreachable database makes the service not ready (503), so that a
load balancer stops sending it attempts it could not store.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.problems import PROBLEM_JSON, problem_body, problem_responses, storage_is_full
from engine import evaluate
from engine.law.definitions import load

router = APIRouter(tags=["health"])
log = logging.getLogger("imminence.api")

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


def _storage_problem(request: Request) -> str | None:
    """Why the database cannot take a write now, or None when it can (or there is none).

    The probe is a committed write that changes nothing: the schema version row is
    updated to itself. It needs no table of its own (no migration), and on SQLite
    (synchronous=FULL) and PostgreSQL alike it makes the database write and flush a page,
    which is what fails when the disk is full."""
    store = getattr(request.app.state, "teaching_store", None)
    if store is None:
        return None
    from api.teaching.storage import VERSION_TABLE

    try:
        with store.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL lock_timeout = '2s'"))
                conn.execute(text("SET LOCAL statement_timeout = '5s'"))
            conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = version_num"))
    except Exception as exc:
        log.error("readiness: the database cannot write: %s", exc)
        if storage_is_full(exc):
            return "the storage is full: the database cannot write"
        return "the database cannot write"
    return None


@router.get("/readyz", response_model=Ready, summary="Readiness",
            responses=problem_responses(503))
def readyz(request: Request) -> Any:
    """The rules are compiled and durable-rules answers: a probe scenario is evaluated on
    the authoritative engine and must be justified by the `council` route everywhere; and
    the database, if any, commits a write."""
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
    storage = _storage_problem(request)
    if storage is not None:
        return JSONResponse(problem_body(503, storage, kind="not-ready"),
                            status_code=503, media_type=PROBLEM_JSON)
    return {"status": "ready", "doctrines": len(ev.doctrines), "engine": "durable-rules"}
