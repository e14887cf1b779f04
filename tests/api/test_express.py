"""The express lane of POST /v1/evaluate (api/routes/evaluate.py `express`) answers what
the route would answer, byte for byte, and leaves everything else to the route.

Two apps, the express lane on and off, get the same requests: valid scenarios (explain
false, which the lane answers, and true, which it passes on), parameter overrides,
doctrine subsets, and bodies that are invalid in every way a client gets wrong (wrong
types, unknown fields, JSON that Python's parser and pydantic's read differently). The
status, the media type and the body must be the same.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.main import create_app
from api.settings import Settings
from engine.loader import library
from tests.strategies import scenarios

HEADERS = {"content-type": "application/json", "x-request-id": "express-test"}


@pytest.fixture(scope="module")
def lanes() -> Iterator[tuple[TestClient, TestClient, list[int]]]:
    """(client with the lane, client without, [requests the lane answered])."""
    fast = create_app(Settings(access_log=False))
    answered = [0]
    middleware = next(m for m in fast.user_middleware if "express" in m.kwargs)
    lane: Callable[..., Awaitable[bool]] = middleware.kwargs["express"]
    assert lane is not None

    async def counted(*args: Any) -> bool:
        done = await lane(*args)
        answered[0] += done
        return done

    middleware.kwargs["express"] = counted
    slow = create_app(Settings(access_log=False, express=False))
    with TestClient(fast, raise_server_exceptions=False) as a, \
            TestClient(slow, raise_server_exceptions=False) as b:
        yield a, b, answered


def _same(lanes: tuple[TestClient, TestClient, list[int]], body: bytes) -> int:
    a, b, _ = lanes
    ra = a.post("/v1/evaluate", content=body, headers=HEADERS)
    rb = b.post("/v1/evaluate", content=body, headers=HEADERS)
    assert (ra.status_code, ra.headers["content-type"], ra.content) == \
        (rb.status_code, rb.headers["content-type"], rb.content), body[:300]
    assert ra.headers["content-length"] == rb.headers["content-length"]
    return ra.status_code


def _library_docs() -> list[dict[str, Any]]:
    return [e.scenario.model_dump(mode="json", exclude_none=True) for e in library()]


def test_the_lane_answers_valid_explain_off_requests_as_the_route_does(
        lanes: tuple[TestClient, TestClient, list[int]]) -> None:
    before = lanes[2][0]
    docs = _library_docs()
    for doc in docs:
        for extra in ({}, {"doctrines": ["caroline", "nss_2002"]},
                      {"parameters": {"caroline_max_hours": 48}}):
            body = json.dumps({"scenario": doc, "explain": False, **extra}).encode()
            assert _same(lanes, body) == 200
    # the parameter set above was compiled by its first request (which the route took,
    # off the loop); the lane answered every other one
    assert lanes[2][0] - before >= 3 * len(docs) - 1


def test_the_lane_passes_on_what_it_does_not_answer(
        lanes: tuple[TestClient, TestClient, list[int]]) -> None:
    doc = _library_docs()[0]
    before = lanes[2][0]
    for extra in ({"explain": True}, {}, {"explain": False, "what_if": True},
                  {"explain": False, "parameters": {"caroline_max_hours": 47.25}}):
        assert _same(lanes, json.dumps({"scenario": doc, **extra}).encode()) == 200
    assert lanes[2][0] == before


BAD_BODIES = [  # mostly refused; a few valid in unusual ways
    b'{"scenario": {"threat": {"hours_until": NaN}}, "explain": false}',
    b'{"scenario": {"threat": {"hours_until": Infinity}}, "explain": false}',
    b'{"scenario": {"threat": {"hours_until": "2"}}, "explain": false}',
    b'{"scenario": {"threat": {"hours_until": 1e400}}, "explain": false}',
    b'{"scenario": {"threat": {"probability": 2}}, "explain": false}',
    b'{"scenario": {"threat": {"hours_until": true}}, "explain": false}',
    b'{"scenario": {}, "explain": "false"}',
    b'{"scenario": {}, "explain": 0}',
    b'{"scenario": {}, "explain": false, "explain": true}',
    b'{"scenario": {"threat": {"hours_until": 2}}, "scenario": {}, "explain": false}',
    b'{"scenario": {"territory": {"state": "\\ud800"}}, "explain": false}',
    b'{"scenario": {"title": "caf\\u00e9 \xe2\x80\xa8"}, "explain": false}',
    b'{"scenario": {"unknown_group": {}}, "explain": false}',
    b'{"scenario": {}, "explain": false, "extra": 1}',
    b'{"scenario": {}, "explain": false, "doctrines": ["nope"]}',
    b'{"scenario": {}, "explain": false, "doctrines": []}',
    b'{"scenario": {}, "explain": false, "parameters": {"caroline_max_hours": -1}}',
    b'{"scenario": {}, "explain": false, "parameters": {"nope": 1}}',
    b'{"scenario": {"id": "Not A Slug"}, "explain": false}',
    b'{"scenario": [], "explain": false}',
    b'{"explain": false}',
    b'[]',
    b'{"scenario": {}, "explain": false,}',
    b'{"scenario": {}, "explain": false} trailing',
    b'\xef\xbb\xbf{"scenario": {}, "explain": false}',
    b'',
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_unusual_and_invalid_bodies_get_the_answer_the_route_gives(
        lanes: tuple[TestClient, TestClient, list[int]], body: bytes) -> None:
    _same(lanes, body)


JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                 st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                 st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                      st.integers(),
                                                                      max_size=2))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(doc=scenarios, where=st.integers(0, 10**6), junk=JUNK, corrupt=st.booleans())
def test_generated_scenarios_valid_and_corrupted_get_the_same_answer(
        lanes: tuple[TestClient, TestClient, list[int]], doc: dict[str, Any], where: int,
        junk: Any, corrupt: bool) -> None:
    if corrupt:  # one fact replaced by a value of any JSON type
        group = sorted(doc)[where % len(doc)]
        names = sorted(doc[group])
        doc[group][names[where % len(names)]] = junk
    _same(lanes, json.dumps({"scenario": doc, "explain": False}).encode())
