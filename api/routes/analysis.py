"""POST /v1/prove, /v1/compare, /v1/whatif: exact analysis of the law (engine/analysis).

Thin callers: the engine validates doctrines, parameters and scenarios (InvalidInput, a
422 problem naming the field) and computes everything from the compiled rules; every
example scenario it returns has been re-checked on durable-rules. Shares count every
combination of fact cells with equal weight, each fact independently, unknown included.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field

from engine.analysis.compare import SHARE_NOTE, Side, compare
from engine.analysis.minimal import minimal_changes, to_find_out
from engine.analysis.prove import prove

from ..deps import JsonBody, run_evaluation
from ..models import DOCTRINE_IDS, ParameterOverrides
from ..problems import problem_responses

router = APIRouter(prefix="/v1", tags=["analysis"])

ScenarioDoc = Annotated[dict[str, Any], Field(description=(
    "A scenario (DOCTRINES §2, as in POST /v1/evaluate); absent or null is unknown."))]
DoctrineId = Annotated[str, Field(json_schema_extra={"enum": DOCTRINE_IDS},
                                  description="A doctrine id (GET /v1/doctrines).")]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ProveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parameters: ParameterOverrides = None


class ClaimView(_Open):
    claim: str
    holds: bool
    counterexample: dict[str, Any] | None = Field(
        None, description="A scenario with the fewest stated facts where the claim fails, "
                          "checked on durable-rules.")
    share: float = Field(0.0, description="Share of the space where it fails. " + SHARE_NOTE)


class ProveResponse(BaseModel):
    claims: list[ClaimView]
    share_note: str = SHARE_NOTE


class CompareSide(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doctrine: DoctrineId
    parameters: ParameterOverrides = None


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    a: CompareSide
    b: CompareSide


class RegionView(_Open):
    condition: dict[str, Any] = Field(description=(
        "The region as a condition: all of the listed routes (rules/routes.yaml, with the "
        "tests they join) have one of the listed statuses."))
    words: str
    share: float
    example: dict[str, Any]


class PairView(_Open):
    a: str
    b: str
    share: float
    regions: list[RegionView]


class CompareResponse(_Open):
    share_differ: float = Field(description="Share of the space where the verdicts differ. "
                                            + SHARE_NOTE)
    pairs: list[PairView]


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: ScenarioDoc
    doctrine: DoctrineId
    to: Literal["justified", "not_justified", "indeterminate", "decided"]
    max_changes: int = Field(3, ge=1, le=4)
    keep: list[str] = Field(default_factory=list, description="Facts that may not change.")
    only: list[str] = Field(default_factory=list,
                            description="Only these facts may change (default: any).")
    parameters: ParameterOverrides = None


class ChangeView(BaseModel):
    fact: str
    from_: Any = Field(alias="from", serialization_alias="from")
    to: Any = Field(description="The new value; null: unknown.")
    model_config = ConfigDict(populate_by_name=True)


class SolutionView(_Open):
    changes: list[ChangeView]


class FindOutView(_Open):
    facts: list[str]
    justify: list[dict[str, Any]]
    reject: list[dict[str, Any]]


class WhatIfResponse(BaseModel):
    solutions: list[SolutionView]
    to_find_out: list[FindOutView]


@router.post("/prove", response_model=ProveResponse, dependencies=[JsonBody],
             summary="Prove the nestings of DOCTRINES §4 and refinement monotonicity",
             responses=problem_responses(400, 413, 415, 422))
async def prove_route(request: Request,
                      body: Annotated[ProveRequest, Body()]) -> dict[str, Any]:
    """Each claim holds over every scenario, or fails with the counterexample that has the
    fewest stated facts (an override such as `nss_gravity_threshold: grave` breaks one)."""
    claims = await run_evaluation(request, prove, body.parameters)
    return {"claims": [c.as_json() for c in claims], "share_note": SHARE_NOTE}


@router.post("/compare", response_model=CompareResponse, dependencies=[JsonBody],
             summary="Where two doctrines, or two readings of one, differ (exactly)",
             responses=problem_responses(400, 413, 415, 422))
async def compare_route(request: Request,
                        body: Annotated[CompareRequest, Body()]) -> dict[str, Any]:
    """The exact set of scenarios where the verdicts differ, by pair of verdicts, as
    disjoint regions with share, words and an example checked on durable-rules."""
    a = Side(body.a.doctrine, dict(body.a.parameters or {}))
    b = Side(body.b.doctrine, dict(body.b.parameters or {}))
    return await run_evaluation(request, compare, a, b)


def _whatif(body: WhatIfRequest) -> dict[str, Any]:
    sols = minimal_changes(body.scenario, body.doctrine, body.to, body.max_changes,
                           body.keep, body.only, body.parameters)
    find = to_find_out(body.scenario, body.doctrine, body.max_changes, body.parameters)
    return {"solutions": [s.as_json() for s in sols],
            "to_find_out": [f.as_json() for f in find]}


@router.post("/whatif", response_model=WhatIfResponse, response_model_by_alias=True,
             dependencies=[JsonBody],
             summary="The least that would have to change to reach a verdict",
             responses=problem_responses(400, 413, 415, 422))
async def whatif_route(request: Request,
                       body: Annotated[WhatIfRequest, Body()]) -> dict[str, Any]:
    """Every set of fewest fact changes (then nearest values) that gives the doctrine the
    target verdict, each re-verified on durable-rules; for an indeterminate doctrine, the
    smallest sets of unknown facts whose values can decide it."""
    return await run_evaluation(request, _whatif, body)
