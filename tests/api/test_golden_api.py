"""The scenario library served by the API gives the answers recorded in its golden files
(the `expected:` blocks of scenarios/*.yaml), on both engines."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.loader import library

ENTRIES = [e for e in library() if e.expected]


def _check(expected: dict[str, Any], body: dict[str, Any]) -> None:
    assert body["classification"] == expected["classification"]
    for d_id, want in expected["doctrines"].items():
        got = body["doctrines"][d_id]
        for key, value in want.items():
            assert got[key] == value, f"{d_id}.{key}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_library_evaluation_matches_golden(client: TestClient, entry: Any) -> None:
    assert entry.expected is not None
    r = client.get(f"/v1/scenarios/{entry.id}/evaluation")
    assert r.status_code == 200
    _check(entry.expected, r.json())


def test_posted_library_matches_golden_on_both_engines(client: TestClient) -> None:
    items = []
    for e in ENTRIES:
        facts = e.scenario.model_dump(mode="json", exclude_none=True)
        items += [{"scenario": facts}, {"scenario": facts, "explain": False}]
    body = client.post("/v1/evaluate/batch", json={"items": items}).json()
    assert body["errors"] == 0
    for i, record in enumerate(body["results"]):
        entry = ENTRIES[i // 2]
        assert entry.expected is not None
        _check(entry.expected, record["evaluation"])


def test_library_listing_matches_golden(client: TestClient) -> None:
    listed = {s["id"]: s for s in client.get("/v1/scenarios").json()}
    for e in ENTRIES:
        assert e.expected is not None
        assert listed[e.id]["classification"] == e.expected["classification"]
        for d_id, want in e.expected["doctrines"].items():
            assert listed[e.id]["verdicts"][d_id] == want["verdict"]
