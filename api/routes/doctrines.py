"""The six doctrines, read from rules/: routes, tests, parameters and sources."""

from __future__ import annotations

from fastapi import APIRouter, Path

from api.deps import LawDep
from api.models import (
    DOCTRINE_IDS,
    DoctrineSummary,
    DoctrineView,
    ParameterView,
    RouteView,
    SourceView,
    TestView,
)
from api.problems import ProblemError, problem_responses
from engine.law import words
from engine.law.definitions import DoctrineDef, Law, LegalTest
from engine.law.parameters import describe
from engine.law.parameters import resolve as default_parameters

router = APIRouter(prefix="/v1", tags=["law"])


def _test(law: Law, t: LegalTest, d: DoctrineDef) -> TestView:
    return TestView(id=t.id, title=t.title, source=t.source, passage=t.passage,
                    passage_kind=t.passage_kind,
                    condition=words.condition(law, t.condition, default_parameters(None, law),
                                              d.setting_values),
                    parameters=list(law.parameters_read(t, d)),
                    weighing_factor=t.weighing_factor, also=list(t.also))


def doctrine_view(law: Law, doctrine_id: str) -> DoctrineView:
    d = law.doctrines[doctrine_id]
    routes = [law.routes[r] for r in d.routes]
    params: list[str] = []
    for r in routes:
        for t_id in r.tests:
            params += law.parameters_read(law.tests[t_id], d)
    wanted = list(dict.fromkeys(params))
    described = {p["name"]: p for p in describe(law)}
    weighing = law.weighing_test()
    source_keys = [*d.sources, *(r.source for r in routes),
                   *(law.tests[t].source for r in routes for t in r.tests), weighing.source,
                   *(law.parameters[p].source for p in wanted)]
    return DoctrineView(
        id=d.id, name=d.name, standing=d.standing, summary=d.summary, routes=list(d.routes),
        quote=d.quote, settings=d.settings,
        route_details=[RouteView(id=r.id, code=r.code, title=r.title, source=r.source,
                                 self_defence=r.self_defence, widens=r.widens,
                                 tests=[_test(law, law.tests[t], d) for t in r.tests])
                       for r in routes],
        weighing_factor=_test(law, weighing, d),
        parameters=[ParameterView(**described[p]) for p in wanted],
        sources=[SourceView(key=s.key, short=s.short, citation=s.citation, passage=s.passage,
                            passage_kind=s.passage_kind)
                 for s in (law.sources[k] for k in dict.fromkeys(source_keys))],
    )


@router.get("/doctrines", response_model=list[DoctrineSummary], summary="The six doctrines",
            responses=problem_responses())
def list_doctrines(law: LawDep) -> list[DoctrineSummary]:
    return [DoctrineSummary(id=d.id, name=d.name, standing=d.standing, summary=d.summary,
                            routes=list(d.routes)) for d in law.doctrines.values()]


@router.get("/doctrines/{doctrine_id}", response_model=DoctrineView,
            summary="One doctrine: routes, tests, parameters, sources",
            responses=problem_responses(404))
def get_doctrine(
    law: LawDep,
    doctrine_id: str = Path(description="a doctrine id",
                            json_schema_extra={"examples": DOCTRINE_IDS[:2]}),
) -> DoctrineView:
    if doctrine_id not in law.doctrines:
        raise ProblemError(404, f"unknown doctrine '{doctrine_id}'; allowed: "
                                f"{', '.join(law.doctrines)}", kind="unknown-doctrine")
    return doctrine_view(law, doctrine_id)
