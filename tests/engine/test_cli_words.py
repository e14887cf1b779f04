"""The command line says things in its own words and never rewrites the user's: Rich markup
and emoji codes in file names and titles are printed as written; pydantic's phrases become
the project's; a number with an exponent is a number in YAML facts as in `--set`;
`--version`; help names arguments (FILE...), not Python types; the batch CSV carries the
title, the missing facts and the parameters used."""

from __future__ import annotations

import csv
import json
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from engine import evaluate
from engine.loader import parse_text
from tests.conftest import SCENARIOS

runner = CliRunner()
WIDE = {"COLUMNS": "240"}


def invoke(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, list(args), env=WIDE)
    return res.exit_code, res.output


def case_file(tmp_path: Path, name: str, title: str) -> Path:
    text = (SCENARIOS / "caroline-1837.yaml").read_text(encoding="utf-8")
    lines = [f"title: {json.dumps(title)}" if line.startswith("title:") else line
             for line in text.splitlines()]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["evaluate"], ["evaluate", "--format", "markdown"],
                                     ["evaluate", "--what-if"], ["validate"]])
def test_file_names_and_titles_are_printed_as_written(tmp_path: Path,
                                                      command: list[str]) -> None:
    title = "Case :smile: [red]x[/red] a:b:c"
    path = case_file(tmp_path, "a:b:c.yaml", title)
    code, output = invoke(*command, str(path))
    assert code == 0, output
    if command != ["validate"]:
        assert title in output
    assert "😄" not in output and "🅱" not in output


def test_a_missing_file_with_markup_in_its_name_is_named_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "nope:smile:[bold]x[/bold].yaml"
    code, output = invoke("validate", str(path))
    assert code == 2 and f"{path}: " in output and "😄" not in output


def test_a_bad_set_value_is_echoed_as_typed() -> None:
    code, output = invoke("evaluate", str(SCENARIOS / "caroline-1837.yaml"),
                          "--set", "caroline_max_hours=:smile:")
    assert code == 2 and "':smile:'" in output and "😄" not in output


BAD = """id: Bad ID
threat: x
armed_attack: {status: 3, hours_since_end: soon}
territory: {state: 7}
"""


def test_pydantic_phrases_become_the_projects_words(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    code, output = invoke("validate", str(path))
    assert code == 2
    said = {line.split(": ", 2)[1]: line.split(": ", 2)[2]
            for line in output.splitlines() if line.count(": ") >= 2}
    assert said["id"].startswith("must be a slug: lower-case letters, digits and dashes")
    assert said["threat"].startswith("must be a group of facts (a mapping of hours_until,")
    assert said["territory.state"] == "must be text (or null for unknown), got 7"
    assert said["armed_attack.hours_since_end"] == \
        "must be a number (or null for unknown), got 'soon'"
    for raw in ("Input should be", "String should", "instance of", "None)"):
        assert raw not in output


def test_allowed_values_are_listed_once_with_null_for_unknown(tmp_path: Path) -> None:
    code, output = invoke("generate", str(SCENARIOS / "caroline-1837.yaml"), "--vary",
                          "threat.intent=sure,decided", "--out", str(tmp_path / "s.jsonl"))
    assert code == 2
    assert output.count("allowed:") == 1 and "null" in output and "None" not in output


@pytest.mark.parametrize(("written", "number"), [("1e3", 1000.0), ("2.5E-1", 0.25),
                                                 ("-1e1", -10.0), ("12", 12), ("1.5", 1.5)])
def test_a_number_with_an_exponent_is_a_number_in_yaml(written: str, number: float) -> None:
    data, _ = parse_text(f"threat: {{hours_until: {written}}}", "x.yaml")
    assert data["threat"]["hours_until"] == number
    assert not isinstance(data["threat"]["hours_until"], str)


def test_yaml_facts_and_set_read_an_exponent_the_same_way(tmp_path: Path) -> None:
    facts = tmp_path / "exp.yaml"
    facts.write_text("threat: {hours_until: 1e2, time_known: true, place_known: true, "
                     "capability: deployed, intent: decided, magnitude: grave}\n"
                     "armed_attack: {status: none}\n", encoding="utf-8")
    code, output = invoke("evaluate", str(facts), "--format", "json", "--set",
                          "caroline_max_hours=1e2", "--doctrine", "caroline")
    assert code == 0, output
    got = json.loads(output)
    assert got["parameters"]["caroline_max_hours"] == 100
    read = {k: v for t in got["doctrines"]["caroline"]["tests"] for k, v in t["facts"].items()}
    assert read["threat.hours_until"] == 100
    # the same answer as the plain numbers give
    plain = evaluate({"threat": {"hours_until": 100, "time_known": True, "place_known": True,
                                 "capability": "deployed", "intent": "decided",
                                 "magnitude": "grave"}, "armed_attack": {"status": "none"}},
                     {"caroline_max_hours": 100}, ["caroline"])
    assert got["doctrines"]["caroline"]["verdict"] == plain.doctrines["caroline"].verdict


def test_version() -> None:
    code, output = invoke("--version")
    assert code == 0 and output.strip() == f"imminence {version('imminence')}"


@pytest.mark.parametrize("command", ["evaluate", "validate", "batch", "generate", "serve",
                                     "quiz", "doctrines", "library"])
def test_help_names_arguments_not_python_types(command: str) -> None:
    code, output = invoke(command, "--help")
    assert code == 0
    assert "<" not in output and "{" not in output, output
    assert "list[" not in output and "Path" not in output


def test_help_shows_the_argument_metavar() -> None:
    _, output = invoke("evaluate", "--help")
    assert "imminence evaluate [OPTIONS] FILE..." in output
    assert "--doctrine" in output and " ID " in output


def test_batch_csv_has_title_missing_facts_and_parameters(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    paths = [SCENARIOS / "caroline-1837.yaml",
             SCENARIOS / "unassessed-intelligence-hypothetical.yaml"]
    code, output = invoke("batch", *map(str, paths), "--out", str(out), "--workers", "1",
                          "--set", "caroline_max_hours=24")
    assert code == 0, output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"title", "missing_facts", "parameters"} <= set(rows[0])
    from engine.loader import load_scenario_file

    for row in rows:
        scenario, _ = load_scenario_file(row["key"])
        ev = evaluate(scenario, {"caroline_max_hours": 24})
        assert row["title"] == scenario.title
        assert row["missing_facts"].split() == ev.doctrines[row["doctrine"]].missing_facts
        assert json.loads(row["parameters"]) == ev.parameters
        assert json.loads(row["parameters"])["caroline_max_hours"] == 24
    assert any(row["missing_facts"] for row in rows)  # the open case names what to find out
