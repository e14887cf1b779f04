"""POST /v1/evaluate and POST /v1/evaluate/batch: thin callers of `engine.evaluate`.

Evaluation is CPU-bound and the engine serialises durable-rules under a process lock, so
rete evaluations never run on the event loop: one request with explain=true, a JSON batch,
each NDJSON line run in a small dedicated thread pool (`deps.run_evaluation`). A single
explain=false evaluation (the fast path: ~0.5 ms, no lock) runs on the loop, where it costs
less than the thread hop would, but only when the rules for its parameter set are already
compiled: a new parameter set takes tens of ms to compile (durable-rules more), and one
client sending a new `caroline_max_hours` with every request would otherwise stall every
other request, /healthz included. Those go to one compile thread of their own, so that a
flood of new parameter sets queues behind itself, not behind the ordinary requests.

The commonest request, explain=false on a compiled parameter set, is answered by the
`express` lane, which the request-context middleware calls with the body it has already
read: pydantic's JSON parser straight into `EvaluateRequest`, the fast path, the answer's
JSON as bytes. Anything it would not answer as the route does goes through the route.

Parameter values are not rounded (a verdict at 24.004 h against 24.001 h is a different
question) nor bounded beyond the law's own ranges: off the loop, a new parameter set costs
its requester the compile time, and the caches of compiled sets are bounded (engine:
16 fast-path networks, 8 durable-rules rulesets, least recently used evicted, the default
set kept for the life of the process).

JSON media: `application/json` and any `application/*+json`, alike on both endpoints
(api/jsonbody.py); NDJSON batches as `application/x-ndjson`, one request per line, lines
ended by `\n` (a `\r` before it is dropped), never by the Unicode line separators that
may stand inside a JSON string.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.types import Scope, Send

from api.deps import JsonBody, SettingsDep, run_evaluation
from api.examples import batch_example, evaluate_examples, evaluation_example, ndjson_example
from api.jsonbody import NDJSON, is_json_media, media_type, too_deep, too_deep_detail
from api.jsonbody import loads as load_json
from api.models import BatchItem, EvaluateRequest
from api.problems import (
    ProblemError,
    invalid_input_body,
    problem_body,
    problem_responses,
    request_validation_items,
)
from engine import evaluate as run_engine
from engine.errors import ErrorItem, InvalidInput
from engine.evaluate import is_compiled, run_if_free, to_scenario
from engine.result import Evaluation, EvaluationWithWhatIf, evaluation_bytes, evaluation_json
from engine.whatif import as_json, changes

router = APIRouter(prefix="/v1", tags=["evaluate"])


def run(scenario: Any, parameters: Mapping[str, Any] | None, doctrines: list[str] | None,
        explain: bool) -> Evaluation:
    """One evaluation; explain=false takes the engine's fast path (no trace)."""
    return run_engine(scenario, parameters, doctrines, explain=explain,
                      engine="rete" if explain else "fast")


@router.post(
    "/evaluate", response_model=EvaluationWithWhatIf, dependencies=[JsonBody],
    summary="Evaluate one scenario under each doctrine (DOCTRINES §5)",
    responses={200: {"content": {"application/json": {"example": evaluation_example()}}},
               **problem_responses(400, 413, 415, 422)},
)
async def evaluate(
    body: Annotated[EvaluateRequest, Body(openapi_examples=evaluate_examples())],
    request: Request,
) -> Response:
    """Verdict, route, score, decisive tests, missing facts and widening for each doctrine,
    plus the classification of the force used. A fact that is absent or null is *unknown*.

    `explain=false` answers from the engine's fast path (the same rules compiled to plain
    Python, differential-tested against durable-rules): no trace and no per-test facts."""
    # One evaluation takes ~0.5 ms (fast path, no lock) to ~2 ms (rete): a hop to a worker
    # thread, and the GIL hand-offs it causes, costs more than that, so it runs on the
    # event loop (measured: about twice the requests/s). The rete path needs the engine's
    # process lock; when a batch in a worker thread holds it, the loop must not wait for it,
    # so the request goes to the thread pool instead.
    text: bytes | None = None
    if not is_compiled(body.parameters, engine="rete" if body.explain else "fast"):
        limiter = _compile_limiter(request)
        return Response(await to_thread.run_sync(_evaluate_json, body, limiter=limiter),
                        media_type="application/json")
    if body.what_if:
        pass  # dozens of evaluations: off the loop
    elif not body.explain:
        text = _evaluate_json(body)
    else:
        _, text = run_if_free(lambda: _evaluate_json(body))
    if text is None:
        text = await run_evaluation(request, _evaluate_json, body)
    return Response(text, media_type="application/json")


async def express(scope: Scope, body: bytes, send: Send) -> bool:
    """Answer the commonest request, `POST /v1/evaluate` with explain=false, without the
    framework's routing, dependency and validation layers; True if it answered.

    Measured (in-process, one scenario of the library): the evaluation and its JSON cost
    ~50 us, FastAPI's body handling and dependencies around them ~190 us more; this lane
    costs what `/healthz` costs plus the work. It answers only what the route would answer
    the same way on the event loop: a body that validates as `EvaluateRequest` (pydantic's
    JSON parser, the model the route declares), explain=false, no what_if, its parameter
    set compiled, and an evaluation that succeeds. Anything else (an invalid body, a
    refusal, a parameter set to compile, a rete evaluation) returns False and goes through
    the route, which gives the problem document or the answer as before: nothing is
    answered here that the route would answer differently (tests/api/test_express.py
    compares both on valid and invalid bodies)."""
    try:
        req = EvaluateRequest.model_validate_json(body)
    except ValueError:  # a ValidationError or a body pydantic's parser refuses
        return False
    if req.explain or req.what_if or not is_compiled(req.parameters, engine="fast"):
        return False
    try:
        text = _evaluate_json(req)
    except Exception:  # an InvalidInput (or worse): the route says so, with its handlers
        return False
    response = Response(text, media_type="application/json")
    await send({"type": "http.response.start", "status": response.status_code,
                "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
    return True


def _compile_limiter(request: Request) -> CapacityLimiter:
    """One thread for the requests whose parameter set must be compiled first."""
    state = request.app.state
    limiter: CapacityLimiter | None = getattr(state, "compile_limiter", None)
    if limiter is None:  # created on the loop thread, on first use
        limiter = state.compile_limiter = CapacityLimiter(1)
    return limiter


def _evaluate_json(body: EvaluateRequest) -> bytes:
    text = evaluation_bytes(run(body.scenario, body.parameters, body.doctrines, body.explain))
    if not body.what_if:
        return text
    found = as_json(changes(body.scenario, body.parameters, body.doctrines))
    return b"".join((text[:-1], b',"what_if":', json.dumps(found).encode(), b"}"))



# ---- batch -----------------------------------------------------------------------------

def _item_record(index: int, item: Any, line: int | None) -> str:
    """The JSON of one batch record: an evaluation or an error, never an exception."""
    head = f'{{"index":{index},"line":{"null" if line is None else line}'
    try:
        if not isinstance(item, dict):
            raise InvalidInput([ErrorItem((), "a batch item must be an object "
                                              "{scenario, parameters?, doctrines?, explain?}",
                                          "type_error")])
        try:
            req = BatchItem.model_validate(item)
        except ValidationError as exc:
            raise InvalidInput(request_validation_items(exc.errors(include_url=False))) \
                from None
        scenario = to_scenario(req.scenario, ("scenario",))
        ev = run(scenario, req.parameters, req.doctrines, req.explain)
    except InvalidInput as exc:
        return f'{head},"evaluation":null,"error":{json.dumps(invalid_input_body(exc))}}}'
    except Exception:  # one bad item must not fail the batch; no details leak
        import logging

        logging.getLogger("imminence.api").exception("batch item %d failed", index)
        err = problem_body(500, "this item could not be evaluated; it has been logged")
        return f'{head},"evaluation":null,"error":{json.dumps(err)}}}'
    return f'{head},"evaluation":{evaluation_json(ev)},"error":null}}'


def _too_many(n: int, limit: int) -> ProblemError:
    return ProblemError(413, f"the batch has {n} items; the limit is {limit} "
                             f"(setting IMMINENCE_BATCH_LIMIT)", kind="batch-too-large")


def _json_batch(items: list[Any]) -> str:
    parts = [_item_record(i, item, None) for i, item in enumerate(items)]
    errors = sum(1 for p in parts if not p.endswith('"error":null}'))
    return f'{{"count":{len(parts)},"errors":{errors},"results":[{",".join(parts)}]}}'


def _ndjson_lines(body: bytes, limit: int) -> list[tuple[int, str]]:
    """The non-blank lines with their 1-based numbers. Lines end at `\n` only (`\r\n`
    too): `str.splitlines()` would also split at U+2028, U+2029, U+0085 and other
    characters that may stand, unescaped, inside a JSON string."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(400, f"the NDJSON body is not UTF-8: {exc.reason} at byte "
                                f"{exc.start}", kind="malformed-body") from None
    lines = []
    for n, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if raw.strip(" \t\r"):  # JSON's own whitespace only
            lines.append((n, raw))
    if len(lines) > limit:
        raise _too_many(len(lines), limit)
    return lines


def _line_error(index: int, n: int, err: dict[str, Any]) -> str:
    return f'{{"index":{index},"line":{n},"evaluation":null,"error":{json.dumps(err)}}}\n'


def _ndjson_record(index: int, n: int, raw: str, max_depth: int) -> str:
    what = f"line {n}"
    if too_deep(raw, max_depth):
        return _line_error(index, n, problem_body(400, too_deep_detail(max_depth, what),
                                                  kind="json-too-deep"))
    try:
        item = json.loads(raw)
    except RecursionError:
        return _line_error(index, n, problem_body(400, too_deep_detail(max_depth, what),
                                                  kind="json-too-deep"))
    except ValueError as exc:
        return _line_error(index, n, problem_body(400, f"line {n} is not valid JSON: {exc}",
                                                  kind="malformed-line"))
    return _item_record(index, item, n) + "\n"


async def _ndjson_stream(request: Request, lines: list[tuple[int, str]],
                         max_depth: int) -> AsyncIterator[str]:
    for index, (n, raw) in enumerate(lines):
        yield await run_evaluation(request, _ndjson_record, index, n, raw, max_depth)


_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"},
                             "example": batch_example()},
        NDJSON: {"schema": {"type": "string",
                            "description": "one evaluate request (like the body of POST "
                                           "/v1/evaluate) per line; blank lines skipped"},
                 "example": ndjson_example()},
    },
}


@router.post(
    "/evaluate/batch",
    summary="Evaluate many scenarios (JSON, or NDJSON streamed back in input order)",
    openapi_extra={"requestBody": _BATCH_BODY},
    responses={200: {"description": "One record per item, in input order: an evaluation or "
                                    "an error (problem details) for that item.",
                     "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/BatchResponse"}},
                         NDJSON: {"schema": {"type": "string",
                                             "description": "one BatchRecord per line"}}}},
               **problem_responses(400, 413, 415, 422)},
)
async def evaluate_batch(request: Request, settings: SettingsDep) -> Response:
    """Up to the batch limit (IMMINENCE_BATCH_LIMIT, default 1000) evaluate requests.

    `application/json`: `{"items": [...]}` answered with `{"count", "errors", "results"}`.
    `application/x-ndjson`: one request per line, answered as a stream of one record per
    line, in input order. Either way one invalid item gives an error record for that item
    (with `index`, and `line` for NDJSON), not a failed batch."""
    media = media_type(request.headers.get("content-type"))
    limit = settings.batch_limit
    if media != NDJSON and not is_json_media(media):
        raise ProblemError(415, f"expected Content-Type application/json (or "
                                f"application/*+json) or {NDJSON}, got {media or 'none'}",
                           kind="unsupported-media-type")
    body = await request.body()
    if media == NDJSON:
        lines = _ndjson_lines(body, limit)
        return StreamingResponse(_ndjson_stream(request, lines, settings.max_json_depth),
                                 media_type=NDJSON)
    if len(body) > 256 * 1024:  # parsing a large body takes a while: not on the event loop
        doc = await to_thread.run_sync(load_json, body, settings.max_json_depth)
    else:
        doc = load_json(body, settings.max_json_depth)
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise InvalidInput([ErrorItem(("items",), "the body must be an object with a list "
                                                  "`items` of evaluate requests",
                                      "missing" if isinstance(doc, dict) else "type_error")])
    extra = [k for k in doc if k != "items"]
    if extra:
        raise InvalidInput([ErrorItem((k,), f"unknown field '{k}' (allowed: items)",
                                      "unknown_field", ["items"]) for k in extra])
    items: list[Any] = doc["items"]
    if len(items) > limit:
        raise _too_many(len(items), limit)
    text = await run_evaluation(request, _json_batch, items)
    return Response(text, media_type="application/json")
