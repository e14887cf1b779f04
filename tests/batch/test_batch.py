"""`imminence batch`: same answers whatever the workers, in input order, every format."""

from __future__ import annotations

import csv
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from engine import evaluate
from engine.batch.run import BatchConfig, BatchError, csv_document, read_journal, run_batch
from engine.loader import load_scenario_file

from .conftest import SCENARIOS, read_jsonl, run_cli


def _run(inputs: list[Path], out: Path, workers: int = 1, **kw: object) -> None:
    summary = run_batch(BatchConfig(inputs=list(inputs), out=out, workers=workers, **kw))  # type: ignore[arg-type]
    assert not summary.interrupted


def test_one_and_two_workers_write_identical_results(sweep: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    _run([sweep, SCENARIOS], one, workers=1)
    _run([sweep, SCENARIOS], two, workers=2, chunk_size=2)
    assert one.read_bytes() == two.read_bytes()


def test_results_are_in_input_order_with_their_keys(sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    _run([sweep, SCENARIOS / "caroline-1837.yaml"], out, workers=2, chunk_size=1)
    records = read_jsonl(out)
    assert [r["input"]["index"] for r in records] == list(range(13))
    assert [r["input"]["key"] for r in records[:12]] == [f"{sweep}:{n}" for n in range(1, 13)]
    assert records[12]["input"]["key"].endswith("caroline-1837.yaml")
    ids = [json.loads(line)["id"] for line in sweep.read_text().splitlines()]
    assert [r["scenario_id"] for r in records[:12]] == ids


def test_jsonl_record_is_the_full_result_of_evaluate(tmp_path: Path) -> None:
    path = SCENARIOS / "caroline-1837.yaml"
    out = tmp_path / "out.jsonl"
    _run([path], out)
    (record,) = read_jsonl(out)
    scenario, _ = load_scenario_file(path)
    expected = evaluate(scenario).model_dump(mode="json")
    assert record.pop("input") == {"key": str(path), "index": 0}
    assert record == expected


def test_every_output_format_parses_and_holds_every_scenario(sweep: Path,
                                                              tmp_path: Path) -> None:
    for suffix in (".jsonl", ".csv", ".md", ".html"):
        _run([sweep], tmp_path / f"out{suffix}", workers=2)
    assert len(read_jsonl(tmp_path / "out.jsonl")) == 12
    with (tmp_path / "out.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 * 6
    assert {int(r["index"]) for r in rows} == set(range(12))
    assert set(rows[0]) >= {"verdict", "route", "score", "score_max", "decisive", "doctrine",
                            "threat.hours_until", "threat.evidence"}
    md = (tmp_path / "out.md").read_text()
    assert "12 scenario(s) evaluated under 6 doctrine(s)" in md
    assert "| caroline |" in md
    page = (tmp_path / "out.html").read_text()
    parser = HTMLParser()
    parser.feed(page)
    assert "12 scenario(s) evaluated" in page
    assert "<svg" in page
    for fetch in ('src="http', 'href="http', "<link", "<script", "url(http", "@import"):
        assert fetch not in page, "the report must be self-contained"
    for stem in ("verdicts", "scores", "classifications", "disagreement"):
        assert f'id="chart-{stem}"' in page
    assert not list(tmp_path.glob("*.partial.jsonl"))


def test_charts_are_written_as_files(sweep: Path, tmp_path: Path) -> None:
    _run([sweep], tmp_path / "out.csv", charts=tmp_path / "charts")
    names = {p.name for p in (tmp_path / "charts").iterdir()}
    assert {"verdicts.svg", "verdicts.png", "sensitivity-threat.hours_until.svg",
            "sensitivity-threat.evidence.png", "disagreement.svg"} <= names


def test_csv_input_columns_are_the_dotted_facts(tmp_path: Path) -> None:
    src = tmp_path / "cases.csv"
    src.write_text("id,threat.hours_until,threat.time_known,armed_attack.status,"
                   "threat.probability\n"
                   "a,12,true,none,0.8\n"
                   "b,,false,,\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    _run([src], out)
    records = read_jsonl(out)
    assert [r["scenario_id"] for r in records] == ["a", "b"]
    assert [r["input"]["key"] for r in records] == [f"{src}:2", f"{src}:3"]
    direct = evaluate({"id": "a", "threat": {"hours_until": 12, "time_known": True,
                                             "probability": 0.8},
                       "armed_attack": {"status": "none"}}).model_dump(mode="json")
    assert {k: v for k, v in records[0].items() if k != "input"} == direct


def test_csv_cells_are_typed_and_empty_is_unknown() -> None:
    doc = csv_document({"threat.hours_until": "12.5", "threat.time_known": "false",
                        "threat.capability": "", "id": "x"})
    assert doc == {"threat": {"hours_until": 12.5, "time_known": False, "capability": None},
                   "id": "x"}


def test_invalid_scenarios_are_reported_skipped_and_exit_1(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("caroline-1837.yaml", "osirak-1981.yaml"):
        (folder / name).write_text((SCENARIOS / name).read_text())
    for name in ("wrong-enum-armed_attack-status.yaml", "bad-yaml-syntax.yaml"):
        (folder / name).write_text((SCENARIOS / "invalid" / name).read_text())
    lines = ['{"id": "ok-1", "threat": {"hours_until": 5}}',
             '{"id": "bad", "threat": {"hours_until": -1}}',
             "{not json",
             '{"id": "ok-2", "response": {"scale": "limited"}}']
    (folder / "more.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "rows.csv").write_text("id,threat.probability\nrow-ok,0.5\nrow-bad,2\n")
    out = tmp_path / "out.csv"
    res = run_cli("batch", folder, "--out", out, "--workers", "2")
    assert res.returncode == 1, res.stderr
    err = res.stderr
    assert f"{folder / 'more.jsonl'}:2: threat.hours_until:" in err
    assert f"{folder / 'more.jsonl'}:3: (document): not valid JSON" in err
    assert f"{folder / 'rows.csv'}:3: threat.probability:" in err
    assert f"{folder / 'wrong-enum-armed_attack-status.yaml'}:5: armed_attack.status:" in err
    assert f"{folder / 'bad-yaml-syntax.yaml'}:" in err
    assert "5 invalid" in err
    with out.open(newline="") as fh:
        ids = list(dict.fromkeys(r["scenario_id"] for r in csv.DictReader(fh)))
    assert ids == ["caroline-1837", "ok-1", "ok-2", "osirak-1981", "row-ok"]


def test_bad_options_exit_2_before_running(tmp_path: Path) -> None:
    res = run_cli("batch", SCENARIOS, "--out", tmp_path / "x.csv", "--set", "nope=1")
    assert res.returncode == 2 and "unknown parameter 'nope'" in res.stderr
    res = run_cli("batch", SCENARIOS, "--out", tmp_path / "x.txt")
    assert res.returncode == 2 and ".jsonl, .csv, .md, .html" in res.stderr


def test_doctrine_and_set_options_reach_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    _run([SCENARIOS / "caroline-1837.yaml"], out, workers=2, doctrines=["caroline"],
         parameters={"caroline_max_hours": 6})
    (record,) = read_jsonl(out)
    assert list(record["doctrines"]) == ["caroline"]
    assert record["parameters"]["caroline_max_hours"] == 6


def test_resume_refuses_a_journal_from_other_inputs(sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    _run([SCENARIOS / "caroline-1837.yaml"], out)
    with pytest.raises(BatchError, match="inputs have changed"):
        _run([sweep], out, resume=True)


def test_resume_cuts_a_torn_last_line(sweep: Path, tmp_path: Path) -> None:
    full, out = tmp_path / "full.jsonl", tmp_path / "out.jsonl"
    _run([sweep], full)
    lines = full.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:5]) + lines[5][:100])
    assert read_journal(out, repair=False).done == 5
    _run([sweep], out, resume=True, workers=2)
    assert out.read_bytes() == full.read_bytes()


def test_output_inside_an_input_folder_is_not_read_as_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.yaml").write_text((SCENARIOS / "caroline-1837.yaml").read_text())
    out = folder / "results.jsonl"
    _run([folder], out)
    _run([folder], out)
    assert [r["scenario_id"] for r in read_jsonl(out)] == ["caroline-1837"]


def test_resume_refuses_other_options(sweep: Path, tmp_path: Path) -> None:
    full, out = tmp_path / "full.jsonl", tmp_path / "out.jsonl"
    _run([sweep], full, parameters={"caroline_max_hours": 24})
    out.write_bytes(b"".join(full.read_bytes().splitlines(keepends=True)[:3]))
    with pytest.raises(BatchError, match="other --doctrine or --set options"):
        _run([sweep], out, resume=True)
    with pytest.raises(BatchError, match="other --doctrine or --set options"):
        _run([sweep], out, resume=True, parameters={"caroline_max_hours": 24},
             doctrines=["caroline"])
    _run([sweep], out, resume=True, parameters={"caroline_max_hours": 24})
    assert out.read_bytes() == full.read_bytes()
