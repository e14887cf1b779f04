"""64 concurrent clients posting different scenarios: every answer equals the sequential
answer for the same scenario (durable-rules has global state; the engine serialises it)."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
from fastapi import FastAPI

from engine import evaluate
from engine.loader import library

CLIENTS = 64
ROUNDS = 3


def _variants() -> list[dict[str, Any]]:
    """Library scenarios plus perturbations, so that neighbours differ."""
    rng = random.Random(4)
    out: list[dict[str, Any]] = []
    base = [e.scenario.model_dump(mode="json", exclude_none=True) for e in library()]
    while len(out) < CLIENTS * ROUNDS:
        s = dict(rng.choice(base))
        threat = dict(s.get("threat", {}))
        threat["hours_until"] = rng.choice([1, 12, 48, 100, 1000])
        threat["probability"] = rng.choice([0.1, 0.4, 0.6, 0.9])
        s["threat"] = threat
        s["id"] = f"case-{len(out)}"
        out.append(s)
    return out


async def _run(app: FastAPI, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as c:
        async def one_client(k: int) -> list[tuple[int, dict[str, Any]]]:
            got = []
            for i in range(k, len(bodies), CLIENTS):
                r = await c.post("/v1/evaluate", json=bodies[i])
                assert r.status_code == 200, r.text
                got.append((i, r.json()))
            return got

        results = await asyncio.gather(*(one_client(k) for k in range(CLIENTS)))
    flat = dict(pair for chunk in results for pair in chunk)
    return [flat[i] for i in range(len(bodies))]


def test_64_concurrent_clients_get_the_sequential_answers(app: FastAPI) -> None:
    scenarios = _variants()
    bodies = [{"scenario": s, "explain": i % 3 != 0} for i, s in enumerate(scenarios)]
    sequential = [evaluate(b["scenario"], explain=b["explain"],
                           engine="rete" if b["explain"] else "fast").model_dump(mode="json")
                  for b in bodies]
    concurrent = asyncio.run(_run(app, bodies))
    assert len({c["scenario_id"] for c in concurrent}) == len(bodies)
    for i, (seq, con) in enumerate(zip(sequential, concurrent, strict=True)):
        assert con == seq, f"scenario {i} differs under concurrency"
