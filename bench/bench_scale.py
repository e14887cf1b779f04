"""Scale benchmark (issue 12): every engine as a ratio to a plain-Python baseline.

One run, same machine, same scenarios. The baseline is bench/reference.py (a reference
evaluator in plain Python: the recursive interpreter, plain dicts). Printed:

- the baseline's rate on validated scenarios (Scenario objects), and the same scenarios on
  the fast path (`evaluate(..., engine="fast")`, the §5 result with per-test facts and
  words) and on durable-rules with the trace (`evaluate(...)`): ratios; floors fast >= 2.5,
  rete >= 0.4. The fast path remembers the pieces of its answers (engine/fast.py), so what
  it costs depends on how much a stream of scenarios repeats; three streams, each path on
  its own (so that none is timed on pieces another left behind), each ratio to the
  baseline on the same stream:
  *random*: distinct scenarios drawn over the whole vocabulary, a third of facts unknown
  (the floor's figure: almost every answer new); *sweep*: distinct variations of one case
  (`generate --vary` of fuelled-missiles over hours and probability), as a sensitivity
  study or a teaching set sends them; *library*: the scenario library over and over, as a
  class or a server asked the same questions;
- the vectorised engine from dicts (Scenario.facts() of each, converted to cells,
  evaluated, answers as arrays): ratio, floor >= 10;
- `sweep` from a --vary spec of 1,001,000 scenarios, Parquet and CSV written: ratio,
  floor >= 300 (Parquet); resident memory before and after;
- a differential: the vectorised engine against the fast path on IMMINENCE_BENCH_DIFF
  (default 100,000) distinct generated scenarios, against the baseline on a tenth of them
  and against durable-rules on 2,000: every classification, verdict, route, score and
  score_max equal.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_engine import generated, rss_mb
from bench.reference import Reference
from engine import evaluate
from engine.batch.sweep import plan, run_sweep
from engine.law.parameters import resolve
from engine.loader import library, scenarios_dir
from engine.reasoning.vector import engine_for

FLOORS = {"fast": 2.5, "vector": 10.0, "sweep": 300.0, "rete": 0.4}
SWEEP = ["threat.hours_until=0:999:1", "threat.probability=0:1:0.001"]  # 1,001,000


def _sweep(seed: int, n: int) -> list[Any]:
    """n variations of fuelled-missiles over hours and probability (as `generate --vary`)."""
    import random

    from engine.batch.generate import parse_variations, variants
    from engine.loader import read_document
    from engine.validation import to_scenario

    data, _ = read_document(scenarios_dir() / "fuelled-missiles-hypothetical.yaml")
    hours = random.Random(seed).randint(0, 400)
    specs = [f"threat.hours_until={hours}:{hours + 99}:1",
             f"threat.probability=0:1:{1 / max(1, n // 100 - 1):.6f}"]
    out = []
    for doc in variants(data, parse_variations(specs)):
        doc.pop("_vary", None)
        doc.pop("id", None)
        out.append(to_scenario(doc))
        if len(out) == n:
            break
    return out


def _rate(fn: Any, items: list[Any]) -> float:
    t0 = time.perf_counter()
    for x in items:
        fn(x)
    return len(items) / (time.perf_counter() - t0)


def _answers(ev: Any) -> dict[str, Any]:
    return {"classification": ev.classification,
            "doctrines": {d: {"verdict": r.verdict, "route": r.route, "score": r.score,
                              "score_max": r.score_max} for d, r in ev.doctrines.items()}}


def _ref_answers(r: dict[str, Any]) -> dict[str, Any]:
    return {"classification": r["classification"],
            "doctrines": {d: {k: x[k] for k in ("verdict", "route", "score", "score_max")}
                          for d, x in r["doctrines"].items()}}


def main() -> None:
    m = int(os.environ.get("IMMINENCE_BENCH_BASE", "3000"))
    n_diff = int(os.environ.get("IMMINENCE_BENCH_DIFF", "100000"))
    ref = Reference()
    for s in generated(50, seed=6):  # warm up every path (compile, import, tables)
        ref.evaluate(s)
        evaluate(s, engine="fast")
        evaluate(s, engine="fast", explain=False)
        evaluate(s)
    eng = engine_for(resolve())
    lib = [e.scenario for e in library()]
    streams: dict[str, Callable[[int, int], list[Any]]] = {
        "random": lambda seed, n: generated(n, seed=seed),
        "sweep": lambda seed, n: _sweep(seed, n),
        "library": lambda seed, n: (lib * (n // len(lib) + 1))[:n]}
    paths: dict[str, Any] = {
        "fast path (explain on)": lambda s: evaluate(s, engine="fast"),
        "fast path (explain off)": lambda s: evaluate(s, engine="fast", explain=False),
        "durable-rules, with trace": evaluate,
    }
    scalar: dict[tuple[str, str], tuple[float, float]] = {}  # (path, stream) -> (rate, ratio)
    for k, (path, fn) in enumerate(paths.items()):
        for j, (stream, make) in enumerate(streams.items()):
            n = m if path != "durable-rules, with trace" else max(1, m // 3)
            pool = make(100 + 10 * k + j, n)
            base_s = _rate(ref.evaluate, pool)
            rate = _rate(fn, pool)
            scalar[(path, stream)] = (rate, rate / base_s)
    base = _rate(ref.evaluate, generated(m, seed=7))
    big = generated(n_diff, seed=12)
    t0 = time.perf_counter()
    facts = [s.facts() for s in big]
    t_facts = time.perf_counter() - t0
    t0 = time.perf_counter()
    cells = eng.encode(facts)
    t_enc = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = eng.run(cells, len(facts))
    t_run = time.perf_counter() - t0
    vec = len(big) / (t_enc + t_run)  # from flat fact dicts to answer arrays
    vec_sc = len(big) / (t_facts + t_enc + t_run)  # from Scenario objects
    arrays = len(big) / t_run

    template = scenarios_dir() / "fuelled-missiles-hypothetical.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        p = plan(template, SWEEP)
        rss0 = rss_mb()
        done = run_sweep(p, Path(tmp) / "sweep.parquet")
        rss1 = rss_mb()
        size_pq = (Path(tmp) / "sweep.parquet").stat().st_size
        done_csv = run_sweep(p, Path(tmp) / "sweep.csv")
        size_csv = (Path(tmp) / "sweep.csv").stat().st_size
        done_sum = run_sweep(p, Path(tmp) / "summary.csv", summary=True)
    sweep_rate = done.rate

    # differential
    t0 = time.perf_counter()
    bad_fast = sum(res.record(i) != _answers(evaluate(s, engine="fast", explain=False))
                   for i, s in enumerate(big))
    t_diff = time.perf_counter() - t0
    n_ref = max(1, n_diff // 10)
    bad_ref = sum(res.record(i) != _ref_answers(ref.evaluate(s))
                  for i, s in enumerate(big[:n_ref]))
    n_rete = min(2000, n_diff)
    bad_rete = sum(res.record(i) != _answers(evaluate(s)) for i, s in enumerate(big[:n_rete]))

    ratios = {"fast": scalar[("fast path (explain on)", "random")][1], "vector": vec / base,
              "sweep": sweep_rate / base,
              "rete": scalar[("durable-rules, with trace", "random")][1]}
    print(f"baseline (bench/reference.py, plain Python) {base:10,.0f} scenarios/s "
          f"over {m} random scenarios")
    print(f"  scalar paths, ratio to the baseline on the same stream: {', '.join(streams)} "
          f"(random: {m:,} distinct scenarios; sweep: {m:,} variations of one case; "
          f"library: {len(lib)} scenarios over and over; durable-rules on a third as many)")
    for path in paths:
        row = "  ".join(f"{stream} {scalar[(path, stream)][0]:8,.0f}/s "
                          f"x{scalar[(path, stream)][1]:5.2f}" for stream in streams)
        floor = FLOORS["fast" if path.startswith("fast path (explain on") else "rete"] \
            if not path.startswith("fast path (explain off") else None
        print(f"  {path:27} {row}" + (f"  (floor {floor} on random)" if floor else ""))
    print(f"  vector engine from dicts    {vec:12,.0f}/s   x{ratios['vector']:.1f}  "
          f"(floor {FLOORS['vector']}; {len(big):,} flat fact dicts; dicts->cells "
          f"{t_enc / len(big) * 1e6:.1f} us each; from cells {arrays:,.0f}/s; from "
          f"Scenario objects, Scenario.facts() included, {vec_sc:,.0f}/s x{vec_sc / base:.1f})")
    print(f"  sweep -> Parquet            {sweep_rate:12,.0f}/s   x{ratios['sweep']:.0f}  "
          f"(floor {FLOORS['sweep']:.0f}; {done.scenarios:,} scenarios from "
          f"--vary {' --vary '.join(SWEEP)}; {size_pq / 1e6:.1f} MB written; "
          f"RSS {rss0:.0f} -> {rss1:.0f} MB)")
    print(f"  sweep -> CSV                {done_csv.rate:12,.0f}/s   "
          f"x{done_csv.rate / base:.0f}  ({size_csv / 1e6:.0f} MB written)")
    print(f"  sweep --summary             {done_sum.rate:12,.0f}/s   x{done_sum.rate / base:.0f}")
    print(f"differential: vector vs fast on {len(big):,} scenarios: {bad_fast} differ "
          f"({t_diff:.0f}s); vs baseline on {n_ref:,}: {bad_ref} differ; vs durable-rules "
          f"on {n_rete:,}: {bad_rete} differ")
    missed = [k for k, v in ratios.items() if v < FLOORS[k]]
    if missed or bad_fast or bad_ref or bad_rete:
        print(f"floors missed: {', '.join(missed) or 'none'}; differences: "
              f"{bad_fast + bad_ref + bad_rete}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
