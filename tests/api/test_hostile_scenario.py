"""Hostile scenarios over HTTP (issue 13): a string durable-rules cannot take is refused
by validation with a 422 naming the field, whichever engine would have answered."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

# A JSON body may escape a lone UTF-16 surrogate; Python's json module accepts it.
SURROGATE_BODY = '{"scenario": {"territory": {"state": "\\ud800"}}, "explain": %s}'


@pytest.mark.parametrize("explain", ["true", "false"])
def test_a_lone_surrogate_in_a_text_fact_is_a_422_naming_the_field(
        client: TestClient, explain: str) -> None:
    res = client.post("/v1/evaluate", content=SURROGATE_BODY % explain,
                      headers={"content-type": "application/json"})
    assert res.status_code == 422, res.text
    body = res.json()
    fields = [e["field"] for e in body["errors"]]
    assert fields == ["scenario.territory.state"]
    assert "lone surrogate" in body["errors"][0]["msg"]


def test_a_lone_surrogate_in_a_batch_item_is_an_error_record_not_a_failed_batch(
        client: TestClient) -> None:
    items = [{"scenario": {"territory": {"state": "\ud800"}}, "explain": True},
             {"scenario": {"threat": {"hours_until": 1}}, "explain": True}]
    res = client.post("/v1/evaluate/batch", content=json.dumps({"items": items}),
                      headers={"content-type": "application/json"})
    assert res.status_code == 200, res.text
    results = res.json()["results"]
    assert len(results) == 2
    error = results[0]["error"]
    assert error["status"] == 422
    assert [e["field"] for e in error["errors"]] == ["scenario.territory.state"]
    assert results[1]["error"] is None and results[1]["evaluation"] is not None
