"""Reading scenario documents from files, with errors that point at a line.

    doc = read_document("case.yaml")            # dict; InputFileError if not YAML/JSON
    scenario, expected = load_scenario_file("case.yaml")   # validated; `expected` split off
    for entry in library(): ...                 # the scenario library (scenarios/*.yaml)

Errors are `InputFileError`: `file:line: field: message`, one per problem.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from engine.errors import ErrorItem, InputFileError, InvalidInput
from engine.law.scenario import Scenario

# Keys of a library file that are not scenario facts: the golden answer, and a note for
# students (text shown beside the case; it never changes an answer).
ENVELOPE_KEYS = ("expected", "note")
NOTE_MAX_CHARS = 4_000


def scenarios_dir() -> Path:
    """The scenario library: $IMMINENCE_SCENARIOS, else scenarios/ beside the package."""
    env = os.environ.get("IMMINENCE_SCENARIOS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "scenarios"


def _lines(node: yaml.Node, prefix: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            out[(*prefix, k)] = key.start_mark.line + 1
            _lines(value, (*prefix, k), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _lines(value, (*prefix, i), out)


def line_of(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest part of `loc` that the document has."""
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def parse_text(text: str, name: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML or JSON text; return the data and a map from field path to line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputFileError([ErrorItem((), f"not valid YAML/JSON: {problem}", "syntax_error",
                                        line=line)], file=name) from None
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _lines(node, (), lines)
    return data, lines


def read_text(path: str | Path) -> str:
    """A file's text; InputFileError (not a traceback) when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError([ErrorItem((), f"cannot read: {exc}", "io_error")],
                             file=str(path)) from None


def read_document(path: str | Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    return parse_text(read_text(path), str(path))


def validate_document(data: Any, lines: dict[tuple[Any, ...], int], name: str,
                      line_offset: int = 0) -> tuple[Scenario, dict[str, Any] | None]:
    """Validate one scenario document (library envelope allowed); errors carry lines."""
    from engine.evaluate import to_scenario

    if not isinstance(data, dict):
        raise InputFileError([ErrorItem((), "a scenario document must be a mapping of facts",
                                        "type_error", line=1 + line_offset)], file=name)
    facts = {k: v for k, v in data.items() if k not in ENVELOPE_KEYS}
    expected = data.get("expected")
    note_error = _note_error(data.get("note"))
    if note_error is not None:
        ln = line_of(lines, ("note",))
        raise InputFileError([ErrorItem(("note",), note_error, "type_error",
                                        line=None if ln is None else ln + line_offset)],
                             file=name)
    try:
        scenario = to_scenario(facts)
    except InvalidInput as exc:
        for e in exc.errors:
            ln = line_of(lines, e.loc)
            e.line = None if ln is None else ln + line_offset
        raise InputFileError(exc.errors, file=name) from None
    return scenario, expected


def _note_error(note: Any) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str) or not note.strip():
        return "a note for students must be non-empty text"
    if len(note) > NOTE_MAX_CHARS:
        return f"a note for students must be at most {NOTE_MAX_CHARS} characters"
    return None


def load_scenario_file(path: str | Path) -> tuple[Scenario, dict[str, Any] | None]:
    data, lines = read_document(path)
    return validate_document(data, lines, str(path))


@dataclass(frozen=True)
class LibraryEntry:
    id: str
    path: Path
    scenario: Scenario
    expected: dict[str, Any] | None
    note: str | None = None  # for students; validated by validate_document


@lru_cache(maxsize=2)
def _library(directory: str) -> tuple[LibraryEntry, ...]:
    entries = []
    for path in sorted(Path(directory).glob("*.yaml")):
        data, lines = read_document(path)
        scenario, expected = validate_document(data, lines, str(path))
        note = " ".join(data["note"].split()) if data.get("note") else None
        entries.append(LibraryEntry(scenario.id or path.stem, path, scenario, expected, note))
    return tuple(entries)


def library(directory: str | Path | None = None) -> tuple[LibraryEntry, ...]:
    """The scenario library (cached per directory)."""
    return _library(str(directory or scenarios_dir()))


def iter_files(paths: list[str | Path]) -> Iterator[Path]:
    """Files named, and the .yaml/.yml/.json files directly inside folders named (not their
    subfolders: scenarios/invalid/ holds bad-input fixtures), in sorted order."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.glob("*")):
                if child.suffix in (".yaml", ".yml", ".json") and child.is_file():
                    yield child
        else:
            yield p


__all__ = [
    "LibraryEntry",
    "iter_files",
    "library",
    "line_of",
    "load_scenario_file",
    "parse_text",
    "read_document",
    "read_text",
    "scenarios_dir",
    "validate_document",
]
