"""`batch --engine vector`, `batch --brief`, and `batch|sweep --cluster` on a Dask cluster:
the same answers as the fast path and as local workers, in the same order; resume works."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.batch.generate import generate
from engine.batch.run import BatchConfig, BatchError, iter_journal, run_batch
from engine.batch.sweep import plan, run_sweep

from .conftest import SCENARIOS, TEMPLATE, read_jsonl, run_cli

SPEC = ["threat.hours_until=0:180:20", "threat.probability=0:1:0.125",
        "threat.evidence=low,high,null"]  # 10 x 9 x 3 = 270


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "sweep.jsonl"
    generate(TEMPLATE, SPEC, out)
    return out


def _answers(path: Path) -> list[tuple[Any, ...]]:
    return [(r["input"]["index"], r["input"]["key"], r["classification"],
             {d: (x["verdict"], x["route"], x["score"], x["score_max"], x["decisive"])
              for d, x in r["doctrines"].items()}) for r in iter_journal(path)]


def test_vector_engine_gives_the_fast_paths_records_and_csv(sweep_file: Path,
                                                            tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"threat": {"intent": "sure"}}\n{"threat": {"intent": "decided"}}\n')
    inputs = [sweep_file, SCENARIOS, bad]
    for suffix in (".jsonl", ".csv"):
        outs = {}
        for engine in ("fast", "vector"):
            outs[engine] = tmp_path / f"{engine}{suffix}"
            summary = run_batch(BatchConfig(inputs=list(inputs), out=outs[engine], workers=1,
                                            engine=engine,  # type: ignore[arg-type]
                                            parameters={"caroline_max_hours": 48}))
            assert summary.invalid_count == 1
            assert any("threat.intent" in line for line in summary.invalid)
        if suffix == ".csv":
            assert outs["fast"].read_bytes() == outs["vector"].read_bytes()
        else:
            assert _answers(outs["fast"]) == _answers(outs["vector"])
            first = next(iter_journal(outs["vector"]))
            assert first["parameters"]["caroline_max_hours"] == 48


def test_brief_jsonl_has_no_trace_no_facts_no_words_and_the_parameters_once(sweep_file: Path,
                                                                  tmp_path: Path) -> None:
    full, brief = tmp_path / "full.jsonl", tmp_path / "brief.jsonl"
    res = run_cli("batch", sweep_file, "--out", full, "--workers", "1")  # rete, with trace
    assert res.returncode == 0, res.stderr
    run_batch(BatchConfig(inputs=[sweep_file], out=brief, workers=2, brief=True))
    a, b = read_jsonl(full), read_jsonl(brief)
    assert len(a) == len(b) == 270
    assert "parameters" in b[0] and all("parameters" not in r for r in b[1:])
    assert b[0]["parameters"] == a[0]["parameters"]
    for ra, rb in zip(a, b, strict=True):
        for d, x in rb["doctrines"].items():
            assert "trace" not in x
            assert all(set(t) == {"test", "route", "status", "source"} for t in x["tests"])
            y = ra["doctrines"][d]
            assert (x["verdict"], x["route"], x["score"], x["decisive"]) == (
                y["verdict"], y["route"], y["score"], y["decisive"])
    assert brief.stat().st_size * 2 < full.stat().st_size


def test_brief_run_resumes(sweep_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.jsonl"
    run_batch(BatchConfig(inputs=[sweep_file], out=out, workers=1, engine="fast", brief=True))
    whole = out.read_bytes()
    lines = whole.splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:100]) + lines[100][:30])  # killed mid-line
    summary = run_batch(BatchConfig(inputs=[sweep_file], out=out, workers=1, engine="fast",
                                    brief=True, resume=True))
    assert summary.resumed == 100 and summary.evaluated == 170
    assert out.read_bytes() == whole


# --------------------------------------------------------------------------- cluster


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, worker_dashboard_address=None
                                  ) as c:
        yield c.scheduler_address


@pytest.mark.parametrize("engine", ["fast", "vector"])
def test_cluster_batch_equals_local_workers(cluster: str, sweep_file: Path, tmp_path: Path,
                                            engine: str) -> None:
    local, remote = tmp_path / "local.jsonl", tmp_path / "remote.jsonl"
    run_batch(BatchConfig(inputs=[sweep_file, SCENARIOS], out=local, workers=2,
                          engine=engine))  # type: ignore[arg-type]
    run_batch(BatchConfig(inputs=[sweep_file, SCENARIOS], out=remote, cluster=cluster,
                          engine=engine, chunk_size=40))  # type: ignore[arg-type]
    assert remote.read_bytes() == local.read_bytes()


def test_cluster_batch_resumes_a_local_run(cluster: str, sweep_file: Path,
                                           tmp_path: Path) -> None:
    ref, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    run_batch(BatchConfig(inputs=[sweep_file], out=ref, workers=1, engine="fast"))
    # a local run killed after 120 records, its last line torn
    journal = tmp_path / "out.csv.partial.jsonl"
    run_batch(BatchConfig(inputs=[sweep_file], out=tmp_path / "tmp.jsonl", workers=1,
                          engine="fast"))
    full = (tmp_path / "tmp.jsonl").read_bytes().splitlines(keepends=True)
    titles = [json.loads(line).get("title")
              for line in sweep_file.read_text(encoding="utf-8").splitlines()]

    def compact_input(r: dict[str, Any]) -> dict[str, Any]:
        head = {"key": r["input"]["key"], "index": r["input"]["index"]}
        if titles[head["index"]]:
            head["title"] = titles[head["index"]]  # the compact record carries it for the CSV
        return {**head, **{k: v for k, v in r["input"].items() if k not in head}}

    compact = [json.dumps({"input": compact_input(r), "scenario_id": r["scenario_id"],
                           "classification": r["classification"],
                           "parameters": r["parameters"],
                           "doctrines": {d: {k: x[k] for k in ("verdict", "route", "score",
                                                                "score_max", "decisive",
                                                                "missing_facts")}
                                         for d, x in r["doctrines"].items()}},
                          separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
               for r in map(json.loads, full[:121])]
    journal.write_bytes(b"".join(compact[:120]) + compact[120][:50])
    summary = run_batch(BatchConfig(inputs=[sweep_file], out=out, engine="fast", resume=True,
                                    cluster=cluster, chunk_size=25))
    assert summary.resumed == 120 and summary.evaluated == 150
    assert out.read_bytes() == ref.read_bytes()


def test_cluster_sweep_equals_local_sweep(cluster: str, tmp_path: Path) -> None:
    p = plan(TEMPLATE, SPEC)
    res = run_cli("sweep", TEMPLATE, *[a for s in SPEC for a in ("--vary", s)],
                  "--out", tmp_path / "remote.csv", "--cluster", cluster, "--chunk-size", "50")
    assert res.returncode == 0, res.stderr
    run_sweep(p, tmp_path / "local.csv")
    assert (tmp_path / "remote.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()
    from engine.batch.cluster import connect, sweep_results

    client = connect(cluster)
    try:
        run_sweep(p, tmp_path / "remote-sum.csv", summary=True,
                  results=sweep_results(client, p, 50, rows=False))
    finally:
        client.close()
    run_sweep(p, tmp_path / "local-sum.csv", summary=True)
    assert (tmp_path / "remote-sum.csv").read_bytes() == (
        tmp_path / "local-sum.csv").read_bytes()


def test_a_bad_cluster_address_is_named(tmp_path: Path, sweep_file: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.batch.cluster.CONNECT_TIMEOUT", 2.0)
    with pytest.raises(BatchError, match="expected a scheduler address like tcp://HOST:8786"):
        run_batch(BatchConfig(inputs=[sweep_file], out=tmp_path / "x.csv",
                              cluster="myhost:8786"))
    with pytest.raises(BatchError, match="cannot reach the Dask scheduler"):
        run_batch(BatchConfig(inputs=[sweep_file], out=tmp_path / "y.csv",
                              cluster="tcp://127.0.0.1:9"))
