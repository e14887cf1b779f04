"""Request and response models of the HTTP API that the engine does not already have.

The evaluation itself is the engine's `Evaluation` (DOCTRINES §5), reused, not re-declared;
the scenario is the engine's `Scenario`. What is here is HTTP-only: request envelopes, batch
records, and read-only views of the law in rules/ (built from `engine.law.definitions`).

Request flags are strict booleans: `true`/`false` only, never `0`, `1` or `"no"` (a 422
naming the field), as the scenario's boolean facts are.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from api.problems import Problem
from engine.law.definitions import Law, load
from engine.law.scenario import Scenario
from engine.result import Classification, Evaluation, Verdict


def _parameter_schema(law: Law) -> dict[str, Any]:
    """JSON Schema of the parameter overrides, derived from rules/parameters.yaml."""
    props: dict[str, Any] = {}
    for p in law.parameters.values():
        base: dict[str, Any] = {"description": p.reason, "default": p.default}
        if p.type == "harm":
            base |= {"type": "string", "enum": list(law.scales["harm"])}
        elif p.type == "hours":
            base |= {"type": "number", "minimum": 0}
        elif p.type == "probability":
            base |= {"type": "number", "minimum": 0, "maximum": 1}
        elif p.type == "choice":
            base |= {"type": "string", "enum": list(p.values)}
        elif p.type == "points":
            base |= {"type": "number", "minimum": 0, "maximum": 100}
        elif p.type == "probability_by_harm":
            base |= {"type": "object", "additionalProperties": False,
                     "properties": {k: {"type": "number", "minimum": 0, "maximum": 1}
                                    for k in p.keys}}
        props[p.name] = base
    return {"anyOf": [{"type": "object", "properties": props, "additionalProperties": False},
                      {"type": "null"}],
            "description": "Overrides of the interpretive parameters (GET /v1/parameters); "
                           "absent ones keep their defaults."}


_LAW = load()
DOCTRINE_IDS = list(_LAW.doctrines)

ParameterOverrides = Annotated[dict[str, Any] | None, WithJsonSchema(_parameter_schema(_LAW))]
DoctrineList = Annotated[list[str] | None, WithJsonSchema({
    "anyOf": [{"type": "array", "items": {"type": "string", "enum": DOCTRINE_IDS}},
              {"type": "null"}],
    "description": "Only these doctrines (default: all six, in their order)."})]
EXPLAIN_DOC = ("Include the trace and the facts each test read. With false the service "
               "takes the engine's fast path (plain Python compiled from the same rules, "
               "differential-tested against durable-rules): same verdicts, routes, scores "
               "and decisive tests, no trace, empty per-test facts.")


class EvaluateRequest(BaseModel):
    """Body of POST /v1/evaluate."""

    model_config = ConfigDict(extra="forbid")

    scenario: Scenario = Field(description="The facts (DOCTRINES §2); absent or null is "
                                           "unknown, never false.")
    parameters: ParameterOverrides = None
    doctrines: DoctrineList = None
    explain: StrictBool = Field(True, description=EXPLAIN_DOC)
    what_if: StrictBool = Field(False, description=(
        "Also return, per doctrine, the single-fact changes that would change its verdict "
        "(`what_if` in the answer): which fact would change the answer."))


class BatchItem(BaseModel):
    """One item of a batch: the body of POST /v1/evaluate. Its scenario is validated on its
    own, so that one invalid scenario gives an error record, not a failed batch."""

    model_config = ConfigDict(extra="forbid")

    scenario: dict[str, Any] = Field(description="a scenario (schema: Scenario)")
    parameters: ParameterOverrides = None
    doctrines: DoctrineList = None
    explain: StrictBool = Field(True, description=EXPLAIN_DOC)


class BatchRequest(BaseModel):
    """Body of POST /v1/evaluate/batch as application/json."""

    items: list[dict[str, Any]] = Field(
        description="Evaluate requests (each like the body of POST /v1/evaluate), at most "
                    "the configured batch limit (IMMINENCE_BATCH_LIMIT, default 1000).")


class BatchRecord(BaseModel):
    """The answer for one item, in input order: an evaluation or a problem, never both."""

    index: int = Field(description="0-based position of the item in the batch")
    line: int | None = Field(None, description="NDJSON only: the 1-based input line")
    evaluation: Evaluation | None = None
    error: Problem | None = None


class BatchResponse(BaseModel):
    count: int
    errors: int = Field(description="how many items gave an error record")
    results: list[BatchRecord]


class SourceView(BaseModel):
    key: str
    short: str
    citation: str
    passage: str
    passage_kind: str


class ParameterView(BaseModel):
    name: str
    type: str
    default: Any
    allowed: Any = Field(description="the values or range an override may take")
    reason: str
    source: str


class TestView(BaseModel):
    __test__ = False  # not a pytest class

    id: str
    title: str
    source: str
    passage: str
    condition: str = Field("", description="the test's condition in words, as this doctrine "
                                           "reads it with the default parameters")
    parameters: list[str] = Field(default_factory=list,
                                  description="the interpretive parameters it reads")
    weighing_factor: bool = False
    passage_kind: str = Field("summary", description="quotation (the source's words) or "
                              "summary (our words; anything quoted is verbatim)")
    also: list[str] = Field(default_factory=list,
                            description="further source keys the passage relies on")


class RouteView(BaseModel):
    id: str
    code: str
    title: str
    source: str
    self_defence: bool
    widens: str | None = None
    tests: list[TestView]


class DoctrineSummary(BaseModel):
    id: str
    name: str
    standing: str
    summary: str
    routes: list[str]


class DoctrineView(DoctrineSummary):
    quote: dict[str, str]
    settings: dict[str, Any]
    route_details: list[RouteView]
    weighing_factor: TestView
    parameters: list[ParameterView] = Field(description="the interpretive parameters its "
                                                        "tests read")
    sources: list[SourceView]


class ScenarioSummary(BaseModel):
    id: str
    title: str | None
    date: str | None
    summary: str | None
    classification: Classification = Field(description="as the engine classifies it")
    verdicts: dict[str, Verdict] = Field(description="doctrine id → verdict, default "
                                                     "parameters")


class ScenarioDetail(BaseModel):
    id: str
    file: str
    scenario: Scenario
    expected: dict[str, Any] | None = Field(description="the answer recorded in the library "
                                                        "file (its golden block)")
    note: str | None = Field(None, description="a note for students on this case, if any")


__all__ = [
    "DOCTRINE_IDS",
    "BatchItem",
    "BatchRecord",
    "BatchRequest",
    "BatchResponse",
    "DoctrineSummary",
    "DoctrineView",
    "EvaluateRequest",
    "ParameterView",
    "RouteView",
    "ScenarioDetail",
    "ScenarioSummary",
    "SourceView",
    "TestView",
]
