"""The result of an evaluation: the shape of DOCTRINES §5, as pydantic models.

`Evaluation.model_dump(mode="json")` is what the CLI prints with `--format json` and what
the HTTP API returns. Keys may be added; none of the §5 keys is ever renamed.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["justified", "not_justified", "indeterminate"]
TestStatus = Literal["satisfied", "failed", "unknown"]
Classification = Literal[
    "collective_security", "regime_change", "reprisal", "reactive", "interceptive", "pre_emptive",
    "preventive", "unclassified",
]


class TestResult(BaseModel):
    """One test of one route, as read by one doctrine."""

    model_config = ConfigDict(frozen=True)
    __test__ = False  # not a pytest class

    test: str
    route: str | None = Field(description="the route this test belongs to; null for the "
                                          "weighing factor `reported`")
    status: TestStatus
    facts: dict[str, Any] = Field(default_factory=dict,
                                  description="the stated facts the test read (null: unknown)")
    source: str
    condition: str = Field("", description="what the test asks, in words, as this doctrine "
                                           "reads it with these parameters")
    because: str | None = Field(
        None, description="for a failed or unknown test (with explain): which part failed or "
                          "is unknown and what it needs; null otherwise")
    passage: str = Field("", description="the passage of the source the test rests on")
    passage_kind: Literal["quotation", "summary"] = Field(
        "summary", description="whether the passage is a verbatim quotation or a summary")
    citation: str = Field("", description="the source's short citation (GET /v1/sources "
                                          "has the full one)")


class RouteSummary(BaseModel):
    """One route of a doctrine: its status and its failed and unknown tests."""

    model_config = ConfigDict(frozen=True)

    route: str
    code: str
    title: str
    status: TestStatus
    failed: list[str] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)


class TraceEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str
    source: str


class DoctrineResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    standing: str
    verdict: Verdict
    route: str
    score: int = Field(ge=0, le=100)
    score_max: int = Field(ge=0, le=100)
    tests: list[TestResult] = Field(default_factory=list)
    reported: TestResult | None = Field(
        default=None, description="the weighing factor: changes the score, never the verdict")
    decisive: list[str] = Field(default_factory=list)
    missing_facts: list[str] = Field(default_factory=list)
    widening: list[str] = Field(default_factory=list)
    trace: list[TraceEntry] = Field(default_factory=list)
    sentence: str = Field("", description="why the doctrine decided as it did, in one "
                                          "sentence naming the decisive tests")
    routes: list[RouteSummary] = Field(default_factory=list,
                                       description="every route: status, failed and unknown "
                                                   "tests")


class Evaluation(BaseModel):
    model_config = ConfigDict(frozen=True)

    scenario_id: str | None
    classification: Classification
    parameters: dict[str, Any]
    doctrines: dict[str, DoctrineResult]


class WhatIfChange(BaseModel):
    """One fact changed, and the verdict a doctrine would then give (engine.whatif)."""

    model_config = ConfigDict(frozen=True)

    fact: str
    was: Any = Field(description="the stated value (null: unknown)")
    value: Any = Field(description="the value that would change the verdict")
    verdict: Verdict
    route: str | None = Field(description="the route that would justify it, if it would")


class EvaluationWithWhatIf(Evaluation):
    """An evaluation with, per doctrine, the single-fact changes that would change its
    verdict (requested with `what_if`)."""

    what_if: dict[str, list[WhatIfChange]] | None = Field(
        default=None, description="per doctrine: one fact changed and the verdict it gives; "
                                  "present when `what_if` was asked for")


M = TypeVar("M", bound=BaseModel)


def construct(cls: type[M], **values: Any) -> M:
    """Construct a result model from trusted, complete values without validating them.

    The engine builds results from parts it made itself; validation (and even pydantic's
    `model_construct`) cost more than the rules. Every field must be given. A test checks
    that every result validates against these models.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class _Fragments:
    """The JSON of answers the fast path remembers (engine/fast.py), made once each: an
    answer the engine hands out again and again is rendered once, not per request.
    Both bounded: the answers known to be remembered (cleared when full, as the fast path's
    own caches are), and their texts (the oldest dropped first). Each entry holds its
    answer, so that an id is never reused while it is kept."""

    def __init__(self, known: int, texts: int) -> None:
        self.known_size, self.texts_size = known, texts
        self._known: dict[int, BaseModel] = {}
        self._texts: dict[int, tuple[BaseModel, bytes]] = {}

    def remember(self, answer: BaseModel) -> None:
        if len(self._known) >= self.known_size:
            self._known.clear()
        self._known[id(answer)] = answer

    def json(self, answer: BaseModel) -> bytes:
        key = id(answer)
        hit = self._texts.get(key)
        if hit is not None and hit[0] is answer:
            return hit[1]
        text = answer.__pydantic_serializer__.to_json(answer)
        if self._known.get(key) is answer:
            if len(self._texts) >= self.texts_size:
                self._texts.pop(next(iter(self._texts)), None)
            self._texts[key] = (answer, text)
        return text


FRAGMENTS = _Fragments(20_000, 2048)  # texts ~12 kB each: about 25 MB at most


def evaluation_bytes(ev: Evaluation) -> bytes:
    """`ev.model_dump_json()` as UTF-8 bytes, the same text, with each remembered doctrine
    answer's JSON made once (FRAGMENTS) and spliced in: what an HTTP response sends, with
    no text to encode (encoding a 70 kB answer costs about half of making it)."""
    from pydantic_core import to_json

    doctrines = b",".join(to_json(d) + b":" + FRAGMENTS.json(r)
                          for d, r in ev.doctrines.items())
    return b"".join((b'{"scenario_id":', to_json(ev.scenario_id), b',"classification":"',
                     ev.classification.encode(), b'","parameters":', to_json(ev.parameters),
                     b',"doctrines":{', doctrines, b"}}"))


def evaluation_json(ev: Evaluation) -> str:
    """`ev.model_dump_json()`, the same text (evaluation_bytes, decoded)."""
    return evaluation_bytes(ev).decode()


__all__ = [
    "FRAGMENTS",
    "Classification",
    "DoctrineResult",
    "Evaluation",
    "EvaluationWithWhatIf",
    "RouteSummary",
    "TestResult",
    "TestStatus",
    "TraceEntry",
    "Verdict",
    "WhatIfChange",
    "construct",
    "evaluation_bytes",
    "evaluation_json",
]
