"""Engine benchmark (issue 3): full six-doctrine evaluations with trace on durable-rules.

Prints, from one run: evaluations/s in one process, p50/p99 latency, resident memory
before and after N evaluations (default 50,000; IMMINENCE_BENCH_N to change), the same
rate for the plain-Python fast path compiled from the same rules (the ratio), and where
the time goes (durable-rules chaining vs. building the result). Floors: >= 300 evaluations/s
and < 20 MB memory growth.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from typing import Any

from engine import evaluate
from engine.evaluate import to_scenario
from engine.law.definitions import load
from engine.law.parameters import resolve
from engine.law.scenario import Scenario, fact_catalogue
from engine.loader import library
from engine.reasoning.runtime import engine

FLOOR_RATE = 300.0
FLOOR_GROWTH_MB = 20.0


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def generated(n: int, seed: int = 1) -> list[Scenario]:
    """n distinct random scenarios over the whole vocabulary (a third of facts unknown)."""
    rng = random.Random(seed)
    catalogue = {k: v for k, v in fact_catalogue().items() if v["kind"] != "text"}
    out = []
    for _ in range(n):
        doc: dict[str, Any] = {}
        for fact, info in catalogue.items():
            if rng.random() < 0.33:
                continue
            group, name = fact.split(".")
            if info["kind"] in ("enum", "bool"):
                value: Any = rng.choice(info["values"])
            elif info["max"] == 1.0:
                value = round(rng.random(), 2)
            else:
                value = rng.choice([4, 24, 72, 100, 720, 2000])
            doc.setdefault(group, {})[name] = value
        out.append(to_scenario(doc))
    return out


def main() -> None:
    n = int(os.environ.get("IMMINENCE_BENCH_N", "50000"))
    pool = [e.scenario for e in library()] + generated(979)
    for s in pool[:50]:  # warm up: compile the rules, fill caches
        evaluate(s)
    rss_before = rss_mb()
    latencies = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        evaluate(pool[i % len(pool)])
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    rss_after = rss_mb()
    rate = n / elapsed
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000

    # same run: the plain-Python fast path, and the rules alone (no result building)
    m = min(n, 10_000)
    t0 = time.perf_counter()
    for i in range(m):
        evaluate(pool[i % len(pool)], engine="fast")
    fast_rate = m / (time.perf_counter() - t0)
    rules = engine(load())
    params = resolve()
    facts = [s.facts() for s in pool]
    t0 = time.perf_counter()
    for i in range(m):
        rules.run(facts[i % len(facts)], params)
    chain_rate = m / (time.perf_counter() - t0)

    growth = rss_after - rss_before
    print(f"evaluations (rete, six doctrines, with trace): {n:,} over {len(pool)} scenarios")
    print(f"  rate            {rate:8.0f} evaluations/s   (floor {FLOOR_RATE:.0f})")
    print(f"  latency         p50 {p50:.2f} ms   p99 {p99:.2f} ms")
    print(f"  memory (RSS)    {rss_before:.1f} MB before, {rss_after:.1f} MB after "
          f"({growth:+.1f} MB; floor < {FLOOR_GROWTH_MB:.0f} MB)")
    print(f"  fast path       {fast_rate:8.0f} evaluations/s   ratio rete/fast "
          f"{rate / fast_rate:.2f}")
    print(f"  where time goes durable-rules chaining alone {chain_rate:.0f}/s "
          f"({1000 / chain_rate:.2f} ms of {1000 / rate:.2f} ms per evaluation); "
          f"the rest builds the §5 result")
    if rate < FLOOR_RATE or growth >= FLOOR_GROWTH_MB:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
