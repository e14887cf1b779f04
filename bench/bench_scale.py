"""Scale benchmark (issue 12): every engine as a ratio to a plain-Python baseline.

One run, same machine, same scenarios. The baseline is bench/reference.py (a reference
evaluator in plain Python: the recursive interpreter, plain dicts). Printed:

- the baseline's rate on validated scenarios (Scenario objects), and the same scenarios on
  the fast path (`evaluate(..., engine="fast")`, the §5 result with per-test facts and
  words) and on durable-rules with the trace (`evaluate(...)`): ratios; floors fast >= 2.5,
  rete >= 0.4. The fast path remembers the pieces of its answers (engine/fast.py), so it is
  timed twice: *cold*, on distinct scenarios it has not seen (the floor's figure; each
  engine on its own pool, so that none is timed on pieces another left behind), and *warm*,
  on the same scenarios again (a class, a sweep, a server asked the same questions);
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
    pool = [e.scenario for e in library()] + generated(m, seed=7)
    pool = pool[:m]
    pool_brief = generated(m, seed=8)  # distinct pools: each path timed cold on its own
    pool_rete = generated(max(1, m // 3), seed=9)
    ref = Reference()
    for s in generated(50, seed=6):  # warm up every path (compile, import, tables)
        ref.evaluate(s)
        evaluate(s, engine="fast")
        evaluate(s, engine="fast", explain=False)
        evaluate(s)
    eng = engine_for(resolve())

    base = _rate(ref.evaluate, pool)
    fast = _rate(lambda s: evaluate(s, engine="fast"), pool)
    fast_warm = _rate(lambda s: evaluate(s, engine="fast"), pool)
    fast_brief = _rate(lambda s: evaluate(s, engine="fast", explain=False), pool_brief)
    fast_brief_warm = _rate(lambda s: evaluate(s, engine="fast", explain=False), pool_brief)
    rete = _rate(evaluate, pool_rete)

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

    ratios = {"fast": fast / base, "vector": vec / base, "sweep": sweep_rate / base,
              "rete": rete / base}
    print(f"baseline (bench/reference.py, plain Python) {base:10,.0f} scenarios/s "
          f"over {len(pool)} scenarios")
    print(f"  fast path (explain on)      {fast:12,.0f}/s   x{ratios['fast']:.2f}  "
          f"(floor {FLOORS['fast']}; cold: {len(pool):,} scenarios not seen before)")
    print(f"    the same again (warm)     {fast_warm:12,.0f}/s   x{fast_warm / base:.2f}")
    print(f"  fast path (explain off)     {fast_brief:12,.0f}/s   x{fast_brief / base:.2f}  "
          f"(cold, {len(pool_brief):,} others)")
    print(f"    the same again (warm)     {fast_brief_warm:12,.0f}/s   "
          f"x{fast_brief_warm / base:.2f}")
    print(f"  durable-rules, with trace   {rete:12,.0f}/s   x{ratios['rete']:.2f}  "
          f"(floor {FLOORS['rete']}; cold, {len(pool_rete):,} others)")
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
