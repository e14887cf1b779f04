"""Exact analysis benchmark (issue 11): seconds for `prove` of all claims, `compare` of two
doctrines, `compare` of one doctrine under two readings, and `whatif` with N = 3 for every
doctrine (and both targets) of a library case. Goals: each compare <= 10 s, whatif N = 3
<= 1 s per doctrine on a 2-core machine. Every figure includes the durable-rules re-checks
of the examples and solutions it returns."""

from __future__ import annotations

import time
from typing import Any

from engine import evaluate
from engine.analysis.compare import Side, compare
from engine.analysis.minimal import minimal_changes, to_find_out
from engine.analysis.prove import prove
from engine.loader import library

GOAL_COMPARE = 10.0
GOAL_WHATIF = 1.0
CASE = "six-day-war-1967"


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main() -> None:
    prove({})  # compile the network once (not counted)
    t_prove, claims = timed(prove, {})
    t_broken, _ = timed(prove, {"nss_gravity_threshold": "grave"})
    print(f"prove, all {len(claims)} claims:           {t_prove:6.2f} s "
          f"(with nss_gravity_threshold=grave: {t_broken:.2f} s)")
    t_two, r_two = timed(compare, Side("caroline"), Side("nss_2002"))
    print(f"compare caroline vs nss_2002:      {t_two:6.2f} s "
          f"({sum(len(p['regions']) for p in r_two['pairs'])} regions, "
          f"differ on {100 * r_two['share_differ']:.3f}%)")
    t_hard, r_hard = timed(compare, Side("preventive"), Side("nss_2006"))
    print(f"compare preventive vs nss_2006:    {t_hard:6.2f} s "
          f"({sum(len(p['regions']) for p in r_hard['pairs'])} regions)")
    t_read, r_read = timed(compare, Side("caroline"), Side("caroline", {"caroline_max_hours": 24}))
    print(f"compare caroline 72 h vs 24 h:     {t_read:6.2f} s "
          f"({sum(len(p['regions']) for p in r_read['pairs'])} regions, "
          f"differ on {100 * r_read['share_differ']:.4f}%)")
    case = next(e for e in library() if e.id == CASE)
    verdicts = evaluate(case.scenario, engine="fast").doctrines
    worst = 0.0
    for d, r in verdicts.items():
        t0 = time.perf_counter()
        n = 0
        for to in ("justified", "not_justified"):
            n += len(minimal_changes(case.scenario, d, to, 3))
        if r.verdict == "indeterminate":
            to_find_out(case.scenario, d, 3)
        dt = time.perf_counter() - t0
        worst = max(worst, dt)
        print(f"whatif N=3 {CASE} {d:20s} ({r.verdict}): {dt:5.2f} s, {n} solutions "
              "(both targets)")
    ok = max(t_two, t_hard, t_read) <= GOAL_COMPARE and worst <= GOAL_WHATIF
    print(f"goals: compare <= {GOAL_COMPARE} s, whatif <= {GOAL_WHATIF} s per doctrine: "
          f"{'met' if ok else 'MISSED'}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
