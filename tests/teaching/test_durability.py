"""An acknowledged attempt survives the server being killed with SIGKILL right after the
response: the real app under uvicorn, on SQLite (WAL, synchronous=FULL) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from engine.teaching.exercises import exercises, key_as_answer

from .servers import Postgres, create_database, running, start_server

EX = "cyber-threat-inline"


def _answers() -> dict[str, object]:
    e = exercises()[EX]
    return {q.id: key_as_answer(e, q) for q in e.doc.questions}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_acknowledged_attempt_survives_sigkill(backend: str, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    env = {"IMMINENCE_DATA_DIR": str(tmp_path / "data")}
    if backend == "postgresql":
        pg: Postgres = request.getfixturevalue("postgres")
        env["IMMINENCE_DATABASE_URL"] = create_database(pg, "durability")
    log = tmp_path / "server.log"
    server = start_server(env, log)
    acknowledged = []
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            for i in range(5):
                r = http.post(f"/v1/exercises/{EX}/attempts",
                              json={"student": f"s{i}", "answers": _answers(),
                                    "idempotency_key": f"key-{i}"})
                assert r.status_code == 201, r.text
                acknowledged.append(r.json())
            server.kill()  # right after the last response: no shutdown, no flush
    finally:
        server.stop()
    assert server.proc.returncode == -9
    with running(env, log) as again, httpx.Client(base_url=again.base, timeout=30) as http:
        for body in acknowledged:
            got = http.get(f"/v1/attempts/{body['id']}")
            assert got.status_code == 200 and got.json() == body
        # the retry a client would make after losing the connection is not a new attempt
        last = acknowledged[-1]
        retry = http.post(f"/v1/exercises/{EX}/attempts",
                          json={"student": "s4", "answers": _answers(),
                                "idempotency_key": "key-4"})
        assert retry.status_code == 200 and retry.json()["id"] == last["id"]
