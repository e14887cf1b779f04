"""POST /v1/prove, /v1/compare, /v1/whatif through the real ASGI app: answers checked on
durable-rules, bad input as 422 problems naming the field."""

from __future__ import annotations

from fastapi.testclient import TestClient

from engine import evaluate


def test_prove_reports_the_counterexample_an_override_causes(client: TestClient) -> None:
    r = client.post("/v1/prove", json={"parameters": {"nss_gravity_threshold": "grave"}})
    assert r.status_code == 200
    claims = {c["claim"]: c for c in r.json()["claims"]}
    broken = claims["caroline => nss_2002"]
    assert broken["holds"] is False
    ev = evaluate(broken["counterexample"], {"nss_gravity_threshold": "grave"})
    assert ev.doctrines["caroline"].verdict == "justified"
    assert ev.doctrines["nss_2002"].verdict != "justified"
    assert claims["nss_2006 => nss_2002"]["holds"] is True


def test_compare_two_readings_gives_regions_whose_examples_differ(client: TestClient) -> None:
    body = {"a": {"doctrine": "caroline"},
            "b": {"doctrine": "caroline", "parameters": {"caroline_max_hours": 24}}}
    r = client.post("/v1/compare", json=body)
    assert r.status_code == 200
    data = r.json()
    assert 0 < data["share_differ"] < 1
    assert abs(sum(p["share"] for p in data["pairs"]) - data["share_differ"]) < 1e-12
    for p in data["pairs"]:
        for region in p["regions"]:
            a = evaluate(region["example"]).doctrines["caroline"].verdict
            b = evaluate(region["example"], {"caroline_max_hours": 24}).doctrines["caroline"]
            assert (a, b.verdict) == (p["a"], p["b"])
            assert region["words"] and region["condition"]["all"]


def test_whatif_changes_give_the_target_on_durable_rules(client: TestClient) -> None:
    scenario = {"armed_attack": {"status": "none"}, "security_council": {"authorisation": False},
                "necessity": {"alternatives": "none", "time_to_deliberate": False},
                "threat": {"hours_until": 100, "time_known": True, "place_known": True,
                           "capability": "deployed", "intent": "decided", "magnitude": "grave"},
                "response": {"purpose": "forestall", "scale": "limited"},
                "territory": {"is_target_state": True}}
    r = client.post("/v1/whatif", json={"scenario": scenario, "doctrine": "caroline",
                                        "to": "justified"})
    assert r.status_code == 200
    sols = r.json()["solutions"]
    assert sols and all(len(s["changes"]) == len(sols[0]["changes"]) for s in sols)
    assert any(c["fact"] == "threat.hours_until" and c["to"] == 72
               for s in sols for c in s["changes"])  # the nearest value inside 72 hours
    for s in sols:
        changed = {g: dict(v) for g, v in scenario.items()}
        for c in s["changes"]:
            group, name = c["fact"].split(".")
            changed.setdefault(group, {})[name] = c["to"]
        assert evaluate(changed).doctrines["caroline"].verdict == "justified"


def test_bad_analysis_input_is_a_422_naming_the_field(client: TestClient) -> None:
    r = client.post("/v1/compare", json={"a": {"doctrine": "nope"}, "b": {"doctrine": "caroline"}})
    assert r.status_code == 422 and "nope" in r.text
    r = client.post("/v1/whatif", json={"scenario": {"threat": {"intent": "maybe"}},
                                        "doctrine": "caroline", "to": "justified"})
    assert r.status_code == 422
    assert any(e["field"] == "scenario.threat.intent" for e in r.json()["errors"])
    r = client.post("/v1/whatif", json={"scenario": {}, "doctrine": "caroline",
                                        "to": "lawful"})
    assert r.status_code == 422 and "to" in r.text
    r = client.post("/v1/prove", json={"parameters": {"caroline_max_hours": -3}})
    assert r.status_code == 422 and "caroline_max_hours" in r.text
