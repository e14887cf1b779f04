"""`make bench` (api): the HTTP API under load, against a real uvicorn process on loopback.

For POST /v1/evaluate (explain on and off) and GET /healthz, at 16 and 64 concurrent
keep-alive connections, for a fixed time each: requests/s, p50/p99 latency, errors. The
ratio evaluate/healthz (same run) says what the engine costs over the HTTP stack.
Floors: the ratio with explain off >= 0.35 on one worker, p99 <= 100 ms at 16 connections,
0 errors.

"healthz while clients send new parameter sets": 16 connections on GET /healthz while 4
others POST /v1/evaluate, each request with a `caroline_max_hours` never sent before (half
with explain on), so that every one needs its rules compiled (issue 13: compiled on the
event loop, this pushed /healthz p99 from 9 ms to 392 ms). Floor: /healthz p99 there
<= 100 ms, and no errors on either side.

"2 workers" (issue 12): `imminence serve --workers 2` (uvicorn[standard]: httptools, uvloop)
against the same requests, 64 connections: POST /v1/evaluate explain off, its ratio to
/healthz on that server and to the 1-worker figure. Goals: >= 2,000 requests/s and >= 0.5x
/healthz. On this 2-core machine the load generator takes one of the two cores, which
caps what two workers can show; the figures say so.

The server is `imminence serve` (uvicorn, httptools with its header timeout, the express
lane of POST /v1/evaluate on: api/routes/evaluate.py) as deployed.

The load generator is asyncio on raw sockets (HTTP/1.1, keep-alive), far cheaper per request
than an HTTP client library, so that it measures the server rather than itself; it still
shares this machine's cores with the server, which is part of what limits the figures.

    python -m bench api        # 2 rounds x API_BENCH_SECONDS (2) per case: about 35 s
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from engine.loader import library

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SECONDS = float(os.environ.get("API_BENCH_SECONDS", "2"))  # per case and round
ROUNDS = 2
WARMUP = 0.5
CONNECTIONS = (16, 64)
RATIO_FLOOR = 0.35
P99_FLOOR_MS = 100.0


@dataclass
class Result:
    name: str
    connections: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _request(method: str, path: str, port: int, body: bytes | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
    if body is None:
        return (head + "\r\n").encode()
    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def _connection(port: int, requests: list[bytes] | Callable[[int], bytes], offset: int,
                      start: float, stop: float, out: list[float], errors: list[int],
                      count: list[int]) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    i = offset
    try:
        while True:
            t0 = time.perf_counter()
            if t0 >= stop:
                break
            writer.write(requests(i) if callable(requests) else requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.lower().split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            t1 = time.perf_counter()
            if t0 >= start:  # measured window (after warm-up)
                count[0] += 1
                out.append(t1 - t0)
                if status != 200:
                    errors[0] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        errors[0] += 1
    finally:
        writer.close()


async def _load(port: int, name: str, requests: list[bytes], connections: int) -> Result:
    now = time.perf_counter()
    start, stop = now + WARMUP, now + WARMUP + SECONDS
    lat: list[float] = []
    errors, count = [0], [0]
    await asyncio.gather(*(_connection(port, requests, k, start, stop, lat, errors, count)
                           for k in range(connections)))
    return Result(name, connections, count[0], errors[0], SECONDS, lat)


FLOOD_CONNECTIONS = 4
FLOOD = "GET /healthz, new parameter sets"
FLOODING = "POST /v1/evaluate, new parameter sets"


def _new_parameters(port: int, run: int) -> Callable[[int], bytes]:
    """Requests each with a caroline_max_hours not sent before in this server's life."""
    def make(i: int) -> bytes:
        body = {"scenario": {"security_council": {"authorisation": True}},
                "explain": i % 2 == 0,
                "parameters": {"caroline_max_hours": 100 + run * 1e6 + i * 0.01}}
        return _request("POST", "/v1/evaluate", port, json.dumps(body).encode())
    return make


async def _flood(port: int, health: list[bytes], run: int) -> tuple[Result, Result]:
    now = time.perf_counter()
    start, stop = now + WARMUP, now + WARMUP + SECONDS
    h_lat: list[float] = []
    f_lat: list[float] = []
    h_err, h_count, f_err, f_count = [0], [0], [0], [0]
    make = _new_parameters(port, run)
    await asyncio.gather(
        *(_connection(port, health, k, start, stop, h_lat, h_err, h_count)
          for k in range(16)),
        *(_connection(port, make, k * 100_000, start, stop, f_lat, f_err, f_count)
          for k in range(FLOOD_CONNECTIONS)))
    return (Result(FLOOD, 16, h_count[0], h_err[0], SECONDS, h_lat),
            Result(FLOODING, FLOOD_CONNECTIONS, f_count[0], f_err[0], SECONDS, f_lat))


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become ready")


def _start(port: int, workers: int, data_dir: str,
           log: IO[bytes]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "IMMINENCE_DATA_DIR": data_dir, "IMMINENCE_LOG_LEVEL": "warning"}
    cmd = [sys.executable, "-m", "cli", "serve", "--host", HOST, "--port", str(port),
           "--workers", str(workers)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    _wait_ready(port, proc)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _two_workers(bodies: list[dict[str, object]], one_worker_rps: float) -> list[str]:
    """Issue 12's serving goals, on a second server with two workers."""
    port = _free_port()
    off = [_request("POST", "/v1/evaluate", port,
                    json.dumps({"scenario": b, "explain": False}).encode()) for b in bodies]
    health = [_request("GET", "/healthz", port)]
    data_dir = tempfile.mkdtemp(prefix="imminence-bench2-")
    with open(Path(data_dir) / "server.log", "wb") as log:
        proc = _start(port, 2, data_dir, log)
        try:
            asyncio.run(_load(port, "warm-up", off, 64))  # each worker compiles once
            h = e = None
            for _ in range(ROUNDS):
                rh = asyncio.run(_load(port, "GET /healthz", health, 64))
                re_ = asyncio.run(_load(port, "POST /v1/evaluate explain=false", off, 64))
                h = rh if h is None else Result(h.name, 64, h.requests + rh.requests,
                                                h.errors + rh.errors, h.seconds + rh.seconds,
                                                h.latencies + rh.latencies)
                e = re_ if e is None else Result(e.name, 64, e.requests + re_.requests,
                                                 e.errors + re_.errors,
                                                 e.seconds + re_.seconds,
                                                 e.latencies + re_.latencies)
        finally:
            _stop(proc)
    assert h is not None and e is not None
    ratio = e.rps / h.rps if h.rps else 0.0
    print(f"2 workers, 64 connections: GET /healthz {h.rps:,.0f} req/s; POST /v1/evaluate "
          f"explain=false {e.rps:,.0f} req/s (p99 {e.pct(0.99):.1f} ms), x{ratio:.2f} "
          f"/healthz, x{e.rps / one_worker_rps if one_worker_rps else 0:.2f} one worker")
    missed = []
    if e.rps < 2000:
        missed.append(f"2 workers: {e.rps:,.0f} evaluations/s < 2,000")
    if ratio < 0.5:
        missed.append(f"2 workers: evaluate/healthz {ratio:.2f} < 0.5")
    if e.errors or h.errors:
        missed.append(f"2 workers: {e.errors + h.errors} errors")
    return missed


def main() -> None:
    port = _free_port()
    bodies = [e.scenario.model_dump(mode="json", exclude_none=True) for e in library()]
    explain_on = [_request("POST", "/v1/evaluate", port,
                           json.dumps({"scenario": b, "explain": True}).encode())
                  for b in bodies]
    explain_off = [_request("POST", "/v1/evaluate", port,
                            json.dumps({"scenario": b, "explain": False}).encode())
                   for b in bodies]
    health = [_request("GET", "/healthz", port)]
    data_dir = tempfile.mkdtemp(prefix="imminence-bench-")
    env = {**os.environ, "IMMINENCE_DATA_DIR": data_dir}
    log = open(Path(data_dir) / "server.log", "wb")  # noqa: SIM115 - closed below
    # uvicorn's own access log is off; the app's structured access log is on (as served).
    env["IMMINENCE_LOG_LEVEL"] = "warning"
    cmd = [sys.executable, "-m", "cli", "serve", "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    results: list[Result] = []
    try:
        _wait_ready(port, proc)
        # Cases are interleaved in ROUNDS slices, so that background load on this shared
        # machine weighs on healthz and evaluate alike and their ratio stays meaningful.
        merged: dict[tuple[str, int], Result] = {}

        def add(r: Result) -> None:
            m = merged.setdefault((r.name, r.connections),
                                  Result(r.name, r.connections, 0, 0, 0.0, []))
            m.requests += r.requests
            m.errors += r.errors
            m.seconds += r.seconds
            m.latencies += r.latencies

        for run in range(ROUNDS):
            for r in asyncio.run(_flood(port, health, run)):
                add(r)
            for conns in CONNECTIONS:
                for name, reqs in (("GET /healthz", health),
                                   ("POST /v1/evaluate explain=false", explain_off),
                                   ("POST /v1/evaluate explain=true", explain_on)):
                    add(asyncio.run(_load(port, name, reqs, conns)))
        results = list(merged.values())
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()

    load = os.getloadavg()[0]
    print(f"imminence serve (uvicorn, 1 worker, httptools with header timeout, structured access "
          f"log on) on loopback; "
          f"{ROUNDS}x{SECONDS:g} s per case (interleaved) after {WARMUP:g} s warm-up each; "
          f"{os.cpu_count()} CPUs shared with the load generator; load average {load:.1f} "
          "(other processes on the machine skew figures)")
    print(f"{'case':38} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for r in results:
        print(f"{r.name:38} {r.connections:5d} {r.rps:8.0f} {r.pct(0.50):8.2f} "
              f"{r.pct(0.99):8.2f} {r.errors:6d}")
    failed = []
    by = {(r.name, r.connections): r for r in results}
    for conns in CONNECTIONS:
        h = by[("GET /healthz", conns)]
        for mode in ("false", "true"):
            ev = by[(f"POST /v1/evaluate explain={mode}", conns)]
            ratio = ev.rps / h.rps if h.rps else 0.0
            print(f"ratio evaluate(explain={mode})/healthz at {conns}: {ratio:.2f}")
            if mode == "false" and ratio < RATIO_FLOOR:
                failed.append(f"ratio {ratio:.2f} < {RATIO_FLOOR} at {conns} connections")
    for r in results:
        if r.errors:
            failed.append(f"{r.errors} errors in {r.name} at {r.connections}")
        if r.connections == 16 and r.pct(0.99) > P99_FLOOR_MS:
            failed.append(f"p99 {r.pct(0.99):.1f} ms > {P99_FLOOR_MS:g} ms: {r.name} at 16")
    failed += _two_workers(bodies, by[("POST /v1/evaluate explain=false", 64)].rps)
    if failed:
        print("FLOOR MISSED: " + "; ".join(failed))
        raise SystemExit(1)
    print(f"floors met: ratio (explain off) >= {RATIO_FLOOR} on 1 worker; 2 workers >= 2,000 "
          "req/s and >= 0.5x /healthz; p99 <= 100 ms at 16 connections (healthz among new "
          "parameter sets too), 0 errors")


if __name__ == "__main__":
    main()
