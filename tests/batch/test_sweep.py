"""`imminence sweep`: the same answers as `generate` + `batch` for the same spec, in the
same order, as CSV, Parquet, counts (--summary) or the report; bad options named."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from engine.batch import sweep as sweep_mod
from engine.batch.generate import generate
from engine.batch.run import BatchConfig, iter_journal, run_batch
from engine.batch.sweep import plan, run_sweep

from .conftest import TEMPLATE, run_cli

runner = CliRunner()


def invoke(*args: str | Path) -> Any:
    """The CLI in-process (the subprocess start-up is slow on a loaded machine)."""
    from cli.main import app

    return runner.invoke(app, [str(a) for a in args])

# crosses the Caroline, contextual and preventive thresholds; unknowns; a boolean
SPEC = ["threat.hours_until=0:800:40", "threat.probability=0.2,0.3,0.5,0.7,0.71,null",
        "threat.time_known=true,false,null", "threat.capability=acquiring,deployed"]
TOTAL = 21 * 6 * 3 * 2


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _norm(value: Any) -> Any:
    """A varied value as CSV text and as JSON give the same thing."""
    if value in ("", None):
        return None
    if isinstance(value, bool) or value in ("true", "false"):
        return value in (True, "true")
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _batch_answers(tmp_path: Path, engine: str, spec: list[str],
                   overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    jsonl = tmp_path / f"gen-{engine}.jsonl"
    generate(TEMPLATE, spec, jsonl)
    out = tmp_path / f"batch-{engine}.jsonl"
    run_batch(BatchConfig(inputs=[jsonl], out=out, workers=1, engine=engine,  # type: ignore[arg-type]
                          parameters=overrides or {}))
    return list(iter_journal(out))


def _same(rows: list[dict[str, str]], records: list[dict[str, Any]], spec: list[str]) -> None:
    fields = [s.split("=", 1)[0] for s in spec]
    assert len(rows) == len(records)
    for row, rec in zip(rows, records, strict=True):
        assert int(row["index"]) == rec["input"]["index"]
        assert [_norm(row[f]) for f in fields] == [_norm(rec["input"]["vary"][f])
                                                   for f in fields]
        assert row["classification"] == rec["classification"]
        for d, r in rec["doctrines"].items():
            got = (row[f"{d}.verdict"], row[f"{d}.route"], int(row[f"{d}.score"]),
                   int(row[f"{d}.score_max"]))
            assert got == (r["verdict"], r["route"], r["score"], r["score_max"]), (d, row)


def test_sweep_csv_equals_generate_then_batch_on_the_fast_path(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    res = run_cli("sweep", TEMPLATE, *[a for s in SPEC for a in ("--vary", s)], "--out", out)
    assert res.returncode == 0, res.stderr
    rows = _rows(out)
    assert len(rows) == TOTAL
    _same(rows, _batch_answers(tmp_path, "fast", SPEC), SPEC)


def test_sweep_equals_generate_then_batch_on_durable_rules(tmp_path: Path) -> None:
    spec = ["threat.hours_until=0:120:24", "threat.evidence=low,high,null",
            "response.reported_to_council=true,false,null"]
    out = tmp_path / "sweep.csv"
    run_sweep(plan(TEMPLATE, spec, {"caroline_max_hours": 48}), out)
    _same(_rows(out), _batch_answers(tmp_path, "rete", spec, {"caroline_max_hours": 48}), spec)


def test_parquet_holds_the_same_rows_as_csv(tmp_path: Path) -> None:
    p = plan(TEMPLATE, SPEC)
    run_sweep(p, tmp_path / "s.csv", chunk=100)  # several chunks
    run_sweep(p, tmp_path / "s.parquet", chunk=77)
    table = pq.read_table(tmp_path / "s.parquet").to_pylist()
    rows = _rows(tmp_path / "s.csv")
    assert len(table) == len(rows) == TOTAL
    for a, b in zip(table, rows, strict=True):
        assert {k: _norm(v) for k, v in a.items()} == {k: _norm(v) for k, v in b.items()}


def _counts_from_rows(rows: list[dict[str, str]], spec: list[str]) -> Counter[tuple[str, ...]]:
    out: Counter[tuple[str, ...]] = Counter()
    doctrines = [c.removesuffix(".verdict") for c in rows[0] if c.endswith(".verdict")]
    for row in rows:
        for f in (s.split("=", 1)[0] for s in spec):
            for d in doctrines:
                out[(f, row[f], d, row[f"{d}.verdict"])] += 1
    return out


@pytest.mark.parametrize("lookup", [True, False], ids=["by-cell-combination", "row-by-row"])
def test_summary_counts_agree_with_the_rows(tmp_path: Path, lookup: bool,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if not lookup:
        monkeypatch.setattr(sweep_mod, "COMBO_LIMIT", 0)
    p = plan(TEMPLATE, SPEC)
    run_sweep(p, tmp_path / "rows.csv")
    run_sweep(p, tmp_path / "sum.csv", summary=True, chunk=500)
    expected = _counts_from_rows(_rows(tmp_path / "rows.csv"), SPEC)
    got: Counter[tuple[str, ...]] = Counter()
    summary = _rows(tmp_path / "sum.csv")
    for row in summary:
        assert int(row["scenarios"]) == TOTAL // len(
            next(v for v in p.variations if v.field == row["field"]).values)
        for v in ("justified", "not_justified", "indeterminate"):
            if int(row[v]):
                got[(row["field"], row["value"], row["doctrine"], v)] += int(row[v])
    assert got == expected
    # mean scores from the rows
    rows = _rows(tmp_path / "rows.csv")
    sel = [r for r in rows if r["threat.capability"] == "deployed"]
    mean = sum(int(r["caroline.score"]) for r in sel) / len(sel)
    line = next(r for r in summary if r["field"] == "threat.capability"
                and r["value"] == "deployed" and r["doctrine"] == "caroline")
    assert float(line["score_mean"]) == pytest.approx(mean, abs=1e-3)


def test_the_html_report_charts_each_varied_field(tmp_path: Path) -> None:
    out = tmp_path / "sweep.html"
    spec = ["threat.hours_until=0:200:50", "threat.evidence=low,high"]
    res = invoke("sweep", TEMPLATE, "--vary", spec[0], "--vary", spec[1], "--out", out)
    assert res.exit_code == 0, res.stderr
    page = out.read_text()
    assert 'id="chart-sensitivity-threat.hours_until"' in page
    assert 'id="chart-sensitivity-threat.evidence"' in page
    assert "10 scenario(s) evaluated under 6 doctrine(s)" in page
    # the counts in the page are the batch's counts
    records = _batch_answers(tmp_path, "fast", spec)
    justified = sum(r["doctrines"]["caroline"]["verdict"] == "justified" for r in records)
    pct = f"{100 * justified / len(records):.1f}%"
    assert f"{justified} ({pct})" in page


@pytest.mark.parametrize("args, message", [
    (["--vary", "threat.hours=1,2", "--out", "x.csv"], "did you mean 'threat.hours_until'"),
    (["--vary", "threat.hours_until=0:100:10", "--out", "x.json"], ".csv, .parquet"),
    (["--vary", "threat.intent=sure", "--out", "x.csv"], "not allowed"),
    (["--vary", "threat.evidence=low", "--out", "x.csv", "--set", "caroline_max_hours=-1"],
     "--set.caroline_max_hours"),
    (["--vary", "threat.evidence=low", "--out", "x.html", "--summary"], "--summary"),
])
def test_bad_options_are_named_with_exit_code_2(tmp_path: Path, args: list[str],
                                                message: str) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    res = invoke("sweep", TEMPLATE, *args)
    assert res.exit_code == 2
    assert message in res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_a_range_is_not_read_as_an_emoji_in_error_messages() -> None:
    res = invoke("sweep", TEMPLATE, "--vary", "threat.hourz=0:100:10", "--out", "x.csv")
    assert res.exit_code == 2
    assert "0:100:10" in res.stderr


def test_unread_fields_can_be_varied_and_are_reported(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    run_sweep(plan(TEMPLATE, ["target.profile=ordinary,terrorist",
                              "territory.state=A,B"]), out)
    rows = _rows(out)
    assert [r["territory.state"] for r in rows] == ["A", "B", "A", "B"]
    assert rows[0]["caroline.verdict"] == rows[1]["caroline.verdict"]
