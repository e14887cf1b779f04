"""`imminence prove`, `compare`, `whatif`: JSON answers checked on durable-rules, bad
options rejected with exit code 2 and a message naming the option."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from engine import evaluate
from tests.conftest import SCENARIOS

runner = CliRunner()


def test_prove_with_a_broken_override_prints_a_checked_counterexample() -> None:
    r = runner.invoke(app, ["prove", "--set", "nss_gravity_threshold=grave", "-f", "json"])
    assert r.exit_code == 0, r.output
    claims = {c["claim"]: c for c in json.loads(r.output)["claims"]}
    ce = claims["pre_emptive => nss_2006"]["counterexample"]
    ev = evaluate(ce, {"nss_gravity_threshold": "grave"})
    assert ev.doctrines["pre_emptive"].verdict == "justified"
    assert ev.doctrines["nss_2006"].verdict != "justified"


def test_compare_one_doctrine_under_two_readings() -> None:
    r = runner.invoke(app, ["compare", "caroline", "caroline", "--set-b",
                            "caroline_max_hours=24", "-f", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["b"]["parameters"] == {"caroline_max_hours": 24}
    assert data["pairs"] and data["share_differ"] > 0
    table = runner.invoke(app, ["compare", "caroline", "nss_2002"])
    assert table.exit_code == 0 and "of the space" in table.output


def test_whatif_finds_the_least_change_for_the_caroline_case() -> None:
    r = runner.invoke(app, ["whatif", str(SCENARIOS / "caroline-1837.yaml"), "-d", "caroline",
                            "--to", "justified", "-f", "json"])
    assert r.exit_code == 0, r.output
    sols = json.loads(r.output)["solutions"]
    assert any(c["fact"] == "necessity.alternatives" for s in sols for c in s["changes"])


def test_bad_analysis_options_exit_2_naming_the_option() -> None:
    r = runner.invoke(app, ["whatif", str(SCENARIOS / "caroline-1837.yaml"), "-d", "caroline",
                            "--to", "lawful"])
    assert r.exit_code == 2 and "--to" in r.output
    r = runner.invoke(app, ["compare", "caroline", "nope"])
    assert r.exit_code == 2 and "nope" in r.output
    r = runner.invoke(app, ["prove", "--set", "caroline_max_hours=-1"])
    assert r.exit_code == 2 and "caroline_max_hours" in r.output
