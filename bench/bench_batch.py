"""Batch throughput: generated scenarios to JSONL with 1 and 2 workers, and memory.

    make bench                       # N = 20,000 (about two minutes on 2 cores)
    python -m bench batch --full     # N = 100,000 (the issue's figure; about 8 minutes)
    IMMINENCE_BENCH_N=40000 python -m bench batch

Each run is the real command line (`imminence batch sweep.jsonl --out out.jsonl
--workers W`, rete engine) in a subprocess; scenarios/s is N over the wall-clock time of
the whole command (start-up included). Memory is the peak resident set of the process
tree (main process plus workers), sampled every 0.2 s; flatness is checked by running the
same sweep at N/4 with 2 workers and comparing the peaks.

Floors: speed-up (2 workers over 1) >= 1.6 (issue 12's goal, 1.8, is printed beside it);
peak memory at N at most 15% (and 40 MB)
above the peak at N/4.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "scenarios" / "fuelled-missiles-hypothetical.yaml"
IMMINENCE = Path(sys.executable).parent / "imminence"
SPEEDUP_FLOOR = 1.6
SPEEDUP_GOAL = 1.8  # issue 12
MEMORY_SLACK = 1.15
MEMORY_SLACK_MB = 40.0


@dataclass
class RunFigures:
    workers: int
    n: int
    seconds: float
    peak_mb: float
    main_peak_mb: float
    out_mb: float
    cpu_seconds: float  # user + system time of the whole process tree
    load: float  # the 1-minute load average when the run ended (other users of the cores)

    @property
    def rate(self) -> float:
        return self.n / self.seconds


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                out += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def _tree_rss_kb(pid: int) -> tuple[int, int]:
    """(RSS of the process and all its descendants, RSS of the process alone), in kB."""
    main = _rss_kb(pid)
    total, todo = main, _children(pid)
    while todo:
        child = todo.pop()
        total += _rss_kb(child)
        todo += _children(child)
    return total, main


def generate_sweep(n: int, path: Path) -> None:
    """n scenarios (n a multiple of 100): n/100 values of hours_until × 100 probabilities."""
    if n % 100:
        raise SystemExit(f"N must be a multiple of 100, got {n}")
    subprocess.run([str(IMMINENCE), "generate", str(TEMPLATE),
                    "--vary", f"threat.hours_until=0:{n // 100 - 1}:1",
                    "--vary", "threat.probability=0:0.99:0.01", "--out", str(path)],
                   check=True, capture_output=True)


def run(sweep: Path, n: int, workers: int, out: Path) -> RunFigures:
    peak = [0, 0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen([str(IMMINENCE), "batch", str(sweep), "--out", str(out),
                             "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total, main = _tree_rss_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], main)
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}):\n{err}")
    lines = sum(1 for _ in out.open("rb"))
    if lines != n:
        raise SystemExit(f"expected {n} results, got {lines}")
    size = out.stat().st_size / 2**20
    out.unlink()
    return RunFigures(workers, n, seconds, peak[0] / 1024, peak[1] / 1024, size, cpu,
                      os.getloadavg()[0])


def main() -> None:
    full = "--full" in sys.argv
    n = int(os.environ.get("IMMINENCE_BENCH_N", 100_000 if full else 20_000))
    print(f"N = {n:,} generated scenarios -> JSONL (full §5 result per line), rete engine, "
          f"{os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        sweep, quarter = folder / "sweep.jsonl", folder / "quarter.jsonl"
        t = time.monotonic()
        generate_sweep(n, sweep)
        print(f"generate: {n:,} scenarios in {time.monotonic() - t:.1f}s "
              f"({sweep.stat().st_size / 2**20:.0f} MB)", flush=True)
        generate_sweep(n // 4 // 100 * 100, quarter)
        figures = []
        for workers, path, count in ((1, sweep, n), (2, sweep, n),
                                     (2, quarter, n // 4 // 100 * 100)):
            f = run(path, count, workers, folder / "out.jsonl")
            figures.append(f)
            print(f"batch  N={f.n:>7,}  workers={f.workers}  {f.seconds:7.1f}s  "
                  f"{f.rate:7.1f} scenarios/s  peak RSS {f.peak_mb:6.1f} MB (main process "
                  f"{f.main_peak_mb:5.1f} MB)  output {f.out_mb:,.0f} MB  CPU {f.cpu_seconds:.0f}s"
                  f" ({f.cpu_seconds / f.seconds:.2f} cores busy)  load {f.load:.1f}", flush=True)
    one, two, small = figures
    speedup = two.rate / one.rate
    growth = two.peak_mb / small.peak_mb
    print(f"speed-up 2 workers / 1 worker: {speedup:.2f} (floor {SPEEDUP_FLOOR}; issue 12's goal "
          f"{SPEEDUP_GOAL}: {'met' if speedup >= SPEEDUP_GOAL else 'missed'}); cores the "
          f"runs got: {one.cpu_seconds / one.seconds:.2f} and {two.cpu_seconds / two.seconds:.2f}"
          " (below 1 and 2: other processes were using the cores; the figure is then low)")
    print(f"peak RSS at N vs N/4 (2 workers): {two.peak_mb:.1f} MB vs {small.peak_mb:.1f} MB "
          f"= x{growth:.2f} (floor: at most x{MEMORY_SLACK} and +{MEMORY_SLACK_MB:.0f} MB)")
    failed = []
    if speedup < SPEEDUP_FLOOR:
        failed.append(f"speed-up {speedup:.2f} < {SPEEDUP_FLOOR}")
    if growth > MEMORY_SLACK and two.peak_mb - small.peak_mb > MEMORY_SLACK_MB:
        failed.append(f"memory grows with N: x{growth:.2f}")
    if failed:
        print("FLOOR MISSED: " + "; ".join(failed))
        raise SystemExit(1)
    print("floors met")


if __name__ == "__main__":
    main()
