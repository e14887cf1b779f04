"""Hostile input in the teaching API (issue 13): a CSV export a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .test_api import AUTH, EX, TOKEN, make_client, submit

# What a spreadsheet would read as a formula: the formula character may come after
# spaces, a no-break space or an ideographic space, and may be its full-width form.
FORMULAS = ["=cmd|calc", " =1+1", "\u00a0=HYPERLINK(\"x\")", "\u3000+1", "＝1+1", "＋1",
            "－1", "＠SUM(A1)", " \u00a0 @x", "-1", "+1", "@x",
            "\u200b=1", "\ufeff=1"]
PLAIN = ["ann", "a=b", "Ann-Marie", "1 + 1", "x@y.example"]


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with make_client(tmp_path, monkeypatch, TOKEN) as c:
        yield c


def test_csv_export_guards_formulas_behind_spaces_and_full_width_forms(
        client: TestClient) -> None:
    stored = []
    for name in FORMULAS + PLAIN:
        r = submit(client, {"student": name, "answers": {"kind-of-force": "reactive"}})
        # a name is either refused at submit (a 422 naming the field) or stored
        assert r.status_code in (201, 422), (name, r.text)
        if r.status_code == 201:
            stored.append(name)
    got = client.get(f"/v1/instructor/results.csv?exercise={EX}", headers=AUTH)
    rows = list(csv.DictReader(io.StringIO(got.text)))
    students = [row["student"] for row in rows]
    assert len(students) == len(stored)
    for name in FORMULAS:
        if name in stored:
            assert "'" + name in students, f"{name!r} is exported unguarded"
    for name in PLAIN:
        assert name in students or name not in stored, f"{name!r} should be exported as it is"
