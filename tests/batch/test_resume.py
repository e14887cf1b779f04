"""Interrupt a batch (SIGINT, SIGKILL) midway, then `--resume`: the same output as an
uninterrupted run, no scenario missing, none twice."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from engine.batch.generate import generate

from .conftest import IMMINENCE, ROOT, TEMPLATE, read_jsonl, run_cli

N = 400  # scenarios: enough for an interrupt to land midway (rete ≈ 450/s per worker)


@pytest.fixture(scope="module")
def big_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "sweep.jsonl"
    generate(TEMPLATE, ["threat.hours_until=0:190:10", "threat.probability=0:0.95:0.05"], out)
    assert sum(1 for _ in out.open()) == N
    return out


@pytest.fixture(scope="module")
def reference(big_sweep: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ref")
    refs = {}
    for suffix in (".jsonl", ".csv"):
        refs[suffix] = folder / f"ref{suffix}"
        res = run_cli("batch", big_sweep, "--out", refs[suffix], "--workers", "2")
        assert res.returncode == 0, res.stderr
    return refs


def _interrupt(sweep: Path, out: Path, sig: signal.Signals, journal: Path) -> int:
    """Start a run, wait until part of it is written, send `sig`; return the exit code."""
    proc = subprocess.Popen([str(IMMINENCE), "batch", str(sweep), "--out", str(out),
                             "--workers", "2", "--chunk-size", "4"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if journal.exists() and journal.stat().st_size and sum(1 for _ in journal.open()) >= 40:
            break
        time.sleep(0.02)
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, sig)  # the whole tree, as a kill of a terminal would
    else:
        proc.send_signal(sig)
    proc.communicate(timeout=60)
    return proc.returncode


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "sigkill"])
def test_interrupted_jsonl_run_resumes_to_the_same_output(
        sig: signal.Signals, big_sweep: Path, reference: dict[str, Path],
        tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code = _interrupt(big_sweep, out, sig, out)
    assert code == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    partial = len(read_jsonl(out)) if out.read_bytes().endswith(b"\n") else None
    assert partial is None or 40 <= partial < N, "the interrupt did not land midway"
    res = run_cli("batch", big_sweep, "--out", out, "--workers", "2", "--resume")
    assert res.returncode == 0, res.stderr
    assert "(resumed)" in res.stderr
    records = read_jsonl(out)
    assert [r["input"]["index"] for r in records] == list(range(N))
    assert out.read_bytes() == reference[".jsonl"].read_bytes()


def test_interrupted_csv_run_resumes_from_its_journal(
        big_sweep: Path, reference: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    journal = tmp_path / "out.csv.partial.jsonl"
    _interrupt(big_sweep, out, signal.SIGKILL, journal)
    assert not out.exists() and journal.exists()
    res = run_cli("batch", big_sweep, "--out", out, "--workers", "1", "--resume")
    assert res.returncode == 0, res.stderr
    assert not journal.exists()
    assert out.read_bytes() == reference[".csv"].read_bytes()
    with out.open(newline="") as fh:
        keys = [(r["index"], r["doctrine"]) for r in csv.DictReader(fh)]
    assert len(keys) == len(set(keys)) == N * 6


def test_resume_of_a_finished_run_does_nothing_twice(
        big_sweep: Path, reference: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(reference[".jsonl"].read_bytes())
    res = run_cli("batch", big_sweep, "--out", out, "--resume")
    assert res.returncode == 0 and "0 evaluated" in res.stderr
    assert out.read_bytes() == reference[".jsonl"].read_bytes()


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
            out += [int(c) for c in fh.read().split()]
    return out


def test_a_killed_worker_stops_the_run_cleanly_and_resume_finishes_it(
        big_sweep: Path, reference: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen([str(IMMINENCE), "batch", str(big_sweep), "--out", str(out),
                             "--workers", "2", "--chunk-size", "4"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and out.stat().st_size > 10**6):
        time.sleep(0.02)
    workers = _children(proc.pid)
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "a worker process died" in err, err
    res = run_cli("batch", big_sweep, "--out", out, "--workers", "2", "--resume")
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == reference[".jsonl"].read_bytes()
