"""`imminence quiz`: an exercise in the terminal, graded by the engine."""

from __future__ import annotations

from typing import Any

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


CYBER = ["3", "1", "2", "1", "4", "threat.hours_untill=12", "threat.hours_until=1e1", ""]


def quiz(answers: list[str], exercise: str = "cyber-threat-inline") -> str:
    result = runner.invoke(app, ["quiz", exercise], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    return result.output


def test_quiz_gives_feedback_after_each_question_not_only_at_the_end() -> None:
    output = quiz(CYBER)
    order = [output.index(s) for s in ("Question 1: ✓ correct", "Question 2 (1 mark)",
                                       "Question 2: ◐ partly right", "Question 3 (1 mark)",
                                       "Question 3: ✗ not right", "Question 4 (1 mark)",
                                       "Question 4: ✓ correct", "Score: 2.67 of 4")]
    assert order == sorted(order)
    assert "0.6667" not in output


def test_quiz_names_facts_readably_and_suggests_a_fact_for_a_typo() -> None:
    from engine.law.definitions import load

    output = " ".join(quiz(CYBER).replace("│", " ").split())
    label = load().fact_defs["threat.hours_until"].label
    label = label[0].upper() + label[1:]
    assert f"{label}: 48 hours" in output                # the facts stated, the law's label
    assert f"{label}: 48 → 10" in output                 # 1e1 read as the number 10
    assert "threat.hours_until = 48" not in output
    assert "unknown fact 'threat.hours_untill'; did you mean 'threat.hours_until'?" in output
    assert "DOCTRINES" not in output                      # no document the user lacks


def test_quiz_prints_each_source_once() -> None:
    from engine.law.definitions import load

    output = " ".join(quiz(CYBER).replace("│", " ").split())
    for src in load().sources.values():
        first_words = " ".join(src.citation.split()[:8])
        assert output.count(first_words) <= 1, src.key


def test_quiz_prints_text_from_files_as_written(tmp_path: Any, monkeypatch: Any) -> None:
    from pathlib import Path

    from engine.teaching.exercises import exercises_dir

    text = (Path(exercises_dir()) / "cyber-threat-inline.yaml").read_text(encoding="utf-8")
    text = text.replace("title: 'A cyber threat to the grid, with a 24-hour reading of "
                        "Caroline'", "title: 'Read a:b:c.yaml [red]now[/red] :smile:'")
    (tmp_path / "cyber-threat-inline.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("IMMINENCE_EXERCISES", str(tmp_path))
    output = quiz(CYBER)
    assert "Read a:b:c.yaml [red]now[/red] :smile:" in output
    assert "😄" not in output and "🅱" not in output
