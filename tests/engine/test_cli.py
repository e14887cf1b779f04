"""The `imminence` command: evaluate, doctrines, validate, library."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from engine import evaluate
from engine.loader import load_scenario_file
from tests.conftest import SCENARIOS

runner = CliRunner()
CAROLINE = str(SCENARIOS / "caroline-1837.yaml")
MISSILES = str(SCENARIOS / "fuelled-missiles-hypothetical.yaml")


def test_json_output_is_the_evaluation_of_the_api() -> None:
    res = runner.invoke(app, ["evaluate", CAROLINE, "--format", "json"])
    assert res.exit_code == 0, res.output
    scenario, _ = load_scenario_file(CAROLINE)
    assert json.loads(res.stdout) == evaluate(scenario).model_dump(mode="json")


def test_table_shows_classification_verdicts_routes_and_decisive_tests() -> None:
    res = runner.invoke(app, ["evaluate", CAROLINE], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert "classification: reactive" in res.stdout
    assert "not justified" in res.stdout and "necessity" in res.stdout
    assert res.stdout.count("Caroline test") == 1


def test_a_parameter_override_changes_the_answer_and_is_shown() -> None:
    base = runner.invoke(app, ["evaluate", MISSILES, "-f", "json", "-d", "caroline"])
    short = runner.invoke(app, ["evaluate", MISSILES, "-f", "json", "-d", "caroline",
                                "--set", "caroline_max_hours=6"])
    assert json.loads(base.stdout)["doctrines"]["caroline"]["verdict"] == "justified"
    after = json.loads(short.stdout)
    assert after["parameters"]["caroline_max_hours"] == 6
    assert after["doctrines"]["caroline"]["verdict"] == "not_justified"
    assert list(after["doctrines"]) == ["caroline"]


def test_markdown_output_has_a_row_per_doctrine() -> None:
    res = runner.invoke(app, ["evaluate", CAROLINE, "--format", "markdown"])
    rows = [line for line in res.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + 6


def test_doctrines_lists_six_and_explains_one_with_its_sources() -> None:
    listing = runner.invoke(app, ["doctrines"], env={"COLUMNS": "200"})
    assert listing.exit_code == 0 and "nss_2006" in listing.stdout
    page = runner.invoke(app, ["doctrines", "caroline"], env={"COLUMNS": "200"})
    assert page.exit_code == 0
    for text in ("imminence_caroline", "caroline_max_hours", "Webster", "Routes"):
        assert text in page.stdout


def test_unknown_doctrine_is_refused_with_the_list() -> None:
    res = runner.invoke(app, ["doctrines", "bush"])
    assert res.exit_code == 2 and "charter_restrictive" in res.stderr


def test_validate_accepts_the_library_and_rejects_bad_files() -> None:
    assert runner.invoke(app, ["validate", str(SCENARIOS)]).exit_code == 0
    bad = runner.invoke(app, ["validate", str(SCENARIOS / "invalid" / "wrong-type-bool.yaml")])
    assert bad.exit_code == 2 and "territory.consent" in bad.stderr


def test_library_prints_every_scenario() -> None:
    res = runner.invoke(app, ["library"], env={"COLUMNS": "250"})
    assert res.exit_code == 0
    for path in SCENARIOS.glob("*.yaml"):
        assert path.stem[:20] in res.stdout.replace("\n", "")
