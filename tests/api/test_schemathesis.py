"""Property-based tests of every endpoint against the app's own OpenAPI schema
(schemathesis): no 5xx, and every response (status, content type, body) conforms to the
schema. Bounded for CI: at most EXAMPLES (15) generated examples per operation, a few hundred
in all, plus the schema's own examples."""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from api.settings import Settings

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))


@schemathesis.serializer("application/x-ndjson")
def _ndjson(ctx: Any, value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, list):
        return "\n".join(json.dumps(v) for v in value).encode()
    return json.dumps(value).encode()


schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(access_log=False, batch_limit=50)))

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
