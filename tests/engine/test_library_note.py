"""A library file may carry a note for students (`note:`): text beside the case that never
changes its answer, validated like the facts and served by the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import InputFileError, evaluate
from engine.loader import library, load_scenario_file
from tests.conftest import SCENARIOS


def test_caroline_tells_students_it_fails_webster_s_own_test() -> None:
    entry = next(e for e in library() if e.id == "caroline-1837")
    assert entry.note is not None
    assert "fails Webster's own test" in entry.note and "as Webster argued" in entry.note
    # What the note says is what the engine answers: no doctrine justifies the Caroline.
    result = evaluate(entry.scenario)
    assert {d.verdict for d in result.doctrines.values()} == {"not_justified"}
    assert "necessity_caroline" in result.doctrines["caroline"].decisive or \
        "necessity" in result.doctrines["caroline"].decisive


def test_a_note_never_changes_the_answer(tmp_path: Path) -> None:
    text = (SCENARIOS / "caroline-1837.yaml").read_text(encoding="utf-8")
    start = text.index("note: >-\n")
    end = text.index("acting_state:")
    bare = tmp_path / "bare.yaml"
    bare.write_text(text[:start] + text[end:], encoding="utf-8")
    with_note, _ = load_scenario_file(SCENARIOS / "caroline-1837.yaml")
    without, _ = load_scenario_file(bare)
    assert with_note == without
    assert evaluate(with_note).model_dump() == evaluate(without).model_dump()


@pytest.mark.parametrize("note", ["42", "''", "[a, b]", "{x: 1}", "'" + "x" * 4001 + "'"])
def test_a_note_that_is_not_text_is_refused_naming_the_field(tmp_path: Path, note: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(f"id: case\nnote: {note}\narmed_attack:\n  status: none\n",
                    encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        load_scenario_file(path)
    (error,) = info.value.errors
    assert error.path == "note" and error.line == 2 and "note for students" in error.msg

