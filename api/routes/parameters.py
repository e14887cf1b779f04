"""The interpretive parameters: default, reason, allowed values, source."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LawDep
from api.models import ParameterView
from api.problems import problem_responses
from engine.law.parameters import describe

router = APIRouter(prefix="/v1", tags=["law"])


@router.get("/parameters", response_model=list[ParameterView],
            summary="Interpretive parameters (defaults, reasons, allowed ranges)",
            responses=problem_responses())
def list_parameters(law: LawDep) -> list[ParameterView]:
    """Each is an interpretation of open law, overridable per request in `parameters`."""
    return [ParameterView(**p) for p in describe(law)]
