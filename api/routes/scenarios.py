"""The scenario library (scenarios/*.yaml): list, filter, read, evaluate."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import run_evaluation
from api.models import DOCTRINE_IDS, ScenarioDetail, ScenarioSummary
from api.problems import ProblemError, problem_responses
from engine import evaluate
from engine.errors import ErrorItem
from engine.loader import LibraryEntry, library
from engine.result import Classification, Evaluation, Verdict

router = APIRouter(prefix="/v1", tags=["scenarios"])


@lru_cache(maxsize=1)
def _summaries() -> tuple[ScenarioSummary, ...]:
    """Every library scenario with its classification and verdicts (default parameters),
    computed once by the engine's fast path."""
    out = []
    for e in library():
        ev = evaluate(e.scenario, explain=False, engine="fast")
        out.append(ScenarioSummary(
            id=e.id, title=e.scenario.title,
            date=e.scenario.date.isoformat() if e.scenario.date else None,
            summary=e.scenario.summary, classification=ev.classification,
            verdicts={d: r.verdict for d, r in ev.doctrines.items()}))
    return tuple(out)


def _entry(scenario_id: str) -> LibraryEntry:
    for e in library():
        if e.id == scenario_id:
            return e
    raise ProblemError(404, f"no scenario '{scenario_id}' in the library; GET /v1/scenarios "
                            "lists them", kind="unknown-scenario")


ScenarioId = Annotated[str, Path(description="a library scenario id, e.g. caroline-1837")]


@router.get("/scenarios", response_model=list[ScenarioSummary],
            summary="The scenario library, filterable", responses=problem_responses(422))
def list_scenarios(
    classification: Annotated[Classification | None, Query(
        description="only scenarios the engine classifies so")] = None,
    doctrine: Annotated[Literal[tuple(DOCTRINE_IDS)] | None, Query(  # type: ignore[valid-type]
        description="with `verdict`: the doctrine whose verdict filters")] = None,
    verdict: Annotated[Verdict | None, Query(
        description="only scenarios with this verdict under `doctrine` (required with it)")]
        = None,
) -> list[ScenarioSummary]:
    if verdict is not None and doctrine is None:
        raise ProblemError(422, "`verdict` filters by the verdict under a doctrine: name it "
                                "with `doctrine`", kind="invalid-input",
                           errors=[ErrorItem(("query", "doctrine"), "required with `verdict`",
                                             "missing", DOCTRINE_IDS)])
    out = list(_summaries())
    if classification is not None:
        out = [s for s in out if s.classification == classification]
    if doctrine is not None and verdict is not None:
        out = [s for s in out if s.verdicts.get(doctrine) == verdict]
    return out


@router.get("/scenarios/{scenario_id}", response_model=ScenarioDetail,
            summary="One library scenario, with its recorded expected answer",
            responses=problem_responses(404))
def get_scenario(scenario_id: ScenarioId) -> ScenarioDetail:
    e = _entry(scenario_id)
    return ScenarioDetail(id=e.id, file=f"scenarios/{e.path.name}", scenario=e.scenario,
                          expected=e.expected, note=e.note)


@router.get("/scenarios/{scenario_id}/evaluation", response_model=Evaluation,
            summary="Evaluate a library scenario (default parameters)",
            responses=problem_responses(404, 422))
async def get_scenario_evaluation(
    request: Request,
    scenario_id: ScenarioId,
    explain: Annotated[bool, Query(description="include the trace and per-test facts "
                                               "(false: fast path)")] = True,
) -> Response:
    e = _entry(scenario_id)
    text = await run_evaluation(request, _evaluation_json, e, explain)
    return Response(text, media_type="application/json")


def _evaluation_json(e: LibraryEntry, explain: bool) -> str:
    ev = evaluate(e.scenario, explain=explain, engine="rete" if explain else "fast")
    return ev.model_dump_json()
