"""The `imminence` command: evaluate, doctrines, validate, library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
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


def test_a_folder_with_only_broken_links_is_reported_not_zero_valid(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    for command in ("validate", "evaluate"):
        res = runner.invoke(app, [command, str(tmp_path)])
        assert res.exit_code == 2, (command, res.output)
        assert str(tmp_path / "gone.yaml") in res.stderr and "cannot read" in res.stderr
        assert "0 file(s) valid" not in res.stderr


def test_a_folder_with_no_scenario_files_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    res = runner.invoke(app, ["validate", str(tmp_path)])
    assert res.exit_code == 2 and "no scenario files" in res.stderr


def test_json_for_a_folder_is_written_as_each_scenario_is_evaluated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each scenario's document is on stdout before the next is evaluated (flat memory: the
    results are never all held), and the whole output is still one JSON array."""
    import cli.main as cli

    paths = [CAROLINE, MISSILES, str(SCENARIOS / "osirak-1981.yaml")]
    for p in paths:
        (tmp_path / Path(p).name).write_text(Path(p).read_text(encoding="utf-8"),
                                             encoding="utf-8")
    written_before: list[int] = []

    def spy(*args: Any, **kw: Any) -> Any:
        sys.stdout.flush()
        written_before.append(sys.stdout.buffer.getvalue().count(b'"scenario_id"'))  # type: ignore[attr-defined]
        return evaluate(*args, **kw)

    monkeypatch.setattr(cli, "evaluate", spy)
    res = runner.invoke(app, ["evaluate", str(tmp_path), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert written_before == [0, 1, 2]
    docs = json.loads(res.stdout)
    expected = [evaluate(load_scenario_file(tmp_path / Path(p).name)[0]).model_dump(mode="json")
                for p in sorted(paths, key=lambda p: Path(p).name)]
    assert docs == expected
