"""The interpretive parameters: default, reason, allowed values, source."""

from __future__ import annotations

from fastapi import APIRouter

from engine.parameters import describe

from ..deps import LawDep
from ..models import ParameterView
from ..problems import problem_responses

router = APIRouter(prefix="/v1", tags=["law"])


@router.get("/parameters", response_model=list[ParameterView],
            summary="Interpretive parameters (defaults, reasons, allowed ranges)",
            responses=problem_responses())
def list_parameters(law: LawDep) -> list[ParameterView]:
    """Each is an interpretation of open law, overridable per request in `parameters`."""
    return [ParameterView(**p) for p in describe(law)]
