"""Fixtures for the batch tests: small sweeps and a helper to run the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.batch.generate import generate

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
TEMPLATE = SCENARIOS / "fuelled-missiles-hypothetical.yaml"
IMMINENCE = Path(sys.executable).parent / "imminence"


def run_cli(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IMMINENCE), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """12 scenarios: 4 values of threat.hours_until × 3 of threat.evidence."""
    out = tmp_path / "sweep.jsonl"
    generate(TEMPLATE, ["threat.hours_until=0:96:32", "threat.evidence=low,moderate,high"], out)
    return out
