"""`imminence quiz`: an exercise in the terminal, graded by the engine."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_quiz_runs_an_exercise_and_grades_the_answers() -> None:
    # cyber-threat-inline: classification, verdicts (3), decisive, what-if (1 change)
    answers = ["3",                 # pre_emptive (3rd classification)
               "1", "1", "1",       # pre_emptive, nss_2002, nss_2006: all justified (v2: R3)
               "4",                 # 4th test of caroline: timely? (wrong on purpose)
               "threat.hours_until=12", ""]
    result = runner.invoke(app, ["quiz", "cyber-threat-inline"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Question 1: ✓ correct" in result.output
    assert "Question 3: ✗ not right" in result.output
    assert "Question 4: ✓ correct" in result.output
    assert "Score: 3 of 4" in result.output
    assert "Teaching note" in result.output


def test_quiz_lists_exercises_when_none_is_named() -> None:
    result = runner.invoke(app, ["quiz"], input="\n".join(["99", "1"] + [""] * 12) + "\n")
    assert result.exit_code == 0, result.output
    assert "Exercises" in result.output and "Enter a number" in result.output
    assert "Score: 0 of" in result.output


def test_quiz_check_validates_every_exercise() -> None:
    result = runner.invoke(app, ["quiz", "--check"])
    assert result.exit_code == 0 and "valid" in result.output


def test_quiz_unknown_exercise_is_a_usage_error() -> None:
    result = runner.invoke(app, ["quiz", "no-such-exercise"])
    assert result.exit_code == 2 and "no exercise" in result.output
