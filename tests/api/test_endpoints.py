"""Every endpoint through the real ASGI app, with the error cases a client will meet."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from api.main import ROUTERS, create_app
from api.problems import PROBLEM_JSON
from api.routes import health, index
from api.settings import Settings
from engine import evaluate
from engine.law.definitions import load
from engine.loader import library

CAROLINE = next(e for e in library() if e.id == "caroline-1837")


def facts(entry_id: str) -> dict[str, Any]:
    e = next(e for e in library() if e.id == entry_id)
    return e.scenario.model_dump(mode="json", exclude_none=True)


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert {"type", "title"} <= body.keys()
    assert "Traceback" not in r.text
    assert body["request_id"] == r.headers["x-request-id"]
    return body


# ---- health, index, docs ---------------------------------------------------------------

def test_healthz_is_alive(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_reports_engine_answers(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "doctrines": 6, "engine": "durable-rules"}


def test_index_lists_endpoints() -> None:
    bare = FastAPI()
    bare.include_router(health.router)
    bare.include_router(index.router)
    body = TestClient(bare).get("/").json()
    assert "GET /healthz" in body["endpoints"] and body["docs"] == "/docs"


def test_index_yields_to_another_router_at_root() -> None:
    page = APIRouter()

    @page.get("/")
    def home() -> dict[str, str]:
        return {"page": "web"}

    app = create_app(Settings(access_log=False), extra_routers=[page])
    ops = {op.get("operationId") for path in app.openapi()["paths"].values()
           for op in path.values()}
    assert "index__get" not in ops


def test_docs_work_offline(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/docs/assets/{asset}").status_code == 200


def test_openapi_has_library_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]
    assert body["examples"]["caroline-1837"]["value"]["scenario"]["id"] == "caroline-1837"
    assert "Problem" in spec["components"]["schemas"]


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "x-request-id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\x01"}).headers["x-request-id"]
    assert made != "bad id\x01" and len(made) == 32


# ---- the law ---------------------------------------------------------------------------

def test_doctrines_lists_six_in_order(client: TestClient) -> None:
    body = client.get("/v1/doctrines").json()
    assert [d["id"] for d in body] == list(load().doctrines)


def test_doctrine_explains_routes_tests_parameters_sources(client: TestClient) -> None:
    d = client.get("/v1/doctrines/caroline").json()
    assert d["routes"] == ["council", "reactive", "anticipatory"]
    anticipatory = next(r for r in d["route_details"] if r["id"] == "anticipatory")
    assert "imminence_caroline" in [t["id"] for t in anticipatory["tests"]]
    assert "caroline_max_hours" in [p["name"] for p in d["parameters"]]
    assert "webster-1842" in [s["key"] for s in d["sources"]]
    assert d["weighing_factor"]["id"] == "reported"


def test_unknown_doctrine_is_404_naming_the_allowed(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/doctrines/article-52"), 404)
    assert "charter_restrictive" in body["detail"]


def test_sources_carry_citation_and_passage(client: TestClient) -> None:
    body = client.get("/v1/sources").json()
    webster = next(s for s in body if s["key"] == "webster-1842")
    assert "instant, overwhelming" in webster["passage"]


def test_parameters_have_defaults_reasons_allowed(client: TestClient) -> None:
    body = {p["name"]: p for p in client.get("/v1/parameters").json()}
    assert body["caroline_max_hours"]["default"] == 72
    assert body["gravity_threshold"]["allowed"] == ["minor", "significant", "grave",
                                                    "catastrophic"]
    assert all(p["reason"] and p["source"] for p in body.values())


# ---- evaluate --------------------------------------------------------------------------

def test_evaluate_returns_the_section5_shape(client: TestClient) -> None:
    r = client.post("/v1/evaluate", json={"scenario": facts("caroline-1837")})
    assert r.status_code == 200
    body = r.json()
    assert body == evaluate(CAROLINE.scenario).model_dump(mode="json")
    d = body["doctrines"]["caroline"]
    assert {"verdict", "route", "score", "score_max", "tests", "decisive", "missing_facts",
            "widening", "trace"} <= d.keys()
    assert d["trace"] and d["tests"][0]["facts"]


def test_evaluate_without_explain_takes_the_fast_path(client: TestClient) -> None:
    r = client.post("/v1/evaluate", json={"scenario": facts("caroline-1837"), "explain": False})
    body = r.json()
    full = evaluate(CAROLINE.scenario).model_dump(mode="json")
    for d_id, d in body["doctrines"].items():
        assert d["trace"] == []
        for key in ("verdict", "route", "score", "score_max", "decisive", "missing_facts"):
            assert d[key] == full["doctrines"][d_id][key]


def test_evaluate_applies_parameters_and_doctrines(client: TestClient) -> None:
    r = client.post("/v1/evaluate", json={"scenario": facts("fuelled-missiles-hypothetical"),
                                          "parameters": {"caroline_max_hours": 6},
                                          "doctrines": ["caroline"]})
    body = r.json()
    assert list(body["doctrines"]) == ["caroline"]
    assert body["parameters"]["caroline_max_hours"] == 6


def test_unknown_facts_stay_unknown(client: TestClient) -> None:
    body = client.post("/v1/evaluate", json={"scenario": {}}).json()
    assert body["classification"] == "unclassified"
    assert body["doctrines"]["caroline"]["verdict"] == "indeterminate"


def test_bad_enum_is_422_naming_field_and_allowed(client: TestClient) -> None:
    r = client.post("/v1/evaluate",
                    json={"scenario": {"armed_attack": {"status": "imminent"}}})
    body = assert_problem(r, 422)
    err = body["errors"][0]
    assert err["field"] == "scenario.armed_attack.status"
    assert err["allowed"] == ["none", "launched", "ongoing", "concluded"]


def test_out_of_range_number_names_the_range(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/evaluate",
                                      json={"scenario": {"threat": {"probability": 1.5}}}), 422)
    assert body["errors"][0]["field"] == "scenario.threat.probability"
    assert "1" in str(body["errors"][0]["allowed"])


def test_typo_in_a_field_suggests_the_name(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/evaluate",
                                      json={"scenario": {"threat": {"hours_untill": 3}}}), 422)
    assert "hours_until" in body["errors"][0]["msg"]


def test_bad_parameter_and_doctrine_are_422(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/evaluate", json={
        "scenario": {}, "parameters": {"caroline_max_hours": -1}}), 422)
    assert body["errors"][0]["field"] == "parameters.caroline_max_hours"
    body = assert_problem(client.post("/v1/evaluate", json={"scenario": {},
                                                            "doctrines": ["jus_ad_bellum"]}), 422)
    assert "caroline" in body["errors"][0]["allowed"]


def test_missing_scenario_is_422(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/evaluate", json={}), 422)
    assert body["errors"][0]["field"] == "scenario"


def test_malformed_json_is_400(client: TestClient) -> None:
    assert_problem(client.post("/v1/evaluate", content=b'{"scenario": ',
                               headers={"content-type": "application/json"}), 400)


def test_wrong_content_type_is_415(client: TestClient) -> None:
    assert_problem(client.post("/v1/evaluate", content=b"scenario=x",
                               headers={"content-type": "application/x-www-form-urlencoded"}),
                   415)


def test_wrong_method_is_405_with_allow(client: TestClient) -> None:
    r = client.get("/v1/evaluate")
    assert_problem(r, 405)
    assert r.headers["allow"] == "POST"


def test_unknown_path_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v2/evaluate"), 404)


def test_body_over_the_limit_is_413(small_client: TestClient) -> None:
    big = {"scenario": {"summary": "x" * 5000}}
    assert_problem(small_client.post("/v1/evaluate", json=big), 413)


def test_streamed_body_over_the_limit_is_413(small_client: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(10):
            yield b" " * 1000

    r = small_client.post("/v1/evaluate", content=chunks(),
                          headers={"content-type": "application/json"})
    assert_problem(r, 413)


def test_unexpected_error_is_500_without_trace(monkeypatch: pytest.MonkeyPatch,
                                               client: TestClient) -> None:
    import api.routes.evaluate as routes

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(routes, "run_engine", boom)
    r = client.post("/v1/evaluate", json={"scenario": {}})
    body = assert_problem(r, 500)
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert body["request_id"]


# ---- batch -----------------------------------------------------------------------------

def test_json_batch_keeps_order_and_isolates_errors(client: TestClient) -> None:
    items = [{"scenario": facts("caroline-1837")},
             {"scenario": {"threat": {"probability": 7}}},
             {"scenario": facts("osirak-1981"), "explain": False},
             "not an object"]
    r = client.post("/v1/evaluate/batch", json={"items": items})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 4 and body["errors"] == 2
    res = body["results"]
    assert [x["index"] for x in res] == [0, 1, 2, 3]
    assert res[0]["evaluation"]["scenario_id"] == "caroline-1837"
    assert res[1]["error"]["errors"][0]["field"] == "scenario.threat.probability"
    assert res[2]["evaluation"]["scenario_id"] == "osirak-1981"
    assert res[3]["error"]["status"] == 422


def test_ndjson_batch_streams_records_in_input_order(client: TestClient) -> None:
    lines = [json.dumps({"scenario": facts("caroline-1837"), "explain": False}),
             "",
             "{not json",
             json.dumps({"scenario": {"armed_attack": {"status": "imminent"}}}),
             json.dumps({"scenario": facts("six-day-war-1967")})]
    r = client.post("/v1/evaluate/batch", content="\n".join(lines).encode(),
                    headers={"content-type": "application/x-ndjson"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(x) for x in r.text.splitlines()]
    assert [x["line"] for x in records] == [1, 3, 4, 5]
    assert records[0]["evaluation"]["scenario_id"] == "caroline-1837"
    assert records[1]["error"]["status"] == 400
    assert records[2]["error"]["errors"][0]["field"] == "scenario.armed_attack.status"
    assert records[3]["evaluation"]["scenario_id"] == "six-day-war-1967"


def test_batch_over_the_limit_is_413(small_client: TestClient) -> None:
    assert_problem(small_client.post("/v1/evaluate/batch",
                                     json={"items": [{"scenario": {}}] * 4}), 413)
    assert_problem(small_client.post("/v1/evaluate/batch", content=b'{"scenario":{}}\n' * 4,
                                     headers={"content-type": "application/x-ndjson"}), 413)


def test_batch_body_over_the_limit_is_413(small_client: TestClient) -> None:
    assert_problem(small_client.post("/v1/evaluate/batch",
                                     json={"items": [{"scenario": {"summary": "x" * 5000}}]}),
                   413)


def test_batch_errors(client: TestClient) -> None:
    assert_problem(client.post("/v1/evaluate/batch", content=b"a,b",
                               headers={"content-type": "text/csv"}), 415)
    assert_problem(client.post("/v1/evaluate/batch", content=b"[1,",
                               headers={"content-type": "application/json"}), 400)
    body = assert_problem(client.post("/v1/evaluate/batch", json={"scenarios": []}), 422)
    assert body["errors"][0]["field"] == "items"
    assert_problem(client.post("/v1/evaluate/batch", content=b"\xff\xfe",
                               headers={"content-type": "application/x-ndjson"}), 400)


# ---- scenario library ------------------------------------------------------------------

def test_scenarios_lists_the_library(client: TestClient) -> None:
    body = client.get("/v1/scenarios").json()
    assert [s["id"] for s in body] == [e.id for e in library()]


def test_scenarios_filter_by_classification(client: TestClient) -> None:
    body = client.get("/v1/scenarios", params={"classification": "preventive"}).json()
    assert body and all(s["classification"] == "preventive" for s in body)
    assert "osirak-1981" in [s["id"] for s in body]


def test_scenarios_filter_by_verdict_under_a_doctrine(client: TestClient) -> None:
    body = client.get("/v1/scenarios", params={"doctrine": "nss_2002",
                                               "verdict": "justified"}).json()
    assert body and all(s["verdicts"]["nss_2002"] == "justified" for s in body)


def test_scenario_filters_are_checked(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/scenarios", params={"classification": "war"}), 422)
    assert "preventive" in body["errors"][0]["allowed"]
    assert_problem(client.get("/v1/scenarios", params={"verdict": "justified"}), 422)
    assert_problem(client.get("/v1/scenarios", params={"doctrine": "x", "verdict": "justified"}),
                   422)


def test_scenario_detail_and_evaluation(client: TestClient) -> None:
    d = client.get("/v1/scenarios/caroline-1837").json()
    assert d["scenario"]["title"] == "The Caroline incident"
    assert d["expected"]["classification"] == "reactive"
    ev = client.get("/v1/scenarios/caroline-1837/evaluation").json()
    assert ev == evaluate(CAROLINE.scenario).model_dump(mode="json")


def test_unknown_scenario_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/scenarios/atlantis"), 404)
    assert_problem(client.get("/v1/scenarios/atlantis/evaluation"), 404)


def test_routers_are_extendable() -> None:
    extra = APIRouter()

    @extra.get("/v1/exercises")
    def exercises() -> list[str]:
        return []

    with TestClient(create_app(Settings(access_log=False),
                               routers=[*ROUTERS, extra])) as c:
        assert c.get("/v1/exercises").json() == []
        assert "/v1/exercises" in c.get("/openapi.json").json()["paths"]


def test_what_if_names_the_facts_that_would_change_each_verdict(client: TestClient) -> None:
    from engine.loader import load_scenario_file
    from tests.conftest import SCENARIOS

    scenario, _ = load_scenario_file(SCENARIOS / "caroline-1837.yaml")
    body = {"scenario": scenario.model_dump(mode="json", exclude_none=True),
            "doctrines": ["caroline"], "what_if": True}
    r = client.post("/v1/evaluate", json=body)
    assert r.status_code == 200
    found = r.json()["what_if"]["caroline"]
    flip = next(c for c in found if c["fact"] == "necessity.alternatives")
    assert flip["verdict"] == "justified" and flip["was"] == "available"
    # the change really gives that verdict
    changed = body["scenario"]
    changed["necessity"]["alternatives"] = flip["value"]
    again = client.post("/v1/evaluate", json={"scenario": changed, "doctrines": ["caroline"]})
    assert again.json()["doctrines"]["caroline"]["verdict"] == "justified"
    assert "what_if" not in client.post("/v1/evaluate", json={"scenario": changed}).json()
