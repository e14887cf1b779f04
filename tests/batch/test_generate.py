"""`imminence generate`: the exact cartesian product, and the sweep's sensitivity chart."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from engine.batch.generate import parse_vary
from engine.batch.run import BatchConfig, run_batch
from engine.errors import InvalidInput

from .conftest import TEMPLATE, run_cli


def test_generate_writes_the_exact_cartesian_product(tmp_path: Path) -> None:
    out = tmp_path / "sweep.jsonl"
    res = run_cli("generate", TEMPLATE, "--vary", "threat.hours_until=0:100:25",
                  "--vary", "threat.intent=hostile,decided,null",
                  "--vary", "threat.last_window=true,false", "--out", out)
    assert res.returncode == 0, res.stderr
    docs = [json.loads(line) for line in out.read_text().splitlines()]
    expected = list(itertools.product([0, 25, 50, 75, 100], ["hostile", "decided", None],
                                      [True, False]))
    got = [(d["threat"]["hours_until"], d["threat"]["intent"], d["threat"]["last_window"])
           for d in docs]
    assert got == expected
    assert [tuple(d["_vary"].values()) for d in docs] == expected
    assert len({d["id"] for d in docs}) == len(docs) == 30
    assert all("expected" not in d for d in docs)


def test_ranges_include_stop_and_avoid_float_drift() -> None:
    assert parse_vary("threat.probability=0.1:0.3:0.1").values == (0.1, 0.2, 0.3)
    assert parse_vary("threat.hours_until=0:10:4").values == (0, 4, 8)


@pytest.mark.parametrize("spec, message", [
    ("threat.hours=1,2", "did you mean 'threat.hours_until'"),
    ("threat.probability=0:2:1", "out of range"),
    ("threat.intent=0:2:1", "a range needs a numeric fact"),
    ("threat.intent=sure", "not allowed"),
    ("threat.time_known=maybe", "must be true, false or null"),
    ("threat.hours_until", "expected FIELD="),
])
def test_bad_variations_name_the_problem(spec: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_vary(spec)


def test_report_of_a_sweep_has_a_sensitivity_chart_per_varied_field(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.jsonl"
    res = run_cli("generate", TEMPLATE, "--vary", "threat.hours_until=0:120:40",
                  "--vary", "threat.evidence=low,high", "--out", sweep)
    assert res.returncode == 0, res.stderr
    out = tmp_path / "report.html"
    run_batch(BatchConfig(inputs=[sweep], out=out, workers=1))
    page = out.read_text()
    for name in ("threat.hours_until", "threat.evidence"):
        assert f'id="chart-sensitivity-{name}"' in page
        assert f"Sensitivity to {name}" in page
        assert page.split(f'id="chart-sensitivity-{name}">')[1].startswith("<svg")
