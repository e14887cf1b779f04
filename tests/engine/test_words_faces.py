"""The law in words, where users see it: `imminence doctrines ID`, `imminence facts`,
`imminence evaluate --explain`, `GET /v1/facts`, `GET /v1/vocabulary`, `GET /v1/doctrines/ID`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from api.settings import Settings
from cli.main import app
from tests.conftest import SCENARIOS

runner = CliRunner()
WIDE = {"COLUMNS": "200"}
CAROLINE = str(SCENARIOS / "caroline-1837.yaml")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("data")
    with TestClient(create_app(Settings(access_log=False, data_dir=data))) as c:
        yield c


def test_the_doctrine_page_puts_each_condition_under_its_passage() -> None:
    res = runner.invoke(app, ["doctrines", "caroline"], env=WIDE)
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    passage = out.index('"instant, overwhelming"')
    condition = out.index("Condition: the time until the anticipated attack is at most 72 hours "
                          "(caroline_max_hours)")
    assert passage < condition
    assert "Reads: caroline_max_hours" in out


def test_the_glossary_explains_a_fact_and_its_values() -> None:
    res = runner.invoke(app, ["facts", "threat.evidence"], env=WIDE)
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    assert "threat.evidence" in out and "The quality of the evidence" in out
    assert "moderate: a reasonable and objective basis" in out
    everything = runner.invoke(app, ["facts"], env=WIDE)
    assert "territory.international" in everything.stdout


def test_an_unknown_fact_in_the_glossary_is_a_clear_error() -> None:
    res = runner.invoke(app, ["facts", "threat.last_windw"])
    assert res.exit_code == 2
    assert "did you mean 'threat.last_window'" in res.output


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_explain_prints_each_sentence_and_each_failed_test_in_words(fmt: str) -> None:
    res = runner.invoke(app, ["evaluate", CAROLINE, "--explain", "-f", fmt], env=WIDE)
    assert res.exit_code == 0, res.output
    out = " ".join(res.stdout.split())
    assert "Caroline: not justified, because every route fails" in out
    assert "Peaceful alternatives are still available; this test needs:" in out
    from engine.law.definitions import load

    law = load()
    assert f"Source: {law.sources[law.tests['necessity'].source].short}" in out.replace("*", "")


def test_get_facts_gives_meaning_unit_and_source(client: TestClient) -> None:
    body = client.get("/v1/facts").json()
    facts = {f["name"]: f for g in body["groups"] for f in g["facts"]}
    hours = facts["threat.hours_until"]
    assert hours["unit"] == "hours" and hours["meaning"] and hours["kind"] == "number"
    assert facts["threat.last_window"]["source"] == "bethlehem-2012"
    assert facts["threat.intent"]["value_meanings"]["decided"] == "the decision to attack is taken"
    assert facts["territory.international"]["default"]["value"] is False
    assert all(f["meaning"] for f in facts.values())


def test_get_vocabulary_serves_the_labels_of_verdicts_and_classes(client: TestClient) -> None:
    body = client.get("/v1/vocabulary").json()
    assert [v["id"] for v in body["verdicts"]] == ["justified", "not_justified", "indeterminate"]
    labels = {c["id"]: c["label"] for c in body["classes"]}
    assert labels["pre_emptive"] == "pre-emptive" and "regime_change" in labels


def test_a_doctrine_serves_each_test_condition_in_words(client: TestClient) -> None:
    body = client.get("/v1/doctrines/charter_restrictive").json()
    tests = {t["id"]: t for r in body["route_details"] for t in r["tests"]}
    assert "(gravity_threshold)" in tests["armed_attack"]["condition"]
    assert tests["territorial_basis"]["parameters"] == ["unwilling_or_unable"]
    assert "unwilling or unable: no" in tests["territorial_basis"]["condition"]


def test_an_evaluation_carries_the_words_on_the_api(client: TestClient) -> None:
    body = client.post("/v1/evaluate", json={"scenario": {"threat": {"intent": "planning"}}})
    d = body.json()["doctrines"]["caroline"]
    assert d["sentence"].startswith("Caroline: ")
    assert {r["route"] for r in d["routes"]} == {"council", "reactive", "anticipatory"}
    t = next(t for t in d["tests"] if t["test"] == "imminence_caroline")
    assert "the adversary's intent is planning" in t["because"].lower()
    assert t["condition"] and t["passage"] and t["passage_kind"] == "quotation"
