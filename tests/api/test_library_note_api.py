"""The note for students of a library case, through the real ASGI app."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_api_serves_the_note_of_a_library_case(client: TestClient) -> None:
    got = client.get("/v1/scenarios/caroline-1837").json()
    assert "fails Webster's own test" in got["note"]
    assert client.get("/v1/scenarios/osirak-1981").json()["note"] is None
