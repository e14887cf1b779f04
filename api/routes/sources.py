"""The bibliography: each source with its full citation and the passage rules rest on."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LawDep
from api.models import SourceView
from api.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["law"])


@router.get("/sources", response_model=list[SourceView], summary="Sources cited by the rules",
            responses=problem_responses())
def list_sources(law: LawDep) -> list[SourceView]:
    return [SourceView(key=s.key, short=s.short, citation=s.citation, passage=s.passage,
                       passage_kind=s.passage_kind) for s in law.sources.values()]
